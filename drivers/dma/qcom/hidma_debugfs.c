// SPDX-License-Identifier: GPL-2.0-only
/*
 * Qualcomm Technologies HIDMA channel driver: debugfs.
 *
 * Files live in the directory the dmaengine core creates for the device,
 * /sys/kernel/debug/dmaengine/<device>/, and go away with it when the
 * device is unregistered, before any resource they read is released.
 *
 * Copyright (c) 2026 The HIDMA driver authors.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>
#include <linux/spinlock.h>

#include "hidma.h"

#ifdef CONFIG_DEBUG_FS

static int hidma_stats_show(struct seq_file *s, void *unused)
{
	struct hidma_dev *hdev = s->private;
	struct hidma_stats st;
	size_t cached;

	spin_lock_irq(&hdev->vc.lock);
	st = hdev->stats;
	spin_unlock_irq(&hdev->vc.lock);
	/* bounded by max_outstanding; counted here, off the data path */
	spin_lock_irq(&hdev->cache_lock);
	cached = list_count_nodes(&hdev->desc_cache);
	spin_unlock_irq(&hdev->cache_lock);

	seq_printf(s, "submitted: %llu\n", st.submitted);
	seq_printf(s, "completed: %llu\n", st.completed);
	seq_printf(s, "failed: %llu\n", st.failed);
	seq_printf(s, "aborted: %llu\n", st.aborted);
	seq_printf(s, "terminated: %llu\n", st.terminated);
	seq_printf(s, "errors: %llu\n", st.errors);
	seq_printf(s, "recoveries: %llu\n", st.recoveries);
	seq_printf(s, "descriptors_outstanding: %d\n",
		   atomic_read(&hdev->outstanding));
	seq_printf(s, "descriptors_cached: %zu\n", cached);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hidma_stats);

static int hidma_ring_show(struct seq_file *s, void *unused)
{
	struct hidma_dev *hdev = s->private;
	u32 tre_head, tre_tail, ev_tail, inflight, dead, tr = 0, ev = 0;
	enum hidma_chan_state state;
	bool up;

	spin_lock_irq(&hdev->vc.lock);
	tre_head = hdev->ll.tre_head;
	tre_tail = hdev->ll.tre_tail;
	ev_tail = hdev->ll.ev_tail;
	inflight = hidma_ll_inflight(&hdev->ll);
	dead = hdev->ring_dead;
	state = hdev->state;
	up = state == HIDMA_RUNNING || state == HIDMA_PAUSED;
	if (up)
		hidma_ll_states(&hdev->ll, &tr, &ev);
	spin_unlock_irq(&hdev->vc.lock);

	seq_printf(s, "chid: %u\n", hdev->chid);
	seq_printf(s, "slots: %u\n", hdev->ll.nr);
	seq_printf(s, "tre_head: %u\n", tre_head);
	seq_printf(s, "tre_tail: %u\n", tre_tail);
	seq_printf(s, "ev_tail: %u\n", ev_tail);
	seq_printf(s, "inflight: %u\n", inflight);
	seq_printf(s, "terminated_on_ring: %u\n", dead);
	seq_printf(s, "state: %s\n", hidma_state_name(state));
	if (up)
		seq_printf(s, "trca_state: %u\nevca_state: %u\n", tr, ev);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(hidma_ring);

/**
 * hidma_debugfs_init() - create the per-channel debugfs files
 * @hdev: registered channel
 */
void hidma_debugfs_init(struct hidma_dev *hdev)
{
	struct dentry *root = hdev->ddev.dbg_dev_root;

	if (!root)
		return;
	debugfs_create_file("stats", 0400, root, hdev, &hidma_stats_fops);
	debugfs_create_file("ring", 0400, root, hdev, &hidma_ring_fops);
}

#else

void hidma_debugfs_init(struct hidma_dev *hdev)
{
}

#endif
