/*
 * Qualcomm Technologies HIDMA engine (QDF2400 "Centriq")
 *
 * One instance is a management block plus up to 16 DMA channels.  Each
 * channel has a transfer ring (TRCA window) and an event ring (EVCA window)
 * and one level interrupt.  Channels share one bus master; grants are
 * arbitrated by priority first, then weighted round robin.
 *
 * The silicon is out of production; where the public record is silent the
 * behaviour here is documented as "modelled behaviour" in the README that
 * ships with this file.
 *
 * Copyright (c) 2025 The HIDMA project contributors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#include "qemu/osdep.h"
#include "qemu/error-report.h"
#include "qemu/log.h"
#include "qemu/module.h"
#include "qemu/timer.h"
#include "qemu/main-loop.h"
#include "qemu/bswap.h"
#include "qemu/units.h"
#include "qapi/error.h"
#include "qapi/visitor.h"
#include "exec/address-spaces.h"
#include "hw/irq.h"
#include "hw/sysbus.h"
#include "hw/qdev-properties.h"
#include "hw/register.h"
#include "hw/dma/qcom_hidma.h"
#include "migration/vmstate.h"
#include "sysemu/runstate.h"
#include "trace.h"

/* management block */
REG32(MGMT_CFG, 0x400)
    FIELD(MGMT_CFG, ENABLE, 0, 1)
REG32(MGMT_CHRESET_TIMEOUT, 0x418)
    FIELD(MGMT_CHRESET_TIMEOUT, CYCLES, 0, 20)
REG32(MGMT_MAX_BUS_REQ_LEN, 0x41c)
    FIELD(MGMT_MAX_BUS_REQ_LEN, RD, 0, 16)
    FIELD(MGMT_MAX_BUS_REQ_LEN, WR, 16, 16)
REG32(MGMT_MAX_XACTIONS, 0x420)
    FIELD(MGMT_MAX_XACTIONS, RD, 0, 5)
    FIELD(MGMT_MAX_XACTIONS, WR, 16, 5)
REG32(MGMT_HW_VERSION, 0x424)
    FIELD(MGMT_HW_VERSION, MINOR, 16, 4)
    FIELD(MGMT_HW_VERSION, MAJOR, 28, 4)
REG32(MGMT_QOS0, 0x700)             /* one per channel */
    FIELD(MGMT_QOS0, WEIGHT, 8, 7)
    FIELD(MGMT_QOS0, PRIO, 15, 1)

/* channel windows: TRCA and EVCA share the ring registers */
REG32(CH_CTRLSTS, HIDMA_CH_CTRLSTS)
    FIELD(CH_CTRLSTS, STATE, 8, 8)
    FIELD(CH_CTRLSTS, CMD, 16, 8)
REG32(CH_RING_LOW, HIDMA_CH_RING_LOW)
REG32(CH_RING_HIGH, HIDMA_CH_RING_HIGH)
REG32(CH_RING_LEN, HIDMA_CH_RING_LEN)
REG32(CH_DOORBELL, HIDMA_CH_DOORBELL)
REG32(TRCA_CHID, HIDMA_TRCA_CHID)
REG32(TRCA_IDENTITY, HIDMA_TRCA_IDENTITY)
REG32(EVCA_INTCTRL, HIDMA_EVCA_INTCTRL)
    FIELD(EVCA_INTCTRL, MODE, 0, 4)
REG32(EVCA_WRITE_PTR, HIDMA_EVCA_WRITE_PTR)
REG32(EVCA_IRQ_STAT, HIDMA_EVCA_IRQ_STAT)
REG32(EVCA_IRQ_CLR, HIDMA_EVCA_IRQ_CLR)
REG32(EVCA_IRQ_EN, HIDMA_EVCA_IRQ_EN)
REG32(EVCA_MSI_ADDR_LOW, HIDMA_EVCA_MSI_ADDR_LOW)
REG32(EVCA_MSI_ADDR_HIGH, HIDMA_EVCA_MSI_ADDR_HIGH)
REG32(EVCA_MSI_DATA, HIDMA_EVCA_MSI_DATA)

/* ring entries, little-endian words */
#define TRE_SIZE                32
    FIELD(TRE_W0, OPCODE, 0, 8)
    FIELD(TRE_W0, IEOB, 16, 1)
#define TRE_OP_MEMCPY           3
#define TRE_OP_MEMSET           4
#define EVRE_SIZE               16
    FIELD(EVRE_W0, INFO, 24, 4)
    FIELD(EVRE_W0, CODE, 28, 4)
#define EVRE_CODE_COMPLETE      1
#define EVRE_CODE_ERROR         4

/* bounded work per bottom-half run, then the BH reschedules itself */
#define GRANTS_PER_RUN          256
/*
 * One engine run holds the BQL: it ends after this much work and goes on
 * in a new bottom half.  A byte copied through the checked (non-RAM) path
 * costs BOUNCE_COST, a byte of RAM one.
 */
#define RUN_COST_MAX            (1 * MiB)
#define BOUNCE_COST             16
/*
 * The copy thread takes batches of at most this much RAM, in so many
 * pieces: mapping a piece is the work an engine run does under the BQL
 * for the thread (behind an IOMMU a piece is a page).  A drain (a
 * command, reset, VM stop) waits for two batches at most.
 */
#define COPY_BATCH_MAX          (8 * MiB)
#define COPY_BATCH_PIECES       512
/* reference clock of the reset timeout counter: 1 GHz */
#define RESET_NS_PER_CYCLE      1
#define WRR_CREDIT_MAX          (QCOM_HIDMA_MAX_CHANNELS * 16 * 128)
#define MAX_LATENCY_US          1000000

#define DEF_NUM_CHANNELS        6
#define DEF_BURST               1024
#define DEF_XACT                31
#define DEF_RESET_CYCLES        0x500
#define DEF_VER_MAJOR           1
#define DEF_VER_MINOR           0

static const char *const win_name[2] = { "trca", "evca" };

static bool state_enabled(uint32_t st)
{
    return st == HIDMA_ST_ENABLED || st == HIDMA_ST_RUNNING;
}

static uint32_t chan_weight(QcomHidmaState *s, int idx)
{
    uint32_t w = FIELD_EX32(s->mgmt[R_MGMT_QOS0 + idx], MGMT_QOS0, WEIGHT);

    return w ? w : 1;
}

static int chan_prio(QcomHidmaState *s, int idx)
{
    return FIELD_EX32(s->mgmt[R_MGMT_QOS0 + idx], MGMT_QOS0, PRIO);
}

static uint32_t eff_burst(uint32_t v)
{
    if (v < 128) {
        return 128;
    }
    if (v > 1024) {
        return 1024;
    }
    return pow2floor(v);
}

static uint32_t eff_xact(uint32_t v)
{
    return v ? v : 1;
}

static uint64_t tr_base(QcomHidmaChan *c)
{
    return ((uint64_t)c->trca[R_CH_RING_HIGH] << 32) | c->trca[R_CH_RING_LOW];
}

static uint64_t ev_base(QcomHidmaChan *c)
{
    return ((uint64_t)c->evca[R_CH_RING_HIGH] << 32) | c->evca[R_CH_RING_LOW];
}

static bool chan_msi_mode(QcomHidmaChan *c)
{
    return c->s->msi && FIELD_EX32(c->evca[R_EVCA_INTCTRL], EVCA_INTCTRL,
                                   MODE) == HIDMA_INTCTRL_MSI;
}

/*
 * One message per cause: the programmed data plus the cause's bit number,
 * so that software maps vector N to cause N.  Behind an IOMMU the address
 * is translated like the channel's other DMA; the ITS knows the channel by
 * its device ID.
 */
static void hidma_send_msi(QcomHidmaChan *c, uint32_t cause)
{
    uint64_t addr = deposit64(c->evca[R_EVCA_MSI_ADDR_LOW], 32, 32,
                              c->evca[R_EVCA_MSI_ADDR_HIGH]);
    uint32_t data = c->evca[R_EVCA_MSI_DATA] + cause;
    MemTxAttrs attrs = {
        .requester_id = c->s->msi_devid_base + c->idx,
    };
    MemTxResult res;

    address_space_stl_le(c->as, addr, data, attrs, &res);
    trace_qcom_hidma_msi(c->idx, cause, data, addr, attrs.requester_id, res);
    c->msis++;
    c->irqs++;
    if (res != MEMTX_OK) {
        c->msi_errors++;
        qemu_log_mask(LOG_GUEST_ERROR, "qcom-hidma: ch%u: MSI write of 0x%x "
                      "to 0x%" PRIx64 " failed\n", c->idx, data, addr);
    }
}

/*
 * Wired: the line is the OR of the enabled causes.  MSI: a message for
 * each cause that becomes pending and enabled; it is sent again only after
 * software cleared or masked the cause.
 */
static void hidma_update_irq(QcomHidmaChan *c)
{
    uint32_t stat = c->evca[R_EVCA_IRQ_STAT];
    uint32_t en = c->evca[R_EVCA_IRQ_EN];
    uint32_t pending = stat & en & HIDMA_IRQ_ALL_MASK;
    uint32_t fresh;

    if (!chan_msi_mode(c)) {
        c->msi_sent = 0;
        trace_qcom_hidma_irq(c->idx, stat, en, !!pending);
        if (pending && !c->irq_level) {
            c->irqs++;
        }
        c->irq_level = pending;
        qemu_set_irq(c->irq, !!pending);
        return;
    }
    c->irq_level = false;
    qemu_set_irq(c->irq, 0);
    fresh = pending & ~c->msi_sent;
    c->msi_sent = pending;
    while (fresh) {
        hidma_send_msi(c, ctz32(fresh));
        fresh &= fresh - 1;
    }
}

/* the copy thread has bytes of the channel, or events that wait for them */
static bool chan_copying(QcomHidmaChan *c)
{
    return c->copies_inflight || c->events_deferred;
}

static bool chan_busy(QcomHidmaChan *c)
{
    return c->cur_valid || c->cpl_pending || chan_copying(c) ||
           c->trca[R_CH_DOORBELL] != c->tr_read_off;
}

static void hidma_update_tr_state(QcomHidmaChan *c)
{
    if (state_enabled(c->tr_state)) {
        c->tr_state = chan_busy(c) ? HIDMA_ST_RUNNING : HIDMA_ST_ENABLED;
    }
}

/* The event ring can take events: a whole number of slots, offsets inside */
static bool ev_ring_usable(QcomHidmaChan *c)
{
    uint32_t len = c->evca[R_CH_RING_LEN];

    return len >= EVRE_SIZE && !(len % EVRE_SIZE) &&
           c->evca[R_EVCA_WRITE_PTR] < len && c->evca[R_CH_DOORBELL] < len;
}

static bool chan_eligible(QcomHidmaState *s, QcomHidmaChan *c)
{
    uint32_t len = c->trca[R_CH_RING_LEN];
    uint32_t doorbell = c->trca[R_CH_DOORBELL];

    if (!FIELD_EX32(s->mgmt[R_MGMT_CFG], MGMT_CFG, ENABLE)) {
        return false;
    }
    if (!state_enabled(c->tr_state) || !state_enabled(c->ev_state)) {
        return false;
    }
    if (c->tr_reset_busy || c->ev_reset_busy || c->cpl_pending) {
        return false;
    }
    if (c->cur_valid) {
        return true;
    }
    /*
     * A new TRE starts only on rings that can hold it and its event: the
     * doorbell and both offsets inside their rings.  Ring registers can
     * change while a window is suspended; without this check a doorbell
     * left beyond a shrunk ring is never reached and the read offset
     * laps the ring forever, re-running stale TREs.
     */
    if (!ev_ring_usable(c) || len < TRE_SIZE || len % TRE_SIZE ||
        c->tr_read_off >= len || doorbell >= len || doorbell % TRE_SIZE) {
        return false;
    }
    return doorbell != c->tr_read_off;
}

static void hidma_kick(QcomHidmaState *s)
{
    if (s->bh) {
        qemu_bh_schedule(s->bh);
    }
}

/*
 * DMA of a channel, piece by piece.  A piece is translated once in the
 * channel's address space (behind an IOMMU on some boards), so that the
 * IOMMU sees each access once and reports each fault once; it ends where
 * the translation or the target region does.  RAM is then mapped and
 * copied directly (zero copy); anything else goes through checked
 * transactions on the translated address, BOUNCE_SIZE bytes at a time.
 */
typedef struct HidmaDmaPiece {
    AddressSpace *as;           /* where the translated address lives */
    hwaddr addr;                /* translated address */
    hwaddr len;                 /* contiguous bytes from @addr */
    void *ptr;                  /* mapped RAM, or NULL */
} HidmaDmaPiece;

#define BOUNCE_SIZE             4096

/* Returns false if @addr cannot be accessed (translation fault, no bus). */
static bool hidma_dma_piece(QcomHidmaChan *c, uint64_t addr, hwaddr len,
                            bool is_write, HidmaDmaPiece *p)
{
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;
    IOMMUTLBEntry iotlb;
    MemoryRegion *mr;
    hwaddr xlat, l;

    RCU_READ_LOCK_GUARD();
    iotlb = address_space_get_iotlb_entry(c->as, addr, is_write, attrs);
    if (!(iotlb.perm & (is_write ? IOMMU_WO : IOMMU_RO))) {
        trace_qcom_hidma_dma_fault(c->idx, is_write ? "write" : "read",
                                   addr);
        return false;
    }
    p->as = iotlb.target_as;
    p->addr = iotlb.translated_addr | (addr & iotlb.addr_mask);
    if (p->as == c->as) {
        /* no IOMMU on the way: the "page" is only a target page */
        l = len;
    } else {
        l = MIN(len - 1, iotlb.addr_mask - (addr & iotlb.addr_mask)) + 1;
    }
    mr = address_space_translate(p->as, p->addr, &xlat, &l, is_write, attrs);
    p->ptr = NULL;
    if (memory_access_is_direct(mr, is_write)) {
        p->ptr = address_space_map(p->as, p->addr, &l, is_write, attrs);
    }
    if (!p->ptr) {
        l = MIN(l, BOUNCE_SIZE);
    }
    p->len = l;
    trace_qcom_hidma_dma_piece(c->idx, is_write ? "write" : "read", addr,
                               p->addr, l, p->ptr ? "RAM" : "MMIO");
    return true;
}

static void hidma_dma_piece_end(HidmaDmaPiece *p, bool is_write, hwaddr done)
{
    if (p->ptr) {
        address_space_unmap(p->as, p->ptr, p->len, is_write, done);
        p->ptr = NULL;
    }
}

/* A small access of channel @c (TRE fetch, event write), piece by piece. */
static MemTxResult hidma_dma_rw(QcomHidmaChan *c, uint64_t addr, void *buf,
                                hwaddr len, bool is_write)
{
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;
    MemTxResult res = MEMTX_OK;
    uint8_t *b = buf;

    while (len && res == MEMTX_OK) {
        HidmaDmaPiece p;

        if (!hidma_dma_piece(c, addr, len, is_write, &p)) {
            return MEMTX_DECODE_ERROR;
        }
        if (!p.ptr) {
            res = address_space_rw(p.as, p.addr, attrs, b, p.len, is_write);
        } else if (is_write) {
            memcpy(p.ptr, b, p.len);
        } else {
            memcpy(b, p.ptr, p.len);
        }
        hidma_dma_piece_end(&p, is_write, p.len);
        addr += p.len;
        b += p.len;
        len -= p.len;
    }
    return res;
}

/* The event of a completed TRE, as the ring entry will tell it */
typedef struct HidmaEvent {
    uint32_t off;               /* ring offset of the TRE */
    uint32_t done;              /* bytes moved */
    uint32_t cause;             /* 0 = success, else IRQ cause bit */
    bool ieob;                  /* interrupt on end of block */
    bool write_fail;            /* fault injection: the write fails */
} HidmaEvent;

static uint32_t ev_ring_free_slots(QcomHidmaChan *c)
{
    uint32_t len = c->evca[R_CH_RING_LEN];

    return ((c->evca[R_CH_DOORBELL] + len - c->evca[R_EVCA_WRITE_PTR] -
             EVRE_SIZE) % len) / EVRE_SIZE;
}

/*
 * Write event @ev of channel @c.  Returns false, writing nothing, when the
 * event channel is off or its ring is full (software has not consumed
 * enough events yet).
 */
static bool hidma_write_event(QcomHidmaState *s, QcomHidmaChan *c,
                              const HidmaEvent *ev)
{
    uint32_t code = ev->cause ? EVRE_CODE_ERROR : EVRE_CODE_COMPLETE;
    uint32_t info = ev->cause ? ev->cause - 8 : 0;
    uint32_t *wp = &c->evca[R_EVCA_WRITE_PTR];
    uint32_t evre[4];
    MemTxResult res;

    if (!state_enabled(c->ev_state) || c->ev_reset_busy) {
        return false;
    }
    if (!ev_ring_usable(c)) {
        /*
         * The event ring was reprogrammed under a TRE in flight: its event
         * cannot be written.  The TRE counts as failed and keeps its own
         * cause; nothing is written outside the ring.
         */
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: ch%u: event ring length 0x%x, write "
                      "pointer 0x%x: event of the TRE at 0x%x lost\n",
                      c->idx, c->evca[R_CH_RING_LEN], *wp, ev->off);
        c->evca[R_EVCA_IRQ_STAT] |= BIT(HIDMA_IRQ_EV_WR_ERR);
        if (ev->cause) {
            c->evca[R_EVCA_IRQ_STAT] |= BIT(ev->cause);
        }
        c->tres_failed++;
        hidma_update_irq(c);
        return true;
    }
    if (!ev_ring_free_slots(c)) {
        return false;
    }

    evre[0] = cpu_to_le32(FIELD_DP32(FIELD_DP32(0, EVRE_W0, CODE, code),
                                     EVRE_W0, INFO, info));
    evre[1] = cpu_to_le32(ev->done);
    evre[2] = cpu_to_le32(ev->off);
    evre[3] = 0;
    if (ev->write_fail) {
        res = MEMTX_ERROR;
    } else {
        res = hidma_dma_rw(c, ev_base(c) + *wp, evre, sizeof(evre), true);
    }
    trace_qcom_hidma_event(c->idx, *wp, code, info);
    if (res != MEMTX_OK) {
        trace_qcom_hidma_dma_error(c->idx, "event write", ev_base(c) + *wp,
                                   res);
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: ch%u: event write to 0x%" PRIx64
                      " failed\n", c->idx, ev_base(c) + *wp);
        c->evca[R_EVCA_IRQ_STAT] |= BIT(HIDMA_IRQ_EV_WR_ERR);
    }
    *wp = (*wp + EVRE_SIZE) % c->evca[R_CH_RING_LEN];
    if (ev->cause || res != MEMTX_OK) {
        /* software never learns of a TRE whose event was lost */
        c->tres_failed++;
        if (ev->cause) {
            c->evca[R_EVCA_IRQ_STAT] |= BIT(ev->cause);
        }
    } else {
        c->tres_completed++;
        if (ev->ieob) {
            c->evca[R_EVCA_IRQ_STAT] |= BIT(HIDMA_IRQ_EOB);
        }
    }
    hidma_update_irq(c);
    return true;
}

/* the event of the TRE that completed last */
static HidmaEvent hidma_cur_event(QcomHidmaChan *c)
{
    return (HidmaEvent) {
        .off = c->cur_off,
        .done = c->cur_done,
        .cause = c->cpl_cause,
        .ieob = FIELD_EX32(c->cur_tre[0], TRE_W0, IEOB),
        .write_fail = c->ev_write_fail,
    };
}

/* Post the pending completion's event; false if it must wait */
static bool hidma_post_event(QcomHidmaState *s, QcomHidmaChan *c)
{
    HidmaEvent ev = hidma_cur_event(c);

    if (!hidma_write_event(s, c, &ev)) {
        return false;
    }
    c->ev_write_fail = false;
    c->cpl_pending = false;
    return true;
}

static void hidma_complete(QcomHidmaState *s, QcomHidmaChan *c,
                           uint32_t cause, int64_t t_done)
{
    trace_qcom_hidma_tre_done(c->idx, c->cur_off, cause);
    c->cur_valid = false;
    c->cpl_pending = true;
    c->cpl_cause = cause;
    c->cpl_deadline = t_done + (int64_t)s->completion_latency_us * SCALE_US;
}

/* Fetch and validate the next TRE.  Returns true if data must be moved. */
static bool hidma_fetch(QcomHidmaState *s, QcomHidmaChan *c, int64_t now)
{
    uint32_t raw[8];
    uint32_t op, len;
    MemTxResult res;
    int i;

    c->cur_off = c->tr_read_off;
    c->cur_done = 0;
    memset(c->cur_tre, 0, sizeof(c->cur_tre));
    c->tr_read_off = (c->tr_read_off + TRE_SIZE) % c->trca[R_CH_RING_LEN];

    res = hidma_dma_rw(c, tr_base(c) + c->cur_off, raw, sizeof(raw), false);
    if (res != MEMTX_OK) {
        trace_qcom_hidma_dma_error(c->idx, "TRE read",
                                   tr_base(c) + c->cur_off, res);
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: ch%u: cannot read TRE at 0x%" PRIx64 "\n",
                      c->idx, tr_base(c) + c->cur_off);
        hidma_complete(s, c, HIDMA_IRQ_TRE_RD_ERR, now);
        return false;
    }
    for (i = 0; i < 8; i++) {
        c->cur_tre[i] = le32_to_cpu(raw[i]);
    }
    op = FIELD_EX32(c->cur_tre[0], TRE_W0, OPCODE);
    len = c->cur_tre[1];
    trace_qcom_hidma_tre(c->idx, c->cur_off, op, len,
                         ((uint64_t)c->cur_tre[3] << 32) | c->cur_tre[2],
                         ((uint64_t)c->cur_tre[5] << 32) | c->cur_tre[4]);

    if (c->fail_count && c->fail_cause == HIDMA_IRQ_EV_WR_ERR) {
        /* the data moves; only the event write of this TRE fails */
        c->fail_count--;
        c->ev_write_fail = true;
    } else if (c->fail_count) {
        c->fail_count--;
        hidma_complete(s, c, c->fail_cause, now);
        return false;
    }
    if (op != TRE_OP_MEMCPY && op != TRE_OP_MEMSET) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: ch%u: TRE at 0x%x: bad opcode %u\n",
                      c->idx, c->cur_off, op);
        hidma_complete(s, c, HIDMA_IRQ_INVALID_TRE, now);
        return false;
    }
    if (len == 0) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: ch%u: TRE at 0x%x: bad length 0x%x\n",
                      c->idx, c->cur_off, len);
        hidma_complete(s, c, HIDMA_IRQ_INVALID_TRE, now);
        return false;
    }
    c->cur_valid = true;
    return true;
}

static void fill_pattern(uint8_t *p, uint64_t n, uint64_t pattern,
                         uint64_t off)
{
    uint8_t pat[8];
    uint64_t i;

    stq_le_p(pat, pattern);
    for (i = 0; i < n && ((off + i) & 7); i++) {
        p[i] = pat[(off + i) & 7];
    }
    for (; i + 8 <= n; i += 8) {
        memcpy(p + i, pat, 8);
    }
    for (; i < n; i++) {
        p[i] = pat[(off + i) & 7];
    }
}

/*
 * The copy thread.  An unpaced engine run arbitrates, fetches and maps as
 * before, under the BQL, but leaves the bytes of pieces that are RAM on
 * both sides in a batch; the thread moves them without the BQL, and the
 * engine runs again when it is done: events, interrupts and the next
 * grants stay under the BQL.  Pieces run in the order the grants were
 * made, so each channel's data is ordered as before; anything that must
 * be done in place (a bounce through MMIO, a copy downwards) first runs
 * the batch so far in place.
 */
typedef struct HidmaCopy {
    uint32_t ch;
    HidmaDmaPiece rd;           /* ptr NULL: memset */
    HidmaDmaPiece wr;
    hwaddr len;
    uint64_t pattern;
    uint64_t pat_off;
} HidmaCopy;

/* the event of a TRE whose bytes are in the batch */
typedef struct HidmaCopyEvent {
    uint32_t ch;
    HidmaEvent ev;
} HidmaCopyEvent;

static void hidma_batch_run(QcomHidmaBatch *b)
{
    guint i;

    for (i = 0; i < b->copies->len; i++) {
        HidmaCopy *cp = &g_array_index(b->copies, HidmaCopy, i);

        if (cp->rd.ptr) {
            memmove(cp->wr.ptr, cp->rd.ptr, cp->len);
        } else {
            fill_pattern(cp->wr.ptr, cp->len, cp->pattern, cp->pat_off);
        }
    }
}

/*
 * The batch's bytes have moved: unmap (marking RAM dirty), then post the
 * events of the TREs they completed, in order (unless the device resets).
 */
static void hidma_batch_finish(QcomHidmaState *s, QcomHidmaBatch *b,
                               bool post)
{
    guint i;

    trace_qcom_hidma_copy_done(b->copies->len, b->bytes);
    for (i = 0; i < b->copies->len; i++) {
        HidmaCopy *cp = &g_array_index(b->copies, HidmaCopy, i);

        hidma_dma_piece_end(&cp->rd, false, cp->len);
        hidma_dma_piece_end(&cp->wr, true, cp->len);
        s->ch[cp->ch].copies_inflight--;
    }
    g_array_set_size(b->copies, 0);
    b->bytes = 0;
    for (i = 0; i < b->events->len; i++) {
        HidmaCopyEvent *e = &g_array_index(b->events, HidmaCopyEvent, i);
        QcomHidmaChan *c = &s->ch[e->ch];

        c->events_deferred--;
        /*
         * The room was there when the TRE completed, and every command
         * waits for the batches; only a doorbell moved back can take it.
         */
        if (post && !hidma_write_event(s, c, &e->ev)) {
            qemu_log_mask(LOG_GUEST_ERROR, "qcom-hidma: ch%u: event ring "
                          "lost room under a TRE in flight: event of the "
                          "TRE at 0x%x lost\n", c->idx, e->ev.off);
            c->tres_failed++;
        }
    }
    g_array_set_size(b->events, 0);
    for (i = 0; i < s->num_channels; i++) {
        hidma_update_tr_state(&s->ch[i]);
    }
}

/* Complete the batches the thread has copied, oldest first */
static void hidma_batches_complete(QcomHidmaState *s, bool post)
{
    unsigned n;

    qemu_mutex_lock(&s->copy_lock);
    n = s->batches_copied;
    s->batches_copied = 0;
    qemu_mutex_unlock(&s->copy_lock);
    while (n--) {
        hidma_batch_finish(s, &s->batch[s->batch_head], post);
        s->batch_head = (s->batch_head + 1) % QCOM_HIDMA_COPY_BATCHES;
        s->batches_submitted--;
    }
}

/*
 * Channel @c completed a TRE while the thread has bytes or events of it:
 * its event goes out after them, and the channel goes on meanwhile if the
 * event ring is sure to have room for it then.
 */
static bool hidma_defer_event(QcomHidmaState *s, QcomHidmaChan *c)
{
    HidmaCopyEvent e = { .ch = c->idx, .ev = hidma_cur_event(c) };

    if (!state_enabled(c->ev_state) || c->ev_reset_busy ||
        !ev_ring_usable(c) || ev_ring_free_slots(c) <= c->events_deferred) {
        return false;
    }
    g_array_append_val(s->building->events, e);
    c->events_deferred++;
    c->ev_write_fail = false;
    c->cpl_pending = false;
    return true;
}

/*
 * Wait for the batches the thread holds, then complete them here, posting
 * their events if @post.  Every command, a change of pacing, device
 * reset, VM stop and migration come through here first; the thread never
 * takes the BQL, so waiting with it held cannot deadlock.
 */
static void hidma_copies_wait(QcomHidmaState *s, const char *why, bool post)
{
    if (!s->batches_submitted) {
        return;
    }
    trace_qcom_hidma_copy_drain(why);
    s->copy_drains++;
    qemu_mutex_lock(&s->copy_lock);
    s->copy_hold = false;
    qemu_cond_broadcast(&s->copy_cond);
    while (s->copy_pending) {
        qemu_cond_wait(&s->copy_cond, &s->copy_lock);
    }
    qemu_mutex_unlock(&s->copy_lock);
    hidma_batches_complete(s, post);
}

/* ...and post their events */
static void hidma_copies_drain(QcomHidmaState *s, const char *why)
{
    hidma_copies_wait(s, why, true);
}

/*
 * An access that cannot wait for the thread: the batches in the thread
 * and the one being filled go first, the latter in place.
 */
static void hidma_copies_flush_inline(QcomHidmaState *s)
{
    QcomHidmaBatch *b = s->building;

    if (!b || (!s->batches_submitted && !b->copies->len &&
               !b->events->len)) {
        return;
    }
    s->copy_inline_flushes++;
    hidma_copies_drain(s, "in place");
    s->run_cost += b->bytes;
    hidma_batch_run(b);
    hidma_batch_finish(s, b, true);
}

static void hidma_batch_submit(QcomHidmaState *s)
{
    trace_qcom_hidma_copy_submit(s->building->copies->len,
                                 s->building->bytes);
    s->copy_batches++;
    s->batches_submitted++;
    s->building = NULL;
    qemu_mutex_lock(&s->copy_lock);
    s->copy_pending++;
    qemu_cond_broadcast(&s->copy_cond);
    qemu_mutex_unlock(&s->copy_lock);
}

static void *hidma_copy_thread(void *opaque)
{
    QcomHidmaState *s = opaque;

    qemu_mutex_lock(&s->copy_lock);
    for (;;) {
        while ((!s->copy_pending || s->copy_hold) && !s->copy_quit) {
            qemu_cond_wait(&s->copy_cond, &s->copy_lock);
        }
        if (s->copy_quit) {
            break;
        }
        qemu_mutex_unlock(&s->copy_lock);
        hidma_batch_run(&s->batch[s->copy_next]);
        s->copy_next = (s->copy_next + 1) % QCOM_HIDMA_COPY_BATCHES;
        qemu_mutex_lock(&s->copy_lock);
        s->copy_pending--;
        s->batches_copied++;
        qemu_cond_broadcast(&s->copy_cond);
        qemu_bh_schedule(s->copy_done_bh);
    }
    qemu_mutex_unlock(&s->copy_lock);
    return NULL;
}

/*
 * Move @len bytes of channel @c, piece by piece.  Returns 0 on success or
 * the IRQ cause bit of the failure; the pieces before it stay written.
 */
static uint32_t hidma_move(QcomHidmaChan *c, uint64_t dst, uint64_t src,
                           uint64_t len, bool is_set, uint64_t pattern,
                           uint64_t pat_off)
{
    MemTxAttrs attrs = MEMTXATTRS_UNSPECIFIED;
    uint8_t buf[BOUNCE_SIZE];

    while (len) {
        HidmaDmaPiece rd = { 0 }, wr;
        MemTxResult res = MEMTX_OK;
        uint32_t cause = 0;
        hwaddr n = len;
        void *out;

        if (!is_set) {
            if (!hidma_dma_piece(c, src, n, false, &rd)) {
                return HIDMA_IRQ_DATA_RD_ERR;
            }
            n = rd.len;
        }
        if (!hidma_dma_piece(c, dst, n, true, &wr)) {
            hidma_dma_piece_end(&rd, false, 0);
            return HIDMA_IRQ_DATA_WR_ERR;
        }
        /* a piece that is not RAM on either side is at most BOUNCE_SIZE */
        n = MIN(n, wr.len);
        if (c->s->building && wr.ptr && (is_set || rd.ptr)) {
            HidmaCopy cp = {
                .ch = c->idx, .rd = rd, .wr = wr, .len = n,
                .pattern = pattern, .pat_off = pat_off,
            };

            g_array_append_val(c->s->building->copies, cp);
            c->s->building->bytes += n;
            c->copies_inflight++;
            goto next;
        }
        hidma_copies_flush_inline(c->s);
        out = wr.ptr ? wr.ptr : buf;

        if (is_set) {
            fill_pattern(out, n, pattern, pat_off);
        } else if (rd.ptr) {
            memmove(out, rd.ptr, n);
        } else {
            res = address_space_read(rd.as, rd.addr, attrs, out, n);
            if (res != MEMTX_OK) {
                trace_qcom_hidma_dma_error(c->idx, "data read", src, res);
                cause = HIDMA_IRQ_DATA_RD_ERR;
            }
        }
        if (!cause && !wr.ptr) {
            res = address_space_write(wr.as, wr.addr, attrs, buf, n);
            if (res != MEMTX_OK) {
                trace_qcom_hidma_dma_error(c->idx, "data write", dst, res);
                cause = HIDMA_IRQ_DATA_WR_ERR;
            }
        }
        c->s->run_cost += wr.ptr && (is_set || rd.ptr) ? n : n * BOUNCE_COST;
        hidma_dma_piece_end(&rd, false, n);
        hidma_dma_piece_end(&wr, true, n);
        if (cause) {
            return cause;
        }
next:
        len -= n;
        dst += n;
        src += n;
        pat_off += n;
    }
    return 0;
}

/*
 * A copy whose destination starts inside its source, @len bytes at a
 * time from the end down: each block is read whole before it is written,
 * so that no source byte is overwritten before it was read (memmove).
 */
static uint32_t hidma_move_down(QcomHidmaChan *c, uint64_t dst, uint64_t src,
                                uint64_t len)
{
    uint8_t buf[BOUNCE_SIZE];
    MemTxResult res;

    hidma_copies_flush_inline(c->s);
    while (len) {
        hwaddr n = MIN(len, BOUNCE_SIZE);

        len -= n;
        res = hidma_dma_rw(c, src + len, buf, n, false);
        if (res != MEMTX_OK) {
            trace_qcom_hidma_dma_error(c->idx, "data read", src + len, res);
            return HIDMA_IRQ_DATA_RD_ERR;
        }
        res = hidma_dma_rw(c, dst + len, buf, n, true);
        if (res != MEMTX_OK) {
            trace_qcom_hidma_dma_error(c->idx, "data write", dst + len, res);
            return HIDMA_IRQ_DATA_WR_ERR;
        }
        c->s->run_cost += n * BOUNCE_COST;
    }
    return 0;
}

/*
 * One bus grant: the channel issues up to max-transactions bursts, then
 * yields.  Returns the number of bytes that crossed the bus.
 */
static uint64_t hidma_grant(QcomHidmaState *s, QcomHidmaChan *c, int64_t now)
{
    uint32_t rb = eff_burst(FIELD_EX32(s->mgmt[R_MGMT_MAX_BUS_REQ_LEN],
                                       MGMT_MAX_BUS_REQ_LEN, RD));
    uint32_t wb = eff_burst(FIELD_EX32(s->mgmt[R_MGMT_MAX_BUS_REQ_LEN],
                                       MGMT_MAX_BUS_REQ_LEN, WR));
    uint32_t rx = eff_xact(FIELD_EX32(s->mgmt[R_MGMT_MAX_XACTIONS],
                                      MGMT_MAX_XACTIONS, RD));
    uint32_t wx = eff_xact(FIELD_EX32(s->mgmt[R_MGMT_MAX_XACTIONS],
                                      MGMT_MAX_XACTIONS, WR));
    uint64_t bus = 0, chunk, src, dst, len, off;
    bool is_set, down;
    uint32_t cause;

    c->bus_grants++;
    if (!c->cur_valid) {
        bus += TRE_SIZE;
        if (!hidma_fetch(s, c, now)) {
            return bus;
        }
    }

    is_set = FIELD_EX32(c->cur_tre[0], TRE_W0, OPCODE) == TRE_OP_MEMSET;
    len = c->cur_tre[1];
    src = ((uint64_t)c->cur_tre[3] << 32) | c->cur_tre[2];
    dst = ((uint64_t)c->cur_tre[5] << 32) | c->cur_tre[4];
    chunk = MIN(len - c->cur_done, MIN((uint64_t)rx * rb, (uint64_t)wx * wb));
    /*
     * Overlapping copies behave like memmove: with the destination above
     * the source, the grants take the TRE from its end down.
     */
    down = !is_set && dst > src && dst - src < len;

    trace_qcom_hidma_grant(c->idx, chunk);
    if (down) {
        off = len - c->cur_done - chunk;
        cause = hidma_move_down(c, dst + off, src + off, chunk);
    } else {
        cause = hidma_move(c, dst + c->cur_done, src + c->cur_done, chunk,
                           is_set, src, c->cur_done);
    }
    if (cause) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: ch%u: TRE at 0x%x: DMA %s error\n",
                      c->idx, c->cur_off,
                      cause == HIDMA_IRQ_DATA_RD_ERR ? "read" : "write");
        hidma_complete(s, c, cause, now);
        return bus;
    }
    /*
     * Bursts are aligned to the start of the TRE; one that straddles two
     * grants is counted once, in the grant that starts it.
     */
    if (!is_set) {
        c->read_bursts += DIV_ROUND_UP(c->cur_done + chunk, rb) -
                          DIV_ROUND_UP(c->cur_done, rb);
    }
    c->write_bursts += DIV_ROUND_UP(c->cur_done + chunk, wb) -
                       DIV_ROUND_UP(c->cur_done, wb);
    c->bytes += chunk;
    c->cur_done += chunk;
    bus += chunk;
    if (c->cur_done == len) {
        hidma_complete(s, c, 0, now);
    }
    return bus;
}

/*
 * Priority first, then smooth weighted round robin inside the class.
 * *contended tells whether another channel of the class wanted the grant.
 */
static QcomHidmaChan *hidma_arbitrate(QcomHidmaState *s, bool *contended)
{
    int prio, i;

    for (prio = 1; prio >= 0; prio--) {
        QcomHidmaChan *best = NULL;
        int64_t total = 0;
        int eligible = 0;

        for (i = 0; i < s->num_channels; i++) {
            QcomHidmaChan *c = &s->ch[i];

            if (chan_prio(s, i) != prio || !chan_eligible(s, c)) {
                continue;
            }
            eligible++;
            c->wrr_credit += chan_weight(s, i);
            total += chan_weight(s, i);
            if (!best || c->wrr_credit > best->wrr_credit) {
                best = c;
            }
        }
        if (best) {
            best->wrr_credit -= total;
            *contended = eligible > 1;
            return best;
        }
    }
    return NULL;
}

static void hidma_engine_run(QcomHidmaState *s)
{
    int64_t now = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL);
    int64_t next = INT64_MAX;
    bool paced = s->bus_bytes_per_us != 0;
    bool more = false;
    int i, budget = GRANTS_PER_RUN;

    /* a stopped VM's memory does not change (migration copies it) */
    if (!runstate_is_running()) {
        return;
    }
    /*
     * The end of the thread's oldest batch runs the engine again.  A run
     * nested in this one (DMA into a device that polls the main loop)
     * leaves the batch being filled alone.
     */
    if (s->batches_submitted == QCOM_HIDMA_COPY_BATCHES || s->building) {
        return;
    }

    if (paced && s->bus_free_at < now) {
        s->bus_free_at = now;
    }
    s->run_cost = 0;
    /* the paced modes keep the deterministic engine that qtests time */
    if (s->copy_thread_on && !paced && !s->completion_latency_us) {
        s->building = &s->batch[(s->batch_head + s->batches_submitted) %
                                QCOM_HIDMA_COPY_BATCHES];
    }

    for (;;) {
        QcomHidmaChan *c;
        uint64_t bytes, moved;
        bool contended;
        int64_t t;

        /* retire completions that are due, in ring order per channel */
        for (i = 0; i < s->num_channels; i++) {
            c = &s->ch[i];
            if (c->cpl_pending && !chan_copying(c) &&
                c->cpl_deadline <= now) {
                hidma_post_event(s, c);
            }
        }
        if (paced && s->bus_free_at > now) {
            next = MIN(next, s->bus_free_at);
            break;
        }
        if (budget-- <= 0 || s->run_cost >= RUN_COST_MAX ||
            (s->building && (s->building->bytes >= COPY_BATCH_MAX ||
                             s->building->copies->len >= COPY_BATCH_PIECES))) {
            more = true;
            break;
        }
        c = hidma_arbitrate(s, &contended);
        if (!c) {
            break;
        }
        t = paced ? s->bus_free_at : now;
        moved = c->bytes;
        bytes = hidma_grant(s, c, t);
        if (contended) {
            c->contended_bytes += c->bytes - moved;
        }
        if (paced) {
            t = s->bus_free_at +
                MAX(1, (int64_t)(bytes * 1000 / s->bus_bytes_per_us));
            s->bus_free_at = t;
            if (c->cpl_pending) {
                /* the TRE completes when its last burst left the bus */
                c->cpl_deadline = t +
                    (int64_t)s->completion_latency_us * SCALE_US;
            }
        }
        /*
         * A TRE whose bytes are still with the thread: its event waits
         * for them, and the channel goes on as it would in the engine
         * without the thread, which posts the event now.  With no room
         * for the event the channel stalls there until the thread is
         * done with it.
         */
        if (c->cpl_pending && chan_copying(c) && s->building &&
            !hidma_defer_event(s, c)) {
            more = true;
            break;
        }
    }
    if (s->building && (s->building->copies->len ||
                        s->building->events->len)) {
        hidma_batch_submit(s);
        /* with both batches in the thread, its next completion goes on */
        more = more && s->batches_submitted < QCOM_HIDMA_COPY_BATCHES;
    }
    s->building = NULL;

    s->run_cost_max = MAX(s->run_cost_max, s->run_cost);
    for (i = 0; i < s->num_channels; i++) {
        QcomHidmaChan *c = &s->ch[i];

        if (c->cpl_pending && c->cpl_deadline > now) {
            next = MIN(next, c->cpl_deadline);
        }
        hidma_update_tr_state(c);
    }
    if (more) {
        qemu_bh_schedule(s->bh);
    }
    if (next != INT64_MAX) {
        timer_mod(s->engine_timer, next);
    }
}

static void hidma_bh(void *opaque)
{
    hidma_engine_run(opaque);
}

static void hidma_copy_done_bh(void *opaque)
{
    QcomHidmaState *s = opaque;

    /* a drain may have completed the batches already */
    hidma_batches_complete(s, true);
    hidma_engine_run(s);
}

/*
 * The paced engine runs from a timer: it takes the device's re-entrancy
 * guard as the bottom half does, so that DMA into the device's own
 * windows fails the same way in both modes.
 */
static void hidma_timer_cb(void *opaque)
{
    MemReentrancyGuard *guard = &DEVICE(opaque)->mem_reentrancy_guard;
    bool engaged = guard->engaged_in_io;

    guard->engaged_in_io = true;
    hidma_engine_run(opaque);
    guard->engaged_in_io = engaged;
}

/* work that waited for a stopped VM goes on when it runs again */
static void hidma_vm_state_change(void *opaque, bool running, RunState state)
{
    if (running) {
        hidma_kick(opaque);
    } else {
        hidma_copies_drain(opaque, "vm stop");
    }
}

/* --- channel state machine ------------------------------------------- */

static void hidma_tr_reset_done(QcomHidmaChan *c)
{
    c->tr_reset_busy = false;
    c->tr_state = HIDMA_ST_DISABLED;
    c->trca[R_CH_DOORBELL] = 0;
    c->tr_read_off = 0;
    c->cur_valid = false;
    c->cpl_pending = false;
    c->wrr_credit = 0;
    trace_qcom_hidma_reset_done(c->idx, win_name[0]);
}

static void hidma_ev_reset_done(QcomHidmaChan *c)
{
    c->ev_reset_busy = false;
    c->ev_state = HIDMA_ST_DISABLED;
    c->evca[R_EVCA_WRITE_PTR] = 0;
    c->evca[R_CH_DOORBELL] = 0;
    trace_qcom_hidma_reset_done(c->idx, win_name[1]);
}

static void hidma_tr_reset_cb(void *opaque)
{
    QcomHidmaChan *c = opaque;

    hidma_tr_reset_done(c);
    hidma_kick(c->s);
}

static void hidma_ev_reset_cb(void *opaque)
{
    QcomHidmaChan *c = opaque;

    hidma_ev_reset_done(c);
    hidma_kick(c->s);
}

static void hidma_suspend_cb(void *opaque)
{
    QcomHidmaChan *c = opaque;

    if (state_enabled(c->tr_state)) {
        c->tr_state = HIDMA_ST_SUSPENDED;
        trace_qcom_hidma_command(c->idx, win_name[0], HIDMA_CMD_SUSPEND,
                                 HIDMA_ST_RUNNING, HIDMA_ST_SUSPENDED);
    }
}

static void hidma_command(QcomHidmaChan *c, int win, uint32_t cmd)
{
    QcomHidmaState *s = c->s;
    uint32_t *state = win ? &c->ev_state : &c->tr_state;
    bool *busy = win ? &c->ev_reset_busy : &c->tr_reset_busy;
    bool *hung = win ? &c->ev_reset_hung : &c->tr_reset_hung;
    QEMUTimer *timer = win ? c->ev_reset_timer : c->tr_reset_timer;
    uint32_t old = *state;

    /*
     * The bytes in the thread land, and their events go out, before any
     * command changes a channel's state: they were granted before it.
     */
    hidma_copies_drain(s, "command");
    if (*busy && !(cmd == HIDMA_CMD_RESET && *hung)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: ch%u %s: command %u while reset is "
                      "in progress, ignored\n", c->idx, win_name[win], cmd);
        return;
    }

    if (!win) {
        /* a later command replaces a SUSPEND still under way */
        timer_del(c->suspend_timer);
    }
    switch (cmd) {
    case HIDMA_CMD_DISABLE:
        *state = HIDMA_ST_DISABLED;
        break;
    case HIDMA_CMD_ENABLE:
        if (!FIELD_EX32(s->mgmt[R_MGMT_CFG], MGMT_CFG, ENABLE)) {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "qcom-hidma: ch%u %s: enable refused, management "
                          "block is not enabled\n", c->idx, win_name[win]);
            break;
        }
        *state = HIDMA_ST_ENABLED;
        break;
    case HIDMA_CMD_SUSPEND:
        if (state_enabled(*state) && !win && c->suspend_delay_us) {
            /* the engine takes its time; the state changes later */
            timer_mod(c->suspend_timer,
                      qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                      (int64_t)c->suspend_delay_us * SCALE_US);
        } else if (state_enabled(*state)) {
            *state = HIDMA_ST_SUSPENDED;
        } else {
            qemu_log_mask(LOG_GUEST_ERROR,
                          "qcom-hidma: ch%u %s: suspend in state %u\n",
                          c->idx, win_name[win], *state);
        }
        break;
    case HIDMA_CMD_RESET:
        if (!win) {
            c->resets++;
        }
        /*
         * The channel stops at once and reads STOPPED until the reset has
         * completed, so that software polling for DISABLED really waits.
         */
        *state = HIDMA_ST_STOPPED;
        *busy = true;
        *hung = false;
        if (c->hang_next_reset) {
            /* the fault is consumed: a later RESET completes normally */
            c->hang_next_reset = false;
            *hung = true;
            timer_del(timer);
        } else {
            uint32_t cycles = s->mgmt[R_MGMT_CHRESET_TIMEOUT];

            timer_mod(timer, qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                      (int64_t)cycles * RESET_NS_PER_CYCLE);
        }
        break;
    default:
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: ch%u %s: unknown command %u\n",
                      c->idx, win_name[win], cmd);
        return;
    }
    if (win) {
        c->ev_cmd = cmd;
    } else {
        c->tr_cmd = cmd;
    }
    if (!win) {
        hidma_update_tr_state(c);
    }
    trace_qcom_hidma_command(c->idx, win_name[win], cmd, old, *state);
    hidma_kick(s);
}

/* --- registers ------------------------------------------------------- */

/* Channel registers carry their channel as opaque (see hidma_chan_regs) */
static QcomHidmaChan *reg_chan(RegisterInfo *reg)
{
    return reg->opaque;
}

static int reg_win(RegisterInfo *reg)
{
    QcomHidmaChan *c = reg_chan(reg);
    uint32_t *p = reg->data;

    return p >= c->evca && p < c->evca + QCOM_HIDMA_CH_R_MAX;
}

static uint32_t reg_old(RegisterInfo *reg)
{
    return *(uint32_t *)reg->data;
}

static uint64_t chan_ro_pre_write(RegisterInfo *reg, uint64_t val)
{
    QcomHidmaChan *c = reg_chan(reg);

    qemu_log_mask(LOG_GUEST_ERROR,
                  "qcom-hidma: ch%u %s: write to read-only %s, ignored\n",
                  c->idx, win_name[reg_win(reg)], reg->access->name);
    return reg_old(reg);
}

static void chan_ctrlsts_post_write(RegisterInfo *reg, uint64_t val)
{
    hidma_command(reg_chan(reg), reg_win(reg),
                  FIELD_EX32(val, CH_CTRLSTS, CMD));
}

static uint64_t chan_ctrlsts_post_read(RegisterInfo *reg, uint64_t val)
{
    QcomHidmaChan *c = reg_chan(reg);
    int win = reg_win(reg);

    val = FIELD_DP32(0, CH_CTRLSTS, CMD, win ? c->ev_cmd : c->tr_cmd);
    return FIELD_DP32(val, CH_CTRLSTS, STATE, win ? c->ev_state : c->tr_state);
}

/*
 * Ring registers take a write only while their window is not enabled:
 * software programs the rings between a reset and ENABLE.
 */
static uint64_t chan_ring_pre_write(RegisterInfo *reg, uint64_t val)
{
    QcomHidmaChan *c = reg_chan(reg);
    int win = reg_win(reg);

    if (!state_enabled(win ? c->ev_state : c->tr_state)) {
        return val;
    }
    qemu_log_mask(LOG_GUEST_ERROR,
                  "qcom-hidma: ch%u %s: %s written while enabled, ignored\n",
                  c->idx, win_name[win], reg->access->name);
    return reg_old(reg);
}

/* the index is at one of two offsets, depending on the revision */
static uint64_t trca_chid_post_read(RegisterInfo *reg, uint64_t val)
{
    QcomHidmaChan *c = reg_chan(reg);
    bool identity_reg = reg->access->addr == A_TRCA_IDENTITY;

    return identity_reg == c->s->identity ? c->idx : 0;
}

/* Tests read the high-water mark to see that software kept TREs queued. */
static void hidma_note_queue_depth(QcomHidmaChan *c)
{
    uint32_t len = c->trca[R_CH_RING_LEN];
    uint64_t queued;

    /* post_write runs for a refused doorbell too: there may be no ring */
    if (len < TRE_SIZE) {
        return;
    }
    queued = (c->trca[R_CH_DOORBELL] + len - c->tr_read_off) % len / TRE_SIZE;
    if (c->cur_valid || c->cpl_pending) {
        queued++;
    }
    c->ring_hwm = MAX(c->ring_hwm, queued);
}

static uint64_t trca_doorbell_pre_write(RegisterInfo *reg, uint64_t val)
{
    QcomHidmaChan *c = reg_chan(reg);
    uint32_t len = c->trca[R_CH_RING_LEN];

    trace_qcom_hidma_doorbell(c->idx, win_name[0], val);
    if (len < TRE_SIZE || len % TRE_SIZE || val >= len || val % TRE_SIZE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: ch%u: bad TRE doorbell 0x%" PRIx64
                      " (ring length 0x%x), ignored\n", c->idx, val, len);
        return reg_old(reg);
    }
    return val;
}

static void trca_doorbell_post_write(RegisterInfo *reg, uint64_t val)
{
    QcomHidmaChan *c = reg_chan(reg);

    c->doorbells++;
    hidma_note_queue_depth(c);
    hidma_update_tr_state(c);
    hidma_kick(c->s);
}

static uint64_t evca_doorbell_pre_write(RegisterInfo *reg, uint64_t val)
{
    QcomHidmaChan *c = reg_chan(reg);
    uint32_t len = c->evca[R_CH_RING_LEN];

    trace_qcom_hidma_doorbell(c->idx, win_name[1], val);
    if (len < EVRE_SIZE || val >= len || val % EVRE_SIZE) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: ch%u: bad event doorbell 0x%" PRIx64
                      " (ring length 0x%x), ignored\n", c->idx, val, len);
        return reg_old(reg);
    }
    return val;
}

static void evca_doorbell_post_write(RegisterInfo *reg, uint64_t val)
{
    hidma_kick(reg_chan(reg)->s);
}

static void evca_irq_clr_post_write(RegisterInfo *reg, uint64_t val)
{
    QcomHidmaChan *c = reg_chan(reg);

    c->evca[R_EVCA_IRQ_STAT] &= ~val;
    c->evca[R_EVCA_IRQ_CLR] = 0;
    hidma_update_irq(c);
}

/* IRQ_EN and INTCTRL: a cause unmasked or a mode change may signal */
static void evca_irq_post_write(RegisterInfo *reg, uint64_t val)
{
    hidma_update_irq(reg_chan(reg));
}

static const RegisterAccessInfo hidma_trca_regs_info[] = {
    {   .name = "CTRLSTS", .addr = A_CH_CTRLSTS,
        .post_write = chan_ctrlsts_post_write,
        .post_read = chan_ctrlsts_post_read,
    }, {
        .name = "RING_LOW", .addr = A_CH_RING_LOW,
        .pre_write = chan_ring_pre_write,
    }, {
        .name = "RING_HIGH", .addr = A_CH_RING_HIGH,
        .pre_write = chan_ring_pre_write,
    }, {
        .name = "RING_LEN", .addr = A_CH_RING_LEN,
        .pre_write = chan_ring_pre_write,
    }, {
        .name = "CHID", .addr = A_TRCA_CHID,
        .ro = 0xffffffff,
        .pre_write = chan_ro_pre_write,
        .post_read = trca_chid_post_read,
    }, {
        .name = "IDENTITY", .addr = A_TRCA_IDENTITY,
        .ro = 0xffffffff,
        .pre_write = chan_ro_pre_write,
        .post_read = trca_chid_post_read,
    }, {
        .name = "DOORBELL", .addr = A_CH_DOORBELL,
        .pre_write = trca_doorbell_pre_write,
        .post_write = trca_doorbell_post_write,
    },
};

static const RegisterAccessInfo hidma_evca_regs_info[] = {
    {   .name = "CTRLSTS", .addr = A_CH_CTRLSTS,
        .post_write = chan_ctrlsts_post_write,
        .post_read = chan_ctrlsts_post_read,
    }, {
        .name = "INTCTRL", .addr = A_EVCA_INTCTRL,
        .ro = ~R_EVCA_INTCTRL_MODE_MASK,
        .reset = HIDMA_INTCTRL_WIRED,
        .post_write = evca_irq_post_write,
    }, {
        .name = "RING_LOW", .addr = A_CH_RING_LOW,
        .pre_write = chan_ring_pre_write,
    }, {
        .name = "RING_HIGH", .addr = A_CH_RING_HIGH,
        .pre_write = chan_ring_pre_write,
    }, {
        .name = "RING_LEN", .addr = A_CH_RING_LEN,
        .pre_write = chan_ring_pre_write,
    }, {
        .name = "WRITE_PTR", .addr = A_EVCA_WRITE_PTR,
        .ro = 0xffffffff,
        .pre_write = chan_ro_pre_write,
    }, {
        .name = "IRQ_STAT", .addr = A_EVCA_IRQ_STAT,
        .ro = 0xffffffff,
        .pre_write = chan_ro_pre_write,
    }, {
        .name = "IRQ_CLR", .addr = A_EVCA_IRQ_CLR,
        .post_write = evca_irq_clr_post_write,
    }, {
        .name = "IRQ_EN", .addr = A_EVCA_IRQ_EN,
        .ro = ~HIDMA_IRQ_ALL_MASK,
        .post_write = evca_irq_post_write,
    }, {
        .name = "MSI_ADDR_LOW", .addr = A_EVCA_MSI_ADDR_LOW,
    }, {
        .name = "MSI_ADDR_HIGH", .addr = A_EVCA_MSI_ADDR_HIGH,
    }, {
        .name = "MSI_DATA", .addr = A_EVCA_MSI_DATA,
    }, {
        .name = "DOORBELL", .addr = A_CH_DOORBELL,
        .pre_write = evca_doorbell_pre_write,
        .post_write = evca_doorbell_post_write,
    },
};

static void mgmt_kick_post_write(RegisterInfo *reg, uint64_t val)
{
    hidma_kick(QCOM_HIDMA(reg->opaque));
}

static uint64_t mgmt_burst_pre_write(RegisterInfo *reg, uint64_t val)
{
    uint32_t rd = FIELD_EX32(val, MGMT_MAX_BUS_REQ_LEN, RD);
    uint32_t wr = FIELD_EX32(val, MGMT_MAX_BUS_REQ_LEN, WR);

    if (rd != eff_burst(rd) || wr != eff_burst(wr)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: mgmt: max bursts %u/%u (read/write) are "
                      "not powers of two in 128..1024, using %u/%u\n",
                      rd, wr, eff_burst(rd), eff_burst(wr));
    }
    return val;
}

static uint64_t mgmt_xact_pre_write(RegisterInfo *reg, uint64_t val)
{
    if (!FIELD_EX32(val, MGMT_MAX_XACTIONS, RD) ||
        !FIELD_EX32(val, MGMT_MAX_XACTIONS, WR)) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: mgmt: zero max transactions 0x%" PRIx64
                      ", treated as 1\n", val);
    }
    return val;
}

static uint64_t mgmt_ro_pre_write(RegisterInfo *reg, uint64_t val)
{
    qemu_log_mask(LOG_GUEST_ERROR,
                  "qcom-hidma: mgmt: write to read-only %s, ignored\n",
                  reg->access->name);
    return reg_old(reg);
}

static uint64_t mgmt_version_post_read(RegisterInfo *reg, uint64_t val)
{
    QcomHidmaState *s = QCOM_HIDMA(reg->opaque);

    val = FIELD_DP32(0, MGMT_HW_VERSION, MAJOR, s->cfg_ver_major);
    return FIELD_DP32(val, MGMT_HW_VERSION, MINOR, s->cfg_ver_minor);
}

/* the QOS of a channel the instance does not have reads as zero */
static uint64_t mgmt_qos_pre_write(RegisterInfo *reg, uint64_t val)
{
    QcomHidmaState *s = QCOM_HIDMA(reg->opaque);
    uint32_t idx = (reg->access->addr - A_MGMT_QOS0) / 4;

    if (idx >= s->num_channels) {
        qemu_log_mask(LOG_GUEST_ERROR,
                      "qcom-hidma: mgmt: QOS of absent channel %u\n", idx);
        return 0;
    }
    return val;
}

#define HIDMA_QOS_REG(n) {                                          \
        .name = "QOS" #n, .addr = A_MGMT_QOS0 + 4 * (n),            \
        .ro = ~(R_MGMT_QOS0_WEIGHT_MASK | R_MGMT_QOS0_PRIO_MASK),   \
        .pre_write = mgmt_qos_pre_write,                            \
        .post_write = mgmt_kick_post_write,                         \
    }

static const RegisterAccessInfo hidma_mgmt_regs_info[] = {
    {   .name = "CFG", .addr = A_MGMT_CFG,
        .ro = ~R_MGMT_CFG_ENABLE_MASK,
        .post_write = mgmt_kick_post_write,
    }, {
        .name = "CHRESET_TIMEOUT", .addr = A_MGMT_CHRESET_TIMEOUT,
        .ro = ~R_MGMT_CHRESET_TIMEOUT_CYCLES_MASK,
    }, {
        .name = "MAX_BUS_REQ_LEN", .addr = A_MGMT_MAX_BUS_REQ_LEN,
        .pre_write = mgmt_burst_pre_write,
    }, {
        .name = "MAX_XACTIONS", .addr = A_MGMT_MAX_XACTIONS,
        .ro = ~(R_MGMT_MAX_XACTIONS_RD_MASK | R_MGMT_MAX_XACTIONS_WR_MASK),
        .pre_write = mgmt_xact_pre_write,
    }, {
        .name = "HW_VERSION", .addr = A_MGMT_HW_VERSION,
        .ro = 0xffffffff,
        .pre_write = mgmt_ro_pre_write,
        .post_read = mgmt_version_post_read,
    },
    HIDMA_QOS_REG(0), HIDMA_QOS_REG(1), HIDMA_QOS_REG(2), HIDMA_QOS_REG(3),
    HIDMA_QOS_REG(4), HIDMA_QOS_REG(5), HIDMA_QOS_REG(6), HIDMA_QOS_REG(7),
    HIDMA_QOS_REG(8), HIDMA_QOS_REG(9), HIDMA_QOS_REG(10), HIDMA_QOS_REG(11),
    HIDMA_QOS_REG(12), HIDMA_QOS_REG(13), HIDMA_QOS_REG(14),
    HIDMA_QOS_REG(15),
};

/* The register API does the access; these add the model's tracepoints. */
static uint64_t hidma_mgmt_read(void *opaque, hwaddr off, unsigned size)
{
    uint64_t val = register_read_memory(opaque, off, size);

    trace_qcom_hidma_mgmt_read(off, val);
    return val;
}

static void hidma_mgmt_write(void *opaque, hwaddr off, uint64_t val,
                             unsigned size)
{
    trace_qcom_hidma_mgmt_write(off, val);
    register_write_memory(opaque, off, val, size);
}

static QcomHidmaChan *regs_chan(RegisterInfoArray *regs, int *win)
{
    QcomHidmaChan *c = regs->r[0]->opaque;

    *win = regs == c->evca_regs;
    return c;
}

static uint64_t hidma_chan_read(void *opaque, hwaddr off, unsigned size)
{
    int win;
    QcomHidmaChan *c = regs_chan(opaque, &win);
    uint64_t val = register_read_memory(opaque, off, size);

    c->mmio_reads[win]++;
    trace_qcom_hidma_reg_read(c->idx, win_name[win], off, val);
    return val;
}

static void hidma_chan_write(void *opaque, hwaddr off, uint64_t val,
                             unsigned size)
{
    int win;
    QcomHidmaChan *c = regs_chan(opaque, &win);

    c->mmio_writes[win]++;
    trace_qcom_hidma_reg_write(c->idx, win_name[win], off, val);
    register_write_memory(opaque, off, val, size);
}

static const MemoryRegionOps hidma_mgmt_ops = {
    .read = hidma_mgmt_read,
    .write = hidma_mgmt_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .impl.min_access_size = 4,
    .impl.max_access_size = 4,
};

static const MemoryRegionOps hidma_chan_ops = {
    .read = hidma_chan_read,
    .write = hidma_chan_write,
    .endianness = DEVICE_LITTLE_ENDIAN,
    .valid.min_access_size = 4,
    .valid.max_access_size = 4,
    .impl.min_access_size = 4,
    .impl.max_access_size = 4,
};

/* --- reset, realize, properties ------------------------------------- */

static void hidma_mgmt_reset(QcomHidmaState *s)
{
    uint32_t *r = s->mgmt;
    int i;

    memset(s->mgmt, 0, sizeof(s->mgmt));
    r[R_MGMT_CFG] = FIELD_DP32(0, MGMT_CFG, ENABLE, s->guest_mode);
    r[R_MGMT_CHRESET_TIMEOUT] = s->cfg_reset_cycles;
    r[R_MGMT_MAX_BUS_REQ_LEN] =
        FIELD_DP32(r[R_MGMT_MAX_BUS_REQ_LEN], MGMT_MAX_BUS_REQ_LEN, RD,
                   s->cfg_rd_burst);
    r[R_MGMT_MAX_BUS_REQ_LEN] =
        FIELD_DP32(r[R_MGMT_MAX_BUS_REQ_LEN], MGMT_MAX_BUS_REQ_LEN, WR,
                   s->cfg_wr_burst);
    r[R_MGMT_MAX_XACTIONS] =
        FIELD_DP32(r[R_MGMT_MAX_XACTIONS], MGMT_MAX_XACTIONS, RD,
                   s->cfg_rd_xact);
    r[R_MGMT_MAX_XACTIONS] =
        FIELD_DP32(r[R_MGMT_MAX_XACTIONS], MGMT_MAX_XACTIONS, WR,
                   s->cfg_wr_xact);
    /* modelled: priority low, weight 1 */
    for (i = 0; i < s->num_channels; i++) {
        r[R_MGMT_QOS0 + i] = FIELD_DP32(0, MGMT_QOS0, WEIGHT, 1);
    }
}

/* Resettable: the state goes back to its reset values... */
static void hidma_reset_enter(Object *obj, ResetType type)
{
    QcomHidmaState *s = QCOM_HIDMA(obj);
    int i;

    /* the bytes land; their events go with the rest of the state */
    hidma_copies_wait(s, "device reset", false);
    qemu_bh_cancel(s->bh);
    timer_del(s->engine_timer);
    hidma_mgmt_reset(s);
    s->bus_free_at = 0;
    for (i = 0; i < QCOM_HIDMA_MAX_CHANNELS; i++) {
        QcomHidmaChan *c = &s->ch[i];

        timer_del(c->tr_reset_timer);
        timer_del(c->ev_reset_timer);
        timer_del(c->suspend_timer);
        c->ev_write_fail = false;
        hidma_tr_reset_done(c);
        hidma_ev_reset_done(c);
        c->tr_cmd = 0;
        c->ev_cmd = 0;
        memset(c->trca, 0, sizeof(c->trca));
        memset(c->evca, 0, sizeof(c->evca));
        c->evca[R_EVCA_INTCTRL] = FIELD_DP32(0, EVCA_INTCTRL, MODE,
                                             HIDMA_INTCTRL_WIRED);
        c->msi_sent = 0;
        c->tr_reset_hung = c->ev_reset_hung = false;
        c->cur_off = c->cur_done = c->cpl_cause = 0;
        memset(c->cur_tre, 0, sizeof(c->cur_tre));
        c->cpl_deadline = 0;
    }
}

/* ...then the interrupt lines follow it */
static void hidma_reset_hold(Object *obj)
{
    QcomHidmaState *s = QCOM_HIDMA(obj);
    int i;

    for (i = 0; i < s->num_channels; i++) {
        hidma_update_irq(&s->ch[i]);
    }
}

/*
 * Configuration: what firmware describes and the management block resets
 * to.  The management registers themselves can change at run time; tests
 * read them through the x-reg-* properties below.
 */
static Property hidma_properties[] = {
    DEFINE_PROP_UINT32("num-channels", QcomHidmaState, num_channels,
                       DEF_NUM_CHANNELS),
    DEFINE_PROP_BOOL("guest-mode", QcomHidmaState, guest_mode, false),
    DEFINE_PROP_UINT32("max-read-burst-bytes", QcomHidmaState, cfg_rd_burst,
                       DEF_BURST),
    DEFINE_PROP_UINT32("max-write-burst-bytes", QcomHidmaState,
                       cfg_wr_burst, DEF_BURST),
    DEFINE_PROP_UINT32("max-read-transactions", QcomHidmaState, cfg_rd_xact,
                       DEF_XACT),
    DEFINE_PROP_UINT32("max-write-transactions", QcomHidmaState,
                       cfg_wr_xact, DEF_XACT),
    DEFINE_PROP_UINT32("channel-reset-timeout-cycles", QcomHidmaState,
                       cfg_reset_cycles, DEF_RESET_CYCLES),
    DEFINE_PROP_UINT32("hw-version-major", QcomHidmaState, cfg_ver_major,
                       DEF_VER_MAJOR),
    DEFINE_PROP_UINT32("hw-version-minor", QcomHidmaState, cfg_ver_minor,
                       DEF_VER_MINOR),
    DEFINE_PROP_STRING("revision", QcomHidmaState, revision),
    /* the board sets it when the channels' MSIs reach an ITS */
    DEFINE_PROP_UINT32("msi-device-id-base", QcomHidmaState, msi_devid_base,
                       0),
    /* off: every byte moves in the main loop (deterministic, for fuzzing) */
    DEFINE_PROP_BOOL("x-copy-thread", QcomHidmaState, copy_thread_on, true),
    DEFINE_PROP_END_OF_LIST(),
};

enum {
    REG_RD_BURST,
    REG_WR_BURST,
    REG_RD_XACT,
    REG_WR_XACT,
    REG_RESET_CYCLES,
};

static const char *const hidma_reg_props[] = {
    [REG_RD_BURST] = "x-reg-max-read-burst-bytes",
    [REG_WR_BURST] = "x-reg-max-write-burst-bytes",
    [REG_RD_XACT] = "x-reg-max-read-transactions",
    [REG_WR_XACT] = "x-reg-max-write-transactions",
    [REG_RESET_CYCLES] = "x-reg-channel-reset-timeout-cycles",
};

/* test hook: a management register field as software programmed it */
static void hidma_get_reg_prop(Object *obj, Visitor *v, const char *name,
                               void *opaque, Error **errp)
{
    QcomHidmaState *s = QCOM_HIDMA(obj);
    uint32_t val;

    switch ((intptr_t)opaque) {
    case REG_RD_BURST:
        val = FIELD_EX32(s->mgmt[R_MGMT_MAX_BUS_REQ_LEN],
                         MGMT_MAX_BUS_REQ_LEN, RD);
        break;
    case REG_WR_BURST:
        val = FIELD_EX32(s->mgmt[R_MGMT_MAX_BUS_REQ_LEN],
                         MGMT_MAX_BUS_REQ_LEN, WR);
        break;
    case REG_RD_XACT:
        val = FIELD_EX32(s->mgmt[R_MGMT_MAX_XACTIONS], MGMT_MAX_XACTIONS, RD);
        break;
    case REG_WR_XACT:
        val = FIELD_EX32(s->mgmt[R_MGMT_MAX_XACTIONS], MGMT_MAX_XACTIONS, WR);
        break;
    case REG_RESET_CYCLES:
        val = s->mgmt[R_MGMT_CHRESET_TIMEOUT];
        break;
    default:
        g_assert_not_reached();
    }
    visit_type_uint32(v, name, &val, errp);
}

/* test knobs that pace the engine; they change while the guest runs */
static void hidma_get_pacing(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    visit_type_uint32(v, name, opaque, errp);
}

static void hidma_set_pacing(Object *obj, Visitor *v, const char *name,
                             void *opaque, Error **errp)
{
    QcomHidmaState *s = QCOM_HIDMA(obj);
    uint32_t *field = opaque;
    uint32_t val;

    if (!visit_type_uint32(v, name, &val, errp)) {
        return;
    }
    if (field == &s->completion_latency_us && val > MAX_LATENCY_US) {
        error_setg(errp, "'%s' must be in 0..%u, got %u",
                   name, MAX_LATENCY_US, val);
        return;
    }
    /* the paced engine moves everything in place: the thread's first */
    hidma_copies_drain(s, "pacing");
    *field = val;
    hidma_kick(s);
}

static bool check_range(const char *name, uint32_t val, uint32_t lo,
                        uint32_t hi, Error **errp)
{
    if (val < lo || val > hi) {
        error_setg(errp, "property '%s' must be in %u..%u, "
                   "got %u", name, lo, hi, val);
        return false;
    }
    return true;
}

static bool check_burst(const char *name, uint32_t val, Error **errp)
{
    if (val < 128 || val > 1024 || !is_power_of_2(val)) {
        error_setg(errp, "property '%s' must be a power of two "
                   "in 128..1024, got %u", name, val);
        return false;
    }
    return true;
}

/* per-channel properties */

static void hidma_get_qos(Object *obj, Visitor *v, const char *name,
                          void *opaque, Error **errp)
{
    QcomHidmaChan *c = opaque;
    uint32_t qos = c->s->mgmt[R_MGMT_QOS0 + c->idx];
    uint32_t val;

    if (g_str_has_suffix(name, "-priority")) {
        val = FIELD_EX32(qos, MGMT_QOS0, PRIO);
    } else {
        val = FIELD_EX32(qos, MGMT_QOS0, WEIGHT);
    }
    visit_type_uint32(v, name, &val, errp);
}

static void hidma_get_fail_cause(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    QcomHidmaChan *c = opaque;

    visit_type_uint32(v, name, &c->fail_cause, errp);
}

static void hidma_set_fail_cause(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    QcomHidmaChan *c = opaque;
    uint32_t val;

    if (!visit_type_uint32(v, name, &val, errp)) {
        return;
    }
    if (val != HIDMA_IRQ_EV_WR_ERR && val != HIDMA_IRQ_TRE_RD_ERR &&
        val != HIDMA_IRQ_DATA_RD_ERR && val != HIDMA_IRQ_DATA_WR_ERR &&
        val != HIDMA_IRQ_INVALID_TRE) {
        error_setg(errp, "'%s' must be one of 1 (event write), "
                   "9 (TRE read), 10 (data read), 11 (data write), "
                   "14 (invalid TRE), got %u", name, val);
        return;
    }
    c->fail_cause = val;
}

static void hidma_get_fail_count(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    QcomHidmaChan *c = opaque;

    visit_type_uint32(v, name, &c->fail_count, errp);
}

static void hidma_set_fail_count(Object *obj, Visitor *v, const char *name,
                                 void *opaque, Error **errp)
{
    QcomHidmaChan *c = opaque;
    uint32_t val;

    if (visit_type_uint32(v, name, &val, errp)) {
        c->fail_count = val;
    }
}

static void hidma_get_hang(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    QcomHidmaChan *c = opaque;

    visit_type_bool(v, name, &c->hang_next_reset, errp);
}

static void hidma_set_hang(Object *obj, Visitor *v, const char *name,
                           void *opaque, Error **errp)
{
    QcomHidmaChan *c = opaque;
    bool val;

    if (visit_type_bool(v, name, &val, errp)) {
        c->hang_next_reset = val;
    }
}

static void hidma_get_suspend_delay(Object *obj, Visitor *v,
                                    const char *name, void *opaque,
                                    Error **errp)
{
    QcomHidmaChan *c = opaque;

    visit_type_uint32(v, name, &c->suspend_delay_us, errp);
}

static void hidma_set_suspend_delay(Object *obj, Visitor *v,
                                    const char *name, void *opaque,
                                    Error **errp)
{
    QcomHidmaChan *c = opaque;
    uint32_t val;

    if (!visit_type_uint32(v, name, &val, errp) ||
        !check_range(name, val, 0, 1000000, errp)) {
        return;
    }
    c->suspend_delay_us = val;
}

/*
 * Test hook: the thread leaves a batch alone while held, so that a qtest
 * can reset, stop or migrate with bytes in flight.  A drain releases it.
 */
static bool hidma_get_copy_hold(Object *obj, Error **errp)
{
    QcomHidmaState *s = QCOM_HIDMA(obj);
    bool hold;

    qemu_mutex_lock(&s->copy_lock);
    hold = s->copy_hold;
    qemu_mutex_unlock(&s->copy_lock);
    return hold;
}

static void hidma_set_copy_hold(Object *obj, bool hold, Error **errp)
{
    QcomHidmaState *s = QCOM_HIDMA(obj);

    if (!s->copy_thread_on) {
        error_setg(errp, "'x-copy-hold' needs the copy thread "
                   "(x-copy-thread=on)");
        return;
    }
    qemu_mutex_lock(&s->copy_lock);
    s->copy_hold = hold;
    qemu_cond_broadcast(&s->copy_cond);
    qemu_mutex_unlock(&s->copy_lock);
}

static void hidma_add_chan_props(QcomHidmaState *s, QcomHidmaChan *c)
{
    Object *obj = OBJECT(s);
    static const struct {
        const char *suffix;
        size_t off;
    } counters[] = {
        { "bytes", offsetof(QcomHidmaChan, bytes) },
        { "read-bursts", offsetof(QcomHidmaChan, read_bursts) },
        { "write-bursts", offsetof(QcomHidmaChan, write_bursts) },
        { "bus-grants", offsetof(QcomHidmaChan, bus_grants) },
        { "contended-bytes", offsetof(QcomHidmaChan, contended_bytes) },
        { "tres-completed", offsetof(QcomHidmaChan, tres_completed) },
        { "tres-failed", offsetof(QcomHidmaChan, tres_failed) },
        { "resets", offsetof(QcomHidmaChan, resets) },
        { "ring-hwm", offsetof(QcomHidmaChan, ring_hwm) },
        { "msis", offsetof(QcomHidmaChan, msis) },
        { "msi-errors", offsetof(QcomHidmaChan, msi_errors) },
        { "trca-reads", offsetof(QcomHidmaChan, mmio_reads[0]) },
        { "evca-reads", offsetof(QcomHidmaChan, mmio_reads[1]) },
        { "trca-writes", offsetof(QcomHidmaChan, mmio_writes[0]) },
        { "evca-writes", offsetof(QcomHidmaChan, mmio_writes[1]) },
        { "doorbells", offsetof(QcomHidmaChan, doorbells) },
        { "irqs", offsetof(QcomHidmaChan, irqs) },
    };
    g_autofree char *prio = g_strdup_printf("x-ch%u-priority", c->idx);
    g_autofree char *weight = g_strdup_printf("x-ch%u-weight", c->idx);
    g_autofree char *cause = g_strdup_printf("x-ch%u-fail-cause", c->idx);
    g_autofree char *count = g_strdup_printf("x-ch%u-fail-count", c->idx);
    g_autofree char *hang = g_strdup_printf("x-ch%u-hang-next-reset",
                                            c->idx);
    g_autofree char *delay = g_strdup_printf("x-ch%u-suspend-delay-us",
                                             c->idx);
    int i;

    for (i = 0; i < ARRAY_SIZE(counters); i++) {
        g_autofree char *name = g_strdup_printf("x-ch%u-%s", c->idx,
                                                counters[i].suffix);

        object_property_add_uint64_ptr(obj, name,
                                       (uint64_t *)((char *)c +
                                                    counters[i].off),
                                       OBJ_PROP_FLAG_READ);
    }
    object_property_add(obj, prio, "uint32", hidma_get_qos, NULL, NULL, c);
    object_property_add(obj, weight, "uint32", hidma_get_qos, NULL, NULL, c);
    object_property_add(obj, cause, "uint32", hidma_get_fail_cause,
                        hidma_set_fail_cause, NULL, c);
    object_property_add(obj, count, "uint32", hidma_get_fail_count,
                        hidma_set_fail_count, NULL, c);
    object_property_add(obj, hang, "bool", hidma_get_hang, hidma_set_hang,
                        NULL, c);
    object_property_add(obj, delay, "uint32", hidma_get_suspend_delay,
                        hidma_set_suspend_delay, NULL, c);
}

/*
 * A window of channel registers: the register API decodes it, each
 * register knows its channel.
 */
static RegisterInfoArray *hidma_chan_regs(QcomHidmaChan *c,
                                          const RegisterAccessInfo *info,
                                          int num, RegisterInfo *ri,
                                          uint32_t *data,
                                          MemoryRegion *window)
{
    RegisterInfoArray *regs;
    int i;

    regs = register_init_block32(DEVICE(c->s), info, num, ri, data,
                                 &hidma_chan_ops, false,
                                 QCOM_HIDMA_WINDOW_SIZE);
    for (i = 0; i < regs->num_elements; i++) {
        regs->r[i]->opaque = c;
    }
    memory_region_add_subregion(window, 0, &regs->mem);
    return regs;
}

static void hidma_free_regs(MemoryRegion *window, RegisterInfoArray *regs)
{
    if (regs) {
        memory_region_del_subregion(window, &regs->mem);
        register_finalize_block(regs);
    }
}

static bool hidma_parse_revision(QcomHidmaState *s, Error **errp)
{
    const char *rev = s->revision ? s->revision : "1.0";

    if (!strcmp(rev, "1.0")) {
        s->msi = s->identity = false;
    } else if (!strcmp(rev, "1.1")) {
        s->msi = true;
        s->identity = false;
    } else if (!strcmp(rev, "1.2")) {
        s->msi = s->identity = true;
    } else {
        error_setg(errp, "property 'revision' must be 1.0 (wired interrupt), "
                   "1.1 (MSI) or 1.2 (MSI, identity register), got '%s'",
                   rev);
        return false;
    }
    return true;
}

static void hidma_realize(DeviceState *dev, Error **errp)
{
    QcomHidmaState *s = QCOM_HIDMA(dev);
    SysBusDevice *sbd = SYS_BUS_DEVICE(dev);
    int i;

    if (!check_range("num-channels", s->num_channels, 1,
                     QCOM_HIDMA_MAX_CHANNELS, errp) ||
        !check_burst("max-read-burst-bytes", s->cfg_rd_burst, errp) ||
        !check_burst("max-write-burst-bytes", s->cfg_wr_burst, errp) ||
        !check_range("max-read-transactions", s->cfg_rd_xact, 1, 31, errp) ||
        !check_range("max-write-transactions", s->cfg_wr_xact, 1, 31,
                     errp) ||
        !check_range("channel-reset-timeout-cycles", s->cfg_reset_cycles, 0,
                     R_MGMT_CHRESET_TIMEOUT_CYCLES_MASK, errp) ||
        !check_range("hw-version-major", s->cfg_ver_major, 0, 15, errp) ||
        !check_range("hw-version-minor", s->cfg_ver_minor, 0, 15, errp) ||
        !hidma_parse_revision(s, errp)) {
        return;
    }
    if (s->msi_devid_base > UINT16_MAX + 1 - s->num_channels) {
        error_setg(errp, "property 'msi-device-id-base' must leave room for "
                   "%u 16-bit device IDs, got 0x%x", s->num_channels,
                   s->msi_devid_base);
        return;
    }
    for (i = s->num_channels; i < QCOM_HIDMA_MAX_CHANNELS; i++) {
        if (s->ch[i].dma_mr) {
            error_setg(errp, "ch%d-dma-mr is set but the device has only "
                       "%u channels", i, s->num_channels);
            return;
        }
    }

    /* firmware tables are generated before the first reset */
    hidma_mgmt_reset(s);
    s->bh = qemu_bh_new_guarded(hidma_bh, s,
                                &DEVICE(s)->mem_reentrancy_guard);
    s->engine_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL, hidma_timer_cb, s);
    for (i = 0; i < QCOM_HIDMA_COPY_BATCHES; i++) {
        s->batch[i].copies = g_array_new(false, false, sizeof(HidmaCopy));
        s->batch[i].events = g_array_new(false, false,
                                         sizeof(HidmaCopyEvent));
    }
    if (s->copy_thread_on) {
        s->copy_done_bh = qemu_bh_new_guarded(hidma_copy_done_bh, s,
                                              &DEVICE(s)->mem_reentrancy_guard);
        qemu_thread_create(&s->copy_thread, "qcom-hidma-copy",
                           hidma_copy_thread, s, QEMU_THREAD_JOINABLE);
    }
    s->vmstate_change = qemu_add_vm_change_state_handler(hidma_vm_state_change,
                                                         s);

    memory_region_init(&s->mgmt_mr, OBJECT(s), "hidma-mgmt",
                       QCOM_HIDMA_WINDOW_SIZE);
    s->mgmt_regs = register_init_block32(dev, hidma_mgmt_regs_info,
                                         ARRAY_SIZE(hidma_mgmt_regs_info),
                                         s->mgmt_info, s->mgmt,
                                         &hidma_mgmt_ops, false,
                                         QCOM_HIDMA_WINDOW_SIZE);
    memory_region_add_subregion(&s->mgmt_mr, 0, &s->mgmt_regs->mem);
    if (!s->guest_mode) {
        sysbus_init_mmio(sbd, &s->mgmt_mr);
    }

    for (i = 0; i < QCOM_HIDMA_MAX_CHANNELS; i++) {
        QcomHidmaChan *c = &s->ch[i];

        c->s = s;
        c->idx = i;
        c->fail_cause = HIDMA_IRQ_DATA_RD_ERR;
        c->tr_reset_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                         hidma_tr_reset_cb, c);
        c->ev_reset_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                         hidma_ev_reset_cb, c);
        c->suspend_timer = timer_new_ns(QEMU_CLOCK_VIRTUAL,
                                        hidma_suspend_cb, c);
        if (i >= s->num_channels) {
            continue;
        }
        c->trca_name = g_strdup_printf("hidma-ch%d-trca", i);
        c->evca_name = g_strdup_printf("hidma-ch%d-evca", i);
        /* each channel is its own bus master (its own IOMMU stream) */
        if (c->dma_mr) {
            g_autofree char *name = g_strdup_printf("hidma-ch%d-dma", i);

            address_space_init(&c->dma_as, c->dma_mr, name);
            c->as = &c->dma_as;
        } else {
            c->as = &address_space_memory;
        }
        memory_region_init(&c->trca_mr, OBJECT(s), c->trca_name,
                           QCOM_HIDMA_WINDOW_SIZE);
        memory_region_init(&c->evca_mr, OBJECT(s), c->evca_name,
                           QCOM_HIDMA_WINDOW_SIZE);
        c->trca_regs = hidma_chan_regs(c, hidma_trca_regs_info,
                                       ARRAY_SIZE(hidma_trca_regs_info),
                                       c->trca_info, c->trca, &c->trca_mr);
        c->evca_regs = hidma_chan_regs(c, hidma_evca_regs_info,
                                       ARRAY_SIZE(hidma_evca_regs_info),
                                       c->evca_info, c->evca, &c->evca_mr);
        sysbus_init_mmio(sbd, &c->trca_mr);
        sysbus_init_mmio(sbd, &c->evca_mr);
        sysbus_init_irq(sbd, &c->irq);
        hidma_add_chan_props(s, c);
    }

    /*
     * Firmware gives the management block an interrupt (Linux's in-tree
     * hidma_mgmt refuses to probe without one); no public source says
     * what raises it, so the line exists but is never asserted.
     */
    if (!s->guest_mode) {
        sysbus_init_irq(sbd, &s->mgmt_irq);
    }
}

static void hidma_unrealize(DeviceState *dev)
{
    QcomHidmaState *s = QCOM_HIDMA(dev);
    int i;

    if (s->copy_thread_on) {
        hidma_copies_drain(s, "unrealize");
        qemu_mutex_lock(&s->copy_lock);
        s->copy_quit = true;
        qemu_cond_broadcast(&s->copy_cond);
        qemu_mutex_unlock(&s->copy_lock);
        qemu_thread_join(&s->copy_thread);
        qemu_bh_delete(s->copy_done_bh);
    }
    for (i = 0; i < QCOM_HIDMA_COPY_BATCHES; i++) {
        g_array_free(s->batch[i].copies, true);
        g_array_free(s->batch[i].events, true);
    }
    qemu_del_vm_change_state_handler(s->vmstate_change);
    hidma_free_regs(&s->mgmt_mr, s->mgmt_regs);
    qemu_bh_delete(s->bh);
    timer_free(s->engine_timer);
    for (i = 0; i < QCOM_HIDMA_MAX_CHANNELS; i++) {
        timer_free(s->ch[i].tr_reset_timer);
        timer_free(s->ch[i].ev_reset_timer);
        timer_free(s->ch[i].suspend_timer);
        hidma_free_regs(&s->ch[i].trca_mr, s->ch[i].trca_regs);
        hidma_free_regs(&s->ch[i].evca_mr, s->ch[i].evca_regs);
        g_free(s->ch[i].trca_name);
        g_free(s->ch[i].evca_name);
        if (s->ch[i].as == &s->ch[i].dma_as) {
            address_space_destroy(&s->ch[i].dma_as);
        }
    }
}

static void hidma_instance_init(Object *obj)
{
    QcomHidmaState *s = QCOM_HIDMA(obj);
    int i;

    /*
     * The board may put each channel behind an IOMMU: "ch<N>-dma-mr" is
     * the memory region the channel's DMA goes to (default: system memory).
     */
    for (i = 0; i < QCOM_HIDMA_MAX_CHANNELS; i++) {
        g_autofree char *name = g_strdup_printf("ch%d-dma-mr", i);

        object_property_add_link(obj, name, TYPE_MEMORY_REGION,
                                 (Object **)&s->ch[i].dma_mr,
                                 qdev_prop_allow_set_link_before_realize,
                                 OBJ_PROP_LINK_STRONG);
    }
    object_property_add(obj, "x-completion-latency-us", "uint32",
                        hidma_get_pacing, hidma_set_pacing, NULL,
                        &s->completion_latency_us);
    object_property_add(obj, "x-bus-bytes-per-us", "uint32",
                        hidma_get_pacing, hidma_set_pacing, NULL,
                        &s->bus_bytes_per_us);
    qemu_mutex_init(&s->copy_lock);
    qemu_cond_init(&s->copy_cond);
    /* test counter: the most work one engine run did (RUN_COST_MAX) */
    object_property_add_uint64_ptr(obj, "x-run-cost-max", &s->run_cost_max,
                                   OBJ_PROP_FLAG_READ);
    /* test counters: batches given to the copy thread, run in place, waited */
    object_property_add_uint64_ptr(obj, "x-copy-batches", &s->copy_batches,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "x-copy-inline-flushes",
                                   &s->copy_inline_flushes,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_uint64_ptr(obj, "x-copy-drains", &s->copy_drains,
                                   OBJ_PROP_FLAG_READ);
    object_property_add_bool(obj, "x-copy-hold", hidma_get_copy_hold,
                             hidma_set_copy_hold);
}

static void hidma_instance_finalize(Object *obj)
{
    QcomHidmaState *s = QCOM_HIDMA(obj);

    qemu_cond_destroy(&s->copy_cond);
    qemu_mutex_destroy(&s->copy_lock);
}

static bool valid_state(uint32_t st)
{
    return st <= HIDMA_ST_STOPPED;
}

static bool valid_cause(uint32_t cause)
{
    return cause == 0 || (cause < 32 && (BIT(cause) & HIDMA_IRQ_ALL_MASK &
                                         ~BIT(HIDMA_IRQ_EOB)));
}

/*
 * A stream that no run of the model could have produced is refused: the
 * engine trusts these fields (a TRE done beyond its length would copy on
 * for gigabytes, a deadline far away would stall the bus for ever).
 */
static bool hidma_chan_state_valid(QcomHidmaState *s, QcomHidmaChan *c,
                                   int64_t horizon)
{
    uint32_t op = FIELD_EX32(c->cur_tre[0], TRE_W0, OPCODE);

    if (c->msi_sent & ~HIDMA_IRQ_ALL_MASK) {
        return false;
    }
    if (!valid_state(c->tr_state) || !valid_state(c->ev_state) ||
        !valid_cause(c->cpl_cause) || !valid_cause(c->fail_cause) ||
        c->fail_cause == 0 || c->suspend_delay_us > MAX_LATENCY_US) {
        return false;
    }
    if (c->cur_valid &&
        ((op != TRE_OP_MEMCPY && op != TRE_OP_MEMSET) ||
         c->cur_done >= c->cur_tre[1])) {
        return false;
    }
    if (c->cur_valid && c->cpl_pending) {
        return false;
    }
    if (c->cpl_pending && c->cpl_deadline > horizon) {
        return false;
    }
    /* credits stay within what 16 channels of weight 127 build up */
    if (c->wrr_credit > WRR_CREDIT_MAX || c->wrr_credit < -WRR_CREDIT_MAX) {
        return false;
    }
    /* a reset under way completes by its timer, unless it hangs */
    if (c->tr_reset_busy && !c->tr_reset_hung &&
        !timer_pending(c->tr_reset_timer)) {
        return false;
    }
    if (c->ev_reset_busy && !c->ev_reset_hung &&
        !timer_pending(c->ev_reset_timer)) {
        return false;
    }
    return true;
}

static int hidma_post_load(void *opaque, int version_id)
{
    QcomHidmaState *s = opaque;
    /* a deadline is at most one grant on the slowest bus plus the latency */
    int64_t horizon = qemu_clock_get_ns(QEMU_CLOCK_VIRTUAL) +
                      (int64_t)(MAX_LATENCY_US + 32 * KiB) * SCALE_US;
    int i;

    if (s->completion_latency_us > MAX_LATENCY_US || s->bus_free_at > horizon) {
        return -EINVAL;
    }
    for (i = 0; i < QCOM_HIDMA_MAX_CHANNELS; i++) {
        if (!hidma_chan_state_valid(s, &s->ch[i], horizon)) {
            error_report("HIDMA channel %d: inconsistent state in the "
                         "migration stream", i);
            return -EINVAL;
        }
    }
    for (i = 0; i < s->num_channels; i++) {
        hidma_update_irq(&s->ch[i]);
    }
    hidma_kick(s);
    return 0;
}

static bool hidma_chan_knobs_needed(void *opaque)
{
    QcomHidmaChan *c = opaque;

    return c->fail_count || c->fail_cause != HIDMA_IRQ_DATA_RD_ERR ||
           c->hang_next_reset || c->ev_write_fail || c->suspend_delay_us;
}

/* fault injection armed by a test (its counters are not migrated) */
static const VMStateDescription vmstate_hidma_chan_knobs = {
    .name = "qcom-hidma-channel/test-knobs",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = hidma_chan_knobs_needed,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(fail_cause, QcomHidmaChan),
        VMSTATE_UINT32(fail_count, QcomHidmaChan),
        VMSTATE_BOOL(hang_next_reset, QcomHidmaChan),
        VMSTATE_BOOL(ev_write_fail, QcomHidmaChan),
        VMSTATE_UINT32(suspend_delay_us, QcomHidmaChan),
        VMSTATE_TIMER_PTR(suspend_timer, QcomHidmaChan),
        VMSTATE_END_OF_LIST()
    }
};

static bool hidma_chan_msi_needed(void *opaque)
{
    QcomHidmaChan *c = opaque;

    return c->msi_sent != 0;
}

/* the causes already signalled by MSI, not to be signalled twice */
static const VMStateDescription vmstate_hidma_chan_msi = {
    .name = "qcom-hidma-channel/msi",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = hidma_chan_msi_needed,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(msi_sent, QcomHidmaChan),
        VMSTATE_END_OF_LIST()
    }
};

static const VMStateDescription vmstate_hidma_chan = {
    .name = "qcom-hidma-channel",
    .version_id = 5,
    .minimum_version_id = 5,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(tr_state, QcomHidmaChan),
        VMSTATE_UINT32(tr_cmd, QcomHidmaChan),
        VMSTATE_UINT32_ARRAY(trca, QcomHidmaChan, QCOM_HIDMA_CH_R_MAX),
        VMSTATE_UINT32(tr_read_off, QcomHidmaChan),
        VMSTATE_BOOL(tr_reset_busy, QcomHidmaChan),
        VMSTATE_BOOL(tr_reset_hung, QcomHidmaChan),
        VMSTATE_TIMER_PTR(tr_reset_timer, QcomHidmaChan),
        VMSTATE_UINT32(ev_state, QcomHidmaChan),
        VMSTATE_UINT32(ev_cmd, QcomHidmaChan),
        VMSTATE_UINT32_ARRAY(evca, QcomHidmaChan, QCOM_HIDMA_CH_R_MAX),
        VMSTATE_BOOL(ev_reset_busy, QcomHidmaChan),
        VMSTATE_BOOL(ev_reset_hung, QcomHidmaChan),
        VMSTATE_TIMER_PTR(ev_reset_timer, QcomHidmaChan),
        VMSTATE_BOOL(cur_valid, QcomHidmaChan),
        VMSTATE_UINT32(cur_off, QcomHidmaChan),
        VMSTATE_UINT32_ARRAY(cur_tre, QcomHidmaChan, 8),
        VMSTATE_UINT32(cur_done, QcomHidmaChan),
        VMSTATE_BOOL(cpl_pending, QcomHidmaChan),
        VMSTATE_UINT32(cpl_cause, QcomHidmaChan),
        VMSTATE_INT64(cpl_deadline, QcomHidmaChan),
        VMSTATE_INT64(wrr_credit, QcomHidmaChan),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * []) {
        &vmstate_hidma_chan_knobs,
        &vmstate_hidma_chan_msi,
        NULL
    }
};

static bool hidma_pacing_needed(void *opaque)
{
    QcomHidmaState *s = opaque;

    return s->completion_latency_us || s->bus_bytes_per_us;
}

/* the paced bus and completion latency that a test chose */
static const VMStateDescription vmstate_hidma_pacing = {
    .name = "qcom-hidma/pacing",
    .version_id = 1,
    .minimum_version_id = 1,
    .needed = hidma_pacing_needed,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32(completion_latency_us, QcomHidmaState),
        VMSTATE_UINT32(bus_bytes_per_us, QcomHidmaState),
        VMSTATE_END_OF_LIST()
    }
};

/*
 * The thread's batches are not in the stream: their bytes land first.
 * The VM stop before the device state is saved has drained them already.
 */
static int hidma_pre_save(void *opaque)
{
    hidma_copies_drain(opaque, "migration");
    return 0;
}

static const VMStateDescription vmstate_hidma = {
    .name = TYPE_QCOM_HIDMA,
    /* v5: register banks as arrays (register API) */
    .version_id = 5,
    .minimum_version_id = 5,
    .pre_save = hidma_pre_save,
    .post_load = hidma_post_load,
    .fields = (VMStateField[]) {
        VMSTATE_UINT32_ARRAY(mgmt, QcomHidmaState, QCOM_HIDMA_MGMT_R_MAX),
        VMSTATE_INT64(bus_free_at, QcomHidmaState),
        VMSTATE_TIMER_PTR(engine_timer, QcomHidmaState),
        VMSTATE_STRUCT_ARRAY(ch, QcomHidmaState, QCOM_HIDMA_MAX_CHANNELS, 5,
                             vmstate_hidma_chan, QcomHidmaChan),
        VMSTATE_END_OF_LIST()
    },
    .subsections = (const VMStateDescription * []) {
        &vmstate_hidma_pacing,
        NULL
    }
};

static void hidma_class_init(ObjectClass *klass, void *data)
{
    DeviceClass *dc = DEVICE_CLASS(klass);
    ResettableClass *rc = RESETTABLE_CLASS(klass);
    int i;

    dc->desc = "Qualcomm Technologies HIDMA engine";
    dc->realize = hidma_realize;
    dc->unrealize = hidma_unrealize;
    rc->phases.enter = hidma_reset_enter;
    rc->phases.hold = hidma_reset_hold;
    dc->vmsd = &vmstate_hidma;
    dc->user_creatable = true;
    set_bit(DEVICE_CATEGORY_MISC, dc->categories);

    device_class_set_props(dc, hidma_properties);
    for (i = 0; i < ARRAY_SIZE(hidma_reg_props); i++) {
        object_class_property_add(klass, hidma_reg_props[i], "uint32",
                                  hidma_get_reg_prop, NULL, NULL,
                                  (void *)(intptr_t)i);
    }
}

static const TypeInfo hidma_info = {
    .name = TYPE_QCOM_HIDMA,
    .parent = TYPE_SYS_BUS_DEVICE,
    .instance_size = sizeof(QcomHidmaState),
    .instance_init = hidma_instance_init,
    .instance_finalize = hidma_instance_finalize,
    .class_init = hidma_class_init,
};

static void hidma_register_types(void)
{
    type_register_static(&hidma_info);
}

type_init(hidma_register_types)
