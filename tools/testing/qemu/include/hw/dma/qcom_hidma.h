/*
 * Qualcomm Technologies HIDMA (management block + DMA channels)
 *
 * Copyright (c) 2025 The HIDMA project contributors
 *
 * SPDX-License-Identifier: GPL-2.0-or-later
 */

#ifndef HW_DMA_QCOM_HIDMA_H
#define HW_DMA_QCOM_HIDMA_H

#include "hw/sysbus.h"
#include "hw/register.h"
#include "qemu/thread.h"
#include "qom/object.h"

#define TYPE_QCOM_HIDMA "qcom-hidma"
OBJECT_DECLARE_SIMPLE_TYPE(QcomHidmaState, QCOM_HIDMA)

#define QCOM_HIDMA_MAX_CHANNELS     16
#define QCOM_HIDMA_WINDOW_SIZE      0x1000
/* the copy thread moves one batch while the engine fills the next */
#define QCOM_HIDMA_COPY_BATCHES     2
/* register banks, in 32-bit words: up to QOS15 and up to the doorbell */
#define QCOM_HIDMA_MGMT_R_MAX       (0x700 / 4 + QCOM_HIDMA_MAX_CHANNELS)

/*
 * Channel registers, TRCA and EVCA windows.  Besides the model, the board's
 * ACPI tables use them: a channel's _RST method resets it as software does.
 */
#define HIDMA_CH_CTRLSTS            0x000
#define HIDMA_CH_RING_LOW           0x008
#define HIDMA_CH_RING_HIGH          0x00c
#define HIDMA_CH_RING_LEN           0x010
#define HIDMA_CH_DOORBELL           0x400
#define QCOM_HIDMA_CH_R_MAX         (HIDMA_CH_DOORBELL / 4 + 1)

/* TRCA only: the channel index, at 0x040 on the identity revision (1.2) */
#define HIDMA_TRCA_CHID             0x028
#define HIDMA_TRCA_IDENTITY         0x040

/* EVCA only */
#define HIDMA_EVCA_INTCTRL          0x004
#define HIDMA_EVCA_WRITE_PTR        0x020
#define HIDMA_EVCA_IRQ_STAT         0x100
#define HIDMA_EVCA_IRQ_CLR          0x108
#define HIDMA_EVCA_IRQ_EN           0x110
#define HIDMA_EVCA_MSI_ADDR_LOW     0x118
#define HIDMA_EVCA_MSI_ADDR_HIGH    0x11c
#define HIDMA_EVCA_MSI_DATA         0x120

/* INTCTRL mode field: MSI (revisions 1.1 and later) or the wired line */
#define HIDMA_INTCTRL_MSI           0
#define HIDMA_INTCTRL_WIRED         1

#define HIDMA_CMD_DISABLE           0
#define HIDMA_CMD_ENABLE            1
#define HIDMA_CMD_SUSPEND           2
#define HIDMA_CMD_RESET             9

#define HIDMA_ST_DISABLED           0
#define HIDMA_ST_ENABLED            1
#define HIDMA_ST_RUNNING            2
#define HIDMA_ST_SUSPENDED          3
#define HIDMA_ST_STOPPED            4

#define HIDMA_IRQ_EOB               0
#define HIDMA_IRQ_EV_WR_ERR         1
#define HIDMA_IRQ_TRE_RD_ERR        9
#define HIDMA_IRQ_DATA_RD_ERR       10
#define HIDMA_IRQ_DATA_WR_ERR       11
#define HIDMA_IRQ_INVALID_TRE       14
#define HIDMA_IRQ_ALL_MASK          (BIT(HIDMA_IRQ_EOB) | \
                                     BIT(HIDMA_IRQ_EV_WR_ERR) | \
                                     BIT(HIDMA_IRQ_TRE_RD_ERR) | \
                                     BIT(HIDMA_IRQ_DATA_RD_ERR) | \
                                     BIT(HIDMA_IRQ_DATA_WR_ERR) | \
                                     BIT(HIDMA_IRQ_INVALID_TRE))

/*
 * Sysbus layout.  In host mode region 0 is the management block and
 * channel N owns regions 1 + 2N (TRCA) and 2 + 2N (EVCA).  In guest mode
 * the management block is not exposed at all (it belongs to the host), so
 * channel N owns regions 2N (TRCA) and 2N + 1 (EVCA).  IRQ N is channel N.
 */
static inline int qcom_hidma_trca_region(bool guest_mode, int ch)
{
    return (guest_mode ? 0 : 1) + 2 * ch;
}

static inline int qcom_hidma_evca_region(bool guest_mode, int ch)
{
    return qcom_hidma_trca_region(guest_mode, ch) + 1;
}

/* Sysbus IRQ n is channel n's; the management line (host mode) follows. */
static inline int qcom_hidma_mgmt_irq(int num_channels)
{
    return num_channels;
}

typedef struct QcomHidmaChan {
    QcomHidmaState *s;
    uint32_t idx;
    MemoryRegion trca_mr;
    MemoryRegion evca_mr;
    RegisterInfoArray *trca_regs;
    RegisterInfoArray *evca_regs;
    qemu_irq irq;
    QEMUTimer *tr_reset_timer;
    QEMUTimer *suspend_timer;   /* a delayed SUSPEND of the TRCA */
    QEMUTimer *ev_reset_timer;
    char *trca_name;
    char *evca_name;

    /* bus master: DMA goes to @dma_mr (link), system memory if unset */
    MemoryRegion *dma_mr;
    AddressSpace dma_as;
    AddressSpace *as;

    /*
     * Register banks.  The TRCA doorbell is software's next free TRE
     * offset, the EVCA doorbell how far software consumed events, and the
     * EVCA write pointer the hardware's next event slot.
     */
    uint32_t trca[QCOM_HIDMA_CH_R_MAX];
    RegisterInfo trca_info[QCOM_HIDMA_CH_R_MAX];
    uint32_t evca[QCOM_HIDMA_CH_R_MAX];
    RegisterInfo evca_info[QCOM_HIDMA_CH_R_MAX];

    /* transfer channel (TRCA) */
    uint32_t tr_state;
    uint32_t tr_cmd;
    uint32_t tr_read_off;       /* hardware: next TRE to fetch */
    bool tr_reset_busy;
    bool tr_reset_hung;

    /* event channel (EVCA) */
    uint32_t ev_state;
    uint32_t ev_cmd;
    bool ev_reset_busy;
    bool ev_reset_hung;

    /* TRE in flight */
    bool cur_valid;
    uint32_t copies_inflight;   /* its pieces in the copy thread's batches */
    uint32_t events_deferred;   /* its events waiting for them */
    uint32_t cur_off;           /* ring offset of the TRE in flight */
    uint32_t cur_tre[8];
    uint32_t cur_done;          /* bytes moved so far */
    bool cpl_pending;           /* TRE done, event not posted yet */
    uint32_t cpl_cause;         /* 0 = success, else IRQ cause bit */
    int64_t cpl_deadline;

    /* arbitration */
    int64_t wrr_credit;

    /* counters */
    uint64_t bytes;
    uint64_t read_bursts;
    uint64_t write_bursts;
    uint64_t bus_grants;
    uint64_t contended_bytes;   /* moved while another channel waited */
    uint64_t tres_completed;
    uint64_t tres_failed;
    uint64_t resets;            /* RESET commands on the TRCA */
    uint64_t ring_hwm;          /* most TREs queued at once */
    uint64_t msis;              /* MSI writes issued */
    uint64_t msi_errors;        /* MSI writes the bus refused */
    /* what the driver costs: CPU accesses by window (trca, evca) */
    uint64_t mmio_reads[2];
    uint64_t mmio_writes[2];
    uint64_t doorbells;         /* TRCA doorbell writes */
    uint64_t irqs;              /* wired line assertions and MSIs */
    bool irq_level;             /* the wired line, for counting edges */
    /* MSI: causes signalled and not cleared or masked since */
    uint32_t msi_sent;

    /* fault injection */
    uint32_t fail_cause;
    uint32_t fail_count;
    bool hang_next_reset;
    bool ev_write_fail;         /* the current TRE's event write fails */
    uint32_t suspend_delay_us;  /* a TRCA SUSPEND takes effect this late */
} QcomHidmaChan;

/* bytes of RAM for the copy thread, and the events that wait for them */
typedef struct QcomHidmaBatch {
    GArray *copies;             /* of HidmaCopy */
    GArray *events;             /* of HidmaCopyEvent */
    uint64_t bytes;
} QcomHidmaBatch;

struct QcomHidmaState {
    SysBusDevice parent_obj;

    MemoryRegion mgmt_mr;
    qemu_irq mgmt_irq;
    QEMUBH *bh;
    QEMUTimer *engine_timer;
    VMChangeStateEntry *vmstate_change;

    /* configuration (command line) */
    uint32_t num_channels;
    bool guest_mode;
    uint32_t cfg_rd_burst;
    uint32_t cfg_wr_burst;
    uint32_t cfg_rd_xact;
    uint32_t cfg_wr_xact;
    uint32_t cfg_reset_cycles;
    uint32_t cfg_ver_major;
    uint32_t cfg_ver_minor;
    char *revision;             /* "1.0", "1.1" or "1.2" */
    uint32_t msi_devid_base;    /* ITS device ID of channel 0 */
    bool msi;                   /* from the revision */
    bool identity;

    /* management registers */
    uint32_t mgmt[QCOM_HIDMA_MGMT_R_MAX];
    RegisterInfo mgmt_info[QCOM_HIDMA_MGMT_R_MAX];
    RegisterInfoArray *mgmt_regs;

    /* global knobs (run time) */
    uint32_t completion_latency_us;
    uint32_t bus_bytes_per_us;

    /* bus model */
    int64_t bus_free_at;

    /* work of the engine run under way, and the most any run did */
    uint64_t run_cost;
    uint64_t run_cost_max;

    /*
     * Copy thread (unpaced engine): the engine maps batches of RAM pieces
     * under the BQL and the thread moves their bytes without it, oldest
     * first.  The BQL side owns @batch_head, @batches_submitted and
     * @building; a submitted batch is the thread's until it counts it in
     * @batches_copied (under @copy_lock).
     */
    bool copy_thread_on;        /* x-copy-thread */
    QemuThread copy_thread;
    QemuMutex copy_lock;
    QemuCond copy_cond;
    QcomHidmaBatch batch[QCOM_HIDMA_COPY_BATCHES];
    unsigned batch_head;        /* oldest batch submitted */
    unsigned batches_submitted; /* and not completed yet */
    QcomHidmaBatch *building;   /* what an engine run fills, or NULL */
    unsigned copy_pending;      /* submitted, not copied (copy_lock) */
    unsigned batches_copied;    /* copied, not completed (copy_lock) */
    unsigned copy_next;         /* the thread's next batch (thread only) */
    bool copy_hold;             /* x-copy-hold: a test holds the batches */
    bool copy_quit;
    QEMUBH *copy_done_bh;
    uint64_t copy_batches;      /* counters (x-copy-batches, ...) */
    uint64_t copy_inline_flushes;
    uint64_t copy_drains;

    QcomHidmaChan ch[QCOM_HIDMA_MAX_CHANNELS];
};

/*
 * Revisions, as firmware names them: 1.0 signals on its wired lines, 1.1
 * can signal MSIs, 1.2 also has the identity register.  Valid once the
 * device is realized.
 */
static inline bool qcom_hidma_has_msi(QcomHidmaState *s)
{
    return s->msi;
}

static inline const char *qcom_hidma_acpi_hid(QcomHidmaState *s)
{
    return s->identity ? "QCOM8063" : s->msi ? "QCOM8062" : "QCOM8061";
}

/* the devicetree compatible of the channels */
static inline const char *qcom_hidma_compatible(QcomHidmaState *s)
{
    return s->identity ? "qcom,hidma-1.2" :
           s->msi ? "qcom,hidma-1.1" : "qcom,hidma-1.0";
}

#endif
