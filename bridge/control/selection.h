/* SPDX-License-Identifier: MIT */
/* Layer selection, last-N and dominant speaker on the control thread: what each receiver gets
 * of each video source, decided with bridge/cc and applied by the media workers.
 *
 * For every conference it keeps the video sources its endpoints announced (the SIM group's
 * encodings and their RTX SSRCs, each source named by a small conference-wide index shared
 * with the workers) and a dominant speaker identification (bridge/cc/speaker.h) fed every
 * 20 ms from the audio levels the workers publish. For every receiver it runs the allocation
 * (bridge/cc/alloc.h) from its ReceiverVideoConstraints (bridge channel preferences), the
 * speech order and the layers each source sends (measured by the sender's worker once a
 * second; assumed 180/360/720p per encoding until measured), and sends the media worker the
 * target layer of every source when it changed. From the same results it tells clients what
 * changed: ForwardedSources and LastNEndpointsChangeEvent to the receiver,
 * SenderSourceConstraints (the highest height any receiver needs) to each sender, and
 * DominantSpeakerEndpointChangeEvent to everyone.
 *
 * Allocations run after an event (sources, joins and leaves, preferences, a speaker change),
 * coalesced in an idle callback, every 2 s (layer rates move), and when a receiver's bandwidth
 * estimate (published by its media worker, looked at every 200 ms) moved by more than 15%.
 * A receiver's layers fit in its estimate (the lowest of the last second, less what its audio
 * and retransmissions take); until its first transport-cc feedback it has
 * none and the allocation is unlimited (constraints and last-N decide). When the estimate keeps
 * it below its ideal allocation, its worker is told what the ideal costs, and probes.
 *
 * Thread: control thread only; owns its per-conference and per-endpoint state, keyed by the
 * registry's handles. */
#pragma once

#include <glib.h>

#include "bridge/control/channel.h"
#include "bridge/control/registry.h"
#include "bridge/media/media.h"

G_BEGIN_DECLS

typedef struct _BridgeSelection BridgeSelection;

#define BRIDGE_SELECTION_BWE_BUCKETS 7

/* @reg, @media and @channels must outlive it; it plugs itself into @channels' hooks.
 * (transfer full) */
BridgeSelection *bridge_selection_new(BridgeRegistry *reg, BridgeMedia *media,
                                      BridgeChannels *channels, GMainContext *context);
void bridge_selection_free(BridgeSelection *s);

/* @ep's sources or codecs changed (or it joined): its video sources are sent to its worker
 * and the conference re-allocated. */
void bridge_selection_endpoint_updated(BridgeSelection *s, BridgeRegEndpoint *ep);
/* @ep is about to leave the registry. */
void bridge_selection_endpoint_removed(BridgeSelection *s, BridgeRegEndpoint *ep);
/* @conf is about to leave the registry (after its endpoints). */
void bridge_selection_conference_removed(BridgeSelection *s, BridgeRegConference *conf);

typedef struct {
    guint64 allocations;       /* receiver allocations run */
    guint64 targets_posted;    /* target sets sent to the workers */
    guint64 speaker_changes;   /* dominant speaker changes announced */
    guint64 forwarded_sources; /* video sources forwarded now, summed over receivers */
    guint64 paused_sources;    /* video sources not forwarded now (last-N, maxHeight 0) */
    guint64 forwarded_bps;     /* what the current targets cost, summed over receivers */
    /* Bandwidth estimates (receivers with transport-cc feedback) */
    guint64 bwe_receivers;     /* receivers with an estimate */
    guint64 bwe_limited;       /* of them, kept below their ideal allocation by it */
    guint64 bwe_sum_bps;       /* their estimates summed */
    guint64 bwe_min_bps;       /* the lowest (0: none) */
    guint64 bwe_reallocations; /* allocations an estimate change caused (per conference) */
    guint64 bwe_buckets[BRIDGE_SELECTION_BWE_BUCKETS]; /* cumulative: estimates <= bound */
} BridgeSelectionStats;

/* Upper bounds of the estimate histogram's buckets (bits per second), ascending. */
extern const guint64 bridge_selection_bwe_bucket_bps[BRIDGE_SELECTION_BWE_BUCKETS];

void bridge_selection_get_stats(BridgeSelection *s, BridgeSelectionStats *out);

/* GET /debug/endpoints: every endpoint's allocation and bandwidth estimate, as JSON
 * (transfer full). */
char *bridge_selection_endpoints_json(BridgeSelection *s);

G_END_DECLS
