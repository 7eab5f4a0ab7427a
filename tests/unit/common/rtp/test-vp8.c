/* SPDX-License-Identifier: MIT */
/* VP8 payload descriptor (RFC 7741): the descriptors Chrome sends with simulcast and temporal
 * layers, written out byte by byte, every truncation, key frame detection and size, and the
 * in-place picture id / TL0PICIDX rewriters. */
#include <glib.h>
#include <string.h>

#include "common/rtp/vp8.h"

/* First packet of a 640x360 key frame of a temporally layered stream:
 * X S PID 0 | I L T | 15-bit picture id 0x1234 | TL0PICIDX 5 | TID 0 Y KEYIDX 0,
 * then the VP8 payload header: frame tag (P bit clear), start code, width, height. */
static const uint8_t key_start[] = {
    0x90,             /* X=1 R=0 N=0 S=1 R=0 PID=0 */
    0xe0,             /* I=1 L=1 T=1 K=0 */
    0x92, 0x34,       /* M=1, picture id 0x1234 */
    0x05,             /* TL0PICIDX */
    0x20,             /* TID=0 Y=1 KEYIDX=0 */
    0x50, 0x42, 0x00, /* frame tag: P=0 (key frame), show_frame, size */
    0x9d, 0x01, 0x2a, /* start code */
    0x80, 0x02,       /* width 640, no scaling */
    0x68, 0x01,       /* height 360 */
    0xaa, 0xbb,       /* coded data */
};

/* A TID 2 delta frame's second partition packet: X N S=0 PID 1 | I T | 7-bit picture id 0x2a |
 * TID 2 Y=0 | data. */
static const uint8_t delta_t2[] = {0xa1, 0xa0, 0x2a, 0x80, 0x11, 0x22};

/* Parses a heap copy of exactly @len bytes so that ASan sees any read past the end. */
static PaVp8Status parse_copy(const uint8_t *p, size_t len, PaVp8Desc *d)
{
    uint8_t *copy = len ? g_memdup2(p, len) : NULL;
    PaVp8Status st = pa_vp8_parse(copy, len, d);
    g_free(copy);
    return st;
}

static void test_keyframe_start(void)
{
    PaVp8Desc d;
    g_assert_cmpint(parse_copy(key_start, sizeof key_start, &d), ==, PA_VP8_OK);
    g_assert_true(d.start);
    g_assert_cmpuint(d.partition, ==, 0);
    g_assert_false(d.non_reference);
    g_assert_true(d.has_picture_id);
    g_assert_true(d.picture_id_15);
    g_assert_cmphex(d.picture_id, ==, 0x1234);
    g_assert_cmpuint(d.picture_id_offset, ==, 2);
    g_assert_true(d.has_tl0picidx);
    g_assert_cmpuint(d.tl0picidx, ==, 5);
    g_assert_cmpuint(d.tl0picidx_offset, ==, 4);
    g_assert_true(d.has_tid);
    g_assert_cmpuint(d.tid, ==, 0);
    g_assert_true(d.layer_sync);
    g_assert_false(d.has_keyidx);
    g_assert_cmpuint(d.desc_len, ==, 6);
    g_assert_true(d.frame_start);
    g_assert_true(d.keyframe);
    g_assert_cmpuint(d.width, ==, 640);
    g_assert_cmpuint(d.height, ==, 360);
}

static void test_delta_packet(void)
{
    PaVp8Desc d;
    g_assert_cmpint(parse_copy(delta_t2, sizeof delta_t2, &d), ==, PA_VP8_OK);
    g_assert_true(d.non_reference);
    g_assert_false(d.start);
    g_assert_cmpuint(d.partition, ==, 1);
    g_assert_false(d.frame_start);
    g_assert_false(d.keyframe);
    g_assert_false(d.picture_id_15);
    g_assert_cmpuint(d.picture_id, ==, 0x2a);
    g_assert_false(d.has_tl0picidx);
    g_assert_cmpuint(d.tid, ==, 2);
    g_assert_false(d.layer_sync);
    g_assert_cmpuint(d.desc_len, ==, 4);
}

static void test_keyframe_detection(void)
{
    PaVp8Desc d;
    /* Frame start with the P bit set: an inter frame. */
    const uint8_t inter[] = {0x90, 0x80, 0x01, 0x31, 0x00};
    g_assert_cmpint(parse_copy(inter, sizeof inter, &d), ==, PA_VP8_OK);
    g_assert_true(d.frame_start);
    g_assert_false(d.keyframe);
    /* S set on a later partition: not the start of a frame, whatever the byte after. */
    const uint8_t part2[] = {0x12, 0x00};
    g_assert_cmpint(parse_copy(part2, sizeof part2, &d), ==, PA_VP8_OK);
    g_assert_false(d.frame_start);
    g_assert_false(d.keyframe);
    /* No extension at all: the smallest descriptor; a key frame whose header is cut short
     * gives no size. */
    const uint8_t bare_key[] = {0x10, 0x50, 0x42, 0x00, 0x9d};
    g_assert_cmpint(parse_copy(bare_key, sizeof bare_key, &d), ==, PA_VP8_OK);
    g_assert_true(d.keyframe);
    g_assert_false(d.has_picture_id);
    g_assert_cmpuint(d.desc_len, ==, 1);
    g_assert_cmpuint(d.width, ==, 0);
    /* A wrong start code: still a key frame by the P bit, no size. */
    uint8_t bad_code[sizeof key_start];
    memcpy(bad_code, key_start, sizeof key_start);
    bad_code[10] = 0x02;
    g_assert_cmpint(parse_copy(bad_code, sizeof bad_code, &d), ==, PA_VP8_OK);
    g_assert_true(d.keyframe);
    g_assert_cmpuint(d.width, ==, 0);
    g_assert_cmpuint(d.height, ==, 0);
}

static void test_keyidx_without_tid(void)
{
    PaVp8Desc d;
    const uint8_t k[] = {0x80, 0x10, 0x3f, 0x00};
    g_assert_cmpint(parse_copy(k, sizeof k, &d), ==, PA_VP8_OK);
    g_assert_true(d.has_keyidx);
    g_assert_cmpuint(d.keyidx, ==, 31);
    g_assert_false(d.has_tid);
    g_assert_cmpuint(d.tid, ==, 0);
    g_assert_false(d.layer_sync); /* Y is only meaningful with T */
    g_assert_cmpuint(d.desc_len, ==, 3);
}

static void test_truncated(void)
{
    PaVp8Desc d;
    /* Every prefix that ends inside the descriptor or right after it is refused: the
     * descriptor alone carries no VP8 data. */
    for (size_t n = 0; n <= 6; n++)
        g_assert_cmpint(parse_copy(key_start, n, &d), ==, PA_VP8_ERR_TRUNCATED);
    g_assert_cmpint(parse_copy(key_start, 7, &d), ==, PA_VP8_OK);
    for (size_t n = 0; n <= 4; n++)
        g_assert_cmpint(parse_copy(delta_t2, n, &d), ==, PA_VP8_ERR_TRUNCATED);
    g_assert_cmpstr(pa_vp8_status_name(PA_VP8_ERR_TRUNCATED), ==, "truncated");
}

static void test_rewrite(void)
{
    uint8_t pkt[sizeof key_start];
    memcpy(pkt, key_start, sizeof pkt);
    PaVp8Desc d, again;
    g_assert_cmpint(pa_vp8_parse(pkt, sizeof pkt, &d), ==, PA_VP8_OK);
    g_assert_true(pa_vp8_set_picture_id(pkt, &d, 0x7ffe));
    g_assert_true(pa_vp8_set_tl0picidx(pkt, &d, 0xfe));
    g_assert_cmphex(pkt[2], ==, 0xff);
    g_assert_cmphex(pkt[3], ==, 0xfe);
    g_assert_cmphex(pkt[4], ==, 0xfe);
    /* Nothing else moved or changed. */
    g_assert_cmpmem(pkt, 2, key_start, 2);
    g_assert_cmpmem(pkt + 5, sizeof pkt - 5, key_start + 5, sizeof pkt - 5);
    g_assert_cmpint(pa_vp8_parse(pkt, sizeof pkt, &again), ==, PA_VP8_OK);
    g_assert_cmphex(again.picture_id, ==, 0x7ffe);
    g_assert_cmpuint(again.tl0picidx, ==, 0xfe);
    g_assert_true(again.keyframe && again.layer_sync);

    /* The 7-bit form keeps 7 bits (the M bit stays clear). */
    uint8_t small[sizeof delta_t2];
    memcpy(small, delta_t2, sizeof small);
    g_assert_cmpint(pa_vp8_parse(small, sizeof small, &d), ==, PA_VP8_OK);
    g_assert_true(pa_vp8_set_picture_id(small, &d, 0x1ff));
    g_assert_cmphex(small[2], ==, 0x7f);
    g_assert_false(pa_vp8_set_tl0picidx(small, &d, 1));
    g_assert_cmpmem(small + 3, sizeof small - 3, delta_t2 + 3, sizeof small - 3);

    /* No picture id: nothing written. */
    const uint8_t none[] = {0x10, 0x01};
    uint8_t copy[sizeof none];
    memcpy(copy, none, sizeof none);
    g_assert_cmpint(pa_vp8_parse(copy, sizeof copy, &d), ==, PA_VP8_OK);
    g_assert_false(pa_vp8_set_picture_id(copy, &d, 5));
    g_assert_cmpmem(copy, sizeof copy, none, sizeof none);
}

static void test_picture_id_diff(void)
{
    g_assert_cmpint(pa_vp8_picture_id_diff(0, 0x7fff), ==, 1);
    g_assert_cmpint(pa_vp8_picture_id_diff(0x7fff, 0), ==, -1);
    g_assert_cmpint(pa_vp8_picture_id_diff(100, 90), ==, 10);
    g_assert_cmpint(pa_vp8_picture_id_diff(90, 100), ==, -10);
    g_assert_cmpint(pa_vp8_picture_id_diff(5, 0x7ffb), ==, 10);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp/vp8/keyframe-start", test_keyframe_start);
    g_test_add_func("/rtp/vp8/delta-packet", test_delta_packet);
    g_test_add_func("/rtp/vp8/keyframe-detection", test_keyframe_detection);
    g_test_add_func("/rtp/vp8/keyidx-without-tid", test_keyidx_without_tid);
    g_test_add_func("/rtp/vp8/truncated", test_truncated);
    g_test_add_func("/rtp/vp8/rewrite", test_rewrite);
    g_test_add_func("/rtp/vp8/picture-id-diff", test_picture_id_diff);
    return g_test_run();
}
