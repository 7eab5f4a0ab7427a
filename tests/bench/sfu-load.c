/* SPDX-License-Identifier: MIT */
/* sfu-load: one SFU process under a conference load, measured from the outside, so that
 * parley-bridge and Janus VideoRoom are measured the same way in the same run
 * (run-sfu-compare.sh runs both and prints one table).
 *
 * - parley: a real Prosody, parley-bridge as a process, a scripted focus that allocates the
 *   endpoints with Colibri2 (tests/integration/bridge/control-harness.c); each simulated
 *   participant has one transport (BUNDLE) for sending and receiving.
 * - janus: Debian's Janus with the VideoRoom plugin (janus.sh: HTTP API, ICE on a veth pair
 *   in this namespace); each participant publishes on one PeerConnection and subscribes to
 *   the others' feeds on a second one (Janus 1.x multistream), signalled over the HTTP API.
 * The participants are the same in both cases (tests/lib/c/sim-peer.h: libnice ICE, DTLS,
 * SRTP, driven by load.h with the packet mix of bench-util.h). The figures: the server
 * process's CPU time (every thread: /proc/<pid>/task/<tid>/schedstat) per RTP packet the
 * participants received from it in the window; loss per receiver; latency (send time in the
 * payload to kernel receive timestamp); the server's RSS idle and after the run; with
 * --junk-pps a flood of junk from unknown addresses at the media port (parley) during the run;
 * with --sample-every S, the server's RSS and open files every S seconds of the window (a soak:
 * -n 4 -d 1800 --sample-every 60 is a 4-person call for 30 minutes).
 * A benchmark: prints figures, asserts nothing on time. Exit 77 when Prosody, the bridge or
 * Janus is missing.
 *
 *   sfu-load --server parley|janus [-n N] [-c CONFERENCES] [-w WORKERS] [-d SECONDS]
 *            [--warmup S] [--video-kbps K] [--junk-pps P] [--sample-every S]
 *
 * Run it under tests/netns-run.sh (fixed ports; janus.sh makes a veth pair).
 * Threads: main (signalling, the participants' GMainContext until take-over, sampling),
 * load-send and load-recv (load.h), load-junk. */
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "common/colibri/colibri.h"
#include "control-harness.h"
#include "janus-client.h"
#include "load.h"
#include "tests/lib/c/proc-stats.h"

#define PARLEY_MEDIA_PORT 10000
#define JANUS_URL "http://127.0.0.1:8088/janus"
#define JANUS_PEER_ADDRESS "127.0.0.2" /* janus.sh's veth0 */

typedef struct {
    gboolean janus;
    guint n, conferences, video_kbps, workers, junk_pps;
    double seconds, warmup, sample_every;
    Load load;
    int pid; /* the SFU process */
    /* parley */
    ItEnv env;
    TestXmpp *focus;
    char *bridge_occupant;
    /* janus */
    JanusClient *jc;
    char *janus_dir;
    guint64 *feed; /* publisher id per participant */
    /* load-junk */
    atomic_bool stop_junk;
    guint64 junk_sent;
} Sfu;

static void die(const char *what, GError *error)
{
    fprintf(stderr, "sfu-load: %s%s%s\n", what, error ? ": " : "", error ? error->message : "");
    exit(1);
}

/* Keeps signalling and the participants' GMainContext going for @seconds. */
static void pump(gpointer data, double seconds)
{
    Sfu *s = data;
    gint64 end = g_get_monotonic_time() + (gint64)(seconds * G_USEC_PER_SEC);
    do {
        if (s->focus)
            it_pump(s->focus, 20, 5);
        else if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(2000);
    } while (g_get_monotonic_time() < end);
}

typedef gboolean (*Cond)(Sfu *s);

static gboolean pump_until(Sfu *s, Cond cond, guint ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (!cond(s) && g_get_monotonic_time() < end)
        pump(s, 0.02);
    return cond(s);
}

static gboolean gathered(Sfu *s)
{
    for (guint i = 0; i < s->n; i++) {
        LoadPart *p = &s->load.parts[i];
        if ((p->tx_peer && !sim_peer_gathered(p->tx_peer)) ||
            (p->rx_peer && !sim_peer_gathered(p->rx_peer)))
            return FALSE;
    }
    return TRUE;
}

static gboolean connected(Sfu *s)
{
    for (guint i = 0; i < s->n; i++) {
        LoadPart *p = &s->load.parts[i];
        for (int k = 0; k < 2; k++) {
            SimPeer *peer = k ? p->rx_peer : p->tx_peer;
            if (!peer)
                continue;
            if (sim_peer_failed(peer))
                die("a participant failed to connect", NULL);
            if (!sim_peer_connected(peer))
                return FALSE;
        }
    }
    return TRUE;
}

static gboolean publishers_connected(Sfu *s)
{
    for (guint i = 0; i < s->n; i++) {
        if (sim_peer_failed(s->load.parts[i].tx_peer))
            die("a publisher failed to connect", NULL);
        if (!sim_peer_connected(s->load.parts[i].tx_peer))
            return FALSE;
    }
    return TRUE;
}

static BenchSource source_of(Sfu *s, guint i)
{
    BenchSource src;
    bench_source_init(&src, (guint16)i, s->video_kbps, 0);
    return src;
}

/* ---- parley ---- */

static xmpp_stanza_t *modify(Sfu *s, PaColibriConferenceModify *m)
{
    xmpp_stanza_t *iq = it_modify_iq(tx_ctx(s->focus), s->bridge_occupant, m);
    xmpp_stanza_t *r = tx_iq(s->focus, iq, 30000);
    xmpp_stanza_release(iq);
    if (!r || g_strcmp0(xmpp_stanza_get_type(r), "result") != 0)
        die("conference-modify refused or unanswered", NULL);
    return r;
}

/* One Colibri2 conference per conference, its endpoints created: the bridge's side of each
 * participant's transport (transfer full, initialised). */
static PaTransport *parley_allocate(Sfu *s)
{
    PaTransport *bridge_side = g_new0(PaTransport, s->n);
    for (guint c = 0; c < s->conferences; c++) {
        PaColibriConferenceModify m;
        pa_colibri_modify_init(&m);
        m.meeting_id = g_strdup_printf("load-%u", c);
        m.name = g_strdup_printf("load%u@conference." IT_DOMAIN, c);
        m.create = TRUE;
        for (guint i = c; i < s->n; i += s->conferences) {
            PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, s->load.parts[i].id);
            ep->create = TRUE;
            ep->has_transport = TRUE;
            ep->ice_controlling = TRUE;
        }
        xmpp_stanza_t *r = modify(s, &m);
        pa_colibri_modify_clear(&m);
        PaColibriConferenceModified alloc;
        if (pa_colibri_parse_modified(r, &alloc, NULL) != PA_COLIBRI_OK)
            die("unparsable conference-modified", NULL);
        xmpp_stanza_release(r);
        for (guint k = 0; k < alloc.endpoints->len; k++) {
            PaColibriEndpoint *ep = &g_array_index(alloc.endpoints, PaColibriEndpoint, k);
            guint i = c + k * s->conferences;
            pa_transport_init(&bridge_side[i]);
            pa_transport_copy(&bridge_side[i], &ep->ice);
        }
        pa_colibri_modified_clear(&alloc);
    }
    return bridge_side;
}

static void setup_parley(Sfu *s)
{
    it_env_init(&s->env);
    s->env.http_port = 18090;
    it_xmpp_start(&s->env);
    g_autofree char *port = g_strdup_printf("ice.port=%d", PARLEY_MEDIA_PORT);
    g_autofree char *workers = g_strdup_printf("media.workers=%u", s->workers);
    const char *const extra[] = {port, workers, "log.level=warning",
                                 "media.ice_timeout_seconds=120", NULL};
    it_bridge_start(&s->env, extra);
    s->pid = s->env.bridge_pid;
    s->focus = it_focus_connect(60000);
    if (!s->focus)
        die("the scripted focus could not log in", NULL);
    s->bridge_occupant = it_focus_find_bridge(s->focus, "focus", 20000);
    if (!s->bridge_occupant)
        die("the bridge did not join the brewery", NULL);

    PaTransport *bridge_side = parley_allocate(s);
    for (guint i = 0; i < s->n; i++) {
        LoadPart *p = &s->load.parts[i];
        p->conference = i % s->conferences;
        p->tx_peer = p->rx_peer = sim_peer_new(g_main_context_default(), p->id, NULL);
    }
    if (!pump_until(s, gathered, 20000))
        die("participants did not gather", NULL);
    for (guint c = 0; c < s->conferences; c++) {
        PaColibriConferenceModify m;
        pa_colibri_modify_init(&m);
        m.meeting_id = g_strdup_printf("load-%u", c);
        for (guint i = c; i < s->n; i += s->conferences) {
            LoadPart *p = &s->load.parts[i];
            PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, p->id);
            ep->has_transport = TRUE;
            ep->has_ice = TRUE;
            sim_peer_get_transport(p->tx_peer, &ep->ice);
            ep->has_sources = TRUE;
            BenchSource src = source_of(s, i);
            g_autofree char *a_id = g_strdup_printf("%s-a0", p->id);
            g_autofree char *v_id = g_strdup_printf("%s-v0", p->id);
            pa_media_source_add_ssrc(pa_media_sources_add(ep->sources, FALSE, a_id),
                                     src.ssrc[BENCH_KIND_AUDIO], a_id, NULL);
            pa_media_source_add_ssrc(pa_media_sources_add(ep->sources, TRUE, v_id),
                                     src.ssrc[BENCH_KIND_VIDEO], v_id, NULL);
            it_endpoint_set_media(ep, BENCH_PT_AUDIO, BENCH_PT_VIDEO);
        }
        xmpp_stanza_release(modify(s, &m));
        for (guint k = 0; k < m.endpoints->len; k++)
            it_endpoint_clear_media(&g_array_index(m.endpoints, PaColibriEndpoint, k));
        pa_colibri_modify_clear(&m);
    }
    for (guint i = 0; i < s->n; i++) {
        sim_peer_set_remote(s->load.parts[i].tx_peer, &bridge_side[i]);
        pa_transport_clear(&bridge_side[i]);
    }
    g_free(bridge_side);
}

/* ---- janus ---- */

static json_t *jmsg(Sfu *s, guint64 handle, json_t *body, const char *type, const char *sdp)
{
    GError *error = NULL;
    json_t *r = janus_message(s->jc, handle, body, type, sdp, &error);
    json_decref(body);
    if (!r)
        die("Janus request", error);
    return r;
}

static json_t *jevent(Sfu *s, guint64 handle)
{
    GError *error = NULL;
    json_t *e = janus_wait_event(s->jc, handle, 30000, &error);
    if (!e)
        die("no answer from Janus", error);
    return e;
}

static const char *jsep_sdp(json_t *e)
{
    return json_string_value(json_object_get(json_object_get(e, "jsep"), "sdp"));
}

/* Publishers: each participant offers (ICE controlling), Janus answers. */
static void janus_publish(Sfu *s, guint64 *pub, guint64 *sub)
{
    GError *error = NULL;
    for (guint i = 0; i < s->n; i++) {
        LoadPart *p = &s->load.parts[i];
        p->conference = i % s->conferences;
        /* On Janus's side of the veth pair: libnice pins Janus's sockets to veth0
         * (IP_UNICAST_IF), from where a loopback-only peer cannot be reached. */
        SimPeerOptions pub_opt = {.controlling = TRUE, .local_address = JANUS_PEER_ADDRESS},
                       sub_opt = {.local_address = JANUS_PEER_ADDRESS};
        p->tx_peer = sim_peer_new(g_main_context_default(), p->id, &pub_opt);
        p->rx_peer = sim_peer_new(g_main_context_default(), p->id, &sub_opt);
        if (!(pub[i] = janus_attach(s->jc, &error)) || !(sub[i] = janus_attach(s->jc, &error)))
            die("Janus attach", error);
    }
    if (!pump_until(s, gathered, 20000))
        die("participants did not gather", NULL);
    for (guint i = 0; i < s->n; i++) {
        LoadPart *p = &s->load.parts[i];
        PaTransport mine;
        pa_transport_init(&mine);
        sim_peer_get_transport(p->tx_peer, &mine);
        BenchSource src = source_of(s, i);
        JanusSdpSide side = {&mine, "actpass", src.ssrc[BENCH_KIND_AUDIO],
                             src.ssrc[BENCH_KIND_VIDEO], p->id};
        g_autofree char *offer = janus_sdp_offer(&side);
        pa_transport_clear(&mine);
        json_decref(jmsg(s, pub[i],
                         json_pack("{s:s,s:s,s:i,s:s,s:b,s:b}", "request", "joinandconfigure",
                                   "ptype", "publisher", "room", 1000 + p->conference, "display",
                                   p->id, "audio", TRUE, "video", TRUE),
                         "offer", offer));
        json_t *e = jevent(s, pub[i]);
        json_t *data = json_object_get(json_object_get(e, "plugindata"), "data");
        s->feed[i] = (guint64)json_integer_value(json_object_get(data, "id"));
        PaTransport theirs;
        pa_transport_init(&theirs);
        if (!jsep_sdp(e) || !janus_sdp_transport(jsep_sdp(e), &theirs))
            die("no usable answer from Janus for a publisher", NULL);
        if (g_getenv("SFU_LOAD_DEBUG"))
            fprintf(stderr, "offer:\n%s\nanswer:\n%s\n", offer, jsep_sdp(e));
        sim_peer_set_remote(p->tx_peer, &theirs);
        pa_transport_clear(&theirs);
        json_decref(e);
    }
}

/* Subscribers: one PeerConnection per participant for all the others' feeds of its
 * conference; Janus offers (it controls ICE), the participant answers. A feed exists for
 * subscribers once its publisher's PeerConnection is up. */
static void janus_subscribe(Sfu *s, guint64 *sub)
{
    if (!pump_until(s, publishers_connected, 60000))
        die("publishers did not connect to Janus within 60 s", NULL);
    for (guint i = 0; i < s->n; i++) {
        LoadPart *p = &s->load.parts[i];
        json_t *streams = json_array();
        for (guint j = 0; j < s->n; j++)
            if (j != i && s->load.parts[j].conference == p->conference)
                json_array_append_new(streams, json_pack("{s:I}", "feed", (json_int_t)s->feed[j]));
        json_decref(jmsg(s, sub[i],
                         json_pack("{s:s,s:s,s:i,s:o}", "request", "join", "ptype", "subscriber",
                                   "room", 1000 + p->conference, "streams", streams),
                         NULL, NULL));
        json_t *e = jevent(s, sub[i]);
        const char *offer = jsep_sdp(e);
        PaTransport theirs, mine;
        pa_transport_init(&theirs);
        pa_transport_init(&mine);
        if (!offer || !janus_sdp_transport(offer, &theirs)) {
            char *text = json_dumps(e, JSON_COMPACT);
            fprintf(stderr, "sfu-load: Janus said %s\n", text);
            free(text);
            die("no usable offer from Janus for a subscriber", NULL);
        }
        sim_peer_set_remote(p->rx_peer, &theirs);
        sim_peer_get_transport(p->rx_peer, &mine);
        JanusSdpSide side = {&mine, "active", 0, 0, p->id};
        g_autofree char *answer = janus_sdp_answer(offer, &side);
        json_decref(jmsg(s, sub[i], json_pack("{s:s}", "request", "start"), "answer", answer));
        pa_transport_clear(&theirs);
        pa_transport_clear(&mine);
        json_decref(e);
    }
}

static void setup_janus(Sfu *s)
{
    GError *error = NULL;
    s->janus_dir = g_dir_make_tmp("parley-janus-XXXXXX", &error);
    g_autofree char *script = g_build_filename(SRCDIR, "tests", "bench", "janus.sh", NULL);
    const char *argv[] = {script, "start", s->janus_dir, NULL};
    int status = 0;
    g_autofree char *out = NULL;
    if (!g_spawn_sync(NULL, (char **)argv, NULL, G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, &out, NULL,
                      &status, &error))
        die("janus.sh", error);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 77) {
        printf("sfu-load: skipped: %s", out ? out : "janus is not installed\n");
        exit(77);
    }
    if (!g_spawn_check_wait_status(status, NULL))
        die("janus.sh start failed", NULL);
    g_autofree char *pidfile = g_build_filename(s->janus_dir, "janus.pid", NULL);
    g_autofree char *pidtext = NULL;
    if (!g_file_get_contents(pidfile, &pidtext, NULL, NULL))
        die("no janus.pid", NULL);
    s->pid = atoi(pidtext);
    s->jc = janus_client_new(JANUS_URL, &error);
    if (!s->jc)
        die("Janus session", error);

    guint64 admin = janus_attach(s->jc, &error);
    if (!admin)
        die("Janus attach", error);
    for (guint c = 0; c < s->conferences; c++)
        json_decref(
            jmsg(s, admin,
                 json_pack("{s:s,s:i,s:i,s:s,s:s,s:i,s:b}", "request", "create", "room", 1000 + c,
                           "publishers", LOAD_MAX_PARTICIPANTS, "audiocodec", "opus", "videocodec",
                           "vp8", "bitrate", 0, "notify_joining", FALSE),
                 NULL, NULL));
    s->feed = g_new0(guint64, s->n);
    guint64 *pub = g_new0(guint64, s->n), *sub = g_new0(guint64, s->n);
    janus_publish(s, pub, sub);
    janus_subscribe(s, sub);
    g_free(pub);
    g_free(sub);
}

/* ---- load-junk ---- */

static gpointer junk_main(gpointer data)
{
    Sfu *s = data;
    enum { SOCKS = 32, BATCH = 32 };
    int fds[SOCKS];
    for (guint i = 0; i < SOCKS; i++)
        fds[i] = bench_udp_socket(1 << 20, NULL, NULL);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = g_htons(PARLEY_MEDIA_PORT)};
    to.sin_addr.s_addr = g_htonl(0x7f000001);
    guint8 bufs[BATCH][200];
    struct iovec iov[BATCH];
    struct mmsghdr msgs[BATCH];
    guint64 k = 0;
    gint64 start = g_get_monotonic_time();
    while (!atomic_load(&s->stop_junk)) {
        for (guint i = 0; i < BATCH; i++, k++) {
            guint8 *p = bufs[i];
            gsize len = 60 + (k * 37) % 140;
            for (gsize j = 0; j < len; j++)
                p[j] = (guint8)(k * 131 + j * 7);
            if (k % 10 < 2) { /* a STUN check naming nobody */
                memcpy(p, "\x00\x01\x00\x0c\x21\x12\xa4\x42", 8);
                memcpy(p + 20, "\x00\x06\x00\x08junk:abc", 12);
                len = 32;
            } else if (k % 10 == 2) {
                p[0] = 0xff;
            } else { /* SRTP-looking */
                p[0] = 0x80;
                p[1] = 100;
            }
            iov[i] = (struct iovec){p, len};
            msgs[i].msg_hdr = (struct msghdr){
                .msg_name = &to, .msg_namelen = sizeof to, .msg_iov = &iov[i], .msg_iovlen = 1};
        }
        int r = sendmmsg(fds[(k / BATCH) % SOCKS], msgs, BATCH, MSG_DONTWAIT);
        if (r > 0)
            s->junk_sent += (guint64)r;
        gint64 due = start + (gint64)(s->junk_sent * G_USEC_PER_SEC / s->junk_pps);
        gint64 now = g_get_monotonic_time();
        if (due > now)
            g_usleep((gulong)(due - now));
    }
    for (guint i = 0; i < SOCKS; i++)
        close(fds[i]);
    return NULL;
}

/* What the measurement window saw. */
typedef struct {
    guint64 rx, cpu, wait, junk;
    double seconds, setup_s, load0;
    long rss_idle, rss_after;
    int fds_idle, fds_after;
} Window;

static void report(Sfu *s, const Window *w)
{
    const char *name = s->janus ? "janus" : "parley";
    guint64 fwd = w->rx, cpu = w->cpu;
    double us = fwd ? cpu / 1000.0 / fwd : 0;
    printf("%s: %u participants in %u conference(s), video %u kbps; set up in %.1f s\n", name, s->n,
           s->conferences, s->video_kbps, w->setup_s);
    printf("  forwarded (received by the participants): %.0f pps; server CPU %.1f%% of a core "
           "= %.3f us per forwarded packet (%.0f pps per core); runnable waiting %.0f ms\n",
           fwd / w->seconds, cpu / 1e7 / w->seconds, us, us > 0 ? 1e6 / us : 0, w->wait / 1e6);
    if (s->junk_pps)
        printf("  junk: %.0f datagrams/s at the media port\n", w->junk / w->seconds);
    printf("  latency (send -> kernel receive):\n");
    load_print_hist("audio", s->load.hist[BENCH_KIND_AUDIO]);
    load_print_hist("video", s->load.hist[BENCH_KIND_VIDEO]);
    BenchHist *all = g_new0(BenchHist, 1);
    bench_hist_merge(all, s->load.hist[BENCH_KIND_AUDIO]);
    bench_hist_merge(all, s->load.hist[BENCH_KIND_VIDEO]);
    load_print_hist("all", all);
    LoadLoss loss;
    load_loss(&s->load, &loss);
    printf("  loss (whole run): mean %.3f%% worst %.3f%%; srtp errors %" G_GUINT64_FORMAT
           ", STUN answered %" G_GUINT64_FORMAT "\n",
           loss.loss_mean_pct, loss.loss_max_pct, loss.bad, loss.stun);
    printf(
        "  server RSS: %ld kB connected and idle, %ld kB after the run; open files %d, then %d\n",
        w->rss_idle, w->rss_after, w->fds_idle, w->fds_after);
    if (!s->janus) {
        g_autofree char *metrics = NULL;
        if (it_http_get(s->env.http_port, "/metrics", &metrics) == 200) {
            const char *reasons[] = {"unknown_address", "stun_unknown_user", "stun_malformed",
                                     "queue_full", NULL};
            printf("  bridge drops:");
            for (int r = 0; reasons[r]; r++) {
                g_autofree char *series = g_strdup_printf(
                    "parley_bridge_packets_dropped_total{reason=\"%s\"}", reasons[r]);
                printf(" %s %.0f", reasons[r], it_metric(metrics, series));
            }
            printf("\n");
        }
    }
    printf("summary: server=%s n=%u c=%u kbps=%u junk_pps=%.0f fwd_pps=%.0f cpu_pct=%.1f "
           "cpu_us_per_fwd=%.3f loss_mean_pct=%.3f loss_max_pct=%.3f lat_p50_us=%.0f "
           "lat_p99_us=%.0f rss_idle_kb=%ld rss_after_kb=%ld load=%.2f->%.2f\n",
           name, s->n, s->conferences, s->video_kbps, w->junk / w->seconds, fwd / w->seconds,
           cpu / 1e7 / w->seconds, us, loss.loss_mean_pct, loss.loss_max_pct,
           bench_hist_quantile(all, 0.5), bench_hist_quantile(all, 0.99), w->rss_idle, w->rss_after,
           w->load0, test_loadavg());
    g_string_free(loss.per_receiver, TRUE);
    g_free(all);
}

/* ---- main ---- */

/* The measurement window (s->seconds from @m0), printing the server's RSS and open files every
 * s->sample_every seconds when asked. */
static void measure(Sfu *s, gint64 m0)
{
    if (s->sample_every <= 0) {
        pump(s, s->seconds);
        return;
    }
    for (double t = 0; t < s->seconds;) {
        double step = MIN(s->sample_every, s->seconds - t);
        pump(s, step);
        t = (g_get_monotonic_time() - m0) / 1e6;
        printf("sample: t=%.0f s rss_kb=%ld fds=%d\n", t, test_process_rss_kb(s->pid),
               test_process_fds(s->pid));
    }
}

/* The command line into a new Sfu (exits on a bad one). */
static Sfu *parse_options(int argc, char **argv)
{
    char *server = NULL;
    gint n = 3, conferences = 1, video_kbps = 1500, workers = 0, junk_pps = 0;
    gdouble seconds = 10, warmup = 3, sample_every = 0;
    GOptionEntry entries[] = {
        {"server", 0, 0, G_OPTION_ARG_STRING, &server, "parley or janus", "S"},
        {"participants", 'n', 0, G_OPTION_ARG_INT, &n, "participants (3)", "N"},
        {"conferences", 'c', 0, G_OPTION_ARG_INT, &conferences, "conferences (1)", "C"},
        {"workers", 'w', 0, G_OPTION_ARG_INT, &workers, "parley media.workers (0: per CPU)", "W"},
        {"seconds", 'd', 0, G_OPTION_ARG_DOUBLE, &seconds, "measurement window (10)", "S"},
        {"warmup", 0, 0, G_OPTION_ARG_DOUBLE, &warmup, "seconds before measuring (3)", "S"},
        {"video-kbps", 0, 0, G_OPTION_ARG_INT, &video_kbps, "video per participant (1500)", "K"},
        {"junk-pps", 0, 0, G_OPTION_ARG_INT, &junk_pps,
         "junk datagrams/s from unknown addresses at the media port (parley)", "P"},
        {"sample-every", 0, 0, G_OPTION_ARG_DOUBLE, &sample_every,
         "print the server's RSS and open files every S seconds of the window (0: never)", "S"},
        {NULL},
    };
    GOptionContext *octx = g_option_context_new("- one SFU process under a conference load");
    g_option_context_add_main_entries(octx, entries, NULL);
    GError *error = NULL;
    if (!g_option_context_parse(octx, &argc, &argv, &error))
        die("options", error);
    g_option_context_free(octx);
    Sfu *s = g_new0(Sfu, 1);
    s->janus = g_strcmp0(server, "janus") == 0;
    if (!s->janus && g_strcmp0(server, "parley") != 0)
        die("--server parley|janus", NULL);
    if (n < 2 || n > LOAD_MAX_PARTICIPANTS || conferences < 1 || n / conferences < 2 ||
        workers < 0 || seconds <= 0 || junk_pps < 0 || sample_every < 0)
        die("bad -n/-c/-w/-d", NULL);
    s->n = (guint)n;
    s->conferences = (guint)conferences;
    s->video_kbps = (guint)video_kbps;
    s->workers = (guint)workers;
    s->junk_pps = s->janus ? 0 : (guint)junk_pps;
    s->seconds = seconds;
    s->warmup = warmup;
    s->sample_every = sample_every;
    return s;
}

int main(int argc, char **argv)
{
    Sfu *s = parse_options(argc, argv);
    setvbuf(stdout, NULL, _IOLBF, 0);
    xmpp_initialize();
    bridge_srtp_global_init();
    load_init(&s->load, s->n, s->video_kbps);
    double load0 = test_loadavg();

    gint64 t0 = g_get_monotonic_time();
    if (s->janus)
        setup_janus(s);
    else
        setup_parley(s);
    if (!pump_until(s, connected, 60000))
        die("participants did not connect within 60 s", NULL);
    for (guint i = 0; i < s->n; i++) {
        LoadPart *p = &s->load.parts[i];
        if (!sim_peer_take_over(p->tx_peer, &p->tx))
            die("take-over", NULL);
        if (p->rx_peer == p->tx_peer)
            p->rx = p->tx;
        else if (!sim_peer_take_over(p->rx_peer, &p->rx))
            die("take-over", NULL);
    }
    double setup_s = (g_get_monotonic_time() - t0) / 1e6;
    pump(s, 1.0);
    long rss_idle = test_process_rss_kb(s->pid);
    int fds_idle = test_process_fds(s->pid);

    GThread *junk = s->junk_pps ? g_thread_new("load-junk", junk_main, s) : NULL;
    load_start(&s->load);
    pump(s, s->warmup);
    load_window(&s->load, bench_clock_ns(CLOCK_REALTIME), G_MAXINT64);
    guint64 wait0, wait1;
    guint64 cpu0 = test_process_cpu_ns(s->pid, &wait0), rx0 = load_received(&s->load);
    guint64 j0 = s->junk_sent;
    gint64 m0 = g_get_monotonic_time();
    measure(s, m0);
    guint64 cpu1 = test_process_cpu_ns(s->pid, &wait1), rx1 = load_received(&s->load);
    guint64 j1 = s->junk_sent;
    double win = (g_get_monotonic_time() - m0) / 1e6;
    load_window(&s->load, atomic_load(&s->load.measure_from_ns), bench_clock_ns(CLOCK_REALTIME));
    long rss_after = test_process_rss_kb(s->pid);
    int fds_after = test_process_fds(s->pid);
    load_stop(&s->load, pump, s);
    if (junk) {
        atomic_store(&s->stop_junk, TRUE);
        g_thread_join(junk);
    }

    Window w = {.rx = rx1 - rx0,
                .cpu = cpu1 - cpu0,
                .wait = wait1 - wait0,
                .junk = j1 - j0,
                .seconds = win,
                .setup_s = setup_s,
                .load0 = load0,
                .rss_idle = rss_idle,
                .rss_after = rss_after,
                .fds_idle = fds_idle,
                .fds_after = fds_after};
    report(s, &w);

    for (guint i = 0; i < s->n; i++) {
        LoadPart *p = &s->load.parts[i];
        if (p->rx_peer != p->tx_peer)
            sim_peer_free(p->rx_peer);
        sim_peer_free(p->tx_peer);
    }
    if (s->janus) {
        janus_client_free(s->jc);
        g_autofree char *script = g_build_filename(SRCDIR, "tests", "bench", "janus.sh", NULL);
        const char *stop[] = {script, "stop", s->janus_dir, NULL};
        g_spawn_sync(NULL, (char **)stop, NULL, G_SPAWN_DEFAULT, NULL, NULL, NULL, NULL, NULL,
                     NULL);
    } else {
        it_bridge_stop(&s->env);
        tx_free(s->focus);
        it_env_cleanup(&s->env);
    }
    load_clear(&s->load);
    xmpp_shutdown();
    return 0;
}
