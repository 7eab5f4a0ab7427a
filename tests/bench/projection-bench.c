/* SPDX-License-Identifier: MIT */
/* projection-bench: what layer selection and rewriting (bridge/forward) cost per packet, next
 * to what forwarding a packet to one receiver costs without them (the copy into the
 * receiver's buffer and the SRTP protect, measured in the same run; the send is extra on top
 * of both). Issue 13's budget: the projection must stay within 10% of plain forwarding.
 *
 * The traffic is a VP8 simulcast source as Chrome sends it (three encodings, three temporal
 * layers, two packets per frame, 1200-byte packets). Per packet it measures:
 *  - the layer info, parsed once per packet on the sender's side (shared by all receivers);
 *  - one receiver's projection (decision and in-place rewrite) for: everything forwarded
 *    (one encoding, all layers: the SSRC/sequence/timestamp/picture id rewrite only), a
 *    receiver of one encoding of three (two of three packets dropped), and a temporal drop
 *    (base layer only);
 *  - the retransmission cache's put, per packet on the sender's side.
 * A benchmark prints figures, it asserts nothing.
 *
 *   projection-bench [--packets N]
 *
 * Single-threaded, CPU time of this thread. */
#include <glib.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bridge/forward/projection.h"
#include "bridge/forward/rtx.h"
#include "bridge/srtp/srtp.h"
#include "common/rtp/rtp.h"

#define PKT_LEN 1200
#define N_ENC 3

typedef struct {
    uint8_t data[PKT_LEN];
    size_t len;
    uint8_t enc;
    BridgeLayerInfo info;
} Pkt;

static gint64 cpu_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (gint64)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* One 1200-byte VP8 packet of encoding @enc. */
static void make_packet(Pkt *p, uint8_t enc, uint16_t seq, uint32_t ts, uint16_t picid, uint8_t tl0,
                        unsigned tid, bool start, bool key, bool marker)
{
    uint8_t payload[PKT_LEN];
    size_t n = 0;
    payload[n++] = (uint8_t)(0x80 | (start ? 0x10 : 0));
    payload[n++] = 0xe0;
    payload[n++] = (uint8_t)(0x80 | picid >> 8);
    payload[n++] = (uint8_t)picid;
    payload[n++] = tl0;
    payload[n++] = (uint8_t)(tid << 6 | (tid ? 0x20 : 0));
    payload[n++] = key ? 0x50 : 0x51;
    memset(payload + n, 0x5a, sizeof payload - n);
    PaRtpBuild b = {.marker = marker,
                    .payload_type = 100,
                    .seq = seq,
                    .timestamp = ts,
                    .ssrc = 0x1000 + enc,
                    .payload = payload,
                    .payload_len = PKT_LEN - 12};
    p->len = pa_rtp_build(p->data, sizeof p->data, &b);
    p->enc = enc;
}

/* @n packets of the three encodings interleaved frame by frame (a key frame each first). */
static Pkt *make_stream(unsigned n)
{
    static const unsigned tids[4] = {0, 2, 1, 2};
    Pkt *pkts = g_new(Pkt, n);
    uint16_t seq[N_ENC] = {100, 20000, 40000}, picid[N_ENC] = {1, 5000, 9000};
    uint32_t ts[N_ENC] = {1, 1000000, 2000000};
    uint8_t tl0[N_ENC] = {1, 50, 100};
    unsigned frame = 0, k = 0;
    while (k < n) {
        for (uint8_t e = 0; e < N_ENC && k < n; e++) {
            unsigned tid = tids[frame % 4];
            if (tid == 0)
                tl0[e]++;
            for (unsigned q = 0; q < 2 && k < n; q++, k++)
                make_packet(&pkts[k], e, seq[e]++, ts[e], picid[e], tl0[e], tid, q == 0, frame == 0,
                            q == 1);
            ts[e] += 3000;
            picid[e] = (picid[e] + 1) & 0x7fff;
        }
        frame++;
    }
    return pkts;
}

static double time_layer_info(Pkt *pkts, unsigned n)
{
    gint64 t0 = cpu_ns();
    for (unsigned k = 0; k < n; k++) {
        PaRtpHeader h;
        pa_rtp_parse(pkts[k].data, pkts[k].len, &h);
        bridge_layer_info_parse(BRIDGE_CODEC_VP8, pkts[k].enc, pkts[k].data, &h, NULL, NULL,
                                &pkts[k].info);
    }
    return (double)(cpu_ns() - t0) / n;
}

/* The copy alone over the same packets (@only as below), for the difference. */
static double time_copy(const Pkt *pkts, unsigned n, int only, uint8_t *out)
{
    unsigned offered = 0;
    gint64 t0 = cpu_ns();
    for (unsigned k = 0; k < n; k++) {
        if (only >= 0 && pkts[k].enc != only)
            continue;
        memcpy(out + (k & 63) * PKT_LEN, pkts[k].data, pkts[k].len);
        offered++;
    }
    return (double)(cpu_ns() - t0) / (offered ? offered : 1);
}

/* Copy plus projection per packet, and the forwarded share. @only: just that encoding's
 * packets are offered (the pass-through case). */
static double time_projection(const Pkt *pkts, unsigned n, BridgeLayerTarget target, int only,
                              uint8_t *out, double *forwarded_share)
{
    BridgeProjection *p = g_new(BridgeProjection, 1);
    bridge_projection_init(p, 0x1000, 90000);
    bridge_projection_set_target(p, target);
    unsigned offered = 0, forwarded = 0;
    gint64 t0 = cpu_ns();
    for (unsigned k = 0; k < n; k++) {
        if (only >= 0 && pkts[k].enc != only)
            continue;
        uint8_t *buf = out + (k & 63) * PKT_LEN;
        memcpy(buf, pkts[k].data, pkts[k].len);
        unsigned flags;
        offered++;
        forwarded += bridge_projection_process(p, buf, pkts[k].len, &pkts[k].info, 1000 + k,
                                               &flags) == BRIDGE_PROJ_FORWARD;
    }
    gint64 dt = cpu_ns() - t0;
    g_free(p);
    *forwarded_share = offered ? (double)forwarded / offered : 0;
    return (double)dt / (offered ? offered : 1);
}

static double time_cache(const Pkt *pkts, unsigned n)
{
    BridgeRtxCache *c = bridge_rtx_cache_new(512, 256u << 10, N_ENC, BRIDGE_RTX_DEFAULT_MAX_AGE_US);
    gint64 t0 = cpu_ns();
    for (unsigned k = 0; k < n; k++)
        bridge_rtx_cache_put(c, pkts[k].enc, pkts[k].data, pkts[k].len, 1000 + k);
    gint64 dt = cpu_ns() - t0;
    bridge_rtx_cache_free(c);
    return (double)dt / n;
}

int main(int argc, char **argv)
{
    unsigned n = 600000;
    for (int i = 1; i + 1 < argc; i++)
        if (strcmp(argv[i], "--packets") == 0)
            n = (unsigned)g_ascii_strtoull(argv[++i], NULL, 10);
    if (n < 1000)
        n = 1000;
    bridge_srtp_global_init();
    Pkt *pkts = make_stream(n);
    uint8_t *out = g_malloc(64 * PKT_LEN);

    double info = time_layer_info(pkts, n);
    /* Each case: the projection of one receiver (copy included), and the copy alone over the
     * same packets. Best of 5 rounds: the least disturbed by other work on the machine. */
    const struct {
        const char *what;
        BridgeLayerTarget target;
        int only;
    } cases[] = {
        {"pass-through (rewrite only)", {0, 0, 2}, 0},
        {"simulcast: 1 encoding of 3", {2, 0, 2}, -1},
        {"temporal drop: base layer only", {1, 0, 0}, -1},
    };
    double with[3] = {0}, without[3] = {0}, share[3] = {0};
    for (int round = 0; round < 5; round++) {
        for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
            double sh, w = time_projection(pkts, n, cases[i].target, cases[i].only, out, &sh);
            double c = time_copy(pkts, n, cases[i].only, out);
            if (round == 0 || w < with[i]) {
                with[i] = w;
                share[i] = sh;
            }
            if (round == 0 || c < without[i])
                without[i] = c;
        }
    }
    double copy = without[1];
    double cache = time_cache(pkts, n);
    double protect =
        bridge_srtp_measure_protect_ns(BRIDGE_SRTP_AEAD_AES_128_GCM, PKT_LEN - 12, 20000);
    double plain = copy + protect;

    printf("projection-bench: %u packets of %d bytes, VP8 simulcast (3 encodings x 3 temporal "
           "layers)\n",
           n, PKT_LEN);
    printf("  per packet, ns of CPU           copy %.1f   SRTP protect (%s, GCM) %.1f\n", copy,
           bridge_srtp_backend(), protect);
    printf("  plain forwarding to a receiver  %.1f ns (copy + protect; the send comes on top)\n",
           plain);
    printf("  layer info (once per packet)    %.1f ns\n", info);
    printf("  retransmission cache put        %.1f ns (once per packet)\n", cache);
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        double proj = with[i] - without[i];
        printf("  %-31s projection %.1f ns per packet offered (%.0f%% forwarded) = %.1f%% of "
               "plain forwarding\n",
               cases[i].what, proj, share[i] * 100, proj * 100 / plain);
    }
    g_free(out);
    g_free(pkts);
    bridge_srtp_global_shutdown();
    return 0;
}
