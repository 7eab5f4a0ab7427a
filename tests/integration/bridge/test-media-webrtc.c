/* SPDX-License-Identifier: MIT */
/* Two real WebRTC peers (GStreamer webrtcbin) through the bridge's media plane, in one
 * process and one network namespace (tests/netns-run.sh), without XMPP: BridgeMedia is driven
 * directly the way the control thread drives it. Each peer must decode the other's VP8 video
 * and Opus audio; both send sdes:mid in every packet, and none may reach the other. Then garbage,
 * forged and replayed packets are thrown at the bridge, first from a plain UDP socket (dropped
 * as from an unknown address: they never reach an endpoint), then over a peer's validated ICE
 * pair (the drop counters must rise by exactly what was sent) while media keeps flowing. Prints the
 * media workers' CPU time per forwarded packet. Exit 77 when webrtcbin or a codec plugin is
 * missing. */
#include <arpa/inet.h>
#include <dirent.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/udp.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "bridge/media/media.h"
#include "webrtc-peer.h"

typedef struct {
    const char *id;
    PaTransport local;
    gboolean ready, connected;
    int failed;
} Ep;

static Ep eps[2] = {{.id = "alice"}, {.id = "bob"}};

/* The test plays the control registry: conference handle 1, endpoint i has handle i + 1. */
static Ep *find_ep(BridgeHandle ep)
{
    g_assert_true(ep == 1 || ep == 2);
    return &eps[ep - 1];
}

static void on_event(BridgeHandle ep, BridgeMediaEvent ev, const char *reason, gpointer data)
{
    g_test_message("bridge event %s: %d %s", find_ep(ep)->id, ev, reason ? reason : "");
    if (ev == BRIDGE_MEDIA_EVENT_CONNECTED)
        find_ep(ep)->connected = TRUE;
    else
        find_ep(ep)->failed++;
}

static void on_ready(BridgeHandle ep, const PaTransport *local, const GError *error, gpointer data)
{
    g_assert_no_error((GError *)error);
    pa_transport_copy(&find_ep(ep)->local, local);
    find_ep(ep)->ready = TRUE;
}

typedef gboolean (*Cond)(gpointer);

static gboolean wait_for(Cond cond, gpointer data, guint ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (!cond(data)) {
        if (g_get_monotonic_time() > end)
            return FALSE;
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(2000);
    }
    return TRUE;
}

static void pump(guint ms)
{
    gint64 end = g_get_monotonic_time() + (gint64)ms * 1000;
    while (g_get_monotonic_time() < end)
        if (!g_main_context_iteration(NULL, FALSE))
            g_usleep(2000);
}

static gboolean eps_ready(gpointer d)
{
    return eps[0].ready && eps[1].ready;
}

static WebrtcPeer *peers[2];

static gboolean all_connected(gpointer d)
{
    return eps[0].connected && eps[1].connected && webrtc_peer_ice_connected(peers[0]) &&
           webrtc_peer_ice_connected(peers[1]);
}

/* Waits until both peers decoded @frames more video frames and @audio more audio buffers. */
static void assert_media_flows(guint frames, guint audio, guint ms)
{
    const char *const names[2] = {eps[0].id, eps[1].id};
    g_assert_true(webrtc_pair_wait_media(peers, names, frames, audio, ms, wait_for));
}

/* CPU nanoseconds of the threads named media-* (schedstat: time on CPU). */
static guint64 media_threads_cpu_ns(void)
{
    guint64 total = 0;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        char path[80], comm[32] = "";
        if (e->d_name[0] == '.')
            continue;
        g_snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
        FILE *fp = fopen(path, "r");
        if (!fp)
            continue;
        gboolean media = fgets(comm, sizeof comm, fp) && strncmp(comm, "media-", 6) == 0;
        fclose(fp);
        if (!media)
            continue;
        g_snprintf(path, sizeof path, "/proc/self/task/%s/schedstat", e->d_name);
        unsigned long long ns = 0;
        if ((fp = fopen(path, "r"))) {
            if (fscanf(fp, "%llu", &ns) == 1)
                total += ns;
            fclose(fp);
        }
    }
    if (d)
        closedir(d);
    return total;
}

/* Captures one SRTP (not SRTCP) datagram sent from UDP port @from to UDP port @port on
 * loopback (every endpoint sends to the bridge's one port: the source tells them apart). */
static gsize capture_srtp_to(guint16 from, guint16 port, guint8 *out, gsize cap)
{
    int s = socket(AF_PACKET, SOCK_DGRAM | SOCK_NONBLOCK, htons(ETH_P_IP));
    if (s < 0)
        return 0;
    struct sockaddr_ll ll = {.sll_family = AF_PACKET,
                             .sll_protocol = htons(ETH_P_IP),
                             .sll_ifindex = (int)if_nametoindex("lo")};
    bind(s, (struct sockaddr *)&ll, sizeof ll);
    gsize got = 0;
    gint64 end = g_get_monotonic_time() + 3 * G_USEC_PER_SEC;
    guint8 buf[2048];
    while (!got && g_get_monotonic_time() < end) {
        ssize_t n = recv(s, buf, sizeof buf, 0);
        if (n < 0) {
            g_main_context_iteration(NULL, FALSE);
            g_usleep(1000);
            continue;
        }
        const struct iphdr *ip = (const struct iphdr *)buf;
        if (n < (ssize_t)sizeof *ip || ip->protocol != IPPROTO_UDP)
            continue;
        gsize ihl = ip->ihl * 4u;
        const struct udphdr *udp = (const struct udphdr *)(buf + ihl);
        const guint8 *pl = buf + ihl + sizeof *udp;
        gssize plen = n - (gssize)(ihl + sizeof *udp);
        if (plen < 12 || ntohs(udp->dest) != port || ntohs(udp->source) != from)
            continue;
        if (pl[0] >= 128 && pl[0] <= 191 && !(pl[1] >= 192 && pl[1] <= 223) && (gsize)plen <= cap) {
            memcpy(out, pl, plen);
            got = plen;
        }
    }
    close(s);
    return got;
}

static void test_two_peers(void)
{
    char *addrs[] = {"127.0.0.1", NULL};
    BridgeMediaConfig cfg = {.workers = 2,
                             .port = 43000,
                             .local_addresses = addrs,
                             .ice_timeout_s = 20,
                             .media_timeout_s = 20,
                             .conference_pack = 1 /* one peer per worker: use the ring */};
    GError *error = NULL;
    BridgeMediaCallbacks cb = {on_ready, on_event};
    BridgeMedia *media = bridge_media_new(&cfg, NULL, &cb, NULL, &error);
    g_assert_no_error(error);
    for (int i = 0; i < 2; i++) {
        pa_transport_init(&eps[i].local);
        bridge_media_endpoint_create(media, 1, i + 1, "conf", eps[i].id);
    }
    g_assert_true(wait_for(eps_ready, NULL, 5000));

    for (int i = 0; i < 2; i++) {
#ifdef WEBRTC_PEER_HAVE_GST_RTP
        peers[i] = webrtc_peer_new_full(eps[i].id, TRUE, &error);
#else
        peers[i] = webrtc_peer_new(eps[i].id, &error);
#endif
        g_assert_no_error(error);
    }
    for (int i = 0; i < 2; i++) {
        WebrtcPeer *other = peers[1 - i];
        g_assert_true(webrtc_peer_accept_offer(peers[i], &eps[i].local,
                                               webrtc_peer_audio_ssrc(other),
                                               webrtc_peer_video_ssrc(other), &error));
        g_assert_no_error(error);
    }
    g_assert_true(wait_for(webrtc_pair_gathered, peers, 10000));
    for (int i = 0; i < 2; i++) {
        PaTransport t;
        pa_transport_init(&t);
        webrtc_peer_get_transport(peers[i], &t);
        g_assert_cmpuint(t.candidates->len, >=, 1);
        bridge_media_endpoint_set_remote(media, i + 1, &t);
        pa_transport_clear(&t);
        BridgeMediaSsrc ssrcs[] = {{webrtc_peer_audio_ssrc(peers[i]), FALSE},
                                   {webrtc_peer_video_ssrc(peers[i]), TRUE}};
        bridge_media_endpoint_set_ssrcs(media, i + 1, ssrcs, 2);
    }
    g_assert_true(wait_for(all_connected, NULL, 15000));

    /* Each peer decodes the other's video and audio, and keeps doing so. */
    assert_media_flows(20, 50, 20000);
    BridgeMediaStats st0, st;
    bridge_media_get_stats(media, &st0);
    guint64 cpu0 = media_threads_cpu_ns();
    assert_media_flows(30, 100, 20000);
    guint64 cpu1 = media_threads_cpu_ns();
    bridge_media_get_stats(media, &st);
    guint64 fwd = st.rtp_forwarded - st0.rtp_forwarded;
    g_assert_cmpuint(fwd, >, 100);
    g_printerr("# figures: webrtcbin peers, media workers' CPU %.2f us per forwarded packet "
               "(%" G_GUINT64_FORMAT " packets at real-time rates, so wakeup-bound)\n",
               (double)(cpu1 - cpu0) / 1000.0 / (double)fwd, fwd);
    g_assert_cmpuint(st.endpoints_connected, ==, 2);

    /* Both peers send sdes:mid in every packet (their own m-lines' MIDs); none may arrive:
     * a browser would route by it to whichever of its m-lines has that MID. */
#ifdef WEBRTC_PEER_HAVE_GST_RTP
    for (int i = 0; i < 2; i++) {
        guint64 n, with_ext, with_mid;
        webrtc_peer_rtp_received(peers[i], &n, &with_ext, &with_mid);
        g_test_message("%s received %" G_GUINT64_FORMAT " RTP packets, %" G_GUINT64_FORMAT
                       " with an extension block, %" G_GUINT64_FORMAT " with sdes:mid",
                       eps[i].id, n, with_ext, with_mid);
        g_assert_cmpuint(n, >, 100);
        g_assert_cmpuint(with_ext, >, 100); /* the probe does see header extensions */
        g_assert_cmpuint(with_mid, ==, 0);
    }
    g_assert_cmpuint(st.hdrext_stripped, >, 100); /* and they did send it */
#else
    g_test_message("sdes:mid check not run: built without gstreamer-rtp-1.0");
#endif

    /* Capture one of alice's SRTP packets on its way to the bridge. */
    guint16 alice_local, bridge_port;
    webrtc_peer_selected_ports(peers[0], &alice_local, &bridge_port);
    g_assert_cmpuint(bridge_port, !=, 0);
    guint8 replay[1600];
    gsize replay_len = capture_srtp_to(alice_local, bridge_port, replay, sizeof replay);
    g_assert_cmpuint(replay_len, >, 12);
    guint8 forged[300];
    for (gsize i = 0; i < sizeof forged; i++)
        forged[i] = (guint8)g_random_int();
    forged[0] = 0x80; /* RTP v2 with a random body: cannot authenticate */
    forged[1] = 100;
    guint8 junk[64];
    memset(junk, 0xff, sizeof junk); /* no RFC 7983 class */

    /* 1. From a plain UDP socket on 127.0.0.1: never validated by ICE, so all of it is dropped
     *    as from an unknown address, before any endpoint's work (no other counter moves). */
    bridge_media_get_stats(media, &st0);
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in to = {.sin_family = AF_INET, .sin_port = htons(bridge_port)};
    inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    for (int i = 0; i < 10; i++) {
        sendto(s, replay, replay_len, 0, (struct sockaddr *)&to, sizeof to);
        sendto(s, forged, sizeof forged, 0, (struct sockaddr *)&to, sizeof to);
        sendto(s, junk, sizeof junk, 0, (struct sockaddr *)&to, sizeof to);
    }
    close(s);
    pump(300);
    bridge_media_get_stats(media, &st);
    for (int r = 0; r < BRIDGE_DROP_N_REASONS; r++)
        g_assert_cmpuint(st.drops[r] - st0.drops[r], ==, r == BRIDGE_DROP_UNKNOWN_ADDRESS ? 30 : 0);

    /* 2. Over alice's validated pair: every one is counted under its reason. */
    for (int i = 0; i < 5; i++)
        g_assert_true(webrtc_peer_send_raw(peers[0], replay, replay_len));
    for (int i = 0; i < 7; i++)
        g_assert_true(webrtc_peer_send_raw(peers[0], forged, sizeof forged));
    for (int i = 0; i < 3; i++)
        g_assert_true(webrtc_peer_send_raw(peers[0], junk, sizeof junk));
    pump(300);
    bridge_media_get_stats(media, &st);
    g_test_message("drops: replay %" G_GUINT64_FORMAT ", auth %" G_GUINT64_FORMAT
                   ", malformed %" G_GUINT64_FORMAT,
                   st.drops[BRIDGE_DROP_SRTP_REPLAY] - st0.drops[BRIDGE_DROP_SRTP_REPLAY],
                   st.drops[BRIDGE_DROP_SRTP_AUTH] - st0.drops[BRIDGE_DROP_SRTP_AUTH],
                   st.drops[BRIDGE_DROP_MALFORMED] - st0.drops[BRIDGE_DROP_MALFORMED]);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_SRTP_REPLAY] - st0.drops[BRIDGE_DROP_SRTP_REPLAY], ==, 5);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_SRTP_AUTH] - st0.drops[BRIDGE_DROP_SRTP_AUTH], ==, 7);
    g_assert_cmpuint(st.drops[BRIDGE_DROP_MALFORMED] - st0.drops[BRIDGE_DROP_MALFORMED], ==, 3);

    /* And media keeps flowing both ways. */
    assert_media_flows(15, 50, 20000);
    g_assert_cmpint(eps[0].failed + eps[1].failed, ==, 0);

    for (int i = 0; i < 2; i++)
        webrtc_peer_free(peers[i]);
    bridge_media_free(media);
    for (int i = 0; i < 2; i++)
        pa_transport_clear(&eps[i].local);
}

int main(int argc, char **argv)
{
    char *why = NULL;
    if (!webrtc_peer_available(&why)) {
        g_printerr("skipping: %s\n", why);
        g_free(why);
        return 77;
    }
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/media-webrtc/two-peers", test_two_peers);
    return g_test_run();
}
