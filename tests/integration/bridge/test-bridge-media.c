/* SPDX-License-Identifier: MIT */
/* parley-bridge as a process, its media path under faults: a real Prosody, the bridge, a
 * scripted focus that allocates two endpoints with Colibri2, and two simulated clients
 * (tests/lib/c/sim-peer.h: libnice ICE, DTLS, SRTP) that keep answering ICE all along.
 * - The bridge stopped for 20 s (SIGSTOP) and continued (SIGCONT): both sessions survive
 *   (no endpoint expired: consent and idle time count only while the bridge runs) and media
 *   flows again at once.
 * - One client sends RTP with 10,000 new SSRCs: beyond its source table they are dropped and
 *   counted (ssrc_limit) before SRTP, and the bridge's resident size stays flat.
 * - Junk from an address nobody validated is counted in /metrics by reason.
 * Exit 77 when Prosody is missing. Run under tests/netns-run.sh. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "common/colibri/colibri.h"
#include "control-harness.h"
#include "tests/lib/c/sim-peer.h"

#define FOCUS_NICK "focus"
#define MEDIA_PORT 22000

static ItEnv env;
static TestXmpp *focus;
static char *bridge_occupant;
static SimPeer *peers[2];
static const char *names[2] = {"alice", "bob"};
static const guint32 audio_ssrc[2] = {0xA11CE0, 0xB0B0};
static const guint32 video_ssrc[2] = {0xA11CE1, 0xB0B1};
static guint16 seq[2] = {100, 5000};

static gboolean wait_for(ItCond cond, gpointer data, guint ms)
{
    return it_wait_for(focus, cond, data, ms, 10, 5);
}

static double metric(const char *series)
{
    g_autofree char *body = NULL;
    if (it_http_get(env.http_port, "/metrics", &body) != 200)
        return -1;
    return it_metric(body, series);
}

static double dropped(const char *reason)
{
    g_autofree char *series =
        g_strdup_printf("parley_bridge_packets_dropped_total{reason=\"%s\"}", reason);
    return metric(series);
}

/* VmRSS of the bridge process, kB. */
static long bridge_rss_kb(void)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", env.bridge_pid);
    g_autofree char *text = NULL;
    if (!g_file_get_contents(path, &text, NULL, NULL))
        return -1;
    const char *v = strstr(text, "VmRSS:");
    return v ? strtol(v + 6, NULL, 10) : -1;
}

static guint64 received(guint i)
{
    SimPeerStats s;
    sim_peer_get_stats(peers[i], &s);
    return s.rtp_received;
}

/* One round of media: an audio packet from each client. */
static void send_round(void)
{
    for (int i = 0; i < 2; i++) {
        sim_peer_send_rtp(peers[i], audio_ssrc[i], 111, seq[i], seq[i] * 960u, 80, 40);
        seq[i]++;
    }
}

static gboolean both_connected(gpointer d)
{
    return sim_peer_connected(peers[0]) && sim_peer_connected(peers[1]) &&
           metric("parley_bridge_endpoints_connected") == 2;
}

static gboolean gathered(gpointer d)
{
    return sim_peer_gathered(peers[0]) && sim_peer_gathered(peers[1]);
}

static xmpp_stanza_t *modify(PaColibriConferenceModify *m)
{
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(focus), bridge_occupant, m);
    xmpp_stanza_t *r = tx_iq(focus, iq, 10000);
    xmpp_stanza_release(iq);
    g_assert_nonnull(r);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    return r;
}

/* The bridge, the focus, two connected clients with media flowing both ways. */
static void setup(void)
{
    it_xmpp_start(&env);
    g_autofree char *port = g_strdup_printf("ice.port=%d", MEDIA_PORT);
    const char *const extra[] = {port, NULL};
    it_bridge_start(&env, extra);
    focus = it_focus_connect(60000);
    g_assert_nonnull(focus);
    bridge_occupant = it_focus_find_bridge(focus, FOCUS_NICK, 15000);
    g_assert_nonnull(bridge_occupant);

    PaColibriConferenceModify m;
    pa_colibri_modify_init(&m);
    m.meeting_id = g_strdup("faults-1");
    m.name = g_strdup("faults@conference." IT_DOMAIN);
    m.create = TRUE;
    for (int i = 0; i < 2; i++) {
        PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, names[i]);
        ep->create = TRUE;
        ep->has_transport = TRUE;
        ep->ice_controlling = TRUE;
    }
    xmpp_stanza_t *r = modify(&m);
    pa_colibri_modify_clear(&m);
    PaColibriConferenceModified alloc;
    g_assert_cmpint(pa_colibri_parse_modified(r, &alloc, NULL), ==, PA_COLIBRI_OK);
    xmpp_stanza_release(r);
    g_assert_cmpuint(alloc.endpoints->len, ==, 2);

    for (int i = 0; i < 2; i++)
        peers[i] = sim_peer_new(g_main_context_default(), names[i], NULL);
    g_assert_true(wait_for(gathered, NULL, 10000));
    pa_colibri_modify_init(&m);
    m.meeting_id = g_strdup("faults-1");
    for (int i = 0; i < 2; i++) {
        PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, names[i]);
        ep->has_transport = TRUE;
        ep->has_ice = TRUE;
        sim_peer_get_transport(peers[i], &ep->ice);
        ep->has_sources = TRUE;
        g_autofree char *a_id = g_strdup_printf("%s-a0", names[i]);
        g_autofree char *v_id = g_strdup_printf("%s-v0", names[i]);
        pa_media_source_add_ssrc(pa_media_sources_add(ep->sources, FALSE, a_id), audio_ssrc[i],
                                 a_id, NULL);
        pa_media_source_add_ssrc(pa_media_sources_add(ep->sources, TRUE, v_id), video_ssrc[i], v_id,
                                 NULL);
        it_endpoint_set_media(ep, 111, 100);
    }
    r = modify(&m);
    xmpp_stanza_release(r);
    for (guint i = 0; i < m.endpoints->len; i++)
        it_endpoint_clear_media(&g_array_index(m.endpoints, PaColibriEndpoint, i));
    pa_colibri_modify_clear(&m);
    for (int i = 0; i < 2; i++) {
        PaColibriEndpoint *ep = &g_array_index(alloc.endpoints, PaColibriEndpoint, i);
        g_assert_true(ep->has_ice);
        g_assert_cmpuint(g_array_index(ep->ice.candidates, PaIceCandidate, 0).port, ==, MEDIA_PORT);
        sim_peer_set_remote(peers[i], &ep->ice);
    }
    pa_colibri_modified_clear(&alloc);
    if (!wait_for(both_connected, NULL, 20000))
        g_error("clients did not connect (%d %d)", sim_peer_connected(peers[0]),
                sim_peer_connected(peers[1]));
    for (int i = 0; i < 20; i++) {
        send_round();
        it_pump(focus, 20, 5);
    }
    g_assert_cmpuint(received(0), >, 10);
    g_assert_cmpuint(received(1), >, 10);
}

/* Sends a round every 20 ms for @ms, keeping everything pumped. */
static void media_for(guint ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (g_get_monotonic_time() < end) {
        send_round();
        it_pump(focus, 20, 5);
    }
}

static void test_stall(void)
{
    guint64 ice_failures0 = (guint64)metric("parley_bridge_ice_failures_total");
    g_assert_cmpint(kill(env.bridge_pid, SIGSTOP), ==, 0);
    /* 20 s stopped; the clients keep sending and keep their ICE agents running. */
    media_for(20000);
    guint64 r0 = received(0), r1 = received(1);
    g_assert_cmpint(kill(env.bridge_pid, SIGCONT), ==, 0);
    gint64 t_cont = g_get_monotonic_time();
    /* Media again within a few seconds (the backlog in the socket first). */
    gint64 back = 0;
    while (g_get_monotonic_time() - t_cont < 10 * G_USEC_PER_SEC) {
        media_for(100);
        if (received(0) > r0 + 20 && received(1) > r1 + 20) {
            back = g_get_monotonic_time() - t_cont;
            break;
        }
    }
    g_assert_cmpint(back, >, 0);
    g_printerr("# figures: media back %.0f ms after SIGCONT (20 s stop)\n", back / 1000.0);
    /* Well past the bridge's consent checks after the stop: both sessions stay. */
    media_for(8000);
    guint64 a = received(0), b = received(1);
    media_for(2000);
    g_assert_cmpuint(received(0), >, a + 50);
    g_assert_cmpuint(received(1), >, b + 50);
    g_assert_cmpfloat(metric("parley_bridge_endpoints_connected"), ==, 2);
    g_assert_cmpfloat(metric("parley_bridge_endpoints"), ==, 2);
    g_assert_cmpfloat(metric("parley_bridge_ice_failures_total"), ==, ice_failures0);
    g_assert_false(it_bridge_log_has(&env, "consent lost"));
    g_assert_false(it_bridge_log_has(&env, "media timeout"));
    g_assert_false(sim_peer_failed(peers[0]) || sim_peer_failed(peers[1]));
}

static void test_ssrc_flood(void)
{
    const guint n = 10000;
    double limit0 = dropped("ssrc_limit");
    guint64 b0 = received(1);
    media_for(500);
    long rss0 = bridge_rss_kb();
    g_assert_cmpint(rss0, >, 0);
    /* Authenticated RTP, each packet with an SSRC the bridge never saw. */
    for (guint i = 0; i < n; i++) {
        g_assert_true(sim_peer_send_rtp(peers[0], 0x50000000 + i, 100, 1, 0, 200, -1));
        if (i % 50 == 49)
            it_pump(focus, 5, 1);
    }
    for (int i = 0; i < 200 && dropped("ssrc_limit") - limit0 < n - 32; i++)
        it_pump(focus, 50, 5);
    media_for(500);
    long rss1 = bridge_rss_kb();
    double refused = dropped("ssrc_limit") - limit0;
    guint64 flood_forwarded = received(1) - b0;
    g_printerr("# figures: 10000 new SSRCs: %.0f refused (ssrc_limit), bridge RSS %ld kB -> %ld "
               "kB (%+ld kB)\n",
               refused, rss0, rss1, rss1 - rss0);
    /* At most the free room of the source table (32 minus the two announced) was learned. */
    g_assert_cmpfloat(refused, >=, n - 30);
    g_assert_cmpuint(flood_forwarded, <=, 30 + 100 /* the media_for rounds */);
    /* Flat: each accepted SSRC would cost an SRTP stream in alice's inbound session and one
     * in bob's outbound session (several MB for 10,000). */
    g_assert_cmpint(rss1 - rss0, <, 1024);
    /* The announced sources still flow. */
    guint64 b1 = received(1);
    media_for(1000);
    g_assert_cmpuint(received(1), >, b1 + 20);
}

static void test_junk_metrics(void)
{
    double unknown0 = dropped("unknown_address"), user0 = dropped("stun_unknown_user");
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(MEDIA_PORT)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    guint8 rtp[100] = {0x80, 100};
    guint8 check[32] = {0x00, 0x01, 0x00, 0x0c, 0x21, 0x12, 0xa4, 0x42, 1,   2,    3,
                        4,    5,    6,    7,    8,    9,    10,   11,   12,  0x00, 0x06,
                        0x00, 0x08, 'n',  'o',  'b',  'o',  'd',  'y',  ':', 'x'};
    for (int i = 0; i < 40; i++)
        sendto(s, rtp, sizeof rtp, 0, (struct sockaddr *)&to, sizeof to);
    for (int i = 0; i < 6; i++)
        sendto(s, check, sizeof check, 0, (struct sockaddr *)&to, sizeof to);
    close(s);
    for (int i = 0; i < 100 && dropped("unknown_address") - unknown0 < 40; i++)
        it_pump(focus, 50, 5);
    g_assert_cmpfloat(dropped("unknown_address") - unknown0, ==, 40);
    g_assert_cmpfloat(dropped("stun_unknown_user") - user0, ==, 6);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    it_env_init(&env);
    env.http_port = 18082;
    it_dump_log_on_abort(&env);
    setup();
    g_test_add_func("/bridge-media/junk-metrics", test_junk_metrics);
    g_test_add_func("/bridge-media/ssrc-flood", test_ssrc_flood);
    g_test_add_func("/bridge-media/stall", test_stall);
    int rc = g_test_run();
    if (rc != 0 || g_getenv("PARLEY_SHOW_BRIDGE_LOG")) {
        g_autofree char *log = NULL;
        if (g_file_get_contents(env.bridge_log, &log, NULL, NULL))
            g_printerr("---- bridge log ----\n%s----\n", log);
    }
    for (int i = 0; i < 2; i++)
        sim_peer_free(peers[i]);
    if (env.bridge_pid)
        g_assert_cmpint(it_bridge_stop(&env), ==, 0);
    tx_free(focus);
    g_free(bridge_occupant);
    it_env_cleanup(&env);
    xmpp_shutdown();
    return rc;
}
