/* SPDX-License-Identifier: MIT */
/* Layer selection on the media workers: simulcast/SVC projection per receiver, last-N
 * pausing, sender reports and NACKs of projected sources (worker thread).
 *
 * Sender side (the worker of the endpoint that sends the source): each RTP packet of an
 * announced video source is parsed once for its layer (bridge/forward/layer.h), counted in
 * the source's layer rates, stored in its retransmission cache, then fanned out: to each
 * local receiver through that receiver's projection of the source, and once per other worker
 * of the conference with the layer information appended to the ring slot, so that worker
 * runs its receivers' projections without parsing again. The sender's own RTX packets of a
 * projected source are not forwarded: the numbers they carry are the sender's, not what any
 * receiver was sent. Instead the bridge answers a receiver's NACKs itself from the cache, or,
 * when the sender is on another worker, from the receiver's worker's mirror of the source
 * (BridgeWorkerConf.mirror: the packets as they came through the inbox, with their tags).
 *
 * Receiver side: an endpoint's projections are indexed by the conference-wide video index
 * the control thread assigned (BridgeMediaTarget.vidx), so the per-packet lookup is one
 * array access. Each copy is made into the worker's tx buffer, decided and rewritten there
 * in place (bridge_projection_process), and protected and queued only when it is forwarded;
 * a dropped copy's buffer is simply reused. A projection that wants a key frame of its target
 * encoding asks the sender (PLI on that encoding's SSRC), limited per (receiver, source) to
 * one per 200 ms and again per source at the sender's worker.
 *
 * Until the control thread sent a receiver its targets, it gets every video packet
 * unchanged, as without layer selection. Memory: projections and caches are allocated when
 * the control thread's messages arrive, never per packet. */
#include "bridge/media/media-priv.h"

#include <string.h>

#include "common/rtp/rtcp.h"
#include "common/rtp/rtp.h"

G_STATIC_ASSERT(sizeof(BridgeVideoTag) <= BRIDGE_RING_TAG_MAX);
G_STATIC_ASSERT(sizeof(BridgeVideoTag) <= BRIDGE_RTX_EXTRA_MAX);

#define RTX_CACHE_SLOTS 512
#define RTX_CACHE_BYTES (256u << 10) /* ~1 s of a three-layer 720p simulcast source */
#define MAX_RTX_PER_NACK 64

/* ---- shared with the control thread ---- */

BridgeEpShared *bridge_ep_shared_new(void)
{
    BridgeEpShared *s = g_new0(BridgeEpShared, 1);
    s->ref = 1;
    return s;
}

BridgeEpShared *bridge_ep_shared_ref(BridgeEpShared *s)
{
    g_atomic_int_inc(&s->ref);
    return s;
}

void bridge_ep_shared_unref(BridgeEpShared *s)
{
    if (s && g_atomic_int_dec_and_test(&s->ref))
        g_free(s);
}

void bridge_ep_shared_push_level(BridgeEpShared *s, gint64 at_ms, guint8 level)
{
    guint head = s->audio_head; /* the worker is the only writer */
    /* Claimed before the slot is rewritten (a sequence lock's first increment): a reader that
     * saw the new value also sees the claim, and drops what it read from that slot. */
    __atomic_store_n(&s->audio_claim, head + 1, __ATOMIC_RELAXED);
    __atomic_thread_fence(__ATOMIC_RELEASE);
    __atomic_store_n(&s->audio[head % BRIDGE_MEDIA_AUDIO_LEVELS],
                     ((guint64)at_ms << 8) | (level & 0x7f), __ATOMIC_RELAXED);
    __atomic_store_n(&s->audio_head, head + 1, __ATOMIC_RELEASE);
}

guint bridge_ep_shared_read_levels(const BridgeEpShared *s, guint *cursor,
                                   BridgeMediaAudioLevel *out, guint cap)
{
    guint head = __atomic_load_n(&s->audio_head, __ATOMIC_ACQUIRE);
    guint from = *cursor;
    /* Fallen behind by more than the ring (the slot at head - N may be being rewritten):
     * the oldest ones are gone. */
    if (head - from > BRIDGE_MEDIA_AUDIO_LEVELS - 1)
        from = head - (BRIDGE_MEDIA_AUDIO_LEVELS - 1);
    if (head - from > cap)
        head = from + cap;
    guint n = 0;
    for (guint i = from; i != head; i++, n++) {
        guint64 v = __atomic_load_n(&s->audio[i % BRIDGE_MEDIA_AUDIO_LEVELS], __ATOMIC_RELAXED);
        out[n].level = (guint8)(v & 0x7f);
        out[n].at_ms = (gint64)(v >> 8);
    }
    *cursor = head;
    /* Level i's slot is rewritten by write i + N: those the writer claimed meanwhile may hold
     * a newer lap's value. Keep the ones no claim reached. */
    __atomic_thread_fence(__ATOMIC_ACQUIRE);
    guint claim = __atomic_load_n(&s->audio_claim, __ATOMIC_RELAXED);
    guint lost = 0;
    while (lost < n && (gint)(claim - (from + lost)) > (gint)BRIDGE_MEDIA_AUDIO_LEVELS)
        lost++;
    if (lost)
        memmove(out, out + lost, (n - lost) * sizeof *out);
    return n - lost;
}

void bridge_video_publish(BridgeEndpoint *ep)
{
    BridgeEpShared *sh = ep->shared;
    if (!sh)
        return;
    for (guint i = 0; i < ep->n_video && i < BRIDGE_MEDIA_MAX_VIDEO; i++) {
        BridgeTxVideo *tv = ep->video[i];
        BridgeLayerDesc tmp[BRIDGE_MAX_LAYERS];
        unsigned n =
            bridge_layer_rates_snapshot(&tv->rates, ep->worker->now_us, tmp, BRIDGE_MAX_LAYERS);
        guint seq = __atomic_load_n(&sh->video[i].seq, __ATOMIC_RELAXED);
        __atomic_store_n(&sh->video[i].seq, seq + 1, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_RELEASE);
        sh->video[i].vidx = tv->src.vidx;
        sh->video[i].n = n;
        memcpy(sh->video[i].layers, tmp, n * sizeof tmp[0]);
        __atomic_store_n(&sh->video[i].seq, seq + 2, __ATOMIC_RELEASE);
    }
}

/* ---- control messages ---- */

static void tx_video_free(BridgeTxVideo *tv)
{
    if (!tv)
        return;
    bridge_rtx_cache_free(tv->cache);
    g_free(tv);
}

static void rx_video_free(BridgeRxVideo *rv)
{
    g_free(rv);
}

void bridge_video_endpoint_clear(BridgeEndpoint *ep)
{
    for (guint i = 0; i < ep->n_video; i++)
        tx_video_free(ep->video[i]);
    ep->n_video = 0;
    for (guint i = 0; i < ep->n_rxv; i++)
        rx_video_free(ep->rxv[i]);
    g_clear_pointer(&ep->rxv, g_free);
    ep->n_rxv = 0;
    g_clear_pointer(&ep->shared, bridge_ep_shared_unref);
}

void bridge_video_map_sources(BridgeEndpoint *ep)
{
    for (guint i = 0; i < ep->n_sources; i++) {
        BridgeSource *s = &ep->sources[i];
        s->vslot = 0;
        s->enc = 0;
        s->rtx = FALSE;
        for (guint v = 0; v < ep->n_video; v++) {
            const BridgeMediaVideoSource *src = &ep->video[v]->src;
            for (guint e = 0; e < src->n_encodings; e++) {
                if (s->ssrc == src->ssrcs[e] || (src->rtx[e] && s->ssrc == src->rtx[e])) {
                    s->vslot = (guint8)(v + 1);
                    s->enc = (guint8)e;
                    s->rtx = s->ssrc != src->ssrcs[e];
                }
            }
        }
    }
}

void bridge_video_set_sources(BridgeEndpoint *ep, const BridgeMediaVideoSource *v, guint n,
                              const guint8 *codec_by_pt)
{
    BridgeTxVideo *old[BRIDGE_MEDIA_MAX_VIDEO] = {NULL};
    guint n_old = ep->n_video;
    memcpy(old, ep->video, sizeof old);
    ep->n_video = 0;
    n = MIN(n, BRIDGE_MEDIA_MAX_VIDEO);
    for (guint i = 0; i < n; i++) {
        BridgeTxVideo *tv = NULL;
        /* The same source again (same primary SSRC and encodings) keeps its state. */
        for (guint j = 0; j < n_old; j++)
            if (old[j] && old[j]->src.ssrcs[0] == v[i].ssrcs[0] &&
                old[j]->src.n_encodings == v[i].n_encodings) {
                tv = old[j];
                old[j] = NULL;
                break;
            }
        if (!tv) {
            tv = g_new0(BridgeTxVideo, 1);
            bridge_layer_rates_init(&tv->rates);
            for (guint e = 0; e < BRIDGE_MAX_ENCODINGS; e++)
                pa_av1_dd_structure_init(&tv->dd[e]);
            tv->cache = bridge_rtx_cache_new(RTX_CACHE_SLOTS, RTX_CACHE_BYTES,
                                             MAX(1, MIN(v[i].n_encodings, BRIDGE_RTX_MAX_STREAMS)),
                                             BRIDGE_RTX_DEFAULT_MAX_AGE_US);
        }
        tv->src = v[i];
        tv->src.n_encodings = CLAMP(tv->src.n_encodings, 1, BRIDGE_MAX_ENCODINGS);
        ep->video[ep->n_video++] = tv;
    }
    for (guint j = 0; j < n_old; j++)
        tx_video_free(old[j]);
    for (guint j = ep->n_video; j < BRIDGE_MEDIA_MAX_VIDEO; j++)
        ep->video[j] = NULL;
    if (codec_by_pt) {
        memcpy(ep->codec_by_pt, codec_by_pt, 128);
        memcpy(ep->rtx_pt_by_apt, codec_by_pt + 128, 128);
    }
    bridge_video_map_sources(ep);
}

static gboolean same_target(BridgeLayerTarget a, BridgeLayerTarget b)
{
    return a.enc == b.enc && (a.enc < 0 || (a.sid == b.sid && a.tid == b.tid));
}

/* A mirror cache for video source @vidx of @c unless one of this worker's endpoints sends it
 * (its packets then never come through the inbox). */
static void ensure_mirror(BridgeWorker *w, BridgeWorkerConf *c, guint vidx)
{
    if (vidx < c->n_mirror && c->mirror[vidx])
        return;
    for (guint i = 0; i < c->endpoints->len; i++) {
        const BridgeEndpoint *o = g_ptr_array_index(c->endpoints, i);
        for (guint j = 0; j < o->n_video; j++)
            if (o->video[j]->src.vidx == vidx)
                return;
    }
    if (vidx >= c->n_mirror) {
        c->mirror = g_renew(BridgeRtxCache *, c->mirror, vidx + 1);
        memset(c->mirror + c->n_mirror, 0, (vidx + 1 - c->n_mirror) * sizeof *c->mirror);
        c->n_mirror = vidx + 1;
    }
    c->mirror[vidx] = bridge_rtx_cache_new(RTX_CACHE_SLOTS, RTX_CACHE_BYTES, BRIDGE_RTX_MAX_STREAMS,
                                           BRIDGE_RTX_DEFAULT_MAX_AGE_US);
    BRIDGE_STAT_ADD(w->stats.mirrors, 1);
}

void bridge_video_prune_mirrors(BridgeWorker *w, BridgeWorkerConf *c)
{
    for (guint v = 0; v < c->n_mirror; v++) {
        if (!c->mirror[v])
            continue;
        gboolean wanted = FALSE;
        for (guint i = 0; i < c->endpoints->len && !wanted; i++) {
            const BridgeEndpoint *o = g_ptr_array_index(c->endpoints, i);
            wanted = v < o->n_rxv && o->rxv[v];
        }
        if (!wanted) {
            g_clear_pointer(&c->mirror[v], bridge_rtx_cache_free);
            BRIDGE_STAT_ADD(w->stats.mirrors, -1);
        }
    }
}

void bridge_video_set_targets(BridgeEndpoint *ep, const BridgeMediaTarget *t, guint n)
{
    guint need = 0;
    for (guint i = 0; i < n; i++)
        if (t[i].vidx < BRIDGE_MEDIA_MAX_VIDX)
            need = MAX(need, t[i].vidx + 1);
    if (need > ep->n_rxv) {
        ep->rxv = g_renew(BridgeRxVideo *, ep->rxv, need);
        memset(ep->rxv + ep->n_rxv, 0, (need - ep->n_rxv) * sizeof *ep->rxv);
        ep->n_rxv = need;
    }
    /* Sources no longer listed are not forwarded: their projections go. */
    for (guint v = 0; v < ep->n_rxv; v++) {
        gboolean listed = FALSE;
        for (guint i = 0; i < n && !listed; i++)
            listed = t[i].vidx == v && ep->rxv[v] && ep->rxv[v]->primary_ssrc == t[i].primary_ssrc;
        if (!listed)
            g_clear_pointer(&ep->rxv[v], rx_video_free);
    }
    for (guint i = 0; i < n; i++) {
        if (t[i].vidx >= BRIDGE_MEDIA_MAX_VIDX)
            continue;
        BridgeRxVideo *rv = ep->rxv[t[i].vidx];
        if (!rv) {
            rv = g_new0(BridgeRxVideo, 1);
            rv->primary_ssrc = t[i].primary_ssrc;
            bridge_projection_init(&rv->proj, t[i].primary_ssrc, 90000);
            rv->rtx_seq = (guint16)g_random_int();
            ep->rxv[t[i].vidx] = rv;
        }
        memcpy(rv->ssrcs, t[i].ssrcs, sizeof rv->ssrcs);
        rv->rtx_ssrc = t[i].rtx_ssrc;
        if (!same_target(rv->proj.target, t[i].target))
            bridge_projection_set_target(&rv->proj, t[i].target);
        if (ep->conf)
            ensure_mirror(ep->worker, ep->conf, t[i].vidx);
    }
    if (ep->conf)
        bridge_video_prune_mirrors(ep->worker, ep->conf);
    ep->targets_set = TRUE;
}

/* ---- per packet ---- */

static void ask_keyframe(BridgeWorker *w, BridgeEndpoint *rx, BridgeRxVideo *rv)
{
    int enc = bridge_projection_wanted_encoding(&rv->proj);
    if (enc < 0 || !rv->ssrcs[enc] || !rx->conf)
        return;
    if (!bridge_keyframe_limiter_allow(&rv->kf, w->now_us))
        return;
    BRIDGE_STAT_ADD(w->stats.switch_keyframes, 1);
    guint32 ssrc = rv->ssrcs[enc];
    BridgeEndpoint *owner = bridge_rtcp_find_owner(rx->conf, ssrc);
    if (owner)
        bridge_rtcp_deliver_feedback(owner, BRIDGE_FB_PLI, ssrc, NULL, 0, w->now_us);
    else
        bridge_forward_feedback_remote(w, rx->conf, BRIDGE_FB_PLI, ssrc, NULL, 0);
}

/* One receiver's copy of a tagged video packet. */
static void send_projected(BridgeWorker *w, BridgeEndpoint *rx, const guint8 *pkt, gsize len,
                           const BridgeVideoTag *tag)
{
    if (!rx->targets_set) {
        bridge_forward_send_clear(w, rx, pkt, len, FALSE);
        return;
    }
    BridgeRxVideo *rv = tag->vidx < rx->n_rxv ? rx->rxv[tag->vidx] : NULL;
    if (!rv) {
        BRIDGE_STAT_ADD(w->stats.video_withheld, 1);
        return;
    }
    if (len > BRIDGE_PKT_MAX || rx->fd < 0) {
        bridge_worker_drop(w, BRIDGE_DROP_SRTP_PROTECT);
        return;
    }
    guint8 *buf = bridge_tx_batch_next(w->tx);
    memcpy(buf, pkt, len);
    unsigned flags = 0;
    BridgeProjVerdict v =
        bridge_projection_process(&rv->proj, buf, len, &tag->info, w->now_us, &flags);
    if (flags & BRIDGE_PROJ_SWITCHED)
        BRIDGE_STAT_ADD(w->stats.layer_switches, 1);
    if (v != BRIDGE_PROJ_FORWARD) {
        BRIDGE_STAT_ADD(w->stats.video_withheld, 1); /* the buffer is reused */
    } else {
        BRIDGE_STAT_ADD(w->stats.video_projected, 1);
        rv->sent = TRUE;
        rv->last_pt = buf[1] & 0x7f;
        rv->last_ts = pa_rtp_get_timestamp(buf);
        guint64 before = rx->tx_bytes;
        bridge_forward_send_built(w, rx, buf, len);
        rx->video_tx_bytes += rx->tx_bytes - before;
    }
    /* Only now: the request is built in the tx batch's next buffer, which held the copy. */
    if (flags & BRIDGE_PROJ_WANT_KEYFRAME)
        ask_keyframe(w, rx, rv);
}

static void fanout_local(BridgeWorker *w, BridgeWorkerConf *c, BridgeEndpoint *skip,
                         const guint8 *pkt, gsize len, const BridgeVideoTag *tag)
{
    for (guint i = 0; i < c->endpoints->len; i++) {
        BridgeEndpoint *rx = g_ptr_array_index(c->endpoints, i);
        if (rx != skip && rx->connected && !rx->dead)
            send_projected(w, rx, pkt, len, tag);
    }
}

void bridge_video_recv(BridgeEndpoint *ep, BridgeSource *s, guint8 *pkt, gsize len,
                       const PaRtpHeader *h, const PaHdrextFound *found)
{
    BridgeWorker *w = ep->worker;
    BridgeWorkerConf *c = ep->conf;
    BridgeTxVideo *tv = ep->video[s->vslot - 1];
    if (!c || !tv)
        return;
    if (s->rtx) {
        BRIDGE_STAT_ADD(w->stats.sender_rtx_dropped, 1);
        return;
    }
    BridgeCodec codec = (BridgeCodec)ep->codec_by_pt[h->payload_type & 127];
    const PaHdrextElem *dd = pa_hdrext_found_has(found, PA_HDREXT_DEPENDENCY_DESC)
                                 ? &found->elem[PA_HDREXT_DEPENDENCY_DESC]
                                 : NULL;
    if (codec == BRIDGE_CODEC_OTHER && !dd) {
        /* No layers and no key frames known: everyone gets it as it is. */
        bridge_forward_fanout(w, ep, BRIDGE_RING_RTP, pkt, len);
        return;
    }
    BridgeVideoTag tag = {.vidx = tv->src.vidx, .rtx_pt = ep->rtx_pt_by_apt[h->payload_type & 127]};
    if (bridge_layer_info_parse(codec, s->enc, pkt, h, dd, &tv->dd[s->enc], &tag.info) !=
        BRIDGE_LAYER_OK) {
        bridge_worker_drop(w, BRIDGE_DROP_MALFORMED);
        return;
    }
    bridge_layer_rates_add(&tv->rates, &tag.info, tag.info.payload_len, w->now_us);
    if (tv->cache && s->enc < BRIDGE_RTX_MAX_STREAMS)
        bridge_rtx_cache_put(tv->cache, s->enc, pkt, len, w->now_us);
    fanout_local(w, c, ep, pkt, len, &tag);
    bridge_forward_push_tagged(w, c, BRIDGE_RING_RTP, pkt, len, &tag);
}

void bridge_video_ring_rtp(BridgeWorker *w, BridgeWorkerConf *c, const guint8 *pkt, gsize len,
                           const BridgeVideoTag *tag)
{
    BridgeRtxCache *m = tag->vidx < c->n_mirror ? c->mirror[tag->vidx] : NULL;
    if (m && tag->info.enc < BRIDGE_RTX_MAX_STREAMS)
        bridge_rtx_cache_put_with(m, tag->info.enc, pkt, len, tag, sizeof *tag, w->now_us);
    fanout_local(w, c, NULL, pkt, len, tag);
}

/* ---- RTCP ---- */

void bridge_video_fanout_sr(BridgeWorker *w, BridgeWorkerConf *c, BridgeEndpoint *skip, guint vidx,
                            guint enc, const guint8 *sr, gsize len)
{
    for (guint i = 0; i < c->endpoints->len; i++) {
        BridgeEndpoint *rx = g_ptr_array_index(c->endpoints, i);
        if (rx == skip || !rx->connected || rx->dead)
            continue;
        if (!rx->targets_set) {
            bridge_forward_send_clear(w, rx, sr, len, TRUE);
            continue;
        }
        BridgeRxVideo *rv = vidx < rx->n_rxv ? rx->rxv[vidx] : NULL;
        if (!rv || len > 64)
            continue;
        guint8 buf[64];
        memcpy(buf, sr, len);
        PaRtcpIter it;
        PaRtcpPacket p;
        if (pa_rtcp_iter_init(&it, buf, len) != PA_RTCP_OK ||
            pa_rtcp_iter_next(&it, &p) != PA_RTCP_OK)
            continue;
        if (bridge_projection_rewrite_sr(&rv->proj, buf, &p, (uint8_t)enc))
            bridge_forward_send_clear(w, rx, buf, len, TRUE);
    }
}

static BridgeRxVideo *rx_by_ssrc(BridgeEndpoint *rx, guint32 ssrc)
{
    for (guint v = 0; v < rx->n_rxv; v++)
        if (rx->rxv[v] && rx->rxv[v]->primary_ssrc == ssrc)
            return rx->rxv[v];
    return NULL;
}

static BridgeTxVideo *tx_by_ssrc(BridgeEndpoint *owner, guint32 primary)
{
    for (guint i = 0; i < owner->n_video; i++)
        if (owner->video[i]->src.ssrcs[0] == primary)
            return owner->video[i];
    return NULL;
}

/* Sends @copy (@clen bytes, rewritten for @rx as first sent) to @rx again: as RTX with
 * @rtx_pt on @rtx_ssrc when both are known, else as it is. */
static gboolean send_again(BridgeWorker *w, BridgeEndpoint *rx, BridgeRxVideo *rv,
                           const guint8 *copy, gsize clen, guint8 rtx_pt, guint32 rtx_ssrc)
{
    if (rx->fd < 0)
        return FALSE;
    guint8 *buf = bridge_tx_batch_next(w->tx);
    gsize l;
    if (rtx_pt && rtx_ssrc) {
        l = bridge_rtx_wrap(buf, BRIDGE_PKT_MAX, copy, clen, rtx_pt, rtx_ssrc, rv->rtx_seq++);
        if (!l)
            return FALSE;
    } else {
        memcpy(buf, copy, clen);
        l = clen;
    }
    bridge_forward_send_built(w, rx, buf, l);
    return TRUE;
}

/* Sends @rx output packet @out_seq of @rv again, from @tv's cache. */
static gboolean resend(BridgeWorker *w, BridgeEndpoint *rx, BridgeRxVideo *rv,
                       BridgeEndpoint *owner, BridgeTxVideo *tv, guint16 out_seq)
{
    BridgeProjRef ref;
    if (!bridge_projection_lookup(&rv->proj, out_seq, &ref) || !ref.forwarded ||
        ref.enc >= BRIDGE_RTX_MAX_STREAMS)
        return FALSE;
    gsize clen = 0;
    const guint8 *orig = bridge_rtx_cache_get(tv->cache, ref.enc, ref.in_seq, w->now_us, &clen);
    if (!orig || clen > BRIDGE_PKT_MAX)
        return FALSE;
    guint8 copy[BRIDGE_PKT_MAX];
    memcpy(copy, orig, clen);
    PaRtpHeader h;
    if (pa_rtp_parse(copy, clen, &h) != PA_RTP_OK)
        return FALSE;
    PaHdrextFound found;
    if (pa_hdrext_collect(copy, &h, &owner->hdrext, &found) != PA_HDREXT_OK)
        found.present = 0;
    const PaHdrextElem *dd = pa_hdrext_found_has(&found, PA_HDREXT_DEPENDENCY_DESC)
                                 ? &found.elem[PA_HDREXT_DEPENDENCY_DESC]
                                 : NULL;
    /* A scratch structure: an old packet must not replace the stream's current one. */
    static __thread PaAv1DdStructure dd_scratch;
    dd_scratch = tv->dd[ref.enc];
    BridgeLayerInfo info;
    if (bridge_layer_info_parse((BridgeCodec)owner->codec_by_pt[h.payload_type], ref.enc, copy, &h,
                                dd, &dd_scratch, &info) != BRIDGE_LAYER_OK ||
        !bridge_projection_rewrite_again(&rv->proj, out_seq, copy, clen, &info))
        return FALSE;
    return send_again(w, rx, rv, copy, clen, owner->rtx_pt_by_apt[h.payload_type], tv->src.rtx[0]);
}

/* Sends @rx output packet @out_seq of @rv again, from this worker's @mirror of a source sent on
 * another worker: the packet comes with the tag it came with, so nothing is parsed again. */
static gboolean resend_mirrored(BridgeWorker *w, BridgeEndpoint *rx, BridgeRxVideo *rv,
                                BridgeRtxCache *mirror, guint16 out_seq)
{
    BridgeProjRef ref;
    if (!bridge_projection_lookup(&rv->proj, out_seq, &ref) || !ref.forwarded ||
        ref.enc >= BRIDGE_RTX_MAX_STREAMS)
        return FALSE;
    gsize total = 0;
    const guint8 *orig = bridge_rtx_cache_get(mirror, ref.enc, ref.in_seq, w->now_us, &total);
    if (!orig || total < sizeof(BridgeVideoTag) || total - sizeof(BridgeVideoTag) > BRIDGE_PKT_MAX)
        return FALSE;
    gsize clen = total - sizeof(BridgeVideoTag);
    /* A video index is reused once its source leaves: the packet must be this source's. */
    if (pa_rtp_get_ssrc(orig) != rv->ssrcs[ref.enc])
        return FALSE;
    BridgeVideoTag tag;
    memcpy(&tag, orig + clen, sizeof tag);
    guint8 copy[BRIDGE_PKT_MAX];
    memcpy(copy, orig, clen);
    if (!bridge_projection_rewrite_again(&rv->proj, out_seq, copy, clen, &tag.info))
        return FALSE;
    return send_again(w, rx, rv, copy, clen, (guint8)tag.rtx_pt, rv->rtx_ssrc);
}

gboolean bridge_video_nack(BridgeEndpoint *rx, guint32 ssrc, const guint8 *fci, gsize fci_len)
{
    if (!rx->targets_set || !rx->conf)
        return FALSE;
    BridgeRxVideo *rv = rx_by_ssrc(rx, ssrc);
    if (!rv)
        return FALSE;
    BridgeWorker *w = rx->worker;
    BridgeEndpoint *owner = bridge_rtcp_find_owner(rx->conf, ssrc);
    BridgeTxVideo *tv = owner ? tx_by_ssrc(owner, ssrc) : NULL;
    BridgeRtxCache *mirror = NULL;
    if (!owner) /* sent on another worker: this worker's mirror of it */
        for (guint v = 0; v < rx->n_rxv && v < rx->conf->n_mirror; v++)
            if (rx->rxv[v] == rv)
                mirror = rx->conf->mirror[v];
    guint sent = 0, missed = 0;
    for (gsize off = 0; off + 4 <= fci_len; off += 4) {
        guint16 pid = pa_rd16(fci + off), blp = pa_rd16(fci + off + 2);
        for (guint b = 0; b < 17; b++) {
            if (b > 0 && !(blp & (1u << (b - 1))))
                continue;
            guint16 seq = (guint16)(pid + b);
            if (sent < MAX_RTX_PER_NACK &&
                ((tv && tv->cache && resend(w, rx, rv, owner, tv, seq)) ||
                 (mirror && resend_mirrored(w, rx, rv, mirror, seq))))
                sent++;
            else
                missed++;
        }
    }
    BRIDGE_STAT_ADD(w->stats.rtx_sent, sent);
    BRIDGE_STAT_ADD(w->stats.rtx_missed, missed);
    return TRUE;
}

guint32 bridge_video_keyframe_ssrc(BridgeEndpoint *rx, guint32 ssrc)
{
    if (!rx->targets_set)
        return ssrc;
    BridgeRxVideo *rv = rx_by_ssrc(rx, ssrc);
    if (!rv)
        return ssrc;
    int enc = rv->proj.cur_enc >= 0 ? rv->proj.cur_enc : rv->proj.target.enc;
    return enc >= 0 && enc < BRIDGE_MAX_ENCODINGS && rv->ssrcs[enc] ? rv->ssrcs[enc] : ssrc;
}
