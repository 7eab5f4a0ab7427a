/* SPDX-License-Identifier: MIT */
/* RTCP termination per leg (worker thread).
 *
 * From a sender: SRs update the LSR of that source (for the bridge's own RRs) and are
 * forwarded, reduced to their sender info, to the conference's receivers (SSRCs are not
 * rewritten, so lip-sync mapping stays valid). From a receiver: PLI/FIR and NACK go to the
 * endpoint that sends the media SSRC (found among this worker's endpoints, otherwise handed
 * to the other workers of the conference); keyframe requests are rate-limited per source at
 * the sender's worker, which sees the requests of every receiver. Receivers' RRs, REMB,
 * transport-cc, SDES, BYE, APP and XR are consumed here. The bridge sends each sender one RR
 * compound per second (from the worker tick) about every source it receives from it, and
 * transport-cc feedback every tick (50 ms) about every transport-wide sequence number.
 * Nothing here allocates: packets are built in stack buffers and protected in the worker's
 * tx buffer. */
#include "bridge/media/media-priv.h"

#include <string.h>

#include "common/rtp/rtcp.h"

#define BRIDGE_CNAME "parley-bridge"
#define MAX_NACK_FCI 256 /* bytes: 64 (PID, BLP) pairs, far more than any real NACK */

BridgeEndpoint *bridge_rtcp_find_owner(BridgeWorkerConf *conf, guint32 ssrc)
{
    for (guint i = 0; i < conf->endpoints->len; i++) {
        BridgeEndpoint *ep = g_ptr_array_index(conf->endpoints, i);
        if (!ep->dead && bridge_endpoint_source(ep, ssrc, FALSE))
            return ep;
    }
    return NULL;
}

void bridge_rtcp_deliver_feedback(BridgeEndpoint *owner, BridgeFeedbackType type, guint32 ssrc,
                                  const guint8 *fci, gsize fci_len, gint64 now_us)
{
    BridgeWorker *w = owner->worker;
    BridgeSource *s = bridge_endpoint_source(owner, ssrc, FALSE);
    if (!s || !owner->connected)
        return;
    guint32 me = w->media->bridge_ssrc;
    guint8 buf[12 + MAX_NACK_FCI];
    gsize n = 0;
    switch (type) {
    case BRIDGE_FB_PLI:
    case BRIDGE_FB_FIR:
        if (s->last_keyframe_req_us &&
            now_us - s->last_keyframe_req_us < BRIDGE_KEYFRAME_REQ_MIN_US)
            return; /* another receiver asked moments ago: one keyframe serves all */
        s->last_keyframe_req_us = now_us;
        if (type == BRIDGE_FB_PLI) {
            n = pa_rtcp_write_pli(buf, sizeof buf, me, ssrc);
        } else {
            PaRtcpFirEntry e = {.ssrc = ssrc, .seq_nr = ++s->fir_seq};
            n = pa_rtcp_write_fir(buf, sizeof buf, me, &e, 1);
        }
        BRIDGE_STAT_ADD(w->stats.keyframe_requests, 1);
        break;
    case BRIDGE_FB_NACK:
        /* The FCI's (PID, BLP) pairs stay valid: sequence numbers are not rewritten. */
        if (fci_len < 4 || fci_len > MAX_NACK_FCI || fci_len % 4)
            return;
        buf[0] = 0x80 | PA_RTCP_RTPFB_NACK;
        buf[1] = PA_RTCP_RTPFB;
        pa_wr16(buf + 2, (guint16)((12 + fci_len) / 4 - 1));
        pa_wr32(buf + 4, me);
        pa_wr32(buf + 8, ssrc);
        memcpy(buf + 12, fci, fci_len);
        n = 12 + fci_len;
        BRIDGE_STAT_ADD(w->stats.nacks_forwarded, 1);
        break;
    }
    if (n)
        bridge_forward_send_clear(w, owner, buf, n, TRUE);
}

static void route_feedback(BridgeEndpoint *from, BridgeFeedbackType type, guint32 ssrc,
                           const guint8 *fci, gsize fci_len, gint64 now_us)
{
    BridgeWorkerConf *c = from->conf;
    if (!c)
        return;
    if (type == BRIDGE_FB_NACK && bridge_video_nack(from, ssrc, fci, fci_len))
        return; /* a projected source: answered from the bridge's cache */
    if (type != BRIDGE_FB_NACK)
        ssrc = bridge_video_keyframe_ssrc(from, ssrc);
    BridgeEndpoint *owner = bridge_rtcp_find_owner(c, ssrc);
    if (owner && owner != from) {
        bridge_rtcp_deliver_feedback(owner, type, ssrc, fci, fci_len, now_us);
        return;
    }
    if (owner == from || !bridge_forward_feedback_remote(from->worker, c, type, ssrc, fci, fci_len))
        bridge_worker_drop(from->worker, BRIDGE_DROP_NO_RECEIVER);
}

/* Sender report from @ep: remember LSR, forward the sender info to the receivers. */
static void handle_sr(BridgeEndpoint *ep, const guint8 *buf, const PaRtcpPacket *p, gint64 now_us)
{
    PaRtcpSr sr;
    if (pa_rtcp_parse_sr(buf, p, &sr) != PA_RTCP_OK)
        return;
    bridge_egress_report_blocks(ep, buf, sr.blocks_offset, sr.report_count, now_us);
    BridgeSource *s = bridge_endpoint_source(ep, sr.ssrc, FALSE);
    if (s)
        bridge_recv_stats_sr(&s->rx, (guint32)(sr.ntp >> 32), (guint32)sr.ntp, now_us);
    guint8 out[28];
    gsize n = pa_rtcp_write_sr(out, sizeof out, &sr, NULL, 0);
    if (n && s && s->vslot && ep->conf) {
        /* A projected source: each receiver gets it rewritten to its projection, and only
         * about the encoding it is sent (an RTX stream's report goes nowhere). */
        if (!s->rtx) {
            BridgeVideoTag tag = {.vidx = ep->video[s->vslot - 1]->src.vidx};
            tag.info.enc = s->enc;
            bridge_video_fanout_sr(ep->worker, ep->conf, ep, tag.vidx, s->enc, out, n);
            bridge_forward_push_tagged(ep->worker, ep->conf, BRIDGE_RING_RTCP_FWD, out, n, &tag);
            BRIDGE_STAT_ADD(ep->worker->stats.sr_forwarded, 1);
        }
    } else if (n) {
        bridge_forward_fanout(ep->worker, ep, BRIDGE_RING_RTCP_FWD, out, n);
        BRIDGE_STAT_ADD(ep->worker->stats.sr_forwarded, 1);
    }
}

void bridge_rtcp_recv(BridgeEndpoint *ep, const guint8 *buf, gsize len, gint64 now_us)
{
    BridgeWorker *w = ep->worker;
    BRIDGE_STAT_ADD(w->stats.rtcp_in, 1);
    PaRtcpIter it;
    PaRtcpPacket p;
    PaRtcpStatus st;
    if (pa_rtcp_iter_init(&it, buf, len) != PA_RTCP_OK) {
        bridge_worker_drop(w, BRIDGE_DROP_MALFORMED);
        return;
    }
    while ((st = pa_rtcp_iter_next(&it, &p)) == PA_RTCP_OK) {
        switch (p.type) {
        case PA_RTCP_SR:
            handle_sr(ep, buf, &p, now_us);
            break;
        case PA_RTCP_RTPFB:
            if (p.count == PA_RTCP_RTPFB_NACK) {
                PaRtcpNack nack;
                /* More than MAX_NACK_FCI bytes of pairs is not a real NACK: keep the first. */
                if (pa_rtcp_parse_nack(buf, &p, &nack) == PA_RTCP_OK)
                    route_feedback(ep, BRIDGE_FB_NACK, nack.fb.media_ssrc, buf + nack.fb.fci_offset,
                                   MIN(nack.pair_count * 4u, (unsigned)MAX_NACK_FCI), now_us);
            } else if (p.count == PA_RTCP_RTPFB_TCC)
                /* About the bridge's leg to this receiver: its estimate (egress-cc.c). Never
                 * forwarded: each sender gets the bridge's own feedback about its leg. */
                bridge_egress_feedback(ep, buf, &p, now_us);
            break;
        case PA_RTCP_PSFB:
            if (p.count == PA_RTCP_PSFB_PLI) {
                PaRtcpFb fb;
                if (pa_rtcp_parse_pli(buf, &p, &fb) == PA_RTCP_OK)
                    route_feedback(ep, BRIDGE_FB_PLI, fb.media_ssrc, NULL, 0, now_us);
            } else if (p.count == PA_RTCP_PSFB_FIR) {
                PaRtcpFir fir;
                if (pa_rtcp_parse_fir(buf, &p, &fir) == PA_RTCP_OK) {
                    for (unsigned i = 0; i < fir.entry_count && i < 8; i++) {
                        PaRtcpFirEntry e;
                        pa_rtcp_fir_entry(buf, &fir, i, &e);
                        route_feedback(ep, BRIDGE_FB_FIR, e.ssrc, NULL, 0, now_us);
                    }
                }
            }
            break; /* REMB: consumed */
        case PA_RTCP_RR: {
            PaRtcpRr rr;
            if (pa_rtcp_parse_rr(buf, &p, &rr) == PA_RTCP_OK)
                bridge_egress_report_blocks(ep, buf, rr.blocks_offset, rr.report_count, now_us);
            break; /* terminated here; its blocks about SRs the bridge forwarded give the RTT */
        }
        default:
            break; /* SDES, BYE, APP, XR: terminated here */
        }
    }
    if (st != PA_RTCP_END)
        bridge_worker_drop(w, BRIDGE_DROP_MALFORMED);
}

void bridge_rtcp_send_receiver_report(BridgeEndpoint *ep, gint64 now_us)
{
    if (!ep->connected || ep->dead)
        return;
    PaRtcpReportBlock blocks[PA_RTCP_MAX_REPORT_BLOCKS];
    unsigned n = 0;
    for (guint i = 0; i < ep->n_sources && n < G_N_ELEMENTS(blocks); i++) {
        BridgeSource *s = &ep->sources[i];
        if (s->seen && bridge_recv_stats_report(&s->rx, s->ssrc, now_us, &blocks[n]))
            n++;
    }
    if (n == 0)
        return;
    guint8 buf[8 + PA_RTCP_MAX_REPORT_BLOCKS * PA_RTCP_REPORT_BLOCK_LEN + 32];
    guint32 me = ep->worker->media->bridge_ssrc;
    gsize off = pa_rtcp_write_rr(buf, sizeof buf, me, blocks, n);
    if (!off)
        return;
    gsize sdes = pa_rtcp_write_sdes_cname(buf + off, sizeof buf - off, me, BRIDGE_CNAME,
                                          strlen(BRIDGE_CNAME));
    if (!sdes)
        return;
    bridge_forward_send_clear(ep->worker, ep, buf, off + sdes, TRUE);
    BRIDGE_STAT_ADD(ep->worker->stats.rr_sent, 1);
}

static void emit_tcc(const guint8 *pkt, gsize len, gpointer data)
{
    BridgeEndpoint *ep = data;
    bridge_forward_send_clear(ep->worker, ep, pkt, len, TRUE);
    BRIDGE_STAT_ADD(ep->worker->stats.tcc_feedback_sent, 1);
}

void bridge_rtcp_send_transport_feedback(BridgeEndpoint *ep)
{
    if (!ep->connected || ep->dead)
        return;
    bridge_tcc_recv_build(&ep->tcc, ep->worker->media->bridge_ssrc, ep->worker->tcc_scratch,
                          emit_tcc, ep);
}
