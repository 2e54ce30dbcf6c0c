/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Qualcomm Technologies HIDMA channel driver: shared definitions.
 */
#ifndef __HIDMA_H
#define __HIDMA_H

#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include "hidma_ll.h"

/**
 * struct hidma_desc - one memcpy or memset transfer, one TRE
 * @tx: dmaengine descriptor
 * @result: what the completion callback is told
 * @node: position in one of the channel's descriptor lists
 * @op: HIDMA_OP_MEMCPY or HIDMA_OP_MEMSET
 * @dst: destination bus address
 * @src: source bus address (memcpy)
 * @value: fill byte (memset)
 * @len: length in bytes
 */
struct hidma_desc {
	struct dma_async_tx_descriptor tx;
	struct dmaengine_result result;
	struct list_head node;
	u32 op;
	dma_addr_t dst;
	dma_addr_t src;
	u8 value;
	u32 len;
};

/* Failed transfers whose cookie tx_status() remembers */
#define HIDMA_ERR_COOKIES	16

/**
 * struct hidma_stats - per channel counters, protected by the channel lock
 * @submitted: TREs handed to the hardware, requeued transfers included
 * @completed: transfers that completed without error
 * @failed: transfers completed with an error reported by the hardware
 * @aborted: transfers completed as aborted by the driver
 * @terminated: transfers dropped by terminate_all
 * @requeued: transfers put on the ring again after a channel recovery
 * @recoveries: channel resets after an error
 * @errors: error interrupts seen
 */
struct hidma_stats {
	u64 submitted;
	u64 completed;
	u64 failed;
	u64 aborted;
	u64 terminated;
	u64 requeued;
	u64 recoveries;
	u64 errors;
};

/**
 * struct hidma_dev - one HIDMA channel, exposed as one dmaengine device
 *
 * Allocated with kzalloc() and freed by the dmaengine device_release()
 * callback, after the last client let go of the channel: it may outlive
 * the binding of the platform device. Everything tied to the binding
 * (MMIO, rings, interrupt) is devres-managed and is never touched once
 * @gone is set.
 *
 * @ddev: dmaengine device
 * @chan: the single dmaengine channel
 * @lock: protects the descriptor lists, the ring and the state below
 * @task: runs the completion callbacks
 * @allocated: descriptors prepared and not submitted yet
 * @submitted: descriptors submitted and not issued yet
 * @issued: descriptors issued and waiting for room on the ring
 * @dev: the platform device (a reference is held until release)
 * @ll: rings and register windows
 * @irq: wired interrupt
 * @chid: hardware channel index
 * @nr_desc: TREs that may be in flight at once
 * @active: descriptors whose TRE is on the ring, in ring order
 * @completed: retired descriptors waiting for their callback
 * @orphaned: TREs whose descriptor was terminated while they were on the
 *	ring, counted since probe
 * @orphans_gone: how many of those retired or were discarded by a reset;
 *	the difference is the number of dead TREs at the ring's tail
 * @err_cause: error causes seen since the last recovery
 * @err_claimed: an error event was matched to a transfer since then
 * @hw_up: rings programmed and channel enabled
 * @recovering: recovery scheduled or running; do not feed the ring
 * @failed: recovery failed; every transfer is aborted until the next
 *	successful setup (runtime resume)
 * @paused: device_pause() is in effect
 * @gone: the platform device was unbound
 * @clients: channel resources allocated (runtime PM reference held)
 * @err_cookies: cookies of the last transfers that completed with an
 *	error, so that tx_status() reports DMA_ERROR for them
 * @err_next: slot of @err_cookies that the next failure takes
 * @stats: counters shown in debugfs
 * @hw_lock: serialises sleeping hardware (re)programming
 * @recover_work: resets and re-enables the channel after an error
 * @drain_wq: woken whenever orphans retire or are discarded
 * @free_work: frees the channel once the dmaengine core is done with it
 */
struct hidma_dev {
	struct dma_device ddev;
	struct dma_chan chan;
	spinlock_t lock; /* descriptor lists, ring, state below */
	struct tasklet_struct task;
	struct device *dev;
	struct hidma_ll ll;
	int irq;
	u32 chid;
	u32 nr_desc;

	/* protected by lock */
	struct list_head allocated;
	struct list_head submitted;
	struct list_head issued;
	struct list_head active;
	struct list_head completed;
	u64 orphaned;
	u64 orphans_gone;
	u32 err_cause;
	bool err_claimed;
	bool hw_up;
	bool recovering;
	bool failed;
	bool paused;
	bool gone;
	bool clients;
	dma_cookie_t err_cookies[HIDMA_ERR_COOKIES];
	unsigned int err_next;
	struct hidma_stats stats;

	struct mutex hw_lock; /* sleeping hardware (re)programming */
	struct work_struct recover_work;
	wait_queue_head_t drain_wq;
	struct work_struct free_work;
};

/* Dead TREs of terminated descriptors at the ring's tail; lock held */
static inline u32 hidma_orphans(const struct hidma_dev *hdev)
{
	return hdev->orphaned - hdev->orphans_gone;
}

void hidma_debugfs_init(struct hidma_dev *hdev);

#endif /* __HIDMA_H */
