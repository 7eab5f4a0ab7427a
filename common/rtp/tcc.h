/* SPDX-License-Identifier: MIT */
/* Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01
 * §3.1, RTPFB FMT 15): a writer that turns "arrival time per transport-wide sequence number"
 * into feedback packets, and a full parser (chunks and receive deltas) used by tests and by
 * anything that needs the per-packet view.
 *
 * Pure code: no allocation, no logging, no state; any thread.
 *
 * Wire format reminder (FCI after the 12-byte feedback header):
 *   base sequence number (16) | packet status count (16)
 *   reference time (24, signed, 64 ms units) | feedback packet count (8)
 *   packet status chunks (16 bits each):
 *     run length:    0 | S(2) | run length (13)
 *     status vector: 1 | 0 | 14 x 1-bit symbols (0 not received, 1 small delta)
 *                    1 | 1 |  7 x 2-bit symbols (0 not received, 1 small, 2 large delta)
 *   receive deltas, one per received packet, in 250 us units: small = 1 byte unsigned
 *   (0..63.75 ms), large = 2 bytes signed (-8192..8191.75 ms). The first delta is relative to
 *   reference time, each next one to the previous received packet.
 *   Zero padding to 32 bits; like libwebrtc, the writer sets the P bit and stores the padding
 *   length in the last byte (RFC 3550 §6.4.1), which every RTCP parser understands. */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "common/rtp/rtcp.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Arrival time meaning "this sequence number was not received". */
#define PA_TCC_NOT_RECEIVED INT64_C(-1)
/* Header (12) + FCI fixed part (8). */
#define PA_TCC_MIN_LEN 20

/* Per-packet status symbols. */
enum {
    PA_TCC_NOT_RECV = 0,
    PA_TCC_SMALL = 1,
    PA_TCC_LARGE = 2,
};

/* Writes one feedback packet for the sequence numbers base_seq, base_seq + 1, ... whose
 * arrival times (microseconds on any clock with arrival_us >= 0, or PA_TCC_NOT_RECEIVED) are
 * @arrival_us[0..n). Arrival times must be what the receiver saw: they may go backwards
 * (reordering), which yields negative (large) deltas.
 *
 * The packet covers a prefix of the input: it stops early when the next packet would not fit
 * in @cap, when 65535 statuses are reached, or when a receive delta does not fit in the 16-bit
 * large form (a gap of more than ~8 s between two received packets); *@consumed (not NULL)
 * tells how many entries it covers, and the caller writes the rest into a next packet with
 * base_seq + consumed and fb_count + 1. The reference time is the first received arrival of
 * @arrival_us rounded down to 64 ms (sent mod 2^24), 0 when none was received; so the first
 * delta is always small.
 * Chunk choice (deterministic, so tests can state exact bytes): at each position, a run of
 * >= 14 equal symbols, or a run reaching the end, is a run-length chunk (at most 8191);
 * otherwise 14 symbols without a large delta are a 1-bit status vector; otherwise a run of
 * >= 7 is a run-length chunk, and anything else a 2-bit vector of 7. A vector covering the
 * last statuses fills its unused slots with 0.
 *
 * Returns the packet length (a multiple of 4, >= PA_TCC_MIN_LEN + 4), or 0 (consumed 0) when
 * @n is 0, @arrival_us is NULL, or not even one status fits in @cap. */
size_t pa_tcc_write(uint8_t *buf, size_t cap, uint32_t sender_ssrc, uint32_t media_ssrc,
                    uint16_t base_seq, uint8_t fb_count, const int64_t *arrival_us, size_t n,
                    size_t *consumed);

/* One status of a parsed feedback packet. */
typedef struct {
    uint16_t seq;
    uint8_t status;     /* PA_TCC_NOT_RECV, PA_TCC_SMALL or PA_TCC_LARGE */
    int32_t delta;      /* receive delta in 250 us units (0 when not received) */
    int64_t arrival_us; /* reference time * 64000 + sum of deltas * 250; 0 if not received */
} PaTccStatus;

/* Parses a whole transport-cc packet @p (from the RTCP iterator) into @hdr and up to @cap
 * statuses in @out (*@n_out: how many written, = hdr->status_count when @cap sufficed).
 * Returns PA_RTCP_OK, ERR_TYPE (not RTPFB/15), or ERR_LENGTH when the chunks or deltas run past
 * the packet, a chunk uses symbol 3, or a run-length chunk has length 0. */
PaRtcpStatus pa_tcc_parse(const uint8_t *buf, const PaRtcpPacket *p, PaRtcpTcc *hdr,
                          PaTccStatus *out, size_t cap, size_t *n_out);

#ifdef __cplusplus
}
#endif
