/* SPDX-License-Identifier: MIT */
/* The lobby wired to real rooms: a registry and rooms driven by the stanzas a MUC service
 * sends, FocusRoomSecurity on a FocusLink that records what the focus sends and a clock the
 * test steps. Each test plays a whole conversation: moderators, knockers and the room. */
#include "focus/security/room-security.h"

#include "../focus/focus-test-util.h"
#include "focus/xmpp/muc.h"
#include "focus/security/security-iq.h"

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

static void h_ready(FocusRoom *room, gpointer data)
{
    focus_room_security_room_ready(((Fixture *)data)->sec, room);
}

static void h_gone(FocusRoom *room, gpointer data)
{
    focus_room_security_room_gone(((Fixture *)data)->sec, room);
}

static void fx_init(Fixture *fx)
{
    testbed_init(&fx->tb);
    FocusRoomSettings rs;
    focus_room_settings_init(&rs, "focus.example.org", 5);
    FocusRoomHooks hooks = {NULL, NULL, h_ready, h_gone};
    fx->reg = focus_registry_new(fx->tb.link, &rs, &hooks, fx);
    FocusLobbySettings ls;
    focus_lobby_settings_init(&ls);
    fx->sec = focus_room_security_new(fx->tb.link, fx->reg, "conference.example.org", OCC, &ls, 0);
}

static void fx_clear(Fixture *fx)
{
    focus_room_security_free(fx->sec);
    focus_registry_free(fx->reg);
    testbed_clear(&fx->tb);
}

static void request(Fixture *fx)
{
    xmpp_stanza_t *iq =
        stanza_from(&fx->tb, "<iq type='set' id='c1' from='" ANN "' "
                             "to='focus.example.org'><conference "
                             "xmlns='http://jitsi.org/protocol/focus' room='" ROOM "'/></iq>");
    FocusRoomRequest req;
    g_assert_cmpint(focus_room_request_parse(iq, "conference.example.org", &req, NULL), ==,
                    FOCUS_ROOM_REQUEST_OK);
    focus_registry_handle_conference(fx->reg, iq, &req);
    focus_room_request_clear(&req);
    xmpp_stanza_release(iq);
}

/* Presence through the registry, then the security layer (as the app routes it). */
static void presence(Fixture *fx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static void presence(Fixture *fx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *xml = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xmpp_stanza_t *p = stanza_from(&fx->tb, xml);
    focus_registry_handle_presence(fx->reg, p);
    focus_room_security_presence(fx->sec, p);
    xmpp_stanza_release(p);
}

static void self_joined(Fixture *fx, gboolean created)
{
    presence(fx,
             "<presence from='" ROOM "/focus' to='" OCC "'><x "
             "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' "
             "role='moderator' jid='" OCC "'/>%s<status code='110'/></x></presence>",
             created ? "<status code='201'/>" : "");
}

static void occupant(Fixture *fx, const char *nick, const char *jid, const char *affiliation,
                     const char *role)
{
    presence(fx,
             "<presence from='" ROOM "/%s' to='" OCC "'><x "
             "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='%s' role='%s' "
             "jid='%s'/></x></presence>",
             nick, affiliation, role, jid);
}

static void occupant_left(Fixture *fx, const char *nick)
{
    presence(fx,
             "<presence type='unavailable' from='" ROOM "/%s' to='" OCC "'><x "
             "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
             "role='none'/></x></presence>",
             nick);
}

/* The last sent IQ whose text contains @needle (transfer none). */
static xmpp_stanza_t *last_iq(Fixture *fx, const char *needle)
{
    for (int i = (int)fx->tb.sent->len - 1; i >= 0; i--) {
        xmpp_stanza_t *s = fx->tb.sent->pdata[i];
        g_autofree char *t = stanza_text(s);
        if (strcmp(xmpp_stanza_get_name(s), "iq") == 0 &&
            g_strcmp0(xmpp_stanza_get_type(s), "result") != 0 &&
            g_strcmp0(xmpp_stanza_get_type(s), "error") != 0 && strstr(t, needle))
            return s;
    }
    g_error("no IQ sent containing %s", needle);
    return NULL;
}

/* Answers the last IQ containing @needle: result (with @payload inside, may be NULL) or, with
 * @condition, an error. */
static void answer(Fixture *fx, const char *needle, const char *condition, const char *payload)
{
    xmpp_stanza_t *iq = last_iq(fx, needle);
    g_assert_cmpstr(xmpp_stanza_get_from(iq), ==, OCC);
    g_autofree char *xml =
        condition
            ? g_strdup_printf("<iq type='error' id='%s' from='%s' to='" OCC "'><error "
                              "type='cancel'><%s xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/>"
                              "</error></iq>",
                              xmpp_stanza_get_id(iq), xmpp_stanza_get_to(iq), condition)
            : g_strdup_printf("<iq type='result' id='%s' from='%s' to='" OCC "'>%s</iq>",
                              xmpp_stanza_get_id(iq), xmpp_stanza_get_to(iq),
                              payload ? payload : "");
    xmpp_stanza_t *reply = stanza_from(&fx->tb, xml);
    g_assert_true(focus_link_handle_reply(fx->tb.link, reply));
    xmpp_stanza_release(reply);
}

/* A client's IQ to the focus; returns the index where the focus's sends start. */
static guint client_iq(Fixture *fx, const char *type, const char *id, const char *from,
                       const char *payload)
{
    guint mark = fx->tb.sent->len;
    g_autofree char *xml = g_strdup_printf(
        "<iq type='%s' id='%s' from='%s' to='focus.example.org'>%s</iq>", type, id, from, payload);
    xmpp_stanza_t *iq = stanza_from(&fx->tb, xml);
    focus_room_security_handle_iq(fx->sec, iq);
    xmpp_stanza_release(iq);
    return mark;
}

/* The reply to client IQ @id sent at or after @from (transfer none), or NULL. */
static xmpp_stanza_t *reply_to(Fixture *fx, guint from, const char *id)
{
    xmpp_stanza_t *found = NULL;
    for (guint i = from; i < fx->tb.sent->len; i++) {
        xmpp_stanza_t *s = fx->tb.sent->pdata[i];
        if (strcmp(xmpp_stanza_get_name(s), "iq") == 0 &&
            g_strcmp0(xmpp_stanza_get_id(s), id) == 0 &&
            g_strcmp0(xmpp_stanza_get_to(s), ROOM) != 0) {
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
        if (strcmp(xmpp_stanza_get_name(s), "message") != 0 ||
            g_strcmp0(xmpp_stanza_get_to(s), to) != 0)
            continue;
        g_assert_cmpstr(xmpp_stanza_get_type(s), ==, "headline");
        g_assert_cmpstr(xmpp_stanza_get_from(s), ==, "focus.example.org");
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

/* A READY room with ann (owner, moderator) and bob (participant). */
static void make_room(Fixture *fx)
{
    request(fx);
    self_joined(fx, TRUE);
    answer(fx, "muc#owner", NULL, NULL);
    FocusRoom *room = focus_registry_lookup(fx->reg, ROOM);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);
    g_assert_nonnull(focus_room_security_lobby(fx->sec, ROOM));
    occupant(fx, "ann", ANN, "none", "participant");
    answer(fx, "affiliation=\"owner\"", NULL, NULL); /* auto-owner */
    occupant(fx, "ann", ANN, "owner", "moderator");
    occupant(fx, "bob", BOB, "none", "participant");
}

static void lobby_on(Fixture *fx)
{
    guint m =
        client_iq(fx, "set", "on", ANN, "<lobby xmlns='" NS "' room='" ROOM "' enabled='true'/>");
    /* bob gets membership first; no reply before the room is members-only. */
    xmpp_stanza_t *grant = last_iq(fx, "muc#admin");
    g_assert_true(
        stanza_has(grant, "item", "affiliation", "member", "jid", "bob@example.org", NULL));
    g_assert_null(reply_to(fx, m, "on"));
    answer(fx, "affiliation=\"member\"", NULL, NULL);
    xmpp_stanza_t *form = last_iq(fx, "muc#roomconfig_membersonly");
    g_assert_cmpstr(xmpp_stanza_get_to(form), ==, ROOM);
    g_assert_null(reply_to(fx, m, "on"));
    answer(fx, "muc#roomconfig_membersonly", NULL, NULL);
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
    g_assert_true(stanza_has(l, "knock", "id", id, "nick", "Kim", "jid", KIM, NULL));
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
    g_assert_true(stanza_has(last_iq(&fx, "muc#admin"), "item", "affiliation", "member", "jid",
                             "kim@anon.example.org", NULL));
    answer(&fx, "kim@anon.example.org", NULL, NULL);
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
    g_assert_cmpint(sent_find(&fx.tb, m, "kim@anon.example.org\""), ==, -1); /* no grant */

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
    xmpp_stanza_t *form = last_iq(&fx, "muc#roomconfig_roomsecret");
    g_autofree char *ft = stanza_text(form);
    g_assert_nonnull(strstr(ft, "hunter2"));
    g_assert_null(reply_to(&fx, m, "p1"));
    answer(&fx, "muc#roomconfig_roomsecret", NULL, NULL);
    g_assert_cmpstr(xmpp_stanza_get_type(reply_to(&fx, m, "p1")), ==, "result");
    g_assert_cmpstr(attr(note_to(&fx, m, BOB, "lobby", 0), "password"), ==, "true");
    /* The notification says "a password is set", never which. */
    for (guint i = m; i < fx.tb.sent->len; i++) {
        xmpp_stanza_t *s = fx.tb.sent->pdata[i];
        g_autofree char *t = stanza_text(s);
        if (strcmp(xmpp_stanza_get_name(s), "message") == 0)
            g_assert_null(strstr(t, "hunter2"));
    }

    /* Lobby on: the secret comes off the room; the right password admits a knocker at once. */
    lobby_on(&fx);
    g_autofree char *on_form = stanza_text(last_iq(&fx, "muc#roomconfig_membersonly"));
    g_assert_nonnull(strstr(on_form, "<value>1</value>"));
    g_assert_null(strstr(on_form, "hunter2"));
    m = client_iq(&fx, "set", "k1", KIM,
                  "<knock xmlns='" NS "' room='" ROOM "' nick='Kim' password='wrong'/>");
    g_assert_cmpstr(pa_stanza_error_condition(reply_to(&fx, m, "k1")), ==, "not-authorized");
    m = client_iq(&fx, "set", "k2", KIM,
                  "<knock xmlns='" NS "' room='" ROOM "' nick='Kim' password='hunter2'/>");
    g_assert_nonnull(reply_to(&fx, m, "k2"));
    g_assert_null(note_to(&fx, m, ANN, "knock", 0)); /* no moderator needed */
    answer(&fx, "kim@anon.example.org", NULL, NULL);
    g_assert_cmpstr(attr(note_to(&fx, m, KIM, "knock", 0), "status"), ==, "admitted");

    /* Off again: the same form lifts members-only and sets the secret back; a waiting knock
     * is told to join directly. */
    g_autofree char *b = knock_from(&fx, LOU, "Lou");
    m = client_iq(&fx, "set", "off", ANN,
                  "<lobby xmlns='" NS "' room='" ROOM "' enabled='false'/>");
    form = last_iq(&fx, "muc#roomconfig_membersonly");
    g_autofree char *ft2 = stanza_text(form);
    g_assert_nonnull(strstr(ft2, "hunter2"));
    answer(&fx, "muc#roomconfig_membersonly", NULL, NULL);
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
    answer(&fx, "affiliation=\"member\"", "not-allowed", NULL);
    g_test_assert_expected_messages();
    xmpp_stanza_t *r = reply_to(&fx, m, "on");
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, "internal-server-error");
    g_assert_cmpint(sent_find(&fx.tb, m, "muc#roomconfig_membersonly"), ==, -1);
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
    answer(&fx, "<destroy", NULL, NULL);
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
    answer(&fx, "muc#roomconfig_whois", NULL, NULL);
    xmpp_stanza_t *q = last_iq(&fx, "muc#owner");
    g_assert_cmpstr(xmpp_stanza_get_type(q), ==, "get");
    answer(&fx, "muc#owner\"/>", NULL,
           "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' "
           "type='form'><field var='muc#roomconfig_membersonly'><value>1</value></field>"
           "<field var='muc#roomconfig_roomsecret'><value/></field></x></query>");
    FocusLobby *lobby = focus_room_security_lobby(fx.sec, ROOM);
    g_assert_cmpint(focus_lobby_phase(lobby), ==, FOCUS_LOBBY_PHASE_ON);

    occupant(&fx, "ann", ANN, "owner", "moderator");
    /* A lib-jitsi-meet moderator lifts members-only directly; the room says status 104. */
    guint m = fx.tb.sent->len;
    xmpp_stanza_t *msg = stanza_from(&fx.tb, "<message type='groupchat' from='" ROOM "' to='" OCC
                                             "'><x xmlns='http://jabber.org/protocol/muc#user'>"
                                             "<status code='104'/></x></message>");
    focus_room_security_message(fx.sec, msg);
    xmpp_stanza_release(msg);
    answer(&fx, "muc#owner\"/>", NULL,
           "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' "
           "type='form'><field var='muc#roomconfig_membersonly'><value>0</value></field>"
           "</x></query>");
    g_assert_cmpint(focus_lobby_phase(lobby), ==, FOCUS_LOBBY_PHASE_OFF);
    g_assert_cmpstr(attr(note_to(&fx, m, ANN, "lobby", 0), "enabled"), ==, "false");
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
    focus_registry_on_offline(fx.reg);
    focus_link_set_online(fx.tb.link, TRUE);
    focus_registry_on_online(fx.reg);
    occupant(&fx, "ann", ANN, "none", "participant");
    guint m = fx.tb.sent->len;
    self_joined(&fx, TRUE);
    answer(&fx, "muc#roomconfig_whois", NULL, NULL);
    /* ann (back, no affiliation in the new room) gets membership, then members-only. */
    g_assert_true(
        stanza_has(last_iq(&fx, "affiliation=\"member\""), "item", "jid", "ann@example.org", NULL));
    answer(&fx, "affiliation=\"member\"", NULL, NULL);
    g_assert_cmpint(sent_find(&fx.tb, m, "muc#roomconfig_membersonly\"><value>1"), >=, 0);
    answer(&fx, "muc#roomconfig_membersonly", NULL, NULL);
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
    g_test_add_func("/room-security/recreated-room", test_recreated_room_gets_lobby_back);
    return g_test_run();
}
