/* SPDX-License-Identifier: MIT */
/* Media plane on real sockets (run inside tests/netns-run.sh), RTP header extensions: the
 * sdes:mid / rid / repaired-rid elements a sender writes never reach a receiver (blanked in
 * place, everything else byte for byte, with each endpoint's negotiated ids), a malformed
 * extension block is dropped and counted, and the bridge's transport-cc feedback tells a
 * sender about every transport-wide sequence number it stamped, while each receiver's copies
 * are renumbered in its own sequence space and its feedback feeds its bandwidth estimate. */
#include <string.h>

#include "common/rtp/rtcp.h"
#include "common/rtp/rtp.h"
#include "common/rtp/tcc.h"
#include "media-fixture.h"

static guint64 want_b_rtp, want_a_rtp;
static gboolean got_wanted(MediaFixture *f)
{
    SimPeerStats a, b;
    sim_peer_get_stats(f->peers[0], &a);
    sim_peer_get_stats(f->peers[1], &b);
    return a.rtp_received >= want_a_rtp && b.rtp_received >= want_b_rtp;
}

/* The clear packet the bridge must deliver: what the sender built, with the elements whose
 * ids are in @gone overwritten by zero bytes, and nothing else changed. */
static gsize expected_packet(guint8 *out, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
                             gsize payload_len, const PaHdrextWrite *el, guint n, gboolean two_byte,
                             const guint8 *gone, guint n_gone)
{
    guint8 block[256], payload[1200];
    guint16 profile = 0;
    gsize blen = pa_hdrext_write_block(block, sizeof block, two_byte, el, n, &profile);
    g_assert_cmpuint(blen, >, 0);
    gsize off = 0;
    for (guint i = 0; i < n; i++) {
        gsize size = (two_byte ? 2 : 1) + el[i].len;
        for (guint j = 0; j < n_gone; j++)
            if (el[i].id == gone[j])
                memset(block + off, 0, size);
        off += size;
    }
    for (gsize i = 0; i < payload_len; i++)
        payload[i] = (guint8)(seq + i);
    PaRtpBuild b = {.payload_type = pt,
                    .seq = seq,
                    .timestamp = ts,
                    .ssrc = ssrc,
                    .extension = TRUE,
                    .ext_profile = profile,
                    .ext = block,
                    .ext_len = blen,
                    .payload = payload,
                    .payload_len = payload_len};
    return pa_rtp_build(out, 1600, &b);
}

/* Byte for byte, except the transport-cc sequence number (id 5 here), which the bridge
 * renumbers in each receiver's own sequence space (test_egress_tcc checks it). */
static void assert_last_received(MediaFixture *f, guint peer, const guint8 *want, gsize want_len)
{
    gsize len;
    const guint8 *got = sim_peer_last_received(f->peers[peer], &len);
    g_assert_cmpuint(len, ==, want_len);
    guint8 copy[1600];
    memcpy(copy, got, len);
    PaRtpHeader h;
    PaHdrextElem e;
    g_assert_cmpint(pa_rtp_parse(want, want_len, &h), ==, PA_RTP_OK);
    if (pa_hdrext_find(want, &h, 5, &e) == PA_HDREXT_OK)
        memcpy(copy + e.offset, want + e.offset, e.len);
    g_assert_cmpmem(copy, len, want, want_len);
}

/* The transport-cc sequence number of the last packet @peer received. */
static guint16 received_tcc(MediaFixture *f, guint peer)
{
    gsize len;
    const guint8 *got = sim_peer_last_received(f->peers[peer], &len);
    PaRtpHeader h;
    PaHdrextElem e;
    guint16 seq = 0;
    g_assert_cmpint(pa_rtp_parse(got, len, &h), ==, PA_RTP_OK);
    g_assert_cmpint(pa_hdrext_find(got, &h, 5, &e), ==, PA_HDREXT_OK);
    g_assert_cmpint(pa_hdrext_read_tcc_seq(got, &e, &seq), ==, PA_HDREXT_OK);
    return seq;
}

static gboolean got_estimate(MediaFixture *f)
{
    BridgeMediaBwe bw;
    return bridge_media_endpoint_bwe(f->media, mf_handle(f, "b"), &bw);
}

/* Each receiver has its own transport-wide sequence space: whatever numbers the sender
 * stamped (jumps, wrap), the copies b gets carry consecutive numbers, and b's transport-cc
 * feedback about them feeds b's bandwidth estimate (every packet acknowledged). */
static void test_egress_tcc(void)
{
    MediaFixture f = {0};
    mf_start(&f, 2, 20, 20);
    mf_connect_two(&f);
    BridgeMediaBwe bw;
    g_assert_false(bridge_media_endpoint_bwe(f.media, mf_handle(&f, "b"), &bw));
    static const guint8 level[] = {0x80 | 25};
    static const guint16 sender_seqs[] = {1000, 1001, 40000, 7, 65535, 0, 3, 3};
    enum { N = G_N_ELEMENTS(sender_seqs) };
    guint16 got[N];
    for (guint i = 0; i < N; i++) {
        guint8 tcc[2] = {(guint8)(sender_seqs[i] >> 8), (guint8)sender_seqs[i]};
        PaHdrextWrite el[] = {{1, 1, level}, {5, 2, tcc}};
        SimPeerStats b;
        sim_peer_get_stats(f.peers[1], &b);
        want_b_rtp = b.rtp_received + 1;
        want_a_rtp = 0;
        g_assert_true(sim_peer_send_rtp_ext(f.peers[0], 0xA0, 111, (guint16)(300 + i), 960 * i, 60,
                                            el, G_N_ELEMENTS(el), FALSE));
        mf_pump_until(&f, got_wanted, 3000);
        g_assert_true(got_wanted(&f));
        got[i] = received_tcc(&f, 1);
        if (i)
            g_assert_cmpuint((guint16)(got[i - 1] + 1), ==, got[i]);
    }
    gint64 arr[N];
    for (guint i = 0; i < N; i++)
        arr[i] = 10000 + 5000 * (gint64)i;
    guint8 pkt[128];
    gsize len = pa_tcc_write(pkt, sizeof pkt, 0xB1, 0xA0, got[0], 0, arr, N, NULL);
    g_assert_cmpuint(len, >, 0);
    g_assert_true(sim_peer_send_rtcp(f.peers[1], pkt, len));
    mf_pump_until(&f, got_estimate, 3000);
    g_assert_true(bridge_media_endpoint_bwe(f.media, mf_handle(&f, "b"), &bw));
    g_assert_cmpuint(bw.estimate_bps, >=, 30000);
    g_assert_cmpuint(bw.packets_acked, ==, N);
    g_assert_cmpuint(bw.packets_lost, ==, 0);
    BridgeMediaStats st;
    bridge_media_get_stats(f.media, &st);
    g_assert_cmpuint(st.tcc_feedback_in, ==, 1);
    /* a got no feedback from anyone: no estimate. */
    g_assert_false(bridge_media_endpoint_bwe(f.media, mf_handle(&f, "a"), &bw));
    mf_free(&f);
}

/* A sender's sdes:mid (and rid / repaired-rid) never reaches a receiver: the elements are
 * overwritten with padding, the other extensions and the payload arrive byte for byte. The
 * ids are the sender's negotiated ones (bridge_media_endpoint_set_hdrext), Jitsi's by
 * default. */
static void test_hdrext_strip(void)
{
    MediaFixture f = {0};
    mf_start(&f, 2, 20, 20);
    mf_connect_two(&f);
    SimPeerStats a, b;
    BridgeMediaStats st0, st;
    bridge_media_get_stats(f.media, &st0);

    /* 1. a's first audio packets with Jicofo's default ids, as Chrome sends them. */
    static const guint8 level[] = {0x80 | 25}, mid_a[] = {'0'}, tcc[] = {0x01, 0x02},
                        ast[] = {0x0a, 0x0b, 0x0c}, mid_v[] = {'1'}, rid[] = {'h'}, rrid[] = {'h'};
    PaHdrextWrite ea[] = {{1, 1, level}, {10, 1, mid_a}, {5, 2, tcc}, {3, 3, ast}};
    sim_peer_get_stats(f.peers[1], &b);
    want_b_rtp = b.rtp_received + 1;
    want_a_rtp = 0;
    g_assert_true(
        sim_peer_send_rtp_ext(f.peers[0], 0xA0, 111, 100, 960, 60, ea, G_N_ELEMENTS(ea), FALSE));
    mf_pump_until(&f, got_wanted, 3000);
    g_assert_true(got_wanted(&f));
    guint8 want[1600];
    const guint8 gone_default[] = {10};
    gsize wlen = expected_packet(want, 0xA0, 111, 100, 960, 60, ea, G_N_ELEMENTS(ea), FALSE,
                                 gone_default, 1);
    assert_last_received(&f, 1, want, wlen);
    {
        /* And as a receiver reads it: no mid; level, transport-cc, abs-send-time intact. */
        gsize len;
        const guint8 *got = sim_peer_last_received(f.peers[1], &len);
        PaRtpHeader h;
        PaHdrextMap m;
        PaHdrextFound found;
        pa_hdrext_map_init_jitsi_defaults(&m);
        g_assert_cmpint(pa_rtp_parse(got, len, &h), ==, PA_RTP_OK);
        g_assert_cmpint(pa_hdrext_collect(got, &h, &m, &found), ==, PA_HDREXT_OK);
        g_assert_false(pa_hdrext_found_has(&found, PA_HDREXT_MID));
        g_assert_true(pa_hdrext_found_has(&found, PA_HDREXT_AUDIO_LEVEL));
        g_assert_true(pa_hdrext_found_has(&found, PA_HDREXT_TCC));
        g_assert_true(pa_hdrext_found_has(&found, PA_HDREXT_ABS_SEND_TIME));
    }

    /* 2. b negotiated rid 4 and repaired-rid 7 and sends the two-byte form (extmap-allow-
     *    mixed): mid, rid and repaired-rid go, transport-cc stays. */
    PaHdrextMap mb;
    pa_hdrext_map_init_jitsi_defaults(&mb);
    g_assert_true(pa_hdrext_map_set(&mb, PA_HDREXT_RID, 4));
    g_assert_true(pa_hdrext_map_set(&mb, PA_HDREXT_REPAIRED_RID, 7));
    bridge_media_endpoint_set_hdrext(f.media, mf_handle(&f, "b"), &mb);
    mf_pump_for(&f, 50);
    PaHdrextWrite eb[] = {{10, 1, mid_v}, {4, 1, rid}, {5, 2, tcc}, {7, 1, rrid}};
    sim_peer_get_stats(f.peers[0], &a);
    want_a_rtp = a.rtp_received + 1;
    want_b_rtp = 0;
    g_assert_true(
        sim_peer_send_rtp_ext(f.peers[1], 0xB1, 100, 200, 3000, 900, eb, G_N_ELEMENTS(eb), TRUE));
    mf_pump_until(&f, got_wanted, 3000);
    g_assert_true(got_wanted(&f));
    const guint8 gone_b[] = {10, 4, 7};
    wlen = expected_packet(want, 0xB1, 100, 200, 3000, 900, eb, G_N_ELEMENTS(eb), TRUE, gone_b,
                           G_N_ELEMENTS(gone_b));
    assert_last_received(&f, 0, want, wlen);

    /* 3. a's own map says mid is 9 and audio level 10: id 9 goes, id 10 stays. */
    PaHdrextMap ma;
    pa_hdrext_map_init(&ma);
    pa_hdrext_map_set(&ma, PA_HDREXT_MID, 9);
    pa_hdrext_map_set(&ma, PA_HDREXT_AUDIO_LEVEL, 10);
    bridge_media_endpoint_set_hdrext(f.media, mf_handle(&f, "a"), &ma);
    mf_pump_for(&f, 50);
    PaHdrextWrite ea2[] = {{10, 1, level}, {9, 1, mid_a}};
    sim_peer_get_stats(f.peers[1], &b);
    want_b_rtp = b.rtp_received + 1;
    want_a_rtp = 0;
    g_assert_true(
        sim_peer_send_rtp_ext(f.peers[0], 0xA0, 111, 101, 1920, 60, ea2, G_N_ELEMENTS(ea2), FALSE));
    mf_pump_until(&f, got_wanted, 3000);
    g_assert_true(got_wanted(&f));
    const guint8 gone_a[] = {9};
    wlen =
        expected_packet(want, 0xA0, 111, 101, 1920, 60, ea2, G_N_ELEMENTS(ea2), FALSE, gone_a, 1);
    assert_last_received(&f, 1, want, wlen);

    bridge_media_get_stats(f.media, &st);
    g_assert_cmpuint(st.hdrext_stripped - st0.hdrext_stripped, ==, 3);

    /* 4. A malformed block (an element running past its end) is dropped and counted, not
     *    forwarded for receivers to guess at; the next good packet flows. */
    static const guint8 bad[4] = {0x10, 0x9e, 0xA7, '0'}; /* level, then "mid" of 8 bytes */
    g_assert_true(sim_peer_send_rtp_block(f.peers[0], 0xA0, 111, 102, 2880, 60, bad, sizeof bad,
                                          PA_HDREXT_PROFILE_ONE_BYTE));
    mf_send_rounds(&f, 5);
    bridge_media_get_stats(f.media, &st);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_MALFORMED] - st0.drops[BRIDGE_DROP_MALFORMED], ==, 1);
    sim_peer_get_stats(f.peers[1], &b);
    g_assert_cmpuint(b.rtp_received, ==, want_b_rtp + 10);
    g_assert_cmpuint(st.hdrext_stripped - st0.hdrext_stripped, ==, 3);
    mf_free(&f);
}

/* Transport-cc: a sender stamping transport-wide sequence numbers (what Chromium does when the
 * focus offers transport-cc) gets the bridge's feedback about every one of them, about every
 * 50 ms: received ones with their arrival time (the kernel's receive timestamp on this
 * process's monotonic clock, which the bridge uses too, so arrival minus send time is the
 * one-way delay on loopback, however late the worker reads the socket), lost ones as
 * "not received", across the 16-bit wrap. A receiver's own transport-cc feedback is consumed,
 * never forwarded to the sender. */
static void test_transport_cc(void)
{
    MediaFixture f = {0};
    f.peer_options.track_tcc = TRUE;
    mf_start(&f, 2, 20, 20);
    mf_connect_two(&f);
    const guint16 first = 65300; /* wraps after 236 packets */
    sim_peer_enable_tcc(f.peers[0], 5, first);
    const guint n = 400;
    guint16 tseq = first;
    gint64 t0 = g_get_monotonic_time();
    for (guint i = 0; i < n; i++) {
        if (i % 50 == 25) {
            sim_peer_tcc_skip(f.peers[0], 2); /* two packets "lost" on the way */
            tseq += 2;
        }
        g_assert_true(sim_peer_send_rtp(f.peers[0], (i % 5) ? 0xA1 : 0xA0, (i % 5) ? 100 : 111,
                                        f.seq_a++, i * 960, 600, -1));
        tseq++;
        while (g_main_context_iteration(f.ctx, FALSE))
            ;
        g_usleep(1000);
    }
    gint64 span = g_get_monotonic_time() - t0;
    mf_pump_for(&f, 200);
    SimPeerStats a, b;
    sim_peer_get_stats(f.peers[0], &a);
    sim_peer_get_stats(f.peers[1], &b);
    /* One feedback per 50 ms tick while packets arrive (a few more when a tick is late). */
    g_assert_cmpuint(a.tcc_feedback_received, >=, span / 100000);
    g_assert_cmpuint(a.tcc_feedback_received, <=, span / 40000 + 4);
    g_assert_cmpuint(a.tcc_feedback_malformed, ==, 0);
    g_assert_cmpuint(a.tcc_fb_count_gaps, ==, 0);
    g_assert_true(a.tcc_last_media_ssrc == 0xA0 || a.tcc_last_media_ssrc == 0xA1);
    guint32 bridge_ssrc = a.tcc_last_sender_ssrc;
    g_assert_cmphex(bridge_ssrc, !=, 0xA0);
    g_assert_cmphex(bridge_ssrc, !=, 0xA1);
    g_assert_cmphex(bridge_ssrc, !=, 0xB1);
    g_assert_cmpuint(b.tcc_feedback_received, ==, 0); /* b sent no transport-cc */
    const gint64 period = G_GINT64_CONSTANT(64000) << 24;
    guint received = 0, lost = 0, late = 0;
    for (guint16 s = first; s != tseq; s++) {
        gint64 sent = sim_peer_tcc_sent_us(f.peers[0], s);
        gint64 rep = sim_peer_tcc_report(f.peers[0], s);
        g_assert_cmpint(rep, !=, SIM_PEER_TCC_UNREPORTED);
        if (sent < 0) {
            g_assert_cmpint(rep, ==, PA_TCC_NOT_RECEIVED);
            lost++;
            continue;
        }
        g_assert_cmpint(rep, !=, PA_TCC_NOT_RECEIVED);
        /* one-way delay: reported arrival (rounded down to 250 us) minus send time */
        gint64 delay = ((rep - sent) % period + period + period / 2) % period - period / 2;
        if (delay < -250 || delay > 200000)
            g_error("seq %u: reported arrival %" G_GINT64_FORMAT " us after sending", s, delay);
        if (delay > 2000)
            late++;
        received++;
    }
    /* Arrival times are the kernel's, not when the worker got round to the datagram: on
     * loopback a packet is in the socket's queue as soon as sendto returns, so a busy machine
     * delaying the worker must not show in them. */
    g_printerr("# %u of %u arrivals reported more than 2 ms after sending\n", late, received);
    g_assert_cmpuint(late, <=, received / 10);
    g_assert_cmpuint(received, ==, n);
    g_assert_cmpuint(lost, ==, 2 * (n / 50));
    g_assert_cmpint(sim_peer_tcc_report(f.peers[0], tseq), ==, SIM_PEER_TCC_UNREPORTED);
    BridgeMediaStats st;
    bridge_media_get_stats(f.media, &st);
    g_assert_cmpuint(st.tcc_feedback_sent, ==, a.tcc_feedback_received);
    g_assert_cmpuint(st.rx_untimed, ==, 0);

    /* b's own transport-cc feedback about a's packets stops at the bridge. */
    gint64 arr[3] = {1000, 2000, 3000};
    guint8 pkt[64];
    gsize len = pa_tcc_write(pkt, sizeof pkt, 0xB1, 0xA1, 7, 0, arr, 3, NULL);
    g_assert_cmpuint(len, >, 0);
    g_assert_true(sim_peer_send_rtcp(f.peers[1], pkt, len));
    mf_pump_for(&f, 200);
    sim_peer_get_stats(f.peers[0], &a);
    g_assert_cmphex(a.tcc_last_sender_ssrc, ==, bridge_ssrc);
    g_assert_cmpuint(a.tcc_feedback_received, ==, st.tcc_feedback_sent);
    mf_free(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/media/hdrext-strip", test_hdrext_strip);
    g_test_add_func("/media/transport-cc", test_transport_cc);
    g_test_add_func("/media/transport-cc-egress", test_egress_tcc);
    return g_test_run();
}
