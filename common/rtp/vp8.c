/* SPDX-License-Identifier: MIT */
/* VP8 payload descriptor (RFC 7741): parser and in-place rewriters. Stateless; any thread. */
#include "common/rtp/vp8.h"

#include <string.h>

#include "common/rtp/bytes.h"

const char *pa_vp8_status_name(PaVp8Status status)
{
    switch (status) {
    case PA_VP8_OK:
        return "ok";
    case PA_VP8_ERR_TRUNCATED:
        return "truncated";
    default:
        return "?";
    }
}

/* The key frame header after the 3-byte frame tag: start code, then width and height as
 * 14 bits little endian with 2 scaling bits on top (RFC 6386 §9.1). */
static void keyframe_size(const uint8_t *p, size_t len, PaVp8Desc *out)
{
    if (len < 10 || p[3] != 0x9d || p[4] != 0x01 || p[5] != 0x2a)
        return;
    out->width = (uint16_t)((p[6] | p[7] << 8) & 0x3fff);
    out->height = (uint16_t)((p[8] | p[9] << 8) & 0x3fff);
}

PaVp8Status pa_vp8_parse(const uint8_t *payload, size_t len, PaVp8Desc *out)
{
    memset(out, 0, sizeof *out);
    if (len < 1)
        return PA_VP8_ERR_TRUNCATED;
    const uint8_t *p = payload;
    size_t off = 1;
    out->non_reference = (p[0] & 0x20) != 0;
    out->start = (p[0] & 0x10) != 0;
    out->partition = p[0] & 0x07;

    if (p[0] & 0x80) {
        if (off >= len)
            return PA_VP8_ERR_TRUNCATED;
        uint8_t x = p[off++];
        out->has_picture_id = (x & 0x80) != 0;
        out->has_tl0picidx = (x & 0x40) != 0;
        out->has_tid = (x & 0x20) != 0;
        out->has_keyidx = (x & 0x10) != 0;
        if (out->has_picture_id) {
            if (off >= len)
                return PA_VP8_ERR_TRUNCATED;
            out->picture_id_offset = (uint8_t)off;
            if (p[off] & 0x80) {
                if (off + 1 >= len)
                    return PA_VP8_ERR_TRUNCATED;
                out->picture_id_15 = true;
                out->picture_id = (uint16_t)((p[off] & 0x7f) << 8 | p[off + 1]);
                off += 2;
            } else {
                out->picture_id = p[off] & 0x7f;
                off += 1;
            }
        }
        if (out->has_tl0picidx) {
            if (off >= len)
                return PA_VP8_ERR_TRUNCATED;
            out->tl0picidx_offset = (uint8_t)off;
            out->tl0picidx = p[off++];
        }
        if (out->has_tid || out->has_keyidx) {
            if (off >= len)
                return PA_VP8_ERR_TRUNCATED;
            uint8_t t = p[off++];
            if (out->has_tid) {
                out->tid = t >> 6;
                out->layer_sync = (t & 0x20) != 0;
            }
            if (out->has_keyidx)
                out->keyidx = t & 0x1f;
        }
    }
    /* A descriptor with no VP8 byte after it carries nothing (RFC 7741 §4.2: the payload
     * follows); it cannot be a frame either. */
    if (off >= len)
        return PA_VP8_ERR_TRUNCATED;
    out->desc_len = (uint8_t)off;
    out->frame_start = out->start && out->partition == 0;
    if (out->frame_start && (p[off] & 0x01) == 0) {
        out->keyframe = true;
        keyframe_size(p + off, len - off, out);
    }
    return PA_VP8_OK;
}

bool pa_vp8_set_picture_id(uint8_t *payload, const PaVp8Desc *d, uint16_t picture_id)
{
    if (!d->has_picture_id)
        return false;
    pa_wr_picture_id(payload + d->picture_id_offset, d->picture_id_15, picture_id);
    return true;
}

bool pa_vp8_set_tl0picidx(uint8_t *payload, const PaVp8Desc *d, uint8_t tl0picidx)
{
    if (!d->has_tl0picidx)
        return false;
    payload[d->tl0picidx_offset] = tl0picidx;
    return true;
}
