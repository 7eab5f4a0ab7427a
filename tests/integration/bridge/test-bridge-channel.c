/* SPDX-License-Identifier: MIT */
/* The colibri-ws bridge channel end to end: a real Prosody, a real parley-bridge process, a
 * scripted focus that allocates three endpoints with Colibri2 over XMPP, and three WebSocket
 * clients (libsoup) on the URLs from the allocation. Checked: ServerHello on open and in
 * answer to ClientHello; ForwardedSources on open and when sources change; EndpointMessage
 * broadcast and unicast with "from" set by the bridge; EndpointStats relayed; refusals before
 * the upgrade (wrong secret, no secret, unknown endpoint/conference, other bridge id); garbage
 * frames dropped and counted while the channel stays up; a second connection replacing the
 * first; the endpoint's expiry closing its socket with 1001; an oversized frame closing only
 * that socket; a flood of relayed messages cut by rate; pings on an idle channel; and a clean
 * exit with channels open.
 * Exit 77 when Prosody is missing. Run under tests/netns-run.sh. */
#include <jansson.h>
#include <libsoup/soup.h>
#include <signal.h>
#include <string.h>

#include "bridge/control/channel-msg.h" /* limits only: the bridge runs as a process */
#include "common/colibri/colibri.h"
#include "common/xmpp/stanza.h"
#include "control-harness.h"

#define FOCUS_NICK "focus"
#define CONF "chan-1"
#define T_IQ 10000
#define T_MSG 5000

static ItEnv env;
static TestXmpp *focus;
static char *bridge_occupant;
static SoupSession *session;
static char *urls[3]; /* ws URL per endpoint A, B, C */
static const char *ids[3] = {"A", "B", "C"};

/* ---- pumping ---- */

static void pump(guint ms)
{
    it_pump(focus, ms, 2);
}

static gboolean wait_for(ItCond cond, gpointer data, guint ms)
{
    return it_wait_for(focus, cond, data, ms, 5, 2);
}

/* ---- WebSocket clients ---- */

typedef struct {
    const char *name;
    SoupWebsocketConnection *ws;
    GQueue inbox;  /* json_t * in arrival order */
    gboolean done; /* the connect attempt finished */
    guint status;  /* HTTP status of the handshake answer */
    gboolean closed;
    gushort close_code;
} Client;

static void on_ws_message(SoupWebsocketConnection *ws, int type, GBytes *bytes, gpointer ud)
{
    Client *c = ud;
    gsize n;
    const char *d = g_bytes_get_data(bytes, &n);
    json_error_t err;
    json_t *j = json_loadb(d, n, 0, &err);
    if (!j)
        g_error("%s: the bridge sent something that is not JSON: %.*s", c->name, (int)n, d);
    /* What layer selection tells clients on its own schedule (after allocations, speaker
     * changes) is not what these tests are about; the media tests check it. */
    const char *cls = json_string_value(json_object_get(j, "colibriClass"));
    if (g_strcmp0(cls, "LastNEndpointsChangeEvent") == 0 ||
        g_strcmp0(cls, "DominantSpeakerEndpointChangeEvent") == 0 ||
        g_strcmp0(cls, "SenderSourceConstraints") == 0) {
        json_decref(j);
        return;
    }
    g_queue_push_tail(&c->inbox, j);
}

static void on_ws_closed(SoupWebsocketConnection *ws, gpointer ud)
{
    Client *c = ud;
    c->closed = TRUE;
    c->close_code = soup_websocket_connection_get_close_code(ws);
}

static void on_connected(GObject *src, GAsyncResult *res, gpointer ud)
{
    Client *c = ud;
    GError *error = NULL;
    c->ws = soup_session_websocket_connect_finish(SOUP_SESSION(src), res, &error);
    c->done = TRUE;
    if (!c->ws) {
        g_clear_error(&error);
        return;
    }
    g_signal_connect(c->ws, "message", G_CALLBACK(on_ws_message), c);
    g_signal_connect(c->ws, "closed", G_CALLBACK(on_ws_closed), c);
}

static gboolean client_done(gpointer d)
{
    return ((Client *)d)->done;
}

static Client *client_connect(const char *name, const char *url)
{
    Client *c = g_new0(Client, 1);
    c->name = name;
    g_queue_init(&c->inbox);
    SoupMessage *msg = soup_message_new("GET", url);
    g_assert_nonnull(msg);
    soup_session_websocket_connect_async(session, msg, NULL, NULL, G_PRIORITY_DEFAULT, NULL,
                                         on_connected, c);
    if (!wait_for(client_done, c, T_MSG))
        g_error("%s: WebSocket connect to %s did not finish", name, url);
    c->status = soup_message_get_status(msg);
    g_object_unref(msg);
    return c;
}

static void client_free(Client *c)
{
    if (!c)
        return;
    if (c->ws) {
        g_signal_handlers_disconnect_by_data(c->ws, c);
        if (soup_websocket_connection_get_state(c->ws) == SOUP_WEBSOCKET_STATE_OPEN)
            soup_websocket_connection_close(c->ws, SOUP_WEBSOCKET_CLOSE_NORMAL, NULL);
        g_object_unref(c->ws);
    }
    g_queue_clear_full(&c->inbox, (GDestroyNotify)json_decref);
    g_free(c);
}

static gboolean has_mail(gpointer d)
{
    Client *c = d;
    return !g_queue_is_empty(&c->inbox) || c->closed;
}

/* The next message the client received, waiting up to T_MSG (transfer full), or NULL. */
static json_t *next_msg(Client *c)
{
    wait_for(has_mail, c, T_MSG);
    return g_queue_pop_head(&c->inbox);
}

static const char *klass(const json_t *j)
{
    return json_string_value(json_object_get(j, "colibriClass"));
}

/* Pops the next message, which must be of class @cls (transfer full). */
static json_t *expect_msg(Client *c, const char *cls)
{
    json_t *j = next_msg(c);
    if (!j)
        g_error("%s: no %s within %d ms%s", c->name, cls, T_MSG, c->closed ? " (closed)" : "");
    if (g_strcmp0(klass(j), cls) != 0) {
        char *s = json_dumps(j, JSON_COMPACT);
        g_error("%s: expected %s, got %s", c->name, cls, s);
    }
    return j;
}

static void send_text(Client *c, const char *text)
{
    g_assert_nonnull(c->ws);
    g_assert_cmpint(soup_websocket_connection_get_state(c->ws), ==, SOUP_WEBSOCKET_STATE_OPEN);
    soup_websocket_connection_send_text(c->ws, text);
}

/* ClientHello must be answered by ServerHello, and nothing may come before it: whatever the
 * bridge sent this client earlier would be queued ahead of the answer. */
static void barrier(Client *c)
{
    send_text(c, "{\"colibriClass\":\"ClientHello\"}");
    json_decref(expect_msg(c, "ServerHello"));
    g_assert_true(g_queue_is_empty(&c->inbox));
}

/* The forwardedSources list of a ForwardedSources message, joined with ",". */
static char *forwarded(const json_t *j)
{
    json_t *list = json_object_get(j, "forwardedSources");
    g_assert_true(json_is_array(list));
    GString *s = g_string_new(NULL);
    size_t i;
    json_t *e;
    json_array_foreach(list, i, e)
    {
        g_assert_true(json_is_string(e));
        g_string_append_printf(s, "%s%s", i ? "," : "", json_string_value(e));
    }
    return g_string_free(s, FALSE);
}

static void expect_forwarded(Client *c, const char *want)
{
    json_t *j = expect_msg(c, "ForwardedSources");
    g_autofree char *got = forwarded(j);
    json_decref(j);
    if (strcmp(got, want) != 0)
        g_error("%s: forwarded sources %s, expected %s", c->name, got, want);
}

static gboolean client_closed(gpointer d)
{
    return ((Client *)d)->closed;
}

/* ---- XMPP / metrics helpers ---- */

static double metric(const char *series)
{
    char *body = NULL;
    g_assert_cmpuint(it_http_get(env.http_port, "/metrics", &body), ==, 200);
    double v = it_metric(body, series);
    g_free(body);
    if (v < 0)
        g_error("metric %s missing", series);
    return v;
}

static double dropped(const char *reason)
{
    g_autofree char *s =
        g_strdup_printf("parley_bridge_channel_messages_dropped_total{reason=\"%s\"}", reason);
    return metric(s);
}

static double refused(const char *reason)
{
    g_autofree char *s =
        g_strdup_printf("parley_bridge_channels_refused_total{reason=\"%s\"}", reason);
    return metric(s);
}

static void new_modify(PaColibriConferenceModify *m, gboolean create)
{
    pa_colibri_modify_init(m);
    m->meeting_id = g_strdup(CONF);
    m->name = g_strdup(CONF "@conference." IT_DOMAIN);
    m->create = create;
}

static void modify_ok(PaColibriConferenceModify *m, PaColibriConferenceModified *out)
{
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(focus), bridge_occupant, m);
    xmpp_stanza_t *r = tx_iq(focus, iq, T_IQ);
    xmpp_stanza_release(iq);
    pa_colibri_modify_clear(m);
    if (!r)
        g_error("no reply to conference-modify");
    g_autofree char *text = pa_stanza_to_string(r);
    if (g_strcmp0(xmpp_stanza_get_type(r), "result") != 0)
        g_error("conference-modify failed: %s", text);
    if (out)
        g_assert_cmpint(pa_colibri_parse_modified(r, out, NULL), ==, PA_COLIBRI_OK);
    xmpp_stanza_release(r);
}

/* Announces video sources @video (comma-separated names) and one audio source for @ep. */
static void set_sources(const char *ep, const char *video)
{
    PaColibriConferenceModify m;
    new_modify(&m, FALSE);
    PaColibriEndpoint *e = pa_colibri_endpoints_add(m.endpoints, ep);
    e->has_sources = TRUE;
    guint32 ssrc = (guint32)(g_str_hash(ep) & 0xfffff) * 16 + 1;
    g_auto(GStrv) names = g_strsplit(video, ",", -1);
    for (char **n = names; *n; n++)
        pa_media_source_add_ssrc(pa_media_sources_add(e->sources, TRUE, *n), ssrc++, *n, NULL);
    g_autofree char *audio = g_strdup_printf("%s-a0", ep);
    pa_media_source_add_ssrc(pa_media_sources_add(e->sources, FALSE, audio), ssrc++, audio, NULL);
    modify_ok(&m, NULL);
}

static void expire(const char *ep)
{
    PaColibriConferenceModify m;
    new_modify(&m, FALSE);
    pa_colibri_endpoints_add(m.endpoints, ep)->expire = TRUE;
    modify_ok(&m, NULL);
}

/* ---- the test ---- */

static Client *cl[3];

static void test_setup(void)
{
    it_xmpp_start(&env);
    const char *const extra[] = {"http.websocket_ping_seconds=1", NULL};
    it_bridge_start(&env, extra);
    focus = it_focus_connect(60000);
    g_assert_nonnull(focus);
    bridge_occupant = it_focus_find_bridge(focus, FOCUS_NICK, 15000);
    if (!bridge_occupant)
        g_error("the bridge did not join the brewery");

    PaColibriConferenceModify m;
    new_modify(&m, TRUE);
    for (int i = 0; i < 3; i++) {
        PaColibriEndpoint *e = pa_colibri_endpoints_add(m.endpoints, ids[i]);
        e->create = TRUE;
        e->has_transport = TRUE;
        e->ice_controlling = TRUE;
        g_strfreev(e->capabilities);
        e->capabilities = g_strsplit("source-names", ",", -1);
    }
    PaColibriConferenceModified out;
    modify_ok(&m, &out);
    g_assert_cmpuint(out.endpoints->len, ==, 3);
    for (guint i = 0; i < 3; i++) {
        PaColibriEndpoint *e = &g_array_index(out.endpoints, PaColibriEndpoint, i);
        g_assert_cmpstr(e->id, ==, ids[i]);
        g_assert_nonnull(e->ice.websocket_url);
        urls[i] = g_strdup(e->ice.websocket_url);
    }
    pa_colibri_modified_clear(&out);
    set_sources("A", "A-v0");
    set_sources("B", "B-v0");
    set_sources("C", "C-v0");
}

static void test_open(void)
{
    for (int i = 0; i < 3; i++) {
        cl[i] = client_connect(ids[i], urls[i]);
        if (!cl[i]->ws)
            g_error("%s: WebSocket refused with HTTP %u", ids[i], cl[i]->status);
        g_assert_cmpuint(cl[i]->status, ==, 101);
        /* ServerHello first, with the bridge's version, then what it forwards. */
        json_t *hello = expect_msg(cl[i], "ServerHello");
        g_assert_cmpstr(json_string_value(json_object_get(hello, "version")), ==, PARLEY_VERSION);
        json_decref(hello);
    }
    expect_forwarded(cl[0], "B-v0,C-v0");
    expect_forwarded(cl[1], "A-v0,C-v0");
    expect_forwarded(cl[2], "A-v0,B-v0");
    for (int i = 0; i < 3; i++)
        barrier(cl[i]);
    g_assert_cmpfloat(metric("parley_bridge_channels_open"), ==, 3);
    g_assert_cmpfloat(metric("parley_bridge_channels_opened_total"), ==, 3);
    g_assert_true(it_bridge_log_has(&env, "room=" CONF " ep=A: bridge channel open"));
}

static void test_broadcast(void)
{
    double out0 = metric("parley_bridge_channel_messages_sent_total");
    /* The sender claims to be C: the bridge says who it really is. */
    send_text(cl[0], "{\"colibriClass\":\"EndpointMessage\",\"to\":\"\",\"from\":\"C\","
                     "\"msgPayload\":{\"type\":\"hello\",\"n\":1}}");
    for (int i = 1; i < 3; i++) {
        json_t *j = expect_msg(cl[i], "EndpointMessage");
        g_assert_cmpstr(json_string_value(json_object_get(j, "from")), ==, "A");
        json_t *p = json_object_get(j, "msgPayload");
        g_assert_cmpstr(json_string_value(json_object_get(p, "type")), ==, "hello");
        g_assert_cmpint(json_integer_value(json_object_get(p, "n")), ==, 1);
        json_decref(j);
    }
    barrier(cl[0]); /* A got nothing of its own */
    barrier(cl[1]);
    barrier(cl[2]);
    /* Two relayed plus three ServerHellos. */
    g_assert_cmpfloat(metric("parley_bridge_channel_messages_sent_total"), ==, out0 + 5);

    /* "to" absent is a broadcast too. */
    send_text(cl[2], "{\"colibriClass\":\"EndpointMessage\",\"msgPayload\":{\"n\":2}}");
    for (int i = 0; i < 2; i++) {
        json_t *j = expect_msg(cl[i], "EndpointMessage");
        g_assert_cmpstr(json_string_value(json_object_get(j, "from")), ==, "C");
        json_decref(j);
    }
    barrier(cl[2]);
}

static void test_unicast(void)
{
    send_text(cl[0], "{\"colibriClass\":\"EndpointMessage\",\"to\":\"B\","
                     "\"msgPayload\":{\"secret\":\"for B\"}}");
    json_t *j = expect_msg(cl[1], "EndpointMessage");
    g_assert_cmpstr(json_string_value(json_object_get(j, "from")), ==, "A");
    g_assert_cmpstr(json_string_value(json_object_get(j, "to")), ==, "B");
    g_assert_cmpstr(json_string_value(json_object_get(json_object_get(j, "msgPayload"), "secret")),
                    ==, "for B");
    json_decref(j);
    barrier(cl[2]); /* C got nothing */
    barrier(cl[0]);
    barrier(cl[1]);

    /* To an endpoint that does not exist: counted, delivered to nobody. */
    double before = metric("parley_bridge_channel_messages_undeliverable_total");
    send_text(cl[0], "{\"colibriClass\":\"EndpointMessage\",\"to\":\"nobody\",\"msgPayload\":{}}");
    barrier(cl[0]);
    barrier(cl[1]);
    barrier(cl[2]);
    g_assert_cmpfloat(metric("parley_bridge_channel_messages_undeliverable_total"), ==, before + 1);
}

static void test_endpoint_stats(void)
{
    send_text(cl[1], "{\"colibriClass\":\"EndpointStats\",\"bitrate\":{\"upload\":123},"
                     "\"connectionQuality\":100}");
    for (int i = 0; i < 3; i += 2) {
        json_t *j = expect_msg(cl[i], "EndpointStats");
        g_assert_cmpstr(json_string_value(json_object_get(j, "from")), ==, "B");
        g_assert_cmpint(json_integer_value(json_object_get(j, "connectionQuality")), ==, 100);
        json_decref(j);
    }
    barrier(cl[1]);
}

static void test_preferences(void)
{
    double invalid = dropped("invalid");
    const char *ok[] = {
        "{\"colibriClass\":\"ReceiverVideoConstraints\",\"lastN\":2,\"onStageSources\":[\"B-v0\"],"
        "\"defaultConstraints\":{\"maxHeight\":180},\"constraints\":{\"B-v0\":{\"maxHeight\":720}}"
        "}",
        "{\"colibriClass\":\"LastNChangedEvent\",\"lastN\":-1}",
        "{\"colibriClass\":\"SourceVideoTypeMessage\",\"sourceName\":\"A-v0\",\"videoType\":"
        "\"desktop\"}",
        "{\"colibriClass\":\"ReceiverAudioSubscription\",\"mode\":\"Exclude\",\"list\":[\"B-a0\"]}",
    };
    for (gsize i = 0; i < G_N_ELEMENTS(ok); i++)
        send_text(cl[0], ok[i]);
    barrier(cl[0]);
    g_assert_cmpfloat(dropped("invalid"), ==, invalid);
    /* Preferences are the bridge's business: nothing reaches the others. */
    barrier(cl[1]);
    barrier(cl[2]);
}

static void test_garbage(void)
{
    double in0 = metric("parley_bridge_channel_messages_received_total");
    double not_json = dropped("not_json"), not_object = dropped("not_object");
    double no_class = dropped("no_class"), invalid = dropped("invalid");
    double unknown = dropped("unknown_class"), too_large = dropped("too_large");

    send_text(cl[0], "this is not json {");
    send_text(cl[0], "[1,2,3]");
    send_text(cl[0], "{\"no\":\"class\"}");
    send_text(cl[0], "{\"colibriClass\":\"LastNChangedEvent\",\"lastN\":\"many\"}");
    send_text(cl[0], "{\"colibriClass\":\"EndpointMessage\",\"to\":\"B\"}"); /* no msgPayload */
    send_text(cl[0], "{\"colibriClass\":\"SelfDestruct\"}");
    guint8 bin[] = {0xde, 0xad, 0xbe, 0xef};
    soup_websocket_connection_send_binary(cl[0]->ws, bin, sizeof bin);
    /* 70 KiB: above the bridge's 64 KiB message limit, below libsoup's frame limit. */
    GString *big = g_string_new("{\"colibriClass\":\"EndpointMessage\",\"msgPayload\":\"");
    while (big->len < 70 * 1024)
        g_string_append(big, "xxxxxxxxxxxxxxxx");
    g_string_append(big, "\"}");
    send_text(cl[0], big->str);
    g_string_free(big, TRUE);

    /* The channel is still up and still answers. */
    barrier(cl[0]);
    barrier(cl[1]); /* the invalid EndpointMessage and the big one reached nobody */
    barrier(cl[2]);
    g_assert_cmpfloat(dropped("not_json"), ==, not_json + 2);
    g_assert_cmpfloat(dropped("not_object"), ==, not_object + 1);
    g_assert_cmpfloat(dropped("no_class"), ==, no_class + 1);
    g_assert_cmpfloat(dropped("invalid"), ==, invalid + 2);
    g_assert_cmpfloat(dropped("unknown_class"), ==, unknown + 1);
    g_assert_cmpfloat(dropped("too_large"), ==, too_large + 1);
    /* 8 frames + 3 ClientHellos. */
    g_assert_cmpfloat(metric("parley_bridge_channel_messages_received_total"), ==, in0 + 11);
    g_assert_cmpuint(it_http_get(env.http_port, "/about/health", NULL), ==, 200);
    g_assert_true(it_bridge_log_has(&env, "room=" CONF " ep=A: bridge channel message dropped: "));
}

/* Replaces "pwd=<secret>" in @url with @pwd (NULL: no query at all). */
static char *with_pwd(const char *url, const char *pwd)
{
    const char *q = strchr(url, '?');
    g_assert_nonnull(q);
    return pwd ? g_strdup_printf("%.*s?pwd=%s", (int)(q - url), url, pwd)
               : g_strndup(url, (gsize)(q - url));
}

static void expect_refused(const char *url, guint status)
{
    Client *c = client_connect("refused", url);
    if (c->ws)
        g_error("%s was accepted", url);
    if (c->status != status)
        g_error("%s: HTTP %u, expected %u", url, c->status, status);
    client_free(c);
}

static void test_refused(void)
{
    double bad_pwd = refused("bad_password"), unknown = refused("unknown_endpoint");
    double other = refused("unknown_bridge");

    g_autofree char *wrong = with_pwd(urls[1], "AAAAAAAAAAAAAAAAAAAAAAAA");
    expect_refused(wrong, 403);
    g_autofree char *none = with_pwd(urls[1], NULL);
    expect_refused(none, 403);
    /* Another endpoint's valid secret does not open this one. */
    const char *a_pwd = strstr(urls[0], "?pwd=") + 5;
    g_autofree char *swapped = with_pwd(urls[1], a_pwd);
    expect_refused(swapped, 403);

    g_autofree char *base = g_strdup_printf("ws://127.0.0.1:%u/colibri-ws/", env.http_port);
    g_autofree char *no_ep = g_strdup_printf("%s%s/" CONF "/Z?pwd=%s", base, env.nickname, a_pwd);
    expect_refused(no_ep, 404);
    g_autofree char *no_conf = g_strdup_printf("%s%s/nope/A?pwd=%s", base, env.nickname, a_pwd);
    expect_refused(no_conf, 404);
    g_autofree char *short_path =
        g_strdup_printf("%s%s/" CONF "?pwd=%s", base, env.nickname, a_pwd);
    expect_refused(short_path, 404);
    g_autofree char *other_bridge = g_strdup_printf("%sjvb-other/" CONF "/A?pwd=%s", base, a_pwd);
    expect_refused(other_bridge, 404);

    g_assert_cmpfloat(refused("bad_password"), ==, bad_pwd + 3);
    g_assert_cmpfloat(refused("unknown_endpoint"), ==, unknown + 3);
    g_assert_cmpfloat(refused("unknown_bridge"), ==, other + 1);
    /* A plain GET on a valid URL is no WebSocket: refused by libsoup, nothing opened. */
    g_autofree char *path = g_strdup(strstr(urls[1], "/colibri-ws/"));
    g_assert_cmpuint(it_http_get(env.http_port, path, NULL), ==, 400);
    g_assert_cmpfloat(metric("parley_bridge_channels_open"), ==, 3);
    g_assert_cmpfloat(metric("parley_bridge_channels_opened_total"), ==, 3);
}

static void test_sources_change(void)
{
    set_sources("C", "C-v0,C-v1");
    expect_forwarded(cl[0], "B-v0,C-v0,C-v1");
    expect_forwarded(cl[1], "A-v0,C-v0,C-v1");
    barrier(cl[2]); /* C's own list did not change */
    barrier(cl[0]);
    barrier(cl[1]);
}

static void test_replace(void)
{
    Client *old = cl[2];
    cl[2] = client_connect("C2", urls[2]);
    g_assert_nonnull(cl[2]->ws);
    json_decref(expect_msg(cl[2], "ServerHello"));
    expect_forwarded(cl[2], "A-v0,B-v0");
    if (!wait_for(client_closed, old, T_MSG))
        g_error("the replaced connection was not closed");
    g_assert_cmpuint(old->close_code, ==, SOUP_WEBSOCKET_CLOSE_NORMAL);
    client_free(old);
    /* Messages to C go to the new connection. */
    send_text(cl[0], "{\"colibriClass\":\"EndpointMessage\",\"to\":\"C\",\"msgPayload\":{}}");
    json_t *j = expect_msg(cl[2], "EndpointMessage");
    g_assert_cmpstr(json_string_value(json_object_get(j, "from")), ==, "A");
    json_decref(j);
    g_assert_cmpfloat(metric("parley_bridge_channels_open"), ==, 3);
    g_assert_cmpfloat(metric("parley_bridge_channels_replaced_total"), ==, 1);
}

static void test_expire_closes(void)
{
    expire("B");
    if (!wait_for(client_closed, cl[1], T_MSG))
        g_error("B's channel stayed open after B expired");
    g_assert_cmpuint(cl[1]->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
    /* The others stop being told about B's video. */
    expect_forwarded(cl[0], "C-v0,C-v1");
    expect_forwarded(cl[2], "A-v0");
    g_assert_cmpfloat(metric("parley_bridge_channels_open"), ==, 2);
    /* Its URL no longer opens anything. */
    expect_refused(urls[1], 404);
    /* Broadcasts go to who is left. */
    send_text(cl[0], "{\"colibriClass\":\"EndpointMessage\",\"to\":\"\",\"msgPayload\":{}}");
    json_decref(expect_msg(cl[2], "EndpointMessage"));
    barrier(cl[0]);
    g_assert_true(it_bridge_log_has(&env, "room=" CONF " ep=B: closing its bridge channel"));
}

static void test_oversized_frame(void)
{
    /* Above libsoup's frame limit: that connection is closed, nothing else is hurt. */
    gsize n = 300 * 1024;
    char *huge = g_malloc(n + 1);
    memset(huge, 'x', n);
    huge[n] = '\0';
    send_text(cl[2], huge);
    g_free(huge);
    if (!wait_for(client_closed, cl[2], T_MSG))
        g_error("an oversized frame did not close the channel");
    /* libsoup sends 1009 and drops the connection at once; whether the client reads the code
     * before its own write fails depends on timing, so only the close itself is checked. */
    g_assert_true(cl[2]->close_code == SOUP_WEBSOCKET_CLOSE_TOO_BIG || cl[2]->close_code == 0);
    barrier(cl[0]);
    g_assert_cmpuint(it_http_get(env.http_port, "/about/health", NULL), ==, 200);
    gint64 until = g_get_monotonic_time() + T_MSG * 1000;
    while (metric("parley_bridge_channels_open") != 1 && g_get_monotonic_time() < until)
        pump(20);
    g_assert_cmpfloat(metric("parley_bridge_channels_open"), ==, 1);
    /* The endpoint may connect again. */
    client_free(cl[2]);
    cl[2] = client_connect("C3", urls[2]);
    g_assert_nonnull(cl[2]->ws);
    json_decref(expect_msg(cl[2], "ServerHello"));
    expect_forwarded(cl[2], "A-v0");
}

/* A flood of relayed messages is cut at the sender: the rest are dropped and counted, every
 * one accounted for, and the channel stays up. */
static void test_flood(void)
{
    const int n = 1000;
    double limited0 = dropped("rate_limited");
    for (int i = 0; i < n; i++) {
        g_autofree char *t = g_strdup_printf(
            "{\"colibriClass\":\"EndpointMessage\",\"to\":\"\",\"msgPayload\":{\"i\":%d}}", i);
        send_text(cl[0], t);
    }
    barrier(cl[0]);
    /* What C was sent arrives before its own ServerHello: count it there. */
    send_text(cl[2], "{\"colibriClass\":\"ClientHello\"}");
    int got = 0, last = -1;
    for (;;) {
        json_t *j = next_msg(cl[2]);
        g_assert_nonnull(j);
        gboolean hello = g_strcmp0(klass(j), "ServerHello") == 0;
        if (!hello) {
            g_assert_cmpstr(klass(j), ==, "EndpointMessage");
            /* In the order sent; the ones over the rate are missing. */
            int idx =
                (int)json_integer_value(json_object_get(json_object_get(j, "msgPayload"), "i"));
            g_assert_cmpint(idx, >, last);
            last = idx;
            got++;
        }
        json_decref(j);
        if (hello)
            break;
    }
    double limited = dropped("rate_limited") - limited0;
    g_printerr("# figures: %d of %d back-to-back broadcasts relayed, %.0f rate-limited\n", got, n,
               limited);
    g_assert_cmpint(got, >=, BRIDGE_CHANNEL_RELAY_BURST / 2);
    g_assert_cmpint(got, <, n);
    g_assert_cmpfloat(got + limited, ==, n);
}

/* Reads exactly @n bytes or fails the test. */
static void read_all(GSocket *sock, guint8 *buf, gsize n)
{
    gsize done = 0;
    while (done < n) {
        GError *error = NULL;
        gssize r = g_socket_receive(sock, (char *)buf + done, n - done, NULL, &error);
        if (r <= 0)
            g_error("raw WebSocket read: %s", error ? error->message : "connection closed");
        done += (gsize)r;
    }
}

/* An idle channel is pinged (the bridge runs with http.websocket_ping_seconds=1 here). A raw
 * client sees the frames themselves, which libsoup's client would answer silently. */
static void test_ping(void)
{
    g_autoptr(GSocketClient) sc = g_socket_client_new();
    g_socket_client_set_timeout(sc, 5);
    GError *error = NULL;
    g_autoptr(GSocketConnection) conn =
        g_socket_client_connect_to_host(sc, "127.0.0.1", (guint16)env.http_port, NULL, &error);
    g_assert_no_error(error);
    GSocket *sock = g_socket_connection_get_socket(conn);
    const char *path = strstr(urls[2], "/colibri-ws/");
    g_autofree char *req = g_strdup_printf(
        "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%u\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        "Sec-WebSocket-Key: cGFybGV5IHBpbmcgdGVzdA==\r\nSec-WebSocket-Version: 13\r\n\r\n",
        path, env.http_port);
    g_assert_cmpint(g_socket_send(sock, req, strlen(req), NULL, &error), ==, (gssize)strlen(req));
    GString *head = g_string_new(NULL);
    while (!strstr(head->str, "\r\n\r\n")) {
        guint8 c;
        read_all(sock, &c, 1);
        g_string_append_c(head, (char)c);
    }
    if (!g_str_has_prefix(head->str, "HTTP/1.1 101"))
        g_error("no WebSocket upgrade: %s", head->str);
    g_string_free(head, TRUE);
    gint64 open_us = g_get_monotonic_time();
    guint texts = 0;
    for (;;) {
        guint8 h[2];
        read_all(sock, h, 2);
        guint64 len = h[1] & 0x7f;
        g_assert_cmpint(h[1] & 0x80, ==, 0); /* server frames are not masked */
        if (len == 126 || len == 127) {
            guint8 ext[8];
            gsize n = len == 126 ? 2 : 8;
            read_all(sock, ext, n);
            len = 0;
            for (gsize i = 0; i < n; i++)
                len = len << 8 | ext[i];
        }
        g_assert_cmpuint(len, <, 65536);
        guint8 *payload = g_malloc(len + 1);
        read_all(sock, payload, len);
        payload[len] = 0;
        guint opcode = h[0] & 0x0f;
        if (opcode == 0x1) {
            /* ServerHello, ForwardedSources (layer selection's own news aside) */
            if (strstr((char *)payload, "\"ServerHello\"") ||
                strstr((char *)payload, "\"ForwardedSources\""))
                texts++;
            g_free(payload);
            continue;
        }
        g_free(payload);
        g_assert_cmpuint(opcode, ==, 0x9);
        break;
    }
    double after = (g_get_monotonic_time() - open_us) / 1e6;
    g_printerr("# figures: first ping on an idle channel after %.2f s (interval 1 s)\n", after);
    g_assert_cmpuint(texts, ==, 2);
    g_assert_cmpfloat(after, <, 3.0);
    /* The raw client replaced C's channel; the libsoup one was closed. */
    g_assert_true(wait_for(client_closed, cl[2], T_MSG));
    g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
}

static void test_shutdown(void)
{
    /* SIGTERM with two channels open: they are closed as "going away", the exit is clean. */
    g_assert_cmpint(kill(env.bridge_pid, SIGTERM), ==, 0);
    gint64 until = g_get_monotonic_time() + 10 * G_TIME_SPAN_SECOND;
    while ((!cl[0]->closed || !cl[2]->closed) && g_get_monotonic_time() < until)
        pump(10);
    g_assert_true(cl[0]->closed && cl[2]->closed);
    g_assert_cmpuint(cl[0]->close_code, ==, SOUP_WEBSOCKET_CLOSE_GOING_AWAY);
    g_assert_cmpint(it_bridge_wait(&env, 10000), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    it_env_init(&env);
    it_dump_log_on_abort(&env);
    session = soup_session_new_with_options("timeout", 5, NULL);
    g_test_add_func("/bridge-channel/setup", test_setup);
    g_test_add_func("/bridge-channel/open", test_open);
    g_test_add_func("/bridge-channel/broadcast", test_broadcast);
    g_test_add_func("/bridge-channel/unicast", test_unicast);
    g_test_add_func("/bridge-channel/endpoint-stats", test_endpoint_stats);
    g_test_add_func("/bridge-channel/preferences", test_preferences);
    g_test_add_func("/bridge-channel/garbage", test_garbage);
    g_test_add_func("/bridge-channel/refused", test_refused);
    g_test_add_func("/bridge-channel/sources-change", test_sources_change);
    g_test_add_func("/bridge-channel/replace", test_replace);
    g_test_add_func("/bridge-channel/expire-closes", test_expire_closes);
    g_test_add_func("/bridge-channel/oversized-frame", test_oversized_frame);
    g_test_add_func("/bridge-channel/flood", test_flood);
    g_test_add_func("/bridge-channel/ping", test_ping);
    g_test_add_func("/bridge-channel/shutdown", test_shutdown);
    int rc = g_test_run();
    if (rc != 0 || g_getenv("PARLEY_SHOW_BRIDGE_LOG")) {
        g_autofree char *log = NULL;
        if (g_file_get_contents(env.bridge_log, &log, NULL, NULL))
            g_printerr("---- bridge log ----\n%s----\n", log);
    }
    for (int i = 0; i < 3; i++) {
        client_free(cl[i]);
        g_free(urls[i]);
    }
    g_object_unref(session);
    tx_free(focus);
    g_free(bridge_occupant);
    it_env_cleanup(&env);
    xmpp_shutdown();
    return rc;
}
