/* SPDX-License-Identifier: MIT */
/* RFC 7983 / RFC 9443 first-byte tables for pa_demux_classify(). Read-only; any thread. */
#include "common/rtp/demux.h"

#define R4(k) k, k, k, k
#define R16(k) R4(k), R4(k), R4(k), R4(k)
#define R64(k) R16(k), R16(k), R16(k), R16(k)

const uint8_t pa_demux_first_byte_kind[256] = {
    /* 0..3 */ R4(PA_DEMUX_STUN),
    /* 4..15 */ R4(PA_DEMUX_UNKNOWN),
    R4(PA_DEMUX_UNKNOWN),
    R4(PA_DEMUX_UNKNOWN),
    /* 16..19 */ R4(PA_DEMUX_ZRTP),
    /* 20..63 */ R4(PA_DEMUX_DTLS),
    R4(PA_DEMUX_DTLS),
    R4(PA_DEMUX_DTLS),
    R16(PA_DEMUX_DTLS),
    R16(PA_DEMUX_DTLS),
    /* 64..79 */ R16(PA_DEMUX_TURN_CHANNEL),
    /* 80..127 */ R16(PA_DEMUX_UNKNOWN),
    R16(PA_DEMUX_UNKNOWN),
    R16(PA_DEMUX_UNKNOWN),
    /* 128..191 */ R64(PA_DEMUX_RTP),
    /* 192..255 */ R64(PA_DEMUX_UNKNOWN),
};

const uint8_t pa_demux_min_len[PA_DEMUX_KIND_COUNT] = {
    [PA_DEMUX_UNKNOWN] = 0, [PA_DEMUX_STUN] = 20,        [PA_DEMUX_ZRTP] = 28,
    [PA_DEMUX_DTLS] = 13,   [PA_DEMUX_TURN_CHANNEL] = 4, [PA_DEMUX_RTP] = 12,
    [PA_DEMUX_RTCP] = 8,    [PA_DEMUX_TOO_SHORT] = 0,
};

const char *pa_demux_kind_name(PaDemuxKind kind)
{
    static const char *const names[PA_DEMUX_KIND_COUNT] = {
        [PA_DEMUX_UNKNOWN] = "unknown",
        [PA_DEMUX_STUN] = "stun",
        [PA_DEMUX_ZRTP] = "zrtp",
        [PA_DEMUX_DTLS] = "dtls",
        [PA_DEMUX_TURN_CHANNEL] = "turn_channel",
        [PA_DEMUX_RTP] = "rtp",
        [PA_DEMUX_RTCP] = "rtcp",
        [PA_DEMUX_TOO_SHORT] = "too_short",
    };
    if ((unsigned)kind >= PA_DEMUX_KIND_COUNT)
        return "unknown";
    return names[kind];
}
