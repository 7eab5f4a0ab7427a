/* SPDX-License-Identifier: MIT */
/* RTCP: compound iteration (SR + SDES as a browser sends it), every truncation, malformed
 * packets, feedback parsing (NACK, transport-cc, PLI, FIR, REMB, BYE), writers read back by
 * the parsers, NACK PID/BLP round trips and in-place SSRC rewriting. */
#include <glib.h>
#include <string.h>

#include "common/rtp/rtcp.h"

/* SR with one report block followed by SDES CNAME: a browser's regular compound. */
static const uint8_t sr_sdes[] = {
    0x81, 0xc8, 0x00, 0x0c,                         /* V=2 RC=1 | SR | length 12 (52 bytes) */
    0x8a, 0x4f, 0x1c, 0x3e,                         /* sender SSRC */
    0xe8, 0xa1, 0xb2, 0xc3, 0x40, 0x00, 0x00, 0x00, /* NTP 0xe8a1b2c3.25 */
    0x00, 0x01, 0xe2, 0x40,                         /* RTP timestamp 123456 */
    0x00, 0x00, 0x00, 0x64,                         /* 100 packets */
    0x00, 0x00, 0x3e, 0x80,                         /* 16000 octets */
    0x2c, 0x8d, 0x43, 0x11,                         /* report block: source SSRC */
    0x19, 0xff, 0xff, 0xfe, /* fraction lost 25/256, cumulative lost -2 (duplicates) */
    0x00, 0x01, 0x30, 0x39, /* 1 cycle, highest seq 12345 */
    0x00, 0x00, 0x00, 0x20, /* jitter 32 */
    0xb2, 0xc3, 0x40, 0x00, /* LSR */
    0x00, 0x01, 0x00, 0x00, /* DLSR 1 s */
    0x81, 0xca, 0x00, 0x06, /* V=2 SC=1 | SDES | length 6 (28 bytes) */
    0x8a, 0x4f, 0x1c, 0x3e, /* chunk SSRC */
    0x01, 0x10, 'k',  '2',  'J',  'd',  '8',  'F',  '0',  'q',
    'H',  'm',  '5',  'Q',  '/',  'p',  '+',  'x',  0x00, 0x00, /* end of items + pad */
};
#define SR_LEN 52

/* Transport-cc feedback with the padding bit, as libwebrtc pads it. */
static const uint8_t tcc_padded[] = {
    0xaf, 0xcd, 0x00, 0x06, /* V=2 P=1 FMT=15 | RTPFB | length 6 (28 bytes) */
    0x00, 0x00, 0x00, 0x01, /* sender SSRC */
    0x8a, 0x4f, 0x1c, 0x3e, /* media SSRC */
    0x00, 0x2a, 0x00, 0x03, /* base seq 42, status count 3 */
    0xff, 0xff, 0xfe, 0x07, /* reference time -2 (x 64 ms), feedback packet count 7 */
    0x20, 0x03,             /* run-length chunk: 3 x small delta */
    0x04, 0x08, 0x0c,       /* deltas */
    0x00, 0x00, 0x03,       /* padding: 3 bytes */
};

static const uint8_t pli[] = {
    0x81, 0xce, 0x00, 0x02, 0x00, 0x00, 0x00, 0x01, 0x2c, 0x8d, 0x43, 0x11,
};

static const uint8_t fir[] = {
    0x84, 0xce, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x00, 0x2c, 0x8d, 0x43, 0x11, 0x07, 0x00, 0x00, 0x00, /* SSRC, seq nr 7 */
};

static const uint8_t remb[] = {
    0x8f, 0xce, 0x00, 0x05, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00,
    0x00, 0x00, 'R',  'E',  'M',  'B',  0x01, 0x0e, 0xdc, 0x6c, /* 1 SSRC, exp 3, mantissa 187500 */
    0x2c, 0x8d, 0x43, 0x11,
};

static const uint8_t nack[] = {
    0x81, 0xcd, 0x00, 0x04, 0x00, 0x00, 0x00, 0x01,
    0x2c, 0x8d, 0x43, 0x11, 0xff, 0xfe, 0x80, 0x01, /* PID 65534, BLP bits 0 and 15 */
    0x00, 0x64, 0x00, 0x00,                         /* PID 100 alone */
};

static const uint8_t bye[] = {
    0x81, 0xcb, 0x00, 0x03, 0x8a, 0x4f, 0x1c, 0x3e, 0x04, 'g', 'o', 'n', 'e', 0x00, 0x00, 0x00,
};

/* Iterates a compound and expects exactly one packet; returns it. */
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

static void test_sr_sdes(void)
{
    PaRtcpIter it;
    PaRtcpPacket p;
    g_assert_cmpint(pa_rtcp_iter_init(&it, sr_sdes, sizeof sr_sdes), ==, PA_RTCP_OK);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    g_assert_cmpuint(p.type, ==, PA_RTCP_SR);
    g_assert_cmpuint(p.count, ==, 1);
    g_assert_cmpuint(p.offset, ==, 0);
    g_assert_cmpuint(p.len, ==, SR_LEN);
    g_assert_cmpuint(p.body_len, ==, SR_LEN - 4);

    PaRtcpSr sr;
    g_assert_cmpint(pa_rtcp_parse_sr(sr_sdes, &p, &sr), ==, PA_RTCP_OK);
    g_assert_cmphex(sr.ssrc, ==, 0x8a4f1c3e);
    g_assert_cmphex(sr.ntp, ==, G_GUINT64_CONSTANT(0xe8a1b2c340000000));
    g_assert_cmphex(pa_rtcp_ntp_mid32(sr.ntp), ==, 0xb2c34000);
    g_assert_cmpuint(sr.rtp_ts, ==, 123456);
    g_assert_cmpuint(sr.packet_count, ==, 100);
    g_assert_cmpuint(sr.octet_count, ==, 16000);
    g_assert_cmpuint(sr.report_count, ==, 1);
    PaRtcpReportBlock rb;
    pa_rtcp_read_report_block(sr_sdes, sr.blocks_offset, 0, &rb);
    g_assert_cmphex(rb.ssrc, ==, 0x2c8d4311);
    g_assert_cmpuint(rb.fraction_lost, ==, 25);
    g_assert_cmpint(rb.cumulative_lost, ==, -2);
    g_assert_cmphex(rb.ext_highest_seq, ==, 0x00013039);
    g_assert_cmpuint(rb.jitter, ==, 32);
    g_assert_cmphex(rb.lsr, ==, 0xb2c34000);
    g_assert_cmphex(rb.dlsr, ==, 0x10000);
    PaRtcpRr rr;
    g_assert_cmpint(pa_rtcp_parse_rr(sr_sdes, &p, &rr), ==, PA_RTCP_ERR_TYPE);

    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    g_assert_cmpuint(p.type, ==, PA_RTCP_SDES);
    g_assert_cmpuint(p.offset, ==, SR_LEN);
    g_assert_cmpuint(p.len, ==, 28);
    PaRtcpFb fb;
    g_assert_cmpint(pa_rtcp_parse_fb(sr_sdes, &p, &fb), ==, PA_RTCP_ERR_TYPE);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_END);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_END);

    /* The writers produce the same bytes. */
    uint8_t out[128];
    PaRtcpSr w = {.ssrc = 0x8a4f1c3e,
                  .ntp = G_GUINT64_CONSTANT(0xe8a1b2c340000000),
                  .rtp_ts = 123456,
                  .packet_count = 100,
                  .octet_count = 16000};
    size_t n = pa_rtcp_write_sr(out, sizeof out, &w, &rb, 1);
    g_assert_cmpuint(n, ==, SR_LEN);
    n += pa_rtcp_write_sdes_cname(out + n, sizeof out - n, 0x8a4f1c3e, "k2Jd8F0qHm5Q/p+x", 16);
    g_assert_cmpmem(out, n, sr_sdes, sizeof sr_sdes);
}

static void test_every_truncation(void)
{
    for (size_t len = 0; len <= sizeof sr_sdes; len++) {
        uint8_t *copy = g_memdup2(sr_sdes, len ? len : 1);
        PaRtcpIter it;
        PaRtcpPacket p;
        g_assert_cmpint(pa_rtcp_iter_init(&it, copy, len), ==, PA_RTCP_OK);
        PaRtcpStatus st = pa_rtcp_iter_next(&it, &p);
        if (len == 0) {
            g_assert_cmpint(st, ==, PA_RTCP_END);
        } else if (len < SR_LEN) {
            g_assert_cmpint(st, ==, PA_RTCP_ERR_TRUNCATED);
        } else {
            g_assert_cmpint(st, ==, PA_RTCP_OK);
            PaRtcpSr sr;
            g_assert_cmpint(pa_rtcp_parse_sr(copy, &p, &sr), ==, PA_RTCP_OK);
            st = pa_rtcp_iter_next(&it, &p);
            if (len == SR_LEN)
                g_assert_cmpint(st, ==, PA_RTCP_END);
            else if (len < sizeof sr_sdes)
                g_assert_cmpint(st, ==, PA_RTCP_ERR_TRUNCATED);
            else
                g_assert_cmpint(st, ==, PA_RTCP_OK);
        }
        /* An error or the end is final. */
        if (st != PA_RTCP_OK)
            g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_END);
        g_free(copy);
    }
}

static void test_malformed(void)
{
    uint8_t b[sizeof sr_sdes];
    PaRtcpIter it;
    PaRtcpPacket p;

    for (unsigned v = 0; v < 4; v++) {
        memcpy(b, sr_sdes, sizeof b);
        b[0] = (uint8_t)((b[0] & 0x3f) | v << 6);
        pa_rtcp_iter_init(&it, b, sizeof b);
        g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, v == 2 ? PA_RTCP_OK : PA_RTCP_ERR_VERSION);
    }

    /* Packet types outside 192..223 are not RTCP (e.g. RTP with PT 72 misrouted here). */
    static const uint8_t types[] = {0, 72, 127, 191, 224, 255};
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++) {
        memcpy(b, sr_sdes, sizeof b);
        b[1] = types[i];
        pa_rtcp_iter_init(&it, b, sizeof b);
        g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_ERR_TYPE);
    }
    memcpy(b, sr_sdes, sizeof b);
    b[1] = 192;
    pa_rtcp_iter_init(&it, b, sizeof b);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    b[1] = 223;
    pa_rtcp_iter_init(&it, b, sizeof b);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);

    /* Second packet broken: the first is still delivered, then the error. */
    memcpy(b, sr_sdes, sizeof b);
    b[SR_LEN + 3] = 7; /* SDES claims 32 bytes, 28 remain */
    pa_rtcp_iter_init(&it, b, sizeof b);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_ERR_TRUNCATED);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_END);

    /* Trailing bytes shorter than a header. */
    uint8_t t[SR_LEN + 3];
    memcpy(t, sr_sdes, SR_LEN);
    t[SR_LEN] = 0x80;
    t[SR_LEN + 1] = 0xc9;
    t[SR_LEN + 2] = 0;
    pa_rtcp_iter_init(&it, t, sizeof t);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_ERR_TRUNCATED);

    /* Padding: count 0, count larger than the body, the whole body. */
    uint8_t q[sizeof pli];
    memcpy(q, pli, sizeof q);
    q[0] |= 0x20;
    q[11] = 0;
    pa_rtcp_iter_init(&it, q, sizeof q);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_ERR_PADDING);
    q[11] = 9;
    pa_rtcp_iter_init(&it, q, sizeof q);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_ERR_PADDING);
    q[11] = 8;
    pa_rtcp_iter_init(&it, q, sizeof q);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    g_assert_cmpuint(p.body_len, ==, 0);
    PaRtcpFb fb;
    g_assert_cmpint(pa_rtcp_parse_pli(q, &p, &fb), ==, PA_RTCP_ERR_LENGTH);
    /* A 4-byte packet with P set: its "padding count" would be its own length byte. */
    static const uint8_t empty_padded[4] = {0xa0, 0xc9, 0x00, 0x00};
    pa_rtcp_iter_init(&it, empty_padded, 4);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_ERR_PADDING);

    /* SR/RR whose report count needs more than the body. */
    memcpy(b, sr_sdes, sizeof b);
    b[0] = 0x82; /* RC 2, only one block present */
    pa_rtcp_iter_init(&it, b, sizeof b);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    PaRtcpSr sr;
    g_assert_cmpint(pa_rtcp_parse_sr(b, &p, &sr), ==, PA_RTCP_ERR_LENGTH);
    static const uint8_t rr_short[8] = {0x9f, 0xc9, 0x00, 0x01, 0, 0, 0, 1}; /* RC 31 */
    PaRtcpPacket rp = one_packet(rr_short, sizeof rr_short);
    PaRtcpRr rr;
    g_assert_cmpint(pa_rtcp_parse_rr(rr_short, &rp, &rr), ==, PA_RTCP_ERR_LENGTH);
    static const uint8_t rr_empty[8] = {0x80, 0xc9, 0x00, 0x01, 0, 0, 0, 1};
    rp = one_packet(rr_empty, sizeof rr_empty);
    g_assert_cmpint(pa_rtcp_parse_rr(rr_empty, &rp, &rr), ==, PA_RTCP_OK);
    g_assert_cmpuint(rr.ssrc, ==, 1);
    g_assert_cmpuint(rr.report_count, ==, 0);

    /* Too long for a datagram. */
    g_assert_cmpint(pa_rtcp_iter_init(&it, sr_sdes, PA_RTCP_MAX_PACKET_LEN + 1), ==,
                    PA_RTCP_ERR_TOO_LONG);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_END);

    for (int s = 0; s <= PA_RTCP_STATUS_COUNT; s++)
        g_assert_nonnull(pa_rtcp_status_name((PaRtcpStatus)s));
}

static void test_feedback_parsers(void)
{
    PaRtcpPacket p;
    PaRtcpFb fb;

    p = one_packet(pli, sizeof pli);
    g_assert_cmpint(pa_rtcp_parse_pli(pli, &p, &fb), ==, PA_RTCP_OK);
    g_assert_cmpuint(fb.type, ==, PA_RTCP_PSFB);
    g_assert_cmpuint(fb.fmt, ==, PA_RTCP_PSFB_PLI);
    g_assert_cmphex(fb.sender_ssrc, ==, 1);
    g_assert_cmphex(fb.media_ssrc, ==, 0x2c8d4311);
    g_assert_cmpuint(fb.fci_len, ==, 0);
    PaRtcpFir f;
    g_assert_cmpint(pa_rtcp_parse_fir(pli, &p, &f), ==, PA_RTCP_ERR_TYPE);
    PaRtcpNack nk;
    g_assert_cmpint(pa_rtcp_parse_nack(pli, &p, &nk), ==, PA_RTCP_ERR_TYPE);

    p = one_packet(fir, sizeof fir);
    g_assert_cmpint(pa_rtcp_parse_fir(fir, &p, &f), ==, PA_RTCP_OK);
    g_assert_cmpuint(f.entry_count, ==, 1);
    g_assert_cmphex(f.fb.media_ssrc, ==, 0);
    PaRtcpFirEntry e;
    pa_rtcp_fir_entry(fir, &f, 0, &e);
    g_assert_cmphex(e.ssrc, ==, 0x2c8d4311);
    g_assert_cmpuint(e.seq_nr, ==, 7);
    g_assert_cmpint(pa_rtcp_parse_pli(fir, &p, &fb), ==, PA_RTCP_ERR_TYPE);

    p = one_packet(remb, sizeof remb);
    PaRtcpRemb r;
    g_assert_cmpint(pa_rtcp_parse_remb(remb, &p, &r), ==, PA_RTCP_OK);
    g_assert_cmpuint(r.bitrate_bps, ==, 1500000);
    g_assert_cmpuint(r.ssrc_count, ==, 1);
    g_assert_cmphex(pa_rtcp_list_ssrc(remb, r.ssrcs_offset, 0), ==, 0x2c8d4311);
    uint8_t m[sizeof remb];
    memcpy(m, remb, sizeof m);
    m[16] = 2; /* two SSRCs announced, one present */
    g_assert_cmpint(pa_rtcp_parse_remb(m, &p, &r), ==, PA_RTCP_ERR_LENGTH);
    memcpy(m, remb, sizeof m);
    m[15] = 'X'; /* some other application feedback */
    g_assert_cmpint(pa_rtcp_parse_remb(m, &p, &r), ==, PA_RTCP_ERR_TYPE);
    memcpy(m, remb, sizeof m);
    m[17] = 0xff; /* exponent 63, mantissa top bits set: saturates */
    g_assert_cmpint(pa_rtcp_parse_remb(m, &p, &r), ==, PA_RTCP_OK);
    g_assert_cmpuint(r.bitrate_bps, ==, G_MAXUINT64);
    m[17] = 0xb8; /* exponent 46, mantissa 0x0dc6c: fits */
    g_assert_cmpint(pa_rtcp_parse_remb(m, &p, &r), ==, PA_RTCP_OK);
    g_assert_cmpuint(r.bitrate_bps, ==, G_GUINT64_CONSTANT(0xdc6c) << 46);

    p = one_packet(nack, sizeof nack);
    g_assert_cmpint(pa_rtcp_parse_nack(nack, &p, &nk), ==, PA_RTCP_OK);
    g_assert_cmpuint(nk.pair_count, ==, 2);
    g_assert_cmphex(nk.fb.media_ssrc, ==, 0x2c8d4311);
    uint16_t seqs[40];
    size_t n = pa_rtcp_nack_expand(nack, &nk, seqs, G_N_ELEMENTS(seqs));
    g_assert_cmpuint(n, ==, 4);
    g_assert_cmpuint(seqs[0], ==, 65534);
    g_assert_cmpuint(seqs[1], ==, 65535);
    g_assert_cmpuint(seqs[2], ==, 14); /* 65534 + 16 wraps */
    g_assert_cmpuint(seqs[3], ==, 100);
    g_assert_cmpuint(pa_rtcp_nack_expand(nack, &nk, seqs, 2), ==, 2);
    g_assert_cmpuint(pa_rtcp_nack_expand(nack, &nk, seqs, 0), ==, 0);
    static const uint8_t nack_empty[12] = {0x81, 0xcd, 0x00, 0x02, 0, 0, 0, 1, 0, 0, 0, 2};
    p = one_packet(nack_empty, sizeof nack_empty);
    g_assert_cmpint(pa_rtcp_parse_nack(nack_empty, &p, &nk), ==, PA_RTCP_ERR_LENGTH);

    p = one_packet(tcc_padded, sizeof tcc_padded);
    g_assert_true(p.padding);
    g_assert_cmpuint(p.body_len, ==, 21);
    PaRtcpTcc tcc;
    g_assert_cmpint(pa_rtcp_parse_tcc(tcc_padded, &p, &tcc), ==, PA_RTCP_OK);
    g_assert_cmphex(tcc.fb.sender_ssrc, ==, 1);
    g_assert_cmphex(tcc.fb.media_ssrc, ==, 0x8a4f1c3e);
    g_assert_cmpuint(tcc.base_seq, ==, 42);
    g_assert_cmpuint(tcc.status_count, ==, 3);
    g_assert_cmpint(tcc.reference_time, ==, -2);
    g_assert_cmpuint(tcc.fb_count, ==, 7);
    g_assert_cmpuint(tcc.fb.fci_len, ==, 13);
    g_assert_cmpint(pa_rtcp_parse_nack(tcc_padded, &p, &nk), ==, PA_RTCP_ERR_TYPE);

    p = one_packet(bye, sizeof bye);
    PaRtcpBye by;
    g_assert_cmpint(pa_rtcp_parse_bye(bye, &p, &by), ==, PA_RTCP_OK);
    g_assert_cmpuint(by.ssrc_count, ==, 1);
    g_assert_cmphex(pa_rtcp_list_ssrc(bye, by.ssrcs_offset, 0), ==, 0x8a4f1c3e);
    g_assert_cmpuint(by.reason_len, ==, 4);
    g_assert_cmpmem(bye + by.reason_offset, by.reason_len, "gone", 4);
    uint8_t bb[sizeof bye];
    memcpy(bb, bye, sizeof bb);
    bb[8] = 8; /* reason longer than what is left */
    g_assert_cmpint(pa_rtcp_parse_bye(bb, &p, &by), ==, PA_RTCP_ERR_LENGTH);
    bb[8] = 7; /* exactly what is left */
    g_assert_cmpint(pa_rtcp_parse_bye(bb, &p, &by), ==, PA_RTCP_OK);
    bb[0] = 0x84; /* 4 SSRCs announced, 3 words of body */
    p = one_packet(bb, sizeof bb);
    g_assert_cmpint(pa_rtcp_parse_bye(bb, &p, &by), ==, PA_RTCP_ERR_LENGTH);
}

static void check_nack_round_trip(const uint16_t *lost, size_t n, gboolean sorted)
{
    uint8_t buf[4096];
    size_t consumed = 0;
    size_t len = pa_rtcp_write_nack(buf, sizeof buf, 7, 0x2c8d4311, lost, n, &consumed);
    g_assert_cmpuint(len, >, 0);
    g_assert_cmpuint(consumed, ==, n);
    PaRtcpPacket p = one_packet(buf, len);
    PaRtcpNack nk;
    g_assert_cmpint(pa_rtcp_parse_nack(buf, &p, &nk), ==, PA_RTCP_OK);
    g_assert_cmphex(nk.fb.sender_ssrc, ==, 7);
    g_assert_cmphex(nk.fb.media_ssrc, ==, 0x2c8d4311);
    uint16_t out[4096];
    size_t m = pa_rtcp_nack_expand(buf, &nk, out, G_N_ELEMENTS(out));
    if (sorted) {
        g_assert_cmpmem(out, m * 2, lost, n * 2);
    } else {
        /* Same set of sequence numbers. */
        guint8 *in_set = g_malloc0(65536), *out_set = g_malloc0(65536);
        for (size_t i = 0; i < n; i++)
            in_set[lost[i]] = 1;
        for (size_t i = 0; i < m; i++)
            out_set[out[i]] = 1;
        g_assert_cmpmem(in_set, 65536, out_set, 65536);
        g_free(in_set);
        g_free(out_set);
    }
}

static void test_nack_round_trip(void)
{
    /* Fixed cases: one loss, a run of 17 (one pair), a run of 18 (two), across the wrap. */
    uint16_t a[40];
    a[0] = 5;
    check_nack_round_trip(a, 1, TRUE);
    for (int i = 0; i < 17; i++)
        a[i] = (uint16_t)(65530 + i);
    check_nack_round_trip(a, 17, TRUE);
    uint8_t buf[64];
    g_assert_cmpuint(pa_rtcp_write_nack(buf, sizeof buf, 1, 2, a, 17, NULL), ==, 16);
    for (int i = 0; i < 18; i++)
        a[i] = (uint16_t)(65530 + i);
    check_nack_round_trip(a, 18, TRUE);
    g_assert_cmpuint(pa_rtcp_write_nack(buf, sizeof buf, 1, 2, a, 18, NULL), ==, 20);

    /* Random ascending loss patterns (bursty and sparse), wrapping through 0. */
    for (int round = 0; round < 300; round++) {
        uint16_t lost[600];
        size_t n = (size_t)g_test_rand_int_range(1, 600);
        uint16_t s = (uint16_t)g_test_rand_int_range(0, 65536);
        int max_gap = g_test_rand_bit() ? 3 : 40;
        for (size_t i = 0; i < n; i++) {
            lost[i] = s;
            s = (uint16_t)(s + g_test_rand_int_range(1, max_gap));
        }
        /* Keep the list inside half the sequence space (an ascending run). */
        check_nack_round_trip(lost, n, TRUE);

        /* Shuffled (with a duplicate): still every one requested, nothing extra. */
        for (size_t i = n - 1; i > 0; i--) {
            size_t j = (size_t)g_test_rand_int_range(0, (gint32)i + 1);
            uint16_t t = lost[i];
            lost[i] = lost[j];
            lost[j] = t;
        }
        lost[n - 1] = lost[0];
        check_nack_round_trip(lost, n, FALSE);
    }
}

static void test_nack_capacity(void)
{
    /* A small buffer: each call writes what fits and says how far it got. */
    uint16_t lost[100];
    for (int i = 0; i < 100; i++)
        lost[i] = (uint16_t)(1000 + 20 * i); /* every loss needs its own pair */
    uint16_t got[200];
    size_t got_n = 0, done = 0;
    int calls = 0;
    while (done < 100) {
        uint8_t buf[12 + 4 * 3 + 3]; /* room for 3 pairs (and 3 spare bytes) */
        size_t consumed = 0;
        size_t len = pa_rtcp_write_nack(buf, sizeof buf, 1, 2, lost + done, 100 - done, &consumed);
        g_assert_cmpuint(len, ==, done + 3 <= 100 ? 24 : 12 + 4 * (100 - done));
        g_assert_cmpuint(consumed, >, 0);
        PaRtcpPacket p = one_packet(buf, len);
        PaRtcpNack nk;
        g_assert_cmpint(pa_rtcp_parse_nack(buf, &p, &nk), ==, PA_RTCP_OK);
        got_n += pa_rtcp_nack_expand(buf, &nk, got + got_n, G_N_ELEMENTS(got) - got_n);
        done += consumed;
        calls++;
    }
    g_assert_cmpint(calls, ==, 34);
    g_assert_cmpmem(got, got_n * 2, lost, sizeof lost);

    uint8_t small[15];
    size_t consumed = 99;
    g_assert_cmpuint(pa_rtcp_write_nack(small, sizeof small, 1, 2, lost, 1, &consumed), ==, 0);
    g_assert_cmpuint(consumed, ==, 0);
    g_assert_cmpuint(pa_rtcp_write_nack(small, 16, 1, 2, lost, 0, &consumed), ==, 0);
}

static void test_writers_read_back(void)
{
    uint8_t buf[512];
    PaRtcpPacket p;

    /* RR with two blocks, cumulative loss clamped to 24 bits. */
    PaRtcpReportBlock blocks[2] = {
        {.ssrc = 0x11,
         .fraction_lost = 255,
         .cumulative_lost = 9000000,
         .ext_highest_seq = 0x2ffff,
         .jitter = 7,
         .lsr = 0x12345678,
         .dlsr = 0x9abc},
        {.ssrc = 0x22, .fraction_lost = 0, .cumulative_lost = -9000000},
    };
    size_t n = pa_rtcp_write_rr(buf, sizeof buf, 0xabcdef01, blocks, 2);
    g_assert_cmpuint(n, ==, 8 + 48);
    p = one_packet(buf, n);
    PaRtcpRr rr;
    g_assert_cmpint(pa_rtcp_parse_rr(buf, &p, &rr), ==, PA_RTCP_OK);
    g_assert_cmphex(rr.ssrc, ==, 0xabcdef01);
    g_assert_cmpuint(rr.report_count, ==, 2);
    PaRtcpReportBlock rb;
    pa_rtcp_read_report_block(buf, rr.blocks_offset, 0, &rb);
    g_assert_cmphex(rb.ssrc, ==, 0x11);
    g_assert_cmpuint(rb.fraction_lost, ==, 255);
    g_assert_cmpint(rb.cumulative_lost, ==, 0x7fffff);
    g_assert_cmphex(rb.ext_highest_seq, ==, 0x2ffff);
    g_assert_cmpuint(rb.jitter, ==, 7);
    g_assert_cmphex(rb.lsr, ==, 0x12345678);
    g_assert_cmphex(rb.dlsr, ==, 0x9abc);
    pa_rtcp_read_report_block(buf, rr.blocks_offset, 1, &rb);
    g_assert_cmpint(rb.cumulative_lost, ==, -0x800000);
    g_assert_cmpuint(pa_rtcp_write_rr(buf, sizeof buf, 1, NULL, 0), ==, 8);
    g_assert_cmpuint(pa_rtcp_write_rr(buf, 55, 1, blocks, 2), ==, 0);
    g_assert_cmpuint(pa_rtcp_write_rr(buf, sizeof buf, 1, blocks, 32), ==, 0);

    /* SR without blocks. */
    PaRtcpSr sr = {
        .ssrc = 5, .ntp = 0x0102030405060708, .rtp_ts = 9, .packet_count = 10, .octet_count = 11};
    n = pa_rtcp_write_sr(buf, sizeof buf, &sr, NULL, 0);
    g_assert_cmpuint(n, ==, 28);
    p = one_packet(buf, n);
    PaRtcpSr back;
    g_assert_cmpint(pa_rtcp_parse_sr(buf, &p, &back), ==, PA_RTCP_OK);
    g_assert_cmphex(back.ntp, ==, 0x0102030405060708);
    g_assert_cmpuint(back.octet_count, ==, 11);
    g_assert_cmpuint(back.report_count, ==, 0);
    g_assert_cmpuint(pa_rtcp_write_sr(buf, 27, &sr, NULL, 0), ==, 0);

    /* PLI */
    n = pa_rtcp_write_pli(buf, sizeof buf, 0xaaaa, 0xbbbb);
    static const uint8_t pli_want[12] = {0x81, 0xce, 0, 2, 0, 0, 0xaa, 0xaa, 0, 0, 0xbb, 0xbb};
    g_assert_cmpmem(buf, n, pli_want, sizeof pli_want);
    p = one_packet(buf, n);
    PaRtcpFb fb;
    g_assert_cmpint(pa_rtcp_parse_pli(buf, &p, &fb), ==, PA_RTCP_OK);
    g_assert_cmphex(fb.media_ssrc, ==, 0xbbbb);
    g_assert_cmpuint(pa_rtcp_write_pli(buf, 11, 1, 2), ==, 0);

    /* FIR, the same bytes as the reference, then two entries. */
    PaRtcpFirEntry fe[2] = {{0x2c8d4311, 7}, {0x99, 255}};
    n = pa_rtcp_write_fir(buf, sizeof buf, 1, fe, 1);
    g_assert_cmpmem(buf, n, fir, sizeof fir);
    n = pa_rtcp_write_fir(buf, sizeof buf, 1, fe, 2);
    g_assert_cmpuint(n, ==, 28);
    p = one_packet(buf, n);
    PaRtcpFir f;
    g_assert_cmpint(pa_rtcp_parse_fir(buf, &p, &f), ==, PA_RTCP_OK);
    g_assert_cmpuint(f.entry_count, ==, 2);
    PaRtcpFirEntry e;
    pa_rtcp_fir_entry(buf, &f, 1, &e);
    g_assert_cmphex(e.ssrc, ==, 0x99);
    g_assert_cmpuint(e.seq_nr, ==, 255);
    g_assert_cmpuint(pa_rtcp_write_fir(buf, sizeof buf, 1, fe, 0), ==, 0);

    /* REMB: the reference bytes, and the encoding error bound over a range of rates. */
    uint32_t ssrc = 0x2c8d4311;
    n = pa_rtcp_write_remb(buf, sizeof buf, 1, 1500000, &ssrc, 1);
    g_assert_cmpmem(buf, n, remb, sizeof remb);
    static const guint64 rates[] = {0,          1,       262143,   262144,
                                    262145,     1500000, 30000000, G_GUINT64_CONSTANT(10000000000),
                                    G_MAXUINT64};
    uint32_t ssrcs[3] = {1, 2, 3};
    for (size_t i = 0; i < G_N_ELEMENTS(rates); i++) {
        n = pa_rtcp_write_remb(buf, sizeof buf, 9, rates[i], ssrcs, 3);
        g_assert_cmpuint(n, ==, 32);
        p = one_packet(buf, n);
        PaRtcpRemb r;
        g_assert_cmpint(pa_rtcp_parse_remb(buf, &p, &r), ==, PA_RTCP_OK);
        g_assert_cmpuint(r.bitrate_bps, <=, rates[i]);
        g_assert_cmpuint(rates[i] - r.bitrate_bps, <=, rates[i] >> 17);
        g_assert_cmpuint(r.ssrc_count, ==, 3);
        g_assert_cmphex(pa_rtcp_list_ssrc(buf, r.ssrcs_offset, 2), ==, 3);
    }
    g_assert_cmpuint(pa_rtcp_write_remb(buf, 31, 9, 1, ssrcs, 3), ==, 0);

    /* SDES CNAME at the length limits, and BYE. */
    char cname[256];
    memset(cname, 'c', sizeof cname);
    n = pa_rtcp_write_sdes_cname(buf, sizeof buf, 3, cname, 255);
    g_assert_cmpuint(n, ==, 4 + 264);
    p = one_packet(buf, n);
    g_assert_cmpuint(p.type, ==, PA_RTCP_SDES);
    g_assert_cmpuint(buf[n - 1], ==, 0);
    g_assert_cmpuint(pa_rtcp_write_sdes_cname(buf, sizeof buf, 3, cname, 256), ==, 0);
    g_assert_cmpuint(pa_rtcp_write_sdes_cname(buf, sizeof buf, 3, cname, 0), ==, 0);
    n = pa_rtcp_write_sdes_cname(buf, sizeof buf, 3, cname, 2); /* 4+2+2+1 -> 12 */
    g_assert_cmpuint(n, ==, 16);
    n = pa_rtcp_write_bye(buf, sizeof buf, ssrcs, 3);
    p = one_packet(buf, n);
    PaRtcpBye by;
    g_assert_cmpint(pa_rtcp_parse_bye(buf, &p, &by), ==, PA_RTCP_OK);
    g_assert_cmpuint(by.ssrc_count, ==, 3);
    g_assert_cmpuint(by.reason_len, ==, 0);
    g_assert_cmphex(pa_rtcp_list_ssrc(buf, by.ssrcs_offset, 2), ==, 3);

    /* A failed append leaves the buffer untouched. */
    memset(buf, 0x5a, sizeof buf);
    g_assert_cmpuint(pa_rtcp_write_fir(buf, 19, 1, fe, 1), ==, 0);
    g_assert_cmpuint(pa_rtcp_write_remb(buf, 19, 1, 5, NULL, 0), ==, 0);
    uint16_t one_loss[1] = {1};
    g_assert_cmpuint(pa_rtcp_write_nack(buf, 15, 1, 2, one_loss, 1, NULL), ==, 0);
    for (size_t i = 0; i < 32; i++)
        g_assert_cmphex(buf[i], ==, 0x5a);
}

static void test_compound_build(void)
{
    /* RR + SDES + REMB + NACK + PLI appended into one buffer, then walked. */
    uint8_t buf[256];
    size_t off = 0;
    PaRtcpReportBlock rb = {.ssrc = 0x10};
    uint16_t lost[3] = {10, 11, 40};
    uint32_t remb_ssrc = 0x10;
    off += pa_rtcp_write_rr(buf + off, sizeof buf - off, 1, &rb, 1);
    off += pa_rtcp_write_sdes_cname(buf + off, sizeof buf - off, 1, "bridge", 6);
    off += pa_rtcp_write_remb(buf + off, sizeof buf - off, 1, 2000000, &remb_ssrc, 1);
    off += pa_rtcp_write_nack(buf + off, sizeof buf - off, 1, 0x10, lost, 3, NULL);
    off += pa_rtcp_write_pli(buf + off, sizeof buf - off, 1, 0x10);
    g_assert_cmpuint(off, ==, 32 + 20 + 24 + 20 + 12);

    static const uint8_t want[] = {PA_RTCP_RR, PA_RTCP_SDES, PA_RTCP_PSFB, PA_RTCP_RTPFB,
                                   PA_RTCP_PSFB};
    PaRtcpIter it;
    PaRtcpPacket p;
    pa_rtcp_iter_init(&it, buf, off);
    for (size_t i = 0; i < G_N_ELEMENTS(want); i++) {
        g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
        g_assert_cmpuint(p.type, ==, want[i]);
    }
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_END);
}

static void test_rewrite_ssrc(void)
{
    uint8_t b[64];
    PaRtcpPacket p;
    PaRtcpFb fb;

    memcpy(b, pli, sizeof pli);
    p = one_packet(b, sizeof pli);
    g_assert_cmpuint(pa_rtcp_fb_rewrite_ssrc(b, &p, 0x2c8d4311, 0xcafe), ==, 1);
    g_assert_cmpuint(pa_rtcp_fb_rewrite_ssrc(b, &p, 0x2c8d4311, 0xcafe), ==, 0);
    g_assert_cmpint(pa_rtcp_set_sender_ssrc(b, &p, 0xb00), ==, PA_RTCP_OK);
    g_assert_cmpint(pa_rtcp_parse_pli(b, &p, &fb), ==, PA_RTCP_OK);
    g_assert_cmphex(fb.media_ssrc, ==, 0xcafe);
    g_assert_cmphex(fb.sender_ssrc, ==, 0xb00);
    g_assert_cmpint(pa_rtcp_fb_set_media_ssrc(b, &p, 0xf00d), ==, PA_RTCP_OK);
    g_assert_cmpint(pa_rtcp_parse_pli(b, &p, &fb), ==, PA_RTCP_OK);
    g_assert_cmphex(fb.media_ssrc, ==, 0xf00d);

    /* FIR: the target is in the entry; the header's media SSRC stays 0. */
    memcpy(b, fir, sizeof fir);
    p = one_packet(b, sizeof fir);
    g_assert_cmpuint(pa_rtcp_fb_rewrite_ssrc(b, &p, 0x2c8d4311, 0xcafe), ==, 1);
    PaRtcpFir f;
    g_assert_cmpint(pa_rtcp_parse_fir(b, &p, &f), ==, PA_RTCP_OK);
    PaRtcpFirEntry e;
    pa_rtcp_fir_entry(b, &f, 0, &e);
    g_assert_cmphex(e.ssrc, ==, 0xcafe);
    g_assert_cmpuint(e.seq_nr, ==, 7);
    g_assert_cmphex(f.fb.media_ssrc, ==, 0);

    /* REMB: the SSRC list. */
    memcpy(b, remb, sizeof remb);
    p = one_packet(b, sizeof remb);
    g_assert_cmpuint(pa_rtcp_fb_rewrite_ssrc(b, &p, 0x2c8d4311, 0xcafe), ==, 1);
    PaRtcpRemb r;
    g_assert_cmpint(pa_rtcp_parse_remb(b, &p, &r), ==, PA_RTCP_OK);
    g_assert_cmphex(pa_rtcp_list_ssrc(b, r.ssrcs_offset, 0), ==, 0xcafe);
    g_assert_cmpuint(r.bitrate_bps, ==, 1500000);

    /* NACK and TCC: the header. */
    memcpy(b, nack, sizeof nack);
    p = one_packet(b, sizeof nack);
    g_assert_cmpuint(pa_rtcp_fb_rewrite_ssrc(b, &p, 0x2c8d4311, 0xcafe), ==, 1);
    g_assert_cmpmem(b + 12, 8, nack + 12, 8); /* FCI untouched */
    memcpy(b, tcc_padded, sizeof tcc_padded);
    p = one_packet(b, sizeof tcc_padded);
    g_assert_cmpuint(pa_rtcp_fb_rewrite_ssrc(b, &p, 0x8a4f1c3e, 0xcafe), ==, 1);
    PaRtcpTcc tcc;
    g_assert_cmpint(pa_rtcp_parse_tcc(b, &p, &tcc), ==, PA_RTCP_OK);
    g_assert_cmphex(tcc.fb.media_ssrc, ==, 0xcafe);

    /* Reports: sender SSRC and the block's source, in place within a compound. */
    uint8_t c[sizeof sr_sdes];
    memcpy(c, sr_sdes, sizeof c);
    PaRtcpIter it;
    pa_rtcp_iter_init(&it, c, sizeof c);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    g_assert_cmpint(pa_rtcp_set_sender_ssrc(c, &p, 0x1234), ==, PA_RTCP_OK);
    g_assert_cmpuint(pa_rtcp_fb_rewrite_ssrc(c, &p, 0x2c8d4311, 1), ==, 0);
    g_assert_cmpint(pa_rtcp_fb_set_media_ssrc(c, &p, 1), ==, PA_RTCP_ERR_TYPE);
    PaRtcpSr sr;
    g_assert_cmpint(pa_rtcp_parse_sr(c, &p, &sr), ==, PA_RTCP_OK);
    pa_rtcp_report_block_set_ssrc(c, sr.blocks_offset, 0, 0x5678);
    g_assert_cmpint(pa_rtcp_parse_sr(c, &p, &sr), ==, PA_RTCP_OK);
    g_assert_cmphex(sr.ssrc, ==, 0x1234);
    PaRtcpReportBlock rb;
    pa_rtcp_read_report_block(c, sr.blocks_offset, 0, &rb);
    g_assert_cmphex(rb.ssrc, ==, 0x5678);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    g_assert_cmpint(pa_rtcp_set_sender_ssrc(c, &p, 1), ==, PA_RTCP_ERR_TYPE); /* SDES */
    memcpy(b, bye, sizeof bye);
    p = one_packet(b, sizeof bye);
    g_assert_cmpint(pa_rtcp_set_sender_ssrc(b, &p, 1), ==, PA_RTCP_ERR_TYPE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtcp/sr-sdes", test_sr_sdes);
    g_test_add_func("/rtcp/every-truncation", test_every_truncation);
    g_test_add_func("/rtcp/malformed", test_malformed);
    g_test_add_func("/rtcp/feedback-parsers", test_feedback_parsers);
    g_test_add_func("/rtcp/nack-round-trip", test_nack_round_trip);
    g_test_add_func("/rtcp/nack-capacity", test_nack_capacity);
    g_test_add_func("/rtcp/writers-read-back", test_writers_read_back);
    g_test_add_func("/rtcp/compound-build", test_compound_build);
    g_test_add_func("/rtcp/rewrite-ssrc", test_rewrite_ssrc);
    return g_test_run();
}
