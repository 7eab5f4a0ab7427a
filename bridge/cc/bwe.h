/* SPDX-License-Identifier: MIT */
/* Send-side bandwidth estimation toward one receiver, from its transport-cc feedback, in the
 * spirit of Google Congestion Control (draft-ietf-rmcat-gcc, and libwebrtc's GoogCC that
 * Jitsi Videobridge runs): how much the bridge may send this receiver, and when to probe for
 * more.
 *
 *  - Delay-based: packets are grouped by send time (bursts of 5 ms), and packets that
 *    arrive in a burst (held by a starved receiver, then delivered at once) join the group
 *    before them; for each group the change in one-way delay (arrival spacing minus send
 *    spacing) is accumulated, smoothed, and its trend over the last 20 groups is fitted by
 *    least squares. A trend above an adaptive threshold for more than 10 ms, while the delay
 *    is still above its smoothed value, means the bottleneck queue is growing (over-use);
 *    below minus the threshold, draining (under-use).
 *  - Rate control (AIMD): over-use cuts the rate to 85% of what the receiver actually got
 *    (the acknowledged bitrate); normal use raises it, by 8% a second while far from the
 *    link's known capacity, by about a packet per response time near it; under-use holds.
 *    The rate never runs far ahead of what is acknowledged (1.5x + 10 kbit/s): that is why
 *    the bridge probes.
 *  - Loss-based: over each 300 ms, more than 10% loss cuts the rate by half the loss
 *    fraction, less than 2% lets it grow 8%; in between it holds. Random loss around 2%
 *    therefore never drives the estimate down; lost packets do not feed the delay signal.
 *  - Probing: when the allocator wants more than the estimate (a better layer is one step
 *    away) and the link shows no congestion, a probe cluster is due: send at twice the
 *    estimate (bounded by what is wanted) for 150 ms, padding as needed. Every packet sent
 *    during the cluster counts; the rate the receiver got during it, if higher than the
 *    estimate, becomes the estimate. A failed probe backs off (2 s, doubling to 5 s, the
 *    period of libwebrtc's probing while application-limited), a successful one allows the
 *    next at once. Over-use right after a probe is the probe's doing: it does not take the
 *    rate below where it was before the probe.
 *
 * Defaults are Jitsi Videobridge's (jitsi-wire-reference §9): start 2.5 Mbit/s, 30 kbit/s to
 * 20 Mbit/s.
 *
 * Memory is taken at creation (a history of 4096 sent packets, ~150 KiB); the calls allocate
 * nothing. Thread: the receiver's media worker, which sends (bridge_bwe_on_sent) and gets
 * the feedback (bridge_bwe_on_feedback). Pure code, libc and libm; time is passed in. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rtp/tcc.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BRIDGE_BWE_HISTORY 4096

typedef struct {
    uint64_t start_bps; /* 2.5 Mbit/s */
    uint64_t min_bps;   /* 30 kbit/s */
    uint64_t max_bps;   /* 20 Mbit/s */
} BridgeBweConfig;

/* The defaults above. */
void bridge_bwe_config_init(BridgeBweConfig *c);

typedef enum {
    BRIDGE_BWE_NORMAL = 0,
    BRIDGE_BWE_OVERUSING,
    BRIDGE_BWE_UNDERUSING,
} BridgeBweSignal;

typedef struct BridgeBwe BridgeBwe;

/* A new estimator (transfer full: bridge_bwe_free). @cfg NULL for the defaults. NULL when
 * memory is short or the bounds are inconsistent. */
BridgeBwe *bridge_bwe_new(const BridgeBweConfig *cfg);
void bridge_bwe_free(BridgeBwe *b);

/* A packet sent to the receiver with transport-wide sequence number @seq, @size bytes on the
 * wire (RTP packet after SRTP, or whatever the caller counts consistently), at @send_us.
 * Every packet that carries the transport-cc extension, media, retransmission or padding. */
void bridge_bwe_on_sent(BridgeBwe *b, uint16_t seq, uint32_t size, int64_t send_us);

/* A feedback packet's statuses (pa_tcc_parse()) arriving at @now_us. Statuses about packets
 * not in the history (never sent, or too old) are ignored, as are repeats. */
void bridge_bwe_on_feedback(BridgeBwe *b, const PaTccStatus *statuses, size_t n, int64_t now_us);

/* The round-trip time, when the caller knows it (RTCP receiver reports); 100 ms until then.
 * It sets the additive increase's pace. */
void bridge_bwe_set_rtt(BridgeBwe *b, int64_t rtt_us);

/* The estimate: what may be sent to this receiver, bits per second. */
uint64_t bridge_bwe_estimate(const BridgeBwe *b);

typedef struct {
    uint32_t cluster;    /* id, counts from 1 */
    uint64_t rate_bps;   /* send everything (media and padding) at this rate... */
    int64_t duration_us; /* ...for this long from now */
} BridgeBweProbe;

/* Whether a probe should start at @now_us, given that the allocator would use @wanted_bps
 * (what the receiver's ideal allocation costs). When true, *@out says what to send; packets
 * sent while it lasts belong to it. */
bool bridge_bwe_probe_due(BridgeBwe *b, uint64_t wanted_bps, int64_t now_us, BridgeBweProbe *out);

typedef struct {
    uint64_t estimate_bps;
    uint64_t delay_bps; /* delay-based rate */
    uint64_t loss_bps;  /* loss-based limit */
    uint64_t acked_bps; /* what the receiver got, last 500 ms (0: unknown) */
    BridgeBweSignal signal;
    double loss_fraction; /* over the last loss interval */
    uint64_t packets_acked;
    uint64_t packets_lost;
    uint64_t probes;
    uint64_t probes_succeeded;
    uint64_t overuses;
} BridgeBweStats;

void bridge_bwe_get_stats(const BridgeBwe *b, BridgeBweStats *out);

#ifdef __cplusplus
}
#endif
