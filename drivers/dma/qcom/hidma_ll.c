// SPDX-License-Identifier: GPL-2.0-only
/*
 * Qualcomm Technologies HIDMA channel: ring and register layer.
 *
 * A channel owns two rings in system memory. Software produces 32-byte
 * transfer ring elements (TREs) and tells the engine how far it got through
 * the TRCA doorbell. The engine executes TREs strictly in ring order and
 * writes one 16-byte event ring element (EVRE) per TRE, then advances the
 * EVCA write pointer; software tells it how far it consumed through the
 * EVCA doorbell. Both rings have the same number of slots and one slot is
 * always left free, so "head == tail" means empty and the event ring can
 * never overflow.
 *
 * Copyright (c) 2026 The HIDMA driver authors.
 */

#include <kunit/visibility.h>
#include <linux/bitfield.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/ktime.h>

#include "hidma_ll.h"

/* Registers common to the TRCA and EVCA windows */
#define HIDMA_CTRLSTS		0x000
#define HIDMA_RING_LOW		0x008
#define HIDMA_RING_HIGH		0x00c
#define HIDMA_RING_LEN		0x010
#define HIDMA_DOORBELL		0x400
#define HIDMA_CTRLSTS_CMD	GENMASK(23, 16)
#define HIDMA_CTRLSTS_STATE	GENMASK(15, 8)

/* TRCA only */
#define HIDMA_TRCA_CHID		0x028
#define HIDMA_TRCA_CHID_IDENT	0x040

/* EVCA only */
#define HIDMA_EVCA_INTCTRL	0x004
#define HIDMA_EVCA_WRITE_PTR	0x020
#define HIDMA_EVCA_IRQ_STAT	0x100
#define HIDMA_EVCA_IRQ_CLR	0x108
#define HIDMA_EVCA_IRQ_EN	0x110
#define HIDMA_EVCA_MSI_ADDR_LO	0x118
#define HIDMA_EVCA_MSI_ADDR_HI	0x11c
#define HIDMA_EVCA_MSI_DATA	0x120
#define HIDMA_INTCTRL_MODE	GENMASK(3, 0)
#define HIDMA_INTCTRL_MSI	0
#define HIDMA_INTCTRL_WIRED	1

/* Channel commands */
#define HIDMA_CMD_DISABLE	0
#define HIDMA_CMD_ENABLE	1
#define HIDMA_CMD_SUSPEND	2
#define HIDMA_CMD_RESET		9

/* TRE word 0 */
#define HIDMA_TRE_OPCODE	GENMASK(7, 0)
#define HIDMA_TRE_CHID		GENMASK(15, 8)
#define HIDMA_TRE_IEOB		BIT(16)

/* EVRE word 0 */
#define HIDMA_EVRE_ERRINFO	GENMASK(27, 24)
#define HIDMA_EVRE_CODE		GENMASK(31, 28)
#define HIDMA_EVRE_CODE_OK	1
#define HIDMA_EVRE_CODE_ERROR	4
#define HIDMA_EVRE_ERRINFO_BIAS	8	/* error info = cause bit - 8 */

/*
 * Command completion budgets. Reset and enable are only issued from
 * process context and may sleep while polling; suspend and re-enable for
 * pause/resume are issued from atomic context and spin.
 */
#define HIDMA_POLL_US		100
#define HIDMA_RESET_TIMEOUT_US	100000
#define HIDMA_ENABLE_TIMEOUT_US	20000
#define HIDMA_ENABLE_RETRY_US	2000
#define HIDMA_ATOMIC_POLL_US	5
#define HIDMA_ATOMIC_TIMEOUT_US	1000	/* irqs are off: a suspend is one burst */

/**
 * hidma_ring_next() - index of the slot after @idx
 * @idx: current slot
 * @nr: number of slots in the ring
 *
 * Return: the next slot index, wrapping to 0 after the last slot.
 */
VISIBLE_IF_KUNIT u32 hidma_ring_next(u32 idx, u32 nr)
{
	return idx + 1 >= nr ? 0 : idx + 1;
}
EXPORT_SYMBOL_IF_KUNIT(hidma_ring_next);

/**
 * hidma_ring_used() - number of occupied slots
 * @head: producer index (next slot to fill)
 * @tail: consumer index (oldest filled slot)
 * @nr: number of slots in the ring
 *
 * Return: the number of slots between @tail and @head.
 */
VISIBLE_IF_KUNIT u32 hidma_ring_used(u32 head, u32 tail, u32 nr)
{
	return head >= tail ? head - tail : nr - tail + head;
}
EXPORT_SYMBOL_IF_KUNIT(hidma_ring_used);

/**
 * hidma_ring_space() - number of slots that may still be filled
 * @head: producer index
 * @tail: consumer index
 * @nr: number of slots in the ring
 *
 * One slot always stays free so that a full ring is never mistaken for an
 * empty one.
 *
 * Return: the number of free slots usable by the producer.
 */
VISIBLE_IF_KUNIT u32 hidma_ring_space(u32 head, u32 tail, u32 nr)
{
	return nr - 1 - hidma_ring_used(head, tail, nr);
}
EXPORT_SYMBOL_IF_KUNIT(hidma_ring_space);

/**
 * hidma_ring_off_to_idx() - convert a hardware byte offset to a slot index
 * @off: byte offset reported by the hardware
 * @esize: element size in bytes
 * @nr: number of slots in the ring
 * @idx: where the slot index is stored on success
 *
 * Return: 0 on success, -EIO if @off is not element aligned or lies outside
 * the ring.
 */
VISIBLE_IF_KUNIT int hidma_ring_off_to_idx(u32 off, u32 esize, u32 nr,
					   u32 *idx)
{
	if (off % esize || off / esize >= nr)
		return -EIO;
	*idx = off / esize;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hidma_ring_off_to_idx);

/**
 * hidma_memset_pattern() - source field of a memset TRE
 * @value: fill byte
 *
 * Return: @value replicated into all eight bytes.
 */
VISIBLE_IF_KUNIT u64 hidma_memset_pattern(u8 value)
{
	return 0x0101010101010101ULL * value;
}
EXPORT_SYMBOL_IF_KUNIT(hidma_memset_pattern);

/**
 * hidma_tre_encode() - build the eight CPU-order words of a TRE
 * @tre: HIDMA_TRE_WORDS words to fill
 * @op: HIDMA_OP_MEMCPY or HIDMA_OP_MEMSET
 * @chid: hardware channel index
 * @src: source bus address, or the memset pattern
 * @dst: destination bus address
 * @len: length in bytes
 *
 * Every TRE requests an end-of-block interrupt, so that each one produces
 * an event.
 */
VISIBLE_IF_KUNIT void hidma_tre_encode(u32 *tre, u32 op, u32 chid, u64 src,
				       u64 dst, u32 len)
{
	tre[0] = FIELD_PREP(HIDMA_TRE_OPCODE, op) |
		 FIELD_PREP(HIDMA_TRE_CHID, chid & 0xff) | HIDMA_TRE_IEOB;
	tre[1] = len;
	tre[2] = lower_32_bits(src);
	tre[3] = upper_32_bits(src);
	tre[4] = lower_32_bits(dst);
	tre[5] = upper_32_bits(dst);
	tre[6] = 0;
	tre[7] = 0;
}
EXPORT_SYMBOL_IF_KUNIT(hidma_tre_encode);

/* The cause that an event's error info names, or 0 if it names none */
static u32 hidma_evre_info_cause(u32 word0)
{
	u32 info = FIELD_GET(HIDMA_EVRE_ERRINFO, word0);
	u32 cause = info ? BIT(info + HIDMA_EVRE_ERRINFO_BIAS) : 0;

	return cause & (HIDMA_IRQ_TRE_RD_RESP | HIDMA_IRQ_DATA_RD |
			HIDMA_IRQ_DATA_WR | HIDMA_IRQ_INVALID_TRE);
}

/**
 * hidma_evre_result() - decode an event into a dmaengine transfer result
 * @word0: first word of the EVRE, in CPU order
 * @irq_cause: interrupt causes pending when the event was consumed
 *
 * A completion code other than "complete" is an error; so is code 0,
 * which a slot holds until the hardware writes it. The error info
 * field holds the interrupt cause bit number minus 8 (1 TRE read error,
 * 2 data read error, 3 data write error, 6 invalid TRE); when it names no
 * known cause, the error causes pending in IRQ_STAT decide. A data
 * read error maps to DMA_TRANS_READ_FAILED, a data write error to
 * DMA_TRANS_WRITE_FAILED. A TRE read error or an invalid TRE means the
 * engine never moved data for the transfer: DMA_TRANS_ABORTED.
 *
 * Return: the result to report for the transfer the event retires.
 */
VISIBLE_IF_KUNIT enum dmaengine_tx_result hidma_evre_result(u32 word0,
							    u32 irq_cause)
{
	if (FIELD_GET(HIDMA_EVRE_CODE, word0) == HIDMA_EVRE_CODE_OK)
		return DMA_TRANS_NOERROR;

	switch (hidma_evre_info_cause(word0)) {
	case HIDMA_IRQ_DATA_RD:
		return DMA_TRANS_READ_FAILED;
	case HIDMA_IRQ_DATA_WR:
		return DMA_TRANS_WRITE_FAILED;
	case HIDMA_IRQ_TRE_RD_RESP:
	case HIDMA_IRQ_INVALID_TRE:
		return DMA_TRANS_ABORTED;
	}

	if (irq_cause & HIDMA_IRQ_DATA_WR)
		return DMA_TRANS_WRITE_FAILED;
	if (irq_cause & HIDMA_IRQ_DATA_RD)
		return DMA_TRANS_READ_FAILED;
	return DMA_TRANS_ABORTED;
}
EXPORT_SYMBOL_IF_KUNIT(hidma_evre_result);

/**
 * hidma_evre_needs_stat() - whether only IRQ_STAT can tell an event's cause
 * @word0: first word of the EVRE, in CPU order
 * @irq_cause: interrupt causes known when the event is consumed
 *
 * An error event that neither its error info nor a known error cause
 * explains has a cause that may still be pending: an MSI vector signals
 * only its own cause, and the end of block vector, or the recovery's
 * reap, can consume the event before the error's interrupt was handled.
 *
 * Return: true if IRQ_STAT is to be read for this event.
 */
VISIBLE_IF_KUNIT bool hidma_evre_needs_stat(u32 word0, u32 irq_cause)
{
	return FIELD_GET(HIDMA_EVRE_CODE, word0) != HIDMA_EVRE_CODE_OK &&
	       !hidma_evre_info_cause(word0) &&
	       !(irq_cause & HIDMA_IRQ_ERRORS);
}
EXPORT_SYMBOL_IF_KUNIT(hidma_evre_needs_stat);

static u32 hidma_state(void __iomem *base)
{
	return FIELD_GET(HIDMA_CTRLSTS_STATE, readl(base + HIDMA_CTRLSTS));
}

static bool hidma_state_enabled(u32 state)
{
	return state == HIDMA_STATE_ENABLED || state == HIDMA_STATE_RUNNING;
}

static void hidma_command(void __iomem *base, u32 cmd)
{
	u32 val = readl(base + HIDMA_CTRLSTS);

	val &= ~HIDMA_CTRLSTS_CMD;
	val |= FIELD_PREP(HIDMA_CTRLSTS_CMD, cmd);
	writel(val, base + HIDMA_CTRLSTS);
}

static int hidma_reset_one(void __iomem *base)
{
	u32 val;

	hidma_command(base, HIDMA_CMD_RESET);
	return readl_poll_timeout(base + HIDMA_CTRLSTS, val,
				  FIELD_GET(HIDMA_CTRLSTS_STATE, val) ==
				  HIDMA_STATE_DISABLED,
				  HIDMA_POLL_US, HIDMA_RESET_TIMEOUT_US);
}

/*
 * A RESET issued to a channel that already reads DISABLED cannot be seen
 * to complete, and commands are ignored until it has. ENABLE is therefore
 * repeated until the channel takes it, within the overall budget. A
 * channel that never leaves DISABLED is one whose management block has not
 * enabled the engine.
 */
static int hidma_enable_one(void __iomem *base)
{
	ktime_t end = ktime_add_us(ktime_get(), HIDMA_ENABLE_TIMEOUT_US);
	u32 val;

	do {
		hidma_command(base, HIDMA_CMD_ENABLE);
		if (!readl_poll_timeout(base + HIDMA_CTRLSTS, val,
					hidma_state_enabled(FIELD_GET(HIDMA_CTRLSTS_STATE,
								      val)),
					HIDMA_POLL_US, HIDMA_ENABLE_RETRY_US))
			return 0;
	} while (ktime_before(ktime_get(), end));

	if (FIELD_GET(HIDMA_CTRLSTS_STATE, val) == HIDMA_STATE_DISABLED)
		return -EAGAIN;
	return -ETIMEDOUT;
}

/**
 * hidma_ll_init() - set up the software side of a channel
 * @ll: channel to initialise
 * @dev: device owning the rings (device-managed allocations)
 * @trca: mapped TRCA window
 * @evca: mapped EVCA window
 * @nr: number of slots per ring
 *
 * Return: 0 or -ENOMEM.
 */
int hidma_ll_init(struct hidma_ll *ll, struct device *dev,
		  void __iomem *trca, void __iomem *evca, u32 nr)
{
	ll->dev = dev;
	ll->trca = trca;
	ll->evca = evca;
	ll->nr = nr;
	raw_spin_lock_init(&ll->msi_lock);
	/* Coherent allocations are page aligned: ring alignment is met. */
	ll->tre_ring = dmam_alloc_coherent(dev, nr * HIDMA_TRE_SIZE,
					   &ll->tre_dma, GFP_KERNEL);
	if (!ll->tre_ring)
		return -ENOMEM;
	ll->evre_ring = dmam_alloc_coherent(dev, nr * HIDMA_EVRE_SIZE,
					    &ll->evre_dma, GFP_KERNEL);
	if (!ll->evre_ring)
		return -ENOMEM;
	return 0;
}

/**
 * hidma_ll_read_chid() - read the hardware channel index
 * @ll: channel
 * @identity: the channel has the identity register at its later offset
 *
 * Return: the channel index.
 */
u32 hidma_ll_read_chid(struct hidma_ll *ll, bool identity)
{
	return readl(ll->trca + (identity ? HIDMA_TRCA_CHID_IDENT :
					    HIDMA_TRCA_CHID)) & 0xff;
}

/**
 * hidma_ll_irq_mask() - disable and clear every channel interrupt
 * @ll: channel
 */
void hidma_ll_irq_mask(struct hidma_ll *ll)
{
	ll->irq_en = 0;
	writel(0, ll->evca + HIDMA_EVCA_IRQ_EN);
	writel(HIDMA_IRQ_ALL, ll->evca + HIDMA_EVCA_IRQ_CLR);
}

/**
 * hidma_ll_reset() - reset the transfer and then the event channel
 * @ll: channel
 *
 * Interrupts are masked first. May sleep.
 *
 * Return: 0, or -ETIMEDOUT if either half did not reach DISABLED.
 */
int hidma_ll_reset(struct hidma_ll *ll)
{
	int ret;

	hidma_ll_irq_mask(ll);
	ret = hidma_reset_one(ll->trca);
	if (ret) {
		dev_err(ll->dev, "transfer channel reset timed out (state %u)\n",
			hidma_state(ll->trca));
		return ret;
	}
	ret = hidma_reset_one(ll->evca);
	if (ret) {
		dev_err(ll->dev, "event channel reset timed out (state %u)\n",
			hidma_state(ll->evca));
		return ret;
	}
	hidma_ll_irq_mask(ll);
	return 0;
}

/* msi_lock held: the MSI core may update the message at any time */
static void hidma_ll_write_msi_msg(struct hidma_ll *ll)
{
	writel(ll->msi_addr_lo, ll->evca + HIDMA_EVCA_MSI_ADDR_LO);
	writel(ll->msi_addr_hi, ll->evca + HIDMA_EVCA_MSI_ADDR_HI);
	writel(ll->msi_data, ll->evca + HIDMA_EVCA_MSI_DATA);
}

/**
 * hidma_ll_set_msi_msg() - program the message of MSI vector 0
 * @ll: channel
 * @addr_lo: low word of the address
 * @addr_hi: high word of the address
 * @data: data of vector 0
 *
 * Kept for the next setup as well. Does not sleep.
 */
void hidma_ll_set_msi_msg(struct hidma_ll *ll, u32 addr_lo, u32 addr_hi,
			  u32 data)
{
	unsigned long flags;

	raw_spin_lock_irqsave(&ll->msi_lock, flags);
	ll->msi_addr_lo = addr_lo;
	ll->msi_addr_hi = addr_hi;
	ll->msi_data = data;
	hidma_ll_write_msi_msg(ll);
	raw_spin_unlock_irqrestore(&ll->msi_lock, flags);
}

/**
 * hidma_ll_setup() - reset, program the rings and enable the channel
 * @ll: channel
 * @run: enable the transfer channel too; if false it stays disabled (a
 *	paused channel) until hidma_ll_enable_atomic()
 *
 * Both rings restart at slot 0. May sleep.
 *
 * Return: 0 on success; -EAGAIN if the hardware kept the channel DISABLED
 * after ENABLE, which is what it does while the management block is not
 * enabled; -ETIMEDOUT on any other command timeout.
 */
int hidma_ll_setup(struct hidma_ll *ll, bool run)
{
	u32 val;
	int ret;

	ret = hidma_ll_reset(ll);
	if (ret)
		return ret;

	ll->tre_head = 0;
	ll->tre_tail = 0;
	ll->ev_tail = 0;
	/* Events written after the last read must not count on the next lap. */
	memset(ll->evre_ring, 0, ll->nr * HIDMA_EVRE_SIZE);

	writel(lower_32_bits(ll->tre_dma), ll->trca + HIDMA_RING_LOW);
	writel(upper_32_bits(ll->tre_dma), ll->trca + HIDMA_RING_HIGH);
	writel(ll->nr * HIDMA_TRE_SIZE, ll->trca + HIDMA_RING_LEN);
	writel(lower_32_bits(ll->evre_dma), ll->evca + HIDMA_RING_LOW);
	writel(upper_32_bits(ll->evre_dma), ll->evca + HIDMA_RING_HIGH);
	writel(ll->nr * HIDMA_EVRE_SIZE, ll->evca + HIDMA_RING_LEN);

	val = readl(ll->evca + HIDMA_EVCA_INTCTRL);
	val &= ~HIDMA_INTCTRL_MODE;
	val |= FIELD_PREP(HIDMA_INTCTRL_MODE, ll->msi ? HIDMA_INTCTRL_MSI :
							 HIDMA_INTCTRL_WIRED);
	writel(val, ll->evca + HIDMA_EVCA_INTCTRL);
	if (ll->msi) {
		raw_spin_lock_irq(&ll->msi_lock);
		hidma_ll_write_msi_msg(ll);
		raw_spin_unlock_irq(&ll->msi_lock);
	}

	ret = hidma_enable_one(ll->evca);
	if (!ret && run)
		ret = hidma_enable_one(ll->trca);
	if (ret) {
		hidma_ll_irq_mask(ll);
		return ret;
	}

	writel(HIDMA_IRQ_ALL, ll->evca + HIDMA_EVCA_IRQ_CLR);
	ll->irq_en = HIDMA_IRQ_ALL;
	writel(HIDMA_IRQ_ALL, ll->evca + HIDMA_EVCA_IRQ_EN);
	return 0;
}

/**
 * hidma_ll_suspend_atomic() - stop the transfer channel fetching TREs
 * @ll: channel
 *
 * Issues SUSPEND to the TRCA and spins until it reports SUSPENDED. The
 * event channel stays enabled so that TREs already under way still retire.
 *
 * Return: 0 or -ETIMEDOUT.
 */
int hidma_ll_suspend_atomic(struct hidma_ll *ll)
{
	u32 val;

	hidma_command(ll->trca, HIDMA_CMD_SUSPEND);
	return readl_poll_timeout_atomic(ll->trca + HIDMA_CTRLSTS, val,
					 FIELD_GET(HIDMA_CTRLSTS_STATE, val) ==
					 HIDMA_STATE_SUSPENDED,
					 HIDMA_ATOMIC_POLL_US,
					 HIDMA_ATOMIC_TIMEOUT_US);
}

/**
 * hidma_ll_stop() - stop the transfer channel before its events are read
 * @ll: channel
 * @atomic: spin (interrupts may be off) instead of sleeping while polling
 *
 * Like hidma_ll_suspend_atomic(), but a channel that is not enabled is
 * left alone: it moves no data. The event channel stays enabled, so the
 * events of finished TREs can be read afterwards.
 *
 * Return: 0 or -ETIMEDOUT.
 */
int hidma_ll_stop(struct hidma_ll *ll, bool atomic)
{
	u32 val;

	if (!hidma_state_enabled(hidma_state(ll->trca)))
		return 0;
	if (atomic)
		return hidma_ll_suspend_atomic(ll);
	hidma_command(ll->trca, HIDMA_CMD_SUSPEND);
	return readl_poll_timeout(ll->trca + HIDMA_CTRLSTS, val,
				  FIELD_GET(HIDMA_CTRLSTS_STATE, val) ==
				  HIDMA_STATE_SUSPENDED,
				  HIDMA_POLL_US, HIDMA_RESET_TIMEOUT_US);
}

/**
 * hidma_ll_enable_atomic() - let a suspended transfer channel run again
 * @ll: channel
 *
 * Return: 0 or -ETIMEDOUT.
 */
int hidma_ll_enable_atomic(struct hidma_ll *ll)
{
	u32 val;

	hidma_command(ll->trca, HIDMA_CMD_ENABLE);
	return readl_poll_timeout_atomic(ll->trca + HIDMA_CTRLSTS, val,
					 hidma_state_enabled(FIELD_GET(HIDMA_CTRLSTS_STATE,
								       val)),
					 HIDMA_ATOMIC_POLL_US,
					 HIDMA_ATOMIC_TIMEOUT_US);
}

/**
 * hidma_ll_states() - read both channel states
 * @ll: channel
 * @tr: transfer channel state
 * @ev: event channel state
 */
void hidma_ll_states(struct hidma_ll *ll, u32 *tr, u32 *ev)
{
	*tr = hidma_state(ll->trca);
	*ev = hidma_state(ll->evca);
}

/**
 * hidma_ll_irq_ack() - read and clear the enabled interrupt causes
 * @ll: channel
 *
 * Return: the causes that were pending and enabled.
 */
u32 hidma_ll_irq_ack(struct hidma_ll *ll)
{
	u32 stat = readl(ll->evca + HIDMA_EVCA_IRQ_STAT);
	u32 cause = stat & ll->irq_en;

	if (cause)
		writel(cause, ll->evca + HIDMA_EVCA_IRQ_CLR);
	return cause;
}

/**
 * hidma_ll_irq_ack_cause() - clear a cause that its MSI vector signalled
 * @ll: channel
 * @cause: the vector's cause bit
 *
 * The vector names the cause: no IRQ_STAT read is needed.
 *
 * Return: @cause if it is enabled, else 0.
 */
u32 hidma_ll_irq_ack_cause(struct hidma_ll *ll, u32 cause)
{
	cause &= ll->irq_en;
	if (cause)
		writel(cause, ll->evca + HIDMA_EVCA_IRQ_CLR);
	return cause;
}

/**
 * hidma_ll_inflight() - TREs handed to the hardware and not yet retired
 * @ll: channel
 *
 * Return: number of TREs between the tail and the head of the ring.
 */
u32 hidma_ll_inflight(const struct hidma_ll *ll)
{
	return hidma_ring_used(ll->tre_head, ll->tre_tail, ll->nr);
}

/**
 * hidma_ll_space() - TREs that can still be queued
 * @ll: channel
 *
 * Return: number of free TRE slots.
 */
u32 hidma_ll_space(const struct hidma_ll *ll)
{
	return hidma_ring_space(ll->tre_head, ll->tre_tail, ll->nr);
}

static void hidma_ll_push(struct hidma_ll *ll, u32 op, u64 src, u64 dst,
			  u32 len)
{
	__le32 *slot = ll->tre_ring + ll->tre_head * HIDMA_TRE_WORDS;
	u32 tre[HIDMA_TRE_WORDS];
	unsigned int i;

	hidma_tre_encode(tre, op, ll->chid, src, dst, len);
	for (i = 0; i < HIDMA_TRE_WORDS; i++)
		WRITE_ONCE(slot[i], cpu_to_le32(tre[i]));
	ll->tre_head = hidma_ring_next(ll->tre_head, ll->nr);
}

/**
 * hidma_ll_forget() - count every TRE on the ring as retired
 * @ll: channel whose ring was abandoned
 *
 * Events that still arrive for those TREs are then seen as events without
 * a transfer, and not matched to later ones.
 */
void hidma_ll_forget(struct hidma_ll *ll)
{
	ll->tre_tail = ll->tre_head;
}

/**
 * hidma_ll_push_memcpy() - write a memcpy TRE at the head of the ring
 * @ll: channel; the caller checked hidma_ll_space()
 * @dst: destination bus address
 * @src: source bus address
 * @len: length in bytes
 */
void hidma_ll_push_memcpy(struct hidma_ll *ll, dma_addr_t dst, dma_addr_t src,
			  u32 len)
{
	hidma_ll_push(ll, HIDMA_OP_MEMCPY, src, dst, len);
}

/**
 * hidma_ll_push_memset() - write a memset TRE at the head of the ring
 * @ll: channel; the caller checked hidma_ll_space()
 * @dst: destination bus address
 * @value: fill byte
 * @len: length in bytes
 */
void hidma_ll_push_memset(struct hidma_ll *ll, dma_addr_t dst, u8 value,
			  u32 len)
{
	hidma_ll_push(ll, HIDMA_OP_MEMSET, hidma_memset_pattern(value), dst,
		      len);
}

/**
 * hidma_ll_doorbell() - hand every TRE written so far to the hardware
 * @ll: channel
 *
 * writel() orders the ring writes before the doorbell.
 */
void hidma_ll_doorbell(struct hidma_ll *ll)
{
	writel(ll->tre_head * HIDMA_TRE_SIZE, ll->trca + HIDMA_DOORBELL);
}

/**
 * hidma_ll_event_head() - read the hardware's event write pointer
 * @ll: channel
 * @head: slot index of the next event the hardware will write
 *
 * The MMIO read orders the event ring reads that follow it.
 *
 * Return: 0, or -EIO if the hardware reported an impossible offset.
 */
int hidma_ll_event_head(struct hidma_ll *ll, u32 *head)
{
	return hidma_ring_off_to_idx(readl(ll->evca + HIDMA_EVCA_WRITE_PTR),
				     HIDMA_EVRE_SIZE, ll->nr, head);
}

/**
 * hidma_ll_pop_event() - consume the oldest event and retire its TRE
 * @ll: channel; the caller checked that an event is pending
 * @cause: interrupt causes pending, used when the event names no cause
 * @error: set when the event reports an error
 *
 * Reads IRQ_STAT for an error event that neither it nor @cause explains.
 *
 * Return: the result of the transfer the event belongs to.
 */
enum dmaengine_tx_result hidma_ll_pop_event(struct hidma_ll *ll, u32 cause,
					    bool *error)
{
	__le32 *slot = ll->evre_ring +
		       ll->ev_tail * (HIDMA_EVRE_SIZE / sizeof(u32));
	u32 word0 = le32_to_cpu(READ_ONCE(slot[0]));

	/*
	 * Cleared once read: a slot the hardware advanced past without
	 * writing it (event write error) then reads as completion code 0,
	 * an error, and not as the previous lap's event.
	 */
	WRITE_ONCE(slot[0], 0);
	*error = FIELD_GET(HIDMA_EVRE_CODE, word0) != HIDMA_EVRE_CODE_OK;
	if (hidma_evre_needs_stat(word0, cause))
		cause |= readl(ll->evca + HIDMA_EVCA_IRQ_STAT) &
			 (HIDMA_IRQ_DATA_RD | HIDMA_IRQ_DATA_WR);
	ll->ev_tail = hidma_ring_next(ll->ev_tail, ll->nr);
	ll->tre_tail = hidma_ring_next(ll->tre_tail, ll->nr);
	return hidma_evre_result(word0, cause);
}
EXPORT_SYMBOL_IF_KUNIT(hidma_ll_pop_event);

/**
 * hidma_ll_event_ack() - tell the hardware how far events were consumed
 * @ll: channel
 */
void hidma_ll_event_ack(struct hidma_ll *ll)
{
	writel(ll->ev_tail * HIDMA_EVRE_SIZE, ll->evca + HIDMA_DOORBELL);
}

/**
 * hidma_ll_error_result() - result for a transfer blamed for an error
 * @cause: error interrupt causes seen
 *
 * Used when the hardware raised an error interrupt but wrote no error
 * event, so only the interrupt causes tell what went wrong.
 *
 * Return: the result to report.
 */
enum dmaengine_tx_result hidma_ll_error_result(u32 cause)
{
	return hidma_evre_result(FIELD_PREP(HIDMA_EVRE_CODE,
					    HIDMA_EVRE_CODE_ERROR), cause);
}
EXPORT_SYMBOL_IF_KUNIT(hidma_ll_error_result);
