/* SPDX-License-Identifier: MIT */
/* Media plane on real sockets (run inside tests/netns-run.sh), the single media port and the
 * bridge's own ICE: many endpoints of two conferences on one port, each datagram demultiplexed
 * to the right one; a connectivity check that names another endpoint's ufrag (or the right one
 * with the wrong key) refused with 401, counted, and no flow moved; junk of every kind from
 * unknown addresses dropped and counted by reason before any endpoint sees it; a peer whose
 * NAT rebinds (same credentials, new address) followed, as a controlled and as a controlling
 * peer; a keyframe asked of the senders as soon as a new receiver is up; and an endpoint
 * sending new SSRCs beyond its source table refused (ssrc_limit) without SRTP streams. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "media-fixture.h"

static guint64 drops(MediaFixture *f, BridgeDropReason r)
{
    BridgeMediaStats st;
    bridge_media_get_stats(f->media, &st);
    return st.drops[r];
}

/* Pumps until drops(@r) reached @want (or a generous deadline). */
static void wait_drops(MediaFixture *f, BridgeDropReason r, guint64 want)
{
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (drops(f, r) < want && g_get_monotonic_time() < end)
        mf_pump_for(f, 10);
    g_assert_cmpuint(drops(f, r), ==, want);
}

static guint64 rtp_received(MediaFixture *f, guint i)
{
    SimPeerStats s;
    sim_peer_get_stats(f->peers[i], &s);
    return s.rtp_received;
}

/* ---- two conferences, twenty endpoints, one port ---- */

#define PER_CONF 10
#define ROUNDS 5

static guint32 ssrc_of(guint i)
{
    return 0x10000 + i;
}

static gboolean all_received(MediaFixture *f)
{
    for (guint i = 0; i < 2 * PER_CONF; i++)
        if (rtp_received(f, i) < (PER_CONF - 1) * ROUNDS)
            return FALSE;
    return TRUE;
}

static void test_demux_many(void)
{
    MediaFixture f = {0};
    mf_start(&f, 2, 30, 30); /* conference_pack 1: both conferences spread over both workers */
    for (guint i = 0; i < 2 * PER_CONF; i++) {
        char name[8];
        g_snprintf(name, sizeof name, "e%02u", i);
        mf_create(&f, i < PER_CONF ? "red" : "blue", name);
        BridgeMediaSsrc ss = {ssrc_of(i), FALSE};
        bridge_media_endpoint_set_ssrcs(f.media, f.eps[i].handle, &ss, 1);
    }
    mf_connect_range(&f, 0, 2 * PER_CONF);
    BridgeMediaStats st;
    bridge_media_get_stats(f.media, &st);
    g_assert_cmpuint(st.endpoints_connected, ==, 2 * PER_CONF);
    g_assert_cmpuint(st.flows, >=, 2 * PER_CONF);
    guint on[2] = {0, 0};
    for (guint i = 0; i < 2 * PER_CONF; i++)
        on[bridge_media_endpoint_worker(f.media, f.eps[i].handle)]++;
    g_assert_cmpuint(on[0], >, 0);
    g_assert_cmpuint(on[1], >, 0);

    mf_pump_for(&f, 100); /* the steering program follows the new flows within milliseconds */
    BridgeMediaStats before;
    bridge_media_get_stats(f.media, &before);
    for (guint r = 0; r < ROUNDS; r++) {
        for (guint i = 0; i < 2 * PER_CONF; i++)
            g_assert_true(sim_peer_send_rtp(f.peers[i], ssrc_of(i), 111, (guint16)(100 + r),
                                            r * 960, 60, 40));
        mf_pump_for(&f, 5);
    }
    mf_pump_until(&f, all_received, 10000);
    mf_pump_for(&f, 200); /* anything misrouted would arrive too */
    for (guint i = 0; i < 2 * PER_CONF; i++) {
        SimPeerStats s;
        sim_peer_get_stats(f.peers[i], &s);
        guint first = i < PER_CONF ? 0 : PER_CONF;
        guint64 want_sum = 0;
        for (guint j = first; j < first + PER_CONF; j++)
            if (j != i)
                want_sum += (guint64)ssrc_of(j) * ROUNDS;
        /* Exactly the others of its own conference, each ROUNDS times. */
        g_assert_cmpuint(s.rtp_received, ==, (PER_CONF - 1) * ROUNDS);
        g_assert_cmpuint(s.ssrc_sum, ==, want_sum);
        g_assert_cmpuint(s.unprotect_failures, ==, 0);
    }
    bridge_media_get_stats(f.media, &st);
    g_assert_cmpuint(st.rtp_forwarded, ==, 2 * PER_CONF * (PER_CONF - 1) * ROUNDS);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_UNKNOWN_ADDRESS], ==, 0);
    g_assert_cmpuint(st.port, ==, MF_PORT);
    g_test_message("handed over between workers: %" G_GUINT64_FORMAT
                   " while connecting, %" G_GUINT64_FORMAT " while forwarding (steering %s)",
                   before.handed_over, st.handed_over - before.handed_over,
                   st.steering ? "on" : "off");
    /* With the kernel steering each flow to its endpoint's worker, media is read where it is
     * processed: no datagram of the forwarding rounds needed a hand-over. */
    if (st.steering)
        g_assert_cmpuint(st.handed_over, ==, before.handed_over);
    mf_free(&f);
}

/* ---- refused checks ---- */

static void test_foreign_username(void)
{
    MediaFixture f = {0};
    mf_start(&f, 2, 30, 30);
    mf_connect_two(&f);
    mf_send_rounds(&f, 10);
    SimPeerWire wa, wb;
    g_assert_true(sim_peer_take_over(f.peers[0], &wa));
    g_assert_true(sim_peer_take_over(f.peers[1], &wb));
    const PaTransport *ta = &f.eps[0].local, *tb = &f.eps[1].local;
    guint64 auth0 = drops(&f, BRIDGE_DROP_STUN_AUTH);

    /* b's peer names a's ufrag, but can only sign with what it knows (its own endpoint's
     * password): refused, 401. */
    g_assert_true(sim_peer_wire_check(f.peers[1], ta->ufrag, tb->pwd, TRUE, TRUE));
    sim_peer_wire_poll(f.peers[1], 300);
    SimPeerWireStats ws;
    sim_peer_wire_stats(f.peers[1], &ws);
    g_assert_cmpuint(ws.responses_error, ==, 1);
    g_assert_cmpint(ws.last_error, ==, 401);
    g_assert_cmpuint(ws.responses_ok, ==, 0);
    wait_drops(&f, BRIDGE_DROP_STUN_AUTH, auth0 + 1);
    /* Its own ufrag with the right key but claiming to be another peer (a's ufrag in the
     * second half is not b's peer): refused too. */
    guint64 unknown0 = drops(&f, BRIDGE_DROP_STUN_UNKNOWN_USER);
    g_assert_true(sim_peer_wire_check(f.peers[1], "AAAAAAAAAAAAAAAA", tb->pwd, TRUE, TRUE));
    wait_drops(&f, BRIDGE_DROP_STUN_UNKNOWN_USER, unknown0 + 1);

    /* Nothing moved: a's media still reaches a's peer, b's reaches b's. */
    /* (the wire's SRTP sessions are new: sequence numbers go on after the libnice ones) */
    g_assert_true(sim_peer_wire_send_rtp(f.peers[1], 0xB0, 111, (guint16)(f.seq_b + 100), 0, 50));
    g_assert_true(sim_peer_wire_send_rtp(f.peers[0], 0xA0, 111, (guint16)(f.seq_a + 100), 0, 50));
    sim_peer_wire_poll(f.peers[0], 200);
    sim_peer_wire_poll(f.peers[1], 200);
    SimPeerWireStats sa, sb;
    sim_peer_wire_stats(f.peers[0], &sa);
    sim_peer_wire_stats(f.peers[1], &sb);
    g_assert_cmpuint(sa.rtp, ==, 1);
    g_assert_cmpuint(sa.last_ssrc, ==, 0xB0);
    g_assert_cmpuint(sb.rtp, ==, 1);
    g_assert_cmpuint(sb.last_ssrc, ==, 0xA0);

    /* A correctly signed check from b's peer is answered. */
    g_assert_true(sim_peer_wire_check(f.peers[1], tb->ufrag, tb->pwd, FALSE, FALSE));
    sim_peer_wire_poll(f.peers[1], 300);
    sim_peer_wire_stats(f.peers[1], &sb);
    g_assert_cmpuint(sb.responses_ok, ==, 1);
    mf_free(&f);
}

/* ---- junk from unknown addresses ---- */

static void send_junk(guint16 port, const guint8 *buf, gsize len, guint times)
{
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    for (guint i = 0; i < times; i++)
        g_assert_cmpint(sendto(s, buf, len, 0, (struct sockaddr *)&to, sizeof to), ==,
                        (ssize_t)len);
    close(s);
}

static void test_junk(void)
{
    MediaFixture f = {0};
    mf_start(&f, 2, 30, 30);
    mf_connect_two(&f);
    guint16 port = (guint16)bridge_media_port(f.media);
    BridgeMediaStats st0, st;
    bridge_media_get_stats(f.media, &st0);

    guint8 rtp[200];
    memset(rtp, 0x5a, sizeof rtp);
    rtp[0] = 0x80;
    send_junk(port, rtp, sizeof rtp, 25); /* SRTP-looking, unknown address */
    guint8 stun_short[10] = {0, 1, 0, 0};
    send_junk(port, stun_short, sizeof stun_short, 3); /* STUN first byte, not STUN */
    /* A well-formed binding request without USERNAME. */
    guint8 bind[20] = {0x00, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 1,  2,
                       3,    4,    5,    6,    7,    8,    9,    10,   11, 12};
    send_junk(port, bind, sizeof bind, 4);
    /* With a USERNAME that is no ufrag of ours (and no integrity). */
    guint8 user[32] = {0x00, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42, 9,   9,    9,
                       9,    9,    9,    9,    9,    9,    9,    9,    9,   0x00, 0x06,
                       0x00, 0x08, 'n',  'o',  'b',  'o',  'd',  'y',  ':', 'x'};
    send_junk(port, user, sizeof user, 5);
    /* A success response to a check nobody sent, from an unknown address. */
    guint8 resp[20] = {0x01, 0x01, 0x00, 0x00, 0x21, 0x12, 0xa4, 0x42, 7, 7,
                       7,    7,    7,    7,    7,    7,    7,    7,    7, 7};
    send_junk(port, resp, sizeof resp, 2);

    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    do {
        mf_pump_for(&f, 20);
        bridge_media_get_stats(f.media, &st);
    } while (st.packets_in - st0.packets_in < 39 && g_get_monotonic_time() < end);
    mf_pump_for(&f, 100);
    bridge_media_get_stats(f.media, &st);
#define D(r) (st.drops[BRIDGE_DROP_##r] - st0.drops[BRIDGE_DROP_##r])
    g_assert_cmpuint(D(UNKNOWN_ADDRESS), ==, 25);
    g_assert_cmpuint(D(STUN_MALFORMED), ==, 3 + 4);
    g_assert_cmpuint(D(STUN_UNKNOWN_USER), ==, 5);
    g_assert_cmpuint(D(STUN_UNMATCHED), ==, 2);
    /* None of it reached an endpoint. */
    g_assert_cmpuint(D(SRTP_AUTH) + D(SRTP_REPLAY) + D(MALFORMED) + D(NOT_READY), ==, 0);
    g_assert_cmpuint(st.ice_checks_answered, ==, st0.ice_checks_answered);
#undef D
    /* And the call goes on. */
    mf_send_rounds(&f, 20);
    g_assert_cmpuint(rtp_received(&f, 1), ==, 40);
    mf_free(&f);
}

/* ---- NAT rebinding ---- */

static gboolean forwarded_to(MediaFixture *f, guint to, guint32 ssrc, guint64 at_least)
{
    SimPeerWireStats s;
    sim_peer_wire_stats(f->peers[to], &s);
    return s.rtp >= at_least && s.last_ssrc == ssrc;
}

/* a's peer moves to a new port; @controlling: it behaves as a controlling agent (a browser
 * with a=ice-lite from the bridge) and nominates the new address, else as a controlled one
 * (stock Jitsi client) whose consent check from the new address the bridge must follow. */
static void run_rebind(gboolean controlling)
{
    MediaFixture f = {0};
    mf_start(&f, 2, 30, 30);
    mf_connect_two(&f);
    mf_send_rounds(&f, 5);
    SimPeerWire wa, wb;
    g_assert_true(sim_peer_take_over(f.peers[0], &wa));
    g_assert_true(sim_peer_take_over(f.peers[1], &wb));
    guint16 old_port = sim_peer_wire_port(f.peers[0]);
    g_assert_true(sim_peer_rebind(f.peers[0]));
    guint16 new_port = sim_peer_wire_port(f.peers[0]);
    g_assert_cmpuint(new_port, !=, old_port);
    const PaTransport *ta = &f.eps[0].local;

    /* Media from the new address before any check: nobody's, dropped. */
    guint64 unknown0 = drops(&f, BRIDGE_DROP_UNKNOWN_ADDRESS);
    g_assert_true(sim_peer_wire_send_rtp(f.peers[0], 0xA0, 111, (guint16)(f.seq_a + 100), 0, 40));
    wait_drops(&f, BRIDGE_DROP_UNKNOWN_ADDRESS, unknown0 + 1);

    /* The old address goes quiet (the NAT forgot it); after the bridge's quiet period, a
     * check from the new address with a's credentials moves the flow. */
    mf_pump_for(&f, 2300);
    g_assert_true(sim_peer_wire_check(f.peers[0], ta->ufrag, ta->pwd, controlling, controlling));
    /* The bridge answers, and (controlled peer) sends its own nominating check, answered by
     * the poll. */
    sim_peer_wire_poll(f.peers[0], 400);
    SimPeerWireStats s;
    sim_peer_wire_stats(f.peers[0], &s);
    g_assert_cmpuint(s.responses_ok, ==, 1);
    if (!controlling)
        g_assert_cmpuint(s.checks_answered, >=, 1);

    /* Media both ways on the new address. */
    /* (the wire's SRTP sessions are new: sequence numbers go on after the libnice ones) */
    guint16 seq = (guint16)(f.seq_b + 100);
    gint64 end = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!forwarded_to(&f, 0, 0xB0, 1) && g_get_monotonic_time() < end) {
        g_assert_true(sim_peer_wire_send_rtp(f.peers[1], 0xB0, 111, seq++, 0, 40));
        sim_peer_wire_poll(f.peers[0], 20);
    }
    g_assert_true(forwarded_to(&f, 0, 0xB0, 1));
    g_assert_true(sim_peer_wire_send_rtp(f.peers[0], 0xA0, 111, (guint16)(f.seq_a + 101), 0, 40));
    sim_peer_wire_poll(f.peers[1], 300);
    g_assert_true(forwarded_to(&f, 1, 0xA0, 1));
    g_assert_cmpint(f.eps[0].failed + f.eps[1].failed, ==, 0);
    mf_free(&f);
}

static void test_rebind_controlled(void)
{
    run_rebind(FALSE);
}

static void test_rebind_controlling(void)
{
    run_rebind(TRUE);
}

/* ---- keyframe on join ---- */

static gboolean a_got_pli(MediaFixture *f)
{
    SimPeerStats s;
    sim_peer_get_stats(f->peers[0], &s);
    return s.pli_received > 0;
}

static void test_keyframe_on_join(void)
{
    MediaFixture f = {0};
    mf_start(&f, 2, 30, 30);
    mf_connect_two(&f);
    mf_send_rounds(&f, 10); /* a's video source 0xA1 is seen */
    mf_pump_for(&f, 300);   /* past the keyframe rate limit of b's own join */
    SimPeerStats s0;
    sim_peer_get_stats(f.peers[0], &s0);
    mf_create(&f, "room1", "c");
    mf_connect_range(&f, 2, 1);
    /* c never asked for anything: the bridge asks a (and b) on c's behalf. */
    mf_pump_until(&f, a_got_pli, 5000);
    SimPeerStats s1;
    sim_peer_get_stats(f.peers[0], &s1);
    g_assert_cmpuint(s1.pli_received, >, s0.pli_received);
    mf_free(&f);
}

/* ---- SSRC limit ---- */

static void test_ssrc_limit(void)
{
    MediaFixture f = {0};
    mf_start(&f, 1, 30, 30);
    mf_connect_two(&f);
    mf_send_rounds(&f, 5);
    guint64 got0 = rtp_received(&f, 1);
    /* 2 announced + 30 learned fill the table; the rest are refused before SRTP. */
    const guint n = 500;
    for (guint i = 0; i < n; i++) {
        g_assert_true(sim_peer_send_rtp(f.peers[0], 0x70000000 + i, 100, 1, 0, 100, -1));
        if (i % 16 == 15)
            mf_pump_for(&f, 2);
    }
    wait_drops(&f, BRIDGE_DROP_SSRC_LIMIT, n - 30);
    mf_pump_for(&f, 200);
    g_assert_cmpuint(rtp_received(&f, 1) - got0, ==, 30);
    /* The announced sources still flow. */
    mf_send_rounds(&f, 5);
    g_assert_cmpuint(rtp_received(&f, 1) - got0, ==, 30 + 10);
    mf_free(&f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/media-ice/demux-many", test_demux_many);
    g_test_add_func("/media-ice/foreign-username", test_foreign_username);
    g_test_add_func("/media-ice/junk", test_junk);
    g_test_add_func("/media-ice/rebind-controlled", test_rebind_controlled);
    g_test_add_func("/media-ice/rebind-controlling", test_rebind_controlling);
    g_test_add_func("/media-ice/keyframe-on-join", test_keyframe_on_join);
    g_test_add_func("/media-ice/ssrc-limit", test_ssrc_limit);
    return g_test_run();
}
