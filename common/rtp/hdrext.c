/* SPDX-License-Identifier: MIT */
/* RFC 8285 header-extension elements: iteration, lookup, id map and block writer.
 * Stateless apart from caller-owned iterators and maps; any thread. */
#include "common/rtp/hdrext.h"

#include <string.h>

const char *pa_hdrext_status_name(PaHdrextStatus status)
{
    static const char *const names[PA_HDREXT_STATUS_COUNT] = {
        [PA_HDREXT_OK] = "ok",
        [PA_HDREXT_END] = "end",
        [PA_HDREXT_ERR_PROFILE] = "bad_profile",
        [PA_HDREXT_ERR_MALFORMED] = "malformed",
        [PA_HDREXT_ERR_LENGTH] = "bad_length",
    };
    if ((unsigned)status >= PA_HDREXT_STATUS_COUNT)
        return "unknown";
    return names[status];
}

PaHdrextStatus pa_hdrext_iter_init(PaHdrextIter *it, const uint8_t *pkt, const PaRtpHeader *h)
{
    it->pkt = pkt;
    it->pos = it->end = 0;
    it->two_byte = false;
    if (!h->extension)
        return PA_HDREXT_END;
    if (h->ext_profile == PA_HDREXT_PROFILE_ONE_BYTE)
        it->two_byte = false;
    else if ((h->ext_profile & 0xfff0) == PA_HDREXT_PROFILE_TWO_BYTE)
        it->two_byte = true;
    else
        return PA_HDREXT_ERR_PROFILE;
    it->pos = h->ext_offset;
    it->end = h->ext_offset + h->ext_len;
    return PA_HDREXT_OK;
}

PaHdrextStatus pa_hdrext_iter_next(PaHdrextIter *it, PaHdrextElem *out)
{
    const uint8_t *p = it->pkt;
    uint32_t pos = it->pos, end = it->end;

    if (!it->two_byte) {
        for (;;) {
            if (pos >= end)
                break;
            uint8_t b = p[pos];
            uint8_t id = b >> 4;
            if (id == 0) { /* padding byte; its length bits are ignored */
                pos++;
                continue;
            }
            if (id == 15) /* reserved: stop, keep what came before */
                break;
            uint32_t len = (uint32_t)(b & 0x0f) + 1;
            if (len > end - pos - 1) {
                it->pos = end;
                return PA_HDREXT_ERR_MALFORMED;
            }
            out->id = id;
            out->len = (uint8_t)len;
            out->offset = pos + 1;
            it->pos = pos + 1 + len;
            return PA_HDREXT_OK;
        }
    } else {
        for (;;) {
            if (pos >= end)
                break;
            uint8_t id = p[pos];
            if (id == 0) { /* padding is single zero bytes */
                pos++;
                continue;
            }
            if (end - pos < 2) {
                it->pos = end;
                return PA_HDREXT_ERR_MALFORMED;
            }
            uint32_t len = p[pos + 1];
            if (len > end - pos - 2) {
                it->pos = end;
                return PA_HDREXT_ERR_MALFORMED;
            }
            out->id = id;
            out->len = (uint8_t)len;
            out->offset = pos + 2;
            it->pos = pos + 2 + len;
            return PA_HDREXT_OK;
        }
    }
    it->pos = end;
    return PA_HDREXT_END;
}

PaHdrextStatus pa_hdrext_find(const uint8_t *pkt, const PaRtpHeader *h, uint8_t id,
                              PaHdrextElem *out)
{
    PaHdrextIter it;
    PaHdrextStatus st = pa_hdrext_iter_init(&it, pkt, h);
    if (st != PA_HDREXT_OK)
        return st;
    PaHdrextElem e;
    while ((st = pa_hdrext_iter_next(&it, &e)) == PA_HDREXT_OK) {
        if (e.id == id) {
            *out = e;
            return PA_HDREXT_OK;
        }
    }
    return st;
}

/* The collector is the per-packet path, so it walks the block itself rather than through the
 * iterator: the found-set stays in a register, and nothing written through @out can alias the
 * packet bytes (the project builds with -fno-strict-aliasing, which would otherwise force a
 * reload of the packet after every store). Same rules as pa_hdrext_iter_next(). */
static inline void record(PaHdrextFound *out, uint32_t *present, const PaHdrextMap *m, unsigned id,
                          uint32_t len, uint32_t offset)
{
    unsigned kind = m->kind_of[id];
    uint32_t bit = 1u << kind;
    /* kind NONE (0) lands in bit 0, which is cleared at the end; first occurrence wins. */
    if (!(*present & bit)) {
        *present |= bit;
        out->elem[kind] = (PaHdrextElem){(uint8_t)id, (uint8_t)len, offset};
    }
}

PaHdrextStatus pa_hdrext_collect(const uint8_t *pkt, const PaRtpHeader *h, const PaHdrextMap *m,
                                 PaHdrextFound *out)
{
    uint32_t present = 0;
    PaHdrextStatus st = PA_HDREXT_OK;
    if (!h->extension)
        goto done;

    uint32_t pos = h->ext_offset, end = h->ext_offset + h->ext_len;
    if (h->ext_profile == PA_HDREXT_PROFILE_ONE_BYTE) {
        while (pos < end) {
            uint8_t b = pkt[pos];
            unsigned id = b >> 4;
            if (id == 0) {
                pos++;
                continue;
            }
            if (id == 15)
                break;
            uint32_t len = (uint32_t)(b & 0x0f) + 1;
            if (len > end - pos - 1) {
                st = PA_HDREXT_ERR_MALFORMED;
                break;
            }
            record(out, &present, m, id, len, pos + 1);
            pos += 1 + len;
        }
    } else if ((h->ext_profile & 0xfff0) == PA_HDREXT_PROFILE_TWO_BYTE) {
        while (pos < end) {
            unsigned id = pkt[pos];
            if (id == 0) {
                pos++;
                continue;
            }
            if (end - pos < 2 || (uint32_t)pkt[pos + 1] > end - pos - 2) {
                st = PA_HDREXT_ERR_MALFORMED;
                break;
            }
            uint32_t len = pkt[pos + 1];
            record(out, &present, m, id, len, pos + 2);
            pos += 2 + len;
        }
    } else {
        st = PA_HDREXT_ERR_PROFILE;
    }
done:
    out->present = present & ~1u;
    return st;
}

/* Built on the iterator: stripping is rare (browsers stop sending mid/rid once the SSRC is
 * acknowledged) and the caller already knows from pa_hdrext_collect() that it is needed. */
PaHdrextStatus pa_hdrext_strip(uint8_t *pkt, const PaRtpHeader *h, const PaHdrextMap *m,
                               uint32_t kinds, unsigned *n_stripped)
{
    unsigned n = 0;
    kinds &= ~1u; /* kind NONE (unmapped ids) is never removed */
    PaHdrextIter it;
    PaHdrextStatus st = pa_hdrext_iter_init(&it, pkt, h);
    if (st == PA_HDREXT_OK) {
        /* The element header too: a zero byte is one byte of padding (id 0, len 0), as
         * libwebrtc requires, not merely an element with id 0. */
        uint32_t hdr = it.two_byte ? 2 : 1;
        PaHdrextElem e;
        while ((st = pa_hdrext_iter_next(&it, &e)) == PA_HDREXT_OK) {
            if ((kinds >> m->kind_of[e.id]) & 1u) {
                memset(pkt + e.offset - hdr, 0, hdr + e.len);
                n++;
            }
        }
    }
    if (st == PA_HDREXT_END)
        st = PA_HDREXT_OK;
    if (n_stripped)
        *n_stripped = n;
    return st;
}

/* ---- id map ---- */

static const char *const kind_uris[PA_HDREXT_KIND_COUNT] = {
    [PA_HDREXT_AUDIO_LEVEL] = "urn:ietf:params:rtp-hdrext:ssrc-audio-level",
    [PA_HDREXT_MID] = "urn:ietf:params:rtp-hdrext:sdes:mid",
    [PA_HDREXT_TCC] = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01",
    [PA_HDREXT_ABS_SEND_TIME] = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time",
    [PA_HDREXT_RID] = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id",
    [PA_HDREXT_REPAIRED_RID] = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id",
    [PA_HDREXT_DEPENDENCY_DESC] =
        "https://aomediacodec.github.io/av1-rtp-spec/#dependency-descriptor-rtp-header-extension",
    [PA_HDREXT_VIDEO_LAYERS_ALLOC] =
        "http://www.webrtc.org/experiments/rtp-hdrext/video-layers-allocation00",
    [PA_HDREXT_TOFFSET] = "urn:ietf:params:rtp-hdrext:toffset",
    [PA_HDREXT_VIDEO_ORIENTATION] = "urn:3gpp:video-orientation",
    [PA_HDREXT_ABS_CAPTURE_TIME] = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time",
};

void pa_hdrext_map_init(PaHdrextMap *m)
{
    memset(m, 0, sizeof(*m));
}

void pa_hdrext_map_init_jitsi_defaults(PaHdrextMap *m)
{
    pa_hdrext_map_init(m);
    pa_hdrext_map_set(m, PA_HDREXT_AUDIO_LEVEL, 1);
    pa_hdrext_map_set(m, PA_HDREXT_ABS_SEND_TIME, 3);
    pa_hdrext_map_set(m, PA_HDREXT_TCC, 5);
    pa_hdrext_map_set(m, PA_HDREXT_MID, 10);
    pa_hdrext_map_set(m, PA_HDREXT_DEPENDENCY_DESC, 11);
}

bool pa_hdrext_map_set(PaHdrextMap *m, PaHdrextKind kind, unsigned id)
{
    if (kind <= PA_HDREXT_KIND_NONE || kind >= PA_HDREXT_KIND_COUNT || id == 0 || id > 255)
        return false;
    uint8_t old_id = m->id_of[kind];
    if (old_id)
        m->kind_of[old_id] = PA_HDREXT_KIND_NONE;
    uint8_t old_kind = m->kind_of[id];
    if (old_kind)
        m->id_of[old_kind] = 0;
    m->id_of[kind] = (uint8_t)id;
    m->kind_of[id] = (uint8_t)kind;
    return true;
}

PaHdrextKind pa_hdrext_kind_from_uri(const char *uri)
{
    if (!uri)
        return PA_HDREXT_KIND_NONE;
    for (unsigned k = 1; k < PA_HDREXT_KIND_COUNT; k++)
        if (strcmp(uri, kind_uris[k]) == 0)
            return (PaHdrextKind)k;
    return PA_HDREXT_KIND_NONE;
}

const char *pa_hdrext_kind_uri(PaHdrextKind kind)
{
    if (kind <= PA_HDREXT_KIND_NONE || kind >= PA_HDREXT_KIND_COUNT)
        return NULL;
    return kind_uris[kind];
}

PaHdrextKind pa_hdrext_map_set_uri(PaHdrextMap *m, const char *uri, unsigned id)
{
    PaHdrextKind kind = pa_hdrext_kind_from_uri(uri);
    if (kind == PA_HDREXT_KIND_NONE || !pa_hdrext_map_set(m, kind, id))
        return PA_HDREXT_KIND_NONE;
    return kind;
}

/* ---- block writer ---- */

size_t pa_hdrext_write_block(uint8_t *buf, size_t cap, bool two_byte, const PaHdrextWrite *elems,
                             unsigned n, uint16_t *profile)
{
    size_t need = 0;
    for (unsigned i = 0; i < n; i++) {
        const PaHdrextWrite *e = &elems[i];
        if (e->len && !e->data)
            return 0;
        if (two_byte) {
            if (e->id == 0)
                return 0;
            need += 2u + e->len;
        } else {
            if (e->id == 0 || e->id > PA_HDREXT_ONE_BYTE_MAX_ID || e->len == 0 ||
                e->len > PA_HDREXT_ONE_BYTE_MAX_LEN)
                return 0;
            need += 1u + e->len;
        }
    }
    size_t padded = (need + 3) & ~(size_t)3;
    if (padded > cap || padded > 4u * 0xffff)
        return 0;

    size_t off = 0;
    for (unsigned i = 0; i < n; i++) {
        const PaHdrextWrite *e = &elems[i];
        if (two_byte) {
            buf[off++] = e->id;
            buf[off++] = e->len;
        } else {
            buf[off++] = (uint8_t)(e->id << 4 | (e->len - 1));
        }
        if (e->len)
            memcpy(buf + off, e->data, e->len);
        off += e->len;
    }
    memset(buf + off, 0, padded - off);
    *profile = two_byte ? PA_HDREXT_PROFILE_TWO_BYTE : PA_HDREXT_PROFILE_ONE_BYTE;
    return padded;
}
