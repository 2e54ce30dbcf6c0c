// SPDX-License-Identifier: GPL-2.0
/*
 * Bench self-test: loading this module leaks memory, so the bench can
 * prove that its end-of-run kmemleak scan fails a run that leaked.
 */
#include <linux/module.h>
#include <linux/slab.h>

#define BENCH_LEAK_OBJECTS	8

static int __init bench_leak_init(void)
{
	int i;

	/* No pointer is kept: the objects are unreachable once this returns. */
	for (i = 0; i < BENCH_LEAK_OBJECTS; i++)
		if (!kmalloc(256, GFP_KERNEL))
			return -ENOMEM;
	return 0;
}
module_init(bench_leak_init);

static void __exit bench_leak_exit(void)
{
}
module_exit(bench_leak_exit);

MODULE_DESCRIPTION("HIDMA bench self-test: leaks memory on load");
MODULE_LICENSE("GPL");
