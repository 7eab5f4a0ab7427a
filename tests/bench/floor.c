/* SPDX-License-Identifier: MIT */
/* The forwarding floor (floor.h). The forwarding loop runs on the caller's thread and owns
 * the SRTP legs and send buffers; the drain thread owns the receiver sockets' reads; the feed
 * thread (socket input only) owns the sending participant's leg. They share only the stop
 * flag and the feed/consume counters (atomics). */
#include "floor.h"

#include <errno.h>
#include <gio/gio.h>
#include <poll.h>
#include <stdatomic.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bench-util.h"

#define POOL 2048
#define MAX_RECEIVERS 256
#define RX_BATCH 64
#define SOCK_BUF (8 * 1024 * 1024)
#define FEED_MAX_IN_FLIGHT 512
#define FEED_BATCH (16 + BENCH_MAX_FRAME_PKTS + 1)

typedef struct {
    atomic_bool stop;
    /* drain */
    int *rx_fds;
    guint n_rx;
    /* feed (socket input) */
    int feed_fd;
    struct sockaddr_storage in_addr;
    socklen_t in_len;
    BridgeSrtpKeys *sender_keys; /* [senders] */
    guint senders;
    guint video_kbps;
    gboolean paced;
    atomic_ullong fed, consumed;
} Shared;

static void random_keys(BridgeSrtpProfile profile, BridgeSrtpKeys *k)
{
    memset(k, 0, sizeof *k);
    k->profile = profile;
    k->key_salt_len = profile == BRIDGE_SRTP_AEAD_AES_128_GCM ? 28 : 30;
    for (gsize i = 0; i < k->key_salt_len; i++) {
        k->local[i] = (guint8)g_random_int();
        k->remote[i] = (guint8)g_random_int();
    }
}

const char *bench_floor_variant_name(const BenchFloorConfig *c)
{
    if (c->input_from_socket && c->paced)
        return c->socket_per_receiver ? "paced+sock/rx" : "paced+1sock";
    if (c->input_from_socket)
        return c->socket_per_receiver ? "recv+sock/rx" : "recv+1sock";
    return c->socket_per_receiver ? "mem+sock/rx" : "mem+1sock";
}

/* The next packets of @n participants in time order: the due packets of the one whose
 * next packet is earliest (an audio packet or a whole video frame). */
static guint take_next(BenchSource *src, guint n, BenchPkt *due, guint max, guint *sender)
{
    guint best = 0;
    for (guint i = 1; i < n; i++)
        if (bench_source_next_due(&src[i]) < bench_source_next_due(&src[best]))
            best = i;
    *sender = best;
    return bench_source_take_due(&src[best], bench_source_next_due(&src[best]), due, max);
}

/* Participant index of one of our packets' SSRC (bench_source_init's numbering). The floor
 * knows its sender from the SSRC; a bridge knows it from the socket or address. */
static inline guint sender_of(const guint8 *pkt)
{
    return ((guint32)(pkt[8] << 24 | pkt[9] << 16 | pkt[10] << 8 | pkt[11]) - 0x10000000u) / 16u;
}

/* ---- helper threads ---- */

static gpointer drain_main(gpointer data)
{
    Shared *s = data;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (guint i = 0; i < s->n_rx; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, s->rx_fds[i], &ev);
    }
    guint8(*bufs)[BENCH_PKT_CAP] = g_malloc(RX_BATCH * BENCH_PKT_CAP);
    struct iovec iov[RX_BATCH];
    struct mmsghdr msgs[RX_BATCH];
    while (!atomic_load(&s->stop)) {
        struct epoll_event evs[32];
        int n = epoll_wait(ep, evs, 32, 50);
        for (int e = 0; e < n; e++) {
            int fd = s->rx_fds[evs[e].data.u32];
            for (;;) {
                for (guint i = 0; i < RX_BATCH; i++) {
                    iov[i] = (struct iovec){bufs[i], BENCH_PKT_CAP};
                    memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
                    msgs[i].msg_hdr.msg_iov = &iov[i];
                    msgs[i].msg_hdr.msg_iovlen = 1;
                }
                if (recvmmsg(fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL) < RX_BATCH)
                    break;
            }
        }
    }
    g_free(bufs);
    close(ep);
    return NULL;
}

/* Paced feeding: each due packet protected and sent on its own at its instant (bench-util's
 * schedule), as bridge-load's participants send. */
static void feed_paced(Shared *s, BridgeSrtp **legs, BenchSource *src)
{
    gint64 start = g_get_monotonic_time() + 1000;
    for (guint i = 0; i < s->senders; i++)
        bench_source_init(&src[i], (guint16)i, s->video_kbps, start);
    BenchPkt due[BENCH_MAX_FRAME_PKTS + 1];
    guint8 buf[BENCH_PKT_CAP];
    while (!atomic_load(&s->stop)) {
        gint64 next = G_MAXINT64;
        for (guint i = 0; i < s->senders; i++)
            next = MIN(next, bench_source_next_due(&src[i]));
        struct timespec ts = {.tv_sec = next / G_USEC_PER_SEC,
                              .tv_nsec = (next % G_USEC_PER_SEC) * 1000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        gint64 now = g_get_monotonic_time();
        for (guint i = 0; i < s->senders; i++) {
            while (bench_source_next_due(&src[i]) <= now) {
                guint k = bench_source_take_due(&src[i], now, due, G_N_ELEMENTS(due));
                for (guint j = 0; j < k; j++) {
                    gsize len = bench_build_rtp(buf, sizeof buf, &due[j], (guint16)i,
                                                (guint64)bench_clock_ns(CLOCK_REALTIME));
                    if (bridge_srtp_protect(legs[i], buf, &len, sizeof buf) == BRIDGE_SRTP_OK &&
                        sendto(s->feed_fd, buf, len, MSG_DONTWAIT,
                               (const struct sockaddr *)&s->in_addr, s->in_len) == (ssize_t)len)
                        atomic_fetch_add(&s->fed, 1);
                }
            }
        }
    }
}

static gpointer feed_main(gpointer data)
{
    Shared *s = data;
    BridgeSrtp **legs = g_new0(BridgeSrtp *, s->senders);
    BenchSource *src = g_new0(BenchSource, s->senders);
    for (guint i = 0; i < s->senders; i++) {
        legs[i] = bridge_srtp_new(&s->sender_keys[i], NULL);
        g_assert(legs[i]);
        bench_source_init(&src[i], (guint16)i, s->video_kbps, 0);
    }
    if (s->paced) {
        feed_paced(s, legs, src);
        for (guint i = 0; i < s->senders; i++)
            bridge_srtp_free(legs[i]);
        g_free(legs);
        g_free(src);
        return NULL;
    }
    BenchPkt due[BENCH_MAX_FRAME_PKTS + 1];
    guint8(*bufs)[BENCH_PKT_CAP] = g_malloc(FEED_BATCH * BENCH_PKT_CAP);
    struct iovec *iov = g_new(struct iovec, FEED_BATCH);
    struct mmsghdr *msgs = g_new0(struct mmsghdr, FEED_BATCH);
    while (!atomic_load(&s->stop)) {
        if (atomic_load(&s->fed) - atomic_load(&s->consumed) > FEED_MAX_IN_FLIGHT) {
            g_usleep(100);
            continue;
        }
        /* At least 16 packets, whole frames only (the mix stays the mix). */
        guint n = 0;
        while (n < 16) {
            guint who;
            guint k = take_next(src, s->senders, due, G_N_ELEMENTS(due), &who);
            for (guint i = 0; i < k; i++) {
                gsize len = bench_build_rtp(bufs[n], BENCH_PKT_CAP, &due[i], (guint16)who,
                                            (guint64)bench_clock_ns(CLOCK_REALTIME));
                if (bridge_srtp_protect(legs[who], bufs[n], &len, BENCH_PKT_CAP) != BRIDGE_SRTP_OK)
                    continue;
                iov[n] = (struct iovec){bufs[n], len};
                memset(&msgs[n].msg_hdr, 0, sizeof msgs[n].msg_hdr);
                msgs[n].msg_hdr.msg_iov = &iov[n];
                msgs[n].msg_hdr.msg_iovlen = 1;
                msgs[n].msg_hdr.msg_name = &s->in_addr;
                msgs[n].msg_hdr.msg_namelen = s->in_len;
                n++;
            }
        }
        guint done = 0;
        while (done < n) {
            int r = sendmmsg(s->feed_fd, msgs + done, n - done, 0);
            if (r <= 0)
                break;
            done += (guint)r;
        }
        atomic_fetch_add(&s->fed, n);
    }
    g_free(bufs);
    g_free(iov);
    g_free(msgs);
    for (guint i = 0; i < s->senders; i++)
        bridge_srtp_free(legs[i]);
    g_free(legs);
    g_free(src);
    return NULL;
}

/* ---- the forwarding loop ---- */

typedef struct {
    const BenchFloorConfig *c;
    BridgeSrtp **ingress;    /* [senders] */
    BridgeSrtpKeys *in_keys; /* [senders] */
    BridgeSrtp *egress[MAX_RECEIVERS];
    BridgeSrtpKeys out_keys[MAX_RECEIVERS];
    int one_fd;
    int send_fds[MAX_RECEIVERS];
    struct sockaddr_storage to[MAX_RECEIVERS];
    socklen_t to_len[MAX_RECEIVERS];
    guint8 (*tx)[BENCH_PKT_CAP];
    struct iovec iov[MAX_RECEIVERS];
    struct mmsghdr msgs[MAX_RECEIVERS];
    guint8 rx[BENCH_PKT_CAP];
    guint n_senders;
    BenchFloorResult *res;
} Floor;

static void new_legs(Floor *f)
{
    for (guint i = 0; i < f->n_senders; i++) {
        bridge_srtp_free(f->ingress[i]);
        f->ingress[i] = bridge_srtp_new(&f->in_keys[i], NULL);
    }
    for (guint r = 0; r < f->c->receivers; r++) {
        bridge_srtp_free(f->egress[r]);
        f->egress[r] = bridge_srtp_new(&f->out_keys[r], NULL);
    }
}

/* One incoming protected packet: unprotect once, then copy + protect + send per receiver. */
static inline void forward_one(Floor *f, const guint8 *pkt, gsize len)
{
    guint who = sender_of(pkt);
    if (len < 12 || who >= f->n_senders)
        return;
    memcpy(f->rx, pkt, len);
    gsize l = len;
    if (bridge_srtp_unprotect(f->ingress[who], f->rx, &l) != BRIDGE_SRTP_OK)
        return;
    f->res->inputs++;
    guint R = f->c->receivers;
    for (guint r = 0; r < R; r++) {
        memcpy(f->tx[r], f->rx, l);
        gsize ll = l;
        if (bridge_srtp_protect(f->egress[r], f->tx[r], &ll, BENCH_PKT_CAP) != BRIDGE_SRTP_OK)
            ll = 0;
        f->iov[r].iov_len = ll;
    }
    if (!f->c->socket_per_receiver) {
        guint done = 0;
        while (done < R) {
            int n = sendmmsg(f->one_fd, f->msgs + done, R - done, MSG_DONTWAIT);
            if (n < 0) {
                f->res->send_errors++;
                done++;
                continue;
            }
            done += (guint)n;
            f->res->forwarded += (guint)n;
        }
    } else {
        for (guint r = 0; r < R; r++) {
            if (sendmmsg(f->send_fds[r], &f->msgs[r], 1, MSG_DONTWAIT) == 1)
                f->res->forwarded++;
            else
                f->res->send_errors++;
        }
    }
}

gboolean bench_floor_run(const BenchFloorConfig *c, BenchFloorResult *out, GError **error)
{
    memset(out, 0, sizeof *out);
    if (c->receivers < 1 || c->receivers > MAX_RECEIVERS) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "receivers must be 1..%d",
                    MAX_RECEIVERS);
        return FALSE;
    }
    bridge_srtp_global_init();
    guint R = c->receivers;
    Floor *f = g_new0(Floor, 1);
    Shared *s = g_new0(Shared, 1);
    f->c = c;
    f->res = out;
    f->one_fd = -1;
    f->tx = g_malloc(R * BENCH_PKT_CAP);
    s->rx_fds = g_new(int, R);
    s->n_rx = R;
    s->feed_fd = -1;
    s->video_kbps = c->video_kbps;
    s->paced = c->paced && c->input_from_socket;
    int in_fd = -1;
    gboolean ok = FALSE;

    /* Keys: participant i protects with sender_keys[i].local, the floor's ingress leg for it
     * reads with that as its remote key; each receiver leg has its own key. */
    f->n_senders = MAX(c->senders, 1);
    s->senders = f->n_senders;
    s->sender_keys = g_new0(BridgeSrtpKeys, f->n_senders);
    f->in_keys = g_new0(BridgeSrtpKeys, f->n_senders);
    f->ingress = g_new0(BridgeSrtp *, f->n_senders);
    for (guint i = 0; i < f->n_senders; i++) {
        random_keys(c->profile, &s->sender_keys[i]);
        random_keys(c->profile, &f->in_keys[i]);
        memcpy(f->in_keys[i].remote, s->sender_keys[i].local, sizeof f->in_keys[i].remote);
    }
    for (guint r = 0; r < R; r++)
        random_keys(c->profile, &f->out_keys[r]);

    for (guint r = 0; r < R; r++)
        s->rx_fds[r] = f->send_fds[r] = -1;
    for (guint r = 0; r < R; r++) {
        s->rx_fds[r] = bench_udp_socket(SOCK_BUF, &f->to[r], &f->to_len[r]);
        if (s->rx_fds[r] < 0)
            goto out;
    }
    if (c->socket_per_receiver) {
        for (guint r = 0; r < R; r++)
            if ((f->send_fds[r] = bench_udp_socket(SOCK_BUF, NULL, NULL)) < 0)
                goto out;
    } else if ((f->one_fd = bench_udp_socket(SOCK_BUF, NULL, NULL)) < 0) {
        goto out;
    }
    for (guint r = 0; r < R; r++) {
        f->iov[r].iov_base = f->tx[r];
        f->msgs[r].msg_hdr.msg_iov = &f->iov[r];
        f->msgs[r].msg_hdr.msg_iovlen = 1;
        f->msgs[r].msg_hdr.msg_name = &f->to[r];
        f->msgs[r].msg_hdr.msg_namelen = f->to_len[r];
    }
    if (c->input_from_socket) {
        in_fd = bench_udp_socket(SOCK_BUF, &s->in_addr, &s->in_len);
        s->feed_fd = bench_udp_socket(SOCK_BUF, NULL, NULL);
        if (in_fd < 0 || s->feed_fd < 0)
            goto out;
    }
    ok = TRUE;

    GThread *drain = g_thread_new("floor-drain", drain_main, s);
    GThread *feed = NULL;
    new_legs(f);
    gint64 start = bench_clock_ns(CLOCK_MONOTONIC);
    gint64 end = start + (gint64)(c->seconds * 1e9);
    if (!c->input_from_socket) {
        /* A pool of protected packets from one participant. Every pass re-reads it with fresh
         * SRTP legs (outside the timed part), so nothing is a replay. */
        BridgeSrtp **senders = g_new0(BridgeSrtp *, f->n_senders);
        BenchSource *src = g_new0(BenchSource, f->n_senders);
        for (guint i = 0; i < f->n_senders; i++) {
            senders[i] = bridge_srtp_new(&s->sender_keys[i], NULL);
            bench_source_init(&src[i], (guint16)i, c->video_kbps, 0);
        }
        guint8(*pool)[BENCH_PKT_CAP] = g_malloc((gsize)POOL * BENCH_PKT_CAP);
        gsize *pool_len = g_new(gsize, POOL);
        BenchPkt due[BENCH_MAX_FRAME_PKTS + 1];
        guint n = 0;
        while (n < POOL) {
            guint who;
            guint k = take_next(src, f->n_senders, due, G_N_ELEMENTS(due), &who);
            for (guint i = 0; i < k && n < POOL; i++) {
                gsize len = bench_build_rtp(pool[n], BENCH_PKT_CAP, &due[i], (guint16)who, 0);
                if (bridge_srtp_protect(senders[who], pool[n], &len, BENCH_PKT_CAP) ==
                    BRIDGE_SRTP_OK)
                    pool_len[n++] = len;
            }
        }
        for (guint i = 0; i < f->n_senders; i++)
            bridge_srtp_free(senders[i]);
        g_free(senders);
        g_free(src);
        while (bench_clock_ns(CLOCK_MONOTONIC) < end) {
            gint64 c0 = bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
            for (guint i = 0; i < POOL; i++)
                forward_one(f, pool[i], pool_len[i]);
            out->cpu_ns += (guint64)(bench_clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0);
            new_legs(f);
        }
        g_free(pool);
        g_free(pool_len);
    } else {
        feed = g_thread_new("floor-feed", feed_main, s);
        guint8(*bufs)[BENCH_PKT_CAP] = g_malloc(RX_BATCH * BENCH_PKT_CAP);
        struct iovec iov[RX_BATCH];
        struct mmsghdr msgs[RX_BATCH];
        gint64 c0 = bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
        while (bench_clock_ns(CLOCK_MONOTONIC) < end) {
            struct pollfd pfd = {.fd = in_fd, .events = POLLIN};
            if (poll(&pfd, 1, 20) <= 0)
                continue;
            for (guint i = 0; i < RX_BATCH; i++) {
                iov[i] = (struct iovec){bufs[i], BENCH_PKT_CAP};
                memset(&msgs[i].msg_hdr, 0, sizeof msgs[i].msg_hdr);
                msgs[i].msg_hdr.msg_iov = &iov[i];
                msgs[i].msg_hdr.msg_iovlen = 1;
            }
            int n = recvmmsg(in_fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
            for (int i = 0; i < n; i++)
                forward_one(f, bufs[i], msgs[i].msg_len);
            if (n > 0)
                atomic_fetch_add(&s->consumed, (unsigned long long)n);
        }
        out->cpu_ns = (guint64)(bench_clock_ns(CLOCK_THREAD_CPUTIME_ID) - c0);
        g_free(bufs);
    }
    out->wall_s = (bench_clock_ns(CLOCK_MONOTONIC) - start) / 1e9;
    atomic_store(&s->stop, TRUE);
    if (feed)
        g_thread_join(feed);
    g_thread_join(drain);
    out->us_per_forwarded = out->forwarded ? out->cpu_ns / 1000.0 / out->forwarded : 0;
    out->us_per_input = out->inputs ? out->cpu_ns / 1000.0 / out->inputs : 0;

out:
    if (!ok)
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "floor sockets: %s",
                    g_strerror(errno));
    for (guint i = 0; i < f->n_senders && f->ingress; i++)
        bridge_srtp_free(f->ingress[i]);
    g_free(f->ingress);
    if (s->sender_keys)
        memset(s->sender_keys, 0, f->n_senders * sizeof *s->sender_keys);
    g_free(s->sender_keys);
    g_free(f->in_keys);
    for (guint r = 0; r < R; r++) {
        bridge_srtp_free(f->egress[r]);
        if (s->rx_fds[r] >= 0)
            close(s->rx_fds[r]);
        if (f->send_fds[r] >= 0)
            close(f->send_fds[r]);
    }
    if (f->one_fd >= 0)
        close(f->one_fd);
    if (in_fd >= 0)
        close(in_fd);
    if (s->feed_fd >= 0)
        close(s->feed_fd);
    g_free(s->rx_fds);
    g_free(f->tx);
    g_free(s);
    g_free(f);
    return ok;
}
