/* SPDX-License-Identifier: MIT */
/* Transport-cc feedback writer (draft-holmer-rmcat-transport-wide-cc-extensions-01 §3.1):
 * exact bytes worked out by hand from the draft for each chunk kind (run length, 1-bit and
 * 2-bit status vectors), small/large/negative deltas, padding, the 16-bit delta limit, the
 * size cap, sequence wrap, and a randomised write -> parse round trip. */
#include <glib.h>
#include <string.h>

#include "common/rtp/tcc.h"

/* Byte tables are laid out by field: keep clang-format away from them. */
/* clang-format off */
#define NR PA_TCC_NOT_RECEIVED
#define MEDIA 0x2c8d4311u

static PaRtcpPacket one_packet(const uint8_t *buf, size_t len)
{
    PaRtcpIter it;
    PaRtcpPacket p;
    g_assert_cmpint(pa_rtcp_iter_init(&it, buf, len), ==, PA_RTCP_OK);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    PaRtcpPacket extra;
    g_assert_cmpint(pa_rtcp_iter_next(&it, &extra), ==, PA_RTCP_END);
    return p;
}

static void expect_bytes(const int64_t *a, size_t n, uint16_t base, uint8_t fbc,
                         const uint8_t *want, size_t want_len, size_t want_consumed)
{
    uint8_t buf[1500];
    size_t consumed = 99;
    size_t len = pa_tcc_write(buf, sizeof buf, 1, MEDIA, base, fbc, a, n, &consumed);
    g_assert_cmpuint(consumed, ==, want_consumed);
    g_assert_cmpmem(buf, len, want, want_len);
}

/* Three received packets, all small deltas: one run-length chunk, 3 bytes of padding. */
static void test_run_length_small(void)
{
    /* ref = 1 (64 ms); 65 ms -> 4 ticks after ref, then +1 ms (4), +3 ms (12). */
    static const int64_t a[] = {65000, 66000, 69000};
    static const uint8_t want[] = {
        0xaf, 0xcd, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x8d, 0x43, 0x11,
        0x00, 0x2a, 0x00, 0x03, /* base 42, count 3 */
        0x00, 0x00, 0x01, 0x07, /* ref 1, fb count 7 */
        0x20, 0x03,             /* RL: small x 3 */
        0x04, 0x04, 0x0c, 0x00, 0x00, 0x03,
    };
    expect_bytes(a, 3, 42, 7, want, sizeof want, 3);
}

/* Received and lost mixed, no large delta: a 1-bit status vector of 14, no padding. */
static void test_vector_1bit(void)
{
    static const int64_t a[] = {0, NR, 1000, 2000, NR, NR, 3000, 4000, 5000, 6000, NR, 7000,
                                8000, 9000};
    static const uint8_t want[] = {
        0x8f, 0xcd, 0x00, 0x07, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x8d, 0x43, 0x11,
        0x00, 0x01, 0x00, 0x0e, 0x00, 0x00, 0x00, 0x00,
        0xac, 0xf7, /* 1 0 | 10110011110111 */
        0x00, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04,
    };
    expect_bytes(a, 14, 1, 0, want, sizeof want, 14);
}

/* A 100 ms gap is a large delta: a 2-bit status vector, 4 used slots of 7. */
static void test_vector_2bit_large(void)
{
    static const int64_t a[] = {0, 100000, NR, 100250};
    static const uint8_t want[] = {
        0xaf, 0xcd, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x8d, 0x43, 0x11,
        0xff, 0xff, 0x00, 0x04, 0x00, 0x00, 0x00, 0x02,
        0xd8, 0x40,             /* 1 1 | 01 10 00 01 00 00 00 */
        0x00, 0x01, 0x90, 0x01, /* 0, 400 (large), 1 */
        0x00, 0x02,
    };
    expect_bytes(a, 4, 0xffff, 2, want, sizeof want, 4);
}

/* Reordered arrival (the second packet arrived first): a negative, hence large, delta. */
static void test_negative_delta(void)
{
    static const int64_t a[] = {1000, 500};
    static const uint8_t want[] = {
        0xaf, 0xcd, 0x00, 0x06, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x8d, 0x43, 0x11,
        0x00, 0x05, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00,
        0xd8, 0x00,       /* 1 1 | 01 10 ... */
        0x04, 0xff, 0xfe, /* 4, -2 */
        0x00, 0x00, 0x03,
    };
    expect_bytes(a, 2, 5, 0, want, sizeof want, 2);
}

/* 20 received, 100 lost, 1 received: three run-length chunks. */
static void test_runs_and_gap(void)
{
    int64_t a[121];
    for (int i = 0; i < 20; i++)
        a[i] = 1000 * i;
    for (int i = 20; i < 120; i++)
        a[i] = NR;
    a[120] = 19000 + 60000; /* 60 ms after the last one: 240 ticks, still small */
    uint8_t want[] = {
        0x8f, 0xcd, 0x00, 0x0b, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x8d, 0x43, 0x11,
        0x00, 0x00, 0x00, 0x79, 0x00, 0x00, 0x00, 0x00,
        0x20, 0x14, 0x00, 0x64, 0x20, 0x01, /* RL small 20, RL lost 100, RL small 1 */
        0x00, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04,
        0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0x04, 0xf0,
    };
    /* 20 + 6 + 21 = 47 bytes: pad 1. */
    uint8_t w2[48];
    memcpy(w2, want, sizeof want);
    w2[0] = 0xaf;
    w2[47] = 0x01;
    expect_bytes(a, 121, 0, 0, w2, sizeof w2, 121);
}

/* clang-format on */

/* A delta beyond the 16-bit large form ends the packet; the rest starts a new one whose
 * reference time is its own first arrival. */
static void test_delta_overflow_splits(void)
{
    static const int64_t a[] = {0, 9000000};
    uint8_t buf[64];
    size_t consumed;
    size_t len = pa_tcc_write(buf, sizeof buf, 1, MEDIA, 10, 0, a, 2, &consumed);
    g_assert_cmpuint(consumed, ==, 1);
    g_assert_cmpuint(len, ==, 24);
    static const uint8_t first[] = {0xaf, 0xcd, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01,
                                    0x2c, 0x8d, 0x43, 0x11, 0x00, 0x0a, 0x00, 0x01,
                                    0x00, 0x00, 0x00, 0x00, 0x20, 0x01, 0x00, 0x01};
    g_assert_cmpmem(buf, len, first, sizeof first);
    len = pa_tcc_write(buf, sizeof buf, 1, MEDIA, 11, 1, a + 1, 1, &consumed);
    g_assert_cmpuint(consumed, ==, 1);
    /* 9 s = 140 x 64 ms + 40 ms: ref 140 (0x8c), delta 160 ticks. */
    static const uint8_t second[] = {0xaf, 0xcd, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01,
                                     0x2c, 0x8d, 0x43, 0x11, 0x00, 0x0b, 0x00, 0x01,
                                     0x00, 0x00, 0x8c, 0x01, 0x20, 0x01, 0xa0, 0x01};
    g_assert_cmpmem(buf, len, second, sizeof second);
}

/* The size cap: only what fits is covered, and nothing when not even one status fits. */
static void test_cap(void)
{
    int64_t a[14];
    for (int i = 0; i < 14; i++)
        a[i] = 1000 * i;
    uint8_t buf[64];
    size_t consumed;
    size_t len = pa_tcc_write(buf, 24, 1, MEDIA, 0, 0, a, 14, &consumed);
    g_assert_cmpuint(len, ==, 24);
    g_assert_cmpuint(consumed, ==, 2);
    g_assert_cmphex(pa_rd16(buf + 14), ==, 2);
    g_assert_cmphex(pa_rd16(buf + 20), ==, 0x2002);
    g_assert_cmpuint(pa_tcc_write(buf, 23, 1, MEDIA, 0, 0, a, 14, &consumed), ==, 0);
    g_assert_cmpuint(consumed, ==, 0);
    g_assert_cmpuint(pa_tcc_write(buf, sizeof buf, 1, MEDIA, 0, 0, a, 0, &consumed), ==, 0);
    /* A vector cut short is the last chunk. */
    int64_t b[14];
    for (int i = 0; i < 14; i++)
        b[i] = (i % 2) ? NR : 1000 * i;
    len = pa_tcc_write(buf, 24, 1, MEDIA, 0, 0, b, 14, &consumed);
    g_assert_cmpuint(len, ==, 24);
    g_assert_cmpuint(consumed, ==, 4);              /* R, NR, R, NR: two deltas fit */
    g_assert_cmphex(pa_rd16(buf + 20), ==, 0xa800); /* 1 0 | 1010 0... */
}

/* Base sequence numbers wrap; the parser gives back every sequence number and arrival. */
static void test_wrap_parse(void)
{
    static const int64_t a[] = {128000, NR, 130000, 129000};
    uint8_t buf[64];
    size_t consumed;
    size_t len = pa_tcc_write(buf, sizeof buf, 7, MEDIA, 65534, 200, a, 4, &consumed);
    g_assert_cmpuint(consumed, ==, 4);
    PaRtcpPacket p = one_packet(buf, len);
    PaRtcpTcc h;
    PaTccStatus s[8];
    size_t n;
    g_assert_cmpint(pa_tcc_parse(buf, &p, &h, s, G_N_ELEMENTS(s), &n), ==, PA_RTCP_OK);
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmphex(h.fb.sender_ssrc, ==, 7);
    g_assert_cmphex(h.fb.media_ssrc, ==, MEDIA);
    g_assert_cmpuint(h.base_seq, ==, 65534);
    g_assert_cmpint(h.reference_time, ==, 2);
    g_assert_cmpuint(h.fb_count, ==, 200);
    static const uint16_t seqs[] = {65534, 65535, 0, 1};
    for (int i = 0; i < 4; i++) {
        g_assert_cmpuint(s[i].seq, ==, seqs[i]);
        g_assert_cmpuint(s[i].status, ==,
                         a[i] < 0         ? PA_TCC_NOT_RECV
                         : a[i] == 129000 ? PA_TCC_LARGE
                                          : PA_TCC_SMALL);
        if (a[i] >= 0)
            g_assert_cmpint(s[i].arrival_us, ==, a[i]);
    }
    /* Truncations and nonsense are errors, never reads past the packet. */
    for (size_t cut = 4; cut < len; cut += 4) {
        uint8_t t[64];
        memcpy(t, buf, cut);
        t[0] &= ~0x20; /* no padding claim */
        pa_wr16(t + 2, (uint16_t)(cut / 4 - 1));
        PaRtcpPacket q = one_packet(t, cut);
        g_assert_cmpint(pa_tcc_parse(t, &q, &h, s, 8, &n), !=, PA_RTCP_OK);
    }
    uint8_t t[64];
    memcpy(t, buf, len);
    pa_wr16(t + 14, 40); /* more statuses than the chunks and deltas hold */
    g_assert_cmpint(pa_tcc_parse(t, &p, &h, s, 8, &n), ==, PA_RTCP_ERR_LENGTH);
    memcpy(t, buf, len);
    pa_wr16(t + 20, 0x6001); /* run-length chunk with symbol 3 */
    g_assert_cmpint(pa_tcc_parse(t, &p, &h, s, 8, &n), ==, PA_RTCP_ERR_LENGTH);
}

/* Random arrivals (losses, bursts, reordering, long gaps) written in as many packets as the
 * cap needs: parsing them back gives every sequence number's status and arrival (to 250 us). */
static void test_round_trip_random(void)
{
    GRand *r = g_rand_new_with_seed(12345);
    for (int round = 0; round < 200; round++) {
        size_t n = (size_t)g_rand_int_range(r, 1, 3000);
        int64_t *a = g_new(int64_t, n);
        int64_t t = g_rand_int_range(r, 0, 1 << 30);
        for (size_t i = 0; i < n; i++) {
            int k = g_rand_int_range(r, 0, 100);
            if (k < 10) {
                a[i] = NR;
                continue;
            }
            if (k < 15)
                t += g_rand_int_range(r, 64000, 12000000); /* up to 12 s: large or split */
            else if (k < 20)
                t -= g_rand_int_range(r, 0, 20000); /* reordered */
            else
                t += g_rand_int_range(r, 0, 3000);
            if (t < 0)
                t = 0;
            a[i] = t;
        }
        size_t cap = (size_t)g_rand_int_range(r, 24, 1400);
        uint16_t base = (uint16_t)g_rand_int(r);
        size_t done = 0;
        uint8_t fbc = 0;
        while (done < n) {
            uint8_t buf[1400];
            size_t consumed;
            size_t len = pa_tcc_write(buf, cap, 9, MEDIA, (uint16_t)(base + done), fbc, a + done,
                                      n - done, &consumed);
            g_assert_cmpuint(len, >, 0);
            g_assert_cmpuint(len, <=, cap);
            g_assert_cmpuint(len % 4, ==, 0);
            g_assert_cmpuint(consumed, >, 0);
            PaRtcpPacket p = one_packet(buf, len);
            PaRtcpTcc h;
            static PaTccStatus s[3000];
            size_t got;
            g_assert_cmpint(pa_tcc_parse(buf, &p, &h, s, G_N_ELEMENTS(s), &got), ==, PA_RTCP_OK);
            g_assert_cmpuint(got, ==, consumed);
            g_assert_cmpuint(h.fb_count, ==, fbc);
            for (size_t i = 0; i < got; i++) {
                int64_t want = a[done + i];
                g_assert_cmpuint(s[i].seq, ==, (uint16_t)(base + done + i));
                if (want < 0) {
                    g_assert_cmpuint(s[i].status, ==, PA_TCC_NOT_RECV);
                } else {
                    g_assert_cmpuint(s[i].status, !=, PA_TCC_NOT_RECV);
                    /* the 24-bit reference time: compare modulo its period */
                    int64_t period = (int64_t)64000 << 24;
                    int64_t diff =
                        ((s[i].arrival_us - want / 250 * 250) % period + period) % period;
                    g_assert_cmpint(diff, ==, 0);
                }
            }
            done += consumed;
            fbc++;
        }
        g_free(a);
    }
    g_rand_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcc/run-length-small", test_run_length_small);
    g_test_add_func("/tcc/vector-1bit", test_vector_1bit);
    g_test_add_func("/tcc/vector-2bit-large", test_vector_2bit_large);
    g_test_add_func("/tcc/negative-delta", test_negative_delta);
    g_test_add_func("/tcc/runs-and-gap", test_runs_and_gap);
    g_test_add_func("/tcc/delta-overflow-splits", test_delta_overflow_splits);
    g_test_add_func("/tcc/cap", test_cap);
    g_test_add_func("/tcc/wrap-parse", test_wrap_parse);
    g_test_add_func("/tcc/round-trip-random", test_round_trip_random);
    return g_test_run();
}
