// SPDX-License-Identifier: GPL-2.0-only
/*
 * KUnit tests of the HIDMA management driver: parsing of sysfs writes,
 * validation of firmware and sysfs values and register encoding.
 */

#include <kunit/test.h>
#include <kunit/visibility.h>
#include <linux/module.h>
#include <linux/string.h>

#include "hidma_mgmt.h"

struct hidma_mgmt_parse_case {
	const char *in;
	int rc;
	u32 val;
};

static const struct hidma_mgmt_parse_case hidma_mgmt_parse_cases[] = {
	{ "0", 0, 0 },
	{ "1", 0, 1 },
	{ "128\n", 0, 128 },
	{ "1024", 0, 1024 },
	{ "0000000256", 0, 256 },
	{ "4294967295", 0, 4294967295U },
	{ "4294967296", -EINVAL, 0 },		/* overflow */
	{ "9999999999", -EINVAL, 0 },		/* overflow */
	{ "18446744073709551616", -EINVAL, 0 },	/* overflow, too long */
	{ "", -EINVAL, 0 },			/* empty */
	{ "\n", -EINVAL, 0 },			/* empty line */
	{ "\n\n", -EINVAL, 0 },
	{ "abc", -EINVAL, 0 },			/* text */
	{ "12abc", -EINVAL, 0 },
	{ "-1", -EINVAL, 0 },			/* negative */
	{ "-0", -EINVAL, 0 },
	{ "+5", -EINVAL, 0 },			/* sign */
	{ " 5", -EINVAL, 0 },			/* spaces */
	{ "5 ", -EINVAL, 0 },
	{ "5\x20\n", -EINVAL, 0 },
	{ "0x80", -EINVAL, 0 },			/* other base */
	{ "1e3", -EINVAL, 0 },
	{ "3.5", -EINVAL, 0 },
};

static void hidma_mgmt_parse_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(hidma_mgmt_parse_cases); i++) {
		const struct hidma_mgmt_parse_case *c =
			&hidma_mgmt_parse_cases[i];
		u32 val = 0xdeadbeef;
		int rc;

		rc = hidma_mgmt_parse_value(c->in, strlen(c->in), &val);
		KUNIT_EXPECT_EQ_MSG(test, rc, c->rc, "input \"%s\"", c->in);
		KUNIT_EXPECT_EQ_MSG(test, val, c->rc ? 0xdeadbeef : c->val,
				    "input \"%s\"", c->in);
	}
}

/* Only @count bytes are looked at: the buffer need not be terminated */
static void hidma_mgmt_parse_count_test(struct kunit *test)
{
	u32 val = 0;

	KUNIT_EXPECT_EQ(test, hidma_mgmt_parse_value("256xyz", 3, &val), 0);
	KUNIT_EXPECT_EQ(test, val, 256);
	KUNIT_EXPECT_EQ(test, hidma_mgmt_parse_value("7", 0, &val), -EINVAL);
	KUNIT_EXPECT_EQ(test, val, 256);
}

static void hidma_mgmt_parse_huge_test(struct kunit *test)
{
	size_t len = PAGE_SIZE - 1;
	u32 val = 7;
	char *buf;

	buf = kunit_kmalloc(test, len + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);

	memset(buf, '1', len);
	buf[len] = '\0';
	KUNIT_EXPECT_EQ(test, hidma_mgmt_parse_value(buf, len, &val), -EINVAL);

	/* Leading zeros do not make a long string acceptable */
	memset(buf, '0', len);
	buf[len - 1] = '1';
	KUNIT_EXPECT_EQ(test, hidma_mgmt_parse_value(buf, len, &val), -EINVAL);
	KUNIT_EXPECT_EQ(test, val, 7);
}

static void hidma_mgmt_check_burst_test(struct kunit *test)
{
	static const enum hidma_mgmt_param_id ids[] = {
		HIDMA_MGMT_MAX_WRITE_REQUEST, HIDMA_MGMT_MAX_READ_REQUEST,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(ids); i++) {
		KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(ids[i], 128), 0);
		KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(ids[i], 256), 0);
		KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(ids[i], 512), 0);
		KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(ids[i], 1024), 0);
		KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(ids[i], 0),
				-ERANGE);
		KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(ids[i], 64),
				-ERANGE);
		KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(ids[i], 2048),
				-ERANGE);
		KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(ids[i], 384),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(ids[i], 1023),
				-EINVAL);
		KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(ids[i], U32_MAX),
				-ERANGE);
	}
}

static void hidma_mgmt_check_ranges_test(struct kunit *test)
{
	/* transactions: 1..31 */
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_MAX_WR_XACTIONS, 1), 0);
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_MAX_WR_XACTIONS, 31), 0);
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_MAX_WR_XACTIONS, 0),
			-ERANGE);
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_MAX_RD_XACTIONS, 32),
			-ERANGE);
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_MAX_RD_XACTIONS, 7), 0);

	/* reset timeout: a non-zero 20-bit count */
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES,
					       0xfffff), 0);
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES,
					       0x100000), -ERANGE);
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES,
					       0), -ERANGE);

	/* channels */
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_DMA_CHANNELS, 6), 0);
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_DMA_CHANNELS, 0),
			-ERANGE);
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_DMA_CHANNELS,
					       HIDMA_MGMT_MAX_CHANNELS + 1),
			-ERANGE);

	/* per-channel QoS */
	KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(HIDMA_MGMT_PRIORITY, 0), 0);
	KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(HIDMA_MGMT_PRIORITY, 1), 0);
	KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(HIDMA_MGMT_PRIORITY, 2),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(HIDMA_MGMT_WEIGHT, 1), 0);
	KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(HIDMA_MGMT_WEIGHT, 15), 0);
	KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(HIDMA_MGMT_WEIGHT, 0),
			-ERANGE);
	KUNIT_EXPECT_EQ(test, hidma_mgmt_check_value(HIDMA_MGMT_WEIGHT, 16),
			-ERANGE);

	/* unknown parameter */
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_check_value(HIDMA_MGMT_NR_PARAMS, 1), -EINVAL);
}

/* Every global parameter has a firmware property, the QoS ones do not */
static void hidma_mgmt_params_table_test(struct kunit *test)
{
	unsigned int i;

	for (i = 0; i < HIDMA_MGMT_NR_PARAMS; i++) {
		const struct hidma_mgmt_param *p = &hidma_mgmt_params[i];

		KUNIT_EXPECT_NOT_NULL(test, p->attr);
		KUNIT_EXPECT_LE(test, p->min, p->max);
		if (i < HIDMA_MGMT_NR_GLOBALS)
			KUNIT_EXPECT_NOT_NULL(test, p->prop);
		else
			KUNIT_EXPECT_NULL(test, p->prop);
	}
	KUNIT_EXPECT_STREQ(test,
			   hidma_mgmt_params[HIDMA_MGMT_MAX_WRITE_REQUEST].prop,
			   "max-write-burst-bytes");
}

static void hidma_mgmt_encode_test(struct kunit *test)
{
	/* MAX_BUS_REQ_LEN: [31:16] write bytes, [15:0] read bytes */
	KUNIT_EXPECT_EQ(test, hidma_mgmt_encode_bus_req_len(0, 1024, 128),
			0x04000080);
	KUNIT_EXPECT_EQ(test,
			hidma_mgmt_encode_bus_req_len(0xffffffff, 256, 512),
			0x01000200);

	/* MAX_XACTIONS: [20:16] write, [4:0] read; other bits kept */
	KUNIT_EXPECT_EQ(test, hidma_mgmt_encode_xactions(0, 31, 1), 0x001f0001);
	KUNIT_EXPECT_EQ(test, hidma_mgmt_encode_xactions(0xffffffff, 2, 3),
			0xffe2ffe3);

	/* QOS: bit 15 priority, [14:8] weight; other bits kept */
	KUNIT_EXPECT_EQ(test, hidma_mgmt_encode_qos(0, 1, 15), 0x8f00);
	KUNIT_EXPECT_EQ(test, hidma_mgmt_encode_qos(0xffffffff, 0, 1),
			0xffff01ff);

	/* CHRESET_TIMEOUT: [19:0]; other bits kept */
	KUNIT_EXPECT_EQ(test, hidma_mgmt_encode_chreset(0, 0x500), 0x500);
	KUNIT_EXPECT_EQ(test, hidma_mgmt_encode_chreset(0xffffffff, 1),
			0xfff00001);
}

static struct kunit_case hidma_mgmt_test_cases[] = {
	KUNIT_CASE(hidma_mgmt_parse_test),
	KUNIT_CASE(hidma_mgmt_parse_count_test),
	KUNIT_CASE(hidma_mgmt_parse_huge_test),
	KUNIT_CASE(hidma_mgmt_check_burst_test),
	KUNIT_CASE(hidma_mgmt_check_ranges_test),
	KUNIT_CASE(hidma_mgmt_params_table_test),
	KUNIT_CASE(hidma_mgmt_encode_test),
	{}
};

static struct kunit_suite hidma_mgmt_test_suite = {
	.name = "hidma_mgmt",
	.test_cases = hidma_mgmt_test_cases,
};

kunit_test_suite(hidma_mgmt_test_suite);

MODULE_DESCRIPTION("KUnit tests of the Qualcomm Technologies HIDMA management driver");
MODULE_LICENSE("GPL");
MODULE_IMPORT_NS(EXPORTED_FOR_KUNIT_TESTING);
