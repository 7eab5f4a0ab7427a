/* SPDX-License-Identifier: MIT */
/* Thread: control thread (see http.h). */
#include "bridge/http/http.h"

#include <string.h>

struct _BridgeHttp {
    SoupServer *server;
    BridgeHttpProvider provider;
    gpointer user_data;
};

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
    if (h->provider.health(h->user_data, &reason)) {
        g_free(reason);
        respond(msg, SOUP_STATUS_OK, "text/plain; charset=utf-8", g_strdup("ok\n"));
    } else {
        char *body = g_strdup_printf("unhealthy: %s\n", reason ? reason : "unknown");
        g_free(reason);
        respond(msg, SOUP_STATUS_SERVICE_UNAVAILABLE, "text/plain; charset=utf-8", body);
    }
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

static void on_other(SoupServer *server, SoupServerMessage *msg, const char *path,
                     GHashTable *query, gpointer ud)
{
    respond(msg, SOUP_STATUS_NOT_FOUND, "text/plain; charset=utf-8", g_strdup("not found\n"));
}

BridgeHttp *bridge_http_new(const char *address, guint port, const BridgeHttpProvider *provider,
                            gpointer user_data, GError **error)
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
    /* raw-paths: the colibri-ws handler unescapes each path segment itself, so that an id
     * holding an escaped '/' cannot shift the segments. */
    h->server =
        soup_server_new("server-header", "parley-bridge/" PARLEY_VERSION, "raw-paths", TRUE, NULL);
    soup_server_add_handler(h->server, "/about/health", on_health, h, NULL);
    soup_server_add_handler(h->server, "/metrics", on_metrics, h, NULL);
    soup_server_add_handler(h->server, NULL, on_other, h, NULL);
    GError *local = NULL;
    if (!soup_server_listen(h->server, addr, 0, &local)) {
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
    soup_server_disconnect(h->server);
    g_object_unref(h->server);
    g_free(h);
}

SoupServer *bridge_http_server(BridgeHttp *h)
{
    return h->server;
}
