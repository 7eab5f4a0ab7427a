/* SPDX-License-Identifier: MIT */
/* A load of concurrent HTTP requests against one server, with a health probe alongside: the
 * client side of test-bridge-http-load.c. One thread, one epoll: every request is a
 * non-blocking socket that connects, sends its request, reads the answer to EOF and records
 * the status and the time; the probe opens a new connection every probe_ms and records how
 * long each answer took.
 *
 * Thread: the caller's (http_load_run() returns when everything has ended or the deadline
 * passed). Owns its sockets. */
#include "http-load.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

typedef struct {
    int fd;
    gboolean probe;
    gboolean sent;
    gint64 start_us;
    GString *in;
} Conn;

static gint64 now_us(void)
{
    return g_get_monotonic_time();
}

void http_load_raise_fd_limit(guint want)
{
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < want) {
        rl.rlim_cur = MIN((rlim_t)want, rl.rlim_max);
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static Conn *conn_open(int ep, guint port, gboolean probe)
{
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return NULL;
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((guint16)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    Conn *c = g_new0(Conn, 1);
    c->fd = fd;
    c->probe = probe;
    c->start_us = now_us();
    c->in = g_string_new(NULL);
    if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0 && errno != EINPROGRESS) {
        /* Refused at once: recorded as a failure by the caller. */
        c->fd = -1;
        close(fd);
        return c;
    }
    struct epoll_event ev = {.events = EPOLLOUT | EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev);
    return c;
}

static void conn_free(Conn *c)
{
    if (c->fd >= 0)
        close(c->fd);
    g_string_free(c->in, TRUE);
    g_free(c);
}

/* The status code of a complete answer in @in, or 0. */
static guint status_of(GString *in)
{
    guint major, minor, status;
    if (sscanf(in->str, "HTTP/%u.%u %u", &major, &minor, &status) == 3)
        return status;
    return 0;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

double http_load_percentile(GArray *ms, double p)
{
    if (!ms->len)
        return -1;
    g_array_sort(ms, cmp_double);
    guint i = (guint)MIN(ms->len - 1, (guint)(p / 100.0 * ms->len));
    return g_array_index(ms, double, i);
}

/* A request ended (EOF, error or deadline): recorded in @r. */
static void finish(HttpLoadResult *r, Conn *c, gboolean error)
{
    double ms = (now_us() - c->start_us) / 1000.0;
    guint status = error ? 0 : status_of(c->in);
    if (c->probe) {
        if (status == 200)
            g_array_append_val(r->health_ms, ms);
        else
            r->health_failed++;
        return;
    }
    if (status == 200)
        r->answered++;
    else if (status == 503)
        r->refused++;
    else
        r->failed++;
    r->last_ms = MAX(r->last_ms, ms);
    if (ms > 10000)
        r->late++;
}

void http_load_run(const HttpLoadSpec *spec, HttpLoadResult *r)
{
    memset(r, 0, sizeof *r);
    r->health_ms = g_array_new(FALSE, FALSE, sizeof(double));
    int ep = epoll_create1(EPOLL_CLOEXEC);
    g_autofree char *req = g_strdup_printf("GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                           "Connection: close\r\n\r\n",
                                           spec->path);
    static const char probe_req[] = "GET /about/health HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    "Connection: close\r\n\r\n";
    guint open = 0;
    GHashTable *live = g_hash_table_new(NULL, NULL);
    gint64 t0 = now_us();
    for (guint i = 0; i < spec->requests; i++) {
        Conn *c = conn_open(ep, spec->port, FALSE);
        if (!c) {
            r->failed++;
            continue;
        }
        if (c->fd < 0) {
            finish(r, c, TRUE);
            conn_free(c);
            continue;
        }
        g_hash_table_add(live, c);
        open++;
    }
    gint64 next_probe = t0;
    gint64 deadline = t0 + (gint64)spec->deadline_ms * 1000;
    guint probes_open = 0;
    struct epoll_event evs[256];
    while ((open > 0 || probes_open > 0) && now_us() < deadline) {
        if (open > 0 && now_us() >= next_probe) {
            Conn *p = conn_open(ep, spec->port, TRUE);
            if (p && p->fd >= 0) {
                probes_open++;
                g_hash_table_add(live, p);
            } else if (p) {
                finish(r, p, TRUE);
                conn_free(p);
            }
            next_probe += (gint64)spec->probe_ms * 1000;
        }
        int n = epoll_wait(ep, evs, G_N_ELEMENTS(evs), 5);
        for (int i = 0; i < n; i++) {
            Conn *c = evs[i].data.ptr;
            gboolean done = FALSE, error = FALSE;
            if ((evs[i].events & EPOLLOUT) && !c->sent) {
                const char *what = c->probe ? probe_req : req;
                ssize_t w = send(c->fd, what, strlen(what), MSG_NOSIGNAL);
                if (w == (ssize_t)strlen(what)) {
                    c->sent = TRUE;
                    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ev);
                } else if (w < 0 && errno != EAGAIN) {
                    done = error = TRUE;
                }
            }
            if (!done && (evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR))) {
                char buf[16384];
                for (;;) {
                    ssize_t got = recv(c->fd, buf, sizeof buf, 0);
                    if (got > 0) {
                        g_string_append_len(c->in, buf, got);
                        continue;
                    }
                    if (got == 0)
                        done = TRUE;
                    else if (errno != EAGAIN)
                        done = error = c->in->len == 0;
                    break;
                }
            }
            if (done) {
                epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
                g_hash_table_remove(live, c);
                finish(r, c, error);
                if (c->probe)
                    probes_open--;
                else
                    open--;
                conn_free(c);
            }
        }
    }
    r->total_ms = (now_us() - t0) / 1000.0;
    r->unfinished = open;
    r->health_failed += probes_open;
    /* What is still open at the deadline hung: counted, then closed. */
    GHashTableIter it;
    gpointer k;
    g_hash_table_iter_init(&it, live);
    while (g_hash_table_iter_next(&it, &k, NULL))
        conn_free(k);
    g_hash_table_destroy(live);
    close(ep);
}

void http_load_result_clear(HttpLoadResult *r)
{
    g_clear_pointer(&r->health_ms, g_array_unref);
}
