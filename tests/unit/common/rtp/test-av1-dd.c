/* SPDX-License-Identifier: MIT */
/* AV1 dependency descriptor: structures written out bit by bit from the syntax in the AV1
 * RTP specification (appendix A.4.1), frames resolved against them, custom parts, decode
 * target layers, errors that must leave the stream's structure alone, and the frame number
 * rewriter. */
#include <glib.h>
#include <string.h>

#include "common/rtp/av1-dd.h"

/* Packs a string of '0'/'1' (anything else ignored: spaces separate the fields) into bytes,
 * zero-padded to a whole byte as the descriptor is. Returns the number of bytes. */
static size_t bits(const char *s, uint8_t *out, size_t cap)
{
    size_t n = 0;
    memset(out, 0, cap);
    for (; *s; s++) {
        if (*s != '0' && *s != '1')
            continue;
        g_assert_cmpuint(n / 8, <, cap);
        if (*s == '1')
            out[n / 8] |= (uint8_t)(0x80 >> (n % 8));
        n++;
    }
    return (n + 7) / 8;
}

/* L1T2 as Chrome structures it: key template, T0 delta template, T1 template; two decode
 * targets (DT0 = 15 fps base, DT1 = 30 fps); one chain protecting both; 640x360. The first
 * frame uses template 0 (the key frame), frame number 0x0102. */
static const char l1t2_key[] =
    "1 1 000000 0000000100000010" /* start, end, template id 0, frame number 0x0102 */
    "1 0 0 0 0"                   /* structure present, no active mask, no custom parts */
    "000000 00001"                /* template_id_offset 0, dt_cnt_minus_one 1 */
    "00 01 11"                    /* templates S0T0, S0T0, S0T1 */
    "1010 1010 0001"              /* DTIs: S S | S S | - D */
    "0 100010 100000"             /* fdiffs: none | 2 | 1 */
    "10"                          /* chains_cnt = ns(3) = 1 (protected_by: ns(1), no bits) */
    "0000 0010 0001"              /* chain fdiffs per template */
    "1 0000001001111111 0000000101100111"; /* resolutions: 640x360 */

/* L2T2 with template_id_offset 10, no chains, no resolutions: S0T0, S0T1, S1T0, S1T1 and one
 * decode target per layer. */
static const char l2t2_key[] = "1 0 001010 0000000000000111" /* template id 10, frame 7 */
                               "1 0 0 0 0"
                               "001010 00011" /* offset 10, 4 decode targets */
                               "01 10 01 11"  /* S0T0 S0T1 S1T0 S1T1 */
                               "10101010 00010001 00001010 00000001" /* DTIs */
                               "0 0 0 0"                             /* no fdiffs */
                               "00"                                  /* chains_cnt = ns(5) = 0 */
                               "0";                                  /* no resolutions */

static PaAv1DdStatus parse_copy(const uint8_t *p, size_t len, PaAv1DdStructure *s, PaAv1DdFrame *f)
{
    uint8_t *copy = len ? g_memdup2(p, len) : NULL;
    PaAv1DdStatus st = pa_av1_dd_parse(copy, len, s, f);
    g_free(copy);
    return st;
}

static void test_l1t2(void)
{
    uint8_t buf[64];
    size_t n = bits(l1t2_key, buf, sizeof buf);
    g_assert_cmpuint(n, ==, 15);
    PaAv1DdStructure s;
    pa_av1_dd_structure_init(&s);
    PaAv1DdFrame f;
    g_assert_cmpint(parse_copy(buf, n, &s, &f), ==, PA_AV1_DD_OK);
    g_assert_true(f.start_of_frame && f.end_of_frame);
    g_assert_cmphex(f.frame_number, ==, 0x0102);
    g_assert_true(f.has_structure);
    g_assert_true(pa_av1_dd_is_keyframe(&f));
    g_assert_cmpuint(f.sid, ==, 0);
    g_assert_cmpuint(f.tid, ==, 0);
    g_assert_cmpuint(pa_av1_dd_dti(f.dtis, 0), ==, PA_AV1_DTI_SWITCH);
    g_assert_cmpuint(pa_av1_dd_dti(f.dtis, 1), ==, PA_AV1_DTI_SWITCH);
    g_assert_cmpuint(f.fdiff_count, ==, 0);

    g_assert_cmpuint(s.template_count, ==, 3);
    g_assert_cmpuint(s.dt_count, ==, 2);
    g_assert_cmpuint(s.chain_count, ==, 1);
    g_assert_cmpuint(s.max_spatial_id, ==, 0);
    g_assert_cmpuint(s.max_temporal_id, ==, 1);
    g_assert_true(s.has_resolutions);
    g_assert_cmpuint(s.width[0], ==, 640);
    g_assert_cmpuint(s.height[0], ==, 360);
    g_assert_cmphex(s.active_decode_targets, ==, 0x3);
    /* DT0 is the base layer alone, DT1 adds T1. */
    g_assert_cmpint(pa_av1_dd_decode_target(&s, 0, 0), ==, 0);
    g_assert_cmpint(pa_av1_dd_decode_target(&s, 0, 1), ==, 1);
    g_assert_cmpint(pa_av1_dd_decode_target(&s, 1, 0), ==, -1);

    /* Later frames: the 3 mandatory bytes only. Template 1: a T0 delta frame referencing the
     * frame two before; template 2: a T1 frame, discardable for DT1 and absent from DT0. */
    const uint8_t t0_delta[] = {0xc1, 0x01, 0x04};
    g_assert_cmpint(parse_copy(t0_delta, sizeof t0_delta, &s, &f), ==, PA_AV1_DD_OK);
    g_assert_false(f.has_structure);
    g_assert_false(pa_av1_dd_is_keyframe(&f));
    g_assert_cmpuint(f.tid, ==, 0);
    g_assert_cmpuint(f.fdiff_count, ==, 1);
    g_assert_cmpuint(f.fdiffs[0], ==, 2);
    g_assert_cmpuint(f.chain_count, ==, 1);
    g_assert_cmpuint(f.chain_fdiffs[0], ==, 2);

    const uint8_t t1[] = {0x82, 0x01, 0x05};
    g_assert_cmpint(parse_copy(t1, sizeof t1, &s, &f), ==, PA_AV1_DD_OK);
    g_assert_true(f.start_of_frame);
    g_assert_false(f.end_of_frame);
    g_assert_cmpuint(f.tid, ==, 1);
    g_assert_cmpuint(pa_av1_dd_dti(f.dtis, 0), ==, PA_AV1_DTI_NOT_PRESENT);
    g_assert_cmpuint(pa_av1_dd_dti(f.dtis, 1), ==, PA_AV1_DTI_DISCARDABLE);
    g_assert_cmpuint(f.fdiffs[0], ==, 1);

    /* Template 3 does not exist in a structure of 3. */
    const uint8_t t3[] = {0xc3, 0x01, 0x06};
    g_assert_cmpint(parse_copy(t3, sizeof t3, &s, &f), ==, PA_AV1_DD_ERR_TEMPLATE);
}

static void test_l2t2_layers_and_offset(void)
{
    uint8_t buf[64];
    size_t n = bits(l2t2_key, buf, sizeof buf);
    PaAv1DdStructure s;
    pa_av1_dd_structure_init(&s);
    PaAv1DdFrame f;
    g_assert_cmpint(parse_copy(buf, n, &s, &f), ==, PA_AV1_DD_OK);
    g_assert_cmpuint(s.template_id_offset, ==, 10);
    g_assert_cmpuint(s.template_count, ==, 4);
    g_assert_cmpuint(s.dt_count, ==, 4);
    g_assert_cmpuint(s.chain_count, ==, 0);
    g_assert_cmpuint(s.max_spatial_id, ==, 1);
    g_assert_false(s.has_resolutions);
    g_assert_true(f.start_of_frame);
    g_assert_false(f.end_of_frame); /* spatial layer 1 of the key picture follows */
    g_assert_cmpuint(f.frame_number, ==, 7);
    g_assert_true(pa_av1_dd_is_keyframe(&f));
    for (unsigned sid = 0; sid < 2; sid++)
        for (unsigned tid = 0; tid < 2; tid++)
            g_assert_cmpint(pa_av1_dd_decode_target(&s, sid, tid), ==, (int)(sid * 2 + tid));

    /* Template id 13 is index 3: S1T1. */
    const uint8_t s1t1[] = {0xcd, 0x00, 0x09};
    g_assert_cmpint(parse_copy(s1t1, sizeof s1t1, &s, &f), ==, PA_AV1_DD_OK);
    g_assert_cmpuint(f.sid, ==, 1);
    g_assert_cmpuint(f.tid, ==, 1);
    g_assert_cmpuint(pa_av1_dd_dti(f.dtis, 3), ==, PA_AV1_DTI_DISCARDABLE);
    g_assert_cmpuint(pa_av1_dd_dti(f.dtis, 2), ==, PA_AV1_DTI_NOT_PRESENT);
    /* Ids 9 and 14 are outside 10..13. */
    const uint8_t id9[] = {0xc9, 0x00, 0x0a}, id14[] = {0xce, 0x00, 0x0a};
    g_assert_cmpint(parse_copy(id9, sizeof id9, &s, &f), ==, PA_AV1_DD_ERR_TEMPLATE);
    g_assert_cmpint(parse_copy(id14, sizeof id14, &s, &f), ==, PA_AV1_DD_ERR_TEMPLATE);

    /* Custom reference differences (one 12-bit, one 4-bit) and an active decode target mask:
     * template 12 (S1T0), frame 8. */
    n = bits("1 1 001100 0000000000001000"
             "0 1 0 1 0" /* active mask present, custom fdiffs */
             "0011"      /* active decode targets: DT0, DT1 */
             "11 000100101011 01 0000 00",
             buf, sizeof buf);
    g_assert_cmpint(parse_copy(buf, n, &s, &f), ==, PA_AV1_DD_OK);
    g_assert_cmpuint(f.sid, ==, 1);
    g_assert_true(f.has_active_targets);
    g_assert_cmphex(f.active_decode_targets, ==, 0x3);
    g_assert_cmphex(s.active_decode_targets, ==, 0x3);
    g_assert_cmpuint(f.fdiff_count, ==, 2);
    g_assert_cmpuint(f.fdiffs[0], ==, 300);
    g_assert_cmpuint(f.fdiffs[1], ==, 1);

    /* Custom chains in a structure without chains. */
    n = bits("1 1 001100 0000000000001001 0 0 0 0 1", buf, sizeof buf);
    g_assert_cmpint(parse_copy(buf, n, &s, &f), ==, PA_AV1_DD_ERR_LIMIT);
}

static void test_errors_keep_structure(void)
{
    PaAv1DdStructure s, before;
    PaAv1DdFrame f;
    pa_av1_dd_structure_init(&s);
    const uint8_t delta[] = {0xc1, 0x01, 0x04};
    /* Nothing to resolve against yet. */
    g_assert_cmpint(parse_copy(delta, sizeof delta, &s, &f), ==, PA_AV1_DD_ERR_NO_STRUCTURE);
    g_assert_cmpint(parse_copy(delta, 2, &s, &f), ==, PA_AV1_DD_ERR_TRUNCATED);

    uint8_t buf[64];
    size_t n = bits(l1t2_key, buf, sizeof buf);
    g_assert_cmpint(parse_copy(buf, n, &s, &f), ==, PA_AV1_DD_OK);
    before = s;
    /* Every truncation of a structure-carrying descriptor fails and changes nothing. */
    for (size_t cut = 4; cut < n; cut++) {
        g_assert_cmpint(parse_copy(buf, cut, &s, &f), ==, PA_AV1_DD_ERR_TRUNCATED);
        g_assert_cmpmem(&s, sizeof s, &before, sizeof before);
    }
    /* A new structure whose template reference is out of range is not adopted either. */
    uint8_t l2[64];
    size_t n2 = bits(l2t2_key, l2, sizeof l2);
    l2[0] = (uint8_t)((l2[0] & 0xc0) | 20);
    g_assert_cmpint(parse_copy(l2, n2, &s, &f), ==, PA_AV1_DD_ERR_TEMPLATE);
    g_assert_cmpmem(&s, sizeof s, &before, sizeof before);
    g_assert_cmpstr(pa_av1_dd_status_name(PA_AV1_DD_ERR_TEMPLATE), ==, "bad_template");
}

static void test_limits(void)
{
    PaAv1DdStructure s;
    PaAv1DdFrame f;
    pa_av1_dd_structure_init(&s);
    uint8_t buf[64];
    /* Five spatial layers (ids 0..4): above MAX_SPATIAL_ID. */
    size_t n =
        bits("1 1 000000 0000000000000001 1 0 0 0 0 000000 00000 10 10 10 10 11", buf, sizeof buf);
    g_assert_cmpint(parse_copy(buf, n, &s, &f), ==, PA_AV1_DD_ERR_LIMIT);
    g_assert_cmpuint(s.template_count, ==, 0);
    /* 17 fdiffs in one template. */
    GString *str = g_string_new("1 1 000000 0000000000000001 1 0 0 0 0 000000 00000 11 00");
    for (int i = 0; i < 17; i++)
        g_string_append(str, " 10000");
    g_string_append(str, " 0 0");
    n = bits(str->str, buf, sizeof buf);
    g_string_free(str, TRUE);
    g_assert_cmpint(parse_copy(buf, n, &s, &f), ==, PA_AV1_DD_ERR_LIMIT);
}

static void test_frame_number_rewrite(void)
{
    uint8_t buf[64];
    size_t n = bits(l1t2_key, buf, sizeof buf);
    uint8_t orig[64];
    memcpy(orig, buf, sizeof buf);
    pa_av1_dd_set_frame_number(buf, 0xfffe);
    g_assert_cmpmem(buf + 3, n - 3, orig + 3, n - 3);
    g_assert_cmphex(buf[0], ==, orig[0]);
    PaAv1DdStructure s;
    PaAv1DdFrame f;
    pa_av1_dd_structure_init(&s);
    g_assert_cmpint(pa_av1_dd_parse(buf, n, &s, &f), ==, PA_AV1_DD_OK);
    g_assert_cmphex(f.frame_number, ==, 0xfffe);
    g_assert_true(pa_av1_dd_is_keyframe(&f));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/rtp/av1-dd/l1t2", test_l1t2);
    g_test_add_func("/rtp/av1-dd/l2t2-layers-and-offset", test_l2t2_layers_and_offset);
    g_test_add_func("/rtp/av1-dd/errors-keep-structure", test_errors_keep_structure);
    g_test_add_func("/rtp/av1-dd/limits", test_limits);
    g_test_add_func("/rtp/av1-dd/frame-number-rewrite", test_frame_number_rewrite);
    return g_test_run();
}
