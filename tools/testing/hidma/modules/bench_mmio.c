// SPDX-License-Identifier: GPL-2.0
/*
 * How long a CPU read of a device register takes while DMA engines copy,
 * for "make bench": an emulated engine that copies under QEMU's big lock
 * holds every vCPU's MMIO access until its copy is done.
 *
 *   insmod bench_mmio.ko probe=<physical address> chans=dma0chan0,dma1chan0
 *          [size=67108864] [reads=20000] [copies=3]
 *
 * Times @reads 32-bit reads of the register at @probe with the engines
 * idle, then reads while every channel of @chans has a memcpy of @size
 * bytes in flight (each channel copies again as soon as it is done),
 * until each channel completed @copies copies (at most 4M reads).
 * Prints
 *   bench_mmio: MMIO,<idle median ns>,<idle p99>,<idle max>,<idle mean>,
 *               <busy median>,<busy p99>,<busy max>,<busy mean>,
 *               <busy reads>,<copies completed>
 * The mean weighs a read that waited long by its wait: a vCPU held for
 * milliseconds makes few reads, which the percentiles barely see.
 * then stays loaded, holding nothing; rmmod it. Fails to load (-EIO) if a
 * copy fails or the copies do not get going within 10 seconds.
 */
#include <linux/atomic.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/io.h>
#include <linux/jiffies.h>
#include <linux/math64.h>
#include <linux/ktime.h>
#include <linux/module.h>
#include <linux/sizes.h>
#include <linux/sort.h>
#include <linux/string.h>
#include <linux/vmalloc.h>

#define BENCH_MMIO_MAX_CHANS	4

static unsigned long long probe;
module_param(probe, ullong, 0444);
MODULE_PARM_DESC(probe, "Physical address of the register to read");

static char *chans[BENCH_MMIO_MAX_CHANS];
static int nchans;
module_param_array(chans, charp, &nchans, 0444);
MODULE_PARM_DESC(chans, "dmaengine channels that copy meanwhile");

static unsigned int size = SZ_64M;
module_param(size, uint, 0444);
MODULE_PARM_DESC(size, "Bytes per copy (default 64 MiB)");

static unsigned int reads = 20000;
module_param(reads, uint, 0444);
MODULE_PARM_DESC(reads, "Reads to time with the engines idle (default 20000)");

static unsigned int copies = 3;
module_param(copies, uint, 0444);
MODULE_PARM_DESC(copies, "Copies each channel completes while reads are timed (default 3)");

#define BENCH_MMIO_MAX_READS	(4u << 20)

struct bench_mmio_chan {
	struct dma_chan *chan;
	struct device *dev;
	void *buf;
	dma_addr_t dma;
	atomic_t busy;			/* a copy is in flight */
	atomic_t errors;
	atomic_t completed;
};

static struct bench_mmio_chan bench[BENCH_MMIO_MAX_CHANS];

static bool bench_mmio_match(struct dma_chan *chan, void *name)
{
	return !strcmp(dma_chan_name(chan), name);
}

static void bench_mmio_done(void *arg, const struct dmaengine_result *res)
{
	struct bench_mmio_chan *b = arg;

	if (res->result != DMA_TRANS_NOERROR)
		atomic_inc(&b->errors);
	atomic_inc(&b->completed);
	atomic_set(&b->busy, 0);
}

/* The first half of the channel's buffer onto the second */
static int bench_mmio_copy(struct bench_mmio_chan *b)
{
	struct dma_async_tx_descriptor *tx;

	tx = dmaengine_prep_dma_memcpy(b->chan, b->dma + size, b->dma, size,
				       DMA_PREP_INTERRUPT);
	if (!tx)
		return -EIO;
	tx->callback_result = bench_mmio_done;
	tx->callback_param = b;
	atomic_set(&b->busy, 1);
	if (dma_submit_error(dmaengine_submit(tx))) {
		atomic_set(&b->busy, 0);
		return -EIO;
	}
	dma_async_issue_pending(b->chan);
	return 0;
}

/* Resubmit the channels that are done; *all_busy: none was */
static int bench_mmio_keep_copying(bool *all_busy)
{
	int i, ret;

	*all_busy = true;
	for (i = 0; i < nchans; i++) {
		if (atomic_read(&bench[i].errors))
			return -EIO;
		if (atomic_read(&bench[i].busy))
			continue;
		*all_busy = false;
		ret = bench_mmio_copy(&bench[i]);
		if (ret)
			return ret;
	}
	return 0;
}

static u64 bench_mmio_mean(const u64 *ns, unsigned int n)
{
	u64 sum = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		sum += ns[i];
	return div_u64(sum, n);
}

static int bench_mmio_cmp(const void *a, const void *b)
{
	u64 x = *(const u64 *)a, y = *(const u64 *)b;

	return x < y ? -1 : x > y;
}

static bool bench_mmio_copied_enough(void)
{
	int i;

	for (i = 0; i < nchans; i++)
		if (atomic_read(&bench[i].completed) < copies)
			return false;
	return true;
}

/*
 * Time @max reads, or with @busy those made while every channel has a
 * copy in flight, until each channel completed @copies copies. Returns
 * how many reads were timed, sorted in @ns, or a negative error.
 */
static int bench_mmio_time(void __iomem *reg, u64 *ns, unsigned int max,
			   bool busy)
{
	unsigned long deadline = jiffies + 10 * HZ;
	unsigned int n = 0;
	bool all_busy = true;
	unsigned long flags;
	u64 t0, t1;
	int ret;

	while (n < max && !(busy && bench_mmio_copied_enough())) {
		if (busy) {
			ret = bench_mmio_keep_copying(&all_busy);
			if (ret)
				return ret;
		}
		/* the read alone, not the interrupts that come meanwhile */
		local_irq_save(flags);
		t0 = ktime_get_ns();
		readl(reg);
		t1 = ktime_get_ns();
		local_irq_restore(flags);
		if (all_busy) {
			ns[n++] = t1 - t0;
			deadline = jiffies + 10 * HZ;
		} else if (time_after(jiffies, deadline)) {
			return -EIO;
		}
		cond_resched();
	}
	sort(ns, n, sizeof(*ns), bench_mmio_cmp, NULL);
	return n;
}

static void bench_mmio_release(void)
{
	int i;

	for (i = 0; i < nchans; i++) {
		if (!bench[i].chan)
			continue;
		dmaengine_terminate_sync(bench[i].chan);
		if (bench[i].buf)
			dma_free_coherent(bench[i].dev, 2ull * size, bench[i].buf,
					  bench[i].dma);
		dma_release_channel(bench[i].chan);
		bench[i].chan = NULL;
	}
}

static int __init bench_mmio_init(void)
{
	u64 *idle, *busy;
	void __iomem *reg;
	dma_cap_mask_t mask;
	unsigned int done = 0;
	int i, n, ret = -ENOMEM;

	if (!probe || !nchans || !size || !reads || !copies)
		return -EINVAL;
	idle = vmalloc_array(reads, sizeof(*idle));
	busy = vmalloc_array(BENCH_MMIO_MAX_READS, sizeof(*busy));
	reg = ioremap(probe, sizeof(u32));
	if (!idle || !busy || !reg)
		goto out;

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	for (i = 0; i < nchans; i++) {
		struct bench_mmio_chan *b = &bench[i];

		b->chan = dma_request_channel(mask, bench_mmio_match, chans[i]);
		if (!b->chan) {
			ret = -ENODEV;
			goto out_release;
		}
		b->dev = b->chan->device->dev;
		b->buf = dma_alloc_coherent(b->dev, 2ull * size, &b->dma,
					    GFP_KERNEL);
		if (!b->buf) {
			ret = -ENOMEM;
			goto out_release;
		}
	}

	ret = bench_mmio_time(reg, idle, reads, false);
	n = ret < 0 ? ret : bench_mmio_time(reg, busy, BENCH_MMIO_MAX_READS, true);
	ret = n < 0 ? n : 0;
	if (n > 0) {
		for (i = 0; i < nchans; i++)
			done += atomic_read(&bench[i].completed);
		pr_info("bench_mmio: MMIO,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%llu,%d,%u\n",
			idle[reads / 2], idle[reads * 99 / 100], idle[reads - 1],
			bench_mmio_mean(idle, reads), busy[n / 2],
			busy[n * 99 / 100], busy[n - 1], bench_mmio_mean(busy, n),
			n, done);
	} else if (!n) {
		ret = -EIO;
	}

out_release:
	bench_mmio_release();
out:
	if (reg)
		iounmap(reg);
	vfree(busy);
	vfree(idle);
	return ret;
}
module_init(bench_mmio_init);

static void __exit bench_mmio_exit(void)
{
}
module_exit(bench_mmio_exit);

MODULE_DESCRIPTION("HIDMA bench: MMIO read latency while DMA copies");
MODULE_LICENSE("GPL");
