/* SPDX-License-Identifier: MIT */
/* RTP fixed header: parsing real-looking packets, every truncation, malformed variants,
 * in-place writers and the builder. */
#include <glib.h>
#include <string.h>

#include "common/rtp/rtp.h"
#include "packets.h"

/* Parses a heap copy of exactly @len bytes so that ASan sees any read past the end. */
static PaRtpStatus parse_copy(const uint8_t *pkt, size_t len, PaRtpHeader *h)
{
    uint8_t *copy = len ? g_memdup2(pkt, len) : NULL;
    PaRtpStatus st = pa_rtp_parse(copy, len, h);
    g_free(copy);
    return st;
}

static void test_chrome_audio(void)
{
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(chrome_audio, sizeof chrome_audio, &h), ==, PA_RTP_OK);
    g_assert_cmpuint(h.version, ==, 2);
    g_assert_false(h.padding);
    g_assert_true(h.extension);
    g_assert_cmpuint(h.csrc_count, ==, 0);
    g_assert_false(h.marker);
    g_assert_cmpuint(h.payload_type, ==, 111);
    g_assert_cmpuint(h.seq, ==, 6699);
    g_assert_cmpuint(h.timestamp, ==, 123456);
    g_assert_cmpuint(h.ssrc, ==, 0x8a4f1c3e);
    g_assert_cmpuint(h.header_len, ==, CHROME_AUDIO_HEADER_LEN);
    g_assert_cmpuint(h.payload_offset, ==, CHROME_AUDIO_HEADER_LEN);
    g_assert_cmpuint(h.payload_len, ==, 8);
    g_assert_cmpuint(h.padding_len, ==, 0);
    g_assert_cmphex(h.ext_profile, ==, 0xbede);
    g_assert_cmpuint(h.ext_offset, ==, 16);
    g_assert_cmpuint(h.ext_len, ==, 8);
    g_assert_cmphex(chrome_audio[h.payload_offset], ==, 0x78);
}

static void test_chrome_video(void)
{
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(chrome_video, sizeof chrome_video, &h), ==, PA_RTP_OK);
    g_assert_true(h.marker);
    g_assert_cmpuint(h.payload_type, ==, 100);
    g_assert_cmpuint(h.seq, ==, 12345);
    g_assert_cmpuint(h.ssrc, ==, 0x2c8d4311);
    g_assert_cmpuint(h.header_len, ==, CHROME_VIDEO_HEADER_LEN);
    g_assert_cmpuint(h.payload_len, ==, sizeof chrome_video - CHROME_VIDEO_HEADER_LEN);
    g_assert_cmpuint(h.ext_len, ==, 12);
}

static void test_padding_probe(void)
{
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(chrome_probe, sizeof chrome_probe, &h), ==, PA_RTP_OK);
    g_assert_true(h.padding);
    g_assert_cmpuint(h.payload_type, ==, 96);
    g_assert_cmpuint(h.padding_len, ==, 32);
    g_assert_cmpuint(h.header_len, ==, CHROME_PROBE_HEADER_LEN);
    g_assert_cmpuint(h.payload_len, ==, 0);
}

static void test_csrcs_two_byte(void)
{
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(two_byte_csrc, sizeof two_byte_csrc, &h), ==, PA_RTP_OK);
    g_assert_cmpuint(h.csrc_count, ==, 2);
    g_assert_cmphex(pa_rtp_get_csrc(two_byte_csrc, 0), ==, 0x11111111);
    g_assert_cmphex(pa_rtp_get_csrc(two_byte_csrc, 1), ==, 0x22222222);
    g_assert_cmphex(h.ext_profile, ==, 0x1000);
    g_assert_cmpuint(h.ext_offset, ==, 24);
    g_assert_cmpuint(h.ext_len, ==, 28);
    g_assert_cmpuint(h.header_len, ==, TWO_BYTE_CSRC_HEADER_LEN);
    g_assert_cmpuint(h.payload_len, ==, 4);
    g_assert_cmpuint(h.seq, ==, 65535);
}

/* The status a prefix of @len bytes of a well-formed @full packet must get, from the packet's
 * known layout (not from the parser). */
static PaRtpStatus expected_for_prefix(const uint8_t *full, size_t full_len, size_t len,
                                       uint32_t *hdr_len)
{
    size_t cc = full[0] & 0x0f;
    size_t off = 12 + 4 * cc;
    if (len < 12 || len < off)
        return PA_RTP_ERR_TRUNCATED;
    if (full[0] & 0x10) {
        if (len < off + 4)
            return PA_RTP_ERR_TRUNCATED;
        size_t ext = 4u * (size_t)(full[off + 2] << 8 | full[off + 3]);
        if (len < off + 4 + ext)
            return PA_RTP_ERR_EXT_LENGTH;
        off += 4 + ext;
    }
    *hdr_len = (uint32_t)off;
    if (full[0] & 0x20) {
        /* In a prefix the last byte is wherever the cut fell. */
        uint8_t pad = full[len - 1];
        if (pad == 0 || pad > len - off)
            return PA_RTP_ERR_PADDING;
    }
    (void)full_len;
    return PA_RTP_OK;
}

static void check_every_prefix(const uint8_t *pkt, size_t len)
{
    for (size_t n = 0; n <= len; n++) {
        PaRtpHeader h;
        uint32_t hdr_len = 0;
        PaRtpStatus want = expected_for_prefix(pkt, len, n, &hdr_len);
        PaRtpStatus got = parse_copy(pkt, n, &h);
        if (got != want)
            g_error("prefix %zu of %zu: got %s, want %s", n, len, pa_rtp_status_name(got),
                    pa_rtp_status_name(want));
        if (got == PA_RTP_OK) {
            g_assert_cmpuint(h.header_len, ==, hdr_len);
            g_assert_cmpuint(h.header_len + h.payload_len + h.padding_len, ==, n);
        }
    }
}

static void test_every_truncation(void)
{
    check_every_prefix(chrome_audio, sizeof chrome_audio);
    check_every_prefix(chrome_video, sizeof chrome_video);
    check_every_prefix(chrome_probe, sizeof chrome_probe);
    check_every_prefix(two_byte_csrc, sizeof two_byte_csrc);

    /* Spot checks of what the oracle says, so the oracle itself is pinned down. */
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(NULL, 0, &h), ==, PA_RTP_ERR_TRUNCATED);
    g_assert_cmpint(parse_copy(chrome_audio, 11, &h), ==, PA_RTP_ERR_TRUNCATED);
    g_assert_cmpint(parse_copy(chrome_audio, 12, &h), ==, PA_RTP_ERR_TRUNCATED);
    g_assert_cmpint(parse_copy(chrome_audio, 15, &h), ==, PA_RTP_ERR_TRUNCATED);
    g_assert_cmpint(parse_copy(chrome_audio, 16, &h), ==, PA_RTP_ERR_EXT_LENGTH);
    g_assert_cmpint(parse_copy(chrome_audio, 23, &h), ==, PA_RTP_ERR_EXT_LENGTH);
    g_assert_cmpint(parse_copy(chrome_audio, 24, &h), ==, PA_RTP_OK);
    g_assert_cmpuint(h.payload_len, ==, 0);
    g_assert_cmpint(parse_copy(two_byte_csrc, 19, &h), ==, PA_RTP_ERR_TRUNCATED);
    g_assert_cmpint(parse_copy(two_byte_csrc, 20, &h), ==, PA_RTP_ERR_TRUNCATED);
    /* The probe cut right after its header: P is set and the last byte is extension padding
     * (0), so the padding count is invalid. */
    g_assert_cmpint(parse_copy(chrome_probe, 24, &h), ==, PA_RTP_ERR_PADDING);
}

static void test_malformed(void)
{
    PaRtpHeader h;
    uint8_t p[sizeof chrome_audio];

    for (unsigned v = 0; v < 4; v++) {
        memcpy(p, chrome_audio, sizeof p);
        p[0] = (uint8_t)((p[0] & 0x3f) | v << 6);
        g_assert_cmpint(pa_rtp_parse(p, sizeof p, &h), ==, v == 2 ? PA_RTP_OK : PA_RTP_ERR_VERSION);
    }

    /* CC = 15 needs 72 bytes before the extension. */
    memcpy(p, chrome_audio, sizeof p);
    p[0] |= 0x0f;
    g_assert_cmpint(parse_copy(p, sizeof p, &h), ==, PA_RTP_ERR_TRUNCATED);

    /* Extension length one word too long, and the maximum. */
    memcpy(p, chrome_audio, sizeof p);
    p[15] = 9; /* 36 bytes > 16 available */
    g_assert_cmpint(parse_copy(p, sizeof p, &h), ==, PA_RTP_ERR_EXT_LENGTH);
    p[15] = 4; /* exactly the rest of the packet: fine, empty payload */
    g_assert_cmpint(parse_copy(p, sizeof p, &h), ==, PA_RTP_OK);
    g_assert_cmpuint(h.payload_len, ==, 0);
    p[15] = 5;
    g_assert_cmpint(parse_copy(p, sizeof p, &h), ==, PA_RTP_ERR_EXT_LENGTH);
    p[14] = 0xff;
    p[15] = 0xff;
    g_assert_cmpint(parse_copy(p, sizeof p, &h), ==, PA_RTP_ERR_EXT_LENGTH);

    /* Padding: count 0, count larger than the payload, count equal to the payload. */
    memcpy(p, chrome_audio, sizeof p);
    p[0] |= 0x20;
    p[sizeof p - 1] = 0;
    g_assert_cmpint(parse_copy(p, sizeof p, &h), ==, PA_RTP_ERR_PADDING);
    p[sizeof p - 1] = 9;
    g_assert_cmpint(parse_copy(p, sizeof p, &h), ==, PA_RTP_ERR_PADDING);
    p[sizeof p - 1] = 8;
    g_assert_cmpint(parse_copy(p, sizeof p, &h), ==, PA_RTP_OK);
    g_assert_cmpuint(h.payload_len, ==, 0);
    g_assert_cmpuint(h.padding_len, ==, 8);
    p[sizeof p - 1] = 1;
    g_assert_cmpint(parse_copy(p, sizeof p, &h), ==, PA_RTP_OK);
    g_assert_cmpuint(h.payload_len, ==, 7);

    /* A bare 12-byte header with P set: the count byte is the SSRC's last byte. */
    uint8_t bare[12] = {0xa0, 0x60, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1};
    g_assert_cmpint(parse_copy(bare, sizeof bare, &h), ==, PA_RTP_ERR_PADDING);
    bare[0] = 0x80;
    g_assert_cmpint(parse_copy(bare, sizeof bare, &h), ==, PA_RTP_OK);
    g_assert_cmpuint(h.payload_len, ==, 0);

    /* Longer than any UDP payload. */
    uint8_t *big = g_malloc0(PA_RTP_MAX_PACKET_LEN + 1);
    memcpy(big, chrome_audio, sizeof chrome_audio);
    g_assert_cmpint(pa_rtp_parse(big, PA_RTP_MAX_PACKET_LEN + 1, &h), ==, PA_RTP_ERR_TOO_LONG);
    g_assert_cmpint(pa_rtp_parse(big, PA_RTP_MAX_PACKET_LEN, &h), ==, PA_RTP_OK);
    g_assert_cmpuint(h.payload_len, ==, PA_RTP_MAX_PACKET_LEN - CHROME_AUDIO_HEADER_LEN);
    g_free(big);

    for (int s = 0; s <= PA_RTP_STATUS_COUNT; s++)
        g_assert_nonnull(pa_rtp_status_name((PaRtpStatus)s));
    g_assert_cmpstr(pa_rtp_status_name(PA_RTP_ERR_PADDING), ==, "bad_padding");
}

static void test_writers(void)
{
    uint8_t p[sizeof chrome_video];
    memcpy(p, chrome_video, sizeof p);

    pa_rtp_set_seq(p, 0xfffe);
    pa_rtp_set_timestamp(p, 0xdeadbeef);
    pa_rtp_set_ssrc(p, 0x01020304);
    pa_rtp_set_payload_type(p, 0xff); /* masked to 127, marker kept */
    g_assert_cmpuint(pa_rtp_get_seq(p), ==, 0xfffe);
    g_assert_cmphex(pa_rtp_get_timestamp(p), ==, 0xdeadbeef);
    g_assert_cmphex(pa_rtp_get_ssrc(p), ==, 0x01020304);
    g_assert_cmpuint(pa_rtp_get_payload_type(p), ==, 127);
    g_assert_true(pa_rtp_get_marker(p));
    pa_rtp_set_marker(p, false);
    g_assert_false(pa_rtp_get_marker(p));
    g_assert_cmpuint(pa_rtp_get_payload_type(p), ==, 127);
    pa_rtp_set_payload_type(p, 100);
    pa_rtp_set_marker(p, true);

    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(p, sizeof p, &h), ==, PA_RTP_OK);
    g_assert_cmpuint(h.seq, ==, 0xfffe);
    g_assert_cmphex(h.timestamp, ==, 0xdeadbeef);
    g_assert_cmphex(h.ssrc, ==, 0x01020304);
    g_assert_cmpuint(h.payload_type, ==, 100);
    g_assert_true(h.marker);
    /* Nothing past the SSRC changed. */
    g_assert_cmpmem(p + 12, sizeof p - 12, chrome_video + 12, sizeof p - 12);
    g_assert_cmpmem(p, 1, chrome_video, 1);
}

static void test_build(void)
{
    static const uint8_t ext[8] = {0x10, 0xa3, 0x51, 0x00, 0x2a, 0xa0, 0x30, 0x00};
    static const uint8_t opus[8] = {0x78, 0x0b, 0xe4, 0xc1, 0x36, 0xec, 0xc5, 0x80};
    PaRtpBuild b = {
        .payload_type = 111,
        .seq = 6699,
        .timestamp = 123456,
        .ssrc = 0x8a4f1c3e,
        .extension = true,
        .ext_profile = 0xbede,
        .ext = ext,
        .ext_len = sizeof ext,
        .payload = opus,
        .payload_len = sizeof opus,
    };
    uint8_t buf[128];
    g_assert_cmpuint(pa_rtp_build(buf, sizeof buf, &b), ==, sizeof chrome_audio);
    g_assert_cmpmem(buf, sizeof chrome_audio, chrome_audio, sizeof chrome_audio);
    /* Exactly enough room, then one byte short. */
    g_assert_cmpuint(pa_rtp_build(buf, sizeof chrome_audio, &b), ==, sizeof chrome_audio);
    g_assert_cmpuint(pa_rtp_build(buf, sizeof chrome_audio - 1, &b), ==, 0);

    /* CSRCs and padding. */
    static const uint32_t csrcs[2] = {0x11111111, 0x22222222};
    PaRtpBuild c = {.payload_type = 96,
                    .seq = 7,
                    .ssrc = 9,
                    .csrcs = csrcs,
                    .csrc_count = 2,
                    .padding_len = 32,
                    .marker = true};
    size_t n = pa_rtp_build(buf, sizeof buf, &c);
    g_assert_cmpuint(n, ==, 12 + 8 + 32);
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(buf, n, &h), ==, PA_RTP_OK);
    g_assert_cmpuint(h.csrc_count, ==, 2);
    g_assert_cmphex(pa_rtp_get_csrc(buf, 1), ==, 0x22222222);
    g_assert_cmpuint(h.padding_len, ==, 32);
    g_assert_cmpuint(h.payload_len, ==, 0);
    g_assert_true(h.marker);

    /* An extension header with no data. */
    PaRtpBuild e = {.payload_type = 0, .extension = true, .ext_profile = 0xbede};
    n = pa_rtp_build(buf, sizeof buf, &e);
    g_assert_cmpuint(n, ==, 16);
    g_assert_cmpint(pa_rtp_parse(buf, n, &h), ==, PA_RTP_OK);
    g_assert_true(h.extension);
    g_assert_cmpuint(h.ext_len, ==, 0);

    /* Out-of-range fields. */
    PaRtpBuild bad = b;
    bad.payload_type = 128;
    g_assert_cmpuint(pa_rtp_build(buf, sizeof buf, &bad), ==, 0);
    bad = b;
    bad.ext_len = 7;
    g_assert_cmpuint(pa_rtp_build(buf, sizeof buf, &bad), ==, 0);
    bad = b;
    bad.extension = false;
    g_assert_cmpuint(pa_rtp_build(buf, sizeof buf, &bad), ==, 0);
    bad = b;
    bad.csrc_count = 16;
    g_assert_cmpuint(pa_rtp_build(buf, sizeof buf, &bad), ==, 0);
}

static void test_seq_arith(void)
{
    g_assert_cmpint(pa_rtp_seq_diff(1, 65535), ==, 2);
    g_assert_cmpint(pa_rtp_seq_diff(65535, 1), ==, -2);
    g_assert_cmpint(pa_rtp_seq_diff(100, 100), ==, 0);
    g_assert_cmpint(pa_rtp_seq_diff(0x8000, 0), ==, -32768);
    g_assert_cmpint(pa_rtp_seq_diff(0x7fff, 0), ==, 32767);
    g_assert_true(pa_rtp_seq_newer(0, 65535));
    g_assert_false(pa_rtp_seq_newer(65535, 0));
    g_assert_false(pa_rtp_seq_newer(5, 5));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp/chrome-audio", test_chrome_audio);
    g_test_add_func("/rtp/chrome-video", test_chrome_video);
    g_test_add_func("/rtp/padding-probe", test_padding_probe);
    g_test_add_func("/rtp/csrcs-two-byte", test_csrcs_two_byte);
    g_test_add_func("/rtp/every-truncation", test_every_truncation);
    g_test_add_func("/rtp/malformed", test_malformed);
    g_test_add_func("/rtp/writers", test_writers);
    g_test_add_func("/rtp/build", test_build);
    g_test_add_func("/rtp/seq-arith", test_seq_arith);
    return g_test_run();
}
