// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests for the HIDMA channel ring layer: ring index arithmetic,
 * wrap-around, TRE encoding and event decoding.
 *
 * Copyright (c) 2026 The HIDMA driver authors.
 */

#include <kunit/test.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "hidma_ll.h"

static void hidma_ring_next_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, hidma_ring_next(0, 8), 1U);
	KUNIT_EXPECT_EQ(test, hidma_ring_next(6, 8), 7U);
	KUNIT_EXPECT_EQ(test, hidma_ring_next(7, 8), 0U);
	KUNIT_EXPECT_EQ(test, hidma_ring_next(127, 128), 0U);
	KUNIT_EXPECT_EQ(test, hidma_ring_next(0, 1), 0U);
}

static void hidma_ring_used_space_test(struct kunit *test)
{
	/* empty */
	KUNIT_EXPECT_EQ(test, hidma_ring_used(3, 3, 8), 0U);
	KUNIT_EXPECT_EQ(test, hidma_ring_space(3, 3, 8), 7U);
	/* no wrap */
	KUNIT_EXPECT_EQ(test, hidma_ring_used(5, 2, 8), 3U);
	KUNIT_EXPECT_EQ(test, hidma_ring_space(5, 2, 8), 4U);
	/* head wrapped below tail */
	KUNIT_EXPECT_EQ(test, hidma_ring_used(1, 6, 8), 3U);
	KUNIT_EXPECT_EQ(test, hidma_ring_space(1, 6, 8), 4U);
	/* full: one slot always stays free */
	KUNIT_EXPECT_EQ(test, hidma_ring_used(7, 0, 8), 7U);
	KUNIT_EXPECT_EQ(test, hidma_ring_space(7, 0, 8), 0U);
	KUNIT_EXPECT_EQ(test, hidma_ring_used(2, 3, 8), 7U);
	KUNIT_EXPECT_EQ(test, hidma_ring_space(2, 3, 8), 0U);
}

/* Produce and consume many times around the ring; counts never drift. */
static void hidma_ring_wrap_test(struct kunit *test)
{
	const u32 nr = 5;
	u32 head = 0, tail = 0, produced = 0, consumed = 0, i;

	for (i = 0; i < 1000; i++) {
		while (hidma_ring_space(head, tail, nr)) {
			head = hidma_ring_next(head, nr);
			produced++;
		}
		KUNIT_ASSERT_EQ(test, hidma_ring_used(head, tail, nr), nr - 1);
		/* consume a varying number each round */
		while (hidma_ring_used(head, tail, nr) > i % nr) {
			tail = hidma_ring_next(tail, nr);
			consumed++;
		}
		KUNIT_ASSERT_EQ(test, produced - consumed,
				hidma_ring_used(head, tail, nr));
		KUNIT_ASSERT_LT(test, head, nr);
		KUNIT_ASSERT_LT(test, tail, nr);
	}
}

static void hidma_ring_off_test(struct kunit *test)
{
	u32 idx = 99;

	KUNIT_EXPECT_EQ(test, hidma_ring_off_to_idx(0, 16, 8, &idx), 0);
	KUNIT_EXPECT_EQ(test, idx, 0U);
	KUNIT_EXPECT_EQ(test, hidma_ring_off_to_idx(112, 16, 8, &idx), 0);
	KUNIT_EXPECT_EQ(test, idx, 7U);
	/* one past the end, unaligned: rejected, idx untouched */
	KUNIT_EXPECT_EQ(test, hidma_ring_off_to_idx(128, 16, 8, &idx), -EIO);
	KUNIT_EXPECT_EQ(test, hidma_ring_off_to_idx(24, 16, 8, &idx), -EIO);
	KUNIT_EXPECT_EQ(test, idx, 7U);
	KUNIT_EXPECT_EQ(test, hidma_ring_off_to_idx(4064, 32, 128, &idx), 0);
	KUNIT_EXPECT_EQ(test, idx, 127U);
}

static void hidma_tre_encode_test(struct kunit *test)
{
	u32 tre[HIDMA_TRE_WORDS];

	hidma_tre_encode(tre, HIDMA_OP_MEMCPY, 5, 0x123456789aULL,
			 0xfedcba9876ULL, 4096);
	KUNIT_EXPECT_EQ(test, tre[0], 0x10503U);
	KUNIT_EXPECT_EQ(test, tre[1], 4096U);
	KUNIT_EXPECT_EQ(test, tre[2], 0x3456789aU);
	KUNIT_EXPECT_EQ(test, tre[3], 0x12U);
	KUNIT_EXPECT_EQ(test, tre[4], 0xdcba9876U);
	KUNIT_EXPECT_EQ(test, tre[5], 0xfeU);
	KUNIT_EXPECT_EQ(test, tre[6], 0U);
	KUNIT_EXPECT_EQ(test, tre[7], 0U);

	hidma_tre_encode(tre, HIDMA_OP_MEMSET, 0x1ff, hidma_memset_pattern(0xa5),
			 0x1000, 1);
	KUNIT_EXPECT_EQ(test, tre[0], 0x1ff04U);
	KUNIT_EXPECT_EQ(test, tre[2], 0xa5a5a5a5U);
	KUNIT_EXPECT_EQ(test, tre[3], 0xa5a5a5a5U);
	KUNIT_EXPECT_EQ(test, hidma_memset_pattern(0), 0ULL);
	KUNIT_EXPECT_EQ(test, hidma_memset_pattern(1), 0x0101010101010101ULL);
}

#define EVRE(code, info)	(((u32)(code) << 28) | ((u32)(info) << 24))

static void hidma_evre_result_test(struct kunit *test)
{
	/* success, whatever else is pending */
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(1, 0), 0),
			DMA_TRANS_NOERROR);
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(1, 0) | 0xffffff,
						HIDMA_IRQ_DATA_WR),
			DMA_TRANS_NOERROR);
	/* error info names the cause */
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 2), 0),
			DMA_TRANS_READ_FAILED);
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 3), 0),
			DMA_TRANS_WRITE_FAILED);
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 1), 0),
			DMA_TRANS_ABORTED);
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 6), 0),
			DMA_TRANS_ABORTED);
	/* error info wins over the interrupt causes */
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 2), HIDMA_IRQ_DATA_WR),
			DMA_TRANS_READ_FAILED);
	/* unknown error info: the interrupt causes decide */
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 15), HIDMA_IRQ_DATA_WR),
			DMA_TRANS_WRITE_FAILED);
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 4), 0),
			DMA_TRANS_ABORTED);
	/* no error info: the interrupt causes decide */
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 0), HIDMA_IRQ_DATA_RD),
			DMA_TRANS_READ_FAILED);
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 0),
						HIDMA_IRQ_DATA_WR |
						HIDMA_IRQ_EOB),
			DMA_TRANS_WRITE_FAILED);
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 0),
						HIDMA_IRQ_TRE_RD_RESP),
			DMA_TRANS_ABORTED);
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 0),
						HIDMA_IRQ_INVALID_TRE),
			DMA_TRANS_ABORTED);
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(4, 0), 0),
			DMA_TRANS_ABORTED);
	/* unknown completion codes are errors too */
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(0, 0), 0),
			DMA_TRANS_ABORTED);
	KUNIT_EXPECT_EQ(test, hidma_evre_result(EVRE(15, 0), HIDMA_IRQ_DATA_RD),
			DMA_TRANS_READ_FAILED);
}

/* A consumed slot is cleared, so a skipped one never reads as success. */
static void hidma_pop_event_test(struct kunit *test)
{
	struct hidma_ll ll = { .nr = 4 };
	bool error;

	ll.evre_ring = kunit_kzalloc(test, ll.nr * HIDMA_EVRE_SIZE,
				     GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ll.evre_ring);
	ll.tre_head = 2;
	ll.evre_ring[0] = cpu_to_le32(1U << 28);	/* complete */

	KUNIT_EXPECT_EQ(test, hidma_ll_pop_event(&ll, 0, &error),
			DMA_TRANS_NOERROR);
	KUNIT_EXPECT_FALSE(test, error);
	KUNIT_EXPECT_EQ(test, le32_to_cpu(ll.evre_ring[0]), 0U);
	KUNIT_EXPECT_EQ(test, ll.ev_tail, 1U);
	KUNIT_EXPECT_EQ(test, ll.tre_tail, 1U);

	/* Never written (an event write error): an error, not a success */
	KUNIT_EXPECT_EQ(test, hidma_ll_pop_event(&ll, HIDMA_IRQ_EV_WR_RESP,
						 &error),
			DMA_TRANS_ABORTED);
	KUNIT_EXPECT_TRUE(test, error);

	/* The next lap finds slot 0 cleared */
	ll.ev_tail = 0;
	hidma_ll_pop_event(&ll, HIDMA_IRQ_EV_WR_RESP, &error);
	KUNIT_EXPECT_TRUE(test, error);
}

/*
 * An error event that neither its error info nor a known error cause
 * explains: its cause may be pending only in IRQ_STAT.
 */
static void hidma_evre_needs_stat_test(struct kunit *test)
{
	KUNIT_EXPECT_TRUE(test, hidma_evre_needs_stat(EVRE(4, 0), 0));
	KUNIT_EXPECT_TRUE(test, hidma_evre_needs_stat(EVRE(4, 0),
						      HIDMA_IRQ_EOB));
	/* Info naming no known cause counts as none */
	KUNIT_EXPECT_TRUE(test, hidma_evre_needs_stat(EVRE(4, 5), 0));
	KUNIT_EXPECT_TRUE(test, hidma_evre_needs_stat(EVRE(0, 0), 0));
	/* A slot skipped by an event write error: that cause explains it */
	KUNIT_EXPECT_FALSE(test, hidma_evre_needs_stat(EVRE(0, 0),
						       HIDMA_IRQ_EV_WR_RESP));
	KUNIT_EXPECT_FALSE(test, hidma_evre_needs_stat(EVRE(1, 0), 0));
	KUNIT_EXPECT_FALSE(test, hidma_evre_needs_stat(EVRE(4, 3), 0));
	KUNIT_EXPECT_FALSE(test, hidma_evre_needs_stat(EVRE(4, 6), 0));
	KUNIT_EXPECT_FALSE(test, hidma_evre_needs_stat(EVRE(4, 0),
						       HIDMA_IRQ_DATA_WR));
	KUNIT_EXPECT_FALSE(test, hidma_evre_needs_stat(EVRE(4, 0),
						       HIDMA_IRQ_DATA_RD));
}

static void hidma_error_result_test(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, hidma_ll_error_result(HIDMA_IRQ_DATA_RD),
			DMA_TRANS_READ_FAILED);
	KUNIT_EXPECT_EQ(test, hidma_ll_error_result(HIDMA_IRQ_DATA_WR),
			DMA_TRANS_WRITE_FAILED);
	KUNIT_EXPECT_EQ(test, hidma_ll_error_result(HIDMA_IRQ_EV_WR_RESP),
			DMA_TRANS_ABORTED);
}

static struct kunit_case hidma_ll_cases[] = {
	KUNIT_CASE(hidma_ring_next_test),
	KUNIT_CASE(hidma_ring_used_space_test),
	KUNIT_CASE(hidma_ring_wrap_test),
	KUNIT_CASE(hidma_ring_off_test),
	KUNIT_CASE(hidma_tre_encode_test),
	KUNIT_CASE(hidma_evre_result_test),
	KUNIT_CASE(hidma_error_result_test),
	KUNIT_CASE(hidma_pop_event_test),
	KUNIT_CASE(hidma_evre_needs_stat_test),
	{}
};

static struct kunit_suite hidma_ll_suite = {
	.name = "hidma_ll",
	.test_cases = hidma_ll_cases,
};

kunit_test_suite(hidma_ll_suite);

MODULE_DESCRIPTION("KUnit tests for the Qualcomm Technologies HIDMA ring layer");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
