/* SPDX-License-Identifier: MIT */
/* common/jingle: parsing what clients send (session-accept with XML sources, transport-info,
 * source-add/-remove, terminate, session-info), parsing what the web client expects from the
 * focus (its own fixtures, JSON and XML forms), building both source encodings and reading
 * them back, and refusing malformed input. */
#include "common/jingle/jingle.h"
#include "common/xmpp/stanza.h"
#include "tests/lib/c/stanza-match.h"

#include <string.h>

static xmpp_ctx_t *ctx;

#define FP                                                                                         \
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"   \
    "67:89"

#define ACCEPT                                                                                     \
    "<iq type='set' id='a1' from='r1@conference.example.org/alice01' "                             \
    "to='focus.example.org/focus'>"                                                                \
    "<jingle xmlns='urn:xmpp:jingle:1' action='session-accept' "                                   \
    "initiator='focus.example.org/focus' responder='x@example.org/r' sid='s1d'>"                   \
    "<group xmlns='urn:xmpp:jingle:apps:grouping:0' semantics='BUNDLE'>"                           \
    "<content name='audio'/><content name='video'/></group>"                                       \
    "<content creator='responder' name='audio' senders='both'>"                                    \
    "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"                               \
    "<payload-type id='111' name='opus' clockrate='48000' channels='2'>"                           \
    "<parameter name='minptime' value='10'/><parameter name='useinbandfec' value='1'/>"            \
    "<rtcp-fb xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='transport-cc'/></payload-type>"     \
    "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1111' name='alice01-a0'>"               \
    "<parameter name='msid' value='s1 a1'/></source>"                                              \
    "<rtcp-mux/>"                                                                                  \
    "<rtp-hdrext xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1' "                            \
    "uri='urn:ietf:params:rtp-hdrext:ssrc-audio-level'/>"                                          \
    "</description>"                                                                               \
    "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='uf1a' "                        \
    "pwd='pwpwpwpwpwpwpwpwpwpwpwpw'><rtcp-mux/>"                                                   \
    "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='active'>" FP           \
    "</fingerprint>"                                                                               \
    "<candidate component='1' foundation='1' generation='0' id='c1' ip='127.0.0.1' network='1' "   \
    "port='50000' priority='2130706431' protocol='udp' type='host'/></transport>"                  \
    "</content>"                                                                                   \
    "<content creator='responder' name='video' senders='both'>"                                    \
    "<initial-last-n xmlns='jitsi:colibri2' value='-1'/>"                                          \
    "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'>"                               \
    "<payload-type id='100' name='VP8' clockrate='90000'/>"                                        \
    "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2221' name='alice01-v0' "               \
    "videoType='camera'><parameter name='msid' value='s1 v1'/></source>"                           \
    "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2222' name='alice01-v0' "               \
    "videoType='camera'><parameter name='msid' value='s1 v1'/></source>"                           \
    "<ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'>"                         \
    "<source ssrc='2221'/><source ssrc='2222'/></ssrc-group>"                                      \
    "</description>"                                                                               \
    "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='uf1a' "                        \
    "pwd='pwpwpwpwpwpwpwpwpwpwpwpw'><rtcp-mux/></transport>"                                       \
    "</content></jingle></iq>"

static xmpp_stanza_t *from_xml(const char *xml)
{
    xmpp_stanza_t *s = xmpp_stanza_new_from_string(ctx, xml);
    g_assert_nonnull(s);
    return s;
}

static PaJingleStatus parse_xml(const char *xml, PaJingle *j, char **why)
{
    xmpp_stanza_t *s = from_xml(xml);
    PaJingleStatus st = pa_jingle_parse(s, j, why);
    xmpp_stanza_release(s);
    return st;
}

static void test_session_accept(void)
{
    PaJingle j;
    g_autofree char *why = NULL;
    g_assert_cmpint(parse_xml(ACCEPT, &j, &why), ==, PA_JINGLE_OK);
    g_assert_null(why);
    g_assert_cmpint(j.action, ==, PA_JINGLE_SESSION_ACCEPT);
    g_assert_cmpstr(j.sid, ==, "s1d");
    g_assert_cmpuint(j.contents->len, ==, 2);
    g_assert_true(j.has_bundle);
    g_assert_cmpuint(j.bundle->len, ==, 2);
    const PaJingleContent *a = pa_jingle_find_content(&j, "audio");
    const PaJingleContent *v = pa_jingle_find_content(&j, "video");
    g_assert_nonnull(a);
    g_assert_nonnull(v);
    g_assert_false(a->rtp.video);
    g_assert_true(v->rtp.video);
    g_assert_true(a->rtcp_mux);
    g_assert_cmpuint(a->rtp.payload_types->len, ==, 1);
    const PaMediaPayloadType *opus = &g_array_index(a->rtp.payload_types, PaMediaPayloadType, 0);
    g_assert_cmpuint(opus->id, ==, 111);
    g_assert_cmpuint(opus->channels, ==, 2);
    g_assert_cmpuint(opus->parameters->len, ==, 2);
    g_assert_cmpuint(opus->rtcp_fbs->len, ==, 1);
    g_assert_cmpuint(a->rtp.hdrexts->len, ==, 1);
    g_assert_true(v->has_initial_last_n);
    g_assert_cmpint(v->initial_last_n, ==, -1);

    const PaTransport *t = pa_jingle_first_transport(&j);
    g_assert_nonnull(t);
    g_assert_cmpstr(t->ufrag, ==, "uf1a");
    g_assert_cmpstr(t->setup, ==, "active");
    g_assert_cmpstr(t->fingerprint, ==, FP);
    g_assert_cmpuint(t->candidates->len, ==, 1);

    g_assert_cmpuint(j.sources.sources->len, ==, 3);
    g_assert_cmpuint(j.sources.groups->len, ==, 1);
    const PaJingleSource *s = pa_jingle_sources_find(&j.sources, 2222);
    g_assert_nonnull(s);
    g_assert_true(s->video);
    g_assert_cmpstr(s->name, ==, "alice01-v0");
    g_assert_cmpstr(s->msid, ==, "s1 v1");
    g_assert_cmpint(s->video_type, ==, PA_JINGLE_VIDEO_TYPE_CAMERA);
    g_assert_false(pa_jingle_sources_find(&j.sources, 1111)->video);
    const PaJingleSsrcGroup *g = &g_array_index(j.sources.groups, PaJingleSsrcGroup, 0);
    g_assert_cmpint(g->semantics, ==, PA_JINGLE_GROUP_FID);
    g_assert_true(g->video);
    g_assert_cmpuint(g->ssrcs->len, ==, 2);
    g_assert_false(j.json_sources);
    pa_jingle_clear(&j);
}

static void test_actions(void)
{
    static const struct {
        const char *name;
        PaJingleAction action;
    } cases[] = {
        {"session-initiate", PA_JINGLE_SESSION_INITIATE},
        {"transport-info", PA_JINGLE_TRANSPORT_INFO},
        {"source-add", PA_JINGLE_SOURCE_ADD},
        {"addsource", PA_JINGLE_SOURCE_ADD},
        {"removesource", PA_JINGLE_SOURCE_REMOVE},
        {"content-modify", PA_JINGLE_CONTENT_MODIFY},
        {"frobnicate", PA_JINGLE_ACTION_UNKNOWN},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *xml = g_strdup_printf(
            "<jingle xmlns='urn:xmpp:jingle:1' action='%s' sid='x'/>", cases[i].name);
        PaJingle j;
        g_assert_cmpint(parse_xml(xml, &j, NULL), ==, PA_JINGLE_OK);
        g_assert_cmpint(j.action, ==, cases[i].action);
        g_assert_cmpstr(j.action_name, ==, cases[i].name);
        pa_jingle_clear(&j);
    }
    g_assert_cmpstr(pa_jingle_action_str(PA_JINGLE_SOURCE_REMOVE), ==, "source-remove");
    g_assert_null(pa_jingle_action_str(PA_JINGLE_ACTION_UNKNOWN));
}

static void test_terminate_and_info(void)
{
    PaJingle j;
    g_assert_cmpint(
        parse_xml("<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='q'>"
                  "<reason><success/><text>restart</text></reason>"
                  "<bridge-session xmlns='http://jitsi.org/protocol/focus' id='bs1' "
                  "restart='true'/></jingle>",
                  &j, NULL),
        ==, PA_JINGLE_OK);
    g_assert_true(j.has_reason);
    g_assert_cmpstr(j.reason, ==, "success");
    g_assert_cmpstr(j.reason_text, ==, "restart");
    g_assert_true(j.has_bridge_session);
    g_assert_cmpstr(j.bridge_session_id, ==, "bs1");
    g_assert_true(j.bridge_session_restart);
    pa_jingle_clear(&j);

    g_assert_cmpint(
        parse_xml("<jingle xmlns='urn:xmpp:jingle:1' action='session-info' sid='q'>"
                  "<ice-state xmlns='http://jitsi.org/protocol/focus'> failed </ice-state>"
                  "<bridge-session xmlns='http://jitsi.org/protocol/focus' id='bs1'/></jingle>",
                  &j, NULL),
        ==, PA_JINGLE_OK);
    g_assert_cmpstr(j.ice_state, ==, "failed");
    g_assert_false(j.bridge_session_restart);
    pa_jingle_clear(&j);
}

static void test_source_remove_xml_and_jid_owner(void)
{
    PaJingle j;
    g_assert_cmpint(
        parse_xml("<jingle xmlns='urn:xmpp:jingle:1' action='source-remove' sid='q'>"
                  "<content name='video'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                  "media='video'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='7'>"
                  "<ssrc-info xmlns='http://jitsi.org/jitmeet' owner='r@c.example.org/bob'/>"
                  "</source><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' rid='h'/>"
                  "</description></content></jingle>",
                  &j, NULL),
        ==, PA_JINGLE_OK);
    g_assert_cmpuint(j.sources.sources->len, ==, 1); /* the rid-only source has no SSRC */
    const PaJingleSource *s = &g_array_index(j.sources.sources, PaJingleSource, 0);
    g_assert_true(s->video);
    g_assert_cmpstr(s->owner, ==, "bob");
    pa_jingle_clear(&j);
}

/* The web client's own fixtures of what parley-focus sends: both must read back fully. */
static void test_web_fixtures(void)
{
    g_autofree char *dir =
        g_build_filename(TEST_SRCDIR, "..", "..", "web", "test", "fixtures", NULL);
    g_autofree char *json_path = g_build_filename(dir, "session-initiate-json.xml", NULL);
    g_autofree char *xml_path = g_build_filename(dir, "session-initiate-xml.xml", NULL);
    if (!g_file_test(json_path, G_FILE_TEST_EXISTS)) {
        g_test_skip("web fixtures not present");
        return;
    }
    g_autofree char *text = NULL;
    g_assert_true(g_file_get_contents(json_path, &text, NULL, NULL));
    PaJingle j;
    g_autofree char *why = NULL;
    g_assert_cmpint(parse_xml(text, &j, &why), ==, PA_JINGLE_OK);
    g_assert_cmpint(j.action, ==, PA_JINGLE_SESSION_INITIATE);
    g_assert_true(j.json_sources);
    g_assert_cmpuint(j.contents->len, ==, 2);
    g_assert_cmpstr(j.bridge_session_id, ==, "a3f1d2c4-7b8e-4f0a-9c1d-2e3f4a5b6c7d");
    const PaTransport *t = pa_jingle_first_transport(&j);
    g_assert_cmpuint(t->candidates->len, ==, 2);
    g_assert_nonnull(t->websocket_url);
    /* jvb: 2, 7e3a91bc: 3 (with an FID group), c41d9e07: 2 (a desktop source) */
    g_assert_cmpuint(j.sources.sources->len, ==, 7);
    g_assert_cmpuint(j.sources.groups->len, ==, 1);
    const PaJingleSource *jvb = pa_jingle_sources_find(&j.sources, 3511420003u);
    g_assert_cmpstr(jvb->owner, ==, "jvb");
    g_assert_true(jvb->video);
    const PaJingleSource *desk = pa_jingle_sources_find(&j.sources, 400000001);
    g_assert_cmpint(desk->video_type, ==, PA_JINGLE_VIDEO_TYPE_DESKTOP);
    pa_jingle_clear(&j);

    g_autofree char *xtext = NULL;
    if (g_file_get_contents(xml_path, &xtext, NULL, NULL)) {
        g_autofree char *xwhy = NULL;
        PaJingleStatus xst = parse_xml(xtext, &j, &xwhy);
        if (xst != PA_JINGLE_OK)
            g_error("web XML fixture: %s", xwhy);
        g_assert_false(j.json_sources);
        g_assert_cmpuint(j.sources.sources->len, >, 0);
        for (guint i = 0; i < j.sources.sources->len; i++)
            g_assert_nonnull(g_array_index(j.sources.sources, PaJingleSource, i).owner);
        pa_jingle_clear(&j);
    }
}

static void fill_sources(PaJingleSources *s)
{
    pa_jingle_sources_add(s, 10, FALSE, "jvb-a0", "mixedmslabel mixedlabelaudio0", NULL);
    pa_jingle_sources_add(s, 11, TRUE, "jvb-v0", "mixedmslabel mixedlabelvideo0", NULL);
    pa_jingle_sources_add(s, 100, TRUE, "bob-v0", "bob-video-0 t1", "bob");
    pa_jingle_sources_add(s, 101, TRUE, "bob-v0", "bob-video-0 t1", "bob");
    guint32 fid[] = {100, 101};
    pa_jingle_sources_add_group(s, TRUE, PA_JINGLE_GROUP_FID, "bob", fid, 2);
    pa_jingle_sources_add(s, 200, FALSE, "bob-a0", "bob-audio-0 t2", "bob");
    PaJingleSource *d = pa_jingle_sources_add(s, 300, TRUE, "bob-v1", "bob \"q\" t3", "bob");
    d->video_type = PA_JINGLE_VIDEO_TYPE_DESKTOP;
}

static void test_json_map_exact(void)
{
    PaJingleSources s;
    pa_jingle_sources_init(&s);
    fill_sources(&s);
    g_autofree char *json = pa_jingle_sources_to_json_message(&s);
    g_assert_cmpstr(
        json, ==,
        "{\"sources\":{\"jvb\":[[{\"s\":11,\"n\":\"jvb-v0\",\"m\":\"mixedmslabel "
        "mixedlabelvideo0\"}],[],[{\"s\":10,\"n\":\"jvb-a0\",\"m\":\"mixedmslabel "
        "mixedlabelaudio0\"}]],\"bob\":[[{\"s\":100,\"n\":\"bob-v0\",\"m\":\"bob-video-0 "
        "t1\"},{\"s\":101,\"n\":\"bob-v0\",\"m\":\"bob-video-0 t1\"},{\"s\":300,\"n\":"
        "\"bob-v1\",\"m\":\"bob \\\"q\\\" t3\",\"v\":\"d\"}],[[\"f\",100,101]],[{\"s\":200,"
        "\"n\":\"bob-a0\",\"m\":\"bob-audio-0 t2\"}]]}}");
    /* Audio groups give the fourth list. */
    guint32 a[] = {200};
    pa_jingle_sources_add_group(&s, FALSE, PA_JINGLE_GROUP_SIM, "bob", a, 1);
    g_autofree char *map = pa_jingle_sources_to_json_map(&s);
    g_assert_nonnull(strstr(map, "\"n\":\"bob-a0\",\"m\":\"bob-audio-0 t2\"}],[[\"s\",200]]]"));
    PaJingleSources back;
    pa_jingle_sources_init(&back);
    g_autofree char *msg = g_strdup_printf("{\"sources\":%s}", map);
    g_assert_cmpint(pa_jingle_sources_from_json(msg, &back, NULL), ==, PA_JINGLE_OK);
    g_assert_cmpuint(back.sources->len, ==, s.sources->len);
    g_assert_cmpuint(back.groups->len, ==, 2);
    g_assert_cmpstr(pa_jingle_sources_find(&back, 300)->msid, ==, "bob \"q\" t3");
    g_assert_cmpstr(pa_jingle_sources_find(&back, 10)->owner, ==, "jvb");
    pa_jingle_sources_clear(&back);
    pa_jingle_sources_clear(&s);
}

static PaJingle *make_initiate(PaJingle *j, gboolean json)
{
    pa_jingle_init(j);
    j->action = PA_JINGLE_SESSION_INITIATE;
    j->sid = g_strdup("abc");
    j->initiator = g_strdup("focus.example.org/focus");
    const char *medias[] = {"audio", "video"};
    for (guint i = 0; i < 2; i++) {
        PaJingleContent *c = pa_jingle_add_content(j, medias[i], "initiator", "both");
        pa_jingle_content_set_media(c, medias[i]);
        c->rtcp_mux = TRUE;
        c->has_transport = TRUE;
        c->transport.ufrag = g_strdup("bridgeufrag");
        c->transport.pwd = g_strdup("bridgepwdbridgepwdbridgepwd");
        c->transport.rtcp_mux = TRUE;
        c->transport.fingerprint_hash = g_strdup("sha-256");
        c->transport.fingerprint = g_strdup(FP);
        c->transport.setup = g_strdup("actpass");
        c->transport.websocket_url = g_strdup("ws://127.0.0.1:8080/colibri-ws/b/c/e?pwd=x");
        g_ptr_array_add(j->bundle, g_strdup(medias[i]));
    }
    j->has_bundle = TRUE;
    j->has_bridge_session = TRUE;
    j->bridge_session_id = g_strdup("bs-1");
    fill_sources(&j->sources);
    j->json_sources = json;
    return j;
}

static void roundtrip(gboolean json)
{
    PaJingle j, back;
    make_initiate(&j, json);
    xmpp_stanza_t *iq = pa_jingle_build_iq(ctx, &j, "focus.example.org/focus",
                                           "r@conference.example.org/alice", "i1");
    g_autofree char *text = pa_stanza_to_string(iq);
    g_test_message("%s form: %s", json ? "JSON" : "XML", text);
    /* Through text, as a peer receives it. */
    xmpp_stanza_t *wire = from_xml(text);
    g_autofree char *why = NULL;
    g_assert_cmpint(pa_jingle_parse(wire, &back, &why), ==, PA_JINGLE_OK);
    g_assert_cmpint(back.action, ==, PA_JINGLE_SESSION_INITIATE);
    g_assert_cmpuint(back.contents->len, ==, 2);
    g_assert_true(back.has_bundle);
    g_assert_cmpstr(back.bridge_session_id, ==, "bs-1");
    g_assert_cmpint(back.json_sources, ==, json);
    g_assert_cmpuint(back.sources.sources->len, ==, j.sources.sources->len);
    g_assert_cmpuint(back.sources.groups->len, ==, j.sources.groups->len);
    for (guint i = 0; i < j.sources.sources->len; i++) {
        const PaJingleSource *a = &g_array_index(j.sources.sources, PaJingleSource, i);
        const PaJingleSource *b = pa_jingle_sources_find(&back.sources, a->ssrc);
        g_assert_nonnull(b);
        g_assert_cmpint(a->video, ==, b->video);
        g_assert_cmpstr(a->name, ==, b->name);
        g_assert_cmpstr(a->msid, ==, b->msid);
        g_assert_cmpstr(a->owner ? a->owner : "jvb", ==, b->owner);
        if (a->video_type == PA_JINGLE_VIDEO_TYPE_DESKTOP)
            g_assert_cmpint(b->video_type, ==, PA_JINGLE_VIDEO_TYPE_DESKTOP);
    }
    const PaTransport *t = pa_jingle_first_transport(&back);
    g_assert_cmpstr(t->setup, ==, "actpass");
    g_assert_cmpstr(t->websocket_url, ==, "ws://127.0.0.1:8080/colibri-ws/b/c/e?pwd=x");
    if (json) {
        test_assert_stanza(wire, "iq/jingle/json-message{" PA_NS_JITMEET "}");
        test_assert_no_stanza(wire, "//source{" PA_NS_JINGLE_SSMA "}");
        test_assert_no_stanza(wire, "//ssrc-group{" PA_NS_JINGLE_SSMA "}");
    } else {
        test_assert_no_stanza(wire, "//json-message");
        test_assert_stanza(wire, "iq/jingle/content/description{" PA_NS_JINGLE_RTP "}"
                                 "/source{" PA_NS_JINGLE_SSMA "}/ssrc-info{" PA_NS_JITMEET "}"
                                 "[owner=bob]");
    }
    xmpp_stanza_release(wire);
    xmpp_stanza_release(iq);
    pa_jingle_clear(&back);
    pa_jingle_clear(&j);
}

static void test_roundtrip_json(void)
{
    roundtrip(TRUE);
}

static void test_roundtrip_xml(void)
{
    roundtrip(FALSE);
}

/* source-add in XML form for media without a content gets contents of its own. */
static void test_source_change_contents(void)
{
    PaJingle j;
    pa_jingle_init(&j);
    j.action = PA_JINGLE_SOURCE_ADD;
    j.sid = g_strdup("s");
    pa_jingle_sources_add(&j.sources, 5, TRUE, "bob-v0", "m v", "bob");
    pa_jingle_sources_add(&j.sources, 6, FALSE, "bob-a0", "m a", "bob");
    xmpp_stanza_t *je = pa_jingle_build(ctx, &j);
    g_autofree char *text = pa_stanza_to_string(je);
    xmpp_stanza_t *wire = from_xml(text);
    test_assert_stanza(wire, "jingle/content[name=audio]/description{" PA_NS_JINGLE_RTP
                             "}[media=audio]/source[ssrc=6]");
    test_assert_stanza(wire, "jingle/content[name=video]/description[media=video]/source[ssrc=5]");
    PaJingle back;
    g_assert_cmpint(pa_jingle_parse(wire, &back, NULL), ==, PA_JINGLE_OK);
    g_assert_true(pa_jingle_sources_find(&back.sources, 5)->video);
    g_assert_false(pa_jingle_sources_find(&back.sources, 6)->video);
    pa_jingle_clear(&back);
    xmpp_stanza_release(wire);
    xmpp_stanza_release(je);
    /* JSON form: an empty source-remove still carries the (empty) map. */
    pa_jingle_clear(&j);
    pa_jingle_init(&j);
    j.action = PA_JINGLE_SOURCE_REMOVE;
    j.sid = g_strdup("s");
    j.json_sources = TRUE;
    je = pa_jingle_build(ctx, &j);
    g_autofree char *t2 = test_stanza_text(je, "jingle/json-message{" PA_NS_JITMEET "}");
    g_assert_cmpstr(t2, ==, "{\"sources\":{}}");
    xmpp_stanza_release(je);
    pa_jingle_clear(&j);
}

static void expect_bad(const char *xml, PaJingleStatus want, const char *reason_part)
{
    PaJingle j;
    g_autofree char *why = NULL;
    PaJingleStatus st = parse_xml(xml, &j, &why);
    if (st != want || !why || !strstr(why, reason_part))
        g_error("%s -> %s (%s), expected %s with '%s'", xml, pa_jingle_status_str(st),
                why ? why : "", pa_jingle_status_str(want), reason_part);
    pa_jingle_clear(&j);
}

static void test_malformed(void)
{
    expect_bad("<iq type='set'><query xmlns='jabber:iq:version'/></iq>", PA_JINGLE_NOT_JINGLE,
               "jingle");
    expect_bad("<jingle xmlns='urn:xmpp:jingle:1' sid='x'/>", PA_JINGLE_MALFORMED, "action");
    expect_bad("<jingle xmlns='urn:xmpp:jingle:1' action='source-add'/>", PA_JINGLE_MALFORMED,
               "sid");
    expect_bad("<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid=''/>",
               PA_JINGLE_MALFORMED, "sid");
    expect_bad("<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'><content "
               "name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
               "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='0'/></description>"
               "</content></jingle>",
               PA_JINGLE_MALFORMED, "ssrc");
    expect_bad("<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'><content "
               "name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
               "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='4294967296'/>"
               "</description></content></jingle>",
               PA_JINGLE_MALFORMED, "ssrc");
    expect_bad("<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'><content "
               "name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"
               "<ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0'><source ssrc='1'/>"
               "</ssrc-group></description></content></jingle>",
               PA_JINGLE_MALFORMED, "semantics");
    expect_bad("<jingle xmlns='urn:xmpp:jingle:1' action='transport-info' sid='x'><content "
               "name='audio'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='a b' "
               "pwd='p'/></content></jingle>",
               PA_JINGLE_MALFORMED, "transport");
    expect_bad("<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'>"
               "<json-message xmlns='http://jitsi.org/jitmeet'>{\"sources\":[</json-message>"
               "</jingle>",
               PA_JINGLE_MALFORMED, "JSON");
    expect_bad("<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'>"
               "<json-message xmlns='http://jitsi.org/jitmeet'>{\"sources\":{\"a\":[[{\"s\":-4}]]}}"
               "</json-message></jingle>",
               PA_JINGLE_MALFORMED, "malformed");
    expect_bad(
        "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'>"
        "<json-message xmlns='http://jitsi.org/jitmeet'>{\"sources\":{\"a\":[[],[[\"q\",1]]]}}"
        "</json-message></jingle>",
        PA_JINGLE_MALFORMED, "semantics");
    expect_bad("<jingle xmlns='urn:xmpp:jingle:1' action='session-accept' sid='x'><content "
               "name='video'><initial-last-n xmlns='jitsi:colibri2' value='lots'/></content>"
               "</jingle>",
               PA_JINGLE_MALFORMED, "initial-last-n");
    /* Too many sources. */
    GString *big = g_string_new("<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'>"
                                "<content name='audio'><description "
                                "xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>");
    for (guint i = 1; i <= PA_JINGLE_MAX_SOURCES + 1; i++)
        g_string_append_printf(big, "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='%u'/>",
                               i);
    g_string_append(big, "</description></content></jingle>");
    expect_bad(big->str, PA_JINGLE_TOO_LARGE, "sources");
    g_string_free(big, TRUE);
}

/* Reasons quote what the peer sent; they go back to it as XML text, so they must be valid
 * UTF-8 with XML characters only, even when the quote is cut inside a character. */
static void test_reasons_are_text(void)
{
    const char *cases[] = {
        "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'><content name='audio'>"
        "<description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><source "
        "xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9'/>"
        "</description></content></jingle>",
        "<jingle xmlns='urn:xmpp:jingle:1' action='session-terminate' sid='x'><bridge-session "
        "xmlns='http://jitsi.org/protocol/focus' restart='a\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
        "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9'/></jingle>",
        "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='x'><json-message "
        "xmlns='http://jitsi.org/jitmeet'>{\"sources\":{\"a\\u0001\":[[{\"s\":1}]]}}"
        "</json-message></jingle>",
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        PaJingle j;
        g_autofree char *why = NULL;
        g_assert_cmpint(parse_xml(cases[i], &j, &why), ==, PA_JINGLE_MALFORMED);
        g_assert_nonnull(why);
        g_assert_true(pa_jingle_text_ok(why));
        pa_jingle_clear(&j);
    }
    g_autofree char *cut = pa_jingle_safe_text("ab\xc3");
    g_assert_cmpstr(cut, ==, "ab\xef\xbf\xbd");
    g_autofree char *ctl = pa_jingle_safe_text("a\001b\xef\xbf\xbe");
    g_assert_cmpstr(ctl, ==, "a?b?");
    g_assert_false(pa_jingle_text_ok("a\tb"));
    g_assert_true(pa_jingle_text_ok("caf\xc3\xa9 \xf0\x9f\x8e\xa5"));
}

/* JSON values travel on into stanzas: anything XML cannot carry is refused, and what is
 * written is ASCII. */
static void test_json_text(void)
{
    PaJingleSources s;
    pa_jingle_sources_init(&s);
    g_assert_cmpint(pa_jingle_sources_from_json(
                        "{\"sources\":{\"a\":[[{\"s\":1,\"n\":\"a-v0\\ufffe\"}]]}}", &s, NULL),
                    ==, PA_JINGLE_MALFORMED);
    g_assert_cmpint(pa_jingle_sources_from_json(
                        "{\"sources\":{\"a\":[[{\"s\":1,\"m\":\"x\\u0007\"}]]}}", &s, NULL),
                    ==, PA_JINGLE_MALFORMED);
    g_assert_cmpuint(s.sources->len, ==, 0);
    pa_jingle_sources_add(&s, 5, TRUE, "b\xc3\xa9-v0", "caf\xc3\xa9 t", "b\xc3\xa9");
    pa_jingle_sources_add_group(&s, TRUE, PA_JINGLE_GROUP_FID, "b\xc3\xa9", NULL, 0);
    g_autofree char *json = pa_jingle_sources_to_json_message(&s);
    g_assert_cmpstr(
        json, ==,
        "{\"sources\":{\"b\\u00E9\":[[{\"s\":5,\"n\":\"b\\u00E9-v0\",\"m\":\"caf\\u00E9 "
        "t\"}],[],[]]}}");
    PaJingleSources back;
    pa_jingle_sources_init(&back);
    g_assert_cmpint(pa_jingle_sources_from_json(json, &back, NULL), ==, PA_JINGLE_OK);
    g_assert_cmpstr(g_array_index(back.sources, PaJingleSource, 0).owner, ==, "b\xc3\xa9");
    pa_jingle_sources_clear(&back);
    pa_jingle_sources_clear(&s);
}

static void test_error_condition(void)
{
    xmpp_stanza_t *e = pa_jingle_error_condition(ctx, PA_JINGLE_ERROR_OUT_OF_ORDER);
    g_assert_cmpstr(xmpp_stanza_get_name(e), ==, "out-of-order");
    g_assert_cmpstr(xmpp_stanza_get_ns(e), ==, PA_NS_JINGLE_ERRORS);
    xmpp_stanza_release(e);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/jingle/xml/session-accept", test_session_accept);
    g_test_add_func("/jingle/xml/actions", test_actions);
    g_test_add_func("/jingle/xml/terminate-and-info", test_terminate_and_info);
    g_test_add_func("/jingle/xml/source-remove-jid-owner", test_source_remove_xml_and_jid_owner);
    g_test_add_func("/jingle/xml/web-fixtures", test_web_fixtures);
    g_test_add_func("/jingle/json/map-exact", test_json_map_exact);
    g_test_add_func("/jingle/xml/roundtrip-json", test_roundtrip_json);
    g_test_add_func("/jingle/xml/roundtrip-xml", test_roundtrip_xml);
    g_test_add_func("/jingle/xml/source-change-contents", test_source_change_contents);
    g_test_add_func("/jingle/xml/malformed", test_malformed);
    g_test_add_func("/jingle/xml/error-condition", test_error_condition);
    g_test_add_func("/jingle/xml/reasons-are-text", test_reasons_are_text);
    g_test_add_func("/jingle/json/text", test_json_text);
    int rc = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return rc;
}
