/* SPDX-License-Identifier: MIT */
/* Retransmission cache and RFC 4588 packet forms (rtx.h). Thread: the cache's owner (the
 * source's media worker); the packet functions are stateless. */
#include "bridge/forward/rtx.h"

#include <stdlib.h>
#include <string.h>

#include "common/rtp/rtp.h"

typedef struct {
    int64_t arrival_us;
    uint64_t start; /* where its bytes are in the ring: an absolute position (see head) */
    uint16_t len;   /* 0: empty */
    uint16_t seq;
    uint8_t stream;
} Slot;

struct BridgeRtxCache {
    unsigned n_slots; /* power of two */
    unsigned streams;
    int64_t max_age_us;
    unsigned next;
    /* The packets' bytes, one after the other in a ring of ring_bytes; a packet that would
     * not fit before the end starts again at the beginning. head counts every byte position
     * ever passed (written or skipped), so a packet whose bytes start at @start is intact
     * while head - start <= ring_bytes. */
    uint8_t *ring;
    size_t ring_bytes;
    uint64_t head;
    /* When the current lap started at the beginning of the ring: once that is older than
     * max_age_us, what lies ahead is expired too, and the next packet starts a new lap. So
     * a source slower than ring_bytes a max_age_us only ever touches the ring's first part
     * (the pages of the rest stay untouched: memory the process never uses). */
    int64_t lap_start_us;
    /* stream -> (seq & (INDEX - 1)) -> slot + 1 (0: none) */
    uint16_t index[BRIDGE_RTX_MAX_STREAMS][BRIDGE_RTX_INDEX];
    BridgeRtxCacheStats stats;
    Slot slots[];
};

BridgeRtxCache *bridge_rtx_cache_new(unsigned slots, size_t bytes, unsigned streams,
                                     int64_t max_age_us)
{
    if (slots < 16 || slots > BRIDGE_RTX_INDEX || (slots & (slots - 1)) != 0 || streams == 0 ||
        streams > BRIDGE_RTX_MAX_STREAMS || max_age_us <= 0 || bytes < BRIDGE_RTX_SLOT_BYTES ||
        bytes > BRIDGE_RTX_MAX_BYTES)
        return NULL;
    BridgeRtxCache *c = calloc(1, sizeof *c + (size_t)slots * sizeof(Slot) + bytes);
    if (!c)
        return NULL;
    c->n_slots = slots;
    c->streams = streams;
    c->max_age_us = max_age_us;
    c->ring = (uint8_t *)&c->slots[slots];
    c->ring_bytes = bytes;
    return c;
}

void bridge_rtx_cache_free(BridgeRtxCache *c)
{
    free(c);
}

static bool intact(const BridgeRtxCache *c, const Slot *s)
{
    return c->head - s->start <= c->ring_bytes;
}

bool bridge_rtx_cache_put(BridgeRtxCache *c, unsigned stream, const uint8_t *pkt, size_t len,
                          int64_t now_us)
{
    return bridge_rtx_cache_put_with(c, stream, pkt, len, NULL, 0, now_us);
}

bool bridge_rtx_cache_put_with(BridgeRtxCache *c, unsigned stream, const uint8_t *pkt, size_t len,
                               const void *extra, size_t extra_len, int64_t now_us)
{
    if (stream >= c->streams || len < PA_RTP_FIXED_HEADER_LEN || len > BRIDGE_RTX_SLOT_BYTES ||
        extra_len > BRIDGE_RTX_EXTRA_MAX || len + extra_len > c->ring_bytes) {
        c->stats.too_large++;
        return false;
    }
    size_t total = len + extra_len;
    unsigned k = c->next++ & (c->n_slots - 1);
    Slot *s = &c->slots[k];
    if (s->len) {
        /* The slot's old packet leaves the index, unless a newer packet took its entry. */
        uint16_t *old = &c->index[s->stream][s->seq & (BRIDGE_RTX_INDEX - 1)];
        if (*old == k + 1)
            *old = 0;
    }
    uint16_t seq = pa_rtp_get_seq(pkt);
    size_t off = (size_t)(c->head % c->ring_bytes);
    if (off + total > c->ring_bytes || (off > 0 && now_us - c->lap_start_us > c->max_age_us)) {
        c->head += c->ring_bytes - off; /* the tail is too short, or expired: a new lap */
        off = 0;
    }
    if (off == 0)
        c->lap_start_us = now_us;
    if (off + total > c->stats.ring_touched)
        c->stats.ring_touched = off + total;
    s->start = c->head;
    memcpy(c->ring + off, pkt, len);
    if (extra_len)
        memcpy(c->ring + off + len, extra, extra_len);
    c->head += total;
    s->len = (uint16_t)total;
    s->seq = seq;
    s->stream = (uint8_t)stream;
    s->arrival_us = now_us;
    c->index[stream][seq & (BRIDGE_RTX_INDEX - 1)] = (uint16_t)(k + 1);
    c->stats.stored++;
    return true;
}

const uint8_t *bridge_rtx_cache_get(BridgeRtxCache *c, unsigned stream, uint16_t seq,
                                    int64_t now_us, size_t *len)
{
    if (stream >= c->streams) {
        c->stats.misses++;
        return NULL;
    }
    uint16_t e = c->index[stream][seq & (BRIDGE_RTX_INDEX - 1)];
    const Slot *s = e ? &c->slots[e - 1] : NULL;
    if (!s || !s->len || s->seq != seq || s->stream != stream || !intact(c, s)) {
        c->stats.misses++;
        return NULL;
    }
    if (now_us - s->arrival_us > c->max_age_us) {
        c->stats.expired++;
        return NULL;
    }
    c->stats.hits++;
    *len = s->len;
    return c->ring + (size_t)(s->start % c->ring_bytes);
}

void bridge_rtx_cache_get_stats(const BridgeRtxCache *c, BridgeRtxCacheStats *out)
{
    *out = c->stats;
}

size_t bridge_rtx_wrap(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len, uint8_t rtx_pt,
                       uint32_t rtx_ssrc, uint16_t rtx_seq)
{
    PaRtpHeader h;
    if (pa_rtp_parse(pkt, len, &h) != PA_RTP_OK)
        return 0;
    size_t n = (size_t)h.header_len + 2 + h.payload_len;
    if (n > cap)
        return 0;
    memcpy(out, pkt, h.header_len);
    out[0] &= (uint8_t)~0x20; /* no padding */
    pa_rtp_set_payload_type(out, rtx_pt);
    pa_rtp_set_ssrc(out, rtx_ssrc);
    pa_rtp_set_seq(out, rtx_seq);
    pa_wr16(out + h.header_len, h.seq);
    memcpy(out + h.header_len + 2, pkt + h.payload_offset, h.payload_len);
    return n;
}

BridgeRtxUnwrap bridge_rtx_unwrap(uint8_t *pkt, size_t len, uint8_t apt_pt, uint32_t media_ssrc,
                                  size_t *new_len)
{
    PaRtpHeader h;
    if (pa_rtp_parse(pkt, len, &h) != PA_RTP_OK)
        return BRIDGE_RTX_MALFORMED;
    if (h.payload_len == 0)
        return BRIDGE_RTX_PADDING;
    if (h.payload_len < 2)
        return BRIDGE_RTX_MALFORMED;
    uint16_t osn = pa_rd16(pkt + h.payload_offset);
    memmove(pkt + h.payload_offset, pkt + h.payload_offset + 2, len - h.payload_offset - 2);
    pa_rtp_set_seq(pkt, osn);
    pa_rtp_set_payload_type(pkt, apt_pt);
    pa_rtp_set_ssrc(pkt, media_ssrc);
    *new_len = len - 2;
    return BRIDGE_RTX_UNWRAPPED;
}
