// SPDX-License-Identifier: GPL-2.0
/*
 * In-guest test client for the HIDMA channel driver. It checks what
 * dmatest does not: the transfer result of every callback, error
 * reporting and recovery, terminate_all + synchronize, pause/resume,
 * residue and addresses above 4 GiB.
 *
 * Load it with the channel to test and the test to run, e.g.
 *
 *   insmod hidma_test_client.ko channel=dma0chan0 test=error expect=1
 *
 * The tests run at load time. Results are printed as KTAP to the kernel
 * log and left in the read-only parameters "passed", "failed" and
 * "skipped"; the suite reads them and unloads the module. Every wait is
 * bounded, so a broken driver makes a test fail, never hang.
 *
 * test=hold is different: it keeps the channel and streams transfers from
 * a kernel thread until the module is unloaded, so that a suite can
 * unbind the provider under traffic. Each transfer's buffers are mapped
 * for the provider's device just before it is submitted and unmapped by
 * its callback; no new mapping is made while the provider is being
 * unbound (see hold_bus_event()). The counters hold_ok, hold_errors,
 * hold_timeouts and hold_bad_data tell what the stream saw; every round
 * copies a new pattern, so a transfer that did not run is seen.
 */

#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/hrtimer.h>
#include <linux/io.h>
#include <linux/iommu.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/notifier.h>
#include <linux/sizes.h>
#include <linux/module.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/sched.h>
#include <linux/suspend.h>
#include <linux/slab.h>
#include <linux/string.h>

static char *channel;
module_param(channel, charp, 0444);
MODULE_PARM_DESC(channel, "dmaengine channel to test, e.g. dma0chan0");

static char *test = "basic";
module_param(test, charp, 0444);
MODULE_PARM_DESC(test,
		 "basic|pause|highmem|all (those three)|terminate|error|after-fail|iommu-fault|rerun|terminate-unmap|pause-late|prep-limit|large|nosleep|hold");

static int expect = DMA_TRANS_READ_FAILED;
module_param(expect, int, 0444);
MODULE_PARM_DESC(expect, "error: expected tx_result of the failed transfers (1 read, 2 write, 3 aborted)");

static int nfail = 1;
module_param(nfail, int, 0444);
MODULE_PARM_DESC(nfail, "error: transfers the suite made the hardware fail");

static int timeout_ms = 10000;
module_param(timeout_ms, int, 0444);
MODULE_PARM_DESC(timeout_ms, "bound of every wait");

static int passed;
module_param(passed, int, 0444);
MODULE_PARM_DESC(passed, "number of checks that passed");

static int failed;
module_param(failed, int, 0444);
MODULE_PARM_DESC(failed, "number of checks that failed");

static int skipped;
module_param(skipped, int, 0444);
MODULE_PARM_DESC(skipped, "number of checks skipped");

static int hold_ok;
module_param(hold_ok, int, 0444);
MODULE_PARM_DESC(hold_ok, "hold: transfers completed without error");

static int hold_errors;
module_param(hold_errors, int, 0444);
MODULE_PARM_DESC(hold_errors, "hold: transfers refused or completed with an error");

static int hold_timeouts;
module_param(hold_timeouts, int, 0444);
MODULE_PARM_DESC(hold_timeouts, "hold: transfers whose callback never came");

static int hold_bad_data;
module_param(hold_bad_data, int, 0444);
MODULE_PARM_DESC(hold_bad_data, "hold: transfers that reported success with wrong data");

static int hold_len = SZ_16K;
module_param(hold_len, int, 0444);
MODULE_PARM_DESC(hold_len, "hold: bytes per transfer (4 KiB..1 MiB)");

static int hold_early;
module_param(hold_early, int, 0444);
MODULE_PARM_DESC(hold_early, "hold: callbacks of failed transfers that ran while the channel was still enabled");

static int hold_tick_us;
module_param(hold_tick_us, int, 0444);
MODULE_PARM_DESC(hold_tick_us, "hold: keep a timer interrupt coming on every CPU at this period (0: none)");

static int ktap_num;

static void check(bool ok, const char *fmt, ...)
{
	struct va_format vaf;
	va_list args;

	va_start(args, fmt);
	vaf.fmt = fmt;
	vaf.va = &args;
	ktap_num++;
	pr_info("%sok %d %pV\n", ok ? "" : "not ", ktap_num, &vaf);
	va_end(args);
	if (ok)
		passed++;
	else
		failed++;
}

static void skip(const char *what, const char *why)
{
	ktap_num++;
	skipped++;
	pr_info("ok %d %s # SKIP %s\n", ktap_num, what, why);
}

struct xfer {
	struct completion done;
	struct dmaengine_result res;
	dma_cookie_t cookie;
	atomic_t *counter;
	bool called;
};

static void xfer_callback(void *arg, const struct dmaengine_result *res)
{
	struct xfer *x = arg;

	x->res = *res;
	x->called = true;
	if (x->counter)
		atomic_inc(x->counter);
	complete(&x->done);
}

/* A coherent buffer pair on the channel's device. */
struct bufs {
	struct device *dev;
	size_t size;
	u8 *src, *dst;
	dma_addr_t src_dma, dst_dma;
};

static int bufs_alloc(struct bufs *b, struct dma_chan *chan, size_t size)
{
	b->dev = chan->device->dev;
	b->size = size;
	b->src = dma_alloc_coherent(b->dev, size, &b->src_dma, GFP_KERNEL);
	b->dst = dma_alloc_coherent(b->dev, size, &b->dst_dma, GFP_KERNEL);
	if (!b->src || !b->dst)
		return -ENOMEM;
	return 0;
}

static void bufs_free(struct bufs *b)
{
	if (b->src)
		dma_free_coherent(b->dev, b->size, b->src, b->src_dma);
	if (b->dst)
		dma_free_coherent(b->dev, b->size, b->dst, b->dst_dma);
}

static void fill_pattern(u8 *p, size_t len, u8 seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		p[i] = (u8)(seed + i * 7 + (i >> 8));
}

/* Prepare and submit one transfer; memset when src is 0. */
static int submit(struct dma_chan *chan, struct xfer *x, dma_addr_t dst,
		  dma_addr_t src, int value, size_t len, atomic_t *counter)
{
	struct dma_async_tx_descriptor *tx;

	init_completion(&x->done);
	x->called = false;
	x->counter = counter;
	x->res.result = -1;
	if (src)
		tx = dmaengine_prep_dma_memcpy(chan, dst, src, len,
					       DMA_PREP_INTERRUPT);
	else
		tx = dmaengine_prep_dma_memset(chan, dst, value, len,
					       DMA_PREP_INTERRUPT);
	if (!tx)
		return -EIO;
	tx->callback_result = xfer_callback;
	tx->callback_param = x;
	x->cookie = dmaengine_submit(tx);
	return dma_submit_error(x->cookie) ? -EIO : 0;
}

static bool wait_xfer(struct xfer *x)
{
	return wait_for_completion_timeout(&x->done,
					   msecs_to_jiffies(timeout_ms)) > 0;
}

#define NR_BASIC	16

static void test_basic(struct dma_chan *chan)
{
	struct xfer *x;
	struct bufs b = {};
	size_t len[NR_BASIC], off[NR_BASIC], pos = 0;
	int i, ok_res = 0, ok_data = 0, ok_wait = 0, ret = 0;

	x = kcalloc(NR_BASIC, sizeof(*x), GFP_KERNEL);
	if (!x || bufs_alloc(&b, chan, NR_BASIC * 8192)) {
		check(false, "basic: allocate buffers");
		goto out;
	}
	fill_pattern(b.src, b.size, 0x11);
	memset(b.dst, 0, b.size);
	/* Odd lengths and offsets: the engine has no alignment needs. */
	for (i = 0; i < NR_BASIC; i++) {
		off[i] = pos + (i & 7);
		len[i] = 4096 + i * 3 + 1;
		pos += 8192;
		if (i % 4 == 3)
			ret |= submit(chan, &x[i], b.dst_dma + off[i], 0,
				      0xa0 + i, len[i], NULL);
		else
			ret |= submit(chan, &x[i], b.dst_dma + off[i],
				      b.src_dma + off[i], 0, len[i], NULL);
	}
	check(!ret, "basic: prep and submit %d memcpy/memset", NR_BASIC);
	dma_async_issue_pending(chan);
	for (i = 0; i < NR_BASIC; i++) {
		if (!wait_xfer(&x[i]))
			continue;
		ok_wait++;
		if (x[i].res.result == DMA_TRANS_NOERROR && !x[i].res.residue)
			ok_res++;
		if (i % 4 == 3) {
			if (!memchr_inv(b.dst + off[i], 0xa0 + i, len[i]))
				ok_data++;
		} else if (!memcmp(b.dst + off[i], b.src + off[i], len[i])) {
			ok_data++;
		}
	}
	check(ok_wait == NR_BASIC, "basic: all callbacks arrived (%d)", ok_wait);
	check(ok_res == NR_BASIC, "basic: all results NOERROR, residue 0 (%d)",
	      ok_res);
	check(ok_data == NR_BASIC, "basic: data correct (%d)", ok_data);
	check(dmaengine_tx_status(chan, x[NR_BASIC - 1].cookie, NULL) ==
	      DMA_COMPLETE, "basic: tx_status COMPLETE");
out:
	if (ok_wait != NR_BASIC)
		dmaengine_terminate_sync(chan);
	bufs_free(&b);
	kfree(x);
}

#define NR_ERR		8
#define ERR_LEN		4096

/*
 * The suite told the model to fail the next nfail TREs of this channel.
 * The driver must report those transfers, oldest first, with the result
 * of the injected cause, recover by itself and complete the transfers
 * queued behind them normally.
 */
static void test_error(struct dma_chan *chan)
{
	struct xfer *x;
	struct bufs b = {};
	int i, nerr = 0, nok = 0, ndata = 0, first_ok = -1, ret = 0;
	bool order = true, residue = true, waited = true, status = true;
	struct dma_tx_state st;
	enum dma_status want;

	x = kcalloc(NR_ERR, sizeof(*x), GFP_KERNEL);
	if (!x || bufs_alloc(&b, chan, NR_ERR * ERR_LEN)) {
		check(false, "error: allocate buffers");
		goto out;
	}
	fill_pattern(b.src, b.size, 0x5a);
	memset(b.dst, 0, b.size);
	for (i = 0; i < NR_ERR; i++)
		ret |= submit(chan, &x[i], b.dst_dma + i * ERR_LEN,
			      b.src_dma + i * ERR_LEN, 0, ERR_LEN, NULL);
	check(!ret, "error: submit %d transfers", NR_ERR);
	dma_async_issue_pending(chan);
	for (i = 0; i < NR_ERR; i++) {
		if (!wait_xfer(&x[i])) {
			waited = false;
			continue;
		}
		if (x[i].res.result == expect) {
			nerr++;
			if (first_ok >= 0)
				order = false;
			if (x[i].res.residue != ERR_LEN)
				residue = false;
		} else if (x[i].res.result == DMA_TRANS_NOERROR) {
			nok++;
			if (first_ok < 0)
				first_ok = i;
			if (!memcmp(b.dst + i * ERR_LEN, b.src + i * ERR_LEN,
				    ERR_LEN))
				ndata++;
		} else {
			pr_info("# transfer %d: unexpected result %d\n", i,
				x[i].res.result);
		}
		want = x[i].res.result == DMA_TRANS_NOERROR ? DMA_COMPLETE :
							      DMA_ERROR;
		/* The residue tx_status gives is the one the callback got. */
		if (dmaengine_tx_status(chan, x[i].cookie, &st) != want ||
		    st.residue != x[i].res.residue)
			status = false;
	}
	check(waited, "error: every transfer got its callback");
	check(status,
	      "error: tx_status is DMA_ERROR for failed transfers, DMA_COMPLETE for the rest, with the callback's residue");
	check(nerr == nfail, "error: %d transfers reported result %d (want %d)",
	      nerr, expect, nfail);
	check(order, "error: the failed transfers are the oldest ones");
	check(residue, "error: failed transfers report the full residue");
	check(nok == NR_ERR - nfail && ndata == nok,
	      "error: queued transfers completed normally with correct data (%d/%d)",
	      ndata, NR_ERR - nfail);

	/* The channel recovered: a new batch works. */
	memset(b.dst, 0, b.size);
	ret = 0;
	for (i = 0; i < NR_ERR; i++)
		ret |= submit(chan, &x[i], b.dst_dma + i * ERR_LEN,
			      b.src_dma + i * ERR_LEN, 0, ERR_LEN, NULL);
	dma_async_issue_pending(chan);
	nok = 0;
	for (i = 0; i < NR_ERR; i++)
		if (wait_xfer(&x[i]) && x[i].res.result == DMA_TRANS_NOERROR &&
		    !memcmp(b.dst + i * ERR_LEN, b.src + i * ERR_LEN, ERR_LEN))
			nok++;
	check(!ret && nok == NR_ERR, "error: later transfers work (%d/%d)",
	      nok, NR_ERR);
out:
	dmaengine_terminate_sync(chan);
	bufs_free(&b);
	kfree(x);
}

/* After the suite made a channel reset hang: nobody waits forever. */
static void test_after_fail(struct dma_chan *chan)
{
	struct xfer *x;
	struct bufs b = {};
	int i, called = 0, ret = 0;

	x = kcalloc(NR_ERR, sizeof(*x), GFP_KERNEL);
	if (!x || bufs_alloc(&b, chan, NR_ERR * ERR_LEN)) {
		check(false, "after-fail: allocate buffers");
		goto out;
	}
	for (i = 0; i < NR_ERR; i++)
		ret |= submit(chan, &x[i], b.dst_dma + i * ERR_LEN,
			      b.src_dma + i * ERR_LEN, 0, ERR_LEN, NULL);
	dma_async_issue_pending(chan);
	for (i = 0; i < NR_ERR; i++)
		if (wait_xfer(&x[i]))
			called++;
	check(!ret, "after-fail: submit");
	check(called == NR_ERR, "after-fail: every transfer completed (%d)",
	      called);
	check(x[0].res.result == expect,
	      "after-fail: first transfer result %d (want %d)",
	      x[0].res.result, expect);
	for (i = 1; i < NR_ERR; i++)
		if (x[i].res.result != DMA_TRANS_ABORTED &&
		    x[i].res.result != DMA_TRANS_NOERROR)
			break;
	check(i == NR_ERR, "after-fail: the others completed or were aborted");
	/* Now the channel is failed: new work is refused or aborted. */
	ret = submit(chan, &x[0], b.dst_dma, b.src_dma, 0, ERR_LEN, NULL);
	if (!ret) {
		dma_async_issue_pending(chan);
		check(wait_xfer(&x[0]) &&
		      x[0].res.result == DMA_TRANS_ABORTED,
		      "after-fail: new transfer aborted");
	} else {
		check(true, "after-fail: new transfer refused at prep");
	}
	/* The documented way back: terminate, then the channel is reset. */
	dmaengine_terminate_sync(chan);
	fill_pattern(b.src, ERR_LEN, 0x66);
	ret = submit(chan, &x[0], b.dst_dma, b.src_dma, 0, ERR_LEN, NULL);
	if (!ret)
		dma_async_issue_pending(chan);
	check(!ret && wait_xfer(&x[0]) &&
	      x[0].res.result == DMA_TRANS_NOERROR &&
	      !memcmp(b.dst, b.src, ERR_LEN),
	      "after-fail: after terminate_sync the channel works again");
out:
	dmaengine_terminate_sync(chan);
	bufs_free(&b);
	kfree(x);
}

#define FAULT_LEN	SZ_4K

/* Wait for a transfer the test expects to fail; says what it got. */
static void check_fault(struct dma_chan *chan, struct xfer *x, int want,
			const char *what)
{
	dma_async_issue_pending(chan);
	if (!wait_xfer(x)) {
		check(false, "iommu-fault: %s: no callback", what);
		return;
	}
	check(x->res.result == want && x->res.residue == FAULT_LEN,
	      "iommu-fault: %s: result %d residue %u (want %d, %u)", what,
	      x->res.result, x->res.residue, want, FAULT_LEN);
}

/*
 * The channel sits behind a translating IOMMU. A transfer aimed at a bus
 * address outside the client's mappings must fail on the side that
 * faulted and leave the memory alone. The stray address is the physical
 * address of a canary page: without the IOMMU the write would land there.
 */
static void test_iommu_fault(struct dma_chan *chan)
{
	struct device *dev = chan->device->dev;
	struct iommu_domain *dom = iommu_get_domain_for_dev(dev);
	struct page *canary = NULL;
	struct bufs b = {};
	dma_addr_t stray;
	struct xfer x;
	u8 *want = NULL;

	if (!dom || !(dom->type & __IOMMU_DOMAIN_PAGING)) {
		check(false, "iommu-fault: the channel has a translating IOMMU domain");
		return;
	}
	canary = alloc_page(GFP_KERNEL);
	want = kmalloc(PAGE_SIZE, GFP_KERNEL);
	if (!canary || !want || bufs_alloc(&b, chan, 2 * FAULT_LEN)) {
		check(false, "iommu-fault: allocate buffers");
		goto out;
	}
	fill_pattern(page_address(canary), PAGE_SIZE, 0xc3);
	memcpy(want, page_address(canary), PAGE_SIZE);
	stray = page_to_phys(canary);
	if (iommu_iova_to_phys(dom, stray)) {
		check(false, "iommu-fault: bus address %pad is unmapped", &stray);
		goto out;
	}
	fill_pattern(b.src, FAULT_LEN, 0x3c);
	memset(b.dst, 0, FAULT_LEN);
	pr_info("# stray bus address %pad, buffers at %pad and %pad\n", &stray,
		&b.src_dma, &b.dst_dma);

	if (submit(chan, &x, stray, b.src_dma, 0, FAULT_LEN, NULL))
		check(false, "iommu-fault: submit the stray write");
	else
		check_fault(chan, &x, DMA_TRANS_WRITE_FAILED, "memcpy to it");
	if (submit(chan, &x, stray, 0, 0xee, FAULT_LEN, NULL))
		check(false, "iommu-fault: submit the stray memset");
	else
		check_fault(chan, &x, DMA_TRANS_WRITE_FAILED, "memset of it");
	if (submit(chan, &x, b.dst_dma, stray, 0, FAULT_LEN, NULL)) {
		check(false, "iommu-fault: submit the stray read");
	} else {
		check_fault(chan, &x, DMA_TRANS_READ_FAILED, "memcpy from it");
		check(!memchr_inv(b.dst, 0, FAULT_LEN),
		      "iommu-fault: nothing written by the failed read");
	}
	check(!memcmp(page_address(canary), want, PAGE_SIZE),
	      "iommu-fault: the canary behind the stray address is untouched");

	/* The channel recovered: a mapped transfer works. */
	if (submit(chan, &x, b.dst_dma, b.src_dma, 0, FAULT_LEN, NULL)) {
		check(false, "iommu-fault: submit after the faults");
	} else {
		dma_async_issue_pending(chan);
		check(wait_xfer(&x) && x.res.result == DMA_TRANS_NOERROR &&
		      !memcmp(b.dst, b.src, FAULT_LEN),
		      "iommu-fault: the next transfer passes with correct data");
	}
out:
	dmaengine_terminate_sync(chan);
	bufs_free(&b);
	if (canary)
		__free_page(canary);
	kfree(want);
}

#define NR_TERM		64
#define TERM_LEN	SZ_64K

/*
 * terminate_all in the middle of a stream (the suite slows the bus down),
 * then synchronize: no callback may run after synchronize returned.
 */
static void test_terminate(struct dma_chan *chan)
{
	struct xfer *x;
	struct bufs b = {};
	atomic_t calls = ATOMIC_INIT(0);
	int i, after, ret = 0;
	unsigned long t0;

	x = kcalloc(NR_TERM, sizeof(*x), GFP_KERNEL);
	if (!x || bufs_alloc(&b, chan, TERM_LEN * 2)) {
		check(false, "terminate: allocate buffers");
		goto out;
	}
	for (i = 0; i < NR_TERM; i++)
		ret |= submit(chan, &x[i], b.dst_dma + (i & 1) * TERM_LEN,
			      b.src_dma + (i & 1) * TERM_LEN, 0, TERM_LEN,
			      &calls);
	check(!ret, "terminate: submit %d transfers", NR_TERM);
	dma_async_issue_pending(chan);
	check(wait_xfer(&x[0]), "terminate: first transfer completed");

	t0 = jiffies;
	ret = dmaengine_terminate_async(chan);
	check(!ret, "terminate: terminate_async returned %d", ret);
	dmaengine_synchronize(chan);
	after = atomic_read(&calls);
	pr_info("# %d of %d callbacks before synchronize returned (%u ms)\n",
		after, NR_TERM, jiffies_to_msecs(jiffies - t0));
	msleep(200);
	check(atomic_read(&calls) == after,
	      "terminate: no callback after synchronize (%d -> %d)", after,
	      atomic_read(&calls));
	check(after < NR_TERM, "terminate: transfers were still queued");
	for (i = 0; i < NR_TERM; i++)
		if (x[i].called && x[i].res.result != DMA_TRANS_NOERROR)
			break;
	check(i == NR_TERM, "terminate: callbacks that ran reported NOERROR");

	/* The channel still works afterwards. */
	fill_pattern(b.src, TERM_LEN, 3);
	ret = submit(chan, &x[0], b.dst_dma, b.src_dma, 0, 4096, NULL);
	dma_async_issue_pending(chan);
	check(!ret && wait_xfer(&x[0]) &&
	      x[0].res.result == DMA_TRANS_NOERROR &&
	      !memcmp(b.dst, b.src, 4096), "terminate: channel works afterwards");
out:
	dmaengine_terminate_sync(chan);
	bufs_free(&b);
	kfree(x);
}

#define NR_PAUSE	4
#define PAUSE_LEN	8192

static void test_pause(struct dma_chan *chan)
{
	struct xfer x[NR_PAUSE], extra;
	struct dma_tx_state state;
	struct bufs b = {};
	atomic_t calls = ATOMIC_INIT(0);
	enum dma_status st;
	int i, ok = 0, ret;

	if (bufs_alloc(&b, chan, NR_PAUSE * PAUSE_LEN)) {
		check(false, "pause: allocate buffers");
		goto out;
	}
	fill_pattern(b.src, b.size, 0x33);
	memset(b.dst, 0, b.size);

	ret = dmaengine_pause(chan);
	check(!ret, "pause: device_pause returned %d", ret);
	ret = 0;
	for (i = 0; i < NR_PAUSE; i++)
		ret |= submit(chan, &x[i], b.dst_dma + i * PAUSE_LEN,
			      b.src_dma + i * PAUSE_LEN, 0, PAUSE_LEN, &calls);
	dma_async_issue_pending(chan);
	msleep(100);
	check(!ret && atomic_read(&calls) == 0,
	      "pause: nothing completes while paused (%d)",
	      atomic_read(&calls));
	st = dmaengine_tx_status(chan, x[0].cookie, &state);
	check(st == DMA_PAUSED, "pause: tx_status PAUSED (%d)", st);
	check(state.residue == PAUSE_LEN,
	      "residue: pending transfer reports %u (want %u)", state.residue,
	      PAUSE_LEN);
	/* Submitted, not issued: pause does not concern it. */
	ret = submit(chan, &extra, b.dst_dma, b.src_dma, 0, PAUSE_LEN, &calls);
	st = ret ? DMA_ERROR : dmaengine_tx_status(chan, extra.cookie, NULL);
	check(st == DMA_IN_PROGRESS,
	      "pause: a transfer not issued is IN_PROGRESS, not PAUSED (%d)", st);

	ret = dmaengine_resume(chan);
	check(!ret, "pause: device_resume returned %d", ret);
	for (i = 0; i < NR_PAUSE; i++)
		if (wait_xfer(&x[i]) && x[i].res.result == DMA_TRANS_NOERROR &&
		    !memcmp(b.dst + i * PAUSE_LEN, b.src + i * PAUSE_LEN,
			    PAUSE_LEN))
			ok++;
	check(ok == NR_PAUSE, "pause: all transfers completed after resume (%d)",
	      ok);
	st = dmaengine_tx_status(chan, x[NR_PAUSE - 1].cookie, &state);
	check(st == DMA_COMPLETE && state.residue == 0,
	      "residue: completed transfer reports 0 (%d, %u)", st,
	      state.residue);
out:
	dmaengine_terminate_sync(chan);
	bufs_free(&b);
}

static bool filter_by_name(struct dma_chan *chan, void *param)
{
	return !strcmp(dma_chan_name(chan), param);
}

/* The channel's interrupt, so that a test can hold its events back. */
static int chan_irq(struct dma_chan *chan)
{
	return platform_get_irq(to_platform_device(chan->device->dev), 0);
}

/* Poll (sleeping) until @a and @b hold the same bytes, within timeout_ms. */
static bool wait_same(const u8 *a, const u8 *b, size_t len)
{
	unsigned long end = jiffies + msecs_to_jiffies(timeout_ms);

	while (memcmp(a, b, len)) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(5000, 10000);
	}
	return true;
}

#define RERUN_LEN	SZ_4K

/*
 * T1 copies buf to out, T2 then copies in over buf. Both finish in the
 * hardware while their events wait (the interrupt is held back), and the
 * system suspends the devices. A driver that resets the channel without
 * reading its events first runs T1 again after the resume, and out then
 * gets in's data. The suite set /sys/power/pm_test to "devices".
 */
static void test_rerun(struct dma_chan *chan)
{
	struct xfer x[2];
	struct bufs b = {};
	u8 *orig = NULL, *buf, *in, *out;
	int irq = chan_irq(chan), ret;
	bool landed;

	orig = kmalloc(RERUN_LEN, GFP_KERNEL);
	if (irq < 0 || !orig || bufs_alloc(&b, chan, 2 * RERUN_LEN)) {
		check(false, "rerun: allocate buffers, find the irq (%d)", irq);
		goto out;
	}
	buf = b.src;
	in = b.src + RERUN_LEN;
	out = b.dst;
	fill_pattern(buf, RERUN_LEN, 0x21);
	fill_pattern(in, RERUN_LEN, 0x87);
	memset(out, 0, RERUN_LEN);
	memcpy(orig, buf, RERUN_LEN);

	disable_irq(irq);
	ret = submit(chan, &x[0], b.dst_dma, b.src_dma, 0, RERUN_LEN, NULL);
	ret |= submit(chan, &x[1], b.src_dma, b.src_dma + RERUN_LEN, 0,
		      RERUN_LEN, NULL);
	dma_async_issue_pending(chan);
	landed = !ret && wait_same(buf, in, RERUN_LEN);
	check(landed, "rerun: T1 and T2 ran, their events not read yet");
	ret = pm_suspend(PM_SUSPEND_TO_IDLE);
	enable_irq(irq);
	check(!ret, "rerun: the devices suspended and resumed (%d)", ret);
	check(wait_xfer(&x[0]) && wait_xfer(&x[1]) &&
	      x[0].res.result == DMA_TRANS_NOERROR &&
	      x[1].res.result == DMA_TRANS_NOERROR,
	      "rerun: both completed without error (%d, %d)", x[0].res.result,
	      x[1].res.result);
	check(!memcmp(out, orig, RERUN_LEN),
	      "rerun: out holds buf's original data: no transfer ran twice");
out:
	dmaengine_terminate_sync(chan);
	bufs_free(&b);
	kfree(orig);
}

#define SLOW_LEN	SZ_256K

/* Pages mapped for one transfer, unmapped by the provider (unmap data). */
static struct dma_async_tx_descriptor *
prep_with_unmap(struct dma_chan *chan, struct page *src, struct page *dst,
		size_t len)
{
	struct device *dev = chan->device->dev;
	struct dmaengine_unmap_data *um;
	struct dma_async_tx_descriptor *tx = NULL;

	um = dmaengine_get_unmap_data(dev, 2, GFP_KERNEL);
	if (!um)
		return NULL;
	um->len = len;
	um->addr[0] = dma_map_page(dev, src, 0, len, DMA_TO_DEVICE);
	if (dma_mapping_error(dev, um->addr[0]))
		goto out;
	um->to_cnt = 1;
	um->addr[1] = dma_map_page(dev, dst, 0, len, DMA_FROM_DEVICE);
	if (dma_mapping_error(dev, um->addr[1]))
		goto out;
	um->from_cnt = 1;
	tx = dmaengine_prep_dma_memcpy(chan, um->addr[1], um->addr[0], len, 0);
	if (tx)
		dma_set_unmap(tx, um);
out:
	dmaengine_unmap_put(um);
	return tx;
}

/*
 * A slow transfer (the suite paced the bus) whose mappings the provider
 * owns is terminated while it runs. Its pages must stay mapped until
 * synchronize: on the strict IOMMU layout an early unmap makes the engine
 * fault, which the suite sees in the model's failure count and the SMMU's
 * event log.
 */
static void test_terminate_unmap(struct dma_chan *chan)
{
	struct dma_async_tx_descriptor *tx;
	struct page *src, *dst;
	dma_cookie_t cookie;
	int order = get_order(SLOW_LEN);

	src = alloc_pages(GFP_KERNEL, order);
	dst = alloc_pages(GFP_KERNEL, order);
	if (!src || !dst) {
		check(false, "terminate-unmap: allocate pages");
		goto out;
	}
	memset(page_address(src), 0x5c, SLOW_LEN);
	tx = prep_with_unmap(chan, src, dst, SLOW_LEN);
	cookie = tx ? dmaengine_submit(tx) : -EIO;
	check(!dma_submit_error(cookie), "terminate-unmap: submitted");
	dma_async_issue_pending(chan);
	msleep(50);
	check(dmaengine_tx_status(chan, cookie, NULL) == DMA_IN_PROGRESS,
	      "terminate-unmap: still running when terminated");
	check(!dmaengine_terminate_async(chan), "terminate-unmap: terminated");
	/* The engine runs on for a while; the client has not synchronized. */
	msleep(200);
	dmaengine_synchronize(chan);
	check(true, "terminate-unmap: synchronized");
out:
	if (src)
		__free_pages(src, order);
	if (dst)
		__free_pages(dst, order);
}

/*
 * The suite made the channel's SUSPEND take longer than the driver polls
 * for it. Whatever pause() answers, the driver and the channel must agree
 * afterwards: paused means nothing runs until resume, an error means
 * transfers still run.
 */
static void test_pause_late(struct dma_chan *chan)
{
	struct xfer x;
	struct bufs b = {};
	int ret;

	if (bufs_alloc(&b, chan, SZ_4K)) {
		check(false, "pause-late: allocate buffers");
		goto out;
	}
	fill_pattern(b.src, SZ_4K, 0x44);
	ret = dmaengine_pause(chan);
	pr_info("# pause returned %d\n", ret);
	/* Let a late SUSPEND take effect, if the driver left it latched. */
	msleep(100);
	check(!submit(chan, &x, b.dst_dma, b.src_dma, 0, SZ_4K, NULL),
	      "pause-late: submitted");
	dma_async_issue_pending(chan);
	if (!ret) {
		msleep(100);
		check(!x.called, "pause-late: paused: nothing completes");
		check(!dmaengine_resume(chan), "pause-late: resumed");
	} else {
		check(true, "pause-late: pause refused (%d)", ret);
		check(true, "pause-late: nothing to resume");
	}
	check(wait_xfer(&x) && x.res.result == DMA_TRANS_NOERROR &&
	      !memcmp(b.dst, b.src, SZ_4K),
	      "pause-late: the transfer completes with the right data");
out:
	dmaengine_terminate_sync(chan);
	bufs_free(&b);
}

#define PREP_LIMIT	100000

/* Prep must refuse at some point: tx_status walks what it accepted. */
static void test_prep_limit(struct dma_chan *chan)
{
	struct bufs b = {};
	int n;

	if (bufs_alloc(&b, chan, SZ_4K)) {
		check(false, "prep-limit: allocate buffers");
		goto out;
	}
	for (n = 0; n < PREP_LIMIT; n++)
		if (!dmaengine_prep_dma_memcpy(chan, b.dst_dma, b.src_dma,
					       SZ_4K, 0))
			break;
	check(n > 0 && n < PREP_LIMIT,
	      "prep-limit: prep refused after %d outstanding descriptors", n);
out:
	/* The prepared descriptors go with the channel's resources. */
	bufs_free(&b);
}

#define LARGE_LEN	(SZ_64M + SZ_4K)

/* One TRE longer than 64 MiB: the TRE length field is 32 bits wide. */
static void test_large(struct dma_chan *chan)
{
	struct device *dev = chan->device->dev;
	dma_addr_t dma;
	struct xfer x;
	u8 *p;

	p = dma_alloc_coherent(dev, LARGE_LEN, &dma, GFP_KERNEL);
	if (!p) {
		skip("large: one transfer of 64 MiB + 4 KiB",
		     "no coherent buffer that large (no IOMMU)");
		return;
	}
	memset(p, 0, LARGE_LEN);
	check(!submit(chan, &x, dma, 0, 0x3c, LARGE_LEN, NULL),
	      "large: prep and submit a memset of 64 MiB + 4 KiB");
	dma_async_issue_pending(chan);
	check(wait_xfer(&x) && x.res.result == DMA_TRANS_NOERROR &&
	      !memchr_inv(p, 0x3c, LARGE_LEN),
	      "large: completed, every byte set");
	dmaengine_terminate_sync(chan);
	dma_free_coherent(dev, LARGE_LEN, p, dma);
}

/*
 * The dmaengine core holds its global dma_list_mutex while it allocates
 * and frees channel resources: a provider must not sleep there. Counted
 * with this thread's voluntary context switches, around a request of a
 * runtime-suspended channel and the release of one whose ring holds a
 * terminated transfer that cannot drain (its interrupt is held back).
 */
static void test_nosleep(struct dma_chan **chanp)
{
	struct dma_chan *chan = *chanp;
	struct device *dev = chan->device->dev;
	unsigned long sw, end;
	dma_cap_mask_t mask;
	struct bufs b = {};
	struct xfer x;
	int irq = chan_irq(chan);

	dma_release_channel(chan);
	*chanp = NULL;
	end = jiffies + msecs_to_jiffies(timeout_ms);
	while (!pm_runtime_suspended(dev) && time_before(jiffies, end))
		msleep(20);
	check(pm_runtime_suspended(dev), "nosleep: idle channel suspended");

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	sw = current->nvcsw;
	chan = dma_request_channel(mask, filter_by_name, channel);
	sw = current->nvcsw - sw;
	check(chan && !sw, "nosleep: request slept %lu times", sw);
	if (!chan)
		return;

	if (irq < 0 || bufs_alloc(&b, chan, SZ_4K)) {
		check(false, "nosleep: allocate buffers, find the irq");
		goto out;
	}
	/* A transfer that runs, whose event is never read before release */
	disable_irq(irq);
	if (!submit(chan, &x, b.dst_dma, b.src_dma, 0, SZ_4K, NULL))
		dma_async_issue_pending(chan);
	msleep(50);
	dmaengine_terminate_async(chan);
	sw = current->nvcsw;
	dma_release_channel(chan);
	sw = current->nvcsw - sw;
	enable_irq(irq);
	check(!sw, "nosleep: release with a terminated transfer slept %lu times",
	      sw);
	chan = dma_request_channel(mask, filter_by_name, channel);
	check(chan, "nosleep: channel requested again");
	if (chan && !submit(chan, &x, b.dst_dma, b.src_dma, 0, SZ_4K, NULL)) {
		fill_pattern(b.src, SZ_4K, 9);
		dma_async_issue_pending(chan);
		check(wait_xfer(&x) && x.res.result == DMA_TRANS_NOERROR &&
		      !memcmp(b.dst, b.src, SZ_4K),
		      "nosleep: and it works");
	}
out:
	bufs_free(&b);
	*chanp = chan;
}

/* 2 MiB blocks, up to 8 GiB: enough to get past all memory below 4 GiB */
#define HIGH_ORDER	9
#define HIGH_TRIES	4096

/* Source and destination above 4 GiB, if the guest has memory there. */
static void test_highmem(struct dma_chan *chan)
{
	struct device *dev = chan->device->dev;
	struct page *src = NULL, *dst = NULL, *p, *tmp;
	dma_addr_t src_dma = DMA_MAPPING_ERROR, dst_dma = DMA_MAPPING_ERROR;
	phys_addr_t high = 0;
	LIST_HEAD(spare);
	struct xfer x;
	int i, ret;

	/*
	 * The allocator may hand out low memory first: hold blocks until one
	 * lies above 4 GiB, then give the others back. NORETRY: fail rather
	 * than push the guest into the OOM killer.
	 */
	for (i = 0; i < HIGH_TRIES && !dst; i++) {
		p = alloc_pages(GFP_KERNEL | __GFP_NORETRY | __GFP_NOWARN,
				HIGH_ORDER);
		if (!p)
			break;
		if (page_to_phys(p) > U32_MAX) {
			split_page(p, HIGH_ORDER);
			src = p;
			dst = p + 1;
			/* the rest of the block is not needed */
			for (ret = 2; ret < (1 << HIGH_ORDER); ret++)
				__free_page(p + ret);
		} else {
			list_add(&p->lru, &spare);
		}
	}
	list_for_each_entry_safe(p, tmp, &spare, lru) {
		high = max(high, page_to_phys(p));
		list_del(&p->lru);
		__free_pages(p, HIGH_ORDER);
	}
	pr_info("# highmem: %d blocks of order %d tried, highest below 4 GiB %pa\n",
		i, HIGH_ORDER, &high);
	if (!dst) {
		skip("highmem: memcpy above 4 GiB", "no memory above 4 GiB");
		goto out;
	}
	src_dma = dma_map_page(dev, src, 0, PAGE_SIZE, DMA_TO_DEVICE);
	dst_dma = dma_map_page(dev, dst, 0, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (dma_mapping_error(dev, src_dma) || dma_mapping_error(dev, dst_dma)) {
		check(false, "highmem: map pages");
		goto out;
	}
	if (src_dma <= U32_MAX || dst_dma <= U32_MAX) {
		skip("highmem: memcpy above 4 GiB", "bus addresses below 4 GiB");
		goto out;
	}
	pr_info("# src %pad dst %pad\n", &src_dma, &dst_dma);

	dma_sync_single_for_cpu(dev, src_dma, PAGE_SIZE, DMA_TO_DEVICE);
	fill_pattern(page_address(src), PAGE_SIZE, 0x77);
	dma_sync_single_for_device(dev, src_dma, PAGE_SIZE, DMA_TO_DEVICE);
	dma_sync_single_for_cpu(dev, dst_dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
	memset(page_address(dst), 0, PAGE_SIZE);
	dma_sync_single_for_device(dev, dst_dma, PAGE_SIZE, DMA_BIDIRECTIONAL);

	ret = submit(chan, &x, dst_dma, src_dma, 0, PAGE_SIZE, NULL);
	dma_async_issue_pending(chan);
	ret = !ret && wait_xfer(&x) && x.res.result == DMA_TRANS_NOERROR;
	dma_sync_single_for_cpu(dev, dst_dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
	check(ret && !memcmp(page_address(dst), page_address(src), PAGE_SIZE),
	      "highmem: memcpy above 4 GiB");
	dma_sync_single_for_device(dev, dst_dma, PAGE_SIZE, DMA_BIDIRECTIONAL);

	ret = submit(chan, &x, dst_dma + 100, 0, 0xc3, 1000, NULL);
	dma_async_issue_pending(chan);
	ret = !ret && wait_xfer(&x) && x.res.result == DMA_TRANS_NOERROR;
	dma_sync_single_for_cpu(dev, dst_dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
	check(ret && !memchr_inv(page_address(dst) + 100, 0xc3, 1000),
	      "highmem: memset above 4 GiB");
out:
	dmaengine_terminate_sync(chan);
	if (!dma_mapping_error(dev, src_dma) && src)
		dma_unmap_page(dev, src_dma, PAGE_SIZE, DMA_TO_DEVICE);
	if (!dma_mapping_error(dev, dst_dma) && dst)
		dma_unmap_page(dev, dst_dma, PAGE_SIZE, DMA_BIDIRECTIONAL);
	if (src)
		__free_page(src);
	if (dst)
		__free_page(dst);
}

#define NR_HOLD		8

/*
 * One transfer of the hold stream. Its buffers are mapped for the
 * channel's device (behind an IOMMU only those addresses reach memory)
 * just before it is submitted and unmapped by its callback, as a client
 * with unmap data does; @mapped says who still has to unmap.
 */
struct hold_xfer {
	struct xfer x;
	u8 *src, *dst;
	dma_addr_t src_dma, dst_dma;
	atomic_t mapped;
};

static struct {
	struct dma_chan *chan;
	struct device *dev;
	struct task_struct *thread;
	struct hold_xfer hx[NR_HOLD];
	/* held while buffers are mapped for a transfer not yet submitted */
	struct mutex map_lock;
	bool unbinding;
	struct notifier_block nb;
	bool nb_registered;
	void __iomem *trca;
	bool ticking;
} hold;

static void hold_unmap(struct hold_xfer *hx)
{
	if (!atomic_xchg(&hx->mapped, 0))
		return;
	dma_unmap_single(hold.dev, hx->src_dma, hold_len, DMA_TO_DEVICE);
	dma_unmap_single(hold.dev, hx->dst_dma, hold_len, DMA_FROM_DEVICE);
}

/* TRCA CTRLSTS state field: 1 enabled, 2 running */
static bool hold_engine_enabled(void)
{
	u32 state;

	if (!hold.trca)
		return false;
	state = (readl(hold.trca) >> 8) & 0xff;
	return state == 1 || state == 2;
}

static void hold_callback(void *arg, const struct dmaengine_result *res)
{
	struct hold_xfer *hx = arg;

	/* A failed transfer's buffers are given back: nothing may run now. */
	if (res->result != DMA_TRANS_NOERROR && hold_engine_enabled())
		WRITE_ONCE(hold_early, hold_early + 1);
	hold_unmap(hx);
	xfer_callback(&hx->x, res);
}

/*
 * A busy system: timer interrupts keep coming on every CPU, so softirqs
 * (the provider's completion tasklet) run as soon as they are raised.
 */
static DEFINE_PER_CPU(struct hrtimer, hold_tick);

static enum hrtimer_restart hold_tick_fn(struct hrtimer *t)
{
	hrtimer_forward_now(t, ns_to_ktime(hold_tick_us * NSEC_PER_USEC));
	return HRTIMER_RESTART;
}

static void hold_tick_start(void *unused)
{
	struct hrtimer *t = this_cpu_ptr(&hold_tick);

	hrtimer_init(t, CLOCK_MONOTONIC, HRTIMER_MODE_REL_PINNED);
	t->function = hold_tick_fn;
	hrtimer_start(t, ns_to_ktime(hold_tick_us * NSEC_PER_USEC), HRTIMER_MODE_REL_PINNED);
}

static void hold_tick_stop(void *unused)
{
	hrtimer_cancel(this_cpu_ptr(&hold_tick));
}

/* Map and submit transfer @n of a round; false if that failed. */
static bool hold_submit(int n)
{
	struct hold_xfer *hx = &hold.hx[n];
	struct dma_async_tx_descriptor *tx;
	bool ok = false;

	mutex_lock(&hold.map_lock);
	if (READ_ONCE(hold.unbinding))
		goto out;
	hx->src_dma = dma_map_single(hold.dev, hx->src, hold_len, DMA_TO_DEVICE);
	if (dma_mapping_error(hold.dev, hx->src_dma))
		goto out;
	hx->dst_dma = dma_map_single(hold.dev, hx->dst, hold_len,
				     DMA_FROM_DEVICE);
	if (dma_mapping_error(hold.dev, hx->dst_dma)) {
		dma_unmap_single(hold.dev, hx->src_dma, hold_len, DMA_TO_DEVICE);
		goto out;
	}
	atomic_set(&hx->mapped, 1);
	init_completion(&hx->x.done);
	hx->x.called = false;
	hx->x.counter = NULL;
	hx->x.res.result = -1;
	tx = dmaengine_prep_dma_memcpy(hold.chan, hx->dst_dma, hx->src_dma,
				       hold_len, DMA_PREP_INTERRUPT);
	if (tx) {
		tx->callback_result = hold_callback;
		tx->callback_param = hx;
		hx->x.cookie = dmaengine_submit(tx);
		ok = !dma_submit_error(hx->x.cookie);
	}
	if (!ok)
		hold_unmap(hx);
out:
	mutex_unlock(&hold.map_lock);
	return ok;
}

static int hold_thread(void *unused)
{
	unsigned int round = 0;
	int i, n;

	while (!kthread_should_stop()) {
		round++;
		for (n = 0; n < NR_HOLD; n++) {
			memset(hold.hx[n].src, (u8)(round * NR_HOLD + n), hold_len);
			memset(hold.hx[n].dst, (u8)~(round * NR_HOLD + n),
			       hold_len);
		}
		for (n = 0; n < NR_HOLD; n++)
			if (!hold_submit(n))
				break;
		if (n < NR_HOLD)
			WRITE_ONCE(hold_errors, hold_errors + 1);
		dma_async_issue_pending(hold.chan);
		for (i = 0; i < n; i++) {
			struct hold_xfer *hx = &hold.hx[i];

			if (!wait_xfer(&hx->x)) {
				WRITE_ONCE(hold_timeouts, hold_timeouts + 1);
				/* no callback after this: unmap what is left */
				dmaengine_terminate_sync(hold.chan);
				for (i = 0; i < n; i++)
					hold_unmap(&hold.hx[i]);
				break;
			}
			if (hx->x.res.result != DMA_TRANS_NOERROR)
				WRITE_ONCE(hold_errors, hold_errors + 1);
			else if (memcmp(hx->dst, hx->src, hold_len))
				WRITE_ONCE(hold_bad_data, hold_bad_data + 1);
			else
				WRITE_ONCE(hold_ok, hold_ok + 1);
		}
		if (n < NR_HOLD)
			msleep(20);
		cond_resched();
	}
	return 0;
}

/*
 * The suite unbinds the provider under the stream. Transfers in flight
 * then complete (aborted) through their callbacks, which unmap them; no
 * new mapping may be made on the device from the start of the unbind
 * until it is bound again, or DMA-API debugging would rightly report
 * mappings left on a device whose driver is gone.
 */
static int hold_bus_event(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	if (data != hold.dev)
		return NOTIFY_DONE;
	switch (action) {
	case BUS_NOTIFY_UNBIND_DRIVER:
		mutex_lock(&hold.map_lock);
		WRITE_ONCE(hold.unbinding, true);
		mutex_unlock(&hold.map_lock);
		break;
	case BUS_NOTIFY_BOUND_DRIVER:
		WRITE_ONCE(hold.unbinding, false);
		break;
	}
	return NOTIFY_DONE;
}

static int hold_start(struct dma_chan *chan)
{
	struct resource *res;
	int n, ret;

	if (hold_len < SZ_4K || hold_len > SZ_1M)
		return -EINVAL;
	mutex_init(&hold.map_lock);
	hold.chan = chan;
	hold.dev = chan->device->dev;
	for (n = 0; n < NR_HOLD; n++) {
		hold.hx[n].src = kmalloc(hold_len, GFP_KERNEL);
		hold.hx[n].dst = kmalloc(hold_len, GFP_KERNEL);
		if (!hold.hx[n].src || !hold.hx[n].dst)
			return -ENOMEM;
	}
	/* The client's own view of the channel's state register */
	res = platform_get_resource(to_platform_device(hold.dev),
				    IORESOURCE_MEM, 0);
	if (res)
		hold.trca = ioremap(res->start, 4);
	if (hold_tick_us < 0 || hold_tick_us > 1000)
		return -EINVAL;
	if (hold_tick_us) {
		on_each_cpu(hold_tick_start, NULL, 1);
		hold.ticking = true;
	}
	hold.nb.notifier_call = hold_bus_event;
	ret = bus_register_notifier(&platform_bus_type, &hold.nb);
	if (ret)
		return ret;
	hold.nb_registered = true;
	hold.thread = kthread_run(hold_thread, NULL, "hidma-hold");
	if (IS_ERR(hold.thread)) {
		ret = PTR_ERR(hold.thread);
		hold.thread = NULL;
		return ret;
	}
	return 0;
}

static void hold_stop(void)
{
	int n;

	if (hold.thread)
		kthread_stop(hold.thread);
	if (hold.chan) {
		dmaengine_terminate_sync(hold.chan);
		for (n = 0; n < NR_HOLD; n++)
			hold_unmap(&hold.hx[n]);
		dma_release_channel(hold.chan);
	}
	if (hold.nb_registered)
		bus_unregister_notifier(&platform_bus_type, &hold.nb);
	if (hold.ticking)
		on_each_cpu(hold_tick_stop, NULL, 1);
	if (hold.trca)
		iounmap(hold.trca);
	for (n = 0; n < NR_HOLD; n++) {
		kfree(hold.hx[n].src);
		kfree(hold.hx[n].dst);
	}
	memset(&hold, 0, sizeof(hold));
}

static const struct {
	const char *name;
	void (*run)(struct dma_chan *chan);
	bool in_all;
} tests[] = {
	{ "basic", test_basic, true },
	{ "pause", test_pause, true },
	{ "terminate", test_terminate, false },
	{ "highmem", test_highmem, true },
	{ "error", test_error, false },
	{ "after-fail", test_after_fail, false },
	{ "iommu-fault", test_iommu_fault, false },
	{ "rerun", test_rerun, false },
	{ "terminate-unmap", test_terminate_unmap, false },
	{ "pause-late", test_pause_late, false },
	{ "prep-limit", test_prep_limit, false },
	{ "large", test_large, false },
};

static int __init hidma_test_client_init(void)
{
	struct dma_chan *chan;
	dma_cap_mask_t mask;
	bool all, found = false;
	unsigned int i;

	if (!channel) {
		pr_err("channel= is required\n");
		return -EINVAL;
	}
	all = !strcmp(test, "all");

	dma_cap_zero(mask);
	dma_cap_set(DMA_MEMCPY, mask);
	chan = dma_request_channel(mask, filter_by_name, channel);
	pr_info("TAP version 13\n");
	pr_info("# channel %s, test %s\n", channel, test);
	if (!chan) {
		check(false, "request channel %s", channel);
		goto done;
	}
	if (!strcmp(test, "hold")) {
		int ret = hold_start(chan);

		check(!ret, "hold: stream started (%d)", ret);
		if (ret) {
			hold_stop();
			dma_release_channel(chan);
		}
		goto done;
	}
	if (!strcmp(test, "nosleep")) {
		test_nosleep(&chan);
		found = true;
	}
	for (i = 0; chan && i < ARRAY_SIZE(tests); i++) {
		if (all ? tests[i].in_all : !strcmp(test, tests[i].name)) {
			found = true;
			tests[i].run(chan);
		}
	}
	if (!found)
		check(false, "unknown test '%s'", test);
	if (chan)
		dma_release_channel(chan);
done:
	pr_info("1..%d\n", ktap_num);
	pr_info("# passed %d failed %d skipped %d\n", passed, failed, skipped);
	return 0;
}
module_init(hidma_test_client_init);

static void __exit hidma_test_client_exit(void)
{
	hold_stop();
	pr_info("# hold: ok %d errors %d timeouts %d\n", hold_ok, hold_errors,
		hold_timeouts);
}
module_exit(hidma_test_client_exit);

MODULE_DESCRIPTION("In-guest test client for the Qualcomm Technologies HIDMA channel driver");
MODULE_LICENSE("GPL");
