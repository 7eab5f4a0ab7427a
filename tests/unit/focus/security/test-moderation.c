/* SPDX-License-Identifier: MIT */
/* Moderation on the whole focus (the core on the test bed): remote mute in Jitsi's convention
 * and ending the meeting for everyone, each rule played as the MUC service, the moderators and
 * the participants would play it, with a bridge where the media matters. */
#include "focus/security/moderation.h"

#include "focus/rooms/registry.h"
#include "focus/security/moderation-iq.h"
#include "testbed.h"

#define ROOM "r1@" TB_MUC
#define OCC TB_OCCUPANT
#define BREWERY TB_BREWERY
#define NS_AUDIO "http://jitsi.org/jitmeet/audio"
#define NS_VIDEO "http://jitsi.org/jitmeet/video"
#define NS_DESKTOP "http://jitsi.org/jitmeet/desktop"
#define NS_END "urn:parley:end-conference:0"
#define ALICE "alice@example.org/a"
#define BOB "bob@example.org/b"

typedef struct {
    TestBed tb;
    FocusRegistry *reg;
    FocusModeration *mod;
    guint next_id;
} Fx;

static void fx_init(Fx *fx, gboolean media)
{
    memset(fx, 0, sizeof *fx);
    /* Without media the conference layer never invites (nor looks for a bridge). */
    testbed_init_core(&fx->tb, media ? "focus.min_participants=2" : "focus.min_participants=1000",
                      NULL);
    fx->reg = focus_core_registry(fx->tb.core);
    fx->mod = focus_core_moderation(fx->tb.core);
    if (media) {
        focus_core_start(fx->tb.core);
        testbed_brewery_joined(&fx->tb);
        testbed_bridge_join(&fx->tb, "b1", "0.1");
    }
    testbed_room_ready(&fx->tb, ROOM);
}

static void fx_clear(Fx *fx)
{
    testbed_clear(&fx->tb);
}

/* alice (owner, moderator), bob and carol (participants). */
static void three(Fx *fx)
{
    testbed_occupant(&fx->tb, ROOM, "alice", ALICE, "owner", "moderator");
    testbed_occupant(&fx->tb, ROOM, "bob", BOB, "none", "participant");
    testbed_occupant(&fx->tb, ROOM, "carol", "carol@example.org/c", "none", "participant");
}

/* An IQ set @payload the MUC delivers from @nick's occupant JID to the focus's occupant;
 * returns the index where the focus's sends start. *@id gets the IQ's id. */
static guint from_occupant(Fx *fx, const char *type, const char *nick, const char *payload,
                           char **id)
{
    *id = g_strdup_printf("m%u", ++fx->next_id);
    guint mark = testbed_mark(&fx->tb);
    testbed_receive(&fx->tb, "<iq type='%s' id='%s' from='" ROOM "/%s' to='" OCC "'>%s</iq>", type,
                    *id, nick, payload);
    return mark;
}

static char *mute_xml(const char *ns, const char *jid, const char *text)
{
    return g_strdup_printf("<mute xmlns='%s' jid='%s'>%s</mute>", ns, jid, text);
}

/* The one reply to @id at or after @mark (asserts there is exactly one) (transfer none). */
static xmpp_stanza_t *reply_of(Fx *fx, guint mark, const char *id)
{
    const StanzaPattern *p = STANZA(.name = "iq", .id = id);
    g_assert_cmpuint(sent_count(&fx->tb, mark, p), ==, 1);
    return sent_at(&fx->tb, sent_find(&fx->tb, mark, p));
}

static void assert_result(Fx *fx, guint mark, const char *id, const char *to)
{
    xmpp_stanza_t *r = reply_of(fx, mark, id);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    g_assert_cmpstr(xmpp_stanza_get_to(r), ==, to);
}

static void assert_error(Fx *fx, guint mark, const char *id, const char *type,
                         const char *condition)
{
    xmpp_stanza_t *r = reply_of(fx, mark, id);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "error");
    g_assert_true(stanza_has(r, ELEM(.name = "error", .attrs = {"type", type})));
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, condition);
}

/* Mute IQs the focus sent to @nick at or after @mark. */
static guint forwarded_to(Fx *fx, guint mark, const char *nick)
{
    g_autofree char *to = g_strdup_printf(ROOM "/%s", nick);
    return sent_count(&fx->tb, mark,
                      STANZA(.name = "iq", .type = "set", .to = to, .has = {{"mute"}}));
}

/* Every mute IQ the focus sent at or after @mark. */
static guint forwarded(Fx *fx, guint mark)
{
    return sent_count(&fx->tb, mark, STANZA(.name = "iq", .type = "set", .has = {{"mute"}}));
}

/* ---- remote mute ---- */

/* A moderator mutes someone: acknowledged, then the same <mute/> with actor goes from the
 * focus's occupant to the participant, for audio, video and screen share alike. */
static void test_mute_by_moderator(void)
{
    Fx fx;
    fx_init(&fx, FALSE);
    three(&fx);
    const char *nss[] = {NS_AUDIO, NS_VIDEO, NS_DESKTOP};
    for (guint i = 0; i < G_N_ELEMENTS(nss); i++) {
        g_autofree char *id = NULL;
        g_autofree char *x = mute_xml(nss[i], ROOM "/bob", "true");
        guint mark = from_occupant(&fx, "set", "alice", x, &id);
        assert_result(&fx, mark, id, ROOM "/alice");
        g_assert_cmpuint(forwarded(&fx, mark), ==, 1);
        int f = sent_find(&fx.tb, mark,
                          STANZA(.name = "iq", .type = "set", .from = OCC, .to = ROOM "/bob",
                                 .has = {{"mute", nss[i], {"actor", ROOM "/alice"}, "true"}}));
        g_assert_cmpint(f, >=, 0);
        /* The acknowledgement comes before the participant hears of it (as Jicofo). */
        g_assert_cmpint(sent_find(&fx.tb, mark, STANZA(.id = id)), <, f);
        guint after = testbed_mark(&fx.tb);
        testbed_answer(&fx.tb, f, NULL);
        g_assert_cmpuint(testbed_mark(&fx.tb), ==, after);
    }
    /* A moderator by role only (no owner affiliation) may too. */
    testbed_occupant(&fx.tb, ROOM, "carol", "carol@example.org/c", "none", "moderator");
    g_autofree char *id = NULL;
    g_autofree char *x = mute_xml(NS_AUDIO, ROOM "/bob", " true\n");
    guint mark = from_occupant(&fx, "set", "carol", x, &id);
    assert_result(&fx, mark, id, ROOM "/carol");
    g_assert_cmpuint(forwarded_to(&fx, mark, "bob"), ==, 1);
    FocusModerationCounts c;
    focus_moderation_counts(fx.mod, &c);
    g_assert_cmpuint(c.mutes_forwarded, ==, 4);
    g_assert_cmpuint(c.refused, ==, 0);
    fx_clear(&fx);
}

/* A participant who is not a moderator mutes nobody else: auth/forbidden, nothing sent on. */
static void test_mute_not_moderator(void)
{
    Fx fx;
    fx_init(&fx, FALSE);
    three(&fx);
    const char *targets[] = {ROOM "/carol", ROOM "/alice"};
    for (guint i = 0; i < G_N_ELEMENTS(targets); i++) {
        for (guint on = 0; on < 2; on++) {
            g_autofree char *id = NULL;
            g_autofree char *x = mute_xml(NS_AUDIO, targets[i], on ? "true" : "false");
            guint mark = from_occupant(&fx, "set", "bob", x, &id);
            assert_error(&fx, mark, id, "auth", "forbidden");
            g_assert_cmpuint(forwarded(&fx, mark), ==, 0);
        }
    }
    /* Someone the room no longer has (left a moment ago) is no moderator either. */
    testbed_occupant_left(&fx.tb, ROOM, "alice", NULL);
    g_autofree char *id = NULL;
    g_autofree char *x = mute_xml(NS_VIDEO, ROOM "/bob", "true");
    guint mark = from_occupant(&fx, "set", "alice", x, &id);
    assert_error(&fx, mark, id, "auth", "forbidden");
    g_assert_cmpuint(forwarded(&fx, mark), ==, 0);
    fx_clear(&fx);
}

/* Anyone mutes and unmutes themselves: acknowledged, nothing forwarded. */
static void test_mute_self(void)
{
    Fx fx;
    fx_init(&fx, FALSE);
    three(&fx);
    for (guint on = 0; on < 2; on++) {
        g_autofree char *id = NULL;
        g_autofree char *x = mute_xml(NS_AUDIO, ROOM "/bob", on ? "true" : "false");
        guint mark = from_occupant(&fx, "set", "bob", x, &id);
        assert_result(&fx, mark, id, ROOM "/bob");
        g_assert_cmpuint(testbed_mark(&fx.tb), ==, mark + 1);
    }
    FocusModerationCounts c;
    focus_moderation_counts(fx.mod, &c);
    g_assert_cmpuint(c.self_mutes, ==, 2);
    g_assert_cmpuint(c.mutes_forwarded, ==, 0);
    fx_clear(&fx);
}

/* Nobody unmutes someone else, not even a moderator (Jicofo answers not-allowed). */
static void test_unmute_refused(void)
{
    Fx fx;
    fx_init(&fx, FALSE);
    three(&fx);
    const char *nss[] = {NS_AUDIO, NS_VIDEO, NS_DESKTOP};
    for (guint i = 0; i < G_N_ELEMENTS(nss); i++) {
        g_autofree char *id = NULL;
        g_autofree char *x = mute_xml(nss[i], ROOM "/bob", i == 2 ? "0" : "false");
        guint mark = from_occupant(&fx, "set", "alice", x, &id);
        assert_error(&fx, mark, id, "cancel", "not-allowed");
        g_assert_cmpuint(forwarded(&fx, mark), ==, 0);
    }
    fx_clear(&fx);
}

/* The target must be a participant of the sender's room: item-not-found otherwise. */
static void test_mute_unknown_target(void)
{
    Fx fx;
    fx_init(&fx, FALSE);
    three(&fx);
    testbed_occupant_left(&fx.tb, ROOM, "carol", NULL);
    const char *targets[] = {
        ROOM "/nobody",          /* never there */
        ROOM "/carol",           /* left */
        ROOM "/focus",           /* the focus is no participant */
        "r2@" TB_MUC "/bob",     /* another room */
        ROOM,                    /* no nick */
        "bob@example.org/b",     /* a real JID */
        "R1@" TB_MUC "/nobody2", /* the room in another case, nobody there */
    };
    for (guint i = 0; i < G_N_ELEMENTS(targets); i++) {
        g_autofree char *id = NULL;
        g_autofree char *x = mute_xml(NS_AUDIO, targets[i], "true");
        guint mark = from_occupant(&fx, "set", "alice", x, &id);
        assert_error(&fx, mark, id, "cancel", "item-not-found");
        g_assert_cmpuint(testbed_mark(&fx.tb), ==, mark + 1);
    }
    /* The room's JID in another case still names bob. */
    g_autofree char *id = NULL;
    g_autofree char *x = mute_xml(NS_AUDIO, "R1@" TB_MUC "/bob", "true");
    guint mark = from_occupant(&fx, "set", "alice", x, &id);
    assert_result(&fx, mark, id, ROOM "/alice");
    g_assert_cmpuint(forwarded_to(&fx, mark, "bob"), ==, 1);
    fx_clear(&fx);
}

/* Malformed requests, requests from outside a room, and rooms the focus does not run: one
 * error each, nothing else sent. */
static void test_mute_bad_requests(void)
{
    Fx fx;
    fx_init(&fx, FALSE);
    three(&fx);
    struct {
        const char *type, *from, *payload, *etype, *cond;
    } cases[] = {
        {"set", ROOM "/alice", "<mute xmlns='" NS_AUDIO "'>true</mute>", "modify", "bad-request"},
        {"set", ROOM "/alice", "<mute xmlns='" NS_AUDIO "' jid=''>true</mute>", "modify",
         "bad-request"},
        {"set", ROOM "/alice", "<mute xmlns='" NS_AUDIO "' jid='" ROOM "/bob'>yes</mute>", "modify",
         "bad-request"},
        {"set", ROOM "/alice", "<mute xmlns='" NS_AUDIO "' jid='" ROOM "/bob'/>", "modify",
         "bad-request"},
        {"set", ROOM "/alice", "<mute xmlns='" NS_AUDIO "' jid='a@@b/c'>true</mute>", "modify",
         "bad-request"},
        {"get", ROOM "/alice", "<mute xmlns='" NS_AUDIO "' jid='" ROOM "/bob'>true</mute>",
         "modify", "bad-request"},
        /* Straight to the focus from a real JID: no room to act in. */
        {"set", ALICE, "<mute xmlns='" NS_AUDIO "' jid='" ROOM "/bob'>true</mute>", "cancel",
         "item-not-found"},
        /* A room on another MUC service, or one the focus does not run. */
        {"set", "r1@conference.other.org/alice",
         "<mute xmlns='" NS_AUDIO "' jid='r1@conference.other.org/bob'>true</mute>", "cancel",
         "item-not-found"},
        {"set", "r9@" TB_MUC "/alice",
         "<mute xmlns='" NS_AUDIO "' jid='r9@" TB_MUC "/bob'>true</mute>", "cancel",
         "item-not-found"},
        /* Another element of a mute namespace: the router's answer. */
        {"set", ROOM "/alice", "<unmute xmlns='" NS_AUDIO "' jid='" ROOM "/bob'/>", "cancel",
         "feature-not-implemented"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *id = g_strdup_printf("bad%u", i);
        guint mark = testbed_mark(&fx.tb);
        testbed_receive(&fx.tb, "<iq type='%s' id='%s' from='%s' to='" OCC "'>%s</iq>",
                        cases[i].type, id, cases[i].from, cases[i].payload);
        assert_error(&fx, mark, id, cases[i].etype, cases[i].cond);
        g_assert_cmpuint(testbed_mark(&fx.tb), ==, mark + 1);
    }
    fx_clear(&fx);
}

/* "Mute everyone": one request per participant, all at once. Each is answered once and each
 * participant hears once. */
static void test_mute_burst(void)
{
    Fx fx;
    fx_init(&fx, FALSE);
    testbed_occupant(&fx.tb, ROOM, "alice", ALICE, "owner", "moderator");
    enum { N = 40 };
    for (guint i = 0; i < N; i++) {
        g_autofree char *nick = g_strdup_printf("p%02u", i);
        g_autofree char *jid = g_strdup_printf("p%02u@example.org/r", i);
        testbed_occupant(&fx.tb, ROOM, nick, jid, "none", "participant");
    }
    guint mark = testbed_mark(&fx.tb);
    for (guint i = 0; i < N; i++) {
        g_autofree char *id = g_strdup_printf("all%u", i);
        testbed_receive(&fx.tb,
                        "<iq type='set' id='%s' from='" ROOM "/alice' to='" OCC
                        "'><mute xmlns='" NS_AUDIO "' jid='" ROOM "/p%02u'>true</mute></iq>",
                        id, i);
    }
    g_assert_cmpuint(forwarded(&fx, mark), ==, N);
    for (guint i = 0; i < N; i++) {
        g_autofree char *id = g_strdup_printf("all%u", i);
        g_autofree char *nick = g_strdup_printf("p%02u", i);
        assert_result(&fx, mark, id, ROOM "/alice");
        g_assert_cmpuint(forwarded_to(&fx, mark, nick), ==, 1);
    }
    g_assert_cmpuint(testbed_mark(&fx.tb), ==, mark + 2 * N);
    /* Nobody answers: the forwarded IQs time out quietly, nothing more is sent. */
    testbed_advance(&fx.tb, 20000);
    g_assert_cmpuint(testbed_mark(&fx.tb), ==, mark + 2 * N);
    fx_clear(&fx);
}

/* ---- ending the meeting ---- */

#define DISCO STANZA(.name = "iq", .type = "get", .has = {{"query", NS_DISCO_INFO}})
#define TRANSPORT(setup)                                                                           \
    "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='uf%s' "                        \
    "pwd='passwordpasswordpassword'><rtcp-mux/><fingerprint "                                      \
    "xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='" setup "'>" TB_FINGERPRINT         \
    "</fingerprint><candidate component='1' foundation='1' generation='0' id='c1' "                \
    "ip='127.0.0.1' network='0' port='10000' priority='2130706431' protocol='udp' "                \
    "type='host'/></transport>"

/* Brings @nick into a call on bridge b1: disco, allocation, session-initiate, session-accept
 * with one audio source @ssrc. */
static void into_call(Fx *fx, const char *nick, guint32 ssrc)
{
    g_autofree char *occ = g_strdup_printf(ROOM "/%s", nick);
    int d = sent_find(
        &fx->tb, 0,
        STANZA(.name = "iq", .type = "get", .to = occ, .has = {{"query", NS_DISCO_INFO}}));
    g_assert_cmpint(d, >=, 0);
    testbed_answer_error(&fx->tb, d, "cancel", "service-unavailable", NULL);
    int a = sent_find(&fx->tb, 0,
                      STANZA(.name = "iq", .type = "set", .to = BREWERY "/b1",
                             .has = {{"conference-modify", NS_COLIBRI2},
                                     {"endpoint", NULL, {"id", nick, "create", "true"}}}));
    g_assert_cmpint(a, >=, 0);
    g_autofree char *inner =
        g_strdup_printf("<conference-modified xmlns='jitsi:colibri2'><endpoint id='%s'>"
                        "<transport>" TRANSPORT("actpass") "</transport></endpoint>"
                                                           "</conference-modified>",
                        nick, nick);
    testbed_answer(&fx->tb, a, inner);
    int s = sent_find(&fx->tb, 0,
                      STANZA(.name = "iq", .type = "set", .to = occ,
                             .has = {{"jingle", NS_JINGLE, {"action", "session-initiate"}}}));
    g_assert_cmpint(s, >=, 0);
    xmpp_stanza_t *j = pa_stanza_child(sent_at(&fx->tb, s), "jingle", NS_JINGLE);
    g_autofree char *sid = g_strdup(xmpp_stanza_get_attribute(j, "sid"));
    testbed_answer(&fx->tb, s, NULL);
    guint mark = testbed_mark(&fx->tb);
    testbed_receive(
        &fx->tb,
        "<iq type='set' id='acc-%s' from='%s' to='" OCC "'><jingle xmlns='" NS_JINGLE
        "' action='session-accept' sid='%s'><content creator='responder' "
        "name='audio' senders='both'><description xmlns='urn:xmpp:jingle:apps:rtp:1' "
        "media='audio'><payload-type id='111' name='opus' clockrate='48000' "
        "channels='2'/><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='%u' "
        "name='%s-a0'/><rtcp-mux/></description>" TRANSPORT("active") "</content></jingle></iq>",
        nick, occ, sid, ssrc, nick, nick);
    g_autofree char *acc = g_strdup_printf("acc-%s", nick);
    assert_result(fx, mark, acc, occ);
}

/* An end-conference request from @from for @room; returns the mark. */
static guint end_request(Fx *fx, const char *id, const char *from, const char *room)
{
    guint mark = testbed_mark(&fx->tb);
    testbed_receive(&fx->tb,
                    "<iq type='set' id='%s' from='%s' to='" TB_COMPONENT
                    "'><end-conference xmlns='" NS_END "' room='%s'/></iq>",
                    id, from, room);
    return mark;
}

#define DESTROY                                                                                    \
    STANZA(.name = "iq", .type = "set", .to = ROOM, .from = OCC,                                   \
           .has = {{"query", NS_MUC_OWNER}, {"destroy"}})
#define EXPIRE_CONFERENCE                                                                          \
    STANZA(.name = "iq", .type = "set", .to = BREWERY "/b1",                                       \
           .has = {{"conference-modify", NS_COLIBRI2, {"expire", "true"}}})
#define EXPIRE_ENDPOINT STANZA(.name = "iq", .has = {{"endpoint", NS_COLIBRI2, {"expire", "true"}}})
#define JINGLE_OUT STANZA(.name = "iq", .from = OCC, .has = {{"jingle", NS_JINGLE}})

/* A moderator in a call ends it: the bridge conference is expired in one request (no endpoint
 * one by one, no source-remove or terminate to anyone), the room is destroyed with a reason,
 * and the moderator hears back once the MUC service has destroyed it. */
static void test_end_by_moderator(void)
{
    Fx fx;
    fx_init(&fx, TRUE);
    testbed_occupant(&fx.tb, ROOM, "alice", ALICE, "owner", "moderator");
    testbed_occupant(&fx.tb, ROOM, "bob", BOB, "none", "participant");
    into_call(&fx, "alice", 1111);
    into_call(&fx, "bob", 2222);
    g_assert_cmpint(sent_find(&fx.tb, 0,
                              STANZA(.to = ROOM "/alice",
                                     .has = {{"jingle", NS_JINGLE, {"action", "source-add"}}})),
                    >=, 0);

    guint mark = end_request(&fx, "e1", ALICE, ROOM);
    g_assert_cmpuint(sent_count(&fx.tb, mark, STANZA(.id = "e1")), ==, 0); /* not yet */
    int d = sent_find(&fx.tb, mark, DESTROY);
    g_assert_cmpint(d, >=, 0);
    g_autofree char *reason = stanza_text_of(sent_at(&fx.tb, d), ELEM(.name = "reason"));
    g_assert_cmpstr(reason, ==, FOCUS_END_CONFERENCE_REASON);
    g_assert_cmpuint(sent_count(&fx.tb, mark, EXPIRE_CONFERENCE), ==, 1);
    g_assert_cmpuint(sent_count(&fx.tb, mark, EXPIRE_ENDPOINT), ==, 0);
    g_assert_cmpuint(sent_count(&fx.tb, mark, JINGLE_OUT), ==, 0);
    g_assert_cmpint(focus_room_state(focus_registry_lookup(fx.reg, ROOM)), ==,
                    FOCUS_ROOM_DESTROYING);

    /* The MUC service throws everyone out, then confirms. */
    const char *x = "<destroy><reason>" FOCUS_END_CONFERENCE_REASON "</reason></destroy>";
    testbed_occupant_left(&fx.tb, ROOM, "bob", x);
    testbed_answer(&fx.tb, d, NULL);
    testbed_occupant_left(&fx.tb, ROOM, "alice", x);
    assert_result(&fx, mark, "e1", ALICE);
    g_assert_null(focus_registry_lookup(fx.reg, ROOM));
    g_assert_cmpuint(sent_count(&fx.tb, mark, EXPIRE_CONFERENCE), ==, 1);
    g_assert_cmpuint(sent_count(&fx.tb, mark, EXPIRE_ENDPOINT), ==, 0);
    g_assert_cmpuint(sent_count(&fx.tb, mark, JINGLE_OUT), ==, 0);
    FocusModerationCounts c;
    focus_moderation_counts(fx.mod, &c);
    g_assert_cmpuint(c.ends, ==, 1);

    /* Asking for the room again makes a new one. */
    testbed_request_room(&fx.tb, "again", ALICE, ROOM);
    g_assert_nonnull(focus_registry_lookup(fx.reg, ROOM));
    fx_clear(&fx);
}

/* Only a moderator present in the room ends it: forbidden for a participant, someone outside,
 * and the moderator's account from another session. Nothing happens to the room. */
static void test_end_not_moderator(void)
{
    Fx fx;
    fx_init(&fx, FALSE);
    three(&fx);
    const char *who[] = {BOB, "kim@example.org/k", "alice@example.org/other", "focus.example.org"};
    for (guint i = 0; i < G_N_ELEMENTS(who); i++) {
        g_autofree char *id = g_strdup_printf("n%u", i);
        guint mark = end_request(&fx, id, who[i], ROOM);
        if (i == 3)
            assert_error(&fx, mark, id, "modify", "bad-request"); /* not a full JID */
        else
            assert_error(&fx, mark, id, "auth", "forbidden");
        g_assert_cmpuint(testbed_mark(&fx.tb), ==, mark + 1);
    }
    g_assert_cmpint(focus_room_state(focus_registry_lookup(fx.reg, ROOM)), ==, FOCUS_ROOM_READY);
    /* Promoted, bob may. */
    testbed_occupant(&fx.tb, ROOM, "bob", BOB, "admin", "moderator");
    guint mark = end_request(&fx, "ok", BOB, ROOM);
    g_assert_cmpint(sent_find(&fx.tb, mark, DESTROY), >=, 0);
    fx_clear(&fx);
}

/* Rooms the focus does not run, and malformed requests. */
static void test_end_bad_requests(void)
{
    Fx fx;
    fx_init(&fx, FALSE);
    three(&fx);
    struct {
        const char *type, *room, *etype, *cond;
    } cases[] = {
        {"set", "r9@" TB_MUC, "cancel", "item-not-found"},
        {"set", "r1@conference.other.org", "cancel", "not-allowed"},
        {"set", ROOM "/alice", "modify", "jid-malformed"},
        {"set", TB_MUC, "modify", "jid-malformed"},
        {"set", "", "modify", "bad-request"},
        {"set", NULL, "modify", "bad-request"},
        {"get", ROOM, "modify", "bad-request"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *id = g_strdup_printf("b%u", i);
        g_autofree char *room =
            cases[i].room ? g_strdup_printf(" room='%s'", cases[i].room) : g_strdup("");
        guint mark = testbed_mark(&fx.tb);
        testbed_receive(&fx.tb,
                        "<iq type='%s' id='%s' from='" ALICE "' to='" TB_COMPONENT
                        "'><end-conference xmlns='" NS_END "'%s/></iq>",
                        cases[i].type, id, room);
        assert_error(&fx, mark, id, cases[i].etype, cases[i].cond);
        g_assert_cmpuint(testbed_mark(&fx.tb), ==, mark + 1);
    }
    /* The room's name in another case is the same room. */
    guint mark = end_request(&fx, "case", ALICE, "R1@" TB_MUC);
    g_assert_cmpint(sent_find(&fx.tb, mark, DESTROY), >=, 0);
    fx_clear(&fx);
}

/* Two moderators end it at the same time: one destroy, both answered. If the MUC service
 * refuses, they hear so. */
static void test_end_twice_and_failure(void)
{
    for (guint fail = 0; fail < 2; fail++) {
        Fx fx;
        fx_init(&fx, FALSE);
        three(&fx);
        testbed_occupant(&fx.tb, ROOM, "bob", BOB, "admin", "moderator");
        guint mark = end_request(&fx, "a", ALICE, ROOM);
        end_request(&fx, "b", BOB, ROOM);
        g_assert_cmpuint(sent_count(&fx.tb, mark, DESTROY), ==, 1);
        int d = sent_find(&fx.tb, mark, DESTROY);
        if (fail) {
            testbed_answer_error(&fx.tb, d, "cancel", "forbidden", NULL);
            assert_error(&fx, mark, "a", "wait", "internal-server-error");
            assert_error(&fx, mark, "b", "wait", "internal-server-error");
        } else {
            testbed_answer(&fx.tb, d, NULL);
            assert_result(&fx, mark, "a", ALICE);
            assert_result(&fx, mark, "b", BOB);
        }
        g_assert_null(focus_registry_lookup(fx.reg, ROOM));
        fx_clear(&fx);
    }
}

/* While the focus re-joins a room (its connection dropped), nobody can end it yet
 * (wait/unexpected-request); once the room is back, the moderator can. */
static void test_end_while_rejoining(void)
{
    Fx fx;
    fx_init(&fx, FALSE);
    three(&fx);
    focus_link_set_online(fx.tb.link, FALSE);
    focus_core_on_offline(fx.tb.core);
    focus_link_set_online(fx.tb.link, TRUE);
    focus_core_on_online(fx.tb.core);
    guint mark = end_request(&fx, "early", ALICE, ROOM);
    assert_error(&fx, mark, "early", "wait", "unexpected-request");
    g_assert_cmpuint(sent_count(&fx.tb, mark, DESTROY), ==, 0);

    three(&fx); /* the server lists the occupants, then the focus itself */
    mark = testbed_mark(&fx.tb);
    testbed_room_self(&fx.tb, ROOM, FALSE);
    int form =
        sent_find(&fx.tb, mark, STANZA(.name = "iq", .to = ROOM, .has = {{"query", NS_MUC_OWNER}}));
    g_assert_cmpint(form, >=, 0);
    testbed_answer(&fx.tb, form, NULL);
    g_assert_cmpint(focus_room_state(focus_registry_lookup(fx.reg, ROOM)), ==, FOCUS_ROOM_READY);
    mark = end_request(&fx, "later", ALICE, ROOM);
    g_assert_cmpint(sent_find(&fx.tb, mark, DESTROY), >=, 0);
    fx_clear(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* A refused destroy is a warning the test provokes; criticals stay fatal. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/moderation/mute/by-moderator", test_mute_by_moderator);
    g_test_add_func("/moderation/mute/not-moderator", test_mute_not_moderator);
    g_test_add_func("/moderation/mute/self", test_mute_self);
    g_test_add_func("/moderation/mute/unmute-refused", test_unmute_refused);
    g_test_add_func("/moderation/mute/unknown-target", test_mute_unknown_target);
    g_test_add_func("/moderation/mute/bad-requests", test_mute_bad_requests);
    g_test_add_func("/moderation/mute/burst", test_mute_burst);
    g_test_add_func("/moderation/end/by-moderator", test_end_by_moderator);
    g_test_add_func("/moderation/end/not-moderator", test_end_not_moderator);
    g_test_add_func("/moderation/end/bad-requests", test_end_bad_requests);
    g_test_add_func("/moderation/end/twice-and-failure", test_end_twice_and_failure);
    g_test_add_func("/moderation/end/while-rejoining", test_end_while_rejoining);
    return g_test_run();
}
