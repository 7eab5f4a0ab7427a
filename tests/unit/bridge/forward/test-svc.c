/* SPDX-License-Identifier: MIT */
/* Projections of scalable streams: VP9 with three spatial and three temporal layers in one
 * SSRC (spatial layers filtered per picture, the marker moved to the top forwarded layer,
 * spatial layers entered only where the frame is predicted from the layer below, picture ids
 * continuous over dropped pictures; K-SVC as Chromium sends L3T3_KEY: moving up a spatial
 * layer asks for a key picture, once a second at most; every layer's size learnt from the
 * scalability structure on layer 0), and AV1 with the dependency descriptor (temporal layers
 * dropped from the descriptor's templates, frame numbers continuous across a simulcast
 * switch). */
#include <glib.h>
#include <string.h>

#include "bridge/forward/layer-rates.h"
#include "bridge/forward/projection.h"
#include "common/rtp/av1-dd.h"
#include "common/rtp/hdrext.h"
#include "common/rtp/rtp.h"
#include "common/rtp/vp9.h"

typedef struct {
    uint8_t data[256];
    size_t len;
} Pkt;

/* ---- VP9 L3T3, one packet per layer frame ---- */

typedef struct {
    uint16_t seq;
    uint32_t ts;
    uint16_t picid;
    uint8_t tl0;
    unsigned pos;
    bool ss; /* key pictures carry the scalability structure (sizes below) on layer 0 */
} Vp9Sender;

static const uint16_t ss_w[3] = {320, 640, 1280}, ss_h[3] = {176, 352, 704};

/* The packets of one picture: @key a key picture; @intra_top: the top layer (sid 2) is
 * predicted only from sid 1 in this picture (a switching point for it). */
static unsigned vp9_picture(Vp9Sender *s, bool key, bool intra_top, Pkt *out)
{
    static const unsigned tids[4] = {0, 2, 1, 2};
    if (key)
        s->pos = 0;
    unsigned tid = tids[s->pos % 4];
    if (tid == 0)
        s->tl0++;
    for (unsigned sid = 0; sid < 3; sid++) {
        bool inter = !key && !(intra_top && sid == 2);
        uint8_t pl[32];
        size_t n = 0;
        bool ss = s->ss && key && sid == 0;
        pl[n++] = (uint8_t)(0x80 | (inter ? 0x40 : 0) | 0x20 | 0x08 | 0x04 | /* I P L B E */
                            (ss ? 0x02 : 0));                                /* V */
        pl[n++] = (uint8_t)(0x80 | s->picid >> 8);
        pl[n++] = (uint8_t)s->picid;
        pl[n++] = (uint8_t)(tid << 5 | (tid > 0 ? 0x10 : 0) | sid << 1 | (sid > 0 ? 1 : 0));
        pl[n++] = s->tl0;
        if (ss) {
            pl[n++] = (uint8_t)(2 << 5 | 0x10); /* N_S = 2 (three layers), Y */
            for (unsigned l = 0; l < 3; l++) {
                pl[n++] = (uint8_t)(ss_w[l] >> 8);
                pl[n++] = (uint8_t)ss_w[l];
                pl[n++] = (uint8_t)(ss_h[l] >> 8);
                pl[n++] = (uint8_t)ss_h[l];
            }
        }
        while (n < 20)
            pl[n++] = (uint8_t)(0x30 + sid);
        PaRtpBuild b = {.marker = sid == 2,
                        .payload_type = 101,
                        .seq = s->seq++,
                        .timestamp = s->ts,
                        .ssrc = 0x9000,
                        .payload = pl,
                        .payload_len = n};
        out[sid].len = pa_rtp_build(out[sid].data, sizeof out[sid].data, &b);
        g_assert_cmpuint(out[sid].len, >, 0);
    }
    s->ts += 3000;
    s->picid = (s->picid + 1) & 0x7fff;
    s->pos++;
    return tid;
}

typedef struct {
    bool have;
    uint16_t seq;
    uint16_t picid;
    uint32_t ts;
    unsigned per_sid[3];
    unsigned markers_by_sid[3];
    unsigned pictures;
    unsigned tids[3];
} Vp9Receiver;

static void vp9_take(Vp9Receiver *r, const Pkt *p)
{
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(p->data, p->len, &h), ==, PA_RTP_OK);
    PaVp9Desc d;
    g_assert_cmpint(pa_vp9_parse(p->data + h.payload_offset, h.payload_len, &d), ==, PA_VP9_OK);
    g_assert_cmphex(h.ssrc, ==, 0x9000);
    if (r->have)
        g_assert_cmpuint(h.seq, ==, (uint16_t)(r->seq + 1));
    if (!r->have || h.timestamp != r->ts) {
        if (r->have)
            g_assert_cmphex(d.picture_id, ==, (r->picid + 1) & 0x7fff);
        g_assert_cmpuint(d.sid, ==, 0); /* every picture starts with its base layer */
        r->pictures++;
        r->tids[d.tid]++;
    }
    r->have = true;
    r->seq = h.seq;
    r->ts = h.timestamp;
    r->picid = d.picture_id;
    r->per_sid[d.sid]++;
    if (h.marker)
        r->markers_by_sid[d.sid]++;
}

static void vp9_run(BridgeProjection *p, Vp9Sender *s, Vp9Receiver *r, unsigned pictures,
                    int intra_top_at, int64_t *now)
{
    for (unsigned k = 0; k < pictures; k++) {
        Pkt pkts[3];
        vp9_picture(s, false, (int)k == intra_top_at, pkts);
        for (unsigned sid = 0; sid < 3; sid++) {
            PaRtpHeader h;
            g_assert_cmpint(pa_rtp_parse(pkts[sid].data, pkts[sid].len, &h), ==, PA_RTP_OK);
            BridgeLayerInfo i;
            g_assert_cmpint(
                bridge_layer_info_parse(BRIDGE_CODEC_VP9, 0, pkts[sid].data, &h, NULL, NULL, &i),
                ==, BRIDGE_LAYER_OK);
            unsigned flags;
            if (bridge_projection_process(p, pkts[sid].data, pkts[sid].len, &i, *now, &flags) ==
                BRIDGE_PROJ_FORWARD)
                vp9_take(r, &pkts[sid]);
        }
        *now += 33333;
    }
}

static void test_vp9_spatial(void)
{
    Vp9Sender s = {.seq = 65000, .ts = 1, .picid = 0x7ff0, .tl0 = 250};
    Vp9Receiver r = {0};
    BridgeProjection p;
    int64_t now = 1000000;
    bridge_projection_init(&p, 0x9000, 90000);
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 1, 2});

    /* The key picture, then 12 delta pictures: spatial layers 0 and 1 only. */
    Pkt key[3];
    vp9_picture(&s, true, false, key);
    for (unsigned sid = 0; sid < 3; sid++) {
        PaRtpHeader h;
        pa_rtp_parse(key[sid].data, key[sid].len, &h);
        BridgeLayerInfo i;
        bridge_layer_info_parse(BRIDGE_CODEC_VP9, 0, key[sid].data, &h, NULL, NULL, &i);
        unsigned flags;
        if (bridge_projection_process(&p, key[sid].data, key[sid].len, &i, now, &flags) ==
            BRIDGE_PROJ_FORWARD)
            vp9_take(&r, &key[sid]);
    }
    vp9_run(&p, &s, &r, 12, -1, &now);
    g_assert_cmpuint(r.pictures, ==, 13);
    g_assert_cmpuint(r.per_sid[0], ==, 13);
    g_assert_cmpuint(r.per_sid[1], ==, 13);
    g_assert_cmpuint(r.per_sid[2], ==, 0);
    /* The sender's marker was on spatial layer 2: now it ends layer 1. */
    g_assert_cmpuint(r.markers_by_sid[1], ==, 13);
    g_assert_cmpuint(r.markers_by_sid[0], ==, 0);

    /* Raising to spatial layer 2: not on pictures whose layer 2 needs earlier layer-2
     * frames; from the first one predicted from layer 1 only (the 5th). */
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 2, 2});
    vp9_run(&p, &s, &r, 8, 4, &now);
    g_assert_cmpuint(r.per_sid[2], ==, 4);
    g_assert_cmpuint(r.markers_by_sid[2], ==, 4);
    /* Layer 1 ended the 4 pictures before, and also the picture where layer 2 was added:
     * when its last packet went out, layer 2 was not forwarded yet (a once-per-switch extra
     * marker, which receivers take as the end of a layer frame). */
    g_assert_cmpuint(r.markers_by_sid[1], ==, 13 + 4 + 1);

    /* Down to base spatial and temporal layer, at once: 1 picture in 4, sid 0 only, picture
     * ids still consecutive (checked by vp9_take). */
    unsigned pictures = r.pictures, s1 = r.per_sid[1];
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 0, 0});
    vp9_run(&p, &s, &r, 16, -1, &now);
    g_assert_cmpuint(r.pictures, ==, pictures + 4);
    g_assert_cmpuint(r.per_sid[1], ==, s1);
    g_assert_cmpuint(r.markers_by_sid[0], ==, 4);
    g_assert_cmpuint(p.stats.switches, ==, 1);
}

/* One picture through @p into @r; returns how many of its packets asked for a key frame
 * (and checks that such a request names encoding 0). */
static unsigned vp9_feed(BridgeProjection *p, Vp9Sender *s, Vp9Receiver *r, bool key, int64_t *now)
{
    Pkt pkts[3];
    unsigned wants = 0;
    vp9_picture(s, key, false, pkts);
    for (unsigned sid = 0; sid < 3; sid++) {
        PaRtpHeader h;
        g_assert_cmpint(pa_rtp_parse(pkts[sid].data, pkts[sid].len, &h), ==, PA_RTP_OK);
        BridgeLayerInfo i;
        g_assert_cmpint(
            bridge_layer_info_parse(BRIDGE_CODEC_VP9, 0, pkts[sid].data, &h, NULL, NULL, &i), ==,
            BRIDGE_LAYER_OK);
        unsigned flags;
        if (bridge_projection_process(p, pkts[sid].data, pkts[sid].len, &i, *now, &flags) ==
            BRIDGE_PROJ_FORWARD)
            vp9_take(r, &pkts[sid]);
        if (flags & BRIDGE_PROJ_WANT_KEYFRAME) {
            g_assert_cmpint(bridge_projection_wanted_encoding(p), ==, 0);
            wants++;
        }
    }
    *now += 33333;
    return wants;
}

/* K-SVC (L3T3_KEY): between key pictures every upper layer frame is predicted from its own
 * layer only, so a receiver raised to a higher spatial layer can enter it only at a key
 * picture. The projection asks for one (once a second at most while it waits), and moves up
 * there; it asks nothing while its target is met. */
static void test_vp9_ksvc_keyframe(void)
{
    Vp9Sender s = {.seq = 100, .ts = 1, .picid = 5, .tl0 = 0};
    Vp9Receiver r = {0};
    BridgeProjection p;
    int64_t now = 1000000;
    bridge_projection_init(&p, 0x9000, 90000);
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 0, 2});
    unsigned wants = vp9_feed(&p, &s, &r, true, &now);
    for (unsigned k = 0; k < 10; k++)
        wants += vp9_feed(&p, &s, &r, false, &now);
    g_assert_cmpuint(wants, ==, 0);
    g_assert_cmpuint(r.per_sid[0], ==, 11);
    g_assert_cmpuint(r.per_sid[1] + r.per_sid[2], ==, 0);

    /* Raised to 720p (layer 2): two seconds of delta pictures, two requests, still layer 0. */
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 2, 2});
    for (unsigned k = 0; k < 60; k++)
        wants += vp9_feed(&p, &s, &r, false, &now);
    g_assert_cmpuint(wants, ==, 2);
    g_assert_cmpuint(r.per_sid[1] + r.per_sid[2], ==, 0);
    g_assert_cmpuint(r.pictures, ==, 71);

    /* The key picture: all three layers from there on, no more requests. */
    wants += vp9_feed(&p, &s, &r, true, &now);
    g_assert_cmpint(bridge_projection_wanted_encoding(&p), ==, -1);
    for (unsigned k = 0; k < 10; k++)
        wants += vp9_feed(&p, &s, &r, false, &now);
    g_assert_cmpuint(wants, ==, 2);
    g_assert_cmpuint(r.per_sid[1], ==, 11);
    g_assert_cmpuint(r.per_sid[2], ==, 11);
    g_assert_cmpuint(r.markers_by_sid[2], ==, 11);

    /* Down to layer 1 at once, without a request; back up to 2 asks again. */
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 1, 2});
    for (unsigned k = 0; k < 5; k++)
        wants += vp9_feed(&p, &s, &r, false, &now);
    g_assert_cmpuint(wants, ==, 2);
    g_assert_cmpuint(r.per_sid[2], ==, 11);
    g_assert_cmpuint(r.per_sid[1], ==, 16);
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 2, 2});
    wants += vp9_feed(&p, &s, &r, false, &now);
    g_assert_cmpuint(wants, ==, 3);
    g_assert_cmpuint(p.stats.switches, ==, 1);
}

/* The scalability structure comes once per key picture, on spatial layer 0: the layer info
 * carries every layer's size, so the rates know the heights of layers 1 and 2 (not the
 * 180/360/720 assumption) although their own packets say nothing. */
static void test_vp9_ss_heights(void)
{
    Vp9Sender s = {.seq = 1, .ts = 1, .picid = 1, .ss = true};
    BridgeLayerRates rates;
    bridge_layer_rates_init(&rates);
    int64_t now = 2000000;
    for (unsigned k = 0; k < 8; k++) {
        Pkt pkts[3];
        vp9_picture(&s, k == 0, false, pkts);
        for (unsigned sid = 0; sid < 3; sid++) {
            PaRtpHeader h;
            g_assert_cmpint(pa_rtp_parse(pkts[sid].data, pkts[sid].len, &h), ==, PA_RTP_OK);
            BridgeLayerInfo i;
            g_assert_cmpint(
                bridge_layer_info_parse(BRIDGE_CODEC_VP9, 0, pkts[sid].data, &h, NULL, NULL, &i),
                ==, BRIDGE_LAYER_OK);
            if (k == 0 && sid == 0) {
                g_assert_cmpuint(i.ss_layers, ==, 3);
                for (unsigned l = 0; l < 3; l++)
                    g_assert_cmpuint(i.ss_height[l], ==, ss_h[l]);
                g_assert_cmpuint(i.height, ==, ss_h[0]);
            } else {
                g_assert_cmpuint(i.ss_layers, ==, 0);
                g_assert_cmpuint(i.height, ==, 0);
            }
            bridge_layer_rates_add(&rates, &i, i.payload_len, now);
        }
        now += 33333;
    }
    BridgeLayerDesc d[BRIDGE_MAX_LAYERS];
    unsigned n = bridge_layer_rates_snapshot(&rates, now, d, BRIDGE_MAX_LAYERS);
    g_assert_cmpuint(n, ==, 9); /* 3 spatial x 3 temporal */
    for (unsigned k = 0; k < n; k++) {
        g_assert_true(d[k].height_known);
        g_assert_cmpuint(d[k].height, ==, ss_h[d[k].layer.sid]);
    }
}

/* ---- AV1 with the dependency descriptor (L1T2), two simulcast encodings ---- */

static const uint8_t dd_key[] = {0xc0, 0x01, 0x02, 0x80, 0x01, 0x1e, 0xa8, 0x51,
                                 0x41, 0x01, 0x0c, 0x09, 0xfc, 0x05, 0x9c};

typedef struct {
    uint32_t ssrc;
    uint16_t seq;
    uint32_t ts;
    uint16_t fn;
    unsigned pos;
    PaAv1DdStructure dd; /* the bridge's view of this SSRC's structure */
} Av1Sender;

/* One frame, one packet: key (template 0), else alternately T1 (template 2) and T0
 * (template 1). */
static void av1_frame(Av1Sender *s, bool key, Pkt *out, unsigned *tid)
{
    uint8_t ext[16];
    size_t ext_len;
    if (key) {
        memcpy(ext, dd_key, sizeof dd_key);
        ext_len = sizeof dd_key;
        s->pos = 0;
    } else {
        unsigned templ = s->pos % 2 ? 2 : 1;
        ext[0] = (uint8_t)(0xc0 | templ);
        ext_len = 3;
    }
    *tid = !key && s->pos % 2 ? 1 : 0;
    ext[1] = (uint8_t)(s->fn >> 8);
    ext[2] = (uint8_t)s->fn;
    uint8_t block[32];
    uint16_t profile;
    PaHdrextWrite w = {11, (uint8_t)ext_len, ext};
    size_t bl = pa_hdrext_write_block(block, sizeof block, false, &w, 1, &profile);
    const uint8_t obu[] = {key ? 0x18 : 0x10, 0x01, 0x02, 0x03};
    PaRtpBuild b = {.marker = true,
                    .payload_type = 41,
                    .seq = s->seq++,
                    .timestamp = s->ts,
                    .ssrc = s->ssrc,
                    .extension = true,
                    .ext_profile = profile,
                    .ext = block,
                    .ext_len = bl,
                    .payload = obu,
                    .payload_len = sizeof obu};
    out->len = pa_rtp_build(out->data, sizeof out->data, &b);
    g_assert_cmpuint(out->len, >, 0);
    s->ts += 3000;
    s->fn++;
    s->pos++;
}

static BridgeProjVerdict av1_feed(BridgeProjection *p, Av1Sender *s, uint8_t enc, Pkt *pkt,
                                  int64_t now, unsigned *flags)
{
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(pkt->data, pkt->len, &h), ==, PA_RTP_OK);
    PaHdrextElem e;
    g_assert_cmpint(pa_hdrext_find(pkt->data, &h, 11, &e), ==, PA_HDREXT_OK);
    BridgeLayerInfo i;
    g_assert_cmpint(bridge_layer_info_parse(BRIDGE_CODEC_AV1, enc, pkt->data, &h, &e, &s->dd, &i),
                    ==, BRIDGE_LAYER_OK);
    return bridge_projection_process(p, pkt->data, pkt->len, &i, now, flags);
}

static uint16_t out_frame_number(const Pkt *pkt)
{
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(pkt->data, pkt->len, &h), ==, PA_RTP_OK);
    PaHdrextElem e;
    g_assert_cmpint(pa_hdrext_find(pkt->data, &h, 11, &e), ==, PA_HDREXT_OK);
    return pa_rd16(pkt->data + e.offset + 1);
}

static void test_av1_dd(void)
{
    Av1Sender s[2] = {{.ssrc = 0xa000, .seq = 10, .ts = 100, .fn = 0xfff0},
                      {.ssrc = 0xa001, .seq = 5000, .ts = 777777, .fn = 300}};
    pa_av1_dd_structure_init(&s[0].dd);
    pa_av1_dd_structure_init(&s[1].dd);
    BridgeProjection p;
    bridge_projection_init(&p, 0xa000, 90000);
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 0, 0});
    int64_t now = 5000000;
    bool have = false;
    uint16_t last_seq = 0, last_fn = 0;
    unsigned forwarded = 0, t1_forwarded = 0;
    bool key_wanted[2] = {true, true};
    int last_enc = 0;
    for (unsigned k = 0; k < 40; k++) {
        if (k == 20)
            bridge_projection_set_target(&p, (BridgeLayerTarget){1, 0, 1});
        for (uint8_t enc = 0; enc < 2; enc++) {
            Pkt pkt;
            unsigned tid, flags;
            bool key = key_wanted[enc];
            key_wanted[enc] = false;
            av1_frame(&s[enc], key, &pkt, &tid);
            if (av1_feed(&p, &s[enc], enc, &pkt, now, &flags) == BRIDGE_PROJ_FORWARD) {
                uint16_t seq = pa_rtp_get_seq(pkt.data), fn = out_frame_number(&pkt);
                g_assert_cmphex(pa_rtp_get_ssrc(pkt.data), ==, 0xa000);
                if (have) {
                    g_assert_cmpuint(seq, ==, (uint16_t)(last_seq + 1));
                    /* Frame numbers move on; across the switch by exactly one. */
                    g_assert_cmpint((int16_t)(fn - last_fn), >=, 1);
                    if (flags & BRIDGE_PROJ_SWITCHED)
                        g_assert_cmpuint(fn, ==, (uint16_t)(last_fn + 1));
                }
                have = true;
                last_seq = seq;
                last_fn = fn;
                forwarded++;
                if (tid == 1)
                    t1_forwarded++;
                /* Encoding 0 until the switch, encoding 1 after it, never back. */
                g_assert_cmpint(enc, >=, last_enc);
                g_assert_true(enc == 0 || k >= 20);
                last_enc = enc;
            }
            if (flags & BRIDGE_PROJ_WANT_KEYFRAME)
                key_wanted[bridge_projection_wanted_encoding(&p)] = true;
        }
        now += 33333;
    }
    /* Before the switch, the T0 frames of encoding 0 (the key frame and every second one:
     * 10 of ticks 0..19, and tick 20's, sent before encoding 1's key frame that tick); after
     * it, every frame of encoding 1 (20, its key frame came at once, 10 of them T1). */
    g_assert_cmpuint(p.stats.switches, ==, 2);
    g_assert_cmpuint(t1_forwarded, ==, 10);
    g_assert_cmpuint(forwarded, ==, 11 + 20);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/svc/vp9-spatial", test_vp9_spatial);
    g_test_add_func("/forward/svc/vp9-ksvc-keyframe", test_vp9_ksvc_keyframe);
    g_test_add_func("/forward/svc/vp9-scalability-structure-heights", test_vp9_ss_heights);
    g_test_add_func("/forward/svc/av1-dependency-descriptor", test_av1_dd);
    return g_test_run();
}
