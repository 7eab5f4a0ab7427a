/* SPDX-License-Identifier: MIT */
/* bridge-load: the bridge's media plane under a conference load, in one process. A BridgeMedia
 * with W workers and N simulated participants in one conference (tests/lib/c/sim-peer.h: libnice
 * ICE + OpenSSL DTLS + SRTP, the same pieces a browser uses); each sends synthetic audio and video
 * (bench-util.h) and receives everyone else's. Prints, over a measurement window after a
 * warm-up: RTP packets forwarded per second; the media worker threads' CPU time (schedstat of
 * the threads named media-*, so the load generator's own threads are left out) per forwarded
 * packet; loss per receiver; latency through the bridge (send time carried in the payload vs
 * the kernel's receive timestamp, p50/p90/p99/p99.9/max); resident size before, idle and
 * after; heap allocations on the media threads per forwarded packet; and then the forwarding
 * floor (floor.h) at the same fan-out, with the ratio bridge CPU/packet / floor CPU/packet.
 * A benchmark: it prints figures and asserts nothing about time.
 *
 *   bridge-load [-n PARTICIPANTS] [-w WORKERS] [-d SECONDS] [--video-kbps K] [--warmup S]
 *               [--pack P] [--floor-seconds S | --no-floor] [--alloc-breakdown]
 *
 * Opens loopback sockets: run it under tests/netns-run.sh.
 *
 * Threads: main (BridgeMedia's control context, and the participants' GMainContext until
 * they are connected), the bridge's media-* workers, load-send (owns every participant's
 * schedule and tx leg) and load-recv (owns every participant's rx leg, STUN answering and
 * receive counters). The main thread reads the load threads' results only after joining
 * them. */
#include <errno.h>
#include <linux/net_tstamp.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "tests/lib/c/alloc-count.h"
#include "tests/lib/c/proc-stats.h"
#include "tests/lib/c/sim-peer.h"
#include "bench-util.h"
#include "bridge/media/media.h"
#include "bridge/srtp/srtp.h"
#include "common/rtp/demux.h"
#include "floor.h"

#define MAX_PARTICIPANTS 64
#define RX_BATCH 64
#define PEER_RCVBUF (8 * 1024 * 1024)
#define CONF_ID "bench"
#define CONF_HANDLE 1 /* the benchmark plays the control registry: participant i is i + 1 */

typedef struct {
    char id[16];
    PaTransport local; /* the bridge's side */
    gboolean ready, bridge_connected;
    char *error;
    SimPeer *peer;
    SimPeerWire wire;
    /* load-send */
    BenchSource src;
    guint64 sent[BENCH_N_KINDS];
    guint64 send_errors;
    /* load-recv */
    guint64 rx_rtp, rx_rtcp, rx_stun, rx_bad, rx_foreign;
    guint64 from[MAX_PARTICIPANTS][BENCH_N_KINDS]; /* received per sender and kind */
} Participant;

typedef struct {
    guint n, workers, video_kbps, pack;
    double seconds, warmup;
    GMainContext *control, *peers_ctx;
    BridgeMedia *media;
    Participant *parts;
    guint failures;
    atomic_bool stop_send, stop_recv;
    atomic_llong measure_from_ns, measure_to_ns; /* CLOCK_REALTIME window for latency */
    atomic_ullong received;                      /* our RTP packets load-recv has read */
    /* load-recv */
    BenchHist *hist[BENCH_N_KINDS];
    gint64 recv_cpu_ns;
    /* load-send */
    gint64 send_cpu_ns;
    guint64 send_late; /* times the sender woke more than 5 ms after a packet was due */
} Load;

/* ---- control callbacks (main thread) ---- */

static Participant *part_by_handle(Load *l, BridgeHandle ep)
{
    return ep >= 1 && ep <= l->n ? &l->parts[ep - 1] : NULL;
}

static void on_event(BridgeHandle ep, BridgeMediaEvent ev, const char *reason, gpointer data)
{
    Load *l = data;
    Participant *p = part_by_handle(l, ep);
    if (!p)
        return;
    if (ev == BRIDGE_MEDIA_EVENT_CONNECTED) {
        p->bridge_connected = TRUE;
    } else {
        l->failures++;
        fprintf(stderr, "bridge-load: endpoint %s: %s (%s)\n", p->id,
                ev == BRIDGE_MEDIA_EVENT_FAILED ? "failed" : "timed out", reason ? reason : "");
    }
}

static void on_ready(BridgeHandle ep, const PaTransport *local, const GError *error, gpointer data)
{
    Participant *p = part_by_handle(data, ep);
    if (!p)
        return;
    if (local) {
        pa_transport_copy(&p->local, local);
        p->ready = TRUE;
    } else {
        p->error = g_strdup(error->message);
    }
}

typedef gboolean (*Cond)(Load *l);

static gboolean pump_until(Load *l, Cond cond, guint timeout_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    while (!cond(l) && g_get_monotonic_time() < end) {
        gboolean a = g_main_context_iteration(l->control, FALSE);
        gboolean b = l->peers_ctx && g_main_context_iteration(l->peers_ctx, FALSE);
        if (!a && !b)
            g_usleep(500);
    }
    return cond(l);
}

/* Runs the control context only (the participants' context stays idle after take-over). */
static void pump_control_for(Load *l, double seconds)
{
    gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    while (g_get_monotonic_time() < end) {
        while (g_main_context_iteration(l->control, FALSE))
            ;
        g_usleep(5000);
    }
}

static gboolean all_ready(Load *l)
{
    for (guint i = 0; i < l->n; i++)
        if (!l->parts[i].ready && !l->parts[i].error)
            return FALSE;
    return TRUE;
}

static gboolean all_gathered(Load *l)
{
    for (guint i = 0; i < l->n; i++)
        if (!sim_peer_gathered(l->parts[i].peer))
            return FALSE;
    return TRUE;
}

static gboolean all_connected(Load *l)
{
    for (guint i = 0; i < l->n; i++) {
        Participant *p = &l->parts[i];
        if (sim_peer_failed(p->peer))
            return TRUE; /* stop waiting; reported by the caller */
        if (!p->bridge_connected || !sim_peer_connected(p->peer))
            return FALSE;
    }
    return TRUE;
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
            Participant *p = &l->parts[i];
            while (bench_source_next_due(&p->src) <= now) {
                guint k = bench_source_take_due(&p->src, now, due, G_N_ELEMENTS(due));
                for (guint j = 0; j < k; j++) {
                    /* Stamped, protected and sent one by one, so the stamp is the send time
                     * of this datagram (within a microsecond or two), not of its frame. */
                    gsize len = bench_build_rtp(buf, sizeof buf, &due[j], (guint16)i,
                                                (guint64)bench_clock_ns(CLOCK_REALTIME));
                    if (!len ||
                        bridge_srtp_protect(p->wire.tx, buf, &len, sizeof buf) != BRIDGE_SRTP_OK) {
                        p->send_errors++;
                        continue;
                    }
                    if (sendto(p->wire.fd, buf, len, MSG_DONTWAIT, (struct sockaddr *)&p->wire.peer,
                               p->wire.peer_len) == (ssize_t)len)
                        p->sent[due[j].kind]++;
                    else
                        p->send_errors++;
                }
            }
        }
    }
    l->send_cpu_ns = bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
    return NULL;
}

/* ---- load-recv ---- */

static void receive_one(Load *l, Participant *p, guint8 *buf, gsize len, gint64 rx_ns,
                        const struct sockaddr_storage *from, socklen_t from_len)
{
    switch (pa_demux_classify(buf, len)) {
    case PA_DEMUX_STUN:
        if (sim_peer_answer_stun(p->peer, buf, len, from, from_len))
            p->rx_stun++;
        return;
    case PA_DEMUX_RTCP:
        p->rx_rtcp++; /* the bridge's receiver reports and forwarded SRs: not measured */
        return;
    case PA_DEMUX_RTP:
        break;
    default:
        p->rx_foreign++;
        return;
    }
    gsize l2 = len;
    if (bridge_srtp_unprotect(p->wire.rx, buf, &l2) != BRIDGE_SRTP_OK) {
        p->rx_bad++;
        return;
    }
    BenchStamp st;
    if (!bench_read_stamp(buf, l2, &st) || st.sender >= l->n) {
        p->rx_foreign++;
        return;
    }
    p->rx_rtp++;
    p->from[st.sender][st.kind]++;
    atomic_store_explicit(&l->received,
                          atomic_load_explicit(&l->received, memory_order_relaxed) + 1,
                          memory_order_relaxed); /* single writer */
    gint64 from_ns = atomic_load_explicit(&l->measure_from_ns, memory_order_relaxed);
    gint64 to_ns = atomic_load_explicit(&l->measure_to_ns, memory_order_relaxed);
    if ((gint64)st.send_ns >= from_ns && (gint64)st.send_ns < to_ns && rx_ns > 0)
        bench_hist_add(l->hist[st.kind], (rx_ns - (gint64)st.send_ns) / 1000);
}

static gpointer recv_main(gpointer data)
{
    Load *l = data;
    int ep = epoll_create1(EPOLL_CLOEXEC);
    for (guint i = 0; i < l->n; i++) {
        struct epoll_event ev = {.events = EPOLLIN, .data.u32 = i};
        epoll_ctl(ep, EPOLL_CTL_ADD, l->parts[i].wire.fd, &ev);
    }
    guint8(*bufs)[BENCH_PKT_CAP] = g_malloc(RX_BATCH * BENCH_PKT_CAP);
    char(*ctl)[CMSG_SPACE(sizeof(struct timespec))] =
        g_malloc(RX_BATCH * CMSG_SPACE(sizeof(struct timespec)));
    struct sockaddr_storage *addrs = g_new(struct sockaddr_storage, RX_BATCH);
    struct iovec iov[RX_BATCH];
    struct mmsghdr msgs[RX_BATCH];
    while (!atomic_load(&l->stop_recv)) {
        struct epoll_event evs[MAX_PARTICIPANTS];
        int ne = epoll_wait(ep, evs, MAX_PARTICIPANTS, 50);
        for (int e = 0; e < ne; e++) {
            Participant *p = &l->parts[evs[e].data.u32];
            int got;
            do {
                for (guint i = 0; i < RX_BATCH; i++) {
                    iov[i] = (struct iovec){bufs[i], BENCH_PKT_CAP};
                    msgs[i].msg_hdr = (struct msghdr){
                        .msg_name = &addrs[i],
                        .msg_namelen = sizeof addrs[i],
                        .msg_iov = &iov[i],
                        .msg_iovlen = 1,
                        .msg_control = ctl[i],
                        .msg_controllen = sizeof ctl[i],
                    };
                }
                got = recvmmsg(p->wire.fd, msgs, RX_BATCH, MSG_DONTWAIT, NULL);
                for (int i = 0; i < got; i++) {
                    gint64 rx_ns = 0;
                    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msgs[i].msg_hdr); c;
                         c = CMSG_NXTHDR(&msgs[i].msg_hdr, c))
                        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_TIMESTAMPNS) {
                            struct timespec ts;
                            memcpy(&ts, CMSG_DATA(c), sizeof ts);
                            rx_ns = (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
                        }
                    receive_one(l, p, bufs[i], msgs[i].msg_len, rx_ns, &addrs[i],
                                msgs[i].msg_hdr.msg_namelen);
                }
            } while (got == RX_BATCH);
        }
    }
    g_free(bufs);
    g_free(ctl);
    g_free(addrs);
    close(ep);
    l->recv_cpu_ns = bench_clock_ns(CLOCK_THREAD_CPUTIME_ID);
    return NULL;
}

/* ---- set-up ---- */

static gboolean connect_all(Load *l)
{
    for (guint i = 0; i < l->n; i++) {
        Participant *p = &l->parts[i];
        g_snprintf(p->id, sizeof p->id, "p%02u", i);
        pa_transport_init(&p->local);
        bridge_media_endpoint_create(l->media, CONF_HANDLE, i + 1, CONF_ID, p->id);
    }
    if (!pump_until(l, all_ready, 30000)) {
        fprintf(stderr, "bridge-load: endpoints not ready after 30 s\n");
        return FALSE;
    }
    for (guint i = 0; i < l->n; i++) {
        if (l->parts[i].error) {
            fprintf(stderr, "bridge-load: endpoint %s: %s\n", l->parts[i].id, l->parts[i].error);
            return FALSE;
        }
        SimPeerOptions opt = {.dtls_timer_ms = 20};
        l->parts[i].peer = sim_peer_new(l->peers_ctx, l->parts[i].id, &opt);
    }
    if (!pump_until(l, all_gathered, 10000)) {
        fprintf(stderr, "bridge-load: participants did not gather candidates\n");
        return FALSE;
    }
    for (guint i = 0; i < l->n; i++) {
        Participant *p = &l->parts[i];
        PaTransport t;
        pa_transport_init(&t);
        sim_peer_get_transport(p->peer, &t);
        bridge_media_endpoint_set_remote(l->media, i + 1, &t);
        pa_transport_clear(&t);
        BenchSource s;
        bench_source_init(&s, (guint16)i, l->video_kbps, 0);
        BridgeMediaSsrc ssrcs[] = {{s.ssrc[BENCH_KIND_AUDIO], FALSE},
                                   {s.ssrc[BENCH_KIND_VIDEO], TRUE}};
        bridge_media_endpoint_set_ssrcs(l->media, i + 1, ssrcs, l->video_kbps ? 2 : 1);
        sim_peer_set_remote(p->peer, &p->local);
    }
    if (!pump_until(l, all_connected, 60000)) {
        fprintf(stderr, "bridge-load: not all participants connected after 60 s\n");
        return FALSE;
    }
    for (guint i = 0; i < l->n; i++) {
        Participant *p = &l->parts[i];
        if (sim_peer_failed(p->peer) || !sim_peer_take_over(p->peer, &p->wire)) {
            fprintf(stderr, "bridge-load: participant %s failed to connect\n", p->id);
            return FALSE;
        }
        bench_socket_rcvbuf(p->wire.fd, PEER_RCVBUF);
        int on = 1;
        setsockopt(p->wire.fd, SOL_SOCKET, SO_TIMESTAMPNS, &on, sizeof on);
    }
    return TRUE;
}

/* ---- report ---- */

typedef struct {
    gint64 mono_ns;
    guint64 cpu_ns, wait_ns;
    guint64 thread_ns[BRIDGE_MEDIA_MAX_WORKERS];
    char names[BRIDGE_MEDIA_MAX_WORKERS][16];
    guint n_threads;
    BridgeMediaStats st;
} Sample;

static void sample(Load *l, Sample *s)
{
    s->mono_ns = bench_clock_ns(CLOCK_MONOTONIC);
    s->cpu_ns = test_threads_cpu_ns("media-", s->thread_ns, s->names, BRIDGE_MEDIA_MAX_WORKERS,
                                    &s->n_threads, &s->wait_ns);
    bridge_media_get_stats(l->media, &s->st);
}

static void print_hist(const char *what, const BenchHist *h)
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

int main(int argc, char **argv)
{
    gint n = 3, workers = 1, video_kbps = 1500, pack = 0;
    gdouble seconds = 10, warmup = 2, floor_seconds = 2;
    gboolean no_floor = FALSE, alloc_breakdown = FALSE;
    GOptionEntry entries[] = {
        {"participants", 'n', 0, G_OPTION_ARG_INT, &n, "participants in the conference (3)", "N"},
        {"workers", 'w', 0, G_OPTION_ARG_INT, &workers, "media worker threads (1)", "W"},
        {"seconds", 'd', 0, G_OPTION_ARG_DOUBLE, &seconds, "measurement window (10)", "S"},
        {"video-kbps", 0, 0, G_OPTION_ARG_INT, &video_kbps,
         "video per participant (1500; 0 = none)", "K"},
        {"warmup", 0, 0, G_OPTION_ARG_DOUBLE, &warmup, "seconds of traffic before measuring (2)",
         "S"},
        {"pack", 0, 0, G_OPTION_ARG_INT, &pack,
         "BridgeMediaConfig.conference_pack (0 = bridge default; 1 = spread over workers)", "P"},
        {"floor-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &floor_seconds,
         "seconds per floor variant (2)", "S"},
        {"no-floor", 0, 0, G_OPTION_ARG_NONE, &no_floor, "skip the floor comparison", NULL},
        {"alloc-breakdown", 0, 0, G_OPTION_ARG_NONE, &alloc_breakdown,
         "attribute media-thread allocations to libnice/libsrtp (slow: inflates CPU)", NULL},
        {NULL},
    };
    GOptionContext *octx = g_option_context_new("- bridge media plane under conference load");
    g_option_context_add_main_entries(octx, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(octx, &argc, &argv, &error)) {
        fprintf(stderr, "bridge-load: %s\n", error->message);
        return 2;
    }
    g_option_context_free(octx);
    if (n < 2 || n > MAX_PARTICIPANTS || workers < 1 || workers > BRIDGE_MEDIA_MAX_WORKERS ||
        seconds <= 0 || video_kbps < 0 || pack < 0) {
        fprintf(stderr, "bridge-load: -n 2..%d, -w 1..%d, -d > 0, --video-kbps >= 0\n",
                MAX_PARTICIPANTS, BRIDGE_MEDIA_MAX_WORKERS);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    Load *l = g_new0(Load, 1);
    l->n = (guint)n;
    l->workers = (guint)workers;
    l->video_kbps = (guint)video_kbps;
    l->pack = (guint)pack;
    l->seconds = seconds;
    l->warmup = warmup;
    l->parts = g_new0(Participant, l->n);
    l->hist[BENCH_KIND_AUDIO] = g_new0(BenchHist, 1);
    l->hist[BENCH_KIND_VIDEO] = g_new0(BenchHist, 1);
    atomic_store(&l->measure_from_ns, G_MAXINT64);
    atomic_store(&l->measure_to_ns, G_MAXINT64);
    l->control = g_main_context_default();
    l->peers_ctx = g_main_context_new();

    bridge_srtp_global_init();
    double vpps = bench_video_pps(l->video_kbps);
    double per_sender = BENCH_AUDIO_PPS + vpps;
    double load0 = test_loadavg();
    printf("bridge-load: %u participants in one conference, %u media worker(s), conference_pack "
           "%u; per participant audio %d pps x %d B + video %u kbps (%.0f pps, <=%d B payload, "
           "keyframe every %d s); SRTP crypto %s; %ld online CPUs, load average %.2f\n",
           l->n, l->workers, l->pack, BENCH_AUDIO_PPS, BENCH_AUDIO_PAYLOAD, l->video_kbps, vpps,
           BENCH_VIDEO_MAX_PAYLOAD, BENCH_KEYFRAME_INTERVAL_S, bridge_srtp_backend(),
           sysconf(_SC_NPROCESSORS_ONLN), load0);

    long rss_before = test_rss_kb();
    char *addrs[] = {"127.0.0.1", NULL};
    BridgeMediaConfig cfg = {
        .workers = l->workers,
        .port = 40000,
        .local_addresses = addrs,
        .ice_timeout_s = 60,
        .media_timeout_s = 60,
        .conference_pack = l->pack,
    };
    BridgeMediaCallbacks cb = {on_ready, on_event};
    l->media = bridge_media_new(&cfg, l->control, &cb, l, &error);
    if (!l->media) {
        fprintf(stderr, "bridge-load: %s\n", error->message);
        return 1;
    }
    gint64 t_setup = g_get_monotonic_time();
    if (!connect_all(l))
        return 1;
    long rss_idle = test_rss_kb();
    guint per_worker[BRIDGE_MEDIA_MAX_WORKERS] = {0};
    for (guint i = 0; i < l->n; i++) {
        guint w = bridge_media_endpoint_worker(l->media, i + 1);
        if (w < BRIDGE_MEDIA_MAX_WORKERS)
            per_worker[w]++;
    }
    GString *placement = g_string_new(NULL);
    for (guint w = 0; w < l->workers; w++)
        g_string_append_printf(placement, "%smedia-%u: %u", w ? ", " : "", w, per_worker[w]);
    BridgeSrtpProfile negotiated = bridge_srtp_get_profile(l->parts[0].wire.tx);
    printf("set-up: %u endpoints connected (ICE + DTLS, %s) in %.2f s; placement %s\n", l->n,
           bridge_srtp_profile_name(negotiated), (g_get_monotonic_time() - t_setup) / 1e6,
           placement->str);
    g_string_free(placement, TRUE);

    GThread *rx = g_thread_new("load-recv", recv_main, l);
    GThread *tx = g_thread_new("load-send", send_main, l);
    pump_control_for(l, warmup);
    Sample s0, s1;
    atomic_store(&l->measure_to_ns, G_MAXINT64);
    atomic_store(&l->measure_from_ns, bench_clock_ns(CLOCK_REALTIME));
    test_alloc_start(alloc_breakdown);
    sample(l, &s0);
    pump_control_for(l, seconds);
    sample(l, &s1);
    TestAllocCounts allocs;
    test_alloc_stop(&allocs);
    atomic_store(&l->measure_to_ns, bench_clock_ns(CLOCK_REALTIME));
    atomic_store(&l->stop_send, TRUE);
    g_thread_join(tx);
    /* Wait for what is still in flight: until nothing has arrived for 300 ms (at most 10 s,
     * for an overloaded bridge with a backlog). */
    for (int i = 0; i < 100; i++) {
        guint64 before = atomic_load(&l->received);
        pump_control_for(l, 0.3);
        if (atomic_load(&l->received) == before)
            break;
    }
    atomic_store(&l->stop_recv, TRUE);
    g_thread_join(rx);
    long rss_after = test_rss_kb();
    BridgeMediaStats fin;
    bridge_media_get_stats(l->media, &fin);

    /* ---- figures ---- */
    double win = (s1.mono_ns - s0.mono_ns) / 1e9;
    guint64 fwd = s1.st.rtp_forwarded - s0.st.rtp_forwarded;
    guint64 cpu = s1.cpu_ns - s0.cpu_ns;
    double us_per_fwd = fwd ? cpu / 1000.0 / fwd : 0;
    double expect_pps = l->n * (l->n - 1) * per_sender;
    printf("window: %.2f s after %.1f s of warm-up\n", win, warmup);
    printf("forwarded: %" G_GUINT64_FORMAT " RTP packets = %.0f pps (offered: %.0f pps = %u x %u "
           "x %.0f)\n",
           fwd, fwd / win, expect_pps, l->n, l->n - 1, per_sender);
    printf("bridge worker CPU: %.1f ms = %.1f%% of one core;", cpu / 1e6, cpu / 1e7 / win);
    for (guint i = 0; i < s1.n_threads; i++) {
        guint64 before = 0;
        for (guint j = 0; j < s0.n_threads; j++)
            if (strcmp(s0.names[j], s1.names[i]) == 0)
                before = s0.thread_ns[j];
        printf(" %s %.1f%%", s1.names[i], (s1.thread_ns[i] - before) / 1e7 / win);
    }
    printf("; runnable but waiting for a CPU %.1f ms (%.1f%% of the window)",
           (s1.wait_ns - s0.wait_ns) / 1e6, (s1.wait_ns - s0.wait_ns) / 1e7 / win);
    guint64 in = s1.st.packets_in - s0.st.packets_in;
    printf("\nbridge CPU per forwarded packet: %.3f us (media-* threads' time on CPU / RTP "
           "packets forwarded; %.3f us per packet received; at this cost one core forwards "
           "~%.0f pps)\n",
           us_per_fwd, in ? cpu / 1000.0 / in : 0, us_per_fwd > 0 ? 1e6 / us_per_fwd : 0);
    printf("latency through the bridge (sender's clock before protect+send -> kernel receive "
           "timestamp):\n");
    print_hist("audio", l->hist[BENCH_KIND_AUDIO]);
    print_hist("video", l->hist[BENCH_KIND_VIDEO]);
    BenchHist *all = g_new0(BenchHist, 1);
    bench_hist_merge(all, l->hist[BENCH_KIND_AUDIO]);
    bench_hist_merge(all, l->hist[BENCH_KIND_VIDEO]);
    print_hist("all", all);

    /* Loss over the whole run (warm-up included): what each receiver got of what the others
     * sent. */
    double loss_max = 0, loss_sum = 0;
    GString *lines = g_string_new(NULL);
    guint64 bad = 0, stun = 0, foreign = 0, send_err = 0;
    for (guint r = 0; r < l->n; r++) {
        Participant *p = &l->parts[r];
        guint64 want = 0, got = 0;
        for (guint s = 0; s < l->n; s++) {
            if (s == r)
                continue;
            for (int k = 0; k < BENCH_N_KINDS; k++) {
                want += l->parts[s].sent[k];
                got += MIN(p->from[s][k], l->parts[s].sent[k]);
            }
        }
        double loss = want ? 100.0 * (double)(want - got) / (double)want : 0;
        loss_max = MAX(loss_max, loss);
        loss_sum += loss;
        g_string_append_printf(lines, " %s %.3f%%", p->id, loss);
        bad += p->rx_bad;
        stun += p->rx_stun;
        foreign += p->rx_foreign;
        send_err += p->send_errors;
    }
    printf("loss per receiver (whole run):%s\n", lines->str);
    printf("  mean %.3f%%, worst %.3f%%; receive errors: srtp %" G_GUINT64_FORMAT
           ", foreign %" G_GUINT64_FORMAT "; consent checks answered %" G_GUINT64_FORMAT
           "; send errors %" G_GUINT64_FORMAT "\n",
           loss_sum / l->n, loss_max, bad, foreign, stun, send_err);
    g_string_free(lines, TRUE);
    printf("bridge counters (whole run): rtp_forwarded %" G_GUINT64_FORMAT
           ", packets_in %" G_GUINT64_FORMAT ", packets_out %" G_GUINT64_FORMAT,
           fin.rtp_forwarded, fin.packets_in, fin.packets_out);
    for (int d = 0; d < BRIDGE_DROP_N_REASONS; d++)
        if (fin.drops[d])
            printf(", drop %s %" G_GUINT64_FORMAT, bridge_drop_reason_name(d), fin.drops[d]);
    printf(", rr_sent %" G_GUINT64_FORMAT "\n", fin.rr_sent);
    printf("RSS: %ld kB before the media plane, %ld kB with %u endpoints connected (idle), %ld kB "
           "after the run\n",
           rss_before, rss_idle, l->n, rss_after);
    double allocs_per_fwd = -1;
    if (test_alloc_available()) {
        allocs_per_fwd = fwd ? (double)allocs.total / fwd : 0;
        printf("heap allocations on media-* threads in the window: %" G_GUINT64_FORMAT
               " = %.4f per forwarded packet, %.4f per packet received",
               allocs.total, allocs_per_fwd, in ? (double)allocs.total / in : 0);
        if (alloc_breakdown)
            printf(" (libnice %" G_GUINT64_FORMAT ", libsrtp2 %" G_GUINT64_FORMAT
                   ", other %" G_GUINT64_FORMAT ")",
                   allocs.libnice, allocs.libsrtp, allocs.total - allocs.libnice - allocs.libsrtp);
        printf("\n");
    } else {
        printf("heap allocations: not counted in this build (sanitizer)\n");
    }
    double load1 = test_loadavg();
    printf("load generator (not in the bridge figures): sender %.0f ms CPU, receiver %.0f ms "
           "CPU, sender woke >5 ms late %" G_GUINT64_FORMAT " times; load average %.2f -> %.2f\n",
           l->send_cpu_ns / 1e6, l->recv_cpu_ns / 1e6, l->send_late, load0, load1);

    /* ---- the floor at the same fan-out ---- */
    double floor_us = -1, paced_us = -1;
    if (!no_floor) {
        printf("floor at the same fan-out (R=%u receivers, each seeing %u senders' SSRCs; same "
               "mix, %s, one thread; forward-floor):\n",
               l->n - 1, l->n - 1, bridge_srtp_profile_name(negotiated));
        /* 0-3: mem/recv x one socket/socket per receiver; 4: one sender; 5: paced at the
         * same real-time rates as this run (n senders, n - 1 receivers each). */
        for (int v = 0; v < 6; v++) {
            BenchFloorConfig fc = {
                .receivers = l->n - 1,
                .senders = v < 4    ? l->n - 1
                           : v == 4 ? 1
                                    : l->n,
                .seconds = v == 5 ? MAX(floor_seconds, 4.0) : floor_seconds,
                .video_kbps = l->video_kbps,
                .profile = negotiated,
                .input_from_socket = (v >= 2 && v < 4) || v == 5,
                .socket_per_receiver = v % 2 == 1 && v < 4,
                .paced = v == 5,
            };
            BenchFloorResult fr;
            if (!bench_floor_run(&fc, &fr, &error)) {
                fprintf(stderr, "bridge-load: floor: %s\n", error->message);
                g_clear_error(&error);
                continue;
            }
            if (v == 0)
                floor_us = fr.us_per_forwarded;
            if (v == 5)
                paced_us = fr.us_per_forwarded;
            printf("  %-13s %-9s %.3f us per forwarded packet -> bridge/floor %.2f\n",
                   bench_floor_variant_name(&fc),
                   v < 4    ? ""
                   : v == 4 ? "1 sender"
                            : "real-time",
                   fr.us_per_forwarded,
                   fr.us_per_forwarded > 0 ? us_per_fwd / fr.us_per_forwarded : 0);
        }
    }
    printf("summary: n=%u w=%u kbps=%u fwd_pps=%.0f cpu_us_per_fwd=%.3f floor_us=%.3f "
           "ratio=%.2f paced_floor_us=%.3f paced_ratio=%.2f loss_mean_pct=%.3f "
           "loss_max_pct=%.3f lat_p50_us=%.0f lat_p99_us=%.0f "
           "rss_idle_kb=%ld rss_after_kb=%ld allocs_per_fwd=%.4f load=%.2f wait_ms=%.1f\n",
           l->n, l->workers, l->video_kbps, fwd / win, us_per_fwd, floor_us,
           floor_us > 0 ? us_per_fwd / floor_us : 0, paced_us,
           paced_us > 0 ? us_per_fwd / paced_us : 0, loss_sum / l->n, loss_max,
           bench_hist_quantile(all, 0.5), bench_hist_quantile(all, 0.99), rss_idle, rss_after,
           allocs_per_fwd, load1, (s1.wait_ns - s0.wait_ns) / 1e6);
    g_free(all);

    bridge_media_free(l->media);
    for (guint i = 0; i < l->n; i++) {
        sim_peer_free(l->parts[i].peer);
        pa_transport_clear(&l->parts[i].local);
        g_free(l->parts[i].error);
    }
    g_main_context_unref(l->peers_ctx);
    g_free(l->hist[0]);
    g_free(l->hist[1]);
    g_free(l->parts);
    g_free(l);
    return 0;
}
