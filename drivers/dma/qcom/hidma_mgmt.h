/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Qualcomm Technologies HIDMA management driver: shared definitions.
 *
 * The management block holds the bus parameters that all channels of one
 * HIDMA instance share and the arbitration (priority, weight) of each
 * channel. This header is shared by the core, the sysfs code and the KUnit
 * tests of the driver; nothing outside the driver uses it.
 */

#ifndef __HIDMA_MGMT_H
#define __HIDMA_MGMT_H

#include <linux/bits.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/types.h>

struct device;

/* Register map of the management block, offsets from its MMIO base */
#define HIDMA_MGMT_CFG			0x400
#define HIDMA_MGMT_CFG_ENABLE		BIT(0)
#define HIDMA_MGMT_CHRESET_TIMEOUT	0x418
#define HIDMA_MGMT_CHRESET_CYCLES	GENMASK(19, 0)
#define HIDMA_MGMT_MAX_BUS_REQ_LEN	0x41c
#define HIDMA_MGMT_MAX_WR_REQ		GENMASK(31, 16)
#define HIDMA_MGMT_MAX_RD_REQ		GENMASK(15, 0)
#define HIDMA_MGMT_MAX_XACTIONS		0x420
#define HIDMA_MGMT_MAX_WR_XACT		GENMASK(20, 16)
#define HIDMA_MGMT_MAX_RD_XACT		GENMASK(4, 0)
#define HIDMA_MGMT_HW_VERSION		0x424
#define HIDMA_MGMT_HW_MAJOR		GENMASK(31, 28)
#define HIDMA_MGMT_HW_MINOR		GENMASK(19, 16)
#define HIDMA_MGMT_QOS(ch)		(0x700 + 4 * (ch))
#define HIDMA_MGMT_QOS_PRIORITY		BIT(15)
#define HIDMA_MGMT_QOS_WEIGHT		GENMASK(14, 8)

/* Upper bound of channels one management block is accepted to describe */
#define HIDMA_MGMT_MAX_CHANNELS		32

/* Per-channel QoS programmed at probe: low priority, weight 1 */
#define HIDMA_MGMT_DEFAULT_PRIORITY	0
#define HIDMA_MGMT_DEFAULT_WEIGHT	1

/**
 * enum hidma_mgmt_param_id - the parameters the driver validates
 * @HIDMA_MGMT_DMA_CHANNELS: number of channels of the instance
 * @HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES: channel reset timeout, in cycles
 * @HIDMA_MGMT_MAX_WRITE_REQUEST: largest write burst, in bytes
 * @HIDMA_MGMT_MAX_READ_REQUEST: largest read burst, in bytes
 * @HIDMA_MGMT_MAX_WR_XACTIONS: write bursts issued back to back
 * @HIDMA_MGMT_MAX_RD_XACTIONS: read bursts issued back to back
 * @HIDMA_MGMT_PRIORITY: arbitration priority of a channel
 * @HIDMA_MGMT_WEIGHT: round-robin weight of a channel
 * @HIDMA_MGMT_NR_PARAMS: number of parameters
 *
 * The first six come from firmware and are global; the last two exist
 * once per channel and are only set through sysfs.
 */
enum hidma_mgmt_param_id {
	HIDMA_MGMT_DMA_CHANNELS,
	HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES,
	HIDMA_MGMT_MAX_WRITE_REQUEST,
	HIDMA_MGMT_MAX_READ_REQUEST,
	HIDMA_MGMT_MAX_WR_XACTIONS,
	HIDMA_MGMT_MAX_RD_XACTIONS,
	HIDMA_MGMT_PRIORITY,
	HIDMA_MGMT_WEIGHT,
	HIDMA_MGMT_NR_PARAMS
};

/* Number of parameters that are global (indexed by the enum above) */
#define HIDMA_MGMT_NR_GLOBALS		HIDMA_MGMT_PRIORITY

/**
 * struct hidma_mgmt_param - name and valid range of one parameter
 * @attr: name of the sysfs attribute
 * @prop: name of the firmware property, NULL if firmware does not set it
 * @min: smallest valid value
 * @max: largest valid value
 * @pow2: the value must also be a power of two
 */
struct hidma_mgmt_param {
	const char *attr;
	const char *prop;
	u32 min;
	u32 max;
	bool pow2;
};

extern const struct hidma_mgmt_param hidma_mgmt_params[HIDMA_MGMT_NR_PARAMS];

/**
 * struct hidma_mgmt_chan - sysfs object of one channel (chanops/chan<N>)
 * @kobj: the chan<N> directory; the structure is freed when it is released
 * @mdev: the management device the channel belongs to
 * @index: the channel index
 */
struct hidma_mgmt_chan {
	struct kobject kobj;
	struct hidma_mgmt_dev *mdev;
	unsigned int index;
};

/**
 * struct hidma_mgmt_dev - state of one management block
 * @dev: the platform device
 * @base: mapped registers
 * @lock: serialises register updates and the cached values below
 * @val: global parameters, indexed by enum hidma_mgmt_param_id
 * @priority: per-channel priority, @val[HIDMA_MGMT_DMA_CHANNELS] entries
 * @weight: per-channel weight, @val[HIDMA_MGMT_DMA_CHANNELS] entries
 * @hw_version: content of the HW_VERSION register read at probe
 * @chanops: the chanops directory, NULL until created
 * @chans: the chan<N> objects, NULL entries for those not created
 *
 * The cached values are what the hardware holds. They are the only copy of
 * the configuration: they are written back if the block loses its state.
 */
struct hidma_mgmt_dev {
	struct device *dev;
	void __iomem *base;
	struct mutex lock;	/* protects the values below */
	u32 val[HIDMA_MGMT_NR_GLOBALS];
	u32 *priority;
	u32 *weight;
	u32 hw_version;
	struct kobject *chanops;
	struct hidma_mgmt_chan **chans;
};

/* Value validation, shared by firmware parsing and sysfs */
int hidma_mgmt_check_value(enum hidma_mgmt_param_id id, u32 val);

#if IS_ENABLED(CONFIG_KUNIT)
/* Pure helpers that are static unless KUnit needs to reach them */
int hidma_mgmt_parse_value(const char *buf, size_t count, u32 *val);
u32 hidma_mgmt_encode_bus_req_len(u32 reg, u32 wr_bytes, u32 rd_bytes);
u32 hidma_mgmt_encode_xactions(u32 reg, u32 wr, u32 rd);
u32 hidma_mgmt_encode_qos(u32 reg, u32 priority, u32 weight);
u32 hidma_mgmt_encode_chreset(u32 reg, u32 cycles);
#endif

/* Core services used by sysfs */
int hidma_mgmt_set_global(struct hidma_mgmt_dev *mdev,
			  enum hidma_mgmt_param_id id, u32 val);
int hidma_mgmt_set_qos(struct hidma_mgmt_dev *mdev, unsigned int ch,
		       enum hidma_mgmt_param_id id, u32 val);

/* sysfs */
extern const struct attribute_group *hidma_mgmt_groups[];
int hidma_mgmt_chanops_create(struct hidma_mgmt_dev *mdev);

#endif /* __HIDMA_MGMT_H */
