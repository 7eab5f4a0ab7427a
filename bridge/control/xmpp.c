/* SPDX-License-Identifier: MIT */
/* Thread: control thread only. BridgeXmpp owns the libstrophe context and connection; a new
 * xmpp_conn_t is made for every connection attempt (released from a GLib callback, never from
 * inside libstrophe). */
#include "bridge/control/xmpp.h"

#include <string.h>

#include "common/backoff.h"
#include "common/log.h"
#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"

#define NS_MUC "http://jabber.org/protocol/muc"
#define NS_MUC_USER "http://jabber.org/protocol/muc#user"
#define NS_PING "urn:xmpp:ping"
#define NS_VERSION "jabber:iq:version"

#define TICK_US (100 * G_TIME_SPAN_MILLISECOND) /* libstrophe timers + TLS-buffered data */
#define BACKOFF_MIN_MS 500
#define BACKOFF_MAX_MS 8000
#define REJOIN_MS 5000

typedef struct {
    GSource base;
    BridgeXmpp *x;
} XmppSource;

struct _BridgeXmpp {
    BridgeXmppConfig cfg; /* strings owned */
    char *full_jid;       /* jid/resource we ask for */
    char *occupant_jid;   /* brewery/nickname */
    GMainContext *context;
    BridgeXmppCallbacks cb;
    gpointer user_data;

    xmpp_ctx_t *ctx;
    xmpp_conn_t *conn;
    GSource *source;
    gpointer fd_tag;
    GIOCondition fd_events; /* what fd_tag polls for now */
    int fd;

    gboolean started, online, in_brewery;
    /* Shutdown (bridge_xmpp_free): once stopping, no stanza reaches the callbacks; IQs get an
     * error while the stream is open, and are dropped once closing (our </stream> is sent). */
    gboolean stopping, closing;
    guint late_iqs; /* get/set IQs that arrived while stopping */
    PaBackoff backoff;
    GSource *reconnect;
    GSource *presence_timer;
    GSource *rejoin_timer;
    GHashTable *occupants; /* nick -> real bare JID (or "" when hidden) */
    guint attempts;
    PaRateLimit tls_rl; /* certificate refusals */
};

/* libstrophe's sockopt callback has no user data; map connections to their owner. Control
 * thread only. */
static GHashTable *conn_owner;
/* The BridgeXmpp whose libstrophe loop runs now: libstrophe 0.12 leaves the connection out of
 * the certificate it hands to the certfail handler (xmpp_tlscert_get_conn() is NULL), and
 * calls that handler from inside xmpp_run_once(). Control thread only. */
static BridgeXmpp *running;

static void run_once(BridgeXmpp *x, unsigned long timeout_ms)
{
    BridgeXmpp *outer = running;
    running = x;
    xmpp_run_once(x->ctx, timeout_ms);
    running = outer;
}

static void schedule_reconnect(BridgeXmpp *x);
static void join_brewery(BridgeXmpp *x);

/* ---- GSource driving libstrophe ---- */

static gboolean source_prepare(GSource *s, gint *timeout)
{
    BridgeXmpp *x = ((XmppSource *)s)->x;
    *timeout = -1;
    if (x->fd_tag && x->conn) {
        GIOCondition want = G_IO_IN | G_IO_ERR | G_IO_HUP;
        if (xmpp_conn_is_connecting(x->conn) || xmpp_conn_send_queue_len(x->conn) > 0)
            want |= G_IO_OUT;
        /* g_source_modify_unix_fd() wakes the context it is attached to: calling it on every
         * prepare would make the control thread spin. Only touch it when the mask changes. */
        if (want != x->fd_events) {
            g_source_modify_unix_fd(s, x->fd_tag, want);
            x->fd_events = want;
        }
    }
    return FALSE;
}

static gboolean source_dispatch(GSource *s, GSourceFunc cb, gpointer ud)
{
    BridgeXmpp *x = ((XmppSource *)s)->x;
    run_once(x, 0);
    g_source_set_ready_time(s, g_get_monotonic_time() + TICK_US);
    return G_SOURCE_CONTINUE;
}

static GSourceFuncs source_funcs = {
    .prepare = source_prepare,
    .dispatch = source_dispatch,
};

static void wake(BridgeXmpp *x)
{
    if (x->source)
        g_source_set_ready_time(x->source, 0);
}

static void forget_fd(BridgeXmpp *x)
{
    if (x->fd_tag) {
        g_source_remove_unix_fd(x->source, x->fd_tag);
        x->fd_tag = NULL;
        x->fd = -1;
    }
}

static int on_sockopt(xmpp_conn_t *conn, void *sock)
{
    BridgeXmpp *x = conn_owner ? g_hash_table_lookup(conn_owner, conn) : NULL;
    if (x) {
        forget_fd(x);
        x->fd = *(int *)sock;
        x->fd_events = G_IO_IN | G_IO_OUT | G_IO_ERR;
        x->fd_tag = g_source_add_unix_fd(x->source, x->fd, x->fd_events);
        wake(x);
    }
    /* TCP keepalive: notices a dead server even when it vanishes without a FIN. */
    return xmpp_sockopt_cb_keepalive(conn, sock);
}

/* ---- TLS ---- */

/* The server's certificate could not be verified (libstrophe asks once per certificate of the
 * chain that fails). With a pin, the one that fails is accepted if it is the pinned one (the
 * system CAs are not consulted then: bridge_xmpp_tls_prepare()); otherwise the connection is
 * refused before the password is sent. */
static int on_certfail(const xmpp_tlscert_t *cert, const char *const errormsg)
{
    xmpp_conn_t *conn = xmpp_tlscert_get_conn(cert);
    BridgeXmpp *x = conn_owner && conn ? g_hash_table_lookup(conn_owner, conn) : running;
    const char *fp = xmpp_tlscert_get_string(cert, XMPP_CERT_FINGERPRINT_SHA256);
    if (x && x->cfg.tls_pin && fp && g_ascii_strcasecmp(fp, x->cfg.tls_pin) == 0)
        return 1;
    if (x)
        pa_log_peer(&x->tls_rl, g_get_monotonic_time(), G_LOG_LEVEL_WARNING,
                    "XMPP server %s:%u: certificate refused: %s (subject %s, issuer %s, SHA-256 "
                    "%s)%s",
                    x->cfg.host, x->cfg.port, errormsg ? errormsg : "not trusted",
                    xmpp_tlscert_get_string(cert, XMPP_CERT_SUBJECT),
                    xmpp_tlscert_get_string(cert, XMPP_CERT_ISSUER), fp ? fp : "?",
                    x->cfg.tls_pin ? "; it is not the pinned one (xmpp.tls_pin)"
                                   : "; set xmpp.tls_ca_file or xmpp.tls_pin to trust it");
    return 0;
}

void bridge_xmpp_tls_prepare(const BridgeXmppConfig *cfg)
{
    if (cfg->tls == BRIDGE_XMPP_TLS_VERIFY && cfg->tls_pin) {
        /* OpenSSL reads its default CA locations from these at every handshake: a pinned
         * certificate must be the one trusted, not any that a public CA signed. */
        g_setenv("SSL_CERT_FILE", "/nonexistent/parley-pinned", TRUE);
        g_setenv("SSL_CERT_DIR", "/nonexistent/parley-pinned", TRUE);
    }
    switch (cfg->tls) {
    case BRIDGE_XMPP_TLS_VERIFY:
        g_message("XMPP: TLS required, the server's certificate verified against %s%s",
                  cfg->tls_pin       ? "the pinned SHA-256 "
                  : cfg->tls_ca_file ? "the system CAs and "
                                     : "the system CAs",
                  cfg->tls_pin       ? cfg->tls_pin
                  : cfg->tls_ca_file ? cfg->tls_ca_file
                                     : "");
        break;
    case BRIDGE_XMPP_TLS_LOOPBACK:
        g_message("XMPP: the server %s is on loopback: plaintext accepted, a certificate it offers "
                  "is not verified (xmpp.tls=auto; required verifies even here)",
                  cfg->host);
        break;
    case BRIDGE_XMPP_TLS_INSECURE:
        g_warning("XMPP: xmpp.tls=insecure: the server's certificate is NOT verified, so anyone "
                  "on the way to %s can pose as it and learn the bridge's password",
                  cfg->host);
        break;
    }
}

static void strophe_log(void *ud, xmpp_log_level_t level, const char *area, const char *msg)
{
    /* libstrophe is chatty (every failed connect is an "error"); our own lines say what
     * matters, so its lines stay at debug. */
    g_debug("libstrophe %s: %s", area, msg);
}

static xmpp_log_t strophe_logger = {strophe_log, NULL};

/* ---- brewery ---- */

static void send_raw(BridgeXmpp *x, xmpp_stanza_t *st)
{
    xmpp_send(x->conn, st);
    wake(x);
}

static void publish(BridgeXmpp *x, gboolean join)
{
    if (!x->online)
        return;
    xmpp_stanza_t *p = xmpp_presence_new(x->ctx);
    xmpp_stanza_set_to(p, x->occupant_jid);
    if (join) {
        xmpp_stanza_t *mx = pa_stanza_add_child(p, "x", NS_MUC);
        xmpp_stanza_t *h = pa_stanza_add_child(mx, "history", NULL);
        xmpp_stanza_set_attribute(h, "maxstanzas", "0");
    }
    xmpp_stanza_t *stats = x->cb.stats ? x->cb.stats(x, x->ctx, x->user_data) : NULL;
    if (stats) {
        xmpp_stanza_add_child(p, stats);
        xmpp_stanza_release(stats);
    }
    send_raw(x, p);
    xmpp_stanza_release(p);
}

void bridge_xmpp_publish_presence(BridgeXmpp *x)
{
    publish(x, FALSE);
}

static gboolean presence_tick(gpointer ud)
{
    BridgeXmpp *x = ud;
    if (x->in_brewery)
        publish(x, FALSE);
    return G_SOURCE_CONTINUE;
}

static gboolean rejoin_cb(gpointer ud)
{
    BridgeXmpp *x = ud;
    g_clear_pointer(&x->rejoin_timer, g_source_unref);
    if (x->online && !x->in_brewery)
        join_brewery(x);
    return G_SOURCE_REMOVE;
}

static void schedule_rejoin(BridgeXmpp *x)
{
    if (x->rejoin_timer || x->stopping)
        return;
    x->rejoin_timer = g_timeout_source_new(REJOIN_MS);
    g_source_set_callback(x->rejoin_timer, rejoin_cb, x, NULL);
    g_source_attach(x->rejoin_timer, x->context);
}

static void join_brewery(BridgeXmpp *x)
{
    g_message("joining brewery %s as %s", x->cfg.brewery, x->cfg.nickname);
    publish(x, TRUE);
}

static gboolean has_status(xmpp_stanza_t *mucx, const char *code)
{
    if (!mucx)
        return FALSE;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(mucx); c; c = xmpp_stanza_get_next(c)) {
        if (xmpp_stanza_is_tag(c) && g_strcmp0(xmpp_stanza_get_name(c), "status") == 0 &&
            g_strcmp0(xmpp_stanza_get_attribute(c, "code"), code) == 0)
            return TRUE;
    }
    return FALSE;
}

static int on_presence(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
    BridgeXmpp *x = ud;
    if (x->stopping)
        return 1;
    const char *from = xmpp_stanza_get_from(st);
    PaJid jid;
    if (!from || pa_jid_parse(from, &jid) != PA_JID_OK)
        return 1;
    g_autofree char *bare = pa_jid_bare(from);
    gboolean ours = bare && pa_jid_equal(bare, x->cfg.brewery);
    if (!ours || !jid.resource) {
        pa_jid_clear(&jid);
        return 1;
    }
    const char *type = xmpp_stanza_get_type(st);
    const char *nick = jid.resource;
    gboolean self = g_strcmp0(nick, x->cfg.nickname) == 0;
    xmpp_stanza_t *mucx = pa_stanza_child(st, "x", NS_MUC_USER);

    if (g_strcmp0(type, "error") == 0) {
        if (self) {
            const char *cond = pa_stanza_error_condition(st);
            g_warning("brewery %s refused us as %s: %s; retrying in %d s", x->cfg.brewery,
                      x->cfg.nickname, cond ? cond : "unknown error", REJOIN_MS / 1000);
            x->in_brewery = FALSE;
            schedule_rejoin(x);
        }
    } else if (g_strcmp0(type, "unavailable") == 0) {
        g_hash_table_remove(x->occupants, nick);
        if (self) {
            g_warning("left brewery %s (removed by the server); rejoining in %d s", x->cfg.brewery,
                      REJOIN_MS / 1000);
            x->in_brewery = FALSE;
            schedule_rejoin(x);
        }
    } else {
        xmpp_stanza_t *item = mucx ? pa_stanza_child(mucx, "item", NULL) : NULL;
        const char *real = item ? xmpp_stanza_get_attribute(item, "jid") : NULL;
        g_autofree char *real_bare = real ? pa_jid_bare(real) : NULL;
        gboolean is_new = !g_hash_table_contains(x->occupants, nick);
        g_hash_table_replace(x->occupants, g_strdup(nick), g_strdup(real_bare ? real_bare : ""));
        if (self && (has_status(mucx, "110") || !x->in_brewery)) {
            if (!x->in_brewery)
                g_message("joined brewery %s as %s", x->cfg.brewery, x->cfg.nickname);
            x->in_brewery = TRUE;
        } else if (is_new && !self) {
            g_info("brewery %s: occupant %s (%s) present", x->cfg.brewery, nick,
                   real_bare ? real_bare : "real JID hidden");
        }
    }
    pa_jid_clear(&jid);
    return 1;
}

char *bridge_xmpp_brewery_real_jid(BridgeXmpp *x, const char *occupant_jid)
{
    PaJid jid;
    if (!occupant_jid || pa_jid_parse(occupant_jid, &jid) != PA_JID_OK)
        return NULL;
    char *result = NULL;
    g_autofree char *bare = pa_jid_bare(occupant_jid);
    if (jid.resource && pa_jid_equal(bare, x->cfg.brewery)) {
        const char *real = g_hash_table_lookup(x->occupants, jid.resource);
        if (real && *real)
            result = g_strdup(real);
    }
    pa_jid_clear(&jid);
    return result;
}

/* ---- IQs ---- */

/* An IQ that arrived while stopping: the owner is being torn down, so it never sees it. While
 * our stream is still open the sender gets an error at once (a focus then moves the conference
 * without waiting for its timeout); after our closing tag nothing may be sent, so it is
 * dropped. */
static void refuse_late_iq(BridgeXmpp *x, xmpp_stanza_t *st)
{
    x->late_iqs++;
    if (x->closing || !x->online)
        return;
    xmpp_stanza_t *err = pa_stanza_error_reply(x->ctx, st, PA_ERR_CANCEL, "service-unavailable",
                                               "parley-bridge is shutting down", NULL);
    send_raw(x, err);
    xmpp_stanza_release(err);
}

static int on_iq(xmpp_conn_t *conn, xmpp_stanza_t *st, void *ud)
{
    BridgeXmpp *x = ud;
    const char *type = xmpp_stanza_get_type(st);
    if (g_strcmp0(type, "get") != 0 && g_strcmp0(type, "set") != 0)
        return 1; /* results and errors: we send no IQs that wait for one */
    if (x->stopping) {
        refuse_late_iq(x, st);
        return 1;
    }
    if (g_strcmp0(type, "get") == 0 && pa_stanza_child(st, "ping", NS_PING)) {
        xmpp_stanza_t *r = pa_stanza_iq_result(x->ctx, st);
        send_raw(x, r);
        xmpp_stanza_release(r);
        return 1;
    }
    if (g_strcmp0(type, "get") == 0 && pa_stanza_child(st, "query", NS_VERSION)) {
        xmpp_stanza_t *r = pa_stanza_iq_result(x->ctx, st);
        xmpp_stanza_t *q = pa_stanza_add_child(r, "query", NS_VERSION);
        pa_stanza_add_text(pa_stanza_add_child(q, "name", NULL), "parley-bridge");
        pa_stanza_add_text(pa_stanza_add_child(q, "version", NULL), PARLEY_VERSION);
        send_raw(x, r);
        xmpp_stanza_release(r);
        return 1;
    }
    if (x->cb.iq && x->cb.iq(x, st, x->user_data))
        return 1;
    xmpp_stanza_t *err =
        pa_stanza_error_reply(x->ctx, st, PA_ERR_CANCEL, "service-unavailable", NULL, NULL);
    send_raw(x, err);
    xmpp_stanza_release(err);
    return 1;
}

/* ---- connection lifecycle ---- */

static void stop_timers(BridgeXmpp *x)
{
    if (x->presence_timer) {
        g_source_destroy(x->presence_timer);
        g_clear_pointer(&x->presence_timer, g_source_unref);
    }
    if (x->rejoin_timer) {
        g_source_destroy(x->rejoin_timer);
        g_clear_pointer(&x->rejoin_timer, g_source_unref);
    }
}

static void on_conn_event(xmpp_conn_t *conn, xmpp_conn_event_t event, int error,
                          xmpp_stream_error_t *stream_error, void *ud)
{
    BridgeXmpp *x = ud;
    if (conn != x->conn)
        return;
    if (event == XMPP_CONN_CONNECT) {
        x->online = TRUE;
        pa_backoff_reset(&x->backoff);
        x->attempts = 0;
        g_message("connected to XMPP server %s:%u as %s", x->cfg.host, x->cfg.port,
                  xmpp_conn_get_bound_jid(conn) ? xmpp_conn_get_bound_jid(conn) : x->full_jid);
        xmpp_handler_add(conn, on_iq, NULL, "iq", NULL, x);
        xmpp_handler_add(conn, on_presence, NULL, "presence", NULL, x);
        join_brewery(x);
        x->presence_timer = g_timeout_source_new_seconds(x->cfg.presence_interval_s);
        g_source_set_callback(x->presence_timer, presence_tick, x, NULL);
        g_source_attach(x->presence_timer, x->context);
        if (x->cb.connection)
            x->cb.connection(x, TRUE, x->user_data);
        return;
    }
    /* XMPP_CONN_DISCONNECT or XMPP_CONN_FAIL: libstrophe has closed the socket already. */
    gboolean was_online = x->online;
    x->online = FALSE;
    x->in_brewery = FALSE;
    g_hash_table_remove_all(x->occupants);
    forget_fd(x);
    stop_timers(x);
    if (x->stopping)
        return;
    if (was_online) {
        g_warning("disconnected from XMPP server %s:%u%s%s", x->cfg.host, x->cfg.port,
                  stream_error && stream_error->text ? ": " : "",
                  stream_error && stream_error->text ? stream_error->text : "");
        if (x->cb.connection)
            x->cb.connection(x, FALSE, x->user_data);
    } else if (x->attempts == 1 || x->attempts % 10 == 0) {
        /* One line for the first failure and then every tenth, not one per retry. */
        g_warning("cannot log in to XMPP server %s:%u as %s (attempt %u%s%s); retrying (check "
                  "that the server runs and xmpp.user / xmpp.password)",
                  x->cfg.host, x->cfg.port, x->full_jid, x->attempts,
                  stream_error && stream_error->text ? ": " : "",
                  stream_error && stream_error->text ? stream_error->text : "");
    }
    schedule_reconnect(x);
}

static void connect_now(BridgeXmpp *x)
{
    if (x->conn) {
        g_hash_table_remove(conn_owner, x->conn);
        xmpp_conn_release(x->conn);
        x->conn = NULL;
    }
    x->attempts++;
    x->conn = xmpp_conn_new(x->ctx);
    g_hash_table_insert(conn_owner, x->conn, x);
    /* No stream management: a reconnect re-joins the brewery from scratch, and a bridge that
     * dies leaves the brewery at once instead of hibernating there. */
    long flags = XMPP_CONN_FLAG_DISABLE_SM;
    if (x->cfg.tls == BRIDGE_XMPP_TLS_VERIFY) {
        flags |= XMPP_CONN_FLAG_MANDATORY_TLS;
        if (x->cfg.tls_ca_file && !x->cfg.tls_pin)
            xmpp_conn_set_cafile(x->conn, x->cfg.tls_ca_file);
        xmpp_conn_set_certfail_handler(x->conn, on_certfail);
    } else {
        flags |= XMPP_CONN_FLAG_TRUST_TLS; /* used when offered, not verified */
    }
    xmpp_conn_set_flags(x->conn, flags);
    xmpp_conn_set_jid(x->conn, x->full_jid);
    xmpp_conn_set_pass(x->conn, x->cfg.password);
    xmpp_conn_set_sockopt_callback(x->conn, on_sockopt);
    if (xmpp_connect_client(x->conn, x->cfg.host, (unsigned short)x->cfg.port, on_conn_event, x) !=
        XMPP_EOK) {
        g_warning("cannot start connecting to %s:%u; retrying", x->cfg.host, x->cfg.port);
        schedule_reconnect(x);
    }
    wake(x);
}

static gboolean reconnect_cb(gpointer ud)
{
    BridgeXmpp *x = ud;
    g_clear_pointer(&x->reconnect, g_source_unref);
    connect_now(x);
    return G_SOURCE_REMOVE;
}

static void schedule_reconnect(BridgeXmpp *x)
{
    if (x->reconnect || x->stopping)
        return;
    guint delay = pa_backoff_next(&x->backoff);
    x->reconnect = g_timeout_source_new(delay);
    g_source_set_callback(x->reconnect, reconnect_cb, x, NULL);
    g_source_attach(x->reconnect, x->context);
}

BridgeXmpp *bridge_xmpp_new(const BridgeXmppConfig *cfg, GMainContext *context,
                            const BridgeXmppCallbacks *callbacks, gpointer user_data)
{
    BridgeXmpp *x = g_new0(BridgeXmpp, 1);
    x->cfg = *cfg;
    x->cfg.host = g_strdup(cfg->host);
    x->cfg.jid = g_strdup(cfg->jid);
    x->cfg.password = g_strdup(cfg->password);
    x->cfg.resource = g_strdup(cfg->resource);
    x->cfg.brewery = g_strdup(cfg->brewery);
    x->cfg.nickname = g_strdup(cfg->nickname);
    x->cfg.tls_ca_file = g_strdup(cfg->tls_ca_file);
    x->cfg.tls_pin = g_strdup(cfg->tls_pin);
    x->tls_rl = (PaRateLimit)PA_RATE_LIMIT_INIT(10 * G_TIME_SPAN_SECOND, 3);
    if (x->cfg.presence_interval_s == 0)
        x->cfg.presence_interval_s = 5;
    x->full_jid = g_strdup_printf("%s/%s", cfg->jid, cfg->resource);
    x->occupant_jid = g_strdup_printf("%s/%s", cfg->brewery, cfg->nickname);
    x->context = g_main_context_ref(context);
    if (callbacks)
        x->cb = *callbacks;
    x->user_data = user_data;
    x->fd = -1;
    pa_backoff_init(&x->backoff, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
    x->occupants = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, g_free);
    if (!conn_owner)
        conn_owner = g_hash_table_new(g_direct_hash, g_direct_equal);

    xmpp_initialize();
    x->ctx = xmpp_ctx_new(NULL, &strophe_logger);
    x->source = g_source_new(&source_funcs, sizeof(XmppSource));
    ((XmppSource *)x->source)->x = x;
    g_source_set_name(x->source, "parley-xmpp");
    g_source_set_ready_time(x->source, -1);
    g_source_attach(x->source, context);
    return x;
}

void bridge_xmpp_start(BridgeXmpp *x)
{
    if (x->started)
        return;
    x->started = TRUE;
    g_source_set_ready_time(x->source, g_get_monotonic_time() + TICK_US);
    connect_now(x);
}

/* Runs libstrophe alone (not the GMainContext: nothing else of the bridge may run while it
 * is being torn down) until @done(@x) or @ms have passed. */
static void run_until(BridgeXmpp *x, gboolean (*done)(BridgeXmpp *x), guint ms)
{
    gint64 deadline = g_get_monotonic_time() + (gint64)ms * G_TIME_SPAN_MILLISECOND;
    while (!done(x) && g_get_monotonic_time() < deadline)
        run_once(x, 20);
}

static gboolean sent_all(BridgeXmpp *x)
{
    return !x->online || xmpp_conn_send_queue_len(x->conn) == 0;
}

static gboolean disconnected(BridgeXmpp *x)
{
    return xmpp_conn_is_disconnected(x->conn);
}

void bridge_xmpp_free(BridgeXmpp *x)
{
    if (!x)
        return;
    x->stopping = TRUE;
    stop_timers(x);
    if (x->reconnect) {
        g_source_destroy(x->reconnect);
        g_clear_pointer(&x->reconnect, g_source_unref);
    }
    if (x->conn) {
        if (x->online) {
            xmpp_stanza_t *p = xmpp_presence_new(x->ctx);
            xmpp_stanza_set_type(p, "unavailable");
            xmpp_stanza_set_to(p, x->occupant_jid);
            xmpp_send(x->conn, p);
            xmpp_stanza_release(p);
            /* The leave goes out first (IQs arriving meanwhile are refused), then the close:
             * the server should see us leave rather than time us out. */
            run_until(x, sent_all, 200);
            x->closing = TRUE;
            xmpp_disconnect(x->conn);
            run_until(x, disconnected, 1000);
        }
        g_hash_table_remove(conn_owner, x->conn);
        xmpp_conn_release(x->conn);
        x->conn = NULL;
    }
    if (x->late_iqs)
        g_message("XMPP: %u IQs arrived while stopping (refused with service-unavailable, or "
                  "dropped after the stream was closed)",
                  x->late_iqs);
    forget_fd(x);
    g_source_destroy(x->source);
    g_source_unref(x->source);
    xmpp_ctx_free(x->ctx);
    xmpp_shutdown();
    g_hash_table_destroy(x->occupants);
    g_main_context_unref(x->context);
    g_free((char *)x->cfg.host);
    g_free((char *)x->cfg.jid);
    g_free((char *)x->cfg.password);
    g_free((char *)x->cfg.resource);
    g_free((char *)x->cfg.brewery);
    g_free((char *)x->cfg.nickname);
    g_free((char *)x->cfg.tls_ca_file);
    g_free((char *)x->cfg.tls_pin);
    g_free(x->full_jid);
    g_free(x->occupant_jid);
    g_free(x);
}

gboolean bridge_xmpp_online(const BridgeXmpp *x)
{
    return x->online;
}

gboolean bridge_xmpp_in_brewery(const BridgeXmpp *x)
{
    return x->in_brewery;
}

xmpp_ctx_t *bridge_xmpp_ctx(BridgeXmpp *x)
{
    return x->ctx;
}

gboolean bridge_xmpp_send(BridgeXmpp *x, xmpp_stanza_t *stanza)
{
    if (!x->online || !x->conn || x->stopping)
        return FALSE;
    send_raw(x, stanza);
    return TRUE;
}

const char *bridge_xmpp_bound_jid(BridgeXmpp *x)
{
    return x->online && x->conn ? xmpp_conn_get_bound_jid(x->conn) : NULL;
}
