/* SPDX-License-Identifier: MIT */
/* bridge-load: the bridge's media plane under a conference load, in one process. A BridgeMedia
 * with W workers and N simulated participants in C conferences (tests/lib/c/sim-peer.h: libnice
 * ICE + OpenSSL DTLS + SRTP, the same pieces a browser uses); each sends synthetic audio and
 * video (bench-util.h, load.h) and receives everyone else's in its conference. Prints, over a
 * measurement window after a warm-up: RTP packets forwarded per second; the media worker
 * threads' CPU time (schedstat of the threads named media-*, so the load generator's own
 * threads are left out) per forwarded packet; loss per receiver; latency through the bridge
 * (send time carried in the payload vs the kernel's receive timestamp, p50/p90/p99/p99.9/max);
 * resident size before, idle and after; heap allocations on the media threads per forwarded
 * packet; and then the forwarding floor (floor.h) at the same fan-out, with the ratio bridge
 * CPU/packet / floor CPU/packet. With --junk-pps, a flood of junk datagrams from unknown
 * addresses hits the media port during the whole run (load-junk thread), and the figures show
 * what it cost the legitimate traffic.
 * A benchmark: it prints figures and asserts nothing about time.
 *
 *   bridge-load [-n PARTICIPANTS] [-w WORKERS] [-c CONFERENCES] [-d SECONDS] [--video-kbps K]
 *               [--warmup S] [--pack P] [--no-steering] [--junk-pps P]
 *               [--floor-seconds S | --no-floor] [--alloc-breakdown] [--layers]
 *
 * Opens loopback sockets: run it under tests/netns-run.sh.
 *
 * Threads: main (BridgeMedia's control context, and the participants' GMainContext until
 * they are connected), the bridge's media-* workers, load-send and load-recv (load.h), and
 * load-junk with --junk-pps. The main thread reads the load threads' results only after
 * joining them. */
#include <errno.h>
#include <netinet/in.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "tests/lib/c/alloc-count.h"
#include "tests/lib/c/proc-stats.h"
#include "tests/lib/c/sim-peer.h"
#include "bench-util.h"
#include "bridge/media/media.h"
#include "bridge/srtp/srtp.h"
#include "floor.h"
#include "load.h"

#define MAX_PARTICIPANTS LOAD_MAX_PARTICIPANTS
#define CONF_ID "bench"

/* What the control side knows of participant i (endpoint handle i + 1). */
typedef struct {
    PaTransport local; /* the bridge's side */
    gboolean ready, bridge_connected;
    char *error;
} Ctl;

typedef struct {
    guint n, workers, video_kbps, pack, conferences;
    gboolean layers;     /* --layers: every video through layer selection (projections) */
    gint last_n;         /* --last-n: videos per receiver (-1: all) */
    double expected_pps; /* forwarded RTP packets per second the targets call for (--layers) */
    double run_seconds;  /* from load_start to load_stop */
    double seconds, warmup;
    GMainContext *control, *peers_ctx;
    BridgeMedia *media;
    Ctl *ctl;
    Load load;
    guint failures;
    /* load-junk */
    guint junk_pps;
    atomic_bool stop_junk;
    guint64 junk_sent;
} Bench;

/* ---- control callbacks (main thread) ---- */

static Ctl *ctl_by_handle(Bench *b, BridgeHandle ep)
{
    return ep >= 1 && ep <= b->n ? &b->ctl[ep - 1] : NULL;
}

static void on_event(BridgeHandle ep, BridgeMediaEvent ev, const char *reason, gpointer data)
{
    Bench *b = data;
    Ctl *c = ctl_by_handle(b, ep);
    if (!c)
        return;
    if (ev == BRIDGE_MEDIA_EVENT_CONNECTED) {
        c->bridge_connected = TRUE;
    } else {
        b->failures++;
        fprintf(stderr, "bridge-load: endpoint %s: %s (%s)\n", b->load.parts[ep - 1].id,
                ev == BRIDGE_MEDIA_EVENT_FAILED ? "failed" : "timed out", reason ? reason : "");
    }
}

static void on_ready(BridgeHandle ep, const PaTransport *local, const GError *error, gpointer data)
{
    Ctl *c = ctl_by_handle(data, ep);
    if (!c)
        return;
    if (local) {
        pa_transport_copy(&c->local, local);
        c->ready = TRUE;
    } else {
        c->error = g_strdup(error->message);
    }
}

typedef gboolean (*Cond)(Bench *b);

static gboolean pump_until(Bench *b, Cond cond, guint timeout_ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    while (!cond(b) && g_get_monotonic_time() < end) {
        gboolean x = g_main_context_iteration(b->control, FALSE);
        gboolean y = b->peers_ctx && g_main_context_iteration(b->peers_ctx, FALSE);
        if (!x && !y)
            g_usleep(500);
    }
    return cond(b);
}

/* Runs the control context only (the participants' context stays idle after take-over). */
static void pump_control_for(gpointer data, double seconds)
{
    Bench *b = data;
    gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    while (g_get_monotonic_time() < end) {
        while (g_main_context_iteration(b->control, FALSE))
            ;
        g_usleep(5000);
    }
}

static gboolean all_ready(Bench *b)
{
    for (guint i = 0; i < b->n; i++)
        if (!b->ctl[i].ready && !b->ctl[i].error)
            return FALSE;
    return TRUE;
}

static gboolean all_gathered(Bench *b)
{
    for (guint i = 0; i < b->n; i++)
        if (!sim_peer_gathered(b->load.parts[i].tx_peer))
            return FALSE;
    return TRUE;
}

static gboolean all_connected(Bench *b)
{
    for (guint i = 0; i < b->n; i++) {
        SimPeer *p = b->load.parts[i].tx_peer;
        if (sim_peer_failed(p))
            return TRUE; /* stop waiting; reported by the caller */
        if (!b->ctl[i].bridge_connected || !sim_peer_connected(p))
            return FALSE;
    }
    return TRUE;
}

/* ---- set-up ---- */

static gboolean connect_all(Bench *b)
{
    for (guint i = 0; i < b->n; i++) {
        pa_transport_init(&b->ctl[i].local);
        guint conf = i % b->conferences;
        b->load.parts[i].conference = conf;
        char conf_id[16];
        g_snprintf(conf_id, sizeof conf_id, CONF_ID "%u", conf);
        bridge_media_endpoint_create(b->media, 10000 + conf, i + 1, conf_id, b->load.parts[i].id);
    }
    if (!pump_until(b, all_ready, 30000)) {
        fprintf(stderr, "bridge-load: endpoints not ready after 30 s\n");
        return FALSE;
    }
    for (guint i = 0; i < b->n; i++) {
        if (b->ctl[i].error) {
            fprintf(stderr, "bridge-load: endpoint %s: %s\n", b->load.parts[i].id, b->ctl[i].error);
            return FALSE;
        }
        SimPeerOptions opt = {.dtls_timer_ms = 20};
        b->load.parts[i].tx_peer = b->load.parts[i].rx_peer =
            sim_peer_new(b->peers_ctx, b->load.parts[i].id, &opt);
    }
    if (!pump_until(b, all_gathered, 10000)) {
        fprintf(stderr, "bridge-load: participants did not gather candidates\n");
        return FALSE;
    }
    for (guint i = 0; i < b->n; i++) {
        LoadPart *p = &b->load.parts[i];
        PaTransport t;
        pa_transport_init(&t);
        sim_peer_get_transport(p->tx_peer, &t);
        bridge_media_endpoint_set_remote(b->media, i + 1, &t);
        pa_transport_clear(&t);
        BenchSource s;
        bench_source_init(&s, (guint16)i, b->video_kbps, 0);
        BridgeMediaSsrc ssrcs[1 + BENCH_MAX_ENCODINGS] = {{s.ssrc[BENCH_KIND_AUDIO], FALSE}};
        for (guint e = 0; e < s.n_enc; e++)
            ssrcs[1 + e] = (BridgeMediaSsrc){s.enc[e].ssrc, TRUE};
        bridge_media_endpoint_set_ssrcs(b->media, i + 1, ssrcs, 1 + s.n_enc);
        sim_peer_set_remote(p->tx_peer, &b->ctl[i].local);
    }
    if (!pump_until(b, all_connected, 60000)) {
        fprintf(stderr, "bridge-load: not all participants connected after 60 s\n");
        return FALSE;
    }
    for (guint i = 0; i < b->n; i++) {
        LoadPart *p = &b->load.parts[i];
        if (sim_peer_failed(p->tx_peer) || !sim_peer_take_over(p->tx_peer, &p->tx)) {
            fprintf(stderr, "bridge-load: participant %s failed to connect\n", p->id);
            return FALSE;
        }
        p->rx = p->tx;
    }
    return TRUE;
}

/* --layers: each participant's video announced as a video source (one VP8 encoding, or three
 * with --simulcast) and every receiver given targets, so that each video packet is parsed for
 * its layer once and projected (decided and rewritten) per receiver, as the bridge does with
 * layer selection on. Without --simulcast every receiver gets every source. With it, a receiver
 * shows the next participant of its conference on stage (720p: the top encoding) and the others
 * as thumbnails (180p: the lowest), at most --last-n of them in all (the others paused), which
 * is what a browser in speaker view asks; the load generator counts loss against that. */
static void set_layers(Bench *b)
{
    guint8 codec[128] = {0}, rtx[128] = {0};
    codec[BENCH_PT_VIDEO] = BRIDGE_CODEC_VP8;
    for (guint i = 0; i < b->n; i++) {
        BenchSource s;
        bench_source_init(&s, (guint16)i, b->video_kbps, 0);
        BridgeMediaVideoSource v = {.vidx = i, .n_encodings = s.n_enc};
        for (guint e = 0; e < s.n_enc; e++)
            v.ssrcs[e] = s.enc[e].ssrc;
        bridge_media_endpoint_set_video(b->media, i + 1, &v, 1, codec, rtx);
    }
    BridgeMediaTarget *t = g_new0(BridgeMediaTarget, b->n);
    b->expected_pps = 0;
    for (guint r = 0; r < b->n; r++) {
        LoadPart *rp = &b->load.parts[r];
        guint m = 0, shown = 0;
        for (guint k = 1; k < b->n; k++) {
            guint i = (r + k) % b->n;
            if (b->load.parts[i].conference != rp->conference)
                continue;
            b->expected_pps += BENCH_AUDIO_PPS;
            BenchSource s;
            bench_source_init(&s, (guint16)i, b->video_kbps, 0);
            int enc = (int)s.n_enc - 1; /* without simulcast: the one encoding */
            if (s.n_enc > 1)
                enc = shown == 0 ? (int)s.n_enc - 1 : 0;
            if (b->last_n >= 0 && shown >= (guint)b->last_n)
                enc = -1;
            shown++;
            if (enc < 0) {
                rp->want_enc[i] = -2;
                continue;
            }
            rp->want_enc[i] = s.n_enc > 1 ? (gint8)enc : -1;
            b->expected_pps += bench_stream_pps(s.enc[enc].kbps);
            t[m] = (BridgeMediaTarget){.vidx = i,
                                       .primary_ssrc = s.enc[0].ssrc,
                                       .target = {(gint8)enc, 0, BRIDGE_MAX_TEMPORAL - 1}};
            for (guint e = 0; e < s.n_enc; e++)
                t[m].ssrcs[e] = s.enc[e].ssrc;
            m++;
        }
        bridge_media_endpoint_set_targets(b->media, r + 1, t, m);
    }
    g_free(t);
    bench_vp8 = TRUE;
}

/* ---- load-junk: datagrams from addresses nobody validated ---- */

#define JUNK_SOCKETS 32
#define JUNK_BATCH 32

static gpointer junk_main(gpointer data)
{
    Bench *b = data;
    int fds[JUNK_SOCKETS];
    for (guint i = 0; i < JUNK_SOCKETS; i++)
        fds[i] = bench_udp_socket(1 << 20, NULL, NULL);
    struct sockaddr_in to = {.sin_family = AF_INET,
                             .sin_port = g_htons(bridge_media_port(b->media))};
    to.sin_addr.s_addr = g_htonl(0x7f000001);
    guint8 bufs[JUNK_BATCH][200];
    struct iovec iov[JUNK_BATCH];
    struct mmsghdr msgs[JUNK_BATCH];
    guint64 k = 0;
    gint64 start = g_get_monotonic_time();
    while (!atomic_load(&b->stop_junk)) {
        /* The mix: SRTP-looking (most), STUN binding requests naming no endpoint, bytes of no
         * RFC 7983 class. */
        for (guint i = 0; i < JUNK_BATCH; i++, k++) {
            guint8 *p = bufs[i];
            gsize len = 60 + (k * 37) % 140;
            for (gsize j = 0; j < len; j++)
                p[j] = (guint8)(k * 131 + j * 7);
            switch (k % 10) {
            case 0:
            case 1: /* STUN with a USERNAME */
                memcpy(p, "\x00\x01\x00\x0c\x21\x12\xa4\x42", 8);
                memcpy(p + 20, "\x00\x06\x00\x08junk:abc", 12);
                len = 32;
                break;
            case 2:
                p[0] = 0xff;
                break;
            default:
                p[0] = 0x80;
                p[1] = 100;
                break;
            }
            iov[i] = (struct iovec){p, len};
            msgs[i].msg_hdr = (struct msghdr){
                .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov[i], .msg_iovlen = 1};
        }
        int r = sendmmsg(fds[(k / JUNK_BATCH) % JUNK_SOCKETS], msgs, JUNK_BATCH, MSG_DONTWAIT);
        if (r > 0)
            b->junk_sent += (guint64)r;
        /* Paced to junk_pps on average. */
        gint64 due = start + (gint64)(b->junk_sent * G_USEC_PER_SEC / b->junk_pps);
        gint64 now = g_get_monotonic_time();
        if (due > now)
            g_usleep((gulong)(due - now));
    }
    for (guint i = 0; i < JUNK_SOCKETS; i++)
        close(fds[i]);
    return NULL;
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

static void sample(Bench *b, Sample *s)
{
    s->mono_ns = bench_clock_ns(CLOCK_MONOTONIC);
    s->cpu_ns = test_threads_cpu_ns("media-", s->thread_ns, s->names, BRIDGE_MEDIA_MAX_WORKERS,
                                    &s->n_threads, &s->wait_ns);
    bridge_media_get_stats(b->media, &s->st);
}

/* The floor variants at this run's fan-out; returns the one-socket memory floor and the paced
 * floor in *@floor_us and *@paced_us. */
static void run_floors(Bench *b, BridgeSrtpProfile profile, double floor_seconds, double us_per_fwd,
                       double *floor_us, double *paced_us)
{
    guint per_conf = b->n / b->conferences;
    printf("floor at the same fan-out (R=%u receivers, each seeing %u senders' SSRCs; same mix, "
           "%s, one thread; forward-floor):\n",
           per_conf - 1, per_conf - 1, bridge_srtp_profile_name(profile));
    /* 0-3: mem/recv x one socket/socket per receiver; 4: one sender; 5: paced at the same
     * real-time rates as this run (a conference's senders, its receivers' fan-out). */
    for (int v = 0; v < 6; v++) {
        BenchFloorConfig fc = {
            .receivers = per_conf - 1,
            .senders = v < 4    ? per_conf - 1
                       : v == 4 ? 1
                                : per_conf,
            .seconds = v == 5 ? MAX(floor_seconds, 4.0) : floor_seconds,
            .video_kbps = b->video_kbps,
            .profile = profile,
            .input_from_socket = (v >= 2 && v < 4) || v == 5,
            .socket_per_receiver = v % 2 == 1 && v < 4,
            .paced = v == 5,
        };
        BenchFloorResult fr;
        GError *error = NULL;
        if (!bench_floor_run(&fc, &fr, &error)) {
            fprintf(stderr, "bridge-load: floor: %s\n", error->message);
            g_clear_error(&error);
            continue;
        }
        if (v == 0)
            *floor_us = fr.us_per_forwarded;
        if (v == 5)
            *paced_us = fr.us_per_forwarded;
        printf("  %-13s %-9s %.3f us per forwarded packet -> bridge/floor %.2f\n",
               bench_floor_variant_name(&fc),
               v < 4    ? ""
               : v == 4 ? "1 sender"
                        : "real-time",
               fr.us_per_forwarded, fr.us_per_forwarded > 0 ? us_per_fwd / fr.us_per_forwarded : 0);
    }
}

/* Long on purpose: it reads as the run's script (options, set-up, the window, then every figure
 * in the order it is printed); splitting it would only move the figures' variables into
 * structs shared by the pieces. */
int main(int argc, char **argv)
{
    gint n = 3, workers = 1, video_kbps = 1500, pack = 0, conferences = 1, junk_pps = 0;
    gdouble seconds = 10, warmup = 2, floor_seconds = 2;
    gboolean no_floor = FALSE, alloc_breakdown = FALSE, no_steering = FALSE, layers = FALSE;
    gboolean simulcast = FALSE;
    gint last_n = -1;
    GOptionEntry entries[] = {
        {"participants", 'n', 0, G_OPTION_ARG_INT, &n, "participants (3)", "N"},
        {"workers", 'w', 0, G_OPTION_ARG_INT, &workers, "media worker threads (1)", "W"},
        {"conferences", 'c', 0, G_OPTION_ARG_INT, &conferences,
         "conferences the participants are spread over (1)", "C"},
        {"seconds", 'd', 0, G_OPTION_ARG_DOUBLE, &seconds, "measurement window (10)", "S"},
        {"video-kbps", 0, 0, G_OPTION_ARG_INT, &video_kbps,
         "video per participant (1500; 0 = none)", "K"},
        {"warmup", 0, 0, G_OPTION_ARG_DOUBLE, &warmup, "seconds of traffic before measuring (2)",
         "S"},
        {"pack", 0, 0, G_OPTION_ARG_INT, &pack,
         "BridgeMediaConfig.conference_pack (0 = bridge default; 1 = spread over workers)", "P"},
        {"no-steering", 0, 0, G_OPTION_ARG_NONE, &no_steering,
         "no kernel steering: datagrams on the wrong worker's socket are handed over", NULL},
        {"junk-pps", 0, 0, G_OPTION_ARG_INT, &junk_pps,
         "junk datagrams per second from unknown addresses during the whole run (0)", "P"},
        {"floor-seconds", 0, 0, G_OPTION_ARG_DOUBLE, &floor_seconds,
         "seconds per floor variant (2)", "S"},
        {"no-floor", 0, 0, G_OPTION_ARG_NONE, &no_floor, "skip the floor comparison", NULL},
        {"layers", 0, 0, G_OPTION_ARG_NONE, &layers,
         "video through layer selection: VP8 descriptors, a projection per receiver", NULL},
        {"simulcast", 0, 0, G_OPTION_ARG_NONE, &simulcast,
         "three encodings per camera (a tenth, 3/10 and all of --video-kbps); receivers get the "
         "next participant at the top one and the rest at the lowest (implies --layers)",
         NULL},
        {"last-n", 0, 0, G_OPTION_ARG_INT, &last_n,
         "with --layers: at most N videos per receiver, the others paused (-1: all)", "N"},
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
        seconds <= 0 || video_kbps < 0 || pack < 0 || conferences < 1 || n / conferences < 2 ||
        junk_pps < 0) {
        fprintf(stderr,
                "bridge-load: -n 2..%d, -w 1..%d, -c with at least 2 participants each, "
                "-d > 0, --video-kbps >= 0\n",
                MAX_PARTICIPANTS, BRIDGE_MEDIA_MAX_WORKERS);
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);

    Bench *b = g_new0(Bench, 1);
    b->n = (guint)n;
    b->workers = (guint)workers;
    b->video_kbps = (guint)video_kbps;
    b->pack = (guint)pack;
    b->conferences = (guint)conferences;
    b->seconds = seconds;
    b->warmup = warmup;
    b->junk_pps = (guint)junk_pps;
    b->layers = layers || simulcast || last_n >= 0;
    b->last_n = last_n;
    if (simulcast)
        bench_encodings = 3;
    b->ctl = g_new0(Ctl, b->n);
    load_init(&b->load, b->n, b->video_kbps);
    b->control = g_main_context_default();
    b->peers_ctx = g_main_context_new();

    bridge_srtp_global_init();
    double vpps = bench_video_pps(b->video_kbps);
    double per_sender = BENCH_AUDIO_PPS + vpps;
    double load0 = test_loadavg();
    printf("bridge-load: %u participants in %u conference(s), %u media worker(s), conference_pack "
           "%u%s; per participant audio %d pps x %d B + video %u kbps (%.0f pps, <=%d B payload, "
           "keyframe every %d s); SRTP crypto %s; %ld online CPUs, load average %.2f\n",
           b->n, b->conferences, b->workers, b->pack, no_steering ? ", no steering" : "",
           BENCH_AUDIO_PPS, BENCH_AUDIO_PAYLOAD, b->video_kbps, vpps, BENCH_VIDEO_MAX_PAYLOAD,
           BENCH_KEYFRAME_INTERVAL_S, bridge_srtp_backend(), sysconf(_SC_NPROCESSORS_ONLN), load0);

    long rss_before = test_rss_kb();
    char *addrs[] = {"127.0.0.1", NULL};
    BridgeMediaConfig cfg = {
        .workers = b->workers,
        .port = 40000,
        .local_addresses = addrs,
        .ice_timeout_s = 60,
        .media_timeout_s = 60,
        .conference_pack = b->pack,
        .no_steering = no_steering,
    };
    BridgeMediaCallbacks cb = {on_ready, on_event};
    b->media = bridge_media_new(&cfg, b->control, &cb, b, &error);
    if (!b->media) {
        fprintf(stderr, "bridge-load: %s\n", error->message);
        return 1;
    }
    gint64 t_setup = g_get_monotonic_time();
    if (!connect_all(b))
        return 1;
    if (b->layers)
        set_layers(b);
    long rss_idle = test_rss_kb();
    guint per_worker[BRIDGE_MEDIA_MAX_WORKERS] = {0};
    for (guint i = 0; i < b->n; i++) {
        guint w = bridge_media_endpoint_worker(b->media, i + 1);
        if (w < BRIDGE_MEDIA_MAX_WORKERS)
            per_worker[w]++;
    }
    GString *placement = g_string_new(NULL);
    for (guint w = 0; w < b->workers; w++)
        g_string_append_printf(placement, "%smedia-%u: %u", w ? ", " : "", w, per_worker[w]);
    BridgeSrtpProfile negotiated = bridge_srtp_get_profile(b->load.parts[0].tx.tx);
    printf("set-up: %u endpoints connected (ICE + DTLS, %s) in %.2f s; placement %s\n", b->n,
           bridge_srtp_profile_name(negotiated), (g_get_monotonic_time() - t_setup) / 1e6,
           placement->str);
    g_string_free(placement, TRUE);

    GThread *junk = NULL;
    if (b->junk_pps)
        junk = g_thread_new("load-junk", junk_main, b);
    gint64 t_run = g_get_monotonic_time();
    load_start(&b->load);
    pump_control_for(b, warmup);
    Sample s0, s1;
    load_window(&b->load, bench_clock_ns(CLOCK_REALTIME), G_MAXINT64);
    test_alloc_start(alloc_breakdown);
    sample(b, &s0);
    guint64 junk0 = b->junk_sent;
    pump_control_for(b, seconds);
    sample(b, &s1);
    guint64 junk1 = b->junk_sent;
    TestAllocCounts allocs;
    test_alloc_stop(&allocs);
    load_window(&b->load, atomic_load(&b->load.measure_from_ns), bench_clock_ns(CLOCK_REALTIME));
    load_stop(&b->load, pump_control_for, b);
    b->run_seconds = (g_get_monotonic_time() - t_run) / 1e6;
    if (junk) {
        atomic_store(&b->stop_junk, TRUE);
        g_thread_join(junk);
    }
    long rss_after = test_rss_kb();
    BridgeMediaStats fin;
    bridge_media_get_stats(b->media, &fin);

    /* ---- figures ---- */
    Load *l = &b->load;
    double win = (s1.mono_ns - s0.mono_ns) / 1e9;
    guint64 fwd = s1.st.rtp_forwarded - s0.st.rtp_forwarded;
    guint64 cpu = s1.cpu_ns - s0.cpu_ns;
    double us_per_fwd = fwd ? cpu / 1000.0 / fwd : 0;
    guint per_conf = b->n / b->conferences;
    double expect_pps = b->layers ? b->expected_pps : b->n * (per_conf - 1) * per_sender;
    printf("window: %.2f s after %.1f s of warm-up\n", win, warmup);
    if (b->layers)
        printf("forwarded: %" G_GUINT64_FORMAT " RTP packets = %.0f pps (the receivers' targets "
               "call for %.0f pps)\n",
               fwd, fwd / win, expect_pps);
    else
        printf("forwarded: %" G_GUINT64_FORMAT " RTP packets = %.0f pps (offered: %.0f pps = %u x "
               "%u x %.0f)\n",
               fwd, fwd / win, expect_pps, b->n, per_conf - 1, per_sender);
    if (b->junk_pps)
        printf("junk: %.0f datagrams/s from unknown addresses during the window\n",
               (junk1 - junk0) / win);
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
           "packets forwarded; %.3f us per datagram received; at this cost one core forwards "
           "~%.0f pps)\n",
           us_per_fwd, in ? cpu / 1000.0 / in : 0, us_per_fwd > 0 ? 1e6 / us_per_fwd : 0);
    printf("latency through the bridge (sender's clock before protect+send -> kernel receive "
           "timestamp):\n");
    load_print_hist("audio", l->hist[BENCH_KIND_AUDIO]);
    load_print_hist("video", l->hist[BENCH_KIND_VIDEO]);
    BenchHist *all = g_new0(BenchHist, 1);
    bench_hist_merge(all, l->hist[BENCH_KIND_AUDIO]);
    bench_hist_merge(all, l->hist[BENCH_KIND_VIDEO]);
    load_print_hist("all", all);

    LoadLoss loss;
    load_loss(l, &loss);
    printf("loss per receiver (whole run):%s\n", loss.per_receiver->str);
    printf("received per receiver: %.0f kbit/s on average over the run (SRTP datagrams' bytes)",
           loss.rx_bytes * 8.0 / 1000.0 / b->n / b->run_seconds);
    if (bench_encodings > 1)
        printf("; %" G_GUINT64_FORMAT " video packets of an encoding not asked for (key frames "
               "taken on the way to a target)",
               loss.wrong_enc);
    printf("\n");
    printf("  mean %.3f%%, worst %.3f%%; receive errors: srtp %" G_GUINT64_FORMAT
           ", foreign %" G_GUINT64_FORMAT "; consent checks answered %" G_GUINT64_FORMAT
           "; send errors %" G_GUINT64_FORMAT "\n",
           loss.loss_mean_pct, loss.loss_max_pct, loss.bad, loss.foreign, loss.stun,
           loss.send_errors);
    g_string_free(loss.per_receiver, TRUE);
    printf("bridge counters (whole run): rtp_forwarded %" G_GUINT64_FORMAT
           ", packets_in %" G_GUINT64_FORMAT ", packets_out %" G_GUINT64_FORMAT
           ", handed_over %" G_GUINT64_FORMAT " (steering %s)",
           fin.rtp_forwarded, fin.packets_in, fin.packets_out, fin.handed_over,
           fin.steering ? "on" : "off");
    for (int d = 0; d < BRIDGE_DROP_N_REASONS; d++)
        if (fin.drops[d])
            printf(", drop %s %" G_GUINT64_FORMAT, bridge_drop_reason_name(d), fin.drops[d]);
    printf(", rr_sent %" G_GUINT64_FORMAT "\n", fin.rr_sent);
    printf("RSS: %ld kB before the media plane, %ld kB with %u endpoints connected (idle), %ld kB "
           "after the run (the simulated participants included)\n",
           rss_before, rss_idle, b->n, rss_after);
    double allocs_per_fwd = -1;
    if (test_alloc_available()) {
        allocs_per_fwd = fwd ? (double)allocs.total / fwd : 0;
        printf("heap allocations on media-* threads in the window: %" G_GUINT64_FORMAT
               " = %.4f per forwarded packet, %.4f per datagram received",
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

    double floor_us = -1, paced_us = -1;
    if (!no_floor)
        run_floors(b, negotiated, floor_seconds, us_per_fwd, &floor_us, &paced_us);
    printf("summary: n=%u w=%u c=%u kbps=%u junk_pps=%u fwd_pps=%.0f cpu_us_per_fwd=%.3f "
           "floor_us=%.3f ratio=%.2f paced_floor_us=%.3f paced_ratio=%.2f loss_mean_pct=%.3f "
           "loss_max_pct=%.3f lat_p50_us=%.0f lat_p99_us=%.0f rss_idle_kb=%ld rss_after_kb=%ld "
           "allocs_per_fwd=%.4f handed_over=%" G_GUINT64_FORMAT " load=%.2f wait_ms=%.1f\n",
           b->n, b->workers, b->conferences, b->video_kbps, b->junk_pps, fwd / win, us_per_fwd,
           floor_us, floor_us > 0 ? us_per_fwd / floor_us : 0, paced_us,
           paced_us > 0 ? us_per_fwd / paced_us : 0, loss.loss_mean_pct, loss.loss_max_pct,
           bench_hist_quantile(all, 0.5), bench_hist_quantile(all, 0.99), rss_idle, rss_after,
           allocs_per_fwd, s1.st.handed_over - s0.st.handed_over, load1,
           (s1.wait_ns - s0.wait_ns) / 1e6);
    g_free(all);

    bridge_media_free(b->media);
    for (guint i = 0; i < b->n; i++) {
        sim_peer_free(b->load.parts[i].tx_peer);
        pa_transport_clear(&b->ctl[i].local);
        g_free(b->ctl[i].error);
    }
    load_clear(&b->load);
    g_main_context_unref(b->peers_ctx);
    g_free(b->ctl);
    g_free(b);
    return 0;
}
