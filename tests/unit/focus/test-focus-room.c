/* SPDX-License-Identifier: MIT */
/* The room state machine and the registry, driven by the stanzas a MUC service sends, on a
 * FocusLink that records what the focus sends and a clock the test steps. */
#include "focus/rooms/registry.h"

#include "focus-test-util.h"

#define ROOM "r1@conference.example.org"
#define OCC "focus.example.org/focus"

typedef struct {
    TestBed tb;
    FocusRegistry *reg;
    GString *events; /* hook trace: "+nick", "-nick", "ready", "gone" */
} Fixture;

static void h_joined(FocusRoom *room, FocusParticipant *p, gpointer data)
{
    g_string_append_printf(((Fixture *)data)->events, "+%s ", p->nick);
}

static void h_left(FocusRoom *room, FocusParticipant *p, gpointer data)
{
    g_string_append_printf(((Fixture *)data)->events, "-%s ", p->nick);
}

static void h_ready(FocusRoom *room, gpointer data)
{
    g_string_append(((Fixture *)data)->events, "ready ");
}

static void h_gone(FocusRoom *room, gpointer data)
{
    g_string_append(((Fixture *)data)->events, "gone ");
}

static void fx_init(Fixture *fx, guint grace_s)
{
    testbed_init(&fx->tb);
    fx->events = g_string_new("");
    FocusRoomSettings rs;
    focus_room_settings_init(&rs, "focus.example.org", grace_s);
    FocusRoomHooks hooks = {h_joined, h_left, h_ready, h_gone};
    fx->reg = focus_registry_new(fx->tb.link, &rs, &hooks, fx);
}

static void fx_clear(Fixture *fx)
{
    focus_registry_free(fx->reg);
    g_string_free(fx->events, TRUE);
    testbed_clear(&fx->tb);
}

static void request(Fixture *fx, const char *id, const char *room)
{
    g_autofree char *xml = g_strdup_printf(
        "<iq type='set' id='%s' from='client-%s@example.org/r' to='focus.example.org'>"
        "<conference xmlns='http://jitsi.org/protocol/focus' room='%s'/></iq>",
        id, id, room);
    xmpp_stanza_t *iq = stanza_from(&fx->tb, xml);
    FocusRoomRequest req;
    g_assert_cmpint(focus_room_request_parse(iq, "conference.example.org", &req, NULL), ==,
                    FOCUS_ROOM_REQUEST_OK);
    focus_registry_handle_conference(fx->reg, iq, &req);
    focus_room_request_clear(&req);
    xmpp_stanza_release(iq);
}

static gboolean presence(Fixture *fx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean presence(Fixture *fx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *xml = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xmpp_stanza_t *p = stanza_from(&fx->tb, xml);
    gboolean taken = focus_registry_handle_presence(fx->reg, p);
    xmpp_stanza_release(p);
    return taken;
}

static void self_joined(Fixture *fx, const char *room, gboolean created)
{
    g_assert_true(presence(fx,
                           "<presence from='%s/focus' to='" OCC "'><x "
                           "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='owner' "
                           "role='moderator' jid='" OCC "'/>%s<status code='110'/></x></presence>",
                           room, created ? "<status code='201'/>" : ""));
}

static void occupant(Fixture *fx, const char *nick, const char *affiliation)
{
    g_assert_true(presence(fx,
                           "<presence from='" ROOM "/%s' to='" OCC "'><nick "
                           "xmlns='http://jabber.org/protocol/nick'>Name %s</nick>"
                           "<stats-id>S-%s</stats-id><x "
                           "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='%s' "
                           "role='participant' jid='%s@example.org/res-%s'/></x></presence>",
                           nick, nick, nick, affiliation, nick, nick));
}

static void occupant_left(Fixture *fx, const char *nick, const char *extra)
{
    g_assert_true(presence(fx,
                           "<presence type='unavailable' from='" ROOM "/%s' to='" OCC "'><x "
                           "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
                           "role='none'/>%s</x></presence>",
                           nick, extra ? extra : ""));
}

/* Answers the last IQ the focus sent whose text contains @needle with @type. */
static void answer_iq(Fixture *fx, const char *needle, const char *type, const char *condition)
{
    int idx = -1;
    for (int i = (int)fx->tb.sent->len - 1; i >= 0 && idx < 0; i--) {
        xmpp_stanza_t *s = fx->tb.sent->pdata[i];
        g_autofree char *t = stanza_text(s);
        if (strcmp(xmpp_stanza_get_name(s), "iq") == 0 && strstr(t, needle))
            idx = i;
    }
    g_assert_cmpint(idx, >=, 0);
    xmpp_stanza_t *iq = fx->tb.sent->pdata[idx];
    g_autofree char *xml =
        condition ? g_strdup_printf("<iq type='error' id='%s' from='%s' to='" OCC "'><error "
                                    "type='cancel'><%s "
                                    "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></iq>",
                                    xmpp_stanza_get_id(iq), xmpp_stanza_get_to(iq), condition)
                  : g_strdup_printf("<iq type='%s' id='%s' from='%s' to='" OCC "'/>", type,
                                    xmpp_stanza_get_id(iq), xmpp_stanza_get_to(iq));
    xmpp_stanza_t *reply = stanza_from(&fx->tb, xml);
    g_assert_true(focus_link_handle_reply(fx->tb.link, reply));
    xmpp_stanza_release(reply);
}

/* A room from request to READY. */
static FocusRoom *make_ready(Fixture *fx)
{
    request(fx, "q1", ROOM);
    self_joined(fx, ROOM, TRUE);
    answer_iq(fx, "muc#owner", "result", NULL);
    FocusRoom *room = focus_registry_lookup(fx->reg, ROOM);
    g_assert_nonnull(room);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);
    return room;
}

static void test_create_and_answer(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    request(&fx, "q1", "R1@Conference.example.org");
    request(&fx, "q2", ROOM);
    g_assert_cmpuint(focus_registry_count(fx.reg), ==, 1);
    /* One join, from the component's full JID, nick focus; nobody answered yet. */
    g_assert_cmpuint(sent_count(&fx.tb, 0, "<presence"), ==, 1);
    xmpp_stanza_t *join = sent_at(&fx.tb, 0);
    g_assert_cmpstr(xmpp_stanza_get_to(join), ==, ROOM "/focus");
    g_assert_cmpstr(xmpp_stanza_get_from(join), ==, OCC);
    g_assert_nonnull(pa_stanza_child(join, "x", "http://jabber.org/protocol/muc"));
    g_assert_cmpint(sent_find(&fx.tb, 0, "<conference"), ==, -1);

    /* A participant presence before the room is ready is fine too (ignored for owner). */
    self_joined(&fx, ROOM, TRUE);
    FocusRoom *room = focus_registry_lookup(fx.reg, ROOM);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_CONFIGURING);
    g_assert_true(focus_room_created(room));
    int form = sent_find(&fx.tb, 0, "muc#roomconfig_whois");
    g_assert_cmpint(form, >=, 0);
    g_assert_cmpint(sent_find(&fx.tb, 0, "muc#roomconfig_membersonly"), ==, form);
    g_assert_cmpint(sent_find(&fx.tb, 0, "<conference"), ==, -1);

    answer_iq(&fx, "muc#owner", "result", NULL);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);
    g_assert_cmpuint(sent_count(&fx.tb, 0, "ready=\"true\""), ==, 2);
    int r1 = sent_find(&fx.tb, 0, "id=\"q1\"");
    xmpp_stanza_t *reply = sent_at(&fx.tb, r1);
    g_assert_cmpstr(xmpp_stanza_get_type(reply), ==, "result");
    g_assert_cmpstr(xmpp_stanza_get_to(reply), ==, "client-q1@example.org/r");
    g_assert_true(stanza_has(reply, "conference", "focusjid", "focus.example.org", "room", ROOM,
                             "ready", "true", NULL));
    g_assert_cmpstr(fx.events->str, ==, "ready ");

    /* Later requests are answered at once, without another join. */
    guint before = fx.tb.sent->len;
    request(&fx, "q3", ROOM);
    g_assert_cmpuint(fx.tb.sent->len, ==, before + 1);
    g_assert_cmpint(sent_find(&fx.tb, before, "id=\"q3\""), ==, (int)before);
    fx_clear(&fx);
}

static void test_create_timeout(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    request(&fx, "q1", ROOM);
    testbed_advance(&fx.tb, 14999);
    g_assert_cmpint(sent_find(&fx.tb, 0, "id=\"q1\""), ==, -1);
    testbed_advance(&fx.tb, 1);
    int i = sent_find(&fx.tb, 0, "id=\"q1\"");
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpstr(pa_stanza_error_condition(sent_at(&fx.tb, i)), ==, "service-unavailable");
    g_autofree char *t = stanza_text(sent_at(&fx.tb, i));
    g_assert_nonnull(strstr(t, "type=\"wait\""));
    /* It does not stay as a ghost if the server was only slow. */
    g_assert_cmpint(sent_find(&fx.tb, 0, "type=\"unavailable\""), >, 0);
    testbed_advance(&fx.tb, 0); /* reap */
    g_assert_cmpuint(focus_registry_count(fx.reg), ==, 0);
    g_assert_cmpstr(fx.events->str, ==, "gone ");
    fx_clear(&fx);
}

static void test_muc_refuses(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    request(&fx, "q1", ROOM);
    g_assert_true(presence(&fx,
                           "<presence type='error' from='" ROOM "/focus'><error "
                           "type='cancel'><not-allowed "
                           "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>"));
    int i = sent_find(&fx.tb, 0, "id=\"q1\"");
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpstr(pa_stanza_error_condition(sent_at(&fx.tb, i)), ==, "internal-server-error");
    g_autofree char *t = stanza_text(sent_at(&fx.tb, i));
    g_assert_nonnull(strstr(t, "not-allowed"));
    testbed_advance(&fx.tb, 0);
    g_assert_cmpuint(focus_registry_count(fx.reg), ==, 0);
    fx_clear(&fx);
}

static void test_config_refused_destroys(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    request(&fx, "q1", ROOM);
    self_joined(&fx, ROOM, TRUE);
    answer_iq(&fx, "muc#owner", NULL, "forbidden");
    int i = sent_find(&fx.tb, 0, "id=\"q1\"");
    g_assert_cmpstr(pa_stanza_error_condition(sent_at(&fx.tb, i)), ==, "internal-server-error");
    /* The locked room it created is destroyed, not left behind. */
    g_assert_cmpint(sent_find(&fx.tb, 0, "<destroy>"), >, 0);
    FocusRoom *room = focus_registry_lookup(fx.reg, ROOM);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_DESTROYING);
    answer_iq(&fx, "<destroy>", "result", NULL);
    testbed_advance(&fx.tb, 0);
    g_assert_cmpuint(focus_registry_count(fx.reg), ==, 0);
    fx_clear(&fx);
}

static void test_occupants_and_owner(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    FocusRoom *room = make_ready(&fx);
    guint mark = fx.tb.sent->len;

    /* ejabberd's presence from the bare room JID is ignored. */
    g_assert_false(presence(&fx, "<presence from='" ROOM "'><x "
                                 "xmlns='http://jabber.org/protocol/muc#user'/></presence>"));
    occupant(&fx, "aaa", "none");
    FocusParticipant *a = focus_room_participant(room, "aaa");
    g_assert_nonnull(a);
    g_assert_cmpstr(a->real_jid, ==, "aaa@example.org/res-aaa");
    g_assert_cmpstr(a->display_name, ==, "Name aaa");
    g_assert_cmpstr(a->stats_id, ==, "S-aaa");
    g_assert_cmpint(a->role, ==, FOCUS_MUC_ROLE_PARTICIPANT);
    /* First participant: owner grant with its bare real JID. */
    int g = sent_find(&fx.tb, mark, "muc#admin");
    g_assert_cmpint(g, >=, 0);
    g_assert_true(stanza_has(sent_at(&fx.tb, g), "item", "affiliation", "owner", "jid",
                             "aaa@example.org", NULL));
    g_assert_cmpstr(xmpp_stanza_get_to(sent_at(&fx.tb, g)), ==, ROOM);

    occupant(&fx, "bbb", "none");
    occupant(&fx, "ccc", "none");
    g_assert_cmpuint(sent_count(&fx.tb, mark, "muc#admin"), ==, 1); /* one in flight */
    answer_iq(&fx, "muc#admin", "result", NULL);
    g_assert_cmpint(a->affiliation, ==, FOCUS_MUC_AFFILIATION_OWNER);
    occupant(&fx, "aaa", "owner"); /* the server's presence update */
    g_assert_cmpuint(sent_count(&fx.tb, mark, "muc#admin"), ==, 1);
    g_assert_cmpuint(focus_room_participant_count(room), ==, 3);

    /* bbb becomes "bbb2" (status 303): same participant, same place in line. */
    g_assert_true(presence(&fx, "<presence type='unavailable' from='" ROOM "/bbb'><x "
                                "xmlns='http://jabber.org/protocol/muc#user'><item nick='bbb2' "
                                "affiliation='none' role='participant'/><status "
                                "code='303'/></x></presence>"));
    g_assert_null(focus_room_participant(room, "bbb"));
    FocusParticipant *b2 = focus_room_participant(room, "bbb2");
    g_assert_nonnull(b2);
    g_assert_cmpstr(b2->stats_id, ==, "S-bbb");
    g_assert_cmpuint(focus_room_participant_count(room), ==, 3);

    /* The owner leaves: the longest-present remaining participant is promoted. */
    guint mark2 = fx.tb.sent->len;
    occupant_left(&fx, "aaa", NULL);
    g = sent_find(&fx.tb, mark2, "muc#admin");
    g_assert_cmpint(g, >=, 0);
    g_autofree char *g2 = stanza_text(sent_at(&fx.tb, g));
    g_assert_nonnull(strstr(g2, "jid=\"bbb@example.org\""));
    /* That grant fails: the next one in line gets it. */
    answer_iq(&fx, "muc#admin", NULL, "not-allowed");
    g = sent_find(&fx.tb, (guint)g + 1, "muc#admin");
    g_assert_cmpint(g, >=, 0);
    g_autofree char *g3 = stanza_text(sent_at(&fx.tb, g));
    g_assert_nonnull(strstr(g3, "jid=\"ccc@example.org\""));
    g_assert_cmpstr(fx.events->str, ==, "ready +aaa +bbb +ccc -aaa ");
    fx_clear(&fx);
}

static void test_grace_and_rejoin(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    FocusRoom *room = make_ready(&fx);
    occupant(&fx, "aaa", "owner");
    occupant_left(&fx, "aaa", NULL);
    testbed_advance(&fx.tb, 4000);
    occupant(&fx, "aaa", "owner"); /* back within the grace */
    testbed_advance(&fx.tb, 10000);
    g_assert_cmpint(sent_find(&fx.tb, 0, "<destroy>"), ==, -1);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);

    occupant_left(&fx, "aaa", "<status code='307'/>");
    testbed_advance(&fx.tb, 4999);
    g_assert_cmpint(sent_find(&fx.tb, 0, "<destroy>"), ==, -1);
    testbed_advance(&fx.tb, 1);
    int d = sent_find(&fx.tb, 0, "<destroy>");
    g_assert_cmpint(d, >=, 0);
    g_assert_cmpstr(xmpp_stanza_get_to(sent_at(&fx.tb, d)), ==, ROOM);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_DESTROYING);
    /* The server tells the focus the room is gone. */
    g_assert_true(presence(&fx, "<presence type='unavailable' from='" ROOM "/focus'><x "
                                "xmlns='http://jabber.org/protocol/muc#user'><item "
                                "affiliation='none' role='none'/><destroy/><status "
                                "code='110'/></x></presence>"));
    testbed_advance(&fx.tb, 0);
    g_assert_cmpuint(focus_registry_count(fx.reg), ==, 0);
    g_assert_null(focus_registry_lookup(fx.reg, ROOM));
    fx_clear(&fx);
}

static void test_nobody_joins(void)
{
    Fixture fx;
    fx_init(&fx, 1);
    make_ready(&fx);
    /* With a short grace, a room nobody has joined yet still waits the start timeout. */
    testbed_advance(&fx.tb, 14999);
    g_assert_cmpint(sent_find(&fx.tb, 0, "<destroy>"), ==, -1);
    /* A repeated request restarts the wait. */
    request(&fx, "again", ROOM);
    testbed_advance(&fx.tb, 14999);
    g_assert_cmpint(sent_find(&fx.tb, 0, "<destroy>"), ==, -1);
    testbed_advance(&fx.tb, 1);
    g_assert_cmpint(sent_find(&fx.tb, 0, "<destroy>"), >=, 0);
    fx_clear(&fx);
}

static void test_request_while_destroying(void)
{
    Fixture fx;
    fx_init(&fx, 0);
    make_ready(&fx);
    occupant(&fx, "aaa", "owner");
    occupant_left(&fx, "aaa", NULL);
    testbed_advance(&fx.tb, 0); /* grace 0: destroy now */
    g_assert_cmpint(sent_find(&fx.tb, 0, "<destroy>"), >=, 0);
    request(&fx, "late", ROOM);
    g_assert_cmpint(sent_find(&fx.tb, 0, "id=\"late\""), ==, -1);
    guint mark = fx.tb.sent->len;
    answer_iq(&fx, "<destroy>", "result", NULL);
    testbed_advance(&fx.tb, 0); /* reap: a new room for the waiting request */
    FocusRoom *again = focus_registry_lookup(fx.reg, ROOM);
    g_assert_nonnull(again);
    g_assert_cmpint(focus_room_state(again), ==, FOCUS_ROOM_JOINING);
    g_assert_cmpint(sent_find(&fx.tb, mark, "<x xmlns=\"http://jabber.org/protocol/muc\"/>"), >=,
                    0);
    self_joined(&fx, ROOM, TRUE);
    answer_iq(&fx, "muc#owner", "result", NULL);
    g_assert_cmpint(sent_find(&fx.tb, mark, "id=\"late\""), >=, 0);
    fx_clear(&fx);
}

static void go_offline(Fixture *fx)
{
    focus_link_set_online(fx->tb.link, FALSE);
    focus_link_fail_pending(fx->tb.link);
    focus_registry_on_offline(fx->reg);
}

static void go_online(Fixture *fx)
{
    focus_link_set_online(fx->tb.link, TRUE);
    focus_registry_on_online(fx->reg);
}

static void test_reconnect_rejoin(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    FocusRoom *room = make_ready(&fx);
    occupant(&fx, "aaa", "owner");
    occupant(&fx, "bbb", "none");
    go_offline(&fx);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_JOINING);
    g_string_truncate(fx.events, 0);

    guint mark = fx.tb.sent->len;
    go_online(&fx);
    /* Re-join: the server lists the occupants still there (aaa), then the focus's own
     * presence. bbb left while the focus was away. */
    g_assert_cmpint(sent_find(&fx.tb, mark, "<x xmlns=\"http://jabber.org/protocol/muc\"/>"), >=,
                    0);
    occupant(&fx, "aaa", "owner");
    self_joined(&fx, ROOM, FALSE);
    g_assert_null(focus_room_participant(room, "bbb"));
    g_assert_nonnull(focus_room_participant(room, "aaa"));
    /* Re-configure without undoing what moderators set. */
    int form = sent_find(&fx.tb, mark, "muc#roomconfig_whois");
    g_assert_cmpint(form, >=, 0);
    g_autofree char *ft = stanza_text(sent_at(&fx.tb, form));
    g_assert_null(strstr(ft, "membersonly"));
    answer_iq(&fx, "muc#owner", "result", NULL);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);
    g_assert_cmpstr(fx.events->str, ==, "-bbb ready ");
    g_assert_cmpuint(sent_count(&fx.tb, mark, "muc#admin"), ==, 0); /* aaa still owner */

    /* The server restarted and lost the room: the join re-creates it (201), nobody is in it. */
    go_offline(&fx);
    g_string_truncate(fx.events, 0);
    mark = fx.tb.sent->len;
    go_online(&fx);
    self_joined(&fx, ROOM, TRUE);
    form = sent_find(&fx.tb, mark, "muc#roomconfig_whois");
    g_autofree char *ft2 = stanza_text(sent_at(&fx.tb, form));
    g_assert_nonnull(strstr(ft2, "membersonly"));
    answer_iq(&fx, "muc#owner", "result", NULL);
    g_assert_cmpstr(fx.events->str, ==, "-aaa ready ");
    g_assert_cmpuint(focus_room_participant_count(room), ==, 0);
    /* Nobody comes back: the conference ends after the start timeout. */
    testbed_advance(&fx.tb, 15000);
    g_assert_cmpint(sent_find(&fx.tb, mark, "<destroy>"), >=, 0);
    fx_clear(&fx);
}

static void test_destroy_survives_disconnect(void)
{
    Fixture fx;
    fx_init(&fx, 0);
    FocusRoom *room = make_ready(&fx);
    occupant(&fx, "aaa", "owner");
    occupant_left(&fx, "aaa", NULL);
    testbed_advance(&fx.tb, 0);
    g_assert_cmpuint(sent_count(&fx.tb, 0, "<destroy>"), ==, 1);
    go_offline(&fx);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_DESTROYING);
    go_online(&fx);
    g_assert_cmpuint(sent_count(&fx.tb, 0, "<destroy>"), ==, 2);
    answer_iq(&fx, "<destroy>", "result", NULL);
    testbed_advance(&fx.tb, 0);
    g_assert_cmpuint(focus_registry_count(fx.reg), ==, 0);
    fx_clear(&fx);
}

static void test_focus_kicked(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    make_ready(&fx);
    occupant(&fx, "aaa", "owner");
    g_string_truncate(fx.events, 0);
    g_assert_true(presence(&fx, "<presence type='unavailable' from='" ROOM "/focus'><x "
                                "xmlns='http://jabber.org/protocol/muc#user'><item "
                                "affiliation='none' role='none'/><status code='307'/><status "
                                "code='110'/></x></presence>"));
    g_assert_cmpstr(fx.events->str, ==, "-aaa gone ");
    testbed_advance(&fx.tb, 0);
    g_assert_cmpuint(focus_registry_count(fx.reg), ==, 0);
    /* A new request starts over. */
    request(&fx, "new", ROOM);
    g_assert_cmpuint(focus_registry_count(fx.reg), ==, 1);
    fx_clear(&fx);
}

static void test_too_many_waiting(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    for (int i = 0; i < 65; i++) {
        g_autofree char *id = g_strdup_printf("w%d", i);
        request(&fx, id, ROOM);
    }
    int i = sent_find(&fx.tb, 0, "id=\"w64\"");
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpstr(pa_stanza_error_condition(sent_at(&fx.tb, i)), ==, "resource-constraint");
    self_joined(&fx, ROOM, TRUE);
    answer_iq(&fx, "muc#owner", "result", NULL);
    g_assert_cmpuint(sent_count(&fx.tb, 0, "ready=\"true\""), ==, 64);
    fx_clear(&fx);
}

static void count_free(gpointer data)
{
    (*(int *)data)++;
}

/* Later layers hang per-participant state on the participant: it is freed with it. */
static void test_participant_session_freed(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    FocusRoom *room = make_ready(&fx);
    occupant(&fx, "aaa", "owner");
    occupant(&fx, "bbb", "none");
    int freed = 0;
    FocusParticipant *p = focus_room_participant(room, "aaa");
    p->session = &freed;
    p->session_free = count_free;
    p = focus_room_participant(room, "bbb");
    p->session = &freed;
    p->session_free = count_free;
    int room_freed = 0;
    focus_room_set_data(room, &room_freed, count_free);
    g_assert_true(focus_room_get_data(room) == &room_freed);
    occupant_left(&fx, "aaa", NULL);
    g_assert_cmpint(freed, ==, 1);
    fx_clear(&fx); /* bbb and the room's data go with the registry */
    g_assert_cmpint(freed, ==, 2);
    g_assert_cmpint(room_freed, ==, 1);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Failures under test log warnings on purpose: only criticals abort. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/focus/room/create-and-answer", test_create_and_answer);
    g_test_add_func("/focus/room/create-timeout", test_create_timeout);
    g_test_add_func("/focus/room/muc-refuses", test_muc_refuses);
    g_test_add_func("/focus/room/config-refused", test_config_refused_destroys);
    g_test_add_func("/focus/room/occupants-and-owner", test_occupants_and_owner);
    g_test_add_func("/focus/room/grace-and-rejoin", test_grace_and_rejoin);
    g_test_add_func("/focus/room/nobody-joins", test_nobody_joins);
    g_test_add_func("/focus/room/request-while-destroying", test_request_while_destroying);
    g_test_add_func("/focus/room/reconnect-rejoin", test_reconnect_rejoin);
    g_test_add_func("/focus/room/destroy-survives-disconnect", test_destroy_survives_disconnect);
    g_test_add_func("/focus/room/focus-kicked", test_focus_kicked);
    g_test_add_func("/focus/room/too-many-waiting", test_too_many_waiting);
    g_test_add_func("/focus/room/session-freed", test_participant_session_freed);
    return g_test_run();
}
