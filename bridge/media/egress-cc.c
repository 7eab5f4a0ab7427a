/* SPDX-License-Identifier: MIT */
/* Bandwidth estimation toward each receiver (worker thread): the send side of transport-wide
 * congestion control (draft-holmer-rmcat-transport-wide-cc-extensions-01) on the legs the
 * bridge sends.
 *
 *  - Sequence space: each receiver has its own transport-wide sequence counter. Every RTP
 *    packet the bridge sends it (forwarded media of any sender, retransmissions, probe
 *    padding) that carries the transport-cc extension under the receiver's negotiated id gets
 *    the next number, written in place in the receiver's copy just before SRTP protect
 *    (bridge_forward_send_built), and is recorded in the receiver's estimator with its size
 *    on the wire. The senders' own numbers (their leg's) never reach a receiver.
 *  - Feedback: the receiver's transport-cc feedback (RTPFB FMT 15) is parsed into the worker's
 *    scratch array and fed to its estimator (bridge/cc/bwe.h); its receiver reports about the
 *    SRs the bridge forwarded it (LSR/DLSR) give the round-trip time.
 *  - Publication: every worker tick (50 ms) the estimate and its figures are stored with
 *    relaxed atomics in the endpoint's BridgeEpShared, where the control thread reads them for
 *    the allocation (bridge/control/selection.c), /metrics and /debug/endpoints; the control
 *    thread stores back what the receiver's ideal allocation costs (wanted_bps).
 *  - Probing: when the ideal allocation costs more than the estimate, the estimator says when a
 *    probe cluster is due (bridge_bwe_probe_due); for its duration (150 ms) the worker tops up
 *    what media already sends the receiver to the cluster's rate with padding-only RTP packets
 *    (RFC 3550 padding, 255 bytes, no payload) on the RTX stream the receiver knows for one of
 *    its forwarded video sources, paced every BRIDGE_PACE_US. A receiver without a negotiated
 *    RTX stream (or without the transport-cc extension) is not probed; its estimate then only
 *    grows with the media it gets.
 *
 * Nothing here allocates, locks or logs on the packet path: the estimator is created with the
 * endpoint, the feedback scratch array belongs to the worker. */
#include "bridge/media/media-priv.h"

#include "bridge/media/bwe-record.h"

#include <string.h>

#include "common/rtp/rtcp.h"
#include "common/rtp/rtp.h"

#define PADDING_LEN 255     /* RTP padding bytes per probe packet (the most RFC 3550 allows) */
#define PACE_MAX_PACKETS 32 /* padding packets per receiver per pacing step */
#define RTT_MAX_US 10000000

void bridge_egress_init(BridgeEndpoint *ep)
{
    ep->bwe = bridge_bwe_new(NULL);
    ep->tcc_out_seq = (guint16)g_random_int();
    if (ep->bwe)
        ep->bwe_rec = bridge_bwe_record_open(ep->conference_id, ep->endpoint_id);
}

void bridge_egress_clear(BridgeEndpoint *ep)
{
    if (ep->probe_end_us && ep->worker->n_probing)
        ep->worker->n_probing--;
    ep->probe_end_us = 0;
    g_clear_pointer(&ep->bwe, bridge_bwe_free);
    g_clear_pointer(&ep->bwe_rec, bridge_bwe_record_close);
}

gboolean bridge_egress_stamp(BridgeEndpoint *ep, guint8 *buf, gsize len, guint16 *seq)
{
    if (!ep->bwe || len < 12 || !(buf[0] & 0x10))
        return FALSE;
    guint8 id = pa_hdrext_map_id(&ep->hdrext, PA_HDREXT_TCC);
    if (!id)
        return FALSE;
    PaRtpHeader h;
    PaHdrextElem e;
    if (pa_rtp_parse(buf, len, &h) != PA_RTP_OK ||
        pa_hdrext_find(buf, &h, id, &e) != PA_HDREXT_OK ||
        pa_hdrext_write_tcc_seq(buf, &e, ep->tcc_out_seq) != PA_HDREXT_OK)
        return FALSE;
    *seq = ep->tcc_out_seq++;
    return TRUE;
}

void bridge_egress_sent(BridgeEndpoint *ep, guint16 seq, gsize size)
{
    /* The clock now, not the wake-up's: one wake-up may work through hundreds of datagrams
     * (longer still when the thread is preempted), and packets stamped with its start would
     * look as if the path queued them. Queued datagrams leave within a batch of 64. */
    gint64 now = g_get_monotonic_time();
    if (G_UNLIKELY(ep->bwe_rec))
        bridge_bwe_record_sent(ep->bwe_rec, seq, (guint32)size, now);
    bridge_bwe_on_sent(ep->bwe, seq, (guint32)size, now);
}

void bridge_egress_rtcp_out(BridgeEndpoint *ep, const guint8 *pkt, gsize len)
{
    if (len < 20 || pkt[1] != PA_RTCP_SR)
        return;
    guint i = ep->sr_pos++ % BRIDGE_SR_SENT_RING;
    ep->sr_sent[i].lsr = pa_rd32(pkt + 10); /* the NTP time's middle 32 bits */
    ep->sr_sent[i].sent_us = ep->worker->now_us;
}

void bridge_egress_feedback(BridgeEndpoint *ep, const guint8 *buf, const PaRtcpPacket *p,
                            gint64 now_us)
{
    if (!ep->bwe)
        return;
    BridgeWorker *w = ep->worker;
    PaRtcpTcc hdr;
    size_t n = 0;
    if (pa_tcc_parse(buf, p, &hdr, w->tcc_status, G_N_ELEMENTS(w->tcc_status), &n) != PA_RTCP_OK) {
        bridge_worker_drop(w, BRIDGE_DROP_MALFORMED);
        return;
    }
    if (G_UNLIKELY(ep->bwe_rec))
        bridge_bwe_record_feedback(ep->bwe_rec, w->tcc_status, n, now_us);
    bridge_bwe_on_feedback(ep->bwe, w->tcc_status, n, now_us);
    ep->bwe_fed = TRUE;
    BRIDGE_STAT_ADD(w->stats.tcc_feedback_in, 1);
}

void bridge_egress_report_blocks(BridgeEndpoint *ep, const guint8 *buf, guint32 blocks_offset,
                                 guint n, gint64 now_us)
{
    for (guint i = 0; i < n && ep->bwe; i++) {
        PaRtcpReportBlock rb;
        pa_rtcp_read_report_block(buf, blocks_offset, i, &rb);
        if (!rb.lsr)
            continue;
        for (guint k = 0; k < BRIDGE_SR_SENT_RING; k++) {
            if (ep->sr_sent[k].lsr != rb.lsr || !ep->sr_sent[k].sent_us)
                continue;
            gint64 rtt = now_us - ep->sr_sent[k].sent_us - (gint64)rb.dlsr * 1000000 / 65536;
            if (rtt > 0 && rtt < RTT_MAX_US) {
                ep->rtt_us = rtt;
                if (G_UNLIKELY(ep->bwe_rec))
                    bridge_bwe_record_rtt(ep->bwe_rec, rtt, now_us);
                bridge_bwe_set_rtt(ep->bwe, rtt);
            }
            break;
        }
    }
}

static void publish(BridgeEndpoint *ep)
{
    BridgeBweStats st;
    bridge_bwe_get_stats(ep->bwe, &st);
    BridgeMediaBwe *b = &ep->shared->bwe;
#define WR(f, v) __atomic_store_n(&b->f, (guint64)(v), __ATOMIC_RELAXED)
    WR(delay_bps, st.delay_bps);
    WR(loss_bps, st.loss_bps);
    WR(acked_bps, st.acked_bps);
    WR(rtt_us, ep->rtt_us);
    WR(loss_permille, st.loss_fraction * 1000.0 + 0.5);
    WR(packets_acked, st.packets_acked);
    WR(packets_lost, st.packets_lost);
    WR(probes, st.probes);
    WR(probes_succeeded, st.probes_succeeded);
    WR(overuses, st.overuses);
    WR(padding_bytes, ep->padding_bytes);
    WR(other_bps, ep->other_bps);
    WR(estimate_bps, MAX(st.estimate_bps, 1));
#undef WR
    if (G_UNLIKELY(ep->bwe_rec))
        bridge_bwe_record_estimate(ep->bwe_rec, st.estimate_bps, ep->worker->now_us);
}

/* The forwarded video source whose RTX stream carries @ep's padding, and that stream's
 * payload type (@ep's own mapping: what it negotiated). */
static BridgeRxVideo *padding_stream(BridgeEndpoint *ep, guint8 *pt)
{
    for (guint v = 0; v < ep->n_rxv; v++) {
        BridgeRxVideo *rv = ep->rxv[v];
        if (rv && rv->rtx_ssrc && rv->sent && ep->rtx_pt_by_apt[rv->last_pt & 127]) {
            *pt = ep->rtx_pt_by_apt[rv->last_pt & 127];
            return rv;
        }
    }
    return NULL;
}

static gboolean can_pad(BridgeEndpoint *ep)
{
    guint8 id = pa_hdrext_map_id(&ep->hdrext, PA_HDREXT_TCC), pt;
    return id >= 1 && id <= 14 && padding_stream(ep, &pt) != NULL;
}

/* One padding-only packet to @ep: its size on the wire, 0 when none could be sent. */
static gsize send_padding(BridgeWorker *w, BridgeEndpoint *ep)
{
    guint8 pt = 0;
    BridgeRxVideo *rv = padding_stream(ep, &pt);
    guint8 id = pa_hdrext_map_id(&ep->hdrext, PA_HDREXT_TCC);
    if (!rv || id < 1 || id > 14 || ep->fd < 0)
        return 0;
    /* One-byte form (RFC 8285): id, length - 1; the sequence is stamped on sending. */
    const guint8 ext[4] = {(guint8)(id << 4 | 1), 0, 0, 0};
    PaRtpBuild b = {
        .payload_type = pt,
        .seq = rv->rtx_seq,
        .timestamp = rv->last_ts,
        .ssrc = rv->rtx_ssrc,
        .extension = true,
        .ext_profile = 0xBEDE,
        .ext = ext,
        .ext_len = sizeof ext,
        .padding_len = PADDING_LEN,
    };
    guint8 *buf = bridge_tx_batch_next(w->tx);
    gsize len = pa_rtp_build(buf, BRIDGE_PKT_MAX, &b);
    if (!len)
        return 0;
    rv->rtx_seq++;
    guint64 before = ep->tx_bytes;
    bridge_forward_send_built(w, ep, buf, len);
    gsize sent = (gsize)(ep->tx_bytes - before);
    if (sent) {
        ep->padding_bytes += sent;
        BRIDGE_STAT_ADD(w->stats.padding_sent, 1);
        BRIDGE_STAT_ADD(w->stats.padding_bytes, sent);
    }
    return sent;
}

/* Tops @ep's probe cluster up to its rate until the end of the next pacing step. */
static void pace_one(BridgeWorker *w, BridgeEndpoint *ep, gint64 now)
{
    if (!ep->probe_end_us)
        return;
    if (now >= ep->probe_end_us || ep->dead || !ep->connected) {
        ep->probe_end_us = 0;
        if (w->n_probing)
            w->n_probing--;
        return;
    }
    gint64 until = MIN(now + BRIDGE_PACE_US, ep->probe_end_us) - ep->probe_start_us;
    guint64 due = ep->probe_rate_bps * (guint64)until / 8000000u;
    guint64 sent = ep->tx_bytes - ep->probe_tx_start;
    for (guint k = 0; k < PACE_MAX_PACKETS && sent < due; k++) {
        gsize n = send_padding(w, ep);
        if (!n)
            break;
        sent += n;
    }
}

/* Once a second: what the receiver gets besides projected video and padding. */
static void measure_other(BridgeEndpoint *ep, gint64 now)
{
    guint64 other = ep->tx_bytes - ep->video_tx_bytes - ep->padding_bytes;
    if (ep->other_mark_us && now - ep->other_mark_us < G_USEC_PER_SEC)
        return;
    if (ep->other_mark_us)
        ep->other_bps =
            (other - ep->other_mark) * 8 * G_USEC_PER_SEC / (guint64)(now - ep->other_mark_us);
    ep->other_mark = other;
    ep->other_mark_us = now;
}

void bridge_egress_tick(BridgeEndpoint *ep)
{
    if (!ep->bwe || !ep->shared)
        return;
    measure_other(ep, ep->worker->now_us);
    if (!ep->bwe_fed)
        return;
    publish(ep);
    BridgeWorker *w = ep->worker;
    if (ep->probe_end_us)
        return;
    guint64 wanted = __atomic_load_n(&ep->shared->wanted_bps, __ATOMIC_RELAXED);
    if (!wanted || wanted <= bridge_bwe_estimate(ep->bwe) || !can_pad(ep))
        return;
    BridgeBweProbe pr;
    gboolean due = bridge_bwe_probe_due(ep->bwe, wanted, w->now_us, &pr);
    if (G_UNLIKELY(ep->bwe_rec))
        bridge_bwe_record_probe(ep->bwe_rec, wanted, due, w->now_us);
    if (!due)
        return;
    ep->probe_start_us = w->now_us;
    ep->probe_end_us = w->now_us + pr.duration_us;
    ep->probe_rate_bps = pr.rate_bps;
    ep->probe_tx_start = ep->tx_bytes;
    w->n_probing++;
    BRIDGE_STAT_ADD(w->stats.probes, 1);
    pace_one(w, ep, w->now_us);
    if (!w->next_pace_us || w->next_pace_us > w->now_us + BRIDGE_PACE_US)
        w->next_pace_us = w->now_us + BRIDGE_PACE_US;
}

void bridge_egress_pace(BridgeWorker *w)
{
    guint pos = 0;
    BridgeEndpoint *ep;
    while (w->n_probing && (ep = bridge_handle_table_next(&w->endpoints, &pos)))
        pace_one(w, ep, w->now_us);
    w->next_pace_us = w->now_us + BRIDGE_PACE_US;
}
