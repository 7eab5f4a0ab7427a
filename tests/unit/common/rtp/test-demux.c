/* SPDX-License-Identifier: MIT */
/* RFC 7983 demultiplexing: the kind for every first byte, RTP vs RTCP for every second byte,
 * and the minimum lengths. The expected table is written from the RFC ranges here, not taken
 * from the implementation's table. */
#include <glib.h>
#include <string.h>

#include "common/rtp/demux.h"

static PaDemuxKind expected_first(unsigned b)
{
    if (b <= 3)
        return PA_DEMUX_STUN;
    if (b >= 16 && b <= 19)
        return PA_DEMUX_ZRTP;
    if (b >= 20 && b <= 63)
        return PA_DEMUX_DTLS;
    if (b >= 64 && b <= 79)
        return PA_DEMUX_TURN_CHANNEL;
    if (b >= 128 && b <= 191)
        return PA_DEMUX_RTP;
    return PA_DEMUX_UNKNOWN;
}

static void test_every_first_byte(void)
{
    uint8_t buf[64];
    memset(buf, 0, sizeof buf);
    for (unsigned b = 0; b < 256; b++) {
        buf[0] = (uint8_t)b;
        buf[1] = 111; /* an RTP payload type (Opus), not RTCP */
        PaDemuxKind want = expected_first(b);
        PaDemuxKind got = pa_demux_classify(buf, sizeof buf);
        if (got != want)
            g_error("first byte %u: got %s, want %s", b, pa_demux_kind_name(got),
                    pa_demux_kind_name(want));
    }
}

static void test_rtp_vs_rtcp(void)
{
    uint8_t buf[12] = {0x80};
    for (unsigned first = 128; first < 192; first++) {
        buf[0] = (uint8_t)first;
        for (unsigned b = 0; b < 256; b++) {
            buf[1] = (uint8_t)b;
            PaDemuxKind want = (b >= 192 && b <= 223) ? PA_DEMUX_RTCP : PA_DEMUX_RTP;
            g_assert_cmpint(pa_demux_classify(buf, sizeof buf), ==, want);
        }
    }
    /* The named RTCP types, and RTP with the marker bit on common payload types. */
    static const uint8_t rtcp_types[] = {200, 201, 202, 203, 204, 205, 206, 207};
    for (size_t i = 0; i < G_N_ELEMENTS(rtcp_types); i++) {
        buf[1] = rtcp_types[i];
        g_assert_cmpint(pa_demux_classify(buf, 8), ==, PA_DEMUX_RTCP);
    }
    static const uint8_t rtp_second[] = {0x80 | 96, 0x80 | 100, 0x80 | 111, 0x80 | 127,
                                         0x80,      0x80 | 63,  0x80 | 96};
    for (size_t i = 0; i < G_N_ELEMENTS(rtp_second); i++) {
        buf[1] = rtp_second[i];
        g_assert_cmpint(pa_demux_classify(buf, 12), ==, PA_DEMUX_RTP);
    }
}

static void test_min_lengths(void)
{
    struct {
        uint8_t b0, b1;
        PaDemuxKind kind;
        size_t min;
    } cases[] = {
        {0x00, 0x01, PA_DEMUX_STUN, 20},        {0x01, 0x01, PA_DEMUX_STUN, 20},
        {0x10, 0x00, PA_DEMUX_ZRTP, 28},        {0x16, 0xfe, PA_DEMUX_DTLS, 13},
        {0x17, 0xfe, PA_DEMUX_DTLS, 13},        {0x40, 0x00, PA_DEMUX_TURN_CHANNEL, 4},
        {0x4f, 0xff, PA_DEMUX_TURN_CHANNEL, 4}, {0x90, 0x6f, PA_DEMUX_RTP, 12},
        {0x80, 0xc8, PA_DEMUX_RTCP, 8},         {0x81, 0xcd, PA_DEMUX_RTCP, 8},
    };
    uint8_t buf[64] = {0};
    for (size_t i = 0; i < G_N_ELEMENTS(cases); i++) {
        buf[0] = cases[i].b0;
        buf[1] = cases[i].b1;
        for (size_t len = 1; len <= 40; len++) {
            /* A heap copy of exactly len bytes: classify must not look further. */
            uint8_t *copy = g_memdup2(buf, len);
            PaDemuxKind want = len >= cases[i].min ? cases[i].kind : PA_DEMUX_TOO_SHORT;
            g_assert_cmpint(pa_demux_classify(copy, len), ==, want);
            g_free(copy);
        }
    }
    g_assert_cmpint(pa_demux_classify(NULL, 0), ==, PA_DEMUX_TOO_SHORT);
    /* Unknown stays unknown at any length. */
    uint8_t u = 0x7f;
    g_assert_cmpint(pa_demux_classify(&u, 1), ==, PA_DEMUX_UNKNOWN);
    u = 0xff;
    g_assert_cmpint(pa_demux_classify(&u, 1), ==, PA_DEMUX_UNKNOWN);
    /* One byte of RTP/RTCP: not enough to tell, too short either way. */
    u = 0x80;
    g_assert_cmpint(pa_demux_classify(&u, 1), ==, PA_DEMUX_TOO_SHORT);
}

static void test_names(void)
{
    g_assert_cmpstr(pa_demux_kind_name(PA_DEMUX_RTCP), ==, "rtcp");
    g_assert_cmpstr(pa_demux_kind_name(PA_DEMUX_TURN_CHANNEL), ==, "turn_channel");
    g_assert_cmpstr(pa_demux_kind_name(PA_DEMUX_TOO_SHORT), ==, "too_short");
    g_assert_cmpstr(pa_demux_kind_name(PA_DEMUX_KIND_COUNT), ==, "unknown");
    for (int k = 0; k < PA_DEMUX_KIND_COUNT; k++)
        g_assert_nonnull(pa_demux_kind_name((PaDemuxKind)k));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/demux/every-first-byte", test_every_first_byte);
    g_test_add_func("/demux/rtp-vs-rtcp", test_rtp_vs_rtcp);
    g_test_add_func("/demux/min-lengths", test_min_lengths);
    g_test_add_func("/demux/names", test_names);
    return g_test_run();
}
