/* SPDX-License-Identifier: MIT */
/* Per-packet layer information: where the rewritten fields are in whole RTP packets (header
 * extensions and CSRCs in front), layers and switching points from VP8, VP9 and the
 * dependency descriptor, H.264 and AV1 key frames without one, padding, and bad input. */
#include <glib.h>
#include <string.h>

#include "bridge/forward/layer.h"
#include "common/rtp/hdrext.h"
#include "common/rtp/rtp.h"

/* Builds an RTP packet with one one-byte extension element (id 11 with @ext, or none) and
 * two CSRCs, so that payload offsets are not the usual ones. */
static size_t build(uint8_t *buf, size_t cap, const uint8_t *ext, size_t ext_len,
                    const uint8_t *payload, size_t payload_len, bool marker)
{
    uint8_t block[64];
    uint16_t profile = 0;
    size_t block_len = 0;
    if (ext) {
        PaHdrextWrite w = {11, (uint8_t)ext_len, ext};
        block_len = pa_hdrext_write_block(block, sizeof block, false, &w, 1, &profile);
        g_assert_cmpuint(block_len, >, 0);
    }
    const uint32_t csrcs[2] = {11, 22};
    PaRtpBuild b = {.marker = marker,
                    .payload_type = 100,
                    .seq = 1,
                    .timestamp = 2,
                    .ssrc = 3,
                    .csrcs = csrcs,
                    .csrc_count = 2,
                    .extension = ext != NULL,
                    .ext_profile = profile,
                    .ext = block,
                    .ext_len = block_len,
                    .payload = payload,
                    .payload_len = payload_len};
    size_t n = pa_rtp_build(buf, cap, &b);
    g_assert_cmpuint(n, >, 0);
    return n;
}

static BridgeLayerStatus info_of(BridgeCodec codec, uint8_t enc, const uint8_t *pkt, size_t len,
                                 PaAv1DdStructure *dd_state, BridgeLayerInfo *out)
{
    PaRtpHeader h;
    g_assert_cmpint(pa_rtp_parse(pkt, len, &h), ==, PA_RTP_OK);
    PaHdrextElem e;
    bool has_dd = pa_hdrext_find(pkt, &h, 11, &e) == PA_HDREXT_OK;
    return bridge_layer_info_parse(codec, enc, pkt, &h, has_dd ? &e : NULL, dd_state, out);
}

static void test_vp8_offsets(void)
{
    const uint8_t vp8[] = {0x90, 0xe0, 0x92, 0x34, 0x05, 0x20, 0x50, 0x42, 0x00,
                           0x9d, 0x01, 0x2a, 0x80, 0x02, 0x68, 0x01, 0xaa};
    uint8_t pkt[128];
    size_t n = build(pkt, sizeof pkt, NULL, 0, vp8, sizeof vp8, false);
    BridgeLayerInfo i;
    g_assert_cmpint(info_of(BRIDGE_CODEC_VP8, 2, pkt, n, NULL, &i), ==, BRIDGE_LAYER_OK);
    const size_t payload = 12 + 8;
    g_assert_cmpuint(i.enc, ==, 2);
    g_assert_true(i.keyframe && i.frame_start && i.switch_point);
    g_assert_true(i.has_layers);
    g_assert_cmpuint(i.tid, ==, 0);
    g_assert_cmpuint(i.width, ==, 640);
    g_assert_cmpuint(i.height, ==, 360);
    g_assert_cmphex(i.picture_id, ==, 0x1234);
    g_assert_true(i.picture_id_15);
    g_assert_cmpuint(i.picture_id_off, ==, payload + 2);
    g_assert_cmphex(pkt[i.picture_id_off], ==, 0x92);
    g_assert_cmpuint(i.tl0picidx_off, ==, payload + 4);
    g_assert_cmpuint(pkt[i.tl0picidx_off], ==, 5);
    g_assert_cmpuint(i.payload_len, ==, sizeof vp8);
    g_assert_cmpuint(i.dd_off, ==, 0);

    /* Too many encodings, a broken descriptor. */
    g_assert_cmpint(info_of(BRIDGE_CODEC_VP8, BRIDGE_MAX_ENCODINGS, pkt, n, NULL, &i), ==,
                    BRIDGE_LAYER_ERR_LAYER);
    n = build(pkt, sizeof pkt, NULL, 0, vp8, 3, false);
    g_assert_cmpint(info_of(BRIDGE_CODEC_VP8, 0, pkt, n, NULL, &i), ==,
                    BRIDGE_LAYER_ERR_DESCRIPTOR);
    g_assert_cmpstr(bridge_layer_status_name(BRIDGE_LAYER_ERR_DESCRIPTOR), ==, "bad_descriptor");
}

static void test_vp9_layers(void)
{
    /* Spatial layer 1, temporal 2, switching up point, inter-picture predicted, end. */
    const uint8_t up[] = {0xe4, 0x81, 0x02, 0x53, 0x07, 0x01};
    uint8_t pkt[64];
    size_t n = build(pkt, sizeof pkt, NULL, 0, up, sizeof up, true);
    BridgeLayerInfo i;
    g_assert_cmpint(info_of(BRIDGE_CODEC_VP9, 0, pkt, n, NULL, &i), ==, BRIDGE_LAYER_OK);
    g_assert_cmpuint(i.sid, ==, 1);
    g_assert_cmpuint(i.tid, ==, 2);
    g_assert_true(i.switch_point);
    g_assert_false(i.spatial_switch_point); /* predicted from its own earlier frames */
    g_assert_false(i.frame_start);
    g_assert_true(i.frame_end);
    g_assert_false(i.keyframe);
    /* Spatial layer 2 of a key picture: begins, only inter-layer predicted. */
    const uint8_t s2[] = {0xa8, 0x81, 0x02, 0x05, 0x07, 0x01};
    n = build(pkt, sizeof pkt, NULL, 0, s2, sizeof s2, false);
    g_assert_cmpint(info_of(BRIDGE_CODEC_VP9, 0, pkt, n, NULL, &i), ==, BRIDGE_LAYER_OK);
    g_assert_cmpuint(i.sid, ==, 2);
    g_assert_true(i.spatial_switch_point);
    g_assert_false(i.keyframe);
    g_assert_cmpuint(i.tl0picidx_off, ==, 12 + 8 + 4);
    /* Spatial id 5: beyond what the bridge tells apart. */
    const uint8_t s5[] = {0xa8, 0x81, 0x02, 0x0b, 0x07, 0x01};
    n = build(pkt, sizeof pkt, NULL, 0, s5, sizeof s5, false);
    g_assert_cmpint(info_of(BRIDGE_CODEC_VP9, 0, pkt, n, NULL, &i), ==, BRIDGE_LAYER_ERR_LAYER);
}

/* The L1T2 key frame descriptor of test-av1-dd.c (15 bytes), then T0 and T1 frames. */
static const uint8_t dd_key[] = {0xc0, 0x01, 0x02, 0x80, 0x01, 0x1e, 0xa8, 0x51,
                                 0x41, 0x01, 0x0c, 0x09, 0xfc, 0x05, 0x9c};
static const uint8_t dd_t1[] = {0x82, 0x01, 0x05}; /* start, not end */

static void test_av1_dd(void)
{
    const uint8_t obu[] = {0x18, 0x01, 0x02}; /* aggregation header: N set, then data */
    uint8_t pkt[128];
    PaAv1DdStructure s;
    pa_av1_dd_structure_init(&s);
    BridgeLayerInfo i;
    /* A delta frame before any structure: the packet cannot be placed. */
    size_t n = build(pkt, sizeof pkt, dd_t1, sizeof dd_t1, obu, sizeof obu, true);
    g_assert_cmpint(info_of(BRIDGE_CODEC_AV1, 0, pkt, n, &s, &i), ==, BRIDGE_LAYER_ERR_DD);
    g_assert_cmpint(i.dd_status, ==, PA_AV1_DD_ERR_NO_STRUCTURE);

    n = build(pkt, sizeof pkt, dd_key, sizeof dd_key, obu, sizeof obu, true);
    g_assert_cmpint(info_of(BRIDGE_CODEC_AV1, 1, pkt, n, &s, &i), ==, BRIDGE_LAYER_OK);
    g_assert_true(i.keyframe && i.frame_start && i.frame_end && i.has_layers);
    g_assert_cmpuint(i.width, ==, 640);
    g_assert_cmpuint(i.height, ==, 360);
    g_assert_cmphex(i.frame_number, ==, 0x0102);
    g_assert_cmpuint(i.dd_off, ==, 12 + 8 + 4 + 1);
    g_assert_cmphex(pkt[i.dd_off + 1], ==, 0x01);
    g_assert_cmphex(pkt[i.dd_off + 2], ==, 0x02);

    n = build(pkt, sizeof pkt, dd_t1, sizeof dd_t1, obu, sizeof obu, false);
    g_assert_cmpint(info_of(BRIDGE_CODEC_AV1, 1, pkt, n, &s, &i), ==, BRIDGE_LAYER_OK);
    g_assert_cmpuint(i.tid, ==, 1);
    g_assert_false(i.keyframe);
    g_assert_false(i.switch_point); /* Discardable for DT1: not a switch */
    g_assert_false(i.frame_end);

    /* VP8 with a descriptor too: layers from VP8, the frame number still found. */
    const uint8_t vp8[] = {0x90, 0xa0, 0x92, 0x34, 0x40, 0x51, 0x00};
    n = build(pkt, sizeof pkt, dd_t1, sizeof dd_t1, vp8, sizeof vp8, false);
    g_assert_cmpint(info_of(BRIDGE_CODEC_VP8, 0, pkt, n, &s, &i), ==, BRIDGE_LAYER_OK);
    g_assert_cmpuint(i.tid, ==, 1); /* from VP8's TID byte 0x40 */
    g_assert_cmphex(i.frame_number, ==, 0x0105);
    g_assert_cmpuint(i.dd_off, >, 0);

    /* AV1 without any descriptor: key frames from the aggregation header's N bit. */
    n = build(pkt, sizeof pkt, NULL, 0, obu, sizeof obu, true);
    g_assert_cmpint(info_of(BRIDGE_CODEC_AV1, 0, pkt, n, NULL, &i), ==, BRIDGE_LAYER_OK);
    g_assert_true(i.keyframe && i.frame_start);
    g_assert_false(i.has_layers);
    const uint8_t cont[] = {0x80, 0x01};
    n = build(pkt, sizeof pkt, NULL, 0, cont, sizeof cont, true);
    g_assert_cmpint(info_of(BRIDGE_CODEC_AV1, 0, pkt, n, NULL, &i), ==, BRIDGE_LAYER_OK);
    g_assert_false(i.keyframe || i.frame_start);
}

static void test_h264_keyframes(void)
{
    struct {
        const char *what;
        uint8_t payload[16];
        size_t len;
        bool key;
    } cases[] = {
        {"IDR slice", {0x65, 0x88, 0x84}, 3, true},
        {"non-IDR slice", {0x41, 0x9a}, 2, false},
        {"SPS", {0x67, 0x42, 0x00, 0x1f}, 4, true},
        {"STAP-A with SPS and PPS",
         {0x18, 0x00, 0x02, 0x67, 0x42, 0x00, 0x02, 0x68, 0xce},
         9,
         true},
        {"STAP-A with slices", {0x18, 0x00, 0x02, 0x41, 0x9a, 0x00, 0x02, 0x41, 0x9b}, 9, false},
        {"STAP-A with a bad size", {0x18, 0x00, 0x09, 0x67}, 4, false},
        {"FU-A start of IDR", {0x7c, 0x85, 0x00}, 3, true},
        {"FU-A middle of IDR", {0x7c, 0x05, 0x00}, 3, false},
        {"FU-A start of non-IDR", {0x5c, 0x81, 0x00}, 3, false},
    };
    for (size_t k = 0; k < G_N_ELEMENTS(cases); k++) {
        uint8_t pkt[64];
        size_t n = build(pkt, sizeof pkt, NULL, 0, cases[k].payload, cases[k].len, false);
        BridgeLayerInfo i;
        g_assert_cmpint(info_of(BRIDGE_CODEC_H264, 0, pkt, n, NULL, &i), ==, BRIDGE_LAYER_OK);
        if (i.keyframe != cases[k].key)
            g_error("%s: keyframe %d, want %d", cases[k].what, i.keyframe, cases[k].key);
    }
}

static void test_padding_and_names(void)
{
    uint8_t pkt[64];
    size_t n = build(pkt, sizeof pkt, NULL, 0, NULL, 0, false);
    BridgeLayerInfo i;
    g_assert_cmpint(info_of(BRIDGE_CODEC_VP8, 0, pkt, n, NULL, &i), ==, BRIDGE_LAYER_OK);
    g_assert_true(i.padding_only);
    g_assert_false(i.keyframe || i.frame_start);
    g_assert_cmpint(bridge_codec_from_name("vp8"), ==, BRIDGE_CODEC_VP8);
    g_assert_cmpint(bridge_codec_from_name("VP9"), ==, BRIDGE_CODEC_VP9);
    g_assert_cmpint(bridge_codec_from_name("AV1"), ==, BRIDGE_CODEC_AV1);
    g_assert_cmpint(bridge_codec_from_name("H264"), ==, BRIDGE_CODEC_H264);
    g_assert_cmpint(bridge_codec_from_name("opus"), ==, BRIDGE_CODEC_OTHER);
    g_assert_cmpint(bridge_codec_from_name(NULL), ==, BRIDGE_CODEC_OTHER);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/layer/vp8-offsets", test_vp8_offsets);
    g_test_add_func("/forward/layer/vp9-layers", test_vp9_layers);
    g_test_add_func("/forward/layer/av1-dd", test_av1_dd);
    g_test_add_func("/forward/layer/h264-keyframes", test_h264_keyframes);
    g_test_add_func("/forward/layer/padding-and-names", test_padding_and_names);
    return g_test_run();
}
