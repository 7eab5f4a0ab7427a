/* SPDX-License-Identifier: MIT */
/* Participants joining and leaving, over and over: does the bridge give back what each one
 * took? A scripted focus runs join/leave cycles (300 in the test suite; the benchmark figure
 * is PARLEY_CHURN_CYCLES=1000, about 4 minutes on a busy 2-core machine)
 * against a real parley-bridge: each allocates an endpoint (in a conference that stays, or,
 * every other cycle, in a conference of its own that ends with it), connects a simulated
 * client to it (tests/lib/c/sim-peer.h: libnice ICE, DTLS, SRTP, as a browser does; its
 * transport sent through the focus) and sends some RTP, opens the endpoint's colibri-ws
 * channel and waits for ServerHello, closes it (or, every third cycle, leaves it open for the
 * bridge to close), and expires the endpoint (the client gets the bridge's DTLS close_notify). The
 * bridge's open files and resident size are read from /proc before (after a warm-up) and
 * after; the test prints both, lists any descriptor that is new, and fails on growth: more than
 * 2 descriptors, or more than 16 MiB of resident memory (the allocator keeps some).
 *
 * Thread: the test thread only. Run under tests/netns-run.sh. */
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

#include "common/colibri/colibri.h"
#include "common/xmpp/stanza.h"
#include "control-harness.h"
#include "tests/lib/c/sim-peer.h"

#define FOCUS_NICK "focus"
#define WARMUP 20
#define T_IQ 15000

static ItEnv env;
static TestXmpp *focus;
static char *bridge_occupant;
static SoupSession *session;

/* ---- the bridge process ---- */

/* Its open descriptors: target -> count (transfer full). */
static GHashTable *fds_of(GPid pid)
{
    GHashTable *t = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    g_autofree char *dir = g_strdup_printf("/proc/%d/fd", (int)pid);
    GDir *d = g_dir_open(dir, 0, NULL);
    g_assert_nonnull(d);
    const char *name;
    while ((name = g_dir_read_name(d))) {
        g_autofree char *link = g_build_filename(dir, name, NULL);
        g_autofree char *target = g_file_read_link(link, NULL);
        /* Sockets and pipes differ by inode; their kind is what matters. */
        char *kind = g_strdup(target ? target : "?");
        char *bracket = strchr(kind, '[');
        if (bracket)
            *bracket = '\0';
        guint n = GPOINTER_TO_UINT(g_hash_table_lookup(t, kind));
        g_hash_table_replace(t, kind, GUINT_TO_POINTER(n + 1));
    }
    g_dir_close(d);
    return t;
}

static guint fd_total(GHashTable *t)
{
    guint n = 0;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, t);
    while (g_hash_table_iter_next(&it, NULL, &v))
        n += GPOINTER_TO_UINT(v);
    return n;
}

static guint64 rss_kib(GPid pid)
{
    g_autofree char *path = g_strdup_printf("/proc/%d/status", (int)pid);
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(path, &text, NULL, NULL));
    const char *p = strstr(text, "VmRSS:");
    g_assert_nonnull(p);
    return g_ascii_strtoull(p + 6, NULL, 10);
}

/* ---- one cycle ---- */

typedef struct {
    gboolean done, hello, closed;
    SoupWebsocketConnection *ws;
} Ws;

static void on_ws_message(SoupWebsocketConnection *ws, int type, GBytes *bytes, gpointer ud)
{
    Ws *w = ud;
    gsize n;
    const char *d = g_bytes_get_data(bytes, &n);
    if (g_strstr_len(d, (gssize)n, "ServerHello"))
        w->hello = TRUE;
}

static void on_ws_closed(SoupWebsocketConnection *ws, gpointer ud)
{
    ((Ws *)ud)->closed = TRUE;
}

static void on_ws_connected(GObject *src, GAsyncResult *res, gpointer ud)
{
    Ws *w = ud;
    w->ws = soup_session_websocket_connect_finish(SOUP_SESSION(src), res, NULL);
    w->done = TRUE;
    if (w->ws) {
        g_signal_connect(w->ws, "message", G_CALLBACK(on_ws_message), w);
        g_signal_connect(w->ws, "closed", G_CALLBACK(on_ws_closed), w);
    }
}

static gboolean ws_done(gpointer d)
{
    return ((Ws *)d)->done;
}

static gboolean ws_hello(gpointer d)
{
    return ((Ws *)d)->hello || ((Ws *)d)->closed;
}

static gboolean ws_closed(gpointer d)
{
    return ((Ws *)d)->closed;
}

/* Opens the endpoint's channel and waits for ServerHello (transfer full). */
static Ws *channel_open(const char *url)
{
    Ws *w = g_new0(Ws, 1);
    SoupMessage *msg = soup_message_new("GET", url);
    g_assert_nonnull(msg);
    soup_session_websocket_connect_async(session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                         on_ws_connected, w);
    if (!it_wait_for(focus, ws_done, w, T_IQ, 2, 1) || !w->ws)
        g_error("colibri-ws to %s did not open (HTTP %u)", url, soup_message_get_status(msg));
    g_object_unref(msg);
    if (!it_wait_for(focus, ws_hello, w, T_IQ, 2, 1) || !w->hello)
        g_error("no ServerHello on %s", url);
    return w;
}

/* Waits until the bridge has closed the channel (its endpoint expired), then frees it. */
static void channel_closed_by_bridge(Ws *w)
{
    if (!it_wait_for(focus, ws_closed, w, T_IQ, 2, 1))
        g_error("the bridge did not close the channel of an expired endpoint");
    g_signal_handlers_disconnect_by_data(w->ws, w);
    g_object_unref(w->ws);
    g_free(w);
}

/* Opens the endpoint's channel, waits for ServerHello, closes it and waits until it is. */
static void channel_round_trip(const char *url)
{
    Ws w = {0};
    SoupMessage *msg = soup_message_new("GET", url);
    g_assert_nonnull(msg);
    soup_session_websocket_connect_async(session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                         on_ws_connected, &w);
    if (!it_wait_for(focus, ws_done, &w, T_IQ, 2, 1) || !w.ws)
        g_error("colibri-ws to %s did not open (HTTP %u)", url, soup_message_get_status(msg));
    g_object_unref(msg);
    if (!it_wait_for(focus, ws_hello, &w, T_IQ, 2, 1) || !w.hello)
        g_error("no ServerHello on %s", url);
    soup_websocket_connection_close(w.ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    if (!it_wait_for(focus, ws_closed, &w, T_IQ, 2, 1))
        g_error("the channel on %s did not close", url);
    g_signal_handlers_disconnect_by_data(w.ws, &w);
    g_object_unref(w.ws);
}

static xmpp_stanza_t *modify(const PaColibriConferenceModify *m)
{
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(focus), bridge_occupant, m);
    xmpp_stanza_t *r = tx_iq(focus, iq, T_IQ);
    xmpp_stanza_release(iq);
    if (!r || g_strcmp0(xmpp_stanza_get_type(r), "result") != 0)
        g_error("conference-modify %s failed", m->meeting_id);
    return r;
}

static void new_modify(PaColibriConferenceModify *m, const char *meeting, gboolean create)
{
    pa_colibri_modify_init(m);
    m->meeting_id = g_strdup(meeting);
    m->name = g_strdup_printf("%s@conference." IT_DOMAIN, meeting);
    m->create = create;
}

static PaColibriEndpoint *add_ep(PaColibriConferenceModify *m, const char *id)
{
    PaColibriEndpoint *ep = pa_colibri_endpoints_add(m->endpoints, id);
    ep->create = TRUE;
    ep->has_transport = TRUE;
    ep->ice_controlling = TRUE;
    return ep;
}

static gboolean peer_gathered(gpointer d)
{
    return sim_peer_gathered(d);
}

static gboolean peer_connected(gpointer d)
{
    return sim_peer_connected(d) || sim_peer_failed(d);
}

static gboolean peer_closed(gpointer d)
{
    return sim_peer_dtls_closed(d);
}

/* A simulated client connects to endpoint @ep of @meeting (whose bridge side is @bridge):
 * its transport goes to the bridge through the focus, ICE and DTLS complete, RTP flows. */
static SimPeer *connect_client(const char *meeting, const char *ep, const PaTransport *bridge)
{
    SimPeer *peer = sim_peer_new(NULL, ep, NULL);
    if (!it_wait_for(focus, peer_gathered, peer, T_IQ, 2, 1))
        g_error("%s: the simulated client gathered nothing", ep);
    PaColibriConferenceModify m;
    new_modify(&m, meeting, FALSE);
    PaColibriEndpoint *e = pa_colibri_endpoints_add(m.endpoints, ep);
    e->has_transport = TRUE;
    e->has_ice = TRUE;
    sim_peer_get_transport(peer, &e->ice);
    xmpp_stanza_release(modify(&m));
    pa_colibri_modify_clear(&m);
    sim_peer_set_remote(peer, bridge);
    if (!it_wait_for(focus, peer_connected, peer, T_IQ, 2, 1) || !sim_peer_connected(peer))
        g_error("%s: the simulated client did not connect", ep);
    for (guint16 seq = 0; seq < 10; seq++)
        sim_peer_send_rtp(peer, 0x1000, 111, seq, seq * 960u, 100, 30);
    return peer;
}

/* One participant joins (endpoint, media, channel) and leaves. Odd cycles use a conference of
 * their own, which ends with them; even ones the long-lived "churn" conference. */
static void one_cycle(guint i)
{
    gboolean own = i % 2;
    g_autofree char *meeting = own ? g_strdup_printf("churn-%u", i) : g_strdup("churn");
    g_autofree char *ep = g_strdup_printf("p%u", i);
    PaColibriConferenceModify m;
    new_modify(&m, meeting, own);
    add_ep(&m, ep);
    xmpp_stanza_t *r = modify(&m);
    pa_colibri_modify_clear(&m);
    PaColibriConferenceModified out;
    g_assert_cmpint(pa_colibri_parse_modified(r, &out, NULL), ==, PA_COLIBRI_OK);
    xmpp_stanza_release(r);
    const PaColibriEndpoint *oe = &g_array_index(out.endpoints, PaColibriEndpoint, 0);
    g_assert_nonnull(oe->ice.websocket_url);
    SimPeer *peer = connect_client(meeting, ep, &oe->ice);
    /* Every third participant leaves with its channel still open (a browser tab that goes):
     * the bridge closes it. */
    Ws *open = NULL;
    if (i % 3 == 0)
        open = channel_open(oe->ice.websocket_url);
    else
        channel_round_trip(oe->ice.websocket_url);
    pa_colibri_modified_clear(&out);
    new_modify(&m, meeting, FALSE);
    pa_colibri_endpoints_add(m.endpoints, ep)->expire = TRUE;
    xmpp_stanza_release(modify(&m));
    pa_colibri_modify_clear(&m);
    if (open)
        channel_closed_by_bridge(open);
    if (!it_wait_for(focus, peer_closed, peer, T_IQ, 2, 1))
        g_error("%s: the bridge did not close DTLS when the endpoint expired", ep);
    sim_peer_free(peer);
}

static void test_churn(void)
{
    guint cycles = 300;
    const char *env_cycles = g_getenv("PARLEY_CHURN_CYCLES");
    if (env_cycles)
        cycles = (guint)g_ascii_strtoull(env_cycles, NULL, 10);
    it_xmpp_start(&env);
    /* Nobody answers ICE here: the participant who stays must not time out meanwhile. */
    const char *const extra[] = {"media.ice_timeout_seconds=3600", NULL};
    it_bridge_start(&env, extra);
    gint64 deadline = g_get_monotonic_time() + 20 * G_TIME_SPAN_SECOND;
    while (!(focus = tx_connect(IT_FOCUS_JID, IT_FOCUS_PASS, 5000)) &&
           g_get_monotonic_time() < deadline)
        g_usleep(200000);
    g_assert_nonnull(focus);
    tx_join(focus, IT_BREWERY, FOCUS_NICK);
    bridge_occupant = tx_wait_bridge(focus, IT_BREWERY, FOCUS_NICK, NULL, NULL, 30000);
    g_assert_nonnull(bridge_occupant);
    session = soup_session_new();

    /* The long-lived conference, with a participant who stays. */
    PaColibriConferenceModify m;
    new_modify(&m, "churn", TRUE);
    add_ep(&m, "stays");
    xmpp_stanza_release(modify(&m));
    pa_colibri_modify_clear(&m);

    g_autoptr(GHashTable) fds_start = fds_of(env.bridge_pid);
    guint64 rss_start = rss_kib(env.bridge_pid);
    for (guint i = 0; i < WARMUP; i++)
        one_cycle(i);
    it_pump(focus, 500, 10);
    g_autoptr(GHashTable) fds0 = fds_of(env.bridge_pid);
    guint64 rss0 = rss_kib(env.bridge_pid);
    gint64 t0 = g_get_monotonic_time();
    for (guint i = WARMUP; i < WARMUP + cycles; i++)
        one_cycle(i);
    double secs = (g_get_monotonic_time() - t0) / 1e6;
    it_pump(focus, 1000, 10); /* closing channels and sockets settle */
    g_autoptr(GHashTable) fds1 = fds_of(env.bridge_pid);
    guint64 rss1 = rss_kib(env.bridge_pid);
    GHashTableIter it0;
    gpointer k0, v0;

    g_print("# before the first cycle: open files %u, RSS %.1f MiB; after %u warm-up cycles: %u, "
            "%.1f MiB (what the first uses sets up once)\n",
            fd_total(fds_start), rss_start / 1024.0, WARMUP, fd_total(fds0), rss0 / 1024.0);
    g_print("# %u join/leave cycles in %.1f s (%.1f ms each): open files %u -> %u, RSS %.1f -> "
            "%.1f MiB\n",
            cycles, secs, secs * 1000 / cycles, fd_total(fds0), fd_total(fds1), rss0 / 1024.0,
            rss1 / 1024.0);
    g_hash_table_iter_init(&it0, fds0);
    while (g_hash_table_iter_next(&it0, &k0, &v0)) {
        guint first = GPOINTER_TO_UINT(g_hash_table_lookup(fds_start, k0));
        if (GPOINTER_TO_UINT(v0) != first)
            g_print("#   set up by the first cycles: %s: %u -> %u\n", (char *)k0, first,
                    GPOINTER_TO_UINT(v0));
    }
    GHashTableIter it;
    gpointer k, v;
    g_hash_table_iter_init(&it, fds1);
    while (g_hash_table_iter_next(&it, &k, &v)) {
        guint before = GPOINTER_TO_UINT(g_hash_table_lookup(fds0, k));
        if (GPOINTER_TO_UINT(v) != before)
            g_print("#   %s: %u -> %u\n", (char *)k, before, GPOINTER_TO_UINT(v));
    }
    g_autofree char *metrics = NULL;
    g_assert_cmpuint(it_http_get(env.http_port, "/metrics", &metrics), ==, 200);
    g_assert_cmpfloat(it_metric(metrics, "parley_bridge_endpoints"), ==, 1);
    g_assert_cmpfloat(it_metric(metrics, "parley_bridge_conferences"), ==, 1);
    g_assert_cmpuint(fd_total(fds1), <=, fd_total(fds0) + 2);
    g_assert_cmpuint(rss1, <, rss0 + 16 * 1024);

    g_object_unref(session);
    tx_free(focus);
    g_assert_cmpint(it_bridge_stop(&env), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    it_env_init(&env);
    it_dump_log_on_abort(&env);
    g_test_add_func("/bridge/churn/join-leave", test_churn);
    int rc = g_test_run();
    g_free(bridge_occupant);
    it_env_cleanup(&env);
    return rc;
}
