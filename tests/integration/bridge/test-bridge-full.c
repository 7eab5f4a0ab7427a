/* SPDX-License-Identifier: MIT */
/* The whole bridge path: a real Prosody, a real parley-bridge process, a scripted focus that
 * allocates two endpoints with Colibri2 conference-modify over XMPP, and two real WebRTC peers
 * (GStreamer webrtcbin, webrtc-peer.c) that complete ICE and DTLS with the bridge. Each peer
 * must decode the other's VP8 video and Opus audio. Then garbage, forged and replayed packets
 * are sent to the bridge's one media port: from an unvalidated socket they are dropped as from
 * an unknown address before any endpoint sees them; over a peer's validated ICE pair each is
 * dropped and counted under its reason in /metrics, while media keeps flowing. Exit 77 when
 * Prosody, webrtcbin or a codec plugin is missing. Run under tests/netns-run.sh. */
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/colibri/colibri.h"
#include "common/xmpp/stanza.h"
#include "control-harness.h"
#include "webrtc-peer.h"

#define FOCUS_NICK "focus"

static ItEnv env;
static TestXmpp *focus;
static char *bridge_occupant;
static WebrtcPeer *peers[2];
static const char *names[2] = {"alice", "bob"};

/* Keeps the XMPP connection and the default context (GStreamer bus helpers) alive while
 * waiting. */
static void pump(guint ms)
{
    it_pump(focus, ms, 5);
}

static gboolean wait_for(ItCond cond, gpointer data, guint ms)
{
    return it_wait_for(focus, cond, data, ms, 10, 5);
}

static char *metrics(void)
{
    char *body = NULL;
    g_assert_cmpuint(it_http_get(env.http_port, "/metrics", &body), ==, 200);
    return body;
}

static double metric(const char *series)
{
    g_autofree char *m = metrics();
    return it_metric(m, series);
}

static double dropped(const char *reason)
{
    g_autofree char *series =
        g_strdup_printf("parley_bridge_packets_dropped_total{reason=\"%s\"}", reason);
    return metric(series);
}

static gboolean all_connected(gpointer d)
{
    return webrtc_peer_ice_connected(peers[0]) && webrtc_peer_ice_connected(peers[1]) &&
           metric("parley_bridge_endpoints_connected") == 2;
}

static void assert_media_flows(guint frames, guint audio, guint ms)
{
    if (!webrtc_pair_wait_media(peers, names, frames, audio, ms, wait_for))
        g_error("media did not flow both ways (%u frames, %u audio buffers each within %u ms)",
                frames, audio, ms);
}

/* One SRTP (not SRTCP) datagram on its way from UDP @from to UDP @port on loopback, copied from
 * the wire (every endpoint sends to the bridge's one port: the source tells them apart). */
static gsize capture_srtp_to(guint16 from, guint16 port, guint8 *out, gsize cap)
{
    int s = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_IP));
    if (s < 0)
        return 0;
    struct sockaddr_ll ll = {.sll_family = AF_PACKET,
                             .sll_protocol = htons(ETH_P_IP),
                             .sll_ifindex = (int)if_nametoindex("lo")};
    if (bind(s, (struct sockaddr *)&ll, sizeof ll) < 0) {
        close(s);
        return 0;
    }
    gsize got = 0;
    gint64 end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
    guint8 buf[2048];
    while (!got && g_get_monotonic_time() < end) {
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n < 0) {
            g_usleep(1000);
            continue;
        }
        const struct iphdr *ip = (const struct iphdr *)buf;
        if (n < (ssize_t)sizeof *ip || ip->protocol != IPPROTO_UDP)
            continue;
        gsize ihl = ip->ihl * 4u;
        if ((gsize)n < ihl + sizeof(struct udphdr) + 12)
            continue;
        const struct udphdr *udp = (const struct udphdr *)(buf + ihl);
        const guint8 *pl = buf + ihl + sizeof *udp;
        gsize plen = (gsize)n - ihl - sizeof *udp;
        if (ntohs(udp->dest) != port || ntohs(udp->source) != from)
            continue;
        /* RTP (RFC 7983: 128..191) but not RTCP (payload type 192..223). */
        if (pl[0] >= 128 && pl[0] <= 191 && !(pl[1] >= 192 && pl[1] <= 223) && plen <= cap) {
            memcpy(out, pl, plen);
            got = plen;
        }
    }
    close(s);
    return got;
}

static void test_full_path(void)
{
    char *why = NULL;
    if (!webrtc_peer_available(&why)) {
        g_test_skip(why);
        g_free(why);
        return;
    }
    it_xmpp_start(&env);
    const char *const extra[] = {"ice.port=21000", NULL};
    it_bridge_start(&env, extra);
    focus = it_focus_connect(60000);
    g_assert_nonnull(focus);
    bridge_occupant = it_focus_find_bridge(focus, FOCUS_NICK, 15000);
    g_assert_nonnull(bridge_occupant);

    /* 1. Allocate two endpoints through the brewery. */
    PaColibriConferenceModify m;
    pa_colibri_modify_init(&m);
    m.meeting_id = g_strdup("full-1");
    m.name = g_strdup("full@conference." IT_DOMAIN);
    m.create = TRUE;
    for (int i = 0; i < 2; i++) {
        PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, names[i]);
        ep->create = TRUE;
        ep->has_transport = TRUE;
        ep->ice_controlling = TRUE;
    }
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(focus), bridge_occupant, &m);
    xmpp_stanza_t *r = tx_iq(focus, iq, 10000);
    xmpp_stanza_release(iq);
    pa_colibri_modify_clear(&m);
    g_assert_nonnull(r);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    PaColibriConferenceModified alloc;
    g_assert_cmpint(pa_colibri_parse_modified(r, &alloc, NULL), ==, PA_COLIBRI_OK);
    xmpp_stanza_release(r);
    g_assert_cmpuint(alloc.endpoints->len, ==, 2);

    /* 2. Each peer takes the bridge's offer; the other peer's SSRCs are what it receives. */
    GError *error = NULL;
    for (int i = 0; i < 2; i++) {
        peers[i] = webrtc_peer_new(names[i], &error);
        g_assert_no_error(error);
    }
    for (int i = 0; i < 2; i++) {
        PaColibriEndpoint *ep = &g_array_index(alloc.endpoints, PaColibriEndpoint, i);
        g_assert_true(ep->has_ice);
        g_assert_true(webrtc_peer_accept_offer(peers[i], &ep->ice,
                                               webrtc_peer_audio_ssrc(peers[1 - i]),
                                               webrtc_peer_video_ssrc(peers[1 - i]), &error));
        g_assert_no_error(error);
    }
    g_assert_true(wait_for(webrtc_pair_gathered, peers, 10000));

    /* 3. The focus forwards each peer's transport, sources and codecs (session-accept). */
    pa_colibri_modify_init(&m);
    m.meeting_id = g_strdup("full-1");
    for (int i = 0; i < 2; i++) {
        PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, names[i]);
        ep->has_transport = TRUE;
        ep->has_ice = TRUE;
        webrtc_peer_get_transport(peers[i], &ep->ice);
        g_assert_cmpuint(ep->ice.candidates->len, >=, 1);
        ep->has_sources = TRUE;
        g_autofree char *a_id = g_strdup_printf("%s-a0", names[i]);
        g_autofree char *v_id = g_strdup_printf("%s-v0", names[i]);
        pa_media_source_add_ssrc(pa_media_sources_add(ep->sources, FALSE, a_id),
                                 webrtc_peer_audio_ssrc(peers[i]), a_id, NULL);
        pa_media_source_add_ssrc(pa_media_sources_add(ep->sources, TRUE, v_id),
                                 webrtc_peer_video_ssrc(peers[i]), v_id, NULL);
        it_endpoint_set_media(ep, 111, 100);
    }
    iq = it_modify_iq(tx_ctx(focus), bridge_occupant, &m);
    r = tx_iq(focus, iq, 10000);
    xmpp_stanza_release(iq);
    for (guint i = 0; i < m.endpoints->len; i++)
        it_endpoint_clear_media(&g_array_index(m.endpoints, PaColibriEndpoint, i));
    pa_colibri_modify_clear(&m);
    g_assert_nonnull(r);
    g_autofree char *rtext = pa_stanza_to_string(r);
    if (g_strcmp0(xmpp_stanza_get_type(r), "result") != 0)
        g_error("update refused: %s", rtext);
    xmpp_stanza_release(r);

    /* 4. ICE + DTLS complete on both legs, and media flows both ways. */
    if (!wait_for(all_connected, NULL, 20000))
        g_error("peers did not connect through the bridge (ICE %d/%d, bridge connected %.0f)",
                webrtc_peer_ice_connected(peers[0]), webrtc_peer_ice_connected(peers[1]),
                metric("parley_bridge_endpoints_connected"));
    assert_media_flows(20, 50, 20000);
    g_assert_cmpfloat(metric("parley_bridge_rtp_forwarded_total"), >, 100);
    g_assert_cmpfloat(metric("parley_bridge_conferences"), ==, 1);
    g_assert_cmpfloat(metric("parley_bridge_endpoints"), ==, 2);

    /* 5. Garbage, forged and replayed packets. */
    guint16 alice_local, bridge_port;
    webrtc_peer_selected_ports(peers[0], &alice_local, &bridge_port);
    g_assert_cmpuint(bridge_port, ==, 21000); /* ice.port: one port for every endpoint */
    guint16 bob_local, bob_bridge_port;
    webrtc_peer_selected_ports(peers[1], &bob_local, &bob_bridge_port);
    g_assert_cmpuint(bob_bridge_port, ==, 21000);
    guint8 replay[1600];
    gsize replay_len = capture_srtp_to(alice_local, bridge_port, replay, sizeof replay);
    if (replay_len == 0)
        g_error("could not capture one of alice's SRTP packets (needs CAP_NET_RAW)");
    guint8 forged[300];
    for (gsize i = 0; i < sizeof forged; i++)
        forged[i] = (guint8)g_random_int();
    forged[0] = 0x80; /* RTP version 2 with a random body: cannot authenticate */
    forged[1] = 100;
    guint8 junk[64];
    memset(junk, 0xff, sizeof junk); /* first byte in no RFC 7983 class */

    double auth0 = dropped("srtp_auth"), replay0 = dropped("srtp_replay"),
           malformed0 = dropped("malformed"), unknown0 = dropped("unknown_address");
    g_assert_cmpfloat(auth0, >=, 0);

    /* From a socket ICE never validated: dropped as from an unknown address before any
     * endpoint's work, and counted so in /metrics. */
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(bridge_port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    for (int i = 0; i < 10; i++) {
        g_assert_cmpint(sendto(s, replay, replay_len, 0, (struct sockaddr *)&to, sizeof to), >, 0);
        g_assert_cmpint(sendto(s, forged, sizeof forged, 0, (struct sockaddr *)&to, sizeof to), >,
                        0);
        g_assert_cmpint(sendto(s, junk, sizeof junk, 0, (struct sockaddr *)&to, sizeof to), >, 0);
    }
    close(s);
    for (int i = 0; i < 100 && dropped("unknown_address") - unknown0 < 30; i++)
        pump(50);
    g_assert_cmpfloat(dropped("unknown_address") - unknown0, ==, 30);
    g_assert_cmpfloat(dropped("srtp_auth"), ==, auth0);
    g_assert_cmpfloat(dropped("srtp_replay"), ==, replay0);
    g_assert_cmpfloat(dropped("malformed"), ==, malformed0);

    /* Over alice's validated pair: each is dropped and counted under its reason. */
    for (int i = 0; i < 5; i++)
        g_assert_true(webrtc_peer_send_raw(peers[0], replay, replay_len));
    for (int i = 0; i < 7; i++)
        g_assert_true(webrtc_peer_send_raw(peers[0], forged, sizeof forged));
    for (int i = 0; i < 3; i++)
        g_assert_true(webrtc_peer_send_raw(peers[0], junk, sizeof junk));
    pump(500);
    g_test_message("dropped over the validated pair: replay %.0f, auth %.0f, malformed %.0f",
                   dropped("srtp_replay") - replay0, dropped("srtp_auth") - auth0,
                   dropped("malformed") - malformed0);
    g_assert_cmpfloat(dropped("srtp_replay") - replay0, ==, 5);
    g_assert_cmpfloat(dropped("srtp_auth") - auth0, ==, 7);
    g_assert_cmpfloat(dropped("malformed") - malformed0, ==, 3);

    /* 6. Media keeps flowing; the bridge expired nobody. */
    assert_media_flows(15, 50, 20000);
    g_assert_cmpfloat(metric("parley_bridge_endpoints"), ==, 2);
    g_assert_cmpfloat(metric("parley_bridge_ice_failures_total"), ==, 0);
    g_assert_cmpfloat(metric("parley_bridge_dtls_failures_total"), ==, 0);

    for (int i = 0; i < 2; i++)
        g_clear_pointer(&peers[i], webrtc_peer_free);
    pa_colibri_modified_clear(&alloc);
    /* Shutting down with live endpoints is clean too. */
    g_assert_cmpint(it_bridge_stop(&env), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    it_env_init(&env);
    env.http_port = 18081;
    it_dump_log_on_abort(&env);
    g_test_add_func("/bridge-full/two-webrtc-peers", test_full_path);
    int rc = g_test_run();
    if (rc != 0 || g_getenv("PARLEY_SHOW_BRIDGE_LOG")) {
        g_autofree char *log = NULL;
        if (g_file_get_contents(env.bridge_log, &log, NULL, NULL))
            g_printerr("---- bridge log ----\n%s----\n", log);
    }
    tx_free(focus);
    g_free(bridge_occupant);
    it_env_cleanup(&env);
    xmpp_shutdown();
    return rc;
}
