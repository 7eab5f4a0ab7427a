/* SPDX-License-Identifier: MIT */
/* Per-packet layer information (layer.h). Stateless apart from the caller's dependency
 * descriptor structure; any thread. */
#include "bridge/forward/layer.h"

#include <string.h>
#include <strings.h>

#include "common/rtp/vp8.h"
#include "common/rtp/vp9.h"

BridgeCodec bridge_codec_from_name(const char *name)
{
    static const struct {
        const char *name;
        BridgeCodec codec;
    } names[] = {{"VP8", BRIDGE_CODEC_VP8},
                 {"VP9", BRIDGE_CODEC_VP9},
                 {"AV1", BRIDGE_CODEC_AV1},
                 {"AV1X", BRIDGE_CODEC_AV1},
                 {"H264", BRIDGE_CODEC_H264}};
    for (size_t i = 0; name && i < sizeof names / sizeof names[0]; i++)
        if (strcasecmp(name, names[i].name) == 0)
            return names[i].codec;
    return BRIDGE_CODEC_OTHER;
}

const char *bridge_layer_status_name(BridgeLayerStatus status)
{
    static const char *const names[BRIDGE_LAYER_STATUS_COUNT] = {
        "ok",
        "bad_descriptor",
        "bad_dependency_descriptor",
        "bad_layer",
    };
    return (unsigned)status < BRIDGE_LAYER_STATUS_COUNT ? names[status] : "?";
}

static void from_vp8(const PaVp8Desc *d, uint32_t base, BridgeLayerInfo *out)
{
    out->has_layers = d->has_tid;
    out->tid = d->tid;
    out->frame_start = d->frame_start;
    out->keyframe = d->keyframe;
    out->switch_point = d->keyframe || (d->has_tid && d->layer_sync);
    out->spatial_switch_point = d->keyframe;
    out->width = d->width;
    out->height = d->height;
    if (d->has_picture_id) {
        out->picture_id = d->picture_id;
        out->picture_id_15 = d->picture_id_15;
        out->picture_id_off = (uint16_t)(base + d->picture_id_offset);
    }
    if (d->has_tl0picidx) {
        out->tl0picidx = d->tl0picidx;
        out->tl0picidx_off = (uint16_t)(base + d->tl0picidx_offset);
    }
}

static void from_vp9(const PaVp9Desc *d, uint32_t base, BridgeLayerInfo *out)
{
    out->has_layers = d->has_layers;
    out->sid = d->sid;
    out->tid = d->tid;
    out->frame_start = d->begin;
    out->frame_end = d->end;
    out->keyframe = d->keyframe;
    out->switch_point = d->keyframe || (d->has_layers && d->switching_up);
    out->spatial_switch_point = d->keyframe || (d->begin && !d->inter_picture);
    if (d->has_ss && d->ss_has_resolution) {
        if (d->sid < d->ss_spatial_layers) {
            out->width = d->ss_width[d->sid];
            out->height = d->ss_height[d->sid];
        }
        out->ss_layers =
            d->ss_spatial_layers < BRIDGE_MAX_SPATIAL ? d->ss_spatial_layers : BRIDGE_MAX_SPATIAL;
        for (unsigned s = 0; s < out->ss_layers; s++)
            out->ss_height[s] = d->ss_height[s];
    }
    if (d->has_picture_id) {
        out->picture_id = d->picture_id;
        out->picture_id_15 = d->picture_id_15;
        out->picture_id_off = (uint16_t)(base + d->picture_id_offset);
    }
    if (d->has_tl0picidx) {
        out->tl0picidx = d->tl0picidx;
        out->tl0picidx_off = (uint16_t)(base + d->tl0picidx_offset);
    }
}

/* Layers from a parsed dependency descriptor. */
static void from_dd(const PaAv1DdFrame *f, const PaAv1DdStructure *s, BridgeLayerInfo *out)
{
    out->has_layers = true;
    out->sid = f->sid;
    out->tid = f->tid;
    out->frame_start = f->start_of_frame;
    out->frame_end = f->end_of_frame;
    out->keyframe = f->start_of_frame && pa_av1_dd_is_keyframe(f);
    int dt = pa_av1_dd_decode_target(s, f->sid, f->tid);
    bool sw = dt >= 0 && pa_av1_dd_dti(f->dtis, (unsigned)dt) == PA_AV1_DTI_SWITCH;
    out->switch_point = out->keyframe || sw;
    out->spatial_switch_point = out->keyframe || sw;
    if (s->has_resolutions && f->sid <= s->max_spatial_id) {
        out->width = s->width[f->sid];
        out->height = s->height[f->sid];
    }
}

/* H.264 (RFC 6184): a key frame starts with an SPS or an IDR slice, alone, first in a STAP-A
 * or at the start of an FU-A. */
static bool h264_keyframe(const uint8_t *p, uint32_t len)
{
    unsigned type = p[0] & 0x1f;
    if (type == 5 || type == 7)
        return true;
    if (type == 24) { /* STAP-A: 16-bit sizes, then NAL units */
        uint32_t off = 1;
        while (off + 2 < len) {
            uint32_t size = (uint32_t)p[off] << 8 | p[off + 1];
            if (size == 0 || size > len - off - 2)
                return false;
            unsigned t = p[off + 2] & 0x1f;
            if (t == 5 || t == 7)
                return true;
            off += 2 + size;
        }
        return false;
    }
    if (type == 28 && len >= 2) /* FU-A: start bit and the fragmented unit's type */
        return (p[1] & 0x80) && ((p[1] & 0x1f) == 5 || (p[1] & 0x1f) == 7);
    return false;
}

BridgeLayerStatus bridge_layer_info_parse(BridgeCodec codec, uint8_t enc, const uint8_t *pkt,
                                          const PaRtpHeader *h, const PaHdrextElem *dd,
                                          PaAv1DdStructure *dd_state, BridgeLayerInfo *out)
{
    memset(out, 0, sizeof *out);
    out->codec = codec;
    out->enc = enc;
    out->frame_end = h->marker;
    out->payload_len = h->payload_len;
    if (enc >= BRIDGE_MAX_ENCODINGS)
        return BRIDGE_LAYER_ERR_LAYER;
    if (h->payload_len == 0) {
        out->padding_only = true;
        return BRIDGE_LAYER_OK;
    }

    /* The dependency descriptor first: its frame number is rewritten whatever the codec. */
    PaAv1DdFrame f;
    bool have_dd = false;
    if (dd && dd_state) {
        out->dd_status = pa_av1_dd_parse(pkt + dd->offset, dd->len, dd_state, &f);
        if (out->dd_status == PA_AV1_DD_OK) {
            have_dd = true;
            out->frame_number = f.frame_number;
            out->dd_off = (uint16_t)dd->offset;
        }
    }

    const uint8_t *payload = pkt + h->payload_offset;
    switch (codec) {
    case BRIDGE_CODEC_VP8: {
        PaVp8Desc d;
        if (pa_vp8_parse(payload, h->payload_len, &d) != PA_VP8_OK)
            return BRIDGE_LAYER_ERR_DESCRIPTOR;
        from_vp8(&d, h->payload_offset, out);
        out->frame_end = h->marker;
        break;
    }
    case BRIDGE_CODEC_VP9: {
        PaVp9Desc d;
        if (pa_vp9_parse(payload, h->payload_len, &d) != PA_VP9_OK)
            return BRIDGE_LAYER_ERR_DESCRIPTOR;
        from_vp9(&d, h->payload_offset, out);
        break;
    }
    default:
        if (have_dd) {
            from_dd(&f, dd_state, out);
        } else if (dd && codec == BRIDGE_CODEC_AV1) {
            /* AV1 is layered only through the descriptor: without a usable one the packet
             * cannot be placed. */
            return BRIDGE_LAYER_ERR_DD;
        } else if (codec == BRIDGE_CODEC_AV1) {
            /* The aggregation header (Z Y W N): N marks the first packet of a coded video
             * sequence, Z a continued OBU. */
            out->frame_start = (payload[0] & 0x80) == 0;
            out->keyframe = (payload[0] & 0x08) != 0;
        } else if (codec == BRIDGE_CODEC_H264) {
            out->keyframe = h264_keyframe(payload, h->payload_len);
            out->frame_start = out->keyframe;
        }
        out->switch_point = out->switch_point || out->keyframe;
        out->spatial_switch_point = out->spatial_switch_point || out->keyframe;
        break;
    }
    if (out->sid >= BRIDGE_MAX_SPATIAL || out->tid >= BRIDGE_MAX_TEMPORAL)
        return BRIDGE_LAYER_ERR_LAYER;
    return BRIDGE_LAYER_OK;
}
