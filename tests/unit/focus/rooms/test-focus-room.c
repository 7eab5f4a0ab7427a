/* SPDX-License-Identifier: MIT */
/* The room state machine, its listeners and the registry, driven by the stanzas a MUC service
 * sends (through a router with the registry's routes only), on the test bed's recording link
 * and stepped clock. */
#include "focus/rooms/registry.h"

#include "testbed.h"

#define ROOM "r1@conference.example.org"
#define OCC "focus.example.org/focus"

typedef struct {
    TestBed tb;
    FocusRegistry *reg;
    GString *events; /* listener trace: "+nick", "-nick", "ready", "gone" */
} Fixture;

static void h_joined(FocusRoom *room, FocusParticipant *p, gpointer state)
{
    g_string_append_printf(((Fixture *)state)->events, "+%s ", p->nick);
}

static void h_left(FocusRoom *room, FocusParticipant *p, gpointer state)
{
    g_string_append_printf(((Fixture *)state)->events, "-%s ", p->nick);
}

static void h_ready(FocusRoom *room, gpointer state)
{
    g_string_append(((Fixture *)state)->events, "ready ");
}

static void h_gone(FocusRoom *room, gpointer state)
{
    g_string_append(((Fixture *)state)->events, "gone ");
}

static const FocusRoomEvents trace_events = {
    .version = FOCUS_ROOM_EVENTS_VERSION,
    .participant_joined = h_joined,
    .participant_left = h_left,
    .ready = h_ready,
    .gone = h_gone,
};

static void trace_room(FocusRegistry *reg, FocusRoom *room, gpointer data)
{
    focus_room_add_listener(room, &trace_events, data, NULL);
}

static const FocusRegistryEvents trace_registry = {
    .version = FOCUS_REGISTRY_EVENTS_VERSION,
    .room_added = trace_room,
};

static void fx_init(Fixture *fx, guint grace_s)
{
    testbed_init(&fx->tb);
    fx->events = g_string_new("");
    FocusRoomSettings rs;
    focus_room_settings_init(&rs, "focus.example.org", grace_s);
    rs.muc_domain = TB_MUC;
    fx->reg = focus_registry_new(fx->tb.link, &rs);
    focus_registry_add_listener(fx->reg, &trace_registry, fx);
    focus_registry_add_routes(fx->reg, fx->tb.router);
}

static void fx_clear(Fixture *fx)
{
    focus_registry_free(fx->reg);
    g_string_free(fx->events, TRUE);
    testbed_clear(&fx->tb);
}

static void request(Fixture *fx, const char *id, const char *room)
{
    g_autofree char *from = g_strdup_printf("client-%s@example.org/r", id);
    testbed_request_room(&fx->tb, id, from, room);
}

/* Presence through the registry; returns whether a room took it. */
static gboolean presence(Fixture *fx, const char *fmt, ...) G_GNUC_PRINTF(2, 3);

static gboolean presence(Fixture *fx, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    g_autofree char *xml = g_strdup_vprintf(fmt, ap);
    va_end(ap);
    xmpp_stanza_t *p = stanza_from(&fx->tb, xml);
    gboolean taken = focus_registry_handle_presence(fx->reg, p);
    focus_link_run_due(fx->tb.link);
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

/* What the focus sends a room. */
#define JOIN STANZA(.name = "presence", .to = ROOM "/focus", .has = {{"x", NS_MUC}})
#define OWNER_FORM STANZA(.name = "iq", .type = "set", .to = ROOM, .has = {{"query", NS_MUC_OWNER}})
#define GRANT STANZA(.name = "iq", .type = "set", .to = ROOM, .has = {{"query", NS_MUC_ADMIN}})
#define DESTROY                                                                                    \
    STANZA(.name = "iq", .type = "set", .to = ROOM, .has = {{"query", NS_MUC_OWNER}, {"destroy"}})
#define REPLY(iq_id) STANZA(.name = "iq", .id = (iq_id))
#define READY_REPLY                                                                                \
    STANZA(.name = "iq", .type = "result", .has = {{"conference", NS_FOCUS, {"ready", "true"}}})
#define FIELD(var) ELEM(.name = "field", .attrs = {"var", var})

/* Answers the last IQ the focus sent that matches @p: a result, or an error with @condition. */
static void answer_iq(Fixture *fx, const StanzaPattern *p, const char *condition)
{
    int idx = sent_find_last(&fx->tb, p);
    g_assert_cmpint(idx, >=, 0);
    if (condition)
        testbed_answer_error(&fx->tb, idx, "cancel", condition, NULL);
    else
        testbed_answer(&fx->tb, idx, NULL);
}

/* A room from request to READY. */
static FocusRoom *make_ready(Fixture *fx)
{
    request(fx, "q1", ROOM);
    self_joined(fx, ROOM, TRUE);
    answer_iq(fx, OWNER_FORM, NULL);
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
    g_assert_cmpuint(sent_count(&fx.tb, 0, STANZA(.name = "presence")), ==, 1);
    xmpp_stanza_t *join = sent_at(&fx.tb, 0);
    g_assert_cmpstr(xmpp_stanza_get_to(join), ==, ROOM "/focus");
    g_assert_cmpstr(xmpp_stanza_get_from(join), ==, OCC);
    g_assert_nonnull(pa_stanza_child(join, "x", "http://jabber.org/protocol/muc"));
    g_assert_cmpint(sent_find(&fx.tb, 0, READY_REPLY), ==, -1);

    /* A participant presence before the room is ready is fine too (ignored for owner). */
    self_joined(&fx, ROOM, TRUE);
    FocusRoom *room = focus_registry_lookup(fx.reg, ROOM);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_CONFIGURING);
    g_assert_true(focus_room_created(room));
    int form = sent_find(&fx.tb, 0, OWNER_FORM);
    g_assert_cmpint(form, >=, 0);
    g_assert_true(stanza_has(sent_at(&fx.tb, form), FIELD("muc#roomconfig_whois")));
    g_assert_true(stanza_has(sent_at(&fx.tb, form), FIELD("muc#roomconfig_membersonly")));
    g_assert_cmpint(sent_find(&fx.tb, 0, READY_REPLY), ==, -1);

    answer_iq(&fx, OWNER_FORM, NULL);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);
    g_assert_cmpuint(sent_count(&fx.tb, 0, READY_REPLY), ==, 2);
    int r1 = sent_find(&fx.tb, 0, REPLY("q1"));
    g_assert_true(stanza_match(
        sent_at(&fx.tb, r1),
        STANZA(.type = "result", .to = "client-q1@example.org/r",
               .has = {{"conference",
                        NS_FOCUS,
                        {"focusjid", "focus.example.org", "room", ROOM, "ready", "true"}}})));
    g_assert_cmpstr(fx.events->str, ==, "ready ");

    /* Later requests are answered at once, without another join. */
    guint before = fx.tb.sent->len;
    request(&fx, "q3", ROOM);
    g_assert_cmpuint(fx.tb.sent->len, ==, before + 1);
    g_assert_cmpint(sent_find(&fx.tb, before, REPLY("q3")), ==, (int)before);
    fx_clear(&fx);
}

static void test_create_timeout(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    request(&fx, "q1", ROOM);
    testbed_advance(&fx.tb, 14999);
    g_assert_cmpint(sent_find(&fx.tb, 0, REPLY("q1")), ==, -1);
    testbed_advance(&fx.tb, 1);
    int i = sent_find(&fx.tb, 0, REPLY("q1"));
    g_assert_cmpint(i, >=, 0);
    g_assert_true(stanza_match(
        sent_at(&fx.tb, i), STANZA(.type = "error", .has = {{"error", NULL, {"type", "wait"}},
                                                            {"service-unavailable", NS_STANZAS}})));
    /* It does not stay as a ghost if the server was only slow. */
    g_assert_cmpint(
        sent_find(&fx.tb, 0,
                  STANZA(.name = "presence", .type = "unavailable", .to = ROOM "/focus")),
        >, 0);
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
    int i = sent_find(&fx.tb, 0, REPLY("q1"));
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpstr(pa_stanza_error_condition(sent_at(&fx.tb, i)), ==, "internal-server-error");
    g_autofree char *t = stanza_text_of(sent_at(&fx.tb, i), ELEM(.name = "text", .ns = NS_STANZAS));
    g_assert_nonnull(t);
    g_assert_nonnull(strstr(t, "not-allowed")); /* the reason names what the MUC said */
    testbed_advance(&fx.tb, 0);
    g_assert_cmpuint(focus_registry_count(fx.reg), ==, 0);
    fx_clear(&fx);
}

/* The server refuses the room's address (a name its stringprep prohibits): the request was
 * bad, so the client gets bad-request (not internal-server-error) and no room is left. */
static void test_muc_refuses_address(void)
{
    static const char *const conditions[] = {"jid-malformed", "bad-request"};
    for (guint c = 0; c < G_N_ELEMENTS(conditions); c++) {
        Fixture fx;
        fx_init(&fx, 5);
        request(&fx, "q1", ROOM);
        g_autofree char *err =
            g_strdup_printf("<presence type='error' from='" ROOM "/focus'><error type='modify'><%s "
                            "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/></error></presence>",
                            conditions[c]);
        g_assert_true(presence(&fx, "%s", err));
        int i = sent_find(&fx.tb, 0, REPLY("q1"));
        g_assert_cmpint(i, >=, 0);
        g_assert_cmpstr(pa_stanza_error_condition(sent_at(&fx.tb, i)), ==, "bad-request");
        xmpp_stanza_t *e = pa_stanza_child(sent_at(&fx.tb, i), "error", NULL);
        g_assert_cmpstr(xmpp_stanza_get_type(e), ==, "modify");
        testbed_advance(&fx.tb, 0);
        g_assert_cmpuint(focus_registry_count(fx.reg), ==, 0);
        fx_clear(&fx);
    }
}

static void test_config_refused_destroys(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    request(&fx, "q1", ROOM);
    self_joined(&fx, ROOM, TRUE);
    answer_iq(&fx, OWNER_FORM, "forbidden");
    int i = sent_find(&fx.tb, 0, REPLY("q1"));
    g_assert_cmpstr(pa_stanza_error_condition(sent_at(&fx.tb, i)), ==, "internal-server-error");
    /* The locked room it created is destroyed, not left behind. */
    g_assert_cmpint(sent_find(&fx.tb, 0, DESTROY), >, 0);
    FocusRoom *room = focus_registry_lookup(fx.reg, ROOM);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_DESTROYING);
    answer_iq(&fx, DESTROY, NULL);
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
    int g = sent_find(&fx.tb, mark, GRANT);
    g_assert_cmpint(g, >=, 0);
    g_assert_true(stanza_has(
        sent_at(&fx.tb, g),
        ELEM(.name = "item", .attrs = {"affiliation", "owner", "jid", "aaa@example.org"})));

    occupant(&fx, "bbb", "none");
    occupant(&fx, "ccc", "none");
    g_assert_cmpuint(sent_count(&fx.tb, mark, GRANT), ==, 1); /* one in flight */
    answer_iq(&fx, GRANT, NULL);
    g_assert_cmpint(a->affiliation, ==, FOCUS_MUC_AFFILIATION_OWNER);
    occupant(&fx, "aaa", "owner"); /* the server's presence update */
    g_assert_cmpuint(sent_count(&fx.tb, mark, GRANT), ==, 1);
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
    g = sent_find(&fx.tb, mark2, GRANT);
    g_assert_cmpint(g, >=, 0);
    g_assert_true(
        stanza_has(sent_at(&fx.tb, g), ELEM(.name = "item", .attrs = {"jid", "bbb@example.org"})));
    /* That grant fails: the next one in line gets it. */
    answer_iq(&fx, GRANT, "not-allowed");
    g = sent_find(&fx.tb, (guint)g + 1, GRANT);
    g_assert_cmpint(g, >=, 0);
    g_assert_true(
        stanza_has(sent_at(&fx.tb, g), ELEM(.name = "item", .attrs = {"jid", "ccc@example.org"})));
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
    g_assert_cmpint(sent_find(&fx.tb, 0, DESTROY), ==, -1);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);

    occupant_left(&fx, "aaa", "<status code='307'/>");
    testbed_advance(&fx.tb, 4999);
    g_assert_cmpint(sent_find(&fx.tb, 0, DESTROY), ==, -1);
    testbed_advance(&fx.tb, 1);
    int d = sent_find(&fx.tb, 0, DESTROY);
    g_assert_cmpint(d, >=, 0);
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
    g_assert_cmpint(sent_find(&fx.tb, 0, DESTROY), ==, -1);
    /* A repeated request restarts the wait. */
    request(&fx, "again", ROOM);
    testbed_advance(&fx.tb, 14999);
    g_assert_cmpint(sent_find(&fx.tb, 0, DESTROY), ==, -1);
    testbed_advance(&fx.tb, 1);
    g_assert_cmpint(sent_find(&fx.tb, 0, DESTROY), >=, 0);
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
    g_assert_cmpint(sent_find(&fx.tb, 0, DESTROY), >=, 0);
    request(&fx, "late", ROOM);
    g_assert_cmpint(sent_find(&fx.tb, 0, REPLY("late")), ==, -1);
    guint mark = fx.tb.sent->len;
    answer_iq(&fx, DESTROY, NULL);
    testbed_advance(&fx.tb, 0); /* reap: a new room for the waiting request */
    FocusRoom *again = focus_registry_lookup(fx.reg, ROOM);
    g_assert_nonnull(again);
    g_assert_cmpint(focus_room_state(again), ==, FOCUS_ROOM_JOINING);
    g_assert_cmpint(sent_find(&fx.tb, mark, JOIN), >=, 0);
    self_joined(&fx, ROOM, TRUE);
    answer_iq(&fx, OWNER_FORM, NULL);
    g_assert_cmpint(sent_find(&fx.tb, mark, REPLY("late")), >=, 0);
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
    g_assert_cmpint(sent_find(&fx.tb, mark, JOIN), >=, 0);
    occupant(&fx, "aaa", "owner");
    self_joined(&fx, ROOM, FALSE);
    g_assert_null(focus_room_participant(room, "bbb"));
    g_assert_nonnull(focus_room_participant(room, "aaa"));
    /* Re-configure without undoing what moderators set. */
    int form = sent_find(&fx.tb, mark, OWNER_FORM);
    g_assert_cmpint(form, >=, 0);
    g_assert_true(stanza_has(sent_at(&fx.tb, form), FIELD("muc#roomconfig_whois")));
    g_assert_false(stanza_has(sent_at(&fx.tb, form), FIELD("muc#roomconfig_membersonly")));
    answer_iq(&fx, OWNER_FORM, NULL);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);
    g_assert_cmpstr(fx.events->str, ==, "-bbb ready ");
    g_assert_cmpuint(sent_count(&fx.tb, mark, GRANT), ==, 0); /* aaa still owner */

    /* The server restarted and lost the room: the join re-creates it (201), nobody is in it. */
    go_offline(&fx);
    g_string_truncate(fx.events, 0);
    mark = fx.tb.sent->len;
    go_online(&fx);
    self_joined(&fx, ROOM, TRUE);
    form = sent_find(&fx.tb, mark, OWNER_FORM);
    g_assert_cmpint(form, >=, 0);
    g_assert_true(stanza_has(sent_at(&fx.tb, form), FIELD("muc#roomconfig_membersonly")));
    answer_iq(&fx, OWNER_FORM, NULL);
    g_assert_cmpstr(fx.events->str, ==, "-aaa ready ");
    g_assert_cmpuint(focus_room_participant_count(room), ==, 0);
    /* Nobody comes back: the conference ends after the start timeout. */
    testbed_advance(&fx.tb, 15000);
    g_assert_cmpint(sent_find(&fx.tb, mark, DESTROY), >=, 0);
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
    g_assert_cmpuint(sent_count(&fx.tb, 0, DESTROY), ==, 1);
    go_offline(&fx);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_DESTROYING);
    go_online(&fx);
    g_assert_cmpuint(sent_count(&fx.tb, 0, DESTROY), ==, 2);
    answer_iq(&fx, DESTROY, NULL);
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
    int i = sent_find(&fx.tb, 0, REPLY("w64"));
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpstr(pa_stanza_error_condition(sent_at(&fx.tb, i)), ==, "resource-constraint");
    self_joined(&fx, ROOM, TRUE);
    answer_iq(&fx, OWNER_FORM, NULL);
    g_assert_cmpuint(sent_count(&fx.tb, 0, READY_REPLY), ==, 64);
    fx_clear(&fx);
}

static void count_free(gpointer data)
{
    (*(int *)data)++;
}

/* ---- listeners ---- */

typedef struct {
    GString *trace;
    FocusRoom *room;
    FocusRoomListener *self;  /* this listener */
    FocusRoomListener *other; /* removed by this one when it hears a join */
    int freed;
} Probe;

static void probe_free(gpointer data)
{
    ((Probe *)data)->freed++;
}

static void probe_joined_a(FocusRoom *room, FocusParticipant *p, gpointer state)
{
    Probe *pr = state;
    g_string_append_printf(pr->trace, "a+%s ", p->nick);
    if (pr->other) { /* removes the next listener, then itself, mid-dispatch */
        focus_room_remove_listener(room, pr->other);
        pr->other = NULL;
        focus_room_remove_listener(room, pr->self);
        g_assert_cmpint(pr->freed, ==, 0); /* its state lives until the dispatch is over */
        g_string_append(pr->trace, "(a still here) ");
    }
}

static void probe_joined_b(FocusRoom *room, FocusParticipant *p, gpointer state)
{
    g_string_append_printf(((Probe *)state)->trace, "b+%s ", p->nick);
}

static const FocusRoomEvents probe_a = {
    .version = FOCUS_ROOM_EVENTS_VERSION,
    .participant_joined = probe_joined_a,
};
static const FocusRoomEvents probe_b = {
    .version = FOCUS_ROOM_EVENTS_VERSION,
    .participant_joined = probe_joined_b,
};

/* Any number of listeners, in order, each with its own typed state; one may remove any
 * listener (itself included) while an event is being dispatched; state is freed with the
 * listener or the room. */
static void test_listeners(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    FocusRoom *room = make_ready(&fx);
    GString *trace = g_string_new("");
    Probe a = {trace, room, NULL, NULL, 0}, b = {trace, room, NULL, NULL, 0};
    a.self = focus_room_add_listener(room, &probe_a, &a, probe_free);
    b.self = focus_room_add_listener(room, &probe_b, &b, probe_free);
    g_assert_true(FOCUS_ROOM_STATE(room, &probe_a, Probe) == &a);
    g_assert_true(FOCUS_ROOM_STATE(room, &probe_b, Probe) == &b);
    occupant(&fx, "aaa", "owner");
    g_assert_cmpstr(trace->str, ==, "a+aaa b+aaa ");

    g_string_truncate(trace, 0);
    a.other = b.self;
    occupant(&fx, "bbb", "none");
    /* a removed b before b's turn, and itself: neither hears anything after. */
    g_assert_cmpstr(trace->str, ==, "a+bbb (a still here) ");
    g_assert_cmpint(a.freed, ==, 1);
    g_assert_cmpint(b.freed, ==, 1);
    g_assert_null(focus_room_listener_state(room, &probe_a));
    g_assert_null(focus_room_listener_state(room, &probe_b));
    occupant(&fx, "ccc", "none");
    g_assert_cmpstr(trace->str, ==, "a+bbb (a still here) ");
    /* The registry's own listeners kept hearing everything. */
    g_assert_cmpstr(fx.events->str, ==, "ready +aaa +bbb +ccc ");

    /* State still attached when the room is freed goes with it. */
    int room_freed = 0;
    focus_room_add_listener(room, &probe_b, &room_freed, count_free);
    fx_clear(&fx);
    g_assert_cmpint(room_freed, ==, 1);
    g_string_free(trace, TRUE);
}

/* Layers hear a configuration change through their listener. */
static void on_config(FocusRoom *room, gpointer state)
{
    (*(int *)state)++;
}

static const FocusRoomEvents config_events = {
    .version = FOCUS_ROOM_EVENTS_VERSION,
    .config_changed = on_config,
};

static void test_config_changed(void)
{
    Fixture fx;
    fx_init(&fx, 5);
    FocusRoom *room = make_ready(&fx);
    int changes = 0;
    focus_room_add_listener(room, &config_events, &changes, NULL);
    testbed_receive(&fx.tb, "<message type='groupchat' from='" ROOM "'><x xmlns='" NS_MUC_USER
                            "'><status code='104'/></x></message>");
    g_assert_cmpint(changes, ==, 1);
    /* Other room messages, and status 104 from another room, are nothing to the listener. */
    testbed_receive(&fx.tb,
                    "<message type='groupchat' from='" ROOM "/aaa'><body>hi</body></message>");
    testbed_receive(&fx.tb, "<message type='groupchat' from='other@" TB_MUC
                            "'><x xmlns='" NS_MUC_USER "'><status code='104'/></x></message>");
    g_assert_cmpint(changes, ==, 1);
    fx_clear(&fx);
}

/* Ending a room on request: listeners hear destroying at once (as for an empty room), the
 * destroy carries the reason, a second request changes nothing, and gone says whether the
 * MUC service destroyed it. */
static void on_end_destroying(FocusRoom *room, gpointer state)
{
    g_string_append(state, "destroying ");
}

static void on_end_gone(FocusRoom *room, gpointer state)
{
    g_string_append_printf(state, "gone(%s) ", focus_room_destroyed(room) ? "destroyed" : "left");
}

static const FocusRoomEvents end_events = {
    .version = FOCUS_ROOM_EVENTS_VERSION,
    .destroying = on_end_destroying,
    .gone = on_end_gone,
};

static void test_end(void)
{
    for (guint fail = 0; fail < 2; fail++) {
        Fixture fx;
        fx_init(&fx, 5);
        FocusRoom *room = make_ready(&fx);
        g_autoptr(GString) t = g_string_new("");
        focus_room_add_listener(room, &end_events, t, NULL);
        occupant(&fx, "aaa", "owner");
        guint mark = testbed_mark(&fx.tb);
        g_assert_true(focus_room_end(room, "Bye now"));
        g_assert_cmpstr(t->str, ==, "destroying ");
        g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_DESTROYING);
        int d = sent_find(&fx.tb, mark, DESTROY);
        g_assert_cmpint(d, >=, 0);
        g_autofree char *reason = stanza_text_of(sent_at(&fx.tb, d), ELEM(.name = "reason"));
        g_assert_cmpstr(reason, ==, "Bye now");
        g_assert_true(focus_room_end(room, "again"));
        g_assert_cmpuint(sent_count(&fx.tb, mark, DESTROY), ==, 1);
        g_assert_cmpstr(t->str, ==, "destroying ");
        if (fail)
            testbed_answer_error(&fx.tb, d, "cancel", "forbidden", NULL);
        else
            testbed_answer(&fx.tb, d, NULL);
        g_assert_cmpstr(t->str, ==,
                        fail ? "destroying gone(left) " : "destroying gone(destroyed) ");
        g_assert_cmpstr(fx.events->str, ==, "ready +aaa -aaa gone ");
        g_assert_null(focus_registry_lookup(fx.reg, ROOM)); /* gone, and freed */
        fx_clear(&fx);
    }

    /* A room that stayed empty is destroyed the same way, with the default reason. */
    Fixture fx;
    fx_init(&fx, 5);
    FocusRoom *room = make_ready(&fx);
    g_autoptr(GString) t = g_string_new("");
    focus_room_add_listener(room, &end_events, t, NULL);
    testbed_advance(&fx.tb, 20000);
    g_assert_cmpstr(t->str, ==, "destroying ");
    int d = sent_find(&fx.tb, 0, DESTROY);
    g_assert_cmpint(d, >=, 0);
    g_autofree char *reason = stanza_text_of(sent_at(&fx.tb, d), ELEM(.name = "reason"));
    g_assert_cmpstr(reason, ==, "The conference has ended");
    fx_clear(&fx);

    /* Before it is READY there is nothing to end. */
    fx_init(&fx, 5);
    request(&fx, "q1", ROOM);
    g_assert_false(focus_room_end(focus_registry_lookup(fx.reg, ROOM), NULL));
    g_assert_cmpuint(sent_count(&fx.tb, 0, DESTROY), ==, 0);
    fx_clear(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Failures under test log warnings on purpose: only criticals abort. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/focus/room/create-and-answer", test_create_and_answer);
    g_test_add_func("/focus/room/create-timeout", test_create_timeout);
    g_test_add_func("/focus/room/muc-refuses", test_muc_refuses);
    g_test_add_func("/focus/room/muc-refuses-address", test_muc_refuses_address);
    g_test_add_func("/focus/room/config-refused", test_config_refused_destroys);
    g_test_add_func("/focus/room/occupants-and-owner", test_occupants_and_owner);
    g_test_add_func("/focus/room/grace-and-rejoin", test_grace_and_rejoin);
    g_test_add_func("/focus/room/nobody-joins", test_nobody_joins);
    g_test_add_func("/focus/room/request-while-destroying", test_request_while_destroying);
    g_test_add_func("/focus/room/reconnect-rejoin", test_reconnect_rejoin);
    g_test_add_func("/focus/room/destroy-survives-disconnect", test_destroy_survives_disconnect);
    g_test_add_func("/focus/room/focus-kicked", test_focus_kicked);
    g_test_add_func("/focus/room/too-many-waiting", test_too_many_waiting);
    g_test_add_func("/focus/room/listeners", test_listeners);
    g_test_add_func("/focus/room/config-changed", test_config_changed);
    g_test_add_func("/focus/room/end", test_end);
    return g_test_run();
}
