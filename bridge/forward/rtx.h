/* SPDX-License-Identifier: MIT */
/* Retransmission support: a per-source packet cache so that the bridge answers receivers'
 * NACKs itself (as mediasoup and Jitsi Videobridge do) instead of passing them to the
 * sender, and the RFC 4588 packet forms.
 *
 * The cache keeps the last packets a source sent (all its encodings, in arrival order, as
 * received: original SSRC and numbers, after SRTP): their bytes one after the other in a
 * preallocated ring, a slot per packet (where its bytes are, its length, sequence number and
 * arrival time), and a small index per encoding from sequence number to slot. A packet leaves
 * when its slot is reused or its bytes are overwritten, whichever comes first. A
 * receiver's NACK names projected sequence numbers; its projection maps each back to
 * (encoding, input sequence number) (bridge_projection_lookup), the cache gives the original
 * bytes, and the projection rewrites a copy as it was first sent
 * (bridge_projection_rewrite_again). Then, when the receiver negotiated RTX, the copy is
 * wrapped (bridge_rtx_wrap: the receiver's RTX payload type and SSRC, its own RTX sequence
 * number, the original sequence number in front of the payload); otherwise it is sent again
 * as it is.
 *
 * Memory is taken once, at creation: the ring's bytes plus ~24 bytes a slot (the bridge gives
 * each video source 256 KiB and 512 slots: about a second of a three-layer 720p simulcast
 * source, where fixed 1,500-byte slots took 0.8 MiB); put and get allocate nothing and copy
 * one packet at most. A lap of the ring ends early once its start is older than max_age_us,
 * so a slower source only ever writes (and the process only ever touches) about max_age_us
 * of its bytes: a 300 kbit/s camera some 40 KiB of the 256.
 *
 * Thread: a cache belongs to the source's sender's media worker (where the packets arrive);
 * a receiver on another worker sends its lookups there. Pure code: libc and common/rtp. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The largest packet cached: what fits in an Ethernet MTU. Larger ones are counted, not
 * cached. */
#define BRIDGE_RTX_SLOT_BYTES 1500
/* The largest ring a cache may have. */
#define BRIDGE_RTX_MAX_BYTES (16u << 20)
#define BRIDGE_RTX_MAX_STREAMS 4
/* Index entries per stream (a power of two, and at least the number of slots). */
#define BRIDGE_RTX_INDEX 1024
/* Packets older than this are not sent again (a retransmission that late is useless). */
#define BRIDGE_RTX_DEFAULT_MAX_AGE_US 1000000

typedef struct BridgeRtxCache BridgeRtxCache;

typedef struct {
    uint64_t stored;
    uint64_t too_large; /* not cached: over BRIDGE_RTX_SLOT_BYTES */
    uint64_t hits;
    uint64_t misses;       /* not cached, or overwritten since */
    uint64_t expired;      /* cached but older than max_age_us */
    uint64_t ring_touched; /* bytes of the ring ever written (from its start) */
} BridgeRtxCacheStats;

/* A cache of at most @slots packets (a power of two from 16 to BRIDGE_RTX_INDEX) and @bytes
 * of them (BRIDGE_RTX_SLOT_BYTES to BRIDGE_RTX_MAX_BYTES) for @streams
 * (1..BRIDGE_RTX_MAX_STREAMS) encodings, keeping packets for @max_age_us. NULL when the
 * arguments are out of range or memory is short (transfer full: bridge_rtx_cache_free). */
BridgeRtxCache *bridge_rtx_cache_new(unsigned slots, size_t bytes, unsigned streams,
                                     int64_t max_age_us);
void bridge_rtx_cache_free(BridgeRtxCache *c);

/* Stores a copy of the RTP packet @pkt (@len bytes, parsed) of encoding @stream arriving at
 * @now_us, replacing the oldest slot. False (counted) when it is too large or @stream is out
 * of range. */
bool bridge_rtx_cache_put(BridgeRtxCache *c, unsigned stream, const uint8_t *pkt, size_t len,
                          int64_t now_us);

/* The most bytes bridge_rtx_cache_put_with() keeps after a packet. */
#define BRIDGE_RTX_EXTRA_MAX 64

/* The same, keeping @extra_len (at most BRIDGE_RTX_EXTRA_MAX) bytes of @extra right after the
 * packet: bridge_rtx_cache_get() then gives the packet and those bytes, @len + @extra_len. */
bool bridge_rtx_cache_put_with(BridgeRtxCache *c, unsigned stream, const uint8_t *pkt, size_t len,
                               const void *extra, size_t extra_len, int64_t now_us);

/* The cached packet of @stream with sequence number @seq, if it is there and not older than
 * the cache's max age at @now_us: a pointer into the cache (valid until the next put) and its
 * length in *@len. NULL otherwise. */
const uint8_t *bridge_rtx_cache_get(BridgeRtxCache *c, unsigned stream, uint16_t seq,
                                    int64_t now_us, size_t *len);

void bridge_rtx_cache_get_stats(const BridgeRtxCache *c, BridgeRtxCacheStats *out);

/* RFC 4588 §4: writes into @out (capacity @cap) the retransmission of @pkt (@len bytes, an RTP
 * packet already rewritten for its receiver) as an RTX packet: the same header and extensions
 * with payload type @rtx_pt, SSRC @rtx_ssrc, sequence number @rtx_seq, then the original
 * sequence number (2 bytes) and the original payload (its padding left out). Returns the
 * length, or 0 when @pkt does not parse or the result does not fit. */
size_t bridge_rtx_wrap(uint8_t *out, size_t cap, const uint8_t *pkt, size_t len, uint8_t rtx_pt,
                       uint32_t rtx_ssrc, uint16_t rtx_seq);

typedef enum {
    BRIDGE_RTX_UNWRAPPED = 0, /* now the original packet */
    BRIDGE_RTX_PADDING,       /* no original sequence number: a padding-only probe */
    BRIDGE_RTX_MALFORMED,     /* does not parse as RTP */
} BridgeRtxUnwrap;

/* The reverse, in place, for a sender's RTX packet (@pkt, @len bytes): takes the original
 * sequence number out of the payload, moves the payload (and any padding) back by two bytes
 * and sets payload type @apt_pt and SSRC @media_ssrc. *@new_len gets the new length. */
BridgeRtxUnwrap bridge_rtx_unwrap(uint8_t *pkt, size_t len, uint8_t apt_pt, uint32_t media_ssrc,
                                  size_t *new_len);

#ifdef __cplusplus
}
#endif
