/* SPDX-License-Identifier: MIT */
/* The projection of one video source for one receiver: out of the packets of every encoding
 * (the SSRCs of a SIM group) and every spatial/temporal layer a sender produces, forward
 * exactly the target layer, as one continuous stream on the source's primary SSRC, which is
 * the only SSRC the receiver was told about (the focus strips simulcast from what receivers
 * see, as Jicofo does).
 *
 * What the receiver sees stays continuous across layer changes:
 *  - SSRC: always the primary SSRC (the first of the SIM group).
 *  - Sequence numbers: consecutive. Packets the projection drops (other encodings, filtered
 *    layers) leave no hole. Holes that are real losses upstream stay, so the receiver NACKs
 *    them; a late packet that arrives to fill such a hole gets the number reserved for it. If
 *    the late packet turns out to belong to a dropped layer, its hole stays: a deliberate
 *    gap, the price of not holding packets back.
 *  - Timestamps: an encoding keeps its own timeline (out = in + offset). On a switch the
 *    offset is chosen so that the new encoding continues from the last timestamp sent plus
 *    the wall-clock time since (at least one tick): never backwards.
 *  - VP8/VP9 picture id: continuous over dropped frames (each dropped frame closes its slot)
 *    and across switches; TL0PICIDX continuous across switches (base-layer frames are never
 *    dropped within an encoding); the AV1 dependency descriptor's frame number continuous
 *    across switches.
 *
 * Layer switching rules (what the target means, and when it takes effect):
 *  - Encodings are independent streams: a receiver can start one only at its key frame. So
 *    the switch to another encoding happens at the first key frame of the target encoding,
 *    up or down alike, and the projection asks the caller to request one (PLI/FIR; the
 *    caller rate-limits per source: BridgeKeyframeLimiter). Switching down is "at once" in
 *    the sense that it is requested at once and needs no wait beyond that key frame. While a
 *    switch down is pending, the current (higher) encoding is cut to its base temporal
 *    layer so the receiver's link gets relief before the key frame arrives.
 *  - Within an encoding, lowering the temporal or spatial layer takes effect at the next
 *    picture: lower layers never depend on higher ones. Raising a temporal layer waits for
 *    a frame of that layer marked as a switching point (VP8 layer sync, VP9 U, a dependency
 *    descriptor Switch indication) or a key frame; raising a spatial layer waits for a frame
 *    of that layer predicted only from the layer below (or a key frame).
 *  - Decisions are per picture (keyed by RTP timestamp), so every packet of a picture gets
 *    the same verdict even when packets are reordered.
 *  - With spatial layers filtered, the marker bit is set on the last packet of the highest
 *    spatial layer forwarded, since the sender put it on a layer the receiver does not get.
 *
 * Retransmissions: the projection remembers, by output sequence number, which input packet
 * (encoding, sequence number) each forwarded packet was and how it was rewritten, so the
 * bridge answers a receiver's NACK from its own cache (rtx.h): bridge_projection_lookup(),
 * then bridge_projection_rewrite_again() for a packet that was forwarded, or
 * bridge_projection_process() for a hole that a cached packet can now fill.
 *
 * Cost: all state is in this struct (about 6 KiB), allocated with the receiver's subscription;
 * bridge_projection_process() allocates nothing, takes no lock, and is a few dozen
 * comparisons and stores per packet (tests/bench/projection-bench).
 *
 * Thread: a projection belongs to the receiver's media worker; the caller serialises every
 * call. Pure code: libc and common/rtp only; time is passed in. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bridge/forward/layer.h"
#include "common/rtp/rtcp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRIDGE_PROJ_SEQ_RING 256 /* packets remembered, by input and by output number */
#define BRIDGE_PROJ_FRAMES 32    /* pictures remembered for per-picture decisions */
/* One key frame request per source at most this often (jitsi-wire-reference §9). */
#define BRIDGE_KEYFRAME_INTERVAL_US 200000
/* A receiver waiting to move up a spatial layer that the stream never lets it enter (VP9
 * K-SVC, L3T3_KEY: upper layers predict from themselves between key pictures) asks for a key
 * picture at most this often. */
#define BRIDGE_SPATIAL_KEYFRAME_INTERVAL_US 1000000

typedef enum {
    BRIDGE_PROJ_FORWARD = 0, /* rewritten in place: send it */
    BRIDGE_PROJ_DROP,        /* not for this receiver (another encoding, a filtered layer,
                              * paused, waiting for a key frame, padding) */
    BRIDGE_PROJ_DROP_OLD,    /* a duplicate, or older than the projection remembers */
} BridgeProjVerdict;

/* Flags bridge_projection_process() returns in *flags. */
enum {
    /* The target encoding has not started yet, or its target spatial layer can only be
     * entered at a key picture (a packet of it arrived that is no switching point): request
     * a key frame of it from the sender (SSRC of encoding bridge_projection_wanted_encoding()),
     * subject to the per-source limiter. */
    BRIDGE_PROJ_WANT_KEYFRAME = 1u << 0,
    /* This packet switched encodings (or started the stream). */
    BRIDGE_PROJ_SWITCHED = 1u << 1,
    /* The layer forwarded changed (encoding, spatial or temporal). */
    BRIDGE_PROJ_LAYER_CHANGED = 1u << 2,
};

/* Private to projection.c (in the header so that callers can embed a projection). */
typedef struct {
    uint16_t in_seq;
    uint16_t out_seq;
    uint8_t state;
} BridgeProjInSlot;

typedef struct {
    uint16_t out_seq;
    uint16_t in_seq;
    uint8_t state;
    uint8_t enc;
    bool marker;
    uint8_t tl0picidx;
    uint32_t ts;
    uint16_t picture_id;
    uint16_t frame_number;
} BridgeProjOutSlot;

typedef struct {
    uint32_t ts;
    uint16_t in_picid;
    uint16_t picid_off_after;
    uint8_t max_sid;
    uint8_t flags;
} BridgeProjFrame;

typedef struct {
    uint64_t forwarded;    /* packets forwarded */
    uint64_t dropped;      /* packets dropped (BRIDGE_PROJ_DROP) */
    uint64_t dropped_old;  /* duplicates and too old (BRIDGE_PROJ_DROP_OLD) */
    uint64_t switches;     /* encoding switches (including the start) */
    uint64_t gaps_filled;  /* late packets that filled a reserved hole */
    uint64_t gaps_skipped; /* late packets of a dropped layer: their hole stays */
} BridgeProjStats;

typedef struct {
    uint32_t out_ssrc;
    uint32_t clock_hz;
    BridgeLayerTarget target;
    /* What is forwarded now: encoding -1 before the first key frame. */
    int8_t cur_enc;
    uint8_t cur_sid;
    uint8_t cur_tid;
    bool started; /* something has been sent: the out_* continuity values are valid */

    uint16_t in_highest; /* highest input sequence number of cur_enc seen */
    uint16_t out_highest;
    uint32_t ts_off;
    uint32_t last_out_ts;
    int64_t last_out_us;
    bool picid_in_valid; /* newest_in_picid holds a picture id of cur_enc */
    bool picid_valid;    /* last_out_picid holds what was sent */
    uint16_t picid_off;
    uint16_t newest_in_picid;
    uint16_t last_out_picid;
    uint8_t tl0_off;
    uint8_t last_out_tl0;
    bool tl0_valid;
    uint16_t fn_off;
    uint16_t last_out_fn;
    bool fn_valid;
    /* Waiting for a key picture to move up a spatial layer of cur_enc; when it was asked. */
    bool spatial_kf;
    bool spatial_kf_any;
    int64_t spatial_kf_us;

    uint32_t sent_packets; /* for the sender reports this receiver gets */
    uint32_t sent_octets;
    unsigned next_frame;
    BridgeProjFrame frames[BRIDGE_PROJ_FRAMES];
    BridgeProjInSlot in_ring[BRIDGE_PROJ_SEQ_RING];
    BridgeProjOutSlot out_ring[BRIDGE_PROJ_SEQ_RING];
    BridgeProjStats stats;
} BridgeProjection;

/* Prepares @p for a receiver of a source whose primary SSRC is @out_ssrc, with media clock
 * @clock_hz (90000 for video). The target starts as BRIDGE_LAYER_TARGET_NONE. */
void bridge_projection_init(BridgeProjection *p, uint32_t out_ssrc, uint32_t clock_hz);

/* Sets what the receiver should get (from the allocator). Pausing (enc -1) takes effect at
 * once and the next start needs a key frame; other changes follow the rules above. */
void bridge_projection_set_target(BridgeProjection *p, BridgeLayerTarget target);

/* Decides about one packet of the source and, when it is forwarded, rewrites it in place:
 * SSRC, sequence number, timestamp, marker, picture id, TL0PICIDX and AV1 frame number, at
 * the offsets @info gives (from bridge_layer_info_parse() on the same bytes; the caller
 * passes the receiver's own copy). @now_us is a monotonic clock. *@flags (not NULL) gets
 * BRIDGE_PROJ_* flags. Never fails on any input: unknown or inconsistent packets are
 * dropped. */
BridgeProjVerdict bridge_projection_process(BridgeProjection *p, uint8_t *pkt, size_t len,
                                            const BridgeLayerInfo *info, int64_t now_us,
                                            unsigned *flags);

/* The encoding a key frame is wanted from (the target's), or -1. */
static inline int bridge_projection_wanted_encoding(const BridgeProjection *p)
{
    return p->target.enc >= 0 && (p->cur_enc != p->target.enc || p->spatial_kf) ? p->target.enc
                                                                                : -1;
}

/* What the output packet @out_seq was. */
typedef struct {
    uint16_t in_seq; /* its sequence number on its encoding's SSRC */
    uint8_t enc;     /* its encoding */
    bool forwarded;  /* sent (rewrite_again applies); false: a hole reserved for it */
} BridgeProjRef;

/* Looks @out_seq up among the last BRIDGE_PROJ_SEQ_RING output numbers. False when it was
 * never assigned or is too old. */
bool bridge_projection_lookup(const BridgeProjection *p, uint16_t out_seq, BridgeProjRef *ref);

/* Rewrites @pkt, a copy of the original input packet of output @out_seq (as cached), exactly
 * as it was forwarded, for a retransmission. @info is its layer info. False (untouched) when
 * @out_seq was not forwarded or is too old. */
bool bridge_projection_rewrite_again(const BridgeProjection *p, uint16_t out_seq, uint8_t *pkt,
                                     size_t len, const BridgeLayerInfo *info);

/* Rewrites, in place, the sender info of an SR (@sr_pkt from the RTCP iterator over @buf)
 * that the sender sent about encoding @enc: sender SSRC, RTP timestamp (with the current
 * offset), and the packet and octet counts of what this receiver was sent. Returns false
 * when the SR is about an encoding not forwarded now (or nothing was sent yet, or the packet
 * is not an SR): do not send it. */
bool bridge_projection_rewrite_sr(const BridgeProjection *p, uint8_t *buf,
                                  const PaRtcpPacket *sr_pkt, uint8_t enc);

/* One key frame request per source per BRIDGE_KEYFRAME_INTERVAL_US, whoever asks. */
typedef struct {
    int64_t last_us;
    bool any;
    uint64_t requested; /* requests allowed */
    uint64_t suppressed;
} BridgeKeyframeLimiter;

/* True (and recorded) when a request may go out at @now_us. */
bool bridge_keyframe_limiter_allow(BridgeKeyframeLimiter *l, int64_t now_us);

#ifdef __cplusplus
}
#endif
