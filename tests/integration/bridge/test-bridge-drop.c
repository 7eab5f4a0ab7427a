/* SPDX-License-Identifier: MIT */
/* A participant whose client stops (a frozen browser, a lost network) while media flows: the
 * bridge drops its endpoint once it has sent nothing for media.media_timeout_seconds, and at
 * once
 *  - tells the focus (<endpoint-expired xmlns="urn:parley:bridge:0"/>, to the JID its
 *    conference-modify came from), keeping the conference for the focus to re-invite into;
 *  - tells the other participants on their colibri-ws channels
 *    (EndpointConnectivityStatusChangeEvent active "false", as JVB does) and stops listing the
 *    dropped one's sources (ForwardedSources).
 * When the participant comes back (the focus allocates it again and a new client connects),
 * the others hear "active": "true". Two simulated clients (tests/lib/c/sim-peer.h) with real
 * ICE, DTLS and SRTP; a scripted focus.
 *
 * Thread: the test thread only. Run under tests/netns-run.sh. */
#include <jansson.h>
#include <libsoup/soup.h>
#include <string.h>

#include "common/colibri/colibri.h"
#include "common/xmpp/stanza.h"
#include "control-harness.h"
#include "tests/lib/c/sim-peer.h"

#define FOCUS_NICK "focus"
#define MEDIA_TIMEOUT_S 3
#define T_IQ 15000

static ItEnv env;
static TestXmpp *focus;
static char *bridge_occupant;
static SoupSession *session;

/* ---- a colibri-ws client that keeps what it receives ---- */

typedef struct {
    SoupWebsocketConnection *ws;
    gboolean done;
    GPtrArray *texts; /* char* */
} Ws;

static void on_message(SoupWebsocketConnection *ws, int type, GBytes *bytes, gpointer ud)
{
    gsize n;
    const char *d = g_bytes_get_data(bytes, &n);
    g_ptr_array_add(((Ws *)ud)->texts, g_strndup(d, n));
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer ud)
{
    Ws *w = ud;
    w->ws = soup_session_websocket_connect_finish(SOUP_SESSION(src), res, NULL);
    w->done = TRUE;
    if (w->ws)
        g_signal_connect(w->ws, "message", G_CALLBACK(on_message), w);
}

static gboolean ws_done(gpointer d)
{
    return ((Ws *)d)->done;
}

static Ws *ws_open(const char *url)
{
    Ws *w = g_new0(Ws, 1);
    w->texts = g_ptr_array_new_with_free_func(g_free);
    SoupMessage *msg = soup_message_new("GET", url);
    soup_session_websocket_connect_async(session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                         on_connected, w);
    if (!it_wait_for(focus, ws_done, w, T_IQ, 2, 1) || !w->ws)
        g_error("colibri-ws to %s did not open", url);
    g_object_unref(msg);
    return w;
}

static void ws_free(Ws *w)
{
    g_signal_handlers_disconnect_by_data(w->ws, w);
    if (soup_websocket_connection_get_state(w->ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close(w->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
    g_object_unref(w->ws);
    g_ptr_array_unref(w->texts);
    g_free(w);
}

typedef struct {
    Ws *w;
    guint from;
    const char *endpoint;
    const char *active;
    guint found; /* index + 1 */
} Want;

static gboolean has_connectivity(gpointer d)
{
    Want *want = d;
    for (guint i = want->from; i < want->w->texts->len; i++) {
        json_t *j = json_loads(want->w->texts->pdata[i], 0, NULL);
        gboolean hit =
            j &&
            g_strcmp0(json_string_value(json_object_get(j, "colibriClass")),
                      "EndpointConnectivityStatusChangeEvent") == 0 &&
            g_strcmp0(json_string_value(json_object_get(j, "endpoint")), want->endpoint) == 0 &&
            g_strcmp0(json_string_value(json_object_get(j, "active")), want->active) == 0;
        json_decref(j);
        if (hit) {
            want->found = i + 1;
            return TRUE;
        }
    }
    return FALSE;
}

/* ---- allocation and clients ---- */

static xmpp_stanza_t *modify(const PaColibriConferenceModify *m)
{
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(focus), bridge_occupant, m);
    xmpp_stanza_t *r = tx_iq(focus, iq, T_IQ);
    xmpp_stanza_release(iq);
    if (!r || g_strcmp0(xmpp_stanza_get_type(r), "result") != 0)
        g_error("conference-modify %s failed", m->meeting_id);
    return r;
}

static void new_modify(PaColibriConferenceModify *m, gboolean create)
{
    pa_colibri_modify_init(m);
    m->meeting_id = g_strdup("drop-1");
    m->name = g_strdup("drop@conference." IT_DOMAIN);
    m->create = create;
}

typedef struct {
    SimPeer *peer;
    Ws *ws;
    guint32 ssrc;
    guint16 seq;
} Client;

static gboolean peer_gathered(gpointer d)
{
    return sim_peer_gathered(d);
}

static gboolean peer_connected(gpointer d)
{
    return sim_peer_connected(d) || sim_peer_failed(d);
}

/* Endpoint @id (created now, the conference too when @create): a connected client, media
 * flowing, and its channel open. */
static Client *join(const char *id, guint32 ssrc, gboolean create)
{
    PaColibriConferenceModify m;
    new_modify(&m, create);
    PaColibriEndpoint *e = pa_colibri_endpoints_add(m.endpoints, id);
    e->create = TRUE;
    e->has_transport = TRUE;
    e->ice_controlling = TRUE;
    e->has_sources = TRUE;
    g_autofree char *name = g_strdup_printf("%s-v0", id);
    PaMediaSource *src = pa_media_sources_add(e->sources, TRUE, name);
    pa_media_source_add_ssrc(src, ssrc, name, "s t");
    xmpp_stanza_t *r = modify(&m);
    pa_colibri_modify_clear(&m);
    PaColibriConferenceModified out;
    g_assert_cmpint(pa_colibri_parse_modified(r, &out, NULL), ==, PA_COLIBRI_OK);
    xmpp_stanza_release(r);
    const PaColibriEndpoint *oe = &g_array_index(out.endpoints, PaColibriEndpoint, 0);

    Client *c = g_new0(Client, 1);
    c->ssrc = ssrc;
    c->peer = sim_peer_new(NULL, id, NULL);
    if (!it_wait_for(focus, peer_gathered, c->peer, T_IQ, 2, 1))
        g_error("%s gathered nothing", id);
    new_modify(&m, FALSE);
    e = pa_colibri_endpoints_add(m.endpoints, id);
    e->has_transport = TRUE;
    e->has_ice = TRUE;
    sim_peer_get_transport(c->peer, &e->ice);
    xmpp_stanza_release(modify(&m));
    pa_colibri_modify_clear(&m);
    sim_peer_set_remote(c->peer, &oe->ice);
    if (!it_wait_for(focus, peer_connected, c->peer, T_IQ, 2, 1) || !sim_peer_connected(c->peer))
        g_error("%s did not connect", id);
    c->ws = ws_open(oe->ice.websocket_url);
    pa_colibri_modified_clear(&out);
    return c;
}

static gboolean send_media(gpointer d)
{
    Client *c = d;
    sim_peer_send_rtp(c->peer, c->ssrc, 100, c->seq, c->seq * 3000u, 200, -1);
    c->seq++;
    return G_SOURCE_CONTINUE;
}

static void client_free(Client *c)
{
    if (c->ws)
        ws_free(c->ws);
    sim_peer_free(c->peer);
    g_free(c);
}

static gboolean news_for_a(gpointer d)
{
    return tx_unsolicited_child(focus, bridge_occupant, "endpoint-expired", "urn:parley:bridge:0",
                                0) != NULL;
}

static void test_drop(void)
{
    it_xmpp_start(&env);
    g_autofree char *timeout = g_strdup_printf("media.media_timeout_seconds=%d", MEDIA_TIMEOUT_S);
    const char *const extra[] = {timeout, NULL};
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

    Client *a = join("a", 0xa0a0, TRUE);
    Client *b = join("b", 0xb0b0, FALSE);
    guint ta = g_timeout_add(20, send_media, a);
    guint tb = g_timeout_add(20, send_media, b);
    it_pump(focus, 500, 10);

    /* a freezes: nothing more from its client. */
    g_source_remove(ta);
    Want gone = {b->ws, b->ws->texts->len, "a", "false", 0};
    gint64 t0 = g_get_monotonic_time();
    if (!it_wait_for(focus, has_connectivity, &gone, (MEDIA_TIMEOUT_S + 15) * 1000, 10, 2))
        g_error("b was not told that a's media stopped");
    double told_s = (g_get_monotonic_time() - t0) / 1e6;
    g_assert_true(it_wait_for(focus, news_for_a, NULL, T_IQ, 10, 2));
    xmpp_stanza_t *news =
        tx_unsolicited_child(focus, bridge_occupant, "endpoint-expired", "urn:parley:bridge:0", 0);
    g_assert_cmpstr(xmpp_stanza_get_attribute(news, "endpoint"), ==, "a");
    g_assert_cmpstr(xmpp_stanza_get_attribute(news, "meeting-id"), ==, "drop-1");
    g_assert_cmpstr(xmpp_stanza_get_attribute(news, "conference"), ==, "kept");
    /* b's next ForwardedSources no longer lists a's video. */
    gboolean listed = TRUE;
    for (guint i = gone.found; i < b->ws->texts->len; i++)
        if (strstr(b->ws->texts->pdata[i], "ForwardedSources"))
            listed = strstr(b->ws->texts->pdata[i], "a-v0") != NULL;
    g_assert_false(listed);
    g_print("# a stopped sending: %.1f s later (media timeout %d s) b was told "
            "(EndpointConnectivityStatusChangeEvent) and the focus was told (endpoint-expired)\n",
            told_s, MEDIA_TIMEOUT_S);

    /* The focus re-invites a: a new endpoint, a new client; b hears it is back. */
    client_free(a);
    Want back = {b->ws, b->ws->texts->len, "a", "true", 0};
    a = join("a", 0xa1a1, FALSE);
    ta = g_timeout_add(20, send_media, a);
    if (!it_wait_for(focus, has_connectivity, &back, T_IQ, 10, 2))
        g_error("b was not told that a is back");
    g_print("# a re-invited into the conference the bridge kept; b told it is active again\n");

    g_source_remove(ta);
    g_source_remove(tb);
    client_free(a);
    client_free(b);
    g_object_unref(session);
    tx_free(focus);
    g_assert_cmpint(it_bridge_stop(&env), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    it_env_init(&env);
    it_dump_log_on_abort(&env);
    g_test_add_func("/bridge/drop/frozen-client", test_drop);
    int rc = g_test_run();
    g_free(bridge_occupant);
    it_env_cleanup(&env);
    return rc;
}
