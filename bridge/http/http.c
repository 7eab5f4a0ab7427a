/* SPDX-License-Identifier: MIT */
/* Thread: control thread (see http.h). */
#include "bridge/http/http.h"

#include <string.h>

#include "bridge/http/listener.h"

struct _BridgeHttp {
    SoupServer *server;
    BridgeHttpListener *listener;
    /* The health answer as of the last refresh on the control thread, for the listener's
     * thread (fast_health); under health_lock. */
    GMutex health_lock;
    char *health_answer;
    char *health_head_answer;
    GSource *health_timer;
    guint health_every_ms; /* the timer's interval */
    char *verdict;         /* the last verdict told to provider.verdict ("" when ok), or NULL */
    BridgeHttpProvider provider;
    gpointer user_data;
};

static void publish_health(BridgeHttp *h, gboolean ok, const char *reason);

static gboolean method_ok(SoupServerMessage *msg)
{
    const char *m = soup_server_message_get_method(msg);
    if (strcmp(m, "GET") == 0 || strcmp(m, "HEAD") == 0)
        return TRUE;
    soup_server_message_set_status(msg, SOUP_STATUS_METHOD_NOT_ALLOWED, NULL);
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Allow",
                                 "GET, HEAD");
    return FALSE;
}

static void respond(SoupServerMessage *msg, guint status, const char *type, char *body)
{
    soup_server_message_set_status(msg, status, NULL);
    soup_message_headers_replace(soup_server_message_get_response_headers(msg), "Cache-Control",
                                 "no-store");
    soup_server_message_set_response(msg, type, SOUP_MEMORY_TAKE, body, strlen(body));
}

static void on_health(SoupServer *server, SoupServerMessage *msg, const char *path,
                      GHashTable *query, gpointer ud)
{
    BridgeHttp *h = ud;
    if (!method_ok(msg))
        return;
    char *reason = NULL;
    gboolean healthy = h->provider.health(h->user_data, &reason);
    publish_health(h, healthy, reason);
    if (healthy) {
        g_free(reason);
        respond(msg, SOUP_STATUS_OK, "text/plain; charset=utf-8", g_strdup("ok\n"));
    } else {
        char *body = g_strdup_printf("unhealthy: %s\n", reason ? reason : "unknown");
        g_free(reason);
        respond(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", body);
    }
}

/* The /about/health answers the listener's thread gives, from the provider's verdict: made on
 * the control thread every HEALTH_REFRESH_MS while unhealthy (starting, or waiting to
 * recover: a load balancer sees it healthy again at once), every HEALTH_STEADY_MS while
 * healthy (a watchdog learns of a fault within a second, without waking the thread ten times a
 * second for it), and whenever libsoup answers a health check. */
#define HEALTH_REFRESH_MS 100
#define HEALTH_STEADY_MS 1000

static void publish_health(BridgeHttp *h, gboolean ok, const char *reason)
{
    g_autofree char *body =
        ok ? g_strdup("ok\n") : g_strdup_printf("unhealthy: %s\n", reason ? reason : "unknown");
    g_autofree char *head =
        g_strdup_printf("HTTP/1.1 %s\r\nServer: parley-bridge/" PARLEY_VERSION "\r\n"
                        "Content-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
                        "Content-Length: %zu\r\nConnection: close\r\n\r\n",
                        ok ? "200 OK" : "503 Service Unavailable", strlen(body));
    char *full = g_strconcat(head, body, NULL);
    char *head_only = g_steal_pointer(&head);
    g_mutex_lock(&h->health_lock);
    g_free(h->health_answer);
    g_free(h->health_head_answer);
    h->health_answer = full;
    h->health_head_answer = head_only;
    g_mutex_unlock(&h->health_lock);
}

static gboolean refresh_health(gpointer data);

static void health_timer_every(BridgeHttp *h, guint ms)
{
    if (h->health_timer && h->health_every_ms == ms)
        return;
    if (h->health_timer) {
        g_source_destroy(h->health_timer);
        g_source_unref(h->health_timer);
    }
    h->health_every_ms = ms;
    h->health_timer = g_timeout_source_new(ms);
    g_source_set_callback(h->health_timer, refresh_health, h, NULL);
    g_source_attach(h->health_timer, g_main_context_get_thread_default());
}

static gboolean refresh_health(gpointer data)
{
    BridgeHttp *h = data;
    char *reason = NULL;
    gboolean ok = h->provider.health(h->user_data, &reason);
    publish_health(h, ok, reason);
    const char *now = ok ? "" : reason ? reason : "unknown";
    if (h->provider.verdict && g_strcmp0(h->verdict, now) != 0) {
        g_free(h->verdict);
        h->verdict = g_strdup(now);
        h->provider.verdict(h->user_data, ok, ok ? NULL : now);
    }
    g_free(reason);
    health_timer_every(h, ok ? HEALTH_STEADY_MS : HEALTH_REFRESH_MS);
    return G_SOURCE_CONTINUE;
}

/* GET (or HEAD) /about/health as the first request of a connection: answered on the
 * listener's thread at once, ahead of whatever else is in flight (a burst of /metrics must not
 * delay the check a load balancer or watchdog runs). Anything else, or a request whose headers
 * are not all there yet: NULL, and libsoup answers it (on_health for a health check). */
static char *fast_health(const char *head, gsize len, gpointer data)
{
    BridgeHttp *h = data;
    gboolean head_only = g_str_has_prefix(head, "HEAD /about/health ");
    if (!head_only && !g_str_has_prefix(head, "GET /about/health "))
        return NULL;
    if (!strstr(head, "\r\n\r\n"))
        return NULL;
    g_mutex_lock(&h->health_lock);
    char *answer = g_strdup(head_only ? h->health_head_answer : h->health_answer);
    g_mutex_unlock(&h->health_lock);
    return answer;
}

static void on_metrics(SoupServer *server, SoupServerMessage *msg, const char *path,
                       GHashTable *query, gpointer ud)
{
    BridgeHttp *h = ud;
    if (!method_ok(msg))
        return;
    respond(msg, SOUP_STATUS_OK, "text/plain; version=0.0.4; charset=utf-8",
            h->provider.metrics(h->user_data));
}

static void on_endpoints(SoupServer *server, SoupServerMessage *msg, const char *path,
                         GHashTable *query, gpointer ud)
{
    BridgeHttp *h = ud;
    if (!method_ok(msg))
        return;
    if (!h->provider.endpoints) {
        respond(msg, SOUP_STATUS_NOT_FOUND, "text/plain; charset=utf-8", g_strdup("not found\n"));
        return;
    }
    respond(msg, SOUP_STATUS_OK, "application/json", h->provider.endpoints(h->user_data));
}

static void on_other(SoupServer *server, SoupServerMessage *msg, const char *path,
                     GHashTable *query, gpointer ud)
{
    respond(msg, SOUP_STATUS_NOT_FOUND, "text/plain; charset=utf-8", g_strdup("not found\n"));
}

BridgeHttp *bridge_http_new(const char *address, guint port, guint max_connections,
                            const BridgeHttpProvider *provider, gpointer user_data, GError **error)
{
    g_autoptr(GSocketAddress) addr = g_inet_socket_address_new_from_string(address, port);
    if (!addr) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "http.address: '%s' is not an IP address", address);
        return NULL;
    }
    BridgeHttp *h = g_new0(BridgeHttp, 1);
    h->provider = *provider;
    h->user_data = user_data;
    g_mutex_init(&h->health_lock);
    publish_health(h, FALSE, "starting");
    health_timer_every(h, HEALTH_REFRESH_MS);
    /* raw-paths: the colibri-ws handler unescapes each path segment itself, so that an id
     * holding an escaped '/' cannot shift the segments. */
    h->server =
        soup_server_new("server-header", "parley-bridge/" PARLEY_VERSION, "raw-paths", TRUE, NULL);
    soup_server_add_handler(h->server, "/about/health", on_health, h, NULL);
    soup_server_add_handler(h->server, "/metrics", on_metrics, h, NULL);
    soup_server_add_handler(h->server, "/debug/endpoints", on_endpoints, h, NULL);
    soup_server_add_handler(h->server, NULL, on_other, h, NULL);
    GError *local = NULL;
    h->listener =
        bridge_http_listener_new(h->server, addr, max_connections, fast_health, h, &local);
    if (!h->listener) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "http.port: cannot listen on %s:%u: %s",
                    address, port, local->message);
        g_error_free(local);
        bridge_http_free(h);
        return NULL;
    }
    return h;
}

void bridge_http_free(BridgeHttp *h)
{
    if (!h)
        return;
    g_clear_pointer(&h->listener, bridge_http_listener_free);
    if (h->health_timer) {
        g_source_destroy(h->health_timer);
        g_source_unref(h->health_timer);
    }
    soup_server_disconnect(h->server);
    g_object_unref(h->server);
    g_free(h->health_answer);
    g_free(h->health_head_answer);
    g_free(h->verdict);
    g_mutex_clear(&h->health_lock);
    g_free(h);
}

SoupServer *bridge_http_server(BridgeHttp *h)
{
    return h->server;
}

guint bridge_http_port(BridgeHttp *h)
{
    return bridge_http_listener_port(h->listener);
}

void bridge_http_get_stats(BridgeHttp *h, BridgeHttpStats *out)
{
    BridgeHttpListenerStats ls;
    bridge_http_listener_get_stats(h->listener, &ls);
    out->connections = ls.live;
    out->accepted = ls.accepted;
    out->refused = ls.refused;
}

void bridge_http_health_changed(BridgeHttp *h)
{
    if (h)
        refresh_health(h);
}
