/* SPDX-License-Identifier: MIT */
/* Media plane on real sockets (run inside tests/netns-run.sh): a BridgeMedia with two workers
 * and two simulated clients (media-fixture.h), endpoints on different workers so that every
 * packet crosses the inbox ring. Forwarding, RTCP routing (PLI rate limit, FIR, NACK, SR, the
 * bridge's own RRs), drop counters for garbage and replays, datagrams from unvalidated
 * addresses dropped and counted before any endpoint sees them, endpoint expiry and shutdown
 * with DTLS close_notify. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/rtp/rtcp.h"
#include "media-fixture.h"

static gboolean peer_a_closed(MediaFixture *f)
{
    return sim_peer_dtls_closed(f->peers[0]);
}

static gboolean peer_b_closed(MediaFixture *f)
{
    return sim_peer_dtls_closed(f->peers[1]);
}

/* Both clients connected: every RTP packet reaches the other one, none is lost on loopback. */
static void check_forwarding(MediaFixture *f)
{
    BridgeMediaStats st;
    bridge_media_get_stats(f->media, &st);
    g_assert_cmpuint(st.endpoints, ==, 2);
    g_assert_cmpuint(st.endpoints_connected, ==, 2);
    g_assert_cmpuint(st.conferences, ==, 1);

    mf_send_rounds(f, 200);
    SimPeerStats a, b;
    sim_peer_get_stats(f->peers[0], &a);
    sim_peer_get_stats(f->peers[1], &b);
    g_assert_cmpuint(a.rtp_received, ==, 400); /* loopback: nothing lost */
    g_assert_cmpuint(b.rtp_received, ==, 400);
    g_assert_true(a.last_ssrc == 0xB0 || a.last_ssrc == 0xB1);
    g_assert_true(b.last_ssrc == 0xA0 || b.last_ssrc == 0xA1);
    g_assert_cmpuint(a.unprotect_failures + b.unprotect_failures, ==, 0);
    bridge_media_get_stats(f->media, &st);
    g_assert_cmpuint(st.rtp_forwarded, ==, 800);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_QUEUE_FULL], ==, 0);
}

/* Feedback goes to the sender of the media SSRC (keyframe requests rate-limited), sender
 * reports to the receivers, and the bridge sends its own receiver reports. */
static void check_rtcp_routing(MediaFixture *f)
{
    SimPeerStats a, b;
    BridgeMediaStats st;
    /* PLI from b about a's video: forwarded once, repeats within 250 ms are absorbed. */
    guint8 pkt[64];
    gsize n = pa_rtcp_write_pli(pkt, sizeof pkt, 0xB1, 0xA1);
    for (int i = 0; i < 3; i++)
        g_assert_true(sim_peer_send_rtcp(f->peers[1], pkt, n));
    mf_pump_for(f, 100);
    sim_peer_get_stats(f->peers[0], &a);
    g_assert_cmpuint(a.pli_received, ==, 1);
    mf_pump_for(f, 250);
    g_assert_true(sim_peer_send_rtcp(f->peers[1], pkt, n));
    mf_pump_for(f, 100);
    sim_peer_get_stats(f->peers[0], &a);
    g_assert_cmpuint(a.pli_received, ==, 2);
    /* FIR from a about b's video reaches b as a FIR. */
    PaRtcpFirEntry fe = {.ssrc = 0xB1, .seq_nr = 1};
    n = pa_rtcp_write_fir(pkt, sizeof pkt, 0xA1, &fe, 1);
    g_assert_true(sim_peer_send_rtcp(f->peers[0], pkt, n));
    /* NACK from a about b's video reaches b. */
    guint16 lost[] = {5001, 5003};
    n = pa_rtcp_write_nack(pkt, sizeof pkt, 0xA1, 0xB1, lost, 2, NULL);
    g_assert_true(sim_peer_send_rtcp(f->peers[0], pkt, n));
    /* SR from a reaches b. */
    PaRtcpSr sr = {.ssrc = 0xA1, .ntp = G_GUINT64_CONSTANT(0x1234567890abcdef), .rtp_ts = 5};
    n = pa_rtcp_write_sr(pkt, sizeof pkt, &sr, NULL, 0);
    g_assert_true(sim_peer_send_rtcp(f->peers[0], pkt, n));
    /* PLI for an SSRC nobody sends: dropped as no_receiver. */
    n = pa_rtcp_write_pli(pkt, sizeof pkt, 0xB1, 0xDEAD);
    g_assert_true(sim_peer_send_rtcp(f->peers[1], pkt, n));
    mf_pump_for(f, 1300); /* and the bridge's own RRs (one per second) */
    sim_peer_get_stats(f->peers[0], &a);
    sim_peer_get_stats(f->peers[1], &b);
    g_assert_cmpuint(b.fir_received, ==, 1);
    g_assert_cmpuint(b.nack_received, ==, 1);
    g_assert_cmpuint(b.sr_received, ==, 1);
    g_assert_cmpuint(a.sr_received, ==, 0);
    g_assert_cmpuint(a.rr_received, >=, 1);
    g_assert_true(a.rr_last_ssrc_reported == 0xA0 || a.rr_last_ssrc_reported == 0xA1);
    g_assert_cmpuint(a.rr_last_ext_seq, ==, f->seq_a - 1);
    bridge_media_get_stats(f->media, &st);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_NO_RECEIVER], ==, 1);
    g_assert_cmpuint(st.keyframe_requests, ==, 3); /* 2 PLI + 1 FIR reached a sender */
    g_assert_cmpuint(st.nacks_forwarded, ==, 1);
    g_assert_cmpuint(st.sr_forwarded, ==, 1);
    g_assert_cmpuint(st.rr_sent, >=, 2); /* one per sender per second */
    g_assert_cmpuint(st.rtcp_in, >=, 8);
}

/* Garbage and replays on a's validated pair: counted, and media keeps flowing. Copies the
 * last datagram a sent to @replay (for the next step). */
static void check_drops(MediaFixture *f, guint8 *replay, gsize *replay_len)
{
    SimPeerStats b;
    BridgeMediaStats st;
    bridge_media_get_stats(f->media, &st);
    guint64 auth0 = st.drops[BRIDGE_DROP_SRTP_AUTH], rep0 = st.drops[BRIDGE_DROP_SRTP_REPLAY],
            mal0 = st.drops[BRIDGE_DROP_MALFORMED];
    gsize last_len;
    const guint8 *last = sim_peer_last_sent(f->peers[0], &last_len);
    memcpy(replay, last, last_len);
    *replay_len = last_len;
    for (int i = 0; i < 5; i++)
        g_assert_true(sim_peer_send_raw(f->peers[0], replay, last_len));
    guint8 junk[200];
    for (gsize i = 0; i < sizeof junk; i++)
        junk[i] = (guint8)g_random_int();
    junk[0] = 0x80; /* looks like RTP v2: fails authentication */
    junk[1] = 100;
    for (int i = 0; i < 7; i++)
        g_assert_true(sim_peer_send_raw(f->peers[0], junk, sizeof junk));
    junk[0] = 0xff; /* no RFC 7983 class at all */
    for (int i = 0; i < 3; i++)
        g_assert_true(sim_peer_send_raw(f->peers[0], junk, sizeof junk));
    mf_send_rounds(f, 50);
    bridge_media_get_stats(f->media, &st);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_SRTP_REPLAY] - rep0, ==, 5);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_SRTP_AUTH] - auth0, ==, 7);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_MALFORMED] - mal0, ==, 3);
    sim_peer_get_stats(f->peers[1], &b);
    g_assert_cmpuint(b.rtp_received, ==, 500);
}

/* The counters of the drops an endpoint's path makes (none of these may move for junk from
 * an unknown address: it never reaches an endpoint). */
static guint64 endpoint_drops(const BridgeMediaStats *st)
{
    return st->drops[BRIDGE_DROP_SRTP_AUTH] + st->drops[BRIDGE_DROP_SRTP_REPLAY] +
           st->drops[BRIDGE_DROP_MALFORMED] + st->drops[BRIDGE_DROP_NOT_READY] +
           st->drops[BRIDGE_DROP_DTLS];
}

/* Sends a replayed SRTP packet and junk from @s to the media port, 10 of each, and checks they
 * are all dropped as from an unknown address, before any endpoint's SRTP sees them. */
static void junk_from(MediaFixture *f, int s, const guint8 *replay, gsize last_len)
{
    BridgeMediaStats st;
    bridge_media_get_stats(f->media, &st);
    guint64 unknown0 = st.drops[BRIDGE_DROP_UNKNOWN_ADDRESS], ep0 = endpoint_drops(&st);
    SimPeerStats b0, b1;
    sim_peer_get_stats(f->peers[1], &b0);
    guint8 junk[200];
    memset(junk, 0xff, sizeof junk);
    struct sockaddr_in to = {.sin_family = AF_INET};
    to.sin_port = htons(bridge_media_port(f->media));
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    for (int i = 0; i < 10; i++) {
        g_assert_cmpint(sendto(s, replay, last_len, 0, (struct sockaddr *)&to, sizeof to), ==,
                        (ssize_t)last_len);
        g_assert_cmpint(sendto(s, junk, sizeof junk, 0, (struct sockaddr *)&to, sizeof to), ==,
                        (ssize_t)sizeof junk);
    }
    gint64 end = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    do {
        mf_pump_for(f, 20);
        bridge_media_get_stats(f->media, &st);
    } while (st.drops[BRIDGE_DROP_UNKNOWN_ADDRESS] - unknown0 < 20 && g_get_monotonic_time() < end);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_UNKNOWN_ADDRESS] - unknown0, ==, 20);
    g_assert_cmpuint(endpoint_drops(&st), ==, ep0);
    sim_peer_get_stats(f->peers[1], &b1);
    g_assert_cmpuint(b1.rtp_received, ==, b0.rtp_received); /* the replay went nowhere */
}

/* Datagrams from an address ICE never validated are dropped (counted as unknown_address)
 * before any endpoint's work, even when that address is one of a's signalled candidates. */
static void check_unvalidated(MediaFixture *f, const guint8 *replay, gsize last_len)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    junk_from(f, s, replay, last_len);

    /* Now the same socket is signalled as one of a's candidates (trickled) but never answers
     * ICE checks: it is still nobody's. */
    struct sockaddr_in me;
    socklen_t me_len = sizeof me;
    getsockname(s, (struct sockaddr *)&me, &me_len);
    PaTransport tr;
    pa_transport_init(&tr);
    PaIceCandidate pc = {.component = 1, .priority = 2000000000, .port = ntohs(me.sin_port)};
    strcpy(pc.foundation, "9");
    strcpy(pc.protocol, "udp");
    strcpy(pc.ip, "127.0.0.1");
    strcpy(pc.type, "host");
    g_array_append_val(tr.candidates, pc);
    bridge_media_endpoint_set_remote(f->media, mf_handle(f, "a"), &tr);
    pa_transport_clear(&tr);
    mf_pump_for(f, 100);
    junk_from(f, s, replay, last_len);
    close(s);
}

/* Expiry and shutdown tell the clients at once. */
static void check_expiry(MediaFixture *f)
{
    BridgeMediaStats st;
    /* Expiring a leaves b alone in the conference, and tells a's client at once (DTLS
     * close_notify) instead of leaving it to notice when ICE consent runs out. */
    g_assert_false(sim_peer_dtls_closed(f->peers[0]));
    bridge_media_endpoint_expire(f->media, mf_handle(f, "a"));
    bridge_media_get_stats(f->media, &st);
    g_assert_cmpuint(st.endpoints, ==, 1);
    g_assert_cmpuint(st.conferences, ==, 1);
    mf_pump_until(f, peer_a_closed, 2000);
    g_assert_true(sim_peer_dtls_closed(f->peers[0]));
    g_assert_false(sim_peer_dtls_closed(f->peers[1]));
    mf_pump_for(f, 100);
    bridge_media_get_stats(f->media, &st);
    g_assert_cmpuint(st.endpoints_connected, ==, 1);
    g_assert_cmpint(f->eps[0].failed + f->eps[0].timeouts + f->eps[1].failed + f->eps[1].timeouts,
                    ==, 0);
    g_assert_false(sim_peer_failed(f->peers[0]) || sim_peer_failed(f->peers[1]));

    /* Stopping the media plane says goodbye to b as well. */
    bridge_media_free(f->media);
    f->media = NULL;
    mf_pump_until(f, peer_b_closed, 2000);
    g_assert_true(sim_peer_dtls_closed(f->peers[1]));
}

static void test_forward(void)
{
    MediaFixture f = {0};
    mf_start(&f, 2, 20, 20);
    mf_connect_two(&f);
    check_forwarding(&f);
    check_rtcp_routing(&f);
    guint8 replay[1600];
    gsize replay_len;
    check_drops(&f, replay, &replay_len);
    check_unvalidated(&f, replay, replay_len);
    check_expiry(&f);
    mf_free(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/media/forward", test_forward);
    return g_test_run();
}
