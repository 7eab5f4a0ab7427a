/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread, which calls focus_component_iterate(). The component
 * owns the libstrophe context, the connection and the FocusLink; libstrophe calls back into
 * it only from inside xmpp_run_once(). */
#include "focus/xmpp/component.h"

#include "common/backoff.h"
#include "common/xmpp/stanza.h"
#include "focus/xmpp/disco.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef enum {
    COMP_IDLE,       /* not started */
    COMP_CONNECTING, /* xmpp_connect_component() in progress */
    COMP_ONLINE,     /* handshake done */
    COMP_WAITING,    /* disconnected, reconnect timer armed */
    COMP_STOPPED,    /* focus_component_stop() */
} CompState;

struct _FocusComponent {
    FocusComponentSettings s;
    char *host, *jid, *secret, *server_domain;
    FocusComponentEvents ev;
    gpointer ev_data;
    xmpp_log_t log;
    xmpp_ctx_t *ctx;
    xmpp_conn_t *conn;
    FocusLink *link;
    PaBackoff backoff;
    CompState state;
    gboolean stopping;
    gboolean closing; /* our stream close is sent: nothing more may be sent or delivered */
    guint reconnect_timer;
    guint keepalive_timer;
    guint connect_count;
    gboolean primed; /* set by the sm_state workaround's throwaway connect */
    int sock;        /* libstrophe's socket, as last created (see on_sockopt()), or -1 */
    FocusPollSource poll_source;
    gboolean has_poll_source;
};

/* libstrophe does not say which socket a connection uses; its socket-option callback is
 * handed each new one, and knows only the connection: map connections to components. */
static GHashTable *comp_of_conn; /* xmpp_conn_t* -> FocusComponent*, the loop's thread only */

static int on_sockopt(xmpp_conn_t *conn, void *sock)
{
    FocusComponent *comp = comp_of_conn ? g_hash_table_lookup(comp_of_conn, conn) : NULL;
    if (comp)
        comp->sock = *(int *)sock;
    /* TCP keepalive as a second line of defence under the ping keepalive. */
    return xmpp_sockopt_cb_keepalive(conn, sock);
}

static void strophe_log(void *userdata, xmpp_log_level_t level, const char *area, const char *msg)
{
    /* libstrophe's debug level dumps every stanza: only when asked for explicitly. */
    static int verbose = -1;
    if (verbose < 0)
        verbose = g_getenv("PARLEY_STROPHE_DEBUG") != NULL;
    if (level == XMPP_LEVEL_DEBUG && !verbose)
        return;
    g_debug("libstrophe %s: %s", area, msg);
}

static void link_send(xmpp_stanza_t *stanza, gpointer data)
{
    FocusComponent *comp = data;
    if (comp->state == COMP_ONLINE && !comp->closing)
        xmpp_send(comp->conn, stanza);
}

/* ---- libstrophe 0.12.2 workaround ----
 *
 * libstrophe allocates its stream-management state (conn->sm_state) only in
 * xmpp_connect_client(), yet its send and receive paths dereference it for every connection
 * type: a connection made with xmpp_connect_component() alone crashes (SIGSEGV) on the first
 * stanza. The state is opaque, so the public xmpp_conn_set_sm_state() cannot create one; it
 * only accepts a state taken from a connection that has been through xmpp_connect_client().
 *
 * So, once per xmpp_conn_t: run xmpp_connect_client() against a loopback port that refuses
 * connections (a socket bound to 127.0.0.1:0 that never listens, so the refusal is certain
 * and immediate) and let it fail. That allocates the state and leaves the connection
 * disconnected and reusable; libstrophe keeps the state across later connects and
 * disconnects (it only resets it). xmpp_conn_get_sm_state()/xmpp_conn_set_sm_state() are
 * used to check that the state is there (taking it out and putting it back), before every
 * connect, so a libstrophe that frees it one day is primed again rather than crashing.
 * Covered by tests/unit/focus/test-focus-component.c, which exchanges stanzas as a component
 * across a reconnect. */

static void prime_handler(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
                          xmpp_stream_error_t *stream_error, void *userdata)
{
    FocusComponent *comp = userdata;
    if (event != XMPP_CONN_CONNECT)
        comp->primed = TRUE;
}

static gboolean has_sm_state(xmpp_conn_t *conn)
{
    xmpp_sm_state_t *sm = xmpp_conn_get_sm_state(conn);
    if (!sm)
        return FALSE;
    if (xmpp_conn_set_sm_state(conn, sm) != XMPP_EOK) {
        xmpp_free_sm_state(sm);
        return FALSE;
    }
    return TRUE;
}

static gboolean ensure_sm_state(FocusComponent *comp)
{
    if (has_sm_state(comp->conn))
        return TRUE;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (fd < 0 || bind(fd, (struct sockaddr *)&addr, sizeof addr) != 0 ||
        getsockname(fd, (struct sockaddr *)&addr, &len) != 0) {
        g_warning("libstrophe workaround: no loopback socket: %s", g_strerror(errno));
        if (fd >= 0)
            close(fd);
        return FALSE;
    }
    comp->primed = FALSE;
    xmpp_conn_set_jid(comp->conn, comp->jid);
    int rc =
        xmpp_connect_client(comp->conn, "127.0.0.1", ntohs(addr.sin_port), prime_handler, comp);
    gint64 deadline = g_get_monotonic_time() + 2 * G_USEC_PER_SEC;
    while (rc == XMPP_EOK && !comp->primed && g_get_monotonic_time() < deadline)
        xmpp_run_once(comp->ctx, 10);
    close(fd);
    gboolean ok = xmpp_conn_is_disconnected(comp->conn) && has_sm_state(comp->conn);
    if (!ok)
        g_warning("libstrophe workaround failed (connect rc=%d): not connecting, since a "
                  "component connection without stream-management state crashes libstrophe",
                  rc);
    return ok;
}

/* ---- connection lifecycle ---- */

static void reconnect_now(FocusLink *link, gpointer data);

static void schedule_reconnect(FocusComponent *comp)
{
    if (comp->stopping) {
        comp->state = COMP_STOPPED;
        return;
    }
    comp->state = COMP_WAITING;
    guint delay = pa_backoff_next(&comp->backoff);
    g_info("reconnect scheduled in %.1f s (attempt %u) to %s:%u", delay / 1000.0,
           comp->backoff.attempts, comp->host, comp->s.port);
    comp->reconnect_timer = focus_link_timer_cancel(comp->link, comp->reconnect_timer);
    comp->reconnect_timer = focus_link_timer_add(comp->link, delay, reconnect_now, comp, comp);
}

static void keepalive_send(FocusLink *link, gpointer data);

static void keepalive_arm(FocusComponent *comp)
{
    comp->keepalive_timer = focus_link_timer_cancel(comp->link, comp->keepalive_timer);
    if (comp->s.keepalive_ms && comp->server_domain && comp->state == COMP_ONLINE)
        comp->keepalive_timer =
            focus_link_timer_add(comp->link, comp->s.keepalive_ms, keepalive_send, comp, comp);
}

static void keepalive_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                           gpointer data)
{
    FocusComponent *comp = data;
    if (outcome == FOCUS_IQ_DISCONNECTED || comp->state != COMP_ONLINE)
        return;
    if (outcome == FOCUS_IQ_TIMEOUT) {
        g_warning("XMPP server did not answer a keepalive ping within %u ms: reconnecting",
                  comp->s.keepalive_timeout_ms);
        xmpp_disconnect(comp->conn);
        return;
    }
    keepalive_arm(comp); /* any answer, even an error, shows the stream is alive */
}

static void keepalive_send(FocusLink *link, gpointer data)
{
    FocusComponent *comp = data;
    comp->keepalive_timer = 0;
    if (comp->state != COMP_ONLINE)
        return;
    xmpp_stanza_t *iq = xmpp_iq_new(comp->ctx, "get", NULL);
    xmpp_stanza_set_from(iq, comp->jid);
    xmpp_stanza_set_to(iq, comp->server_domain);
    pa_stanza_add_child(iq, "ping", FOCUS_NS_PING);
    focus_link_send_iq(link, iq, comp->s.keepalive_timeout_ms, keepalive_done, comp, comp);
    xmpp_stanza_release(iq);
}

static const char *stream_error_str(xmpp_error_type_t t)
{
    switch (t) {
    case XMPP_SE_NOT_AUTHORIZED:
        return "not-authorized (wrong xmpp.secret?)";
    case XMPP_SE_HOST_UNKNOWN:
        return "host-unknown (is the component configured on the server?)";
    case XMPP_SE_CONFLICT:
        return "conflict (another process is connected as this component)";
    case XMPP_SE_SYSTEM_SHUTDOWN:
        return "system-shutdown";
    case XMPP_SE_CONN_TIMEOUT:
        return "connection-timeout";
    case XMPP_SE_POLICY_VIOLATION:
        return "policy-violation";
    case XMPP_SE_INVALID_FROM:
        return "invalid-from";
    default:
        return "stream error";
    }
}

static void conn_handler(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
                         xmpp_stream_error_t *stream_error, void *userdata)
{
    FocusComponent *comp = userdata;
    if (event == XMPP_CONN_CONNECT) {
        comp->state = COMP_ONLINE;
        comp->connect_count++;
        pa_backoff_reset(&comp->backoff);
        focus_link_set_online(comp->link, TRUE);
        g_info("connected to XMPP server as %s", comp->jid);
        keepalive_arm(comp);
        if (comp->ev.online)
            comp->ev.online(comp, comp->ev_data);
        return;
    }
    if (event == XMPP_CONN_RAW_CONNECT)
        return;

    gboolean was_online = comp->state == COMP_ONLINE;
    focus_link_set_online(comp->link, FALSE);
    comp->keepalive_timer = focus_link_timer_cancel(comp->link, comp->keepalive_timer);
    g_autofree char *why = NULL;
    if (stream_error)
        why = g_strdup_printf("%s%s%s", stream_error_str(stream_error->type),
                              stream_error->text ? ": " : "",
                              stream_error->text ? stream_error->text : "");
    else if (error)
        why = g_strdup(g_strerror(error));
    else if (was_online)
        why = g_strdup("the server closed the stream");
    else
        why = g_strdup("connection refused or closed before the handshake");
    comp->state = COMP_WAITING;
    if (was_online) {
        if (comp->stopping)
            g_info("disconnected from XMPP server");
        else
            g_warning("disconnected from XMPP server as %s: %s", comp->jid, why);
        focus_link_fail_pending(comp->link);
        if (comp->ev.offline)
            comp->ev.offline(comp, comp->ev_data);
    } else if (!comp->stopping) {
        g_warning("could not connect to XMPP server %s:%u as %s: %s", comp->host, comp->s.port,
                  comp->jid, why);
    }
    schedule_reconnect(comp);
}

static void reconnect_now(FocusLink *link, gpointer data)
{
    FocusComponent *comp = data;
    comp->reconnect_timer = 0;
    if (comp->stopping)
        return;
    if (!xmpp_conn_is_disconnected(comp->conn)) {
        g_debug("reconnect: connection still closing, retrying shortly");
        comp->reconnect_timer = focus_link_timer_add(comp->link, 100, reconnect_now, comp, comp);
        return;
    }
    if (!ensure_sm_state(comp)) {
        schedule_reconnect(comp);
        return;
    }
    xmpp_conn_set_jid(comp->conn, comp->jid);
    xmpp_conn_set_pass(comp->conn, comp->secret);
    comp->state = COMP_CONNECTING;
    int rc = xmpp_connect_component(comp->conn, comp->host, comp->s.port, conn_handler, comp);
    if (rc != XMPP_EOK) {
        g_warning("could not start connecting to %s:%u (libstrophe error %d)", comp->host,
                  comp->s.port, rc);
        schedule_reconnect(comp);
    }
}

/* ---- receiving ---- */

static int on_stanza(xmpp_stanza_t *stanza, void *userdata)
{
    FocusComponent *comp = userdata;
    if (comp->ev.receive && !comp->closing)
        comp->ev.receive(comp, stanza, comp->ev_data);
    return 1;
}

/* One handler per stanza name: libstrophe refuses a second registration of the same function
 * with the same userdata. */
static int on_iq(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
    return on_stanza(stanza, userdata);
}

static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
    return on_stanza(stanza, userdata);
}

static int on_message(xmpp_conn_t *conn, xmpp_stanza_t *stanza, void *userdata)
{
    return on_stanza(stanza, userdata);
}

/* ---- public ---- */

FocusComponent *focus_component_new(const FocusComponentSettings *settings,
                                    const FocusComponentEvents *events, gpointer events_data)
{
    g_return_val_if_fail(settings && settings->host && settings->jid && settings->secret, NULL);
    FocusComponent *comp = g_new0(FocusComponent, 1);
    comp->s = *settings;
    comp->host = g_strdup(settings->host);
    comp->jid = g_strdup(settings->jid);
    comp->secret = g_strdup(settings->secret);
    comp->server_domain = g_strdup(settings->server_domain);
    comp->s.host = comp->host;
    comp->s.jid = comp->jid;
    comp->s.secret = comp->secret;
    comp->s.server_domain = comp->server_domain;
    if (!comp->s.keepalive_timeout_ms)
        comp->s.keepalive_timeout_ms = 15000;
    if (events)
        comp->ev = *events;
    comp->ev_data = events_data;
    pa_backoff_init(&comp->backoff,
                    settings->backoff_initial_ms ? settings->backoff_initial_ms
                                                 : PA_BACKOFF_INITIAL_MS,
                    MAX(settings->backoff_max_ms ? settings->backoff_max_ms : PA_BACKOFF_MAX_MS,
                        settings->backoff_initial_ms));

    xmpp_initialize();
    comp->log.handler = strophe_log;
    comp->log.userdata = comp;
    comp->ctx = xmpp_ctx_new(NULL, &comp->log);
    comp->conn = xmpp_conn_new(comp->ctx);
    xmpp_conn_set_jid(comp->conn, comp->jid);
    xmpp_conn_set_pass(comp->conn, comp->secret);
    comp->sock = -1;
    if (!comp_of_conn)
        comp_of_conn = g_hash_table_new(g_direct_hash, g_direct_equal);
    g_hash_table_insert(comp_of_conn, comp->conn, comp);
    xmpp_conn_set_sockopt_callback(comp->conn, on_sockopt);
    xmpp_handler_add(comp->conn, on_iq, NULL, "iq", NULL, comp);
    xmpp_handler_add(comp->conn, on_presence, NULL, "presence", NULL, comp);
    xmpp_handler_add(comp->conn, on_message, NULL, "message", NULL, comp);

    comp->link = focus_link_new(comp->ctx, comp->jid);
    focus_link_set_transport(comp->link, link_send, comp);
    return comp;
}

void focus_component_free(FocusComponent *comp)
{
    if (!comp)
        return;
    /* Releasing a connection that is still up closes it and may call conn_handler: keep the
     * link alive until then, but tell nobody upstairs. */
    comp->stopping = TRUE;
    memset(&comp->ev, 0, sizeof comp->ev);
    xmpp_handler_delete(comp->conn, on_iq);
    xmpp_handler_delete(comp->conn, on_presence);
    xmpp_handler_delete(comp->conn, on_message);
    xmpp_conn_release(comp->conn);
    g_hash_table_remove(comp_of_conn, comp->conn);
    if (g_hash_table_size(comp_of_conn) == 0)
        g_clear_pointer(&comp_of_conn, g_hash_table_destroy);
    xmpp_ctx_free(comp->ctx);
    xmpp_shutdown();
    focus_link_free(comp->link);
    g_free(comp->host);
    g_free(comp->jid);
    g_free(comp->secret);
    g_free(comp->server_domain);
    g_free(comp);
}

FocusLink *focus_component_link(FocusComponent *comp)
{
    return comp->link;
}

xmpp_ctx_t *focus_component_ctx(FocusComponent *comp)
{
    return comp->ctx;
}

gboolean focus_component_online(FocusComponent *comp)
{
    return comp->state == COMP_ONLINE;
}

guint focus_component_connect_count(FocusComponent *comp)
{
    return comp->connect_count;
}

void focus_component_start(FocusComponent *comp)
{
    g_return_if_fail(comp->state == COMP_IDLE);
    comp->stopping = FALSE;
    g_info("connecting to XMPP server %s:%u as %s", comp->host, comp->s.port, comp->jid);
    reconnect_now(comp->link, comp);
}

void focus_component_set_poll_source(FocusComponent *comp, const FocusPollSource *source)
{
    comp->has_poll_source = source != NULL;
    if (source)
        comp->poll_source = *source;
}

/* The wait until the next timer, at most @max_wait_ms. */
static guint wait_ms(FocusComponent *comp, guint max_wait_ms)
{
    gint64 due_us = focus_link_next_due_in(comp->link);
    guint wait = max_wait_ms;
    if (due_us >= 0 && (guint64)due_us < (guint64)wait * 1000)
        wait = (guint)((due_us + 999) / 1000);
    return wait;
}

#define MAX_POLL_FDS 64

/* One poll() over libstrophe's socket and the poll source's descriptors, then libstrophe
 * without waiting. libstrophe writes what it has queued at the start of every
 * xmpp_run_once(), so the socket is also polled for writing while its queue is not empty
 * (or it is still connecting). When the socket is not known, the wait is kept short and
 * libstrophe is simply run again soon. */
static void iterate_polled(FocusComponent *comp, guint max_wait_ms)
{
    xmpp_run_once(comp->ctx, 0);
    focus_link_run_due(comp->link);
    int timeout = (int)wait_ms(comp, max_wait_ms);
    struct pollfd fds[MAX_POLL_FDS];
    guint n = 0;
    gboolean connecting = xmpp_conn_is_connecting(comp->conn);
    if (comp->sock >= 0 && (connecting || xmpp_conn_is_connected(comp->conn))) {
        short events = POLLIN;
        if (connecting || xmpp_conn_send_queue_len(comp->conn) > 0)
            events |= POLLOUT;
        fds[n++] = (struct pollfd){.fd = comp->sock, .events = events};
    } else if (!xmpp_conn_is_disconnected(comp->conn)) {
        timeout = MIN(timeout, 20);
    }
    guint first = n;
    n += comp->poll_source.prepare(fds + first, MAX_POLL_FDS - first, &timeout,
                                   comp->poll_source.data);
    if (poll(fds, n, timeout) > 0)
        comp->poll_source.dispatch(fds + first, n - first, comp->poll_source.data);
    xmpp_run_once(comp->ctx, 0);
    focus_link_run_due(comp->link);
}

void focus_component_iterate(FocusComponent *comp, guint max_wait_ms)
{
    if (comp->has_poll_source) {
        iterate_polled(comp, max_wait_ms);
        return;
    }
    focus_link_run_due(comp->link);
    xmpp_run_once(comp->ctx, wait_ms(comp, max_wait_ms));
    focus_link_run_due(comp->link);
}

void focus_component_stop(FocusComponent *comp, guint timeout_ms)
{
    comp->stopping = TRUE;
    comp->reconnect_timer = focus_link_timer_cancel(comp->link, comp->reconnect_timer);
    comp->keepalive_timer = focus_link_timer_cancel(comp->link, comp->keepalive_timer);
    gint64 deadline = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    if (comp->state == COMP_ONLINE) {
        /* What the caller sent last (leaving the rooms) goes out before the close; stanzas
         * arriving meanwhile are still delivered, so late requests get their error. */
        gint64 flush = MIN(deadline, g_get_monotonic_time() + 200 * G_TIME_SPAN_MILLISECOND);
        while (comp->state == COMP_ONLINE && xmpp_conn_send_queue_len(comp->conn) > 0 &&
               g_get_monotonic_time() < flush)
            xmpp_run_once(comp->ctx, 20);
    }
    comp->closing = TRUE;
    if (comp->state == COMP_ONLINE || comp->state == COMP_CONNECTING)
        xmpp_disconnect(comp->conn);
    while (!xmpp_conn_is_disconnected(comp->conn) && g_get_monotonic_time() < deadline)
        xmpp_run_once(comp->ctx, 50);
    comp->state = COMP_STOPPED;
    focus_link_set_online(comp->link, FALSE);
}
