/* SPDX-License-Identifier: MIT */
/* BridgeControl lifecycle, media-plane events, health, stats and the HTTP provider.
 * Thread: control thread only (see control.h). */
#include <gio/gio.h>
#include <string.h>
#include <sys/resource.h>

#include "bridge/control/control-priv.h"
#include "bridge/control/stats.h"
#include "bridge/control/metrics.h"
#include "bridge/srtp/srtp.h"
#include "common/colibri/bridge-news.h"
#include "common/config.h"

#define SRTP_BENCH_PAYLOAD 1200
#define SRTP_BENCH_ITERATIONS 2000

/* ---- health ---- */

gboolean bridge_control_healthy(BridgeControl *c, char **reason)
{
    const char *why = NULL;
    if (c->stopping)
        why = "shutting down";
    else if (!c->media)
        why = "media workers not running";
    else if (c->graceful)
        why = "graceful shutdown in progress";
    else if (!c->xmpp || !bridge_xmpp_online(c->xmpp))
        why = "not connected to the XMPP server";
    else if (!bridge_xmpp_in_brewery(c->xmpp))
        why = "not in the brewery yet";
    if (why && reason)
        *reason = g_strdup(why);
    return why == NULL;
}

/* ---- media events ---- */

static const char *event_name(BridgeMediaEvent e)
{
    switch (e) {
    case BRIDGE_MEDIA_EVENT_CONNECTED:
        return "connected";
    case BRIDGE_MEDIA_EVENT_FAILED:
        return "failed";
    case BRIDGE_MEDIA_EVENT_TIMEOUT:
        return "timed out";
    }
    return "?";
}

/* <endpoint-expired xmlns="urn:parley:bridge:0"/> to @to (common/colibri/bridge-news.h). */
static void tell_focus(BridgeControl *c, const char *to, const PaBridgeExpired *news)
{
    xmpp_ctx_t *ctx = bridge_xmpp_ctx(c->xmpp);
    g_autofree char *id = g_strdup_printf("expired-%u", ++c->news_sent);
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "set", id);
    xmpp_stanza_set_to(iq, to);
    xmpp_stanza_t *el = pa_bridge_expired_build(ctx, news);
    xmpp_stanza_add_child(iq, el);
    xmpp_stanza_release(el);
    gboolean sent = bridge_xmpp_send(c->xmpp, iq);
    xmpp_stanza_release(iq);
    g_message("room=%s ep=%s: %s the focus (%s) that the endpoint is gone (%s, conference %s)",
              news->meeting_id, news->endpoint, sent ? "told" : "XMPP offline: could not tell", to,
              pa_bridge_expired_reason_str(news->reason),
              news->conference_ended ? "ended" : "kept");
}

static void on_media_event(BridgeHandle endpoint, BridgeMediaEvent event, const char *reason,
                           gpointer user_data)
{
    BridgeControl *c = user_data;
    BridgeRegEndpoint *ep = c->stopping ? NULL : bridge_reg_endpoint_get(&c->reg, endpoint);
    if (!ep)
        return;
    if (event == BRIDGE_MEDIA_EVENT_CONNECTED) {
        ep->state = BRIDGE_REG_EP_CONNECTED;
        g_message("room=%s ep=%s: media connected after %.1f s", ep->conference->id, ep->id,
                  (g_get_monotonic_time() - ep->created_us) / 1e6);
        if (c->channels)
            bridge_channels_connectivity(c->channels, ep, TRUE);
        return;
    }
    /* The others learn at once that its media stopped (their clients mark it interrupted). */
    if (c->channels && ep->state == BRIDGE_REG_EP_CONNECTED)
        bridge_channels_connectivity(c->channels, ep, FALSE);
    /* The media plane has dropped the endpoint already; the focus is told at once (it
     * re-invites the participant), unless its allocation is still being answered (that reply
     * fails instead). */
    g_autofree char *why =
        g_strdup_printf("media %s: %s", event_name(event), reason ? reason : "no reason given");
    PaBridgeExpired news = {
        .meeting_id = g_strdup(ep->conference->id),
        .endpoint = g_strdup(ep->id),
        .reason = event == BRIDGE_MEDIA_EVENT_TIMEOUT ? PA_BRIDGE_EXPIRED_TIMEOUT
                                                      : PA_BRIDGE_EXPIRED_FAILED,
        .text = g_strdup(reason),
    };
    g_autofree char *to = ep->pending ? NULL : g_strdup(ep->conference->focus_jid);
    news.conference_ended = bridge_control_drop_endpoint(c, ep, why);
    if (to)
        tell_focus(c, to, &news);
    pa_bridge_expired_clear(&news);
}

/* ---- graceful shutdown ---- */

void bridge_control_conference_ended(BridgeControl *c)
{
    if (c->graceful && c->graceful_done && bridge_registry_conferences(&c->reg) == 0) {
        g_message("graceful shutdown: last conference ended");
        GSourceFunc done = c->graceful_done;
        c->graceful_done = NULL;
        GSource *s = g_idle_source_new();
        g_source_set_callback(s, done, c->graceful_data, NULL);
        g_source_attach(s, c->context);
        g_source_unref(s);
    }
}

void bridge_control_graceful_shutdown(BridgeControl *c, GSourceFunc done, gpointer user_data)
{
    if (c->graceful)
        return;
    c->graceful = TRUE;
    c->graceful_done = done;
    c->graceful_data = user_data;
    g_message("graceful shutdown: refusing new conferences, waiting for %u to end",
              bridge_registry_conferences(&c->reg));
    bridge_http_health_changed(c->http); /* before the brewery hears it */
    if (c->xmpp)
        bridge_xmpp_publish_presence(c->xmpp);
    bridge_control_end_empty_conferences(c); /* calls bridge_control_conference_ended() */
    bridge_control_conference_ended(c);
}

/* ---- stats ---- */

static gboolean stats_tick(gpointer ud)
{
    BridgeControl *c = ud;
    BridgeMediaStats now;
    bridge_media_get_stats(c->media, &now);
    gint64 t = g_get_monotonic_time();
    double dt = (t - c->prev_us) / 1e6;
    if (c->prev_us && dt > 0) {
        c->pps_in = (now.packets_in - c->prev.packets_in) / dt;
        c->pps_out = (now.packets_out - c->prev.packets_out) / dt;
        c->kbps_in = (now.bytes_in - c->prev.bytes_in) * 8 / dt / 1000;
        c->kbps_out = (now.bytes_out - c->prev.bytes_out) * 8 / dt / 1000;
    }
    c->prev = now;
    c->prev_us = t;
    return G_SOURCE_CONTINUE;
}

static xmpp_stanza_t *brewery_stats(BridgeXmpp *x, xmpp_ctx_t *ctx, gpointer ud)
{
    BridgeControl *c = ud;
    guint endpoints = bridge_registry_endpoints(&c->reg);
    BridgeBreweryStats s = {
        .stress_level = bridge_stress_level(c->pps_in + c->pps_out, endpoints, c->workers),
        .conferences = bridge_registry_conferences(&c->reg),
        .participants = endpoints,
        .largest_conference = bridge_registry_largest(&c->reg),
        .region = c->cfg->bridge_region,
        .version = PARLEY_VERSION,
        .relay_id = c->cfg->bridge_id,
        .graceful_shutdown = c->graceful,
        .healthy = c->media != NULL,
        .drain = FALSE,
        .packet_rate_download = c->pps_in,
        .packet_rate_upload = c->pps_out,
        .bit_rate_download = c->kbps_in,
        .bit_rate_upload = c->kbps_out,
    };
    return bridge_brewery_stats_build(ctx, &s);
}

/* ---- XMPP ---- */

static void on_xmpp_connection(BridgeXmpp *x, gboolean online, gpointer ud)
{
    BridgeControl *c = ud;
    bridge_http_health_changed(c->http);
    if (!online && c->pendings->len > 0) {
        /* The replies cannot reach the focus any more; the endpoints stay (the focus expires
         * them or the media plane times them out). */
        g_warning("XMPP connection lost with %u conference-modify replies pending",
                  c->pendings->len);
    }
}

static gboolean on_xmpp_iq(BridgeXmpp *x, xmpp_stanza_t *iq, gpointer ud)
{
    return bridge_control_handle_iq(ud, iq);
}

/* ---- HTTP ---- */

static gboolean http_health(gpointer ud, char **reason)
{
    return bridge_control_healthy(ud, reason);
}

static void http_verdict(gpointer ud, gboolean ok, const char *reason)
{
    BridgeControl *c = ud;
    if (c->health_fn)
        c->health_fn(ok, reason, c->health_data);
}

void bridge_control_set_health_listener(BridgeControl *c, BridgeControlHealthFunc fn,
                                        gpointer user_data)
{
    c->health_fn = fn;
    c->health_data = user_data;
    g_autofree char *reason = NULL;
    gboolean ok = bridge_control_healthy(c, &reason);
    if (fn)
        fn(ok, reason, user_data);
}

static char *http_metrics(gpointer ud)
{
    BridgeControl *c = ud;
    BridgeMetricsSnapshot s = {0};
    bridge_media_get_stats(c->media, &s.media);
    if (c->selection)
        bridge_selection_get_stats(c->selection, &s.selection);
    s.conferences = bridge_registry_conferences(&c->reg);
    s.endpoints = bridge_registry_endpoints(&c->reg);
    if (!c->stopping) /* the channels may be half torn down */
        bridge_channels_get_stats(c->channels, &s.channel);
    if (c->http)
        bridge_http_get_stats(c->http, &s.http);
    s.xmpp_connected = c->xmpp && bridge_xmpp_online(c->xmpp);
    s.in_brewery = c->xmpp && bridge_xmpp_in_brewery(c->xmpp);
    s.healthy = bridge_control_healthy(c, NULL);
    s.graceful_shutdown = c->graceful;
    s.srtp_backend = c->srtp_backend;
    s.protect_ns_gcm = c->protect_ns_gcm;
    s.protect_ns_cm = c->protect_ns_cm;
    s.version = PARLEY_VERSION;
    s.bridge_id = c->cfg->bridge_id;
    s.region = c->cfg->bridge_region;
    s.uptime_seconds = (g_get_monotonic_time() - c->start_us) / 1e6;
    return bridge_metrics_format(&s);
}

/* GET /debug/endpoints: allocations and bandwidth estimates per endpoint. */
static char *http_endpoints(gpointer ud)
{
    BridgeControl *c = ud;
    return c->selection && !c->stopping ? bridge_selection_endpoints_json(c->selection)
                                        : g_strdup("{\"endpoints\": []}\n");
}

/* ---- lifecycle ---- */

static void measure_srtp(BridgeControl *c)
{
    bridge_srtp_global_init();
    c->srtp_backend = bridge_srtp_backend();
    c->protect_ns_gcm = bridge_srtp_measure_protect_ns(BRIDGE_SRTP_AEAD_AES_128_GCM,
                                                       SRTP_BENCH_PAYLOAD, SRTP_BENCH_ITERATIONS);
    c->protect_ns_cm = bridge_srtp_measure_protect_ns(BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80,
                                                      SRTP_BENCH_PAYLOAD, SRTP_BENCH_ITERATIONS);
    g_message("SRTP backend %s: srtp_protect of a %d-byte packet takes %.0f ns (%s), %.0f ns (%s)",
              c->srtp_backend, SRTP_BENCH_PAYLOAD, c->protect_ns_gcm,
              bridge_srtp_profile_name(BRIDGE_SRTP_AEAD_AES_128_GCM), c->protect_ns_cm,
              bridge_srtp_profile_name(BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80));
}

/* The media port is bound on every address: one this host does not have is a setting error,
 * said now and naming the setting. */
static gboolean check_ice_addresses(const BridgeConfig *cfg, GError **error)
{
    for (char **a = cfg->ice_addresses; *a; a++) {
        g_autoptr(GInetAddress) ia = g_inet_address_new_from_string(*a);
        g_autoptr(GSocket) sock = g_socket_new(g_inet_address_get_family(ia),
                                               G_SOCKET_TYPE_DATAGRAM, G_SOCKET_PROTOCOL_UDP, NULL);
        g_autoptr(GSocketAddress) sa = g_inet_socket_address_new(ia, 0);
        g_autoptr(GError) local = NULL;
        if (!sock || !g_socket_bind(sock, sa, FALSE, &local)) {
            g_set_error(error, PA_CONFIG_ERROR, PA_CONFIG_ERROR_INVALID,
                        "ice.addresses: %s is not an address of this host (%s)", *a,
                        local ? local->message : "no socket");
            return FALSE;
        }
    }
    return TRUE;
}

/* xmpp.tls=auto: plaintext (and an unverified certificate) only when the server is on this
 * machine, where nobody sits in between. */
static gboolean host_is_loopback(const char *host)
{
    g_autoptr(GInetAddress) ia = g_inet_address_new_from_string(host);
    if (ia)
        return g_inet_address_get_is_loopback(ia);
    return g_ascii_strcasecmp(host, "localhost") == 0 || g_str_has_suffix(host, ".localhost");
}

static void xmpp_config(const BridgeConfig *cfg, BridgeXmppConfig *xc)
{
    *xc = (BridgeXmppConfig){
        .host = cfg->xmpp_host,
        .port = (guint)cfg->xmpp_port,
        .tls = BRIDGE_XMPP_TLS_VERIFY,
        .tls_ca_file = cfg->xmpp_tls_ca_file,
        .tls_pin = cfg->xmpp_tls_pin,
        .jid = cfg->xmpp_user,
        .password = cfg->xmpp_password,
        .resource = cfg->xmpp_resource,
        .brewery = cfg->xmpp_brewery,
        .nickname = cfg->xmpp_nickname,
        .presence_interval_s = (guint)cfg->bridge_presence_interval_seconds,
    };
    if (g_strcmp0(cfg->xmpp_tls, "insecure") == 0)
        xc->tls = BRIDGE_XMPP_TLS_INSECURE;
    else if (g_strcmp0(cfg->xmpp_tls, "auto") == 0 && !cfg->xmpp_tls_ca_file &&
             !cfg->xmpp_tls_pin && host_is_loopback(cfg->xmpp_host))
        xc->tls = BRIDGE_XMPP_TLS_LOOPBACK;
}

/* http.max_connections, within half the descriptors the process may open (main.c lifts the
 * soft limit to the hard one): the rest is for media sockets, XMPP, logs. */
static guint http_max_connections(const BridgeConfig *cfg)
{
    guint max = (guint)cfg->http_max_connections;
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
        rl.rlim_cur / 2 < max) {
        max = MAX(16, (guint)(rl.rlim_cur / 2));
        g_message("HTTP: at most %u connections at once (half the file descriptor limit %lu; "
                  "http.max_connections is %d)",
                  max, (unsigned long)rl.rlim_cur, cfg->http_max_connections);
    }
    return max;
}

BridgeControl *bridge_control_new(const BridgeConfig *cfg, GMainContext *context, GError **error)
{
    if (!check_ice_addresses(cfg, error))
        return NULL;
    /* Before the media workers start: it may set environment variables. */
    BridgeXmppConfig xc;
    xmpp_config(cfg, &xc);
    bridge_xmpp_tls_prepare(&xc);

    BridgeControl *c = g_new0(BridgeControl, 1);
    c->cfg = cfg;
    c->context = g_main_context_ref(context);
    c->start_us = g_get_monotonic_time();
    c->pendings = g_ptr_array_new();
    c->refused_rl = (PaRateLimit)PA_RATE_LIMIT_INIT(G_TIME_SPAN_SECOND, 10);
    bridge_registry_init(&c->reg);

    measure_srtp(c);

    BridgeMediaConfig mc = {
        .workers = (guint)cfg->media_workers,
        .port = (guint)cfg->ice_port,
        .local_addresses = cfg->ice_addresses,
        .public_address = cfg->ice_public_address,
        .ice_timeout_s = (guint)cfg->media_ice_timeout_seconds,
        .media_timeout_s = (guint)cfg->media_timeout_seconds,
    };
    c->workers = mc.workers ? mc.workers : g_get_num_processors();
    BridgeMediaCallbacks mcb = {bridge_control_endpoint_ready, on_media_event};
    c->media = bridge_media_new(&mc, context, &mcb, c, error);
    if (!c->media) {
        if (error && g_error_matches(*error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE))
            g_prefix_error(error, "ice.port: ");
        bridge_control_free(c);
        return NULL;
    }
    /* The media plane logs the DTLS fingerprint itself. */
    g_autofree char *addrs = g_strjoinv(",", cfg->ice_addresses);
    g_message("ICE on %s, UDP port %u%s%s", addrs, bridge_media_port(c->media),
              cfg->ice_public_address ? ", public address " : "",
              cfg->ice_public_address ? cfg->ice_public_address : "");

    BridgeHttpProvider hp = {http_health, http_metrics, http_endpoints, http_verdict};
    c->http = bridge_http_new(cfg->http_address, (guint)cfg->http_port, http_max_connections(cfg),
                              &hp, c, error);
    if (!c->http) {
        bridge_control_free(c);
        return NULL;
    }
    c->channels = bridge_channels_new(bridge_http_server(c->http), &c->reg, cfg->bridge_id,
                                      PARLEY_VERSION, (guint)cfg->http_websocket_ping_seconds);
    c->selection = bridge_selection_new(&c->reg, c->media, c->channels, context);
    g_message("HTTP on %s:%d: /about/health, /metrics, /colibri-ws (clients use %s/colibri-ws/%s/)",
              cfg->http_address, cfg->http_port, cfg->http_public_url, cfg->bridge_id);

    BridgeXmppCallbacks xcb = {on_xmpp_connection, on_xmpp_iq, brewery_stats};
    c->xmpp = bridge_xmpp_new(&xc, context, &xcb, c);

    c->tick = g_timeout_source_new_seconds(1);
    g_source_set_callback(c->tick, stats_tick, c, NULL);
    g_source_attach(c->tick, context);
    return c;
}

void bridge_control_start(BridgeControl *c)
{
    bridge_xmpp_start(c->xmpp);
}

void bridge_control_free(BridgeControl *c)
{
    if (!c)
        return;
    c->stopping = TRUE;
    bridge_http_health_changed(c->http); /* "shutting down" from now on */
    if (c->tick) {
        g_source_destroy(c->tick);
        g_source_unref(c->tick);
    }
    /* Replies still waiting for transports will not be sent; their stanzas belong to the
     * XMPP connection's libstrophe context, so they go before it. */
    bridge_control_drop_pendings(c);
    /* Leave the brewery first so that the focus stops sending work here. c->xmpp stays set
     * until it is freed: while it flushes its stream close it delivers nothing here. */
    bridge_xmpp_free(c->xmpp);
    c->xmpp = NULL;
    g_clear_pointer(&c->selection, bridge_selection_free);
    if (c->channels) {
        bridge_channels_free(c->channels, c->context);
        c->channels = NULL;
    }
    g_clear_pointer(&c->http, bridge_http_free);
    g_clear_pointer(&c->media, bridge_media_free);
    bridge_registry_clear(&c->reg);
    g_ptr_array_unref(c->pendings);
    g_main_context_unref(c->context);
    g_free(c);
}
