/* SPDX-License-Identifier: MIT */
/* parley-focus's real component connection (libstrophe, with the sm_state workaround) against
 * a small XEP-0114 server in a thread of this test, over loopback: handshake (a refused one
 * first), stanzas both ways through the dispatch, a conference request answered once the
 * "MUC" has let the focus in and accepted its owner form, then a dropped connection: the focus
 * reconnects, re-joins and re-configures the room, and still answers.
 * Needs its own network namespace (run through tests/netns-run.sh by meson). */
#include "common/xmpp/stanza.h"
#include "focus/app.h"

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

/* Waits for a complete <@elem> stanza whose text contains @needle; returns it (transfer full)
 * and drops everything up to its end from the buffer, or NULL after 5 s. */
static char *expect(Server *s, const char *elem, const char *needle)
{
    gint64 deadline = g_get_monotonic_time() + 5 * G_USEC_PER_SEC;
    g_autofree char *open = g_strdup_printf("<%s", elem);
    g_autofree char *close = g_strdup_printf("</%s>", elem);
    for (;;) {
        const char *hit = strstr(s->buf->str, needle);
        if (hit) {
            const char *start = NULL;
            for (const char *p = strstr(s->buf->str, open); p && p < hit; p = strstr(p + 1, open))
                start = p;
            if (start) {
                const char *gt = strchr(start, '>');
                const char *end = NULL;
                if (gt && gt[-1] == '/')
                    end = gt + 1;
                else if ((end = strstr(start, close)))
                    end += strlen(close);
                if (end) {
                    char *st = g_strndup(start, (gsize)(end - start));
                    g_string_erase(s->buf, 0, end - s->buf->str);
                    return st;
                }
            }
        }
        if (!read_more(s, deadline)) {
            g_test_message("server: no <%s> with '%s'; buffer: %s", elem, needle, s->buf->str);
            return NULL;
        }
    }
}

static char *attr_of(const char *stanza, const char *name)
{
    g_autofree char *key = g_strdup_printf(" %s=\"", name);
    const char *p = strstr(stanza, key);
    if (!p)
        return NULL;
    p += strlen(key);
    const char *q = strchr(p, '"');
    return q ? g_strndup(p, (gsize)(q - p)) : NULL;
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
    while (!strstr(s->buf->str, "</handshake>"))
        if (!read_more(s, deadline))
            return FALSE;
    g_autofree char *concat = g_strconcat(id, SECRET, NULL);
    g_autofree char *digest = g_compute_checksum_for_string(G_CHECKSUM_SHA1, concat, -1);
    if (!strstr(s->buf->str, digest))
        server_fail(s, "wrong handshake digest");
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

/* The MUC's part when the focus joins ROOM: self presence, then accept the owner form.
 * Returns the owner form it accepted (transfer full) or NULL. */
static char *play_muc_join(Server *s, gboolean created)
{
    g_autofree char *join = expect(s, "presence", "to=\"" ROOM "/focus\"");
    if (!join || !strstr(join, "from=\"" COMPONENT "/focus\"") ||
        !strstr(join, "http://jabber.org/protocol/muc"))
        return NULL;
    g_autofree char *self = g_strdup_printf(
        "<presence from='" ROOM "/focus' to='" COMPONENT "/focus'><x "
        "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' role='moderator' "
        "jid='" COMPONENT "/focus'/>%s<status code='110'/></x></presence>",
        created ? "<status code='201'/>" : "");
    send_str(s, self);
    char *form = expect(s, "iq", "muc#owner");
    if (!form)
        return NULL;
    g_autofree char *id = attr_of(form, "id");
    g_autofree char *res =
        g_strdup_printf("<iq type='result' id='%s' from='" ROOM "' to='" COMPONENT "/focus'/>", id);
    send_str(s, res);
    return form;
}

static gpointer server_thread(gpointer data)
{
    Server *s = data;
    g_autofree char *r = NULL;

    /* 1: a refused handshake; the focus must retry. */
    CHECK(server_accept(s, FALSE), "first connection");

    /* 2: accepted. */
    CHECK(server_accept(s, TRUE), "second connection");
    send_str(s, "<iq type='get' id='p1' from='u@example.org/r' to='" COMPONENT "'><ping "
                "xmlns='urn:xmpp:ping'/></iq>");
    r = expect(s, "iq", "id=\"p1\"");
    CHECK(r && strstr(r, "type=\"result\"") && strstr(r, "to=\"u@example.org/r\""), "ping");
    g_clear_pointer(&r, g_free);

    send_str(s, "<iq type='get' id='d1' from='u@example.org/r' to='" COMPONENT "'><query "
                "xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    r = expect(s, "iq", "id=\"d1\"");
    CHECK(r && strstr(r, "http://jitsi.org/protocol/focus"), "disco#info");
    g_clear_pointer(&r, g_free);

    send_str(s, "<iq type='get' id='u1' from='u@example.org/r' to='" COMPONENT "'><query "
                "xmlns='urn:unknown'/></iq>");
    r = expect(s, "iq", "id=\"u1\"");
    CHECK(r && strstr(r, "service-unavailable"), "unknown namespace");
    g_clear_pointer(&r, g_free);

    send_str(s, "<iq type='set' id='e1' from='u@example.org/r' to='" COMPONENT "'/>");
    r = expect(s, "iq", "id=\"e1\"");
    CHECK(r && strstr(r, "bad-request"), "IQ without payload");
    g_clear_pointer(&r, g_free);

    send_str(s, "<iq type='get' id='k1' from='u@example.org/r' to='" COMPONENT "'><pong "
                "xmlns='urn:xmpp:ping'/></iq>");
    r = expect(s, "iq", "id=\"k1\"");
    CHECK(r && strstr(r, "feature-not-implemented"), "known namespace, unknown element");
    g_clear_pointer(&r, g_free);

    send_str(s, "<iq type='set' id='c9' from='u@example.org/r' to='" COMPONENT "'><conference "
                "xmlns='http://jitsi.org/protocol/focus'/></iq>");
    r = expect(s, "iq", "id=\"c9\"");
    CHECK(r && strstr(r, "bad-request") && strstr(r, "modify"), "conference without room");
    g_clear_pointer(&r, g_free);

    /* Noise a peer may send: must change nothing. */
    send_str(s, "<presence from='" ROOM "'/><presence type='subscribe' from='x@y/z'/>"
                "<message from='x@y/z'><body>hi</body></message>"
                "<iq type='result' id='nobody' from='x@y/z'/>");

    send_str(s, "<iq type='set' id='c0' from='u@example.org/r' to='" COMPONENT "'><conference "
                "xmlns='http://jitsi.org/protocol/focus' room='r1@conference.evil.org'/></iq>");
    r = expect(s, "iq", "id=\"c0\"");
    CHECK(r && strstr(r, "not-allowed") && strstr(r, "conference.example.org"), "wrong domain");
    g_clear_pointer(&r, g_free);

    send_str(s, "<iq type='set' id='c1' from='u@example.org/r' to='" COMPONENT "'><conference "
                "xmlns='http://jitsi.org/protocol/focus' room='" ROOM "'/></iq>");
    r = play_muc_join(s, TRUE);
    CHECK(r && strstr(r, "muc#roomconfig_whois"), "room creation");
    g_clear_pointer(&r, g_free);
    r = expect(s, "iq", "id=\"c1\"");
    CHECK(r && strstr(r, "ready=\"true\"") && strstr(r, "focusjid=\"" COMPONENT "\""),
          "conference reply");
    g_clear_pointer(&r, g_free);

    /* 3: the server goes away; the focus comes back and re-joins the room. */
    g_socket_close(s->conn, NULL);
    CHECK(server_accept(s, TRUE), "reconnection");
    r = play_muc_join(s, FALSE);
    CHECK(r && strstr(r, "muc#roomconfig_whois") && !strstr(r, "membersonly"),
          "re-join and re-configure");
    g_clear_pointer(&r, g_free);
    send_str(s, "<iq type='get' id='p2' from='u@example.org/r' to='" COMPONENT "'><ping "
                "xmlns='urn:xmpp:ping'/></iq>");
    r = expect(s, "iq", "id=\"p2\"");
    CHECK(r && strstr(r, "type=\"result\""), "ping after the reconnect");

out:
    g_atomic_int_set(&s->done, 1);
    return NULL;
}

static void test_component(void)
{
    Server s = {0};
    s.buf = g_string_new("");
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
