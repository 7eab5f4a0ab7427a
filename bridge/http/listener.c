/* SPDX-License-Identifier: MIT */
/* The HTTP server's listening socket, accepted on a thread of its own rather than by libsoup
 * on the control thread, so that a burst of connections is met rather than dropped and health
 * checks stay fast whatever the control thread is busy with:
 *  - a deep listen backlog (libsoup's is GLib's default of 10: a burst overflows it, and the
 *    SYNs the kernel then drops are retried after 1, 3, 7, ... s, so requests take minutes);
 *  - the thread accepts every pending connection and looks at its first bytes (MSG_PEEK): a
 *    request the fast answerer takes (GET /about/health, from the health verdict the control
 *    thread publishes) is answered right there; anything else is queued for the control
 *    thread, which hands it to libsoup (soup_server_accept_iostream) with its bytes unread;
 *  - at most max_connections at once: beyond, a connection gets "503 Service Unavailable"
 *    (Retry-After: 1) at once;
 *  - an answered connection is closed once the client's request has been read (closing with
 *    unread data would reset it and lose the answer), or after a while;
 *  - when the process runs out of file descriptors, a spare one is given up to accept and
 *    refuse the connection, instead of leaving it in the backlog forever (or spinning).
 *
 * Threads: "http-accept" owns the listening socket and every connection until it is handed
 * over (its epoll set, its tables); the control thread (the context the listener was made on)
 * hands connections to libsoup and counts them until libsoup finalises them. They meet in a
 * mutex-protected queue (accepted connections, one wake-up per batch) and atomics (counts). */
#include "bridge/http/listener.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#define BACKLOG 4096
#define INSPECT_US (1 * G_USEC_PER_SEC) /* a silent client is handed to libsoup after this */
#define LINGER_US (2 * G_USEC_PER_SEC)  /* an answered client's request may take this long */
#define PAUSE_MS 100                    /* no descriptor even for refusing: wait this long */
#define HEAD_MAX 512

static const char REFUSAL[] = "HTTP/1.1 503 Service Unavailable\r\n"
                              "Content-Type: text/plain; charset=utf-8\r\n"
                              "Content-Length: 21\r\n"
                              "Retry-After: 1\r\n"
                              "Connection: close\r\n"
                              "\r\n"
                              "too many connections\n";

typedef enum {
    PEEKING,  /* accepted; its first bytes awaited */
    DRAINING, /* answered; its request read until EOF, then closed */
} ConnState;

typedef struct {
    int fd;
    ConnState state;
    gint64 deadline_us;
} Conn;

struct _BridgeHttpListener {
    /* Set at creation, read-only after. */
    SoupServer *server;
    GMainContext *context;
    int listen_fd;
    int wake_fd; /* eventfd: stop the thread */
    guint max_connections;
    BridgeHttpFastAnswer fast;
    gpointer fast_data;
    GThread *thread;

    /* http-accept thread only. */
    int epoll_fd;
    GHashTable *conns; /* Conn* (owned) by the thread */
    int spare_fd;
    gint64 paused_until_us;
    gint64 last_fd_warning_us;

    /* Shared. */
    GMutex lock;
    GQueue handover; /* fds for the control thread (lock) */
    GSource *idle;   /* the control thread's pending hand-over pass (lock), or NULL */
    gint live;       /* connections libsoup holds (atomic) */
    gint in_thread;  /* connections the accept thread holds (atomic) */
    gint stopping;   /* atomic */
    guint64 accepted, refused, failed, fast_count; /* counters (__atomic) */
    gint max_live;                                 /* atomic */

    /* Control thread only. */
    GHashTable *soup_conns; /* GSocketConnection* handed to libsoup (weak) */
};

/* ---- the accept thread ---- */

static void conn_close(BridgeHttpListener *l, Conn *c)
{
    epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    g_hash_table_remove(l->conns, c); /* frees it */
    g_atomic_int_add(&l->in_thread, -1);
}

/* Sends @answer on @c, and drains it until the client closes (or the linger ends). */
static void answer(BridgeHttpListener *l, Conn *c, const char *text, gsize len)
{
    (void)send(c->fd, text, len, MSG_NOSIGNAL | MSG_DONTWAIT);
    shutdown(c->fd, SHUT_WR);
    c->state = DRAINING;
    c->deadline_us = g_get_monotonic_time() + LINGER_US;
}

/* The control thread's side: libsoup takes what was queued. */
static gboolean hand_over(gpointer data);

static void queue_for_soup(BridgeHttpListener *l, Conn *c)
{
    epoll_ctl(l->epoll_fd, EPOLL_CTL_DEL, c->fd, NULL);
    int fd = c->fd;
    g_hash_table_steal(l->conns, c);
    g_free(c);
    g_atomic_int_add(&l->in_thread, -1);
    g_atomic_int_add(&l->live, 1);
    g_mutex_lock(&l->lock);
    g_queue_push_tail(&l->handover, GINT_TO_POINTER(fd));
    if (!l->idle) {
        l->idle = g_idle_source_new();
        g_source_set_priority(l->idle, G_PRIORITY_HIGH);
        g_source_set_callback(l->idle, hand_over, l, NULL);
        g_source_attach(l->idle, l->context);
    }
    g_mutex_unlock(&l->lock);
}

static void peek(BridgeHttpListener *l, Conn *c, gboolean hangup)
{
    char head[HEAD_MAX];
    ssize_t n = recv(c->fd, head, sizeof head - 1, MSG_PEEK | MSG_DONTWAIT);
    if (n < 0 && (errno == EAGAIN || errno == EINTR) && !hangup)
        return;
    if (n <= 0) {
        conn_close(l, c); /* the client went away before asking anything */
        return;
    }
    head[n] = '\0';
    char *text = l->fast ? l->fast(head, (gsize)n, l->fast_data) : NULL;
    if (!text) {
        queue_for_soup(l, c);
        return;
    }
    __atomic_fetch_add(&l->fast_count, 1, __ATOMIC_RELAXED);
    answer(l, c, text, strlen(text));
    g_free(text);
}

static void drain(BridgeHttpListener *l, Conn *c)
{
    char buf[4096];
    for (;;) {
        ssize_t n = recv(c->fd, buf, sizeof buf, MSG_DONTWAIT);
        if (n > 0)
            continue;
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && errno == EAGAIN)
            return;
        conn_close(l, c); /* EOF: the client has its answer; or an error */
        return;
    }
}

static Conn *conn_add(BridgeHttpListener *l, int fd)
{
    Conn *c = g_new0(Conn, 1);
    c->fd = fd;
    c->state = PEEKING;
    c->deadline_us = g_get_monotonic_time() + INSPECT_US;
    g_hash_table_add(l->conns, c);
    g_atomic_int_add(&l->in_thread, 1);
    struct epoll_event ev = {.events = EPOLLIN | EPOLLRDHUP, .data.ptr = c};
    epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &ev);
    return c;
}

static void refuse(BridgeHttpListener *l, int fd)
{
    __atomic_fetch_add(&l->refused, 1, __ATOMIC_RELAXED);
    Conn *c = conn_add(l, fd);
    answer(l, c, REFUSAL, sizeof REFUSAL - 1);
}

/* Out of descriptors: the spare one makes room to accept (and refuse) one connection; with
 * none left, accepting pauses for a moment instead of spinning on EMFILE. */
static void out_of_fds(BridgeHttpListener *l)
{
    gint64 now = g_get_monotonic_time();
    if (now - l->last_fd_warning_us > 10 * G_TIME_SPAN_SECOND) {
        l->last_fd_warning_us = now;
        g_warning("HTTP: out of file descriptors (%d connections open): refusing new ones",
                  g_atomic_int_get(&l->live));
    }
    if (l->spare_fd >= 0) {
        close(l->spare_fd);
        l->spare_fd = -1;
        int fd = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd >= 0) {
            __atomic_fetch_add(&l->refused, 1, __ATOMIC_RELAXED);
            (void)send(fd, REFUSAL, sizeof REFUSAL - 1, MSG_NOSIGNAL | MSG_DONTWAIT);
            close(fd); /* no room to drain it: an answer that may be reset is better than none */
        }
        l->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
            return;
    }
    l->paused_until_us = now + PAUSE_MS * 1000;
}

static void accept_all(BridgeHttpListener *l)
{
    for (;;) {
        int fd = accept4(l->listen_fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0) {
            if (errno == EINTR || errno == ECONNABORTED)
                continue;
            if (errno == EMFILE || errno == ENFILE)
                out_of_fds(l);
            return;
        }
        guint open = (guint)(g_atomic_int_get(&l->live) + g_atomic_int_get(&l->in_thread));
        if (open >= l->max_connections) {
            refuse(l, fd);
            continue;
        }
        __atomic_fetch_add(&l->accepted, 1, __ATOMIC_RELAXED);
        conn_add(l, fd);
        if (open + 1 > (guint)g_atomic_int_get(&l->max_live))
            g_atomic_int_set(&l->max_live, (gint)(open + 1));
    }
}

/* Connections past their deadline: a silent one goes to libsoup (it may be slow, not dead),
 * an answered one is closed. */
static void expire(BridgeHttpListener *l, gint64 now)
{
    GList *all = g_hash_table_get_keys(l->conns);
    for (GList *i = all; i; i = i->next) {
        Conn *c = i->data;
        if (c->deadline_us > now)
            continue;
        if (c->state == PEEKING)
            queue_for_soup(l, c);
        else
            conn_close(l, c);
    }
    g_list_free(all);
}

static gpointer accept_thread(gpointer data)
{
    BridgeHttpListener *l = data;
    struct epoll_event evs[256];
    gint64 next_expiry = 0;
    while (!g_atomic_int_get(&l->stopping)) {
        gint64 now = g_get_monotonic_time();
        gboolean paused = now < l->paused_until_us;
        struct epoll_event lev = {.events = paused ? 0 : EPOLLIN, .data.ptr = NULL};
        epoll_ctl(l->epoll_fd, EPOLL_CTL_MOD, l->listen_fd, &lev);
        int timeout = paused ? PAUSE_MS : (g_hash_table_size(l->conns) ? 100 : -1);
        int n = epoll_wait(l->epoll_fd, evs, G_N_ELEMENTS(evs), timeout);
        for (int i = 0; i < n; i++) {
            if (evs[i].data.ptr == NULL) {
                accept_all(l);
            } else if (evs[i].data.ptr == l) {
                break; /* the wake-up: stopping */
            } else {
                Conn *c = evs[i].data.ptr;
                gboolean hup = (evs[i].events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0;
                if (c->state == PEEKING)
                    peek(l, c, hup);
                else
                    drain(l, c);
            }
        }
        now = g_get_monotonic_time();
        if (now >= next_expiry) {
            expire(l, now);
            next_expiry = now + 100 * G_TIME_SPAN_MILLISECOND;
        }
    }
    return NULL;
}

/* ---- the control thread ---- */

static void connection_gone(gpointer data, GObject *where_the_object_was)
{
    BridgeHttpListener *l = data;
    g_hash_table_remove(l->soup_conns, where_the_object_was);
    g_atomic_int_add(&l->live, -1);
}

static void give_to_soup(BridgeHttpListener *l, int fd)
{
    g_autoptr(GError) error = NULL;
    GSocket *socket = g_socket_new_from_fd(fd, &error);
    if (!socket) {
        close(fd);
        __atomic_fetch_add(&l->failed, 1, __ATOMIC_RELAXED);
        g_atomic_int_add(&l->live, -1);
        return;
    }
    GSocketConnection *conn = g_socket_connection_factory_create_connection(socket);
    g_autoptr(GSocketAddress) local = g_socket_get_local_address(socket, NULL);
    g_autoptr(GSocketAddress) remote = g_socket_get_remote_address(socket, NULL);
    if (!soup_server_accept_iostream(l->server, G_IO_STREAM(conn), local, remote, &error)) {
        __atomic_fetch_add(&l->failed, 1, __ATOMIC_RELAXED);
        g_atomic_int_add(&l->live, -1);
        g_debug("HTTP: a connection could not be served: %s", error->message);
        g_io_stream_close(G_IO_STREAM(conn), NULL, NULL);
    } else {
        g_hash_table_add(l->soup_conns, conn);
        g_object_weak_ref(G_OBJECT(conn), connection_gone, l);
    }
    g_object_unref(conn);
    g_object_unref(socket);
}

static gboolean hand_over(gpointer data)
{
    BridgeHttpListener *l = data;
    g_mutex_lock(&l->lock);
    GQueue q = l->handover;
    g_queue_init(&l->handover);
    g_clear_pointer(&l->idle, g_source_unref);
    g_mutex_unlock(&l->lock);
    for (GList *i = q.head; i; i = i->next)
        give_to_soup(l, GPOINTER_TO_INT(i->data));
    g_list_free(q.head);
    return G_SOURCE_REMOVE;
}

static int listen_on(GSocketAddress *address, GError **error)
{
    GSocket *socket = g_socket_new(g_socket_address_get_family(address), G_SOCKET_TYPE_STREAM,
                                   G_SOCKET_PROTOCOL_TCP, error);
    if (!socket)
        return -1;
    g_socket_set_listen_backlog(socket, BACKLOG); /* the kernel caps it at net.core.somaxconn */
    if (!g_socket_bind(socket, address, TRUE, error) || !g_socket_listen(socket, error)) {
        g_object_unref(socket);
        return -1;
    }
    int fd = dup(g_socket_get_fd(socket));
    g_object_unref(socket);
    if (fd < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "%s", g_strerror(errno));
        return -1;
    }
    fcntl(fd, F_SETFD, FD_CLOEXEC);
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    return fd;
}

static void conn_free(gpointer data)
{
    Conn *c = data;
    close(c->fd);
    g_free(c);
}

BridgeHttpListener *bridge_http_listener_new(SoupServer *server, GSocketAddress *address,
                                             guint max_connections, BridgeHttpFastAnswer fast,
                                             gpointer fast_data, GError **error)
{
    int fd = listen_on(address, error);
    if (fd < 0)
        return NULL;
    BridgeHttpListener *l = g_new0(BridgeHttpListener, 1);
    l->server = g_object_ref(server);
    l->context = g_main_context_ref_thread_default();
    l->listen_fd = fd;
    l->max_connections = max_connections ? max_connections : 1;
    l->fast = fast;
    l->fast_data = fast_data;
    l->conns = g_hash_table_new_full(NULL, NULL, conn_free, NULL);
    l->soup_conns = g_hash_table_new(NULL, NULL);
    l->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    g_mutex_init(&l->lock);
    g_queue_init(&l->handover);
    l->epoll_fd = epoll_create1(EPOLL_CLOEXEC);
    l->wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    struct epoll_event lev = {.events = EPOLLIN, .data.ptr = NULL};
    epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, fd, &lev);
    struct epoll_event wev = {.events = EPOLLIN, .data.ptr = l};
    epoll_ctl(l->epoll_fd, EPOLL_CTL_ADD, l->wake_fd, &wev);
    l->thread = g_thread_new("http-accept", accept_thread, l);
    return l;
}

void bridge_http_listener_free(BridgeHttpListener *l)
{
    if (!l)
        return;
    g_atomic_int_set(&l->stopping, 1);
    guint64 one = 1;
    if (write(l->wake_fd, &one, sizeof one) < 0)
        g_warning("HTTP: cannot wake the accept thread: %s", g_strerror(errno));
    g_thread_join(l->thread);
    g_hash_table_destroy(l->conns);
    close(l->epoll_fd);
    close(l->wake_fd);
    close(l->listen_fd);
    if (l->spare_fd >= 0)
        close(l->spare_fd);
    /* Queued for libsoup but never handed over. */
    g_mutex_lock(&l->lock);
    if (l->idle) {
        g_source_destroy(l->idle);
        g_clear_pointer(&l->idle, g_source_unref);
    }
    for (GList *i = l->handover.head; i; i = i->next)
        close(GPOINTER_TO_INT(i->data));
    g_queue_clear(&l->handover);
    g_mutex_unlock(&l->lock);
    /* Connections libsoup still holds must not report to a freed listener. */
    GHashTableIter it;
    gpointer conn;
    g_hash_table_iter_init(&it, l->soup_conns);
    while (g_hash_table_iter_next(&it, &conn, NULL))
        g_object_weak_unref(conn, connection_gone, l);
    g_hash_table_destroy(l->soup_conns);
    g_mutex_clear(&l->lock);
    g_object_unref(l->server);
    g_main_context_unref(l->context);
    g_free(l);
}

guint bridge_http_listener_port(BridgeHttpListener *l)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    if (getsockname(l->listen_fd, (struct sockaddr *)&ss, &len) != 0)
        return 0;
    g_autoptr(GSocketAddress) a = g_socket_address_new_from_native(&ss, len);
    return a && G_IS_INET_SOCKET_ADDRESS(a)
               ? g_inet_socket_address_get_port(G_INET_SOCKET_ADDRESS(a))
               : 0;
}

void bridge_http_listener_get_stats(BridgeHttpListener *l, BridgeHttpListenerStats *out)
{
    out->accepted = __atomic_load_n(&l->accepted, __ATOMIC_RELAXED);
    out->refused = __atomic_load_n(&l->refused, __ATOMIC_RELAXED);
    out->failed = __atomic_load_n(&l->failed, __ATOMIC_RELAXED);
    out->fast = __atomic_load_n(&l->fast_count, __ATOMIC_RELAXED);
    out->live = (guint)MAX(0, g_atomic_int_get(&l->live) + g_atomic_int_get(&l->in_thread));
    out->max_live = (guint)g_atomic_int_get(&l->max_live);
}
