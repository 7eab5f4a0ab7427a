/* SPDX-License-Identifier: MIT */
/* The load generator (see load.h). */
#include "load.h"

#include <linux/net_tstamp.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "bridge/srtp/srtp.h"
#include "common/rtp/demux.h"

#define RX_BATCH 64
#define PEER_RCVBUF (8 * 1024 * 1024)

void load_init(Load *l, guint n, guint video_kbps)
{
    memset(l, 0, sizeof *l);
    g_assert(n >= 2 && n <= LOAD_MAX_PARTICIPANTS);
    l->n = n;
    l->video_kbps = video_kbps;
    l->parts = g_new0(LoadPart, n);
    for (guint i = 0; i < n; i++) {
        g_snprintf(l->parts[i].id, sizeof l->parts[i].id, "p%02u", i);
        l->parts[i].from = g_malloc0(n * sizeof *l->parts[i].from);
        l->parts[i].want_enc = g_malloc(n);
        memset(l->parts[i].want_enc, -1, n);
    }
    l->hist[BENCH_KIND_AUDIO] = g_new0(BenchHist, 1);
    l->hist[BENCH_KIND_VIDEO] = g_new0(BenchHist, 1);
    atomic_store(&l->measure_from_ns, G_MAXINT64);
    atomic_store(&l->measure_to_ns, G_MAXINT64);
}

void load_clear(Load *l)
{
    for (guint i = 0; i < l->n; i++) {
        g_free(l->parts[i].from);
        g_free(l->parts[i].want_enc);
    }
    g_free(l->parts);
    g_free(l->hist[0]);
    g_free(l->hist[1]);
    memset(l, 0, sizeof *l);
}

/* ---- load-send ---- */

static gpointer send_main(gpointer data)
{
    Load *l = data;
    gint64 start_us = g_get_monotonic_time() + 2000;
    for (guint i = 0; i < l->n; i++)
        bench_source_init(&l->parts[i].src, (guint16)i, l->video_kbps, start_us);
    BenchPkt due[BENCH_MAX_FRAME_PKTS + 1];
    guint8 buf[BENCH_PKT_CAP];
    while (!atomic_load(&l->stop_send)) {
        gint64 next = G_MAXINT64;
        for (guint i = 0; i < l->n; i++)
            next = MIN(next, bench_source_next_due(&l->parts[i].src));
        struct timespec ts = {.tv_sec = next / G_USEC_PER_SEC,
                              .tv_nsec = (next % G_USEC_PER_SEC) * 1000};
        clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
        gint64 now = g_get_monotonic_time();
        if (now - next > 5000)
            l->send_late++;
        for (guint i = 0; i < l->n; i++) {
            LoadPart *p = &l->parts[i];
            while (bench_source_next_due(&p->src) <= now) {
                guint k = bench_source_take_due(&p->src, now, due, G_N_ELEMENTS(due));
                for (guint j = 0; j < k; j++) {
                    gsize len = bench_build_rtp(buf, sizeof buf, &due[j], (guint16)i,
                                                (guint64)bench_clock_ns(CLOCK_REALTIME));
                    if (!len ||
                        bridge_srtp_protect(p->tx.tx, buf, &len, sizeof buf) != BRIDGE_SRTP_OK) {
                        p->send_errors++;
                        continue;
                    }
                    if (sendto(p->tx.fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&p->tx.peer,
                               p->tx.peer_len) == (ssize_t)len) {
                        p->sent[due[j].kind]++;
                        if (due[j].kind == BENCH_KIND_VIDEO)
                            p->sent_enc[due[j].enc]++;
                    } else
                        p->send_errors++;
                }
            }
        }
    }
    l->send_cpu_ns = bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
    return NULL;
}

/* ---- load-recv ---- */

/* A datagram on participant @p's wire (@rx: its receiving wire, else its sending one). */
static void receive_one(Load *l, LoadPart *p, gboolean rx, guint8 *buf, gsize len, gint64 rx_ns,
                        const struct sockaddr_storage *from, socklen_t from_len)
{
    switch (pa_demux_classify(buf, len)) {
    case PA_DEMUX_STUN:
        if (sim_peer_answer_stun(rx ? p->rx_peer : p->tx_peer, buf, len, from, from_len))
            p->rx_stun++;
        return;
    case PA_DEMUX_RTCP:
        p->rx_rtcp++; /* receiver reports, forwarded SRs, feedback: not measured */
        return;
    case PA_DEMUX_RTP:
        break;
    default:
        p->rx_foreign++;
        return;
    }
    if (!rx) {
        p->rx_foreign++; /* RTP on a send-only leg */
        return;
    }
    gsize l2 = len;
    if (bridge_srtp_unprotect(p->rx.rx, buf, &l2) != BRIDGE_SRTP_OK) {
        p->rx_bad++;
        return;
    }
    BenchStamp st;
    if (!bench_read_stamp(buf, l2, &st) || st.sender >= l->n) {
        p->rx_foreign++;
        return;
    }
    p->rx_rtp++;
    p->rx_bytes += len;
    gint8 want = p->want_enc[st.sender];
    if (st.kind == BENCH_KIND_VIDEO && want >= 0 && st.enc != want)
        p->rx_wrong_enc++;
    else
        p->from[st.sender][st.kind]++;
    atomic_store_explicit(&l->received,
                          atomic_load_explicit(&l->received, memory_order_relaxed) + 1,
                          memory_order_relaxed); /* single writer */
    gint64 from_ns = atomic_load_explicit(&l->measure_from_ns, memory_order_relaxed);
    gint64 to_ns = atomic_load_explicit(&l->measure_to_ns, memory_order_relaxed);
    if ((gint64)st.send_ns >= from_ns && (gint64)st.send_ns < to_ns && rx_ns > 0)
        bench_hist_add(l->hist[st.kind], (rx_ns - (gint64)st.send_ns) / 1000);
}

typedef struct {
    guint8 (*bufs)[BENCH_PKT_CAP];
    char (*ctl)[CMSG_SPACE(sizeof(struct timespec))];
    struct sockaddr_storage *addrs;
    struct iovec iov[RX_BATCH];
    struct mmsghdr msgs[RX_BATCH];
} RxBatch;

static void drain_fd(Load *l, RxBatch *b, LoadPart *p, gboolean rx, int fd)
{
    int got;
    do {
        for (guint i = 0; i < RX_BATCH; i++) {
            b->iov[i] = (struct iovec){b->bufs[i], BENCH_PKT_CAP};
            b->msgs[i].msg_hdr = (struct msghdr){
                .msg_name = &b->addrs[i],
                .msg_namelen = sizeof b->addrs[i],
                .msg_iov = &b->iov[i],
                .msg_iovlen = 1,
                .msg_control = b->ctl[i],
                .msg_controllen = sizeof b->ctl[i],
            };
        }
        got = recvmmsg(fd, b->msgs, RX_BATCH, MSG_DONTWAIT, NULL);
        for (int i = 0; i < got; i++) {
            gint64 rx_ns = 0;
            for (struct cmsghdr *c = CMSG_FIRSTHDR(&b->msgs[i].msg_hdr); c;
                 c = CMSG_NXTHDR(&b->msgs[i].msg_hdr, c))
                if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                    struct timespec ts;
                    memcpy(&ts, CMSG_DATA(c), sizeof ts);
                    rx_ns = (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
                }
            receive_one(l, p, rx, b->bufs[i], b->msgs[i].msg_len, rx_ns, &b->addrs[i],
                        b->msgs[i].msg_hdr.msg_namelen);
        }
    } while (got == RX_BATCH);
}

static gpointer recv_main(gpointer data)
{
    Load *l = data;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (guint i = 0; i < l->n; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = 2 * i + 1};
        epoll_ctl(ep, EPOLL_CTL_ADD, l->parts[i].rx.fd, &ev);
        if (l->parts[i].tx.fd != l->parts[i].rx.fd) {
            ev.data.u32 = 2 * i;
            epoll_ctl(ep, EPOLL_CTL_ADD, l->parts[i].tx.fd, &ev);
        }
    }
    RxBatch b;
    b.bufs = g_malloc(RX_BATCH * BENCH_PKT_CAP);
    b.ctl = g_malloc(RX_BATCH * sizeof *b.ctl);
    b.addrs = g_new(struct sockaddr_storage, RX_BATCH);
    while (!atomic_load(&l->stop_recv)) {
        struct epoll_event evs[64];
        int ne = epoll_wait(ep, evs, G_N_ELEMENTS(evs), 50);
        for (int e = 0; e < ne; e++) {
            LoadPart *p = &l->parts[evs[e].data.u32 / 2];
            gboolean rx = evs[e].data.u32 & 1;
            drain_fd(l, &b, p, rx, rx ? p->rx.fd : p->tx.fd);
        }
    }
    g_free(b.bufs);
    g_free(b.ctl);
    g_free(b.addrs);
    close(ep);
    l->recv_cpu_ns = bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
    return NULL;
}

/* ---- control ---- */

void load_start(Load *l)
{
    for (guint i = 0; i < l->n; i++) {
        int on = 1;
        bench_socket_rcvbuf(l->parts[i].rx.fd, PEER_RCVBUF);
        setsockopt(l->parts[i].rx.fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    }
    l->rx_thread = g_thread_new("load-recv", recv_main, l);
    l->tx_thread = g_thread_new("load-send", send_main, l);
}

void load_window(Load *l, gint64 from_ns, gint64 to_ns)
{
    atomic_store(&l->measure_to_ns, to_ns);
    atomic_store(&l->measure_from_ns, from_ns);
}

guint64 load_received(Load *l)
{
    return atomic_load(&l->received);
}

void load_stop(Load *l, void (*pump)(gpointer data, double seconds), gpointer data)
{
    atomic_store(&l->stop_send, TRUE);
    g_thread_join(l->tx_thread);
    for (int i = 0; i < 33; i++) {
        guint64 before = load_received(l);
        if (pump)
            pump(data, 0.3);
        else
            g_usleep(300000);
        if (load_received(l) == before)
            break;
    }
    atomic_store(&l->stop_recv, TRUE);
    g_thread_join(l->rx_thread);
}

void load_loss(Load *l, LoadLoss *out)
{
    memset(out, 0, sizeof *out);
    out->per_receiver = g_string_new(NULL);
    double sum = 0;
    guint receivers = 0;
    for (guint r = 0; r < l->n; r++) {
        LoadPart *p = &l->parts[r];
        guint64 want = 0, got = 0;
        for (guint s = 0; s < l->n; s++) {
            if (s == r || l->parts[s].conference != p->conference)
                continue;
            for (int k = 0; k < BENCH_N_KINDS; k++) {
                guint64 sent = l->parts[s].sent[k];
                gint8 we = p->want_enc[s];
                if (k == BENCH_KIND_VIDEO && we == -2)
                    sent = 0;
                else if (k == BENCH_KIND_VIDEO && we >= 0)
                    sent = l->parts[s].sent_enc[we];
                want += sent;
                got += MIN(p->from[s][k], sent);
            }
        }
        double loss = want ? 100.0 * (double)(want - got) / (double)want : 0;
        out->loss_max_pct = MAX(out->loss_max_pct, loss);
        sum += loss;
        receivers++;
        g_string_append_printf(out->per_receiver, " %s %.3f%%", p->id, loss);
        out->bad += p->rx_bad;
        out->stun += p->rx_stun;
        out->foreign += p->rx_foreign;
        out->send_errors += p->send_errors;
        out->received += p->rx_rtp;
        out->rx_bytes += p->rx_bytes;
        out->wrong_enc += p->rx_wrong_enc;
        for (int k = 0; k < BENCH_N_KINDS; k++)
            out->sent += p->sent[k];
    }
    out->loss_mean_pct = receivers ? sum / receivers : 0;
}

void load_print_hist(const char *what, const BenchHist *h)
{
    if (!h->count) {
        printf("  %-6s no samples\n", what);
        return;
    }
    printf("  %-6s n=%-9" G_GUINT64_FORMAT " mean %7.1f  p50 %6.0f  p90 %6.0f  p99 %6.0f  "
           "p99.9 %6.0f  max %7" G_GINT64_FORMAT " us\n",
           what, h->count, (double)h->sum_us / h->count, bench_hist_quantile(h, 0.5),
           bench_hist_quantile(h, 0.9), bench_hist_quantile(h, 0.99), bench_hist_quantile(h, 0.999),
           h->max_us);
}
