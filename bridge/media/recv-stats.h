/* SPDX-License-Identifier: MIT */
/* Receiver statistics for one received RTP source (RFC 3550 §6.4.1, appendix A.1, A.3, A.8):
 * extended highest sequence number, cumulative and interval loss, interarrival jitter, and the
 * LSR/DLSR fields. Pure: caller-owned struct, times injected (microseconds, any monotonic
 * base), no allocation, no logging. Used by the media worker that owns the endpoint. */
#pragma once

#include <glib.h>

#include "common/rtp/rtcp.h"

G_BEGIN_DECLS

typedef struct {
    gboolean started;
    guint16 max_seq;
    guint32 cycles; /* sequence wrap count << 16 */
    guint32 base_seq;
    guint32 received;       /* packets received (duplicates included, as in RFC 3550) */
    guint32 expected_prior; /* at the last report */
    guint32 received_prior;
    guint32 clock_rate;  /* RTP clock (Hz) for jitter; 0 = jitter not computed */
    gint64 last_transit; /* in RTP units */
    guint32 jitter_q4;   /* jitter * 16 (RFC 3550 A.8 fixed point) */
    guint32 lsr;         /* middle 32 bits of the last SR's NTP time; 0 = none */
    gint64 lsr_arrival_us;
} BridgeRecvStats;

void bridge_recv_stats_init(BridgeRecvStats *s, guint32 clock_rate);

/* One RTP packet arrived at @arrival_us with sequence @seq and timestamp @rtp_ts. */
void bridge_recv_stats_update(BridgeRecvStats *s, guint16 seq, guint32 rtp_ts, gint64 arrival_us);

/* A sender report arrived: @ntp_sec/@ntp_frac are its NTP timestamp. */
void bridge_recv_stats_sr(BridgeRecvStats *s, guint32 ntp_sec, guint32 ntp_frac, gint64 arrival_us);

/* Fills @out for a report sent at @now_us and starts a new interval. FALSE (nothing filled)
 * when no packet was received yet. */
gboolean bridge_recv_stats_report(BridgeRecvStats *s, guint32 ssrc, gint64 now_us,
                                  PaRtcpReportBlock *out);

G_END_DECLS
