// SPDX-License-Identifier: GPL-2.0-only
/*
 * Qualcomm Technologies HIDMA channel driver: dmaengine provider.
 *
 * Each HIDMA channel is a platform device with its own rings and interrupt
 * and is exposed as a dmaengine device with one memcpy/memset channel. The
 * driver needs nothing from the management driver: a channel assigned to a
 * guest works on its own. If the management block has not enabled the
 * engine yet, the channel refuses ENABLE and probe is deferred.
 *
 * A descriptor is one TRE. Issued descriptors are moved to the ring while
 * there is room; the interrupt handler retires them in ring order as
 * events arrive and a tasklet invokes the callbacks with the transfer
 * result. The driver keeps its own short descriptor lists rather than
 * using virt-dma, so that it loads on kernels built without any virt-dma
 * user.
 *
 * Error policy: the transfer an error event belongs to completes with
 * DMA_TRANS_READ_FAILED (data read error), DMA_TRANS_WRITE_FAILED (data
 * write error) or DMA_TRANS_ABORTED (TRE read error, invalid TRE: no data
 * was moved). If the hardware raises an error without an error event, the
 * oldest outstanding transfer is blamed, since the engine works in ring
 * order. The channel then recovers by itself: it is reset, its rings are
 * reprogrammed, and the transfers that were queued behind the failed one
 * are put on the ring again, so they complete normally. memcpy and memset
 * are idempotent, so re-running a transfer the engine may already have
 * started is harmless. If the reset does not complete, the channel is
 * marked failed: every outstanding and future transfer completes with
 * DMA_TRANS_ABORTED until the channel is set up again, when a client next
 * allocates it or on its next runtime resume. tx_status() reports
 * DMA_ERROR for the last HIDMA_ERR_COOKIES transfers that did not complete
 * without error, for clients that poll rather than take a callback.
 *
 * Copyright (c) 2026 The HIDMA driver authors.
 */

#include <linux/acpi.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_dma.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/property.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "../dmaengine.h"
#include "hidma.h"

/*
 * Default number of transfers in flight per channel. The engine only moves
 * data while the ring holds work, so the ring must hold everything the
 * clients queue between two interrupts. make bench (16 threads of 4 KiB
 * memcpy on one channel, median iops) measured 42.4k at 10 descriptors
 * (the original driver's default), 45.0k at 32, 44.9k at 127 and 43.7k at
 * 512: a ring shallower than the clients' queue loses throughput, a deeper
 * one gains nothing. 127 descriptors plus the slot that always stays free
 * make the transfer ring exactly one 4 KiB page (and the event ring half
 * of one), the smallest coherent allocation anyway, so 127 costs no more
 * memory than 10 and leaves room for clients that queue more than 16.
 */
#define HIDMA_DEFAULT_DESC_COUNT	127
#define HIDMA_MIN_DESC_COUNT		4
#define HIDMA_MAX_DESC_COUNT		4095

static unsigned int desc_count;

static int hidma_desc_count_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) ||
	    (n && (n < HIDMA_MIN_DESC_COUNT || n > HIDMA_MAX_DESC_COUNT))) {
		pr_err("hidma: desc_count %s is invalid: 0 or %u..%u\n",
		       val, HIDMA_MIN_DESC_COUNT, HIDMA_MAX_DESC_COUNT);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops hidma_desc_count_ops = {
	.set = hidma_desc_count_set,
	.get = param_get_uint,
};
module_param_cb(desc_count, &hidma_desc_count_ops, &desc_count, 0444);
MODULE_PARM_DESC(desc_count,
		 "Transfers in flight per channel, overriding the firmware's desc-count (4..4095; 0, the default: desc-count, else 127)");

/* Longer TREs are invalid; larger transfers are refused at prep time. */
#define HIDMA_MAX_XFER_LEN		SZ_64M

#define HIDMA_AUTOSUSPEND_MS		1000
/* How long device_synchronize() lets terminated TREs drain before a reset */
#define HIDMA_DRAIN_TIMEOUT_MS		500

/* Match data */
#define HIDMA_CAP_MSI			BIT(0)
#define HIDMA_CAP_IDENTITY		BIT(1)

static struct hidma_dev *to_hidma(struct dma_chan *chan)
{
	return container_of(chan, struct hidma_dev, chan);
}

static struct hidma_desc *to_hidma_desc(struct dma_async_tx_descriptor *tx)
{
	return container_of(tx, struct hidma_desc, tx);
}

static void hidma_desc_free(struct hidma_desc *desc)
{
	dma_descriptor_unmap(&desc->tx);
	kfree(desc);
}

static void hidma_free_list(struct list_head *list)
{
	struct hidma_desc *desc, *tmp;

	list_for_each_entry_safe(desc, tmp, list, node) {
		list_del(&desc->node);
		hidma_desc_free(desc);
	}
}

/* Run the callbacks of retired descriptors, oldest first. */
static void hidma_complete_task(struct tasklet_struct *t)
{
	struct hidma_dev *hdev = from_tasklet(hdev, t, task);
	struct dmaengine_desc_callback cb;
	struct hidma_desc *desc, *tmp;
	LIST_HEAD(head);

	spin_lock_irq(&hdev->lock);
	list_splice_tail_init(&hdev->completed, &head);
	spin_unlock_irq(&hdev->lock);

	list_for_each_entry_safe(desc, tmp, &head, node) {
		dmaengine_desc_get_callback(&desc->tx, &cb);
		list_del(&desc->node);
		dmaengine_desc_callback_invoke(&cb, &desc->result);
		hidma_desc_free(desc);
	}
}

/* Retire one descriptor and queue its callback. Called with lock held. */
static void hidma_retire(struct hidma_dev *hdev, struct hidma_desc *desc,
			 enum dmaengine_tx_result result, bool hw_error)
{
	desc->result.result = result;
	desc->result.residue = result == DMA_TRANS_NOERROR ? 0 : desc->len;
	if (hw_error)
		hdev->stats.failed++;
	else if (result == DMA_TRANS_NOERROR)
		hdev->stats.completed++;
	else
		hdev->stats.aborted++;
	if (result != DMA_TRANS_NOERROR) {
		hdev->err_cookies[hdev->err_next] = desc->tx.cookie;
		hdev->err_next = (hdev->err_next + 1) % HIDMA_ERR_COOKIES;
	}
	dma_cookie_complete(&desc->tx);
	list_move_tail(&desc->node, &hdev->completed);
	tasklet_schedule(&hdev->task);
}

/* The ring was reset or abandoned: no dead TRE runs any more. lock held. */
static void hidma_orphans_discard(struct hidma_dev *hdev)
{
	hdev->orphans_gone = hdev->orphaned;
	wake_up_all(&hdev->drain_wq);
}

static void hidma_abort_list(struct hidma_dev *hdev, struct list_head *list)
{
	struct hidma_desc *desc, *tmp;

	list_for_each_entry_safe(desc, tmp, list, node)
		hidma_retire(hdev, desc, DMA_TRANS_ABORTED, false);
}

/*
 * The ring is gone (channel failed or unbound): complete everything that
 * was issued as aborted, oldest first, so that no client waits forever.
 * Called with lock held.
 */
static void hidma_abort_all(struct hidma_dev *hdev, bool submitted)
{
	hidma_abort_list(hdev, &hdev->active);
	hidma_abort_list(hdev, &hdev->issued);
	if (submitted)
		hidma_abort_list(hdev, &hdev->submitted);
	hidma_orphans_discard(hdev);
}

/* Move issued descriptors to the ring while there is room. lock held. */
static void hidma_feed(struct hidma_dev *hdev)
{
	struct hidma_desc *desc;
	bool kick = false;

	if (hdev->gone || hdev->failed) {
		hidma_abort_list(hdev, &hdev->issued);
		return;
	}
	if (!hdev->hw_up || hdev->recovering || hdev->paused)
		return;

	while (hidma_ll_space(&hdev->ll)) {
		desc = list_first_entry_or_null(&hdev->issued,
						struct hidma_desc, node);
		if (!desc)
			break;
		list_move_tail(&desc->node, &hdev->active);
		if (desc->op == HIDMA_OP_MEMSET)
			hidma_ll_push_memset(&hdev->ll, desc->dst, desc->value,
					     desc->len);
		else
			hidma_ll_push_memcpy(&hdev->ll, desc->dst, desc->src,
					     desc->len);
		hdev->stats.submitted++;
		kick = true;
	}
	if (kick)
		hidma_ll_doorbell(&hdev->ll);
}

/* lock held */
static void hidma_schedule_recovery(struct hidma_dev *hdev)
{
	if (hdev->recovering || hdev->gone)
		return;
	hdev->recovering = true;
	schedule_work(&hdev->recover_work);
}

/*
 * Consume the events the hardware wrote, in ring order, up to its write
 * pointer, and acknowledge them. The n-th event retires the n-th TRE.
 * lock held, hardware up.
 */
static void hidma_reap(struct hidma_dev *hdev, u32 cause)
{
	enum dmaengine_tx_result result;
	struct hidma_desc *desc;
	unsigned int n = 0;
	bool error, orphan_gone = false;
	u32 head;

	if (hidma_ll_event_head(&hdev->ll, &head)) {
		dev_err_ratelimited(hdev->dev, "invalid event write pointer\n");
		hidma_schedule_recovery(hdev);
		return;
	}

	while (hdev->ll.ev_tail != head) {
		if (!hidma_ll_inflight(&hdev->ll)) {
			dev_err_ratelimited(hdev->dev,
					    "event without a transfer\n");
			hidma_schedule_recovery(hdev);
			break;
		}
		result = hidma_ll_pop_event(&hdev->ll, cause | hdev->err_cause,
					    &error);
		n++;
		if (error) {
			hdev->err_claimed = true;
			hidma_schedule_recovery(hdev);
		}
		if (hidma_orphans(hdev)) {
			/* TRE of a terminated descriptor: nobody to tell */
			hdev->orphans_gone++;
			orphan_gone = true;
			continue;
		}
		desc = list_first_entry_or_null(&hdev->active,
						struct hidma_desc, node);
		if (WARN_ON_ONCE(!desc))
			continue;
		if (error)
			dev_dbg(hdev->dev, "transfer %d failed: result %d\n",
				desc->tx.cookie, result);
		hidma_retire(hdev, desc, result, error);
	}
	if (n)
		hidma_ll_event_ack(&hdev->ll);
	if (orphan_gone)
		wake_up_all(&hdev->drain_wq);
}

static irqreturn_t hidma_irq(int irq, void *data)
{
	struct hidma_dev *hdev = data;
	u32 cause;

	spin_lock(&hdev->lock);
	if (hdev->gone || !hdev->hw_up) {
		spin_unlock(&hdev->lock);
		return IRQ_NONE;
	}
	cause = hidma_ll_irq_ack(&hdev->ll);
	if (!cause) {
		spin_unlock(&hdev->lock);
		return IRQ_NONE;
	}
	if (cause & HIDMA_IRQ_ERRORS) {
		hdev->stats.errors++;
		hdev->err_cause |= cause & HIDMA_IRQ_ERRORS;
		dev_err_ratelimited(hdev->dev, "error interrupt 0x%lx\n",
				    cause & HIDMA_IRQ_ERRORS);
		hidma_schedule_recovery(hdev);
	}
	hidma_reap(hdev, cause);
	hidma_feed(hdev);
	spin_unlock(&hdev->lock);
	return IRQ_HANDLED;
}

/*
 * Reset and re-enable the channel after an error, or after terminated TREs
 * failed to drain. Queued transfers go back on the ring.
 */
static void hidma_recover_work(struct work_struct *work)
{
	struct hidma_dev *hdev = container_of(work, struct hidma_dev,
					      recover_work);
	struct hidma_desc *desc;
	unsigned int requeued = 0;
	int ret;

	mutex_lock(&hdev->hw_lock);
	spin_lock_irq(&hdev->lock);
	if (!hdev->recovering || !hdev->hw_up || hdev->gone) {
		hdev->recovering = false;
		spin_unlock_irq(&hdev->lock);
		mutex_unlock(&hdev->hw_lock);
		return;
	}

	/* Collect the last events before the reset discards them. */
	hidma_reap(hdev, 0);
	if (hdev->err_cause && !hdev->err_claimed) {
		if (hidma_orphans(hdev)) {
			hdev->orphans_gone++;
		} else {
			desc = list_first_entry_or_null(&hdev->active,
							struct hidma_desc,
							node);
			if (desc)
				hidma_retire(hdev, desc,
					     hidma_ll_error_result(hdev->err_cause),
					     true);
		}
	}
	hdev->hw_up = false;
	hidma_ll_irq_mask(&hdev->ll);
	spin_unlock_irq(&hdev->lock);

	ret = hidma_ll_setup(&hdev->ll);

	spin_lock_irq(&hdev->lock);
	hdev->stats.recoveries++;
	hdev->err_cause = 0;
	hdev->err_claimed = false;
	hdev->recovering = false;
	hidma_orphans_discard(hdev);
	if (ret) {
		hdev->failed = true;
		dev_err(hdev->dev,
			"channel recovery failed (%d): channel marked failed, transfers are aborted until it is set up again\n",
			ret);
		hidma_abort_all(hdev, false);
	} else if (hdev->gone) {
		/* remove() ran meanwhile and no longer handles the line */
		hidma_ll_irq_mask(&hdev->ll);
	} else {
		hdev->hw_up = true;
		list_for_each_entry(desc, &hdev->active, node)
			requeued++;
		hdev->stats.requeued += requeued;
		list_splice_init(&hdev->active, &hdev->issued);
		hidma_feed(hdev);
	}
	spin_unlock_irq(&hdev->lock);
	mutex_unlock(&hdev->hw_lock);
}

/*
 * Program the rings from scratch and enable the channel; on failure the
 * channel is marked failed and everything issued is aborted.
 */
static int hidma_reinit(struct hidma_dev *hdev)
{
	int ret;

	mutex_lock(&hdev->hw_lock);
	ret = hidma_ll_setup(&hdev->ll);
	spin_lock_irq(&hdev->lock);
	hidma_orphans_discard(hdev);
	hdev->err_cause = 0;
	hdev->err_claimed = false;
	hdev->recovering = false;
	if (ret) {
		hdev->failed = true;
		hdev->hw_up = false;
		hidma_abort_all(hdev, false);
	} else if (hdev->gone) {
		hdev->hw_up = false;
		hidma_ll_irq_mask(&hdev->ll);
	} else {
		hdev->failed = false;
		hdev->hw_up = true;
		/* Whatever was on the old ring (system sleep) runs again. */
		list_splice_init(&hdev->active, &hdev->issued);
		hidma_feed(hdev);
	}
	spin_unlock_irq(&hdev->lock);
	mutex_unlock(&hdev->hw_lock);
	if (ret)
		dev_err(hdev->dev, "channel setup failed (%d)\n", ret);
	return ret;
}

static dma_cookie_t hidma_tx_submit(struct dma_async_tx_descriptor *tx)
{
	struct hidma_dev *hdev = to_hidma(tx->chan);
	struct hidma_desc *desc = to_hidma_desc(tx);
	unsigned long flags;
	dma_cookie_t cookie;

	spin_lock_irqsave(&hdev->lock, flags);
	cookie = dma_cookie_assign(tx);
	list_move_tail(&desc->node, &hdev->submitted);
	spin_unlock_irqrestore(&hdev->lock, flags);
	return cookie;
}

static struct dma_async_tx_descriptor *
hidma_prep(struct hidma_dev *hdev, u32 op, dma_addr_t dst, dma_addr_t src,
	   u8 value, size_t len, unsigned long flags)
{
	struct hidma_desc *desc;
	unsigned long irqflags;

	if (!len || len > HIDMA_MAX_XFER_LEN)
		return NULL;
	if (READ_ONCE(hdev->gone) || READ_ONCE(hdev->failed))
		return NULL;

	desc = kzalloc(sizeof(*desc), GFP_NOWAIT);
	if (!desc)
		return NULL;
	desc->op = op;
	desc->dst = dst;
	desc->src = src;
	desc->value = value;
	desc->len = len;
	dma_async_tx_descriptor_init(&desc->tx, &hdev->chan);
	desc->tx.flags = flags;
	desc->tx.tx_submit = hidma_tx_submit;
	spin_lock_irqsave(&hdev->lock, irqflags);
	list_add_tail(&desc->node, &hdev->allocated);
	spin_unlock_irqrestore(&hdev->lock, irqflags);
	return &desc->tx;
}

static struct dma_async_tx_descriptor *
hidma_prep_memcpy(struct dma_chan *chan, dma_addr_t dst, dma_addr_t src,
		  size_t len, unsigned long flags)
{
	return hidma_prep(to_hidma(chan), HIDMA_OP_MEMCPY, dst, src, 0, len,
			  flags);
}

static struct dma_async_tx_descriptor *
hidma_prep_memset(struct dma_chan *chan, dma_addr_t dst, int value,
		  size_t len, unsigned long flags)
{
	return hidma_prep(to_hidma(chan), HIDMA_OP_MEMSET, dst, 0, value, len,
			  flags);
}

static void hidma_issue_pending(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	unsigned long flags;

	spin_lock_irqsave(&hdev->lock, flags);
	list_splice_tail_init(&hdev->submitted, &hdev->issued);
	hidma_feed(hdev);
	spin_unlock_irqrestore(&hdev->lock, flags);
}

/* lock held */
static bool hidma_cookie_failed(struct hidma_dev *hdev, dma_cookie_t cookie)
{
	unsigned int i;

	/* Empty slots hold 0, which is no transfer's cookie. */
	if (cookie < DMA_MIN_COOKIE)
		return false;
	for (i = 0; i < HIDMA_ERR_COOKIES; i++)
		if (hdev->err_cookies[i] == cookie)
			return true;
	return false;
}

static enum dma_status hidma_tx_status(struct dma_chan *chan,
				       dma_cookie_t cookie,
				       struct dma_tx_state *state)
{
	struct hidma_dev *hdev = to_hidma(chan);
	struct hidma_desc *desc, *found = NULL;
	struct list_head *lists[] = {
		&hdev->submitted, &hdev->issued, &hdev->active,
	};
	enum dma_status status;
	unsigned int i;
	unsigned long flags;

	/*
	 * dma_cookie_status() reads the last assigned and the last completed
	 * cookie one after the other. A submit and a completion on another
	 * CPU between the two reads make a finished cookie look in progress,
	 * so both are read under the lock that their writers hold.
	 */
	spin_lock_irqsave(&hdev->lock, flags);
	status = dma_cookie_status(chan, cookie, state);
	if (status == DMA_COMPLETE) {
		if (hidma_cookie_failed(hdev, cookie))
			status = DMA_ERROR;
		goto out;
	}

	if (state) {
		for (i = 0; i < ARRAY_SIZE(lists) && !found; i++) {
			list_for_each_entry(desc, lists[i], node) {
				if (desc->tx.cookie == cookie) {
					found = desc;
					break;
				}
			}
		}
		/* Descriptor granularity: nothing is done until it retires. */
		dma_set_residue(state, found ? found->len : 0);
	}
	if (hdev->paused)
		status = DMA_PAUSED;
out:
	spin_unlock_irqrestore(&hdev->lock, flags);
	return status;
}

static int hidma_pause(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&hdev->lock, flags);
	if (hdev->gone || hdev->failed) {
		ret = -EIO;
	} else if (!hdev->paused) {
		if (hdev->hw_up)
			ret = hidma_ll_suspend_atomic(&hdev->ll);
		if (!ret)
			hdev->paused = true;
		else
			dev_err(hdev->dev, "channel did not suspend\n");
	}
	spin_unlock_irqrestore(&hdev->lock, flags);
	return ret;
}

/* lock held */
static int hidma_unpause(struct hidma_dev *hdev)
{
	int ret = 0;

	if (!hdev->paused)
		return 0;
	if (hdev->hw_up && !hdev->gone)
		ret = hidma_ll_enable_atomic(&hdev->ll);
	if (ret) {
		dev_err(hdev->dev, "channel did not resume\n");
		return ret;
	}
	hdev->paused = false;
	hidma_feed(hdev);
	return 0;
}

static int hidma_resume(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&hdev->lock, flags);
	ret = hidma_unpause(hdev);
	spin_unlock_irqrestore(&hdev->lock, flags);
	return ret;
}

/*
 * Never sleeps. TREs already on the ring cannot be taken back without a
 * reset, so their descriptors are freed now and their events are dropped
 * as they arrive ("orphans"); device_synchronize() waits for them.
 */
static int hidma_terminate_all(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	struct hidma_desc *desc;
	unsigned long flags;
	LIST_HEAD(head);

	spin_lock_irqsave(&hdev->lock, flags);
	list_for_each_entry(desc, &hdev->active, node) {
		hdev->orphaned++;
		hdev->stats.terminated++;
	}
	list_splice_tail_init(&hdev->active, &head);
	list_splice_tail_init(&hdev->issued, &head);
	list_splice_tail_init(&hdev->submitted, &head);
	/*
	 * Prepared but not submitted descriptors stay: another thread of the
	 * client may submit one right now. free_chan_resources() frees them.
	 */
	/* Retired but not called back yet: no callback after terminate. */
	list_splice_tail_init(&hdev->completed, &head);
	if (hdev->paused && hidma_unpause(hdev)) {
		/* recovery re-enables the channel; nothing may stay paused */
		hdev->paused = false;
		hidma_schedule_recovery(hdev);
	}
	/* No ring to drain; a reset under way is waited for in synchronize. */
	if (!hdev->hw_up || hdev->gone || hdev->failed)
		hidma_orphans_discard(hdev);
	spin_unlock_irqrestore(&hdev->lock, flags);

	hidma_free_list(&head);
	return 0;
}

static bool hidma_drained(struct hidma_dev *hdev, u64 orphaned)
{
	unsigned long flags;
	bool drained;

	spin_lock_irqsave(&hdev->lock, flags);
	drained = hdev->orphans_gone >= orphaned;
	spin_unlock_irqrestore(&hdev->lock, flags);
	return drained;
}

/*
 * After this returns, no TRE of a terminated transfer is running and no
 * callback is running or will run for one.
 */
static void hidma_synchronize(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	u64 orphaned;

	might_sleep();
	/*
	 * Only the TREs orphaned so far: other threads of the client may
	 * terminate again meanwhile, so the ring need never be free of
	 * orphans as a whole.
	 */
	spin_lock_irq(&hdev->lock);
	orphaned = hdev->orphaned;
	spin_unlock_irq(&hdev->lock);
	if (!wait_event_timeout(hdev->drain_wq, hidma_drained(hdev, orphaned),
				msecs_to_jiffies(HIDMA_DRAIN_TIMEOUT_MS))) {
		dev_warn(hdev->dev,
			 "terminated transfers did not drain, resetting\n");
		spin_lock_irq(&hdev->lock);
		hidma_schedule_recovery(hdev);
		spin_unlock_irq(&hdev->lock);
	}
	/*
	 * A recovery stops counting orphans before it resets the ring: the
	 * TREs run until that reset, so let a queued or running one finish.
	 */
	flush_work(&hdev->recover_work);
	/*
	 * Waits for a callback that is running right now. Not tasklet_kill():
	 * the IRQ handler may schedule the tasklet meanwhile, and kill would
	 * drop that schedule, leaving retired transfers without a callback
	 * until some later completion ran it against a client that had gone.
	 */
	tasklet_unlock_wait(&hdev->task);
}

static int hidma_alloc_chan_resources(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	int ret;

	if (READ_ONCE(hdev->gone))
		return -ENODEV;
	ret = pm_runtime_resume_and_get(hdev->dev);
	if (ret < 0)
		return ret;

	/* A channel that failed earlier gets a fresh start with a new client. */
	if (READ_ONCE(hdev->failed))
		hidma_reinit(hdev);

	spin_lock_irq(&hdev->lock);
	if (hdev->failed || hdev->gone) {
		ret = -EIO;
	} else {
		dma_cookie_init(chan);
		/* Cookies restart: forget the failures of earlier clients. */
		memset(hdev->err_cookies, 0, sizeof(hdev->err_cookies));
		hdev->err_next = 0;
		hdev->clients = true;
		ret = 0;
	}
	spin_unlock_irq(&hdev->lock);
	if (ret) {
		pm_runtime_put_autosuspend(hdev->dev);
		return ret;
	}
	return 0;
}

static void hidma_free_chan_resources(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	LIST_HEAD(head);
	bool held;

	hidma_terminate_all(chan);
	hidma_synchronize(chan);

	spin_lock_irq(&hdev->lock);
	list_splice_tail_init(&hdev->allocated, &head);
	held = hdev->clients;
	hdev->clients = false;
	spin_unlock_irq(&hdev->lock);
	hidma_free_list(&head);
	if (held) {
		pm_runtime_mark_last_busy(hdev->dev);
		pm_runtime_put_autosuspend(hdev->dev);
	}
}

static struct workqueue_struct *hidma_free_wq;

static bool hidma_match_none(struct dma_chan *chan, void *param)
{
	return false;
}

static void hidma_free_work(struct work_struct *work)
{
	struct hidma_dev *hdev = container_of(work, struct hidma_dev,
					      free_work);
	dma_cap_mask_t any;
	unsigned long flags;
	LIST_HEAD(head);

	tasklet_kill(&hdev->task);
	spin_lock_irqsave(&hdev->lock, flags);
	list_splice_tail_init(&hdev->completed, &head);
	list_splice_tail_init(&hdev->active, &head);
	list_splice_tail_init(&hdev->issued, &head);
	list_splice_tail_init(&hdev->submitted, &head);
	list_splice_tail_init(&hdev->allocated, &head);
	spin_unlock_irqrestore(&hdev->lock, flags);
	hidma_free_list(&head);

	/*
	 * device_release() runs under the core's dma_list_mutex, and when it
	 * is reached from dma_release_channel() the core still reads the
	 * channel after it returns. A channel request that matches nothing
	 * takes and drops that mutex: once it returns, the core is done with
	 * the memory.
	 */
	dma_cap_zero(any);
	dma_request_channel(any, hidma_match_none, NULL);

	mutex_destroy(&hdev->hw_lock);
	put_device(hdev->dev);
	kfree(hdev);
}

/* Last reference to the dmaengine device gone: free the channel. */
static void hidma_release(struct dma_device *ddev)
{
	struct hidma_dev *hdev = container_of(ddev, struct hidma_dev, ddev);

	queue_work(hidma_free_wq, &hdev->free_work);
}

static struct dma_chan *hidma_of_xlate(struct of_phandle_args *spec,
				       struct of_dma *ofdma)
{
	struct hidma_dev *hdev = ofdma->of_dma_data;

	if (spec->args_count != 1 || spec->args[0] != hdev->chid) {
		dev_err(hdev->dev, "no channel %u here (channel %u)\n",
			spec->args_count ? spec->args[0] : 0, hdev->chid);
		return NULL;
	}
	return dma_get_slave_channel(&hdev->chan);
}

static ssize_t chid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct hidma_dev *hdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", hdev->chid);
}
static DEVICE_ATTR_RO(chid);

static struct attribute *hidma_attrs[] = {
	&dev_attr_chid.attr,
	NULL
};
ATTRIBUTE_GROUPS(hidma);

static void hidma_init_dma_device(struct hidma_dev *hdev)
{
	struct dma_device *ddev = &hdev->ddev;

	ddev->dev = hdev->dev;
	INIT_LIST_HEAD(&ddev->channels);
	dma_cap_set(DMA_MEMCPY, ddev->cap_mask);
	dma_cap_set(DMA_MEMSET, ddev->cap_mask);
	/* Only handed out on request; never grabbed by async_tx. */
	dma_cap_set(DMA_PRIVATE, ddev->cap_mask);
	/* The engine moves bytes: no alignment requirement. */
	ddev->copy_align = DMAENGINE_ALIGN_1_BYTE;
	ddev->fill_align = DMAENGINE_ALIGN_1_BYTE;
	ddev->directions = BIT(DMA_MEM_TO_MEM);
	ddev->residue_granularity = DMA_RESIDUE_GRANULARITY_DESCRIPTOR;
	ddev->device_alloc_chan_resources = hidma_alloc_chan_resources;
	ddev->device_free_chan_resources = hidma_free_chan_resources;
	ddev->device_prep_dma_memcpy = hidma_prep_memcpy;
	ddev->device_prep_dma_memset = hidma_prep_memset;
	ddev->device_issue_pending = hidma_issue_pending;
	ddev->device_tx_status = hidma_tx_status;
	ddev->device_pause = hidma_pause;
	ddev->device_resume = hidma_resume;
	ddev->device_terminate_all = hidma_terminate_all;
	ddev->device_synchronize = hidma_synchronize;
	ddev->device_release = hidma_release;

	hdev->chan.device = ddev;
	list_add_tail(&hdev->chan.device_node, &ddev->channels);
}

static int hidma_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	unsigned long caps = (unsigned long)device_get_match_data(dev);
	void __iomem *trca, *evca;
	struct hidma_dev *hdev;
	u32 nr_desc;
	int irq, ret;

	trca = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(trca))
		return PTR_ERR(trca);
	evca = devm_platform_ioremap_resource(pdev, 1);
	if (IS_ERR(evca))
		return PTR_ERR(evca);
	irq = platform_get_irq(pdev, 0);
	if (irq < 0)
		return irq;

	nr_desc = HIDMA_DEFAULT_DESC_COUNT;
	device_property_read_u32(dev, "desc-count", &nr_desc);
	if (desc_count)
		nr_desc = desc_count;
	if (nr_desc < HIDMA_MIN_DESC_COUNT || nr_desc > HIDMA_MAX_DESC_COUNT)
		return dev_err_probe(dev, -EINVAL,
				     "desc-count %u out of range [%u, %u]\n",
				     nr_desc, HIDMA_MIN_DESC_COUNT,
				     HIDMA_MAX_DESC_COUNT);

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA mask\n");
	dma_set_max_seg_size(dev, HIDMA_MAX_XFER_LEN);

	/* Outlives the binding: freed by hidma_release(). */
	hdev = kzalloc(sizeof(*hdev), GFP_KERNEL);
	if (!hdev)
		return -ENOMEM;
	hdev->dev = get_device(dev);
	hdev->irq = irq;
	hdev->nr_desc = nr_desc;
	spin_lock_init(&hdev->lock);
	tasklet_setup(&hdev->task, hidma_complete_task);
	INIT_LIST_HEAD(&hdev->allocated);
	INIT_LIST_HEAD(&hdev->submitted);
	INIT_LIST_HEAD(&hdev->issued);
	INIT_LIST_HEAD(&hdev->active);
	INIT_LIST_HEAD(&hdev->completed);
	mutex_init(&hdev->hw_lock);
	INIT_WORK(&hdev->recover_work, hidma_recover_work);
	init_waitqueue_head(&hdev->drain_wq);
	INIT_WORK(&hdev->free_work, hidma_free_work);
	hidma_init_dma_device(hdev);

	/* One slot of each ring always stays free. */
	ret = hidma_ll_init(&hdev->ll, dev, trca, evca, nr_desc + 1);
	if (ret)
		goto err_free;
	hdev->chid = hidma_ll_read_chid(&hdev->ll, caps & HIDMA_CAP_IDENTITY);
	hdev->ll.chid = hdev->chid;

	ret = hidma_ll_setup(&hdev->ll);
	if (ret == -EAGAIN) {
		ret = dev_err_probe(dev, -EPROBE_DEFER,
				    "channel %u stays disabled: management block not enabled yet\n",
				    hdev->chid);
		goto err_free;
	}
	if (ret) {
		dev_err_probe(dev, ret, "channel %u setup failed\n",
			      hdev->chid);
		goto err_free;
	}
	hdev->hw_up = true;

	/*
	 * Not device-managed: the handler must be gone before the channel
	 * can be freed, which may happen before devres runs on this
	 * device's error path.
	 */
	ret = request_irq(irq, hidma_irq, 0, dev_name(dev), hdev);
	if (ret) {
		dev_err_probe(dev, ret, "cannot request irq %d\n", irq);
		goto err_reset;
	}

	platform_set_drvdata(pdev, hdev);
	pm_runtime_set_autosuspend_delay(dev, HIDMA_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_get_noresume(dev);
	pm_runtime_set_active(dev);
	pm_runtime_enable(dev);

	ret = dma_async_device_register(&hdev->ddev);
	if (ret) {
		dev_err_probe(dev, ret, "cannot register dmaengine device\n");
		goto err_pm;
	}

	if (dev->of_node) {
		ret = of_dma_controller_register(dev->of_node, hidma_of_xlate,
						 hdev);
		if (ret) {
			dev_err_probe(dev, ret, "cannot register OF DMA\n");
			goto err_unregister;
		}
	}

	hidma_debugfs_init(hdev);

	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
	dev_info(dev, "channel %u: %u descriptors, irq %d\n", hdev->chid,
		 nr_desc, irq);
	return 0;

err_unregister:
	/* Calls hidma_release() once nobody else holds the device. */
	spin_lock_irq(&hdev->lock);
	hdev->gone = true;
	spin_unlock_irq(&hdev->lock);
	free_irq(irq, hdev);
	cancel_work_sync(&hdev->recover_work);
	hidma_ll_reset(&hdev->ll);
	pm_runtime_disable(dev);
	pm_runtime_put_noidle(dev);
	pm_runtime_set_suspended(dev);
	pm_runtime_dont_use_autosuspend(dev);
	dma_async_device_unregister(&hdev->ddev);
	return ret;

err_pm:
	pm_runtime_disable(dev);
	pm_runtime_put_noidle(dev);
	pm_runtime_set_suspended(dev);
	pm_runtime_dont_use_autosuspend(dev);
	free_irq(irq, hdev);
	cancel_work_sync(&hdev->recover_work);
err_reset:
	hidma_ll_reset(&hdev->ll);
err_free:
	mutex_destroy(&hdev->hw_lock);
	put_device(hdev->dev);
	kfree(hdev);
	return ret;
}

static void hidma_remove(struct platform_device *pdev)
{
	struct hidma_dev *hdev = platform_get_drvdata(pdev);
	struct device *dev = &pdev->dev;
	bool held;

	if (dev->of_node)
		of_dma_controller_free(dev->of_node);

	/*
	 * From here on no client gets the channel, every outstanding
	 * transfer completes as aborted and the hardware is not touched
	 * from the dmaengine callbacks any more.
	 */
	spin_lock_irq(&hdev->lock);
	hdev->gone = true;
	hdev->hw_up = false;
	/* Quiet the line before the handler stops claiming it. */
	hidma_ll_irq_mask(&hdev->ll);
	hidma_abort_all(hdev, true);
	held = hdev->clients;
	hdev->clients = false;
	spin_unlock_irq(&hdev->lock);

	free_irq(hdev->irq, hdev);
	cancel_work_sync(&hdev->recover_work);
	pm_runtime_disable(dev);

	mutex_lock(&hdev->hw_lock);
	hidma_ll_reset(&hdev->ll);
	mutex_unlock(&hdev->hw_lock);

	if (held)
		pm_runtime_put_noidle(dev);
	pm_runtime_set_suspended(dev);
	pm_runtime_dont_use_autosuspend(dev);

	/*
	 * Drops the registration reference. hidma_release() runs now, or
	 * when the last client releases the channel; hdev is not used here
	 * after this call.
	 */
	dma_async_device_unregister(&hdev->ddev);
}

static int hidma_runtime_suspend(struct device *dev)
{
	struct hidma_dev *hdev = dev_get_drvdata(dev);
	int ret;

	flush_work(&hdev->recover_work);
	mutex_lock(&hdev->hw_lock);
	spin_lock_irq(&hdev->lock);
	hdev->hw_up = false;
	hidma_ll_irq_mask(&hdev->ll);
	spin_unlock_irq(&hdev->lock);
	/* Quiesce; the rings are reprogrammed from scratch on resume. */
	ret = hidma_ll_reset(&hdev->ll);
	mutex_unlock(&hdev->hw_lock);
	if (ret)
		dev_warn(dev, "reset on suspend failed (%d)\n", ret);
	return 0;
}

static int hidma_runtime_resume(struct device *dev)
{
	/* A failure leaves the channel failed, not the device in error. */
	hidma_reinit(dev_get_drvdata(dev));
	return 0;
}

static const struct dev_pm_ops hidma_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(pm_runtime_force_suspend, pm_runtime_force_resume)
	RUNTIME_PM_OPS(hidma_runtime_suspend, hidma_runtime_resume, NULL)
};

/* MSI capable revisions run on their wired interrupt until MSI lands. */
static const struct of_device_id hidma_of_match[] = {
	{ .compatible = "qcom,hidma-1.0" },
	{ .compatible = "qcom,hidma-1.1", .data = (void *)HIDMA_CAP_MSI },
	{ .compatible = "qcom,hidma-1.2",
	  .data = (void *)(HIDMA_CAP_MSI | HIDMA_CAP_IDENTITY) },
	{ }
};
MODULE_DEVICE_TABLE(of, hidma_of_match);

static const struct acpi_device_id hidma_acpi_match[] = {
	{ "QCOM8061" },
	{ "QCOM8062", HIDMA_CAP_MSI },
	{ "QCOM8063", HIDMA_CAP_MSI | HIDMA_CAP_IDENTITY },
	{ }
};
MODULE_DEVICE_TABLE(acpi, hidma_acpi_match);

static struct platform_driver hidma_driver = {
	.probe = hidma_probe,
	.remove = hidma_remove,
	.driver = {
		.name = "hidma",
		.of_match_table = hidma_of_match,
		.acpi_match_table = hidma_acpi_match,
		.dev_groups = hidma_groups,
		.pm = pm_ptr(&hidma_pm_ops),
	},
};

static int __init hidma_init(void)
{
	int ret;

	hidma_free_wq = alloc_workqueue("hidma_free", 0, 0);
	if (!hidma_free_wq)
		return -ENOMEM;
	ret = platform_driver_register(&hidma_driver);
	if (ret)
		destroy_workqueue(hidma_free_wq);
	return ret;
}
module_init(hidma_init);

static void __exit hidma_exit(void)
{
	platform_driver_unregister(&hidma_driver);
	/* Frees the channels released by their last client. */
	destroy_workqueue(hidma_free_wq);
}
module_exit(hidma_exit);

MODULE_DESCRIPTION("Qualcomm Technologies HIDMA channel driver");
MODULE_AUTHOR("The HIDMA driver authors");
MODULE_LICENSE("GPL");
MODULE_ALIAS("platform:hidma");
