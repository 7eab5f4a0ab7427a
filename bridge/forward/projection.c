/* SPDX-License-Identifier: MIT */
/* One receiver's projection of one video source (projection.h). Thread: the receiver's media
 * worker; all state is in the caller's BridgeProjection. */
#include "bridge/forward/projection.h"

#include <string.h>

#include "common/rtp/bytes.h"

#define RING_MASK (BRIDGE_PROJ_SEQ_RING - 1)
/* Holes kept in the output numbering are bounded: a jump larger than this (a sender that
 * restarted its numbering) is not mirrored to the receiver. */
#define MAX_KEPT_GAP 0x3fff

enum { SLOT_EMPTY = 0, SLOT_GAP, SLOT_FWD, SLOT_DROP };
enum { FRAME_VALID = 1, FRAME_FORWARD = 2, FRAME_HAS_PICID = 4 };

_Static_assert((BRIDGE_PROJ_SEQ_RING & RING_MASK) == 0, "the ring size is a power of two");

void bridge_projection_init(BridgeProjection *p, uint32_t out_ssrc, uint32_t clock_hz)
{
    memset(p, 0, sizeof *p);
    p->out_ssrc = out_ssrc;
    p->clock_hz = clock_hz ? clock_hz : 90000;
    p->target = BRIDGE_LAYER_TARGET_NONE;
    p->cur_enc = -1;
}

void bridge_projection_set_target(BridgeProjection *p, BridgeLayerTarget t)
{
    if (t.enc >= BRIDGE_MAX_ENCODINGS)
        t.enc = BRIDGE_MAX_ENCODINGS - 1;
    if (t.sid >= BRIDGE_MAX_SPATIAL)
        t.sid = BRIDGE_MAX_SPATIAL - 1;
    if (t.tid >= BRIDGE_MAX_TEMPORAL)
        t.tid = BRIDGE_MAX_TEMPORAL - 1;
    p->target = t.enc < 0 ? BRIDGE_LAYER_TARGET_NONE : t;
    p->spatial_kf = false;
    if (t.enc < 0)
        p->cur_enc = -1; /* paused: the next start needs a key frame */
}

bool bridge_keyframe_limiter_allow(BridgeKeyframeLimiter *l, int64_t now_us)
{
    if (l->any && now_us - l->last_us < BRIDGE_KEYFRAME_INTERVAL_US) {
        l->suppressed++;
        return false;
    }
    l->any = true;
    l->last_us = now_us;
    l->requested++;
    return true;
}

/* ---- helpers ---- */

static int32_t picid_diff(uint16_t a, uint16_t b, uint16_t mask)
{
    uint16_t d = (uint16_t)((a - b) & mask);
    return d <= mask / 2 ? (int32_t)d : (int32_t)d - (int32_t)mask - 1;
}

/* The layers the current encoding is held to. While a switch to another encoding is
 * pending: down, the base temporal layer only (relief until the key frame); up, everything
 * (the allocator found room for more than this). */
static void effective_target(const BridgeProjection *p, unsigned *sid, unsigned *tid)
{
    if (p->cur_enc == p->target.enc) {
        *sid = p->target.sid;
        *tid = p->target.tid;
    } else if (p->cur_enc > p->target.enc) {
        *sid = 0;
        *tid = 0;
    } else {
        *sid = BRIDGE_MAX_SPATIAL - 1;
        *tid = BRIDGE_MAX_TEMPORAL - 1;
    }
}

static BridgeProjFrame *find_frame(BridgeProjection *p, uint32_t ts)
{
    const BridgeProjFrame *newest = &p->frames[(p->next_frame - 1) % BRIDGE_PROJ_FRAMES];
    /* The common cases first: the picture being received, or the next one. */
    if (newest->flags & FRAME_VALID) {
        if (newest->ts == ts)
            return (BridgeProjFrame *)newest;
        if ((int32_t)(ts - newest->ts) > 0)
            return NULL;
    }
    for (unsigned k = 2; k <= BRIDGE_PROJ_FRAMES; k++) {
        BridgeProjFrame *f = &p->frames[(p->next_frame - k) % BRIDGE_PROJ_FRAMES];
        if ((f->flags & FRAME_VALID) && f->ts == ts)
            return f;
    }
    return NULL;
}

/* The offset a late picture (never seen, older than the newest) gets: that of the newest
 * remembered picture before it. Pictures between them were never seen, so they were not
 * counted as dropped, and the late one keeps its own slot. False when none is remembered. */
static bool late_picid_offset(const BridgeProjection *p, uint16_t in, uint16_t mask, uint16_t *off)
{
    bool found = false;
    int32_t best = 0;
    for (unsigned k = 0; k < BRIDGE_PROJ_FRAMES; k++) {
        const BridgeProjFrame *f = &p->frames[k];
        if (!(f->flags & FRAME_HAS_PICID))
            continue;
        int32_t d = picid_diff(in, f->in_picid, mask);
        if (d > 0 && (!found || d < best)) {
            found = true;
            best = d;
            *off = f->picid_off_after;
        }
    }
    return found;
}

/* Picture id bookkeeping for a new picture record @f whose forwarding verdict is known.
 * Returns false when the picture must be dropped after all (too old to number). */
static bool number_picture(BridgeProjection *p, BridgeProjFrame *f, const BridgeLayerInfo *i)
{
    uint16_t mask = i->picture_id_15 ? 0x7fff : 0x7f;
    uint16_t in = i->picture_id & mask;
    if (!p->picid_in_valid) {
        p->picid_in_valid = true;
        p->newest_in_picid = in;
    }
    int32_t d = picid_diff(in, p->newest_in_picid, mask);
    if (d >= 0) {
        if (d > 0 && !(f->flags & FRAME_FORWARD))
            p->picid_off++; /* this picture's slot closes */
        if (d > 0)
            p->newest_in_picid = in;
        f->picid_off_after = p->picid_off;
    } else if (!late_picid_offset(p, in, mask, &f->picid_off_after)) {
        return false;
    }
    f->in_picid = in;
    f->flags |= FRAME_HAS_PICID;
    return true;
}

/* The verdict for @i's picture (remembered per picture) and spatial layer. */
static bool decide(BridgeProjection *p, const BridgeLayerInfo *i, uint32_t ts, int64_t now_us,
                   unsigned *flags, BridgeProjFrame **out)
{
    unsigned esid, etid;
    effective_target(p, &esid, &etid);
    BridgeProjFrame *f = find_frame(p, ts);
    if (!f) {
        f = &p->frames[p->next_frame++ % BRIDGE_PROJ_FRAMES];
        memset(f, 0, sizeof *f);
        uint8_t old_sid = p->cur_sid, old_tid = p->cur_tid;
        if (i->keyframe) {
            p->cur_sid = (uint8_t)esid;
            p->cur_tid = (uint8_t)etid;
            p->spatial_kf = false;
        } else {
            /* Lower layers never depend on higher ones: going down is immediate. */
            if (p->cur_tid > etid)
                p->cur_tid = (uint8_t)etid;
            if (p->cur_sid > esid)
                p->cur_sid = (uint8_t)esid;
            if (i->tid > p->cur_tid && i->tid <= etid && i->switch_point && i->sid <= p->cur_sid)
                p->cur_tid = i->tid;
        }
        if (p->cur_sid != old_sid || p->cur_tid != old_tid)
            *flags |= BRIDGE_PROJ_LAYER_CHANGED;
        f->ts = ts;
        f->max_sid = p->cur_sid;
        f->flags = FRAME_VALID | (i->tid <= p->cur_tid ? FRAME_FORWARD : 0);
        if (i->picture_id_off && !number_picture(p, f, i))
            f->flags &= (uint8_t)~FRAME_FORWARD;
    }
    *out = f;
    if (!(f->flags & FRAME_FORWARD))
        return false;
    if (i->sid <= f->max_sid)
        return true;
    /* A higher spatial layer than this picture forwards: enter it only at a frame predicted
     * from the layer below alone. */
    if (i->sid == f->max_sid + 1 && i->sid <= esid && i->spatial_switch_point && i->frame_start) {
        f->max_sid = i->sid;
        if (i->sid > p->cur_sid) {
            p->cur_sid = i->sid;
            p->spatial_kf = false;
            *flags |= BRIDGE_PROJ_LAYER_CHANGED;
        }
        return true;
    }
    /* The layer is there but cannot be entered here. K-SVC (VP9 L3T3_KEY, what Chromium
     * sends) predicts upper layers only from themselves between key pictures: without a key
     * picture the receiver would stay below its target for good. Ask, now and then. */
    if (i->sid == f->max_sid + 1 && i->sid <= esid && i->sid > p->cur_sid && i->frame_start &&
        p->cur_enc == p->target.enc &&
        (!p->spatial_kf_any || now_us - p->spatial_kf_us >= BRIDGE_SPATIAL_KEYFRAME_INTERVAL_US)) {
        p->spatial_kf = true;
        p->spatial_kf_any = true;
        p->spatial_kf_us = now_us;
        *flags |= BRIDGE_PROJ_WANT_KEYFRAME;
    }
    return false;
}

/* Starts forwarding encoding @i->enc at its key frame: every continuity offset is chosen so
 * that the receiver sees the stream go on. */
static void switch_to(BridgeProjection *p, const BridgeLayerInfo *i, const uint8_t *pkt,
                      int64_t now_us)
{
    uint16_t seq = pa_rtp_get_seq(pkt);
    uint32_t ts = pa_rtp_get_timestamp(pkt);
    p->cur_enc = (int8_t)i->enc;
    p->cur_sid = p->target.sid;
    p->cur_tid = p->target.tid;
    p->in_highest = (uint16_t)(seq - 1);
    if (!p->started)
        p->out_highest = (uint16_t)(seq - 1);
    memset(p->in_ring, 0, sizeof p->in_ring);
    memset(p->frames, 0, sizeof p->frames);

    if (p->started) {
        int64_t elapsed = now_us > p->last_out_us ? now_us - p->last_out_us : 0;
        uint64_t ticks = (uint64_t)elapsed * p->clock_hz / 1000000u;
        if (ticks < 1)
            ticks = 1;
        p->ts_off = (uint32_t)(p->last_out_ts + (uint32_t)ticks - ts);
    } else {
        p->ts_off = 0;
    }
    p->picid_in_valid = false;
    p->picid_off = 0;
    if (i->picture_id_off) {
        uint16_t mask = i->picture_id_15 ? 0x7fff : 0x7f;
        if (p->picid_valid)
            p->picid_off = (uint16_t)((i->picture_id - (p->last_out_picid + 1)) & mask);
        p->picid_in_valid = true;
        p->newest_in_picid = i->picture_id & mask;
    }
    p->tl0_off = 0;
    if (i->tl0picidx_off && p->tl0_valid)
        p->tl0_off = (uint8_t)(i->tl0picidx - (uint8_t)(p->last_out_tl0 + 1));
    p->fn_off = 0;
    if (i->dd_off && p->fn_valid)
        p->fn_off = (uint16_t)(i->frame_number - (uint16_t)(p->last_out_fn + 1));
    p->stats.switches++;
}

/* Writes the output values into the packet and remembers them under @out_seq. */
static void apply(BridgeProjection *p, uint8_t *pkt, const BridgeLayerInfo *i,
                  const BridgeProjFrame *f, uint16_t out_seq, uint16_t in_seq)
{
    uint32_t out_ts = pa_rtp_get_timestamp(pkt) + p->ts_off;
    bool marker = pa_rtp_get_marker(pkt);
    /* Spatial layers filtered: the end of the top forwarded layer ends the picture. */
    if (i->has_layers && i->frame_end && i->sid == f->max_sid)
        marker = true;
    BridgeProjOutSlot *o = &p->out_ring[out_seq & RING_MASK];
    memset(o, 0, sizeof *o);
    o->out_seq = out_seq;
    o->in_seq = in_seq;
    o->state = SLOT_FWD;
    o->enc = i->enc;
    o->marker = marker;
    o->ts = out_ts;

    pa_rtp_set_ssrc(pkt, p->out_ssrc);
    pa_rtp_set_seq(pkt, out_seq);
    pa_rtp_set_timestamp(pkt, out_ts);
    pa_rtp_set_marker(pkt, marker);
    if (i->picture_id_off) {
        uint16_t mask = i->picture_id_15 ? 0x7fff : 0x7f;
        uint16_t id = (uint16_t)((i->picture_id - f->picid_off_after) & mask);
        uint8_t *q = pkt + i->picture_id_off;
        if (i->picture_id_15) {
            q[0] = (uint8_t)(0x80 | id >> 8);
            q[1] = (uint8_t)id;
        } else {
            q[0] = (uint8_t)id;
        }
        o->picture_id = id;
    }
    if (i->tl0picidx_off) {
        o->tl0picidx = (uint8_t)(i->tl0picidx - p->tl0_off);
        pkt[i->tl0picidx_off] = o->tl0picidx;
    }
    if (i->dd_off) {
        o->frame_number = (uint16_t)(i->frame_number - p->fn_off);
        pa_wr16(pkt + i->dd_off + 1, o->frame_number);
    }
    p->sent_packets++;
    p->sent_octets += i->payload_len;
}

/* After a new (not late) packet went out: what the next switch continues from. */
static void remember_last(BridgeProjection *p, const BridgeLayerInfo *i, uint16_t out_seq,
                          int64_t now_us)
{
    const BridgeProjOutSlot *o = &p->out_ring[out_seq & RING_MASK];
    p->started = true;
    p->last_out_ts = o->ts;
    p->last_out_us = now_us;
    if (i->picture_id_off) {
        p->last_out_picid = o->picture_id;
        p->picid_valid = true;
    }
    if (i->tl0picidx_off) {
        p->last_out_tl0 = o->tl0picidx;
        p->tl0_valid = true;
    }
    if (i->dd_off) {
        p->last_out_fn = o->frame_number;
        p->fn_valid = true;
    }
}

/* Reserves output numbers for input packets not seen yet between the highest and @seq. */
static void reserve_gap(BridgeProjection *p, uint16_t gap, uint8_t enc)
{
    uint16_t first = gap >= BRIDGE_PROJ_SEQ_RING ? (uint16_t)(gap - BRIDGE_PROJ_SEQ_RING + 2) : 1;
    for (uint16_t k = first; k <= gap; k++) {
        uint16_t in = (uint16_t)(p->in_highest + k), out = (uint16_t)(p->out_highest + k);
        p->in_ring[in & RING_MASK] = (BridgeProjInSlot){in, out, SLOT_GAP};
        BridgeProjOutSlot *o = &p->out_ring[out & RING_MASK];
        memset(o, 0, sizeof *o);
        o->out_seq = out;
        o->in_seq = in;
        o->state = SLOT_GAP;
        o->enc = enc;
    }
}

static BridgeProjVerdict drop(BridgeProjection *p)
{
    p->stats.dropped++;
    return BRIDGE_PROJ_DROP;
}

/* Whether a key frame of encoding @enc is worth switching to: it lies between the current
 * encoding (excluded) and the target (included). A receiver that is just starting, or is
 * waiting for the target encoding's key frame, takes any key frame on the way: the sender may
 * not encode the target yet (a simulcast layer it has not started, or one it stopped because
 * nobody asked for it), and a lower picture now beats a black tile until the next re-allocation.
 * It keeps asking for the target's key frame meanwhile. */
static bool moves_toward_target(const BridgeProjection *p, int enc)
{
    if (p->cur_enc < p->target.enc)
        return enc > p->cur_enc && enc <= p->target.enc;
    return enc < p->cur_enc && enc >= p->target.enc;
}

static BridgeProjVerdict drop_old(BridgeProjection *p)
{
    p->stats.dropped_old++;
    return BRIDGE_PROJ_DROP_OLD;
}

BridgeProjVerdict bridge_projection_process(BridgeProjection *p, uint8_t *pkt, size_t len,
                                            const BridgeLayerInfo *i, int64_t now_us,
                                            unsigned *flags)
{
    *flags = 0;
    if (len < PA_RTP_FIXED_HEADER_LEN || i->padding_only || p->target.enc < 0)
        return drop(p);
    if (i->enc != p->cur_enc) {
        if (!i->keyframe || !moves_toward_target(p, i->enc)) {
            if (p->cur_enc != p->target.enc)
                *flags |= BRIDGE_PROJ_WANT_KEYFRAME;
            return drop(p);
        }
        switch_to(p, i, pkt, now_us);
        *flags |= BRIDGE_PROJ_SWITCHED | BRIDGE_PROJ_LAYER_CHANGED;
    } else if (p->cur_enc != p->target.enc) {
        *flags |= BRIDGE_PROJ_WANT_KEYFRAME;
    }

    uint16_t seq = pa_rtp_get_seq(pkt);
    int32_t d = pa_rtp_seq_diff(seq, p->in_highest);
    BridgeProjInSlot *slot = &p->in_ring[seq & RING_MASK];
    if (d <= 0 && (-d >= BRIDGE_PROJ_SEQ_RING || slot->state != SLOT_GAP || slot->in_seq != seq))
        return drop_old(p); /* a duplicate, or too old to place */

    BridgeProjFrame *f;
    bool forward = decide(p, i, pa_rtp_get_timestamp(pkt), now_us, flags, &f);
    if (d <= 0) {
        /* Late: it fills the hole reserved for it, or leaves it for good. */
        if (!forward) {
            slot->state = SLOT_DROP;
            p->stats.gaps_skipped++;
            return drop(p);
        }
        slot->state = SLOT_FWD;
        apply(p, pkt, i, f, slot->out_seq, seq);
        p->stats.gaps_filled++;
        p->stats.forwarded++;
        return BRIDGE_PROJ_FORWARD;
    }

    uint16_t gap = (uint16_t)(d - 1);
    if (gap > MAX_KEPT_GAP)
        gap = 0; /* a jump, not a loss: continue without a hole */
    reserve_gap(p, gap, i->enc);
    p->in_highest = seq;
    if (!forward) {
        p->out_highest = (uint16_t)(p->out_highest + gap);
        *slot = (BridgeProjInSlot){seq, 0, SLOT_DROP};
        return drop(p);
    }
    uint16_t out = (uint16_t)(p->out_highest + gap + 1);
    p->out_highest = out;
    *slot = (BridgeProjInSlot){seq, out, SLOT_FWD};
    apply(p, pkt, i, f, out, seq);
    remember_last(p, i, out, now_us);
    p->stats.forwarded++;
    return BRIDGE_PROJ_FORWARD;
}

bool bridge_projection_lookup(const BridgeProjection *p, uint16_t out_seq, BridgeProjRef *ref)
{
    const BridgeProjOutSlot *o = &p->out_ring[out_seq & RING_MASK];
    if (o->out_seq != out_seq || (o->state != SLOT_FWD && o->state != SLOT_GAP))
        return false;
    if (pa_rtp_seq_diff(p->out_highest, out_seq) >= BRIDGE_PROJ_SEQ_RING ||
        pa_rtp_seq_diff(p->out_highest, out_seq) < 0)
        return false;
    ref->in_seq = o->in_seq;
    ref->enc = o->enc;
    ref->forwarded = o->state == SLOT_FWD;
    return true;
}

bool bridge_projection_rewrite_again(const BridgeProjection *p, uint16_t out_seq, uint8_t *pkt,
                                     size_t len, const BridgeLayerInfo *i)
{
    BridgeProjRef ref;
    if (len < PA_RTP_FIXED_HEADER_LEN || !bridge_projection_lookup(p, out_seq, &ref) ||
        !ref.forwarded || ref.in_seq != pa_rtp_get_seq(pkt) || ref.enc != i->enc)
        return false;
    const BridgeProjOutSlot *o = &p->out_ring[out_seq & RING_MASK];
    pa_rtp_set_ssrc(pkt, p->out_ssrc);
    pa_rtp_set_seq(pkt, out_seq);
    pa_rtp_set_timestamp(pkt, o->ts);
    pa_rtp_set_marker(pkt, o->marker);
    if (i->picture_id_off) {
        uint8_t *q = pkt + i->picture_id_off;
        if (i->picture_id_15) {
            q[0] = (uint8_t)(0x80 | o->picture_id >> 8);
            q[1] = (uint8_t)o->picture_id;
        } else {
            q[0] = (uint8_t)(o->picture_id & 0x7f);
        }
    }
    if (i->tl0picidx_off)
        pkt[i->tl0picidx_off] = o->tl0picidx;
    if (i->dd_off)
        pa_wr16(pkt + i->dd_off + 1, o->frame_number);
    return true;
}

bool bridge_projection_rewrite_sr(const BridgeProjection *p, uint8_t *buf,
                                  const PaRtcpPacket *sr_pkt, uint8_t enc)
{
    if (!p->started || p->cur_enc < 0 || enc != (uint8_t)p->cur_enc || sr_pkt->type != PA_RTCP_SR ||
        sr_pkt->body_len < 24)
        return false;
    uint8_t *b = buf + sr_pkt->offset + 4;
    pa_wr32(b, p->out_ssrc);
    pa_wr32(b + 12, pa_rd32(b + 12) + p->ts_off);
    pa_wr32(b + 16, p->sent_packets);
    pa_wr32(b + 20, p->sent_octets);
    return true;
}
