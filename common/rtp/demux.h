/* SPDX-License-Identifier: MIT */
/* What a datagram on the bundled media port is, by its first byte (RFC 7983 §7, as updated by
 * RFC 9443), with RTP and RTCP told apart by the second byte (RFC 5761 §4).
 *
 *   first byte   kind            minimum length
 *   0..3         STUN            20  (message header)
 *   16..19       ZRTP            28  (12-byte header + the shortest message + 4-byte CRC)
 *   20..63       DTLS            13  (record header)
 *   64..79       TURN channel    4   (ChannelData header)
 *   128..191     RTP or RTCP     RTP 12 (fixed header), RTCP 8 (header + sender SSRC)
 *   anything else -> UNKNOWN: 4..15 is unassigned, and 80..127 / 192..255 are
 *   QUIC (RFC 9443), which Parley does not speak
 *
 * RTP vs RTCP: 128..191 is version 2. RTCP's packet type occupies the whole second byte, and
 * every RTCP type lies in 192..223; RFC 5761 keeps RTP payload types 64..95 unused so that an
 * RTP second byte (marker << 7 | PT) never falls in 192..223 (that would be M=1 with PT 64..95).
 * So: second byte in 192..223 -> RTCP (SR 200, RR 201, SDES 202, BYE 203, APP 204, RTPFB 205,
 * PSFB 206, XR 207, ...), otherwise RTP. A second byte of 64..95 (M=0, PT 64..95) is classified
 * as RTP here: it cannot be RTCP, and the payload-type check downstream drops it (some stacks
 * mask the marker bit and call it RTCP; either way no valid packet is lost).
 *
 * When the first byte names a kind but the datagram is shorter than that kind's minimum (or
 * is empty), the result is PA_DEMUX_TOO_SHORT: count it as malformed.
 *
 * Pure, stateless, any thread; inline with two table loads and no data-dependent branch but
 * the RTCP test. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    PA_DEMUX_UNKNOWN = 0,
    PA_DEMUX_STUN,
    PA_DEMUX_ZRTP,
    PA_DEMUX_DTLS,
    PA_DEMUX_TURN_CHANNEL,
    PA_DEMUX_RTP,
    PA_DEMUX_RTCP,
    PA_DEMUX_TOO_SHORT,
    PA_DEMUX_KIND_COUNT
} PaDemuxKind;

/* first byte -> kind (RTCP never appears: it is decided by the second byte). */
extern const uint8_t pa_demux_first_byte_kind[256];
/* kind -> minimum datagram length (0 for UNKNOWN and TOO_SHORT). */
extern const uint8_t pa_demux_min_len[PA_DEMUX_KIND_COUNT];

/* Classifies @buf of @len bytes (@buf may be NULL when @len is 0). */
static inline PaDemuxKind pa_demux_classify(const uint8_t *buf, size_t len)
{
    if (len == 0)
        return PA_DEMUX_TOO_SHORT;
    unsigned kind = pa_demux_first_byte_kind[buf[0]];
    if (kind == PA_DEMUX_RTP && len >= 2 && (uint8_t)(buf[1] - 192) < 32)
        kind = PA_DEMUX_RTCP;
    return len >= pa_demux_min_len[kind] ? (PaDemuxKind)kind : PA_DEMUX_TOO_SHORT;
}

/* Stable lower-case name ("unknown", "stun", "zrtp", "dtls", "turn_channel", "rtp", "rtcp",
 * "too_short") for metrics. */
const char *pa_demux_kind_name(PaDemuxKind kind);

#ifdef __cplusplus
}
#endif
