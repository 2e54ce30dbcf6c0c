// SPDX-License-Identifier: GPL-2.0-only
/*
 * VFIO platform reset for a Qualcomm Technologies HIDMA channel
 * (devicetree "qcom,hidma-1.0"). ACPI systems reset the channel with its
 * _RST method instead.
 *
 * vfio-platform calls this before a user gets the channel and after it
 * lets go. The channel is left disabled, with no ring, no doorbell, no
 * pending or enabled interrupt, and no bus address of the last user.
 */

#include <linux/bits.h>
#include <linux/errno.h>
#include <linux/io.h>
#include <linux/iopoll.h>
#include <linux/module.h>

#include "../vfio_platform_private.h"

/* both windows (TRCA, EVCA) */
#define HIDMA_CTRLSTS		0x000
#define HIDMA_RING_LOW		0x008
#define HIDMA_RING_HIGH		0x00c
#define HIDMA_RING_LEN		0x010
#define HIDMA_DOORBELL		0x400
/* EVCA only */
#define HIDMA_EV_IRQ_CLR	0x108
#define HIDMA_EV_IRQ_EN		0x110

#define HIDMA_WINDOW_MIN	(HIDMA_DOORBELL + 4)
#define HIDMA_CMD_SHIFT		16
#define HIDMA_CMD_RESET		9
#define HIDMA_STATE(sts)	(((sts) >> 8) & 0xff)
#define HIDMA_STATE_DISABLED	0
/* every cause the channel can raise: EOB, event write, TRE read, data, bad TRE */
#define HIDMA_IRQ_ALL		(BIT(0) | BIT(1) | BIT(9) | BIT(10) | BIT(11) | BIT(14))

/* at most the longest reset timeout the management block takes (~1 ms) */
#define HIDMA_RESET_POLL_US	10
#define HIDMA_RESET_TIMEOUT_US	100000

enum { HIDMA_TRCA, HIDMA_EVCA, HIDMA_NR_WINDOWS };

static int qcomhidma_map(struct vfio_platform_device *vdev,
			 void __iomem *win[HIDMA_NR_WINDOWS])
{
	int i;

	if (vdev->num_regions < HIDMA_NR_WINDOWS) {
		dev_err(vdev->device, "%u MMIO regions, want TRCA and EVCA\n",
			vdev->num_regions);
		return -EINVAL;
	}
	for (i = 0; i < HIDMA_NR_WINDOWS; i++) {
		struct vfio_platform_region *reg = &vdev->regions[i];

		if (reg->size < HIDMA_WINDOW_MIN) {
			dev_err(vdev->device, "region %d is %llu bytes, too small\n",
				i, reg->size);
			return -EINVAL;
		}
		/* vfio-platform unmaps it when the user lets go */
		if (!reg->ioaddr) {
			reg->ioaddr = ioremap(reg->addr, reg->size);
			if (!reg->ioaddr)
				return -ENOMEM;
		}
		win[i] = reg->ioaddr;
	}
	return 0;
}

static int qcomhidma_reset_window(struct vfio_platform_device *vdev,
				  void __iomem *base, const char *name)
{
	u32 sts;
	int ret;

	writel(HIDMA_CMD_RESET << HIDMA_CMD_SHIFT, base + HIDMA_CTRLSTS);
	ret = readl_poll_timeout(base + HIDMA_CTRLSTS, sts,
				 HIDMA_STATE(sts) == HIDMA_STATE_DISABLED,
				 HIDMA_RESET_POLL_US, HIDMA_RESET_TIMEOUT_US);
	if (ret)
		dev_err(vdev->device, "%s reset timed out, state %u\n", name,
			HIDMA_STATE(sts));
	return ret;
}

static int vfio_platform_qcomhidma_reset(struct vfio_platform_device *vdev)
{
	void __iomem *win[HIDMA_NR_WINDOWS];
	int i, ret;

	ret = qcomhidma_map(vdev, win);
	if (ret)
		return ret;

	/* transfers first, so that no event is written behind the reset */
	ret = qcomhidma_reset_window(vdev, win[HIDMA_TRCA], "transfer channel");
	if (ret)
		return ret;
	ret = qcomhidma_reset_window(vdev, win[HIDMA_EVCA], "event channel");
	if (ret)
		return ret;

	writel(0, win[HIDMA_EVCA] + HIDMA_EV_IRQ_EN);
	writel(HIDMA_IRQ_ALL, win[HIDMA_EVCA] + HIDMA_EV_IRQ_CLR);
	/* the next owner must not inherit this one's bus addresses */
	for (i = 0; i < HIDMA_NR_WINDOWS; i++) {
		writel(0, win[i] + HIDMA_RING_LOW);
		writel(0, win[i] + HIDMA_RING_HIGH);
		writel(0, win[i] + HIDMA_RING_LEN);
	}
	return 0;
}

module_vfio_reset_handler("qcom,hidma-1.0", vfio_platform_qcomhidma_reset);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Reset support for Qualcomm Technologies HIDMA channels in vfio-platform");
