/* SPDX-License-Identifier: MIT */
/* FocusHttpServer: the focus's small HTTP/1.1 server for /about/health and /metrics
 * (metrics.h), without threads: a non-blocking listener whose sockets the focus's event loop
 * polls together with the XMPP connection (focus/xmpp/component.h, FocusPollSource).
 *
 * Why not libsoup: the focus runs on libstrophe's loop, not on a GMainContext; driving a
 * GMainContext from it would add a second scheduler (and a dependency) for two GET routes.
 * This server answers one request per connection (Connection: close), GET and HEAD only,
 * with the whole response built in memory: what a Prometheus scrape or a health probe needs.
 *
 * Limits (the port is meant for loopback or a monitoring network, but nothing trusts the
 * peer): at most FOCUS_HTTP_MAX_CONNECTIONS connections (more wait in the listen backlog), a
 * request head of at most FOCUS_HTTP_MAX_HEAD bytes, and FOCUS_HTTP_TIMEOUT_MS for the whole
 * exchange; a malformed request gets 400 (or 505) and a rate-limited log line, and is
 * counted (focus_http_server_counts()).
 *
 * Thread: the focus event-loop thread. The server owns its sockets and buffers. */
#pragma once

#include "focus/http/http-request.h"

#include <gio/gio.h>
#include <glib.h>
#include <poll.h>

G_BEGIN_DECLS

#define FOCUS_HTTP_MAX_CONNECTIONS 16
#define FOCUS_HTTP_TIMEOUT_MS 10000

typedef struct _FocusHttpServer FocusHttpServer;

typedef struct {
    guint status;             /* 200 unless the handler says otherwise */
    const char *content_type; /* "text/plain; charset=utf-8" unless the handler says otherwise */
    GString *body;            /* the handler appends the body (for HEAD it is not sent) */
} FocusHttpResponse;

/* Answers a GET or HEAD (the server answers other methods with 405 itself). */
typedef void (*FocusHttpHandler)(const FocusHttpRequest *req, FocusHttpResponse *res,
                                 gpointer data);

/* Listens on @address (an IP address) and @port (0: any free port, see
 * focus_http_server_port()). NULL with @error (G_IO_ERROR) when the socket cannot be bound. */
FocusHttpServer *focus_http_server_new(const char *address, guint16 port, FocusHttpHandler handler,
                                       gpointer data, GError **error);
/* Closes every socket. */
void focus_http_server_free(FocusHttpServer *server);

guint16 focus_http_server_port(FocusHttpServer *server);
/* For tests: the deadline of connections accepted from now on (default
 * FOCUS_HTTP_TIMEOUT_MS). */
void focus_http_server_set_timeout_ms(FocusHttpServer *server, guint ms);

/* Before the loop waits: fills at most @max entries of @fds (the listener and each
 * connection, with the events it waits for) and returns how many; lowers *@timeout_ms
 * (milliseconds, -1 = none) to the nearest connection deadline. */
guint focus_http_server_prepare(FocusHttpServer *server, struct pollfd *fds, guint max,
                                int *timeout_ms);
/* After the wait: acts on @fds as prepared (with revents filled in): accepts, reads,
 * answers, writes, closes; also closes connections past their deadline. */
void focus_http_server_dispatch(FocusHttpServer *server, const struct pollfd *fds, guint n);

/* Connections open now. */
guint focus_http_server_connections(FocusHttpServer *server);

typedef struct {
    guint64 answered;  /* requests answered by the handler (any status it chose) */
    guint64 refused;   /* malformed (400), wrong version (505), method not allowed (405) */
    guint64 timed_out; /* connections closed at their deadline */
} FocusHttpCounts;

const FocusHttpCounts *focus_http_server_counts(FocusHttpServer *server);

G_END_DECLS
