/* SPDX-License-Identifier: MIT */
/* The focus's media layer end to end, without sockets: the whole focus (core) on the test bed,
 * driven by the stanzas the MUC service, the bridges and the clients would send, with a clock
 * the test steps. */
#include "focus/bridges/bridges.h"
#include "focus/conference/conference.h"
#include "focus/conference/conference-priv.h"
#include "focus/rooms/registry.h"

#include "testbed.h"

#define ROOM "r1@" TB_MUC
#define OCC TB_OCCUPANT
#define BREWERY TB_BREWERY
#define FP TB_FINGERPRINT

typedef struct {
    TestBed tb;
    FocusConferences *mgr;
    FocusBridges *br;
    FocusRegistry *reg;
    guint next_id;
} Fx;

static void bridge_join(Fx *fx, const char *nick, const char *stress)
{
    testbed_bridge_join(&fx->tb, nick, stress);
}

static void bridge_leave(Fx *fx, const char *nick)
{
    testbed_bridge_leave(&fx->tb, nick);
}

static void fx_init(Fx *fx, guint min_participants)
{
    memset(fx, 0, sizeof *fx);
    g_autofree char *min = g_strdup_printf("focus.min_participants=%u", min_participants);
    testbed_init_core(&fx->tb, min, NULL);
    fx->mgr = focus_core_conferences(fx->tb.core);
    fx->br = focus_core_bridges(fx->tb.core);
    fx->reg = focus_core_registry(fx->tb.core);
    focus_core_start(fx->tb.core);
    testbed_brewery_joined(&fx->tb);
    g_assert_true(focus_bridges_joined(fx->br));
}

static void fx_clear(Fx *fx)
{
    testbed_clear(&fx->tb);
}

/* Replies to the sent IQ at @idx: a result with @inner as payload (may be NULL), or an error
 * with @condition and @extra (application-specific XML, may be NULL). */
static void answer(Fx *fx, int idx, const char *inner)
{
    testbed_answer(&fx->tb, idx, inner);
}

static void answer_error(Fx *fx, int idx, const char *condition, const char *extra)
{
    testbed_answer_error(&fx->tb, idx, "cancel", condition, extra);
}

static void room_ready(Fx *fx)
{
    testbed_room_ready(&fx->tb, ROOM);
    g_assert_cmpint(focus_room_state(focus_registry_lookup(fx->reg, ROOM)), ==, FOCUS_ROOM_READY);
}

#define JSON_FEATURES                                                                              \
    "<query xmlns='http://jabber.org/protocol/disco#info'>"                                        \
    "<feature var='urn:xmpp:jingle:apps:rtp:audio'/><feature "                                     \
    "var='urn:xmpp:jingle:apps:rtp:video'/>"                                                       \
    "<feature var='urn:ietf:rfc:4588'/><feature var='http://jitsi.org/tcc'/>"                      \
    "<feature var='http://jitsi.org/json-encoded-sources'/></query>"

/* A participant joins. */
static void occupant(Fx *fx, const char *nick)
{
    g_autofree char *jid = g_strdup_printf("%s@example.org/r", nick);
    testbed_occupant(&fx->tb, ROOM, nick, jid, "none", "participant");
}

/* Answers the focus's disco#info to @nick sent at or after @from (@features NULL: an
 * error, as a client without disco support answers). */
#define DISCO STANZA(.name = "iq", .type = "get", .has = {{"query", NS_DISCO_INFO}})

static void disco(Fx *fx, guint from, const char *nick, const char *features)
{
    g_autofree char *to = g_strdup_printf(ROOM "/%s", nick);
    int idx = sent_find(&fx->tb, from,
                        STANZA(.name = "iq", .type = "get", .to = to, .from = OCC,
                               .has = {{"query", NS_DISCO_INFO}}));
    g_assert_cmpint(idx, >=, 0);
    if (features)
        answer(fx, idx, features);
    else
        answer_error(fx, idx, "service-unavailable", NULL);
}

static void occupant_left(Fx *fx, const char *nick)
{
    testbed_occupant_left(&fx->tb, ROOM, nick, NULL);
}

/* A conference-modify to @bridge (@has: elements it carries). */
#define MODIFY_TO(bridge, ...)                                                                     \
    STANZA(.name = "iq", .type = "set", .to = BREWERY "/" bridge,                                  \
           .has = {{"conference-modify", NS_COLIBRI2}, __VA_ARGS__})
#define MODIFY(...)                                                                                \
    STANZA(.name = "iq", .type = "set", .has = {{"conference-modify", NS_COLIBRI2}, __VA_ARGS__})
/* A Jingle @action to @nick's client. */
#define JINGLE_TO(nick, action)                                                                    \
    STANZA(.name = "iq", .type = "set", .to = ROOM "/" nick, .from = OCC,                          \
           .has = {{"jingle", NS_JINGLE, {"action", action}}})

/* The conference-modify sent at or after @from creating endpoint @nick on @bridge, or -1. */
static int find_alloc(Fx *fx, guint from, const char *bridge, const char *nick)
{
    g_autofree char *to = g_strdup_printf(BREWERY "/%s", bridge);
    return sent_find(&fx->tb, from,
                     STANZA(.name = "iq", .type = "set", .to = to,
                            .has = {{"conference-modify", NS_COLIBRI2},
                                    {"endpoint", NULL, {"id", nick, "create", "true"}}}));
}

/* Answers allocation @idx for @nick with a transport and the bridge's feedback sources. */
static void answer_alloc(Fx *fx, int idx, const char *nick)
{
    g_autofree char *inner = g_strdup_printf(
        "<conference-modified xmlns='jitsi:colibri2'><endpoint id='%s'><transport><transport "
        "xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='uf%s' "
        "pwd='bridgepasswordbridgepassword'><rtcp-mux/><fingerprint "
        "xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='actpass'>" FP "</fingerprint>"
        "<candidate component='1' foundation='1' generation='0' id='c1' ip='127.0.0.1' "
        "network='0' port='10000' priority='2130706431' protocol='udp' type='host'/>"
        "<web-socket xmlns='http://jitsi.org/protocol/colibri' "
        "url='ws://127.0.0.1:8080/colibri-ws/b/c/%s?pwd=x'/></transport></transport></endpoint>"
        "<sources><media-source type='audio' id='jvb-a0'><source "
        "xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='111' name='jvb-a0'><parameter "
        "name='msid' value='mixedmslabel mixedlabelaudio0'/></source></media-source>"
        "<media-source type='video' id='jvb-v0'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' "
        "ssrc='222' name='jvb-v0'><parameter name='msid' value='mixedmslabel "
        "mixedlabelvideo0'/></source></media-source></sources></conference-modified>",
        nick, nick, nick);
    answer(fx, idx, inner);
}

/* The session-initiate to @nick sent at or after @from, or -1. */
static int find_initiate(Fx *fx, guint from, const char *nick)
{
    g_autofree char *to = g_strdup_printf(ROOM "/%s", nick);
    return sent_find(&fx->tb, from,
                     STANZA(.name = "iq", .type = "set", .to = to, .from = OCC,
                            .has = {{"jingle", NS_JINGLE, {"action", "session-initiate"}}}));
}

static char *sid_of(Fx *fx, int idx)
{
    xmpp_stanza_t *j = pa_stanza_child(sent_at(&fx->tb, idx), "jingle", "urn:xmpp:jingle:1");
    return g_strdup(xmpp_stanza_get_attribute(j, "sid"));
}

/* A Jingle request from @nick; returns the index of the focus's reply to it. */
static int client_jingle(Fx *fx, const char *nick, const char *action, const char *sid,
                         const char *inner)
{
    g_autofree char *id = g_strdup_printf("cj%u", ++fx->next_id);
    guint before = testbed_mark(&fx->tb);
    testbed_receive(&fx->tb,
                    "<iq type='set' id='%s' from='" ROOM "/%s' to='" OCC "'><jingle "
                    "xmlns='urn:xmpp:jingle:1' action='%s' sid='%s'>%s</jingle></iq>",
                    id, nick, action, sid, inner ? inner : "");
    const StanzaPattern *reply = STANZA(.name = "iq", .id = id);
    int r = sent_find(&fx->tb, before, reply);
    g_assert_cmpint(r, >=, 0);
    g_assert_cmpuint(sent_count(&fx->tb, before, reply), ==, 1); /* exactly one reply */
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx->tb, r)), ==, OCC);
    return r;
}

/* The Jingle IQ at @idx signals source @ssrc owned by @owner (either source form). */
static gboolean carries(Fx *fx, int idx, const char *owner, guint32 ssrc)
{
    if (idx < 0)
        return FALSE;
    PaJingle j;
    if (!jingle_of(sent_at(&fx->tb, idx), &j))
        return FALSE;
    const PaJingleSource *s = jingle_source(&j, ssrc);
    gboolean ok = s && g_strcmp0(s->owner, owner) == 0;
    pa_jingle_clear(&j);
    return ok;
}

/* The first source-add/-remove @action to @nick at or after @from that carries @owner's
 * @ssrc, or -1. */
static int find_sources(Fx *fx, guint from, const char *action, const char *nick, const char *owner,
                        guint32 ssrc)
{
    g_autofree char *to = g_strdup_printf(ROOM "/%s", nick);
    for (guint i = from; i < fx->tb.sent->len; i++) {
        int idx = sent_find(&fx->tb, i,
                            STANZA(.name = "iq", .type = "set", .to = to, .from = OCC,
                                   .has = {{"jingle", NS_JINGLE, {"action", action}}}));
        if (idx < 0)
            return -1;
        if (carries(fx, idx, owner, ssrc))
            return idx;
        i = (guint)idx;
    }
    return -1;
}

static const char *reply_type(Fx *fx, int idx)
{
    return xmpp_stanza_get_type(sent_at(&fx->tb, idx));
}

static const char *reply_condition(Fx *fx, int idx)
{
    return pa_stanza_error_condition(sent_at(&fx->tb, idx));
}

#define TRANSPORT_ACTIVE                                                                           \
    "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='cli1' "                        \
    "pwd='clientpasswordclientpassword'><rtcp-mux/><fingerprint "                                  \
    "xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='active'>" FP "</fingerprint>"       \
    "<candidate component='1' foundation='2' generation='0' id='k1' ip='127.0.0.1' network='0' "   \
    "port='40000' priority='2122260223' protocol='udp' type='host'/></transport>"

/* session-accept content with one audio source and an FID video pair. */
static char *accept_inner(const char *nick, guint32 base)
{
    return g_strdup_printf(
        "<content creator='responder' name='audio' senders='both'><description "
        "xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'><payload-type id='111' name='opus' "
        "clockrate='48000' channels='2'/><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' "
        "ssrc='%u' name='%s-a0'><parameter name='msid' value='%s-a t1'/></source><rtcp-mux/>"
        "</description>" TRANSPORT_ACTIVE "</content>"
        "<content creator='responder' name='video' senders='both'><initial-last-n "
        "xmlns='jitsi:colibri2' value='-1'/><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
        "media='video'><payload-type id='100' name='VP8' clockrate='90000'/>"
        "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='%u' name='%s-v0'><parameter "
        "name='msid' value='%s-v t2'/></source><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' "
        "ssrc='%u' name='%s-v0'><parameter name='msid' value='%s-v t2'/></source>"
        "<ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'><source ssrc='%u'/>"
        "<source ssrc='%u'/></ssrc-group></description>" TRANSPORT_ACTIVE "</content>",
        base, nick, nick, base + 1, nick, nick, base + 2, nick, nick, base + 1, base + 2);
}

/* Two participants on bridge b1, invited; returns their session ids. */
static void two_invited(Fx *fx, char **sid_a, char **sid_b)
{
    room_ready(fx);
    occupant(fx, "alice");
    /* Alone: nothing is asked or allocated. */
    g_assert_cmpint(sent_find(&fx->tb, 0, DISCO), ==, -1);
    g_assert_cmpint(sent_find(&fx->tb, 0, MODIFY()), ==, -1);
    guint mark = fx->tb.sent->len;
    occupant(fx, "bob");
    disco(fx, mark, "alice", JSON_FEATURES);
    disco(fx, mark, "bob", NULL); /* disco fails: LJM defaults (JSON sources) */
    int aa = find_alloc(fx, mark, "b1", "alice");
    int ab = find_alloc(fx, mark, "b1", "bob");
    g_assert_cmpint(aa, >=, 0);
    g_assert_cmpint(ab, >, aa);
    xmpp_stanza_t *cm_a = pa_stanza_child(sent_at(&fx->tb, aa), "conference-modify", NULL);
    xmpp_stanza_t *cm_b = pa_stanza_child(sent_at(&fx->tb, ab), "conference-modify", NULL);
    g_assert_cmpstr(xmpp_stanza_get_attribute(cm_a, "create"), ==, "true");
    g_assert_null(xmpp_stanza_get_attribute(cm_b, "create"));
    g_assert_cmpstr(xmpp_stanza_get_attribute(cm_a, "name"), ==, ROOM);
    FocusConference *conf = focus_conferences_lookup(fx->mgr, ROOM);
    g_assert_cmpstr(xmpp_stanza_get_attribute(cm_a, "meeting-id"), ==,
                    focus_conference_meeting_id(conf));
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx->tb, aa)), ==, OCC);
    g_assert_true(stanza_match(sent_at(&fx->tb, aa),
                               STANZA(.has = {{"capability", NULL, {"name", "source-names"}},
                                              {"transport", NULL, {"ice-controlling", "true"}},
                                              {"media", NULL, {"type", "audio"}},
                                              {"media", NULL, {"type", "video"}},
                                              {"payload-type", NULL, {"name", "VP8"}}})));

    mark = fx->tb.sent->len;
    answer_alloc(fx, aa, "alice");
    answer_alloc(fx, ab, "bob");
    int ia = find_initiate(fx, mark, "alice");
    int ib = find_initiate(fx, mark, "bob");
    g_assert_cmpint(ia, >=, 0);
    g_assert_cmpint(ib, >=, 0);
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx->tb, ia)), ==, OCC);
    /* The bridge's transport for alice, its colibri-ws URL, the bridge session. */
    g_assert_true(stanza_match(
        sent_at(&fx->tb, ia),
        STANZA(.has = {
                   {"transport", NULL, {"ufrag", "ufalice"}},
                   {"web-socket", NULL, {"url", "ws://127.0.0.1:8080/colibri-ws/b/c/alice?pwd=x"}},
                   {"bridge-session",
                    NS_FOCUS,
                    {"id", focus_conference_bridge_session_id(conf)}}})));
    /* The bridge's own sources, in the JSON form. */
    PaJingle offer;
    g_assert_true(jingle_of(sent_at(&fx->tb, ia), &offer));
    g_assert_true(offer.json_sources);
    g_assert_cmpstr(jingle_source(&offer, 222)->owner, ==, "jvb");
    g_assert_true(jingle_source(&offer, 222)->video);
    g_assert_cmpstr(jingle_source(&offer, 111)->owner, ==, "jvb");
    pa_jingle_clear(&offer);
    *sid_a = sid_of(fx, ia);
    *sid_b = sid_of(fx, ib);
    /* Answered: the session stays pending until session-accept. */
    answer(fx, ia, NULL);
    answer(fx, ib, NULL);
    g_assert_cmpint(focus_jingle_session_state(focus_conference_session(conf, "alice")), ==,
                    FOCUS_JINGLE_PENDING);
}

#define TERMINATE                                                                                  \
    STANZA(.name = "iq", .has = {{"jingle", NS_JINGLE, {"action", "session-terminate"}}})
#define FOCUS_PRESENCE STANZA(.name = "presence", .to = ROOM "/focus")
#define NO_BRIDGE                                                                                  \
    STANZA(.name = "presence", .to = ROOM "/focus", .has = {{"bridgeNotAvailable", NS_FOCUS}})

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

static void test_no_bridge_then_one(void)
{
    Fx fx;
    fx_init(&fx, 2);
    room_ready(&fx);
    occupant(&fx, "alice");
    guint mark = fx.tb.sent->len;
    occupant(&fx, "bob");
    g_assert_cmpint(sent_find(&fx.tb, 0, DISCO), ==, -1);
    int p = sent_find(&fx.tb, mark, NO_BRIDGE);
    g_assert_cmpint(p, >=, 0);
    g_assert_null(pa_stanza_child(sent_at(&fx.tb, p), "x", NS_MUC)); /* an update, not a join */
    g_assert_cmpint(sent_find(&fx.tb, mark, MODIFY()), ==, -1);
    g_assert_cmpuint(sent_count(&fx.tb, 0, NO_BRIDGE), ==, 1);

    mark = fx.tb.sent->len;
    bridge_join(&fx, "b1", "0.0");
    disco(&fx, mark, "alice", JSON_FEATURES);
    disco(&fx, mark, "bob", JSON_FEATURES);
    int a = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(a, >=, 0);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "bob"), >=, 0);
    int cleared = sent_find(&fx.tb, mark, FOCUS_PRESENCE);
    g_assert_cmpint(cleared, >=, 0);
    g_assert_false(stanza_has(sent_at(&fx.tb, cleared), ELEM(.name = "bridgeNotAvailable")));
    fx_clear(&fx);
}

static void test_bridge_leaves(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    bridge_join(&fx, "b2", "0.5");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_autofree char *bs1 = g_strdup(focus_conference_bridge_session_id(conf));
    g_autofree char *acc = accept_inner("alice", 1001);
    client_jingle(&fx, "alice", "session-accept", sa, acc);

    guint mark = fx.tb.sent->len;
    bridge_leave(&fx, "b1");
    /* Both are told they move, and are invited again on b2, alice's sources included. */
    int ta = sent_find(&fx.tb, mark, JINGLE_TO("alice", "session-terminate"));
    int tb = sent_find(&fx.tb, mark, JINGLE_TO("bob", "session-terminate"));
    g_assert_cmpint(ta, >=, 0);
    g_assert_cmpint(tb, >=, 0);
    xmpp_stanza_t *reason = stanza_find(sent_at(&fx.tb, ta), ELEM(.name = "reason"));
    g_assert_nonnull(reason);
    g_assert_true(stanza_has(reason, ELEM(.name = "success")));
    g_assert_true(stanza_has(reason, ELEM(.name = "text", .text = "moving")));
    int a2 = find_alloc(&fx, mark, "b2", "alice");
    g_assert_cmpint(a2, >, ta);
    g_assert_true(
        stanza_has(sent_at(&fx.tb, a2), ELEM(.name = "source", .attrs = {"ssrc", "1001"})));
    g_assert_cmpint(sent_find(&fx.tb, mark, STANZA(.to = BREWERY "/b1")), ==, -1);
    g_assert_cmpstr(focus_conference_bridge(conf), ==, BREWERY "/b2");
    g_assert_cmpstr(focus_conference_bridge_session_id(conf), !=, bs1);

    mark = fx.tb.sent->len;
    answer_alloc(&fx, a2, "alice");
    int ia = find_initiate(&fx, mark, "alice");
    g_assert_cmpint(ia, >=, 0);
    g_autofree char *sa2 = sid_of(&fx, ia);
    g_assert_cmpstr(sa2, !=, sa);
    /* The old session is gone. */
    int r = client_jingle(&fx, "alice", "transport-info", sa,
                          "<content name='audio'>" TRANSPORT_ACTIVE "</content>");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "gone");
    fx_clear(&fx);
}

static void test_allocation_timeout(void)
{
    Fx fx;
    fx_init(&fx, 1);
    bridge_join(&fx, "b1", "0.1");
    bridge_join(&fx, "b2", "0.5");
    room_ready(&fx);
    guint mark = fx.tb.sent->len;
    occupant(&fx, "alice");
    disco(&fx, mark, "alice", JSON_FEATURES);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    mark = fx.tb.sent->len;
    testbed_advance(&fx.tb, 15000);
    int a2 = find_alloc(&fx, mark, "b2", "alice");
    g_assert_cmpint(a2, >=, 0);
    g_assert_cmpstr(xmpp_stanza_get_attribute(
                        pa_stanza_child(sent_at(&fx.tb, a2), "conference-modify", NULL), "create"),
                    ==, "true");
    /* b1 is skipped while failed, usable again after. */
    const FocusBridge *b1 = focus_bridges_lookup(fx.br, BREWERY "/b1");
    g_assert_cmpint(b1->failed_until_us, >, fx.tb.now_us);
    g_assert_cmpuint(focus_bridges_count_available(fx.br), ==, 1);
    answer_alloc(&fx, a2, "alice");
    answer(&fx, find_initiate(&fx, mark, "alice"), NULL);
    testbed_advance(&fx.tb, FOCUS_BRIDGE_FAILURE_MS);
    g_assert_cmpuint(focus_bridges_count_available(fx.br), ==, 2);
    fx_clear(&fx);
}

static void test_restart_and_ice_failed(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_autofree char *acc = accept_inner("alice", 1001);
    client_jingle(&fx, "alice", "session-accept", sa, acc);
    g_autofree char *bs = g_strdup(focus_conference_bridge_session_id(conf));

    /* A wrong bridge-session id is refused. */
    int r = client_jingle(&fx, "alice", "session-terminate", sa,
                          "<reason><success/></reason><bridge-session "
                          "xmlns='http://jitsi.org/protocol/focus' id='other' restart='true'/>");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "item-not-found");

    /* Restart: result, endpoint expired, a new endpoint and a new offer; no terminate. */
    guint mark = fx.tb.sent->len;
    g_autofree char *restart = g_strdup_printf(
        "<reason><success/></reason><bridge-session xmlns='http://jitsi.org/protocol/focus' "
        "id='%s' restart='true'/>",
        bs);
    r = client_jingle(&fx, "alice", "session-terminate", sa, restart);
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int exp = sent_find(&fx.tb, mark,
                        MODIFY_TO("b1", {"endpoint", NULL, {"id", "alice", "expire", "true"}}));
    int a2 = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(exp, >=, 0);
    g_assert_cmpint(a2, >, exp);
    g_assert_cmpint(sent_find(&fx.tb, mark, TERMINATE), ==, -1);
    answer_alloc(&fx, a2, "alice");
    int ia = find_initiate(&fx, mark, "alice");
    g_assert_cmpint(ia, >=, 0);
    g_autofree char *sa2 = sid_of(&fx, ia);

    /* Another restart within 5 s: the session ends, no new one (rate-limited). */
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "alice", "session-terminate", sa2, restart);
    g_assert_cmpstr(reply_condition(&fx, r), ==, "resource-constraint");
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), ==, -1);
    g_assert_null(focus_conference_session(conf, "alice"));

    /* bob: ICE failed -> terminate "moving" and a new offer. */
    testbed_advance(&fx.tb, 6000);
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "bob", "session-info", sb,
                      "<ice-state xmlns='http://jitsi.org/protocol/focus'>failed</ice-state>");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int tb = sent_find(&fx.tb, mark, JINGLE_TO("bob", "session-terminate"));
    g_assert_cmpint(tb, >=, 0);
    g_assert_true(stanza_has(sent_at(&fx.tb, tb), ELEM(.name = "text", .text = "moving")));
    int ab = find_alloc(&fx, mark, "b1", "bob");
    g_assert_cmpint(ab, >=, 0);
    /* Its endpoint was the conference's last: the new allocation creates it again. */
    g_assert_cmpstr(xmpp_stanza_get_attribute(
                        pa_stanza_child(sent_at(&fx.tb, ab), "conference-modify", NULL), "create"),
                    ==, "true");
    fx_clear(&fx);
}

/* Alone again after the other participant left, a restart still gets a new session. */
static void test_lone_restart(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    g_autofree char *acc = accept_inner("alice", 1001);
    client_jingle(&fx, "alice", "session-accept", sa, acc);
    occupant_left(&fx, "bob");
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_autofree char *restart = g_strdup_printf(
        "<bridge-session xmlns='http://jitsi.org/protocol/focus' id='%s' restart='true'/>",
        focus_conference_bridge_session_id(conf));
    guint mark = fx.tb.sent->len;
    int r = client_jingle(&fx, "alice", "session-terminate", sa, restart);
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    /* A newcomer alone is still not invited. */
    mark = fx.tb.sent->len;
    occupant_left(&fx, "alice");
    occupant(&fx, "carol");
    g_assert_cmpint(sent_find(&fx.tb, mark, DISCO), ==, -1);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "carol"), ==, -1);
    fx_clear(&fx);
}

/* A lost reply: the bridge already has the conference, or the endpoint. */
static void test_allocation_retries(void)
{
    Fx fx;
    fx_init(&fx, 1);
    bridge_join(&fx, "b1", "0.1");
    room_ready(&fx);
    guint mark = fx.tb.sent->len;
    occupant(&fx, "alice");
    disco(&fx, mark, "alice", JSON_FEATURES);
    int a1 = find_alloc(&fx, mark, "b1", "alice");
    mark = fx.tb.sent->len;
    answer_error(&fx, a1, "conflict",
                 "<error xmlns='jitsi:colibri2' reason='CONFERENCE_ALREADY_EXISTS'/>");
    int a2 = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(a2, >=, 0);
    g_assert_null(xmpp_stanza_get_attribute(
        pa_stanza_child(sent_at(&fx.tb, a2), "conference-modify", NULL), "create"));
    /* Endpoint conflict: expired first, then created again (the conference with it). */
    mark = fx.tb.sent->len;
    answer_error(&fx, a2, "conflict", NULL);
    int exp = sent_find(&fx.tb, mark,
                        MODIFY_TO("b1", {"endpoint", NULL, {"id", "alice", "expire", "true"}}));
    int a3 = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(exp, >=, 0);
    g_assert_cmpint(a3, >, exp);
    /* A third failure is the bridge's fault: it is skipped, no other bridge: wait. */
    mark = fx.tb.sent->len;
    answer_error(&fx, a3, "conflict", NULL);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), ==, -1);
    g_assert_cmpint(sent_find(&fx.tb, mark, NO_BRIDGE), >=, 0);
    /* Once b1 is usable again, alice is invited. */
    mark = fx.tb.sent->len;
    testbed_advance(&fx.tb, FOCUS_BRIDGE_FAILURE_MS);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    fx_clear(&fx);
}

static void test_unknown_endpoint(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    guint mark = fx.tb.sent->len;
    g_autofree char *acc = accept_inner("alice", 1001);
    client_jingle(&fx, "alice", "session-accept", sa, acc);
    int upd = sent_find(&fx.tb, mark, MODIFY_TO("b1", {"endpoint", NULL, {"id", "alice"}}));
    mark = fx.tb.sent->len;
    answer_error(&fx, upd, "item-not-found",
                 "<error xmlns='jitsi:colibri2' reason='UNKNOWN_ENDPOINT'/><endpoint "
                 "xmlns='jitsi:colibri2' id='alice'/>");
    /* Only alice is re-invited. */
    g_assert_cmpint(sent_find(&fx.tb, mark, JINGLE_TO("alice", "session-terminate")), >=, 0);
    g_assert_cmpint(sent_find(&fx.tb, mark, JINGLE_TO("bob", "session-terminate")), ==, -1);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    fx_clear(&fx);
}

/* @from (a bridge's brewery occupant JID, or anyone) says it dropped @nick's endpoint;
 * returns the index of the focus's reply. */
static int bridge_news(Fx *fx, const char *from, const char *meeting_id, const char *nick,
                       const char *conference)
{
    g_autofree char *id = g_strdup_printf("bn%u", ++fx->next_id);
    guint before = testbed_mark(&fx->tb);
    testbed_receive(&fx->tb,
                    "<iq type='set' id='%s' from='%s' to='" OCC "'><endpoint-expired "
                    "xmlns='urn:parley:bridge:0' meeting-id='%s' endpoint='%s' reason='failed' "
                    "conference='%s'>ICE consent lost</endpoint-expired></iq>",
                    id, from, meeting_id, nick, conference);
    int r = sent_find(&fx->tb, before, STANZA(.name = "iq", .id = id));
    g_assert_cmpint(r, >=, 0);
    g_assert_cmpuint(sent_count(&fx->tb, before, STANZA(.name = "iq", .id = id)), ==, 1);
    return r;
}

/* The bridge drops alice's endpoint by itself (ICE consent lost) and says so: only alice is
 * re-invited, at once, on the same bridge, into the conference the bridge kept (no create);
 * the news is only taken from a bridge of the brewery, and old news changes nothing. */
static void test_bridge_drops_endpoint(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    g_autofree char *acc_a = accept_inner("alice", 1001);
    client_jingle(&fx, "alice", "session-accept", sa, acc_a);
    g_autofree char *acc_b = accept_inner("bob", 2001);
    client_jingle(&fx, "bob", "session-accept", sb, acc_b);
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    const char *meeting = focus_conference_meeting_id(conf);

    /* Not a bridge: refused, nothing happens. */
    guint mark = testbed_mark(&fx.tb);
    int r = bridge_news(&fx, "mallory@example.org/x", meeting, "alice", "kept");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "forbidden");
    r = bridge_news(&fx, ROOM "/bob", meeting, "alice", "kept");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "forbidden");
    /* Another bridge than alice's, or an unknown meeting: old news. */
    bridge_join(&fx, "b2", "0.5");
    r = bridge_news(&fx, BREWERY "/b2", meeting, "alice", "kept");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "item-not-found");
    r = bridge_news(&fx, BREWERY "/b1", "no-such-meeting", "alice", "kept");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "item-not-found");
    g_assert_cmpint(sent_find(&fx.tb, mark, TERMINATE), ==, -1);
    g_assert_cmpint(sent_find(&fx.tb, mark, MODIFY()), ==, -1);

    /* b1 dropped alice: accepted, from its occupant JID or its own JID. */
    mark = testbed_mark(&fx.tb);
    r = bridge_news(&fx, "jvb@auth." TB_DOMAIN "/b1-res", meeting, "alice", "kept");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int term = sent_find(&fx.tb, mark, JINGLE_TO("alice", "session-terminate"));
    g_assert_cmpint(term, >=, 0);
    g_assert_true(stanza_match(sent_at(&fx.tb, term), STANZA(.has = {{"success", NULL}})));
    g_assert_cmpint(sent_find(&fx.tb, mark, JINGLE_TO("bob", "session-terminate")), ==, -1);
    /* Nothing to expire (the bridge forgot it), a new endpoint on b1 in the kept conference. */
    g_assert_cmpint(
        sent_find(&fx.tb, mark, MODIFY_TO("b1", {"endpoint", NULL, {"expire", "true"}})), ==, -1);
    int alloc = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(alloc, >=, 0);
    xmpp_stanza_t *cm = pa_stanza_child(sent_at(&fx.tb, alloc), "conference-modify", NULL);
    g_assert_null(xmpp_stanza_get_attribute(cm, "create"));
    /* Her accepted sources go along, so the bridge routes her RTP at once. */
    g_assert_true(
        stanza_match(sent_at(&fx.tb, alloc), STANZA(.has = {{"source", NULL, {"ssrc", "1001"}}})));
    guint m2 = testbed_mark(&fx.tb);
    answer_alloc(&fx, alloc, "alice");
    int init = find_initiate(&fx, m2, "alice");
    g_assert_cmpint(init, >=, 0);
    g_autofree char *sa2 = sid_of(&fx, init);
    g_assert_cmpstr(sa2, !=, sa);

    /* bob's goes too, and the bridge ended the conference with it: created again. */
    mark = testbed_mark(&fx.tb);
    r = bridge_news(&fx, BREWERY "/b1", meeting, "bob", "ended");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    alloc = find_alloc(&fx, mark, "b1", "bob");
    g_assert_cmpint(alloc, >=, 0);
    cm = pa_stanza_child(sent_at(&fx.tb, alloc), "conference-modify", NULL);
    g_assert_cmpstr(xmpp_stanza_get_attribute(cm, "create"), ==, "true");
    fx_clear(&fx);
}

/* The bridge dropped alice's endpoint, and it is no longer healthy: the conference moves. */
static void test_bridge_drops_endpoint_unhealthy(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    bridge_join(&fx, "b2", "0.5");
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_autofree char *meeting = g_strdup(focus_conference_meeting_id(conf));
    /* b1 says it is unhealthy: the conference moves to b2 (both re-invited). */
    guint mark = testbed_mark(&fx.tb);
    testbed_receive(&fx.tb,
                    "<presence from='" BREWERY "/b1' to='" OCC "'><x xmlns='" NS_MUC_USER
                    "'><item affiliation='none' role='participant' jid='jvb@auth." TB_DOMAIN
                    "/b1-res'/></x><stats xmlns='http://jitsi.org/protocol/colibri'><stat "
                    "name='stress_level' value='0.1'/><stat name='healthy' value='false'/></stats>"
                    "</presence>");
    g_assert_cmpint(find_alloc(&fx, mark, "b2", "alice"), >=, 0);
    /* Late news from b1 about alice's old endpoint is old news. */
    int r = bridge_news(&fx, BREWERY "/b1", meeting, "alice", "kept");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "item-not-found");
    fx_clear(&fx);
}

#define EXPIRE_CONF_TO(bridge)                                                                     \
    STANZA(.name = "iq", .type = "set", .to = BREWERY "/" bridge,                                  \
           .has = {{"conference-modify", NS_COLIBRI2, {"expire", "true"}}})
#define EXPIRE_EP_TO(bridge, nick)                                                                 \
    STANZA(.name = "iq", .type = "set", .to = BREWERY "/" bridge,                                  \
           .has = {{"conference-modify", NS_COLIBRI2},                                             \
                   {"endpoint", NULL, {"id", nick, "expire", "true"}}})

/* The only bridge goes away (say, it and the XMPP server restarted) and comes back: nothing is
 * sent to it while it is away; once back, the conference it may still hold is expired before
 * the conference is created there again, and the endpoint of a participant who left during
 * the outage is expired too (the room ended: the expiry outlives it). */
static void test_expiries_wait_for_the_bridge(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_autofree char *meeting = g_strdup(focus_conference_meeting_id(conf));

    guint mark = testbed_mark(&fx.tb);
    bridge_leave(&fx, "b1");
    g_assert_cmpint(sent_find(&fx.tb, mark, NO_BRIDGE), >=, 0);
    g_assert_cmpint(sent_find(&fx.tb, mark, STANZA(.to = BREWERY "/b1")), ==, -1);
    g_assert_cmpuint(focus_expiries_waiting(fx.mgr), ==, 1);

    /* b1 is back: the old conference goes first, then the new allocations. */
    mark = testbed_mark(&fx.tb);
    bridge_join(&fx, "b1", "0.1");
    int exp = sent_find(&fx.tb, mark, EXPIRE_CONF_TO("b1"));
    g_assert_cmpint(exp, >=, 0);
    g_assert_true(stanza_match(sent_at(&fx.tb, exp),
                               STANZA(.has = {{"conference-modify",
                                               NS_COLIBRI2,
                                               {"meeting-id", meeting, "expire", "true"}}})));
    int alloc = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(alloc, >, exp);
    g_assert_cmpuint(focus_expiries_waiting(fx.mgr), ==, 0);
    answer(&fx, exp, NULL);
    g_assert_cmpuint(fx.mgr->expiries->len, ==, 0);

    /* b1 goes again; everyone leaves meanwhile and the room ends. */
    answer_alloc(&fx, alloc, "alice");
    int alloc_b = find_alloc(&fx, mark, "b1", "bob");
    answer_alloc(&fx, alloc_b, "bob");
    bridge_leave(&fx, "b1");
    occupant_left(&fx, "alice");
    occupant_left(&fx, "bob");
    testbed_advance(&fx.tb, 60000); /* the empty room's grace, its destruction */
    testbed_receive(&fx.tb, "<presence type='unavailable' from='" ROOM "/focus' to='" OCC
                            "'><x xmlns='" NS_MUC_USER "'><destroy/><status code='110'/></x>"
                            "</presence>");
    testbed_advance(&fx.tb, 0);
    g_assert_null(focus_conferences_lookup(fx.mgr, ROOM));
    mark = testbed_mark(&fx.tb);
    bridge_join(&fx, "b1", "0.1");
    /* What b1 may still hold of that meeting is expired now that it is back. */
    exp = sent_find(&fx.tb, mark, EXPIRE_CONF_TO("b1"));
    g_assert_cmpint(exp, >=, 0);
    /* The MUC answers for an occupant that is not there (no Colibri2 reason): kept for the
     * next time; the bridge's own CONFERENCE_NOT_FOUND: done. */
    answer_error(&fx, exp, "item-not-found", NULL);
    g_assert_cmpuint(focus_expiries_waiting(fx.mgr), ==, 1);
    bridge_leave(&fx, "b1");
    mark = testbed_mark(&fx.tb);
    bridge_join(&fx, "b1", "0.1");
    exp = sent_find(&fx.tb, mark, EXPIRE_CONF_TO("b1"));
    g_assert_cmpint(exp, >=, 0);
    answer_error(&fx, exp, "item-not-found",
                 "<error xmlns='jitsi:colibri2' reason='CONFERENCE_NOT_FOUND'/>");
    g_assert_cmpuint(fx.mgr->expiries->len, ==, 0);
    fx_clear(&fx);
}

/* The connection drops while an allocation waits for its reply: it may have reached the
 * bridge, so that endpoint is expired before it is allocated again. */
static void test_allocation_lost_with_the_link(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    room_ready(&fx);
    occupant(&fx, "alice");
    guint mark = testbed_mark(&fx.tb);
    occupant(&fx, "bob");
    disco(&fx, mark, "alice", JSON_FEATURES);
    disco(&fx, mark, "bob", JSON_FEATURES);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    focus_link_set_online(fx.tb.link, FALSE);
    focus_link_fail_pending(fx.tb.link);
    focus_core_on_offline(fx.tb.core);
    g_assert_cmpuint(focus_expiries_waiting(fx.mgr), ==, 2);
    focus_link_set_online(fx.tb.link, TRUE);
    focus_core_on_online(fx.tb.core);
    mark = testbed_mark(&fx.tb);
    testbed_brewery_joined(&fx.tb);
    bridge_join(&fx, "b1", "0.1");
    /* The room is joined again: both are still there. */
    occupant(&fx, "alice");
    occupant(&fx, "bob");
    testbed_room_self(&fx.tb, ROOM, FALSE);
    int form = sent_find(&fx.tb, mark,
                         STANZA(.name = "iq", .type = "set", .to = ROOM,
                                .has = {{"query", "http://jabber.org/protocol/muc#owner"}}));
    g_assert_cmpint(form, >=, 0);
    answer(&fx, form, NULL);
    testbed_advance(&fx.tb, 0);
    int exp = sent_find(&fx.tb, mark, EXPIRE_EP_TO("b1", "alice"));
    int alloc = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(exp, >=, 0);
    g_assert_cmpint(alloc, >, exp);
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

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Refusals are logged as warnings: they are expected here. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/jingle/conference/meeting", test_meeting);
    g_test_add_func("/jingle/conference/no-bridge-then-one", test_no_bridge_then_one);
    g_test_add_func("/jingle/conference/bridge-leaves", test_bridge_leaves);
    g_test_add_func("/jingle/conference/allocation-timeout", test_allocation_timeout);
    g_test_add_func("/jingle/conference/restart-and-ice-failed", test_restart_and_ice_failed);
    g_test_add_func("/jingle/conference/lone-restart", test_lone_restart);
    g_test_add_func("/jingle/conference/allocation-retries", test_allocation_retries);
    g_test_add_func("/jingle/conference/unknown-endpoint", test_unknown_endpoint);
    g_test_add_func("/jingle/conference/xml-client", test_xml_client);
    g_test_add_func("/jingle/conference/nameless-content", test_nameless_content);
    g_test_add_func("/jingle/conference/expiries-wait-for-the-bridge",
                    test_expiries_wait_for_the_bridge);
    g_test_add_func("/jingle/conference/allocation-lost-with-the-link",
                    test_allocation_lost_with_the_link);
    g_test_add_func("/jingle/conference/bridge-drops-endpoint", test_bridge_drops_endpoint);
    g_test_add_func("/jingle/conference/bridge-drops-endpoint-unhealthy",
                    test_bridge_drops_endpoint_unhealthy);
    g_test_add_func("/jingle/conference/simulcast", test_simulcast);
    return g_test_run();
}
