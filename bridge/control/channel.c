/* SPDX-License-Identifier: MIT */
/* colibri-ws glue (see channel.h). Thread: control thread only.
 *
 * Ownership: BridgeChannels owns a BridgeChannel per endpoint that has ever opened a channel,
 * hung off the endpoint's registry entry (BridgeRegEndpoint.channel) until the endpoint
 * expires; a BridgeChannel holds one reference on its open SoupWebsocketConnection. A connection
 * that is closed by the bridge (replaced, endpoint expired, shutdown) is detached from its
 * BridgeChannel at once and parked in `closing`, holding its own reference until libsoup reports it
 * closed (at most ~5 s: libsoup's close timeout). */
#include "bridge/control/channel.h"

#include <string.h>

#include "common/log.h"

#define PATH_PREFIX "/colibri-ws/"
#define TARGET_KEY "parley-colibri-ws-target"

struct _BridgeChannels {
    SoupServer *server;
    BridgeRegistry *reg;
    char *bridge_id;
    char *version;
    guint ping_s;
    GHashTable *closing; /* SoupWebsocketConnection (ref) -> itself: detached, closing */
    BridgeChannelStats stats;
    PaRateLimit rl;           /* log lines about refused requests and dropped messages */
    BridgeChannelHooks hooks; /* layer selection (video.c); functions may be NULL */
    gpointer hooks_data;
};

struct _BridgeChannel {
    BridgeChannels *owner;
    BridgeRegEndpoint *ep;       /* whose channel this is */
    SoupWebsocketConnection *ws; /* (owned) NULL while no channel is open */
    BridgeChannelPrefs prefs;
    char **forwarded;     /* the last ForwardedSources sent on this connection, NULL before */
    PaRateLimit relay_rl; /* messages this endpoint may have relayed */
};

static void log_limited(BridgeChannels *ch, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void log_limited(BridgeChannels *ch, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pa_log_peerv(&ch->rl, g_get_monotonic_time(), G_LOG_LEVEL_WARNING, fmt, ap);
    va_end(ap);
}

/* ---- connections ---- */

static void on_parked_closed(SoupWebsocketConnection *ws, gpointer ud)
{
    BridgeChannels *ch = ud;
    g_hash_table_remove(ch->closing, ws); /* drops the parked reference */
}

/* Takes the connection away from @ce (the caller's reference moves to `closing`) and starts
 * an orderly close with @code. */
static void detach(BridgeChannels *ch, BridgeChannel *ce, gushort code, const char *reason)
{
    SoupWebsocketConnection *ws = g_steal_pointer(&ce->ws);
    if (!ws)
        return;
    g_signal_handlers_disconnect_by_data(ws, ce);
    g_clear_pointer(&ce->forwarded, g_strfreev);
    ch->stats.open--;
    if (soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_CLOSED) {
        g_object_unref(ws);
        return;
    }
    g_signal_connect(ws, "closed", G_CALLBACK(on_parked_closed), ch);
    g_hash_table_add(ch->closing, ws);
    if (soup_websocket_connection_get_state(ws) == SOUP_WEBSOCKET_STATE_OPEN)
        soup_websocket_connection_close(ws, code, reason);
}

static void send_text(BridgeChannels *ch, BridgeChannel *ce, const char *text)
{
    if (!ce->ws || !text ||
        soup_websocket_connection_get_state(ce->ws) != SOUP_WEBSOCKET_STATE_OPEN)
        return;
    soup_websocket_connection_send_text(ce->ws, text);
    ch->stats.messages_out++;
}

/* Closes the connection (1001) and frees the endpoint's channel state. */
static void channel_free(BridgeChannel *ce)
{
    detach(ce->owner, ce, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "endpoint expired");
    bridge_channel_prefs_clear(&ce->prefs);
    ce->ep->channel = NULL;
    g_free(ce);
}

static BridgeChannel *channel_get(BridgeChannels *ch, BridgeRegEndpoint *ep)
{
    if (!ep->channel) {
        BridgeChannel *ce = g_new0(BridgeChannel, 1);
        ce->owner = ch;
        ce->ep = ep;
        bridge_channel_prefs_init(&ce->prefs);
        ce->relay_rl = (PaRateLimit)PA_RATE_LIMIT_INIT(BRIDGE_CHANNEL_RELAY_INTERVAL_US,
                                                       BRIDGE_CHANNEL_RELAY_BURST);
        ep->channel = ce;
    }
    return ep->channel;
}

/* Sends ForwardedSources when the list for this receiver differs from the last one sent on
 * this connection (always on a fresh connection). */
static void send_forwarded(BridgeChannels *ch, BridgeChannel *ce)
{
    if (!ce->ws)
        return;
    char **now = ch->hooks.forwarded_for ? ch->hooks.forwarded_for(ce->ep, ch->hooks_data)
                                         : bridge_channel_forwarded_for(ce->ep);
    if (ce->forwarded &&
        g_strv_equal((const char *const *)ce->forwarded, (const char *const *)now)) {
        g_strfreev(now);
        return;
    }
    g_autofree char *text = bridge_channel_forwarded_sources((const char *const *)now);
    send_text(ch, ce, text);
    g_strfreev(ce->forwarded);
    ce->forwarded = now;
}

/* ---- messages ---- */

/* Relays @text to every other endpoint of the conference with an open channel that @to
 * selects. Returns how many it went to. */
static guint relay(BridgeChannels *ch, BridgeChannel *from, const char *to, const char *text)
{
    guint n = 0;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, from->ep->conference->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        BridgeRegEndpoint *ep = v;
        if (ep->channel && ep->channel->ws &&
            bridge_channel_route_includes(from->ep->id, to, ep->id)) {
            send_text(ch, ep->channel, text);
            n++;
        }
    }
    return n;
}

static void handle(BridgeChannels *ch, BridgeChannel *ce, BridgeChannelMsg *msg)
{
    const char *conf_id = ce->ep->conference->id, *ep_id = ce->ep->id;
    if ((msg->klass == BRIDGE_CHANNEL_CLASS_ENDPOINT_MESSAGE ||
         msg->klass == BRIDGE_CHANNEL_CLASS_ENDPOINT_STATS) &&
        !pa_rate_limit_allow(&ce->relay_rl, g_get_monotonic_time(), NULL)) {
        ch->stats.dropped[BRIDGE_CHANNEL_DROP_RATE_LIMITED]++;
        log_limited(ch, "room=%s ep=%s: bridge channel messages over %d/s not relayed", conf_id,
                    ep_id, (int)(G_USEC_PER_SEC / BRIDGE_CHANNEL_RELAY_INTERVAL_US));
        return;
    }
    switch (msg->klass) {
    case BRIDGE_CHANNEL_CLASS_CLIENT_HELLO: {
        g_autofree char *hello = bridge_channel_server_hello(ch->version);
        send_text(ch, ce, hello);
        break;
    }
    case BRIDGE_CHANNEL_CLASS_ENDPOINT_MESSAGE: {
        g_autofree char *text = bridge_channel_msg_relay_text(msg, ep_id);
        if (relay(ch, ce, msg->to, text) == 0 && msg->to) {
            ch->stats.undeliverable++;
            g_debug("room=%s ep=%s: EndpointMessage to %s: no open channel", conf_id, ep_id,
                    msg->to);
        }
        break;
    }
    case BRIDGE_CHANNEL_CLASS_ENDPOINT_STATS:
        if (bridge_channel_stats_relayed(g_hash_table_size(ce->ep->conference->endpoints))) {
            g_autofree char *text = bridge_channel_msg_relay_text(msg, ep_id);
            relay(ch, ce, NULL, text);
        }
        break;
    case BRIDGE_CHANNEL_CLASS_RECEIVER_VIDEO_CONSTRAINTS:
    case BRIDGE_CHANNEL_CLASS_LAST_N:
    case BRIDGE_CHANNEL_CLASS_SOURCE_VIDEO_TYPE:
    case BRIDGE_CHANNEL_CLASS_RECEIVER_AUDIO_SUBSCRIPTION:
        if (!bridge_channel_prefs_apply(&ce->prefs, msg)) {
            ch->stats.dropped[BRIDGE_CHANNEL_DROP_INVALID]++;
            log_limited(ch, "room=%s ep=%s: bridge channel preference not stored (limit reached)",
                        conf_id, ep_id);
        } else {
            g_debug("room=%s ep=%s: receiver preferences updated (last-N %d)", conf_id, ep_id,
                    ce->prefs.last_n);
            if (ch->hooks.prefs_changed)
                ch->hooks.prefs_changed(ce->ep, ch->hooks_data);
        }
        break;
    case BRIDGE_CHANNEL_CLASS_UNKNOWN:
        break;
    }
}

static void on_message(SoupWebsocketConnection *ws, int type, GBytes *message, gpointer ud)
{
    BridgeChannel *ce = ud;
    BridgeChannels *ch = ce->owner;
    ch->stats.messages_in++;
    gsize len = 0;
    const char *data = g_bytes_get_data(message, &len);
    BridgeChannelMsg msg;
    g_autofree char *why = NULL;
    BridgeChannelMsgStatus st;
    if (type != SOUP_WEBSOCKET_DATA_TEXT) {
        st = BRIDGE_CHANNEL_DROP_NOT_JSON;
        why = g_strdup("binary frame");
        memset(&msg, 0, sizeof msg);
    } else {
        st = bridge_channel_msg_parse(data, len, &msg, &why);
    }
    if (st == BRIDGE_CHANNEL_MSG_OK) {
        handle(ch, ce, &msg);
    } else {
        ch->stats.dropped[st]++;
        if (st == BRIDGE_CHANNEL_DROP_UNKNOWN_CLASS)
            g_debug("room=%s ep=%s: bridge channel: %s ignored", ce->ep->conference->id, ce->ep->id,
                    why);
        else
            log_limited(ch, "room=%s ep=%s: bridge channel message dropped: %s",
                        ce->ep->conference->id, ce->ep->id, why);
    }
    bridge_channel_msg_clear(&msg);
}

static void on_closed(SoupWebsocketConnection *ws, gpointer ud)
{
    BridgeChannel *ce = ud;
    BridgeChannels *ch = ce->owner;
    if (ce->ws != ws)
        return;
    g_message("room=%s ep=%s: bridge channel closed (code %u)", ce->ep->conference->id, ce->ep->id,
              soup_websocket_connection_get_close_code(ws));
    g_signal_handlers_disconnect_by_data(ws, ce);
    g_clear_pointer(&ce->forwarded, g_strfreev);
    ce->ws = NULL;
    ch->stats.open--;
    g_object_unref(ws);
}

/* ---- HTTP ---- */

static void refuse(BridgeChannels *ch, SoupServerMessage *msg, BridgeChannelRefusal why,
                   const char *detail)
{
    guint status =
        why == BRIDGE_CHANNEL_REFUSED_BAD_PASSWORD ? SOUP_STATUS_FORBIDDEN : SOUP_STATUS_NOT_FOUND;
    ch->stats.refused[why]++;
    const char *body = status == SOUP_STATUS_FORBIDDEN ? "forbidden\n" : "no such bridge channel\n";
    soup_server_message_set_status(msg, status, NULL);
    soup_server_message_set_response(msg, "text/plain; charset=utf-8", SOUP_MEMORY_STATIC, body,
                                     strlen(body));
    GInetSocketAddress *peer = G_INET_SOCKET_ADDRESS(soup_server_message_get_remote_address(msg));
    g_autofree char *ip =
        peer ? g_inet_address_to_string(g_inet_socket_address_get_address(peer)) : NULL;
    log_limited(ch, "colibri-ws request from %s refused (%u): %s", ip ? ip : "?", status, detail);
}

/* Constant-time comparison: the secret is the only thing guarding the channel. */
static gboolean secret_equal(const char *expected, const char *given)
{
    gsize n = strlen(expected);
    if (strlen(given) != n)
        return FALSE; /* the length is no secret: always BRIDGE_WS_PASSWORD_LEN */
    guint8 diff = 0;
    for (gsize i = 0; i < n; i++)
        diff |= (guint8)(expected[i] ^ given[i]);
    return diff == 0;
}

/* Runs before the WebSocket handshake: an unknown target or a bad secret gets a plain HTTP
 * error and no upgrade. With raw paths (http.c), each segment is unescaped here, so ids
 * holding a '/' (%2F) still split right. */
static void on_request(SoupServer *server, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer ud)
{
    BridgeChannels *ch = ud;
    if (!g_str_has_prefix(path, PATH_PREFIX)) {
        refuse(ch, msg, BRIDGE_CHANNEL_REFUSED_UNKNOWN_ENDPOINT, "no bridge id in the path");
        return;
    }
    g_auto(GStrv) raw = g_strsplit(path + strlen(PATH_PREFIX), "/", -1);
    char *seg[3] = {NULL, NULL, NULL};
    gboolean ok = g_strv_length(raw) == 3;
    for (int i = 0; ok && i < 3; i++) {
        seg[i] = g_uri_unescape_string(raw[i], NULL);
        ok = seg[i] && *seg[i];
    }
    const char *pwd = query ? g_hash_table_lookup(query, "pwd") : NULL;
    /* The one lookup by string id; the connection knows its endpoint by handle from here. */
    BridgeRegConference *conf = ok ? bridge_reg_conference_find(ch->reg, seg[1]) : NULL;
    BridgeRegEndpoint *ep = bridge_reg_endpoint_find(conf, ok ? seg[2] : NULL);
    if (!ok) {
        refuse(ch, msg, BRIDGE_CHANNEL_REFUSED_UNKNOWN_ENDPOINT,
               "path is not /colibri-ws/<bridge>/<conference>/<endpoint>");
    } else if (strcmp(seg[0], ch->bridge_id) != 0) {
        g_autofree char *d = g_strdup_printf("bridge id %.64s is not ours", seg[0]);
        refuse(ch, msg, BRIDGE_CHANNEL_REFUSED_UNKNOWN_BRIDGE, d);
    } else if (!ep) {
        g_autofree char *d =
            g_strdup_printf("room=%.128s ep=%.128s: no such endpoint", seg[1], seg[2]);
        refuse(ch, msg, BRIDGE_CHANNEL_REFUSED_UNKNOWN_ENDPOINT, d);
    } else if (!pwd || !secret_equal(ep->ws_password, pwd)) {
        g_autofree char *d =
            g_strdup_printf("room=%s ep=%s: %s password", seg[1], seg[2], pwd ? "wrong" : "no");
        refuse(ch, msg, BRIDGE_CHANNEL_REFUSED_BAD_PASSWORD, d);
    } else {
        /* Status left unset: libsoup goes on with the WebSocket handshake. */
        g_object_set_data(G_OBJECT(msg), TARGET_KEY, GUINT_TO_POINTER(ep->handle));
    }
    for (int i = 0; i < 3; i++)
        g_free(seg[i]);
}

/* libsoup 3.2 has no limit on a message reassembled from fragments; later versions do
 * ("max-total-message-size"). Set it where it exists. */
static void limit_total_size(SoupWebsocketConnection *ws)
{
    if (g_object_class_find_property(G_OBJECT_GET_CLASS(ws), "max-total-message-size"))
        g_object_set(ws, "max-total-message-size", (guint64)BRIDGE_CHANNEL_WS_MAX_PAYLOAD, NULL);
}

static void on_websocket(SoupServer *server, SoupServerMessage *msg, const char *path,
                         SoupWebsocketConnection *ws, gpointer ud)
{
    BridgeChannels *ch = ud;
    BridgeHandle target = GPOINTER_TO_UINT(g_object_get_data(G_OBJECT(msg), TARGET_KEY));
    BridgeRegEndpoint *ep = bridge_reg_endpoint_get(ch->reg, target);
    if (!ep) {
        /* Expired between the request and the end of the handshake. */
        g_object_ref(ws);
        g_signal_connect(ws, "closed", G_CALLBACK(on_parked_closed), ch);
        g_hash_table_add(ch->closing, ws);
        soup_websocket_connection_close(ws, SOUP_WEBSOCKET_CLOSE_GOING_AWAY, "endpoint expired");
        return;
    }
    BridgeChannel *ce = channel_get(ch, ep);
    if (ce->ws) {
        g_message("room=%s ep=%s: bridge channel replaced by a new connection", ep->conference->id,
                  ep->id);
        detach(ch, ce, SOUP_WEBSOCKET_CLOSE_NORMAL, "replaced by a newer connection");
        ch->stats.replaced++;
    }
    ce->ws = g_object_ref(ws);
    ch->stats.opened++;
    ch->stats.open++;
    soup_websocket_connection_set_keepalive_interval(ws, ch->ping_s);
    soup_websocket_connection_set_max_incoming_payload_size(ws, BRIDGE_CHANNEL_WS_MAX_PAYLOAD);
    limit_total_size(ws);
    g_signal_connect(ws, "message", G_CALLBACK(on_message), ce);
    g_signal_connect(ws, "closed", G_CALLBACK(on_closed), ce);

    GInetSocketAddress *peer = G_INET_SOCKET_ADDRESS(soup_server_message_get_remote_address(msg));
    g_autofree char *ip =
        peer ? g_inet_address_to_string(g_inet_socket_address_get_address(peer)) : NULL;
    g_message("room=%s ep=%s: bridge channel open (from %s)", ep->conference->id, ep->id,
              ip ? ip : "?");
    g_autofree char *hello = bridge_channel_server_hello(ch->version);
    send_text(ch, ce, hello);
    send_forwarded(ch, ce);
    if (ch->hooks.opened)
        ch->hooks.opened(ep, ch->hooks_data);
}

/* ---- API ---- */

BridgeChannels *bridge_channels_new(SoupServer *server, BridgeRegistry *registry,
                                    const char *bridge_id, const char *version, guint ping_s)
{
    BridgeChannels *ch = g_new0(BridgeChannels, 1);
    ch->ping_s = ping_s;
    ch->server = g_object_ref(server);
    ch->reg = registry;
    ch->bridge_id = g_strdup(bridge_id);
    ch->version = g_strdup(version);
    ch->closing = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_object_unref, NULL);
    ch->rl = (PaRateLimit)PA_RATE_LIMIT_INIT(G_TIME_SPAN_SECOND, 10);
    /* Both on one path: the plain handler vets the request and sets an error status to stop
     * the handshake; the WebSocket handler runs only for requests it let through. */
    soup_server_add_handler(server, "/colibri-ws", on_request, ch, NULL);
    soup_server_add_websocket_handler(server, "/colibri-ws", NULL, NULL, on_websocket, ch, NULL);
    return ch;
}

static gboolean wake(gpointer ud)
{
    *(gboolean *)ud = TRUE;
    return G_SOURCE_REMOVE;
}

void bridge_channels_free(BridgeChannels *ch, GMainContext *context)
{
    if (!ch)
        return;
    soup_server_remove_handler(ch->server, "/colibri-ws");
    /* Freeing every endpoint's channel parks its connection in `closing` with code 1001. */
    guint pos = 0;
    BridgeRegEndpoint *ep;
    while ((ep = bridge_handle_table_next(&ch->reg->endpoints, &pos)))
        if (ep->channel)
            channel_free(ep->channel);
    gint64 deadline = g_get_monotonic_time() + G_TIME_SPAN_SECOND;
    while (g_hash_table_size(ch->closing) > 0 && g_get_monotonic_time() < deadline) {
        gboolean woke = FALSE;
        GSource *t = g_timeout_source_new(50);
        g_source_set_callback(t, wake, &woke, NULL);
        g_source_attach(t, context);
        while (!woke && g_hash_table_size(ch->closing) > 0)
            g_main_context_iteration(context, TRUE);
        g_source_destroy(t);
        g_source_unref(t);
    }
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, ch->closing);
    while (g_hash_table_iter_next(&it, &k, NULL))
        g_signal_handlers_disconnect_by_data(k, ch);
    g_hash_table_destroy(ch->closing);
    g_object_unref(ch->server);
    g_free(ch->bridge_id);
    g_free(ch->version);
    g_free(ch);
}

void bridge_channels_endpoint_expired(BridgeChannels *ch, BridgeRegEndpoint *ep)
{
    if (!ep->channel)
        return;
    if (ep->channel->ws)
        g_message("room=%s ep=%s: closing its bridge channel (endpoint expired)",
                  ep->conference->id, ep->id);
    channel_free(ep->channel); /* detach closes with 1001 */
}

void bridge_channels_sources_changed(BridgeChannels *ch, const BridgeRegConference *conf)
{
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, conf->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        BridgeRegEndpoint *ep = v;
        if (ep->channel)
            send_forwarded(ch, ep->channel);
    }
}

void bridge_channels_connectivity(BridgeChannels *ch, const BridgeRegEndpoint *ep, gboolean active)
{
    g_autofree char *text = bridge_channel_connectivity_status(ep->id, active);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, ep->conference->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        BridgeRegEndpoint *other = v;
        if (other != ep && other->channel && other->channel->ws)
            send_text(ch, other->channel, text);
    }
}

const BridgeChannelPrefs *bridge_channels_prefs(const BridgeRegEndpoint *ep)
{
    return ep->channel ? &ep->channel->prefs : NULL;
}

void bridge_channels_get_stats(BridgeChannels *ch, BridgeChannelStats *out)
{
    *out = ch->stats;
}

void bridge_channels_set_hooks(BridgeChannels *ch, const BridgeChannelHooks *hooks, gpointer data)
{
    ch->hooks = *hooks;
    ch->hooks_data = data;
}

gboolean bridge_channels_send(BridgeChannels *ch, BridgeRegEndpoint *ep, const char *text)
{
    if (!ep->channel || !ep->channel->ws)
        return FALSE;
    send_text(ch, ep->channel, text);
    return TRUE;
}
