// SPDX-License-Identifier: GPL-2.0
/*
 * hidma_vfio: drive one HIDMA channel from user space through VFIO, as a
 * VMM would before handing it to a guest. The channel must already be
 * bound to vfio-platform.
 *
 *   hidma_vfio DEVICE [ROUNDS]
 *
 * DEVICE is the platform device name (for example "20000.dma" or
 * "QCOM8061:00"). Reports KTAP. Its checks:
 *   - the container, group and device open, and the device has the two
 *     register windows and the one interrupt of a channel;
 *   - vfio-platform reset the channel: both windows disabled, no ring,
 *     no enabled interrupt;
 *   - memcpy and memset batches through rings small enough to wrap
 *     several times, data compared, one good event per TRE;
 *   - the interrupt reaches the eventfd;
 *   - a TRE aimed at an IOVA that was never mapped gets an error event
 *     (one writing to it, one reading from it). The IOVA is the physical
 *     address of a canary page of this process, so that a channel not
 *     confined by the IOMMU would hit the canary: it must stay intact;
 *   - the channel works again after the faults.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <linux/vfio.h>

/* registers (both windows unless noted) */
#define CH_CTRLSTS	0x000
#define CH_RING_LOW	0x008
#define CH_RING_HIGH	0x00c
#define CH_RING_LEN	0x010
#define TR_CHID		0x028
#define EV_INTCTRL	0x004
#define EV_WRITE_PTR	0x020
#define EV_IRQ_STAT	0x100
#define EV_IRQ_CLR	0x108
#define EV_IRQ_EN	0x110
#define CH_DOORBELL	0x400

#define CMD_ENABLE	1
#define ST_DISABLED	0
#define ST_ENABLED	1
#define ST_RUNNING	2
#define STATE(v)	(((v) >> 8) & 0xff)

#define IRQ_EOB		0
#define IRQ_DATA_RD	10
#define IRQ_DATA_WR	11
#define IRQ_USED	((1u << 0) | (1u << 1) | (1u << 9) | (1u << 10) | \
			 (1u << 11) | (1u << 14))

#define TRE_SIZE	32
#define EVRE_SIZE	16
#define OP_MEMCPY	3
#define OP_MEMSET	4
#define TRE_IEOB	(1u << 16)
#define EV_COMPLETE	1
#define EV_ERROR	4

/* small rings, so that a few batches wrap them several times */
#define NR_TRE		16
#define NR_EVRE		16
#define BATCH		5

/* the DMA area, at an IOVA above 4 GiB so that the high words count */
#define AREA_IOVA	0x100000000ull
#define AREA_SIZE	(2u << 20)
#define TR_RING_OFF	0x0
#define EV_RING_OFF	0x1000
#define SRC_OFF		0x10000
#define DST_OFF		0x80000
#define BUF_SIZE	0x40000

#define WAIT_MS		10000

struct chan {
	int container, group, device, irqfd;
	volatile uint32_t *win[2];
	size_t win_size[2];
	uint8_t *area;
	uint32_t chid;
	uint32_t tr_tail;	/* byte offset of the next free TRE */
	uint32_t ev_head;	/* byte offset of the next event to read */
	unsigned int irqs;
	uint32_t irq_seen;	/* causes seen in IRQ_STAT */
};

enum { TRCA, EVCA };

static int test_num;
static int test_failed;

static void ktap(bool ok, const char *fmt, ...)
{
	va_list ap;

	test_num++;
	if (!ok)
		test_failed++;
	printf("%s %d ", ok ? "ok" : "not ok", test_num);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
}

static void diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static uint32_t rd(struct chan *c, int w, uint32_t off)
{
	return c->win[w][off / 4];
}

static void wr(struct chan *c, int w, uint32_t off, uint32_t val)
{
	c->win[w][off / 4] = val;
}

/* ring memory before the doorbell; the doorbell is a device write */
static void wmb_dev(void)
{
#ifdef __aarch64__
	__asm__ volatile("dsb st" ::: "memory");
#else
	__sync_synchronize();
#endif
}

static void rmb_dev(void)
{
#ifdef __aarch64__
	__asm__ volatile("dsb ld" ::: "memory");
#else
	__sync_synchronize();
#endif
}

static int group_of(const char *dev)
{
	char path[PATH_MAX], link[PATH_MAX];
	ssize_t n;

	snprintf(path, sizeof(path), "/sys/bus/platform/devices/%s/iommu_group",
		 dev);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0) {
		diag("%s: %s", path, strerror(errno));
		return -1;
	}
	link[n] = '\0';
	return atoi(basename(link));
}

static bool vfio_open(struct chan *c, const char *dev)
{
	struct vfio_group_status gs = { .argsz = sizeof(gs) };
	struct vfio_device_info di = { .argsz = sizeof(di) };
	struct vfio_irq_info ii = { .argsz = sizeof(ii) };
	char path[64];
	int grp, i;

	grp = group_of(dev);
	if (grp < 0)
		return false;
	c->container = open("/dev/vfio/vfio", O_RDWR);
	if (c->container < 0) {
		diag("/dev/vfio/vfio: %s", strerror(errno));
		return false;
	}
	if (ioctl(c->container, VFIO_GET_API_VERSION) != VFIO_API_VERSION ||
	    ioctl(c->container, VFIO_CHECK_EXTENSION, VFIO_TYPE1v2_IOMMU) != 1) {
		diag("no VFIO type1v2 IOMMU backend");
		return false;
	}
	snprintf(path, sizeof(path), "/dev/vfio/%d", grp);
	c->group = open(path, O_RDWR);
	if (c->group < 0) {
		diag("%s: %s", path, strerror(errno));
		return false;
	}
	if (ioctl(c->group, VFIO_GROUP_GET_STATUS, &gs) ||
	    !(gs.flags & VFIO_GROUP_FLAGS_VIABLE)) {
		diag("group %d is not viable (a device of it is not with vfio)", grp);
		return false;
	}
	if (ioctl(c->group, VFIO_GROUP_SET_CONTAINER, &c->container) ||
	    ioctl(c->container, VFIO_SET_IOMMU, VFIO_TYPE1v2_IOMMU)) {
		diag("attaching group %d to a type1 container: %s", grp,
		     strerror(errno));
		return false;
	}
	c->device = ioctl(c->group, VFIO_GROUP_GET_DEVICE_FD, dev);
	if (c->device < 0) {
		diag("VFIO_GROUP_GET_DEVICE_FD %s: %s", dev, strerror(errno));
		return false;
	}
	if (ioctl(c->device, VFIO_DEVICE_GET_INFO, &di)) {
		diag("VFIO_DEVICE_GET_INFO: %s", strerror(errno));
		return false;
	}
	if (!(di.flags & VFIO_DEVICE_FLAGS_PLATFORM) || di.num_regions != 2 ||
	    di.num_irqs != 1) {
		diag("flags 0x%x, %u regions, %u irqs: not a HIDMA channel",
		     di.flags, di.num_regions, di.num_irqs);
		return false;
	}
	for (i = 0; i < 2; i++) {
		struct vfio_region_info ri = { .argsz = sizeof(ri), .index = i };
		void *p;

		if (ioctl(c->device, VFIO_DEVICE_GET_REGION_INFO, &ri) ||
		    !(ri.flags & VFIO_REGION_INFO_FLAG_MMAP) || ri.size < 0x404) {
			diag("region %d: flags 0x%x size 0x%llx", i, ri.flags,
			     (unsigned long long)ri.size);
			return false;
		}
		p = mmap(NULL, ri.size, PROT_READ | PROT_WRITE, MAP_SHARED,
			 c->device, ri.offset);
		if (p == MAP_FAILED) {
			diag("mmap of region %d: %s", i, strerror(errno));
			return false;
		}
		c->win[i] = p;
		c->win_size[i] = ri.size;
	}
	ii.index = 0;
	if (ioctl(c->device, VFIO_DEVICE_GET_IRQ_INFO, &ii) || ii.count != 1 ||
	    !(ii.flags & VFIO_IRQ_INFO_EVENTFD)) {
		diag("irq 0: flags 0x%x count %u", ii.flags, ii.count);
		return false;
	}
	return true;
}

static bool irq_set(struct chan *c, uint32_t flags, int32_t *fd)
{
	char buf[sizeof(struct vfio_irq_set) + sizeof(int32_t)];
	struct vfio_irq_set *set = (struct vfio_irq_set *)buf;

	memset(buf, 0, sizeof(buf));
	set->argsz = sizeof(*set) + (fd ? sizeof(*fd) : 0);
	set->flags = flags;
	set->index = 0;
	set->start = 0;
	set->count = 1;
	if (fd)
		memcpy(set->data, fd, sizeof(*fd));
	if (ioctl(c->device, VFIO_DEVICE_SET_IRQS, set)) {
		diag("VFIO_DEVICE_SET_IRQS 0x%x: %s", flags, strerror(errno));
		return false;
	}
	return true;
}

static bool map_area(struct chan *c)
{
	struct vfio_iommu_type1_dma_map map = { .argsz = sizeof(map) };

	c->area = mmap(NULL, AREA_SIZE, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (c->area == MAP_FAILED) {
		diag("mmap of the DMA area: %s", strerror(errno));
		return false;
	}
	memset(c->area, 0, AREA_SIZE);
	map.vaddr = (uintptr_t)c->area;
	map.iova = AREA_IOVA;
	map.size = AREA_SIZE;
	map.flags = VFIO_DMA_MAP_FLAG_READ | VFIO_DMA_MAP_FLAG_WRITE;
	if (ioctl(c->container, VFIO_IOMMU_MAP_DMA, &map)) {
		diag("VFIO_IOMMU_MAP_DMA: %s", strerror(errno));
		return false;
	}
	return true;
}

static bool wait_state(struct chan *c, int w, bool (*ok)(uint32_t))
{
	int i;

	for (i = 0; i < 1000; i++) {
		if (ok(STATE(rd(c, w, CH_CTRLSTS))))
			return true;
		usleep(1000);
	}
	diag("%s state %u", w ? "EVCA" : "TRCA", STATE(rd(c, w, CH_CTRLSTS)));
	return false;
}

static bool is_enabled(uint32_t st)
{
	return st == ST_ENABLED || st == ST_RUNNING;
}

static bool reset_state_ok(struct chan *c)
{
	bool ok = true;
	int w;

	for (w = TRCA; w <= EVCA; w++) {
		uint32_t st = STATE(rd(c, w, CH_CTRLSTS));

		if (st != ST_DISABLED || rd(c, w, CH_RING_LOW) ||
		    rd(c, w, CH_RING_HIGH) || rd(c, w, CH_RING_LEN)) {
			diag("%s: state %u ring 0x%x%08x len 0x%x",
			     w ? "EVCA" : "TRCA", st, rd(c, w, CH_RING_HIGH),
			     rd(c, w, CH_RING_LOW), rd(c, w, CH_RING_LEN));
			ok = false;
		}
	}
	if (rd(c, EVCA, EV_IRQ_EN) || rd(c, EVCA, EV_WRITE_PTR)) {
		diag("IRQ_EN 0x%x WRITE_PTR 0x%x", rd(c, EVCA, EV_IRQ_EN),
		     rd(c, EVCA, EV_WRITE_PTR));
		ok = false;
	}
	return ok;
}

static bool chan_start(struct chan *c)
{
	uint64_t tr = AREA_IOVA + TR_RING_OFF, ev = AREA_IOVA + EV_RING_OFF;

	c->chid = rd(c, TRCA, TR_CHID);
	wr(c, TRCA, CH_RING_LOW, (uint32_t)tr);
	wr(c, TRCA, CH_RING_HIGH, tr >> 32);
	wr(c, TRCA, CH_RING_LEN, NR_TRE * TRE_SIZE);
	wr(c, EVCA, CH_RING_LOW, (uint32_t)ev);
	wr(c, EVCA, CH_RING_HIGH, ev >> 32);
	wr(c, EVCA, CH_RING_LEN, NR_EVRE * EVRE_SIZE);
	wr(c, EVCA, EV_INTCTRL, 1);
	wr(c, EVCA, EV_IRQ_CLR, IRQ_USED);
	wr(c, EVCA, EV_IRQ_EN, IRQ_USED);
	c->tr_tail = 0;
	c->ev_head = 0;
	/* events first, so that no TRE can complete without its ring */
	wr(c, EVCA, CH_CTRLSTS, CMD_ENABLE << 16);
	if (!wait_state(c, EVCA, is_enabled))
		return false;
	wr(c, TRCA, CH_CTRLSTS, CMD_ENABLE << 16);
	return wait_state(c, TRCA, is_enabled);
}

static void put_tre(struct chan *c, uint32_t op, uint32_t len, uint64_t src,
		    uint64_t dst)
{
	uint32_t *t = (uint32_t *)(c->area + TR_RING_OFF + c->tr_tail);

	t[1] = len;
	t[2] = (uint32_t)src;
	t[3] = src >> 32;
	t[4] = (uint32_t)dst;
	t[5] = dst >> 32;
	t[6] = 0;
	t[7] = 0;
	t[0] = op | (c->chid & 0xff) << 8 | TRE_IEOB;
	c->tr_tail = (c->tr_tail + TRE_SIZE) % (NR_TRE * TRE_SIZE);
}

static void ring_doorbell(struct chan *c)
{
	wmb_dev();
	wr(c, TRCA, CH_DOORBELL, c->tr_tail);
}

/*
 * Collect @n events into @codes (completion code << 4 | error info), in
 * ring order, taking interrupts as they come. Returns how many arrived.
 */
static int reap(struct chan *c, int n, uint8_t *codes)
{
	struct pollfd pfd = { .fd = c->irqfd, .events = POLLIN };
	int got = 0;

	while (got < n) {
		uint32_t wp, stat;
		uint64_t cnt;

		if (poll(&pfd, 1, WAIT_MS) <= 0) {
			diag("no interrupt in %d ms (%d of %d events)", WAIT_MS,
			     got, n);
			return got;
		}
		if (read(c->irqfd, &cnt, sizeof(cnt)) == sizeof(cnt))
			c->irqs += cnt;
		stat = rd(c, EVCA, EV_IRQ_STAT);
		c->irq_seen |= stat;
		wr(c, EVCA, EV_IRQ_CLR, stat);
		wp = rd(c, EVCA, EV_WRITE_PTR);
		rmb_dev();
		while (c->ev_head != wp && got < n) {
			uint32_t w0 = *(volatile uint32_t *)(c->area + EV_RING_OFF +
							    c->ev_head);

			codes[got++] = (w0 >> 28) << 4 | ((w0 >> 24) & 0xf);
			c->ev_head = (c->ev_head + EVRE_SIZE) %
				     (NR_EVRE * EVRE_SIZE);
		}
		wr(c, EVCA, CH_DOORBELL, c->ev_head);
		/* vfio-platform masked the level interrupt when it fired */
		if (!irq_set(c, VFIO_IRQ_SET_DATA_NONE | VFIO_IRQ_SET_ACTION_UNMASK,
			     NULL))
			return got;
	}
	return got;
}

static bool all_complete(const uint8_t *codes, int n, int got)
{
	int i;

	if (got != n)
		return false;
	for (i = 0; i < n; i++) {
		if (codes[i] != EV_COMPLETE << 4) {
			diag("event %d: code %u info %u", i, codes[i] >> 4,
			     codes[i] & 0xf);
			return false;
		}
	}
	return true;
}

static void fill(uint8_t *p, size_t n, uint32_t seed)
{
	size_t i;

	for (i = 0; i < n; i++) {
		seed = seed * 1103515245 + 12345;
		p[i] = seed >> 16;
	}
}

/* @rounds batches of BATCH TREs, each with its own size and offsets */
static bool run_batches(struct chan *c, uint32_t op, int rounds)
{
	uint8_t *src = c->area + SRC_OFF, *dst = c->area + DST_OFF;
	uint8_t codes[BATCH];
	int r, i, got;

	for (r = 0; r < rounds; r++) {
		uint32_t off[BATCH], len[BATCH], fillb[BATCH];

		fill(src, BUF_SIZE, r + op * 1000);
		memset(dst, 0xa5, BUF_SIZE);
		for (i = 0; i < BATCH; i++) {
			/* disjoint slices, odd lengths and offsets */
			len[i] = 1 + (r * 7919 + i * 104729) % (BUF_SIZE / BATCH - 64);
			off[i] = i * (BUF_SIZE / BATCH) + (r + i) % 61;
			fillb[i] = (r * 31 + i) & 0xff;
			if (op == OP_MEMCPY)
				put_tre(c, op, len[i], AREA_IOVA + SRC_OFF + off[i],
					AREA_IOVA + DST_OFF + off[i]);
			else
				put_tre(c, op, len[i],
					0x0101010101010101ull * fillb[i],
					AREA_IOVA + DST_OFF + off[i]);
		}
		ring_doorbell(c);
		got = reap(c, BATCH, codes);
		if (!all_complete(codes, BATCH, got))
			return false;
		for (i = 0; i < BATCH; i++) {
			uint8_t *d = dst + off[i];
			size_t k;

			if (op == OP_MEMCPY && memcmp(d, src + off[i], len[i])) {
				diag("round %d TRE %d: copy differs", r, i);
				return false;
			}
			for (k = 0; op == OP_MEMSET && k < len[i]; k++) {
				if (d[k] != fillb[i]) {
					diag("round %d TRE %d: byte %zu is 0x%02x, want 0x%02x",
					     r, i, k, d[k], fillb[i]);
					return false;
				}
			}
			/* nothing written past the end */
			if (d[len[i]] != 0xa5) {
				diag("round %d TRE %d: overrun", r, i);
				return false;
			}
		}
	}
	return true;
}

/* physical address of a locked page of ours, from /proc/self/pagemap */
static uint64_t phys_of(void *p)
{
	long psz = sysconf(_SC_PAGESIZE);
	uint64_t ent;
	int fd;

	fd = open("/proc/self/pagemap", O_RDONLY);
	if (fd < 0)
		return 0;
	if (pread(fd, &ent, sizeof(ent),
		  (uintptr_t)p / psz * sizeof(ent)) != sizeof(ent))
		ent = 0;
	close(fd);
	if (!(ent & (1ull << 63)) || !(ent & ((1ull << 55) - 1)))
		return 0;
	return (ent & ((1ull << 55) - 1)) * psz;
}

/*
 * One TRE with @stray (an IOVA never mapped) as its destination (@write)
 * or its source. Wants an error event for the side that faulted.
 */
static bool stray_tre(struct chan *c, uint64_t stray, bool write)
{
	uint32_t cause = write ? IRQ_DATA_WR : IRQ_DATA_RD;
	uint8_t *dst = c->area + DST_OFF;
	uint8_t code;
	int got;

	memset(dst, 0x5a, 4096);
	c->irq_seen = 0;
	if (write)
		put_tre(c, OP_MEMCPY, 4096, AREA_IOVA + SRC_OFF, stray);
	else
		put_tre(c, OP_MEMCPY, 4096, stray, AREA_IOVA + DST_OFF);
	ring_doorbell(c);
	got = reap(c, 1, &code);
	if (got != 1 || code >> 4 != EV_ERROR || !(c->irq_seen & 1u << cause)) {
		diag("stray %s: %d events, code %u info %u, IRQ_STAT seen 0x%x",
		     write ? "write" : "read", got, code >> 4, code & 0xf,
		     c->irq_seen);
		return false;
	}
	if (!write && dst[0] != 0x5a) {
		diag("stray read: the destination was written");
		return false;
	}
	return true;
}

int main(int argc, char **argv)
{
	struct chan c = { .container = -1, .group = -1, .device = -1 };
	uint8_t *canary;
	uint64_t stray;
	int32_t fd;
	int rounds;
	bool ok;

	if (argc < 2 || argc > 3) {
		fprintf(stderr, "usage: %s DEVICE [ROUNDS]\n", argv[0]);
		return 2;
	}
	rounds = argc == 3 ? atoi(argv[2]) : 8;
	if (rounds < 1) {
		fprintf(stderr, "%s: ROUNDS must be a positive number\n", argv[0]);
		return 2;
	}
	printf("TAP version 13\n1..9\n");

	ok = vfio_open(&c, argv[1]);
	ktap(ok, "vfio: container, group and device of %s", argv[1]);
	if (!ok)
		return 1;
	ktap(reset_state_ok(&c), "vfio-platform reset the channel before use");

	c.irqfd = eventfd(0, EFD_CLOEXEC);
	fd = c.irqfd;
	ok = c.irqfd >= 0 && map_area(&c) &&
	     irq_set(&c, VFIO_IRQ_SET_DATA_EVENTFD | VFIO_IRQ_SET_ACTION_TRIGGER,
		     &fd) &&
	     chan_start(&c);
	ktap(ok, "rings at IOVA 0x%llx, interrupt on an eventfd, channel enabled",
	     AREA_IOVA);
	if (!ok)
		return 1;

	ktap(run_batches(&c, OP_MEMCPY, rounds),
	     "memcpy: %d batches of %d through a %d-entry ring", rounds, BATCH,
	     NR_TRE);
	ktap(run_batches(&c, OP_MEMSET, rounds),
	     "memset: %d batches of %d through a %d-entry ring", rounds, BATCH,
	     NR_TRE);
	ktap(c.irqs > 0, "the interrupt reached the eventfd (%u times)", c.irqs);

	canary = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		      MAP_PRIVATE | MAP_ANONYMOUS | MAP_LOCKED, -1, 0);
	if (canary == MAP_FAILED)
		return 1;
	memset(canary, 0xc3, 4096);
	stray = phys_of(canary);
	diag("stray IOVA 0x%llx (the canary's physical address)",
	     (unsigned long long)stray);
	ok = stray && stray_tre(&c, stray, true);
	if (ok) {
		int i;

		for (i = 0; i < 4096 && canary[i] == 0xc3; i++)
			;
		if (i < 4096) {
			diag("canary byte %d is 0x%02x", i, canary[i]);
			ok = false;
		}
	}
	ktap(ok, "a write to an unmapped IOVA fails with an error event; the canary is intact");
	ktap(stray && stray_tre(&c, stray, false),
	     "a read from an unmapped IOVA fails with an error event");
	ktap(run_batches(&c, OP_MEMCPY, 1), "the channel works after the faults");

	printf("# %d of %d failed\n", test_failed, test_num);
	/* closing the device makes vfio-platform reset the channel again */
	return test_failed ? 1 : 0;
}
