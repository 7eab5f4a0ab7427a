/* SPDX-License-Identifier: MIT */
/* Per-layer rates of a simulcast source measured from its packets: bitrates that include the
 * layers a layer depends on, frame rates per temporal layer, heights from key frames (and
 * assumed before one), a layer that stops falling to zero, SVC layers summed across spatial
 * layers. */
#include <glib.h>
#include <string.h>

#include "bridge/forward/layer-rates.h"
#include "sim-stream.h"

static const BridgeLayerDesc *find(const BridgeLayerDesc *d, unsigned n, int enc, int sid, int tid)
{
    for (unsigned k = 0; k < n; k++)
        if (d[k].layer.enc == enc && d[k].layer.sid == sid && d[k].layer.tid == tid)
            return &d[k];
    g_error("layer %d/%d/%d not in the snapshot", enc, sid, tid);
    return NULL;
}

static void test_simulcast_rates(void)
{
    BridgeLayerRates r;
    bridge_layer_rates_init(&r);
    SimVp8 enc[3];
    /* 30 fps, 2 packets a frame: encoding e sends payloads of 100 << e bytes. */
    for (unsigned e = 0; e < 3; e++) {
        sim_vp8_init(&enc[e], 0x100 + e, (uint8_t)e, 1, 1, 1, 1);
        enc[e].payload_bytes = 100u << e;
    }
    int64_t now = 50000000;
    BridgeLayerDesc d[BRIDGE_MAX_LAYERS];
    /* Before any key frame the heights are assumed from the encoding's place. */
    for (unsigned t = 0; t < 60; t++) {
        for (unsigned e = 0; e < 3; e++) {
            SimPkt pk[4];
            unsigned n = 0;
            sim_vp8_frame(&enc[e], t == 30 && e > 0, pk, &n, 4);
            for (unsigned k = 0; k < n; k++) {
                BridgeLayerInfo i = sim_info(&pk[k], BRIDGE_CODEC_VP8, (uint8_t)e);
                bridge_layer_rates_add(&r, &i, i.payload_len, now);
            }
        }
        if (t == 20) {
            unsigned n = bridge_layer_rates_snapshot(&r, now, d, BRIDGE_MAX_LAYERS);
            g_assert_cmpuint(n, ==, 9);
            g_assert_false(find(d, n, 1, 0, 2)->height_known);
            g_assert_cmpuint(find(d, n, 0, 0, 0)->height, ==, 180);
            g_assert_cmpuint(find(d, n, 2, 0, 0)->height, ==, 720);
        }
        now += 33333;
    }
    unsigned n = bridge_layer_rates_snapshot(&r, now, d, BRIDGE_MAX_LAYERS);
    g_assert_cmpuint(n, ==, 9);
    /* Ordered by encoding, then temporal layer. */
    g_assert_cmpint(d[0].layer.enc, ==, 0);
    g_assert_cmpint(d[0].layer.tid, ==, 0);
    g_assert_cmpint(d[8].layer.enc, ==, 2);
    g_assert_cmpint(d[8].layer.tid, ==, 2);
    /* Key frames told encodings 1 and 2 their sizes (sim: 640x360, 1280x720). */
    g_assert_true(find(d, n, 2, 0, 2)->height_known);
    g_assert_cmpuint(find(d, n, 2, 0, 2)->height, ==, 720);
    g_assert_cmpuint(find(d, n, 1, 0, 0)->height, ==, 360);
    /* Frame rates: a quarter of the frames are T0, a half T0+T1, all T0+T1+T2. */
    for (unsigned e = 0; e < 3; e++) {
        g_assert_cmpfloat_with_epsilon(find(d, n, (int)e, 0, 0)->fps, 7.5, 1.0);
        g_assert_cmpfloat_with_epsilon(find(d, n, (int)e, 0, 1)->fps, 15.0, 1.0);
        g_assert_cmpfloat_with_epsilon(find(d, n, (int)e, 0, 2)->fps, 30.0, 1.0);
    }
    /* Bitrates include the layers below: the full encoding 2 is 30 fps x 2 x ~400 bytes. */
    double full2 = 30.0 * 2 * 400 * 8;
    g_assert_cmpfloat_with_epsilon(find(d, n, 2, 0, 2)->bitrate_bps, full2, full2 * 0.08);
    g_assert_cmpfloat_with_epsilon(find(d, n, 2, 0, 0)->bitrate_bps, full2 / 4, full2 * 0.04);
    g_assert_cmpuint(find(d, n, 0, 0, 2)->bitrate_bps, <, find(d, n, 1, 0, 2)->bitrate_bps);
    g_assert_cmpuint(find(d, n, 1, 0, 2)->bitrate_bps, <, find(d, n, 2, 0, 2)->bitrate_bps);

    /* Encoding 2 stops (the sender dropped it): a second later it costs nothing, and it stays
     * listed (it was sent) for the allocator to see as inactive. */
    for (unsigned t = 0; t < 35; t++) {
        for (unsigned e = 0; e < 2; e++) {
            SimPkt pk[4];
            unsigned m = 0;
            sim_vp8_frame(&enc[e], false, pk, &m, 4);
            for (unsigned k = 0; k < m; k++) {
                BridgeLayerInfo i = sim_info(&pk[k], BRIDGE_CODEC_VP8, (uint8_t)e);
                bridge_layer_rates_add(&r, &i, i.payload_len, now);
            }
        }
        now += 33333;
    }
    n = bridge_layer_rates_snapshot(&r, now, d, BRIDGE_MAX_LAYERS);
    g_assert_cmpuint(n, ==, 9);
    g_assert_cmpuint(find(d, n, 2, 0, 2)->bitrate_bps, ==, 0);
    g_assert_cmpfloat(find(d, n, 2, 0, 2)->fps, ==, 0);
    g_assert_cmpuint(find(d, n, 1, 0, 2)->bitrate_bps, >, 0);
    /* Nothing at all for a long time: all zero. */
    n = bridge_layer_rates_snapshot(&r, now + 5000000, d, BRIDGE_MAX_LAYERS);
    for (unsigned k = 0; k < n; k++)
        g_assert_cmpuint(d[k].bitrate_bps, ==, 0);
    /* A short output array is filled up to its size. */
    g_assert_cmpuint(bridge_layer_rates_snapshot(&r, now, d, 4), ==, 4);
}

static void test_svc_sums_spatial_layers(void)
{
    BridgeLayerRates r;
    bridge_layer_rates_init(&r);
    int64_t now = 0;
    /* One encoding, spatial layers 0..2 at 100/200/400 bytes a frame, 10 frames a second,
     * temporal layer 0 only. */
    for (unsigned f = 0; f < 30; f++) {
        for (unsigned s = 0; s < 3; s++) {
            BridgeLayerInfo i = {
                .enc = 0, .sid = (uint8_t)s, .tid = 0, .frame_start = true, .frame_end = true};
            if (f == 0) {
                i.width = (uint16_t)(320u << s);
                i.height = (uint16_t)(180u << s);
            }
            bridge_layer_rates_add(&r, &i, 100u << s, now);
        }
        now += 100000;
    }
    BridgeLayerDesc d[BRIDGE_MAX_LAYERS];
    unsigned n = bridge_layer_rates_snapshot(&r, now, d, BRIDGE_MAX_LAYERS);
    g_assert_cmpuint(n, ==, 3);
    /* A receiver of spatial layer 1 gets layers 0 and 1: 300 bytes x 10/s. */
    g_assert_cmpfloat_with_epsilon(find(d, n, 0, 1, 0)->bitrate_bps, 300 * 10 * 8, 2400);
    g_assert_cmpfloat_with_epsilon(find(d, n, 0, 2, 0)->bitrate_bps, 700 * 10 * 8, 5600);
    g_assert_cmpuint(find(d, n, 0, 2, 0)->height, ==, 720);
    g_assert_cmpfloat_with_epsilon(find(d, n, 0, 1, 0)->fps, 10.0, 1.2);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/layer-rates/simulcast", test_simulcast_rates);
    g_test_add_func("/forward/layer-rates/svc", test_svc_sums_spatial_layers);
    return g_test_run();
}
