// SPDX-License-Identifier: GPL-2.0
/*
 * CPU time of a dmaengine driver's submit path, for "make bench": prep,
 * tx_submit and issue_pending of a memcpy, each timed around its call,
 * one transfer at a time on one channel. The same client for every
 * driver, so the difference is the driver's. Local interrupts are off
 * from prep to issue_pending's return (all three may be called in atomic
 * context): the transfer's own interrupt, which can come before
 * issue_pending returns, is the interrupt path's time, not this.
 *
 *   insmod bench_submit.ko channel=dma0chan0 [count=1000] [size=4096]
 *
 * Runs at load time and prints
 *   bench_submit: SUBMIT,<channel>,<count>,<total ns>,<prep ns>,
 *                 <tx_submit ns>,<issue_pending ns>
 * then stays loaded, holding nothing; rmmod it. Fails to load (-EIO) if a
 * transfer fails or does not complete within a second.
 */
#include <linux/completion.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/slab.h>
#include <linux/string.h>

static char channel[32];
module_param_string(channel, channel, sizeof(channel), 0444);
MODULE_PARM_DESC(channel, "dmaengine channel to time, e.g. dma0chan0");

static unsigned int count = 1000;
module_param(count, uint, 0444);
MODULE_PARM_DESC(count, "Transfers to time (default 1000)");

static unsigned int size = 4096;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "Bytes per transfer (default 4096)");

static bool bench_submit_match(struct dma_chan *chan, void *name)
{
	return !strcmp(dma_chan_name(chan), name);
}

static void bench_submit_done(void *arg, const struct dmaengine_result *res)
{
	struct completion *done = arg;

	complete(done);
}

/* Nanoseconds spent in each of the three calls, summed over the run */
struct bench_submit_ns {
	u64 prep;
	u64 submit;
	u64 issue;
};

static int bench_submit_run(struct dma_chan *chan, dma_addr_t src,
			    dma_addr_t dst, struct bench_submit_ns *ns)
{
	struct dma_async_tx_descriptor *tx;
	DECLARE_COMPLETION_ONSTACK(done);
	unsigned long flags;
	dma_cookie_t cookie;
	u64 t0, t1, t2, t3;
	unsigned int i;

	memset(ns, 0, sizeof(*ns));
	for (i = 0; i < count; i++) {
		reinit_completion(&done);
		local_irq_save(flags);
		t0 = ktime_get_ns();
		tx = dmaengine_prep_dma_memcpy(chan, dst, src, size,
					       DMA_PREP_INTERRUPT);
		t1 = ktime_get_ns();
		if (!tx) {
			local_irq_restore(flags);
			return -EIO;
		}
		tx->callback_result = bench_submit_done;
		tx->callback_param = &done;
		cookie = dmaengine_submit(tx);
		t2 = ktime_get_ns();
		dma_async_issue_pending(chan);
		t3 = ktime_get_ns();
		local_irq_restore(flags);
		ns->prep += t1 - t0;
		ns->submit += t2 - t1;
		ns->issue += t3 - t2;
		if (dma_submit_error(cookie))
			return -EIO;
		if (!wait_for_completion_timeout(&done, HZ) ||
		    dma_async_is_tx_complete(chan, cookie, NULL, NULL) !=
		    DMA_COMPLETE) {
			dmaengine_terminate_sync(chan);
			return -EIO;
		}
	}
	return 0;
}

static int __init bench_submit_init(void)
{
	struct device *dev;
	struct dma_chan *chan;
	dma_cap_mask_t mask;
	dma_addr_t src, dst;
	void *buf;
	struct bench_submit_ns ns;
	int ret;

	if (!channel[0] || !count || !size || size > SZ_1M)
		return -EINVAL;
	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, bench_submit_match, channel);
	if (!chan)
		return -ENODEV;
	dev = chan->device->dev;
	ret = -ENOMEM;
	buf = kzalloc(2 * size, GFP_KERNEL);
	if (!buf)
		goto out_release;
	src = dma_map_single(dev, buf, size, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, src))
		goto out_free;
	dst = dma_map_single(dev, buf + size, size, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, dst))
		goto out_unmap_src;

	ret = bench_submit_run(chan, src, dst, &ns);
	if (!ret)
		pr_info("bench_submit: SUBMIT,%s,%u,%llu,%llu,%llu,%llu\n",
			channel, count, ns.prep + ns.submit + ns.issue,
			ns.prep, ns.submit, ns.issue);

	dma_unmap_single(dev, dst, size, DMA_FROM_DEVICE);
out_unmap_src:
	dma_unmap_single(dev, src, size, DMA_TO_DEVICE);
out_free:
	kfree(buf);
out_release:
	dma_release_channel(chan);
	return ret;
}
module_init(bench_submit_init);

static void __exit bench_submit_exit(void)
{
}
module_exit(bench_submit_exit);

MODULE_DESCRIPTION("HIDMA bench: CPU time of a dmaengine driver's submit path");
MODULE_LICENSE("GPL");
