/* SPDX-License-Identifier: MIT */
/* The receive path and the fan-out (worker thread).
 *
 * The worker reads a datagram from the media port into its receive batch and finds its
 * endpoint by source address (worker.c); here it is demultiplexed by its first byte
 * (RFC 7983): DTLS goes to the endpoint's BridgeDtls, RTP/RTCP is unprotected in place once,
 * where recvmmsg put it. Before that, an SSRC the endpoint neither announced nor sent before
 * is refused once its source table is full (ssrc_limit), so no SRTP stream is ever made for
 * it: libsrtp clones a stream per new SSRC on unprotect, and every receiver's outbound session
 * would clone one per forwarded SSRC too. Header extensions a receiver must not see
 * (sdes:mid, rid, repaired-rid) are overwritten with padding there, once per packet. RTP is
 * then sent to every other connected endpoint of the conference on this worker (copy into the
 * worker's tx buffer, protect with the receiver's context, send on its selected pair) and
 * posted once per other worker that has members into that worker's bounded inbox ring, which
 * repeats the local fan-out there.
 * Nothing here allocates, locks or logs: scratch buffers and ring slots exist from start. */
#include "bridge/media/media-priv.h"

#include <string.h>

#include "common/rtp/demux.h"
#include "common/rtp/hdrext.h"
#include "common/rtp/rtp.h"

void bridge_forward_send_clear(BridgeWorker *w, BridgeEndpoint *ep, const guint8 *pkt, gsize len,
                               gboolean rtcp)
{
    /* Too long, or no address any more (its peer's address went to another endpoint). */
    if (len > BRIDGE_PKT_MAX || ep->fd < 0) {
        bridge_worker_drop(w, BRIDGE_DROP_SRTP_PROTECT);
        return;
    }
    guint8 *buf = bridge_tx_batch_next(w->tx);
    memcpy(buf, pkt, len);
    if (!rtcp) {
        bridge_forward_send_built(w, ep, buf, len);
        return;
    }
    bridge_egress_rtcp_out(ep, buf, len);
    gsize l = len;
    if (bridge_srtp_protect_rtcp(ep->srtp, buf, &l, BRIDGE_TX_CAP) != BRIDGE_SRTP_OK) {
        bridge_worker_drop(w, BRIDGE_DROP_SRTP_PROTECT); /* the buffer is simply reused */
        return;
    }
    bridge_tx_batch_commit(w->tx, ep->fd, &ep->peer, ep->peer_len, l);
}

void bridge_forward_send_built(BridgeWorker *w, BridgeEndpoint *ep, guint8 *buf, gsize len)
{
    gsize l = len;
    if (ep->fd < 0) {
        bridge_worker_drop(w, BRIDGE_DROP_SRTP_PROTECT);
        return;
    }
    /* The receiver's own transport-wide sequence number (egress-cc.c), in its copy. */
    guint16 tseq = 0;
    gboolean stamped = bridge_egress_stamp(ep, buf, len, &tseq);
    if (bridge_srtp_protect(ep->srtp, buf, &l, BRIDGE_TX_CAP) != BRIDGE_SRTP_OK) {
        if (stamped)
            ep->tcc_out_seq--; /* not sent: the number goes to the next packet */
        bridge_worker_drop(w, BRIDGE_DROP_SRTP_PROTECT); /* the buffer is simply reused */
        return;
    }
    bridge_tx_batch_commit(w->tx, ep->fd, &ep->peer, ep->peer_len, l);
    BRIDGE_STAT_ADD(w->stats.rtp_forwarded, 1);
    /* Sizes as the path carries them: UDP and IP headers count (as in libwebrtc's GCC). */
    gsize wire = l + (ep->peer.ss_family == AF_INET6 ? 48 : 28);
    ep->tx_bytes += wire;
    if (stamped)
        bridge_egress_sent(ep, tseq, wire);
}

static void push_remote(BridgeWorker *w, guint dst, BridgeHandle conf, BridgeRingKind kind,
                        guint32 ssrc, guint8 aux, guint64 rest, const guint8 *pkt, gsize len)
{
    BridgeWorker *to = w->media->workers[dst];
    guint32 pos;
    BridgeRingSlot *slot = bridge_ring_reserve(to->inbox, &pos);
    if (!slot) {
        bridge_worker_drop(w, BRIDGE_DROP_QUEUE_FULL);
        return;
    }
    slot->rest = rest;
    slot->conf = conf;
    slot->ssrc = ssrc;
    slot->kind = kind;
    slot->aux = aux;
    slot->len = (guint16)len;
    if (len)
        memcpy(slot->data, pkt, len);
    if (bridge_ring_commit(to->inbox, pos))
        bridge_worker_wake(to);
}

/* Other workers with members of @c. */
static inline guint64 remote_mask(BridgeWorker *w, BridgeWorkerConf *c)
{
    return __atomic_load_n(&c->shared->worker_mask, __ATOMIC_ACQUIRE) &
           ~(G_GUINT64_CONSTANT(1) << w->index);
}

void bridge_forward_fanout(BridgeWorker *w, BridgeEndpoint *src, BridgeRingKind kind,
                           const guint8 *pkt, gsize len)
{
    BridgeWorkerConf *c = src->conf;
    if (!c)
        return;
    gboolean rtcp = kind == BRIDGE_RING_RTCP_FWD;
    /* Per receiver: whether this packet goes to it, and (with layer selection) how it is
     * rewritten for it, is decided here; today every connected receiver gets every packet
     * unchanged. */
    for (guint i = 0; i < c->endpoints->len; i++) {
        BridgeEndpoint *ep = g_ptr_array_index(c->endpoints, i);
        if (ep != src && ep->connected && !ep->dead)
            bridge_forward_send_clear(w, ep, pkt, len, rtcp);
    }
    guint64 mask = remote_mask(w, c);
    while (mask) {
        guint d = (guint)__builtin_ctzll(mask);
        mask &= mask - 1;
        push_remote(w, d, c->handle, kind, 0, 0, 0, pkt, len);
    }
}

void bridge_forward_push_tagged(BridgeWorker *w, BridgeWorkerConf *c, BridgeRingKind kind,
                                const guint8 *pkt, gsize len, const BridgeVideoTag *tag)
{
    guint64 mask = remote_mask(w, c);
    while (mask) {
        guint d = (guint)__builtin_ctzll(mask);
        mask &= mask - 1;
        BridgeWorker *to = w->media->workers[d];
        guint32 pos;
        BridgeRingSlot *slot = bridge_ring_reserve(to->inbox, &pos);
        if (!slot) {
            bridge_worker_drop(w, BRIDGE_DROP_QUEUE_FULL);
            continue;
        }
        slot->rest = 0;
        slot->conf = c->handle;
        slot->ssrc = 0;
        slot->kind = kind;
        slot->aux = 1;
        slot->len = (guint16)len;
        memcpy(slot->data, pkt, len);
        memcpy(slot->data + len, tag, sizeof *tag);
        if (bridge_ring_commit(to->inbox, pos))
            bridge_worker_wake(to);
    }
}

/* Feedback for a media SSRC not sent from this worker: ask the other workers of the conference
 * one after the other (lowest index first). The last one asked counts it as no_receiver when
 * nobody owns the SSRC, so each unroutable request is counted exactly once. Feedback is rare,
 * so the extra hops cost nothing that matters. */
static gboolean feedback_next_hop(BridgeWorker *w, BridgeHandle conf, guint64 candidates,
                                  guint8 type, guint32 ssrc, const guint8 *fci, gsize fci_len)
{
    candidates &= ~(G_GUINT64_CONSTANT(1) << w->index);
    if (!candidates)
        return FALSE;
    guint d = (guint)__builtin_ctzll(candidates);
    push_remote(w, d, conf, BRIDGE_RING_FEEDBACK, ssrc, type,
                candidates & ~(G_GUINT64_CONSTANT(1) << d), fci, fci_len);
    return TRUE;
}

gboolean bridge_forward_feedback_remote(BridgeWorker *w, BridgeWorkerConf *c, guint8 type,
                                        guint32 ssrc, const guint8 *fci, gsize fci_len)
{
    return feedback_next_hop(w, c->handle, remote_mask(w, c), type, ssrc, fci, fci_len);
}

/* PLI to every video source of @c's local senders but @skip (rate-limited per source). */
static void request_local_keyframes(BridgeWorker *w, BridgeWorkerConf *c, BridgeEndpoint *skip)
{
    for (guint i = 0; i < c->endpoints->len; i++) {
        BridgeEndpoint *ep = g_ptr_array_index(c->endpoints, i);
        if (ep == skip || ep->dead || !ep->connected)
            continue;
        for (guint j = 0; j < ep->n_sources; j++)
            if (ep->sources[j].video && ep->sources[j].seen)
                bridge_rtcp_deliver_feedback(ep, BRIDGE_FB_PLI, ep->sources[j].ssrc, NULL, 0,
                                             w->now_us);
    }
}

void bridge_forward_request_keyframes(BridgeWorker *w, BridgeWorkerConf *c, BridgeEndpoint *skip)
{
    request_local_keyframes(w, c, skip);
    guint64 mask = remote_mask(w, c);
    while (mask) {
        guint d = (guint)__builtin_ctzll(mask);
        mask &= mask - 1;
        push_remote(w, d, c->handle, BRIDGE_RING_KEYFRAME, 0, 0, 0, NULL, 0);
    }
}

void bridge_forward_ring_slot(BridgeWorker *w, const BridgeRingSlot *slot)
{
    BridgeWorkerConf *c = bridge_handle_table_get(&w->confs, slot->conf);
    if (slot->kind == BRIDGE_RING_KEYFRAME) {
        if (c)
            request_local_keyframes(w, c, NULL);
        return;
    }
    if (!c) {
        /* The conference left this worker meanwhile. */
        if (slot->kind == BRIDGE_RING_FEEDBACK &&
            !feedback_next_hop(w, slot->conf, slot->rest, slot->aux, slot->ssrc, slot->data,
                               slot->len))
            bridge_worker_drop(w, BRIDGE_DROP_NO_RECEIVER);
        return;
    }
    switch (slot->kind) {
    case BRIDGE_RING_RTP:
    case BRIDGE_RING_RTCP_FWD:
        if (slot->aux == 1) { /* a projected video source's: with its tag */
            BridgeVideoTag tag;
            memcpy(&tag, slot->data + slot->len, sizeof tag);
            if (slot->kind == BRIDGE_RING_RTP)
                bridge_video_ring_rtp(w, c, slot->data, slot->len, &tag);
            else
                bridge_video_fanout_sr(w, c, NULL, tag.vidx, tag.info.enc, slot->data, slot->len);
            break;
        }
        for (guint i = 0; i < c->endpoints->len; i++) {
            BridgeEndpoint *ep = g_ptr_array_index(c->endpoints, i);
            if (ep->connected && !ep->dead)
                bridge_forward_send_clear(w, ep, slot->data, slot->len,
                                          slot->kind == BRIDGE_RING_RTCP_FWD);
        }
        break;
    case BRIDGE_RING_FEEDBACK: {
        BridgeEndpoint *owner = bridge_rtcp_find_owner(c, slot->ssrc);
        if (owner)
            bridge_rtcp_deliver_feedback(owner, slot->aux, slot->ssrc, slot->data, slot->len,
                                         w->now_us);
        else if (!feedback_next_hop(w, slot->conf, slot->rest, slot->aux, slot->ssrc, slot->data,
                                    slot->len))
            bridge_worker_drop(w, BRIDGE_DROP_NO_RECEIVER);
        break;
    }
    }
}

/* Header extensions of one authenticated RTP packet from @ep, read with the endpoint's
 * negotiated ids, and removal of those no receiver may see (sdes:mid, rid, repaired-rid: see
 * pa_hdrext_strip()) from @pkt in place, before the fan-out copies it. FALSE when the block
 * is malformed (the packet is dropped: no receiver should have to guess where it ends). */
static gboolean read_hdrext(BridgeEndpoint *ep, const PaRtpHeader *h, guint8 *pkt,
                            PaHdrextFound *found)
{
    PaHdrextStatus st = pa_hdrext_collect(pkt, h, &ep->hdrext, found);
    if (st == PA_HDREXT_ERR_MALFORMED)
        return FALSE;
    if (st != PA_HDREXT_OK) {
        found->present = 0; /* a foreign profile: nothing of ours in it, forwarded as is */
        return TRUE;
    }
    /* Browsers send mid/rid only until the bridge's receiver reports acknowledge the SSRC,
     * so the second walk is rare; the first one already told whether it is needed. */
    if (found->present & PA_HDREXT_SENDER_LOCAL_KINDS) {
        pa_hdrext_strip(pkt, h, &ep->hdrext, PA_HDREXT_SENDER_LOCAL_KINDS, NULL);
        BRIDGE_STAT_ADD(ep->worker->stats.hdrext_stripped, 1);
    }
    return TRUE;
}

/* Source bookkeeping for one authenticated RTP packet from @ep (@s: its source, NULL when new:
 * there is room, ssrc_admitted() checked). */
static BridgeSource *account_rtp(BridgeEndpoint *ep, BridgeSource *s, const PaRtpHeader *h,
                                 const guint8 *pkt, const PaHdrextFound *found, gint64 now)
{
    if (!s) {
        s = bridge_endpoint_source(ep, h->ssrc, TRUE);
        if (s && ep->n_video)
            bridge_video_map_sources(ep);
    }
    bool voice = false;
    uint8_t level = 127;
    gboolean has_level = pa_hdrext_found_has(found, PA_HDREXT_AUDIO_LEVEL) &&
                         pa_hdrext_read_audio_level(pkt, &found->elem[PA_HDREXT_AUDIO_LEVEL],
                                                    &voice, &level) == PA_HDREXT_OK;
    uint16_t tcc;
    if (pa_hdrext_found_has(found, PA_HDREXT_TCC) &&
        pa_hdrext_read_tcc_seq(pkt, &found->elem[PA_HDREXT_TCC], &tcc) == PA_HDREXT_OK)
        bridge_tcc_recv_record(&ep->tcc, tcc, h->ssrc, ep->worker->rx_at_us);
    /* The transport-cc sequence is the sender's leg's: each receiver's copy is renumbered in
     * that receiver's own sequence space when it is sent (egress-cc.c). */
    if (has_level && ep->shared)
        bridge_ep_shared_push_level(ep->shared, now / 1000, level);
    if (!s)
        return NULL;
    if (!s->seen) {
        s->seen = TRUE;
        if (!s->announced)
            s->video = !has_level;
        bridge_recv_stats_init(&s->rx, s->video ? 90000 : 48000);
    }
    if (has_level) {
        s->audio_level = level;
        s->voice = voice;
    }
    bridge_recv_stats_update(&s->rx, h->seq, h->timestamp, now);
    return s;
}

/* Whether an SRTP/SRTCP packet from @ep may be unprotected: its SSRC (RTP) or sender SSRC
 * (RTCP) is one of the endpoint's sources, or there is room to learn it. *@src is the RTP
 * source when known. */
static gboolean ssrc_admitted(BridgeEndpoint *ep, const guint8 *buf, gsize len, gboolean rtcp,
                              BridgeSource **src)
{
    *src = NULL;
    if (len < 12)
        return TRUE; /* not RTP/RTCP at all: SRTP says malformed */
    guint32 ssrc = pa_rd32(buf + (rtcp ? 4 : 8));
    *src = bridge_endpoint_source(ep, ssrc, FALSE);
    if (*src || (!rtcp && ep->n_sources < BRIDGE_EP_MAX_SSRCS))
        return TRUE;
    if (!rtcp)
        return FALSE;
    for (guint i = 0; i < ep->n_rtcp_ssrcs; i++)
        if (ep->rtcp_ssrcs[i] == ssrc)
            return TRUE;
    return ep->n_rtcp_ssrcs < BRIDGE_EP_MAX_RTCP_SSRCS;
}

/* An authenticated RTCP compound from a sender SSRC that is no source of @ep: a receive-only
 * peer's reporting SSRC, remembered (there is room: ssrc_admitted). */
static void learn_rtcp_ssrc(BridgeEndpoint *ep, const guint8 *pkt)
{
    guint32 ssrc = pa_rd32(pkt + 4);
    for (guint i = 0; i < ep->n_rtcp_ssrcs; i++)
        if (ep->rtcp_ssrcs[i] == ssrc)
            return;
    if (ep->n_rtcp_ssrcs < BRIDGE_EP_MAX_RTCP_SSRCS)
        ep->rtcp_ssrcs[ep->n_rtcp_ssrcs++] = ssrc;
}

void bridge_forward_recv(BridgeEndpoint *ep, guint8 *buf, gsize len)
{
    BridgeWorker *w = ep->worker;
    PaDemuxKind kind = pa_demux_classify(buf, len);
    switch (kind) {
    case PA_DEMUX_DTLS:
        bridge_endpoint_dtls_input(ep, buf, len);
        return;
    case PA_DEMUX_RTP:
    case PA_DEMUX_RTCP:
        break;
    default:
        /* STUN never gets here (ice.c has it); ZRTP, TURN channels, junk do. */
        bridge_worker_drop(w, BRIDGE_DROP_MALFORMED);
        return;
    }
    if (len > BRIDGE_PKT_MAX) {
        bridge_worker_drop(w, BRIDGE_DROP_MALFORMED);
        return;
    }
    if (!ep->srtp) {
        bridge_worker_drop(w, BRIDGE_DROP_NOT_READY);
        return;
    }
    gboolean rtcp = kind == PA_DEMUX_RTCP;
    BridgeSource *src;
    if (!ssrc_admitted(ep, buf, len, rtcp, &src)) {
        bridge_worker_drop(w, BRIDGE_DROP_SSRC_LIMIT);
        return;
    }
    gsize l = len;
    BridgeSrtpStatus st = rtcp ? bridge_srtp_unprotect_rtcp(ep->srtp, buf, &l)
                               : bridge_srtp_unprotect(ep->srtp, buf, &l);
    switch (st) {
    case BRIDGE_SRTP_OK:
        break;
    case BRIDGE_SRTP_AUTH_FAIL:
        bridge_worker_drop(w, BRIDGE_DROP_SRTP_AUTH);
        return;
    case BRIDGE_SRTP_REPLAY:
        bridge_worker_drop(w, BRIDGE_DROP_SRTP_REPLAY);
        return;
    default:
        bridge_worker_drop(w, BRIDGE_DROP_MALFORMED);
        return;
    }
    gint64 now = w->now_us;
    ep->last_rx_us = w->live_us;
    if (rtcp) {
        if (!src)
            learn_rtcp_ssrc(ep, buf);
        bridge_rtcp_recv(ep, buf, l, now);
        return;
    }
    PaRtpHeader h;
    if (pa_rtp_parse(buf, l, &h) != PA_RTP_OK) {
        bridge_worker_drop(w, BRIDGE_DROP_MALFORMED);
        return;
    }
    PaHdrextFound found;
    if (!read_hdrext(ep, &h, buf, &found)) {
        bridge_worker_drop(w, BRIDGE_DROP_MALFORMED);
        return;
    }
    src = account_rtp(ep, src, &h, buf, &found, now);
    if (src && src->vslot)
        bridge_video_recv(ep, src, buf, l, &h, &found);
    else
        bridge_forward_fanout(w, ep, BRIDGE_RING_RTP, buf, l);
}
