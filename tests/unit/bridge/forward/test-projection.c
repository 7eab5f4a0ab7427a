/* SPDX-License-Identifier: MIT */
/* One receiver's projection of a VP8 simulcast source (three encodings, three temporal layers
 * each, as Chrome sends them): what a receiver notices is checked by SimReceiver on every
 * forwarded packet (one SSRC, consecutive sequence numbers, timestamps forward, picture ids
 * +1 per frame, TL0PICIDX +1 per base frame, a key frame first). Switches up and down at key
 * frames with rate-limited key frame requests, temporal drops and raises at sync frames,
 * wrap-around of every counter, reordering, upstream loss and late packets, retransmission
 * rewriting, sender reports, pausing. */
#include <glib.h>
#include <string.h>

#include "bridge/forward/projection.h"
#include "common/rtp/rtcp.h"
#include "common/rtp/rtp.h"
#include "sim-stream.h"

#define N_ENC 3
#define FRAME_US 33333

typedef struct {
    SimVp8 enc[N_ENC];
    BridgeProjection proj;
    SimReceiver rx;
    BridgeKeyframeLimiter lim;
    int key_in[N_ENC];  /* ticks until the sender answers a key frame request; -1: none */
    unsigned key_delay; /* ticks a sender takes to answer */
    int64_t now;
    unsigned ticks;
    unsigned fwd_by_enc[N_ENC];
    unsigned frames_by_enc[N_ENC]; /* frames forwarded, per encoding */
    unsigned requests;
    int max_tid_seen; /* highest temporal layer forwarded since the last key frame */
    int last_fwd_enc;
    unsigned fwd_tid_when_pending[4]; /* tids forwarded while a switch down was pending */
    bool not_sent[N_ENC];             /* encodings the sender does not encode */
} Fixture;

static void fixture_init(Fixture *fx, uint16_t seq0, uint32_t ts0, uint16_t picid0, uint8_t tl00)
{
    memset(fx, 0, sizeof *fx);
    for (unsigned e = 0; e < N_ENC; e++) {
        /* Each encoding has its own numbering, as a browser's SSRCs do. */
        sim_vp8_init(&fx->enc[e], 0x1000 + e, (uint8_t)e, (uint16_t)(seq0 + 7919u * e),
                     ts0 + 123457u * e, (uint16_t)(picid0 + 1000u * e), (uint8_t)(tl00 + 50 * e));
        fx->key_in[e] = 0; /* every encoding starts with a key frame */
    }
    bridge_projection_init(&fx->proj, 0x1000, 90000);
    sim_receiver_init(&fx->rx, 0x1000);
    fx->key_delay = 1;
    fx->max_tid_seen = -1;
    fx->last_fwd_enc = -1;
    fx->now = 1000000;
}

static BridgeProjVerdict feed(Fixture *fx, SimPkt *p, uint8_t e, unsigned *flags_out)
{
    BridgeLayerInfo i = sim_info(p, BRIDGE_CODEC_VP8, e);
    SimPkt copy = *p;
    unsigned flags;
    BridgeProjVerdict v =
        bridge_projection_process(&fx->proj, copy.data, copy.len, &i, fx->now, &flags);
    if (flags_out)
        *flags_out = flags;
    if (flags & BRIDGE_PROJ_WANT_KEYFRAME) {
        int w = bridge_projection_wanted_encoding(&fx->proj);
        g_assert_cmpint(w, >=, 0);
        if (bridge_keyframe_limiter_allow(&fx->lim, fx->now)) {
            fx->requests++;
            if (fx->key_in[w] < 0)
                fx->key_in[w] = (int)fx->key_delay;
        }
    }
    if (v == BRIDGE_PROJ_FORWARD) {
        bool pending_down = fx->proj.target.enc < fx->proj.cur_enc;
        unsigned tid = sim_receiver_take(&fx->rx, copy.data, copy.len);
        fx->fwd_by_enc[e]++;
        if (i.frame_start) {
            fx->frames_by_enc[e]++;
            if (i.keyframe)
                fx->max_tid_seen = 0;
            /* A temporal layer is entered only at a sync frame or a key frame. */
            if ((int)tid > fx->max_tid_seen) {
                g_assert_true(i.switch_point);
                fx->max_tid_seen = (int)tid;
            }
            if (pending_down)
                fx->fwd_tid_when_pending[tid]++;
        }
        fx->last_fwd_enc = e;
    }
    return v;
}

/* One frame from every encoding (same capture instant), in encoding order. */
static void tick(Fixture *fx)
{
    for (unsigned e = 0; e < N_ENC; e++) {
        if (fx->not_sent[e])
            continue;
        bool key = fx->key_in[e] == 0;
        if (fx->key_in[e] >= 0)
            fx->key_in[e]--;
        SimPkt pkts[8];
        unsigned n = 0;
        sim_vp8_frame(&fx->enc[e], key, pkts, &n, 8);
        for (unsigned k = 0; k < n; k++)
            feed(fx, &pkts[k], (uint8_t)e, NULL);
    }
    fx->now += FRAME_US;
    fx->ticks++;
}

static void run(Fixture *fx, unsigned ticks)
{
    for (unsigned t = 0; t < ticks; t++)
        tick(fx);
}

static void set_target(Fixture *fx, int enc, unsigned sid, unsigned tid)
{
    bridge_projection_set_target(&fx->proj,
                                 (BridgeLayerTarget){(int8_t)enc, (uint8_t)sid, (uint8_t)tid});
}

static void test_start_and_steady(void)
{
    Fixture fx;
    fixture_init(&fx, 100, 5000, 10, 3);
    /* Nothing is forwarded without a target. */
    run(&fx, 2);
    g_assert_cmpuint(fx.rx.packets, ==, 0);
    g_assert_cmpuint(fx.proj.stats.dropped, ==, 2 * N_ENC * 2);

    set_target(&fx, 0, 0, 2);
    /* No key frame of encoding 0 comes by itself: the projection asks for one. */
    run(&fx, 1);
    g_assert_cmpuint(fx.rx.packets, ==, 0);
    g_assert_cmpuint(fx.requests, ==, 1);
    run(&fx, 40);
    g_assert_cmpuint(fx.fwd_by_enc[0], >, 0);
    g_assert_cmpuint(fx.fwd_by_enc[1] + fx.fwd_by_enc[2], ==, 0);
    /* From the key frame on, every frame of encoding 0 arrived: 40 ticks minus the wait. */
    g_assert_cmpuint(fx.rx.frames, ==, 40 - 1);
    g_assert_cmpuint(fx.rx.keyframes, ==, 1);
    g_assert_cmpuint(fx.rx.tid_count[2], >, 0);
    g_assert_cmpuint(fx.proj.stats.switches, ==, 1);
}

static void test_switch_up_at_keyframe(void)
{
    Fixture fx;
    fixture_init(&fx, 100, 5000, 10, 3);
    set_target(&fx, 0, 0, 2);
    run(&fx, 10);
    unsigned frames_before = fx.rx.frames, requests_before = fx.requests;
    g_assert_cmpuint(frames_before, ==, 10);

    fx.key_delay = 3; /* the sender takes three frames to answer */
    set_target(&fx, 2, 0, 2);
    run(&fx, 2);
    /* Until encoding 2's key frame, encoding 0 goes on: no frozen picture. */
    g_assert_cmpint(fx.last_fwd_enc, ==, 0);
    g_assert_cmpuint(fx.rx.frames, ==, frames_before + 2);
    run(&fx, 20);
    g_assert_cmpint(fx.last_fwd_enc, ==, 2);
    /* One request answered; the limiter kept the rest (a request per packet) back. */
    g_assert_cmpuint(fx.requests, >=, requests_before + 1);
    g_assert_cmpuint(fx.requests, <=, requests_before + 2);
    g_assert_cmpuint(fx.lim.suppressed, >, 0);
    /* Every tick gave the receiver one frame, nothing lost across the switch; in the tick of
     * the switch two (encoding 0's, then encoding 2's key frame of the same instant). */
    g_assert_cmpuint(fx.rx.frames, ==, frames_before + 23);
    g_assert_cmpuint(fx.rx.keyframes, ==, 2);
    g_assert_cmpuint(fx.proj.stats.switches, ==, 2);
}

static void test_switch_down_relieves_at_once(void)
{
    Fixture fx;
    fixture_init(&fx, 65000, 0xfff00000u, 0x7f00, 200);
    set_target(&fx, 2, 0, 2);
    run(&fx, 12);
    g_assert_cmpint(fx.last_fwd_enc, ==, 2);
    /* Every encoding began with a key frame at the same instant: the receiver took each on its
     * way up to the target (0, 1, then 2). */
    g_assert_cmpuint(fx.rx.keyframes, ==, 3);
    unsigned frames_before = fx.rx.frames;

    fx.key_delay = 6;
    set_target(&fx, 0, 0, 2);
    run(&fx, 5);
    /* Pending: still encoding 2, but base layer frames only (T2 and T1 dropped at once). */
    g_assert_cmpint(fx.last_fwd_enc, ==, 2);
    g_assert_cmpuint(fx.fwd_tid_when_pending[0], >, 0);
    g_assert_cmpuint(fx.fwd_tid_when_pending[1] + fx.fwd_tid_when_pending[2], ==, 0);
    run(&fx, 10);
    g_assert_cmpint(fx.last_fwd_enc, ==, 0);
    g_assert_cmpuint(fx.rx.keyframes, ==, 4);
    /* All frames of encoding 0 since its key frame arrived. */
    g_assert_cmpuint(fx.frames_by_enc[0], >=, 8);
    g_assert_cmpuint(fx.rx.frames, >, frames_before + 8);
}

/* A receiver starts with the top encoding as its target while the sender has not started it
 * (a browser brings its simulcast layers up one by one as its bandwidth estimate grows): it
 * gets the highest encoding that is sent instead of nothing, and goes on asking for the
 * target's key frame, within the limiter's pace. */
static void test_start_below_a_target_not_sent(void)
{
    Fixture fx;
    fixture_init(&fx, 100, 5000, 10, 3);
    fx.not_sent[2] = true;
    run(&fx, 5); /* the sender is sending; the receiver joins later */
    fx.key_in[0] = 4;
    fx.key_in[1] = 8;
    set_target(&fx, 2, 0, 2);
    run(&fx, 6);
    /* Encoding 0's key frame came first and was taken: pictures from then on. */
    g_assert_cmpint(fx.last_fwd_enc, ==, 0);
    g_assert_cmpuint(fx.rx.frames, >, 0);
    run(&fx, 10);
    /* Then encoding 1's, one step closer to the target. */
    g_assert_cmpint(fx.last_fwd_enc, ==, 1);
    g_assert_cmpuint(fx.rx.keyframes, ==, 2);
    g_assert_cmpint(bridge_projection_wanted_encoding(&fx.proj), ==, 2);
    unsigned requests = fx.requests;
    fx.now += 1000000;
    run(&fx, 2);
    g_assert_cmpuint(fx.requests, ==, requests + 1);
    /* Encoding 0's next key frame does not pull the receiver back down. */
    fx.key_in[0] = 0;
    run(&fx, 3);
    g_assert_cmpint(fx.last_fwd_enc, ==, 1);
    g_assert_cmpuint(fx.rx.keyframes, ==, 2);
}

static void test_temporal_drop_and_raise(void)
{
    Fixture fx;
    fixture_init(&fx, 1, 1, 1, 1);
    set_target(&fx, 1, 0, 0);
    run(&fx, 40);
    /* 40 frames from the key frame on: a quarter are T0; plus encoding 0's key frame of the
     * first instant, taken on the way to encoding 1. */
    g_assert_cmpuint(fx.rx.tid_count[1] + fx.rx.tid_count[2], ==, 0);
    g_assert_cmpuint(fx.rx.frames, ==, 10 + 1);
    /* The dropped frames left no hole in sequence numbers or picture ids (SimReceiver
     * checked each packet). */
    g_assert_cmpuint(fx.proj.stats.dropped, >, 0);

    set_target(&fx, 1, 0, 1);
    run(&fx, 8);
    g_assert_cmpuint(fx.rx.tid_count[1], >, 0);
    g_assert_cmpuint(fx.rx.tid_count[2], ==, 0);
    set_target(&fx, 1, 0, 2);
    run(&fx, 8);
    g_assert_cmpuint(fx.rx.tid_count[2], >, 0);
    /* And down again, immediately at the next frame. */
    unsigned t1 = fx.rx.tid_count[1], t2 = fx.rx.tid_count[2];
    set_target(&fx, 1, 0, 0);
    run(&fx, 8);
    g_assert_cmpuint(fx.rx.tid_count[1], ==, t1);
    g_assert_cmpuint(fx.rx.tid_count[2], ==, t2);
}

static void test_wraparound(void)
{
    Fixture fx;
    /* Sequence numbers, timestamps, picture ids and TL0PICIDX all wrap within the run. */
    fixture_init(&fx, 65500, 0xffff0000u, 0x7ff0, 250);
    set_target(&fx, 0, 0, 0);
    run(&fx, 30);
    set_target(&fx, 2, 0, 2);
    run(&fx, 30);
    set_target(&fx, 1, 0, 1);
    run(&fx, 30);
    set_target(&fx, 1, 0, 2);
    run(&fx, 30);
    g_assert_cmpuint(fx.proj.stats.switches, ==, 3);
    g_assert_cmpuint(fx.rx.frames, >, 60);
    /* Each encoding's own counters wrapped. */
    g_assert_cmpuint(fx.enc[0].seq, <, 1000);
    g_assert_cmpuint(fx.enc[0].picid, <, 0x100);
}

/* Collects what a projection does with a sequence of packets of encoding 0. */
typedef struct {
    uint16_t in_seq;
    uint16_t out_seq;
} Mapping;

static unsigned project_all(BridgeProjection *p, SimPkt *pkts, const unsigned *order, unsigned n,
                            Mapping *out)
{
    unsigned m = 0;
    for (unsigned k = 0; k < n; k++) {
        SimPkt c = pkts[order[k]];
        BridgeLayerInfo i = sim_info(&c, BRIDGE_CODEC_VP8, 0);
        unsigned flags;
        if (bridge_projection_process(p, c.data, c.len, &i, 1000000 + k, &flags) ==
            BRIDGE_PROJ_FORWARD)
            out[m++] = (Mapping){pa_rtp_get_seq(pkts[order[k]].data), pa_rtp_get_seq(c.data)};
    }
    return m;
}

static int by_in(const void *a, const void *b)
{
    return pa_rtp_seq_diff(((const Mapping *)a)->in_seq, ((const Mapping *)b)->in_seq);
}

static void test_reordering(void)
{
    SimVp8 e;
    sim_vp8_init(&e, 0x1000, 0, 65530, 1, 1, 1);
    SimPkt pkts[64];
    unsigned n = 0;
    sim_vp8_frame(&e, true, pkts, &n, 64);
    for (int f = 0; f < 11; f++)
        sim_vp8_frame(&e, false, pkts, &n, 64);
    g_assert_cmpuint(n, ==, 24);
    unsigned inorder[24], swapped[24], crossed[24];
    for (unsigned k = 0; k < n; k++)
        inorder[k] = swapped[k] = crossed[k] = k;
    /* Within forwarded frames (frame 4 is T0): its two packets swapped. */
    swapped[8] = 9;
    swapped[9] = 8;
    /* Across frames, dropped ones included: frame 5 (T2) overtakes frame 4's end, frame 6's
     * end (T1) arrives before its start and frame 5's end. */
    const unsigned cross[] = {8, 10, 9, 13, 12, 11};
    memcpy(crossed + 8, cross, sizeof cross);

    BridgeLayerTarget t0 = {0, 0, 0};
    BridgeProjection a, b, c;
    bridge_projection_init(&a, 1, 90000);
    bridge_projection_init(&b, 1, 90000);
    bridge_projection_init(&c, 1, 90000);
    bridge_projection_set_target(&a, t0);
    bridge_projection_set_target(&b, t0);
    bridge_projection_set_target(&c, t0);
    Mapping ma[24], mb[24], mc[24];
    unsigned na = project_all(&a, pkts, inorder, n, ma);
    unsigned nb = project_all(&b, pkts, swapped, n, mb);
    unsigned nc = project_all(&c, pkts, crossed, n, mc);
    g_assert_cmpuint(na, ==, 3 * 2); /* T0 frames: 0 (key), 4, 8; two packets each */

    /* Reordered inside a forwarded frame: exactly the same numbering. */
    qsort(mb, nb, sizeof *mb, by_in);
    g_assert_cmpuint(nb, ==, na);
    g_assert_cmpmem(mb, nb * sizeof *mb, ma, na * sizeof *ma);

    /* Across frames: the same packets go out, in the same order, each with a number of its
     * own; the late packets of dropped frames leave their (deliberate) holes. */
    qsort(mc, nc, sizeof *mc, by_in);
    g_assert_cmpuint(nc, ==, na);
    for (unsigned k = 0; k < nc; k++) {
        g_assert_cmpuint(mc[k].in_seq, ==, ma[k].in_seq);
        if (k > 0)
            g_assert_cmpint(pa_rtp_seq_diff(mc[k].out_seq, mc[k - 1].out_seq), >, 0);
    }
    int32_t span_a = pa_rtp_seq_diff(ma[na - 1].out_seq, ma[0].out_seq);
    int32_t span_c = pa_rtp_seq_diff(mc[nc - 1].out_seq, mc[0].out_seq);
    g_assert_cmpint(span_a, ==, (int32_t)na - 1);
    g_assert_cmpint(span_c - span_a, ==, (int32_t)c.stats.gaps_skipped);
    g_assert_cmpuint(c.stats.gaps_skipped, >, 0);
    g_assert_cmpuint(c.stats.gaps_filled, ==, 1); /* frame 4's end */
}

static void test_upstream_loss_and_late_fill(void)
{
    SimVp8 e;
    sim_vp8_init(&e, 0x1000, 0, 40000, 1, 1, 1);
    e.temporal_layers = 1;
    SimPkt pkts[32];
    unsigned n = 0;
    sim_vp8_frame(&e, true, pkts, &n, 32);
    for (int f = 0; f < 7; f++)
        sim_vp8_frame(&e, false, pkts, &n, 32);
    BridgeProjection p;
    bridge_projection_init(&p, 0x1000, 90000);
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 0, 0});
    SimReceiver rx;
    sim_receiver_init(&rx, 0x1000);
    rx.allow_gaps = true;
    uint16_t out_of[32] = {0};
    for (unsigned k = 0; k < n; k++) {
        if (k == 5)
            continue; /* lost on the way to the bridge */
        SimPkt c = pkts[k];
        BridgeLayerInfo i = sim_info(&c, BRIDGE_CODEC_VP8, 0);
        unsigned flags;
        g_assert_cmpint(bridge_projection_process(&p, c.data, c.len, &i, 1000, &flags), ==,
                        BRIDGE_PROJ_FORWARD);
        sim_receiver_take(&rx, c.data, c.len);
        out_of[k] = pa_rtp_get_seq(c.data);
    }
    /* The loss shows as a hole of one: the receiver will NACK it. */
    g_assert_cmpuint(out_of[6], ==, (uint16_t)(out_of[4] + 2));
    uint16_t hole = (uint16_t)(out_of[4] + 1);
    BridgeProjRef ref;
    g_assert_true(bridge_projection_lookup(&p, hole, &ref));
    g_assert_false(ref.forwarded);
    g_assert_cmpuint(ref.in_seq, ==, pa_rtp_get_seq(pkts[5].data));
    g_assert_cmpuint(ref.enc, ==, 0);
    /* The packet arrives late (the bridge's own NACK to the sender): it fills the hole. */
    SimPkt c = pkts[5];
    BridgeLayerInfo i = sim_info(&c, BRIDGE_CODEC_VP8, 0);
    unsigned flags;
    g_assert_cmpint(bridge_projection_process(&p, c.data, c.len, &i, 2000, &flags), ==,
                    BRIDGE_PROJ_FORWARD);
    g_assert_cmpuint(pa_rtp_get_seq(c.data), ==, hole);
    g_assert_cmpuint(p.stats.gaps_filled, ==, 1);
    /* Twice is a duplicate. */
    c = pkts[5];
    g_assert_cmpint(bridge_projection_process(&p, c.data, c.len, &i, 2000, &flags), ==,
                    BRIDGE_PROJ_DROP_OLD);
    g_assert_true(bridge_projection_lookup(&p, hole, &ref));
    g_assert_true(ref.forwarded);
    /* Output numbers never assigned, or long gone, are unknown. */
    g_assert_false(bridge_projection_lookup(&p, (uint16_t)(out_of[n - 1] + 1), &ref));
    g_assert_false(bridge_projection_lookup(&p, (uint16_t)(out_of[0] - 300), &ref));
}

static void test_rewrite_again_and_sr(void)
{
    Fixture fx;
    fixture_init(&fx, 60000, 77, 0x7ffe, 9);
    set_target(&fx, 0, 0, 2);
    run(&fx, 5);
    set_target(&fx, 1, 0, 1);
    run(&fx, 10);
    g_assert_cmpint(fx.last_fwd_enc, ==, 1);

    /* Project one more frame of encoding 1, keeping originals and outputs. */
    SimPkt pkts[8];
    unsigned n = 0;
    sim_vp8_frame(&fx.enc[1], false, pkts, &n, 8);
    for (unsigned k = 0; k < n; k++) {
        SimPkt out = pkts[k];
        BridgeLayerInfo i = sim_info(&out, BRIDGE_CODEC_VP8, 1);
        unsigned flags;
        if (bridge_projection_process(&fx.proj, out.data, out.len, &i, fx.now, &flags) !=
            BRIDGE_PROJ_FORWARD)
            continue;
        /* A NACK for it: the cached original rewritten again is byte for byte what went
         * out. */
        uint16_t out_seq = pa_rtp_get_seq(out.data);
        BridgeProjRef ref;
        g_assert_true(bridge_projection_lookup(&fx.proj, out_seq, &ref));
        g_assert_true(ref.forwarded);
        g_assert_cmpuint(ref.enc, ==, 1);
        g_assert_cmpuint(ref.in_seq, ==, pa_rtp_get_seq(pkts[k].data));
        SimPkt again = pkts[k];
        g_assert_true(
            bridge_projection_rewrite_again(&fx.proj, out_seq, again.data, again.len, &i));
        g_assert_cmpmem(again.data, again.len, out.data, out.len);
        /* Not for a packet of another input number. */
        SimPkt other = pkts[(k + 1) % n];
        BridgeLayerInfo oi = sim_info(&other, BRIDGE_CODEC_VP8, 1);
        g_assert_false(
            bridge_projection_rewrite_again(&fx.proj, out_seq, other.data, other.len, &oi));
    }

    /* Sender reports: the one about encoding 1 is rewritten to the projected stream; the ones
     * about the others are not for this receiver. */
    PaRtcpSr sr = {.ssrc = fx.enc[1].ssrc,
                   .ntp = 0x0102030405060708ull,
                   .rtp_ts = fx.enc[1].ts,
                   .packet_count = 99999,
                   .octet_count = 88888};
    uint8_t buf[64];
    size_t len = pa_rtcp_write_sr(buf, sizeof buf, &sr, NULL, 0);
    PaRtcpIter it;
    PaRtcpPacket pk;
    pa_rtcp_iter_init(&it, buf, len);
    g_assert_cmpint(pa_rtcp_iter_next(&it, &pk), ==, PA_RTCP_OK);
    g_assert_false(bridge_projection_rewrite_sr(&fx.proj, buf, &pk, 0));
    g_assert_true(bridge_projection_rewrite_sr(&fx.proj, buf, &pk, 1));
    PaRtcpSr got;
    g_assert_cmpint(pa_rtcp_parse_sr(buf, &pk, &got), ==, PA_RTCP_OK);
    g_assert_cmphex(got.ssrc, ==, 0x1000);
    g_assert_cmphex(got.ntp, ==, sr.ntp);
    g_assert_cmpuint(got.rtp_ts, ==, sr.rtp_ts + fx.proj.ts_off);
    g_assert_cmpuint(got.packet_count, ==, fx.proj.sent_packets);
    g_assert_cmpuint(got.packet_count, >=, fx.rx.packets);
    g_assert_cmpuint(got.octet_count, ==, fx.proj.sent_octets);
}

static void test_pause_and_resume(void)
{
    Fixture fx;
    fixture_init(&fx, 5, 5, 5, 5);
    set_target(&fx, 0, 0, 2);
    run(&fx, 10);
    uint32_t last_ts = fx.rx.frame_ts;
    unsigned frames = fx.rx.frames;
    bridge_projection_set_target(&fx.proj, BRIDGE_LAYER_TARGET_NONE);
    unsigned requests = fx.requests;
    run(&fx, 30); /* one second paused */
    g_assert_cmpuint(fx.rx.frames, ==, frames);
    g_assert_cmpuint(fx.requests, ==, requests); /* nothing asked while paused */
    set_target(&fx, 0, 0, 2);
    for (int t = 0; t < 10 && fx.rx.frames == frames; t++)
        run(&fx, 1);
    g_assert_cmpuint(fx.rx.frames, ==, frames + 1);
    g_assert_cmpuint(fx.rx.keyframes, ==, 2);
    g_assert_cmpuint(fx.requests, ==, requests + 1);
    /* The timeline went on by the wall-clock time since the last frame sent (the pause and
     * the wait for the key frame: 30 to 34 frame times of 3000 ticks). */
    uint32_t moved = fx.rx.frame_ts - last_ts;
    g_assert_cmpuint(moved, >=, 30 * 3000);
    g_assert_cmpuint(moved, <=, 35 * 3000);
    g_assert_cmpuint(fx.proj.stats.switches, ==, 2);
}

static void test_keyframe_limiter(void)
{
    BridgeKeyframeLimiter l = {0};
    g_assert_true(bridge_keyframe_limiter_allow(&l, 5000000));
    g_assert_false(bridge_keyframe_limiter_allow(&l, 5000000 + 100000));
    g_assert_false(bridge_keyframe_limiter_allow(&l, 5000000 + 199999));
    g_assert_true(bridge_keyframe_limiter_allow(&l, 5000000 + 200000));
    g_assert_cmpuint(l.requested, ==, 2);
    g_assert_cmpuint(l.suppressed, ==, 2);
}

static void test_garbage_info(void)
{
    /* Padding-only packets and packets shorter than a header are dropped, never rewritten. */
    BridgeProjection p;
    bridge_projection_init(&p, 7, 90000);
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 0, 0});
    BridgeLayerInfo i = {.padding_only = true};
    uint8_t pkt[12] = {0x80, 100};
    unsigned flags;
    g_assert_cmpint(bridge_projection_process(&p, pkt, sizeof pkt, &i, 0, &flags), ==,
                    BRIDGE_PROJ_DROP);
    i.padding_only = false;
    i.keyframe = true;
    g_assert_cmpint(bridge_projection_process(&p, pkt, 11, &i, 0, &flags), ==, BRIDGE_PROJ_DROP);
    g_assert_cmpuint(pa_rtp_get_ssrc(pkt), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/projection/start-and-steady", test_start_and_steady);
    g_test_add_func("/forward/projection/switch-up-at-keyframe", test_switch_up_at_keyframe);
    g_test_add_func("/forward/projection/switch-down-relieves-at-once",
                    test_switch_down_relieves_at_once);
    g_test_add_func("/forward/projection/start-below-a-target-not-sent",
                    test_start_below_a_target_not_sent);
    g_test_add_func("/forward/projection/temporal-drop-and-raise", test_temporal_drop_and_raise);
    g_test_add_func("/forward/projection/wraparound", test_wraparound);
    g_test_add_func("/forward/projection/reordering", test_reordering);
    g_test_add_func("/forward/projection/upstream-loss-and-late-fill",
                    test_upstream_loss_and_late_fill);
    g_test_add_func("/forward/projection/rewrite-again-and-sr", test_rewrite_again_and_sr);
    g_test_add_func("/forward/projection/pause-and-resume", test_pause_and_resume);
    g_test_add_func("/forward/projection/keyframe-limiter", test_keyframe_limiter);
    g_test_add_func("/forward/projection/garbage", test_garbage_info);
    return g_test_run();
}
