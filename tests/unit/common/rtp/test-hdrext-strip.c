/* SPDX-License-Identifier: MIT */
/* Removal of sdes:mid / rid / repaired-rid from forwarded RTP (common/rtp/hdrext.h):
 * exactly the removed elements' bytes become zero padding, everything else (header, other
 * elements, payload, RTP padding) is byte-identical, and the result still parses with the
 * kept elements readable. One-byte and two-byte forms, negotiated ids other than Jitsi's,
 * duplicates, and malformed or foreign blocks. */
#include <glib.h>
#include <string.h>

#include "common/rtp/hdrext.h"

typedef struct {
    guint8 pkt[1500];
    gsize len;
    PaRtpHeader h;
} Pkt;

/* Builds an RTP packet with @n elements in the given form, a patterned payload, optional
 * CSRCs and RTP padding. */
static void build(Pkt *p, gboolean two_byte, const PaHdrextWrite *el, unsigned n, gsize payload_len,
                  guint8 csrc_count, guint8 padding_len)
{
    guint8 ext[256];
    guint16 profile = 0;
    gsize ext_len = 0;
    if (n) {
        ext_len = pa_hdrext_write_block(ext, sizeof ext, two_byte, el, n, &profile);
        g_assert_cmpuint(ext_len, >, 0);
    }
    guint8 payload[1200];
    for (gsize i = 0; i < payload_len; i++)
        payload[i] = (guint8)(0xA5 ^ i);
    guint32 csrcs[15];
    for (guint i = 0; i < csrc_count; i++)
        csrcs[i] = 0x11110000u + i;
    PaRtpBuild b = {.payload_type = 100,
                    .seq = 4242,
                    .timestamp = 90000,
                    .ssrc = 0xCAFE,
                    .csrcs = csrcs,
                    .csrc_count = csrc_count,
                    .extension = n > 0,
                    .ext_profile = profile,
                    .ext = ext,
                    .ext_len = ext_len,
                    .payload = payload,
                    .payload_len = payload_len,
                    .padding_len = padding_len};
    p->len = pa_rtp_build(p->pkt, sizeof p->pkt, &b);
    g_assert_cmpuint(p->len, >, 0);
    g_assert_cmpint(pa_rtp_parse(p->pkt, p->len, &p->h), ==, PA_RTP_OK);
}

/* Offset of the first element with @id (its header byte) and its total size, or FALSE. */
static gboolean element_span(const Pkt *p, guint8 id, gsize *start, gsize *size)
{
    PaHdrextElem e;
    if (pa_hdrext_find(p->pkt, &p->h, id, &e) != PA_HDREXT_OK)
        return FALSE;
    gsize hdr = (p->h.ext_profile == PA_HDREXT_PROFILE_ONE_BYTE) ? 1 : 2;
    *start = e.offset - hdr;
    *size = hdr + e.len;
    return TRUE;
}

static void assert_only_zeroed(const guint8 *before, const Pkt *after, const gsize *starts,
                               const gsize *sizes, guint n)
{
    guint8 want[1500];
    memcpy(want, before, after->len);
    for (guint i = 0; i < n; i++)
        memset(want + starts[i], 0, sizes[i]);
    g_assert_cmpmem(want, after->len, after->pkt, after->len);
}

static void assert_elem(const Pkt *p, guint8 id, const guint8 *data, guint8 len)
{
    PaHdrextElem e;
    g_assert_cmpint(pa_hdrext_find(p->pkt, &p->h, id, &e), ==, PA_HDREXT_OK);
    g_assert_cmpmem(p->pkt + e.offset, e.len, data, len);
}

static void assert_absent(const Pkt *p, guint8 id)
{
    PaHdrextElem e;
    g_assert_cmpint(pa_hdrext_find(p->pkt, &p->h, id, &e), ==, PA_HDREXT_END);
}

static const guint8 level[] = {0x80 | 30};
static const guint8 mid0[] = {'0'};
static const guint8 tcc[] = {0x12, 0x34};
static const guint8 ast[] = {0xAB, 0xCD, 0xEF};
static const guint8 rid[] = {'h', 'i'};

/* A browser's first audio packets with Jicofo's default ids: level 1, TCC 5, mid 10, AST 3. */
static void test_one_byte_mid(void)
{
    PaHdrextMap m;
    pa_hdrext_map_init_jitsi_defaults(&m);
    PaHdrextWrite el[] = {{1, 1, level}, {10, 1, mid0}, {5, 2, tcc}, {3, 3, ast}};
    Pkt p;
    build(&p, FALSE, el, G_N_ELEMENTS(el), 160, 0, 0);
    guint8 before[1500];
    memcpy(before, p.pkt, p.len);
    gsize start = 0, size = 0, len = p.len;
    g_assert_true(element_span(&p, 10, &start, &size));

    unsigned n = 99;
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_OK);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpuint(p.len, ==, len);
    assert_only_zeroed(before, &p, &start, &size, 1);
    /* Still a valid packet with the same layout; the kept elements read back unchanged. */
    PaRtpHeader h2;
    g_assert_cmpint(pa_rtp_parse(p.pkt, p.len, &h2), ==, PA_RTP_OK);
    g_assert_cmpuint(h2.payload_offset, ==, p.h.payload_offset);
    g_assert_cmpuint(h2.payload_len, ==, 160);
    assert_absent(&p, 10);
    assert_elem(&p, 1, level, 1);
    assert_elem(&p, 5, tcc, 2);
    assert_elem(&p, 3, ast, 3);
    PaHdrextFound f;
    g_assert_cmpint(pa_hdrext_collect(p.pkt, &h2, &m, &f), ==, PA_HDREXT_OK);
    g_assert_false(pa_hdrext_found_has(&f, PA_HDREXT_MID));
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_AUDIO_LEVEL));
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_TCC));
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_ABS_SEND_TIME));

    /* A second pass finds nothing more to do. */
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_OK);
    g_assert_cmpuint(n, ==, 0);
}

/* mid as the only element: the block becomes all padding and still parses as empty. */
static void test_only_mid(void)
{
    PaHdrextMap m;
    pa_hdrext_map_init_jitsi_defaults(&m);
    static const guint8 mid_long[] = {'v', 'i', 'd', 'e', 'o', '-', '1', '2'};
    PaHdrextWrite el[] = {{10, sizeof mid_long, mid_long}};
    Pkt p;
    build(&p, FALSE, el, 1, 1000, 2, 7);
    guint8 before[1500];
    memcpy(before, p.pkt, p.len);
    unsigned n;
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_OK);
    g_assert_cmpuint(n, ==, 1);
    /* Header, CSRCs, payload and RTP padding identical; only the block's bytes are zero. */
    g_assert_cmpmem(p.pkt, p.h.ext_offset, before, p.h.ext_offset);
    for (guint32 i = 0; i < p.h.ext_len; i++)
        g_assert_cmpuint(p.pkt[p.h.ext_offset + i], ==, 0);
    g_assert_cmpmem(p.pkt + p.h.payload_offset, p.len - p.h.payload_offset,
                    before + p.h.payload_offset, p.len - p.h.payload_offset);
    PaHdrextIter it;
    PaHdrextElem e;
    g_assert_cmpint(pa_hdrext_iter_init(&it, p.pkt, &p.h), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_END);
    PaRtpHeader h2;
    g_assert_cmpint(pa_rtp_parse(p.pkt, p.len, &h2), ==, PA_RTP_OK);
    g_assert_cmpuint(h2.payload_len, ==, 1000);
    g_assert_cmpuint(h2.padding_len, ==, 7);
}

/* Two-byte form (e.g. extmap-allow-mixed): mid, rid, repaired-rid and a zero-length element. */
static void test_two_byte(void)
{
    PaHdrextMap m;
    pa_hdrext_map_init_jitsi_defaults(&m);
    g_assert_true(pa_hdrext_map_set(&m, PA_HDREXT_RID, 4));
    g_assert_true(pa_hdrext_map_set(&m, PA_HDREXT_REPAIRED_RID, 200));
    static const guint8 big[20] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10,
                                   11, 12, 13, 14, 15, 16, 17, 18, 19, 20};
    PaHdrextWrite el[] = {{4, 2, rid},   {1, 1, level},         {200, 2, rid}, {77, 0, NULL},
                          {10, 1, mid0}, {11, sizeof big, big}, {5, 2, tcc}};
    Pkt p;
    build(&p, TRUE, el, G_N_ELEMENTS(el), 500, 0, 0);
    guint8 before[1500];
    memcpy(before, p.pkt, p.len);
    gsize starts[3], sizes[3];
    g_assert_true(element_span(&p, 4, &starts[0], &sizes[0]));
    g_assert_true(element_span(&p, 200, &starts[1], &sizes[1]));
    g_assert_true(element_span(&p, 10, &starts[2], &sizes[2]));
    unsigned n;
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_OK);
    g_assert_cmpuint(n, ==, 3);
    assert_only_zeroed(before, &p, starts, sizes, 3);
    assert_absent(&p, 4);
    assert_absent(&p, 200);
    assert_absent(&p, 10);
    assert_elem(&p, 1, level, 1);
    assert_elem(&p, 11, big, sizeof big);
    assert_elem(&p, 5, tcc, 2);
    PaHdrextElem e;
    g_assert_cmpint(pa_hdrext_find(p.pkt, &p.h, 77, &e), ==, PA_HDREXT_OK);
    g_assert_cmpuint(e.len, ==, 0);
}

/* The endpoint negotiated its own ids: only what its map calls mid goes, wherever it sits;
 * id 10 means something else here and stays. Duplicates all go. */
static void test_negotiated_ids_and_duplicates(void)
{
    PaHdrextMap m;
    pa_hdrext_map_init(&m);
    g_assert_true(pa_hdrext_map_set(&m, PA_HDREXT_MID, 9));
    g_assert_true(pa_hdrext_map_set(&m, PA_HDREXT_AUDIO_LEVEL, 10));
    PaHdrextWrite el[] = {{9, 1, mid0}, {10, 1, level}, {9, 2, rid}, {14, 3, ast}};
    Pkt p;
    build(&p, FALSE, el, G_N_ELEMENTS(el), 20, 0, 0);
    unsigned n;
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_OK);
    g_assert_cmpuint(n, ==, 2);
    assert_absent(&p, 9);
    assert_elem(&p, 10, level, 1);
    assert_elem(&p, 14, ast, 3); /* not negotiated: not ours to judge, left alone */

    /* Nothing negotiated: nothing removed, not even unmapped ids. */
    PaHdrextMap none;
    pa_hdrext_map_init(&none);
    build(&p, FALSE, el, G_N_ELEMENTS(el), 20, 0, 0);
    guint8 before[1500];
    memcpy(before, p.pkt, p.len);
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &none, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_OK);
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpmem(p.pkt, p.len, before, p.len);
}

/* Padding already in the block is kept; id 15 ends the block and what follows is not
 * touched (no receiver reads it either). */
static void test_padding_and_terminator(void)
{
    PaHdrextMap m;
    pa_hdrext_map_init_jitsi_defaults(&m);
    /* Hand-made one-byte block: pad, level, pad, pad, mid, id 15, a "mid" after it. */
    guint8 block[12] = {0x00, 0x10, 0x9e, 0x00, 0x00, 0xA0, '0', 0xF0, 0xA0, '1', 0x00, 0x00};
    guint8 payload[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    PaRtpBuild b = {.payload_type = 111,
                    .seq = 1,
                    .ssrc = 7,
                    .extension = TRUE,
                    .ext_profile = PA_HDREXT_PROFILE_ONE_BYTE,
                    .ext = block,
                    .ext_len = sizeof block,
                    .payload = payload,
                    .payload_len = sizeof payload};
    Pkt p;
    p.len = pa_rtp_build(p.pkt, sizeof p.pkt, &b);
    g_assert_cmpint(pa_rtp_parse(p.pkt, p.len, &p.h), ==, PA_RTP_OK);
    unsigned n;
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_OK);
    g_assert_cmpuint(n, ==, 1);
    guint8 want[12] = {0x00, 0x10, 0x9e, 0x00, 0x00, 0x00, 0x00, 0xF0, 0xA0, '1', 0x00, 0x00};
    g_assert_cmpmem(p.pkt + p.h.ext_offset, sizeof want, want, sizeof want);
    g_assert_cmpmem(p.pkt + p.h.payload_offset, p.h.payload_len, payload, sizeof payload);
}

/* Nothing to do, a foreign profile, and a malformed block. */
static void test_errors(void)
{
    PaHdrextMap m;
    pa_hdrext_map_init_jitsi_defaults(&m);
    Pkt p;
    unsigned n = 5;
    build(&p, FALSE, NULL, 0, 100, 0, 0);
    guint8 before[1500];
    memcpy(before, p.pkt, p.len);
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_OK);
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpmem(p.pkt, p.len, before, p.len);

    /* Profile 0x1234: RFC 3550 profile-specific data, not RFC 8285 elements: untouched. */
    guint8 block[4] = {0xA0, '0', 0, 0};
    PaRtpBuild b = {
        .payload_type = 96, .extension = TRUE, .ext_profile = 0x1234, .ext = block, .ext_len = 4};
    p.len = pa_rtp_build(p.pkt, sizeof p.pkt, &b);
    g_assert_cmpint(pa_rtp_parse(p.pkt, p.len, &p.h), ==, PA_RTP_OK);
    memcpy(before, p.pkt, p.len);
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_ERR_PROFILE);
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpmem(p.pkt, p.len, before, p.len);

    /* One-byte: mid, then an element claiming 16 bytes in a 4-byte block. */
    guint8 bad1[4] = {0xA0, '0', 0x5F, 0x00};
    b.ext_profile = PA_HDREXT_PROFILE_ONE_BYTE;
    b.ext = bad1;
    p.len = pa_rtp_build(p.pkt, sizeof p.pkt, &b);
    g_assert_cmpint(pa_rtp_parse(p.pkt, p.len, &p.h), ==, PA_RTP_OK);
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_ERR_MALFORMED);
    g_assert_cmpuint(n, ==, 1);
    g_assert_cmpuint(p.pkt[p.h.ext_offset], ==, 0);
    g_assert_cmpuint(p.pkt[p.h.ext_offset + 2], ==, 0x5F); /* the faulty element: untouched */

    /* Two-byte: an id with no length byte left, and a length past the end. */
    guint8 bad2[4] = {0, 0, 0, 10};
    b.ext_profile = PA_HDREXT_PROFILE_TWO_BYTE;
    b.ext = bad2;
    p.len = pa_rtp_build(p.pkt, sizeof p.pkt, &b);
    g_assert_cmpint(pa_rtp_parse(p.pkt, p.len, &p.h), ==, PA_RTP_OK);
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, NULL), ==,
                    PA_HDREXT_ERR_MALFORMED);
    guint8 bad3[4] = {10, 3, '0', '1'};
    b.ext = bad3;
    p.len = pa_rtp_build(p.pkt, sizeof p.pkt, &b);
    g_assert_cmpint(pa_rtp_parse(p.pkt, p.len, &p.h), ==, PA_RTP_OK);
    memcpy(before, p.pkt, p.len);
    g_assert_cmpint(pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n), ==,
                    PA_HDREXT_ERR_MALFORMED);
    g_assert_cmpuint(n, ==, 0);
    g_assert_cmpmem(p.pkt, p.len, before, p.len);
}

/* Every one-byte block of up to 8 bytes: the result equals a reference built element by
 * element (parse with the iterator, zero the matching spans), and never touches bytes outside
 * the block. Catches off-by-one errors at the block's edge. */
static void test_exhaustive_small_blocks(void)
{
    PaHdrextMap m;
    pa_hdrext_map_init_jitsi_defaults(&m);
    GRand *r = g_rand_new_with_seed(7);
    for (guint iter = 0; iter < 20000; iter++) {
        guint8 block[8];
        gsize blen = 4 * (1 + g_rand_int_range(r, 0, 2));
        for (gsize i = 0; i < blen; i++) {
            /* Bias toward ids 10 (mid), 1, 0 and 15 so every path is hit. */
            static const guint8 ids[] = {0, 1, 10, 10, 15, 5, 3};
            guint8 id = ids[g_rand_int_range(r, 0, G_N_ELEMENTS(ids))];
            block[i] = (guint8)(id << 4 | g_rand_int_range(r, 0, 4));
        }
        gboolean two_byte = g_rand_boolean(r);
        guint8 payload[4] = {9, 8, 7, 6};
        PaRtpBuild b = {.payload_type = 111,
                        .extension = TRUE,
                        .ext_profile =
                            two_byte ? PA_HDREXT_PROFILE_TWO_BYTE : PA_HDREXT_PROFILE_ONE_BYTE,
                        .ext = block,
                        .ext_len = blen,
                        .payload = payload,
                        .payload_len = 4};
        if (two_byte)
            for (gsize i = 0; i < blen; i++)
                block[i] >>= 4; /* small ids and lengths */
        Pkt p;
        p.len = pa_rtp_build(p.pkt, sizeof p.pkt, &b);
        g_assert_cmpint(pa_rtp_parse(p.pkt, p.len, &p.h), ==, PA_RTP_OK);
        guint8 want[64];
        memcpy(want, p.pkt, p.len);
        PaHdrextIter it;
        PaHdrextElem e;
        pa_hdrext_iter_init(&it, want, &p.h);
        PaHdrextStatus ref;
        unsigned ref_n = 0;
        while ((ref = pa_hdrext_iter_next(&it, &e)) == PA_HDREXT_OK) {
            if (pa_hdrext_map_kind(&m, e.id) == PA_HDREXT_MID) {
                gsize hdr = two_byte ? 2 : 1;
                memset(want + e.offset - hdr, 0, hdr + e.len);
                ref_n++;
            }
        }
        unsigned n;
        PaHdrextStatus st = pa_hdrext_strip(p.pkt, &p.h, &m, PA_HDREXT_SENDER_LOCAL_KINDS, &n);
        g_assert_cmpint(st, ==, ref == PA_HDREXT_END ? PA_HDREXT_OK : ref);
        g_assert_cmpuint(n, ==, ref_n);
        g_assert_cmpmem(p.pkt, p.len, want, p.len);
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hdrext-strip/one-byte-mid", test_one_byte_mid);
    g_test_add_func("/hdrext-strip/only-mid", test_only_mid);
    g_test_add_func("/hdrext-strip/two-byte", test_two_byte);
    g_test_add_func("/hdrext-strip/negotiated-ids-and-duplicates",
                    test_negotiated_ids_and_duplicates);
    g_test_add_func("/hdrext-strip/padding-and-terminator", test_padding_and_terminator);
    g_test_add_func("/hdrext-strip/errors", test_errors);
    g_test_add_func("/hdrext-strip/exhaustive-small-blocks", test_exhaustive_small_blocks);
    return g_test_run();
}
