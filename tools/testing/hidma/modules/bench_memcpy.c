// SPDX-License-Identifier: GPL-2.0
/*
 * CPU memcpy/memset reference for "make bench": what the guest CPU does
 * at the transfer sizes the DMA benchmark uses, on one CPU.
 *
 *   insmod bench_memcpy.ko [duration_ms=200] [runs=3] [sizes=64,512,...]
 *
 * Runs at load time and prints one line per op, size and run:
 *   bench_memcpy: RAW,cpu,cpu-memcpy,<op>,<size>,1,1,cpu,<run>,<ops>,0,<ops/s>,<KiB/s>,0
 * (the raw format of the bench; see bench.sh). Then it stays loaded doing
 * nothing; rmmod it. The last results are also in the read-only "result"
 * parameter.
 */
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/string.h>

static unsigned int duration_ms = 200;
module_param(duration_ms, uint, 0444);
MODULE_PARM_DESC(duration_ms, "Time per op, size and run in ms (default 200)");

static unsigned int runs = 3;
module_param(runs, uint, 0444);
MODULE_PARM_DESC(runs, "Runs per op and size (default 3)");

static unsigned int sizes[16] = { 64, 512, 4096, 65536, 1048576 };
static unsigned int nr_sizes = 5;
module_param_array(sizes, uint, &nr_sizes, 0444);
MODULE_PARM_DESC(sizes, "Transfer sizes in bytes (default 64,512,4096,65536,1048576)");

static char result[64];
module_param_string(result, result, sizeof(result), 0444);
MODULE_PARM_DESC(result, "Last measurement: op size ops ns");

static void bench_one(bool is_memset, unsigned int size, unsigned int run,
		      u8 *src, u8 *dst)
{
	u64 batch = size >= SZ_64K ? 1 : SZ_64K / size;
	u64 ops = 0, ns, persec;
	ktime_t start, limit;
	u64 i;

	start = ktime_get();
	limit = ktime_add_ms(start, duration_ms);
	do {
		for (i = 0; i < batch; i++) {
			if (is_memset)
				memset(dst, (int)(ops + i), size);
			else
				memcpy(dst, src, size);
			/* Keep every copy: the compiler may not merge or drop them. */
			barrier();
		}
		ops += batch;
		cond_resched();
	} while (ktime_before(ktime_get(), limit));
	ns = ktime_to_ns(ktime_sub(ktime_get(), start));
	persec = div64_u64(ops * NSEC_PER_SEC * 100, ns);
	pr_info("RAW,cpu,cpu-memcpy,%s,%u,1,1,cpu,%u,%llu,0,%llu.%02llu,%llu,0\n",
		is_memset ? "memset" : "memcpy", size, run, ops,
		persec / 100, persec % 100,
		div64_u64(persec * size, 100 * 1024));
	snprintf(result, sizeof(result), "%s %u %llu %llu",
		 is_memset ? "memset" : "memcpy", size, ops, ns);
}

static int __init bench_memcpy_init(void)
{
	unsigned int max = 0, i, run;
	u8 *src, *dst;
	int op;

	for (i = 0; i < nr_sizes; i++) {
		if (!sizes[i] || sizes[i] > SZ_64M)
			return -EINVAL;
		max = max(max, sizes[i]);
	}
	if (!max || !duration_ms)
		return -EINVAL;
	src = kvmalloc(max, GFP_KERNEL);
	dst = kvmalloc(max, GFP_KERNEL);
	if (!src || !dst) {
		kvfree(src);
		kvfree(dst);
		return -ENOMEM;
	}
	memset(src, 0x5a, max);
	memset(dst, 0xa5, max);
	/* Runs outermost, so that a burst of host load hits one run of each. */
	for (run = 1; run <= runs; run++)
		for (op = 0; op < 2; op++)
			for (i = 0; i < nr_sizes; i++)
				bench_one(op, sizes[i], run, src, dst);
	kvfree(src);
	kvfree(dst);
	return 0;
}

static void __exit bench_memcpy_exit(void)
{
}

module_init(bench_memcpy_init);
module_exit(bench_memcpy_exit);
MODULE_DESCRIPTION("CPU memcpy reference for the HIDMA bench");
MODULE_LICENSE("GPL");
