/* SPDX-License-Identifier: MIT */
/* The VP9 RTP payload descriptor (RFC 9628 §4.2) with its scalability structure (§4.2.1):
 * picture id, spatial and temporal layer ids, switching points, flexible-mode reference
 * differences, TL0PICIDX, begin/end of a layer frame, key frames, and the resolutions a sender
 * announces per spatial layer. In-place rewriters for the picture id and TL0PICIDX keep the
 * field widths, so the coded frame after the descriptor never moves.
 *
 * Pure code: no allocation, no logging, no state; any thread. Functions take the RTP payload
 * (pkt + PaRtpHeader.payload_offset, PaRtpHeader.payload_len bytes) and never read outside it.
 *
 * Layout (each part present when its flag says so):
 *   I P L F B E V Z             I: picture id; P: inter-picture predicted; L: layer indices;
 *                               F: flexible mode; B/E: begin/end of a layer frame;
 *                               V: scalability structure; Z: not a reference for upper layers
 *   M PictureID(7) [(8)]        (I) M set: 15 bits
 *   TID(3) U SID(3) D           (L) U: switching-up point; D: inter-layer dependency
 *   TL0PICIDX(8)                (L and not F)
 *   P_DIFF(7) N, up to 3 times  (F and P) N: another follows
 *   SS                          (V) N_S(3) Y G -(3); (Y) N_S+1 x WIDTH(16) HEIGHT(16);
 *                               (G) N_G(8), then N_G x [TID(3) U R(2) -(2), R x P_DIFF(8)] */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PA_VP9_MAX_SPATIAL 8 /* N_S is 3 bits */
#define PA_VP9_MAX_PDIFF 3

typedef enum {
    PA_VP9_OK = 0,
    /* The descriptor (or its scalability structure) runs past the payload, or no coded byte
     * follows it. */
    PA_VP9_ERR_TRUNCATED,
    /* Flexible mode with inter-picture prediction but no reference (P_DIFF) given, or more
     * than 3 of them: RFC 9628 allows 1..3. */
    PA_VP9_ERR_PDIFF,
    PA_VP9_STATUS_COUNT
} PaVp9Status;

/* "ok", "truncated", "bad_pdiff". */
const char *pa_vp9_status_name(PaVp9Status status);

typedef struct {
    bool has_picture_id;       /* I */
    bool picture_id_15;        /* M */
    uint16_t picture_id;       /* 0..0x7fff */
    uint8_t picture_id_offset; /* when has_picture_id */
    bool inter_picture;        /* P */
    bool has_layers;           /* L */
    bool flexible;             /* F */
    bool begin;                /* B: first packet of a layer frame */
    bool end;                  /* E: last packet of a layer frame */
    bool not_upper_ref;        /* Z */
    uint8_t tid;               /* 0..7 (0 without L) */
    uint8_t sid;               /* 0..7 (0 without L) */
    bool switching_up;         /* U */
    bool inter_layer;          /* D: depends on the lower spatial layer of the same picture */
    bool has_tl0picidx;        /* L and not F */
    uint8_t tl0picidx;
    uint8_t tl0picidx_offset; /* when has_tl0picidx */
    uint8_t n_pdiff;          /* flexible mode: reference differences (0..3) */
    uint8_t pdiff[PA_VP9_MAX_PDIFF];
    /* Scalability structure (V). */
    bool has_ss;
    uint8_t ss_spatial_layers; /* N_S + 1 */
    bool ss_has_resolution;    /* Y */
    uint16_t ss_width[PA_VP9_MAX_SPATIAL];
    uint16_t ss_height[PA_VP9_MAX_SPATIAL];
    uint8_t ss_pictures; /* N_G (0 without G) */
    uint16_t desc_len;   /* descriptor bytes; the coded frame starts here */
    /* Begins a picture that needs nothing earlier: B, not inter-picture predicted, spatial
     * layer 0. */
    bool keyframe;
} PaVp9Desc;

/* Parses the descriptor at the start of @payload (@len bytes). Returns PA_VP9_OK with every
 * field of @out set, or an error (then @out is partly written: do not use it). */
PaVp9Status pa_vp9_parse(const uint8_t *payload, size_t len, PaVp9Desc *out);

/* In place, on a payload pa_vp9_parse() accepted into @d: the picture id in the packet's own
 * width, and TL0PICIDX. Each returns false (nothing written) when the packet has no such
 * field. */
bool pa_vp9_set_picture_id(uint8_t *payload, const PaVp9Desc *d, uint16_t picture_id);
bool pa_vp9_set_tl0picidx(uint8_t *payload, const PaVp9Desc *d, uint8_t tl0picidx);

#ifdef __cplusplus
}
#endif
