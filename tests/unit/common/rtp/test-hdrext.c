/* SPDX-License-Identifier: MIT */
/* RFC 8285 header extensions: iteration in both forms, lookup, the negotiated id map, typed
 * readers, in-place TCC rewriting, malformed blocks, and the block writer. */
#include <glib.h>
#include <string.h>

#include "common/rtp/hdrext.h"
#include "packets.h"

static void parse_ok(const uint8_t *pkt, size_t len, PaRtpHeader *h)
{
    g_assert_cmpint(pa_rtp_parse(pkt, len, h), ==, PA_RTP_OK);
}

static void test_iterate_one_byte(void)
{
    PaRtpHeader h;
    parse_ok(chrome_audio, sizeof chrome_audio, &h);
    PaHdrextIter it;
    PaHdrextElem e;
    g_assert_cmpint(pa_hdrext_iter_init(&it, chrome_audio, &h), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK);
    g_assert_cmpuint(e.id, ==, 1);
    g_assert_cmpuint(e.len, ==, 1);
    g_assert_cmpuint(e.offset, ==, 17);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK);
    g_assert_cmpuint(e.id, ==, 5);
    g_assert_cmpuint(e.len, ==, 2);
    g_assert_cmpuint(e.offset, ==, 19);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK);
    g_assert_cmpuint(e.id, ==, 10);
    g_assert_cmpuint(e.len, ==, 1);
    g_assert_cmpuint(e.offset, ==, 22);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_END);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_END);
}

static void test_typed_readers(void)
{
    PaRtpHeader h;
    PaHdrextElem e;
    bool voice = false;
    uint8_t level = 0;
    uint16_t seq = 0;
    uint32_t ast = 0;
    const char *mid = NULL;
    size_t mid_len = 0;

    parse_ok(chrome_audio, sizeof chrome_audio, &h);
    g_assert_cmpint(pa_hdrext_find(chrome_audio, &h, 1, &e), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_read_audio_level(chrome_audio, &e, &voice, &level), ==, PA_HDREXT_OK);
    g_assert_true(voice);
    g_assert_cmpuint(level, ==, 35);
    g_assert_cmpint(pa_hdrext_find(chrome_audio, &h, 5, &e), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_read_tcc_seq(chrome_audio, &e, &seq), ==, PA_HDREXT_OK);
    g_assert_cmpuint(seq, ==, 42);
    g_assert_cmpint(pa_hdrext_find(chrome_audio, &h, 10, &e), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_read_mid(chrome_audio, &e, &mid, &mid_len), ==, PA_HDREXT_OK);
    g_assert_cmpuint(mid_len, ==, 1);
    g_assert_cmpmem(mid, mid_len, "0", 1);
    /* The mid element is one byte: it is too short for a TCC sequence or abs-send-time. */
    g_assert_cmpint(pa_hdrext_read_tcc_seq(chrome_audio, &e, &seq), ==, PA_HDREXT_ERR_LENGTH);
    g_assert_cmpint(pa_hdrext_read_abs_send_time(chrome_audio, &e, &ast), ==, PA_HDREXT_ERR_LENGTH);
    g_assert_cmpint(pa_hdrext_find(chrome_audio, &h, 3, &e), ==, PA_HDREXT_END);

    parse_ok(chrome_video, sizeof chrome_video, &h);
    g_assert_cmpint(pa_hdrext_find(chrome_video, &h, 3, &e), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_read_abs_send_time(chrome_video, &e, &ast), ==, PA_HDREXT_OK);
    g_assert_cmphex(ast, ==, 0x123456);
    g_assert_cmpint(pa_hdrext_find(chrome_video, &h, 10, &e), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_read_mid(chrome_video, &e, &mid, &mid_len), ==, PA_HDREXT_OK);
    g_assert_cmpmem(mid, mid_len, "1", 1);
}

static void test_collect_with_map(void)
{
    PaHdrextMap map;
    pa_hdrext_map_init_jitsi_defaults(&map);
    g_assert_cmpuint(pa_hdrext_map_id(&map, PA_HDREXT_AUDIO_LEVEL), ==, 1);
    g_assert_cmpuint(pa_hdrext_map_id(&map, PA_HDREXT_ABS_SEND_TIME), ==, 3);
    g_assert_cmpuint(pa_hdrext_map_id(&map, PA_HDREXT_TCC), ==, 5);
    g_assert_cmpuint(pa_hdrext_map_id(&map, PA_HDREXT_MID), ==, 10);
    g_assert_cmpuint(pa_hdrext_map_id(&map, PA_HDREXT_DEPENDENCY_DESC), ==, 11);
    g_assert_cmpint(pa_hdrext_map_kind(&map, 5), ==, PA_HDREXT_TCC);
    g_assert_cmpint(pa_hdrext_map_kind(&map, 2), ==, PA_HDREXT_KIND_NONE);

    PaRtpHeader h;
    PaHdrextFound f;
    parse_ok(chrome_video, sizeof chrome_video, &h);
    g_assert_cmpint(pa_hdrext_collect(chrome_video, &h, &map, &f), ==, PA_HDREXT_OK);
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_ABS_SEND_TIME));
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_TCC));
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_MID));
    g_assert_false(pa_hdrext_found_has(&f, PA_HDREXT_AUDIO_LEVEL));
    g_assert_false(pa_hdrext_found_has(&f, PA_HDREXT_KIND_NONE));
    uint16_t seq = 0;
    g_assert_cmpint(pa_hdrext_read_tcc_seq(chrome_video, &f.elem[PA_HDREXT_TCC], &seq), ==,
                    PA_HDREXT_OK);
    g_assert_cmpuint(seq, ==, 43);

    /* A receiver that negotiated TCC as id 3 and abs-send-time as id 5 (remapped) reads the
     * same bytes the other way round: the map, not the packet, says what an id means. */
    PaHdrextMap other;
    pa_hdrext_map_init(&other);
    g_assert_cmpint(
        pa_hdrext_map_set_uri(
            &other, "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01", 3),
        ==, PA_HDREXT_TCC);
    g_assert_cmpint(pa_hdrext_map_set_uri(
                        &other, "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time", 5),
                    ==, PA_HDREXT_ABS_SEND_TIME);
    g_assert_cmpint(pa_hdrext_collect(chrome_video, &h, &other, &f), ==, PA_HDREXT_OK);
    g_assert_cmpuint(f.elem[PA_HDREXT_TCC].len, ==, 3);
    g_assert_cmpuint(f.elem[PA_HDREXT_ABS_SEND_TIME].len, ==, 2);
    uint32_t ast = 0;
    g_assert_cmpint(
        pa_hdrext_read_abs_send_time(chrome_video, &f.elem[PA_HDREXT_ABS_SEND_TIME], &ast), ==,
        PA_HDREXT_ERR_LENGTH);
    g_assert_false(pa_hdrext_found_has(&f, PA_HDREXT_MID));

    /* No extension at all: OK and nothing found. */
    static const uint8_t plain[12] = {0x80, 0x6f, 0, 1, 0, 0, 0, 2, 0, 0, 0, 3};
    parse_ok(plain, sizeof plain, &h);
    f.present = 0xffff;
    g_assert_cmpint(pa_hdrext_collect(plain, &h, &map, &f), ==, PA_HDREXT_OK);
    g_assert_cmpuint(f.present, ==, 0);
    PaHdrextIter it;
    PaHdrextElem e;
    g_assert_cmpint(pa_hdrext_iter_init(&it, plain, &h), ==, PA_HDREXT_END);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_END);
}

static void test_map(void)
{
    PaHdrextMap m;
    pa_hdrext_map_init(&m);
    g_assert_cmpint(pa_hdrext_map_set_uri(&m, "urn:ietf:params:rtp-hdrext:ssrc-audio-level", 1), ==,
                    PA_HDREXT_AUDIO_LEVEL);
    g_assert_cmpint(pa_hdrext_map_set_uri(&m, "urn:ietf:params:rtp-hdrext:sdes:mid", 10), ==,
                    PA_HDREXT_MID);
    /* Unknown URIs and invalid ids leave the map alone. */
    g_assert_cmpint(pa_hdrext_map_set_uri(&m, "urn:example:unknown", 2), ==, PA_HDREXT_KIND_NONE);
    g_assert_cmpint(pa_hdrext_map_set_uri(&m, NULL, 2), ==, PA_HDREXT_KIND_NONE);
    g_assert_cmpint(pa_hdrext_map_set_uri(&m, "urn:ietf:params:rtp-hdrext:toffset", 0), ==,
                    PA_HDREXT_KIND_NONE);
    g_assert_cmpint(pa_hdrext_map_set_uri(&m, "urn:ietf:params:rtp-hdrext:toffset", 256), ==,
                    PA_HDREXT_KIND_NONE);
    g_assert_cmpint(pa_hdrext_map_kind(&m, 2), ==, PA_HDREXT_KIND_NONE);
    g_assert_false(pa_hdrext_map_set(&m, PA_HDREXT_KIND_NONE, 4));
    g_assert_false(pa_hdrext_map_set(&m, PA_HDREXT_KIND_COUNT, 4));

    /* Renegotiating: mid moves from 10 to 4; 10 no longer means anything. */
    g_assert_true(pa_hdrext_map_set(&m, PA_HDREXT_MID, 4));
    g_assert_cmpint(pa_hdrext_map_kind(&m, 10), ==, PA_HDREXT_KIND_NONE);
    g_assert_cmpint(pa_hdrext_map_kind(&m, 4), ==, PA_HDREXT_MID);
    /* An id taken over by another kind: audio level loses id 1. */
    g_assert_true(pa_hdrext_map_set(&m, PA_HDREXT_TCC, 1));
    g_assert_cmpuint(pa_hdrext_map_id(&m, PA_HDREXT_AUDIO_LEVEL), ==, 0);
    g_assert_cmpint(pa_hdrext_map_kind(&m, 1), ==, PA_HDREXT_TCC);
    /* Two-byte ids up to 255. */
    g_assert_true(pa_hdrext_map_set(&m, PA_HDREXT_RID, 255));
    g_assert_cmpint(pa_hdrext_map_kind(&m, 255), ==, PA_HDREXT_RID);

    for (int k = 1; k < PA_HDREXT_KIND_COUNT; k++) {
        const char *uri = pa_hdrext_kind_uri((PaHdrextKind)k);
        g_assert_nonnull(uri);
        g_assert_cmpint(pa_hdrext_kind_from_uri(uri), ==, k);
    }
    g_assert_null(pa_hdrext_kind_uri(PA_HDREXT_KIND_NONE));
    g_assert_null(pa_hdrext_kind_uri(PA_HDREXT_KIND_COUNT));
}

static void test_two_byte(void)
{
    PaRtpHeader h;
    parse_ok(two_byte_csrc, sizeof two_byte_csrc, &h);
    PaHdrextIter it;
    PaHdrextElem e;
    g_assert_cmpint(pa_hdrext_iter_init(&it, two_byte_csrc, &h), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK);
    g_assert_cmpuint(e.id, ==, 1);
    g_assert_cmpuint(e.len, ==, 1);
    bool voice = false;
    uint8_t level = 0;
    g_assert_cmpint(pa_hdrext_read_audio_level(two_byte_csrc, &e, &voice, &level), ==,
                    PA_HDREXT_OK);
    g_assert_false(voice);
    g_assert_cmpuint(level, ==, 5);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK);
    g_assert_cmpuint(e.id, ==, 20);
    g_assert_cmpuint(e.len, ==, 0);
    g_assert_cmpint(pa_hdrext_read_audio_level(two_byte_csrc, &e, &voice, &level), ==,
                    PA_HDREXT_ERR_LENGTH);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK);
    g_assert_cmpuint(e.id, ==, 10);
    g_assert_cmpuint(e.len, ==, 17);
    const char *mid = NULL;
    size_t mid_len = 0;
    g_assert_cmpint(pa_hdrext_read_mid(two_byte_csrc, &e, &mid, &mid_len), ==, PA_HDREXT_OK);
    g_assert_cmpmem(mid, mid_len, "abcdefghijklmnopq", 17);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_END);

    /* appbits in the low nibble of the profile are still the two-byte form. */
    uint8_t p[sizeof two_byte_csrc];
    memcpy(p, two_byte_csrc, sizeof p);
    p[21] = 0x0f;
    parse_ok(p, sizeof p, &h);
    g_assert_cmpint(pa_hdrext_find(p, &h, 10, &e), ==, PA_HDREXT_OK);
    /* Any other profile is not RFC 8285. */
    p[20] = 0x20;
    parse_ok(p, sizeof p, &h);
    g_assert_cmpint(pa_hdrext_iter_init(&it, p, &h), ==, PA_HDREXT_ERR_PROFILE);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_END);
    g_assert_cmpint(pa_hdrext_find(p, &h, 10, &e), ==, PA_HDREXT_ERR_PROFILE);
    PaHdrextMap map;
    PaHdrextFound f;
    pa_hdrext_map_init_jitsi_defaults(&map);
    g_assert_cmpint(pa_hdrext_collect(p, &h, &map, &f), ==, PA_HDREXT_ERR_PROFILE);
    g_assert_cmpuint(f.present, ==, 0);
}

static void test_malformed_blocks(void)
{
    PaRtpHeader h;
    PaHdrextIter it;
    PaHdrextElem e;
    uint8_t p[sizeof chrome_audio];

    /* mid element claims 16 bytes: runs past the 8-byte block. Earlier elements survive. */
    memcpy(p, chrome_audio, sizeof p);
    p[21] = 0xaf;
    parse_ok(p, sizeof p, &h);
    g_assert_cmpint(pa_hdrext_iter_init(&it, p, &h), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_ERR_MALFORMED);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_END);
    PaHdrextMap map;
    PaHdrextFound f;
    pa_hdrext_map_init_jitsi_defaults(&map);
    g_assert_cmpint(pa_hdrext_collect(p, &h, &map, &f), ==, PA_HDREXT_ERR_MALFORMED);
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_AUDIO_LEVEL));
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_TCC));
    g_assert_false(pa_hdrext_found_has(&f, PA_HDREXT_MID));
    g_assert_cmpint(pa_hdrext_find(p, &h, 10, &e), ==, PA_HDREXT_ERR_MALFORMED);

    /* Reserved id 15 ends the block: the mid after it is not seen, and that is not an error. */
    memcpy(p, chrome_audio, sizeof p);
    p[18] = 0xf1;
    parse_ok(p, sizeof p, &h);
    g_assert_cmpint(pa_hdrext_collect(p, &h, &map, &f), ==, PA_HDREXT_OK);
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_AUDIO_LEVEL));
    g_assert_false(pa_hdrext_found_has(&f, PA_HDREXT_TCC));
    g_assert_false(pa_hdrext_found_has(&f, PA_HDREXT_MID));

    /* Padding bytes (id 0) anywhere, whatever their length bits, are skipped one by one. */
    memcpy(p, chrome_audio, sizeof p);
    p[16] = 0x00;
    p[17] = 0x0f;
    parse_ok(p, sizeof p, &h);
    g_assert_cmpint(pa_hdrext_collect(p, &h, &map, &f), ==, PA_HDREXT_OK);
    g_assert_false(pa_hdrext_found_has(&f, PA_HDREXT_AUDIO_LEVEL));
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_TCC));
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_MID));

    /* Two-byte form: an element whose length makes the next "element" land inside the old
     * mid text, which then claims more bytes than the block holds. */
    uint8_t q[sizeof two_byte_csrc];
    memcpy(q, two_byte_csrc, sizeof q);
    q[30] = 18;   /* id 18 */
    q[31] = 0x0a; /* len 10: bytes 32..41, then 'k' 'l' is read as id 107 len 108 */
    parse_ok(q, sizeof q, &h);
    g_assert_cmpint(pa_hdrext_iter_init(&it, q, &h), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK); /* id 1 */
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK); /* id 20 */
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_OK);
    g_assert_cmpuint(e.id, ==, 18);
    g_assert_cmpuint(e.len, ==, 10);
    g_assert_cmpint(pa_hdrext_iter_next(&it, &e), ==, PA_HDREXT_ERR_MALFORMED);
    memcpy(q, two_byte_csrc, sizeof q);
    q[31] = 0xff; /* mid length 255 */
    parse_ok(q, sizeof q, &h);
    g_assert_cmpint(pa_hdrext_find(q, &h, 10, &e), ==, PA_HDREXT_ERR_MALFORMED);
    g_assert_cmpint(pa_hdrext_collect(q, &h, &map, &f), ==, PA_HDREXT_ERR_MALFORMED);
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_AUDIO_LEVEL));
    g_assert_false(pa_hdrext_found_has(&f, PA_HDREXT_MID));
    /* A lone id byte as the last byte of a two-byte block. */
    memcpy(q, two_byte_csrc, sizeof q);
    q[51] = 0x07;
    parse_ok(q, sizeof q, &h);
    g_assert_cmpint(pa_hdrext_find(q, &h, 99, &e), ==, PA_HDREXT_ERR_MALFORMED);
    g_assert_cmpint(pa_hdrext_collect(q, &h, &map, &f), ==, PA_HDREXT_ERR_MALFORMED);
    g_assert_true(pa_hdrext_found_has(&f, PA_HDREXT_MID));
}

static void test_rewrite_tcc(void)
{
    uint8_t p[sizeof chrome_video];
    memcpy(p, chrome_video, sizeof p);
    PaRtpHeader h;
    PaHdrextMap map;
    PaHdrextFound f;
    pa_hdrext_map_init_jitsi_defaults(&map);
    parse_ok(p, sizeof p, &h);
    g_assert_cmpint(pa_hdrext_collect(p, &h, &map, &f), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_write_tcc_seq(p, &f.elem[PA_HDREXT_TCC], 0xbeef), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_write_abs_send_time(p, &f.elem[PA_HDREXT_ABS_SEND_TIME], 0xabcdef12),
                    ==, PA_HDREXT_OK);

    /* Only those five bytes changed. */
    for (size_t i = 0; i < sizeof p; i++) {
        if (i >= 17 && i < 20)
            continue; /* abs-send-time */
        if (i >= 21 && i < 23)
            continue; /* tcc */
        g_assert_cmphex(p[i], ==, chrome_video[i]);
    }
    parse_ok(p, sizeof p, &h);
    uint16_t seq = 0;
    uint32_t ast = 0;
    g_assert_cmpint(pa_hdrext_collect(p, &h, &map, &f), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_read_tcc_seq(p, &f.elem[PA_HDREXT_TCC], &seq), ==, PA_HDREXT_OK);
    g_assert_cmphex(seq, ==, 0xbeef);
    g_assert_cmpint(pa_hdrext_read_abs_send_time(p, &f.elem[PA_HDREXT_ABS_SEND_TIME], &ast), ==,
                    PA_HDREXT_OK);
    g_assert_cmphex(ast, ==, 0xcdef12);

    /* Too short an element is refused, untouched. */
    PaHdrextElem mid = f.elem[PA_HDREXT_MID];
    g_assert_cmpint(pa_hdrext_write_tcc_seq(p, &mid, 1), ==, PA_HDREXT_ERR_LENGTH);
    g_assert_cmphex(p[mid.offset], ==, '1');
}

static void test_abs_send_time_conv(void)
{
    g_assert_cmpuint(pa_abs_send_time_from_us(0), ==, 0);
    g_assert_cmpuint(pa_abs_send_time_from_us(1500000), ==, 393216); /* 1.5 * 2^18 */
    g_assert_cmpuint(pa_abs_send_time_to_us(393216), ==, 1500000);
    g_assert_cmpuint(pa_abs_send_time_from_us(64000000), ==, 0); /* wraps at 64 s */
    g_assert_cmpuint(pa_abs_send_time_from_us(65500000), ==, 393216);
    g_assert_cmpuint(pa_abs_send_time_from_us(63999999), ==, 0);           /* rounds to 64 s */
    g_assert_cmpuint(pa_abs_send_time_from_us(G_MAXUINT64), <=, 0xffffff); /* no overflow */
    /* Resolution is 1/2^18 s (~3.8 us): a round trip is exact to within 4 us. */
    for (uint64_t us = 0; us < 64000000; us += 999983) {
        uint64_t back = pa_abs_send_time_to_us(pa_abs_send_time_from_us(us));
        g_assert_cmpuint(back + 4, >=, us);
        g_assert_cmpuint(back, <=, us + 4);
    }
}

static void test_write_block(void)
{
    static const uint8_t level[1] = {0xa3}, tcc[2] = {0x00, 0x2a}, mid[1] = {'0'};
    PaHdrextWrite els[3] = {{1, 1, level}, {5, 2, tcc}, {10, 1, mid}};
    uint8_t buf[64];
    uint16_t profile = 0;
    size_t n = pa_hdrext_write_block(buf, sizeof buf, false, els, 3, &profile);
    g_assert_cmpuint(n, ==, 8);
    g_assert_cmphex(profile, ==, 0xbede);
    g_assert_cmpmem(buf, 8, chrome_audio + 16, 8);
    g_assert_cmpuint(pa_hdrext_write_block(buf, 7, false, els, 3, &profile), ==, 0);

    /* Invalid for the one-byte form: id 15, length 17, length 0. */
    static const uint8_t long_mid[17] = "abcdefghijklmnopq";
    PaHdrextWrite bad15 = {15, 1, level}, bad17 = {10, 17, long_mid}, bad0 = {3, 0, NULL};
    g_assert_cmpuint(pa_hdrext_write_block(buf, sizeof buf, false, &bad15, 1, &profile), ==, 0);
    g_assert_cmpuint(pa_hdrext_write_block(buf, sizeof buf, false, &bad17, 1, &profile), ==, 0);
    g_assert_cmpuint(pa_hdrext_write_block(buf, sizeof buf, false, &bad0, 1, &profile), ==, 0);

    /* ...all fine in the two-byte form; build a packet and read it back. */
    PaHdrextWrite two[3] = {{1, 1, level}, {20, 0, NULL}, {10, 17, long_mid}};
    n = pa_hdrext_write_block(buf, sizeof buf, true, two, 3, &profile);
    g_assert_cmpuint(n, ==, 24);
    g_assert_cmphex(profile, ==, 0x1000);
    uint8_t pkt[128];
    PaRtpBuild b = {.payload_type = 111,
                    .ssrc = 1,
                    .extension = true,
                    .ext_profile = profile,
                    .ext = buf,
                    .ext_len = n};
    size_t len = pa_rtp_build(pkt, sizeof pkt, &b);
    g_assert_cmpuint(len, ==, 12 + 4 + 24);
    PaRtpHeader h;
    parse_ok(pkt, len, &h);
    PaHdrextElem e;
    g_assert_cmpint(pa_hdrext_find(pkt, &h, 20, &e), ==, PA_HDREXT_OK);
    g_assert_cmpuint(e.len, ==, 0);
    g_assert_cmpint(pa_hdrext_find(pkt, &h, 10, &e), ==, PA_HDREXT_OK);
    g_assert_cmpmem(pkt + e.offset, e.len, long_mid, 17);

    for (int s = 0; s <= PA_HDREXT_STATUS_COUNT; s++)
        g_assert_nonnull(pa_hdrext_status_name((PaHdrextStatus)s));
}

/* Every prefix of the extension block (with the extension length shrunk to match, in words)
 * iterates without reading outside the block. */
static void test_every_block_length(void)
{
    uint8_t p[sizeof two_byte_csrc];
    for (unsigned words = 0; words <= 7; words++) {
        memcpy(p, two_byte_csrc, sizeof p);
        p[23] = (uint8_t)words;
        size_t len = 24 + 4 * words; /* cut the packet right after the block */
        uint8_t *copy = g_memdup2(p, len);
        PaRtpHeader h;
        parse_ok(copy, len, &h);
        PaHdrextIter it;
        PaHdrextElem e;
        g_assert_cmpint(pa_hdrext_iter_init(&it, copy, &h), ==, PA_HDREXT_OK);
        PaHdrextStatus st;
        unsigned count = 0;
        while ((st = pa_hdrext_iter_next(&it, &e)) == PA_HDREXT_OK) {
            g_assert_cmpuint(e.offset + e.len, <=, len);
            count++;
        }
        /* 0 words: empty; 1: id 1, then a lone id byte; 2..6: the mid does not fit; 7: all. */
        static const PaHdrextStatus want[8] = {PA_HDREXT_END,           PA_HDREXT_ERR_MALFORMED,
                                               PA_HDREXT_ERR_MALFORMED, PA_HDREXT_ERR_MALFORMED,
                                               PA_HDREXT_ERR_MALFORMED, PA_HDREXT_ERR_MALFORMED,
                                               PA_HDREXT_ERR_MALFORMED, PA_HDREXT_END};
        static const unsigned want_count[8] = {0, 1, 2, 2, 2, 2, 2, 3};
        g_assert_cmpint(st, ==, want[words]);
        g_assert_cmpuint(count, ==, want_count[words]);
        g_free(copy);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/hdrext/iterate-one-byte", test_iterate_one_byte);
    g_test_add_func("/hdrext/typed-readers", test_typed_readers);
    g_test_add_func("/hdrext/collect-with-map", test_collect_with_map);
    g_test_add_func("/hdrext/map", test_map);
    g_test_add_func("/hdrext/two-byte", test_two_byte);
    g_test_add_func("/hdrext/malformed", test_malformed_blocks);
    g_test_add_func("/hdrext/rewrite-tcc", test_rewrite_tcc);
    g_test_add_func("/hdrext/abs-send-time", test_abs_send_time_conv);
    g_test_add_func("/hdrext/write-block", test_write_block);
    g_test_add_func("/hdrext/every-block-length", test_every_block_length);
    return g_test_run();
}
