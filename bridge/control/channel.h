/* SPDX-License-Identifier: MIT */
/* The colibri-ws bridge channel: a WebSocket per endpoint on the bridge's HTTP server at
 * /colibri-ws/<bridge-id>/<conference-id>/<endpoint-id>?pwd=<secret>, the URL the bridge puts
 * in the endpoint's transport. It relays EndpointMessage and EndpointStats between the
 * endpoints of a conference (adding "from"), stores each receiver's preferences, answers
 * ClientHello, and tells each endpoint which video sources it is sent (ForwardedSources).
 * Message parsing and routing rules live in channel-msg.h; this is the libsoup glue.
 *
 * Thread: control thread. The SoupServer runs on the control thread's GMainContext and every
 * callback here runs there. The registry is the authority on endpoints: a channel's state
 * hangs off its BridgeRegEndpoint (registry.h), the URL's string ids are looked up there once
 * per request, and the connection refers to its endpoint by handle from then on. This module
 * changes only BridgeRegEndpoint.channel. One channel per endpoint: a new connection replaces
 * the old one (closed with 1000). A channel's preferences live from its first connection
 * until the endpoint expires. */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

#include "bridge/control/channel-msg.h"
#include "bridge/control/registry.h"

G_BEGIN_DECLS

typedef struct _BridgeChannels BridgeChannels;

/* libsoup closes a connection (1009) whose frame exceeds this; frames between
 * BRIDGE_CHANNEL_MSG_MAX_BYTES and this are read, dropped and counted. */
#define BRIDGE_CHANNEL_WS_MAX_PAYLOAD (256 * 1024)

/* Registers the /colibri-ws handlers on @server. @registry (the authority on which conferences,
 * endpoints and secrets exist) must outlive the object; @bridge_id and @version are copied.
 * Every open channel is pinged each @ping_s seconds (0: never), so that proxies (nginx closes
 * an idle proxied connection after proxy_read_timeout, 60 s by default) keep it open.
 * (transfer full) */
BridgeChannels *bridge_channels_new(SoupServer *server, BridgeRegistry *registry,
                                    const char *bridge_id, const char *version, guint ping_s);
/* Closes every channel (1001, going away) and frees every endpoint's channel state, waits up
 * to a second on @context for the close handshakes, then frees. Call before the SoupServer
 * and the registry go. */
void bridge_channels_free(BridgeChannels *ch, GMainContext *context);

/* @ep is about to leave the registry: close its channel (1001) and free its channel state
 * (ep->channel becomes NULL). Nothing happens for an endpoint that never opened one. */
void bridge_channels_endpoint_expired(BridgeChannels *ch, BridgeRegEndpoint *ep);
/* The sources of @conf changed (an update, or an endpoint left): sends ForwardedSources to
 * each open channel whose list changed. */
void bridge_channels_sources_changed(BridgeChannels *ch, const BridgeRegConference *conf);
/* Tells the other endpoints of @ep's conference (those with an open channel) that @ep's media
 * stopped (@active FALSE: the media plane dropped it) or flows (TRUE: connected), with JVB's
 * EndpointConnectivityStatusChangeEvent, so clients can mark it at once. */
void bridge_channels_connectivity(BridgeChannels *ch, const BridgeRegEndpoint *ep, gboolean active);

/* The endpoint's stored receiver preferences, or NULL if it never opened a channel
 * (transfer none; valid until the endpoint expires). */
const BridgeChannelPrefs *bridge_channels_prefs(const BridgeRegEndpoint *ep);

void bridge_channels_get_stats(BridgeChannels *ch, BridgeChannelStats *out);

/* What layer selection (video.c) plugs in: the ForwardedSources list of a receiver (instead
 * of every other source; transfer full, NULL-terminated), news that a receiver's preferences
 * changed, and that its channel opened. */
typedef struct {
    char **(*forwarded_for)(const BridgeRegEndpoint *ep, gpointer data);
    void (*prefs_changed)(BridgeRegEndpoint *ep, gpointer data);
    void (*opened)(BridgeRegEndpoint *ep, gpointer data);
} BridgeChannelHooks;
void bridge_channels_set_hooks(BridgeChannels *ch, const BridgeChannelHooks *hooks, gpointer data);
/* Sends @text to @ep's open channel; FALSE when it has none. */
gboolean bridge_channels_send(BridgeChannels *ch, BridgeRegEndpoint *ep, const char *text);

G_END_DECLS
