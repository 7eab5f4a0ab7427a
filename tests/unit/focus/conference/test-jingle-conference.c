/* SPDX-License-Identifier: MIT */
/* The focus's media layer end to end, without sockets: whole conferences on the test bed
 * (conference-fixture.h): a meeting from the first join to the last leave, clients that
 * speak the XML source form, nameless contents, and simulcast. Bridge faults are in
 * test-jingle-bridge-faults.c. */
#include "conference-fixture.h"
#include "focus/xmpp/caps.h"
#include "tests/lib/c/stanza-match.h"

static void test_meeting(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);

    /* alice accepts: her transport and sources go to the bridge; bob (pending) hears later. */
    guint mark = fx.tb.sent->len;
    g_autofree char *acc_a = accept_inner("alice", 1001);
    int r = client_jingle(&fx, "alice", "session-accept", sa, acc_a);
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int upd = sent_find(
        &fx.tb, mark,
        MODIFY_TO("b1", {"endpoint", NULL, {"id", "alice"}}, {"transport", NULL, {"ufrag", "cli1"}},
                  {"source", NULL, {"ssrc", "1001"}}, {"initial-last-n", NULL, {"value", "-1"}},
                  {"media-source", NULL, {"id", "alice-v0"}},
                  {"ssrc-group", NULL, {"semantics", "FID"}}));
    g_assert_cmpint(upd, >=, 0);
    g_assert_cmpint(
        sent_find(&fx.tb, mark, STANZA(.has = {{"jingle", NS_JINGLE, {"action", "source-add"}}})),
        ==, -1);
    g_assert_cmpuint(focus_conference_sources(conf, "alice")->sources->len, ==, 3);

    /* bob accepts: each hears of the other. */
    mark = fx.tb.sent->len;
    g_autofree char *acc_b = accept_inner("bob", 2001);
    r = client_jingle(&fx, "bob", "session-accept", sb, acc_b);
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int add_b = find_sources(&fx, mark, "source-add", "bob", "alice", 1001);
    int add_a = find_sources(&fx, mark, "source-add", "alice", "bob", 2001);
    g_assert_cmpint(add_b, >=, 0);
    g_assert_cmpint(add_a, >=, 0);
    PaJingle j;
    g_assert_true(jingle_of(sent_at(&fx.tb, add_a), &j));
    g_assert_true(j.json_sources);
    const guint32 fid[] = {2002, 2003};
    g_assert_nonnull(jingle_group(&j, PA_JINGLE_GROUP_FID, fid, 2));
    pa_jingle_clear(&j);

    /* Someone else's SSRC, a foreign name, too many sources, malformed, unknown sid. */
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "bob", "source-add", sb,
                      "<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                      "media='audio'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1001' "
                      "name='bob-a1'/></description></content>");
    g_assert_cmpstr(reply_type(&fx, r), ==, "error");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "bad-request");
    r = client_jingle(&fx, "bob", "source-add", sb,
                      "<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                      "media='audio'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='5' "
                      "name='alice-a1'/></description></content>");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "bad-request");
    GString *many = g_string_new("<content name='video'><description "
                                 "xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'>");
    for (guint i = 0; i < 18; i++)
        g_string_append_printf(many,
                               "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='%u' "
                               "name='bob-v1'/>",
                               3000 + i);
    g_string_append(many, "</description></content>");
    r = client_jingle(&fx, "bob", "source-add", sb, many->str);
    g_string_free(many, TRUE);
    g_assert_cmpstr(reply_condition(&fx, r), ==, "resource-constraint");
    r = client_jingle(&fx, "bob", "source-add", "",
                      "<content name='audio'/>"); /* empty sid: malformed */
    g_assert_cmpstr(reply_condition(&fx, r), ==, "bad-request");
    r = client_jingle(&fx, "bob", "source-add", "nosuchsid", NULL);
    g_assert_cmpstr(reply_condition(&fx, r), ==, "item-not-found");
    g_assert_nonnull(pa_stanza_child(pa_stanza_child(sent_at(&fx.tb, r), "error", NULL),
                                     "unknown-session", "urn:xmpp:jingle:errors:1"));
    r = client_jingle(&fx, "mallory", "source-add", sb, NULL); /* not a participant */
    g_assert_cmpstr(reply_condition(&fx, r), ==, "item-not-found");
    r = client_jingle(&fx, "bob", "content-modify", sb, NULL);
    g_assert_cmpstr(reply_condition(&fx, r), ==, "feature-not-implemented");
    r = client_jingle(&fx, "bob", "session-accept", sb, NULL);
    g_assert_cmpstr(reply_condition(&fx, r), ==, "unexpected-request");
    /* None of that reached alice or the bridge. */
    g_assert_cmpint(sent_find(&fx.tb, mark, STANZA(.to = ROOM "/alice")), ==, -1);
    g_assert_cmpint(sent_find(&fx.tb, mark, MODIFY()), ==, -1);

    /* transport-info goes to the bridge. */
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "bob", "transport-info", sb,
                      "<content name='audio'>" TRANSPORT_ACTIVE "</content>");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    g_assert_cmpint(sent_find(&fx.tb, mark,
                              MODIFY_TO("b1", {"endpoint", NULL, {"id", "bob"}},
                                        {"candidate", NULL, {"port", "40000"}})),
                    >=, 0);

    /* A valid source-add and source-remove from bob reach alice. */
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "bob", "source-add", sb,
                      "<content name='video'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                      "media='video'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2100' "
                      "name='bob-v1' videoType='desktop'><parameter name='msid' value='d d'/>"
                      "</source></description></content>");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int add = find_sources(&fx, mark, "source-add", "alice", "bob", 2100);
    g_assert_cmpint(add, >=, 0);
    g_assert_true(jingle_of(sent_at(&fx.tb, add), &j));
    g_assert_cmpint(jingle_source(&j, 2100)->video_type, ==, PA_JINGLE_VIDEO_TYPE_DESKTOP);
    pa_jingle_clear(&j);
    g_assert_cmpint(
        sent_find(&fx.tb, mark, MODIFY_TO("b1", {"media-source", NULL, {"id", "bob-v1"}})), >=, 0);
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "bob", "source-remove", sb,
                      "<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                      "media='audio'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2001'/>"
                      "</description></content>");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    g_assert_cmpint(find_sources(&fx, mark, "source-remove", "alice", "bob", 2001), >=, 0);
    r = client_jingle(&fx, "bob", "source-remove", sb,
                      "<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                      "media='audio'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1001'/>"
                      "</description></content>");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "bad-request"); /* alice's, not bob's */

    /* bob leaves: his endpoint is expired, alice hears his sources go. */
    mark = fx.tb.sent->len;
    occupant_left(&fx, "bob");
    g_assert_cmpint(sent_find(&fx.tb, mark,
                              MODIFY_TO("b1", {"endpoint", NULL, {"id", "bob", "expire", "true"}})),
                    >=, 0);
    int rm = find_sources(&fx, mark, "source-remove", "alice", "bob", 2002);
    g_assert_cmpint(rm, >=, 0);
    g_assert_true(carries(&fx, rm, "bob", 2100));
    /* alice leaves: the last endpoint goes. */
    mark = fx.tb.sent->len;
    occupant_left(&fx, "alice");
    g_assert_cmpint(
        sent_find(&fx.tb, mark,
                  MODIFY_TO("b1", {"endpoint", NULL, {"id", "alice", "expire", "true"}})),
        >=, 0);
    g_assert_cmpint(sent_find(&fx.tb, mark, TERMINATE), ==, -1);
    fx_clear(&fx);
}

/* XEP-0166: a content has a name. One without is malformed (bad-request), whatever the
 * action, and changes nothing: the session stays pending and the bridge hears nothing. */
static void test_nameless_content(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    guint mark = testbed_mark(&fx.tb);
    g_autofree char *accept = accept_inner("alice", 5000);
    /* The same accept, its video content's name removed. */
    g_autofree char *nameless = g_strdup(accept);
    char *video = strstr(nameless, " name='video'");
    g_assert_nonnull(video);
    memmove(video, video + strlen(" name='video'"), strlen(video + strlen(" name='video'")) + 1);
    int r = client_jingle(&fx, "alice", "session-accept", sa, nameless);
    g_assert_cmpstr(reply_condition(&fx, r), ==, "bad-request");
    g_autofree char *text =
        stanza_text_of(sent_at(&fx.tb, r), ELEM(.name = "text", .ns = NS_STANZAS));
    g_assert_nonnull(strstr(text, "no name"));
    r = client_jingle(&fx, "alice", "transport-info", sa,
                      "<content creator='responder'>" TRANSPORT_ACTIVE "</content>");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "bad-request");
    r = client_jingle(&fx, "bob", "source-add", sb,
                      "<content name=''><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                      "media='audio'/></content>");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "bad-request");
    g_assert_cmpint(sent_find(&fx.tb, mark, MODIFY()), ==, -1);
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_assert_cmpint(focus_jingle_session_state(focus_conference_session(conf, "alice")), ==,
                    FOCUS_JINGLE_PENDING);
    /* The named accept still works. */
    r = client_jingle(&fx, "alice", "session-accept", sa, accept);
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    fx_clear(&fx);
}

static void test_xml_client(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    room_ready(&fx);
    occupant(&fx, "alice");
    guint mark = fx.tb.sent->len;
    occupant(&fx, "bob");
    disco(&fx, mark, "alice",
          "<query xmlns='http://jabber.org/protocol/disco#info'>"
          "<feature var='urn:xmpp:jingle:apps:rtp:audio'/>"
          "<feature var='urn:xmpp:jingle:apps:rtp:video'/></query>");
    disco(&fx, mark, "bob", JSON_FEATURES);
    answer_alloc(&fx, find_alloc(&fx, mark, "b1", "alice"), "alice");
    int ia = find_initiate(&fx, mark, "alice");
    xmpp_stanza_t *offer = sent_at(&fx.tb, ia);
    g_assert_true(stanza_match(
        offer, STANZA(.has = {{"ssrc-info", "http://jitsi.org/jitmeet", {"owner", "jvb"}}},
                      .lacks = {{"json-message"},
                                {"payload-type", NULL, {"name", "rtx"}}, /* no RTX feature */
                                {"rtcp-fb", NULL, {"type", "transport-cc"}},
                                {"rtp-hdrext",
                                 NULL,
                                 {"uri", "http://www.ietf.org/id/"
                                         "draft-holmer-rmcat-transport-wide-cc-extensions-01"}}})));
    g_assert_false(stanza_mentions(offer, "transport-cc"));
    fx_clear(&fx);
}

/* session-accept content as lib-jitsi-meet sends it with VP8 simulcast: audio, then one
 * video source of three encodings (SIM) each with its RTX (FID), six SSRCs in all. */
static char *accept_simulcast_inner(const char *nick, guint32 base)
{
    GString *v = g_string_new(NULL);
    for (guint i = 1; i <= 6; i++)
        g_string_append_printf(v,
                               "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='%u' "
                               "name='%s-v0'><parameter name='msid' value='%s-v t2'/></source>",
                               base + i, nick, nick);
    g_string_append_printf(v,
                           "<ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='SIM'>"
                           "<source ssrc='%u'/><source ssrc='%u'/><source ssrc='%u'/></ssrc-group>",
                           base + 1, base + 2, base + 3);
    for (guint i = 1; i <= 3; i++)
        g_string_append_printf(v,
                               "<ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' "
                               "semantics='FID'><source ssrc='%u'/><source ssrc='%u'/>"
                               "</ssrc-group>",
                               base + i, base + 3 + i);
    char *out = g_strdup_printf(
        "<content creator='responder' name='audio' senders='both'><description "
        "xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='111' name='opus' "
        "clockrate='48000' channels='2'/><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' "
        "ssrc='%u' name='%s-a0'/><rtcp-mux/></description>" TRANSPORT_ACTIVE "</content>"
        "<content creator='responder' name='video' senders='both'><description "
        "xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'><payload-type id='100' name='VP8' "
        "clockrate='90000'/>%s</description>" TRANSPORT_ACTIVE "</content>",
        base, nick, v->str);
    g_string_free(v, TRUE);
    return out;
}

/* The groups of @nick's video source in the conference-modify at @idx, as the bridge parses
 * them: "SIM:a,b,c FID:a,d ..." in order. */
static char *bridge_groups(Fx *fx, int idx, const char *nick, guint *n_ssrcs)
{
    PaColibriConferenceModify m;
    g_autofree char *why = NULL;
    g_assert_cmpint(pa_colibri_parse_modify(sent_at(&fx->tb, idx), &m, &why), ==, PA_COLIBRI_OK);
    GString *out = g_string_new(NULL);
    for (guint e = 0; e < m.endpoints->len; e++) {
        const PaColibriEndpoint *ep = &g_array_index(m.endpoints, PaColibriEndpoint, e);
        for (guint k = 0; ep->sources && k < ep->sources->len; k++) {
            const PaMediaSource *ms = &g_array_index(ep->sources, PaMediaSource, k);
            if (!ms->video || g_strcmp0(ep->id, nick) != 0)
                continue;
            *n_ssrcs = ms->sources->len;
            for (guint g = 0; g < ms->groups->len; g++) {
                const PaMediaSsrcGroup *grp = &g_array_index(ms->groups, PaMediaSsrcGroup, g);
                g_string_append_printf(out, "%s%s:", out->len ? " " : "", grp->semantics);
                for (guint i = 0; i < grp->ssrcs->len; i++)
                    g_string_append_printf(out, "%s%u", i ? "," : "",
                                           g_array_index(grp->ssrcs, guint32, i));
            }
        }
    }
    pa_colibri_modify_clear(&m);
    return g_string_free(out, FALSE);
}

/* Simulcast (issue 10): the bridge gets every encoding of a sender with its SIM and FID
 * groups (it selects and rewrites layers per receiver); receivers see one video source per
 * sender: the first SIM SSRC and its RTX, as Jicofo strips them, in source-add and in the
 * offer to someone joining later. */
static void test_simulcast(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);

    guint mark = fx.tb.sent->len;
    g_autofree char *acc_a = accept_simulcast_inner("alice", 1000);
    int r = client_jingle(&fx, "alice", "session-accept", sa, acc_a);
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int upd = sent_find(&fx.tb, mark, MODIFY_TO("b1", {"media-source", NULL, {"id", "alice-v0"}}));
    g_assert_cmpint(upd, >=, 0);
    guint n = 0;
    g_autofree char *groups = bridge_groups(&fx, upd, "alice", &n);
    g_assert_cmpuint(n, ==, 6);
    g_assert_cmpstr(groups, ==, "SIM:1001,1002,1003 FID:1001,1004 FID:1002,1005 FID:1003,1006");

    mark = fx.tb.sent->len;
    g_autofree char *acc_b = accept_inner("bob", 2001);
    r = client_jingle(&fx, "bob", "session-accept", sb, acc_b);
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int add = find_sources(&fx, mark, "source-add", "bob", "alice", 1001);
    g_assert_cmpint(add, >=, 0);
    PaJingle j;
    g_assert_true(jingle_of(sent_at(&fx.tb, add), &j));
    g_assert_nonnull(jingle_source(&j, 1004)); /* the first encoding's RTX */
    const guint32 ssrcs[] = {1002, 1003, 1005, 1006};
    for (gsize i = 0; i < G_N_ELEMENTS(ssrcs); i++)
        g_assert_null(jingle_source(&j, ssrcs[i]));
    const guint32 fid[] = {1001, 1004}, sim[] = {1001, 1002, 1003};
    g_assert_nonnull(jingle_group(&j, PA_JINGLE_GROUP_FID, fid, 2));
    g_assert_null(jingle_group(&j, PA_JINGLE_GROUP_SIM, sim, 3));
    for (guint g = 0; g < j.sources.groups->len; g++)
        g_assert_cmpint(g_array_index(j.sources.groups, PaJingleSsrcGroup, g).semantics, !=,
                        PA_JINGLE_GROUP_SIM);
    pa_jingle_clear(&j);

    /* Carol joins later: her offer has alice's video stripped the same way. */
    mark = fx.tb.sent->len;
    occupant(&fx, "carol");
    disco(&fx, mark, "carol", JSON_FEATURES);
    answer_alloc(&fx, find_alloc(&fx, mark, "b1", "carol"), "carol");
    int ic = find_initiate(&fx, mark, "carol");
    g_assert_cmpint(ic, >=, 0);
    g_assert_true(jingle_of(sent_at(&fx.tb, ic), &j));
    g_assert_nonnull(jingle_source(&j, 1001));
    g_assert_nonnull(jingle_source(&j, 1004));
    g_assert_null(jingle_source(&j, 1002));
    g_assert_null(jingle_source(&j, 1006));
    g_assert_nonnull(jingle_group(&j, PA_JINGLE_GROUP_FID, fid, 2));
    pa_jingle_clear(&j);

    /* alice stops her camera: everyone hears the two SSRCs they knew go; the bridge gets the
     * rest of her sources. */
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "alice", "source-remove", sa,
                      "<content name='video'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                      "media='video'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1001'/>"
                      "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1002'/>"
                      "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1003'/>"
                      "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1004'/>"
                      "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1005'/>"
                      "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1006'/>"
                      "</description></content>");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int rm = find_sources(&fx, mark, "source-remove", "bob", "alice", 1001);
    g_assert_cmpint(rm, >=, 0);
    g_assert_true(carries(&fx, rm, "alice", 1004));
    g_assert_false(carries(&fx, rm, "alice", 1002));
    upd = sent_find(&fx.tb, mark, MODIFY_TO("b1", {"endpoint", NULL, {"id", "alice"}}));
    g_assert_cmpint(upd, >=, 0);
    n = 0;
    g_autofree char *after = bridge_groups(&fx, upd, "alice", &n);
    g_assert_cmpstr(after, ==, "");
    g_assert_cmpuint(n, ==, 0);
    fx_clear(&fx);
}

/* XEP-0115: a client whose presence advertises caps the focus verified before (a disco#info
 * result hashing to that ver) is invited without a disco#info round trip; caps whose result
 * does not hash to the ver they claim are never cached. */
#define CAPS_QUERY                                                                                 \
    "<query xmlns='http://jabber.org/protocol/disco#info'>"                                        \
    "<identity category='client' type='web' name='Test client'/>"                                  \
    "<feature var='urn:xmpp:jingle:apps:rtp:audio'/>"                                              \
    "<feature var='urn:xmpp:jingle:apps:rtp:video'/><feature var='urn:ietf:rfc:4588'/>"            \
    "<feature var='http://jitsi.org/tcc'/>"                                                        \
    "<feature var='http://jitsi.org/json-encoded-sources'/></query>"

static void caps_occupant(Fx *fx, const char *nick, const char *ver)
{
    testbed_receive(&fx->tb,
                    "<presence from='" ROOM "/%s' to='" OCC "'><c xmlns='http://jabber.org/"
                    "protocol/caps' hash='sha-1' node='https://client.example/web' ver='%s'/>"
                    "<x xmlns='" NS_MUC_USER "'><item affiliation='none' role='participant' "
                    "jid='%s@example.org/r'/></x></presence>",
                    nick, ver, nick);
}

static gboolean disco_sent_to(Fx *fx, guint from, const char *nick)
{
    g_autofree char *to = g_strdup_printf(ROOM "/%s", nick);
    return sent_find(&fx->tb, from,
                     STANZA(.name = "iq", .type = "get", .to = to,
                            .has = {{"query", NS_DISCO_INFO}})) >= 0;
}

static void test_caps_cache(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    room_ready(&fx);
    xmpp_stanza_t *q = test_stanza_parse(fx.tb.ctx, "<iq type='result'>" CAPS_QUERY "</iq>");
    g_autofree char *ver = focus_caps_ver(q);
    xmpp_stanza_release(q);
    g_assert_nonnull(ver);

    /* The first two are asked (nothing is known yet); the answers fill the cache. */
    caps_occupant(&fx, "alice", ver);
    guint mark = fx.tb.sent->len;
    caps_occupant(&fx, "bob", ver);
    disco(&fx, mark, "alice", CAPS_QUERY);
    disco(&fx, mark, "bob", CAPS_QUERY);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    FocusConferencesStats cs;
    focus_conferences_stats(fx.mgr, &cs);
    g_assert_cmpuint(cs.caps_misses, ==, 2);
    g_assert_cmpuint(cs.caps_hits, ==, 0);

    /* Carol advertises the same caps: allocated at once, never asked. */
    mark = fx.tb.sent->len;
    caps_occupant(&fx, "carol", ver);
    g_assert_false(disco_sent_to(&fx, mark, "carol"));
    int ac = find_alloc(&fx, mark, "b1", "carol");
    g_assert_cmpint(ac, >=, 0);
    answer_alloc(&fx, ac, "carol");
    int ic = find_initiate(&fx, mark, "carol");
    g_assert_cmpint(ic, >=, 0);
    /* With the cached features: transport-cc offered, sources in the JSON form. */
    g_assert_true(stanza_mentions(sent_at(&fx.tb, ic), "transport-cc"));
    g_assert_true(stanza_match(sent_at(&fx.tb, ic), STANZA(.has = {{"json-message"}})));
    focus_conferences_stats(fx.mgr, &cs);
    g_assert_cmpuint(cs.caps_hits, ==, 1);

    /* Dave claims a ver his features do not hash to: asked, and not cached, so Erin with the
     * same claim is asked too. */
    mark = fx.tb.sent->len;
    caps_occupant(&fx, "dave", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    disco(&fx, mark, "dave", CAPS_QUERY);
    mark = fx.tb.sent->len;
    caps_occupant(&fx, "erin", "AAAAAAAAAAAAAAAAAAAAAAAAAAA=");
    g_assert_true(disco_sent_to(&fx, mark, "erin"));
    /* A client without caps is asked as before. */
    mark = fx.tb.sent->len;
    occupant(&fx, "frank");
    g_assert_true(disco_sent_to(&fx, mark, "frank"));
    focus_conferences_stats(fx.mgr, &cs);
    g_assert_cmpuint(cs.caps_hits, ==, 1);
    g_assert_cmpuint(cs.caps_misses, ==, 5);
    fx_clear(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Refusals are logged as warnings: they are expected here. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/jingle/conference/meeting", test_meeting);
    g_test_add_func("/jingle/conference/xml-client", test_xml_client);
    g_test_add_func("/jingle/conference/nameless-content", test_nameless_content);
    g_test_add_func("/jingle/conference/simulcast", test_simulcast);
    g_test_add_func("/jingle/conference/caps-cache", test_caps_cache);
    return g_test_run();
}
