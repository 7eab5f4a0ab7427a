/* SPDX-License-Identifier: MIT */
/* VP9 payload descriptor (RFC 9628): parser and in-place rewriters. Stateless; any thread. */
#include "common/rtp/vp9.h"

#include <string.h>

#include "common/rtp/bytes.h"

const char *pa_vp9_status_name(PaVp9Status status)
{
    switch (status) {
    case PA_VP9_OK:
        return "ok";
    case PA_VP9_ERR_TRUNCATED:
        return "truncated";
    case PA_VP9_ERR_PDIFF:
        return "bad_pdiff";
    default:
        return "?";
    }
}

/* The scalability structure from @off; returns the offset after it, or 0 when truncated. */
static size_t parse_ss(const uint8_t *p, size_t len, size_t off, PaVp9Desc *out)
{
    if (off >= len)
        return 0;
    uint8_t b = p[off++];
    out->has_ss = true;
    out->ss_spatial_layers = (uint8_t)((b >> 5) + 1);
    out->ss_has_resolution = (b & 0x10) != 0;
    bool has_groups = (b & 0x08) != 0;
    if (out->ss_has_resolution) {
        if (len - off < 4u * out->ss_spatial_layers)
            return 0;
        for (unsigned i = 0; i < out->ss_spatial_layers; i++) {
            out->ss_width[i] = pa_rd16(p + off);
            out->ss_height[i] = pa_rd16(p + off + 2);
            off += 4;
        }
    }
    if (has_groups) {
        if (off >= len)
            return 0;
        out->ss_pictures = p[off++];
        for (unsigned g = 0; g < out->ss_pictures; g++) {
            if (off >= len)
                return 0;
            unsigned refs = (p[off++] >> 2) & 0x03;
            if (len - off < refs)
                return 0;
            off += refs;
        }
    }
    return off;
}

PaVp9Status pa_vp9_parse(const uint8_t *payload, size_t len, PaVp9Desc *out)
{
    memset(out, 0, sizeof *out);
    if (len < 1)
        return PA_VP9_ERR_TRUNCATED;
    const uint8_t *p = payload;
    uint8_t b0 = p[0];
    size_t off = 1;
    out->has_picture_id = (b0 & 0x80) != 0;
    out->inter_picture = (b0 & 0x40) != 0;
    out->has_layers = (b0 & 0x20) != 0;
    out->flexible = (b0 & 0x10) != 0;
    out->begin = (b0 & 0x08) != 0;
    out->end = (b0 & 0x04) != 0;
    out->has_ss = false;
    out->not_upper_ref = (b0 & 0x01) != 0;

    if (out->has_picture_id) {
        if (off >= len)
            return PA_VP9_ERR_TRUNCATED;
        out->picture_id_offset = (uint8_t)off;
        if (p[off] & 0x80) {
            if (off + 1 >= len)
                return PA_VP9_ERR_TRUNCATED;
            out->picture_id_15 = true;
            out->picture_id = (uint16_t)((p[off] & 0x7f) << 8 | p[off + 1]);
            off += 2;
        } else {
            out->picture_id = p[off++] & 0x7f;
        }
    }
    if (out->has_layers) {
        if (off >= len)
            return PA_VP9_ERR_TRUNCATED;
        uint8_t l = p[off++];
        out->tid = l >> 5;
        out->switching_up = (l & 0x10) != 0;
        out->sid = (l >> 1) & 0x07;
        out->inter_layer = (l & 0x01) != 0;
        if (!out->flexible) {
            if (off >= len)
                return PA_VP9_ERR_TRUNCATED;
            out->has_tl0picidx = true;
            out->tl0picidx_offset = (uint8_t)off;
            out->tl0picidx = p[off++];
        }
    }
    if (out->flexible && out->inter_picture) {
        bool more = true;
        while (more) {
            if (out->n_pdiff == PA_VP9_MAX_PDIFF)
                return PA_VP9_ERR_PDIFF;
            if (off >= len)
                return PA_VP9_ERR_TRUNCATED;
            out->pdiff[out->n_pdiff++] = p[off] >> 1;
            more = (p[off++] & 0x01) != 0;
        }
    }
    if (b0 & 0x02) {
        off = parse_ss(p, len, off, out);
        if (off == 0)
            return PA_VP9_ERR_TRUNCATED;
    }
    if (off >= len)
        return PA_VP9_ERR_TRUNCATED;
    out->desc_len = (uint16_t)off;
    out->keyframe = out->begin && !out->inter_picture && out->sid == 0;
    return PA_VP9_OK;
}

bool pa_vp9_set_picture_id(uint8_t *payload, const PaVp9Desc *d, uint16_t picture_id)
{
    if (!d->has_picture_id)
        return false;
    pa_wr_picture_id(payload + d->picture_id_offset, d->picture_id_15, picture_id);
    return true;
}

bool pa_vp9_set_tl0picidx(uint8_t *payload, const PaVp9Desc *d, uint8_t tl0picidx)
{
    if (!d->has_tl0picidx)
        return false;
    payload[d->tl0picidx_offset] = tl0picidx;
    return true;
}
