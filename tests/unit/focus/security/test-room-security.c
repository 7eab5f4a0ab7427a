/* SPDX-License-Identifier: MIT */
/* The lobby wired to real rooms: the whole focus on the test bed, driven by the stanzas a MUC
 * service, moderators and knockers send, with a clock the test steps. Each test plays a whole
 * conversation: moderators, knockers and the room. */
#include "focus/security/room-security.h"

#include "focus/security/security-iq.h"
#include "focus/xmpp/muc.h"
#include "testbed.h"

#define ROOM "r1@conference.example.org"
#define OCC "focus.example.org/focus"
#define NS "urn:parley:lobby:0"
#define ANN "ann@example.org/web"
#define BOB "bob@example.org/x"
#define KIM "kim@anon.example.org/a"
#define LOU "lou@anon.example.org/b"

typedef struct {
    TestBed tb;
    FocusRegistry *reg;
    FocusRoomSecurity *sec;
} Fixture;

static void fx_init(Fixture *fx)
{
    /* No media here: the conference layer never invites (so it never looks for a bridge, and
     * every warning is still one this test expects). */
    testbed_init_core(&fx->tb, "focus.min_participants=1000", NULL);
    fx->reg = focus_core_registry(fx->tb.core);
    fx->sec = focus_core_security(fx->tb.core);
}

static void fx_clear(Fixture *fx)
{
    testbed_clear(&fx->tb);
}

static void request(Fixture *fx)
{
    testbed_request_room(&fx->tb, "c1", ANN, ROOM);
}

static void presence(Fixture *fx, const char *xml)
{
    testbed_receive(&fx->tb, "%s", xml);
}

static void self_joined(Fixture *fx, gboolean created)
{
    testbed_room_self(&fx->tb, ROOM, created);
}

static void occupant(Fixture *fx, const char *nick, const char *jid, const char *affiliation,
                     const char *role)
{
    testbed_occupant(&fx->tb, ROOM, nick, jid, affiliation, role);
}

static void occupant_left(Fixture *fx, const char *nick)
{
    testbed_occupant_left(&fx->tb, ROOM, nick, NULL);
}

/* What the focus asks of the room. */
#define TO_ROOM(...) STANZA(.name = "iq", .to = ROOM, __VA_ARGS__)
#define ROOM_FORM                                                                                  \
    TO_ROOM(.type = "set",                                                                         \
            .has = {{"query", NS_MUC_OWNER}, {"field", NULL, {"var", "muc#roomconfig_whois"}}})
/* The security form: members-only and the secret, nothing else (the room form has whois). */
#define SECURITY_FORM                                                                              \
    TO_ROOM(.type = "set",                                                                         \
            .has = {{"query", NS_MUC_OWNER},                                                       \
                    {"field", NULL, {"var", "muc#roomconfig_membersonly"}}},                       \
            .lacks = {{"field", NULL, {"var", "muc#roomconfig_whois"}}})
#define SECRET_FORM                                                                                \
    TO_ROOM(.type = "set",                                                                         \
            .has = {{"query", NS_MUC_OWNER},                                                       \
                    {"field", NULL, {"var", "muc#roomconfig_roomsecret"}}},                        \
            .lacks = {{"field", NULL, {"var", "muc#roomconfig_whois"}}})
#define CONFIG_QUERY TO_ROOM(.type = "get", .has = {{"query", NS_MUC_OWNER}})
#define DESTROY TO_ROOM(.type = "set", .has = {{"destroy"}})
#define ADMIN TO_ROOM(.type = "set", .has = {{"query", NS_MUC_ADMIN}})
#define GRANT(affiliation)                                                                         \
    TO_ROOM(.type = "set",                                                                         \
            .has = {{"query", NS_MUC_ADMIN}, {"item", NULL, {"affiliation", affiliation}}})
#define GRANT_TO(bare)                                                                             \
    TO_ROOM(.type = "set", .has = {{"query", NS_MUC_ADMIN}, {"item", NULL, {"jid", bare}}})

/* The last IQ the focus sent that matches @p (transfer none). */
static xmpp_stanza_t *last_iq(Fixture *fx, const StanzaPattern *p)
{
    int i = sent_find_last(&fx->tb, p);
    if (i < 0)
        g_error("no such IQ sent");
    return sent_at(&fx->tb, i);
}

/* Answers the last IQ matching @p: result (with @payload inside, may be NULL) or, with
 * @condition, an error. */
static void answer(Fixture *fx, const StanzaPattern *p, const char *condition, const char *payload)
{
    int i = sent_find_last(&fx->tb, p);
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpstr(xmpp_stanza_get_from(sent_at(&fx->tb, i)), ==, OCC);
    if (condition)
        testbed_answer_error(&fx->tb, i, "cancel", condition, NULL);
    else
        testbed_answer(&fx->tb, i, payload);
}

/* A client's IQ to the focus; returns the index where the focus's sends start. */
static guint client_iq(Fixture *fx, const char *type, const char *id, const char *from,
                       const char *payload)
{
    guint mark = testbed_mark(&fx->tb);
    testbed_receive(&fx->tb, "<iq type='%s' id='%s' from='%s' to='focus.example.org'>%s</iq>", type,
                    id, from, payload);
    return mark;
}

/* The reply to client IQ @id sent at or after @from (transfer none), or NULL. */
static xmpp_stanza_t *reply_to(Fixture *fx, guint from, const char *id)
{
    const StanzaPattern *p = STANZA(.name = "iq", .id = id);
    xmpp_stanza_t *found = NULL;
    for (guint i = from; i < fx->tb.sent->len; i++) {
        xmpp_stanza_t *s = fx->tb.sent->pdata[i];
        if (stanza_match(s, p) && g_strcmp0(xmpp_stanza_get_to(s), ROOM) != 0) {
            g_assert_null(found); /* exactly one reply */
            found = s;
        }
    }
    return found;
}

/* The @nth headline message to @to sent at or after @from carrying <@name xmlns=NS> (transfer
 * none), or NULL. */
static xmpp_stanza_t *note_to(Fixture *fx, guint from, const char *to, const char *name, guint nth)
{
    for (guint i = from; i < fx->tb.sent->len; i++) {
        xmpp_stanza_t *s = fx->tb.sent->pdata[i];
        if (!stanza_match(s, STANZA(.name = "message", .to = to)))
            continue;
        g_assert_true(stanza_match(s, STANZA(.type = "headline", .from = "focus.example.org")));
        xmpp_stanza_t *p = pa_stanza_child(s, name, NS);
        if (p && nth-- == 0)
            return p;
    }
    return NULL;
}

static const char *attr(xmpp_stanza_t *s, const char *name)
{
    g_assert_nonnull(s);
    return xmpp_stanza_get_attribute(s, name);
}

/* The value the focus's form @form gives field @var (transfer full). */
static char *field(xmpp_stanza_t *form, const char *var)
{
    return stanza_field_value(form, var);
}

/* A READY room with ann (owner, moderator) and bob (participant). */
static void make_room(Fixture *fx)
{
    request(fx);
    self_joined(fx, TRUE);
    answer(fx, ROOM_FORM, NULL, NULL);
    FocusRoom *room = focus_registry_lookup(fx->reg, ROOM);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);
    g_assert_nonnull(focus_room_security_lobby(fx->sec, ROOM));
    occupant(fx, "ann", ANN, "none", "participant");
    answer(fx, GRANT("owner"), NULL, NULL); /* auto-owner */
    occupant(fx, "ann", ANN, "owner", "moderator");
    occupant(fx, "bob", BOB, "none", "participant");
}

static void lobby_on(Fixture *fx)
{
    guint m =
        client_iq(fx, "set", "on", ANN, "<lobby xmlns='" NS "' room='" ROOM "' enabled='true'/>");
    /* bob gets membership first; no reply before the room is members-only. */
    xmpp_stanza_t *grant = last_iq(fx, ADMIN);
    g_assert_true(stanza_has(
        grant, ELEM(.name = "item", .attrs = {"affiliation", "member", "jid", "bob@example.org"})));
    g_assert_null(reply_to(fx, m, "on"));
    answer(fx, GRANT("member"), NULL, NULL);
    xmpp_stanza_t *form = last_iq(fx, SECURITY_FORM);
    g_autofree char *members_only = field(form, "muc#roomconfig_membersonly");
    g_assert_cmpstr(members_only, ==, "1");
    g_assert_null(reply_to(fx, m, "on"));
    answer(fx, SECURITY_FORM, NULL, NULL);
    xmpp_stanza_t *r = reply_to(fx, m, "on");
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    g_assert_cmpstr(xmpp_stanza_get_to(r), ==, ANN);
    g_assert_cmpstr(attr(note_to(fx, m, BOB, "lobby", 0), "enabled"), ==, "true");
    g_assert_cmpstr(attr(note_to(fx, m, ANN, "lobby", 0), "enabled"), ==, "true");
    occupant(fx, "bob", BOB, "member", "participant");
}

static char *knock_from(Fixture *fx, const char *jid, const char *nick)
{
    g_autofree char *payload =
        g_strdup_printf("<knock xmlns='" NS "' room='" ROOM "' nick='%s'/>", nick);
    guint m = client_iq(fx, "set", "kn", jid, payload);
    xmpp_stanza_t *r = reply_to(fx, m, "kn");
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    xmpp_stanza_t *k = pa_stanza_child(r, "knock", NS);
    g_assert_cmpstr(attr(k, "status"), ==, "pending");
    return g_strdup(attr(k, "id"));
}

static void test_knock_and_admit(void)
{
    Fixture fx;
    fx_init(&fx);
    make_room(&fx);

    /* Lobby off: a knock is told to join directly. */
    guint m =
        client_iq(&fx, "set", "k0", KIM, "<knock xmlns='" NS "' room='" ROOM "' nick='Kim'/>");
    xmpp_stanza_t *k = pa_stanza_child(reply_to(&fx, m, "k0"), "knock", NS);
    g_assert_cmpstr(attr(k, "status"), ==, "open");
    /* bob is no moderator. */
    m = client_iq(&fx, "set", "b1", BOB, "<lobby xmlns='" NS "' room='" ROOM "' enabled='true'/>");
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "b1")), ==, "forbidden");

    lobby_on(&fx);

    m = client_iq(&fx, "set", "k1", KIM, "<knock xmlns='" NS "' room='" ROOM "' nick='Kim'/>");
    k = pa_stanza_child(reply_to(&fx, m, "k1"), "knock", NS);
    g_assert_cmpstr(attr(k, "status"), ==, "pending");
    g_autofree char *id = g_strdup(attr(k, "id"));
    xmpp_stanza_t *n = note_to(&fx, m, ANN, "knock", 0);
    g_assert_cmpstr(attr(n, "id"), ==, id);
    g_assert_cmpstr(attr(n, "nick"), ==, "Kim");
    g_assert_cmpstr(attr(n, "jid"), ==, KIM);
    g_assert_cmpstr(attr(n, "room"), ==, ROOM);
    /* When it arrived (XEP-0082 UTC) and how long it has waited, for the moderator's UI. */
    g_assert_cmpstr(attr(n, "waiting"), ==, "0");
    g_assert_true(g_regex_match_simple("^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$",
                                       attr(n, "time"), 0, 0));
    g_assert_null(note_to(&fx, m, BOB, "knock", 0)); /* not a moderator */

    /* The moderator's view; bob's view has no knocks. */
    m = client_iq(&fx, "get", "g1", ANN, "<lobby xmlns='" NS "' room='" ROOM "'/>");
    xmpp_stanza_t *l = pa_stanza_child(reply_to(&fx, m, "g1"), "lobby", NS);
    g_assert_cmpstr(attr(l, "enabled"), ==, "true");
    g_assert_true(
        stanza_has(l, ELEM(.name = "knock", .attrs = {"id", id, "nick", "Kim", "jid", KIM})));
    m = client_iq(&fx, "get", "g2", BOB, "<lobby xmlns='" NS "' room='" ROOM "'/>");
    l = pa_stanza_child(reply_to(&fx, m, "g2"), "lobby", NS);
    g_assert_null(xmpp_stanza_get_children(l));
    m = client_iq(&fx, "get", "g3", KIM, "<lobby xmlns='" NS "' room='" ROOM "'/>");
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "g3")), ==, "forbidden");

    /* bob cannot admit; ann can, and the grant names Kim's bare JID. */
    g_autofree char *admit =
        g_strdup_printf("<admit xmlns='" NS "' room='" ROOM "' knock='%s'/>", id);
    m = client_iq(&fx, "set", "a0", BOB, admit);
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "a0")), ==, "forbidden");
    m = client_iq(&fx, "set", "a1", ANN, admit);
    g_assert_null(reply_to(&fx, m, "a1"));
    g_assert_true(stanza_has(
        last_iq(&fx, ADMIN),
        ELEM(.name = "item", .attrs = {"affiliation", "member", "jid", "kim@anon.example.org"})));
    answer(&fx, GRANT_TO("kim@anon.example.org"), NULL, NULL);
    g_assert_cmpstr(xmpp_stanza_get_type(reply_to(&fx, m, "a1")), ==, "result");
    n = note_to(&fx, m, KIM, "knock", 0);
    g_assert_cmpstr(attr(n, "status"), ==, "admitted");
    g_assert_cmpstr(attr(n, "by"), ==, "ann");
    g_assert_cmpstr(attr(note_to(&fx, m, ANN, "knock", 0), "status"), ==, "admitted");
    g_assert_cmpuint(focus_lobby_knock_count(focus_room_security_lobby(fx.sec, ROOM)), ==, 0);

    /* Kim joins as a member: nothing more to say about her. */
    guint before = fx.tb.sent->len;
    occupant(&fx, "kim", KIM, "member", "participant");
    g_assert_null(note_to(&fx, before, KIM, "knock", 0));
    fx_clear(&fx);
}

static void test_refuse_expire_leave(void)
{
    Fixture fx;
    fx_init(&fx);
    make_room(&fx);
    lobby_on(&fx);
    g_autofree char *a = knock_from(&fx, KIM, "Kim");
    g_autofree char *b = knock_from(&fx, LOU, "Lou");

    g_autofree char *refuse = g_strdup_printf(
        "<refuse xmlns='" NS "' room='" ROOM "' knock='%s' reason='Not this time'/>", a);
    guint m = client_iq(&fx, "set", "r1", ANN, refuse);
    g_assert_cmpstr(xmpp_stanza_get_type(reply_to(&fx, m, "r1")), ==, "result");
    xmpp_stanza_t *n = note_to(&fx, m, KIM, "knock", 0);
    g_assert_cmpstr(attr(n, "status"), ==, "refused");
    g_assert_cmpstr(attr(n, "reason"), ==, "Not this time");
    g_assert_cmpint(sent_find(&fx.tb, m, GRANT_TO("kim@anon.example.org")), ==, -1); /* no grant */

    /* Lou's session ends: the unavailable presence the server sends for her directed presence
     * closes her knock. */
    m = fx.tb.sent->len;
    presence(&fx, "<presence type='unavailable' from='" LOU "' to='focus.example.org'/>");
    g_assert_cmpstr(attr(note_to(&fx, m, ANN, "knock", 0), "status"), ==, "left");
    g_assert_cmpuint(focus_lobby_knock_count(focus_room_security_lobby(fx.sec, ROOM)), ==, 0);

    /* Nobody answers Kim's second knock: after 10 minutes it expires, by the link's timer. */
    g_autofree char *c = knock_from(&fx, KIM, "Kim");
    m = fx.tb.sent->len;
    testbed_advance(&fx.tb, 10 * 60 * 1000 - 1);
    g_assert_null(note_to(&fx, m, KIM, "knock", 0));
    testbed_advance(&fx.tb, 1);
    g_assert_cmpstr(attr(note_to(&fx, m, KIM, "knock", 0), "status"), ==, "expired");
    g_assert_cmpstr(attr(note_to(&fx, m, ANN, "knock", 0), "status"), ==, "expired");
    fx_clear(&fx);
}

static void test_late_moderator_and_cancel(void)
{
    Fixture fx;
    fx_init(&fx);
    make_room(&fx);
    lobby_on(&fx);
    g_autofree char *a = knock_from(&fx, KIM, "Kim");
    /* bob is made moderator: the pending knock reaches him. */
    guint m = fx.tb.sent->len;
    occupant(&fx, "bob", BOB, "member", "moderator");
    g_assert_cmpstr(attr(note_to(&fx, m, BOB, "knock", 0), "id"), ==, a);
    /* Kim withdraws; someone else cannot do it for her. */
    g_autofree char *cancel =
        g_strdup_printf("<cancel xmlns='" NS "' room='" ROOM "' knock='%s'/>", a);
    m = client_iq(&fx, "set", "c0", LOU, cancel);
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "c0")), ==, "item-not-found");
    m = client_iq(&fx, "set", "c1", KIM, cancel);
    g_assert_cmpstr(xmpp_stanza_get_type(reply_to(&fx, m, "c1")), ==, "result");
    g_assert_cmpstr(attr(note_to(&fx, m, BOB, "knock", 0), "status"), ==, "cancelled");
    g_assert_cmpstr(attr(note_to(&fx, m, ANN, "knock", 0), "status"), ==, "cancelled");
    fx_clear(&fx);
}

static void test_password_and_disable(void)
{
    Fixture fx;
    fx_init(&fx);
    make_room(&fx);
    /* Lobby off: the password becomes the room secret. */
    guint m = client_iq(&fx, "set", "p1", ANN,
                        "<password xmlns='" NS "' room='" ROOM "' value='hunter2'/>");
    xmpp_stanza_t *form = last_iq(&fx, SECRET_FORM);
    g_autofree char *secret = field(form, "muc#roomconfig_roomsecret");
    g_assert_cmpstr(secret, ==, "hunter2");
    g_assert_null(reply_to(&fx, m, "p1"));
    answer(&fx, SECRET_FORM, NULL, NULL);
    g_assert_cmpstr(xmpp_stanza_get_type(reply_to(&fx, m, "p1")), ==, "result");
    g_assert_cmpstr(attr(note_to(&fx, m, BOB, "lobby", 0), "password"), ==, "true");
    /* The notification says "a password is set", never which. */
    for (guint i = m; i < fx.tb.sent->len; i++) {
        xmpp_stanza_t *s = fx.tb.sent->pdata[i];
        if (strcmp(xmpp_stanza_get_name(s), "message") == 0)
            g_assert_false(stanza_mentions(s, "hunter2"));
    }

    /* Lobby on: the secret comes off the room; the right password admits a knocker at once. */
    lobby_on(&fx);
    xmpp_stanza_t *on_form = last_iq(&fx, SECURITY_FORM);
    g_autofree char *on = field(on_form, "muc#roomconfig_membersonly");
    g_assert_cmpstr(on, ==, "1");
    g_assert_false(stanza_mentions(on_form, "hunter2"));
    m = client_iq(&fx, "set", "k1", KIM,
                  "<knock xmlns='" NS "' room='" ROOM "' nick='Kim' password='wrong'/>");
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "k1")), ==, "not-authorized");
    m = client_iq(&fx, "set", "k2", KIM,
                  "<knock xmlns='" NS "' room='" ROOM "' nick='Kim' password='hunter2'/>");
    g_assert_nonnull(reply_to(&fx, m, "k2"));
    g_assert_null(note_to(&fx, m, ANN, "knock", 0)); /* no moderator needed */
    answer(&fx, GRANT_TO("kim@anon.example.org"), NULL, NULL);
    g_assert_cmpstr(attr(note_to(&fx, m, KIM, "knock", 0), "status"), ==, "admitted");

    /* Off again: the same form lifts members-only and sets the secret back; a waiting knock
     * is told to join directly. */
    g_autofree char *b = knock_from(&fx, LOU, "Lou");
    m = client_iq(&fx, "set", "off", ANN,
                  "<lobby xmlns='" NS "' room='" ROOM "' enabled='false'/>");
    form = last_iq(&fx, SECURITY_FORM);
    g_autofree char *off = field(form, "muc#roomconfig_membersonly");
    g_autofree char *back = field(form, "muc#roomconfig_roomsecret");
    g_assert_cmpstr(off, ==, "0");
    g_assert_cmpstr(back, ==, "hunter2");
    answer(&fx, SECURITY_FORM, NULL, NULL);
    g_assert_cmpstr(xmpp_stanza_get_type(reply_to(&fx, m, "off")), ==, "result");
    g_assert_cmpstr(attr(note_to(&fx, m, LOU, "knock", 0), "status"), ==, "open");
    g_assert_cmpstr(attr(note_to(&fx, m, BOB, "lobby", 0), "enabled"), ==, "false");
    fx_clear(&fx);
}

static void test_room_refuses(void)
{
    Fixture fx;
    fx_init(&fx);
    make_room(&fx);
    /* bob's grant is refused: the lobby stays off, ann hears why. */
    guint m =
        client_iq(&fx, "set", "on", ANN, "<lobby xmlns='" NS "' room='" ROOM "' enabled='true'/>");
    g_test_expect_message("parley-focus", G_LOG_LEVEL_WARNING,
                          "lobby: room operation failed room=" ROOM " op=1: error not-allowed");
    answer(&fx, GRANT("member"), "not-allowed", NULL);
    g_test_assert_expected_messages();
    xmpp_stanza_t *r = reply_to(&fx, m, "on");
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, "internal-server-error");
    g_assert_cmpint(sent_find(&fx.tb, m, SECURITY_FORM), ==, -1);
    g_assert_cmpint(focus_lobby_phase(focus_room_security_lobby(fx.sec, ROOM)), ==,
                    FOCUS_LOBBY_PHASE_OFF);
    /* No answer at all: the IQ times out and the request is answered all the same. */
    m = client_iq(&fx, "set", "pw", ANN, "<password xmlns='" NS "' room='" ROOM "' value='x'/>");
    g_test_expect_message("parley-focus", G_LOG_LEVEL_WARNING,
                          "lobby: room operation failed room=" ROOM " op=*: timeout");
    testbed_advance(&fx.tb, 10000);
    g_test_assert_expected_messages();
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "pw")), ==, "internal-server-error");
    fx_clear(&fx);
}

static void test_bad_requests(void)
{
    Fixture fx;
    fx_init(&fx);
    make_room(&fx);
    /* Each rejected request is logged (rate-limited). */
    for (int i = 0; i < 3; i++)
        g_test_expect_message("parley-focus", G_LOG_LEVEL_WARNING,
                              "lobby request from " ANN " rejected: *");
    guint m = client_iq(&fx, "set", "x1", ANN, "<lobby xmlns='" NS "' room='" ROOM "'/>");
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "x1")), ==, "bad-request");
    m = client_iq(&fx, "set", "x2", ANN,
                  "<lobby xmlns='" NS "' room='other@conference.example.org' enabled='true'/>");
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "x2")), ==, "item-not-found");
    m = client_iq(&fx, "set", "x3", ANN,
                  "<lobby xmlns='" NS "' room='r1@elsewhere.org' enabled='true'/>");
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "x3")), ==, "not-allowed");
    m = client_iq(&fx, "set", "x4", ANN, "<sesame xmlns='" NS "' room='" ROOM "'/>");
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "x4")), ==,
                    "feature-not-implemented");
    g_test_assert_expected_messages();
    /* The room in another case form is the same room. */
    m = client_iq(&fx, "get", "x5", BOB,
                  "<lobby xmlns='" NS "' room='R1@Conference.Example.org'/>");
    g_assert_cmpstr(xmpp_stanza_get_type(reply_to(&fx, m, "x5")), ==, "result");
    fx_clear(&fx);
}

static void test_room_ends_with_knocks(void)
{
    Fixture fx;
    fx_init(&fx);
    make_room(&fx);
    lobby_on(&fx);
    g_autofree char *a = knock_from(&fx, KIM, "Kim");
    /* Everyone leaves; after the grace period the focus destroys the room. */
    occupant_left(&fx, "ann");
    occupant_left(&fx, "bob");
    testbed_advance(&fx.tb, 5000);
    guint m = fx.tb.sent->len;
    answer(&fx, DESTROY, NULL, NULL);
    g_assert_null(focus_registry_lookup(fx.reg, ROOM));
    g_assert_cmpstr(attr(note_to(&fx, m, KIM, "knock", 0), "status"), ==, "ended");
    g_assert_null(focus_room_security_lobby(fx.sec, ROOM));
    fx_clear(&fx);
}

static void test_existing_room_and_outside_changes(void)
{
    Fixture fx;
    fx_init(&fx);
    /* The focus finds the room already there (it restarted): it reads the configuration. */
    request(&fx);
    self_joined(&fx, FALSE);
    answer(&fx, ROOM_FORM, NULL, NULL);
    g_assert_cmpint(sent_find_last(&fx.tb, CONFIG_QUERY), >, sent_find_last(&fx.tb, ROOM_FORM));
    answer(&fx, CONFIG_QUERY, NULL,
           "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' "
           "type='form'><field var='muc#roomconfig_membersonly'><value>1</value></field>"
           "<field var='muc#roomconfig_roomsecret'><value/></field></x></query>");
    FocusLobby *lobby = focus_room_security_lobby(fx.sec, ROOM);
    g_assert_cmpint(focus_lobby_phase(lobby), ==, FOCUS_LOBBY_PHASE_ON);

    occupant(&fx, "ann", ANN, "owner", "moderator");
    /* A lib-jitsi-meet moderator lifts members-only directly; the room says status 104. */
    guint m = fx.tb.sent->len;
    testbed_receive(&fx.tb, "<message type='groupchat' from='" ROOM "' to='" OCC
                            "'><x xmlns='http://jabber.org/protocol/muc#user'>"
                            "<status code='104'/></x></message>");
    answer(&fx, CONFIG_QUERY, NULL,
           "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' "
           "type='form'><field var='muc#roomconfig_membersonly'><value>0</value></field>"
           "</x></query>");
    g_assert_cmpint(focus_lobby_phase(lobby), ==, FOCUS_LOBBY_PHASE_OFF);
    g_assert_cmpstr(attr(note_to(&fx, m, ANN, "lobby", 0), "enabled"), ==, "false");
    fx_clear(&fx);
}

#define MEMBERS_QUERY                                                                              \
    TO_ROOM(.type = "get",                                                                         \
            .has = {{"query", NS_MUC_ADMIN}, {"item", NULL, {"affiliation", "member"}}})

/* After a restart the focus reads the room's members too: it cannot tell which memberships it
 * granted before, so each ends when its holder leaves, even with the lobby off by then (else
 * someone admitted earlier would walk straight in the next time the lobby is on). */
static void test_existing_room_members(void)
{
    Fixture fx;
    fx_init(&fx);
    request(&fx);
    occupant(&fx, "ann", ANN, "owner", "moderator");
    occupant(&fx, "bob", BOB, "member", "participant");
    self_joined(&fx, FALSE);
    answer(&fx, ROOM_FORM, NULL, NULL);
    answer(&fx, CONFIG_QUERY, NULL,
           "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' "
           "type='form'><field var='muc#roomconfig_membersonly'><value>0</value></field>"
           "</x></query>");
    answer(&fx, MEMBERS_QUERY, NULL,
           "<query xmlns='http://jabber.org/protocol/muc#admin'><item affiliation='member' "
           "jid='bob@example.org' nick='bob'/><item affiliation='member' jid='cy@example.org'/>"
           "<item affiliation='member'/></query>");
    FocusLobby *lobby = focus_room_security_lobby(fx.sec, ROOM);
    g_assert_cmpint(focus_lobby_phase(lobby), ==, FOCUS_LOBBY_PHASE_OFF);
    /* bob leaves with the lobby off: his membership goes (the focus takes it as its own). */
    guint m = testbed_mark(&fx.tb);
    presence(&fx, "<presence type='unavailable' from='" ROOM "/bob' to='" OCC "'><x "
                  "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' "
                  "role='none' jid='" BOB "'/></x></presence>");
    g_assert_cmpint(sent_find(&fx.tb, m, GRANT_TO("bob@example.org")), >=, 0);
    g_assert_cmpint(sent_find(&fx.tb, m, GRANT("none")), >=, 0);
    /* ann (owner) leaving keeps hers. */
    m = testbed_mark(&fx.tb);
    presence(&fx, "<presence type='unavailable' from='" ROOM "/ann' to='" OCC "'><x "
                  "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' "
                  "role='none' jid='" ANN "'/></x></presence>");
    g_assert_cmpint(sent_find(&fx.tb, m, ADMIN), ==, -1);
    fx_clear(&fx);
}

/* A request that arrives while the focus reads the configuration of a room it took over is
 * answered after the read, from what the room says (not from the focus's blank state). */
static void test_request_waits_for_the_config(void)
{
    Fixture fx;
    fx_init(&fx);
    request(&fx);
    occupant(&fx, "ann", ANN, "owner", "moderator");
    self_joined(&fx, FALSE);
    answer(&fx, ROOM_FORM, NULL, NULL);
    guint m = client_iq(&fx, "get", "g1", ANN, "<lobby xmlns='" NS "' room='" ROOM "'/>");
    g_assert_null(reply_to(&fx, m, "g1"));
    answer(&fx, CONFIG_QUERY, NULL,
           "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' "
           "type='form'><field var='muc#roomconfig_membersonly'><value>0</value></field>"
           "<field var='muc#roomconfig_roomsecret'><value>s3cret</value></field></x></query>");
    xmpp_stanza_t *r = reply_to(&fx, m, "g1");
    g_assert_nonnull(r);
    xmpp_stanza_t *l = pa_stanza_child(r, "lobby", NS);
    g_assert_cmpstr(attr(l, "password"), ==, "true");
    g_assert_cmpstr(attr(l, "enabled"), ==, "false");
    fx_clear(&fx);
}

/* Without the members (the server refused the list), nothing is revoked with the lobby off:
 * the behaviour before this read existed. */
static void test_existing_room_members_unknown(void)
{
    Fixture fx;
    fx_init(&fx);
    request(&fx);
    occupant(&fx, "bob", BOB, "member", "participant");
    self_joined(&fx, FALSE);
    answer(&fx, ROOM_FORM, NULL, NULL);
    answer(&fx, MEMBERS_QUERY, "forbidden", NULL);
    answer(&fx, CONFIG_QUERY, NULL,
           "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' "
           "type='form'><field var='muc#roomconfig_membersonly'><value>0</value></field>"
           "</x></query>");
    guint m = testbed_mark(&fx.tb);
    presence(&fx, "<presence type='unavailable' from='" ROOM "/bob' to='" OCC "'><x "
                  "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='member' "
                  "role='none' jid='" BOB "'/></x></presence>");
    g_assert_cmpint(sent_find(&fx.tb, m, ADMIN), ==, -1);
    fx_clear(&fx);
}

static void test_recreated_room_gets_lobby_back(void)
{
    Fixture fx;
    fx_init(&fx);
    make_room(&fx);
    lobby_on(&fx);
    /* The connection drops; on reconnect the server has lost the room: 201 again. */
    focus_link_set_online(fx.tb.link, FALSE);
    focus_link_fail_pending(fx.tb.link);
    focus_core_on_offline(fx.tb.core);
    focus_link_set_online(fx.tb.link, TRUE);
    focus_core_on_online(fx.tb.core);
    occupant(&fx, "ann", ANN, "none", "participant");
    guint m = fx.tb.sent->len;
    self_joined(&fx, TRUE);
    answer(&fx, ROOM_FORM, NULL, NULL);
    /* ann (back, no affiliation in the new room) gets membership, then members-only. */
    g_assert_true(stanza_has(last_iq(&fx, GRANT("member")),
                             ELEM(.name = "item", .attrs = {"jid", "ann@example.org"})));
    answer(&fx, GRANT("member"), NULL, NULL);
    int form = sent_find(&fx.tb, m, SECURITY_FORM);
    g_assert_cmpint(form, >=, 0);
    g_autofree char *on = field(sent_at(&fx.tb, form), "muc#roomconfig_membersonly");
    g_assert_cmpstr(on, ==, "1");
    answer(&fx, SECURITY_FORM, NULL, NULL);
    g_assert_cmpint(focus_lobby_phase(focus_room_security_lobby(fx.sec, ROOM)), ==,
                    FOCUS_LOBBY_PHASE_ON);
    fx_clear(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/room-security/knock-and-admit", test_knock_and_admit);
    g_test_add_func("/room-security/refuse-expire-leave", test_refuse_expire_leave);
    g_test_add_func("/room-security/late-moderator-and-cancel", test_late_moderator_and_cancel);
    g_test_add_func("/room-security/password-and-disable", test_password_and_disable);
    g_test_add_func("/room-security/room-refuses", test_room_refuses);
    g_test_add_func("/room-security/bad-requests", test_bad_requests);
    g_test_add_func("/room-security/room-ends-with-knocks", test_room_ends_with_knocks);
    g_test_add_func("/room-security/existing-room", test_existing_room_and_outside_changes);
    g_test_add_func("/room-security/existing-room-members", test_existing_room_members);
    g_test_add_func("/room-security/request-waits-for-the-config",
                    test_request_waits_for_the_config);
    g_test_add_func("/room-security/existing-room-members-unknown",
                    test_existing_room_members_unknown);
    g_test_add_func("/room-security/recreated-room", test_recreated_room_gets_lobby_back);
    return g_test_run();
}
