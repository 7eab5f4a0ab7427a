/* SPDX-License-Identifier: MIT */
/* The transport-cc receive side of a sender leg: arrivals recorded per packet, feedback built
 * on the tick. Each built packet is parsed back (common/rtp/tcc.h) and checked against what
 * was recorded: in-order runs, losses reported as "not received", reordering within and
 * across feedback intervals, sequence wrap, duplicates, ring overflow and the split into
 * several packets when one interval holds more than one packet can carry. */
#include <glib.h>
#include <string.h>

#include "bridge/media/tcc-recv.h"
#include "common/rtp/tcc.h"

#define BRIDGE_SSRC 0x0b0b0b0bu

typedef struct {
    guint packets;
    PaTccStatus st[4096];
    size_t n; /* statuses over all packets */
    guint8 fb_counts[64];
    guint32 media_ssrc;
} Got;

static void on_emit(const guint8 *pkt, gsize len, gpointer data)
{
    Got *g = data;
    g_assert_cmpuint(len, <=, BRIDGE_TCC_MAX_PACKET);
    PaRtcpIter it;
    PaRtcpPacket p;
    g_assert_cmpint(pa_rtcp_iter_init(&it, pkt, len), ==, PA_RTCP_OK);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &p), ==, PA_RTCP_OK);
    PaRtcpTcc h;
    size_t n;
    g_assert_cmpint(pa_tcc_parse(pkt, &p, &h, g->st + g->n, G_N_ELEMENTS(g->st) - g->n, &n), ==,
                    PA_RTCP_OK);
    g_assert_cmpuint(n, ==, h.status_count);
    g_assert_cmphex(h.fb.sender_ssrc, ==, BRIDGE_SSRC);
    g->media_ssrc = h.fb.media_ssrc;
    if (g->n)
        g_assert_cmpuint(h.base_seq, ==, (guint16)(g->st[g->n - 1].seq + 1)); /* contiguous */
    g->fb_counts[g->packets % 64] = h.fb_count;
    g->n += n;
    g->packets++;
}

static gint64 scratch[BRIDGE_TCC_RING];

static guint build(BridgeTccRecv *r, Got *g)
{
    memset(g, 0, sizeof *g);
    return bridge_tcc_recv_build(r, BRIDGE_SSRC, scratch, on_emit, g);
}

static void test_in_order_and_loss(void)
{
    BridgeTccRecv *r = g_new(BridgeTccRecv, 1);
    bridge_tcc_recv_init(r);
    Got *g = g_new0(Got, 1);
    g_assert_cmpuint(build(r, g), ==, 0); /* nothing yet: nothing sent */
    gint64 t = 5000000;
    for (guint16 s = 100; s < 130; s++) {
        if (s == 110 || s == 111)
            continue; /* lost */
        bridge_tcc_recv_record(r, s, 0xAAAA, t + 1000 * (s - 100));
    }
    g_assert_cmpuint(build(r, g), ==, 1);
    g_assert_cmpuint(g->n, ==, 30);
    g_assert_cmphex(g->media_ssrc, ==, 0xAAAA);
    for (guint i = 0; i < 30; i++) {
        g_assert_cmpuint(g->st[i].seq, ==, 100 + i);
        if (i == 10 || i == 11) {
            g_assert_cmpuint(g->st[i].status, ==, PA_TCC_NOT_RECV);
            continue;
        }
        g_assert_cmpuint(g->st[i].status, ==, PA_TCC_SMALL);
        if (i > 0 && i != 12)
            g_assert_cmpint(g->st[i].delta, ==, 4); /* 1 ms apart */
        g_assert_cmpint(g->st[i].arrival_us, ==, t + 1000 * i);
    }
    g_assert_cmpuint(g->fb_counts[0], ==, 0);
    /* Nothing new: no feedback. A later packet: the next feedback starts after 129. */
    g_assert_cmpuint(build(r, g), ==, 0);
    bridge_tcc_recv_record(r, 131, 0xAAAA, t + 40000);
    g_assert_cmpuint(build(r, g), ==, 1);
    g_assert_cmpuint(g->n, ==, 2);
    g_assert_cmpuint(g->st[0].seq, ==, 130);
    g_assert_cmpuint(g->st[0].status, ==, PA_TCC_NOT_RECV);
    g_assert_cmpuint(g->st[1].status, ==, PA_TCC_SMALL);
    g_assert_cmpuint(g->fb_counts[0], ==, 1);
    /* Packet 130 arrives after its feedback went out: late, not reported again. */
    bridge_tcc_recv_record(r, 130, 0xAAAA, t + 41000);
    g_assert_cmpuint(r->late, ==, 1);
    g_assert_cmpuint(build(r, g), ==, 0);
    g_free(g);
    g_free(r);
}

static void test_reorder_wrap_duplicate(void)
{
    BridgeTccRecv *r = g_new(BridgeTccRecv, 1);
    bridge_tcc_recv_init(r);
    Got *g = g_new0(Got, 1);
    /* 65533, 65535, 65534 (reordered), 0, 0 (duplicate), 1 */
    static const guint16 seqs[] = {65533, 65535, 65534, 0, 0, 1};
    static const gint64 at[] = {1000, 2000, 3000, 4000, 9000, 5000};
    for (guint i = 0; i < G_N_ELEMENTS(seqs); i++)
        bridge_tcc_recv_record(r, seqs[i], 7, at[i]);
    g_assert_cmpuint(r->duplicates, ==, 1);
    g_assert_cmpuint(build(r, g), ==, 1);
    g_assert_cmpuint(g->n, ==, 5);
    static const guint16 want_seq[] = {65533, 65534, 65535, 0, 1};
    static const gint64 want_at[] = {1000, 3000, 2000, 4000, 5000};
    for (guint i = 0; i < 5; i++) {
        g_assert_cmpuint(g->st[i].seq, ==, want_seq[i]);
        g_assert_cmpint(g->st[i].arrival_us, ==, want_at[i]);
    }
    g_assert_cmpuint(g->st[2].status, ==, PA_TCC_LARGE); /* arrived before 65534: negative */
    g_free(g);
    g_free(r);
}

/* More packets in one interval than one feedback packet holds (each with a large delta),
 * then a jump beyond the ring: the oldest are skipped, the rest reported. */
static void test_split_and_overflow(void)
{
    BridgeTccRecv *r = g_new(BridgeTccRecv, 1);
    bridge_tcc_recv_init(r);
    Got *g = g_new0(Got, 1);
    gint64 t = 0;
    for (guint i = 0; i < 1000; i++) {
        t += (i % 2) ? 70000 : 0; /* every other delta 70 ms: large, 2 bytes */
        bridge_tcc_recv_record(r, (guint16)(60000 + i), 9, t);
    }
    guint pk = build(r, g);
    g_assert_cmpuint(pk, >=, 2);
    g_assert_cmpuint(g->n, ==, 1000);
    for (guint i = 0; i < pk && i < 64; i++)
        g_assert_cmpuint(g->fb_counts[i], ==, i);
    t = 0;
    for (guint i = 0; i < 1000; i++) {
        t += (i % 2) ? 70000 : 0;
        g_assert_cmpuint(g->st[i].seq, ==, (guint16)(60000 + i));
        g_assert_cmpint(g->st[i].arrival_us % ((gint64)64000 << 24), ==, t);
    }
    /* Next sequence 60000 + 1000 + 5000: 5001 unreported statuses do not fit the ring. */
    bridge_tcc_recv_record(r, (guint16)(61000 + 5000), 9, t + 1000);
    g_assert_cmpuint(r->skipped, ==, 5001 - BRIDGE_TCC_RING);
    build(r, g);
    g_assert_cmpuint(g->n, ==, BRIDGE_TCC_RING);
    g_assert_cmpuint(g->st[BRIDGE_TCC_RING - 1].seq, ==, (guint16)66000);
    g_assert_cmpuint(g->st[BRIDGE_TCC_RING - 1].status, !=, PA_TCC_NOT_RECV);
    for (guint i = 0; i + 1 < BRIDGE_TCC_RING; i++)
        g_assert_cmpuint(g->st[i].status, ==, PA_TCC_NOT_RECV);
    g_free(g);
    g_free(r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/tcc-recv/in-order-and-loss", test_in_order_and_loss);
    g_test_add_func("/tcc-recv/reorder-wrap-duplicate", test_reorder_wrap_duplicate);
    g_test_add_func("/tcc-recv/split-and-overflow", test_split_and_overflow);
    return g_test_run();
}
