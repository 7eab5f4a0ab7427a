/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread. The server owns the listening socket and every
 * connection (its socket and buffers); a connection lives from accept to the end of its one
 * response (or its deadline). */
#include "focus/http/http-server.h"

#include "common/log.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
    int fd;                       /* -1: free slot */
    char in[FOCUS_HTTP_MAX_HEAD]; /* the request head read so far */
    gsize in_len;
    GString *out; /* the response, once built */
    gsize out_off;
    gint64 deadline_us;
} Conn;

struct _FocusHttpServer {
    int listen_fd;
    guint16 port;
    FocusHttpHandler handler;
    gpointer data;
    Conn conns[FOCUS_HTTP_MAX_CONNECTIONS];
    guint n_conns;
    guint timeout_ms;
    FocusHttpCounts counts;
    PaRateLimit peer_log;
};

static const char *reason_phrase(guint status)
{
    switch (status) {
    case 200:
        return "OK";
    case 400:
        return "Bad Request";
    case 404:
        return "Not Found";
    case 405:
        return "Method Not Allowed";
    case 500:
        return "Internal Server Error";
    case 503:
        return "Service Unavailable";
    case 505:
        return "HTTP Version Not Supported";
    default:
        return "Unknown";
    }
}

static void conn_close(FocusHttpServer *s, Conn *c)
{
    if (c->fd < 0)
        return;
    close(c->fd);
    c->fd = -1;
    c->in_len = 0;
    if (c->out)
        g_string_free(c->out, TRUE);
    c->out = NULL;
    c->out_off = 0;
    s->n_conns--;
}

/* ---- setup ---- */

FocusHttpServer *focus_http_server_new(const char *address, guint16 port, FocusHttpHandler handler,
                                       gpointer data, GError **error)
{
    g_return_val_if_fail(address && handler, NULL);
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len;
    struct sockaddr_in *in4 = (struct sockaddr_in *)&ss;
    struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;
    if (inet_pton(AF_INET, address, &in4->sin_addr) == 1) {
        in4->sin_family = AF_INET;
        in4->sin_port = htons(port);
        len = sizeof *in4;
    } else if (inet_pton(AF_INET6, address, &in6->sin6_addr) == 1) {
        in6->sin6_family = AF_INET6;
        in6->sin6_port = htons(port);
        len = sizeof *in6;
    } else {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "http.address: '%s' is not an IP address", address);
        return NULL;
    }
    int fd = socket(ss.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    int one = 1;
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) != 0 ||
        bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 64) != 0 ||
        getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        int err = errno;
        if (fd >= 0)
            close(fd);
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(err),
                    "cannot listen on %s port %u (http.address, http.port): %s", address, port,
                    g_strerror(err));
        return NULL;
    }
    FocusHttpServer *s = g_new0(FocusHttpServer, 1);
    s->listen_fd = fd;
    s->port = ntohs(ss.ss_family == AF_INET ? in4->sin_port : in6->sin6_port);
    s->handler = handler;
    s->data = data;
    s->timeout_ms = FOCUS_HTTP_TIMEOUT_MS;
    for (guint i = 0; i < FOCUS_HTTP_MAX_CONNECTIONS; i++)
        s->conns[i].fd = -1;
    s->peer_log = (PaRateLimit)PA_RATE_LIMIT_INIT(G_USEC_PER_SEC, 10);
    return s;
}

void focus_http_server_free(FocusHttpServer *s)
{
    if (!s)
        return;
    for (guint i = 0; i < FOCUS_HTTP_MAX_CONNECTIONS; i++)
        conn_close(s, &s->conns[i]);
    close(s->listen_fd);
    g_free(s);
}

guint16 focus_http_server_port(FocusHttpServer *s)
{
    return s->port;
}

void focus_http_server_set_timeout_ms(FocusHttpServer *s, guint ms)
{
    s->timeout_ms = ms;
}

guint focus_http_server_connections(FocusHttpServer *s)
{
    return s->n_conns;
}

const FocusHttpCounts *focus_http_server_counts(FocusHttpServer *s)
{
    return &s->counts;
}

/* ---- answering ---- */

static void respond(Conn *c, guint status, const char *type, const GString *body,
                    gboolean head_only, const char *extra_headers)
{
    c->out = g_string_sized_new(256 + (body ? body->len : 0));
    g_string_append_printf(c->out,
                           "HTTP/1.1 %u %s\r\n"
                           "Content-Type: %s\r\n"
                           "Content-Length: %" G_GSIZE_FORMAT "\r\n"
                           "Cache-Control: no-cache\r\n"
                           "Connection: close\r\n"
                           "%s\r\n",
                           status, reason_phrase(status), type, body ? body->len : 0,
                           extra_headers ? extra_headers : "");
    if (body && !head_only)
        g_string_append_len(c->out, body->str, (gssize)body->len);
    c->out_off = 0;
}

static void refuse(FocusHttpServer *s, Conn *c, guint status, const char *why)
{
    s->counts.refused++;
    pa_log_peer(&s->peer_log, g_get_monotonic_time(), G_LOG_LEVEL_WARNING,
                "http: request refused with %u: %s", status, why);
    g_autoptr(GString) body = g_string_new(why);
    g_string_append_c(body, '\n');
    respond(c, status, "text/plain; charset=utf-8", body, FALSE,
            status == 405 ? "Allow: GET, HEAD\r\n" : NULL);
}

/* The head is complete (or broken): build the response. */
static void answer(FocusHttpServer *s, Conn *c)
{
    FocusHttpRequest req;
    FocusHttpParseStatus st = focus_http_request_parse(c->in, c->in_len, &req);
    switch (st) {
    case FOCUS_HTTP_PARSE_INCOMPLETE:
        if (c->in_len < sizeof c->in)
            return; /* read more */
        refuse(s, c, 400, "request head too large");
        return;
    case FOCUS_HTTP_PARSE_BAD:
        refuse(s, c, 400, "malformed request");
        return;
    case FOCUS_HTTP_PARSE_VERSION:
        refuse(s, c, 505, "only HTTP/1.0 and HTTP/1.1");
        return;
    case FOCUS_HTTP_PARSE_OK:
        break;
    }
    gboolean head = strcmp(req.method, "HEAD") == 0;
    if (!head && strcmp(req.method, "GET") != 0) {
        refuse(s, c, 405, "only GET and HEAD");
        return;
    }
    FocusHttpResponse res = {200, "text/plain; charset=utf-8", g_string_new(NULL)};
    s->handler(&req, &res, s->data);
    s->counts.answered++;
    respond(c, res.status, res.content_type, res.body, head, NULL);
    g_string_free(res.body, TRUE);
}

/* ---- I/O ---- */

static Conn *free_slot(FocusHttpServer *s)
{
    for (guint i = 0; i < FOCUS_HTTP_MAX_CONNECTIONS; i++)
        if (s->conns[i].fd < 0)
            return &s->conns[i];
    return NULL;
}

static void accept_all(FocusHttpServer *s, gint64 now)
{
    while (s->n_conns < FOCUS_HTTP_MAX_CONNECTIONS) {
        int fd = accept4(s->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR && errno != ECONNABORTED)
                pa_log_peer(&s->peer_log, now, G_LOG_LEVEL_WARNING, "http: accept: %s",
                            g_strerror(errno));
            return;
        }
        Conn *c = free_slot(s); /* there is one: n_conns < FOCUS_HTTP_MAX_CONNECTIONS */
        if (!c) {
            close(fd);
            return;
        }
        c->fd = fd;
        c->in_len = 0;
        c->deadline_us = now + (gint64)s->timeout_ms * 1000;
        s->n_conns++;
    }
}

static void conn_read(FocusHttpServer *s, Conn *c)
{
    while (!c->out && c->in_len < sizeof c->in) {
        ssize_t n = recv(c->fd, c->in + c->in_len, sizeof c->in - c->in_len, 0);
        if (n > 0) {
            c->in_len += (gsize)n;
            answer(s, c);
            continue;
        }
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        conn_close(s, c); /* closed before a whole request, or a socket error */
        return;
    }
    if (!c->out)
        answer(s, c); /* a full buffer without an end: refused */
}

static void conn_write(FocusHttpServer *s, Conn *c)
{
    while (c->out_off < c->out->len) {
        ssize_t n = send(c->fd, c->out->str + c->out_off, c->out->len - c->out_off, MSG_NOSIGNAL);
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
            return;
        if (n <= 0) {
            conn_close(s, c);
            return;
        }
        c->out_off += (gsize)n;
    }
    conn_close(s, c); /* one response per connection */
}

guint focus_http_server_prepare(FocusHttpServer *s, struct pollfd *fds, guint max, int *timeout_ms)
{
    guint n = 0;
    gint64 now = g_get_monotonic_time();
    if (n < max && s->n_conns < FOCUS_HTTP_MAX_CONNECTIONS)
        fds[n++] = (struct pollfd){.fd = s->listen_fd, .events = POLLIN};
    for (guint i = 0; i < FOCUS_HTTP_MAX_CONNECTIONS && n < max; i++) {
        Conn *c = &s->conns[i];
        if (c->fd < 0)
            continue;
        fds[n++] = (struct pollfd){.fd = c->fd, .events = c->out ? POLLOUT : POLLIN};
        gint64 left_ms = (c->deadline_us - now + 999) / 1000;
        int left = (int)CLAMP(left_ms, 0, G_MAXINT);
        if (*timeout_ms < 0 || left < *timeout_ms)
            *timeout_ms = left;
    }
    return n;
}

void focus_http_server_dispatch(FocusHttpServer *s, const struct pollfd *fds, guint n)
{
    gint64 now = g_get_monotonic_time();
    for (guint i = 0; i < n; i++) {
        if (!fds[i].revents)
            continue;
        if (fds[i].fd == s->listen_fd) {
            accept_all(s, now);
            continue;
        }
        for (guint j = 0; j < FOCUS_HTTP_MAX_CONNECTIONS; j++) {
            Conn *c = &s->conns[j];
            if (c->fd != fds[i].fd)
                continue;
            if (c->out)
                conn_write(s, c);
            else
                conn_read(s, c);
            if (c->fd >= 0 && c->out && c->out_off == 0)
                conn_write(s, c); /* answered just now: try to send at once */
            break;
        }
    }
    for (guint j = 0; j < FOCUS_HTTP_MAX_CONNECTIONS; j++) {
        Conn *c = &s->conns[j];
        if (c->fd >= 0 && now >= c->deadline_us) {
            s->counts.timed_out++;
            conn_close(s, c);
        }
    }
}
