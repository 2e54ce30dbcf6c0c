/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Qualcomm Technologies HIDMA channel driver: shared definitions.
 */
#ifndef __HIDMA_H
#define __HIDMA_H

#include <linux/atomic.h>
#include <linux/dmaengine.h>
#include <linux/irqreturn.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/workqueue.h>

#include "../virt-dma.h"
#include "hidma_ll.h"

/**
 * struct hidma_desc - one memcpy or memset transfer, one TRE
 * @vd: virt-dma descriptor; its tx_result is what the callback is told
 * @op: HIDMA_OP_MEMCPY or HIDMA_OP_MEMSET
 * @dst: destination bus address
 * @src: source bus address (memcpy)
 * @value: fill byte (memset)
 * @len: length in bytes
 */
struct hidma_desc {
	struct virt_dma_desc vd;
	u32 op;
	dma_addr_t dst;
	dma_addr_t src;
	u8 value;
	u32 len;
};

/*
 * Channel states; vc.lock protects the state, hw_lock serialises the
 * sleeping transitions (setup, recovery, runtime PM, remove).
 *
 *            setup ok                 error, or synchronize with
 *   OFF ---------------> RUNNING ---- terminated TREs on the ring ---+
 *    ^  \               |  ^  ^                                      |
 *    |   \  pause/resume|  |  |            reset ok                  v
 *    |    \             v  |  +------------------------------ RECOVERING
 *    |     \          PAUSED <-------------------------------- (resume_to)
 *    |      \ setup fails                    reset fails         |
 *    |       +------------------> FAILED <-----------------------+
 *    |                              | terminate_all, new client:
 *    |                              +--------> RECOVERING
 *    +-- runtime suspend (from any state but GONE)
 *
 *   any state --remove()--> GONE
 *
 * OFF: the rings are not set up (runtime suspended). RUNNING: issued
 * transfers are fed to the ring. PAUSED: the transfer channel is suspended
 * and nothing is fed. RECOVERING: the recovery work will stop the channel,
 * collect its events and reset it. FAILED: a reset did not complete; every
 * transfer is aborted. GONE: the device was unbound.
 */
enum hidma_chan_state {
	HIDMA_OFF,
	HIDMA_RUNNING,
	HIDMA_PAUSED,
	HIDMA_RECOVERING,
	HIDMA_FAILED,
	HIDMA_GONE,
};

/* Failed transfers whose cookie and residue tx_status() remembers */
#define HIDMA_ERR_COOKIES	16

/**
 * struct hidma_failure - a transfer that completed with an error
 * @cookie: its cookie; 0 for an empty slot
 * @residue: the residue its callback was given
 */
struct hidma_failure {
	dma_cookie_t cookie;
	u32 residue;
};

/**
 * struct hidma_stats - per channel counters, protected by vc.lock
 * @submitted: TREs handed to the hardware
 * @completed: transfers that completed without error
 * @failed: transfers completed with an error reported by the hardware
 * @aborted: transfers completed as aborted by the driver
 * @terminated: transfers on the ring when terminate_all was called
 * @recoveries: channel resets after an error or a terminate
 * @errors: error interrupts seen
 */
struct hidma_stats {
	u64 submitted;
	u64 completed;
	u64 failed;
	u64 aborted;
	u64 terminated;
	u64 recoveries;
	u64 errors;
};

struct hidma_dev;

/**
 * struct hidma_msi_vec - an MSI vector of a channel
 * @hdev: the channel
 * @cause: the interrupt cause bit that the vector signals
 * @virq: its Linux interrupt, 0 while no handler is installed
 * @name: its name in /proc/interrupts
 * @addr_lo: low word of the message address the MSI core composed
 * @addr_hi: high word of that address
 * @data: message data
 */
struct hidma_msi_vec {
	struct hidma_dev *hdev;
	u32 cause;
	int virq;
	const char *name;
	u32 addr_lo;
	u32 addr_hi;
	u32 data;
};

/**
 * struct hidma_dev - one HIDMA channel, exposed as one dmaengine device
 *
 * Allocated with kzalloc() and freed after the dmaengine device_release()
 * callback, once the last client let go of the channel: it may outlive the
 * binding of the platform device. Everything tied to the binding (MMIO,
 * rings, interrupt) is devres-managed and is never touched in HIDMA_GONE.
 *
 * @ddev: dmaengine device
 * @vc: the single virtual channel; vc.lock protects the fields below it
 *	up to @stats
 * @dev: the platform device (a reference is held until release)
 * @ll: rings and register windows
 * @irq: wired interrupt, when the channel does not signal MSIs
 * @msi_vec: MSI vectors, by cause bit number, when it does
 * @chid: hardware channel index
 * @nr_desc: TREs that may be in flight at once
 * @max_outstanding: prepared and not yet freed descriptors allowed
 * @state: see enum hidma_chan_state
 * @resume_to: HIDMA_RUNNING or HIDMA_PAUSED: the state that a setup from
 *	HIDMA_OFF or HIDMA_RECOVERING leads to
 * @ring: descriptors whose TRE is on the ring, in ring order
 * @dead: terminated descriptors whose TRE may still run, in ring order
 * @ring_dead: TREs at the ring's tail that belong to no live descriptor;
 *	at least as many as @dead holds
 * @err_cause: error causes seen since the last reset
 * @err_claimed: an error event was matched to a transfer since then
 * @err: the last transfers that completed with an error
 * @err_next: slot of @err that the next failure takes
 * @stats: counters shown in debugfs
 * @outstanding: descriptors prepared and not freed yet
 * @cache_lock: protects @desc_cache
 * @desc_cache: freed descriptors kept for the next prep, at most as many
 *	as were ever outstanding at once
 * @hw_lock: serialises sleeping hardware (re)programming
 * @recover_work: stops, reaps and resets the channel
 * @free_work: frees the channel once the dmaengine core is done with it
 */
struct hidma_dev {
	struct dma_device ddev;
	struct virt_dma_chan vc;
	struct device *dev;
	struct hidma_ll ll;
	int irq;
	struct hidma_msi_vec msi_vec[HIDMA_MSI_VECS];
	u32 chid;
	u32 nr_desc;
	u32 max_outstanding;

	enum hidma_chan_state state;
	enum hidma_chan_state resume_to;
	struct list_head ring;
	struct list_head dead;
	u32 ring_dead;
	u32 err_cause;
	bool err_claimed;
	struct hidma_failure err[HIDMA_ERR_COOKIES];
	unsigned int err_next;
	struct hidma_stats stats;

	atomic_t outstanding;
	spinlock_t cache_lock; /* the descriptor cache */
	struct list_head desc_cache;
	struct mutex hw_lock; /* sleeping hardware (re)programming */
	struct work_struct recover_work;
	struct work_struct free_work;
};

static inline struct hidma_dev *to_hidma(struct dma_chan *chan)
{
	return container_of(chan, struct hidma_dev, vc.chan);
}

/* hidma_dma.c: the data path */
void hidma_init_dma_device(struct hidma_dev *hdev);
void hidma_desc_cache_drain(struct hidma_dev *hdev);
void hidma_feed(struct hidma_dev *hdev);
void hidma_reap(struct hidma_dev *hdev, u32 cause);
void hidma_blame(struct hidma_dev *hdev);
void hidma_abort_queued(struct hidma_dev *hdev, bool submitted);
void hidma_ring_abandon(struct hidma_dev *hdev);
irqreturn_t hidma_irq(int irq, void *data);
irqreturn_t hidma_msi_irq(int irq, void *data);

/* hidma_lifecycle.c: state changes, recovery, pause, terminate */
const char *hidma_state_name(enum hidma_chan_state state);
void hidma_set_state(struct hidma_dev *hdev, enum hidma_chan_state state);
void hidma_schedule_recovery(struct hidma_dev *hdev);
void hidma_recover_work(struct work_struct *work);
int hidma_setup(struct hidma_dev *hdev);
void hidma_power_down(struct hidma_dev *hdev, enum hidma_chan_state to);
int hidma_pause(struct dma_chan *chan);
int hidma_resume(struct dma_chan *chan);
int hidma_terminate_all(struct dma_chan *chan);
void hidma_synchronize(struct dma_chan *chan);
int hidma_alloc_chan_resources(struct dma_chan *chan);
void hidma_free_chan_resources(struct dma_chan *chan);

void hidma_debugfs_init(struct hidma_dev *hdev);

#endif /* __HIDMA_H */
