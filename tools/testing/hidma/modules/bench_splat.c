// SPDX-License-Identifier: GPL-2.0
/*
 * Bench self-test: loading this module puts a WARN splat in the kernel log,
 * so the bench can prove that its log scan fails a run that had one.
 */
#include <linux/bug.h>
#include <linux/module.h>

static int __init bench_splat_init(void)
{
	WARN(1, "bench_splat: deliberate warning for the bench self-test\n");
	return 0;
}
module_init(bench_splat_init);

static void __exit bench_splat_exit(void)
{
}
module_exit(bench_splat_exit);

MODULE_DESCRIPTION("HIDMA bench self-test: triggers a WARN on load");
MODULE_LICENSE("GPL");
