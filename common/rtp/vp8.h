/* SPDX-License-Identifier: MIT */
/* The VP8 RTP payload descriptor (RFC 7741 §4.2) and the start of the VP8 payload header
 * (§4.3, RFC 6386 §9.1): what an SFU needs to pick and rewrite layers without touching the
 * coded frame. Parsing gives the picture id (7 or 15 bits), TL0PICIDX, temporal layer index,
 * layer sync, key index, the partition position and whether the packet starts a key frame
 * (with its size when the packet holds it). The rewriters change the picture id and
 * TL0PICIDX in place, keeping the field widths, so no byte moves: the payload after the
 * descriptor (possibly end-to-end encrypted) stays as it was.
 *
 * Pure code: no allocation, no logging, no state; any thread. Functions take the RTP payload
 * (pkt + PaRtpHeader.payload_offset, PaRtpHeader.payload_len bytes) and never read outside it.
 *
 * Descriptor layout (first byte, then each optional byte when its flag is set):
 *   X R N S R PID(3)            X: extension byte follows; N: non-reference frame;
 *                               S: start of a partition; PID: partition index
 *   I L T K RSV(4)              (when X) I: picture id; L: TL0PICIDX; T: TID/Y; K: KEYIDX
 *   M PictureID(7) [(8)]        (when I) M set: 15-bit picture id
 *   TL0PICIDX(8)                (when L)
 *   TID(2) Y(1) KEYIDX(5)       (when T or K)
 * The first VP8 payload byte of a frame (S set, PID 0) is size0(3) show(1) version(3) P(1),
 * P clear for a key frame; a key frame then has the start code 9d 01 2a and 14-bit width and
 * height (little endian, with 2 bits of scaling each). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PA_VP8_MAX_DESCRIPTOR_LEN 6

typedef enum {
    PA_VP8_OK = 0,
    /* The descriptor runs past the payload, or no VP8 payload byte follows it. */
    PA_VP8_ERR_TRUNCATED,
    PA_VP8_STATUS_COUNT
} PaVp8Status;

/* "ok", "truncated". */
const char *pa_vp8_status_name(PaVp8Status status);

typedef struct {
    bool non_reference;        /* N */
    bool start;                /* S: the first packet of a partition */
    uint8_t partition;         /* PID, 0..7 */
    bool has_picture_id;       /* I */
    bool picture_id_15;        /* M: the 15-bit form (else 7 bits) */
    uint16_t picture_id;       /* 0..0x7fff (0..0x7f in the 7-bit form) */
    uint8_t picture_id_offset; /* of its first byte in the payload, when has_picture_id */
    bool has_tl0picidx;        /* L */
    uint8_t tl0picidx;
    uint8_t tl0picidx_offset; /* when has_tl0picidx */
    bool has_tid;             /* T */
    uint8_t tid;              /* 0..3, 0 when !has_tid */
    bool layer_sync;          /* Y: this frame references only TL0 frames (a switching-up point) */
    bool has_keyidx;          /* K */
    uint8_t keyidx;           /* 0..31 */
    uint8_t desc_len;         /* descriptor bytes: the VP8 payload starts here */
    bool frame_start;         /* S and PID 0: the first packet of a frame */
    bool keyframe;            /* frame_start and the payload header's P bit clear */
    uint16_t width;           /* key frames whose header is in this packet: pixels, else 0 */
    uint16_t height;
} PaVp8Desc;

/* Parses the descriptor at the start of @payload (@len bytes) into @out. Returns PA_VP8_OK with
 * every field of @out set, or PA_VP8_ERR_TRUNCATED (@out then partly written: do not use it).
 * @payload may be NULL only when @len is 0. */
PaVp8Status pa_vp8_parse(const uint8_t *payload, size_t len, PaVp8Desc *out);

/* In place, on a payload that pa_vp8_parse() accepted into @d: writes @picture_id in the
 * packet's own width (the low 7 or 15 bits; the M bit stays). Does nothing without a picture
 * id. Returns true when written. */
bool pa_vp8_set_picture_id(uint8_t *payload, const PaVp8Desc *d, uint16_t picture_id);

/* Same for TL0PICIDX. Returns true when written (false: the packet has none). */
bool pa_vp8_set_tl0picidx(uint8_t *payload, const PaVp8Desc *d, uint8_t tl0picidx);

/* Picture id arithmetic in the 15-bit space: a - b as a signed distance in [-16384, 16383]. */
static inline int32_t pa_vp8_picture_id_diff(uint16_t a, uint16_t b)
{
    uint16_t d = (uint16_t)((a - b) & 0x7fff);
    return d < 0x4000 ? (int32_t)d : (int32_t)d - 0x8000;
}

#ifdef __cplusplus
}
#endif
