/* SPDX-License-Identifier: MIT */
/* Simulated VP8 encodings and the receiver-side checker (sim-stream.h). */
#include "sim-stream.h"

#include <glib.h>
#include <string.h>

#include "common/rtp/rtp.h"
#include "common/rtp/vp8.h"

void sim_vp8_init(SimVp8 *e, uint32_t ssrc, uint8_t enc, uint16_t seq, uint32_t ts, uint16_t picid,
                  uint8_t tl0)
{
    memset(e, 0, sizeof *e);
    e->ssrc = ssrc;
    e->enc = enc;
    e->seq = seq;
    e->ts = ts;
    e->picid = picid & 0x7fff;
    e->tl0 = tl0;
    e->temporal_layers = 3;
    e->pkts_per_frame = 2;
    e->payload_bytes = 200;
    e->width = (uint16_t)(320u << enc);
    e->height = (uint16_t)(180u << enc);
    e->ts_step = 3000;
}

/* T0 T2 T1 T2 (three layers), T0 T1 (two). Layer sync on frames that reference T0 only. */
static void pattern(const SimVp8 *e, unsigned *tid, bool *sync)
{
    unsigned pos = e->pos % 4;
    if (e->temporal_layers >= 3) {
        static const unsigned tids[4] = {0, 2, 1, 2};
        *tid = tids[pos];
        *sync = pos == 1 || pos == 2;
    } else if (e->temporal_layers == 2) {
        *tid = pos % 2;
        *sync = *tid == 1;
    } else {
        *tid = 0;
        *sync = false;
    }
}

unsigned sim_vp8_frame(SimVp8 *e, bool key, SimPkt *out, unsigned *n, unsigned cap)
{
    if (key)
        e->pos = 0;
    unsigned tid;
    bool sync;
    pattern(e, &tid, &sync);
    if (tid == 0)
        e->tl0++;
    for (unsigned k = 0; k < e->pkts_per_frame; k++) {
        g_assert_cmpuint(*n, <, cap);
        uint8_t payload[SIM_MAX_PACKET];
        size_t pl = 0;
        bool start = k == 0;
        payload[pl++] = (uint8_t)(0x80 | (start ? 0x10 : 0)); /* X, S, PID 0 */
        payload[pl++] = 0xe0;                                 /* I L T */
        payload[pl++] = (uint8_t)(0x80 | e->picid >> 8);
        payload[pl++] = (uint8_t)e->picid;
        payload[pl++] = e->tl0;
        payload[pl++] = (uint8_t)(tid << 6 | (sync ? 0x20 : 0));
        if (start) {
            const uint8_t key_hdr[] = {0x50, 0x42, 0x00, 0x9d, 0x01, 0x2a};
            const uint8_t delta_hdr[] = {0x51, 0x42, 0x00};
            if (key) {
                memcpy(payload + pl, key_hdr, sizeof key_hdr);
                pl += sizeof key_hdr;
                payload[pl++] = (uint8_t)e->width;
                payload[pl++] = (uint8_t)(e->width >> 8);
                payload[pl++] = (uint8_t)e->height;
                payload[pl++] = (uint8_t)(e->height >> 8);
            } else {
                memcpy(payload + pl, delta_hdr, sizeof delta_hdr);
                pl += sizeof delta_hdr;
            }
        }
        while (pl < e->payload_bytes && pl < sizeof payload)
            payload[pl++] = (uint8_t)(0x40 + k);
        PaRtpBuild b = {
            .marker = k + 1 == e->pkts_per_frame,
            .payload_type = 100,
            .seq = e->seq++,
            .timestamp = e->ts,
            .ssrc = e->ssrc,
            .payload = payload,
            .payload_len = pl,
        };
        out[*n].len = pa_rtp_build(out[*n].data, sizeof out[*n].data, &b);
        g_assert_cmpuint(out[*n].len, >, 0);
        (*n)++;
    }
    e->ts += e->ts_step;
    e->picid = (e->picid + 1) & 0x7fff;
    e->pos++;
    return tid;
}

BridgeLayerInfo sim_info(const SimPkt *p, BridgeCodec codec, uint8_t enc)
{
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(p->data, p->len, &h), ==, PA_RTP_OK);
    BridgeLayerInfo info;
    g_assert_cmpint(bridge_layer_info_parse(codec, enc, p->data, &h, NULL, NULL, &info), ==,
                    BRIDGE_LAYER_OK);
    return info;
}

void sim_receiver_init(SimReceiver *r, uint32_t ssrc)
{
    memset(r, 0, sizeof *r);
    r->ssrc = ssrc;
}

unsigned sim_receiver_take(SimReceiver *r, const uint8_t *pkt, size_t len)
{
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(pkt, len, &h), ==, PA_RTP_OK);
    PaVp8Desc d;
    g_assert_cmpint(pa_vp8_parse(pkt + h.payload_offset, h.payload_len, &d), ==, PA_VP8_OK);
    g_assert_cmphex(h.ssrc, ==, r->ssrc);
    if (r->have && !r->allow_gaps)
        g_assert_cmpuint(h.seq, ==, (uint16_t)(r->seq + 1));
    else if (r->have)
        g_assert_cmpint(pa_rtp_seq_diff(h.seq, r->seq), >, 0);
    bool new_frame = !r->have || h.timestamp != r->frame_ts;
    if (!r->have)
        g_assert_true(d.keyframe); /* a receiver must start with a key frame */
    if (new_frame) {
        if (r->have) {
            g_assert_cmpint((int32_t)(h.timestamp - r->frame_ts), >, 0);
            if (!r->allow_gaps)
                g_assert_cmphex(d.picture_id, ==, (r->picid + 1) & 0x7fff);
            if (d.tid == 0 && r->tl0_have && !r->allow_gaps)
                g_assert_cmpuint(d.tl0picidx, ==, (uint8_t)(r->tl0 + 1));
            else if (r->tl0_have && !r->allow_gaps)
                g_assert_cmpuint(d.tl0picidx, ==, r->tl0);
        }
        r->frame_ts = h.timestamp;
        r->picid = d.picture_id;
        r->tl0 = d.tl0picidx;
        r->tl0_have = true;
        r->frames++;
        if (d.keyframe)
            r->keyframes++;
        r->tid_count[d.tid & 3]++;
    } else {
        g_assert_cmphex(d.picture_id, ==, r->picid);
    }
    r->have = true;
    r->seq = h.seq;
    r->packets++;
    return d.tid;
}
