/* SPDX-License-Identifier: MIT */
/* The bridge's HTTP server (libsoup-3): GET /about/health and GET /metrics. The colibri-ws
 * WebSocket endpoint (bridge/control/channel.h) hangs off the same server
 * (bridge_http_server()). GET /debug/endpoints answers each endpoint's allocation and bandwidth
 * estimate as JSON (the provider's). Paths reach handlers undecoded (raw-paths). Connections are
 * accepted by listener.h, not by libsoup.
 *
 * Thread: control thread. The server listens on the thread-default GMainContext at the time
 * bridge_http_new() is called, and the provider callbacks run there. */
#pragma once

#include <glib.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
    /* TRUE when the bridge can take conferences; else FALSE with *@reason set to a short
     * explanation (transfer full). */
    gboolean (*health)(gpointer user_data, char **reason);
    /* The /metrics body (transfer full). */
    char *(*metrics)(gpointer user_data);
    /* The GET /debug/endpoints body, JSON (transfer full); NULL: not served (404). */
    char *(*endpoints)(gpointer user_data);
    /* Optional: the health verdict changed (@ok, and @reason when not ok); the first verdict
     * counts as a change. Control thread. */
    void (*verdict)(gpointer user_data, gboolean ok, const char *reason);
} BridgeHttpProvider;

typedef struct _BridgeHttp BridgeHttp;

/* Listens on @address:@port (bridge/http/listener.h: a deep backlog, at most
 * @max_connections connections at once, a clean 503 beyond). (transfer full) NULL with @error
 * when the port cannot be bound. */
BridgeHttp *bridge_http_new(const char *address, guint port, guint max_connections,
                            const BridgeHttpProvider *provider, gpointer user_data, GError **error);
void bridge_http_free(BridgeHttp *h);

/* For adding more handlers (transfer none). */
SoupServer *bridge_http_server(BridgeHttp *h);
/* The provider's health verdict may have changed: the answer health checks get (which the
 * listener's thread gives from a copy refreshed every 100 ms while unhealthy, every second
 * while healthy) is refreshed now. */
void bridge_http_health_changed(BridgeHttp *h);
/* The port listened on (for @port 0: the one the system chose). */
guint bridge_http_port(BridgeHttp *h);

typedef struct {
    guint connections; /* open now */
    guint64 accepted;  /* since start */
    guint64 refused;   /* answered 503 at once: too many connections, or no descriptor left */
} BridgeHttpStats;
void bridge_http_get_stats(BridgeHttp *h, BridgeHttpStats *out);

G_END_DECLS
