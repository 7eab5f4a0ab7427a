/* SPDX-License-Identifier: MIT */
/* Test helpers for bridge/forward: a simulated VP8 encoding (one SSRC of a simulcast source)
 * that produces the packets Chrome sends with three temporal layers (pattern T0 T2 T1 T2, layer
 * sync on the frames that reference only T0, TL0PICIDX counting base frames, 15-bit picture
 * ids), and a checker that plays the receiver: it asserts that what comes out of a projection
 * is one continuous, decodable stream. Unit tests of bridge/forward only. */
#pragma once

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "bridge/forward/layer.h"

#define SIM_MAX_PACKET 1300

typedef struct {
    uint8_t data[SIM_MAX_PACKET];
    size_t len;
} SimPkt;

typedef struct {
    uint32_t ssrc;
    uint8_t enc;
    uint16_t seq;
    uint32_t ts;
    uint16_t picid;
    uint8_t tl0;
    unsigned temporal_layers; /* 1, 2 or 3 */
    unsigned pkts_per_frame;
    unsigned payload_bytes; /* per packet */
    uint16_t width, height;
    unsigned pos; /* place in the temporal pattern; 0 after a key frame */
    uint32_t ts_step;
} SimVp8;

/* An encoding with the given SSRC, encoding index and starting numbers. */
void sim_vp8_init(SimVp8 *e, uint32_t ssrc, uint8_t enc, uint16_t seq, uint32_t ts, uint16_t picid,
                  uint8_t tl0);

/* The packets of the next frame (a key frame when @key) appended to @out from *@n (at most
 * @cap); returns the frame's temporal layer. */
unsigned sim_vp8_frame(SimVp8 *e, bool key, SimPkt *out, unsigned *n, unsigned cap);

/* Layer info of a simulated packet (asserts it parses). */
BridgeLayerInfo sim_info(const SimPkt *p, BridgeCodec codec, uint8_t enc);

/* The receiver's view of one projected stream. */
typedef struct {
    uint32_t ssrc;
    bool have;
    uint16_t seq;
    uint32_t frame_ts;
    uint16_t picid;
    uint8_t tl0;
    bool tl0_have;
    unsigned packets;
    unsigned frames;
    unsigned keyframes;
    unsigned tid_count[4];
    bool allow_gaps; /* losses upstream are expected: holes allowed */
} SimReceiver;

void sim_receiver_init(SimReceiver *r, uint32_t ssrc);

/* Checks one forwarded VP8 packet: SSRC, consecutive sequence numbers (unless allow_gaps),
 * timestamps moving forward at each new frame, picture ids +1 per frame, TL0PICIDX +1 per
 * base-layer frame and unchanged otherwise, the first frame a key frame. Returns its
 * temporal layer. */
unsigned sim_receiver_take(SimReceiver *r, const uint8_t *pkt, size_t len);
