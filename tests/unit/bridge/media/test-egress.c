/* SPDX-License-Identifier: MIT */
/* Bandwidth estimation toward one receiver (egress-cc.c) on a worker and an endpoint made by
 * hand, no sockets: the receiver's own transport-wide sequence numbers written into its copies
 * (whatever the senders stamped, across the 16-bit wrap; packets without the receiver's
 * transport-cc id untouched), its feedback parsed and fed to its estimator (a malformed one
 * dropped and counted), and the round-trip time from its report about an SR it was sent. */
#include <string.h>

#include "bridge/media/media-priv.h"
#include "common/rtp/rtp.h"

typedef struct {
    BridgeWorker *w;
    BridgeEndpoint ep;
} Bed;

static void bed_init(Bed *b)
{
    bridge_srtp_global_init();
    b->w = g_new0(BridgeWorker, 1);
    b->w->tx = bridge_tx_batch_new();
    b->w->now_us = 10000000;
    memset(&b->ep, 0, sizeof b->ep);
    b->ep.worker = b->w;
    b->ep.fd = 1000; /* queued only: the batch is never flushed here */
    b->ep.peer.ss_family = AF_INET;
    pa_hdrext_map_init_jitsi_defaults(&b->ep.hdrext); /* transport-cc: id 5 */
    BridgeSrtpKeys keys = {.profile = BRIDGE_SRTP_AEAD_AES_128_GCM, .key_salt_len = 28};
    memset(keys.local, 0x11, sizeof keys.local);
    memset(keys.remote, 0x22, sizeof keys.remote);
    g_autoptr(GError) error = NULL;
    b->ep.srtp = bridge_srtp_new(&keys, &error);
    g_assert_no_error(error);
    bridge_egress_init(&b->ep);
    g_assert_nonnull(b->ep.bwe);
}

static void bed_clear(Bed *b)
{
    bridge_egress_clear(&b->ep);
    bridge_srtp_free(b->ep.srtp);
    bridge_tx_batch_free(b->w->tx);
    g_free(b->w);
}

/* A sender's packet with a transport-cc element of id @id carrying @seq (no element: id 0). */
static gsize sender_packet(guint8 *out, guint32 ssrc, guint16 rtp_seq, guint8 id, guint16 seq)
{
    guint8 tcc[2] = {(guint8)(seq >> 8), (guint8)seq};
    static const guint8 level[1] = {0x80 | 30};
    PaHdrextWrite el[2] = {{1, 1, level}, {id, 2, tcc}};
    guint8 block[32];
    guint16 profile = 0;
    gsize blen = pa_hdrext_write_block(block, sizeof block, false, el, id ? 2 : 1, &profile);
    g_assert_cmpuint(blen, >, 0);
    static const guint8 payload[100] = {0};
    PaRtpBuild b = {.payload_type = 100,
                    .seq = rtp_seq,
                    .timestamp = 3000u * rtp_seq,
                    .ssrc = ssrc,
                    .extension = true,
                    .ext_profile = profile,
                    .ext = block,
                    .ext_len = blen,
                    .payload = payload,
                    .payload_len = sizeof payload};
    return pa_rtp_build(out, 1500, &b);
}

/* The transport-cc sequence number in queued datagram @i (SRTP leaves the header clear), or
 * -1 when it has no element with id 5. */
static int queued_tcc(Bed *b, guint i)
{
    const guint8 *pkt = b->w->tx->buf[i];
    gsize len = b->w->tx->iov[i].iov_len;
    PaRtpHeader h;
    PaHdrextElem e;
    uint16_t seq = 0;
    g_assert_cmpint(pa_rtp_parse(pkt, len, &h), ==, PA_RTP_OK);
    if (pa_hdrext_find(pkt, &h, 5, &e) != PA_HDREXT_OK)
        return -1;
    g_assert_cmpint(pa_hdrext_read_tcc_seq(pkt, &e, &seq), ==, PA_HDREXT_OK);
    return seq;
}

static void test_sequence_space(void)
{
    Bed b;
    bed_init(&b);
    b.ep.tcc_out_seq = 65533; /* across the wrap */
    guint8 pkt[1500];
    /* Two senders with their own (unrelated, jumping) numbers. */
    static const struct {
        guint32 ssrc;
        guint16 seq;
    } in[] = {{0xA0, 7}, {0xB0, 40000}, {0xA0, 8}, {0xB0, 40001}, {0xA0, 100}};
    for (guint i = 0; i < G_N_ELEMENTS(in); i++) {
        gsize len = sender_packet(pkt, in[i].ssrc, (guint16)(10 + i), 5, in[i].seq);
        bridge_forward_send_clear(b.w, &b.ep, pkt, len, FALSE);
    }
    g_assert_cmpuint(b.w->tx->n, ==, G_N_ELEMENTS(in));
    static const int want[] = {65533, 65534, 65535, 0, 1};
    for (guint i = 0; i < G_N_ELEMENTS(want); i++)
        g_assert_cmpint(queued_tcc(&b, i), ==, want[i]);
    /* No transport-cc element (or another id only): not numbered, not counted. */
    gsize len = sender_packet(pkt, 0xA0, 20, 0, 0);
    bridge_forward_send_clear(b.w, &b.ep, pkt, len, FALSE);
    len = sender_packet(pkt, 0xA0, 21, 9, 1234);
    bridge_forward_send_clear(b.w, &b.ep, pkt, len, FALSE);
    g_assert_cmpuint(b.w->tx->n, ==, 7);
    g_assert_cmpint(queued_tcc(&b, 5), ==, -1);
    g_assert_cmpuint(b.ep.tcc_out_seq, ==, 2);
    /* Sizes on the wire: the SRTP packet plus UDP and IPv4 headers. */
    guint64 wire = 0;
    for (guint i = 0; i < b.w->tx->n; i++)
        wire += b.w->tx->iov[i].iov_len + 28;
    g_assert_cmpuint(b.ep.tx_bytes, ==, wire);
    bed_clear(&b);
}

/* The RTCP packet at the start of @buf (a compound of one). */
static PaRtcpPacket first_packet(const guint8 *buf, gsize len)
{
    PaRtcpIter it;
    PaRtcpPacket p;
    g_assert_cmpint(pa_rtcp_iter_init(&it, buf, len), ==, PA_RTCP_OK);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    return p;
}

static void test_feedback(void)
{
    Bed b;
    bed_init(&b);
    b.ep.tcc_out_seq = 100;
    guint8 pkt[1500];
    enum { N = 40 };
    for (guint i = 0; i < N; i++) {
        gsize len = sender_packet(pkt, 0xA0, (guint16)i, 5, (guint16)(5000 + i));
        bridge_forward_send_clear(b.w, &b.ep, pkt, len, FALSE);
    }
    /* The receiver got all but two, 2 ms apart. */
    gint64 arrival[N];
    for (guint i = 0; i < N; i++)
        arrival[i] = (i == 10 || i == 11) ? PA_TCC_NOT_RECEIVED : 1000000 + 2000 * (gint64)i;
    guint8 fb[256];
    gsize consumed = 0;
    gsize len = pa_tcc_write(fb, sizeof fb, 0xC1, 0xA0, 100, 0, arrival, N, &consumed);
    g_assert_cmpuint(consumed, ==, N);
    PaRtcpPacket p = first_packet(fb, len);
    b.w->now_us += 100000;
    bridge_egress_feedback(&b.ep, fb, &p, b.w->now_us);
    g_assert_true(b.ep.bwe_fed);
    g_assert_cmpuint(BRIDGE_STAT_GET(b.w->stats.tcc_feedback_in), ==, 1);
    BridgeBweStats st;
    bridge_bwe_get_stats(b.ep.bwe, &st);
    g_assert_cmpuint(st.packets_acked, ==, N - 2);
    g_assert_cmpuint(st.packets_lost, ==, 2);

    /* Chunks running past the packet: dropped and counted, the estimator untouched. */
    guint8 bad[256];
    memcpy(bad, fb, len);
    bad[0] &= (guint8)~0x20; /* no padding */
    bad[3] = 4;              /* length 4 words: 20 bytes, the chunks cut off */
    p = first_packet(bad, 20);
    bridge_egress_feedback(&b.ep, bad, &p, b.w->now_us);
    g_assert_cmpuint(BRIDGE_STAT_GET(b.w->stats.drops[BRIDGE_DROP_MALFORMED]), ==, 1);
    bridge_bwe_get_stats(b.ep.bwe, &st);
    g_assert_cmpuint(st.packets_acked, ==, N - 2);
    bed_clear(&b);
}

static void test_rtt(void)
{
    Bed b;
    bed_init(&b);
    /* An SR forwarded to the receiver at t, NTP 0x0001_2345_6789_0000: LSR 0x23456789. */
    PaRtcpSr sr = {.ssrc = 0xA0, .ntp = G_GUINT64_CONSTANT(0x0001234567890000)};
    guint8 buf[64];
    gsize len = pa_rtcp_write_sr(buf, sizeof buf, &sr, NULL, 0);
    g_assert_cmpuint(len, >, 0);
    bridge_forward_send_clear(b.w, &b.ep, buf, len, TRUE);
    gint64 sent = b.w->now_us;
    /* Its RR 130 ms later says it held the SR 100 ms (6553.6 units of 1/65536 s). */
    PaRtcpReportBlock rb = {.ssrc = 0xA0, .lsr = 0x23456789, .dlsr = 6554};
    len = pa_rtcp_write_rr(buf, sizeof buf, 0xC1, &rb, 1);
    PaRtcpPacket p = first_packet(buf, len);
    PaRtcpRr rr;
    g_assert_cmpint(pa_rtcp_parse_rr(buf, &p, &rr), ==, PA_RTCP_OK);
    b.w->now_us = sent + 130000;
    bridge_egress_report_blocks(&b.ep, buf, rr.blocks_offset, rr.report_count, b.w->now_us);
    g_assert_cmpint(b.ep.rtt_us, >=, 29900);
    g_assert_cmpint(b.ep.rtt_us, <=, 30100);
    /* A report about an SR it was never sent changes nothing. */
    rb.lsr = 0x11111111;
    len = pa_rtcp_write_rr(buf, sizeof buf, 0xC1, &rb, 1);
    b.w->now_us += 500000;
    bridge_egress_report_blocks(&b.ep, buf, rr.blocks_offset, 1, b.w->now_us);
    g_assert_cmpint(b.ep.rtt_us, <=, 30100);
    bed_clear(&b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/media/egress/sequence-space", test_sequence_space);
    g_test_add_func("/media/egress/feedback", test_feedback);
    g_test_add_func("/media/egress/rtt", test_rtt);
    return g_test_run();
}
