/* SPDX-License-Identifier: MIT */
/* The media port: for every local address, one UDP socket per worker, all bound to the same
 * port with SO_REUSEPORT, so the kernel spreads datagrams over the workers without a shared
 * reader (steer.c decides which worker gets which peer). Made at start on the control
 * thread; the workers read and send on their own sockets; closed after the workers stopped.
 *
 * SO_REUSEPORT lets any socket of the same user join the group, which would silently split
 * the port with another process: before binding, the port is probed without SO_REUSEPORT, so
 * a port someone else holds (another bridge, say) is refused at start instead. */
#include "bridge/media/media-priv.h"

#include <errno.h>
#include <netinet/in.h>
#include <string.h>
#include <unistd.h>

/* Receive and send buffers: a worker that is off the CPU for a few milliseconds must not lose
 * a burst. SO_RCVBUFFORCE goes past net.core.rmem_max when the process may (CAP_NET_ADMIN);
 * otherwise the kernel caps SO_RCVBUF at rmem_max (docs/bridge.md says how to raise it). */
static int size_buffers(int fd)
{
    int size = BRIDGE_SOCKET_BUFFER;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof size) < 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof size) < 0)
        setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof size);
    int got = 0;
    socklen_t gl = sizeof got;
    getsockopt(fd, SOL_SOCKET, SO_RCVBUF, &got, &gl);
    return got;
}

static int open_one(const BridgeAddr *a, gboolean reuse, GError **error)
{
    char txt[BRIDGE_ADDR_STRLEN];
    int fd = socket(a->family, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_UDP);
    if (fd < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "socket: %s",
                    g_strerror(errno));
        return -1;
    }
    int on = 1;
    if (a->family == AF_INET6)
        setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
    /* The kernel's receive time of each datagram (transport-cc feedback reports arrival times:
     * the worker's wake-up time would add its scheduling delay to every one of them). Without
     * it the worker's clock is used and the datagrams are counted as untimed. */
    setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    if (reuse && setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof on) < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "SO_REUSEPORT: %s",
                    g_strerror(errno));
        close(fd);
        return -1;
    }
    struct sockaddr_storage ss;
    socklen_t sl = bridge_addr_to_sockaddr(a, &ss);
    if (bind(fd, (struct sockaddr *)&ss, sl) < 0) {
        int e = errno;
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(e), "UDP %s: %s",
                    bridge_addr_to_string(a, txt),
                    e == EADDRINUSE ? "port in use (by another bridge?)" : g_strerror(e));
        close(fd);
        return -1;
    }
    return fd;
}

/* The port the kernel gave @fd. */
static guint16 bound_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof ss;
    BridgeAddr a;
    if (getsockname(fd, (struct sockaddr *)&ss, &sl) < 0 ||
        !bridge_addr_from_sockaddr(&a, (struct sockaddr *)&ss, sl))
        return 0;
    return a.port;
}

gboolean bridge_sockets_open(BridgeMedia *m, GError **error)
{
    guint n = m->n_addrs * m->n_workers;
    m->fds = g_new(int, n);
    for (guint i = 0; i < n; i++)
        m->fds[i] = -1;
    int rcvbuf = 0;
    for (guint a = 0; a < m->n_addrs; a++) {
        BridgeAddr *addr = &m->addrs[a];
        /* The probe: a plain bind fails if anyone holds the port (with or without
         * SO_REUSEPORT); with port 0 it picks the port the group then takes. */
        int probe = open_one(addr, FALSE, error);
        if (probe < 0)
            return FALSE;
        if (!addr->port)
            addr->port = bound_port(probe);
        close(probe);
        for (guint w = 0; w < m->n_workers; w++) {
            int fd = open_one(addr, TRUE, error);
            if (fd < 0)
                return FALSE;
            rcvbuf = size_buffers(fd);
            m->fds[a * m->n_workers + w] = fd;
        }
        /* Every address uses the port of the first one. */
        if (a == 0) {
            m->port = g_ntohs(addr->port);
            for (guint b = 1; b < m->n_addrs; b++)
                m->addrs[b].port = addr->port;
        }
    }
    if (rcvbuf < BRIDGE_SOCKET_BUFFER)
        g_message("media port: receive buffers of %d bytes per socket (net.core.rmem_max caps "
                  "what was asked for, %d; raise it for busy bridges)",
                  rcvbuf / 2, BRIDGE_SOCKET_BUFFER);
    return TRUE;
}

void bridge_sockets_close(BridgeMedia *m)
{
    if (!m->fds)
        return;
    for (guint i = 0; i < m->n_addrs * m->n_workers; i++)
        if (m->fds[i] >= 0)
            close(m->fds[i]);
    g_clear_pointer(&m->fds, g_free);
}
