/* SPDX-License-Identifier: MIT */
/* What each layer of a video source costs and shows, measured from the packets the sender
 * actually sends: per encoding, spatial and temporal layer, the bytes and frames of the last
 * second, and the frame size when the stream says it (VP8 key frames, VP9 scalability
 * structure, dependency descriptor resolutions). A snapshot turns that into the list of
 * layers a receiver can be given, each with the bitrate it costs the receiver (the layer and
 * every layer it depends on: lower temporal layers, and for spatial scalability lower
 * spatial layers, of the same encoding), its frame rate and height. That list is the
 * allocator's input (bridge/cc/alloc.h).
 *
 * When a height is not known yet, it is assumed from the layer's place, as Jitsi Meet's
 * default simulcast and SVC modes lay them out: 180 << index (encoding index for simulcast,
 * spatial id for SVC), i.e. 180, 360, 720.
 *
 * Cost: bridge_layer_rates_add() is a few array stores per packet, plus clearing one
 * 100 ms bucket ten times a second. No allocation. Thread: the source's sender's media
 * worker; a snapshot is taken there and sent on. Pure code, libc only; time is passed in. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bridge/forward/layer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRIDGE_RATE_BUCKETS 10
#define BRIDGE_RATE_BUCKET_US 100000 /* 10 x 100 ms: the last second */
#define BRIDGE_MAX_LAYERS (BRIDGE_MAX_ENCODINGS * BRIDGE_MAX_SPATIAL * BRIDGE_MAX_TEMPORAL)

typedef struct {
    int64_t epoch[BRIDGE_RATE_BUCKETS]; /* which 100 ms interval each bucket holds */
    uint32_t bytes[BRIDGE_RATE_BUCKETS][BRIDGE_MAX_LAYERS];
    uint16_t frames[BRIDGE_RATE_BUCKETS][BRIDGE_MAX_LAYERS];
    bool seen[BRIDGE_MAX_LAYERS]; /* a packet of this layer ever arrived */
    uint16_t width[BRIDGE_MAX_ENCODINGS][BRIDGE_MAX_SPATIAL];
    uint16_t height[BRIDGE_MAX_ENCODINGS][BRIDGE_MAX_SPATIAL];
    bool simulcast; /* more than one encoding seen */
    bool spatial;   /* more than one spatial layer seen */
} BridgeLayerRates;

/* One layer a receiver can be given. */
typedef struct {
    BridgeLayerTarget layer; /* encoding, and the highest spatial/temporal ids included */
    uint16_t height;         /* pixels; assumed from the layer's place when not known */
    bool height_known;
    float fps;            /* frames per second of the layer with the temporal layers below */
    uint32_t bitrate_bps; /* what a receiver of this layer is sent (0: not sending now) */
} BridgeLayerDesc;

void bridge_layer_rates_init(BridgeLayerRates *r);

/* Accounts one packet (its layer info) of @bytes (RTP payload, or whole packet: be
 * consistent) arriving at @now_us. */
void bridge_layer_rates_add(BridgeLayerRates *r, const BridgeLayerInfo *i, uint32_t bytes,
                            int64_t now_us);

/* Writes the layers ever seen into @out (at most @cap, BRIDGE_MAX_LAYERS suffices), ordered
 * by encoding, then spatial, then temporal id (so for each encoding from the cheapest up).
 * Rates are over the last second before @now_us. Returns how many were written. */
unsigned bridge_layer_rates_snapshot(const BridgeLayerRates *r, int64_t now_us,
                                     BridgeLayerDesc *out, unsigned cap);

#ifdef __cplusplus
}
#endif
