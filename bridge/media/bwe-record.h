/* SPDX-License-Identifier: MIT */
/* A debugging facility: the bandwidth estimator's input toward one receiver, written as a text
 * trace that tests/unit/bridge/cc/test-bwe-traces.c replays call for call. Off unless the
 * environment variable PARLEY_BWE_RECORD names a directory; then each receiver endpoint gets
 * DIR/<conference>-<endpoint>.bwe, written with buffered stdio on its media worker (flushed
 * about once a second and when the endpoint goes). Not for production: it writes on the
 * packet path.
 *
 * Format (one call a line, in call order; every line's time is a delta in microseconds from
 * the previous line's, the first from t0 in the header):
 *   # parley-bwe-trace 1 conference=C endpoint=E t0=MONO_US real=WALL_US
 *   s DT SEQ SIZE            bridge_bwe_on_sent(seq, size, t)
 *   f DT BASE TOKENS...      bridge_bwe_on_feedback(statuses, n, t): statuses for BASE, BASE+1...
 *                            each "x" (not received), "=US" (received at US), or a number N
 *                            (received N * 250 us after the previous received one); "@SEQ"
 *                            sets the next status's sequence number when they skip
 *   r DT RTT_US              bridge_bwe_set_rtt(rtt)
 *   p DT WANTED_BPS DUE      bridge_bwe_probe_due(wanted, t) and what it returned (0/1)
 *   e DT ESTIMATE_BPS        bridge_bwe_estimate() as published (a check, not a call) */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "common/rtp/tcc.h"

typedef struct BridgeBweRecord BridgeBweRecord;

/* NULL unless PARLEY_BWE_RECORD is set (and the file could be created). */
BridgeBweRecord *bridge_bwe_record_open(const char *conference_id, const char *endpoint_id);
void bridge_bwe_record_close(BridgeBweRecord *r);

void bridge_bwe_record_sent(BridgeBweRecord *r, uint16_t seq, uint32_t size, int64_t t_us);
void bridge_bwe_record_feedback(BridgeBweRecord *r, const PaTccStatus *st, size_t n, int64_t t_us);
void bridge_bwe_record_rtt(BridgeBweRecord *r, int64_t rtt_us, int64_t t_us);
void bridge_bwe_record_probe(BridgeBweRecord *r, uint64_t wanted_bps, bool due, int64_t t_us);
void bridge_bwe_record_estimate(BridgeBweRecord *r, uint64_t estimate_bps, int64_t t_us);
