// SPDX-License-Identifier: GPL-2.0-only
/*
 * Qualcomm Technologies HIDMA channel driver: probe, remove, power
 * management and the release of the channel.
 *
 * Each HIDMA channel is a platform device with its own rings and interrupt
 * and is exposed as a dmaengine device with one memcpy/memset channel. The
 * driver needs nothing from the management driver: a channel assigned to a
 * guest works on its own. If the management block has not enabled the
 * engine yet, the channel refuses ENABLE and probe is deferred.
 *
 * The data path is in hidma_dma.c, the channel states, recovery and
 * terminate in hidma_lifecycle.c, the rings and registers in hidma_ll.c.
 *
 * Copyright (c) 2026 The HIDMA driver authors.
 */

#include <linux/acpi.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/dmaengine.h>
#include <linux/interrupt.h>
#include <linux/list.h>
#include <linux/mod_devicetable.h>
#include <linux/module.h>
#include <linux/msi.h>
#include <linux/of.h>
#include <linux/of_dma.h>
#include <linux/platform_device.h>
#include <linux/pm_runtime.h>
#include <linux/property.h>
#include <linux/sizes.h>
#include <linux/slab.h>
#include <linux/spinlock.h>

#include "../dmaengine.h"
#include "hidma.h"

/*
 * Default number of transfers in flight per channel. The engine only moves
 * data while the ring holds work, so the ring must hold everything the
 * clients queue between two interrupts. make bench (16 threads of 4 KiB
 * memcpy on one channel, median iops) measured 42.4k at 10 descriptors
 * (the original driver's default), 45.0k at 32, 44.9k at 127 and 43.7k at
 * 512: a ring shallower than the clients' queue loses throughput, a deeper
 * one gains nothing. 127 descriptors plus the slot that always stays free
 * make the transfer ring exactly one 4 KiB page (and the event ring half
 * of one), the smallest coherent allocation anyway, so 127 costs no more
 * memory than 10 and leaves room for clients that queue more than 16.
 */
#define HIDMA_DEFAULT_DESC_COUNT	127
#define HIDMA_MIN_DESC_COUNT		4
#define HIDMA_MAX_DESC_COUNT		4095

static unsigned int desc_count;

static int hidma_desc_count_set(const char *val, const struct kernel_param *kp)
{
	unsigned int n;

	if (kstrtouint(val, 0, &n) ||
	    (n && (n < HIDMA_MIN_DESC_COUNT || n > HIDMA_MAX_DESC_COUNT))) {
		pr_err("hidma: desc_count %s is invalid: 0 or %u..%u\n",
		       val, HIDMA_MIN_DESC_COUNT, HIDMA_MAX_DESC_COUNT);
		return -EINVAL;
	}
	*(unsigned int *)kp->arg = n;
	return 0;
}

static const struct kernel_param_ops hidma_desc_count_ops = {
	.set = hidma_desc_count_set,
	.get = param_get_uint,
};
module_param_cb(desc_count, &hidma_desc_count_ops, &desc_count, 0444);
MODULE_PARM_DESC(desc_count,
		 "Transfers in flight per channel, overriding the firmware's desc-count (4..4095; 0, the default: desc-count, else 127)");

#define HIDMA_AUTOSUSPEND_MS		1000
/* Match data */
#define HIDMA_CAP_MSI			BIT(0)
#define HIDMA_CAP_IDENTITY		BIT(1)

static struct workqueue_struct *hidma_free_wq;

static bool hidma_match_none(struct dma_chan *chan, void *param)
{
	return false;
}

static void hidma_free_work(struct work_struct *work)
{
	struct hidma_dev *hdev = container_of(work, struct hidma_dev,
					      free_work);
	dma_cap_mask_t any;

	cancel_work_sync(&hdev->recover_work);
	vchan_free_chan_resources(&hdev->vc);
	tasklet_kill(&hdev->vc.task);
	hidma_desc_cache_drain(hdev);

	/*
	 * device_release() runs under the core's dma_list_mutex, and the
	 * core reads the channel after it returns: in Linux 6.12,
	 * dma_chan_put() drops the last device reference at
	 * drivers/dma/dmaengine.c:522-523, and dma_release_channel() then
	 * reads chan->slave and chan->dbg_client_name (:920 and :929-930).
	 * A channel request that matches nothing takes and drops that mutex:
	 * once it returns, the core is done with the memory.
	 */
	dma_cap_zero(any);
	dma_request_channel(any, hidma_match_none, NULL);

	mutex_destroy(&hdev->hw_lock);
	put_device(hdev->dev);
	kfree(hdev);
}

/* Last reference to the dmaengine device gone: free the channel. */
static void hidma_release(struct dma_device *ddev)
{
	struct hidma_dev *hdev = container_of(ddev, struct hidma_dev, ddev);

	queue_work(hidma_free_wq, &hdev->free_work);
}

static struct dma_chan *hidma_of_xlate(struct of_phandle_args *spec,
				       struct of_dma *ofdma)
{
	struct hidma_dev *hdev = ofdma->of_dma_data;

	if (spec->args_count != 1 || spec->args[0] != hdev->chid) {
		dev_err(hdev->dev, "no channel %u here (channel %u)\n",
			spec->args_count ? spec->args[0] : 0, hdev->chid);
		return NULL;
	}
	return dma_get_slave_channel(&hdev->vc.chan);
}

/* The MSI vectors the driver uses, by the cause they signal */
static const struct {
	u32 cause;
	const char *name;
} hidma_msi_causes[] = {
	{ HIDMA_IRQ_EOB, "eob" },
	{ HIDMA_IRQ_EV_WR_RESP, "event-write" },
	{ HIDMA_IRQ_TRE_RD_RESP, "tre-read" },
	{ HIDMA_IRQ_DATA_RD, "data-read" },
	{ HIDMA_IRQ_DATA_WR, "data-write" },
	{ HIDMA_IRQ_INVALID_TRE, "invalid-tre" },
};

/*
 * Called when the MSI core composes a vector's message, on activation.
 * The channel adds the cause to vector 0's data: vector N is cause N.
 */
static void hidma_write_msi_msg(struct msi_desc *desc, struct msi_msg *msg)
{
	struct hidma_dev *hdev = dev_get_drvdata(msi_desc_to_dev(desc));
	struct hidma_msi_vec *vec;

	/*
	 * An all-zero message is the MSI core deactivating the vector on
	 * free: the channel keeps the last valid one, and is stopped by then.
	 */
	if (desc->msi_index >= HIDMA_MSI_VECS ||
	    (!msg->address_lo && !msg->address_hi && !msg->data))
		return;
	vec = &hdev->msi_vec[desc->msi_index];
	vec->addr_lo = msg->address_lo;
	vec->addr_hi = msg->address_hi;
	vec->data = msg->data;
	if (!desc->msi_index)
		hidma_ll_set_msi_msg(&hdev->ll, msg->address_lo,
				     msg->address_hi, msg->data);
}

/* Handlers and names of the MSI vectors, as far as they were set up */
static void hidma_free_msi_handlers(struct hidma_dev *hdev)
{
	struct hidma_msi_vec *vec;

	for (vec = hdev->msi_vec; vec < hdev->msi_vec + HIDMA_MSI_VECS; vec++) {
		if (vec->virq)
			free_irq(vec->virq, vec);
		vec->virq = 0;
		devm_kfree(hdev->dev, vec->name);
		vec->name = NULL;
	}
}

/*
 * The channel derives vector N's message from vector 0's (the end of
 * block's, cause bit 0): each vector the driver uses must have vector 0's
 * address, and its data plus N.
 */
static int hidma_check_msi_msgs(struct hidma_dev *hdev)
{
	const struct hidma_msi_vec *first = &hdev->msi_vec[0], *vec;
	unsigned int i, bit;

	for (i = 0; i < ARRAY_SIZE(hidma_msi_causes); i++) {
		bit = __ffs(hidma_msi_causes[i].cause);
		vec = &hdev->msi_vec[bit];
		if (vec->addr_lo != first->addr_lo ||
		    vec->addr_hi != first->addr_hi ||
		    vec->data != first->data + bit ||
		    (!vec->addr_lo && !vec->addr_hi)) {
			dev_info(hdev->dev, "MSI vector %u: message 0x%08x%08x/0x%x is not vector 0's plus %u: using the wired interrupt\n",
				 bit, vec->addr_hi, vec->addr_lo, vec->data, bit);
			return -EINVAL;
		}
	}
	return 0;
}

/*
 * One vector per cause. Requesting a vector activates it: the MSI core
 * then composes its message, which the channel is programmed with.
 */
static int hidma_request_msi(struct hidma_dev *hdev)
{
	unsigned int i, bit;
	int virq, ret;

	for (i = 0; i < ARRAY_SIZE(hidma_msi_causes); i++) {
		struct hidma_msi_vec *vec;

		bit = __ffs(hidma_msi_causes[i].cause);
		vec = &hdev->msi_vec[bit];
		vec->hdev = hdev;
		vec->cause = hidma_msi_causes[i].cause;
		virq = msi_get_virq(hdev->dev, bit);
		if (!virq) {
			dev_info(hdev->dev, "MSI vector %u has no interrupt: using the wired interrupt\n",
				 bit);
			return -ENXIO;
		}
		vec->name = devm_kasprintf(hdev->dev, GFP_KERNEL, "%s:%s",
					   dev_name(hdev->dev),
					   hidma_msi_causes[i].name);
		if (!vec->name)
			return -ENOMEM;
		ret = request_irq(virq, hidma_msi_irq, 0, vec->name, vec);
		if (ret) {
			dev_err(hdev->dev, "cannot request MSI vector %u: %pe\n",
				bit, ERR_PTR(ret));
			return ret;
		}
		vec->virq = virq;
	}
	return hidma_check_msi_msgs(hdev);
}

/* Undoes hidma_pick_irq(): the MSI vectors, if it got them */
static void hidma_free_vectors(struct hidma_dev *hdev)
{
	if (hdev->ll.msi)
		platform_device_msi_free_irqs_all(hdev->dev);
}

/*
 * MSI on the revisions that have it, if the platform gives vectors;
 * else the wired interrupt. Only decides and allocates vectors.
 */
static int hidma_pick_irq(struct hidma_dev *hdev, struct platform_device *pdev,
			  bool msi_capable)
{
	int ret;

	if (msi_capable) {
		/* On failure it has freed its vectors; devres drops the rest. */
		ret = platform_device_msi_init_and_alloc_irqs(hdev->dev,
							      HIDMA_MSI_VECS,
							      hidma_write_msi_msg);
		if (!ret) {
			hdev->ll.msi = true;
			return 0;
		}
		dev_info(hdev->dev, "no MSI vectors (%pe): using the wired interrupt\n",
			 ERR_PTR(ret));
	}
	hdev->irq = platform_get_irq(pdev, 0);
	return hdev->irq < 0 ? hdev->irq : 0;
}

/*
 * Installs the handlers. MSI vectors that the channel cannot signal
 * correctly are given back for the wired interrupt.
 */
static int hidma_request_irqs(struct hidma_dev *hdev,
			      struct platform_device *pdev)
{
	int ret;

	if (hdev->ll.msi) {
		ret = hidma_request_msi(hdev);
		if (!ret)
			return 0;
		hidma_free_msi_handlers(hdev);
		/* Anything but unusable vectors is an error of its own. */
		if (ret != -EINVAL && ret != -ENXIO)
			return ret;
		hidma_free_vectors(hdev);
		hdev->ll.msi = false;
		hdev->irq = platform_get_irq(pdev, 0);
		if (hdev->irq < 0)
			return hdev->irq;
	}
	ret = request_irq(hdev->irq, hidma_irq, 0, dev_name(hdev->dev), hdev);
	if (ret)
		dev_err(hdev->dev, "cannot request irq %d: %pe\n", hdev->irq,
			ERR_PTR(ret));
	return ret;
}

/* Undoes hidma_request_irqs() */
static void hidma_free_handlers(struct hidma_dev *hdev)
{
	if (hdev->ll.msi)
		hidma_free_msi_handlers(hdev);
	else
		free_irq(hdev->irq, hdev);
}

static ssize_t chid_show(struct device *dev, struct device_attribute *attr,
			 char *buf)
{
	struct hidma_dev *hdev = dev_get_drvdata(dev);

	return sysfs_emit(buf, "%u\n", hdev->chid);
}
static DEVICE_ATTR_RO(chid);

static struct attribute *hidma_attrs[] = {
	&dev_attr_chid.attr,
	NULL
};
ATTRIBUTE_GROUPS(hidma);

static int hidma_probe(struct platform_device *pdev)
{
	struct device *dev = &pdev->dev;
	unsigned long caps = (unsigned long)device_get_match_data(dev);
	void __iomem *trca, *evca;
	struct hidma_dev *hdev;
	u32 nr_desc;
	int ret;

	trca = devm_platform_ioremap_resource(pdev, 0);
	if (IS_ERR(trca))
		return PTR_ERR(trca);
	evca = devm_platform_ioremap_resource(pdev, 1);
	if (IS_ERR(evca))
		return PTR_ERR(evca);

	nr_desc = HIDMA_DEFAULT_DESC_COUNT;
	device_property_read_u32(dev, "desc-count", &nr_desc);
	if (desc_count)
		nr_desc = desc_count;
	if (nr_desc < HIDMA_MIN_DESC_COUNT || nr_desc > HIDMA_MAX_DESC_COUNT)
		return dev_err_probe(dev, -EINVAL,
				     "desc-count %u out of range [%u, %u]\n",
				     nr_desc, HIDMA_MIN_DESC_COUNT,
				     HIDMA_MAX_DESC_COUNT);

	ret = dma_set_mask_and_coherent(dev, DMA_BIT_MASK(64));
	if (ret)
		return dev_err_probe(dev, ret, "no usable DMA mask\n");

	/* Outlives the binding: freed by hidma_release(). */
	hdev = kzalloc(sizeof(*hdev), GFP_KERNEL);
	if (!hdev)
		return -ENOMEM;
	hdev->dev = get_device(dev);
	hdev->nr_desc = nr_desc;
	hdev->state = HIDMA_OFF;
	hdev->resume_to = HIDMA_RUNNING;
	atomic_set(&hdev->outstanding, 0);
	mutex_init(&hdev->hw_lock);
	INIT_WORK(&hdev->recover_work, hidma_recover_work);
	INIT_WORK(&hdev->free_work, hidma_free_work);
	hidma_init_dma_device(hdev);
	hdev->ddev.device_release = hidma_release;

	/* One slot of each ring always stays free. */
	ret = hidma_ll_init(&hdev->ll, dev, trca, evca, nr_desc + 1);
	if (ret)
		goto err_free;
	hdev->chid = hidma_ll_read_chid(&hdev->ll, caps & HIDMA_CAP_IDENTITY);
	hdev->ll.chid = hdev->chid;

	/* The MSI message callback finds the channel here. */
	platform_set_drvdata(pdev, hdev);
	ret = hidma_pick_irq(hdev, pdev, caps & HIDMA_CAP_MSI);
	if (ret)
		goto err_free;

	/*
	 * Handlers before the setup, which programs the MSI message that
	 * requesting vector 0 composes. They ignore the channel until it
	 * runs. Not device-managed: the handlers must be gone before the
	 * channel can be freed, which may happen before devres runs on this
	 * device's error path.
	 */
	hidma_ll_irq_mask(&hdev->ll);
	ret = hidma_request_irqs(hdev, pdev);
	if (ret)
		goto err_msi;

	ret = hidma_ll_setup(&hdev->ll, true);
	if (ret == -EAGAIN) {
		ret = dev_err_probe(dev, -EPROBE_DEFER,
				    "channel %u stays disabled: management block not enabled yet\n",
				    hdev->chid);
		goto err_reset;
	}
	if (ret) {
		dev_err_probe(dev, ret, "channel %u setup failed\n",
			      hdev->chid);
		goto err_reset;
	}
	spin_lock_irq(&hdev->vc.lock);
	hidma_set_state(hdev, HIDMA_RUNNING);
	spin_unlock_irq(&hdev->vc.lock);

	pm_runtime_set_autosuspend_delay(dev, HIDMA_AUTOSUSPEND_MS);
	pm_runtime_use_autosuspend(dev);
	pm_runtime_get_noresume(dev);
	pm_runtime_set_active(dev);
	pm_runtime_enable(dev);

	ret = dma_async_device_register(&hdev->ddev);
	if (ret) {
		dev_err_probe(dev, ret, "cannot register dmaengine device\n");
		goto err_pm;
	}

	if (dev->of_node) {
		ret = of_dma_controller_register(dev->of_node, hidma_of_xlate,
						 hdev);
		if (ret) {
			dev_err_probe(dev, ret, "cannot register OF DMA\n");
			goto err_unregister;
		}
	}

	hidma_debugfs_init(hdev);

	pm_runtime_mark_last_busy(dev);
	pm_runtime_put_autosuspend(dev);
	if (hdev->ll.msi)
		dev_info(dev, "channel %u: %u descriptors, MSI\n", hdev->chid,
			 nr_desc);
	else
		dev_info(dev, "channel %u: %u descriptors, irq %d\n",
			 hdev->chid, nr_desc, hdev->irq);
	return 0;

err_unregister:
	/* Calls hidma_release() once nobody else holds the device. */
	pm_runtime_disable(dev);
	hidma_power_down(hdev, HIDMA_GONE);
	hidma_free_handlers(hdev);
	hidma_free_vectors(hdev);
	pm_runtime_put_noidle(dev);
	pm_runtime_set_suspended(dev);
	pm_runtime_dont_use_autosuspend(dev);
	dma_async_device_unregister(&hdev->ddev);
	return ret;

err_pm:
	pm_runtime_disable(dev);
	pm_runtime_put_noidle(dev);
	pm_runtime_set_suspended(dev);
	pm_runtime_dont_use_autosuspend(dev);
	/* No client: no transfer to abort, and no recovery from now on. */
	spin_lock_irq(&hdev->vc.lock);
	hidma_set_state(hdev, HIDMA_GONE);
	spin_unlock_irq(&hdev->vc.lock);
	cancel_work_sync(&hdev->recover_work);
err_reset:
	/* Stopped before its vectors go: no MSI to a stale address. */
	hidma_ll_reset(&hdev->ll);
	hidma_free_handlers(hdev);
err_msi:
	hidma_free_vectors(hdev);
err_free:
	mutex_destroy(&hdev->hw_lock);
	put_device(hdev->dev);
	kfree(hdev);
	return ret;
}

static void hidma_remove(struct platform_device *pdev)
{
	struct hidma_dev *hdev = platform_get_drvdata(pdev);
	struct device *dev = &pdev->dev;

	if (dev->of_node)
		of_dma_controller_free(dev->of_node);

	/*
	 * No runtime PM callback runs from here on. Then the channel is
	 * stopped, its events read and the channel reset, and only then is
	 * every outstanding transfer completed as aborted: a client that
	 * unmaps its buffers in the callback does so once no TRE runs.
	 */
	pm_runtime_disable(dev);
	spin_lock_irq(&hdev->vc.lock);
	hidma_ll_irq_mask(&hdev->ll);
	spin_unlock_irq(&hdev->vc.lock);
	hidma_power_down(hdev, HIDMA_GONE);
	/* Only now: the stopped channel sends no MSI to a freed vector. */
	hidma_free_handlers(hdev);
	hidma_free_vectors(hdev);

	/*
	 * A client's runtime PM reference stays until it releases the
	 * channel: hidma_free_chan_resources() drops it.
	 */
	pm_runtime_set_suspended(dev);
	pm_runtime_dont_use_autosuspend(dev);

	/*
	 * Drops the registration reference. hidma_release() runs now, or
	 * when the last client releases the channel; hdev is not used here
	 * after this call.
	 */
	dma_async_device_unregister(&hdev->ddev);
}

static int hidma_runtime_suspend(struct device *dev)
{
	/* The rings are set up from scratch on resume. */
	hidma_power_down(dev_get_drvdata(dev), HIDMA_OFF);
	return 0;
}

static int hidma_runtime_resume(struct device *dev)
{
	/* A failure leaves the channel failed, not the device in error. */
	hidma_setup(dev_get_drvdata(dev));
	return 0;
}

static const struct dev_pm_ops hidma_pm_ops = {
	SYSTEM_SLEEP_PM_OPS(pm_runtime_force_suspend, pm_runtime_force_resume)
	RUNTIME_PM_OPS(hidma_runtime_suspend, hidma_runtime_resume, NULL)
};

/* MSI capable revisions fall back to their wired interrupt. */
static const struct of_device_id hidma_of_match[] = {
	{ .compatible = "qcom,hidma-1.0" },
	{ .compatible = "qcom,hidma-1.1", .data = (void *)HIDMA_CAP_MSI },
	{ .compatible = "qcom,hidma-1.2",
	  .data = (void *)(HIDMA_CAP_MSI | HIDMA_CAP_IDENTITY) },
	{ }
};
MODULE_DEVICE_TABLE(of, hidma_of_match);

static const struct acpi_device_id hidma_acpi_match[] = {
	{ "QCOM8061" },
	{ "QCOM8062", HIDMA_CAP_MSI },
	{ "QCOM8063", HIDMA_CAP_MSI | HIDMA_CAP_IDENTITY },
	{ }
};
MODULE_DEVICE_TABLE(acpi, hidma_acpi_match);

static struct platform_driver hidma_driver = {
	.probe = hidma_probe,
	.remove = hidma_remove,
	.driver = {
		.name = "hidma",
		.of_match_table = hidma_of_match,
		.acpi_match_table = hidma_acpi_match,
		.dev_groups = hidma_groups,
		.pm = pm_ptr(&hidma_pm_ops),
	},
};

static int __init hidma_init(void)
{
	int ret;

	hidma_free_wq = alloc_workqueue("hidma_free", 0, 0);
	if (!hidma_free_wq)
		return -ENOMEM;
	ret = platform_driver_register(&hidma_driver);
	if (ret)
		destroy_workqueue(hidma_free_wq);
	return ret;
}
module_init(hidma_init);

static void __exit hidma_exit(void)
{
	platform_driver_unregister(&hidma_driver);
	/* Frees the channels released by their last client. */
	destroy_workqueue(hidma_free_wq);
}
module_exit(hidma_exit);

MODULE_DESCRIPTION("Qualcomm Technologies HIDMA channel driver");
MODULE_AUTHOR("The HIDMA driver authors");
MODULE_LICENSE("GPL");
MODULE_ALIAS("platform:hidma");
