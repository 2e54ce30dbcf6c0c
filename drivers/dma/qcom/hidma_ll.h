/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Qualcomm Technologies HIDMA channel: ring and register layer.
 *
 * Everything that knows about the TRCA/EVCA register windows, the layout of
 * transfer ring elements (TREs) and event ring elements (EVREs) and the ring
 * index arithmetic lives behind this interface.  It holds no dmaengine
 * state; the caller serialises access to a struct hidma_ll.
 */
#ifndef __HIDMA_LL_H
#define __HIDMA_LL_H

#include <linux/bits.h>
#include <linux/dmaengine.h>
#include <linux/spinlock.h>
#include <linux/types.h>

struct device;

#define HIDMA_TRE_SIZE		32
#define HIDMA_TRE_WORDS		(HIDMA_TRE_SIZE / sizeof(u32))
#define HIDMA_EVRE_SIZE		16

/* TRE opcodes */
#define HIDMA_OP_MEMCPY		3
#define HIDMA_OP_MEMSET		4

/* Interrupt cause bits (IRQ_STAT, IRQ_CLR, IRQ_EN) */
#define HIDMA_IRQ_EOB		BIT(0)
#define HIDMA_IRQ_EV_WR_RESP	BIT(1)
#define HIDMA_IRQ_TRE_RD_RESP	BIT(9)
#define HIDMA_IRQ_DATA_RD	BIT(10)
#define HIDMA_IRQ_DATA_WR	BIT(11)
#define HIDMA_IRQ_INVALID_TRE	BIT(14)
#define HIDMA_IRQ_ERRORS	(HIDMA_IRQ_EV_WR_RESP | HIDMA_IRQ_TRE_RD_RESP | \
				 HIDMA_IRQ_DATA_RD | HIDMA_IRQ_DATA_WR | \
				 HIDMA_IRQ_INVALID_TRE)
#define HIDMA_IRQ_ALL		(HIDMA_IRQ_EOB | HIDMA_IRQ_ERRORS)
/* MSI: vector N signals cause BIT(N); the highest cause is the last one */
#define HIDMA_MSI_VECS		15

/* Channel states reported in CTRLSTS[15:8] */
enum hidma_ch_state {
	HIDMA_STATE_DISABLED = 0,
	HIDMA_STATE_ENABLED = 1,
	HIDMA_STATE_RUNNING = 2,
	HIDMA_STATE_SUSPENDED = 3,
	HIDMA_STATE_STOPPED = 4,
};

/**
 * struct hidma_ll - one channel's rings and register windows
 * @dev: device used for DMA allocations and messages
 * @trca: transfer channel register window
 * @evca: event channel register window
 * @nr: number of elements in each ring (one slot always stays free)
 * @chid: hardware channel index, placed in every TRE
 * @tre_ring: transfer ring, @nr elements of HIDMA_TRE_SIZE bytes
 * @tre_dma: bus address of @tre_ring
 * @evre_ring: event ring, @nr elements of HIDMA_EVRE_SIZE bytes
 * @evre_dma: bus address of @evre_ring
 * @tre_head: index of the next free TRE slot (producer)
 * @tre_tail: index of the oldest TRE whose event has not been consumed
 * @ev_tail: index of the next event to consume
 * @irq_en: causes enabled in IRQ_EN, kept here to save an MMIO read in
 *	every interrupt
 * @msi: the channel signals MSIs rather than its wired interrupt
 * @msi_lock: serialises the MSI message between the MSI core's updates,
 *	which come under the interrupt descriptor's raw lock, and setup
 * @msi_addr_lo: low word of the MSI address of vector 0
 * @msi_addr_hi: high word of that address
 * @msi_data: MSI data of vector 0; the channel adds the cause to it
 */
struct hidma_ll {
	struct device *dev;
	void __iomem *trca;
	void __iomem *evca;
	u32 nr;
	u32 chid;
	__le32 *tre_ring;
	dma_addr_t tre_dma;
	__le32 *evre_ring;
	dma_addr_t evre_dma;
	u32 tre_head;
	u32 tre_tail;
	u32 ev_tail;
	u32 irq_en;
	bool msi;
	raw_spinlock_t msi_lock;
	u32 msi_addr_lo;
	u32 msi_addr_hi;
	u32 msi_data;
};

#if IS_ENABLED(CONFIG_KUNIT)
/* Pure helpers, visible to the KUnit test module only */
u32 hidma_ring_next(u32 idx, u32 nr);
u32 hidma_ring_used(u32 head, u32 tail, u32 nr);
u32 hidma_ring_space(u32 head, u32 tail, u32 nr);
int hidma_ring_off_to_idx(u32 off, u32 esize, u32 nr, u32 *idx);
void hidma_tre_encode(u32 *tre, u32 op, u32 chid, u64 src, u64 dst, u32 len);
u64 hidma_memset_pattern(u8 value);
enum dmaengine_tx_result hidma_evre_result(u32 word0, u32 irq_cause);
bool hidma_evre_needs_stat(u32 word0, u32 irq_cause);
#endif

int hidma_ll_init(struct hidma_ll *ll, struct device *dev,
		  void __iomem *trca, void __iomem *evca, u32 nr);
u32 hidma_ll_read_chid(struct hidma_ll *ll, bool identity);
int hidma_ll_reset(struct hidma_ll *ll);
int hidma_ll_setup(struct hidma_ll *ll, bool run);
int hidma_ll_suspend_atomic(struct hidma_ll *ll);
int hidma_ll_stop(struct hidma_ll *ll, bool atomic);
int hidma_ll_enable_atomic(struct hidma_ll *ll);
void hidma_ll_states(struct hidma_ll *ll, u32 *tr, u32 *ev);
u32 hidma_ll_irq_ack(struct hidma_ll *ll);
u32 hidma_ll_irq_ack_cause(struct hidma_ll *ll, u32 cause);
void hidma_ll_set_msi_msg(struct hidma_ll *ll, u32 addr_lo, u32 addr_hi,
			  u32 data);
void hidma_ll_irq_mask(struct hidma_ll *ll);

u32 hidma_ll_inflight(const struct hidma_ll *ll);
u32 hidma_ll_space(const struct hidma_ll *ll);
void hidma_ll_forget(struct hidma_ll *ll);
void hidma_ll_push_memcpy(struct hidma_ll *ll, dma_addr_t dst, dma_addr_t src,
			  u32 len);
void hidma_ll_push_memset(struct hidma_ll *ll, dma_addr_t dst, u8 value,
			  u32 len);
void hidma_ll_doorbell(struct hidma_ll *ll);
int hidma_ll_event_head(struct hidma_ll *ll, u32 *head);
enum dmaengine_tx_result hidma_ll_pop_event(struct hidma_ll *ll, u32 cause,
					    bool *error);
void hidma_ll_event_ack(struct hidma_ll *ll);
enum dmaengine_tx_result hidma_ll_error_result(u32 cause);

#endif /* __HIDMA_LL_H */
