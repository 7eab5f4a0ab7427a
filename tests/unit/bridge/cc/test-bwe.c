/* SPDX-License-Identifier: MIT */
/* The bandwidth estimator against synthetic traces: a simulated path (a bottleneck of set
 * capacity with a drop-tail queue, 20 ms each way, optional random loss) between the bridge
 * and a receiver that sends transport-cc feedback every 50 ms, and a bridge that sends what an
 * allocator would (the best of a 150k/500k/1.5M/2.5M layer ladder that fits the estimate),
 * probing with padding when the estimator says so. What a user would notice: the estimate
 * falls within about two seconds of the path getting worse (else the receiver freezes), it
 * comes back up when the path recovers (with probing: nothing else sends more than the
 * current layer), and random 2% loss does not collapse it. */
#include <glib.h>
#include <string.h>

#include "bridge/cc/bwe.h"

#define MS 1000
#define PKT_BYTES 1200
#define RING 8192

typedef struct {
    BridgeBwe *bwe;
    int64_t now;
    /* the path */
    double capacity_bps;
    int64_t link_free_us;
    double loss;
    uint64_t rng;
    /* in flight: arrival time per sequence number (0: lost or not sent) */
    int64_t arrival[RING];
    bool sent[RING];
    uint32_t next_seq;     /* unwrapped */
    uint32_t fb_base;      /* next sequence number the receiver reports */
    uint32_t highest_recv; /* highest received (unwrapped), or fb_base - 1 */
    /* feedback on its way back */
    PaTccStatus fb[32][1024];
    size_t fb_n[32];
    int64_t fb_at[32];
    unsigned fb_head, fb_tail;
    /* the sender */
    double budget_bits;
    int64_t probe_until;
    uint64_t probe_rate;
    double media_bps;
    uint64_t wanted;
    unsigned probes_sent;
    uint64_t padding_bytes;
} Sim;

static const double ladder[] = {150000, 500000, 1500000, 2500000};

static double rnd(Sim *s)
{
    s->rng ^= s->rng << 13;
    s->rng ^= s->rng >> 7;
    s->rng ^= s->rng << 17;
    return (double)(s->rng >> 11) / (double)(1ull << 53);
}

static void sim_init(Sim *s, double capacity, double loss)
{
    memset(s, 0, sizeof *s);
    s->bwe = bridge_bwe_new(NULL);
    g_assert_nonnull(s->bwe);
    s->now = 10 * 1000 * MS;
    s->capacity_bps = capacity;
    s->loss = loss;
    s->rng = 0x9e3779b97f4a7c15ull;
    s->next_seq = 1;
    s->fb_base = 1;
    s->highest_recv = 0;
    s->link_free_us = s->now;
}

static void send_packet(Sim *s, bool padding)
{
    uint32_t seq = s->next_seq++;
    bridge_bwe_on_sent(s->bwe, (uint16_t)seq, PKT_BYTES, s->now);
    s->sent[seq % RING] = true;
    s->arrival[seq % RING] = 0;
    if (padding)
        s->padding_bytes += PKT_BYTES;
    int64_t start = s->link_free_us > s->now ? s->link_free_us : s->now;
    /* Drop-tail at 300 ms of queue; random loss on the way. */
    if (start - s->now > 300 * MS || rnd(s) < s->loss)
        return;
    int64_t depart = start + (int64_t)(PKT_BYTES * 8 * 1e6 / s->capacity_bps);
    s->link_free_us = depart;
    s->arrival[seq % RING] = depart + 20 * MS;
}

/* The receiver reports everything up to the highest sequence number it got. */
static void make_feedback(Sim *s)
{
    uint32_t hi = s->fb_base - 1;
    for (uint32_t q = s->fb_base; q < s->next_seq; q++)
        if (s->arrival[q % RING] && s->arrival[q % RING] <= s->now)
            hi = q;
    if (hi < s->fb_base)
        return;
    unsigned slot = s->fb_head;
    size_t n = 0;
    for (uint32_t q = s->fb_base; q <= hi && n < 1024; q++, n++) {
        bool got = s->arrival[q % RING] && s->arrival[q % RING] <= s->now;
        s->fb[slot][n] = (PaTccStatus){(uint16_t)q, got ? PA_TCC_SMALL : PA_TCC_NOT_RECV, 0,
                                       got ? s->arrival[q % RING] : 0};
    }
    s->fb_base = (uint32_t)(s->fb_base + n);
    s->fb_n[slot] = n;
    s->fb_at[slot] = s->now + 20 * MS;
    s->fb_head = (s->fb_head + 1) % 32;
    g_assert_cmpuint(s->fb_head, !=, s->fb_tail);
}

static void allocate(Sim *s)
{
    double est = (double)bridge_bwe_estimate(s->bwe);
    s->media_bps = ladder[0];
    s->wanted = (uint64_t)ladder[G_N_ELEMENTS(ladder) - 1];
    for (size_t k = 0; k < G_N_ELEMENTS(ladder); k++) {
        if (ladder[k] <= est) {
            s->media_bps = ladder[k];
        } else {
            s->wanted = (uint64_t)ladder[k];
            break;
        }
    }
    BridgeBweProbe p;
    if (bridge_bwe_probe_due(s->bwe, s->wanted, s->now, &p)) {
        g_assert_cmpuint(p.rate_bps, >, est);
        s->probe_until = s->now + p.duration_us;
        s->probe_rate = p.rate_bps;
        s->probes_sent++;
    }
}

/* Runs the simulation until @until_us (relative to the start); returns the estimate. */
static uint64_t run_until(Sim *s, int64_t until_us)
{
    int64_t end = 10 * 1000 * MS + until_us;
    while (s->now < end) {
        if ((s->now / MS) % 100 == 0)
            allocate(s);
        bool probing = s->now < s->probe_until;
        double rate = probing ? (double)s->probe_rate : s->media_bps;
        s->budget_bits += rate / 1000.0;
        while (s->budget_bits >= PKT_BYTES * 8) {
            s->budget_bits -= PKT_BYTES * 8;
            send_packet(s, probing && rate > s->media_bps);
        }
        if ((s->now / MS) % 50 == 0)
            make_feedback(s);
        if (g_getenv("BWE_TRACE") && (s->now / MS) % 250 == 0) {
            BridgeBweStats st;
            bridge_bwe_get_stats(s->bwe, &st);
            g_printerr("t=%.2f est=%" G_GUINT64_FORMAT " delay=%" G_GUINT64_FORMAT
                       " loss=%" G_GUINT64_FORMAT " acked=%" G_GUINT64_FORMAT
                       " sig=%d media=%.0f probes=%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT
                       " q=%.0fms\n",
                       (double)(s->now - 10000 * MS) / 1e6, st.estimate_bps, st.delay_bps,
                       st.loss_bps, st.acked_bps, st.signal, s->media_bps, st.probes_succeeded,
                       st.probes, (double)(s->link_free_us - s->now) / 1000.0);
        }
        while (s->fb_tail != s->fb_head && s->fb_at[s->fb_tail] <= s->now) {
            bridge_bwe_on_feedback(s->bwe, s->fb[s->fb_tail], s->fb_n[s->fb_tail], s->now);
            s->fb_tail = (s->fb_tail + 1) % 32;
        }
        s->now += MS;
    }
    return bridge_bwe_estimate(s->bwe);
}

static void sim_clear(Sim *s)
{
    bridge_bwe_free(s->bwe);
}

static void test_converges_below_capacity(void)
{
    static Sim s;
    sim_init(&s, 2000000, 0);
    /* Starting at 2.5 Mbit/s over a 2 Mbit/s path: the estimate comes down under it and
     * stays useful (the 1.5M layer fits). */
    uint64_t est = run_until(&s, 15000 * MS);
    g_test_message("estimate after 15 s on 2 Mbit/s: %" G_GUINT64_FORMAT, est);
    g_assert_cmpuint(est, <=, 2000000 * 1.1);
    g_assert_cmpuint(est, >=, 1500000);
    BridgeBweStats st;
    bridge_bwe_get_stats(s.bwe, &st);
    g_assert_cmpuint(st.packets_acked, >, 1000);
    sim_clear(&s);
}

static void test_step_down(void)
{
    static Sim s;
    sim_init(&s, 4000000, 0);
    uint64_t before = run_until(&s, 10000 * MS);
    g_assert_cmpuint(before, >=, 1500000);
    /* The path drops to 500 kbit/s (a receiver on a bad uplink, tc in the tests). */
    s.capacity_bps = 500000;
    int64_t t = 10000 * MS;
    while (bridge_bwe_estimate(s.bwe) > 500000 && t < 20000 * MS) {
        t += 50 * MS;
        run_until(&s, t);
    }
    g_test_message("estimate below 500k %.2f s after the drop", (double)(t - 10000 * MS) / 1e6);
    g_assert_cmpint(t - 10000 * MS, <=, 2000 * MS);
    /* And it stays usable: not collapsed to the floor. */
    uint64_t later = run_until(&s, 25000 * MS);
    g_assert_cmpuint(later, >=, 250000);
    g_assert_cmpuint(later, <=, 600000);
    sim_clear(&s);
}

static void test_step_up_with_probing(void)
{
    static Sim s;
    sim_init(&s, 500000, 0);
    uint64_t low = run_until(&s, 10000 * MS);
    g_assert_cmpuint(low, <=, 650000);
    unsigned probes_before = s.probes_sent;
    /* The limit is lifted. The bridge sends only the 500k layer, so without probing the
     * estimate could not see more than ~1.5x that. */
    s.capacity_bps = 4000000;
    int64_t t = 10000 * MS;
    while (bridge_bwe_estimate(s.bwe) < 1500000 && t < 30000 * MS) {
        t += 100 * MS;
        run_until(&s, t);
    }
    g_test_message("estimate at 1.5M %.2f s after the lift (%u probes)",
                   (double)(t - 10000 * MS) / 1e6, s.probes_sent - probes_before);
    g_assert_cmpint(t - 10000 * MS, <=, 15000 * MS);
    g_assert_cmpuint(s.probes_sent, >, probes_before);
    g_assert_cmpuint(s.padding_bytes, >, 0);
    uint64_t high = run_until(&s, 30000 * MS);
    g_assert_cmpuint(high, >=, 2500000);
    BridgeBweStats st;
    bridge_bwe_get_stats(s.bwe, &st);
    g_assert_cmpuint(st.probes_succeeded, >, 0);
    sim_clear(&s);
}

static void test_random_loss_does_not_collapse(void)
{
    static Sim s;
    /* A 2 Mbit/s path that also loses 2% at random: the estimate still finds the path
     * (the 1.5M layer keeps flowing) instead of ratcheting down with every loss report. */
    sim_init(&s, 2000000, 0.02);
    uint64_t est = run_until(&s, 30000 * MS);
    BridgeBweStats st;
    bridge_bwe_get_stats(s.bwe, &st);
    g_test_message("2%% loss: estimate %" G_GUINT64_FORMAT ", loss-based %" G_GUINT64_FORMAT
                   ", lost %" G_GUINT64_FORMAT " of %" G_GUINT64_FORMAT,
                   est, st.loss_bps, st.packets_lost, st.packets_lost + st.packets_acked);
    g_assert_cmpuint(st.packets_lost * 100, >, (st.packets_lost + st.packets_acked) * 3 / 2);
    g_assert_cmpuint(est, >=, 1500000);
    g_assert_cmpuint(est, <=, 2400000);
    g_assert_cmpuint(st.loss_bps, >=, 1500000);
    g_assert_cmpfloat(s.media_bps, ==, 1500000);
    sim_clear(&s);
}

static void test_heavy_loss_cuts(void)
{
    static Sim s;
    sim_init(&s, 3000000, 0);
    uint64_t before = run_until(&s, 8000 * MS);
    /* 30% loss (no queueing): the loss-based limit takes over. */
    s.loss = 0.3;
    uint64_t after = run_until(&s, 12000 * MS);
    g_test_message("30%% loss: %" G_GUINT64_FORMAT " -> %" G_GUINT64_FORMAT, before, after);
    g_assert_cmpuint(after, <, before / 2);
    sim_clear(&s);
}

static void test_feedback_garbage(void)
{
    BridgeBwe *b = bridge_bwe_new(NULL);
    /* Feedback before anything was sent, about unknown or repeated numbers, is ignored. */
    PaTccStatus st[3] = {
        {5, PA_TCC_SMALL, 0, 1000}, {6, PA_TCC_NOT_RECV, 0, 0}, {5, PA_TCC_SMALL, 0, 1000}};
    bridge_bwe_on_feedback(b, st, 3, 1000);
    bridge_bwe_on_sent(b, 5, 1000, 500);
    bridge_bwe_on_feedback(b, st, 3, 2000);
    bridge_bwe_on_feedback(b, st, 3, 3000);
    BridgeBweStats s;
    bridge_bwe_get_stats(b, &s);
    g_assert_cmpuint(s.packets_acked, ==, 1);
    g_assert_cmpuint(s.packets_lost, ==, 0);
    g_assert_cmpuint(bridge_bwe_estimate(b), >=, 2500000);
    g_assert_cmpuint(bridge_bwe_estimate(b), <, 2510000);
    bridge_bwe_free(b);
    BridgeBweConfig c = {.start_bps = 10, .min_bps = 100, .max_bps = 1000};
    g_assert_null(bridge_bwe_new(&c));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/cc/bwe/converges-below-capacity", test_converges_below_capacity);
    g_test_add_func("/cc/bwe/step-down", test_step_down);
    g_test_add_func("/cc/bwe/step-up-with-probing", test_step_up_with_probing);
    g_test_add_func("/cc/bwe/random-loss-does-not-collapse", test_random_loss_does_not_collapse);
    g_test_add_func("/cc/bwe/heavy-loss-cuts", test_heavy_loss_cuts);
    g_test_add_func("/cc/bwe/feedback-garbage", test_feedback_garbage);
    return g_test_run();
}
