// SPDX-License-Identifier: GPL-2.0-only
/*
 * Qualcomm Technologies HIDMA channel driver: channel states, recovery,
 * pause, terminate and synchronize.
 *
 * Rules:
 *
 * - The channel is only reset once it was stopped and its events were
 *   read, so no completion is lost to a reset that could have been seen.
 *   The order is always: stop the transfer channel, reap, reset.
 * - A transfer whose TRE was on the ring when the ring was reset has no
 *   event. It may have run, in part or whole, so it is never run again: it
 *   completes with DMA_TRANS_ABORTED and its full length as residue. The
 *   engine works in ring order, but nothing says it does not fetch ahead,
 *   so the same holds for every TRE behind it. Transfers that had not
 *   reached the ring run after the reset.
 * - An error ends in a recovery (stop, reap, reset). The transfer an error
 *   event belongs to completes with DMA_TRANS_READ_FAILED,
 *   DMA_TRANS_WRITE_FAILED or DMA_TRANS_ABORTED (no data moved, or its
 *   event was lost). An error interrupt without an error event is charged
 *   to the oldest TRE still on the ring.
 * - A failed reset leaves the channel HIDMA_FAILED: every transfer aborts
 *   and prep refuses new ones. The client gets the channel back with
 *   dmaengine_terminate_all() (or _sync()), which tries the reset again;
 *   releasing the channel or its next runtime resume do the same.
 * - terminate_all() never sleeps. TREs already on the ring cannot be taken
 *   back without a stop, so their descriptors (and the client's unmap
 *   data) are kept until each TRE retires, or until synchronize stops the
 *   channel, which then resets it. synchronize() sleeps only if that stop
 *   times out.
 * - Allocating and freeing channel resources never touch the hardware and
 *   do not sleep: the dmaengine core calls them under its global mutex.
 *   The runtime PM callbacks set the channel up and shut it down.
 *
 * Copyright (c) 2026 The HIDMA driver authors.
 */

#include <linux/device.h>
#include <linux/dmaengine.h>
#include <linux/pm_runtime.h>
#include <linux/spinlock.h>

#include "../dmaengine.h"
#include "hidma.h"

static const char * const hidma_state_names[] = {
	[HIDMA_OFF] = "off",
	[HIDMA_RUNNING] = "running",
	[HIDMA_PAUSED] = "paused",
	[HIDMA_RECOVERING] = "recovering",
	[HIDMA_FAILED] = "failed",
	[HIDMA_GONE] = "gone",
};

/**
 * hidma_state_name() - printable name of a channel state
 * @state: the state
 *
 * Return: a static string.
 */
const char *hidma_state_name(enum hidma_chan_state state)
{
	return state < ARRAY_SIZE(hidma_state_names) ?
	       hidma_state_names[state] : "?";
}

static bool hidma_transition_ok(enum hidma_chan_state from,
				enum hidma_chan_state to)
{
	if (from == HIDMA_GONE)
		return false;
	switch (to) {
	case HIDMA_RUNNING:
	case HIDMA_FAILED:
		return from != HIDMA_FAILED || to == HIDMA_FAILED;
	case HIDMA_PAUSED:
		return from != HIDMA_FAILED;
	case HIDMA_RECOVERING:
		return from != HIDMA_OFF;
	case HIDMA_OFF:
	case HIDMA_GONE:
		return true;
	}
	return false;
}

/**
 * hidma_set_state() - the one place where the channel changes state
 * @hdev: channel, vc.lock held
 * @state: new state
 */
void hidma_set_state(struct hidma_dev *hdev, enum hidma_chan_state state)
{
	lockdep_assert_held(&hdev->vc.lock);
	WARN_ONCE(!hidma_transition_ok(hdev->state, state),
		  "hidma: channel %u: %s -> %s\n", hdev->chid,
		  hidma_state_name(hdev->state), hidma_state_name(state));
	dev_dbg(hdev->dev, "%s -> %s\n", hidma_state_name(hdev->state),
		hidma_state_name(state));
	hdev->state = state;
}

/**
 * hidma_schedule_recovery() - have the channel stopped, reaped and reset
 * @hdev: channel, vc.lock held
 *
 * A paused channel comes back paused.
 */
void hidma_schedule_recovery(struct hidma_dev *hdev)
{
	switch (hdev->state) {
	case HIDMA_RUNNING:
	case HIDMA_PAUSED:
		hdev->resume_to = hdev->state;
		fallthrough;
	case HIDMA_FAILED:
		hidma_set_state(hdev, HIDMA_RECOVERING);
		schedule_work(&hdev->recover_work);
		break;
	default:
		break;
	}
}

/*
 * Suspend the transfer channel for a pause; vc.lock held. On a timeout the
 * SUSPEND is taken back, so that the channel does not stop later while
 * the driver keeps feeding it.
 * Return: 0 if suspended; -ETIMEDOUT if it runs on; -EIO if its state is
 * unknown and it needs a reset.
 */
static int hidma_try_suspend(struct hidma_dev *hdev)
{
	if (!hidma_ll_suspend_atomic(&hdev->ll))
		return 0;
	dev_err(hdev->dev, "channel did not suspend in time\n");
	return hidma_ll_enable_atomic(&hdev->ll) ? -EIO : -ETIMEDOUT;
}

/*
 * The ring was reset: what was on it is abandoned, and the channel runs
 * again, stays paused or is failed. @run: the setup enabled the transfer
 * channel (the client did not want it paused then). vc.lock held.
 */
static void hidma_after_reset(struct hidma_dev *hdev, int ret, bool run)
{
	hdev->err_cause = 0;
	hdev->err_claimed = false;
	hidma_ring_abandon(hdev);
	if (ret) {
		hidma_set_state(hdev, HIDMA_FAILED);
		hidma_abort_queued(hdev, false);
		return;
	}
	/* pause() or resume() may have been called during the setup */
	if (hdev->resume_to == HIDMA_PAUSED) {
		ret = run ? hidma_try_suspend(hdev) : 0;
		if (!ret) {
			hidma_set_state(hdev, HIDMA_PAUSED);
			return;
		}
		hdev->resume_to = HIDMA_RUNNING;
	} else if (!run && hidma_ll_enable_atomic(&hdev->ll)) {
		ret = -EIO;
	}
	hidma_set_state(hdev, HIDMA_RUNNING);
	if (ret == -EIO)
		hidma_schedule_recovery(hdev);
	else
		hidma_feed(hdev);
}

/* Stop the channel and read its last events; hw_lock held. */
static void hidma_stop_and_reap(struct hidma_dev *hdev)
{
	if (hidma_ll_stop(&hdev->ll, false))
		dev_warn(hdev->dev, "channel did not stop; resetting it\n");
	spin_lock_irq(&hdev->vc.lock);
	hidma_reap(hdev, 0);
	hidma_blame(hdev);
	hidma_ll_irq_mask(&hdev->ll);
	spin_unlock_irq(&hdev->vc.lock);
}

/**
 * hidma_recover_work() - stop, reap and reset a channel in HIDMA_RECOVERING
 * @work: the channel's recover_work
 */
void hidma_recover_work(struct work_struct *work)
{
	struct hidma_dev *hdev = container_of(work, struct hidma_dev,
					      recover_work);
	bool run;
	int ret;

	mutex_lock(&hdev->hw_lock);
	spin_lock_irq(&hdev->vc.lock);
	if (hdev->state != HIDMA_RECOVERING) {
		spin_unlock_irq(&hdev->vc.lock);
		mutex_unlock(&hdev->hw_lock);
		return;
	}
	run = hdev->resume_to == HIDMA_RUNNING;
	spin_unlock_irq(&hdev->vc.lock);

	hidma_stop_and_reap(hdev);
	ret = hidma_ll_setup(&hdev->ll, run);

	spin_lock_irq(&hdev->vc.lock);
	hdev->stats.recoveries++;
	if (hdev->state == HIDMA_RECOVERING) {
		if (ret)
			dev_err(hdev->dev,
				"channel reset failed (%d): channel marked failed, transfers abort until the client terminates them\n",
				ret);
		hidma_after_reset(hdev, ret, run);
	}
	spin_unlock_irq(&hdev->vc.lock);
	mutex_unlock(&hdev->hw_lock);
}

/**
 * hidma_setup() - set up a channel in HIDMA_OFF
 * @hdev: channel
 *
 * Used at probe and on runtime resume. May sleep.
 *
 * Return: 0, or the error of the setup; the channel is then HIDMA_FAILED.
 */
int hidma_setup(struct hidma_dev *hdev)
{
	bool run;
	int ret;

	mutex_lock(&hdev->hw_lock);
	spin_lock_irq(&hdev->vc.lock);
	run = hdev->resume_to == HIDMA_RUNNING;
	spin_unlock_irq(&hdev->vc.lock);
	ret = hidma_ll_setup(&hdev->ll, run);
	spin_lock_irq(&hdev->vc.lock);
	if (hdev->state == HIDMA_OFF)
		hidma_after_reset(hdev, ret, run);
	spin_unlock_irq(&hdev->vc.lock);
	mutex_unlock(&hdev->hw_lock);
	if (ret)
		dev_err(hdev->dev, "channel setup failed (%d)\n", ret);
	return ret;
}

/**
 * hidma_power_down() - stop, reap and reset the channel for good
 * @hdev: channel
 * @to: HIDMA_OFF (runtime suspend) or HIDMA_GONE (remove)
 *
 * Transfers left on the ring are aborted once the channel was reset, so a
 * client that unmaps its buffers in the callback does so after the engine
 * stopped. May sleep.
 */
void hidma_power_down(struct hidma_dev *hdev, enum hidma_chan_state to)
{
	enum hidma_chan_state from;

	flush_work(&hdev->recover_work);
	mutex_lock(&hdev->hw_lock);
	spin_lock_irq(&hdev->vc.lock);
	from = hdev->state;
	if (from == HIDMA_RUNNING || from == HIDMA_PAUSED)
		hdev->resume_to = from;
	/* No feeding, no more work for the recovery. */
	hidma_set_state(hdev, to);
	spin_unlock_irq(&hdev->vc.lock);

	if (from == HIDMA_RUNNING || from == HIDMA_PAUSED ||
	    from == HIDMA_RECOVERING)
		hidma_stop_and_reap(hdev);
	if (hidma_ll_reset(&hdev->ll))
		dev_warn(hdev->dev, "reset on power down failed\n");

	spin_lock_irq(&hdev->vc.lock);
	hdev->err_cause = 0;
	hdev->err_claimed = false;
	hidma_ring_abandon(hdev);
	if (to == HIDMA_GONE)
		hidma_abort_queued(hdev, true);
	spin_unlock_irq(&hdev->vc.lock);
	mutex_unlock(&hdev->hw_lock);
}

int hidma_pause(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	unsigned long flags;
	int ret = 0;

	spin_lock_irqsave(&hdev->vc.lock, flags);
	switch (hdev->state) {
	case HIDMA_RUNNING:
		ret = hidma_try_suspend(hdev);
		if (!ret)
			hidma_set_state(hdev, HIDMA_PAUSED);
		else if (ret == -EIO)
			hidma_schedule_recovery(hdev);
		break;
	case HIDMA_OFF:
	case HIDMA_RECOVERING:
		/* Comes back paused from setup or recovery. */
		hdev->resume_to = HIDMA_PAUSED;
		break;
	case HIDMA_PAUSED:
		break;
	case HIDMA_FAILED:
	case HIDMA_GONE:
		ret = -EIO;
		break;
	}
	spin_unlock_irqrestore(&hdev->vc.lock, flags);
	return ret;
}

/* vc.lock held */
static int hidma_unpause(struct hidma_dev *hdev)
{
	switch (hdev->state) {
	case HIDMA_PAUSED:
		if (hidma_ll_enable_atomic(&hdev->ll)) {
			dev_err(hdev->dev, "channel did not resume; resetting it\n");
			hidma_set_state(hdev, HIDMA_RUNNING);
			hidma_schedule_recovery(hdev);
			return 0;
		}
		hidma_set_state(hdev, HIDMA_RUNNING);
		hidma_feed(hdev);
		return 0;
	case HIDMA_OFF:
	case HIDMA_RECOVERING:
		hdev->resume_to = HIDMA_RUNNING;
		return 0;
	case HIDMA_RUNNING:
		return 0;
	default:
		return -EIO;
	}
}

int hidma_resume(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	unsigned long flags;
	int ret;

	spin_lock_irqsave(&hdev->vc.lock, flags);
	ret = hidma_unpause(hdev);
	spin_unlock_irqrestore(&hdev->vc.lock, flags);
	return ret;
}

int hidma_terminate_all(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	struct virt_dma_desc *vd;
	unsigned long flags;
	LIST_HEAD(head);

	spin_lock_irqsave(&hdev->vc.lock, flags);
	list_for_each_entry(vd, &hdev->ring, node) {
		hdev->ring_dead++;
		hdev->stats.terminated++;
	}
	list_splice_tail_init(&hdev->ring, &hdev->dead);
	/*
	 * Prepared but not submitted descriptors stay: another thread of the
	 * client may submit one right now. Retired ones whose callback has
	 * not run yet get none.
	 */
	list_splice_tail_init(&hdev->vc.desc_submitted, &head);
	list_splice_tail_init(&hdev->vc.desc_issued, &head);
	list_splice_tail_init(&hdev->vc.desc_completed, &head);
	/* The TREs left on the ring drain; a paused channel stays paused. */
	if (hdev->state == HIDMA_FAILED)
		hidma_schedule_recovery(hdev);
	spin_unlock_irqrestore(&hdev->vc.lock, flags);

	vchan_dma_desc_free_list(&hdev->vc, &head);
	return 0;
}

/*
 * Make sure no TRE of a terminated transfer runs any more; vc.lock held.
 * Return: false if that takes a reset by the recovery work: the channel
 * did not stop, or a recovery is under way and owns the hardware.
 */
static bool hidma_kill_dead(struct hidma_dev *hdev)
{
	if (!hdev->ring_dead)
		return true;
	switch (hdev->state) {
	case HIDMA_RUNNING:
		if (hidma_ll_stop(&hdev->ll, true)) {
			hidma_schedule_recovery(hdev);
			return false;
		}
		break;
	case HIDMA_PAUSED:
		break;
	case HIDMA_RECOVERING:
		/* Stopped and handed on already, or the work must do it. */
		return list_empty(&hdev->dead);
	default:
		/* No ring: the TREs were discarded with it. */
		return true;
	}
	/* Stopped: the descriptors can go now, the TREs with the reset. */
	list_splice_tail_init(&hdev->dead, &hdev->vc.desc_terminated);
	hidma_schedule_recovery(hdev);
	return true;
}

void hidma_synchronize(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	bool stopped;

	spin_lock_irq(&hdev->vc.lock);
	stopped = hidma_kill_dead(hdev);
	spin_unlock_irq(&hdev->vc.lock);
	/* Rare: the reset discards the TREs and hands their descriptors on. */
	if (!stopped)
		flush_work(&hdev->recover_work);
	/* Waits for running callbacks, frees the terminated descriptors. */
	vchan_synchronize(&hdev->vc);
}

int hidma_alloc_chan_resources(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);
	int ret;

	/* Asynchronous: transfers wait in the issued list until setup. */
	ret = pm_runtime_get(hdev->dev);
	if (ret < 0 && ret != -EINPROGRESS) {
		pm_runtime_put_noidle(hdev->dev);
		return ret;
	}

	spin_lock_irq(&hdev->vc.lock);
	if (hdev->state == HIDMA_GONE) {
		ret = -ENODEV;
	} else {
		/* A channel that failed gets a fresh start with a new client. */
		if (hdev->state == HIDMA_FAILED)
			hidma_schedule_recovery(hdev);
		dma_cookie_init(chan);
		memset(hdev->err, 0, sizeof(hdev->err));
		hdev->err_next = 0;
		ret = 0;
	}
	spin_unlock_irq(&hdev->vc.lock);
	if (ret)
		pm_runtime_put_noidle(hdev->dev);
	return ret;
}

void hidma_free_chan_resources(struct dma_chan *chan)
{
	struct hidma_dev *hdev = to_hidma(chan);

	hidma_terminate_all(chan);
	hidma_synchronize(chan);
	vchan_free_chan_resources(&hdev->vc);
	/* An idle channel holds no descriptors. */
	hidma_desc_cache_drain(hdev);
	pm_runtime_mark_last_busy(hdev->dev);
	pm_runtime_put_autosuspend(hdev->dev);
}
