/* SPDX-License-Identifier: MIT */
/* RTP fixed header (RFC 3550 §5.1): a bounds-checked parser into a view, in-place writers and
 * a small packet builder.
 *
 * Pure code: no allocation, no logging, no state, callable from any thread. The parser never
 * reads outside [pkt, pkt + len) and never writes; the view it fills holds offsets (not
 * pointers), so it stays valid when the bridge copies the packet into another buffer.
 * In-place writers take a packet that pa_rtp_parse() accepted (so at least 12 bytes). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rtp/bytes.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PA_RTP_VERSION 2
#define PA_RTP_FIXED_HEADER_LEN 12
#define PA_RTP_MAX_CSRC 15
/* The largest packet the parser accepts: a UDP payload cannot be longer. */
#define PA_RTP_MAX_PACKET_LEN 65535

typedef enum {
    PA_RTP_OK = 0,
    /* Shorter than the 12-byte fixed header, than the CSRC list it announces, or than the
     * 4-byte extension header when X is set. */
    PA_RTP_ERR_TRUNCATED,
    /* Version field is not 2 (checked only once 12 bytes are present). */
    PA_RTP_ERR_VERSION,
    /* X is set and the extension length field runs past the end of the packet. */
    PA_RTP_ERR_EXT_LENGTH,
    /* P is set and the padding count (last byte) is 0 or larger than what follows the
     * header (CSRCs and extension included). */
    PA_RTP_ERR_PADDING,
    /* len > PA_RTP_MAX_PACKET_LEN. */
    PA_RTP_ERR_TOO_LONG,
    PA_RTP_STATUS_COUNT
} PaRtpStatus;

/* A parsed header. All offsets are from the first byte of the packet. */
typedef struct {
    uint8_t version;      /* 2 whenever parsing succeeded */
    bool padding;         /* P */
    bool extension;       /* X */
    uint8_t csrc_count;   /* CC, 0..15; CSRC i is at offset 12 + 4 * i */
    bool marker;          /* M */
    uint8_t payload_type; /* PT, 0..127 */
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    uint32_t header_len;     /* 12 + 4 * CC + (X ? 4 + ext_len : 0) */
    uint32_t payload_offset; /* == header_len */
    uint32_t payload_len;    /* bytes between the header and the padding; may be 0 */
    uint8_t padding_len;     /* 0 when P is clear, else 1..255 (includes the count byte) */
    uint16_t ext_profile;    /* "defined by profile" (0xBEDE, 0x100X, ...); 0 when X clear */
    uint32_t ext_offset;     /* first byte after the 4-byte extension header; 0 when X clear */
    uint32_t ext_len;        /* extension data bytes (4 * length field); 0 when X clear */
} PaRtpHeader;

/* Parses the RTP header of @pkt (@len bytes) into @out.
 * Returns PA_RTP_OK and fills every field of @out, or an error status; on error @out is left
 * partially written and must not be used. Checks, in order: length >= 12 (TRUNCATED),
 * length <= 65535 (TOO_LONG), version (VERSION), CSRC list (TRUNCATED), extension header
 * (TRUNCATED) and data (EXT_LENGTH), padding (PADDING). @pkt may be NULL only when @len is 0. */
PaRtpStatus pa_rtp_parse(const uint8_t *pkt, size_t len, PaRtpHeader *out);

/* A stable lower-case name for metrics and logs ("ok", "truncated", "bad_version", ...). */
const char *pa_rtp_status_name(PaRtpStatus status);

/* What the builder writes. csrcs may be NULL when csrc_count is 0. With @extension set, an
 * extension header (ext_profile, length) is written followed by @ext: the extension data
 * without its 4-byte header, ext_len a multiple of 4 (e.g. from pa_hdrext_write_block()).
 * padding_len 0 for none, else 1..255 bytes of padding whose last byte is the count. */
typedef struct {
    bool marker;
    uint8_t payload_type; /* 0..127 */
    uint16_t seq;
    uint32_t timestamp;
    uint32_t ssrc;
    const uint32_t *csrcs;
    uint8_t csrc_count; /* 0..15 */
    bool extension;
    uint16_t ext_profile;
    const uint8_t *ext;
    size_t ext_len;
    const uint8_t *payload;
    size_t payload_len;
    uint8_t padding_len;
} PaRtpBuild;

/* Writes a complete RTP packet into @buf (capacity @cap). Returns the number of bytes written,
 * or 0 when it does not fit or a field is out of range (PT > 127, CC > 15, ext_len not a
 * multiple of 4 or > 262140, payload NULL with payload_len > 0). */
size_t pa_rtp_build(uint8_t *buf, size_t cap, const PaRtpBuild *b);

/* ---- Hot-path accessors and in-place writers. @pkt must hold at least 12 bytes. ---- */

static inline uint16_t pa_rtp_get_seq(const uint8_t *pkt)
{
    return pa_rd16(pkt + 2);
}

static inline uint32_t pa_rtp_get_timestamp(const uint8_t *pkt)
{
    return pa_rd32(pkt + 4);
}

static inline uint32_t pa_rtp_get_ssrc(const uint8_t *pkt)
{
    return pa_rd32(pkt + 8);
}

static inline uint8_t pa_rtp_get_payload_type(const uint8_t *pkt)
{
    return pkt[1] & 0x7f;
}

static inline bool pa_rtp_get_marker(const uint8_t *pkt)
{
    return (pkt[1] & 0x80) != 0;
}

/* CSRC @i (< csrc_count of a parsed header). */
static inline uint32_t pa_rtp_get_csrc(const uint8_t *pkt, unsigned i)
{
    return pa_rd32(pkt + PA_RTP_FIXED_HEADER_LEN + 4 * i);
}

static inline void pa_rtp_set_seq(uint8_t *pkt, uint16_t seq)
{
    pa_wr16(pkt + 2, seq);
}

static inline void pa_rtp_set_timestamp(uint8_t *pkt, uint32_t ts)
{
    pa_wr32(pkt + 4, ts);
}

static inline void pa_rtp_set_ssrc(uint8_t *pkt, uint32_t ssrc)
{
    pa_wr32(pkt + 8, ssrc);
}

/* Keeps the marker bit. @pt is masked to 7 bits. */
static inline void pa_rtp_set_payload_type(uint8_t *pkt, uint8_t pt)
{
    pkt[1] = (uint8_t)((pkt[1] & 0x80) | (pt & 0x7f));
}

/* Keeps the payload type. */
static inline void pa_rtp_set_marker(uint8_t *pkt, bool marker)
{
    pkt[1] = (uint8_t)((pkt[1] & 0x7f) | (marker ? 0x80 : 0));
}

/* ---- 16-bit sequence arithmetic (RFC 3550 wrap-around). ---- */

/* a - b as a signed distance in [-32768, 32767]: positive when a is newer than b. */
static inline int32_t pa_rtp_seq_diff(uint16_t a, uint16_t b)
{
    uint16_t d = (uint16_t)(a - b);
    return d < 0x8000 ? (int32_t)d : (int32_t)d - 0x10000;
}

/* TRUE when @a comes after @b (modulo 2^16, within half the space). */
static inline bool pa_rtp_seq_newer(uint16_t a, uint16_t b)
{
    return pa_rtp_seq_diff(a, b) > 0;
}

#ifdef __cplusplus
}
#endif
