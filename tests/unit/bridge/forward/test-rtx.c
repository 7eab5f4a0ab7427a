/* SPDX-License-Identifier: MIT */
/* The retransmission cache (hits, misses after the ring wrapped or the index was taken,
 * expiry, streams kept apart, oversized packets), RFC 4588 wrapping and unwrapping, and the
 * whole NACK path: a receiver's NACK for a projected number answered from the cache with
 * exactly the bytes first sent, inside an RTX packet. */
#include <glib.h>
#include <string.h>

#include "bridge/forward/projection.h"
#include "bridge/forward/rtx.h"
#include "common/rtp/hdrext.h"
#include "common/rtp/rtp.h"
#include "sim-stream.h"

static size_t packet(uint8_t *buf, size_t cap, uint32_t ssrc, uint16_t seq, size_t payload_len,
                     uint8_t padding)
{
    uint8_t payload[1600];
    for (size_t k = 0; k < payload_len && k < sizeof payload; k++)
        payload[k] = (uint8_t)(seq + k);
    uint8_t ext[8];
    uint16_t profile;
    const uint8_t tcc[2] = {0x12, 0x34};
    PaHdrextWrite w = {5, 2, tcc};
    size_t ext_len = pa_hdrext_write_block(ext, sizeof ext, false, &w, 1, &profile);
    PaRtpBuild b = {.marker = true,
                    .payload_type = 100,
                    .seq = seq,
                    .timestamp = 1234,
                    .ssrc = ssrc,
                    .extension = true,
                    .ext_profile = profile,
                    .ext = ext,
                    .ext_len = ext_len,
                    .payload = payload,
                    .payload_len = payload_len,
                    .padding_len = padding};
    return pa_rtp_build(buf, cap, &b);
}

static void test_cache(void)
{
    g_assert_null(bridge_rtx_cache_new(100, 65536, 1, 1000)); /* not a power of two */
    g_assert_null(bridge_rtx_cache_new(16, 65536, 0, 1000));
    g_assert_null(bridge_rtx_cache_new(4096, 65536, 1, 1000)); /* more than the index */
    g_assert_null(bridge_rtx_cache_new(16, 1000, 1, 1000));    /* not even one large packet */
    BridgeRtxCache *c = bridge_rtx_cache_new(16, 65536, 2, 1000000);
    g_assert_nonnull(c);
    uint8_t pkt[1600];
    int64_t t = 10000000;
    /* Two streams with the same sequence numbers stay apart. */
    for (uint16_t s = 0; s < 8; s++) {
        size_t n = packet(pkt, sizeof pkt, 0xa, (uint16_t)(65530 + s), 100, 0);
        g_assert_true(bridge_rtx_cache_put(c, 0, pkt, n, t + s));
        n = packet(pkt, sizeof pkt, 0xb, (uint16_t)(65530 + s), 50, 0);
        g_assert_true(bridge_rtx_cache_put(c, 1, pkt, n, t + s));
    }
    size_t len;
    const uint8_t *got = bridge_rtx_cache_get(c, 0, 65535, t + 100, &len);
    g_assert_nonnull(got);
    g_assert_cmphex(pa_rtp_get_ssrc(got), ==, 0xa);
    g_assert_cmpuint(pa_rtp_get_seq(got), ==, 65535);
    size_t want = packet(pkt, sizeof pkt, 0xa, 65535, 100, 0);
    g_assert_cmpmem(got, len, pkt, want);
    got = bridge_rtx_cache_get(c, 1, 1, t + 100, &len);
    g_assert_nonnull(got);
    g_assert_cmphex(pa_rtp_get_ssrc(got), ==, 0xb);
    /* Never stored, and a stream that does not exist. */
    g_assert_null(bridge_rtx_cache_get(c, 0, 2, t, &len));
    g_assert_null(bridge_rtx_cache_get(c, 2, 1, t, &len));

    /* Sixteen more packets on stream 0: the ring went round, the old ones are gone. */
    for (uint16_t s = 0; s < 16; s++) {
        size_t n = packet(pkt, sizeof pkt, 0xa, (uint16_t)(100 + s), 100, 0);
        bridge_rtx_cache_put(c, 0, pkt, n, t + 1000);
    }
    g_assert_null(bridge_rtx_cache_get(c, 0, 65535, t + 1000, &len));
    g_assert_null(bridge_rtx_cache_get(c, 1, 1, t + 1000, &len));
    g_assert_nonnull(bridge_rtx_cache_get(c, 0, 115, t + 1000, &len));

    /* The index is by sequence number modulo BRIDGE_RTX_INDEX: a newer packet 1024 later
     * takes the entry, and the older one is a miss (not the wrong packet). */
    size_t n = packet(pkt, sizeof pkt, 0xa, 100 + 1024, 100, 0);
    bridge_rtx_cache_put(c, 0, pkt, n, t + 1000);
    g_assert_null(bridge_rtx_cache_get(c, 0, 100, t + 1000, &len));
    got = bridge_rtx_cache_get(c, 0, 100 + 1024, t + 1000, &len);
    g_assert_nonnull(got);
    g_assert_cmpuint(pa_rtp_get_seq(got), ==, 1124);

    /* Too old to be worth sending. */
    g_assert_null(bridge_rtx_cache_get(c, 0, 115, t + 1000 + 1000001, &len));
    /* Too large to cache. */
    n = packet(pkt, sizeof pkt, 0xa, 7, 1500, 0);
    g_assert_false(bridge_rtx_cache_put(c, 0, pkt, n, t));

    BridgeRtxCacheStats st;
    bridge_rtx_cache_get_stats(c, &st);
    g_assert_cmpuint(st.stored, ==, 16 + 16 + 1);
    g_assert_cmpuint(st.too_large, ==, 1);
    g_assert_cmpuint(st.expired, ==, 1);
    g_assert_cmpuint(st.hits, ==, 4);
    g_assert_cmpuint(st.misses, ==, 5);
    bridge_rtx_cache_free(c);
}

static void test_wrap_unwrap(void)
{
    uint8_t pkt[256], rtx[256];
    size_t n = packet(pkt, sizeof pkt, 0x1111, 4321, 40, 12);
    size_t m = bridge_rtx_wrap(rtx, sizeof rtx, pkt, n, 96, 0x2222, 77);
    /* The same header and extensions, two bytes of OSN, the payload, no padding. */
    g_assert_cmpuint(m, ==, n - 12 + 2);
    PaRtpHeader h, r;
    g_assert_cmpint(pa_rtp_parse(pkt, n, &h), ==, PA_RTP_OK);
    g_assert_cmpint(pa_rtp_parse(rtx, m, &r), ==, PA_RTP_OK);
    g_assert_false(r.padding);
    g_assert_cmpuint(r.payload_type, ==, 96);
    g_assert_cmphex(r.ssrc, ==, 0x2222);
    g_assert_cmpuint(r.seq, ==, 77);
    g_assert_cmpuint(r.timestamp, ==, h.timestamp);
    g_assert_true(r.marker);
    g_assert_cmpmem(rtx + r.ext_offset, r.ext_len, pkt + h.ext_offset, h.ext_len);
    g_assert_cmpuint(pa_rd16(rtx + r.payload_offset), ==, 4321);
    g_assert_cmpmem(rtx + r.payload_offset + 2, r.payload_len - 2, pkt + h.payload_offset,
                    h.payload_len);
    g_assert_cmpuint(bridge_rtx_wrap(rtx, m - 1, pkt, n, 96, 0x2222, 77), ==, 0);

    /* Unwrapping gives the original back (without its padding, which RTX dropped). */
    size_t back;
    g_assert_cmpint(bridge_rtx_unwrap(rtx, m, 100, 0x1111, &back), ==, BRIDGE_RTX_UNWRAPPED);
    size_t plain = packet(pkt, sizeof pkt, 0x1111, 4321, 40, 0);
    g_assert_cmpmem(rtx, back, pkt, plain);

    /* A sender's padding-only probe on its RTX SSRC, and garbage. */
    n = packet(pkt, sizeof pkt, 0x2222, 9, 0, 200);
    g_assert_cmpint(bridge_rtx_unwrap(pkt, n, 100, 1, &back), ==, BRIDGE_RTX_PADDING);
    n = packet(pkt, sizeof pkt, 0x2222, 9, 1, 0);
    g_assert_cmpint(bridge_rtx_unwrap(pkt, n, 100, 1, &back), ==, BRIDGE_RTX_MALFORMED);
    g_assert_cmpint(bridge_rtx_unwrap(pkt, 5, 100, 1, &back), ==, BRIDGE_RTX_MALFORMED);
}

/* The bytes run out before the slots: a packet whose bytes were written over is gone, one
 * that did not fit before the ring's end starts at its beginning intact, and what is returned
 * is always the packet as stored. */
static void test_cache_bytes(void)
{
    /* 64 slots but room for about five 1,000-byte packets. */
    BridgeRtxCache *c = bridge_rtx_cache_new(64, 5 * 1000 + 500, 1, 1000000);
    g_assert_nonnull(c);
    uint8_t pkt[1600];
    int64_t t = 10000000;
    size_t len;
    for (uint16_t s = 0; s < 40; s++) {
        size_t n = packet(pkt, sizeof pkt, 0xa, (uint16_t)(7000 + s), 1000 - 12, 0);
        g_assert_true(bridge_rtx_cache_put(c, 0, pkt, n, t));
        /* The newest five are there, byte for byte; the sixth newest is written over. */
        for (uint16_t k = 0; k <= s && k < 5; k++) {
            const uint8_t *got = bridge_rtx_cache_get(c, 0, (uint16_t)(7000 + s - k), t, &len);
            g_assert_nonnull(got);
            size_t want = packet(pkt, sizeof pkt, 0xa, (uint16_t)(7000 + s - k), 1000 - 12, 0);
            g_assert_cmpmem(got, len, pkt, want);
        }
        if (s >= 5)
            g_assert_null(bridge_rtx_cache_get(c, 0, (uint16_t)(7000 + s - 5), t, &len));
    }
    /* Small packets: many fit, as many as the slots allow. */
    for (uint16_t s = 0; s < 64; s++) {
        size_t n = packet(pkt, sizeof pkt, 0xa, (uint16_t)(9000 + s), 40, 0);
        g_assert_true(bridge_rtx_cache_put(c, 0, pkt, n, t));
    }
    g_assert_nonnull(bridge_rtx_cache_get(c, 0, 9000 + 63, t, &len));
    g_assert_nonnull(bridge_rtx_cache_get(c, 0, 9000 + 63 - 40, t, &len));
    g_assert_null(bridge_rtx_cache_get(c, 0, 7039, t, &len));
    bridge_rtx_cache_free(c);
}

/* A source slower than the ring a max age: each lap ends once its start is older than the max
 * age, so only about a max age of its bytes is ever written (the rest of the ring's pages are
 * never touched), and every packet younger than the max age is still there. */
static void test_cache_short_laps(void)
{
    const size_t ring = 256 * 1024;
    BridgeRtxCache *c = bridge_rtx_cache_new(512, ring, 1, 1000000);
    g_assert_nonnull(c);
    uint8_t pkt[1600];
    size_t len;
    int64_t t = 50000000;
    /* 40 packets of 1,000 bytes a second (320 kbit/s) for 10 s. */
    for (unsigned i = 0; i < 400; i++, t += 25000) {
        size_t n = packet(pkt, sizeof pkt, 0xa, (uint16_t)(100 + i), 1000 - 12, 0);
        g_assert_true(bridge_rtx_cache_put(c, 0, pkt, n, t));
        for (unsigned k = 0; k <= i && k * 25000 < 1000000; k++) {
            const uint8_t *got = bridge_rtx_cache_get(c, 0, (uint16_t)(100 + i - k), t, &len);
            g_assert_nonnull(got);
            size_t want = packet(pkt, sizeof pkt, 0xa, (uint16_t)(100 + i - k), 1000 - 12, 0);
            g_assert_cmpmem(got, len, pkt, want);
        }
    }
    BridgeRtxCacheStats st;
    bridge_rtx_cache_get_stats(c, &st);
    g_assert_cmpuint(st.ring_touched, <=, 42 * 1000);
    g_assert_cmpuint(st.ring_touched, >=, 40 * 1000);
    /* A faster source (a burst of 300 packets at once) goes round the whole ring. */
    for (unsigned i = 0; i < 300; i++) {
        size_t n = packet(pkt, sizeof pkt, 0xa, (uint16_t)(600 + i), 1000 - 12, 0);
        g_assert_true(bridge_rtx_cache_put(c, 0, pkt, n, t));
    }
    bridge_rtx_cache_get_stats(c, &st);
    g_assert_cmpuint(st.ring_touched, >, ring - 1000);
    g_assert_nonnull(bridge_rtx_cache_get(c, 0, 600 + 299 - 200, t, &len));
    bridge_rtx_cache_free(c);
}

/* The path a NACK takes: forwarded packets cached on the sender side; the receiver NACKs
 * projected numbers; each is looked up, fetched, rewritten as sent, and wrapped in RTX. */
static void test_nack_path(void)
{
    SimVp8 enc[2];
    sim_vp8_init(&enc[0], 0x500, 0, 65520, 1, 100, 1);
    sim_vp8_init(&enc[1], 0x501, 1, 300, 999, 7000, 60);
    BridgeRtxCache *cache =
        bridge_rtx_cache_new(512, 256u << 10, 2, 10 * BRIDGE_RTX_DEFAULT_MAX_AGE_US);
    BridgeProjection p;
    bridge_projection_init(&p, 0x500, 90000);
    bridge_projection_set_target(&p, (BridgeLayerTarget){0, 0, 2});
    static SimPkt sent[256];
    unsigned n_sent = 0;
    int64_t now = 1000000;
    bool key[2] = {true, true};
    for (unsigned t = 0; t < 40; t++) {
        if (t == 20)
            bridge_projection_set_target(&p, (BridgeLayerTarget){1, 0, 2});
        for (uint8_t e = 0; e < 2; e++) {
            SimPkt pk[4];
            unsigned n = 0;
            sim_vp8_frame(&enc[e], key[e], pk, &n, 4);
            key[e] = false;
            for (unsigned k = 0; k < n; k++) {
                bridge_rtx_cache_put(cache, e, pk[k].data, pk[k].len, now);
                BridgeLayerInfo i = sim_info(&pk[k], BRIDGE_CODEC_VP8, e);
                SimPkt out = pk[k];
                unsigned flags;
                if (bridge_projection_process(&p, out.data, out.len, &i, now, &flags) ==
                    BRIDGE_PROJ_FORWARD)
                    sent[n_sent++] = out;
                if (flags & BRIDGE_PROJ_WANT_KEYFRAME)
                    key[bridge_projection_wanted_encoding(&p)] = true;
            }
        }
        now += 33333;
    }
    g_assert_cmpuint(n_sent, >, 60);
    /* The receiver NACKs every packet it was sent, both encodings' worth; the bridge answers
     * each one with an RTX packet whose content is exactly what was sent. */
    uint16_t rtx_seq = 1;
    for (unsigned k = 0; k < n_sent; k++) {
        uint16_t out_seq = pa_rtp_get_seq(sent[k].data);
        BridgeProjRef ref;
        if (!bridge_projection_lookup(&p, out_seq, &ref)) {
            /* Only numbers older than the projection's memory are unknown. */
            g_assert_cmpuint(n_sent - k, >, BRIDGE_PROJ_SEQ_RING);
            continue;
        }
        g_assert_true(ref.forwarded);
        size_t len;
        const uint8_t *orig = bridge_rtx_cache_get(cache, ref.enc, ref.in_seq, now, &len);
        g_assert_nonnull(orig);
        SimPkt again;
        memcpy(again.data, orig, len);
        again.len = len;
        BridgeLayerInfo i = sim_info(&again, BRIDGE_CODEC_VP8, ref.enc);
        g_assert_true(bridge_projection_rewrite_again(&p, out_seq, again.data, again.len, &i));
        g_assert_cmpmem(again.data, again.len, sent[k].data, sent[k].len);
        uint8_t rtx[SIM_MAX_PACKET + 2];
        size_t m = bridge_rtx_wrap(rtx, sizeof rtx, again.data, again.len, 96, 0x600, rtx_seq++);
        g_assert_cmpuint(m, ==, sent[k].len + 2);
        size_t back;
        g_assert_cmpint(bridge_rtx_unwrap(rtx, m, 100, 0x500, &back), ==, BRIDGE_RTX_UNWRAPPED);
        g_assert_cmpmem(rtx, back, sent[k].data, sent[k].len);
    }
    bridge_rtx_cache_free(cache);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/forward/rtx/cache", test_cache);
    g_test_add_func("/forward/rtx/cache-bytes", test_cache_bytes);
    g_test_add_func("/forward/rtx/cache-short-laps", test_cache_short_laps);
    g_test_add_func("/forward/rtx/wrap-unwrap", test_wrap_unwrap);
    g_test_add_func("/forward/rtx/nack-path", test_nack_path);
    return g_test_run();
}
