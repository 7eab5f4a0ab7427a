/* SPDX-License-Identifier: MIT */
/* common/colibri: conference-modify / conference-modified parse and build round trips, the
 * refusal of malformed requests, and every error reason on the wire. */
#include <string.h>

#include "common/colibri/colibri.h"
#include "common/xmpp/ice-udp.h"
#include "common/xmpp/stanza.h"
#include "tests/lib/c/stanza-match.h"

static xmpp_ctx_t *ctx;

static xmpp_stanza_t *xml(const char *s)
{
    xmpp_stanza_t *st = xmpp_stanza_new_from_string(ctx, s);
    g_assert_nonnull(st);
    return st;
}

/* What Jicofo sends after a session-accept (shape from JCF Colibri2Session). */
static const char *update_request =
    "<iq type='set' id='r1' from='focus.meet.parley.test' to='jvb@auth.meet.parley.test/x'>"
    "<conference-modify xmlns='jitsi:colibri2' meeting-id='8a1b-uuid' name='room@conference.x'>"
    " <endpoint id='abcd1234' stats-id='Fred-1'>"
    "  <media type='audio'>"
    "   <payload-type xmlns='urn:xmpp:jingle:apps:rtp:1' id='111' name='opus' clockrate='48000'"
    "    channels='2'><parameter name='useinbandfec' value='1'/>"
    "    <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='transport-cc'/></payload-type>"
    "   <rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1'"
    "    uri='urn:ietf:params:rtp-hdrext:ssrc-audio-level'/>"
    "   <extmap-allow-mixed xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0'/>"
    "  </media>"
    "  <media type='video'>"
    "   <payload-type xmlns='urn:xmpp:jingle:apps:rtp:1' id='100' name='VP8' clockrate='90000'>"
    "    <rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='nack' subtype='pli'/>"
    "   </payload-type>"
    "   <payload-type xmlns='urn:xmpp:jingle:apps:rtp:1' id='96' name='rtx' clockrate='90000'>"
    "    <parameter name='apt' value='100'/></payload-type>"
    "  </media>"
    "  <transport>"
    "   <transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='cUfr'"
    "    pwd='0123456789abcdefghijkl'><rtcp-mux/>"
    "    <fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='active'>"
    "AA:BB</fingerprint>"
    "    <candidate component='1' foundation='1' generation='0' ip='127.0.0.1' network='0'"
    "     port='50000' priority='2122260223' protocol='udp' type='host'/></transport>"
    "  </transport>"
    "  <sources>"
    "   <media-source type='audio' id='abcd1234-a0'>"
    "    <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1111' name='abcd1234-a0'>"
    "     <parameter name='msid' value='s1 t1'/></source></media-source>"
    "   <media-source type='video' id='abcd1234-v0'>"
    "    <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2222' name='abcd1234-v0'/>"
    "    <source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2223' name='abcd1234-v0'/>"
    "    <ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'>"
    "     <source ssrc='2222'/><source ssrc='2223'/></ssrc-group>"
    "   </media-source>"
    "  </sources>"
    "  <force-mute audio='true' video='false'/>"
    "  <initial-last-n value='-1'/>"
    " </endpoint>"
    "</conference-modify></iq>";

static void check_update(const PaColibriConferenceModify *m)
{
    g_assert_cmpstr(m->meeting_id, ==, "8a1b-uuid");
    g_assert_cmpstr(m->name, ==, "room@conference.x");
    g_assert_false(m->create);
    g_assert_cmpuint(m->endpoints->len, ==, 1);
    const PaColibriEndpoint *ep = &g_array_index(m->endpoints, PaColibriEndpoint, 0);
    g_assert_cmpstr(ep->id, ==, "abcd1234");
    g_assert_cmpstr(ep->stats_id, ==, "Fred-1");
    g_assert_false(ep->create);
    g_assert_cmpuint(ep->media->len, ==, 2);
    const PaMediaDesc *audio = &g_array_index(ep->media, PaMediaDesc, 0);
    g_assert_false(audio->video);
    g_assert_true(audio->extmap_allow_mixed);
    g_assert_cmpuint(audio->payload_types->len, ==, 1);
    const PaMediaPayloadType *opus = &g_array_index(audio->payload_types, PaMediaPayloadType, 0);
    g_assert_cmpuint(opus->id, ==, 111);
    g_assert_cmpstr(opus->name, ==, "opus");
    g_assert_cmpuint(opus->clockrate, ==, 48000);
    g_assert_cmpuint(opus->channels, ==, 2);
    g_assert_cmpstr(g_array_index(opus->parameters, PaMediaParam, 0).value, ==, "1");
    g_assert_cmpstr(g_array_index(opus->rtcp_fbs, PaMediaRtcpFb, 0).type, ==, "transport-cc");
    g_assert_cmpuint(audio->hdrexts->len, ==, 1);
    g_assert_cmpuint(g_array_index(audio->hdrexts, PaMediaHdrExt, 0).id, ==, 1);
    const PaMediaDesc *video = &g_array_index(ep->media, PaMediaDesc, 1);
    g_assert_true(video->video);
    g_assert_cmpuint(video->payload_types->len, ==, 2);
    const PaMediaPayloadType *vp8 = &g_array_index(video->payload_types, PaMediaPayloadType, 0);
    g_assert_cmpstr(g_array_index(vp8->rtcp_fbs, PaMediaRtcpFb, 0).subtype, ==, "pli");

    g_assert_true(ep->has_transport);
    g_assert_true(ep->has_ice);
    g_assert_cmpstr(ep->ice.ufrag, ==, "cUfr");
    g_assert_cmpstr(ep->ice.setup, ==, "active");
    g_assert_cmpstr(ep->ice.fingerprint, ==, "AA:BB");
    g_assert_cmpuint(ep->ice.candidates->len, ==, 1);

    g_assert_true(ep->has_sources);
    g_assert_cmpuint(ep->sources->len, ==, 2);
    const PaMediaSource *as = &g_array_index(ep->sources, PaMediaSource, 0);
    g_assert_false(as->video);
    g_assert_cmpstr(as->id, ==, "abcd1234-a0");
    g_assert_cmpuint(g_array_index(as->sources, PaMediaSsrc, 0).ssrc, ==, 1111);
    g_assert_cmpstr(g_array_index(as->sources, PaMediaSsrc, 0).msid, ==, "s1 t1");
    const PaMediaSource *vs = &g_array_index(ep->sources, PaMediaSource, 1);
    g_assert_true(vs->video);
    g_assert_cmpuint(vs->sources->len, ==, 2);
    g_assert_cmpuint(vs->groups->len, ==, 1);
    const PaMediaSsrcGroup *fid = &g_array_index(vs->groups, PaMediaSsrcGroup, 0);
    g_assert_cmpstr(fid->semantics, ==, "FID");
    g_assert_cmpuint(fid->ssrcs->len, ==, 2);
    g_assert_cmpuint(g_array_index(fid->ssrcs, guint32, 1), ==, 2223);

    g_assert_true(ep->has_force_mute);
    g_assert_true(ep->force_mute_audio);
    g_assert_false(ep->force_mute_video);
    g_assert_true(ep->has_initial_last_n);
    g_assert_cmpint(ep->initial_last_n, ==, -1);
}

static void test_parse_update(void)
{
    xmpp_stanza_t *iq = xml(update_request);
    PaColibriConferenceModify m;
    g_autofree char *why = NULL;
    g_assert_cmpint(pa_colibri_parse_modify(iq, &m, &why), ==, PA_COLIBRI_OK);
    g_assert_null(why);
    check_update(&m);

    /* Build it again, through text, and parse the result: same model. */
    xmpp_stanza_t *built = pa_colibri_build_modify(ctx, &m);
    g_autofree char *text = pa_stanza_to_string(built);
    xmpp_stanza_release(built);
    xmpp_stanza_t *again = xml(text);
    PaColibriConferenceModify m2;
    g_assert_cmpint(pa_colibri_parse_modify(again, &m2, NULL), ==, PA_COLIBRI_OK);
    check_update(&m2);
    pa_colibri_modify_clear(&m2);
    pa_colibri_modify_clear(&m);
    xmpp_stanza_release(again);
    xmpp_stanza_release(iq);
}

static void test_create_round_trip(void)
{
    PaColibriConferenceModify m;
    pa_colibri_modify_init(&m);
    m.meeting_id = g_strdup("m-1");
    m.name = g_strdup("r@conference.x");
    m.create = TRUE;
    for (int i = 0; i < 2; i++) {
        PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, i ? "ep2" : "ep1");
        ep->create = TRUE;
        ep->has_transport = TRUE;
        ep->ice_controlling = TRUE;
        g_strfreev(ep->capabilities);
        ep->capabilities = g_strsplit("source-names", ",", -1);
    }
    xmpp_stanza_t *built = pa_colibri_build_modify(ctx, &m);
    g_autofree char *text = pa_stanza_to_string(built);
    xmpp_stanza_release(built);
    xmpp_stanza_t *back = xml(text);
    test_assert_stanza(back, "conference-modify{jitsi:colibri2}[meeting-id=m-1][create=true]");
    test_assert_stanza_count(back, "conference-modify/endpoint{jitsi:colibri2}[create=true]", 2);
    PaColibriConferenceModify r;
    g_assert_cmpint(pa_colibri_parse_modify(back, &r, NULL), ==, PA_COLIBRI_OK);
    g_assert_true(r.create);
    g_assert_cmpstr(r.meeting_id, ==, "m-1");
    g_assert_cmpuint(r.endpoints->len, ==, 2);
    const PaColibriEndpoint *e2 = &g_array_index(r.endpoints, PaColibriEndpoint, 1);
    g_assert_cmpstr(e2->id, ==, "ep2");
    g_assert_true(e2->create);
    g_assert_true(e2->has_transport);
    g_assert_true(e2->ice_controlling);
    g_assert_false(e2->has_ice);
    g_assert_false(e2->has_sources);
    g_assert_true(pa_colibri_endpoint_has_capability(e2, "source-names"));
    g_assert_false(pa_colibri_endpoint_has_capability(e2, "ssrc-rewriting"));
    pa_colibri_modify_clear(&r);
    pa_colibri_modify_clear(&m);
    xmpp_stanza_release(back);
}

static void test_modified_round_trip(void)
{
    PaColibriConferenceModified m;
    pa_colibri_modified_init(&m);
    PaColibriEndpoint *ep = pa_colibri_endpoints_add(m.endpoints, "ep1");
    ep->has_ice = TRUE;
    ep->ice.ufrag = g_strdup("bUfr");
    ep->ice.pwd = g_strdup("bridgepassword12345678");
    ep->ice.rtcp_mux = TRUE;
    ep->ice.fingerprint_hash = g_strdup("sha-256");
    ep->ice.fingerprint = g_strdup("AB:CD");
    ep->ice.setup = g_strdup("actpass");
    ep->ice.websocket_url = g_strdup("ws://127.0.0.1:8080/colibri-ws/b/m-1/ep1?pwd=x");
    PaIceCandidate c = {.component = 1, .priority = 7, .port = 10000};
    strcpy(c.foundation, "1");
    strcpy(c.protocol, "udp");
    strcpy(c.ip, "127.0.0.1");
    strcpy(c.type, "host");
    g_array_append_val(ep->ice.candidates, c);
    PaColibriEndpoint *gone = pa_colibri_endpoints_add(m.endpoints, "ep0");
    gone->expire = TRUE;
    ep = &g_array_index(m.endpoints, PaColibriEndpoint, 0); /* the array may have moved */
    m.has_sources = TRUE;
    PaMediaSource *a = pa_media_sources_add(m.sources, FALSE, "jvb-a0");
    pa_media_source_add_ssrc(a, 4000000000u, "jvb-a0", "mixedmslabel mixedlabelaudio0");
    PaMediaSource *v = pa_media_sources_add(m.sources, TRUE, "jvb-v0");
    pa_media_source_add_ssrc(v, 12345, "jvb-v0", NULL);

    xmpp_stanza_t *built = pa_colibri_build_modified(ctx, &m);
    g_autofree char *text = pa_stanza_to_string(built);
    xmpp_stanza_release(built);
    xmpp_stanza_t *back = xml(text);
    /* The shape Jicofo reads: endpoint > transport > ice-udp transport. */
    test_assert_stanza(back, "conference-modified{jitsi:colibri2}/endpoint[id=ep1]"
                             "/transport{jitsi:colibri2}/transport{" PA_NS_ICE_UDP "}"
                             "/web-socket{" PA_NS_COLIBRI "}"
                             "[url=ws://127.0.0.1:8080/colibri-ws/b/m-1/ep1?pwd=x]");
    PaColibriConferenceModified r;
    g_assert_cmpint(pa_colibri_parse_modified(back, &r, NULL), ==, PA_COLIBRI_OK);
    g_assert_cmpuint(r.endpoints->len, ==, 2);
    const PaColibriEndpoint *e = &g_array_index(r.endpoints, PaColibriEndpoint, 0);
    g_assert_true(e->has_ice);
    g_assert_cmpstr(e->ice.pwd, ==, "bridgepassword12345678");
    g_assert_cmpstr(e->ice.websocket_url, ==, ep->ice.websocket_url);
    g_assert_cmpuint(e->ice.candidates->len, ==, 1);
    g_assert_true(g_array_index(r.endpoints, PaColibriEndpoint, 1).expire);
    g_assert_true(r.has_sources);
    g_assert_cmpuint(r.sources->len, ==, 2);
    const PaMediaSource *ra = &g_array_index(r.sources, PaMediaSource, 0);
    g_assert_cmpstr(ra->id, ==, "jvb-a0");
    g_assert_cmpuint(g_array_index(ra->sources, PaMediaSsrc, 0).ssrc, ==, 4000000000u);
    g_assert_cmpstr(g_array_index(ra->sources, PaMediaSsrc, 0).msid, ==,
                    "mixedmslabel mixedlabelaudio0");
    pa_colibri_modified_clear(&r);
    pa_colibri_modified_clear(&m);
    xmpp_stanza_release(back);
}

typedef struct {
    const char *body; /* inside <iq> */
    PaColibriStatus status;
    const char *reason_part;
} BadCase;

#define CM "<conference-modify xmlns='jitsi:colibri2' meeting-id='m'>"

static void test_malformed(void)
{
    static const BadCase cases[] = {
        {"<ping xmlns='urn:xmpp:ping'/>", PA_COLIBRI_NOT_COLIBRI, "conference-modify"},
        {"<conference-modify xmlns='jitsi:colibri'/>", PA_COLIBRI_NOT_COLIBRI, "conference-modify"},
        {"<conference-modify xmlns='jitsi:colibri2'/>", PA_COLIBRI_MALFORMED, "meeting-id"},
        {"<conference-modify xmlns='jitsi:colibri2' meeting-id=''/>", PA_COLIBRI_MALFORMED,
         "meeting-id"},
        {"<conference-modify xmlns='jitsi:colibri2' meeting-id='a b'/>", PA_COLIBRI_MALFORMED,
         "meeting-id"},
        {"<conference-modify xmlns='jitsi:colibri2' meeting-id='m' create='yes'/>",
         PA_COLIBRI_MALFORMED, "create"},
        {CM "<endpoint/></conference-modify>", PA_COLIBRI_MALFORMED, "<endpoint> without 'id'"},
        {CM "<endpoint id='e' create='true' expire='true'/></conference-modify>",
         PA_COLIBRI_MALFORMED, "both create and expire"},
        {CM "<endpoint id='e'/><endpoint id='e'/></conference-modify>", PA_COLIBRI_MALFORMED,
         "listed twice"},
        {CM "<endpoint id='e'><media type='text'/></endpoint></conference-modify>",
         PA_COLIBRI_MALFORMED, "audio or video"},
        {CM "<endpoint id='e'><media type='audio'><payload-type xmlns='urn:xmpp:jingle:apps:rtp:1'"
            " id='200' name='x'/></media></endpoint></conference-modify>",
         PA_COLIBRI_MALFORMED, "id='200'"},
        {CM "<endpoint id='e'><media type='audio'><rtp-hdrext "
            "xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1'/></media></endpoint>"
            "</conference-modify>",
         PA_COLIBRI_MALFORMED, "without 'uri'"},
        {CM "<endpoint id='e'><sources><media-source type='video' id='v'>"
            "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='4294967296'/></media-source>"
            "</sources></endpoint></conference-modify>",
         PA_COLIBRI_MALFORMED, "ssrc"},
        {CM "<endpoint id='e'><sources><media-source type='video' id='v'>"
            "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0'/></media-source>"
            "</sources></endpoint></conference-modify>",
         PA_COLIBRI_MALFORMED, "without 'ssrc'"},
        {CM "<endpoint id='e'><sources><media-source type='video'/></sources></endpoint>"
            "</conference-modify>",
         PA_COLIBRI_MALFORMED, "without 'id'"},
        {CM "<endpoint id='e'><sources><media-source type='video' id='v'><ssrc-group "
            "xmlns='urn:xmpp:jingle:apps:rtp:ssma:0'/></media-source></sources></endpoint>"
            "</conference-modify>",
         PA_COLIBRI_MALFORMED, "semantics"},
        {CM "<endpoint id='e'><transport><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1'>"
            "<candidate component='1' foundation='1' ip='x' port='1' priority='1' protocol='udp'"
            " type='host'/></transport></transport></endpoint></conference-modify>",
         PA_COLIBRI_MALFORMED, "endpoint e: transport: candidate 1"},
        {CM "<endpoint id='e'><transport ice-controlling='maybe'/></endpoint></conference-modify>",
         PA_COLIBRI_MALFORMED, "ice-controlling"},
        {CM "<endpoint id='e'><initial-last-n value='x'/></endpoint></conference-modify>",
         PA_COLIBRI_MALFORMED, "initial-last-n"},
        {CM "<endpoint id='e'><capability/></endpoint></conference-modify>", PA_COLIBRI_MALFORMED,
         "capability"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *s = g_strdup_printf("<iq type='set' id='x'>%s</iq>", cases[i].body);
        xmpp_stanza_t *iq = xml(s);
        PaColibriConferenceModify m;
        char *why = NULL;
        PaColibriStatus st = pa_colibri_parse_modify(iq, &m, &why);
        if (st != cases[i].status || !why || !strstr(why, cases[i].reason_part))
            g_error("case %zu: status %s reason '%s', expected %s with '%s'", i,
                    pa_colibri_status_str(st), why ? why : "(null)",
                    pa_colibri_status_str(cases[i].status), cases[i].reason_part);
        g_free(why);
        pa_colibri_modify_clear(&m);
        xmpp_stanza_release(iq);
    }
}

static void test_too_large(void)
{
    GString *s = g_string_new("<iq type='set'>" CM);
    for (int i = 0; i <= PA_COLIBRI_MAX_ENDPOINTS; i++)
        g_string_append_printf(s, "<endpoint id='e%d' expire='true'/>", i);
    g_string_append(s, "</conference-modify></iq>");
    xmpp_stanza_t *iq = xml(s->str);
    PaColibriConferenceModify m;
    g_autofree char *why = NULL;
    g_assert_cmpint(pa_colibri_parse_modify(iq, &m, &why), ==, PA_COLIBRI_TOO_LARGE);
    pa_colibri_modify_clear(&m);
    xmpp_stanza_release(iq);
    g_string_free(s, TRUE);

    s = g_string_new("<iq type='set'>" CM "<endpoint id='e'><sources>"
                     "<media-source type='video' id='v'>");
    for (int i = 1; i <= PA_COLIBRI_MAX_ITEMS + 1; i++)
        g_string_append_printf(s, "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='%d'/>", i);
    g_string_append(s, "</media-source></sources></endpoint></conference-modify></iq>");
    iq = xml(s->str);
    g_clear_pointer(&why, g_free);
    g_assert_cmpint(pa_colibri_parse_modify(iq, &m, &why), ==, PA_COLIBRI_TOO_LARGE);
    g_assert_nonnull(strstr(why, "source"));
    pa_colibri_modify_clear(&m);
    xmpp_stanza_release(iq);
    g_string_free(s, TRUE);
}

static void test_relays_counted(void)
{
    xmpp_stanza_t *iq =
        xml("<iq type='set'>" CM "<relay id='r' create='true'/></conference-modify></iq>");
    PaColibriConferenceModify m;
    g_assert_cmpint(pa_colibri_parse_modify(iq, &m, NULL), ==, PA_COLIBRI_OK);
    g_assert_cmpuint(m.n_relays, ==, 1);
    pa_colibri_modify_clear(&m);
    xmpp_stanza_release(iq);
}

typedef struct {
    PaColibriError error;
    const char *reason;
    const char *condition;
    const char *type;
} ErrorCase;

/* The one initial-last-n reader (Colibri2 endpoints and Jingle contents use it): -1 ("all")
 * to PA_COLIBRI_LAST_N_MAX, decimal, nothing after the number; the writer round-trips. */
static void test_initial_last_n(void)
{
    static const struct {
        const char *value; /* NULL: attribute absent */
        gboolean ok;
        gint n;
    } cases[] = {
        {"-1", TRUE, -1}, {"0", TRUE, 0},   {"10000", TRUE, 10000}, {"10001", FALSE, 0},
        {"-2", FALSE, 0}, {"", FALSE, 0},   {"5x", FALSE, 0},       {"lots", FALSE, 0},
        {NULL, FALSE, 0}, {"42", TRUE, 42},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        xmpp_stanza_t *e = pa_stanza_element(ctx, "initial-last-n", PA_NS_COLIBRI2);
        if (cases[i].value)
            xmpp_stanza_set_attribute(e, "value", cases[i].value);
        PaParseState ps = {0};
        gint n = 7;
        gboolean ok = pa_colibri_initial_last_n_parse(&ps, e, "content", NULL, &n);
        g_assert_cmpint(ok, ==, cases[i].ok);
        if (ok) {
            g_assert_cmpint(n, ==, cases[i].n);
            g_assert_cmpint(ps.status, ==, PA_PARSE_OK);
        } else {
            g_assert_cmpint(n, ==, 7);
            g_assert_cmpint(ps.status, ==, PA_PARSE_MALFORMED);
            g_assert_cmpstr(ps.reason, ==, "content ?: initial-last-n value");
        }
        g_free(ps.reason);
        xmpp_stanza_release(e);
    }

    xmpp_stanza_t *parent = pa_stanza_element(ctx, "content", "urn:xmpp:jingle:1");
    pa_colibri_initial_last_n_build(parent, PA_NS_COLIBRI2, -1);
    xmpp_stanza_t *ln = xmpp_stanza_get_child_by_name(parent, "initial-last-n");
    g_assert_nonnull(ln);
    g_assert_cmpstr(xmpp_stanza_get_ns(ln), ==, PA_NS_COLIBRI2);
    PaParseState ps = {0};
    gint n = 0;
    g_assert_true(pa_colibri_initial_last_n_parse(&ps, ln, "content", "video", &n));
    g_assert_cmpint(n, ==, -1);
    xmpp_stanza_release(parent);
}

static void test_errors(void)
{
    static const ErrorCase cases[] = {
        {PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND, "CONFERENCE_NOT_FOUND", "item-not-found", "cancel"},
        {PA_COLIBRI_ERROR_CONFERENCE_ALREADY_EXISTS, "CONFERENCE_ALREADY_EXISTS", "conflict",
         "cancel"},
        {PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT, "UNKNOWN_ENDPOINT", "item-not-found", "cancel"},
        {PA_COLIBRI_ERROR_GRACEFUL_SHUTDOWN, "GRACEFUL_SHUTDOWN", "service-unavailable", "cancel"},
        {PA_COLIBRI_ERROR_FEATURE_NOT_IMPLEMENTED, "FEATURE_NOT_IMPLEMENTED",
         "feature-not-implemented", "cancel"},
        {PA_COLIBRI_ERROR_BAD_REQUEST, NULL, "bad-request", "modify"},
        {PA_COLIBRI_ERROR_FORBIDDEN, NULL, "forbidden", "cancel"},
        {PA_COLIBRI_ERROR_ENDPOINT_CONFLICT, NULL, "conflict", "cancel"},
        {PA_COLIBRI_ERROR_INTERNAL, NULL, "internal-server-error", "wait"},
    };
    xmpp_stanza_t *req = xml("<iq type='set' id='q7' from='focus.x/f' to='jvb@auth.x/r'>"
                             "<conference-modify xmlns='jitsi:colibri2' meeting-id='m'/></iq>");
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        const ErrorCase *c = &cases[i];
        g_assert_cmpstr(pa_colibri_error_reason(c->error), ==, c->reason);
        g_assert_cmpstr(pa_colibri_error_condition(c->error), ==, c->condition);
        xmpp_stanza_t *reply = pa_colibri_error_reply(ctx, req, c->error, "ep9", "why not");
        g_autofree char *text = pa_stanza_to_string(reply);
        xmpp_stanza_release(reply);
        xmpp_stanza_t *r = xml(text); /* as the focus receives it */
        g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "error");
        g_assert_cmpstr(xmpp_stanza_get_id(r), ==, "q7");
        g_assert_cmpstr(xmpp_stanza_get_to(r), ==, "focus.x/f");
        g_assert_cmpstr(xmpp_stanza_get_from(r), ==, "jvb@auth.x/r");
        g_assert_cmpstr(pa_stanza_error_condition(r), ==, c->condition);
        g_assert_cmpstr(xmpp_stanza_get_attribute(pa_stanza_child(r, "error", NULL), "type"), ==,
                        c->type);
        char *ep = NULL;
        PaColibriError parsed = pa_colibri_error_parse(r, &ep);
        if (c->reason)
            g_assert_cmpint(parsed, ==, c->error);
        else
            g_assert_cmpint(parsed, ==, PA_COLIBRI_ERROR_UNSPECIFIED);
        if (c->error == PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT)
            g_assert_cmpstr(ep, ==, "ep9");
        else
            g_assert_null(ep);
        g_free(ep);
        g_autofree char *why = test_stanza_text(r, "iq/error/text{" PA_NS_STANZAS "}");
        g_assert_cmpstr(why, ==, "why not");
        xmpp_stanza_release(r);
    }
    xmpp_stanza_release(req);

    /* JVB writes the reason in lower case; the parser accepts both. */
    xmpp_stanza_t *lower =
        xml("<iq type='error'><error type='cancel'><item-not-found "
            "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><error "
            "xmlns='jitsi:colibri2' reason='conference_not_found'/></error></iq>");
    g_assert_cmpint(pa_colibri_error_parse(lower, NULL), ==, PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND);
    xmpp_stanza_release(lower);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/colibri/parse-update", test_parse_update);
    g_test_add_func("/colibri/create-round-trip", test_create_round_trip);
    g_test_add_func("/colibri/modified-round-trip", test_modified_round_trip);
    g_test_add_func("/colibri/malformed", test_malformed);
    g_test_add_func("/colibri/too-large", test_too_large);
    g_test_add_func("/colibri/relays-counted", test_relays_counted);
    g_test_add_func("/colibri/errors", test_errors);
    g_test_add_func("/colibri/initial-last-n", test_initial_last_n);
    int rc = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return rc;
}
