/* SPDX-License-Identifier: MIT */
/* Per-layer bitrate, frame rate and size of a source (layer-rates.h). Thread: the owner's. */
#include "bridge/forward/layer-rates.h"

#include <string.h>

static unsigned cell(unsigned enc, unsigned sid, unsigned tid)
{
    return (enc * BRIDGE_MAX_SPATIAL + sid) * BRIDGE_MAX_TEMPORAL + tid;
}

void bridge_layer_rates_init(BridgeLayerRates *r)
{
    memset(r, 0, sizeof *r);
    for (unsigned b = 0; b < BRIDGE_RATE_BUCKETS; b++)
        r->epoch[b] = -1;
}

void bridge_layer_rates_add(BridgeLayerRates *r, const BridgeLayerInfo *i, uint32_t bytes,
                            int64_t now_us)
{
    if (i->enc >= BRIDGE_MAX_ENCODINGS || i->sid >= BRIDGE_MAX_SPATIAL ||
        i->tid >= BRIDGE_MAX_TEMPORAL || now_us < 0)
        return;
    int64_t epoch = now_us / BRIDGE_RATE_BUCKET_US;
    unsigned b = (unsigned)(epoch % BRIDGE_RATE_BUCKETS);
    if (r->epoch[b] != epoch) {
        r->epoch[b] = epoch;
        memset(r->bytes[b], 0, sizeof r->bytes[b]);
        memset(r->frames[b], 0, sizeof r->frames[b]);
    }
    unsigned c = cell(i->enc, i->sid, i->tid);
    r->bytes[b][c] += bytes;
    /* Frames are counted where they end: every codec marks that (RTP marker, VP9 E, the
     * descriptor's end of frame), while H.264 and unknown codecs do not mark starts. */
    if (i->frame_end && r->frames[b][c] < UINT16_MAX)
        r->frames[b][c]++;
    r->seen[c] = true;
    if (i->enc > 0)
        r->simulcast = true;
    if (i->sid > 0)
        r->spatial = true;
    if (i->width && i->height) {
        r->width[i->enc][i->sid] = i->width;
        r->height[i->enc][i->sid] = i->height;
    }
    /* A VP9 scalability structure (on spatial layer 0) gives the heights of the layers above. */
    for (unsigned s = 0; s < i->ss_layers && s < BRIDGE_MAX_SPATIAL; s++)
        if (i->ss_height[s])
            r->height[i->enc][s] = i->ss_height[s];
}

unsigned bridge_layer_rates_snapshot(const BridgeLayerRates *r, int64_t now_us,
                                     BridgeLayerDesc *out, unsigned cap)
{
    /* Sums over the buckets of the last second (the current one partly filled). */
    static const unsigned n_cells = BRIDGE_MAX_LAYERS;
    uint64_t bytes[BRIDGE_MAX_LAYERS] = {0};
    uint32_t frames[BRIDGE_MAX_LAYERS] = {0};
    int64_t epoch = now_us / BRIDGE_RATE_BUCKET_US;
    for (unsigned b = 0; b < BRIDGE_RATE_BUCKETS; b++) {
        if (r->epoch[b] < 0 || r->epoch[b] > epoch || r->epoch[b] <= epoch - BRIDGE_RATE_BUCKETS)
            continue;
        for (unsigned c = 0; c < n_cells; c++) {
            bytes[c] += r->bytes[b][c];
            frames[c] += r->frames[b][c];
        }
    }
    int64_t window_us = (BRIDGE_RATE_BUCKETS - 1) * (int64_t)BRIDGE_RATE_BUCKET_US +
                        (now_us - epoch * BRIDGE_RATE_BUCKET_US);
    if (window_us <= 0)
        window_us = 1;

    unsigned n = 0;
    for (unsigned e = 0; e < BRIDGE_MAX_ENCODINGS; e++) {
        for (unsigned s = 0; s < BRIDGE_MAX_SPATIAL; s++) {
            for (unsigned t = 0; t < BRIDGE_MAX_TEMPORAL; t++) {
                if (!r->seen[cell(e, s, t)] || n == cap)
                    continue;
                uint64_t b = 0, fr = 0;
                for (unsigned s2 = 0; s2 <= s; s2++)
                    for (unsigned t2 = 0; t2 <= t; t2++)
                        b += bytes[cell(e, s2, t2)];
                for (unsigned t2 = 0; t2 <= t; t2++)
                    fr += frames[cell(e, s, t2)];
                BridgeLayerDesc *d = &out[n++];
                d->layer = (BridgeLayerTarget){(int8_t)e, (uint8_t)s, (uint8_t)t};
                d->height_known = r->height[e][s] != 0;
                d->height =
                    d->height_known ? r->height[e][s] : (uint16_t)(180u << (r->spatial ? s : e));
                d->fps = (float)((double)fr * 1e6 / (double)window_us);
                d->bitrate_bps = (uint32_t)(b * 8u * 1000000u / (uint64_t)window_us);
            }
        }
    }
    return n;
}
