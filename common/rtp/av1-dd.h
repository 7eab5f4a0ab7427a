/* SPDX-License-Identifier: MIT */
/* The AV1 dependency descriptor RTP header extension (AV1 RTP payload format, appendix A;
 * negotiated as
 * https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension, Jicofo's
 * id 11). Chrome sends it with AV1 (and with VP8/VP9 when offered) so that an SFU can select layers
 * without reading the codec payload.
 *
 * The descriptor is stateful: the first packet of a coded video sequence (a key frame)
 * carries the template dependency structure, and every later packet names one of its
 * templates by id. So parsing takes a PaAv1DdStructure that the caller keeps per stream (one
 * per sender SSRC in the bridge; about 4 KiB, allocated with the stream): a packet carrying a
 * structure replaces it, once the whole descriptor has parsed.
 *
 * From a packet it gives: start/end of frame, frame number, the frame's spatial and temporal
 * ids, its decode target indications (per decode target: not present, discardable, switch,
 * required), the frame differences of its references, the chain differences, the active
 * decode targets, and (with the structure) which spatial/temporal layer each decode target
 * is and the render resolution per spatial layer.
 *
 * Wire compatibility note: decode_target_protected_by[] is read as ns(chains_cnt), as
 * libwebrtc (every Chrome) writes it; one draft of the spec says ns(chains_cnt + 1).
 *
 * Pure code: no allocation, no logging; any thread (a structure belongs to its caller). The
 * parser never reads outside [ext, ext + len). */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define PA_AV1_DD_MAX_TEMPLATES 64
#define PA_AV1_DD_MAX_DECODE_TARGETS 32
#define PA_AV1_DD_MAX_CHAINS 32
#define PA_AV1_DD_MAX_FDIFFS 16
#define PA_AV1_DD_MAX_SPATIAL_ID 3
#define PA_AV1_DD_MAX_TEMPORAL_ID 7
#define PA_AV1_DD_MANDATORY_LEN 3

/* Decode target indications (Table A.2). */
enum {
    PA_AV1_DTI_NOT_PRESENT = 0,
    PA_AV1_DTI_DISCARDABLE = 1,
    PA_AV1_DTI_SWITCH = 2,
    PA_AV1_DTI_REQUIRED = 3,
};

typedef enum {
    PA_AV1_DD_OK = 0,
    /* Shorter than 3 bytes, or a field runs past the end. */
    PA_AV1_DD_ERR_TRUNCATED,
    /* The packet uses a template but no structure has been received yet (or the last one was
     * invalid): wait for a key frame. */
    PA_AV1_DD_ERR_NO_STRUCTURE,
    /* The template id is outside the current structure's range (the sender changed structure
     * and this packet's structure was lost or is late). */
    PA_AV1_DD_ERR_TEMPLATE,
    /* Beyond Parley's bounds: more than 64 templates, a spatial id above 3 or temporal id above
     * 7, more than 16 reference differences, or custom chains without chains. */
    PA_AV1_DD_ERR_LIMIT,
    PA_AV1_DD_STATUS_COUNT
} PaAv1DdStatus;

/* "ok", "truncated", "no_structure", "bad_template", "limit". */
const char *pa_av1_dd_status_name(PaAv1DdStatus status);

/* The template dependency structure. Zero-initialised (or after pa_av1_dd_structure_init) it
 * holds nothing (template_count 0). */
typedef struct {
    uint8_t template_id_offset;
    uint8_t template_count; /* 0: no valid structure */
    uint8_t dt_count;       /* decode targets, 1..32 */
    uint8_t chain_count;    /* 0..dt_count */
    uint8_t max_spatial_id;
    uint8_t max_temporal_id;
    uint8_t template_sid[PA_AV1_DD_MAX_TEMPLATES];
    uint8_t template_tid[PA_AV1_DD_MAX_TEMPLATES];
    uint64_t template_dtis[PA_AV1_DD_MAX_TEMPLATES]; /* 2 bits per decode target, DT 0 lowest */
    uint8_t template_fdiff_count[PA_AV1_DD_MAX_TEMPLATES];
    uint8_t template_fdiffs[PA_AV1_DD_MAX_TEMPLATES][PA_AV1_DD_MAX_FDIFFS];
    uint8_t template_chain_fdiff[PA_AV1_DD_MAX_TEMPLATES][PA_AV1_DD_MAX_CHAINS];
    uint8_t dt_protected_by[PA_AV1_DD_MAX_DECODE_TARGETS]; /* chain index */
    /* The layer each decode target reaches: the highest spatial and temporal id among the
     * templates that belong to it (derived, as the spec's decode_target_layers()). */
    uint8_t dt_sid[PA_AV1_DD_MAX_DECODE_TARGETS];
    uint8_t dt_tid[PA_AV1_DD_MAX_DECODE_TARGETS];
    bool has_resolutions;
    uint16_t width[PA_AV1_DD_MAX_SPATIAL_ID + 1]; /* render size per spatial id */
    uint16_t height[PA_AV1_DD_MAX_SPATIAL_ID + 1];
    /* Active decode targets as last signalled (all of them when a structure arrives). */
    uint32_t active_decode_targets;
} PaAv1DdStructure;

void pa_av1_dd_structure_init(PaAv1DdStructure *s);

/* One packet's descriptor, resolved against the structure. */
typedef struct {
    bool start_of_frame;
    bool end_of_frame;
    uint8_t template_id;
    uint16_t frame_number;
    bool has_structure;      /* this packet carried a (new) structure */
    bool has_active_targets; /* this packet carried active_decode_targets_bitmask */
    uint32_t active_decode_targets;
    uint8_t sid;   /* the frame's spatial id */
    uint8_t tid;   /* the frame's temporal id */
    uint64_t dtis; /* 2 bits per decode target */
    uint8_t fdiff_count;
    uint16_t fdiffs[PA_AV1_DD_MAX_FDIFFS]; /* frame_number - referred frame's number */
    uint8_t chain_count;
    uint8_t chain_fdiffs[PA_AV1_DD_MAX_CHAINS];
} PaAv1DdFrame;

/* The indication of decode target @dt (< 32) in a frame or template's packed DTIs. */
static inline unsigned pa_av1_dd_dti(uint64_t dtis, unsigned dt)
{
    return (unsigned)(dtis >> (2 * dt)) & 3u;
}

/* Parses the extension element @ext (@len bytes: the element's data from
 * pa_hdrext_find()/collect) into @out, resolving the template against @structure. When the
 * packet carries a structure and the whole descriptor is valid, @structure is replaced by it
 * (and has_structure set); when it carries active_decode_targets_bitmask, that is stored in
 * @structure too. On error @out must not be used and @structure is unchanged.
 * Returns PA_AV1_DD_OK or an error (see PaAv1DdStatus). */
PaAv1DdStatus pa_av1_dd_parse(const uint8_t *ext, size_t len, PaAv1DdStructure *structure,
                              PaAv1DdFrame *out);

/* True when the frame starts a coded video sequence: it carries a structure, references no
 * earlier frame, and is spatial layer 0 (what the SFU may switch to without anything else). */
static inline bool pa_av1_dd_is_keyframe(const PaAv1DdFrame *f)
{
    return f->has_structure && f->fdiff_count == 0 && f->sid == 0;
}

/* The decode target that reaches exactly spatial layer @sid and temporal layer @tid in
 * @structure, or -1 when none does. With several, the lowest index. */
int pa_av1_dd_decode_target(const PaAv1DdStructure *structure, unsigned sid, unsigned tid);

/* In place: the frame number (bytes 1..2 of the element; @len >= 3). */
static inline void pa_av1_dd_set_frame_number(uint8_t *ext, uint16_t frame_number)
{
    ext[1] = (uint8_t)(frame_number >> 8);
    ext[2] = (uint8_t)frame_number;
}

#ifdef __cplusplus
}
#endif
