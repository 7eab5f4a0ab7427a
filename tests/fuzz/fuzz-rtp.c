/* SPDX-License-Identifier: MIT */
/* Fuzz target: RTP header parsing, RFC 8285 extension iteration, the id-map collector, typed
 * readers, in-place rewriting and the builders. Besides "no crash, no out-of-bounds access"
 * (ASan), it checks properties: the view is consistent with the input length, every element
 * lies in the extension block, rebuilding a parsed packet reproduces it, and re-writing the
 * parsed elements yields the same elements. */
#include <string.h>

#include "common/rtp/hdrext.h"
#include "common/rtp/rtp.h"
#include "fuzz.h"

static uint8_t scratch[PA_RTP_MAX_PACKET_LEN + 64];
static uint8_t ext_copy[4 * 0xffff + 4];

static void check_hdrext(const uint8_t *data, size_t size, const PaRtpHeader *h)
{
    static PaHdrextMap map;
    static int map_ready;
    if (!map_ready) {
        pa_hdrext_map_init_jitsi_defaults(&map);
        pa_hdrext_map_set(&map, PA_HDREXT_RID, 200); /* a two-byte-only id */
        pa_hdrext_map_set(&map, PA_HDREXT_VIDEO_ORIENTATION, 13);
        map_ready = 1;
    }

    PaHdrextIter it;
    PaHdrextElem e;
    PaHdrextStatus st = pa_hdrext_iter_init(&it, data, h);
    PaHdrextWrite elems[256];
    unsigned n = 0;
    bool whole = false;
    if (st == PA_HDREXT_OK) {
        while ((st = pa_hdrext_iter_next(&it, &e)) == PA_HDREXT_OK) {
            FUZZ_CHECK(e.id != 0);
            FUZZ_CHECK(e.offset >= h->ext_offset);
            FUZZ_CHECK((size_t)e.offset + e.len <= (size_t)h->ext_offset + h->ext_len);
            FUZZ_CHECK(e.offset + e.len <= size);
            FUZZ_CHECK(it.two_byte || (e.id <= 14 && e.len >= 1 && e.len <= 16));
            if (n < 256)
                elems[n++] = (PaHdrextWrite){e.id, e.len, data + e.offset};

            bool voice;
            uint8_t level;
            uint16_t seq;
            uint32_t ast;
            const char *mid;
            size_t mid_len;
            if (pa_hdrext_read_audio_level(data, &e, &voice, &level) == PA_HDREXT_OK)
                FUZZ_CHECK(level <= 127);
            (void)pa_hdrext_read_tcc_seq(data, &e, &seq);
            if (pa_hdrext_read_abs_send_time(data, &e, &ast) == PA_HDREXT_OK)
                FUZZ_CHECK(ast <= 0xffffff);
            if (pa_hdrext_read_mid(data, &e, &mid, &mid_len) == PA_HDREXT_OK)
                FUZZ_CHECK(mid_len == e.len && mid == (const char *)data + e.offset);
        }
        FUZZ_CHECK(st == PA_HDREXT_END || st == PA_HDREXT_ERR_MALFORMED);
        whole = st == PA_HDREXT_END;
        FUZZ_CHECK(pa_hdrext_iter_next(&it, &e) == PA_HDREXT_END);
    }

    /* Lookup by id agrees with the iteration (first match, or the error that ended it). */
    uint8_t want_id = data[size - 1];
    unsigned first = n;
    for (unsigned i = 0; i < n; i++)
        if (elems[i].id == want_id) {
            first = i;
            break;
        }
    PaHdrextStatus fst = pa_hdrext_find(data, h, want_id, &e);
    if (first < n) {
        FUZZ_CHECK(fst == PA_HDREXT_OK && e.len == elems[first].len);
        FUZZ_CHECK(data + e.offset == elems[first].data);
    } else if (n < 256) {
        FUZZ_CHECK(fst != PA_HDREXT_OK);
    }

    /* The collector agrees with the iterator about success. */
    PaHdrextFound found;
    PaHdrextStatus cst = pa_hdrext_collect(data, h, &map, &found);
    if (h->extension && st != PA_HDREXT_ERR_PROFILE)
        FUZZ_CHECK((cst == PA_HDREXT_OK) == whole);
    FUZZ_CHECK(!(found.present & 1u));
    /* ...and finds exactly the first element of each mapped kind the iterator saw. */
    if (n < 256) {
        uint32_t want = 0;
        for (unsigned i = 0; i < n; i++) {
            unsigned kind = map.kind_of[elems[i].id];
            if (kind == PA_HDREXT_KIND_NONE || (want & (1u << kind)))
                continue;
            want |= 1u << kind;
            const PaHdrextElem *f = &found.elem[kind];
            FUZZ_CHECK(f->id == elems[i].id && f->len == elems[i].len);
            FUZZ_CHECK(data + f->offset == elems[i].data);
        }
        FUZZ_CHECK(found.present == want);
    }

    /* In-place rewrite of the TCC sequence in a copy touches only that element. */
    if (cst == PA_HDREXT_OK && pa_hdrext_found_has(&found, PA_HDREXT_TCC)) {
        memcpy(scratch, data, size);
        const PaHdrextElem *t = &found.elem[PA_HDREXT_TCC];
        if (pa_hdrext_write_tcc_seq(scratch, t, 0xa55a) == PA_HDREXT_OK) {
            uint16_t seq = 0;
            FUZZ_CHECK(pa_hdrext_read_tcc_seq(scratch, t, &seq) == PA_HDREXT_OK && seq == 0xa55a);
            FUZZ_CHECK(memcmp(scratch, data, t->offset) == 0);
            FUZZ_CHECK(
                memcmp(scratch + t->offset + 2, data + t->offset + 2, size - t->offset - 2) == 0);
        }
    }

    /* Writing the parsed elements again and parsing that gives the same elements back. */
    if (whole && n < 256) {
        uint16_t profile = 0;
        bool two = it.two_byte;
        size_t len = pa_hdrext_write_block(ext_copy, sizeof ext_copy, two, elems, n, &profile);
        FUZZ_CHECK(len % 4 == 0);
        if (n > 0) {
            FUZZ_CHECK(len > 0);
            PaRtpHeader fake = {.extension = true,
                                .ext_profile = profile,
                                .ext_offset = 0,
                                .ext_len = (uint32_t)len};
            PaHdrextIter it2;
            FUZZ_CHECK(pa_hdrext_iter_init(&it2, ext_copy, &fake) == PA_HDREXT_OK);
            for (unsigned i = 0; i < n; i++) {
                FUZZ_CHECK(pa_hdrext_iter_next(&it2, &e) == PA_HDREXT_OK);
                FUZZ_CHECK(e.id == elems[i].id && e.len == elems[i].len);
                FUZZ_CHECK(memcmp(ext_copy + e.offset, elems[i].data, e.len) == 0);
            }
            FUZZ_CHECK(pa_hdrext_iter_next(&it2, &e) == PA_HDREXT_END);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    PaRtpHeader h;
    PaRtpStatus st = pa_rtp_parse(data, size, &h);
    FUZZ_CHECK((unsigned)st < PA_RTP_STATUS_COUNT);
    if (st != PA_RTP_OK)
        return 0;

    FUZZ_CHECK(h.version == 2);
    FUZZ_CHECK(h.payload_offset == h.header_len);
    FUZZ_CHECK((size_t)h.header_len + h.payload_len + h.padding_len == size);
    FUZZ_CHECK(h.header_len >= 12u + 4u * h.csrc_count);
    FUZZ_CHECK(h.padding == (h.padding_len != 0));
    FUZZ_CHECK(pa_rtp_get_seq(data) == h.seq && pa_rtp_get_ssrc(data) == h.ssrc);
    if (h.extension)
        FUZZ_CHECK(h.ext_offset + h.ext_len == h.header_len);

    /* Rebuild from the view: identical except for padding content (the builder zeroes it). */
    uint32_t csrcs[PA_RTP_MAX_CSRC];
    for (unsigned i = 0; i < h.csrc_count; i++)
        csrcs[i] = pa_rtp_get_csrc(data, i);
    PaRtpBuild b = {
        .marker = h.marker,
        .payload_type = h.payload_type,
        .seq = h.seq,
        .timestamp = h.timestamp,
        .ssrc = h.ssrc,
        .csrcs = csrcs,
        .csrc_count = h.csrc_count,
        .extension = h.extension,
        .ext_profile = h.ext_profile,
        .ext = data + h.ext_offset,
        .ext_len = h.ext_len,
        .payload = data + h.payload_offset,
        .payload_len = h.payload_len,
        .padding_len = h.padding_len,
    };
    size_t n = pa_rtp_build(scratch, sizeof scratch, &b);
    FUZZ_CHECK(n == size);
    FUZZ_CHECK(memcmp(scratch, data, size - h.padding_len) == 0);
    FUZZ_CHECK(scratch[n - 1] == data[size - 1]);

    /* In-place writers only touch their fields. */
    uint16_t new_seq = (uint16_t)~h.seq;
    pa_rtp_set_seq(scratch, new_seq);
    pa_rtp_set_marker(scratch, !h.marker);
    pa_rtp_set_payload_type(scratch, (uint8_t)(h.payload_type ^ 0x55));
    PaRtpHeader h2;
    FUZZ_CHECK(pa_rtp_parse(scratch, n, &h2) == PA_RTP_OK);
    FUZZ_CHECK(h2.seq == new_seq && h2.marker == !h.marker);
    FUZZ_CHECK(h2.payload_type == ((h.payload_type ^ 0x55) & 0x7f));
    FUZZ_CHECK(h2.ssrc == h.ssrc && h2.header_len == h.header_len);

    check_hdrext(data, size, &h);
    return 0;
}
