/*
 * QTest for the Qualcomm Technologies HIDMA model
 *
 * Copyright (c) 2025 The HIDMA project contributors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/bswap.h"
#include "qemu/madvise.h"
#include "qemu/memalign.h"
#include "libqtest.h"
#include "libqos/fw_cfg.h"
#include "qapi/error.h"
#include "qapi/qmp/qdict.h"
#include "qapi/qmp/qjson.h"

#define QOM_PATH        "/machine/peripheral/hidma0"
#define RAM_BASE        0x40000000ULL
#define UNMAPPED        0x60000000ULL   /* beyond 256 MiB of RAM */

/* management */
#define MGMT_CFG        0x400
#define MGMT_CHRESET    0x418
#define MGMT_BUSREQ     0x41c
#define MGMT_XACT       0x420
#define MGMT_VERSION    0x424
#define MGMT_QOS(n)     (0x700 + 4 * (n))

/* channel */
#define CTRLSTS         0x000
#define RING_LOW        0x008
#define RING_HIGH       0x00c
#define RING_LEN        0x010
#define TRCA_CHID       0x028
#define TRCA_IDENTITY   0x040
#define DOORBELL        0x400
#define EV_INTCTRL      0x004
#define EV_WRITE_PTR    0x020
#define EV_IRQ_STAT     0x100
#define EV_IRQ_CLR      0x108
#define EV_IRQ_EN       0x110
#define EV_MSI_LOW      0x118
#define EV_MSI_HIGH     0x11c
#define EV_MSI_DATA     0x120

#define CMD_DISABLE     0
#define CMD_ENABLE      1
#define CMD_SUSPEND     2
#define CMD_RESET       9
#define ST_DISABLED     0
#define ST_ENABLED      1
#define ST_RUNNING      2
#define ST_SUSPENDED    3
#define ST_STOPPED      4

#define IRQ_ALL         0x4e03
#define TRE_SIZE        32
#define EVRE_SIZE       16

typedef struct Hidma {
    QTestState *qts;
    uint64_t mgmt;
    uint64_t trca[16];
    uint64_t evca[16];
    int nch;
} Hidma;

/*
 * The platform bus places dynamic sysbus devices at machine-done time.
 * Rather than hard-coding the allocation order we look the windows up by
 * region name in "info mtree".
 */
static uint64_t find_region(const char *mtree, const char *name)
{
    g_autofree char *needle = g_strdup_printf(": %s", name);
    const char *p = mtree;
    const char *line;

    /* HMP output ends lines with "\r\n" */
    for (;;) {
        p = strstr(p, needle);
        if (!p) {
            return 0;
        }
        if (p[strlen(needle)] == '\r' || p[strlen(needle)] == '\n') {
            break;
        }
        p++;
    }
    line = p;
    while (line > mtree && line[-1] != '\n') {
        line--;
    }
    while (*line == ' ') {
        line++;
    }
    return g_ascii_strtoull(line, NULL, 16);
}

/* @machine: extra options of -M virt, @extra: of -device qcom-hidma */
static void hidma_start_on(Hidma *h, const char *machine, const char *extra)
{
    g_autofree char *mtree = NULL;
    int i;

    memset(h, 0, sizeof(*h));
    h->qts = qtest_initf("-M virt,gic-version=3%s -cpu max -m 256 -nodefaults "
                         "-device qcom-hidma,id=hidma0%s", machine,
                         extra ? extra : "");
    mtree = qtest_hmp(h->qts, "info mtree");
    h->mgmt = find_region(mtree, "hidma-mgmt");
    for (i = 0; i < 16; i++) {
        g_autofree char *t = g_strdup_printf("hidma-ch%d-trca", i);
        g_autofree char *e = g_strdup_printf("hidma-ch%d-evca", i);

        h->trca[i] = find_region(mtree, t);
        h->evca[i] = find_region(mtree, e);
        if (!h->trca[i]) {
            break;
        }
        g_assert(h->evca[i]);
        h->nch = i + 1;
    }
}

static void hidma_start(Hidma *h, const char *extra)
{
    hidma_start_on(h, "", extra);
}

static void hidma_stop(Hidma *h)
{
    qtest_quit(h->qts);
}

static uint32_t tr_rd(Hidma *h, int ch, uint32_t off)
{
    return qtest_readl(h->qts, h->trca[ch] + off);
}

static void tr_wr(Hidma *h, int ch, uint32_t off, uint32_t val)
{
    qtest_writel(h->qts, h->trca[ch] + off, val);
}

static uint32_t ev_rd(Hidma *h, int ch, uint32_t off)
{
    return qtest_readl(h->qts, h->evca[ch] + off);
}

static void ev_wr(Hidma *h, int ch, uint32_t off, uint32_t val)
{
    qtest_writel(h->qts, h->evca[ch] + off, val);
}

static uint32_t mg_rd(Hidma *h, uint32_t off)
{
    return qtest_readl(h->qts, h->mgmt + off);
}

static void mg_wr(Hidma *h, uint32_t off, uint32_t val)
{
    qtest_writel(h->qts, h->mgmt + off, val);
}

static int64_t qom_get_int(Hidma *h, const char *prop)
{
    QDict *r = qtest_qmp(h->qts, "{'execute': 'qom-get', 'arguments': "
                         "{'path': %s, 'property': %s}}", QOM_PATH, prop);
    int64_t v;

    g_assert(qdict_haskey(r, "return"));
    v = qdict_get_int(r, "return");
    qobject_unref(r);
    return v;
}

static bool qom_get_bool(Hidma *h, const char *prop)
{
    QDict *r = qtest_qmp(h->qts, "{'execute': 'qom-get', 'arguments': "
                         "{'path': %s, 'property': %s}}", QOM_PATH, prop);
    bool v;

    g_assert(qdict_haskey(r, "return"));
    v = qdict_get_bool(r, "return");
    qobject_unref(r);
    return v;
}

/* virt: the first GIC input (SPI) of the platform bus */
#define GIC_SPI_PLATFORM_BUS    112

/* Intercept the GIC's inputs, to see the channels' lines where they arrive. */
static void gic_intercept(Hidma *h)
{
    int i;

    for (i = 0; i < 64; i++) {
        g_autofree char *path =
            g_strdup_printf("/machine/unattached/device[%d]", i);
        QDict *r = qtest_qmp(h->qts, "{'execute': 'qom-get', 'arguments': "
                             "{'path': %s, 'property': 'type'}}", path);
        bool gic = qdict_haskey(r, "return") &&
                   !strcmp(qdict_get_str(r, "return"), "arm-gicv3");

        qobject_unref(r);
        if (gic) {
            qtest_irq_intercept_in(h->qts, path);
            return;
        }
    }
    g_assert_not_reached();
}

/*
 * The level of channel @ch's interrupt at the GIC.  The only dynamic
 * sysbus device gets the platform bus's interrupts in its own order: the
 * channels' first.
 */
static bool chan_irq(Hidma *h, int ch)
{
    return qtest_get_irq(h->qts, GIC_SPI_PLATFORM_BUS + ch);
}

static uint64_t chprop(Hidma *h, int ch, const char *suffix)
{
    g_autofree char *name = g_strdup_printf("x-ch%d-%s", ch, suffix);

    return qom_get_int(h, name);
}

/* returns true if the property was set, false if QEMU refused it */
static bool qom_set_json(Hidma *h, const char *prop, const char *json)
{
    QObject *val = qobject_from_json(json, &error_abort);
    QDict *r = qtest_qmp(h->qts, "{'execute': 'qom-set', 'arguments': "
                         "{'path': %s, 'property': %s, 'value': %p}}",
                         QOM_PATH, prop, val);
    bool ok = qdict_haskey(r, "return");

    qobject_unref(r);
    return ok;
}

static void qom_set_u32(Hidma *h, const char *prop, uint32_t val)
{
    g_autofree char *v = g_strdup_printf("%u", val);

    g_assert(qom_set_json(h, prop, v));
}

static uint32_t state_of(uint32_t ctrlsts)
{
    return (ctrlsts >> 8) & 0xff;
}

static void cmd(Hidma *h, bool ev, int ch, uint32_t c)
{
    uint64_t base = ev ? h->evca[ch] : h->trca[ch];
    uint32_t v = qtest_readl(h->qts, base + CTRLSTS);

    v &= ~(0xffu << 16);
    qtest_writel(h->qts, base + CTRLSTS, v | (c << 16));
}

static bool wait_state(Hidma *h, bool ev, int ch, uint32_t st)
{
    int i;

    for (i = 0; i < 200; i++) {
        uint64_t base = ev ? h->evca[ch] : h->trca[ch];

        if (state_of(qtest_readl(h->qts, base + CTRLSTS)) == st) {
            return true;
        }
        qtest_clock_step(h->qts, 100 * 1000);
    }
    return false;
}

static uint64_t tre_ring(int ch)
{
    return RAM_BASE + 0x100000 + ch * 0x10000;
}

static uint64_t ev_ring(int ch)
{
    return RAM_BASE + 0x200000 + ch * 0x10000;
}

/*
 * The programming sequence of the Linux driver (hidma_ll_setup), with the
 * rings at bus addresses @tre and @ev.
 */
static void ch_setup_at(Hidma *h, int ch, int ntre, uint64_t tre, uint64_t ev)
{
    ev_wr(h, ch, EV_IRQ_EN, 0);
    ev_wr(h, ch, EV_IRQ_CLR, ev_rd(h, ch, EV_IRQ_STAT));
    cmd(h, false, ch, CMD_RESET);
    g_assert(wait_state(h, false, ch, ST_DISABLED));
    cmd(h, true, ch, CMD_RESET);
    g_assert(wait_state(h, true, ch, ST_DISABLED));
    ev_wr(h, ch, EV_IRQ_CLR, ev_rd(h, ch, EV_IRQ_STAT));
    ev_wr(h, ch, EV_IRQ_EN, 0);
    tr_wr(h, ch, RING_LOW, (uint32_t)tre);
    tr_wr(h, ch, RING_HIGH, tre >> 32);
    tr_wr(h, ch, RING_LEN, ntre * TRE_SIZE);
    ev_wr(h, ch, RING_LOW, (uint32_t)ev);
    ev_wr(h, ch, RING_HIGH, ev >> 32);
    ev_wr(h, ch, RING_LEN, ntre * EVRE_SIZE);
    ev_wr(h, ch, EV_INTCTRL, (ev_rd(h, ch, EV_INTCTRL) & ~0xf) | 1);
    ev_wr(h, ch, EV_IRQ_CLR, IRQ_ALL);
    ev_wr(h, ch, EV_IRQ_EN, IRQ_ALL);
    cmd(h, true, ch, CMD_ENABLE);
    g_assert(wait_state(h, true, ch, ST_ENABLED) ||
             wait_state(h, true, ch, ST_RUNNING));
    cmd(h, false, ch, CMD_ENABLE);
    g_assert_cmpint(state_of(tr_rd(h, ch, CTRLSTS)), ==, ST_ENABLED);
}

static void ch_setup(Hidma *h, int ch, int ntre)
{
    ch_setup_at(h, ch, ntre, tre_ring(ch), ev_ring(ch));
}

/*
 * ch_setup() with an event ring of @nev slots: ring registers ignore
 * writes while their window is enabled, so reset both first.
 */
static void ch_setup_events(Hidma *h, int ch, int ntre, int nev)
{
    ch_setup(h, ch, ntre);
    cmd(h, false, ch, CMD_RESET);
    g_assert(wait_state(h, false, ch, ST_DISABLED));
    cmd(h, true, ch, CMD_RESET);
    g_assert(wait_state(h, true, ch, ST_DISABLED));
    ev_wr(h, ch, RING_LEN, nev * EVRE_SIZE);
    cmd(h, true, ch, CMD_ENABLE);
    cmd(h, false, ch, CMD_ENABLE);
}

static void host_start(Hidma *h, const char *extra)
{
    hidma_start(h, extra);
    g_assert(h->mgmt);
    mg_wr(h, MGMT_CFG, 1);
}

/* write TRE number @slot; does not ring the doorbell */
static void put_tre(Hidma *h, int ch, int slot, uint32_t op, uint32_t len,
                    uint64_t src, uint64_t dst)
{
    uint32_t w[8] = {
        op | (ch << 8) | (1 << 16), len,
        (uint32_t)src, src >> 32, (uint32_t)dst, dst >> 32, 0, 0,
    };
    int i;

    for (i = 0; i < 8; i++) {
        w[i] = cpu_to_le32(w[i]);
    }
    qtest_memwrite(h->qts, tre_ring(ch) + slot * TRE_SIZE, w, sizeof(w));
}

/*
 * The write pointer reaches @wp within 20 ms of virtual time, or, while
 * the model's copy thread moves bytes in real time, within 60 s.
 */
static bool wait_wp(Hidma *h, int ch, uint32_t wp)
{
    int64_t deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
    int i;

    for (i = 0; i < 2000 || g_get_monotonic_time() < deadline; i++) {
        if (ev_rd(h, ch, EV_WRITE_PTR) == wp) {
            return true;
        }
        qtest_clock_step(h->qts, 10 * 1000);
    }
    return false;
}

static uint32_t evre0(Hidma *h, int ch, int slot)
{
    return qtest_readl(h->qts, ev_ring(ch) + slot * EVRE_SIZE);
}

static void fill(Hidma *h, uint64_t addr, size_t len, uint8_t seed)
{
    g_autofree uint8_t *b = g_malloc(len);
    size_t i;

    for (i = 0; i < len; i++) {
        b[i] = seed + i * 7 + (i >> 8);
    }
    qtest_memwrite(h->qts, addr, b, len);
}

static bool is_same(Hidma *h, uint64_t a, uint64_t b, size_t len)
{
    g_autofree uint8_t *x = g_malloc(len);
    g_autofree uint8_t *y = g_malloc(len);

    qtest_memread(h->qts, a, x, len);
    qtest_memread(h->qts, b, y, len);
    return memcmp(x, y, len) == 0;
}

static void assert_same(Hidma *h, uint64_t a, uint64_t b, size_t len)
{
    g_assert(is_same(h, a, b, len));
}

/*
 * For bytes with no event to wait for: the copy thread moves them in
 * real time, so they land within 60 s, not by a virtual deadline.
 */
static bool wait_same(Hidma *h, uint64_t a, uint64_t b, size_t len)
{
    int64_t deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

    while (!is_same(h, a, b, len)) {
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        qtest_clock_step(h->qts, 10 * 1000);
    }
    return true;
}

/* ---------------------------------------------------------------------- */

static void test_reset_values(void)
{
    Hidma h;
    int i;

    hidma_start(&h, NULL);
    g_assert_cmpint(h.nch, ==, 6);
    g_assert_cmphex(h.mgmt, ==, 0x0c000000);
    g_assert_cmphex(mg_rd(&h, MGMT_CFG), ==, 0);
    g_assert_cmphex(mg_rd(&h, MGMT_CHRESET), ==, 0x500);
    g_assert_cmphex(mg_rd(&h, MGMT_BUSREQ), ==, 0x04000400);
    g_assert_cmphex(mg_rd(&h, MGMT_XACT), ==, 0x001f001f);
    g_assert_cmphex(mg_rd(&h, MGMT_VERSION), ==, 0x10000000);
    for (i = 0; i < h.nch; i++) {
        g_assert_cmphex(mg_rd(&h, MGMT_QOS(i)), ==, 0x100);
        g_assert_cmphex(tr_rd(&h, i, CTRLSTS), ==, 0);
        g_assert_cmphex(ev_rd(&h, i, CTRLSTS), ==, 0);
        g_assert_cmphex(tr_rd(&h, i, TRCA_CHID), ==, i);
        g_assert_cmphex(tr_rd(&h, i, RING_LEN), ==, 0);
        g_assert_cmphex(ev_rd(&h, i, EV_WRITE_PTR), ==, 0);
        g_assert_cmphex(ev_rd(&h, i, EV_IRQ_STAT), ==, 0);
        g_assert_cmphex(ev_rd(&h, i, EV_IRQ_EN), ==, 0);
        g_assert_cmphex(ev_rd(&h, i, EV_INTCTRL), ==, 1);
        g_assert_cmpint(chprop(&h, i, "bytes"), ==, 0);
        g_assert_cmpint(chprop(&h, i, "weight"), ==, 1);
        g_assert_cmpint(chprop(&h, i, "priority"), ==, 0);
        g_assert_cmpint(chprop(&h, i, "fail-cause"), ==, 10);
    }
    g_assert_cmpint(qom_get_int(&h, "num-channels"), ==, 6);
    g_assert_cmpint(qom_get_int(&h, "max-read-burst-bytes"), ==, 1024);
    g_assert_cmpint(qom_get_int(&h, "max-write-burst-bytes"), ==, 1024);
    g_assert_cmpint(qom_get_int(&h, "max-read-transactions"), ==, 31);
    g_assert_cmpint(qom_get_int(&h, "max-write-transactions"), ==, 31);
    g_assert_cmpint(qom_get_int(&h, "channel-reset-timeout-cycles"), ==,
                    0x500);
    g_assert_cmpint(qom_get_int(&h, "hw-version-major"), ==, 1);
    g_assert_cmpint(qom_get_int(&h, "hw-version-minor"), ==, 0);
    g_assert(!qom_get_bool(&h, "guest-mode"));
    hidma_stop(&h);
}

static void test_mgmt_program(void)
{
    Hidma h;

    hidma_start(&h, ",num-channels=3,max-read-burst-bytes=512");
    g_assert_cmpint(h.nch, ==, 3);
    g_assert_cmphex(mg_rd(&h, MGMT_BUSREQ), ==, 0x04000200);
    mg_wr(&h, MGMT_BUSREQ, (256 << 16) | 128);
    mg_wr(&h, MGMT_XACT, (7 << 16) | 9);
    mg_wr(&h, MGMT_CHRESET, 0xfff12345);
    mg_wr(&h, MGMT_QOS(2), (1 << 15) | (11 << 8));
    mg_wr(&h, MGMT_VERSION, 0);
    g_assert_cmphex(mg_rd(&h, MGMT_CHRESET), ==, 0x12345);
    g_assert_cmphex(mg_rd(&h, MGMT_VERSION), ==, 0x10000000);
    g_assert_cmpint(qom_get_int(&h, "x-reg-max-read-burst-bytes"), ==, 128);
    g_assert_cmpint(qom_get_int(&h, "x-reg-max-write-burst-bytes"), ==, 256);
    g_assert_cmpint(qom_get_int(&h, "x-reg-max-read-transactions"), ==, 9);
    g_assert_cmpint(qom_get_int(&h, "x-reg-max-write-transactions"), ==, 7);
    g_assert_cmpint(qom_get_int(&h, "x-reg-channel-reset-timeout-cycles"),
                    ==, 0x12345);
    /* the configuration stays what firmware describes */
    g_assert_cmpint(qom_get_int(&h, "max-read-burst-bytes"), ==, 512);
    g_assert_cmpint(qom_get_int(&h, "max-write-burst-bytes"), ==, 1024);
    g_assert_cmpint(chprop(&h, 2, "priority"), ==, 1);
    g_assert_cmpint(chprop(&h, 2, "weight"), ==, 11);
    /* QOS of an absent channel: RAZ/WI */
    mg_wr(&h, MGMT_QOS(5), 0xff00);
    g_assert_cmphex(mg_rd(&h, MGMT_QOS(5)), ==, 0);
    hidma_stop(&h);
}

static void test_enable_gate(void)
{
    Hidma h;

    hidma_start(&h, NULL);
    cmd(&h, true, 0, CMD_ENABLE);
    cmd(&h, false, 0, CMD_ENABLE);
    qtest_clock_step(h.qts, 1000000);
    g_assert_cmpint(state_of(ev_rd(&h, 0, CTRLSTS)), ==, ST_DISABLED);
    g_assert_cmpint(state_of(tr_rd(&h, 0, CTRLSTS)), ==, ST_DISABLED);
    mg_wr(&h, MGMT_CFG, 1);
    cmd(&h, true, 0, CMD_ENABLE);
    cmd(&h, false, 0, CMD_ENABLE);
    g_assert_cmpint(state_of(ev_rd(&h, 0, CTRLSTS)), ==, ST_ENABLED);
    g_assert_cmpint(state_of(tr_rd(&h, 0, CTRLSTS)), ==, ST_ENABLED);
    /* the command field reads back */
    g_assert_cmphex(tr_rd(&h, 0, CTRLSTS), ==, (1 << 16) | (1 << 8));
    /* suspend as the driver's disable sequence does */
    cmd(&h, false, 0, CMD_SUSPEND);
    g_assert(wait_state(&h, false, 0, ST_SUSPENDED));
    cmd(&h, true, 0, CMD_SUSPEND);
    g_assert(wait_state(&h, true, 0, ST_SUSPENDED));
    cmd(&h, false, 0, CMD_DISABLE);
    g_assert_cmpint(state_of(tr_rd(&h, 0, CTRLSTS)), ==, ST_DISABLED);
    hidma_stop(&h);
}

static void test_guest_mode(void)
{
    Hidma h;

    hidma_start(&h, ",guest-mode=on,num-channels=2");
    g_assert_cmphex(h.mgmt, ==, 0);
    g_assert_cmpint(h.nch, ==, 2);
    g_assert(qom_get_bool(&h, "guest-mode"));
    /* management is preset by the host: channels enable at once */
    ch_setup(&h, 1, 8);
    fill(&h, RAM_BASE + 0x1000000, 4096, 3);
    put_tre(&h, 1, 0, 3, 4096, RAM_BASE + 0x1000000, RAM_BASE + 0x1100000);
    tr_wr(&h, 1, DOORBELL, TRE_SIZE);
    g_assert(wait_wp(&h, 1, EVRE_SIZE));
    assert_same(&h, RAM_BASE + 0x1000000, RAM_BASE + 0x1100000, 4096);
    hidma_stop(&h);
}

static void test_memcpy(void)
{
    Hidma h;
    uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x2000000;
    uint32_t sizes[4] = { 1, 4096, 100000, 1 << 20 };
    uint32_t off = 0;
    int i;

    host_start(&h, NULL);
    gic_intercept(&h);
    ch_setup(&h, 2, 16);
    for (i = 0; i < 4; i++) {
        fill(&h, src + off, sizes[i], i + 1);
        put_tre(&h, 2, i, 3, sizes[i], src + off, dst + off);
        off += ROUND_UP(sizes[i], 4096);
    }
    tr_wr(&h, 2, DOORBELL, 4 * TRE_SIZE);
    g_assert(wait_wp(&h, 2, 4 * EVRE_SIZE));
    for (i = 0; i < 4; i++) {
        g_assert_cmphex(evre0(&h, 2, i) >> 24, ==, 0x10);
    }
    assert_same(&h, src, dst, off);
    g_assert_cmphex(ev_rd(&h, 2, EV_IRQ_STAT), ==, 1);
    g_assert(chan_irq(&h, 2));
    g_assert_cmpint(chprop(&h, 2, "tres-completed"), ==, 4);
    g_assert_cmpint(chprop(&h, 2, "bytes"), ==, 1 + 4096 + 100000 + (1 << 20));
    g_assert_cmpint(state_of(tr_rd(&h, 2, CTRLSTS)), ==, ST_ENABLED);
    /* acknowledge as the driver does */
    ev_wr(&h, 2, EV_IRQ_CLR, 1);
    ev_wr(&h, 2, DOORBELL, 4 * EVRE_SIZE);
    g_assert_cmphex(ev_rd(&h, 2, EV_IRQ_STAT), ==, 0);
    g_assert(!chan_irq(&h, 2));
    hidma_stop(&h);
}

/* The driver-cost counters: CPU accesses by window, doorbells, edges */
static void test_driver_cost(void)
{
    static const char *const names[] = {
        "trca-reads", "evca-reads", "trca-writes", "evca-writes",
        "doorbells", "irqs",
    };
    uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x2000000;
    uint64_t before[ARRAY_SIZE(names)], delta[ARRAY_SIZE(names)];
    Hidma h;
    int i;

    host_start(&h, NULL);
    gic_intercept(&h);
    ch_setup(&h, 3, 8);
    for (i = 0; i < ARRAY_SIZE(names); i++) {
        before[i] = chprop(&h, 3, names[i]);
    }
    put_tre(&h, 3, 0, 3, 64, src, dst);
    put_tre(&h, 3, 1, 3, 64, src, dst);
    tr_wr(&h, 3, DOORBELL, TRE_SIZE);
    g_assert(wait_wp(&h, 3, EVRE_SIZE));
    /* the line stays up: the second completion is no new interrupt */
    tr_wr(&h, 3, DOORBELL, 2 * TRE_SIZE);
    g_assert(wait_wp(&h, 3, 2 * EVRE_SIZE));
    tr_rd(&h, 3, CTRLSTS);
    ev_wr(&h, 3, EV_IRQ_CLR, 1);
    ev_wr(&h, 3, DOORBELL, 2 * EVRE_SIZE);
    /* cleared: the next completion raises the line again */
    put_tre(&h, 3, 2, 3, 64, src, dst);
    tr_wr(&h, 3, DOORBELL, 3 * TRE_SIZE);
    g_assert(wait_wp(&h, 3, 3 * EVRE_SIZE));
    for (i = 0; i < ARRAY_SIZE(names); i++) {
        delta[i] = chprop(&h, 3, names[i]) - before[i];
    }
    /* wait_wp reads WRITE_PTR until it moved: at least once per wait */
    g_assert_cmpint(delta[0], ==, 1);
    g_assert_cmpint(delta[1], >=, 3);
    g_assert_cmpint(delta[2], ==, 3);
    g_assert_cmpint(delta[3], ==, 2);
    g_assert_cmpint(delta[4], ==, 3);
    g_assert_cmpint(delta[5], ==, 2);
    g_assert_cmpint(chprop(&h, 2, "trca-writes"), ==, 0);
    hidma_stop(&h);
}

static void test_memset(void)
{
    Hidma h;
    uint64_t dst = RAM_BASE + 0x2000000;
    g_autofree uint8_t *buf = g_malloc(8192);
    int i;

    host_start(&h, NULL);
    ch_setup(&h, 0, 8);
    fill(&h, dst, 8192, 9);
    /* fill byte 0xa5 repeated over 64 bits, 5000 bytes from offset 3 */
    put_tre(&h, 0, 0, 4, 5000, 0xa5a5a5a5a5a5a5a5ULL, dst + 3);
    tr_wr(&h, 0, DOORBELL, TRE_SIZE);
    g_assert(wait_wp(&h, 0, EVRE_SIZE));
    g_assert_cmphex(evre0(&h, 0, 0) >> 28, ==, 1);
    qtest_memread(h.qts, dst, buf, 8192);
    for (i = 3; i < 5003; i++) {
        g_assert_cmphex(buf[i], ==, 0xa5);
    }
    g_assert_cmphex(buf[2], !=, 0xa5);
    g_assert_cmphex(buf[5003], !=, 0xa5);
    g_assert_cmpint(chprop(&h, 0, "read-bursts"), ==, 0);
    g_assert_cmpint(chprop(&h, 0, "write-bursts"), ==, 5);
    hidma_stop(&h);
}

static void test_ring_wrap(void)
{
    Hidma h;
    uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x3000000;
    int ntre = 4, n, slot = 0, ev = 0;

    host_start(&h, NULL);
    ch_setup(&h, 1, ntre);
    /* 11 transfers through a 4-entry ring, two at a time */
    for (n = 0; n < 11; n += 2) {
        int k, batch = MIN(2, 11 - n);

        for (k = 0; k < batch; k++) {
            fill(&h, src + (n + k) * 256, 256, n + k);
            put_tre(&h, 1, slot, 3, 256, src + (n + k) * 256,
                    dst + (n + k) * 256);
            slot = (slot + 1) % ntre;
        }
        tr_wr(&h, 1, DOORBELL, slot * TRE_SIZE);
        for (k = 0; k < batch; k++) {
            ev = (ev + 1) % ntre;
        }
        g_assert(wait_wp(&h, 1, ev * EVRE_SIZE));
        g_assert_cmphex(evre0(&h, 1, (ev + ntre - 1) % ntre) >> 28, ==, 1);
        ev_wr(&h, 1, EV_IRQ_CLR, 1);
        ev_wr(&h, 1, DOORBELL, ev * EVRE_SIZE);
    }
    assert_same(&h, src, dst, 11 * 256);
    g_assert_cmpint(chprop(&h, 1, "tres-completed"), ==, 11);
    /* never more than two TREs were queued at once */
    g_assert_cmpint(chprop(&h, 1, "ring-hwm"), ==, 2);
    hidma_stop(&h);
}

/* run one TRE that must fail; check the EVRE and the IRQ cause */
static void check_error(Hidma *h, int ch, uint32_t cause)
{
    uint32_t e;

    g_assert(wait_wp(h, ch, EVRE_SIZE));
    e = evre0(h, ch, 0);
    g_assert_cmphex(e >> 28, ==, 4);
    g_assert_cmphex((e >> 24) & 0xf, ==, cause - 8);
    g_assert_cmphex(ev_rd(h, ch, EV_IRQ_STAT), ==, 1u << cause);
    g_assert_cmpint(chprop(h, ch, "tres-failed"), ==, 1);
    g_assert_cmpint(chprop(h, ch, "tres-completed"), ==, 0);
}

static void test_err_invalid_opcode(void)
{
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 0, 8);
    put_tre(&h, 0, 0, 7, 64, RAM_BASE + 0x1000000, RAM_BASE + 0x2000000);
    tr_wr(&h, 0, DOORBELL, TRE_SIZE);
    check_error(&h, 0, 14);
    hidma_stop(&h);
}

static void test_err_bad_length(void)
{
    Hidma h;
    uint32_t e;

    /* the engine that moves bytes under the BQL, to see its bound */
    host_start(&h, ",x-copy-thread=off");
    ch_setup(&h, 0, 8);
    put_tre(&h, 0, 0, 3, 0, RAM_BASE + 0x1000000, RAM_BASE + 0x2000000);
    tr_wr(&h, 0, DOORBELL, TRE_SIZE);
    check_error(&h, 0, 14);
    /* the length field is 32 bits wide: more than 64 MiB is valid */
    put_tre(&h, 0, 1, 4, 0x4000040, 0x5a5a5a5a5a5a5a5aULL,
            RAM_BASE + 0x1000000);
    tr_wr(&h, 0, DOORBELL, 2 * TRE_SIZE);
    g_assert(wait_wp(&h, 0, 2 * EVRE_SIZE));
    e = evre0(&h, 0, 1);
    g_assert_cmphex(e >> 24, ==, 0x10);
    g_assert_cmpint(chprop(&h, 0, "bytes"), ==, 0x4000040);
    g_assert_cmphex(qtest_readb(h.qts, RAM_BASE + 0x1000000 + 0x400003f),
                    ==, 0x5a);
    /*
     * The main loop got back control at least every 1 MiB (one run ends
     * in the grant that reaches its bound: 31 KiB at most)
     */
    g_assert_cmpint(qom_get_int(&h, "x-run-cost-max"), >=, 1024 * 1024);
    g_assert_cmpint(qom_get_int(&h, "x-run-cost-max"), <=,
                    1024 * 1024 + 31 * 1024);
    hidma_stop(&h);
}

static void test_err_data_read(void)
{
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 3, 8);
    put_tre(&h, 3, 0, 3, 4096, UNMAPPED, RAM_BASE + 0x2000000);
    tr_wr(&h, 3, DOORBELL, TRE_SIZE);
    check_error(&h, 3, 10);
    hidma_stop(&h);
}

static void test_err_data_write(void)
{
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 3, 8);
    put_tre(&h, 3, 0, 3, 4096, RAM_BASE + 0x1000000, UNMAPPED);
    tr_wr(&h, 3, DOORBELL, TRE_SIZE);
    check_error(&h, 3, 11);
    hidma_stop(&h);
}

static void test_err_tre_read(void)
{
    Hidma h;

    host_start(&h, NULL);
    ch_setup_at(&h, 4, 8, UNMAPPED, ev_ring(4));
    tr_wr(&h, 4, DOORBELL, TRE_SIZE);
    check_error(&h, 4, 9);
    hidma_stop(&h);
}

/*
 * DMA from or to the channel's own register windows is refused by the
 * memory core (re-entrant I/O); the channel must report it, not complete
 * with zeros (a read through QEMU's map bounce buffer used to lose it).
 * The paced engine runs from a timer, not a bottom half: the same.
 */
static void test_err_mmio(void)
{
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 3, 8);
    put_tre(&h, 3, 0, 3, 64, h.trca[3], RAM_BASE + 0x2000000);
    tr_wr(&h, 3, DOORBELL, TRE_SIZE);
    check_error(&h, 3, 10);
    ch_setup(&h, 4, 8);
    put_tre(&h, 4, 0, 3, 64, RAM_BASE + 0x1000000, h.trca[5] + RING_LOW);
    tr_wr(&h, 4, DOORBELL, TRE_SIZE);
    check_error(&h, 4, 11);
    g_assert_cmphex(tr_rd(&h, 5, RING_LOW), ==, 0);
    hidma_stop(&h);
}

/*
 * The same on a paced bus, from the engine's timer: a 4 KiB copy takes
 * the bus first, so the TRE aimed at the registers starts from the timer,
 * not from the bottom half that the doorbell scheduled.
 */
static void test_err_mmio_paced(void)
{
    uint64_t ram = RAM_BASE + 0x1000000;
    Hidma h;
    int ch;

    host_start(&h, ",x-bus-bytes-per-us=1000");
    for (ch = 3; ch <= 4; ch++) {
        uint32_t cause = ch == 3 ? 10 : 11;
        uint32_t e;

        ch_setup(&h, ch, 8);
        put_tre(&h, ch, 0, 3, 4096, ram, ram + 0x100000);
        if (ch == 3) {
            put_tre(&h, ch, 1, 3, 64, h.trca[3], ram + 0x200000);
        } else {
            put_tre(&h, ch, 1, 3, 64, ram, h.trca[5] + RING_LOW);
        }
        tr_wr(&h, ch, DOORBELL, 2 * TRE_SIZE);
        g_assert(wait_wp(&h, ch, 2 * EVRE_SIZE));
        g_assert_cmphex(evre0(&h, ch, 0) >> 24, ==, 0x10);
        e = evre0(&h, ch, 1);
        g_assert_cmphex(e >> 28, ==, 4);
        g_assert_cmphex((e >> 24) & 0xf, ==, cause - 8);
        g_assert_cmpint(chprop(&h, ch, "tres-failed"), ==, 1);
    }
    g_assert_cmphex(tr_rd(&h, 5, RING_LOW), ==, 0);
    hidma_stop(&h);
}

/* one TRE of @len bytes from @src to @dst must give what memmove gives */
static void check_memmove(Hidma *h, int ch, int slot, uint64_t src,
                          uint64_t dst, size_t len)
{
    uint64_t lo = MIN(src, dst), span = MAX(src, dst) + len - lo;
    g_autofree uint8_t *want = g_malloc(span);
    g_autofree uint8_t *got = g_malloc(span);

    fill(h, lo, span, slot + 3);
    qtest_memread(h->qts, lo, want, span);
    memmove(want + (dst - lo), want + (src - lo), len);
    put_tre(h, ch, slot, 3, len, src, dst);
    tr_wr(h, ch, DOORBELL, (slot + 1) * TRE_SIZE);
    g_assert(wait_wp(h, ch, (slot + 1) * EVRE_SIZE));
    g_assert_cmphex(evre0(h, ch, slot) >> 24, ==, 0x10);
    qtest_memread(h->qts, lo, got, span);
    g_assert(memcmp(got, want, span) == 0);
}

/*
 * Overlapping copies behave like memmove, over many grants (31 KiB each
 * by default) and with the source or the destination above the other.
 */
static void test_overlap(void)
{
    uint64_t base = RAM_BASE + 0x1000000;
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 1, 8);
    check_memmove(&h, 1, 0, base, base + 1024, 64 * 1024);
    check_memmove(&h, 1, 1, base + 1024, base, 64 * 1024);
    check_memmove(&h, 1, 2, base, base + 1, 100000);
    check_memmove(&h, 1, 3, base + 4097, base, 100000);
    /* source and destination the same: nothing changes */
    check_memmove(&h, 1, 4, base, base, 40000);
    hidma_stop(&h);
}

static void test_fail_injection(void)
{
    Hidma h;
    uint64_t src = RAM_BASE + 0x1000000;
    int i;

    host_start(&h, NULL);
    gic_intercept(&h);
    ch_setup(&h, 5, 8);
    qom_set_u32(&h, "x-ch5-fail-cause", 11);
    qom_set_u32(&h, "x-ch5-fail-count", 2);
    for (i = 0; i < 3; i++) {
        put_tre(&h, 5, i, 3, 128, src, src + 0x100000 * (i + 1));
    }
    tr_wr(&h, 5, DOORBELL, 3 * TRE_SIZE);
    g_assert(wait_wp(&h, 5, 3 * EVRE_SIZE));
    g_assert_cmphex(evre0(&h, 5, 0) >> 24, ==, 0x43);
    g_assert_cmphex(evre0(&h, 5, 1) >> 24, ==, 0x43);
    g_assert_cmphex(evre0(&h, 5, 2) >> 24, ==, 0x10);
    g_assert_cmphex(ev_rd(&h, 5, EV_IRQ_STAT), ==, (1 << 11) | 1);
    g_assert_cmpint(chprop(&h, 5, "tres-failed"), ==, 2);
    g_assert_cmpint(chprop(&h, 5, "tres-completed"), ==, 1);
    g_assert_cmpint(chprop(&h, 5, "fail-count"), ==, 0);
    /* masked causes do not raise the line */
    ev_wr(&h, 5, EV_IRQ_EN, 1 << 14);
    g_assert(!chan_irq(&h, 5));
    ev_wr(&h, 5, EV_IRQ_EN, 1 << 11);
    g_assert(chan_irq(&h, 5));
    hidma_stop(&h);
}

/* fail-cause 1: the data moves, the event is not written */
static void test_event_write_fault(void)
{
    Hidma h;
    uint64_t src = RAM_BASE + 0x1000000;

    host_start(&h, NULL);
    ch_setup(&h, 2, 8);
    qom_set_u32(&h, "x-ch2-fail-cause", 1);
    qom_set_u32(&h, "x-ch2-fail-count", 1);
    fill(&h, src, 64, 7);
    put_tre(&h, 2, 0, 3, 64, src, src + 0x100000);
    put_tre(&h, 2, 1, 3, 64, src, src + 0x200000);
    tr_wr(&h, 2, DOORBELL, TRE_SIZE);
    g_assert(wait_wp(&h, 2, EVRE_SIZE));
    /* software never learns of that TRE: it failed, it ends no block */
    g_assert_cmphex(ev_rd(&h, 2, EV_IRQ_STAT), ==, 1 << 1);
    tr_wr(&h, 2, DOORBELL, 2 * TRE_SIZE);
    g_assert(wait_wp(&h, 2, 2 * EVRE_SIZE));
    g_assert_cmphex(evre0(&h, 2, 0), ==, 0);
    g_assert_cmphex(evre0(&h, 2, 1) >> 24, ==, 0x10);
    assert_same(&h, src, src + 0x100000, 64);
    g_assert_cmphex(ev_rd(&h, 2, EV_IRQ_STAT), ==, (1 << 1) | 1);
    g_assert_cmpint(chprop(&h, 2, "tres-completed"), ==, 1);
    g_assert_cmpint(chprop(&h, 2, "tres-failed"), ==, 1);
    g_assert_cmpint(chprop(&h, 2, "fail-count"), ==, 0);
    hidma_stop(&h);
}

/* ch<N>-suspend-delay-us: SUSPEND takes effect late; ENABLE cancels it */
static void test_suspend_delay(void)
{
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 1, 8);
    g_assert(!qom_set_json(&h, "x-ch1-suspend-delay-us", "1000001"));
    qom_set_u32(&h, "x-ch1-suspend-delay-us", 500);
    cmd(&h, false, 1, CMD_SUSPEND);
    g_assert_cmpint(state_of(tr_rd(&h, 1, CTRLSTS)), ==, ST_ENABLED);
    qtest_clock_step(h.qts, 600 * 1000);
    g_assert_cmpint(state_of(tr_rd(&h, 1, CTRLSTS)), ==, ST_SUSPENDED);

    cmd(&h, false, 1, CMD_ENABLE);
    cmd(&h, false, 1, CMD_SUSPEND);
    cmd(&h, false, 1, CMD_ENABLE);
    qtest_clock_step(h.qts, 600 * 1000);
    g_assert_cmpint(state_of(tr_rd(&h, 1, CTRLSTS)), ==, ST_ENABLED);
    hidma_stop(&h);
}

static void test_reset_timeout(void)
{
    Hidma h;

    host_start(&h, NULL);
    mg_wr(&h, MGMT_CHRESET, 100000);        /* 100 us at 1 GHz */
    cmd(&h, false, 0, CMD_ENABLE);
    g_assert_cmpint(state_of(tr_rd(&h, 0, CTRLSTS)), ==, ST_ENABLED);
    g_assert_cmpint(chprop(&h, 0, "resets"), ==, 0);
    cmd(&h, false, 0, CMD_RESET);
    g_assert_cmpint(chprop(&h, 0, "resets"), ==, 1);
    g_assert_cmpint(state_of(tr_rd(&h, 0, CTRLSTS)), ==, ST_STOPPED);
    qtest_clock_step(h.qts, 60000);
    g_assert_cmpint(state_of(tr_rd(&h, 0, CTRLSTS)), ==, ST_STOPPED);
    /* commands are ignored while the reset is in progress */
    cmd(&h, false, 0, CMD_ENABLE);
    g_assert_cmpint(state_of(tr_rd(&h, 0, CTRLSTS)), ==, ST_STOPPED);
    qtest_clock_step(h.qts, 50000);
    g_assert_cmpint(state_of(tr_rd(&h, 0, CTRLSTS)), ==, ST_DISABLED);
    g_assert_cmphex(tr_rd(&h, 0, CTRLSTS) >> 16, ==, CMD_RESET);
    /* reset from DISABLED (as at probe) also takes the timeout */
    cmd(&h, true, 0, CMD_RESET);
    g_assert_cmpint(state_of(ev_rd(&h, 0, CTRLSTS)), ==, ST_STOPPED);
    qtest_clock_step(h.qts, 110000);
    g_assert_cmpint(state_of(ev_rd(&h, 0, CTRLSTS)), ==, ST_DISABLED);
    /* the counter is of TRCA resets only */
    g_assert_cmpint(chprop(&h, 0, "resets"), ==, 1);
    hidma_stop(&h);
}

static void test_reset_hang(void)
{
    Hidma h;

    host_start(&h, NULL);
    cmd(&h, false, 1, CMD_ENABLE);
    g_assert(qom_set_json(&h, "x-ch1-hang-next-reset", "true"));
    g_assert(qom_get_bool(&h, "x-ch1-hang-next-reset"));
    cmd(&h, false, 1, CMD_RESET);
    g_assert(!wait_state(&h, false, 1, ST_DISABLED));   /* 20 ms */
    g_assert(!qom_get_bool(&h, "x-ch1-hang-next-reset"));
    /* a second RESET completes */
    cmd(&h, false, 1, CMD_RESET);
    g_assert(wait_state(&h, false, 1, ST_DISABLED));
    hidma_stop(&h);
}

static void test_burst_counts(void)
{
    Hidma h;
    uint64_t src = RAM_BASE + 0x1000000;

    host_start(&h, NULL);
    mg_wr(&h, MGMT_BUSREQ, (256 << 16) | 1024);
    ch_setup(&h, 0, 8);
    fill(&h, src, 4096, 1);
    put_tre(&h, 0, 0, 3, 4096, src, src + 0x10000);
    tr_wr(&h, 0, DOORBELL, TRE_SIZE);
    g_assert(wait_wp(&h, 0, EVRE_SIZE));
    g_assert_cmpint(chprop(&h, 0, "write-bursts"), ==, 16);
    g_assert_cmpint(chprop(&h, 0, "read-bursts"), ==, 4);
    g_assert_cmpint(chprop(&h, 0, "bytes"), ==, 4096);
    /* 31 write transactions of 256 bytes per grant: 2 grants for 10000 */
    mg_wr(&h, MGMT_XACT, (31 << 16) | 31);
    put_tre(&h, 0, 1, 3, 10000, src, src + 0x20000);
    tr_wr(&h, 0, DOORBELL, 2 * TRE_SIZE);
    g_assert(wait_wp(&h, 0, 2 * EVRE_SIZE));
    g_assert_cmpint(chprop(&h, 0, "write-bursts"), ==, 16 + 40);
    g_assert_cmpint(chprop(&h, 0, "read-bursts"), ==, 4 + 10);
    g_assert_cmpint(chprop(&h, 0, "bus-grants"), ==, 1 + 2);
    assert_same(&h, src, src + 0x20000, 4096);
    hidma_stop(&h);
}

static void queue_many(Hidma *h, int ch, int n, uint32_t len, uint64_t dst)
{
    int i;

    for (i = 0; i < n; i++) {
        put_tre(h, ch, i, 3, len, RAM_BASE + 0x1000000, dst + i * len);
    }
}

static void test_wrr_share(void)
{
    Hidma h;
    uint64_t b0, b1;
    double ratio;

    host_start(&h, NULL);
    mg_wr(&h, MGMT_QOS(0), 3 << 8);
    mg_wr(&h, MGMT_QOS(1), 1 << 8);
    ch_setup(&h, 0, 32);
    ch_setup(&h, 1, 32);
    /* 4 bursts of 1 KiB per grant: many grants in the window */
    mg_wr(&h, MGMT_XACT, (4 << 16) | 4);
    qom_set_u32(&h, "x-bus-bytes-per-us", 1000);      /* 1 GB/s */
    queue_many(&h, 0, 16, 65536, RAM_BASE + 0x4000000);
    queue_many(&h, 1, 16, 65536, RAM_BASE + 0x6000000);
    tr_wr(&h, 0, DOORBELL, 16 * TRE_SIZE);
    tr_wr(&h, 1, DOORBELL, 16 * TRE_SIZE);
    /* 400 us of bus time: 400 KB, both still backlogged (1 MiB each) */
    qtest_clock_step(h.qts, 400 * 1000);
    b0 = chprop(&h, 0, "bytes");
    b1 = chprop(&h, 1, "bytes");
    g_assert_cmpint(b1, >, 0);
    g_assert_cmpint(b0, <, 16 * 65536);
    ratio = (double)b0 / b1;
    g_test_message("weights 3:1 -> bytes %" PRIu64 ":%" PRIu64
                   " = %.3f:1", b0, b1, ratio);
    g_assert_cmpfloat(ratio, >, 2.7);
    g_assert_cmpfloat(ratio, <, 3.3);
    /*
     * Both backlogged: every byte so far was contended, but for the one
     * grant channel 0 may have had before channel 1's doorbell.
     */
    g_assert_cmpint(chprop(&h, 0, "contended-bytes"), >=, b0 - 4096);
    g_assert_cmpint(chprop(&h, 1, "contended-bytes"), ==, b1);

    /* channel 0 drains its 1 MiB first; channel 1 then runs alone */
    qtest_clock_step(h.qts, 3000 * 1000);
    b0 = chprop(&h, 0, "contended-bytes");
    b1 = chprop(&h, 1, "contended-bytes");
    g_assert_cmpint(chprop(&h, 0, "bytes"), ==, 16 * 65536);
    g_assert_cmpint(b0, >=, 16 * 65536 - 4096);
    g_assert_cmpint(chprop(&h, 1, "bytes"), >, b1);
    ratio = (double)b0 / b1;
    g_test_message("contended bytes %" PRIu64 ":%" PRIu64 " = %.3f:1",
                   b0, b1, ratio);
    g_assert_cmpfloat(ratio, >, 2.7);
    g_assert_cmpfloat(ratio, <, 3.3);
    hidma_stop(&h);
}

static void test_priority(void)
{
    Hidma h;
    uint64_t b0, b0_later;
    int i;

    host_start(&h, NULL);
    mg_wr(&h, MGMT_QOS(0), 15 << 8);                 /* low, heavy */
    mg_wr(&h, MGMT_QOS(1), (1 << 15) | (1 << 8));    /* high, light */
    ch_setup(&h, 0, 32);
    ch_setup(&h, 1, 32);
    qom_set_u32(&h, "x-bus-bytes-per-us", 1000);
    queue_many(&h, 0, 16, 65536, RAM_BASE + 0x4000000);
    tr_wr(&h, 0, DOORBELL, 16 * TRE_SIZE);
    qtest_clock_step(h.qts, 100 * 1000);
    b0 = chprop(&h, 0, "bytes");
    g_assert_cmpint(b0, >, 0);
    /* the high priority channel preempts at the next grant */
    queue_many(&h, 1, 2, 65536, RAM_BASE + 0x6000000);
    tr_wr(&h, 1, DOORBELL, 2 * TRE_SIZE);
    for (i = 0; i < 100 && chprop(&h, 1, "bytes") < 2 * 65536; i++) {
        qtest_clock_step(h.qts, 10 * 1000);
    }
    b0_later = chprop(&h, 0, "bytes");
    g_assert_cmpint(chprop(&h, 1, "bytes"), ==, 2 * 65536);
    /* at most the grants in flight at doorbell time */
    g_assert_cmpint(b0_later - b0, <=, 2 * 31 * 1024);
    /* the low priority channel resumes afterwards */
    qtest_clock_step(h.qts, 200 * 1000);
    g_assert_cmpint(chprop(&h, 0, "bytes"), >, b0_later + 100000);
    hidma_stop(&h);
}

static void test_completion_latency(void)
{
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 0, 8);
    qom_set_u32(&h, "x-completion-latency-us", 200);
    put_tre(&h, 0, 0, 3, 64, RAM_BASE + 0x1000000, RAM_BASE + 0x1100000);
    tr_wr(&h, 0, DOORBELL, TRE_SIZE);
    qtest_clock_step(h.qts, 100 * 1000);
    g_assert_cmphex(ev_rd(&h, 0, EV_WRITE_PTR), ==, 0);
    g_assert_cmpint(chprop(&h, 0, "bytes"), ==, 64);
    g_assert_cmpint(state_of(tr_rd(&h, 0, CTRLSTS)), ==, ST_RUNNING);
    qtest_clock_step(h.qts, 150 * 1000);
    g_assert_cmphex(ev_rd(&h, 0, EV_WRITE_PTR), ==, EVRE_SIZE);
    g_assert_cmphex(ev_rd(&h, 0, EV_IRQ_STAT), ==, 1);
    hidma_stop(&h);
}

/* run TREs until the engine is idle; returns the bus grants it took */
static uint64_t settle(Hidma *h, int ch)
{
    int i;

    for (i = 0; i < 50; i++) {
        qtest_clock_step(h->qts, 1000 * 1000);
    }
    return chprop(h, ch, "bus-grants");
}

/* A channel counter reaches @want, within 60 s of real time (see wait_wp) */
static bool wait_chprop(Hidma *h, int ch, const char *suffix, uint64_t want)
{
    int64_t deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

    while (chprop(h, ch, suffix) != want) {
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        qtest_clock_step(h->qts, 10 * 1000);
    }
    return true;
}

/*
 * Ring registers are latched while their window is enabled.  While
 * suspended they can change: a transfer ring shrunk under its doorbell
 * must not make the engine lap the ring and re-run stale TREs.
 */
/*
 * Guest writes that the hardware does not take: read-only registers,
 * reserved bits, doorbells outside their ring.  The old value stays.
 */
static void test_register_masks(void)
{
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 1, 4);

    mg_wr(&h, MGMT_CFG, 0xfffffffe);
    g_assert_cmphex(mg_rd(&h, MGMT_CFG), ==, 0);
    mg_wr(&h, MGMT_CFG, 0xffffffff);
    g_assert_cmphex(mg_rd(&h, MGMT_CFG), ==, 1);
    mg_wr(&h, MGMT_XACT, 0xffffffff);
    g_assert_cmphex(mg_rd(&h, MGMT_XACT), ==, 0x001f001f);
    mg_wr(&h, MGMT_QOS(1), 0xffffffff);
    g_assert_cmphex(mg_rd(&h, MGMT_QOS(1)), ==, 0xff00);

    g_assert_cmphex(tr_rd(&h, 1, TRCA_CHID), ==, 1);
    tr_wr(&h, 1, TRCA_CHID, 7);
    g_assert_cmphex(tr_rd(&h, 1, TRCA_CHID), ==, 1);
    ev_wr(&h, 1, EV_WRITE_PTR, 3 * EVRE_SIZE);
    g_assert_cmphex(ev_rd(&h, 1, EV_WRITE_PTR), ==, 0);
    ev_wr(&h, 1, EV_IRQ_EN, 0);
    ev_wr(&h, 1, EV_IRQ_STAT, IRQ_ALL);
    g_assert_cmphex(ev_rd(&h, 1, EV_IRQ_STAT), ==, 0);
    ev_wr(&h, 1, EV_IRQ_EN, 0xffffffff);
    g_assert_cmphex(ev_rd(&h, 1, EV_IRQ_EN), ==, IRQ_ALL);
    ev_wr(&h, 1, EV_INTCTRL, 0xffffffff);
    g_assert_cmphex(ev_rd(&h, 1, EV_INTCTRL), ==, 0xf);
    g_assert(!chan_irq(&h, 1));

    /* beyond the ring, or not on an entry boundary */
    tr_wr(&h, 1, DOORBELL, 4 * TRE_SIZE);
    tr_wr(&h, 1, DOORBELL, TRE_SIZE + 4);
    g_assert_cmphex(tr_rd(&h, 1, DOORBELL), ==, 0);
    ev_wr(&h, 1, DOORBELL, 4 * EVRE_SIZE);
    ev_wr(&h, 1, DOORBELL, EVRE_SIZE + 4);
    g_assert_cmphex(ev_rd(&h, 1, DOORBELL), ==, 0);
    g_assert_cmpint(state_of(tr_rd(&h, 1, CTRLSTS)), ==, ST_ENABLED);
    g_assert_cmpint(chprop(&h, 1, "bus-grants"), ==, 0);
    hidma_stop(&h);
}

/*
 * Fuzzer reproducer (make fuzz, host layout): a TRE doorbell that is
 * refused because the ring has no length used to divide by that length.
 */
static void test_fuzz_doorbell_no_ring(void)
{
    Hidma h;

    host_start(&h, NULL);
    g_assert_cmphex(tr_rd(&h, 0, RING_LEN), ==, 0);
    tr_wr(&h, 0, DOORBELL, TRE_SIZE);
    g_assert_cmphex(tr_rd(&h, 0, DOORBELL), ==, 0);
    g_assert_cmpint(chprop(&h, 0, "ring-hwm"), ==, 0);
    hidma_stop(&h);
}

static void test_ring_regs_latched(void)
{
    Hidma h;
    uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x3000000;
    uint64_t grants;
    int i;

    host_start(&h, NULL);
    ch_setup(&h, 0, 8);
    tr_wr(&h, 0, RING_LEN, 2 * TRE_SIZE);
    tr_wr(&h, 0, RING_LOW, 0x1000);
    ev_wr(&h, 0, RING_LEN, 2 * EVRE_SIZE);
    ev_wr(&h, 0, RING_LOW, 0x1000);
    g_assert_cmphex(tr_rd(&h, 0, RING_LEN), ==, 8 * TRE_SIZE);
    g_assert_cmphex(tr_rd(&h, 0, RING_LOW), ==, (uint32_t)tre_ring(0));
    g_assert_cmphex(ev_rd(&h, 0, RING_LEN), ==, 8 * EVRE_SIZE);
    g_assert_cmphex(ev_rd(&h, 0, RING_LOW), ==, (uint32_t)ev_ring(0));

    /* four TREs on a slow bus: the first is in flight at the suspend */
    qom_set_u32(&h, "x-bus-bytes-per-us", 1);
    for (i = 0; i < 4; i++) {
        fill(&h, src + i * 64, 64, i);
        put_tre(&h, 0, i, 3, 64, src + i * 64, dst + i * 64);
    }
    tr_wr(&h, 0, DOORBELL, 4 * TRE_SIZE);
    qtest_clock_step(h.qts, 1000);
    g_assert_cmpint(chprop(&h, 0, "bus-grants"), ==, 1);
    cmd(&h, false, 0, CMD_SUSPEND);
    g_assert_cmpint(state_of(tr_rd(&h, 0, CTRLSTS)), ==, ST_SUSPENDED);
    tr_wr(&h, 0, RING_LEN, 2 * TRE_SIZE);
    g_assert_cmphex(tr_rd(&h, 0, RING_LEN), ==, 2 * TRE_SIZE);
    qom_set_u32(&h, "x-bus-bytes-per-us", 0);
    cmd(&h, false, 0, CMD_ENABLE);

    /* the TRE in flight ends; the unreachable doorbell starts nothing */
    g_assert(wait_chprop(&h, 0, "tres-completed", 1));
    grants = settle(&h, 0);
    g_assert_cmpint(settle(&h, 0), ==, grants);
    g_assert_cmpint(chprop(&h, 0, "tres-completed"), ==, 1);
    g_assert_cmpint(chprop(&h, 0, "tres-failed"), ==, 0);
    assert_same(&h, src, dst, 64);
    hidma_stop(&h);
}

/*
 * An event ring reprogrammed (while suspended) under a TRE in flight so
 * that the write pointer lies past its end: the event is not written
 * outside the ring, the TRE counts as failed with its own cause and an
 * event write error, and no further TRE starts.
 */
static void test_event_ring_lost(void)
{
    Hidma h;
    uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x3000000;
    uint32_t slot6[4];
    uint64_t grants;
    int i;

    host_start(&h, NULL);
    ch_setup(&h, 0, 8);
    for (i = 0; i < 6; i++) {
        put_tre(&h, 0, i, 3, 64, src, dst);
    }
    tr_wr(&h, 0, DOORBELL, 6 * TRE_SIZE);
    g_assert(wait_wp(&h, 0, 6 * EVRE_SIZE));
    ev_wr(&h, 0, DOORBELL, 6 * EVRE_SIZE);
    ev_wr(&h, 0, EV_IRQ_CLR, IRQ_ALL);

    /* a TRE that fails (data read error), its event held back 1 ms */
    qom_set_u32(&h, "x-completion-latency-us", 1000);
    qom_set_u32(&h, "x-ch0-fail-cause", 10);
    qom_set_u32(&h, "x-ch0-fail-count", 1);
    put_tre(&h, 0, 6, 3, 64, src, dst);
    put_tre(&h, 0, 7, 3, 64, src, dst);
    tr_wr(&h, 0, DOORBELL, 0);
    qtest_clock_step(h.qts, 1000);
    g_assert_cmpint(qom_get_int(&h, "x-ch0-fail-count"), ==, 0);
    cmd(&h, true, 0, CMD_SUSPEND);
    g_assert_cmpint(state_of(ev_rd(&h, 0, CTRLSTS)), ==, ST_SUSPENDED);
    ev_wr(&h, 0, RING_LEN, 4 * EVRE_SIZE);
    cmd(&h, true, 0, CMD_ENABLE);

    grants = settle(&h, 0);
    g_assert_cmpint(settle(&h, 0), ==, grants);
    g_assert_cmphex(ev_rd(&h, 0, EV_IRQ_STAT), ==, (1u << 1) | (1u << 10));
    g_assert_cmpint(chprop(&h, 0, "tres-failed"), ==, 1);
    g_assert_cmpint(chprop(&h, 0, "tres-completed"), ==, 6);
    g_assert_cmphex(ev_rd(&h, 0, EV_WRITE_PTR), ==, 6 * EVRE_SIZE);
    qtest_memread(h.qts, ev_ring(0) + 6 * EVRE_SIZE, slot6, sizeof(slot6));
    for (i = 0; i < 4; i++) {
        g_assert_cmphex(slot6[i], ==, 0);
    }
    hidma_stop(&h);
}

/*
 * A one-slot event ring is always full: the TRE's data moves, its event
 * waits, and the engine neither drops it nor keeps running.
 */
static void test_event_ring_one_slot(void)
{
    Hidma h;
    uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x3000000;
    uint64_t grants;

    host_start(&h, NULL);
    ch_setup_events(&h, 0, 8, 1);
    fill(&h, src, 64, 3);
    put_tre(&h, 0, 0, 3, 64, src, dst);
    put_tre(&h, 0, 1, 3, 64, src + 64, dst + 64);
    tr_wr(&h, 0, DOORBELL, 2 * TRE_SIZE);

    grants = settle(&h, 0);
    g_assert_cmpint(settle(&h, 0), ==, grants);
    g_assert(wait_same(&h, src, dst, 64));
    g_assert_cmpint(chprop(&h, 0, "tres-completed"), ==, 0);
    g_assert_cmpint(chprop(&h, 0, "tres-failed"), ==, 0);
    g_assert_cmphex(ev_rd(&h, 0, EV_WRITE_PTR), ==, 0);
    g_assert_cmphex(ev_rd(&h, 0, EV_IRQ_STAT), ==, 0);
    hidma_stop(&h);
}

static void test_bad_qom_set(void)
{
    Hidma h;

    hidma_start(&h, NULL);
    g_assert(!qom_set_json(&h, "x-ch0-fail-cause", "5"));
    g_assert(!qom_set_json(&h, "x-ch0-fail-cause", "\"x\""));
    g_assert_cmpint(chprop(&h, 0, "fail-cause"), ==, 10);
    g_assert(qom_set_json(&h, "x-ch0-fail-cause", "9"));
    g_assert_cmpint(chprop(&h, 0, "fail-cause"), ==, 9);
    g_assert(!qom_set_json(&h, "x-ch0-fail-count", "-1"));
    g_assert(!qom_set_json(&h, "x-ch0-hang-next-reset", "3"));
    g_assert(!qom_set_json(&h, "x-completion-latency-us", "2000000"));
    g_assert_cmpint(qom_get_int(&h, "x-completion-latency-us"), ==, 0);
    g_assert(!qom_set_json(&h, "num-channels", "4"));
    g_assert(!qom_set_json(&h, "max-read-burst-bytes", "256"));
    g_assert(!qom_set_json(&h, "x-reg-max-read-burst-bytes", "256"));
    g_assert(!qom_set_json(&h, "x-ch0-bytes", "5"));
    g_assert(!qom_set_json(&h, "x-ch6-fail-count", "1"));
    g_assert_cmpint(qom_get_int(&h, "num-channels"), ==, 6);
    hidma_stop(&h);
}

static void check_realize_error(const char *opts, const char *expect)
{
    const char *qemu = g_getenv("QTEST_QEMU_BINARY");
    g_autofree char *dev = g_strdup_printf("qcom-hidma,id=hidma0%s", opts);
    g_autofree char *out = NULL, *err = NULL;
    const char *argv[] = {
        qemu, "-M", "virt", "-display", "none", "-nodefaults",
        "-accel", "qtest", "-device", dev, NULL
    };
    int status;

    g_assert(qemu);
    g_assert(g_spawn_sync(NULL, (char **)argv, NULL, 0, NULL, NULL,
                          &out, &err, &status, NULL));
    g_assert(status != 0);
    g_assert(strstr(err, expect));
}

static void test_realize_errors(void)
{
    check_realize_error(",num-channels=17", "'num-channels' must be in 1..16");
    check_realize_error(",num-channels=0", "'num-channels'");
    check_realize_error(",max-read-burst-bytes=100",
                        "'max-read-burst-bytes' must be a power of two");
    check_realize_error(",max-write-transactions=32",
                        "'max-write-transactions' must be in 1..31");
    check_realize_error(",channel-reset-timeout-cycles=0x100000",
                        "'channel-reset-timeout-cycles'");
    check_realize_error(",revision=2.0",
                        "'revision' must be 1.0 (wired interrupt), 1.1");
    check_realize_error(",msi-device-id-base=0xfffc",
                        "'msi-device-id-base' must leave room for 6");
}

/* 1 MiB copies into 33 MiB of destinations, in turn */
#define TPUT_DSTS       33

/*
 * The model's bandwidth on 1 MiB memcpy TREs, in MB/s.  The ring holds
 * n + 1 TREs written once (slot j copies src to dst + (j % TPUT_DSTS)
 * MiB); a warm-up round faults the guest pages in, then each timed round
 * rings the doorbell n TREs further and waits for the n events.  The wait
 * sleeps between reads of the write pointer: a busy poll would take the
 * CPU that the model's copy thread needs.
 */
static double model_mbps(const char *extra)
{
    const uint32_t len = 1 << 20;
    const int n = 128, rounds = 4, slots = n + 1;
    uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x4000000;
    int64_t t0 = 0, deadline;
    uint32_t pos = 0;
    Hidma h;
    int i, r;

    host_start(&h, extra);
    ch_setup(&h, 0, slots);
    fill(&h, src, len, 5);
    for (i = 0; i < slots; i++) {
        put_tre(&h, 0, i, 3, len, src,
                dst + (uint64_t)(i % TPUT_DSTS) * len);
    }
    for (r = 0; r <= rounds; r++) {
        if (r == 1) {
            t0 = g_get_monotonic_time();
        }
        pos = (pos + n) % slots;
        tr_wr(&h, 0, DOORBELL, pos * TRE_SIZE);
        deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;
        while (ev_rd(&h, 0, EV_WRITE_PTR) != pos * EVRE_SIZE) {
            g_assert_cmpint(g_get_monotonic_time(), <, deadline);
            g_usleep(200);
        }
        ev_wr(&h, 0, DOORBELL, pos * EVRE_SIZE);
    }
    t0 = g_get_monotonic_time() - t0;

    /* one more round from a new source: every destination is written */
    fill(&h, src, len, 9);
    pos = (pos + n) % slots;
    tr_wr(&h, 0, DOORBELL, pos * TRE_SIZE);
    g_assert(wait_wp(&h, 0, pos * EVRE_SIZE));
    for (i = 0; i < TPUT_DSTS; i++) {
        uint64_t d = dst + (uint64_t)i * len;

        assert_same(&h, src, d, 4096);
        assert_same(&h, src + len - 4096, d + len - 4096, 4096);
    }
    g_assert_cmpint(chprop(&h, 0, "tres-completed"), ==, (rounds + 2) * n);
    hidma_stop(&h);
    return (double)len * n * rounds / t0;
}

/*
 * Plain memcpy() of 1 MiB on the host, into as many destinations, in
 * memory like guest RAM: QEMU asks for transparent huge pages there.
 */
static double host_mbps(void)
{
    const size_t len = 1 << 20;
    const int n = 128, rounds = 4, slots = TPUT_DSTS;
    uint8_t *a = qemu_memalign(2 * len, len);
    uint8_t *b = qemu_memalign(2 * len, len * slots);
    int64_t t0;
    int pos = 0, i, r;

    qemu_madvise(a, len, QEMU_MADV_HUGEPAGE);
    qemu_madvise(b, len * slots, QEMU_MADV_HUGEPAGE);
    memset(a, 1, len);
    memset(b, 0, len * slots);
    t0 = g_get_monotonic_time();
    for (r = 0; r < rounds; r++) {
        for (i = 0; i < n; i++) {
            memcpy(b + (size_t)pos * len, a, len);
            pos = (pos + 1) % slots;
        }
        a[r]++;
    }
    t0 = g_get_monotonic_time() - t0 + 1;
    qemu_vfree(b);
    qemu_vfree(a);
    return (double)len * n * rounds / t0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;

    return x < y ? -1 : x > y;
}

/*
 * Throughput of 1 MiB memcpy TREs, the model with and without its copy
 * thread, against memcpy() on the host: five rounds taken in turn (the
 * host's own speed drifts), medians.  Reported, never asserted (timings
 * belong in the benchmark): "make bench" parses the THROUGHPUT line.
 */
static void test_throughput(void)
{
    enum { REPS = 5 };
    double thread[REPS], main_loop[REPS], host[REPS];
    int i;

    for (i = 0; i < REPS; i++) {
        thread[i] = model_mbps("");
        main_loop[i] = model_mbps(",x-copy-thread=off");
        host[i] = host_mbps();
    }
    qsort(thread, REPS, sizeof(double), cmp_double);
    qsort(main_loop, REPS, sizeof(double), cmp_double);
    qsort(host, REPS, sizeof(double), cmp_double);
    g_test_message("THROUGHPUT,1048576,%.0f,%.0f,%.0f", thread[REPS / 2],
                   main_loop[REPS / 2], host[REPS / 2]);
    g_test_message("1 MiB TREs, medians of %d: model %.0f MB/s with the copy "
                   "thread, %.0f without, host memcpy %.0f MB/s (model/host "
                   "%.2f, without the thread %.2f)", REPS, thread[REPS / 2],
                   main_loop[REPS / 2], host[REPS / 2],
                   thread[REPS / 2] / host[REPS / 2],
                   main_loop[REPS / 2] / host[REPS / 2]);
}

/*
 * The DSDT must describe the management device (QCOM8060, with its
 * interrupt and _DSD) and one QCOM8061 per channel.  Set
 * HIDMA_DSDT_OUT=file to save the table for "iasl -d".
 */
static const uint8_t *find_mem(const uint8_t *hay, size_t n, const void *nd,
                               size_t m)
{
    size_t i;

    for (i = 0; i + m <= n; i++) {
        if (!memcmp(hay + i, nd, m)) {
            return hay + i;
        }
    }
    return NULL;
}

static int count_mem(const uint8_t *hay, size_t n, const char *nd)
{
    const uint8_t *p = hay;
    int c = 0;

    while ((p = find_mem(p, n - (p - hay), nd, strlen(nd)))) {
        c++;
        p++;
    }
    return c;
}

/*
 * fw_cfg on virt: data at +0, big-endian selector at +8.  libqos's
 * mm_fw_cfg_init() is the sparc/ppc layout (selector at +0, data at +2),
 * so the test gives libqos's fw_cfg walker accessors of its own.
 */
#define VIRT_FW_CFG     0x09020000ULL

static void virt_fw_cfg_select(QFWCFG *fw_cfg, uint16_t key)
{
    qtest_writew(fw_cfg->qts, fw_cfg->base + 8, bswap16(key));
}

static void virt_fw_cfg_read(QFWCFG *fw_cfg, void *data, size_t len)
{
    uint8_t *p = data;
    size_t i;

    for (i = 0; i < len; i++) {
        p[i] = qtest_readb(fw_cfg->qts, fw_cfg->base);
    }
}

/* the fw_cfg file @name in *@out; returns its size, 0 if there is none */
static size_t fwcfg_file(QTestState *qts, const char *name, uint8_t **out)
{
    QFWCFG fw_cfg = {
        .base = VIRT_FW_CFG,
        .qts = qts,
        .select = virt_fw_cfg_select,
        .read = virt_fw_cfg_read,
    };
    size_t size = qfw_cfg_get_file(&fw_cfg, name, NULL, 0);

    *out = g_malloc(size);
    if (size) {
        qfw_cfg_get_file(&fw_cfg, name, *out, size);
    }
    return size;
}

static void check_dsdt(const char *extra, int n8060, int n8061)
{
    Hidma h;
    size_t got;
    g_autofree uint8_t *blob = NULL;
    static const uint8_t dsd_uuid[16] = {
        0x14, 0xd8, 0xff, 0xda, 0xba, 0x6e, 0x8c, 0x4d,
        0x8a, 0x91, 0xbc, 0x9b, 0xbf, 0x4a, 0xa3, 0x01,
    };
    /* Extended Interrupt: consumer, level, active high, exclusive, 1 IRQ */
    static const uint8_t ext_irq[5] = { 0x89, 0x06, 0x00, 0x01, 0x01 };
    const uint8_t *dsdt;
    uint32_t len;

    hidma_start(&h, extra);
    got = fwcfg_file(h.qts, "etc/acpi/tables", &blob);
    g_assert_cmpint(got, >, 0);
    dsdt = find_mem(blob, got, "DSDT", 4);
    g_assert(dsdt);
    len = ldl_le_p(dsdt + 4);
    g_assert_cmpint(len, <=, got - (dsdt - blob));
    g_assert_cmpint(count_mem(dsdt, len, "QCOM8060"), ==, n8060);
    g_assert_cmpint(count_mem(dsdt, len, "QCOM8061"), ==, n8061);
    g_assert(!n8060 || find_mem(dsdt, len, dsd_uuid, 16));
    g_assert(!n8060 || find_mem(dsdt, len, "max-read-transactions", 21));
    if (n8060) {
        /* QCOM8060's _CRS (before its _DSD) has an interrupt descriptor */
        const uint8_t *hid = find_mem(dsdt, len, "QCOM8060", 8);
        const uint8_t *dsd = find_mem(hid, len - (hid - dsdt), "_DSD", 4);

        g_assert(dsd);
        g_assert(find_mem(hid, dsd - hid, ext_irq, sizeof(ext_irq)));
    }
    if (g_getenv("HIDMA_DSDT_OUT")) {
        g_autofree char *f = g_strdup_printf("%s%s", g_getenv("HIDMA_DSDT_OUT"),
                                             n8060 ? "" : ".guest");

        g_assert(g_file_set_contents(f, (const char *)dsdt, len, NULL));
    }
    hidma_stop(&h);
}

static void test_acpi_dsdt(void)
{
    check_dsdt("", 1, 6);
    check_dsdt(",guest-mode=on,num-channels=3", 0, 3);
}

/*
 * The names of the DSDT's HIDMA devices: each Device() op (0x5b 0x82,
 * package length, 4-character name) whose first object is
 * Name(_HID, "QCOM806x").
 */
static GPtrArray *hidma_device_names(const uint8_t *aml, size_t len)
{
    static const uint8_t hid[] = { 0x08, '_', 'H', 'I', 'D', 0x0d,
                                   'Q', 'C', 'O', 'M', '8', '0', '6' };
    GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
    size_t i;

    for (i = 0; i + 2 < len; i++) {
        const uint8_t *name;

        if (aml[i] != 0x5b || aml[i + 1] != 0x82) {
            continue;
        }
        /* package length: bits 7:6 of its first byte count the others */
        name = aml + i + 3 + (aml[i + 2] >> 6);
        if (name + 4 + sizeof(hid) <= aml + len &&
            !memcmp(name + 4, hid, sizeof(hid))) {
            g_ptr_array_add(names, g_strndup((const char *)name, 4));
        }
    }
    return names;
}

/* 17 instances: every management and channel device has its own name */
static void test_acpi_names(void)
{
    GString *extra = g_string_new(",num-channels=1");
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    g_autoptr(GPtrArray) names = NULL;
    g_autofree uint8_t *blob = NULL;
    const uint8_t *dsdt;
    size_t got;
    Hidma h;
    int i;

    for (i = 1; i < 17; i++) {
        g_string_append(extra, " -device qcom-hidma,num-channels=1");
    }
    hidma_start(&h, extra->str);
    g_string_free(extra, true);
    got = fwcfg_file(h.qts, "etc/acpi/tables", &blob);
    dsdt = find_mem(blob, got, "DSDT", 4);
    g_assert(dsdt);
    names = hidma_device_names(dsdt, ldl_le_p(dsdt + 4));
    g_assert_cmpint(names->len, ==, 34);
    for (i = 0; i < names->len; i++) {
        const char *name = g_ptr_array_index(names, i);

        g_assert_false(g_hash_table_contains(seen, name));
        g_hash_table_add(seen, (gpointer)name);
    }
    g_assert(g_hash_table_contains(seen, "HM10"));
    g_assert(g_hash_table_contains(seen, "H100"));
    hidma_stop(&h);
}

/*
 * The channels behind the virt board's SMMUv3 (-M virt,iommu=smmuv3).  The
 * test plays the SMMU driver: a 2-level stream table, one context
 * descriptor and 4 KiB stage-1 page tables (39-bit input, levels 1-3), all
 * built by hand in guest RAM, then SMMUEN and EVENTQEN.
 */
#define SMMU_BASE           0x09050000ULL
#define SMMU_IDR1           0x004
#define SMMU_CR0            0x020
#define SMMU_CR0ACK         0x024
#define SMMU_STRTAB_BASE    0x080
#define SMMU_STRTAB_CFG     0x088
#define SMMU_EVTQ_BASE      0x0a0
#define SMMU_EVTQ_PROD      0x100a8
#define SMMU_EVTQ_CONS      0x100ac
#define SMMU_CR0_SMMUEN     (1 << 0)
#define SMMU_CR0_EVTQEN     (1 << 2)
#define SMMU_EVT_F_TRANSLATION 0x10
#define SMMU_EVT_SIZE       32
#define SMMU_STE_SIZE       64

/* virt hands the channels stream IDs out from 0x10000, in plug order */
#define HIDMA_SID(ch)       (0x10000 + (ch))

/* SMMU structures, in the upper half of the 256 MiB of RAM */
#define SMMU_L1_STRTAB      (RAM_BASE + 0x8000000)
#define SMMU_L2_STRTAB      (RAM_BASE + 0x8010000)  /* SIDs 0x10000.. */
#define SMMU_CD             (RAM_BASE + 0x8020000)
#define SMMU_EVTQ           (RAM_BASE + 0x8030000)
#define SMMU_PGTABLES       (RAM_BASE + 0x8100000)

/* IOVAs of the rings: the guest-physical address minus RAM_BASE */
#define IOVA(gpa)           ((gpa) - RAM_BASE)

typedef struct Smmu {
    QTestState *qts;
    uint64_t next_table;
    uint64_t pgd;
} Smmu;

static uint64_t smmu_rd(Hidma *h, uint32_t off)
{
    return qtest_readl(h->qts, SMMU_BASE + off);
}

static void smmu_wr(Hidma *h, uint32_t off, uint32_t val)
{
    qtest_writel(h->qts, SMMU_BASE + off, val);
}

static uint64_t smmu_new_table(Smmu *s)
{
    uint64_t t = s->next_table;

    s->next_table += 4096;
    qtest_memset(s->qts, t, 0, 4096);
    return t;
}

/* map the 4 KiB page at @iova to @gpa, read/write */
static void smmu_map(Smmu *s, uint64_t iova, uint64_t gpa)
{
    uint64_t table = s->pgd;
    int level;

    for (level = 1; level < 3; level++) {
        uint64_t slot = table + ((iova >> (39 - 9 * level)) & 0x1ff) * 8;
        uint64_t desc = qtest_readq(s->qts, slot);

        if (!(desc & 1)) {
            desc = smmu_new_table(s) | 3;       /* table descriptor */
            qtest_writeq(s->qts, slot, desc);
        }
        table = desc & 0xfffffffff000ULL;
    }
    /* page descriptor: AF, AP = 0 (read/write), non-secure */
    qtest_writeq(s->qts, table + ((iova >> 12) & 0x1ff) * 8,
                 gpa | (1 << 10) | 3);
}

static void smmu_map_range(Smmu *s, uint64_t iova, uint64_t gpa,
                           uint64_t len)
{
    uint64_t off;

    for (off = 0; off < len; off += 4096) {
        smmu_map(s, iova + off, gpa + off);
    }
}

/* one STE per channel, all sharing one context descriptor */
static void smmu_setup(Hidma *h, Smmu *s, int nch)
{
    uint32_t cd[16] = { 0 };
    int i;

    s->qts = h->qts;
    s->next_table = SMMU_PGTABLES;
    s->pgd = smmu_new_table(s);

    /* L1 descriptor of SIDs 0x10000..0x100ff: L2 table, span 9 */
    qtest_writeq(h->qts, SMMU_L1_STRTAB + (HIDMA_SID(0) >> 8) * 8,
                 SMMU_L2_STRTAB | 9);
    for (i = 0; i < nch; i++) {
        uint32_t ste[16] = { 0 };
        int w;

        /* V, config = stage 1 translate, stage 2 bypass; CD pointer */
        ste[0] = cpu_to_le32(1 | (5 << 1) | (uint32_t)SMMU_CD);
        ste[1] = cpu_to_le32(SMMU_CD >> 32);
        for (w = 2; w < 16; w++) {
            ste[w] = 0;
        }
        qtest_memwrite(h->qts, SMMU_L2_STRTAB +
                       (HIDMA_SID(i) & 0xff) * SMMU_STE_SIZE,
                       ste, sizeof(ste));
    }

    /* T0SZ 25 (39-bit), TG0 4 KiB, EPD1, V */
    cd[0] = cpu_to_le32(25 | (1u << 30) | (1u << 31));
    /* IPS 48-bit, AA64, R (record faults), A (abort), ASID 1 */
    cd[1] = cpu_to_le32(5 | (1 << 9) | (1 << 13) | (1 << 14) | (1 << 16));
    cd[2] = cpu_to_le32((uint32_t)s->pgd);
    cd[3] = cpu_to_le32(s->pgd >> 32);
    qtest_memwrite(h->qts, SMMU_CD, cd, sizeof(cd));

    qtest_writeq(h->qts, SMMU_BASE + SMMU_STRTAB_BASE, SMMU_L1_STRTAB);
    /* 2-level, split 8, 17 bits of stream ID */
    smmu_wr(h, SMMU_STRTAB_CFG, (1 << 16) | (8 << 6) | 17);
    qtest_writeq(h->qts, SMMU_BASE + SMMU_EVTQ_BASE, SMMU_EVTQ | 5);
    smmu_wr(h, SMMU_EVTQ_PROD, 0);
    smmu_wr(h, SMMU_EVTQ_CONS, 0);
    smmu_wr(h, SMMU_CR0, SMMU_CR0_SMMUEN | SMMU_CR0_EVTQEN);
    g_assert_cmphex(smmu_rd(h, SMMU_CR0ACK), ==,
                    SMMU_CR0_SMMUEN | SMMU_CR0_EVTQEN);
}

/* the rings of @ch, mapped at IOVA(gpa), and the channel set up on them */
static void smmu_ch_setup(Hidma *h, Smmu *s, int ch, int ntre)
{
    smmu_map_range(s, IOVA(tre_ring(ch)), tre_ring(ch), 4096);
    smmu_map_range(s, IOVA(ev_ring(ch)), ev_ring(ch), 4096);
    ch_setup_at(h, ch, ntre, IOVA(tre_ring(ch)), IOVA(ev_ring(ch)));
}

/* event @n of the SMMU event queue is a translation fault of @sid */
static void check_smmu_fault(Hidma *h, int n, uint32_t sid, uint64_t iova,
                             bool read)
{
    uint32_t evt[8];

    qtest_memread(h->qts, SMMU_EVTQ + n * SMMU_EVT_SIZE, evt, sizeof(evt));
    g_assert_cmphex(le32_to_cpu(evt[0]) & 0xff, ==, SMMU_EVT_F_TRANSLATION);
    g_assert_cmphex(le32_to_cpu(evt[1]), ==, sid);
    g_assert_cmpint((le32_to_cpu(evt[3]) >> 3) & 1, ==, read);  /* RnW */
    g_assert_cmphex(le32_to_cpu(evt[4]) |
                    (uint64_t)le32_to_cpu(evt[5]) << 32, ==, iova);
}

static void smmu_start(Hidma *h, Smmu *s)
{
    hidma_start_on(h, ",iommu=smmuv3", NULL);
    g_assert(h->mgmt);
    mg_wr(h, MGMT_CFG, 1);
    smmu_setup(h, s, h->nch);
}

/* a platform master needs a 17-bit stream ID; PCI alone keeps 16 bits */
static void test_smmu_sid_size(void)
{
    QTestState *qts;
    Hidma h;

    qts = qtest_init("-M virt,gic-version=3,iommu=smmuv3 -cpu max "
                     "-nodefaults");
    g_assert_cmpint(qtest_readl(qts, SMMU_BASE + SMMU_IDR1) & 0x3f, ==, 16);
    qtest_quit(qts);
    hidma_start_on(&h, ",iommu=smmuv3", NULL);
    g_assert_cmpint(smmu_rd(&h, SMMU_IDR1) & 0x3f, ==, 17);
    hidma_stop(&h);
}

/*
 * A copy through mapped IOVAs: both buffers are three IOVA pages mapped to
 * shuffled guest-physical pages, the copy starts inside a page and crosses
 * two page boundaries on each side.
 */
static void test_smmu_copy(void)
{
    static const int src_pg[3] = { 2, 0, 1 }, dst_pg[3] = { 1, 2, 0 };
    const uint64_t src_iova = 0x1000000, dst_iova = 0x2000000;
    const uint64_t src_gpa = RAM_BASE + 0x2000000;
    const uint64_t dst_gpa = RAM_BASE + 0x3000000;
    const uint32_t src_off = 50, dst_off = 300, len = 8000;
    g_autofree uint8_t *src = g_malloc(3 * 4096);
    g_autofree uint8_t *dst = g_malloc(3 * 4096);
    g_autofree uint8_t *dst0 = g_malloc(3 * 4096);
    Hidma h;
    Smmu s;
    uint32_t i;
    int ch = 2;

    smmu_start(&h, &s);
    for (i = 0; i < 3; i++) {
        smmu_map(&s, src_iova + i * 4096, src_gpa + src_pg[i] * 4096);
        smmu_map(&s, dst_iova + i * 4096, dst_gpa + dst_pg[i] * 4096);
    }
    smmu_ch_setup(&h, &s, ch, 8);
    fill(&h, src_gpa, 3 * 4096, 1);
    fill(&h, dst_gpa, 3 * 4096, 2);
    qtest_memread(h.qts, dst_gpa, dst0, 3 * 4096);
    put_tre(&h, ch, 0, 3, len, src_iova + src_off, dst_iova + dst_off);
    tr_wr(&h, ch, DOORBELL, TRE_SIZE);
    g_assert(wait_wp(&h, ch, EVRE_SIZE));
    g_assert_cmphex(evre0(&h, ch, 0) >> 24, ==, 0x10);
    g_assert_cmpint(chprop(&h, ch, "bytes"), ==, len);

    /* byte i of the IOVA range of the destination, in guest RAM */
    qtest_memread(h.qts, src_gpa, src, 3 * 4096);
    qtest_memread(h.qts, dst_gpa, dst, 3 * 4096);
    for (i = 0; i < 3 * 4096; i++) {
        uint32_t d = dst_pg[i / 4096] * 4096 + i % 4096;
        uint32_t j = i - dst_off + src_off;

        if (i >= dst_off && i < dst_off + len) {
            g_assert_cmphex(dst[d], ==,
                            src[src_pg[j / 4096] * 4096 + j % 4096]);
        } else {
            g_assert_cmphex(dst[d], ==, dst0[d]);
        }
    }
    /* the identity (IOVA as a physical address) was not written */
    g_assert_cmphex(qtest_readl(h.qts, dst_iova + dst_off), ==, 0);
    g_assert_cmphex(smmu_rd(&h, SMMU_EVTQ_PROD), ==, 0);
    hidma_stop(&h);
}

/*
 * Translation faults: each one leaves exactly one F_TRANSLATION event with
 * the channel's stream ID in the SMMU event queue, and the channel reports
 * it as a bus error: data write 11, data read 10, TRE read 9, event write
 * 1.  The channel carries on with its next TRE.
 */
static void test_smmu_fault(void)
{
    const uint64_t buf_iova = 0x1000000, buf_gpa = RAM_BASE + 0x2000000;
    const uint64_t unmapped = 0x3000000;
    Hidma h;
    Smmu s;
    uint32_t e;

    smmu_start(&h, &s);
    smmu_map_range(&s, buf_iova, buf_gpa, 2 * 4096);
    fill(&h, buf_gpa, 4096, 7);

    /* channel 0: a write fault, a read fault, then a good copy */
    smmu_ch_setup(&h, &s, 0, 8);
    put_tre(&h, 0, 0, 3, 256, buf_iova, unmapped + 0x80);
    put_tre(&h, 0, 1, 3, 256, unmapped + 0x1000, buf_iova + 4096);
    put_tre(&h, 0, 2, 3, 256, buf_iova, buf_iova + 4096);
    tr_wr(&h, 0, DOORBELL, 3 * TRE_SIZE);
    g_assert(wait_wp(&h, 0, 3 * EVRE_SIZE));
    g_assert_cmphex(evre0(&h, 0, 0) >> 24, ==, 0x43);
    g_assert_cmphex(evre0(&h, 0, 1) >> 24, ==, 0x42);
    g_assert_cmphex(evre0(&h, 0, 2) >> 24, ==, 0x10);
    g_assert_cmphex(ev_rd(&h, 0, EV_IRQ_STAT), ==,
                    (1 << 11) | (1 << 10) | 1);
    assert_same(&h, buf_gpa, buf_gpa + 4096, 256);
    g_assert_cmphex(smmu_rd(&h, SMMU_EVTQ_PROD), ==, 2);
    check_smmu_fault(&h, 0, HIDMA_SID(0), unmapped + 0x80, false);
    check_smmu_fault(&h, 1, HIDMA_SID(0), unmapped + 0x1000, true);

    /* channel 1: its transfer ring is not mapped */
    smmu_map_range(&s, IOVA(ev_ring(1)), ev_ring(1), 4096);
    ch_setup_at(&h, 1, 8, unmapped + 0x2000, IOVA(ev_ring(1)));
    tr_wr(&h, 1, DOORBELL, TRE_SIZE);
    check_error(&h, 1, 9);
    g_assert_cmphex(smmu_rd(&h, SMMU_EVTQ_PROD), ==, 3);
    check_smmu_fault(&h, 2, HIDMA_SID(1), unmapped + 0x2000, true);

    /*
     * channel 3: its event ring is not mapped; the data still moves, but
     * the TRE fails (its event is lost), with no end of block
     */
    smmu_map_range(&s, IOVA(tre_ring(3)), tre_ring(3), 4096);
    ch_setup_at(&h, 3, 8, IOVA(tre_ring(3)), unmapped + 0x3000);
    put_tre(&h, 3, 0, 3, 128, buf_iova + 256, buf_iova + 4096 + 256);
    tr_wr(&h, 3, DOORBELL, TRE_SIZE);
    g_assert(wait_wp(&h, 3, EVRE_SIZE));
    g_assert_cmphex(ev_rd(&h, 3, EV_IRQ_STAT), ==, 1 << 1);
    g_assert_cmpint(chprop(&h, 3, "tres-failed"), ==, 1);
    assert_same(&h, buf_gpa + 256, buf_gpa + 4096 + 256, 128);
    g_assert_cmphex(smmu_rd(&h, SMMU_EVTQ_PROD), ==, 4);
    check_smmu_fault(&h, 3, HIDMA_SID(3), unmapped + 0x3000, false);

    /* nothing was written at the unmapped IOVAs taken as addresses */
    e = qtest_readl(h.qts, RAM_BASE + unmapped + 0x80);
    g_assert_cmphex(e, ==, 0);
    hidma_stop(&h);
}

/* --- migration ------------------------------------------------------ */

#define MIG_CH          1
#define MIG_LEN         (256 * 1024)
#define MIG_SRC         (RAM_BASE + 0x1000000)
#define MIG_DST         (RAM_BASE + 0x2000000)
#define MIG_DEVICE      ",x-bus-bytes-per-us=1"

/* the "status" that @cmd (query-migrate, query-status) returns */
static const char *status_of(QTestState *qts, const char *cmd)
{
    static char status[32];
    QDict *r = qtest_qmp(qts, "{'execute': %s}", cmd);
    QDict *ret = qdict_get_qdict(r, "return");

    g_assert(ret);
    g_strlcpy(status, qdict_haskey(ret, "status") ?
              qdict_get_str(ret, "status") : "", sizeof(status));
    qobject_unref(r);
    return status;
}

static void wait_status(QTestState *qts, const char *cmd, const char *want)
{
    int i;

    for (i = 0; i < 1000; i++) {
        const char *st = status_of(qts, cmd);

        g_assert_cmpstr(st, !=, "failed");
        if (!strcmp(st, want)) {
            return;
        }
        g_usleep(10 * 1000);
    }
    g_assert_not_reached();
}

/*
 * A 256 KiB memcpy on a bus of one byte per microsecond, saved to a file
 * after 50 ms: the TRE is in flight.  Returns the bytes moved by then.
 */
static uint64_t mig_save_in_flight(Hidma *h, const char *path)
{
    g_autofree char *uri = g_strdup_printf("exec:cat > %s", path);
    uint64_t moved;

    host_start(h, MIG_DEVICE);
    ch_setup(h, MIG_CH, 8);
    fill(h, MIG_SRC, MIG_LEN, 5);
    put_tre(h, MIG_CH, 0, 3, MIG_LEN, MIG_SRC, MIG_DST);
    tr_wr(h, MIG_CH, DOORBELL, TRE_SIZE);
    qtest_clock_step(h->qts, 50 * 1000 * 1000);
    qtest_qmp_assert_success(h->qts, "{'execute': 'migrate', 'arguments': "
                             "{'uri': %s}}", uri);
    wait_status(h->qts, "query-migrate", "completed");
    moved = chprop(h, MIG_CH, "bytes");
    g_assert_cmpint(moved, >, 0);
    g_assert_cmpint(moved, <, MIG_LEN);
    /* the source stopped: its engine moves nothing more */
    qtest_clock_step(h->qts, 50 * 1000 * 1000);
    g_assert_cmpint(chprop(h, MIG_CH, "bytes"), ==, moved);
    g_assert_cmphex(ev_rd(h, MIG_CH, EV_WRITE_PTR), ==, 0);
    return moved;
}

static QTestState *mig_dest(const char *path)
{
    g_autofree char *uri = g_strdup_printf("exec:cat %s", path);
    QTestState *qts;

    qts = qtest_initf("-M virt,gic-version=3 -cpu max -m 256 -nodefaults "
                      "-device qcom-hidma,id=hidma0" MIG_DEVICE
                      " -incoming defer");
    qtest_qmp_assert_success(qts, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s}}", uri);
    return qts;
}

/* The TRE in flight completes after the restore, from where it was. */
static void test_migration(void)
{
    g_autofree char *path = g_strdup_printf("%s/qcom-hidma-mig-%d",
                                            g_get_tmp_dir(), getpid());
    Hidma h;
    uint64_t moved;
    int i;

    moved = mig_save_in_flight(&h, path);
    qtest_quit(h.qts);
    h.qts = mig_dest(path);
    wait_status(h.qts, "query-status", "running");
    g_assert_cmphex(state_of(tr_rd(&h, MIG_CH, CTRLSTS)), ==, ST_RUNNING);
    /* the rest takes about 200 ms on this bus */
    for (i = 0; i < 100 && ev_rd(&h, MIG_CH, EV_WRITE_PTR) != EVRE_SIZE;
         i++) {
        qtest_clock_step(h.qts, 10 * 1000 * 1000);
    }
    g_assert_cmphex(ev_rd(&h, MIG_CH, EV_WRITE_PTR), ==, EVRE_SIZE);
    g_assert_cmphex(evre0(&h, MIG_CH, 0) >> 24, ==, 0x10);
    assert_same(&h, MIG_SRC, MIG_DST, MIG_LEN);
    /* counters start anew on the destination: it moved the rest only */
    g_assert_cmpint(chprop(&h, MIG_CH, "bytes"), ==, MIG_LEN - moved);
    g_assert_cmpint(chprop(&h, MIG_CH, "tres-completed"), ==, 1);
    hidma_stop(&h);
    unlink(path);
}

/* big-endian words of @n bytes at @p */
static void put_be32s(uint8_t *p, const uint32_t *w, int n)
{
    int i;

    for (i = 0; i < n; i++) {
        stl_be_p(p + 4 * i, w[i]);
    }
}

/*
 * A stream whose TRE in flight claims more bytes done than it has is
 * refused: the destination exits, it does not copy on past the TRE.
 */
static void test_migration_bad_stream(void)
{
    g_autofree char *path = g_strdup_printf("%s/qcom-hidma-mig-bad-%d",
                                            g_get_tmp_dir(), getpid());
    const uint32_t tre[8] = {
        3 | (MIG_CH << 8) | (1 << 16), MIG_LEN,
        (uint32_t)MIG_SRC, MIG_SRC >> 32, (uint32_t)MIG_DST, MIG_DST >> 32,
        0, 0,
    };
    g_autofree gchar *stream = NULL;
    uint8_t pattern[32];
    uint8_t *p;
    gsize len;
    QTestState *qts;
    Hidma h;
    int i;

    mig_save_in_flight(&h, path);
    qtest_quit(h.qts);
    g_assert(g_file_get_contents(path, &stream, &len, NULL));
    put_be32s(pattern, tre, 8);
    p = (uint8_t *)find_mem((uint8_t *)stream, len, pattern, 32);
    g_assert(p);
    /* cur_done follows the TRE's eight words */
    stl_be_p(p + 32, MIG_LEN + 4096);
    g_assert(g_file_set_contents(path, stream, len, NULL));

    qts = mig_dest(path);
    qtest_set_expected_status(qts, EXIT_FAILURE);
    for (i = 0; i < 1000 && qtest_probe_child(qts); i++) {
        g_usleep(10 * 1000);
    }
    g_assert_false(qtest_probe_child(qts));
    qtest_quit(qts);
    unlink(path);
}

/* A stopped VM's memory does not change: the engine waits for "cont". */
static void test_vm_stopped(void)
{
    uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x2000000;
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 2, 8);
    fill(&h, src, 65536, 3);
    qtest_qmp_assert_success(h.qts, "{'execute': 'stop'}");
    put_tre(&h, 2, 0, 3, 65536, src, dst);
    tr_wr(&h, 2, DOORBELL, TRE_SIZE);
    qtest_clock_step(h.qts, 10 * 1000 * 1000);
    g_assert_cmpint(chprop(&h, 2, "bytes"), ==, 0);
    g_assert_cmphex(ev_rd(&h, 2, EV_WRITE_PTR), ==, 0);
    qtest_qmp_assert_success(h.qts, "{'execute': 'cont'}");
    g_assert(wait_wp(&h, 2, EVRE_SIZE));
    assert_same(&h, src, dst, 65536);
    hidma_stop(&h);
}

/*
 * IORT: one named component per channel, named as the channel's device in
 * the DSDT (a full path with 4-character segments, "\_SB_.H000", as Linux
 * compares it), with a single ID mapping of its stream ID into the SMMUv3
 * node.
 * DSDT: _CCA on every channel.  Set HIDMA_IORT_OUT=file to save the IORT
 * (and file.dsdt the DSDT) for "iasl -d".
 */
static void test_smmu_acpi(void)
{
    Hidma h;
    g_autofree uint8_t *blob = NULL;
    const uint8_t *iort, *dsdt, *p;
    uint32_t len, nodes, off, i, smmu_off = 0;
    int ncs = 0;
    size_t got;

    hidma_start_on(&h, ",iommu=smmuv3", NULL);
    got = fwcfg_file(h.qts, "etc/acpi/tables", &blob);
    g_assert_cmpint(got, >, 0);

    iort = find_mem(blob, got, "IORT", 4);
    g_assert(iort);
    len = ldl_le_p(iort + 4);
    nodes = ldl_le_p(iort + 36);
    off = ldl_le_p(iort + 40);
    for (i = 0; i < nodes; i++) {
        const uint8_t *node = iort + off;

        g_assert_cmpint(off, <, len);
        if (node[0] == 4) {
            smmu_off = off;
        } else if (node[0] == 1) {
            g_autofree char *name = g_strdup_printf("\\_SB_.H%03X", ncs);
            const uint8_t *map = node + ldl_le_p(node + 12);

            g_assert_cmpint(ldl_le_p(node + 8), ==, 1);
            g_assert_cmpint(ldl_le_p(node + 20), ==, 1);     /* CCA */
            g_assert_cmpint(node[28], ==, 64);              /* address bits */
            g_assert_cmpstr((const char *)node + 29, ==, name);
            g_assert_cmphex(ldl_le_p(map + 8), ==, HIDMA_SID(ncs));
            g_assert_cmphex(ldl_le_p(map + 12), ==, smmu_off);
            g_assert_cmphex(ldl_le_p(map + 16), ==, 1);     /* single */
            ncs++;
        }
        off += lduw_le_p(node + 1);
    }
    g_assert_cmpint(off, ==, len);
    g_assert_cmpint(smmu_off, !=, 0);
    g_assert_cmpint(ncs, ==, 6);

    dsdt = find_mem(blob, got, "DSDT", 4);
    g_assert(dsdt);
    len = ldl_le_p(dsdt + 4);
    p = dsdt;
    for (i = 0; i < 6; i++) {
        const uint8_t *crs;

        p = find_mem(p + 1, len - (p + 1 - dsdt), "QCOM8061", 8);
        g_assert(p);
        crs = find_mem(p, len - (p - dsdt), "_CRS", 4);
        g_assert(crs);
        g_assert(find_mem(p, crs - p, "_CCA", 4));
    }
    if (g_getenv("HIDMA_IORT_OUT")) {
        const char *f = g_getenv("HIDMA_IORT_OUT");
        g_autofree char *fd = g_strdup_printf("%s.dsdt", f);

        g_assert(g_file_set_contents(f, (const char *)iort,
                                     ldl_le_p(iort + 4), NULL));
        g_assert(g_file_set_contents(fd, (const char *)dsdt, len, NULL));
    }
    hidma_stop(&h);
}

/*
 * Revision 1.1 in MSI mode: each cause that becomes pending and enabled
 * writes the programmed data plus its bit number to the programmed
 * address, once until software clears it; the wired line stays low until
 * INTCTRL selects it again.  A refused MSI write is counted and the
 * channel carries on.
 */
static void test_msi_delivery(void)
{
    Hidma h;
    uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x2000000;
    uint64_t doorbell = RAM_BASE + 0x3000000;

    host_start(&h, ",revision=1.1");
    gic_intercept(&h);
    /* the board hands out ITS device IDs from 0xff00 */
    g_assert_cmphex(qom_get_int(&h, "msi-device-id-base"), ==, 0xff00);
    ch_setup(&h, 1, 8);
    ev_wr(&h, 1, EV_MSI_LOW, (uint32_t)doorbell);
    ev_wr(&h, 1, EV_MSI_HIGH, doorbell >> 32);
    ev_wr(&h, 1, EV_MSI_DATA, 0x40);
    ev_wr(&h, 1, EV_INTCTRL, ev_rd(&h, 1, EV_INTCTRL) & ~0xf);
    g_assert_cmpint(chprop(&h, 1, "msis"), ==, 0);

    fill(&h, src, 4096, 1);
    put_tre(&h, 1, 0, 3, 4096, src, dst);
    put_tre(&h, 1, 1, 3, 4096, src, dst + 4096);
    tr_wr(&h, 1, DOORBELL, TRE_SIZE);
    g_assert(wait_wp(&h, 1, EVRE_SIZE));
    assert_same(&h, src, dst, 4096);
    g_assert_cmphex(qtest_readl(h.qts, doorbell), ==, 0x40);
    g_assert_cmpint(chprop(&h, 1, "msis"), ==, 1);
    g_assert(!chan_irq(&h, 1));

    /* end of block still pending: no second message */
    qtest_writel(h.qts, doorbell, 0);
    tr_wr(&h, 1, DOORBELL, 2 * TRE_SIZE);
    g_assert(wait_wp(&h, 1, 2 * EVRE_SIZE));
    g_assert_cmpint(chprop(&h, 1, "msis"), ==, 1);
    g_assert_cmphex(qtest_readl(h.qts, doorbell), ==, 0);

    /* cleared, the next completion signals again; errors by their cause */
    ev_wr(&h, 1, EV_IRQ_CLR, 1);
    put_tre(&h, 1, 2, 7, 64, src, dst);
    tr_wr(&h, 1, DOORBELL, 3 * TRE_SIZE);
    g_assert(wait_wp(&h, 1, 3 * EVRE_SIZE));
    g_assert_cmphex(qtest_readl(h.qts, doorbell), ==, 0x40 + 14);
    g_assert_cmpint(chprop(&h, 1, "msis"), ==, 2);
    g_assert_cmphex(ev_rd(&h, 1, EV_IRQ_STAT), ==, 1u << 14);

    /* masked and unmasked: signalled again */
    ev_wr(&h, 1, EV_IRQ_EN, 0);
    ev_wr(&h, 1, EV_IRQ_EN, IRQ_ALL);
    g_assert_cmpint(chprop(&h, 1, "msis"), ==, 3);
    g_assert(!chan_irq(&h, 1));

    /* INTCTRL back to wired: the pending cause is on the line */
    ev_wr(&h, 1, EV_INTCTRL, ev_rd(&h, 1, EV_INTCTRL) | 1);
    g_assert(chan_irq(&h, 1));
    g_assert_cmpint(chprop(&h, 1, "msis"), ==, 3);
    ev_wr(&h, 1, EV_IRQ_CLR, IRQ_ALL);
    g_assert(!chan_irq(&h, 1));

    /* a doorbell nobody decodes: counted, and the channel goes on */
    ev_wr(&h, 1, EV_INTCTRL, ev_rd(&h, 1, EV_INTCTRL) & ~0xf);
    ev_wr(&h, 1, EV_MSI_LOW, (uint32_t)UNMAPPED);
    ev_wr(&h, 1, EV_MSI_HIGH, 0);
    put_tre(&h, 1, 3, 3, 64, src, dst);
    tr_wr(&h, 1, DOORBELL, 4 * TRE_SIZE);
    g_assert(wait_wp(&h, 1, 4 * EVRE_SIZE));
    g_assert_cmpint(chprop(&h, 1, "msis"), ==, 4);
    g_assert_cmpint(chprop(&h, 1, "msi-errors"), ==, 1);
    /* every MSI is an interrupt, and so was the line's one assertion */
    g_assert_cmpint(chprop(&h, 1, "irqs"), ==, 4 + 1);
    g_assert_cmpint(state_of(tr_rd(&h, 1, CTRLSTS)), ==, ST_ENABLED);
    hidma_stop(&h);
}

/* Revision 1.0 has no MSI: INTCTRL's MSI mode leaves the wired line on */
static void test_msi_rev10_wired(void)
{
    Hidma h;

    host_start(&h, NULL);
    gic_intercept(&h);
    ch_setup(&h, 0, 8);
    ev_wr(&h, 0, EV_MSI_LOW, (uint32_t)(RAM_BASE + 0x3000000));
    ev_wr(&h, 0, EV_INTCTRL, ev_rd(&h, 0, EV_INTCTRL) & ~0xf);
    put_tre(&h, 0, 0, 3, 64, RAM_BASE + 0x1000000, RAM_BASE + 0x2000000);
    tr_wr(&h, 0, DOORBELL, TRE_SIZE);
    g_assert(wait_wp(&h, 0, EVRE_SIZE));
    g_assert(chan_irq(&h, 0));
    g_assert_cmpint(chprop(&h, 0, "msis"), ==, 0);
    hidma_stop(&h);
}

/* The channel index: at 0x028 up to revision 1.1, at 0x040 on 1.2 */
static void test_msi_identity(void)
{
    static const struct {
        const char *rev;
        bool identity;
    } revs[] = { { "1.0", false }, { "1.1", false }, { "1.2", true } };
    int i;

    for (i = 0; i < ARRAY_SIZE(revs); i++) {
        g_autofree char *extra = g_strdup_printf(",revision=%s", revs[i].rev);
        Hidma h;

        host_start(&h, extra);
        g_assert_cmphex(tr_rd(&h, 3, TRCA_CHID), ==, revs[i].identity ? 0 : 3);
        g_assert_cmphex(tr_rd(&h, 3, TRCA_IDENTITY), ==,
                        revs[i].identity ? 3 : 0);
        hidma_stop(&h);
    }
}

/*
 * ACPI of revision 1.2 behind the SMMUv3: QCOM8063 channels; each named
 * component maps its stream ID to the SMMUv3, and the SMMUv3 maps each
 * of these stream IDs to the channel's device ID at the ITS.
 */
static void test_msi_acpi(void)
{
    Hidma h;
    g_autofree uint8_t *blob = NULL;
    const uint8_t *iort, *dsdt, *p;
    uint32_t len, nodes, off, i, its_off = 0, smmu_maps = 0;
    size_t got;

    hidma_start_on(&h, ",iommu=smmuv3", ",revision=1.2");
    got = fwcfg_file(h.qts, "etc/acpi/tables", &blob);
    g_assert_cmpint(got, >, 0);
    iort = find_mem(blob, got, "IORT", 4);
    g_assert(iort);
    len = ldl_le_p(iort + 4);
    nodes = ldl_le_p(iort + 36);
    off = ldl_le_p(iort + 40);
    for (i = 0; i < nodes; i++) {
        const uint8_t *node = iort + off;

        if (node[0] == 0) {
            its_off = off;
        } else if (node[0] == 4) {
            const uint8_t *map = node + ldl_le_p(node + 12);
            uint32_t j, n = ldl_le_p(node + 8);

            g_assert_cmpint(n, ==, 7);
            for (j = 1; j < n; j++, smmu_maps++) {
                const uint8_t *m = map + j * 20;

                g_assert_cmphex(ldl_le_p(m), ==, HIDMA_SID(j - 1));
                g_assert_cmphex(ldl_le_p(m + 4), ==, 0);
                g_assert_cmphex(ldl_le_p(m + 8), ==, 0xff00 + j - 1);
                g_assert_cmphex(ldl_le_p(m + 12), ==, its_off);
                g_assert_cmphex(ldl_le_p(m + 16), ==, 0);
            }
        }
        off += lduw_le_p(node + 1);
    }
    g_assert_cmpint(off, ==, len);
    g_assert_cmpint(smmu_maps, ==, 6);

    dsdt = find_mem(blob, got, "DSDT", 4);
    g_assert(dsdt);
    len = ldl_le_p(dsdt + 4);
    g_assert(!find_mem(dsdt, len, "QCOM8061", 8));
    p = dsdt;
    for (i = 0; i < 6; i++) {
        p = find_mem(p + 1, len - (p + 1 - dsdt), "QCOM8063", 8);
        g_assert(p);
    }
    hidma_stop(&h);
}

/* --- the copy thread ------------------------------------------------ */

/* the engine handed @n batches to the copy thread */
static bool wait_batches(Hidma *h, int64_t n)
{
    int64_t deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

    while (qom_get_int(h, "x-copy-batches") < n) {
        if (g_get_monotonic_time() > deadline) {
            return false;
        }
        qtest_clock_step(h->qts, 10 * 1000);
    }
    return true;
}

/*
 * 64 MiB of memset: every byte moves in the thread (no engine run moved
 * one under the BQL), in batches of at most 8 MiB.
 */
static void test_copy_thread_memset(void)
{
    const uint64_t dst = RAM_BASE + 0x1000000, len = 64 * 1024 * 1024;
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 0, 8);
    put_tre(&h, 0, 0, 4, len, 0x0123456789abcdefULL, dst);
    tr_wr(&h, 0, DOORBELL, TRE_SIZE);
    g_assert(wait_wp(&h, 0, EVRE_SIZE));
    g_assert_cmphex(evre0(&h, 0, 0) >> 24, ==, 0x10);
    g_assert_cmphex(qtest_readq(h.qts, dst), ==, 0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readq(h.qts, dst + len / 2), ==,
                    0x0123456789abcdefULL);
    g_assert_cmphex(qtest_readq(h.qts, dst + len - 8), ==,
                    0x0123456789abcdefULL);
    g_assert_cmpint(qom_get_int(&h, "x-copy-batches"), >=, 8);
    g_assert_cmpint(qom_get_int(&h, "x-run-cost-max"), ==, 0);
    g_assert_cmpint(qom_get_int(&h, "x-copy-inline-flushes"), ==, 0);
    hidma_stop(&h);
}

/*
 * 16 MiB of 1 MiB TREs, each from its own source: the engine fills a
 * batch while the thread copies the one before; every TRE lands whole.
 */
static void test_copy_thread_pipeline(void)
{
    const uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x3000000;
    const uint32_t len = 1024 * 1024;
    Hidma h;
    int i;

    host_start(&h, NULL);
    ch_setup(&h, 0, 32);
    fill(&h, src, 16 * len, 21);
    for (i = 0; i < 16; i++) {
        put_tre(&h, 0, i, 3, len, src + i * len, dst + i * len);
    }
    tr_wr(&h, 0, DOORBELL, 16 * TRE_SIZE);
    g_assert(wait_wp(&h, 0, 16 * EVRE_SIZE));
    for (i = 0; i < 16; i++) {
        g_assert_cmphex(evre0(&h, 0, i) >> 24, ==, 0x10);
        assert_same(&h, src + i * len, dst + i * len, 4096);
        assert_same(&h, src + (i + 1) * len - 4096, dst + (i + 1) * len - 4096,
                    4096);
    }
    g_assert_cmpint(qom_get_int(&h, "x-copy-batches"), >=, 3);
    g_assert_cmpint(qom_get_int(&h, "x-run-cost-max"), ==, 0);
    hidma_stop(&h);
}

/*
 * An event ring of three free slots under six 1 MiB TREs: three events
 * wait in the batch for their bytes, the fourth TRE stalls on the full
 * ring, and no event lands before the bytes of every TRE before it did.
 * Then the events come in ring order as software consumes them.
 */
static void test_copy_thread_event_ring_full(void)
{
    const uint64_t src = RAM_BASE + 0x1000000, dst = RAM_BASE + 0x3000000;
    const uint32_t len = 1024 * 1024;
    uint32_t wp, rd = 0;
    int seen = 0, i;
    Hidma h;

    host_start(&h, NULL);
    ch_setup_events(&h, 0, 8, 4);
    fill(&h, src, 6 * len, 33);
    for (i = 0; i < 6; i++) {
        put_tre(&h, 0, i, 3, len, src + i * len, dst + i * len);
    }
    g_assert(qom_set_json(&h, "x-copy-hold", "true"));
    tr_wr(&h, 0, DOORBELL, 6 * TRE_SIZE);
    g_assert(wait_batches(&h, 1));
    for (i = 0; i < 10; i++) {
        qtest_clock_step(h.qts, 100 * 1000);
        g_assert_cmphex(ev_rd(&h, 0, EV_WRITE_PTR), ==, 0);
    }
    g_assert(qom_set_json(&h, "x-copy-hold", "false"));

    while (seen < 6) {
        int64_t deadline = g_get_monotonic_time() + 60 * G_USEC_PER_SEC;

        while ((wp = ev_rd(&h, 0, EV_WRITE_PTR)) == rd) {
            g_assert_cmpint(g_get_monotonic_time(), <, deadline);
            qtest_clock_step(h.qts, 10 * 1000);
        }
        for (; rd != wp; rd = (rd + EVRE_SIZE) % (4 * EVRE_SIZE), seen++) {
            uint64_t e = ev_ring(0) + rd;

            g_assert_cmphex(qtest_readl(h.qts, e) >> 24, ==, 0x10);
            g_assert_cmphex(qtest_readl(h.qts, e + 8), ==, seen * TRE_SIZE);
            assert_same(&h, src + (seen + 1) * len - 4096,
                        dst + (seen + 1) * len - 4096, 4096);
        }
        ev_wr(&h, 0, DOORBELL, rd);
    }
    for (i = 0; i < 6; i++) {
        assert_same(&h, src + i * len, dst + i * len, 4096);
    }
    hidma_stop(&h);
}

#define HOLD_CH         2
#define HOLD_LEN        (4 * 1024 * 1024)
#define HOLD_SRC        (RAM_BASE + 0x1000000)
#define HOLD_DST        (RAM_BASE + 0x2000000)

/*
 * A 4 MiB memcpy handed to the copy thread, which a test hook holds: the
 * channel runs, no byte and no event has landed, and the main loop still
 * answers for the other channels.
 */
static void hold_batch(Hidma *h)
{
    host_start(h, NULL);
    ch_setup(h, HOLD_CH, 8);
    fill(h, HOLD_SRC, HOLD_LEN, 7);
    fill(h, HOLD_DST, HOLD_LEN, 100);
    g_assert(qom_set_json(h, "x-copy-hold", "true"));
    put_tre(h, HOLD_CH, 0, 3, HOLD_LEN, HOLD_SRC, HOLD_DST);
    tr_wr(h, HOLD_CH, DOORBELL, TRE_SIZE);
    g_assert(wait_batches(h, 1));
    g_assert_cmphex(state_of(tr_rd(h, HOLD_CH, CTRLSTS)), ==, ST_RUNNING);
    g_assert_cmphex(ev_rd(h, HOLD_CH, EV_WRITE_PTR), ==, 0);
    g_assert_cmphex(qtest_readb(h->qts, HOLD_DST), ==, 100);
    g_assert_cmphex(qtest_readb(h->qts, HOLD_DST + HOLD_LEN - 1), ==,
                    (uint8_t)(100 + (HOLD_LEN - 1) * 7 +
                              ((HOLD_LEN - 1) >> 8)));
    g_assert_cmphex(state_of(tr_rd(h, 0, CTRLSTS)), ==, ST_DISABLED);
    g_assert_cmpint(qom_get_int(h, "x-copy-drains"), ==, 0);
    g_assert_true(qom_get_bool(h, "x-copy-hold"));
}

/* one wait for the thread landed the held batch's bytes */
static void assert_drained(Hidma *h)
{
    g_assert_cmpint(qom_get_int(h, "x-copy-drains"), ==, 1);
    g_assert_false(qom_get_bool(h, "x-copy-hold"));
    assert_same(h, HOLD_SRC, HOLD_DST, HOLD_LEN);
}

/* the thread's bytes land before a command changes the channel */
static void test_copy_drain_reset(void)
{
    Hidma h;

    hold_batch(&h);
    cmd(&h, false, HOLD_CH, CMD_RESET);
    assert_drained(&h);
    g_assert(wait_state(&h, false, HOLD_CH, ST_DISABLED));
    hidma_stop(&h);
}

/*
 * ...and before the VM stops, with their events (as a block device
 * completes its requests in flight): nothing is left for "cont".
 */
static void test_copy_drain_stop(void)
{
    Hidma h;

    hold_batch(&h);
    qtest_qmp_assert_success(h.qts, "{'execute': 'stop'}");
    assert_drained(&h);
    g_assert_cmphex(ev_rd(&h, HOLD_CH, EV_WRITE_PTR), ==, EVRE_SIZE);
    g_assert_cmphex(evre0(&h, HOLD_CH, 0) >> 24, ==, 0x10);
    g_assert_cmpint(chprop(&h, HOLD_CH, "tres-completed"), ==, 1);
    g_assert_cmphex(state_of(tr_rd(&h, HOLD_CH, CTRLSTS)), ==, ST_ENABLED);
    qtest_qmp_assert_success(h.qts, "{'execute': 'cont'}");
    qtest_clock_step(h.qts, 10 * 1000 * 1000);
    g_assert_cmphex(ev_rd(&h, HOLD_CH, EV_WRITE_PTR), ==, EVRE_SIZE);
    g_assert_cmpint(qom_get_int(&h, "x-copy-batches"), ==, 1);
    hidma_stop(&h);
}

/* ...before the engine turns to the paced, in-place mode */
static void test_copy_drain_pacing(void)
{
    Hidma h;

    hold_batch(&h);
    qom_set_u32(&h, "x-bus-bytes-per-us", 1000);
    assert_drained(&h);
    g_assert_cmphex(ev_rd(&h, HOLD_CH, EV_WRITE_PTR), ==, EVRE_SIZE);
    g_assert_cmpint(chprop(&h, HOLD_CH, "tres-completed"), ==, 1);
    hidma_stop(&h);
}

/*
 * ...and before a device reset, whose state the TRE's event goes with:
 * the bytes land, nothing is written to the event ring.
 */
static void test_copy_drain_device_reset(void)
{
    Hidma h;

    hold_batch(&h);
    qtest_qmp_assert_success(h.qts, "{'execute': 'system_reset'}");
    assert_drained(&h);
    g_assert_cmphex(evre0(&h, HOLD_CH, 0), ==, 0);
    g_assert_cmpint(chprop(&h, HOLD_CH, "tres-completed"), ==, 0);
    g_assert_cmphex(state_of(tr_rd(&h, HOLD_CH, CTRLSTS)), ==, ST_DISABLED);
    hidma_stop(&h);
}

/*
 * ...and before migration saves the device: the destination has every
 * byte and posts the TRE's event.
 */
static void test_copy_drain_migration(void)
{
    g_autofree char *path = g_strdup_printf("%s/qcom-hidma-mig-copy-%d",
                                            g_get_tmp_dir(), getpid());
    g_autofree char *uri = g_strdup_printf("exec:cat > %s", path);
    g_autofree char *in = g_strdup_printf("exec:cat %s", path);
    Hidma h;

    hold_batch(&h);
    qtest_qmp_assert_success(h.qts, "{'execute': 'migrate', 'arguments': "
                             "{'uri': %s}}", uri);
    wait_status(h.qts, "query-migrate", "completed");
    g_assert_cmpint(qom_get_int(&h, "x-copy-drains"), ==, 1);
    qtest_quit(h.qts);

    h.qts = qtest_initf("-M virt,gic-version=3 -cpu max -m 256 -nodefaults "
                        "-device qcom-hidma,id=hidma0 -incoming defer");
    qtest_qmp_assert_success(h.qts, "{'execute': 'migrate-incoming', "
                             "'arguments': {'uri': %s}}", in);
    wait_status(h.qts, "query-status", "running");
    g_assert(wait_wp(&h, HOLD_CH, EVRE_SIZE));
    g_assert_cmphex(evre0(&h, HOLD_CH, 0) >> 24, ==, 0x10);
    assert_same(&h, HOLD_SRC, HOLD_DST, HOLD_LEN);
    hidma_stop(&h);
    unlink(path);
}

/*
 * Two backlogged channels at weights 3:1, unpaced: with the thread, each
 * channel gets the same grants as in the engine without it (the thread's
 * batches end where a TRE completes), so the weights hold as they do
 * there.  The doorbells ring while the VM is stopped, so that both
 * channels compete from the first grant.
 */
static void wrr_unpaced(bool thread, uint64_t *grants, uint64_t *contended,
                        uint64_t *batches)
{
    Hidma h;
    int i;

    host_start(&h, thread ? NULL : ",x-copy-thread=off");
    mg_wr(&h, MGMT_QOS(0), 3 << 8);
    mg_wr(&h, MGMT_QOS(1), 1 << 8);
    ch_setup(&h, 0, 32);
    ch_setup(&h, 1, 32);
    queue_many(&h, 0, 16, 256 * 1024, RAM_BASE + 0x4000000);
    queue_many(&h, 1, 16, 256 * 1024, RAM_BASE + 0x6000000);
    qtest_qmp_assert_success(h.qts, "{'execute': 'stop'}");
    tr_wr(&h, 0, DOORBELL, 16 * TRE_SIZE);
    tr_wr(&h, 1, DOORBELL, 16 * TRE_SIZE);
    qtest_qmp_assert_success(h.qts, "{'execute': 'cont'}");
    g_assert(wait_wp(&h, 0, 16 * EVRE_SIZE));
    g_assert(wait_wp(&h, 1, 16 * EVRE_SIZE));
    for (i = 0; i < 2; i++) {
        grants[i] = chprop(&h, i, "bus-grants");
        contended[i] = chprop(&h, i, "contended-bytes");
        g_assert_cmpint(chprop(&h, i, "tres-completed"), ==, 16);
    }
    assert_same(&h, RAM_BASE + 0x1000000,
                RAM_BASE + 0x4000000 + 15 * 256 * 1024, 256 * 1024);
    assert_same(&h, RAM_BASE + 0x1000000,
                RAM_BASE + 0x6000000 + 15 * 256 * 1024, 256 * 1024);
    *batches = qom_get_int(&h, "x-copy-batches");
    if (thread) {
        /* no engine run moved a byte under the BQL */
        g_assert_cmpint(qom_get_int(&h, "x-run-cost-max"), ==, 0);
    }
    hidma_stop(&h);
}

static void test_copy_thread_weights(void)
{
    uint64_t g_on[2], g_off[2], c_on[2], c_off[2], b_on, b_off;
    double ratio;

    wrr_unpaced(false, g_off, c_off, &b_off);
    wrr_unpaced(true, g_on, c_on, &b_on);
    ratio = (double)c_on[0] / c_on[1];
    g_test_message("weights 3:1, copy thread: contended bytes %" PRIu64
                   ":%" PRIu64 " = %.3f:1", c_on[0], c_on[1], ratio);
    g_assert_cmpfloat(ratio, >, 2.7);
    g_assert_cmpfloat(ratio, <, 3.3);
    g_assert_cmpint(c_on[0], ==, c_off[0]);
    g_assert_cmpint(c_on[1], ==, c_off[1]);
    g_assert_cmpint(g_on[0], ==, g_off[0]);
    g_assert_cmpint(g_on[1], ==, g_off[1]);
    g_assert_cmpint(b_off, ==, 0);
    g_assert_cmpint(b_on, >=, 1);
}

/*
 * A copy downwards (destination inside its source) moves in place: the
 * batch that another channel's grants left with the thread goes first, in
 * place too, so that no byte lands out of order.
 */
static void test_copy_thread_inline(void)
{
    const uint64_t a = RAM_BASE + 0x1000000, b = RAM_BASE + 0x3000000;
    Hidma h;

    host_start(&h, NULL);
    ch_setup(&h, 0, 8);
    ch_setup(&h, 1, 8);
    fill(&h, a, 1024 * 1024, 3);
    fill(&h, b, 64 * 1024 + 4096, 11);
    put_tre(&h, 0, 0, 3, 1024 * 1024, a, a + 0x400000);
    put_tre(&h, 1, 0, 3, 64 * 1024, b, b + 4096);
    qtest_qmp_assert_success(h.qts, "{'execute': 'stop'}");
    tr_wr(&h, 0, DOORBELL, TRE_SIZE);
    tr_wr(&h, 1, DOORBELL, TRE_SIZE);
    qtest_qmp_assert_success(h.qts, "{'execute': 'cont'}");
    g_assert(wait_wp(&h, 0, EVRE_SIZE));
    g_assert(wait_wp(&h, 1, EVRE_SIZE));
    g_assert_cmpint(qom_get_int(&h, "x-copy-inline-flushes"), >=, 1);
    assert_same(&h, a, a + 0x400000, 1024 * 1024);
    g_assert_cmphex(qtest_readb(h.qts, b + 4096), ==, 11);
    g_assert_cmphex(qtest_readb(h.qts, b + 4096 + 64 * 1024 - 1), ==,
                    (uint8_t)(11 + (64 * 1024 - 1) * 7 +
                              ((64 * 1024 - 1) >> 8)));
    hidma_stop(&h);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);

    qtest_add_func("/qcom-hidma/reset-values", test_reset_values);
    qtest_add_func("/qcom-hidma/mgmt-program", test_mgmt_program);
    qtest_add_func("/qcom-hidma/enable-gate", test_enable_gate);
    qtest_add_func("/qcom-hidma/guest-mode", test_guest_mode);
    qtest_add_func("/qcom-hidma/memcpy", test_memcpy);
    qtest_add_func("/qcom-hidma/memset", test_memset);
    qtest_add_func("/qcom-hidma/driver-cost", test_driver_cost);
    qtest_add_func("/qcom-hidma/ring-wrap", test_ring_wrap);
    qtest_add_func("/qcom-hidma/error/invalid-opcode",
                   test_err_invalid_opcode);
    qtest_add_func("/qcom-hidma/error/bad-length", test_err_bad_length);
    qtest_add_func("/qcom-hidma/error/data-read", test_err_data_read);
    qtest_add_func("/qcom-hidma/error/data-write", test_err_data_write);
    qtest_add_func("/qcom-hidma/error/tre-read", test_err_tre_read);
    qtest_add_func("/qcom-hidma/error/mmio", test_err_mmio);
    qtest_add_func("/qcom-hidma/error/mmio-paced", test_err_mmio_paced);
    qtest_add_func("/qcom-hidma/overlap", test_overlap);
    qtest_add_func("/qcom-hidma/vm-stopped", test_vm_stopped);
    qtest_add_func("/qcom-hidma/migration/tre-in-flight", test_migration);
    qtest_add_func("/qcom-hidma/migration/bad-stream",
                   test_migration_bad_stream);
    qtest_add_func("/qcom-hidma/fail-injection", test_fail_injection);
    qtest_add_func("/qcom-hidma/event-write-fault", test_event_write_fault);
    qtest_add_func("/qcom-hidma/suspend-delay", test_suspend_delay);
    qtest_add_func("/qcom-hidma/reset-timeout", test_reset_timeout);
    qtest_add_func("/qcom-hidma/reset-hang", test_reset_hang);
    qtest_add_func("/qcom-hidma/burst-counts", test_burst_counts);
    qtest_add_func("/qcom-hidma/wrr-share", test_wrr_share);
    qtest_add_func("/qcom-hidma/priority", test_priority);
    qtest_add_func("/qcom-hidma/completion-latency",
                   test_completion_latency);
    qtest_add_func("/qcom-hidma/register-masks", test_register_masks);
    qtest_add_func("/qcom-hidma/ring-regs-latched", test_ring_regs_latched);
    qtest_add_func("/qcom-hidma/fuzz/doorbell-no-ring",
                   test_fuzz_doorbell_no_ring);
    qtest_add_func("/qcom-hidma/event-ring-lost", test_event_ring_lost);
    qtest_add_func("/qcom-hidma/event-ring-one-slot",
                   test_event_ring_one_slot);
    qtest_add_func("/qcom-hidma/bad-qom-set", test_bad_qom_set);
    qtest_add_func("/qcom-hidma/realize-errors", test_realize_errors);
    qtest_add_func("/qcom-hidma/acpi-dsdt", test_acpi_dsdt);
    qtest_add_func("/qcom-hidma/acpi-names", test_acpi_names);
    qtest_add_func("/qcom-hidma/smmu/sid-size", test_smmu_sid_size);
    qtest_add_func("/qcom-hidma/smmu/copy", test_smmu_copy);
    qtest_add_func("/qcom-hidma/smmu/fault", test_smmu_fault);
    qtest_add_func("/qcom-hidma/smmu/acpi", test_smmu_acpi);
    qtest_add_func("/qcom-hidma/msi/delivery", test_msi_delivery);
    qtest_add_func("/qcom-hidma/msi/rev-1.0-wired", test_msi_rev10_wired);
    qtest_add_func("/qcom-hidma/msi/identity", test_msi_identity);
    qtest_add_func("/qcom-hidma/msi/acpi", test_msi_acpi);
    qtest_add_func("/qcom-hidma/copy-thread/memset", test_copy_thread_memset);
    qtest_add_func("/qcom-hidma/copy-thread/pipeline",
                   test_copy_thread_pipeline);
    qtest_add_func("/qcom-hidma/copy-thread/event-ring-full",
                   test_copy_thread_event_ring_full);
    qtest_add_func("/qcom-hidma/copy-thread/drain-reset",
                   test_copy_drain_reset);
    qtest_add_func("/qcom-hidma/copy-thread/drain-stop",
                   test_copy_drain_stop);
    qtest_add_func("/qcom-hidma/copy-thread/drain-pacing",
                   test_copy_drain_pacing);
    qtest_add_func("/qcom-hidma/copy-thread/drain-device-reset",
                   test_copy_drain_device_reset);
    qtest_add_func("/qcom-hidma/copy-thread/drain-migration",
                   test_copy_drain_migration);
    qtest_add_func("/qcom-hidma/copy-thread/weights",
                   test_copy_thread_weights);
    qtest_add_func("/qcom-hidma/copy-thread/in-place",
                   test_copy_thread_inline);
    if (g_test_slow()) {
        /* a measurement, printed but not asserted: "-m slow" */
        qtest_add_func("/qcom-hidma/throughput", test_throughput);
    }

    return g_test_run();
}
