/* SPDX-License-Identifier: MIT */
/* RFC 3550 receiver statistics: extended sequence, loss (cumulative and per interval),
 * jitter, LSR/DLSR. Times are injected. */
#include "bridge/media/recv-stats.h"

static void test_in_order(void)
{
    BridgeRecvStats s;
    bridge_recv_stats_init(&s, 90000);
    PaRtcpReportBlock b;
    g_assert_false(bridge_recv_stats_report(&s, 1, 0, &b));
    for (guint i = 0; i < 100; i++)
        bridge_recv_stats_update(&s, (guint16)(1000 + i), i * 3000, i * 33333);
    g_assert_true(bridge_recv_stats_report(&s, 0x1234, 4000000, &b));
    g_assert_cmpuint(b.ssrc, ==, 0x1234);
    g_assert_cmpuint(b.ext_highest_seq, ==, 1099);
    g_assert_cmpint(b.cumulative_lost, ==, 0);
    g_assert_cmpuint(b.fraction_lost, ==, 0);
    g_assert_cmpuint(b.lsr, ==, 0);
    g_assert_cmpuint(b.dlsr, ==, 0);
    /* 33333 us at 90 kHz is 2999.97 ticks against 3000 of timestamp: jitter rounds to 0. */
    g_assert_cmpuint(b.jitter, <=, 1);
}

static void test_loss_and_intervals(void)
{
    BridgeRecvStats s;
    bridge_recv_stats_init(&s, 48000);
    PaRtcpReportBlock b;
    for (guint i = 0; i < 100; i++)
        if (i % 10 != 5) /* 10 of 100 lost */
            bridge_recv_stats_update(&s, (guint16)i, i * 960, i * 20000);
    g_assert_true(bridge_recv_stats_report(&s, 1, 2000000, &b));
    g_assert_cmpint(b.cumulative_lost, ==, 10);
    g_assert_cmpuint(b.fraction_lost, ==, 10 * 256 / 100);
    /* Next interval: nothing lost, so fraction is 0 while the cumulative count stays. */
    for (guint i = 100; i < 150; i++)
        bridge_recv_stats_update(&s, (guint16)i, i * 960, i * 20000);
    g_assert_true(bridge_recv_stats_report(&s, 1, 3000000, &b));
    g_assert_cmpint(b.cumulative_lost, ==, 10);
    g_assert_cmpuint(b.fraction_lost, ==, 0);
    /* Duplicates make the loss negative in RFC 3550 terms; fraction stays 0. */
    for (guint i = 0; i < 5; i++)
        bridge_recv_stats_update(&s, 149, 149 * 960, 3100000);
    g_assert_true(bridge_recv_stats_report(&s, 1, 3200000, &b));
    g_assert_cmpint(b.cumulative_lost, ==, 5);
    g_assert_cmpuint(b.fraction_lost, ==, 0);
}

static void test_wrap_and_reorder(void)
{
    BridgeRecvStats s;
    bridge_recv_stats_init(&s, 90000);
    guint16 seqs[] = {65533, 65534, 65535, 1, 0, 2, 3};
    for (guint i = 0; i < G_N_ELEMENTS(seqs); i++)
        bridge_recv_stats_update(&s, seqs[i], i * 3000, i * 33333);
    PaRtcpReportBlock b;
    g_assert_true(bridge_recv_stats_report(&s, 1, 1000000, &b));
    g_assert_cmpuint(b.ext_highest_seq, ==, 65536 + 3);
    g_assert_cmpint(b.cumulative_lost, ==, 0);
}

static void test_restart(void)
{
    BridgeRecvStats s;
    bridge_recv_stats_init(&s, 90000);
    for (guint i = 0; i < 10; i++)
        bridge_recv_stats_update(&s, (guint16)(100 + i), i, i);
    /* A jump far outside the dropout window restarts the source instead of counting loss. */
    for (guint i = 0; i < 10; i++)
        bridge_recv_stats_update(&s, (guint16)(40000 + i), i, 100 + i);
    PaRtcpReportBlock b;
    g_assert_true(bridge_recv_stats_report(&s, 1, 1000, &b));
    g_assert_cmpuint(b.ext_highest_seq, ==, 40009);
    g_assert_cmpint(b.cumulative_lost, ==, 0);
}

static void test_jitter(void)
{
    BridgeRecvStats s;
    bridge_recv_stats_init(&s, 90000);
    /* Packets every 20 ms of media time, arriving alternately 1 ms early and 1 ms late: |D| is
     * 2 ms = 180 ticks each time, and J converges to 180. */
    for (guint i = 0; i < 2000; i++) {
        gint64 arrival = (gint64)i * 20000 + ((i % 2) ? 1000 : -1000) + 1000000;
        bridge_recv_stats_update(&s, (guint16)i, i * 1800, arrival);
    }
    PaRtcpReportBlock b;
    g_assert_true(bridge_recv_stats_report(&s, 1, 50000000, &b));
    g_assert_cmpuint(b.jitter, >=, 175);
    g_assert_cmpuint(b.jitter, <=, 181);
}

static void test_lsr_dlsr(void)
{
    BridgeRecvStats s;
    bridge_recv_stats_init(&s, 90000);
    bridge_recv_stats_update(&s, 1, 0, 0);
    bridge_recv_stats_sr(&s, 0x12345678, 0x9abcdef0, 1000000);
    PaRtcpReportBlock b;
    g_assert_true(bridge_recv_stats_report(&s, 1, 1500000, &b));
    g_assert_cmpuint(b.lsr, ==, 0x56789abc);
    g_assert_cmpuint(b.dlsr, ==, 32768); /* 0.5 s in 1/65536 s */
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/bridge-media/recv-stats/in-order", test_in_order);
    g_test_add_func("/bridge-media/recv-stats/loss-and-intervals", test_loss_and_intervals);
    g_test_add_func("/bridge-media/recv-stats/wrap-and-reorder", test_wrap_and_reorder);
    g_test_add_func("/bridge-media/recv-stats/restart", test_restart);
    g_test_add_func("/bridge-media/recv-stats/jitter", test_jitter);
    g_test_add_func("/bridge-media/recv-stats/lsr-dlsr", test_lsr_dlsr);
    return g_test_run();
}
