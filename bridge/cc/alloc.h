/* SPDX-License-Identifier: MIT */
/* The bandwidth allocation for one receiver: which layer of which video source it gets,
 * within its bandwidth estimate and the constraints it asked for (ReceiverVideoConstraints),
 * following the behaviour Jitsi Videobridge publishes (BandwidthAllocator; jitsi-wire-
 * reference §9), so that Jitsi clients get what they expect.
 *
 *  1. Priority: on-stage sources first (in the receiver's order), then selected sources,
 *     then the others by their owner's speech activity (the dominant speaker first, then
 *     recent speakers); sources that send no video go last.
 *  2. Last-N: only the first N sources in that order (N from the receiver, -1 for all) keep
 *     their constraints (per source if given, else the default one, maxHeight 180 unless the
 *     receiver says otherwise); the others get maxHeight 0: not forwarded. These effective
 *     constraints are also what senders are told (SenderSourceConstraints: the highest
 *     effective maxHeight over all receivers, bridge_alloc_merge_height).
 *  3. Layers considered per source: a camera's layers up to its maxHeight, where above the
 *     on-stage preferred height (360p, when the receiver allows more than 180p) only layers
 *     at 30 fps (or the most the source sends) count, so a receiver that can afford 720p
 *     does not get it at 7.5 fps; the lowest height is always there. Layers that do not flow
 *     (bitrate 0) are left out while others flow. A screen share's layers up to maxHeight
 *     (or its lowest ones), all of them "preferred"; on stage it may overshoot the estimate
 *     by up to 500 kbit/s (its lowest-bitrate layer at the top height), and a single-layer
 *     screen share is sent even above the estimate.
 *  4. Allocation: in priority order each source improves by one layer per pass, except an
 *     on-stage source, which climbs at once to its preferred layer; thumbnails get nothing
 *     until the on-stage source has reached it (so they are not started only to be stopped
 *     when the on-stage one needs more). Passes repeat until nothing changes. A step is taken
 *     only when it fits in what is left of the estimate. An on-stage camera is never
 *     suspended for want of bandwidth (Jitsi's enableOnstageVideoSuspend, false by default):
 *     when even its lowest layer does not fit, it gets that layer anyway (oversending).
 *
 * The result is per source: the target layer (for the projection), whether it is forwarded
 * (ForwardedSources), its effective maxHeight, and what it would get without a bandwidth
 * limit (the ideal layer, what probing aims for).
 *
 * Re-run it when the constraints, the sources or the speaker order change, when the estimate
 * moves by more than 15% (bridge_alloc_bwe_changed), and at least every few seconds (layer
 * bitrates change). Thread: any; no state, no allocation (bounded stack use). Pure code. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bridge/forward/layer-rates.h"

#ifdef __cplusplus
extern "C" {
#endif

/* At most this many sources are considered per receiver (the rest are not forwarded). */
#define BRIDGE_ALLOC_MAX_SOURCES 256
#define BRIDGE_ALLOC_ONSTAGE_PREFERRED_HEIGHT 360
#define BRIDGE_ALLOC_ONSTAGE_PREFERRED_FPS 30.0f
#define BRIDGE_ALLOC_THUMBNAIL_HEIGHT 180
#define BRIDGE_ALLOC_MAX_OVERSEND_BPS 500000
/* Re-allocate when the estimate moves more than this fraction. */
#define BRIDGE_ALLOC_BWE_CHANGE 0.15

/* A receiver's limit for a source: -1 unlimited, 0 off. */
typedef struct {
    int max_height;
    /* Frames per second, -1 (or 0) unlimited. Jitsi Videobridge leaves it to the preferred
     * frame rate; Parley also holds cameras to it, since a receiver asking for 15 fps does not
     * want to decode 30. */
    float max_frame_rate;
} BridgeAllocConstraints;

typedef struct {
    uint32_t owner; /* the sending endpoint (what speech activity is about) */
    bool desktop;   /* a screen share */
    /* Its layers, from bridge_layer_rates_snapshot(): ordered from the cheapest up per
     * encoding; may be empty (nothing signalled or sent yet). */
    const BridgeLayerDesc *layers;
    unsigned n_layers;
} BridgeAllocSource;

typedef struct {
    int last_n;               /* -1: all */
    const uint32_t *on_stage; /* source indices, in the receiver's order */
    unsigned n_on_stage;
    const uint32_t *selected; /* source indices */
    unsigned n_selected;
    BridgeAllocConstraints fallback; /* defaultConstraints */
    /* Per-source constraints: source index -> constraints (n_constraints pairs). */
    const uint32_t *constrained;
    const BridgeAllocConstraints *constraints;
    unsigned n_constraints;
} BridgeAllocReceiver;

/* The receiver's defaults (Jitsi's): last-N -1, maxHeight 180, nothing on stage. */
void bridge_alloc_receiver_init(BridgeAllocReceiver *rx);

typedef struct {
    BridgeLayerTarget target; /* BRIDGE_LAYER_TARGET_NONE when not forwarded */
    BridgeLayerTarget ideal;  /* with unlimited bandwidth (NONE: nothing to send) */
    uint32_t target_bps;
    uint32_t ideal_bps;
    int effective_max_height; /* after last-N: 0 outside it, -1 unlimited */
    unsigned rank;            /* place in the priority order, 0 first */
    bool forwarded;           /* target is a layer: in ForwardedSources */
    bool suspended;           /* in last-N and sending, but no bandwidth for it */
    bool on_stage;
} BridgeAllocResult;

typedef struct {
    uint64_t target_bps; /* what the targets cost */
    uint64_t ideal_bps;  /* what the ideal layers would cost: what to probe for */
    bool oversending;    /* the targets exceed the estimate (on-stage screen share) */
    unsigned forwarded;
    unsigned suspended;
} BridgeAllocSummary;

/* Allocates @bwe_bps among @sources (n_sources, at most BRIDGE_ALLOC_MAX_SOURCES are
 * considered) for receiver @rx. @speakers lists endpoint ids by speech activity, dominant
 * first (owners missing from it come after, in source order). Writes one result per source
 * into @out (n_sources entries) and the totals into @summary (may be NULL). */
void bridge_alloc_run(const BridgeAllocReceiver *rx, const BridgeAllocSource *sources,
                      unsigned n_sources, const uint32_t *speakers, unsigned n_speakers,
                      uint64_t bwe_bps, BridgeAllocResult *out, BridgeAllocSummary *summary);

/* Two receivers' effective maxHeights for one source combined into what the sender must
 * send: the larger, -1 (unlimited) winning. Start from 0 (nobody needs it). */
static inline int bridge_alloc_merge_height(int a, int b)
{
    if (a < 0 || b < 0)
        return -1;
    return a > b ? a : b;
}

/* True when the estimate moved enough since @last_bps (0: never allocated) to re-allocate. */
static inline bool bridge_alloc_bwe_changed(uint64_t last_bps, uint64_t now_bps)
{
    if (last_bps == 0)
        return true;
    double d = (double)now_bps - (double)last_bps;
    return d > (double)last_bps * BRIDGE_ALLOC_BWE_CHANGE ||
           -d > (double)last_bps * BRIDGE_ALLOC_BWE_CHANGE;
}

/* ---- Switches up the link could not carry ----
 *
 * On a link at its limit the estimate saw-tooths: a probe lifts it above what the link
 * carries, the allocation moves up a layer (which costs a key frame), the link over-uses, the
 * estimate falls and the allocation moves down again, every few seconds, each time a jump
 * in quality and a risk of a frozen picture. So a switch up (the allocation's cost rising by
 * more than BRIDGE_ALLOC_UPGRADE_STEP: layer bitrates alone wander less) is on trial for
 * BRIDGE_ALLOC_UPGRADE_TRIAL_MS. When the estimate takes the allocation back down within that
 * time, it failed: for a hold-off that doubles with each failure in a row (4 s, 8 s, ... 32 s)
 * the allocation may cost at most BRIDGE_ALLOC_UPGRADE_STEP times what it cost before that
 * switch, unless the estimate rises to BRIDGE_ALLOC_UPGRADE_ESCAPE times the one the switch
 * was made with (the link got better: back to HD at once). A switch up that lasts its trial
 * resets the hold-off. */
#define BRIDGE_ALLOC_UPGRADE_STEP 1.25
#define BRIDGE_ALLOC_UPGRADE_TRIAL_MS 4000
#define BRIDGE_ALLOC_UPGRADE_BACKOFF_MIN_MS 4000
#define BRIDGE_ALLOC_UPGRADE_BACKOFF_MAX_MS 32000
#define BRIDGE_ALLOC_UPGRADE_ESCAPE 1.5

typedef struct {
    uint64_t trial_from_bps; /* the switch up on trial: the cost before it (0: none) */
    uint64_t trial_est_bps;  /* the estimate it was made with */
    int64_t trial_at_ms;
    uint64_t cap_bps;     /* after a failure: the most an allocation may cost (0: no cap) */
    uint64_t cap_est_bps; /* the estimate the failed switch was made with */
    int64_t until_ms;     /* the cap holds until then */
    uint32_t backoff_ms;  /* the last hold-off (0: none since the last switch that lasted) */
    uint32_t failures;    /* failed switches up so far */
} BridgeAllocUpgradeGuard;

/* The most an allocation may cost at @now_ms with @estimate_bps (UINT64_MAX: no cap). */
uint64_t bridge_alloc_upgrade_cap(const BridgeAllocUpgradeGuard *g, uint64_t estimate_bps,
                                  int64_t now_ms);

/* After each allocation posted: its cost before (@prev_bps, 0 for none) and now
 * (@target_bps), the estimate it was made with (0: none) and whether the estimate held it
 * below its ideal (@limited). */
void bridge_alloc_upgrade_note(BridgeAllocUpgradeGuard *g, uint64_t prev_bps, uint64_t target_bps,
                               uint64_t estimate_bps, bool limited, int64_t now_ms);

#ifdef __cplusplus
}
#endif
