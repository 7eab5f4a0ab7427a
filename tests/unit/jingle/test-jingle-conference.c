/* SPDX-License-Identifier: MIT */
/* The focus's media layer end to end, without sockets: the brewery (FocusBridges), rooms
 * (FocusRegistry) and conferences (FocusConferences) on a FocusLink that records what the
 * focus sends, driven by the stanzas the MUC service, the bridges and the clients would send,
 * with a clock the test steps. */
#include "focus/bridges/bridges.h"
#include "focus/conference/conference.h"
#include "focus/rooms/registry.h"

#include "jingle-test-util.h"

#define ROOM "r1@conference.example.org"
#define OCC "focus.example.org/focus"
#define BREWERY "jvbbrewery@internal.auth.example.org"
#define FP                                                                                         \
    "AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:"   \
    "67:89"

typedef struct {
    TestBed tb;
    FocusConferences *mgr;
    FocusBridges *br;
    FocusRegistry *reg;
    guint next_id;
} Fx;

static void presence(Fx *fx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void presence(Fx *fx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *xml = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xmpp_stanza_t *p = stanza_from(&fx->tb, xml);
    if (!focus_bridges_handle_presence(fx->br, p))
        focus_registry_handle_presence(fx->reg, p);
    xmpp_stanza_release(p);
}

static void bridge_join(Fx *fx, const char *nick, const char *stress)
{
    presence(fx,
             "<presence from='" BREWERY "/%s' to='" OCC "'><x "
             "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
             "role='participant' jid='jvb@auth.example.org/%s-res'/></x>"
             "<stats xmlns='http://jitsi.org/protocol/colibri'><stat name='stress_level' "
             "value='%s'/><stat name='healthy' value='true'/></stats></presence>",
             nick, nick, stress);
}

static void bridge_leave(Fx *fx, const char *nick)
{
    presence(fx,
             "<presence type='unavailable' from='" BREWERY "/%s' to='" OCC "'><x "
             "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
             "role='none'/></x></presence>",
             nick);
}

static void fx_init(Fx *fx, guint min_participants)
{
    memset(fx, 0, sizeof *fx);
    testbed_init(&fx->tb);
    FocusConferenceSettings cs;
    focus_conference_settings_init(&cs, OCC, min_participants);
    fx->mgr = focus_conferences_new(fx->tb.link, &cs);
    FocusBridgesEvents bev;
    focus_conferences_bridge_events(&bev);
    fx->br = focus_bridges_new(fx->tb.link, BREWERY, "auth.example.org", OCC, &bev, fx->mgr);
    focus_conferences_set_bridges(fx->mgr, fx->br);
    FocusRoomSettings rs;
    focus_room_settings_init(&rs, "focus.example.org", 5);
    FocusRoomHooks hooks;
    focus_conferences_room_hooks(&hooks);
    fx->reg = focus_registry_new(fx->tb.link, &rs, &hooks, fx->mgr);
    focus_conferences_set_registry(fx->mgr, fx->reg);
    focus_bridges_start(fx->br);
    g_assert_cmpint(sent_find_all(&fx->tb, 0, "<presence", "to=\"" BREWERY "/focus\"", NULL), ==,
                    0);
    presence(fx, "<presence from='" BREWERY "/focus' to='" OCC "'><x "
                 "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' "
                 "role='moderator' jid='" OCC "'/><status code='110'/></x></presence>");
    g_assert_true(focus_bridges_joined(fx->br));
}

static void fx_clear(Fx *fx)
{
    focus_registry_free(fx->reg);
    focus_conferences_free(fx->mgr);
    focus_bridges_free(fx->br);
    testbed_clear(&fx->tb);
}

/* Replies to the sent IQ at @idx: a result with @inner as payload (may be NULL), or an
 * error when @error is given (raw <error> content). */
static void answer(Fx *fx, int idx, const char *inner, const char *error)
{
    xmpp_stanza_t *iq = sent_at(&fx->tb, idx);
    g_autofree char *xml =
        error ? g_strdup_printf("<iq type='error' id='%s' from='%s' to='%s'><error>%s</error></iq>",
                                xmpp_stanza_get_id(iq), xmpp_stanza_get_to(iq),
                                xmpp_stanza_get_from(iq), error)
              : g_strdup_printf("<iq type='result' id='%s' from='%s' to='%s'>%s</iq>",
                                xmpp_stanza_get_id(iq), xmpp_stanza_get_to(iq),
                                xmpp_stanza_get_from(iq), inner ? inner : "");
    xmpp_stanza_t *reply = stanza_from(&fx->tb, xml);
    g_assert_true(focus_link_handle_reply(fx->tb.link, reply));
    xmpp_stanza_release(reply);
}

static void room_ready(Fx *fx)
{
    xmpp_stanza_t *iq =
        stanza_from(&fx->tb, "<iq type='set' id='conf1' from='c@example.org/r' "
                             "to='focus.example.org'><conference "
                             "xmlns='http://jitsi.org/protocol/focus' room='" ROOM "'/></iq>");
    FocusRoomRequest req;
    g_assert_cmpint(focus_room_request_parse(iq, "conference.example.org", &req, NULL), ==,
                    FOCUS_ROOM_REQUEST_OK);
    focus_registry_handle_conference(fx->reg, iq, &req);
    focus_room_request_clear(&req);
    xmpp_stanza_release(iq);
    presence(fx, "<presence from='" ROOM "/focus' to='" OCC "'><x "
                 "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' "
                 "role='moderator' jid='" OCC "'/><status code='201'/><status code='110'/></x>"
                 "</presence>");
    answer(fx, sent_find_all(&fx->tb, 0, "muc#owner", NULL), NULL, NULL);
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
    presence(fx,
             "<presence from='" ROOM "/%s' to='" OCC "'><x "
             "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
             "role='participant' jid='%s@example.org/r'/></x></presence>",
             nick, nick);
}

/* Answers the focus's disco#info to @nick sent at or after @from (@features NULL: an
 * error, as a client without disco support answers). */
static void disco(Fx *fx, guint from, const char *nick, const char *features)
{
    g_autofree char *to = g_strdup_printf("to=\"" ROOM "/%s\"", nick);
    int idx = sent_find_all(&fx->tb, from, "disco#info", to, NULL);
    g_assert_cmpint(idx, >=, 0);
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx->tb, idx)), ==, OCC);
    if (features)
        answer(fx, idx, features, NULL);
    else
        answer(fx, idx, NULL, "<service-unavailable xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>");
}

static void occupant_left(Fx *fx, const char *nick)
{
    presence(fx,
             "<presence type='unavailable' from='" ROOM "/%s' to='" OCC "'><x "
             "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
             "role='none'/></x></presence>",
             nick);
}

/* The conference-modify sent at or after @from creating endpoint @nick, or -1. */
static int find_alloc(Fx *fx, guint from, const char *bridge, const char *nick)
{
    g_autofree char *to = g_strdup_printf("to=\"" BREWERY "/%s\"", bridge);
    g_autofree char *ep = g_strdup_printf("id=\"%s\"", nick);
    for (guint i = from; i < fx->tb.sent->len; i++) {
        int idx = sent_find_all(&fx->tb, i, "conference-modify", to, ep, "create=\"true\"", NULL);
        if (idx < 0)
            return -1;
        xmpp_stanza_t *cm = pa_stanza_child(sent_at(&fx->tb, idx), "conference-modify", NULL);
        xmpp_stanza_t *e = pa_stanza_child(cm, "endpoint", NULL);
        if (g_strcmp0(xmpp_stanza_get_attribute(e, "create"), "true") == 0)
            return idx;
        i = (guint)idx;
    }
    return -1;
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
    answer(fx, idx, inner, NULL);
}

/* The session-initiate to @nick sent at or after @from, or -1. */
static int find_initiate(Fx *fx, guint from, const char *nick)
{
    g_autofree char *to = g_strdup_printf("to=\"" ROOM "/%s\"", nick);
    return sent_find_all(&fx->tb, from, "action=\"session-initiate\"", to, NULL);
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
    g_autofree char *xml =
        g_strdup_printf("<iq type='set' id='%s' from='" ROOM "/%s' to='" OCC "'><jingle "
                        "xmlns='urn:xmpp:jingle:1' action='%s' sid='%s'>%s</jingle></iq>",
                        id, nick, action, sid, inner ? inner : "");
    xmpp_stanza_t *iq = stanza_from(&fx->tb, xml);
    guint before = fx->tb.sent->len;
    focus_conferences_handle_jingle(fx->mgr, iq);
    xmpp_stanza_release(iq);
    g_autofree char *needle = g_strdup_printf("id=\"%s\"", id);
    int r = sent_find_all(&fx->tb, before, needle, NULL);
    g_assert_cmpint(r, >=, 0);
    g_assert_cmpint(sent_count(&fx->tb, before, needle), ==, 1); /* exactly one reply */
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx->tb, r)), ==, OCC);
    return r;
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
    g_assert_cmpint(sent_find_all(&fx->tb, 0, "disco#info", NULL), ==, -1);
    g_assert_cmpint(sent_find_all(&fx->tb, 0, "conference-modify", NULL), ==, -1);
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
    g_autofree char *t = stanza_text(sent_at(&fx->tb, aa));
    g_assert_nonnull(strstr(t, "<capability name=\"source-names\"/>"));
    g_assert_nonnull(strstr(t, "ice-controlling=\"true\""));
    g_assert_nonnull(strstr(t, "<media type=\"audio\">"));
    g_test_message("allocation: %s", t);
    g_assert_nonnull(strstr(t, "name=\"VP8\""));

    mark = fx->tb.sent->len;
    answer_alloc(fx, aa, "alice");
    answer_alloc(fx, ab, "bob");
    int ia = find_initiate(fx, mark, "alice");
    int ib = find_initiate(fx, mark, "bob");
    g_assert_cmpint(ia, >=, 0);
    g_assert_cmpint(ib, >=, 0);
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx->tb, ia)), ==, OCC);
    g_autofree char *offer = stanza_text(sent_at(&fx->tb, ia));
    g_assert_nonnull(strstr(offer, "ufrag=\"ufalice\""));
    g_assert_nonnull(strstr(offer, "colibri-ws/b/c/alice"));
    g_assert_nonnull(strstr(offer, "&quot;jvb&quot;:[[{&quot;s&quot;:222"));
    g_assert_nonnull(strstr(offer, focus_conference_bridge_session_id(conf)));
    *sid_a = sid_of(fx, ia);
    *sid_b = sid_of(fx, ib);
    /* Answered: the session stays pending until session-accept. */
    answer(fx, ia, NULL, NULL);
    answer(fx, ib, NULL, NULL);
    g_assert_cmpint(focus_conference_session(conf, "alice")->state, ==, FOCUS_JINGLE_PENDING);
}

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
    int upd =
        sent_find_all(&fx.tb, mark, "conference-modify", "to=\"" BREWERY "/b1\"", "id=\"alice\"",
                      "ufrag=\"cli1\"", "ssrc=\"1001\"", "<initial-last-n value=\"-1\"/>", NULL);
    g_assert_cmpint(upd, >=, 0);
    g_assert_cmpint(
        sent_find_all(&fx.tb, mark, "<media-source", "id=\"alice-v0\"", "semantics=\"FID\"", NULL),
        ==, upd);
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "action=\"source-add\"", NULL), ==, -1);
    g_assert_cmpuint(focus_conference_sources(conf, "alice")->sources->len, ==, 3);

    /* bob accepts: each hears of the other. */
    mark = fx.tb.sent->len;
    g_autofree char *acc_b = accept_inner("bob", 2001);
    r = client_jingle(&fx, "bob", "session-accept", sb, acc_b);
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int add_b = sent_find_all(&fx.tb, mark, "action=\"source-add\"", "to=\"" ROOM "/bob\"",
                              "&quot;alice&quot;", "&quot;s&quot;:1001", NULL);
    int add_a =
        sent_find_all(&fx.tb, mark, "action=\"source-add\"", "to=\"" ROOM "/alice\"",
                      "&quot;bob&quot;", "&quot;s&quot;:2001", "[[&quot;f&quot;,2002,2003]]", NULL);
    g_assert_cmpint(add_b, >=, 0);
    g_assert_cmpint(add_a, >=, 0);
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx.tb, add_a)), ==, OCC);

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
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "to=\"" ROOM "/alice\"", NULL), ==, -1);
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "conference-modify", NULL), ==, -1);

    /* transport-info goes to the bridge. */
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "bob", "transport-info", sb,
                      "<content name='audio'>" TRANSPORT_ACTIVE "</content>");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    g_assert_cmpint(
        sent_find_all(&fx.tb, mark, "conference-modify", "id=\"bob\"", "port=\"40000\"", NULL), >=,
        0);

    /* A valid source-add and source-remove from bob reach alice. */
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "bob", "source-add", sb,
                      "<content name='video'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                      "media='video'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2100' "
                      "name='bob-v1' videoType='desktop'><parameter name='msid' value='d d'/>"
                      "</source></description></content>");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "action=\"source-add\"", "to=\"" ROOM "/alice\"",
                                  "&quot;s&quot;:2100", "&quot;v&quot;:&quot;d&quot;", NULL),
                    >=, 0);
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "conference-modify", "id=\"bob-v1\"", NULL), >=, 0);
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "bob", "source-remove", sb,
                      "<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                      "media='audio'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2001'/>"
                      "</description></content>");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "action=\"source-remove\"", "to=\"" ROOM "/alice\"",
                                  "&quot;s&quot;:2001", NULL),
                    >=, 0);
    r = client_jingle(&fx, "bob", "source-remove", sb,
                      "<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
                      "media='audio'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1001'/>"
                      "</description></content>");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "bad-request"); /* alice's, not bob's */

    /* bob leaves: his endpoint is expired, alice hears his sources go. */
    mark = fx.tb.sent->len;
    occupant_left(&fx, "bob");
    g_assert_cmpint(
        sent_find_all(&fx.tb, mark, "conference-modify", "id=\"bob\"", "expire=\"true\"", NULL), >=,
        0);
    int rm = sent_find_all(&fx.tb, mark, "action=\"source-remove\"", "to=\"" ROOM "/alice\"",
                           "&quot;s&quot;:2002", "&quot;s&quot;:2100", NULL);
    g_assert_cmpint(rm, >=, 0);
    /* alice leaves: the last endpoint goes. */
    mark = fx.tb.sent->len;
    occupant_left(&fx, "alice");
    g_assert_cmpint(
        sent_find_all(&fx.tb, mark, "conference-modify", "id=\"alice\"", "expire=\"true\"", NULL),
        >=, 0);
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "session-terminate", NULL), ==, -1);
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
    g_assert_cmpint(sent_find_all(&fx.tb, 0, "disco#info", NULL), ==, -1);
    int p = sent_find_all(&fx.tb, mark, "<presence", "to=\"" ROOM "/focus\"",
                          "<bridgeNotAvailable xmlns=\"http://jitsi.org/protocol/focus\"/>", NULL);
    g_assert_cmpint(p, >=, 0);
    g_assert_null(pa_stanza_child(sent_at(&fx.tb, p), "x", "http://jabber.org/protocol/muc"));
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "conference-modify", NULL), ==, -1);
    g_assert_cmpuint(sent_count(&fx.tb, 0, "bridgeNotAvailable"), ==, 1);

    mark = fx.tb.sent->len;
    bridge_join(&fx, "b1", "0.0");
    disco(&fx, mark, "alice", JSON_FEATURES);
    disco(&fx, mark, "bob", JSON_FEATURES);
    int a = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(a, >=, 0);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "bob"), >=, 0);
    int cleared = sent_find_all(&fx.tb, mark, "<presence", "to=\"" ROOM "/focus\"", NULL);
    g_assert_cmpint(cleared, >=, 0);
    g_autofree char *ct = stanza_text(sent_at(&fx.tb, cleared));
    g_assert_null(strstr(ct, "bridgeNotAvailable"));
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
    int ta = sent_find_all(&fx.tb, mark, "session-terminate", "to=\"" ROOM "/alice\"",
                           "<reason><success/><text>moving</text></reason>", NULL);
    int tb = sent_find_all(&fx.tb, mark, "session-terminate", "to=\"" ROOM "/bob\"", NULL);
    g_assert_cmpint(ta, >=, 0);
    g_assert_cmpint(tb, >=, 0);
    int a2 = find_alloc(&fx, mark, "b2", "alice");
    g_assert_cmpint(a2, >, ta);
    g_autofree char *at = stanza_text(sent_at(&fx.tb, a2));
    g_assert_nonnull(strstr(at, "ssrc=\"1001\""));
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "to=\"" BREWERY "/b1\"", NULL), ==, -1);
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
    answer(&fx, find_initiate(&fx, mark, "alice"), NULL, NULL);
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
    int exp =
        sent_find_all(&fx.tb, mark, "conference-modify", "id=\"alice\"", "expire=\"true\"", NULL);
    int a2 = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(exp, >=, 0);
    g_assert_cmpint(a2, >, exp);
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "session-terminate", NULL), ==, -1);
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
    g_assert_cmpint(
        sent_find_all(&fx.tb, mark, "session-terminate", "to=\"" ROOM "/bob\"", "moving", NULL), >=,
        0);
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
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "disco#info", NULL), ==, -1);
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
    answer(&fx, a1, NULL,
           "<conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><error xmlns='jitsi:colibri2' "
           "reason='CONFERENCE_ALREADY_EXISTS'/>");
    int a2 = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(a2, >=, 0);
    g_assert_null(xmpp_stanza_get_attribute(
        pa_stanza_child(sent_at(&fx.tb, a2), "conference-modify", NULL), "create"));
    /* Endpoint conflict: expired first, then created again (the conference with it). */
    mark = fx.tb.sent->len;
    answer(&fx, a2, NULL, "<conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>");
    int exp =
        sent_find_all(&fx.tb, mark, "conference-modify", "id=\"alice\"", "expire=\"true\"", NULL);
    int a3 = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(exp, >=, 0);
    g_assert_cmpint(a3, >, exp);
    /* A third failure is the bridge's fault: it is skipped, no other bridge: wait. */
    mark = fx.tb.sent->len;
    answer(&fx, a3, NULL, "<conflict xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>");
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), ==, -1);
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "bridgeNotAvailable", NULL), >=, 0);
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
    int upd = sent_find_all(&fx.tb, mark, "conference-modify", "id=\"alice\"", NULL);
    mark = fx.tb.sent->len;
    answer(&fx, upd, NULL,
           "<item-not-found xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><error "
           "xmlns='jitsi:colibri2' reason='UNKNOWN_ENDPOINT'/><endpoint xmlns='jitsi:colibri2' "
           "id='alice'/>");
    /* Only alice is re-invited. */
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "session-terminate", "to=\"" ROOM "/alice\"", NULL),
                    >=, 0);
    g_assert_cmpint(sent_find_all(&fx.tb, mark, "session-terminate", "to=\"" ROOM "/bob\"", NULL),
                    ==, -1);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
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
    g_autofree char *offer = stanza_text(sent_at(&fx.tb, ia));
    g_assert_null(strstr(offer, "json-message"));
    g_assert_nonnull(
        strstr(offer, "<ssrc-info xmlns=\"http://jitsi.org/jitmeet\" owner=\"jvb\"/>"));
    g_assert_null(strstr(offer, "name=\"rtx\"")); /* no RTX feature */
    g_assert_null(strstr(offer, "transport-cc"));
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
    return g_test_run();
}
