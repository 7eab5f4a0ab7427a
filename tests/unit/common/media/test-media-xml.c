/* SPDX-License-Identifier: MIT */
/* The media description and its XML (common/media), on their own: the codecs a Colibri2
 * <media> and a Jingle <description> share, the two dialects of <parameter>, sources and
 * SSRC groups, and the bounds. */
#include "common/media/media-desc.h"
#include "common/media/media-xml.h"
#include "common/xmpp/stanza.h"
#include "tests/lib/c/stanza-match.h"

static xmpp_ctx_t *ctx;

#define DESC                                                                                       \
    "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'>"                               \
    "<payload-type id='100' name='VP8' clockrate='90000'>"                                         \
    "<parameter name='x-google-start-bitrate' value='800'/>"                                       \
    "<rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack' subtype='pli'/>"              \
    "<rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='transport-cc'/></payload-type>"     \
    "<payload-type id='63' name='red' clockrate='48000' channels='2'>"                             \
    "<parameter value='111/111'/></payload-type>"                                                  \
    "<rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='3' "                            \
    "uri='http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01'/>"            \
    "<extmap-allow-mixed xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0'/>"                          \
    "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='4294967295' name='a-v0'>"               \
    "<parameter name='msid' value='s t'/></source>"                                                \
    "<ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'>"                         \
    "<source ssrc='1'/><source ssrc='2'/></ssrc-group>"                                            \
    "</description>"

/* Every codec child of @desc into @m; FALSE (and @ps says why) on the first failure. */
static gboolean parse_codecs(xmpp_stanza_t *desc, PaMediaXmlDialect dialect, PaMediaDesc *m,
                             PaParseState *ps)
{
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(desc); c; c = xmpp_stanza_get_next(c))
        if (!pa_media_xml_parse_codec(ps, c, PA_NS_JINGLE_RTP, dialect, m))
            return FALSE;
    return TRUE;
}

static void check_codecs(const PaMediaDesc *m)
{
    g_assert_cmpuint(m->payload_types->len, ==, 2);
    const PaMediaPayloadType *vp8 = &g_array_index(m->payload_types, PaMediaPayloadType, 0);
    g_assert_cmpuint(vp8->id, ==, 100);
    g_assert_cmpstr(vp8->name, ==, "VP8");
    g_assert_cmpuint(vp8->clockrate, ==, 90000);
    g_assert_cmpuint(vp8->channels, ==, 0);
    g_assert_cmpuint(vp8->parameters->len, ==, 1);
    g_assert_cmpstr(g_array_index(vp8->parameters, PaMediaParam, 0).value, ==, "800");
    g_assert_cmpuint(vp8->rtcp_fbs->len, ==, 2);
    g_assert_cmpstr(g_array_index(vp8->rtcp_fbs, PaMediaRtcpFb, 0).subtype, ==, "pli");
    g_assert_null(g_array_index(vp8->rtcp_fbs, PaMediaRtcpFb, 1).subtype);
    const PaMediaPayloadType *red = &g_array_index(m->payload_types, PaMediaPayloadType, 1);
    g_assert_cmpuint(red->channels, ==, 2);
    g_assert_null(g_array_index(red->parameters, PaMediaParam, 0).name);
    g_assert_cmpstr(g_array_index(red->parameters, PaMediaParam, 0).value, ==, "111/111");
    g_assert_cmpuint(m->hdrexts->len, ==, 1);
    g_assert_cmpuint(g_array_index(m->hdrexts, PaMediaHdrExt, 0).id, ==, 3);
    g_assert_true(m->extmap_allow_mixed);
}

/* Jingle reads a nameless <parameter> (RED's fmtp) and writes it back the same way. */
static void test_jingle_codecs_round_trip(void)
{
    xmpp_stanza_t *desc = test_stanza_parse(ctx, DESC);
    PaMediaDesc m;
    pa_media_desc_init(&m, TRUE);
    PaParseState ps = {0};
    g_assert_true(parse_codecs(desc, PA_MEDIA_XML_JINGLE, &m, &ps));
    check_codecs(&m);

    xmpp_stanza_t *out = pa_stanza_element(ctx, "description", PA_NS_JINGLE_RTP);
    pa_media_xml_build_codecs(out, &m, PA_MEDIA_XML_JINGLE);
    test_assert_stanza(out, "description/payload-type{" PA_NS_JINGLE_RTP "}[id=100][name=VP8]"
                            "/rtcp-fb{" PA_NS_JINGLE_RTCP_FB "}[type=nack][subtype=pli]");
    test_assert_stanza(out, "description/payload-type[id=63][channels=2]/parameter[!name]"
                            "[value=111/111]");
    test_assert_stanza(out, "description/rtp-hdrext{" PA_NS_JINGLE_HDREXT "}[id=3]");
    test_assert_stanza(out, "description/extmap-allow-mixed{" PA_NS_JINGLE_HDREXT "}");
    /* And what was written reads back the same. */
    g_autofree char *text = pa_stanza_to_string(out);
    xmpp_stanza_t *again = test_stanza_parse(ctx, text);
    PaMediaDesc m2;
    pa_media_desc_init(&m2, TRUE);
    g_assert_true(parse_codecs(again, PA_MEDIA_XML_JINGLE, &m2, &ps));
    check_codecs(&m2);

    pa_media_desc_clear(&m2);
    pa_media_desc_clear(&m);
    xmpp_stanza_release(again);
    xmpp_stanza_release(out);
    xmpp_stanza_release(desc);
}

/* Colibri2 requires a parameter name. */
static void test_colibri2_parameter_needs_name(void)
{
    xmpp_stanza_t *desc = test_stanza_parse(ctx, DESC);
    PaMediaDesc m;
    pa_media_desc_init(&m, TRUE);
    PaParseState ps = {0};
    g_assert_false(parse_codecs(desc, PA_MEDIA_XML_COLIBRI2, &m, &ps));
    g_assert_cmpint(ps.status, ==, PA_PARSE_MALFORMED);
    g_assert_nonnull(ps.reason);
    g_free(ps.reason);
    pa_media_desc_clear(&m);
    xmpp_stanza_release(desc);
}

static void test_sources_and_groups(void)
{
    xmpp_stanza_t *desc = test_stanza_parse(ctx, DESC);
    xmpp_stanza_t *src = test_stanza_find(desc, "description/source");
    xmpp_stanza_t *grp = test_stanza_find(desc, "description/ssrc-group");
    PaParseState ps = {0};
    PaMediaSsrc s;
    g_assert_true(pa_media_xml_parse_source(&ps, src, &s));
    g_assert_cmpuint(s.ssrc, ==, 4294967295u);
    g_assert_cmpstr(s.name, ==, "a-v0");
    g_assert_cmpstr(s.msid, ==, "s t");

    char *semantics = NULL;
    GArray *ssrcs = g_array_new(FALSE, FALSE, sizeof(guint32));
    g_assert_true(pa_media_xml_parse_group(&ps, grp, 16, &semantics, ssrcs));
    g_assert_cmpstr(semantics, ==, "FID");
    g_assert_cmpuint(ssrcs->len, ==, 2);
    /* More SSRCs than the caller allows: too large. */
    g_array_set_size(ssrcs, 0);
    g_assert_false(pa_media_xml_parse_group(&ps, grp, 1, &semantics, ssrcs));
    g_assert_cmpint(ps.status, ==, PA_PARSE_TOO_LARGE);
    g_free(ps.reason);

    /* The model: a media source holds its SSRCs; the writer puts them back. */
    GArray *sources = pa_media_sources_new();
    PaMediaSource *ms = pa_media_sources_add(sources, TRUE, "a-v0");
    pa_media_source_add_ssrc(ms, s.ssrc, s.name, s.msid);
    xmpp_stanza_t *out = pa_stanza_element(ctx, "media-source", "jitsi:colibri2");
    const PaMediaSsrc *k = &g_array_index(ms->sources, PaMediaSsrc, 0);
    pa_media_xml_build_source(out, k->ssrc, k->name, k->msid);
    guint32 two[] = {1, 2};
    pa_media_xml_build_group(out, "FID", two, 2);
    test_assert_stanza(out, "media-source/source{" PA_NS_JINGLE_SSMA "}[ssrc=4294967295]"
                            "[name=a-v0]/parameter[name=msid][value=s t]");
    test_assert_stanza_count(out,
                             "media-source/ssrc-group{" PA_NS_JINGLE_SSMA "}[semantics=FID]"
                             "/source[ssrc]",
                             2);

    xmpp_stanza_release(out);
    g_array_unref(sources);
    g_array_unref(ssrcs);
    g_free(semantics);
    g_free(s.name);
    g_free(s.msid);
    xmpp_stanza_release(desc);
}

/* More than PA_MEDIA_MAX_ITEMS payload types are refused, not stored. */
static void test_bounds(void)
{
    GString *x = g_string_new("<description xmlns='urn:xmpp:jingle:apps:rtp:1'>");
    for (int i = 0; i <= PA_MEDIA_MAX_ITEMS; i++)
        g_string_append_printf(x, "<payload-type id='%d' name='p'/>", i % 128);
    g_string_append(x, "</description>");
    xmpp_stanza_t *desc = test_stanza_parse(ctx, x->str);
    PaMediaDesc m;
    pa_media_desc_init(&m, FALSE);
    PaParseState ps = {0};
    g_assert_false(parse_codecs(desc, PA_MEDIA_XML_JINGLE, &m, &ps));
    g_assert_cmpint(ps.status, ==, PA_PARSE_TOO_LARGE);
    g_assert_cmpuint(m.payload_types->len, ==, PA_MEDIA_MAX_ITEMS);
    g_free(ps.reason);
    pa_media_desc_clear(&m);
    xmpp_stanza_release(desc);
    g_string_free(x, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/media/jingle-codecs-round-trip", test_jingle_codecs_round_trip);
    g_test_add_func("/media/colibri2-parameter-needs-name", test_colibri2_parameter_needs_name);
    g_test_add_func("/media/sources-and-groups", test_sources_and_groups);
    g_test_add_func("/media/bounds", test_bounds);
    int r = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return r;
}
