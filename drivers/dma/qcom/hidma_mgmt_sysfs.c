// SPDX-License-Identifier: GPL-2.0-only
/*
 * Qualcomm Technologies HIDMA management driver: sysfs interface
 *
 * The global attributes live in the directory of the platform device and
 * are added by the driver core (dev_groups) after probe succeeded and
 * removed before the device is unbound. The per-channel attributes live in
 * chanops/chan<N>; these directories are kobjects owned by the driver and
 * deleted by a device managed action, before the state they point to goes.
 * Every write is parsed strictly and range checked before the core is asked
 * to program it; see Documentation/ABI/testing/sysfs-platform-hidma-mgmt.
 */

#include <linux/bitfield.h>
#include <linux/cleanup.h>
#include <linux/ctype.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <kunit/visibility.h>

#include "hidma_mgmt.h"

/* A u32 has at most 10 decimal digits */
#define HIDMA_MGMT_MAX_DIGITS	10

/**
 * hidma_mgmt_parse_value() - parse a value written to a sysfs attribute
 * @buf: the text, not necessarily NUL terminated
 * @count: its length in bytes
 * @val: the value parsed, unchanged on error
 *
 * The text must be a decimal number of 1 to 10 digits that fits 32 bits,
 * optionally followed by one newline. Signs, spaces, other bases and any
 * other character are refused.
 *
 * Return: 0 on success, -EINVAL otherwise.
 */
VISIBLE_IF_KUNIT int hidma_mgmt_parse_value(const char *buf, size_t count,
					    u32 *val)
{
	char digits[HIDMA_MGMT_MAX_DIGITS + 1];
	size_t i;
	u32 v;

	if (count && buf[count - 1] == '\n')
		count--;
	if (!count || count > HIDMA_MGMT_MAX_DIGITS)
		return -EINVAL;

	for (i = 0; i < count; i++) {
		if (!isdigit(buf[i]))
			return -EINVAL;
		digits[i] = buf[i];
	}
	digits[count] = '\0';

	/* Only an overflow can fail here; report it like any bad input */
	if (kstrtou32(digits, 10, &v))
		return -EINVAL;

	*val = v;
	return 0;
}
EXPORT_SYMBOL_IF_KUNIT(hidma_mgmt_parse_value);

/**
 * struct hidma_mgmt_attr - a global attribute
 * @dattr: the device attribute
 * @id: the parameter it shows
 */
struct hidma_mgmt_attr {
	struct device_attribute dattr;
	enum hidma_mgmt_param_id id;
};

#define to_hidma_mgmt_attr(a) container_of(a, struct hidma_mgmt_attr, dattr)

static ssize_t hidma_mgmt_param_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct hidma_mgmt_dev *mdev = dev_get_drvdata(dev);
	enum hidma_mgmt_param_id id = to_hidma_mgmt_attr(attr)->id;
	u32 val;

	scoped_guard(mutex, &mdev->lock)
		val = mdev->val[id];

	return sysfs_emit(buf, "%u\n", val);
}

static ssize_t hidma_mgmt_param_store(struct device *dev,
				      struct device_attribute *attr,
				      const char *buf, size_t count)
{
	struct hidma_mgmt_dev *mdev = dev_get_drvdata(dev);
	enum hidma_mgmt_param_id id = to_hidma_mgmt_attr(attr)->id;
	u32 val;
	int rc;

	rc = hidma_mgmt_parse_value(buf, count, &val);
	if (rc)
		return rc;

	rc = hidma_mgmt_set_global(mdev, id, val);
	return rc ? rc : count;
}

#define HIDMA_MGMT_ATTR(_name, _mode, _store, _id)			\
	struct hidma_mgmt_attr hidma_mgmt_attr_##_name = {		\
		.dattr = __ATTR(_name, _mode, hidma_mgmt_param_show,	\
				_store),				\
		.id = _id,						\
	}

static HIDMA_MGMT_ATTR(dma_channels, 0444, NULL, HIDMA_MGMT_DMA_CHANNELS);
static HIDMA_MGMT_ATTR(chreset_timeout_cycles, 0644, hidma_mgmt_param_store,
		       HIDMA_MGMT_CHRESET_TIMEOUT_CYCLES);
static HIDMA_MGMT_ATTR(max_write_request, 0644, hidma_mgmt_param_store,
		       HIDMA_MGMT_MAX_WRITE_REQUEST);
static HIDMA_MGMT_ATTR(max_read_request, 0644, hidma_mgmt_param_store,
		       HIDMA_MGMT_MAX_READ_REQUEST);
static HIDMA_MGMT_ATTR(max_wr_xactions, 0644, hidma_mgmt_param_store,
		       HIDMA_MGMT_MAX_WR_XACTIONS);
static HIDMA_MGMT_ATTR(max_rd_xactions, 0644, hidma_mgmt_param_store,
		       HIDMA_MGMT_MAX_RD_XACTIONS);

static ssize_t hw_version_major_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct hidma_mgmt_dev *mdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lu\n",
			  FIELD_GET(HIDMA_MGMT_HW_MAJOR, mdev->hw_version));
}
static DEVICE_ATTR_RO(hw_version_major);

static ssize_t hw_version_minor_show(struct device *dev,
				     struct device_attribute *attr, char *buf)
{
	struct hidma_mgmt_dev *mdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%lu\n",
			  FIELD_GET(HIDMA_MGMT_HW_MINOR, mdev->hw_version));
}
static DEVICE_ATTR_RO(hw_version_minor);

static struct attribute *hidma_mgmt_attrs[] = {
	&dev_attr_hw_version_major.attr,
	&dev_attr_hw_version_minor.attr,
	&hidma_mgmt_attr_dma_channels.dattr.attr,
	&hidma_mgmt_attr_chreset_timeout_cycles.dattr.attr,
	&hidma_mgmt_attr_max_write_request.dattr.attr,
	&hidma_mgmt_attr_max_read_request.dattr.attr,
	&hidma_mgmt_attr_max_wr_xactions.dattr.attr,
	&hidma_mgmt_attr_max_rd_xactions.dattr.attr,
	NULL
};

static const struct attribute_group hidma_mgmt_group = {
	.attrs = hidma_mgmt_attrs,
};

const struct attribute_group *hidma_mgmt_groups[] = {
	&hidma_mgmt_group,
	NULL
};

/* chanops/chan<N>/{priority,weight} */

/**
 * struct hidma_mgmt_chan_attr - a per-channel attribute
 * @kattr: the kobject attribute
 * @id: %HIDMA_MGMT_PRIORITY or %HIDMA_MGMT_WEIGHT
 */
struct hidma_mgmt_chan_attr {
	struct kobj_attribute kattr;
	enum hidma_mgmt_param_id id;
};

#define to_hidma_mgmt_chan(k) container_of(k, struct hidma_mgmt_chan, kobj)
#define to_hidma_mgmt_chan_attr(a) \
	container_of(a, struct hidma_mgmt_chan_attr, kattr)

static ssize_t hidma_mgmt_chan_show(struct kobject *kobj,
				    struct kobj_attribute *attr, char *buf)
{
	struct hidma_mgmt_chan *chan = to_hidma_mgmt_chan(kobj);
	struct hidma_mgmt_dev *mdev = chan->mdev;
	u32 val;

	scoped_guard(mutex, &mdev->lock) {
		if (to_hidma_mgmt_chan_attr(attr)->id == HIDMA_MGMT_PRIORITY)
			val = mdev->priority[chan->index];
		else
			val = mdev->weight[chan->index];
	}

	return sysfs_emit(buf, "%u\n", val);
}

static ssize_t hidma_mgmt_chan_store(struct kobject *kobj,
				     struct kobj_attribute *attr,
				     const char *buf, size_t count)
{
	struct hidma_mgmt_chan *chan = to_hidma_mgmt_chan(kobj);
	u32 val;
	int rc;

	rc = hidma_mgmt_parse_value(buf, count, &val);
	if (rc)
		return rc;

	rc = hidma_mgmt_set_qos(chan->mdev, chan->index,
				to_hidma_mgmt_chan_attr(attr)->id, val);
	return rc ? rc : count;
}

#define HIDMA_MGMT_CHAN_ATTR(_name, _id)				\
	struct hidma_mgmt_chan_attr hidma_mgmt_chan_attr_##_name = {	\
		.kattr = __ATTR(_name, 0644, hidma_mgmt_chan_show,	\
				hidma_mgmt_chan_store),			\
		.id = _id,						\
	}

static HIDMA_MGMT_CHAN_ATTR(priority, HIDMA_MGMT_PRIORITY);
static HIDMA_MGMT_CHAN_ATTR(weight, HIDMA_MGMT_WEIGHT);

static struct attribute *hidma_mgmt_chan_attrs[] = {
	&hidma_mgmt_chan_attr_priority.kattr.attr,
	&hidma_mgmt_chan_attr_weight.kattr.attr,
	NULL
};
ATTRIBUTE_GROUPS(hidma_mgmt_chan);

static void hidma_mgmt_chan_release(struct kobject *kobj)
{
	kfree(to_hidma_mgmt_chan(kobj));
}

static const struct kobj_type hidma_mgmt_chan_ktype = {
	.release = hidma_mgmt_chan_release,
	.sysfs_ops = &kobj_sysfs_ops,
	.default_groups = hidma_mgmt_chan_groups,
};

/*
 * Delete the directories, newest first. Deleting a kobject waits for the
 * show and store calls in progress and no new one starts afterwards, so
 * nothing reaches @mdev once this returns, even if an open file still holds
 * a reference to a kobject (its memory goes with the last reference).
 */
static void hidma_mgmt_chanops_destroy(void *data)
{
	struct hidma_mgmt_dev *mdev = data;
	unsigned int i = mdev->val[HIDMA_MGMT_DMA_CHANNELS];

	while (i--) {
		struct hidma_mgmt_chan *chan = mdev->chans[i];

		if (!chan)
			continue;
		mdev->chans[i] = NULL;
		kobject_del(&chan->kobj);
		kobject_put(&chan->kobj);
	}

	kobject_del(mdev->chanops);
	kobject_put(mdev->chanops);
	mdev->chanops = NULL;
}

/**
 * hidma_mgmt_chanops_create() - create chanops/chan<N> for every channel
 * @mdev: the management device, with its channel count set
 *
 * Everything created here is removed by a device managed action, also when
 * this function fails half way.
 *
 * Return: 0 on success or a negative error code.
 */
int hidma_mgmt_chanops_create(struct hidma_mgmt_dev *mdev)
{
	unsigned int i;
	int rc;

	mdev->chanops = kobject_create_and_add("chanops", &mdev->dev->kobj);
	if (!mdev->chanops)
		return -ENOMEM;

	rc = devm_add_action_or_reset(mdev->dev, hidma_mgmt_chanops_destroy,
				      mdev);
	if (rc)
		return rc;

	for (i = 0; i < mdev->val[HIDMA_MGMT_DMA_CHANNELS]; i++) {
		struct hidma_mgmt_chan *chan;

		chan = kzalloc(sizeof(*chan), GFP_KERNEL);
		if (!chan)
			return -ENOMEM;

		chan->mdev = mdev;
		chan->index = i;
		rc = kobject_init_and_add(&chan->kobj, &hidma_mgmt_chan_ktype,
					  mdev->chanops, "chan%u", i);
		if (rc) {
			/* The release callback frees @chan */
			kobject_put(&chan->kobj);
			return rc;
		}
		mdev->chans[i] = chan;
	}

	return 0;
}
