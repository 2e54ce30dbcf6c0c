// SPDX-License-Identifier: GPL-2.0-only
/*
 * Qualcomm Technologies HIDMA management driver
 *
 * The management block of a HIDMA instance holds the bus parameters that
 * its channels share (burst sizes, back to back transactions, channel reset
 * timeout) and the arbitration of each channel (priority and round-robin
 * weight). It must be enabled before any channel can run. The driver reads
 * the parameters from firmware (devicetree or ACPI _DSD, through the device
 * property API), validates all of them before touching the hardware,
 * programs them, enables the block and, on devicetree, creates the channel
 * devices described as its children.
 *
 * Unbinding the driver leaves the block enabled and configured and leaves
 * the channel devices in place: channels that run when the driver goes away
 * keep running. Binding it again reprograms the firmware configuration.
 */

#include <linux/bitfield.h>
#include <linux/cleanup.h>
#include <linux/device.h>
#include <linux/io.h>
#include <linux/log2.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/of.h>
#include <linux/of_platform.h>
#include <linux/platform_device.h>
#include <linux/pm.h>
#include <linux/pm_runtime.h>
#include <linux/property.h>
#include <kunit/visibility.h>

#include "hidma_mgmt.h"

#define HIDMA_MGMT_AUTOSUSPEND_MS	2000

const struct hidma_mgmt_param hidma_mgmt_params[HIDMA_MGMT_NR_PARAMS] = {
	[HIDMA_MGMT_DMA_CHANNELS] = {
		.attr = "dma_channels",
		.prop = "dma-channels",
		.min = 1,
		.max = HIDMA_MGMT_MAX_CHANNELS,
	},
	[HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES] = {
		.attr = "chreset_timeout_cycles",
		.prop = "channel-reset-timeout-cycles",
		.min = 1,
		.max = HIDMA_MGMT_CHRESET_CYCLES,
	},
	[HIDMA_MGMT_MAX_WRITE_REQUEST] = {
		.attr = "max_write_request",
		.prop = "max-write-burst-bytes",
		.min = 128,
		.max = 1024,
		.pow2 = true,
	},
	[HIDMA_MGMT_MAX_READ_REQUEST] = {
		.attr = "max_read_request",
		.prop = "max-read-burst-bytes",
		.min = 128,
		.max = 1024,
		.pow2 = true,
	},
	[HIDMA_MGMT_MAX_WR_XACTIONS] = {
		.attr = "max_wr_xactions",
		.prop = "max-write-transactions",
		.min = 1,
		.max = HIDMA_MGMT_MAX_WR_XACT >> 16,
	},
	[HIDMA_MGMT_MAX_RD_XACTIONS] = {
		.attr = "max_rd_xactions",
		.prop = "max-read-transactions",
		.min = 1,
		.max = HIDMA_MGMT_MAX_RD_XACT,
	},
	[HIDMA_MGMT_PRIORITY] = {
		.attr = "priority",
		.min = 0,
		.max = 1,
	},
	[HIDMA_MGMT_WEIGHT] = {
		.attr = "weight",
		.min = 1,
		.max = 15,
	},
};
EXPORT_SYMBOL_IF_KUNIT(hidma_mgmt_params);

/**
 * hidma_mgmt_check_value() - check a value against the range of a parameter
 * @id: the parameter
 * @val: the value
 *
 * Return: 0 if @val is valid for @id, -ERANGE if it is outside the range,
 * -EINVAL if it is not a power of two where one is needed or @id is unknown.
 */
int hidma_mgmt_check_value(enum hidma_mgmt_param_id id, u32 val)
{
	const struct hidma_mgmt_param *p;

	if (id >= HIDMA_MGMT_NR_PARAMS)
		return -EINVAL;

	p = &hidma_mgmt_params[id];
	if (val < p->min || val > p->max)
		return -ERANGE;
	if (p->pow2 && !is_power_of_2(val))
		return -EINVAL;

	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hidma_mgmt_check_value);

/**
 * hidma_mgmt_encode_bus_req_len() - update MAX_BUS_REQ_LEN with burst sizes
 * @reg: current register content
 * @wr_bytes: largest write burst, in bytes
 * @rd_bytes: largest read burst, in bytes
 *
 * Return: the register content with both fields replaced.
 */
VISIBLE_IF_KUNIT u32 hidma_mgmt_encode_bus_req_len(u32 reg, u32 wr_bytes,
						   u32 rd_bytes)
{
	reg &= ~(HIDMA_MGMT_MAX_WR_REQ | HIDMA_MGMT_MAX_RD_REQ);
	return reg | FIELD_PREP(HIDMA_MGMT_MAX_WR_REQ, wr_bytes) |
	       FIELD_PREP(HIDMA_MGMT_MAX_RD_REQ, rd_bytes);
}
EXPORT_SYMBOL_IF_KUNIT(hidma_mgmt_encode_bus_req_len);

/**
 * hidma_mgmt_encode_xactions() - update MAX_XACTIONS with transaction counts
 * @reg: current register content
 * @wr: write bursts issued back to back
 * @rd: read bursts issued back to back
 *
 * Return: the register content with both fields replaced.
 */
VISIBLE_IF_KUNIT u32 hidma_mgmt_encode_xactions(u32 reg, u32 wr, u32 rd)
{
	reg &= ~(HIDMA_MGMT_MAX_WR_XACT | HIDMA_MGMT_MAX_RD_XACT);
	return reg | FIELD_PREP(HIDMA_MGMT_MAX_WR_XACT, wr) |
	       FIELD_PREP(HIDMA_MGMT_MAX_RD_XACT, rd);
}
EXPORT_SYMBOL_IF_KUNIT(hidma_mgmt_encode_xactions);

/**
 * hidma_mgmt_encode_qos() - update a QOS register
 * @reg: current register content
 * @priority: 0 for low, 1 for high priority
 * @weight: round-robin weight
 *
 * Return: the register content with both fields replaced.
 */
VISIBLE_IF_KUNIT u32 hidma_mgmt_encode_qos(u32 reg, u32 priority, u32 weight)
{
	reg &= ~(HIDMA_MGMT_QOS_PRIORITY | HIDMA_MGMT_QOS_WEIGHT);
	return reg | FIELD_PREP(HIDMA_MGMT_QOS_PRIORITY, priority) |
	       FIELD_PREP(HIDMA_MGMT_QOS_WEIGHT, weight);
}
EXPORT_SYMBOL_IF_KUNIT(hidma_mgmt_encode_qos);

/**
 * hidma_mgmt_encode_chreset() - update CHRESET_TIMEOUT
 * @reg: current register content
 * @cycles: channel reset timeout, in cycles
 *
 * Return: the register content with the timeout field replaced.
 */
VISIBLE_IF_KUNIT u32 hidma_mgmt_encode_chreset(u32 reg, u32 cycles)
{
	reg &= ~HIDMA_MGMT_CHRESET_CYCLES;
	return reg | FIELD_PREP(HIDMA_MGMT_CHRESET_CYCLES, cycles);
}
EXPORT_SYMBOL_IF_KUNIT(hidma_mgmt_encode_chreset);

/*
 * Register access. The callers hold mdev->lock (or own the device alone, in
 * probe) and keep the block runtime resumed.
 */
static void hidma_mgmt_rmw_global(struct hidma_mgmt_dev *mdev,
				  enum hidma_mgmt_param_id id)
{
	void __iomem *base = mdev->base;
	const u32 *v = mdev->val;
	u32 reg;

	switch (id) {
	case HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES:
		reg = readl(base + HIDMA_MGMT_CHRESET_TIMEOUT);
		reg = hidma_mgmt_encode_chreset(reg,
						v[HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES]);
		writel(reg, base + HIDMA_MGMT_CHRESET_TIMEOUT);
		break;
	case HIDMA_MGMT_MAX_WRITE_REQUEST:
	case HIDMA_MGMT_MAX_READ_REQUEST:
		reg = readl(base + HIDMA_MGMT_MAX_BUS_REQ_LEN);
		reg = hidma_mgmt_encode_bus_req_len(reg,
						    v[HIDMA_MGMT_MAX_WRITE_REQUEST],
						    v[HIDMA_MGMT_MAX_READ_REQUEST]);
		writel(reg, base + HIDMA_MGMT_MAX_BUS_REQ_LEN);
		break;
	case HIDMA_MGMT_MAX_WR_XACTIONS:
	case HIDMA_MGMT_MAX_RD_XACTIONS:
		reg = readl(base + HIDMA_MGMT_MAX_XACTIONS);
		reg = hidma_mgmt_encode_xactions(reg,
						 v[HIDMA_MGMT_MAX_WR_XACTIONS],
						 v[HIDMA_MGMT_MAX_RD_XACTIONS]);
		writel(reg, base + HIDMA_MGMT_MAX_XACTIONS);
		break;
	default:
		break;
	}
}

static void hidma_mgmt_rmw_qos(struct hidma_mgmt_dev *mdev, unsigned int ch)
{
	void __iomem *addr = mdev->base + HIDMA_MGMT_QOS(ch);

	writel(hidma_mgmt_encode_qos(readl(addr), mdev->priority[ch],
				     mdev->weight[ch]), addr);
}

/* Whether the hardware holds the cached value of a global parameter */
static bool hidma_mgmt_global_in_hw(struct hidma_mgmt_dev *mdev,
				    enum hidma_mgmt_param_id id)
{
	void __iomem *base = mdev->base;
	u32 reg;

	switch (id) {
	case HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES:
		reg = readl(base + HIDMA_MGMT_CHRESET_TIMEOUT);
		return FIELD_GET(HIDMA_MGMT_CHRESET_CYCLES, reg) == mdev->val[id];
	case HIDMA_MGMT_MAX_WRITE_REQUEST:
		reg = readl(base + HIDMA_MGMT_MAX_BUS_REQ_LEN);
		return FIELD_GET(HIDMA_MGMT_MAX_WR_REQ, reg) == mdev->val[id];
	case HIDMA_MGMT_MAX_READ_REQUEST:
		reg = readl(base + HIDMA_MGMT_MAX_BUS_REQ_LEN);
		return FIELD_GET(HIDMA_MGMT_MAX_RD_REQ, reg) == mdev->val[id];
	case HIDMA_MGMT_MAX_WR_XACTIONS:
		reg = readl(base + HIDMA_MGMT_MAX_XACTIONS);
		return FIELD_GET(HIDMA_MGMT_MAX_WR_XACT, reg) == mdev->val[id];
	case HIDMA_MGMT_MAX_RD_XACTIONS:
		reg = readl(base + HIDMA_MGMT_MAX_XACTIONS);
		return FIELD_GET(HIDMA_MGMT_MAX_RD_XACT, reg) == mdev->val[id];
	default:
		return true;
	}
}

static bool hidma_mgmt_qos_in_hw(struct hidma_mgmt_dev *mdev, unsigned int ch)
{
	u32 reg = readl(mdev->base + HIDMA_MGMT_QOS(ch));

	return FIELD_GET(HIDMA_MGMT_QOS_PRIORITY, reg) == mdev->priority[ch] &&
	       FIELD_GET(HIDMA_MGMT_QOS_WEIGHT, reg) == mdev->weight[ch];
}

static bool hidma_mgmt_hw_matches(struct hidma_mgmt_dev *mdev)
{
	unsigned int i;

	if (!(readl(mdev->base + HIDMA_MGMT_CFG) & HIDMA_MGMT_CFG_ENABLE))
		return false;

	for (i = 0; i < HIDMA_MGMT_NR_GLOBALS; i++)
		if (!hidma_mgmt_global_in_hw(mdev, i))
			return false;

	for (i = 0; i < mdev->val[HIDMA_MGMT_DMA_CHANNELS]; i++)
		if (!hidma_mgmt_qos_in_hw(mdev, i))
			return false;

	return true;
}

/* Program the whole configuration, then enable the block */
static void hidma_mgmt_program(struct hidma_mgmt_dev *mdev)
{
	void __iomem *cfg = mdev->base + HIDMA_MGMT_CFG;
	unsigned int i;

	hidma_mgmt_rmw_global(mdev, HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES);
	hidma_mgmt_rmw_global(mdev, HIDMA_MGMT_MAX_WRITE_REQUEST);
	hidma_mgmt_rmw_global(mdev, HIDMA_MGMT_MAX_WR_XACTIONS);

	for (i = 0; i < mdev->val[HIDMA_MGMT_DMA_CHANNELS]; i++)
		hidma_mgmt_rmw_qos(mdev, i);

	writel(readl(cfg) | HIDMA_MGMT_CFG_ENABLE, cfg);
}

/* Put the configuration back if the block lost it */
static void hidma_mgmt_restore(struct hidma_mgmt_dev *mdev)
{
	guard(mutex)(&mdev->lock);

	if (hidma_mgmt_hw_matches(mdev))
		return;

	dev_info(mdev->dev, "configuration lost, restoring it\n");
	hidma_mgmt_program(mdev);
}

/**
 * hidma_mgmt_set_global() - change a global bus parameter
 * @mdev: the management device
 * @id: the parameter, one of the tunable global ones
 * @val: the new value
 *
 * The value is checked, written to the hardware and read back. Nothing
 * changes if it is invalid or the hardware does not take it.
 *
 * Return: 0 on success, -EINVAL for an invalid value or a read-only
 * parameter, -EIO if the hardware did not take the value, or the error of
 * resuming the device.
 */
int hidma_mgmt_set_global(struct hidma_mgmt_dev *mdev,
			  enum hidma_mgmt_param_id id, u32 val)
{
	u32 old;
	int rc;

	if (id == HIDMA_MGMT_DMA_CHANNELS || id >= HIDMA_MGMT_NR_GLOBALS)
		return -EINVAL;
	if (hidma_mgmt_check_value(id, val))
		return -EINVAL;

	rc = pm_runtime_resume_and_get(mdev->dev);
	if (rc)
		return rc;

	scoped_guard(mutex, &mdev->lock) {
		old = mdev->val[id];
		mdev->val[id] = val;
		hidma_mgmt_rmw_global(mdev, id);
		if (!hidma_mgmt_global_in_hw(mdev, id)) {
			mdev->val[id] = old;
			hidma_mgmt_rmw_global(mdev, id);
			rc = -EIO;
		}
	}

	pm_runtime_mark_last_busy(mdev->dev);
	pm_runtime_put_autosuspend(mdev->dev);
	return rc;
}

/**
 * hidma_mgmt_set_qos() - change the priority or the weight of a channel
 * @mdev: the management device
 * @ch: the channel index
 * @id: %HIDMA_MGMT_PRIORITY or %HIDMA_MGMT_WEIGHT
 * @val: the new value
 *
 * Same rules as hidma_mgmt_set_global().
 *
 * Return: 0 on success or a negative error code.
 */
int hidma_mgmt_set_qos(struct hidma_mgmt_dev *mdev, unsigned int ch,
		       enum hidma_mgmt_param_id id, u32 val)
{
	u32 *field, old;
	int rc;

	if (ch >= mdev->val[HIDMA_MGMT_DMA_CHANNELS])
		return -EINVAL;
	if (id == HIDMA_MGMT_PRIORITY)
		field = &mdev->priority[ch];
	else if (id == HIDMA_MGMT_WEIGHT)
		field = &mdev->weight[ch];
	else
		return -EINVAL;
	if (hidma_mgmt_check_value(id, val))
		return -EINVAL;

	rc = pm_runtime_resume_and_get(mdev->dev);
	if (rc)
		return rc;

	scoped_guard(mutex, &mdev->lock) {
		old = *field;
		*field = val;
		hidma_mgmt_rmw_qos(mdev, ch);
		if (!hidma_mgmt_qos_in_hw(mdev, ch)) {
			*field = old;
			hidma_mgmt_rmw_qos(mdev, ch);
			rc = -EIO;
		}
	}

	pm_runtime_mark_last_busy(mdev->dev);
	pm_runtime_put_autosuspend(mdev->dev);
	return rc;
}

/*
 * Read and validate every firmware property before anything is written to
 * the hardware, so that a bad property leaves the block untouched.
 */
static int hidma_mgmt_read_firmware(struct hidma_mgmt_dev *mdev,
				    resource_size_t size)
{
	struct device *dev = mdev->dev;
	const struct hidma_mgmt_param *p;
	unsigned int i;
	u32 val;
	int rc;

	for (i = 0; i < HIDMA_MGMT_NR_GLOBALS; i++) {
		p = &hidma_mgmt_params[i];

		rc = device_property_read_u32(dev, p->prop, &val);
		if (rc)
			return dev_err_probe(dev, -EINVAL,
					     "property %s is missing or not a u32 (%pe); valid range %u..%u%s\n",
					     p->prop, ERR_PTR(rc), p->min, p->max,
					     p->pow2 ? ", power of two" : "");

		if (hidma_mgmt_check_value(i, val))
			return dev_err_probe(dev, -EINVAL,
					     "property %s = %u is invalid; valid range %u..%u%s\n",
					     p->prop, val, p->min, p->max,
					     p->pow2 ? ", power of two" : "");

		mdev->val[i] = val;
	}

	/* Every QOS register of the channels must be inside the window */
	val = mdev->val[HIDMA_MGMT_DMA_CHANNELS];
	if (size < HIDMA_MGMT_QOS(val))
		return dev_err_probe(dev, -EINVAL,
				     "property dma-channels = %u does not fit the %pa byte register window; valid range 1..%llu\n",
				     val, &size,
				     size > HIDMA_MGMT_QOS(0) ?
				     (u64)(size - HIDMA_MGMT_QOS(0)) / 4 : 0);

	return 0;
}

/*
 * On devicetree the channels are children of the management node: create
 * their devices now that the block is enabled. They are not destroyed when
 * the driver unbinds, so that running channels are not disturbed; binding
 * again finds them in place (of_platform_populate() skips populated nodes).
 */
static int hidma_mgmt_create_channels(struct hidma_mgmt_dev *mdev)
{
	struct device_node *np = dev_of_node(mdev->dev);
	bool existed;
	int rc;

	if (!np)
		return 0;

	existed = of_node_check_flag(np, OF_POPULATED_BUS);
	rc = of_platform_populate(np, NULL, NULL, mdev->dev);
	if (rc) {
		/* Only undo what this call created */
		if (!existed)
			of_platform_depopulate(mdev->dev);
		return dev_err_probe(mdev->dev, rc,
				     "cannot create the channel devices\n");
	}

	return 0;
}

static int hidma_mgmt_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	struct hidma_mgmt_dev *mdev;
	struct resource *res;
	unsigned int nr, i;
	int rc;

	mdev = devm_kzalloc(dev, sizeof(*mdev), GFP_KERNEL);
	if (!mdev)
		return -ENOMEM;
	mdev->dev = dev;

	rc = devm_mutex_init(dev, &mdev->lock);
	if (rc)
		return rc;

	mdev->base = devm_platform_get_and_ioremap_resource(pdev, 0, &res);
	if (IS_ERR(mdev->base))
		return PTR_ERR(mdev->base);

	rc = hidma_mgmt_read_firmware(mdev, resource_size(res));
	if (rc)
		return rc;

	nr = mdev->val[HIDMA_MGMT_DMA_CHANNELS];
	mdev->priority = devm_kcalloc(dev, nr, sizeof(*mdev->priority),
				      GFP_KERNEL);
	mdev->weight = devm_kcalloc(dev, nr, sizeof(*mdev->weight), GFP_KERNEL);
	mdev->chans = devm_kcalloc(dev, nr, sizeof(*mdev->chans), GFP_KERNEL);
	if (!mdev->priority || !mdev->weight || !mdev->chans)
		return -ENOMEM;

	for (i = 0; i < nr; i++) {
		mdev->priority[i] = HIDMA_MGMT_DEFAULT_PRIORITY;
		mdev->weight[i] = HIDMA_MGMT_DEFAULT_WEIGHT;
	}

	platform_set_drvdata(pdev, mdev);

	/* The block is powered while it is probed; keep it so until the end */
	pm_runtime_set_autosuspend_delay(dev, HIDMA_MGMT_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_get_noresume(dev);
	rc = pm_runtime_set_active(dev);
	if (rc)
		goto out_put;
	rc = devm_pm_runtime_enable(dev);
	if (rc)
		goto out_put;

	scoped_guard(mutex, &mdev->lock) {
		hidma_mgmt_program(mdev);
		mdev->hw_version = readl(mdev->base + HIDMA_MGMT_HW_VERSION);
	}

	dev_info(dev, "HIDMA management %lu.%lu enabled, %u channels\n",
		 FIELD_GET(HIDMA_MGMT_HW_MAJOR, mdev->hw_version),
		 FIELD_GET(HIDMA_MGMT_HW_MINOR, mdev->hw_version), nr);

	rc = hidma_mgmt_chanops_create(mdev);
	if (rc) {
		dev_err_probe(dev, rc, "cannot create the chanops directory\n");
		goto out_put;
	}

	rc = hidma_mgmt_create_channels(mdev);
	if (rc)
		goto out_put;

	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
	return 0;

out_put:
	pm_runtime_put_noidle(dev);
	return rc;
}

static int hidma_mgmt_runtime_suspend(struct device *dev)
{
	/*
	 * Nothing to save: the cached values are the configuration. Whatever
	 * the platform does to the block while it is suspended is undone in
	 * hidma_mgmt_runtime_resume().
	 */
	return 0;
}

static int hidma_mgmt_runtime_resume(struct device *dev)
{
	hidma_mgmt_restore(dev_get_drvdata(dev));
	return 0;
}

static int hidma_mgmt_resume(struct device *dev)
{
	int rc;

	/*
	 * Restore at once, even if the device was runtime suspended: the
	 * channels need an enabled block whatever the state of this device.
	 */
	rc = pm_runtime_resume_and_get(dev);
	if (rc)
		return rc;

	hidma_mgmt_restore(dev_get_drvdata(dev));

	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
	return 0;
}

static const struct dev_pm_ops hidma_mgmt_pm_ops = {
	RUNTIME_PM_OPS(hidma_mgmt_runtime_suspend, hidma_mgmt_runtime_resume,
		       NULL)
	SYSTEM_SLEEP_PM_OPS(NULL, hidma_mgmt_resume)
};

static const struct of_device_id hidma_mgmt_of_match[] = {
	{ .compatible = "qcom,hidma-mgmt-1.0" },
	{ }
};
MODULE_DEVICE_TABLE(of, hidma_mgmt_of_match);

static const struct acpi_device_id hidma_mgmt_acpi_match[] = {
	{ "QCOM8060" },
	{ }
};
MODULE_DEVICE_TABLE(acpi, hidma_mgmt_acpi_match);

/*
 * There is no .remove: every resource is device managed, and the hardware
 * is deliberately left enabled and configured for the channels.
 */
static struct platform_driver hidma_mgmt_driver = {
	.probe = hidma_mgmt_probe,
	.driver = {
		.name = "hidma-mgmt",
		.of_match_table = hidma_mgmt_of_match,
		.acpi_match_table = hidma_mgmt_acpi_match,
		.dev_groups = hidma_mgmt_groups,
		.pm = pm_ptr(&hidma_mgmt_pm_ops),
	},
};
module_platform_driver(hidma_mgmt_driver);

MODULE_DESCRIPTION("Qualcomm Technologies HIDMA management driver");
MODULE_LICENSE("GPL");
