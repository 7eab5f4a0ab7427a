/* SPDX-License-Identifier: MIT */
/* RTP header extensions (RFC 8285): one-byte (profile 0xBEDE) and two-byte (0x100X) element
 * iteration, lookup by id, a single-pass collector driven by a negotiated id map, typed
 * readers (audio level RFC 6464, sdes:mid, transport-wide-cc sequence, abs-send-time) and
 * in-place rewriters, plus a block writer for senders and tests.
 *
 * Pure code: no allocation, no logging, callable from any thread. A PaHdrextMap belongs to
 * whoever negotiated it (one per endpoint in the bridge); it is read-only on the hot path, so
 * a worker may read it while no one changes it.
 *
 * Element offsets are from the first byte of the RTP packet. Every element returned by the
 * iterator, pa_hdrext_find() or pa_hdrext_collect() lies inside the extension block of the
 * PaRtpHeader it came from, so the typed readers below only check the element's length. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rtp/bytes.h"
#include "common/rtp/rtp.h"

#ifdef __cplusplus
extern "C" {
#endif

#define PA_HDREXT_PROFILE_ONE_BYTE 0xBEDE
#define PA_HDREXT_PROFILE_TWO_BYTE 0x1000 /* the low 4 bits ("appbits") are free */
#define PA_HDREXT_ONE_BYTE_MAX_ID 14      /* 15 is reserved: it ends parsing */
#define PA_HDREXT_ONE_BYTE_MAX_LEN 16

typedef enum {
    PA_HDREXT_OK = 0,        /* an element was returned / the block parsed completely */
    PA_HDREXT_END,           /* no (more) elements; id not present */
    PA_HDREXT_ERR_PROFILE,   /* X is set but the profile is neither 0xBEDE nor 0x100X */
    PA_HDREXT_ERR_MALFORMED, /* an element runs past the end of the block */
    PA_HDREXT_ERR_LENGTH,    /* typed reader/writer: element too short for its kind */
    PA_HDREXT_STATUS_COUNT
} PaHdrextStatus;

/* Stable lower-case name for metrics ("ok", "end", "bad_profile", "malformed", "bad_length"). */
const char *pa_hdrext_status_name(PaHdrextStatus status);

typedef struct {
    uint8_t id;      /* 1..14 (one-byte form) or 1..255 (two-byte form) */
    uint8_t len;     /* data bytes: 1..16 (one-byte form) or 0..255 (two-byte form) */
    uint32_t offset; /* of the first data byte, from the start of the packet */
} PaHdrextElem;

/* Iteration over one packet's extension elements. Padding bytes (id 0) are skipped. In the
 * one-byte form an element with id 15 ends the block (RFC 8285 §4.2). */
typedef struct {
    const uint8_t *pkt;
    uint32_t pos;
    uint32_t end;
    bool two_byte;
} PaHdrextIter;

/* Prepares @it for the packet @pkt parsed into @h (pa_rtp_parse() returned PA_RTP_OK).
 * Returns PA_HDREXT_OK, PA_HDREXT_END when X is clear (iteration then yields nothing), or
 * PA_HDREXT_ERR_PROFILE (likewise). */
PaHdrextStatus pa_hdrext_iter_init(PaHdrextIter *it, const uint8_t *pkt, const PaRtpHeader *h);

/* The next element into @out: PA_HDREXT_OK, PA_HDREXT_END at the end of the block, or
 * PA_HDREXT_ERR_MALFORMED (after which the iterator stays at the end; elements returned before
 * were well-formed). */
PaHdrextStatus pa_hdrext_iter_next(PaHdrextIter *it, PaHdrextElem *out);

/* First element with @id: PA_HDREXT_OK (@out filled), PA_HDREXT_END when absent, or the error
 * met before it was found. */
PaHdrextStatus pa_hdrext_find(const uint8_t *pkt, const PaRtpHeader *h, uint8_t id,
                              PaHdrextElem *out);

/* ---- Negotiated extension ids (a=extmap / Jingle <rtp-hdrext id uri/>) ---- */

typedef enum {
    PA_HDREXT_KIND_NONE = 0,
    PA_HDREXT_AUDIO_LEVEL,        /* urn:ietf:params:rtp-hdrext:ssrc-audio-level */
    PA_HDREXT_MID,                /* urn:ietf:params:rtp-hdrext:sdes:mid */
    PA_HDREXT_TCC,                /* ...draft-holmer-rmcat-transport-wide-cc-extensions-01 */
    PA_HDREXT_ABS_SEND_TIME,      /* http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time */
    PA_HDREXT_RID,                /* urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id */
    PA_HDREXT_REPAIRED_RID,       /* urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id */
    PA_HDREXT_DEPENDENCY_DESC,    /* AV1 dependency descriptor */
    PA_HDREXT_VIDEO_LAYERS_ALLOC, /* .../video-layers-allocation00 */
    PA_HDREXT_TOFFSET,            /* urn:ietf:params:rtp-hdrext:toffset */
    PA_HDREXT_VIDEO_ORIENTATION,  /* urn:3gpp:video-orientation */
    PA_HDREXT_ABS_CAPTURE_TIME,   /* .../abs-capture-time */
    PA_HDREXT_KIND_COUNT
} PaHdrextKind;

/* The id map of one endpoint. Both directions are kept so that the hot path is one load per
 * element (kind_of) or per lookup (id_of). Zero-initialised == nothing negotiated. */
typedef struct {
    uint8_t kind_of[256];                /* id -> PaHdrextKind (NONE when not negotiated) */
    uint8_t id_of[PA_HDREXT_KIND_COUNT]; /* kind -> id (0 when not negotiated) */
} PaHdrextMap;

void pa_hdrext_map_init(PaHdrextMap *m);

/* The Jicofo defaults (jitsi-wire-reference §2): audio level 1, abs-send-time 3, TCC 5, mid 10,
 * dependency descriptor 11. */
void pa_hdrext_map_init_jitsi_defaults(PaHdrextMap *m);

/* Maps @kind to @id (1..255), replacing any earlier id of @kind and any kind on @id.
 * Returns false (map unchanged) for id 0 or kind NONE / out of range. */
bool pa_hdrext_map_set(PaHdrextMap *m, PaHdrextKind kind, unsigned id);

/* Same by URI: returns the kind mapped, or PA_HDREXT_KIND_NONE (map unchanged) when the URI is
 * not one Parley uses or the id is invalid. @uri is compared exactly (URIs are case-sensitive
 * apart from the scheme, and every sender uses the canonical spelling). */
PaHdrextKind pa_hdrext_map_set_uri(PaHdrextMap *m, const char *uri, unsigned id);

PaHdrextKind pa_hdrext_kind_from_uri(const char *uri); /* NONE when unknown or NULL */
const char *pa_hdrext_kind_uri(PaHdrextKind kind);     /* NULL for NONE / out of range */

static inline uint8_t pa_hdrext_map_id(const PaHdrextMap *m, PaHdrextKind kind)
{
    return (unsigned)kind < PA_HDREXT_KIND_COUNT ? m->id_of[kind] : 0;
}

static inline PaHdrextKind pa_hdrext_map_kind(const PaHdrextMap *m, uint8_t id)
{
    return (PaHdrextKind)m->kind_of[id];
}

/* ---- One pass over a packet for everything the bridge needs ---- */

typedef struct {
    uint32_t present;                        /* bit (1u << kind) set for each kind found */
    PaHdrextElem elem[PA_HDREXT_KIND_COUNT]; /* valid where the present bit is set */
} PaHdrextFound;

static inline bool pa_hdrext_found_has(const PaHdrextFound *f, PaHdrextKind kind)
{
    return (f->present >> kind) & 1u;
}

/* Walks the extension block of @pkt once and records, for each kind mapped in @m, the first
 * element carrying its id. Returns PA_HDREXT_OK when the block parsed completely or X is clear,
 * otherwise the error (PROFILE or MALFORMED); @out->present then holds what was found before
 * the fault (the caller decides whether to trust it; the bridge drops the packet). */
PaHdrextStatus pa_hdrext_collect(const uint8_t *pkt, const PaRtpHeader *h, const PaHdrextMap *m,
                                 PaHdrextFound *out);

/* ---- In-place removal (what an SFU must not forward) ----
 *
 * Why: a sender's sdes:mid names the sender's own m-line. Every receiver numbers its m-lines
 * differently, and a browser routes an incoming packet by MID before anything else (RFC 8843
 * §9.2), so a forwarded MID puts the packet on the wrong receiver (one participant's audio on
 * a video receiver). rid / repaired-rid name the sender's simulcast encodings and mean nothing
 * to a receiver either. Jitsi Videobridge strips the same three before forwarding.
 *
 * How: each element to remove is overwritten with zero bytes, which RFC 8285 defines as
 * padding in both the one-byte and the two-byte form, and which every receiver (libwebrtc,
 * GStreamer, Firefox) skips. The extension block keeps its length, so no byte moves: the
 * payload (which may be end-to-end encrypted) and every other element stay where and what
 * they were. A block that ends up all padding stays as such (X set): a few bytes on the wire
 * instead of moving the header or the payload. */

/* The kinds that name the sender's own m-line or encodings (bit 1u << PaHdrextKind). */
#define PA_HDREXT_SENDER_LOCAL_KINDS                                                               \
    ((1u << PA_HDREXT_MID) | (1u << PA_HDREXT_RID) | (1u << PA_HDREXT_REPAIRED_RID))

/* Overwrites with zero bytes (padding) every element of @pkt, parsed into @h by pa_rtp_parse(),
 * whose id maps in @m to a kind whose bit is set in @kinds (bit 1u << kind; kind NONE never
 * matches). Every occurrence is removed, not only the first. Stores the number of elements
 * removed in *@n_stripped when it is not NULL. Same walk as the iterator.
 * Returns PA_HDREXT_OK when the block parsed completely or X is clear (nothing to do);
 * PA_HDREXT_ERR_PROFILE when the profile is neither one-byte nor two-byte (packet untouched);
 * PA_HDREXT_ERR_MALFORMED when an element runs past the end of the block (elements before it
 * were processed; the caller should drop the packet). */
PaHdrextStatus pa_hdrext_strip(uint8_t *pkt, const PaRtpHeader *h, const PaHdrextMap *m,
                               uint32_t kinds, unsigned *n_stripped);

/* ---- Typed readers (element from this packet) ---- */

/* RFC 6464: V flag (voice activity) and level 0..127 in -dBov (0 loudest, 127 silence).
 * Needs len >= 1. */
static inline PaHdrextStatus pa_hdrext_read_audio_level(const uint8_t *pkt, const PaHdrextElem *e,
                                                        bool *voice, uint8_t *level)
{
    if (e->len < 1)
        return PA_HDREXT_ERR_LENGTH;
    uint8_t b = pkt[e->offset];
    *voice = (b & 0x80) != 0;
    *level = b & 0x7f;
    return PA_HDREXT_OK;
}

/* sdes:mid (RFC 8843 §15.2): a view into the packet, NOT NUL-terminated. Needs len >= 1. */
static inline PaHdrextStatus pa_hdrext_read_mid(const uint8_t *pkt, const PaHdrextElem *e,
                                                const char **mid, size_t *mid_len)
{
    if (e->len < 1)
        return PA_HDREXT_ERR_LENGTH;
    *mid = (const char *)pkt + e->offset;
    *mid_len = e->len;
    return PA_HDREXT_OK;
}

/* Transport-wide sequence number: the first two bytes (len 2; the -02 variant appends a
 * 2-byte feedback request, so len >= 2 is accepted). */
static inline PaHdrextStatus pa_hdrext_read_tcc_seq(const uint8_t *pkt, const PaHdrextElem *e,
                                                    uint16_t *seq)
{
    if (e->len < 2)
        return PA_HDREXT_ERR_LENGTH;
    *seq = pa_rd16(pkt + e->offset);
    return PA_HDREXT_OK;
}

/* abs-send-time: 24-bit unsigned 6.18 fixed-point seconds, wrapping every 64 s. Needs len 3. */
static inline PaHdrextStatus pa_hdrext_read_abs_send_time(const uint8_t *pkt, const PaHdrextElem *e,
                                                          uint32_t *ast)
{
    if (e->len != 3)
        return PA_HDREXT_ERR_LENGTH;
    *ast = pa_rd24(pkt + e->offset);
    return PA_HDREXT_OK;
}

/* In-place rewrite of the transport-wide sequence number (the bridge numbers each egress
 * leg itself). Same length rule as the reader. */
static inline PaHdrextStatus pa_hdrext_write_tcc_seq(uint8_t *pkt, const PaHdrextElem *e,
                                                     uint16_t seq)
{
    if (e->len < 2)
        return PA_HDREXT_ERR_LENGTH;
    pa_wr16(pkt + e->offset, seq);
    return PA_HDREXT_OK;
}

static inline PaHdrextStatus pa_hdrext_write_abs_send_time(uint8_t *pkt, const PaHdrextElem *e,
                                                           uint32_t ast)
{
    if (e->len != 3)
        return PA_HDREXT_ERR_LENGTH;
    pa_wr24(pkt + e->offset, ast & 0xffffff);
    return PA_HDREXT_OK;
}

/* abs-send-time from a microsecond clock (only the time modulo 64 s matters), and back to
 * microseconds within one 64 s period. */
static inline uint32_t pa_abs_send_time_from_us(uint64_t us)
{
    return (uint32_t)((((us % 64000000u) << 18) + 500000u) / 1000000u) & 0xffffff;
}

static inline uint64_t pa_abs_send_time_to_us(uint32_t ast)
{
    return ((uint64_t)(ast & 0xffffff) * 1000000u) >> 18;
}

/* ---- Writing an extension block (senders, the load generator, tests) ---- */

typedef struct {
    uint8_t id;
    uint8_t len;
    const uint8_t *data; /* may be NULL when len is 0 */
} PaHdrextWrite;

/* Writes @n elements in the one-byte (@two_byte false) or two-byte form into @buf, zero-padded
 * to a multiple of 4 bytes, and stores the profile to put in the extension header in *@profile
 * (0xBEDE or 0x1000). Returns the number of bytes written (0 for n == 0) or 0 with *@profile
 * untouched when it does not fit in @cap or an element is invalid for the form (one-byte:
 * id 1..14, len 1..16; two-byte: id 1..255, len 0..255). Pair with PaRtpBuild.ext. */
size_t pa_hdrext_write_block(uint8_t *buf, size_t cap, bool two_byte, const PaHdrextWrite *elems,
                             unsigned n, uint16_t *profile);

#ifdef __cplusplus
}
#endif
