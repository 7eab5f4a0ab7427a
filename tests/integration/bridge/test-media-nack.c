/* SPDX-License-Identifier: MIT */
/* Retransmissions across media workers (run inside tests/netns-run.sh): a BridgeMedia with two
 * workers and two simulated clients (media-fixture.h) on different workers, a sending a VP8
 * source the bridge projects for b. b loses a packet and NACKs it: the bridge answers from
 * b's worker's own copy of a's packets (its mirror of what came through the inbox), as RTX on
 * the RTX SSRC b was told, with the original sequence number in front of the very payload b
 * got; a (the sender) never sees the NACK. A packet older than the cache's max age is not
 * sent again, and counted. When b stops receiving the source, b's worker frees its copy. */
#include <string.h>

#include "common/rtp/bytes.h"
#include "common/rtp/rtcp.h"
#include "common/rtp/rtp.h"
#include "media-fixture.h"
#include "tests/unit/bridge/forward/sim-stream.h"

#define A_VIDEO 0xA1
#define A_RTX 0xA2
#define PT_VP8 100
#define PT_RTX 96

typedef struct {
    guint media, rtx;
    guint8 last[1500];
    gsize last_len;
    guint8 rtx_pkt[1500];
    gsize rtx_len;
} Got;

static Got got_b;

static void on_rtp_b(const guint8 *pkt, gsize len, gpointer data)
{
    Got *g = data;
    PaRtpHeader h;
    if (pa_rtp_parse(pkt, len, &h) != PA_RTP_OK || len > sizeof g->last)
        return;
    if (h.payload_type == PT_RTX) {
        g->rtx++;
        memcpy(g->rtx_pkt, pkt, len);
        g->rtx_len = len;
    } else if (h.ssrc == A_VIDEO && h.payload_type == PT_VP8) {
        g->media++;
        memcpy(g->last, pkt, len);
        g->last_len = len;
    }
}

static gboolean b_got_media(MediaFixture *f)
{
    (void)f;
    return got_b.media >= 20;
}

static gboolean b_got_rtx(MediaFixture *f)
{
    (void)f;
    return got_b.rtx > 0;
}

static void send_frames(MediaFixture *f, SimVp8 *e, guint frames)
{
    for (guint i = 0; i < frames; i++) {
        SimPkt pkts[8];
        unsigned n = 0;
        sim_vp8_frame(e, i == 0, pkts, &n, G_N_ELEMENTS(pkts));
        for (unsigned k = 0; k < n; k++)
            g_assert_true(sim_peer_send_rtp_packet(f->peers[0], pkts[k].data, pkts[k].len));
        mf_pump_for(f, 5);
    }
}

static gboolean no_mirrors(MediaFixture *f)
{
    BridgeMediaStats st;
    bridge_media_get_stats(f->media, &st);
    return st.rtx_mirrors == 0;
}

static void test_nack_across_workers(void)
{
    MediaFixture f;
    mf_start(&f, 2, 30, 30);
    mf_connect_two(&f);
    BridgeHandle a = mf_handle(&f, "a"), b = mf_handle(&f, "b");
    g_assert_cmpuint(bridge_media_endpoint_worker(f.media, a), !=,
                     bridge_media_endpoint_worker(f.media, b));
    sim_peer_set_rtp_handler(f.peers[1], on_rtp_b, &got_b);

    /* a's camera: one VP8 encoding with its RTX; b gets it (base temporal layer and up). */
    BridgeMediaVideoSource src = {.vidx = 0, .n_encodings = 1, .ssrcs = {A_VIDEO}, .rtx = {A_RTX}};
    guint8 codec_by_pt[128] = {0}, rtx_by_apt[128] = {0};
    codec_by_pt[PT_VP8] = BRIDGE_CODEC_VP8;
    rtx_by_apt[PT_VP8] = PT_RTX;
    bridge_media_endpoint_set_video(f.media, a, &src, 1, codec_by_pt, rtx_by_apt);
    BridgeMediaTarget t = {.vidx = 0,
                           .primary_ssrc = A_VIDEO,
                           .ssrcs = {A_VIDEO},
                           .rtx_ssrc = A_RTX,
                           .target = {.enc = 0, .sid = 0, .tid = 2}};
    bridge_media_endpoint_set_targets(f.media, b, &t, 1);
    mf_pump_for(&f, 200);

    SimVp8 e;
    sim_vp8_init(&e, A_VIDEO, 0, 3000, 90000, 100, 7);
    send_frames(&f, &e, 30);
    mf_pump_until(&f, b_got_media, 10000);
    g_assert_cmpuint(got_b.media, >=, 20);

    /* b "loses" the last packet it got and asks for it again. */
    guint8 orig[1500];
    gsize olen = got_b.last_len;
    memcpy(orig, got_b.last, olen);
    PaRtpHeader oh;
    g_assert_cmpint(pa_rtp_parse(orig, olen, &oh), ==, PA_RTP_OK);
    BridgeMediaStats st0;
    bridge_media_get_stats(f.media, &st0);
    SimPeerStats sa0;
    sim_peer_get_stats(f.peers[0], &sa0);
    guint8 nack[64];
    gsize n = pa_rtcp_write_nack(nack, sizeof nack, 0xB1, A_VIDEO, &oh.seq, 1, NULL);
    g_assert_cmpuint(n, >, 0);
    g_assert_true(sim_peer_send_rtcp(f.peers[1], nack, n));
    mf_pump_until(&f, b_got_rtx, 10000);
    g_assert_cmpuint(got_b.rtx, ==, 1);
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(got_b.rtx_pkt, got_b.rtx_len, &h), ==, PA_RTP_OK);
    g_assert_cmphex(h.ssrc, ==, A_RTX);
    g_assert_cmpuint(h.timestamp, ==, oh.timestamp);
    g_assert_cmpuint(h.payload_len, ==, oh.payload_len + 2);
    const guint8 *p = got_b.rtx_pkt + h.payload_offset;
    g_assert_cmpuint(pa_rd16(p), ==, oh.seq);
    g_assert_cmpmem(p + 2, h.payload_len - 2, orig + oh.payload_offset, oh.payload_len);
    mf_pump_for(&f, 100);
    BridgeMediaStats st1;
    bridge_media_get_stats(f.media, &st1);
    SimPeerStats sa1;
    sim_peer_get_stats(f.peers[0], &sa1);
    g_assert_cmpuint(st1.rtx_sent, ==, st0.rtx_sent + 1);
    g_assert_cmpuint(st1.rtx_missed, ==, st0.rtx_missed);
    g_assert_cmpuint(st1.nacks_forwarded, ==, st0.nacks_forwarded);
    g_assert_cmpuint(sa1.nack_received, ==, sa0.nack_received); /* the sender is not asked */

    /* More than a second later the packet is too old to help: not sent, counted as missed. */
    mf_pump_for(&f, 1300);
    g_assert_true(sim_peer_send_rtcp(f.peers[1], nack, n));
    mf_pump_for(&f, 300);
    bridge_media_get_stats(f.media, &st1);
    g_assert_cmpuint(got_b.rtx, ==, 1);
    g_assert_cmpuint(st1.rtx_missed, ==, st0.rtx_missed + 1);

    /* b's worker kept one mirror (a's camera) while b received it; b no longer receives
     * any video: the mirror goes. */
    g_assert_cmpuint(st1.rtx_mirrors, ==, 1);
    bridge_media_endpoint_set_targets(f.media, b, NULL, 0);
    mf_pump_until(&f, no_mirrors, 10000);
    bridge_media_get_stats(f.media, &st1);
    g_assert_cmpuint(st1.rtx_mirrors, ==, 0);
    mf_free(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/media/nack-across-workers", test_nack_across_workers);
    return g_test_run();
}
