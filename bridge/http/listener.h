/* SPDX-License-Identifier: MIT */
/* The HTTP server's listening socket (see listener.c): a deep backlog, connections accepted on
 * a thread of their own, some answered there (the fast answerer: health checks), the rest
 * handed to libsoup on the control thread; at most max_connections at a time (a clean 503
 * beyond), and a spare descriptor to refuse with when the process has none left.
 *
 * Threads: the functions here are for the control thread, whose thread-default context at
 * bridge_http_listener_new() receives the connections for libsoup; the listener's thread
 * "http-accept" calls the fast answerer. */
#pragma once

#include <gio/gio.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct _BridgeHttpListener BridgeHttpListener;

/* The first bytes a new connection sent (@head, @len of them, NUL-terminated; possibly not a
 * whole request): a complete HTTP response to send before closing (transfer full), or NULL to
 * hand the connection to libsoup. Called on the listener's own thread (so what it answers is
 * answered whatever the control thread is doing): it must be thread-safe. */
typedef char *(*BridgeHttpFastAnswer)(const char *head, gsize len, gpointer data);

typedef struct {
    guint64 accepted; /* handed to libsoup */
    guint64 refused;  /* answered 503 at once (too many connections, or no descriptor) */
    guint64 failed;   /* libsoup would not take it */
    guint64 fast;     /* answered by the fast path */
    guint live;       /* open now */
    guint max_live;   /* most open at once */
} BridgeHttpListenerStats;

/* Listens on @address and hands connections to @server (which must not listen itself),
 * except those @fast (may be NULL) answers. (transfer full) NULL with @error when the address
 * cannot be bound. */
BridgeHttpListener *bridge_http_listener_new(SoupServer *server, GSocketAddress *address,
                                             guint max_connections, BridgeHttpFastAnswer fast,
                                             gpointer fast_data, GError **error);
/* Stops listening (joins the thread); connections already handed to libsoup are libsoup's. */
void bridge_http_listener_free(BridgeHttpListener *l);
guint bridge_http_listener_port(BridgeHttpListener *l);
void bridge_http_listener_get_stats(BridgeHttpListener *l, BridgeHttpListenerStats *out);

G_END_DECLS
