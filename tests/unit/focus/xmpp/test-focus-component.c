/* SPDX-License-Identifier: MIT */
/* parley-focus's real component connection (libstrophe, with the sm_state workaround) against
 * a small XEP-0114 server in a thread of this test, over loopback: handshake (a refused one
 * first), stanzas both ways through the dispatch, a conference request answered once the
 * "MUC" has let the focus in and accepted its owner form, then a dropped connection: the focus
 * reconnects, re-joins and re-configures the room, and still answers.
 * Needs its own network namespace (run through tests/netns-run.sh by meson). */
#include "common/xmpp/stanza.h"
#include "focus/app.h"
#include "testbed.h"

#include <gio/gio.h>
#include <string.h>

#define SECRET "s3cret"
#define COMPONENT "focus.example.org"
#define ROOM "r1@conference.example.org"

typedef struct {
    GSocket *listener;
    guint16 port;
    GSocket *conn;
    GString *buf;
    gint done;    /* atomic: the script finished */
    char *failed; /* first failure, reported by the main thread */
    guint accepted;
    xmpp_ctx_t *ctx; /* the server thread's, for parsing what the focus sends */
} Server;

static void server_fail(Server *s, const char *what)
{
    if (!s->failed)
        s->failed = g_strdup(what);
}

static gboolean read_more(Server *s, gint64 deadline)
{
    char chunk[4096];
    while (g_get_monotonic_time() < deadline) {
        if (!g_socket_condition_timed_wait(s->conn, G_IO_IN, 100 * 1000, NULL, NULL))
            continue;
        gssize n = g_socket_receive(s->conn, chunk, sizeof chunk, NULL, NULL);
        if (n <= 0)
            return FALSE;
        g_string_append_len(s->buf, chunk, n);
        return TRUE;
    }
    return FALSE;
}

static void send_str(Server *s, const char *text)
{
    g_socket_send_with_blocking(s->conn, text, strlen(text), TRUE, NULL, NULL);
}

/* The next complete top-level <iq/>, <presence/>, <message/> or <handshake/> in the buffer,
 * parsed (transfer full) and dropped from the buffer; NULL if none is complete yet. Stanzas of
 * one name do not nest, so a stanza ends at the first closing tag of its name. */
static xmpp_stanza_t *next_stanza(Server *s)
{
    static const char *const names[] = {"iq", "presence", "message", "handshake"};
    const char *start = NULL, *name = NULL;
    for (guint i = 0; i < G_N_ELEMENTS(names); i++) {
        g_autofree char *open = g_strdup_printf("<%s", names[i]);
        for (const char *p = strstr(s->buf->str, open); p; p = strstr(p + 1, open)) {
            char c = p[strlen(open)];
            if (c != ' ' && c != '>' && c != '/')
                continue; /* <iqx ...> is not <iq> */
            if (!start || p < start) {
                start = p;
                name = names[i];
            }
            break;
        }
    }
    if (!start)
        return NULL;
    const char *gt = strchr(start, '>');
    if (!gt)
        return NULL;
    const char *end = NULL;
    if (gt[-1] == '/') {
        end = gt + 1;
    } else {
        g_autofree char *close = g_strdup_printf("</%s>", name);
        end = strstr(gt, close);
        if (!end)
            return NULL;
        end += strlen(close);
    }
    g_autofree char *text = g_strndup(start, (gsize)(end - start));
    g_string_erase(s->buf, 0, end - s->buf->str);
    xmpp_stanza_t *st = xmpp_stanza_new_from_string(s->ctx, text);
    if (!st)
        server_fail(s, "the focus sent something that is not XML");
    return st;
}

/* Waits for the next stanza from the focus that matches @p (those before it are dropped);
 * returns it (transfer full), or NULL after 5 s. */
static xmpp_stanza_t *expect(Server *s, const StanzaPattern *p)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    for (;;) {
        xmpp_stanza_t *st;
        while ((st = next_stanza(s))) {
            if (stanza_match(st, p))
                return st;
            xmpp_stanza_release(st);
        }
        if (!read_more(s, deadline)) {
            g_test_message("server: no matching stanza; buffer: %s", s->buf->str);
            return NULL;
        }
    }
}

/* Accepts a connection and runs the handshake; @accept_secret FALSE refuses it. */
static gboolean server_accept(Server *s, gboolean accept_secret)
{
    g_clear_object(&s->conn);
    g_string_truncate(s->buf, 0);
    gint64 deadline = g_get_monotonic_time() + 10 * G_USEC_PER_SEC;
    while (!g_socket_condition_timed_wait(s->listener, G_IO_IN, 100 * 1000, NULL, NULL))
        if (g_get_monotonic_time() > deadline)
            return FALSE;
    s->conn = g_socket_accept(s->listener, NULL, NULL);
    if (!s->conn)
        return FALSE;
    s->accepted++;
    while (!strstr(s->buf->str, "<stream:stream") ||
           !strchr(strstr(s->buf->str, "<stream:stream"), '>'))
        if (!read_more(s, deadline))
            return FALSE;
    if (!strstr(s->buf->str, "to=\"" COMPONENT "\"") && !strstr(s->buf->str, "to='" COMPONENT "'"))
        server_fail(s, "stream header not addressed to the component");
    g_autofree char *id = g_strdup_printf("sid%u", s->accepted);
    g_autofree char *hdr = g_strdup_printf(
        "<?xml version='1.0'?><stream:stream xmlns:stream='http://etherx.jabber.org/streams' "
        "xmlns='jabber:component:accept' id='%s' from='" COMPONENT "'>",
        id);
    send_str(s, hdr);
    g_string_truncate(s->buf, 0);
    g_autofree char *concat = g_strconcat(id, SECRET, NULL);
    g_autofree char *digest = g_compute_checksum_for_string(G_CHECKSUM_SHA1, concat, -1);
    xmpp_stanza_t *hs = expect(s, STANZA(.name = "handshake"));
    if (!hs)
        return FALSE;
    if (!stanza_has(hs, ELEM(.name = "handshake", .text = digest)))
        server_fail(s, "wrong handshake digest");
    xmpp_stanza_release(hs);
    g_string_truncate(s->buf, 0);
    if (!accept_secret) {
        send_str(s, "<stream:error><not-authorized "
                    "xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error></stream:stream>");
        g_socket_shutdown(s->conn, FALSE, TRUE, NULL);
        return TRUE;
    }
    send_str(s, "<handshake/>");
    return TRUE;
}

#define CHECK(cond, what)                                                                          \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            server_fail(s, what);                                                                  \
            goto out;                                                                              \
        }                                                                                          \
    } while (0)

#define MUC_OWNER "http://jabber.org/protocol/muc#owner"

/* The MUC's part when the focus joins ROOM: self presence, then accept the owner form.
 * Returns the owner form it accepted (transfer full) or NULL. */
static xmpp_stanza_t *play_muc_join(Server *s, gboolean created)
{
    xmpp_stanza_t *join = expect(s, STANZA(.name = "presence", .to = ROOM "/focus",
                                           .from = COMPONENT "/focus", .has = {{"x", NS_MUC}}));
    if (!join)
        return NULL;
    xmpp_stanza_release(join);
    g_autofree char *self = g_strdup_printf(
        "<presence from='" ROOM "/focus' to='" COMPONENT "/focus'><x "
        "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator' "
        "jid='" COMPONENT "/focus'/>%s<status code='110'/></x></presence>",
        created ? "<status code='201'/>" : "");
    send_str(s, self);
    xmpp_stanza_t *form =
        expect(s, STANZA(.name = "iq", .type = "set", .to = ROOM, .has = {{"query", MUC_OWNER}}));
    if (!form)
        return NULL;
    g_autofree char *res =
        g_strdup_printf("<iq type='result' id='%s' from='" ROOM "' to='" COMPONENT "/focus'/>",
                        xmpp_stanza_get_id(form));
    send_str(s, res);
    return form;
}

#define FIELD(var) ELEM(.name = "field", .attrs = {"var", var})

/* The answer to IQ @id, an error with @condition (NULL: a result). */
static gboolean answered(Server *s, const char *id, const char *condition)
{
    xmpp_stanza_t *r = condition ? expect(s, STANZA(.name = "iq", .id = id, .type = "error",
                                                    .has = {{condition, NS_STANZAS}}))
                                 : expect(s, STANZA(.name = "iq", .id = id, .type = "result"));
    if (r)
        xmpp_stanza_release(r);
    return r != NULL;
}

static gpointer server_thread(gpointer data)
{
    Server *s = data;
    xmpp_stanza_t *r = NULL;

    /* 1: a refused handshake; the focus must retry. */
    CHECK(server_accept(s, FALSE), "first connection");

    /* 2: accepted. */
    CHECK(server_accept(s, TRUE), "second connection");
    send_str(s, "<iq type='get' id='p1' from='u@example.org/r' to='" COMPONENT "'><ping "
                "xmlns='urn:xmpp:ping'/></iq>");
    r = expect(s, STANZA(.name = "iq", .id = "p1"));
    CHECK(r && stanza_match(r, STANZA(.type = "result", .to = "u@example.org/r")), "ping");
    g_clear_pointer(&r, xmpp_stanza_release);

    send_str(s, "<iq type='get' id='d1' from='u@example.org/r' to='" COMPONENT "'><query "
                "xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    r = expect(s, STANZA(.name = "iq", .id = "d1"));
    CHECK(r && stanza_has(r, ELEM(.name = "feature", .attrs = {"var", NS_FOCUS})), "disco#info");
    g_clear_pointer(&r, xmpp_stanza_release);

    send_str(s, "<iq type='get' id='u1' from='u@example.org/r' to='" COMPONENT "'><query "
                "xmlns='urn:unknown'/></iq>");
    CHECK(answered(s, "u1", "service-unavailable"), "unknown namespace");

    send_str(s, "<iq type='set' id='e1' from='u@example.org/r' to='" COMPONENT "'/>");
    CHECK(answered(s, "e1", "bad-request"), "IQ without payload");

    send_str(s, "<iq type='get' id='k1' from='u@example.org/r' to='" COMPONENT "'><pong "
                "xmlns='urn:xmpp:ping'/></iq>");
    CHECK(answered(s, "k1", "feature-not-implemented"), "known namespace, unknown element");

    send_str(s, "<iq type='set' id='c9' from='u@example.org/r' to='" COMPONENT "'><conference "
                "xmlns='http://jitsi.org/protocol/focus'/></iq>");
    r = expect(s, STANZA(.name = "iq", .id = "c9"));
    CHECK(r && stanza_match(r, STANZA(.type = "error", .has = {{"error", NULL, {"type", "modify"}},
                                                               {"bad-request", NS_STANZAS}})),
          "conference without room");
    g_clear_pointer(&r, xmpp_stanza_release);

    /* Noise a peer may send: must change nothing. */
    send_str(s, "<presence from='" ROOM "'/><presence type='subscribe' from='x@y/z'/>"
                "<message from='x@y/z'><body>hi</body></message>"
                "<iq type='result' id='nobody' from='x@y/z'/>");

    send_str(s, "<iq type='set' id='c0' from='u@example.org/r' to='" COMPONENT "'><conference "
                "xmlns='http://jitsi.org/protocol/focus' room='r1@conference.evil.org'/></iq>");
    r = expect(s, STANZA(.name = "iq", .id = "c0"));
    CHECK(r && stanza_has(r, ELEM(.name = "not-allowed", .ns = NS_STANZAS)), "wrong domain");
    xmpp_stanza_t *text = r ? stanza_find(r, ELEM(.name = "text", .ns = NS_STANZAS)) : NULL;
    xmpp_stanza_t *text_node = text ? xmpp_stanza_get_children(text) : NULL;
    const char *why = text_node ? xmpp_stanza_get_text_ptr(text_node) : NULL;
    CHECK(why && strstr(why, "conference.example.org"), "wrong domain: the reason names ours");
    g_clear_pointer(&r, xmpp_stanza_release);

    send_str(s, "<iq type='set' id='c1' from='u@example.org/r' to='" COMPONENT "'><conference "
                "xmlns='http://jitsi.org/protocol/focus' room='" ROOM "'/></iq>");
    r = play_muc_join(s, TRUE);
    CHECK(r && stanza_has(r, FIELD("muc#roomconfig_whois")), "room creation");
    g_clear_pointer(&r, xmpp_stanza_release);
    r = expect(s, STANZA(.name = "iq", .id = "c1"));
    CHECK(r && stanza_has(r, ELEM(.name = "conference", .ns = NS_FOCUS,
                                  .attrs = {"ready", "true", "focusjid", COMPONENT})),
          "conference reply");
    g_clear_pointer(&r, xmpp_stanza_release);

    /* 3: the server goes away; the focus comes back and re-joins the room. */
    g_socket_close(s->conn, NULL);
    CHECK(server_accept(s, TRUE), "reconnection");
    r = play_muc_join(s, FALSE);
    CHECK(r && stanza_has(r, FIELD("muc#roomconfig_whois")) &&
              !stanza_has(r, FIELD("muc#roomconfig_membersonly")),
          "re-join and re-configure");
    g_clear_pointer(&r, xmpp_stanza_release);
    send_str(s, "<iq type='get' id='p2' from='u@example.org/r' to='" COMPONENT "'><ping "
                "xmlns='urn:xmpp:ping'/></iq>");
    CHECK(answered(s, "p2", NULL), "ping after the reconnect");

out:
    if (r)
        xmpp_stanza_release(r);
    g_atomic_int_set(&s->done, 1);
    return NULL;
}

static void test_component(void)
{
    Server s = {0};
    s.buf = g_string_new("");
    xmpp_initialize();
    s.ctx = xmpp_ctx_new(NULL, NULL);
    g_autoptr(GError) err = NULL;
    s.listener =
        g_socket_new(G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &err);
    g_assert_no_error(err);
    g_autoptr(GInetAddress) lo = g_inet_address_new_loopback(G_SOCKET_FAMILY_IPV4);
    g_autoptr(GSocketAddress) any = g_inet_socket_address_new(lo, 0);
    if (!g_socket_bind(s.listener, any, TRUE, &err) || !g_socket_listen(s.listener, &err)) {
        g_test_skip("no loopback socket (run through tests/netns-run.sh)");
        return;
    }
    g_autoptr(GSocketAddress) bound = g_socket_get_local_address(s.listener, NULL);
    s.port = g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(bound));

    FocusConfig cfg = {
        .xmpp_host = g_strdup("127.0.0.1"),
        .xmpp_port = s.port,
        .domain = g_strdup("example.org"),
        .component = g_strdup(COMPONENT),
        .secret = g_strdup(SECRET),
        .muc_domain = g_strdup("conference.example.org"),
        .brewery = g_strdup("jvbbrewery@internal.auth.example.org"),
        .min_participants = 2,
        .room_grace_seconds = 5,
        .log_level = g_strdup("info"),
    };
    FocusAppOptions opt = {
        .keepalive_ms = G_MAXUINT, .backoff_initial_ms = 50, .backoff_max_ms = 200};
    FocusApp *app = focus_app_new(&cfg, &opt);
    GThread *th = g_thread_new("xep0114-server", server_thread, &s);
    focus_app_start(app);
    gint64 deadline = g_get_monotonic_time() + 30 * G_USEC_PER_SEC;
    while (!g_atomic_int_get(&s.done) && g_get_monotonic_time() < deadline)
        focus_app_iterate(app, 20);
    /* Let the last reply leave and the server thread finish. */
    for (int i = 0; i < 5; i++)
        focus_app_iterate(app, 10);
    g_thread_join(th);

    if (s.failed)
        g_error("server script: %s", s.failed);
    g_assert_true(g_atomic_int_get(&s.done));
    g_assert_cmpuint(s.accepted, ==, 3);
    g_assert_cmpuint(focus_component_connect_count(focus_app_component(app)), ==, 2);
    g_assert_true(focus_component_online(focus_app_component(app)));
    FocusRoom *room = focus_registry_lookup(focus_app_registry(app), ROOM);
    g_assert_nonnull(room);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);
    /* The rejected request created nothing. */
    g_assert_cmpuint(focus_registry_count(focus_app_registry(app)), ==, 1);

    focus_app_stop(app, 500);
    focus_app_free(app);
    g_clear_object(&s.conn);
    g_object_unref(s.listener);
    g_string_free(s.buf, TRUE);
    xmpp_ctx_free(s.ctx);
    xmpp_shutdown();
    g_free(s.failed);
    g_free(cfg.xmpp_host);
    g_free(cfg.domain);
    g_free(cfg.component);
    g_free(cfg.secret);
    g_free(cfg.muc_domain);
    g_free(cfg.brewery);
    g_free(cfg.log_level);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Failures under test log warnings on purpose: only criticals abort. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/focus/component/handshake-dispatch-reconnect", test_component);
    return g_test_run();
}
