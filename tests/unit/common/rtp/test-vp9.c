/* SPDX-License-Identifier: MIT */
/* VP9 payload descriptor (RFC 9628): a non-flexible 3-spatial-layer key picture with its
 * scalability structure, an upper spatial layer, flexible mode with reference differences,
 * every truncation and the rewriters, with hand-derived bytes. */
#include <glib.h>
#include <string.h>

#include "common/rtp/vp9.h"

/* Spatial layer 0 of a key picture, non-flexible mode, announcing 3 spatial layers. */
static const uint8_t key_s0[] = {
    0xaa,                   /* I=1 P=0 L=1 F=0 B=1 E=0 V=1 Z=0 */
    0x81, 0x02,             /* M=1, picture id 0x0102 */
    0x00,                   /* TID=0 U=0 SID=0 D=0 */
    0x07,                   /* TL0PICIDX */
    0x58,                   /* SS: N_S=2 (3 layers) Y=1 G=1 */
    0x01, 0x40, 0x00, 0xb4, /* 320x180 */
    0x02, 0x80, 0x01, 0x68, /* 640x360 */
    0x05, 0x00, 0x02, 0xd0, /* 1280x720 */
    0x02,                   /* N_G = 2 */
    0x00,                   /* TID 0 U 0 R 0 */
    0x34, 0x01,             /* TID 1 U 1 R 1, P_DIFF 1 */
    0xc7, 0x00,             /* coded data */
};
#define KEY_S0_DESC_LEN 22

/* Spatial layer 1 of the same picture: only inter-layer predicted (P=0, D=1), last packet. */
static const uint8_t key_s1[] = {0xac, 0x81, 0x02, 0x03, 0x07, 0x11};

/* Flexible mode, inter picture, TID 2 switching-up point, two references (1 and 2). */
static const uint8_t flex[] = {
    0xfc,       /* I P L F B E */
    0x05,       /* 7-bit picture id 5 */
    0x50,       /* TID=2 U=1 SID=0 D=0 */
    0x03, 0x04, /* P_DIFF 1, N=1; P_DIFF 2, N=0 */
    0x99,
};

static PaVp9Status parse_copy(const uint8_t *p, size_t len, PaVp9Desc *d)
{
    uint8_t *copy = len ? g_memdup2(p, len) : NULL;
    PaVp9Status st = pa_vp9_parse(copy, len, d);
    g_free(copy);
    return st;
}

static void test_key_picture(void)
{
    PaVp9Desc d;
    g_assert_cmpint(parse_copy(key_s0, sizeof key_s0, &d), ==, PA_VP9_OK);
    g_assert_true(d.has_picture_id && d.picture_id_15);
    g_assert_cmphex(d.picture_id, ==, 0x0102);
    g_assert_false(d.inter_picture);
    g_assert_true(d.has_layers);
    g_assert_false(d.flexible);
    g_assert_true(d.begin);
    g_assert_false(d.end);
    g_assert_cmpuint(d.tid, ==, 0);
    g_assert_cmpuint(d.sid, ==, 0);
    g_assert_true(d.has_tl0picidx);
    g_assert_cmpuint(d.tl0picidx, ==, 7);
    g_assert_cmpuint(d.tl0picidx_offset, ==, 4);
    g_assert_true(d.has_ss);
    g_assert_cmpuint(d.ss_spatial_layers, ==, 3);
    g_assert_true(d.ss_has_resolution);
    g_assert_cmpuint(d.ss_width[0], ==, 320);
    g_assert_cmpuint(d.ss_height[0], ==, 180);
    g_assert_cmpuint(d.ss_width[2], ==, 1280);
    g_assert_cmpuint(d.ss_height[2], ==, 720);
    g_assert_cmpuint(d.ss_pictures, ==, 2);
    g_assert_cmpuint(d.desc_len, ==, KEY_S0_DESC_LEN);
    g_assert_true(d.keyframe);
}

static void test_upper_spatial_layer(void)
{
    PaVp9Desc d;
    g_assert_cmpint(parse_copy(key_s1, sizeof key_s1, &d), ==, PA_VP9_OK);
    g_assert_cmpuint(d.sid, ==, 1);
    g_assert_true(d.inter_layer);
    g_assert_false(d.inter_picture);
    g_assert_true(d.begin && d.end);
    g_assert_false(d.has_ss);
    /* Not a key frame for the SFU: it needs spatial layer 0 of this picture. */
    g_assert_false(d.keyframe);
    g_assert_cmpuint(d.desc_len, ==, 5);
}

static void test_flexible(void)
{
    PaVp9Desc d;
    g_assert_cmpint(parse_copy(flex, sizeof flex, &d), ==, PA_VP9_OK);
    g_assert_true(d.flexible && d.inter_picture);
    g_assert_false(d.picture_id_15);
    g_assert_cmpuint(d.picture_id, ==, 5);
    g_assert_cmpuint(d.tid, ==, 2);
    g_assert_true(d.switching_up);
    g_assert_false(d.has_tl0picidx); /* flexible mode has none */
    g_assert_cmpuint(d.n_pdiff, ==, 2);
    g_assert_cmpuint(d.pdiff[0], ==, 1);
    g_assert_cmpuint(d.pdiff[1], ==, 2);
    g_assert_false(d.keyframe);
    g_assert_cmpuint(d.desc_len, ==, 5);

    /* Four references: RFC 9628 allows three. */
    const uint8_t four[] = {0xf8, 0x05, 0x50, 0x03, 0x05, 0x07, 0x08, 0x99};
    g_assert_cmpint(parse_copy(four, sizeof four, &d), ==, PA_VP9_ERR_PDIFF);
    g_assert_cmpstr(pa_vp9_status_name(PA_VP9_ERR_PDIFF), ==, "bad_pdiff");
}

static void test_no_layers(void)
{
    /* Non-scalable: B E only; picture without I; a key frame (P clear). */
    const uint8_t plain[] = {0x0c, 0x82};
    PaVp9Desc d;
    g_assert_cmpint(parse_copy(plain, sizeof plain, &d), ==, PA_VP9_OK);
    g_assert_false(d.has_picture_id || d.has_layers || d.has_tl0picidx);
    g_assert_true(d.keyframe);
    g_assert_cmpuint(d.desc_len, ==, 1);
}

static void test_truncated(void)
{
    PaVp9Desc d;
    for (size_t n = 0; n <= KEY_S0_DESC_LEN; n++)
        g_assert_cmpint(parse_copy(key_s0, n, &d), ==, PA_VP9_ERR_TRUNCATED);
    g_assert_cmpint(parse_copy(key_s0, KEY_S0_DESC_LEN + 1, &d), ==, PA_VP9_OK);
    for (size_t n = 0; n < sizeof flex; n++)
        g_assert_cmpint(parse_copy(flex, n, &d), ==, PA_VP9_ERR_TRUNCATED);
    /* A scalability structure whose group list announces more than there is. */
    const uint8_t short_groups[] = {0x02, 0x08, 0x05, 0x00};
    g_assert_cmpint(parse_copy(short_groups, sizeof short_groups, &d), ==, PA_VP9_ERR_TRUNCATED);
}

static void test_rewrite(void)
{
    uint8_t pkt[sizeof key_s0];
    memcpy(pkt, key_s0, sizeof pkt);
    PaVp9Desc d, again;
    g_assert_cmpint(pa_vp9_parse(pkt, sizeof pkt, &d), ==, PA_VP9_OK);
    g_assert_true(pa_vp9_set_picture_id(pkt, &d, 0x4321));
    g_assert_true(pa_vp9_set_tl0picidx(pkt, &d, 200));
    g_assert_cmphex(pkt[1], ==, 0xc3);
    g_assert_cmphex(pkt[2], ==, 0x21);
    g_assert_cmpuint(pkt[4], ==, 200);
    g_assert_cmpmem(pkt + 5, sizeof pkt - 5, key_s0 + 5, sizeof pkt - 5);
    g_assert_cmpint(pa_vp9_parse(pkt, sizeof pkt, &again), ==, PA_VP9_OK);
    g_assert_cmphex(again.picture_id, ==, 0x4321);
    g_assert_cmpuint(again.tl0picidx, ==, 200);
    g_assert_cmpuint(again.ss_width[1], ==, 640);

    uint8_t f[sizeof flex];
    memcpy(f, flex, sizeof f);
    g_assert_cmpint(pa_vp9_parse(f, sizeof f, &d), ==, PA_VP9_OK);
    g_assert_true(pa_vp9_set_picture_id(f, &d, 0x80 + 9));
    g_assert_cmphex(f[1], ==, 9);
    g_assert_false(pa_vp9_set_tl0picidx(f, &d, 1));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp/vp9/key-picture", test_key_picture);
    g_test_add_func("/rtp/vp9/upper-spatial-layer", test_upper_spatial_layer);
    g_test_add_func("/rtp/vp9/flexible", test_flexible);
    g_test_add_func("/rtp/vp9/no-layers", test_no_layers);
    g_test_add_func("/rtp/vp9/truncated", test_truncated);
    g_test_add_func("/rtp/vp9/rewrite", test_rewrite);
    return g_test_run();
}
