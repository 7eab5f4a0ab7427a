/* SPDX-License-Identifier: MIT */
/* RFC 3550 receiver statistics (see recv-stats.h). Sequence handling follows the spirit of
 * appendix A.1 without its probation: a WebRTC sender is already authenticated by SRTP, so the
 * first packet starts the source, and a jump of more than MAX_DROPOUT restarts it. */
#include "bridge/media/recv-stats.h"

#include <string.h>

#define MAX_DROPOUT 3000
#define MAX_MISORDER 100

void bridge_recv_stats_init(BridgeRecvStats *s, guint32 clock_rate)
{
    memset(s, 0, sizeof *s);
    s->clock_rate = clock_rate;
}

static void restart(BridgeRecvStats *s, guint16 seq)
{
    s->started = TRUE;
    s->max_seq = seq;
    s->cycles = 0;
    s->base_seq = seq;
    s->received = 0;
    s->expected_prior = 0;
    s->received_prior = 0;
}

void bridge_recv_stats_update(BridgeRecvStats *s, guint16 seq, guint32 rtp_ts, gint64 arrival_us)
{
    if (!s->started) {
        restart(s, seq);
        s->jitter_q4 = 0;
        s->last_transit = G_MININT64;
    } else {
        guint16 udelta = (guint16)(seq - s->max_seq);
        if (udelta < MAX_DROPOUT) {
            if (seq < s->max_seq)
                s->cycles += 1u << 16;
            s->max_seq = seq;
        } else if (udelta <= 65536 - MAX_MISORDER) {
            /* A large jump: the sender restarted its sequence. */
            restart(s, seq);
            s->last_transit = G_MININT64;
        } /* else: duplicate or reordered, counted below but not moving max_seq */
    }
    s->received++;

    if (s->clock_rate) {
        /* Arrival in RTP units; only differences matter so the base may wrap freely. */
        gint64 arrival = arrival_us * (gint64)s->clock_rate / 1000000;
        gint64 transit = (gint64)(guint32)((guint32)arrival - rtp_ts);
        if (s->last_transit != G_MININT64) {
            gint32 d = (gint32)(guint32)(transit - s->last_transit);
            guint32 ad = d < 0 ? (guint32) - (gint64)d : (guint32)d;
            /* J += (|D| - J) / 16, in Q4: J16 += |D| - (J16 + 8) / 16 */
            s->jitter_q4 += ad - ((s->jitter_q4 + 8) >> 4);
        }
        s->last_transit = transit;
    }
}

void bridge_recv_stats_sr(BridgeRecvStats *s, guint32 ntp_sec, guint32 ntp_frac, gint64 arrival_us)
{
    s->lsr = (ntp_sec << 16) | (ntp_frac >> 16);
    s->lsr_arrival_us = arrival_us;
}

gboolean bridge_recv_stats_report(BridgeRecvStats *s, guint32 ssrc, gint64 now_us,
                                  PaRtcpReportBlock *out)
{
    if (!s->started || s->received == 0)
        return FALSE;
    guint32 ext_max = s->cycles + s->max_seq;
    guint32 expected = ext_max - s->base_seq + 1;
    gint64 lost = (gint64)expected - (gint64)s->received;
    if (lost > 0x7fffff)
        lost = 0x7fffff;
    if (lost < -0x800000)
        lost = -0x800000;

    guint32 expected_interval = expected - s->expected_prior;
    guint32 received_interval = s->received - s->received_prior;
    s->expected_prior = expected;
    s->received_prior = s->received;
    gint64 lost_interval = (gint64)expected_interval - (gint64)received_interval;
    guint8 fraction = 0;
    if (expected_interval != 0 && lost_interval > 0)
        fraction = (guint8)MIN(255, (lost_interval << 8) / expected_interval);

    out->ssrc = ssrc;
    out->fraction_lost = fraction;
    out->cumulative_lost = (gint32)lost;
    out->ext_highest_seq = ext_max;
    out->jitter = s->jitter_q4 >> 4;
    out->lsr = s->lsr;
    if (s->lsr) {
        gint64 d = now_us - s->lsr_arrival_us;
        out->dlsr = d > 0 ? (guint32)MIN((gint64)G_MAXUINT32, d * 65536 / 1000000) : 0;
    } else {
        out->dlsr = 0;
    }
    return TRUE;
}
