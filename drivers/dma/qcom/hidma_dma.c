// SPDX-License-Identifier: GPL-2.0-only
/*
 * Qualcomm Technologies HIDMA channel driver: the data path.
 *
 * A descriptor is one TRE. Issued descriptors move to the ring while it
 * has room; the interrupt handler retires them in ring order as events
 * arrive, and virt-dma's tasklet runs the callbacks with the result.
 *
 * Copyright (c) 2026 The HIDMA driver authors.
 */

#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "../dmaengine.h"
#include "hidma.h"

/*
 * The TRE's length is word 1, a 32-bit byte count, and its addresses are
 * 64-bit byte addresses (../shared/hidma-hardware.md, "Ring elements").
 * Nothing there restricts alignment, so none is asked for; the in-kernel
 * driver's copy_align of 256 bytes has no documented source.
 */
#define HIDMA_MAX_XFER_LEN		U32_MAX

/*
 * Descriptors prepared and not freed yet, per TRE slot. Bounds the lists
 * that tx_status() walks with interrupts off, and the descriptor cache;
 * the ring holds one such batch, the rest wait behind it.
 */
#define HIDMA_OUTSTANDING_PER_SLOT	4

static struct hidma_desc *to_hidma_desc(struct virt_dma_desc *vd)
{
	return container_of(vd, struct hidma_desc, vd);
}

/*
 * Freed descriptors go to the channel's cache and the next prep takes one
 * from there: in steady state a transfer allocates nothing.
 */
static void hidma_desc_free(struct virt_dma_desc *vd)
{
	struct hidma_dev *hdev = to_hidma(vd->tx.chan);
	unsigned long flags;

	dma_descriptor_unmap(&vd->tx);
	spin_lock_irqsave(&hdev->cache_lock, flags);
	list_add(&vd->node, &hdev->desc_cache);
	spin_unlock_irqrestore(&hdev->cache_lock, flags);
	atomic_dec(&hdev->outstanding);
}

/* A zeroed descriptor: a cached one, else a new one; NULL if neither. */
static struct hidma_desc *hidma_desc_get(struct hidma_dev *hdev)
{
	struct hidma_desc *desc;
	unsigned long flags;

	spin_lock_irqsave(&hdev->cache_lock, flags);
	desc = list_first_entry_or_null(&hdev->desc_cache, struct hidma_desc,
					vd.node);
	if (desc)
		list_del(&desc->vd.node);
	spin_unlock_irqrestore(&hdev->cache_lock, flags);
	if (desc)
		memset(desc, 0, sizeof(*desc));
	else
		desc = kzalloc(sizeof(*desc), GFP_NOWAIT);
	return desc;
}

/**
 * hidma_desc_cache_drain() - free the cached descriptors
 * @hdev: channel whose client let it go, or that is being freed
 */
void hidma_desc_cache_drain(struct hidma_dev *hdev)
{
	struct hidma_desc *desc, *tmp;
	unsigned long flags;
	LIST_HEAD(list);

	spin_lock_irqsave(&hdev->cache_lock, flags);
	list_splice_init(&hdev->desc_cache, &list);
	spin_unlock_irqrestore(&hdev->cache_lock, flags);
	list_for_each_entry_safe(desc, tmp, &list, vd.node)
		kfree(desc);
}

/* Complete one descriptor and queue its callback; vc.lock held. */
static void hidma_retire(struct hidma_dev *hdev, struct hidma_desc *desc,
			 enum dmaengine_tx_result result, bool hw_error)
{
	struct hidma_failure *f;

	desc->vd.tx_result.result = result;
	desc->vd.tx_result.residue = result == DMA_TRANS_NOERROR ? 0 : desc->len;
	if (hw_error)
		hdev->stats.failed++;
	else if (result == DMA_TRANS_NOERROR)
		hdev->stats.completed++;
	else
		hdev->stats.aborted++;
	if (result != DMA_TRANS_NOERROR) {
		f = &hdev->err[hdev->err_next];
		f->cookie = desc->vd.tx.cookie;
		f->residue = desc->len;
		hdev->err_next = (hdev->err_next + 1) % HIDMA_ERR_COOKIES;
	}
	list_del(&desc->vd.node);
	vchan_cookie_complete(&desc->vd);
}

static void hidma_abort_list(struct hidma_dev *hdev, struct list_head *list)
{
	struct virt_dma_desc *vd, *tmp;

	list_for_each_entry_safe(vd, tmp, list, node)
		hidma_retire(hdev, to_hidma_desc(vd), DMA_TRANS_ABORTED, false);
}

/**
 * hidma_abort_queued() - abort every transfer not on the ring yet
 * @hdev: channel, vc.lock held
 * @submitted: also those submitted but not issued (the channel is gone)
 */
void hidma_abort_queued(struct hidma_dev *hdev, bool submitted)
{
	hidma_abort_list(hdev, &hdev->vc.desc_issued);
	if (submitted)
		hidma_abort_list(hdev, &hdev->vc.desc_submitted);
}

/**
 * hidma_ring_abandon() - forget the TREs on a ring that was reset
 * @hdev: channel, vc.lock held; the ring was stopped, its events
 *	collected and the channel reset
 *
 * A transfer still on the ring has no event: its completion may have been
 * lost, so it completes as aborted and is never run again. Terminated
 * descriptors can be freed now.
 */
void hidma_ring_abandon(struct hidma_dev *hdev)
{
	hidma_abort_list(hdev, &hdev->ring);
	list_splice_tail_init(&hdev->dead, &hdev->vc.desc_terminated);
	hdev->ring_dead = 0;
	hidma_ll_forget(&hdev->ll);
}

/**
 * hidma_feed() - move issued descriptors to the ring while it has room
 * @hdev: channel, vc.lock held
 */
void hidma_feed(struct hidma_dev *hdev)
{
	struct virt_dma_desc *vd;
	struct hidma_desc *desc;
	bool kick = false;

	if (hdev->state == HIDMA_FAILED || hdev->state == HIDMA_GONE) {
		hidma_abort_queued(hdev, false);
		return;
	}
	if (hdev->state != HIDMA_RUNNING)
		return;

	while (hidma_ll_space(&hdev->ll)) {
		vd = vchan_next_desc(&hdev->vc);
		if (!vd)
			break;
		desc = to_hidma_desc(vd);
		list_move_tail(&vd->node, &hdev->ring);
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

/* The event that retires the oldest TRE; vc.lock held. */
static void hidma_retire_oldest(struct hidma_dev *hdev,
				enum dmaengine_tx_result result, bool error)
{
	struct hidma_desc *desc;

	if (hdev->ring_dead) {
		/* A terminated transfer's TRE: nobody to tell. */
		hdev->ring_dead--;
		if (!list_empty(&hdev->dead))
			list_move_tail(hdev->dead.next,
				       &hdev->vc.desc_terminated);
		return;
	}
	desc = list_first_entry_or_null(&hdev->ring, struct hidma_desc,
					vd.node);
	if (WARN_ON_ONCE(!desc))
		return;
	if (error)
		dev_dbg(hdev->dev, "transfer %d failed: result %d\n",
			desc->vd.tx.cookie, result);
	hidma_retire(hdev, desc, result, error);
}

/**
 * hidma_reap() - consume the events the hardware wrote
 * @hdev: channel, vc.lock held, rings set up
 * @cause: interrupt causes pending, for events that name no cause
 *
 * The n-th event retires the n-th TRE. An error event, or an impossible
 * write pointer, puts the channel into recovery.
 */
void hidma_reap(struct hidma_dev *hdev, u32 cause)
{
	enum dmaengine_tx_result result;
	unsigned int n = 0;
	bool error;
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
		hidma_retire_oldest(hdev, result, error);
	}
	if (n)
		hidma_ll_event_ack(&hdev->ll);
}

/**
 * hidma_blame() - charge an error that came without an error event
 * @hdev: channel, vc.lock held, the channel stopped and its events reaped
 *
 * The engine works in ring order, so the oldest TRE still on the ring is
 * the one that failed.
 */
void hidma_blame(struct hidma_dev *hdev)
{
	if (!hdev->err_cause || hdev->err_claimed)
		return;
	hdev->err_claimed = true;
	if (hdev->ring_dead || !list_empty(&hdev->ring))
		hidma_retire_oldest(hdev,
				    hidma_ll_error_result(hdev->err_cause),
				    true);
}

/*
 * @msi_cause: the cause that an MSI vector signalled, or 0 for the wired
 * interrupt, where IRQ_STAT tells.
 */
static irqreturn_t hidma_service(struct hidma_dev *hdev, u32 msi_cause)
{
	u32 cause;

	spin_lock(&hdev->vc.lock);
	if (hdev->state != HIDMA_RUNNING && hdev->state != HIDMA_PAUSED &&
	    hdev->state != HIDMA_RECOVERING) {
		spin_unlock(&hdev->vc.lock);
		return IRQ_NONE;
	}
	/*
	 * Cleared before the events are read: an event written after the
	 * clear raises the cause, and signals, again. Zero while the
	 * recovery work has the ring masked.
	 */
	if (msi_cause)
		cause = hidma_ll_irq_ack_cause(&hdev->ll, msi_cause);
	else
		cause = hidma_ll_irq_ack(&hdev->ll);
	if (!cause) {
		spin_unlock(&hdev->vc.lock);
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
	spin_unlock(&hdev->vc.lock);
	return IRQ_HANDLED;
}

/**
 * hidma_irq() - wired interrupt handler of a channel
 * @irq: interrupt number
 * @data: the channel
 *
 * Return: IRQ_HANDLED if the channel raised the interrupt.
 */
irqreturn_t hidma_irq(int irq, void *data)
{
	return hidma_service(data, 0);
}

/**
 * hidma_msi_irq() - handler of one MSI vector of a channel
 * @irq: interrupt number
 * @data: the vector, struct hidma_msi_vec
 *
 * Return: IRQ_HANDLED if the vector's cause was enabled.
 */
irqreturn_t hidma_msi_irq(int irq, void *data)
{
	struct hidma_msi_vec *vec = data;

	return hidma_service(vec->hdev, vec->cause);
}

static struct dma_async_tx_descriptor *
hidma_prep(struct hidma_dev *hdev, u32 op, dma_addr_t dst, dma_addr_t src,
	   u8 value, size_t len, unsigned long flags)
{
	enum hidma_chan_state state = READ_ONCE(hdev->state);
	struct hidma_desc *desc;

	if (!len || len > HIDMA_MAX_XFER_LEN)
		return NULL;
	if (state == HIDMA_FAILED || state == HIDMA_GONE)
		return NULL;
	if (atomic_inc_return(&hdev->outstanding) > hdev->max_outstanding)
		goto refuse;

	desc = hidma_desc_get(hdev);
	if (!desc)
		goto refuse;
	desc->op = op;
	desc->dst = dst;
	desc->src = src;
	desc->value = value;
	desc->len = len;
	return vchan_tx_prep(&hdev->vc, &desc->vd, flags);

refuse:
	atomic_dec(&hdev->outstanding);
	return NULL;
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

	spin_lock_irqsave(&hdev->vc.lock, flags);
	if (vchan_issue_pending(&hdev->vc))
		hidma_feed(hdev);
	spin_unlock_irqrestore(&hdev->vc.lock, flags);
}

/* vc.lock held */
static const struct hidma_failure *hidma_find_failure(struct hidma_dev *hdev,
						      dma_cookie_t cookie)
{
	unsigned int i;

	/* Empty slots hold 0, which is no transfer's cookie. */
	if (cookie < DMA_MIN_COOKIE)
		return NULL;
	for (i = 0; i < HIDMA_ERR_COOKIES; i++)
		if (hdev->err[i].cookie == cookie)
			return &hdev->err[i];
	return NULL;
}

/* vc.lock held; the walk is bounded by max_outstanding */
static struct hidma_desc *hidma_find_desc(struct list_head *list,
					  dma_cookie_t cookie)
{
	struct virt_dma_desc *vd;

	list_for_each_entry(vd, list, node)
		if (vd->tx.cookie == cookie)
			return to_hidma_desc(vd);
	return NULL;
}

static enum dma_status hidma_tx_status(struct dma_chan *chan,
				       dma_cookie_t cookie,
				       struct dma_tx_state *state)
{
	struct hidma_dev *hdev = to_hidma(chan);
	const struct hidma_failure *failure;
	struct hidma_desc *desc;
	enum dma_status status;
	unsigned long flags;
	bool issued = true;

	/*
	 * dma_cookie_status() reads the last assigned and the last completed
	 * cookie one after the other; both are read under the lock that
	 * their writers hold.
	 */
	spin_lock_irqsave(&hdev->vc.lock, flags);
	status = dma_cookie_status(chan, cookie, state);
	if (status == DMA_COMPLETE) {
		failure = hidma_find_failure(hdev, cookie);
		if (failure) {
			status = DMA_ERROR;
			dma_set_residue(state, failure->residue);
		}
		goto out;
	}

	desc = hidma_find_desc(&hdev->ring, cookie);
	if (!desc)
		desc = hidma_find_desc(&hdev->vc.desc_issued, cookie);
	if (!desc) {
		desc = hidma_find_desc(&hdev->vc.desc_submitted, cookie);
		issued = false;
	}
	/* Descriptor granularity: nothing is done until it retires. */
	dma_set_residue(state, desc ? desc->len : 0);
	if (desc && issued && hdev->state == HIDMA_PAUSED)
		status = DMA_PAUSED;
out:
	spin_unlock_irqrestore(&hdev->vc.lock, flags);
	return status;
}

/**
 * hidma_init_dma_device() - fill in the dmaengine device of a channel
 * @hdev: channel being probed
 */
void hidma_init_dma_device(struct hidma_dev *hdev)
{
	struct dma_device *ddev = &hdev->ddev;

	ddev->dev = hdev->dev;
	INIT_LIST_HEAD(&ddev->channels);
	dma_cap_set(DMA_MEMCPY, ddev->cap_mask);
	dma_cap_set(DMA_MEMSET, ddev->cap_mask);
	/* Only handed out on request; never grabbed by async_tx. */
	dma_cap_set(DMA_PRIVATE, ddev->cap_mask);
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

	hdev->max_outstanding = hdev->nr_desc * HIDMA_OUTSTANDING_PER_SLOT;
	INIT_LIST_HEAD(&hdev->ring);
	INIT_LIST_HEAD(&hdev->dead);
	spin_lock_init(&hdev->cache_lock);
	INIT_LIST_HEAD(&hdev->desc_cache);
	hdev->vc.desc_free = hidma_desc_free;
	vchan_init(&hdev->vc, ddev);
	dma_set_max_seg_size(hdev->dev, HIDMA_MAX_XFER_LEN);
}
