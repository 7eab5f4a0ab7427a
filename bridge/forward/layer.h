/* SPDX-License-Identifier: MIT */
/* What the bridge learns about one video packet, once, on the sender's side, before fanning
 * it out: which encoding (simulcast SSRC) and which spatial/temporal layer it belongs to,
 * whether it starts or ends a frame, whether a receiver may start decoding there (key frame)
 * or move up to its layer there (switching point), the codec fields every receiver's
 * projection rewrites (picture id, TL0PICIDX, AV1 frame number) and where they are in the
 * packet. Each receiver's projection (projection.h) then decides and rewrites from this
 * without parsing again.
 *
 * Codecs: VP8 (RFC 7741 descriptor), VP9 (RFC 9628), AV1 (the dependency descriptor header
 * extension; also used for any codec that carries it and has no descriptor of its own, e.g.
 * H.264 from Chrome), H.264 without it (key frames from the NAL unit type: IDR or SPS, single
 * NAL, STAP-A or the start of an FU-A), and anything else (no layers, every packet a
 * possible frame start, key frames unknown).
 *
 * Pure code: libc and common/rtp only, no allocation, no logging. A stream's
 * PaAv1DdStructure belongs to the caller (one per sender SSRC); otherwise stateless, any
 * thread. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rtp/av1-dd.h"
#include "common/rtp/hdrext.h"
#include "common/rtp/rtp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Encodings (SSRCs of a SIM group), spatial and temporal layers the bridge tells apart. More
 * are refused (BRIDGE_LAYER_ERR_LAYER): browsers send at most 3 encodings, 3 spatial and 3
 * temporal layers. */
#define BRIDGE_MAX_ENCODINGS 4
#define BRIDGE_MAX_SPATIAL 4
#define BRIDGE_MAX_TEMPORAL 4

/* A layer of a source, or what a receiver should get of it: encoding @enc (-1: nothing, the source
 * is paused for this receiver), up to spatial layer @sid and temporal layer @tid. */
typedef struct {
    int8_t enc;
    uint8_t sid;
    uint8_t tid;
} BridgeLayerTarget;

#define BRIDGE_LAYER_TARGET_NONE ((BridgeLayerTarget){-1, 0, 0})

typedef enum {
    BRIDGE_CODEC_OTHER = 0, /* no layer information, no key frame detection */
    BRIDGE_CODEC_VP8,
    BRIDGE_CODEC_VP9,
    BRIDGE_CODEC_AV1,
    BRIDGE_CODEC_H264,
    BRIDGE_CODEC_COUNT
} BridgeCodec;

/* From an rtpmap encoding name ("VP8", "vp9", "AV1", "H264"; case-insensitive); OTHER for
 * anything else or NULL. */
BridgeCodec bridge_codec_from_name(const char *name);

typedef enum {
    BRIDGE_LAYER_OK = 0,
    BRIDGE_LAYER_ERR_DESCRIPTOR, /* the codec's payload descriptor did not parse */
    BRIDGE_LAYER_ERR_DD,         /* the dependency descriptor did not parse (see dd_status) */
    BRIDGE_LAYER_ERR_LAYER,      /* an encoding, spatial or temporal index beyond the maxima */
    BRIDGE_LAYER_STATUS_COUNT
} BridgeLayerStatus;

/* "ok", "bad_descriptor", "bad_dependency_descriptor", "bad_layer" (metrics labels). */
const char *bridge_layer_status_name(BridgeLayerStatus status);

typedef struct {
    BridgeCodec codec;
    uint8_t enc;      /* encoding index: the SSRC's place in the source's SIM group, 0 lowest */
    uint8_t sid;      /* spatial layer (0 without spatial scalability) */
    uint8_t tid;      /* temporal layer (0 without temporal scalability) */
    bool has_layers;  /* the packet said its sid/tid (else they are 0 and mean nothing) */
    bool frame_start; /* first packet of a (layer) frame */
    bool frame_end;   /* last packet of a (layer) frame, when known (else the RTP marker) */
    /* A receiver may start decoding this encoding here: the first packet of a frame that
     * needs no earlier frame, at spatial layer 0. */
    bool keyframe;
    /* A receiver already decoding the lower temporal layers may add this frame's temporal
     * layer from here on: VP8 layer sync (Y), VP9 switching-up point (U, read as libwebrtc
     * and mediasoup use it: this frame needs no earlier frame of its own or a higher
     * temporal layer), a dependency descriptor Switch indication for the decode target of
     * this frame's layer; always on key frames. */
    bool switch_point;
    /* Same for adding this frame's spatial layer: VP9 not inter-picture predicted (only from
     * the layer below), a dependency descriptor Switch indication; always on key frames. */
    bool spatial_switch_point;
    bool padding_only;      /* no payload: nothing to forward (a sender's probe) */
    uint16_t width, height; /* the encoding's (spatial layer's) size when this packet says */
    /* Every spatial layer's height when the packet carries a VP9 scalability structure with
     * resolutions (@ss_layers of them; 0: none). The structure comes in the first packet of a
     * picture, i.e. on spatial layer 0, so this is how the upper layers' heights are learnt.
     * (Heights only: the info travels in a packet's ring slot, BRIDGE_RING_TAG_MAX.) */
    uint8_t ss_layers;
    uint16_t ss_height[BRIDGE_MAX_SPATIAL];
    uint32_t payload_len; /* RTP payload bytes (for rate measurement and SR octet counts) */
    /* Fields a projection rewrites, with their offsets from the first byte of the packet
     * (0: the packet has no such field). */
    uint16_t picture_id; /* VP8/VP9, 15-bit space */
    bool picture_id_15;  /* the field's width on the wire */
    uint16_t picture_id_off;
    uint8_t tl0picidx;
    uint16_t tl0picidx_off;
    uint16_t frame_number; /* dependency descriptor */
    uint16_t dd_off;       /* the descriptor element's first data byte */
    PaAv1DdStatus dd_status;
} BridgeLayerInfo;

/* Fills @out for the packet @pkt parsed into @h (pa_rtp_parse() returned PA_RTP_OK), sent as
 * encoding @enc (< BRIDGE_MAX_ENCODINGS) with codec @codec. @dd is the dependency descriptor
 * element when the packet carries one (from pa_hdrext_collect()), else NULL; @dd_state is the
 * stream's structure (updated when the packet carries one; may be NULL when @dd is NULL).
 * VP8 and VP9 take their layers from their own descriptors (the dependency descriptor, if
 * present, is still parsed so its frame number is rewritten and its structure kept); AV1 and
 * other codecs take them from the dependency descriptor.
 * Returns BRIDGE_LAYER_OK, or an error after which @out must not be used. A packet without
 * payload (padding only) is OK with frame_start, keyframe and has_layers false. */
BridgeLayerStatus bridge_layer_info_parse(BridgeCodec codec, uint8_t enc, const uint8_t *pkt,
                                          const PaRtpHeader *h, const PaHdrextElem *dd,
                                          PaAv1DdStructure *dd_state, BridgeLayerInfo *out);

#ifdef __cplusplus
}
#endif
