/* SPDX-License-Identifier: MIT */
/* What an endpoint's signalled sources and payload types tell the media plane: encodings from
 * SIM and FID groups, and the payload type -> codec / RTX maps. */
#include "bridge/control/sources.h"
#include "bridge/forward/layer.h"

static void add_group(PaMediaSource *ms, const char *semantics, const guint32 *ssrcs, guint n)
{
    PaMediaSsrcGroup g = {g_strdup(semantics), g_array_new(FALSE, FALSE, sizeof(guint32))};
    g_array_append_vals(g.ssrcs, ssrcs, n);
    g_array_append_val(ms->groups, g);
}

static PaMediaSource *camera(GArray *list, const guint32 *ssrcs, guint n)
{
    PaMediaSource *ms = pa_media_sources_add(list, TRUE, "abcd1234-v0");
    for (guint i = 0; i < n; i++)
        pa_media_source_add_ssrc(ms, ssrcs[i], "abcd1234-v0", "stream track");
    return ms;
}

/* Chromium's simulcast camera: SIM 1 2 3 and an FID pair per encoding, the RTX SSRCs listed
 * in between (the order the SDP gives). */
static void test_simulcast(void)
{
    g_autoptr(GArray) list = pa_media_sources_new();
    const guint32 ssrcs[] = {11, 111, 22, 222, 33, 333};
    PaMediaSource *ms = camera(list, ssrcs, G_N_ELEMENTS(ssrcs));
    add_group(ms, "FID", (guint32[]){22, 222}, 2);
    add_group(ms, "SIM", (guint32[]){11, 22, 33}, 3);
    add_group(ms, "FID", (guint32[]){11, 111}, 2);
    add_group(ms, "FID", (guint32[]){33, 333}, 2);
    BridgeMediaVideoSource v;
    g_assert_true(bridge_source_encodings(ms, &v));
    g_assert_cmpuint(v.n_encodings, ==, 3);
    g_assert_cmpuint(v.ssrcs[0], ==, 11);
    g_assert_cmpuint(v.ssrcs[1], ==, 22);
    g_assert_cmpuint(v.ssrcs[2], ==, 33);
    g_assert_cmpuint(v.rtx[0], ==, 111);
    g_assert_cmpuint(v.rtx[1], ==, 222);
    g_assert_cmpuint(v.rtx[2], ==, 333);
}

/* No SIM group (SVC, screen share, Firefox): one encoding, the first SSRC that is not an RTX
 * one, even when the RTX SSRC is listed first. */
static void test_single(void)
{
    g_autoptr(GArray) list = pa_media_sources_new();
    PaMediaSource *ms = camera(list, (guint32[]){900, 9}, 2);
    add_group(ms, "fid", (guint32[]){9, 900}, 2); /* semantics compared without case */
    BridgeMediaVideoSource v;
    g_assert_true(bridge_source_encodings(ms, &v));
    g_assert_cmpuint(v.n_encodings, ==, 1);
    g_assert_cmpuint(v.ssrcs[0], ==, 9);
    g_assert_cmpuint(v.rtx[0], ==, 900);

    /* Without RTX. */
    PaMediaSource *plain = pa_media_sources_add(list, TRUE, "efgh-v1");
    pa_media_source_add_ssrc(plain, 5, NULL, NULL);
    g_assert_true(bridge_source_encodings(plain, &v));
    g_assert_cmpuint(v.n_encodings, ==, 1);
    g_assert_cmpuint(v.ssrcs[0], ==, 5);
    g_assert_cmpuint(v.rtx[0], ==, 0);
}

/* What a peer may send that makes no sense: no SSRC, only RTX SSRCs, a SIM group longer than
 * the bridge forwards, a FID group of one. */
static void test_odd(void)
{
    g_autoptr(GArray) list = pa_media_sources_new();
    BridgeMediaVideoSource v;
    g_assert_false(bridge_source_encodings(pa_media_sources_add(list, TRUE, "x-v0"), &v));
    g_assert_cmpuint(v.n_encodings, ==, 0);

    PaMediaSource *only_rtx = camera(list, (guint32[]){900}, 1);
    add_group(only_rtx, "FID", (guint32[]){9, 900}, 2);
    g_assert_false(bridge_source_encodings(only_rtx, &v));

    PaMediaSource *wide = camera(list, (guint32[]){1, 2, 3, 4, 5, 6}, 6);
    add_group(wide, "SIM", (guint32[]){1, 2, 3, 4, 5, 6}, 6);
    add_group(wide, "FID", (guint32[]){1}, 1);
    g_assert_true(bridge_source_encodings(wide, &v));
    g_assert_cmpuint(v.n_encodings, ==, BRIDGE_MAX_ENCODINGS);
    g_assert_cmpuint(v.ssrcs[BRIDGE_MAX_ENCODINGS - 1], ==, BRIDGE_MAX_ENCODINGS);
    for (guint e = 0; e < v.n_encodings; e++)
        g_assert_cmpuint(v.rtx[e], ==, 0);
}

static void add_pt(PaMediaDesc *m, guint8 id, const char *name, const char *apt)
{
    PaMediaPayloadType pt = {.id = id, .name = g_strdup(name), .clockrate = 90000};
    pt.parameters = pa_media_params_new();
    pt.rtcp_fbs = pa_media_rtcp_fbs_new();
    if (apt) {
        PaMediaParam p = {g_strdup("apt"), g_strdup(apt)};
        g_array_append_val(pt.parameters, p);
    }
    g_array_append_val(m->payload_types, pt);
}

static void test_codec_maps(void)
{
    g_autoptr(GArray) media = pa_media_descs_new();
    g_array_set_size(media, 2);
    PaMediaDesc *audio = &g_array_index(media, PaMediaDesc, 0);
    PaMediaDesc *video = &g_array_index(media, PaMediaDesc, 1);
    pa_media_desc_init(audio, FALSE);
    pa_media_desc_init(video, TRUE);
    add_pt(audio, 111, "opus", NULL);
    add_pt(video, 45, "av1", NULL);
    add_pt(video, 46, "rtx", "45");
    add_pt(video, 98, "VP9", NULL);
    add_pt(video, 99, "RTX", "98");
    add_pt(video, 120, "H264", NULL);
    add_pt(video, 121, "rtx", "not-a-number");
    add_pt(video, 122, "rtx", "300");
    add_pt(video, 123, "red", NULL);
    guint8 codec[128], rtx[128];
    bridge_source_codec_maps(media, codec, rtx);
    g_assert_cmpuint(codec[45], ==, BRIDGE_CODEC_AV1);
    g_assert_cmpuint(rtx[45], ==, 46);
    g_assert_cmpuint(codec[98], ==, BRIDGE_CODEC_VP9);
    g_assert_cmpuint(rtx[98], ==, 99);
    g_assert_cmpuint(codec[120], ==, BRIDGE_CODEC_H264);
    g_assert_cmpuint(rtx[120], ==, 0);                    /* its rtx's apt was no payload type */
    g_assert_cmpuint(codec[111], ==, BRIDGE_CODEC_OTHER); /* audio is not looked at */
    g_assert_cmpuint(codec[123], ==, BRIDGE_CODEC_OTHER);
    g_assert_cmpuint(codec[100], ==, BRIDGE_CODEC_OTHER); /* announced types replace the defaults */
    for (guint i = 0; i < 128; i++)
        if (i != 45 && i != 98)
            g_assert_cmpuint(rtx[i], ==, 0);
}

/* An endpoint that announced no video payload types (audio only, or none at all) gets Jitsi's
 * numbering. */
static void test_codec_defaults(void)
{
    guint8 codec[128], rtx[128];
    bridge_source_codec_maps(NULL, codec, rtx);
    g_assert_cmpuint(codec[100], ==, BRIDGE_CODEC_VP8);
    g_assert_cmpuint(rtx[100], ==, 96);
    g_assert_cmpuint(codec[101], ==, BRIDGE_CODEC_VP9);
    g_assert_cmpuint(rtx[101], ==, 97);
    g_assert_cmpuint(codec[107], ==, BRIDGE_CODEC_H264);
    g_assert_cmpuint(rtx[107], ==, 99);
    g_assert_cmpuint(codec[41], ==, BRIDGE_CODEC_AV1);
    g_assert_cmpuint(rtx[41], ==, 42);

    g_autoptr(GArray) media = pa_media_descs_new();
    g_array_set_size(media, 1);
    PaMediaDesc *audio = &g_array_index(media, PaMediaDesc, 0);
    pa_media_desc_init(audio, FALSE);
    add_pt(audio, 111, "opus", NULL);
    bridge_source_codec_maps(media, codec, rtx);
    g_assert_cmpuint(codec[100], ==, BRIDGE_CODEC_VP8);
    g_assert_cmpuint(codec[111], ==, BRIDGE_CODEC_OTHER);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/sources/simulcast", test_simulcast);
    g_test_add_func("/sources/single", test_single);
    g_test_add_func("/sources/odd", test_odd);
    g_test_add_func("/sources/codec-maps", test_codec_maps);
    g_test_add_func("/sources/codec-defaults", test_codec_defaults);
    return g_test_run();
}
