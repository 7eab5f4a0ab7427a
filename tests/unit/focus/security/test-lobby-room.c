/* SPDX-License-Identifier: MIT */
/* The room's events: who is there now, the conference ending, a room the server lost and the
 * focus re-created, and a configuration changed from outside. */
#include "lobby-test-util.h"

static void test_roster_changes(void)
{
    T t;
    t_init(&t, NULL);
    FocusLobbyOccupant items[4] = {ann, bob, carl};
    FocusLobbyRoster r = {items, 3};
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0); /* lobby off, no password: nothing to tell */
    enable(&t, &r);
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0); /* nobody new */
    g_autofree char *a = knock(&t, &r, K1, "A");
    g_autofree char *b = knock(&t, &r, K2, "B");

    /* dora joins as a moderator: the state and both pending knocks, once. */
    items[3] = dora;
    r.n = 4;
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 1);
    g_assert_true(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE, dora.real_jid, 0)->enabled);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 2);
    g_assert_cmpstr(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, dora.real_jid, 0)->knock_id, ==, a);
    g_assert_cmpstr(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, dora.real_jid, 1)->knock_id, ==, b);
    reset(&t);
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);

    /* bob is promoted: he gets the pending list now. */
    items[1].affiliation = FOCUS_MUC_AFFILIATION_OWNER;
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 2);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 0);
    reset(&t);
    /* Demoted and promoted again: told again (his client may have dropped the list). */
    items[1].affiliation = FOCUS_MUC_AFFILIATION_MEMBER;
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    items[1].role = FOCUS_MUC_ROLE_MODERATOR;
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 2);
    reset(&t);

    /* dora leaves and comes back: a newcomer again. */
    r.n = 3;
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    r.n = 4;
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 2);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 1);
    reset(&t);

    /* A knocker who turns up inside the room (already a member, say): its knock is moot. */
    FocusLobbyOccupant k1 = {"kk", K1, FOCUS_MUC_ROLE_PARTICIPANT, FOCUS_MUC_AFFILIATION_MEMBER};
    items[2] = k1;
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 1);
    FocusLobbyAction *n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, ann.real_jid, 0);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_CANCELLED);
    g_assert_cmpstr(n->knock_id, ==, a);
    g_assert_nonnull(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE, K1, 0));
    t_clear(&t);
}

static void test_room_ended(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &room);
    set_password_on(&t, "pw");
    g_autofree char *a = knock(&t, &room, K1, "A");
    g_autofree char *b = knock(&t, &room, K2, "B");
    focus_lobby_request_admit(t.lobby, &room, ann.real_jid, b, g_strdup("admit"), t.acts);
    guint op = grant_op(&t, "k2@anon.example.org");
    reset(&t);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, FALSE, g_strdup("off"), t.acts);
    guint op_cfg = config_action(&t)->op;
    reset(&t);

    focus_lobby_room_ended(t.lobby, t.acts);
    g_assert_cmpint(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K1, 0)->knock_status, ==,
                    FOCUS_LOBBY_KNOCK_ENDED);
    g_assert_cmpint(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K2, 0)->knock_status, ==,
                    FOCUS_LOBBY_KNOCK_ENDED);
    g_assert_null(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, ann.real_jid, 0));
    g_assert_cmpint(status_of(&t, "admit"), ==, FOCUS_LOBBY_ERR_ENDED);
    g_assert_cmpint(status_of(&t, "off"), ==, FOCUS_LOBBY_ERR_ENDED);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 0);
    g_assert_cmpuint(focus_lobby_ops_in_flight(t.lobby), ==, 0);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_OFF);
    g_assert_false(focus_lobby_has_password(t.lobby));
    /* Late results of forgotten operations change nothing. */
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    focus_lobby_op_done(t.lobby, &room, op_cfg, TRUE, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    t_clear(&t);
}

static void test_room_ended_while_enabling(void)
{
    T t;
    t_init(&t, NULL);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, TRUE, g_strdup("on"), t.acts);
    guint op = grant_op(&t, "b1@anon.example.org");
    reset(&t);
    focus_lobby_room_ended(t.lobby, t.acts);
    g_assert_cmpint(status_of(&t, "on"), ==, FOCUS_LOBBY_ERR_ENDED);
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    g_assert_cmpint(released, ==, 1);
    t_clear(&t);
}

static void test_reapply(void)
{
    T t;
    t_init(&t, NULL);
    focus_lobby_reapply(t.lobby, &room, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0); /* nothing to re-apply */
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "pw", g_strdup("pw"), t.acts);
    guint op = config_action(&t)->op;
    reset(&t);
    focus_lobby_reapply(t.lobby, &room, t.acts); /* busy: ignored */
    g_assert_cmpuint(t.acts->len, ==, 0);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "pw"), ==, FOCUS_LOBBY_OK);
    reset(&t);
    focus_lobby_reapply(t.lobby, &room, t.acts);
    FocusLobbyAction *cfg = config_action(&t);
    g_assert_false(cfg->members_only);
    g_assert_cmpstr(cfg->secret, ==, "pw");
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_REPLY), ==, 0);
    op = cfg->op;
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);

    /* Lobby on: the re-created room needs the grants and members-only again. */
    enable(&t, &room);
    focus_lobby_reapply(t.lobby, &room, t.acts);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_ENABLING);
    guint g1 = grant_op(&t, "b1@anon.example.org"), g2 = grant_op(&t, "dora@example.org");
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, g1, TRUE, t.acts);
    focus_lobby_op_done(t.lobby, &room, g2, TRUE, t.acts);
    cfg = config_action(&t);
    g_assert_true(cfg->members_only);
    g_assert_null(cfg->secret);
    op = cfg->op;
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_ON);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_REPLY), ==, 0);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 5);
    t_clear(&t);
}

static void test_adopt(void)
{
    T t;
    t_init(&t, NULL);
    /* Nothing new: nothing happens. */
    focus_lobby_adopt_config(t.lobby, &room, FALSE, FALSE, NULL, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    /* A client set a password on the room directly. */
    focus_lobby_adopt_config(t.lobby, &room, FALSE, TRUE, "direct", t.acts);
    g_assert_true(focus_lobby_has_password(t.lobby));
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 5);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_SUBMIT_CONFIG), ==, 0);
    reset(&t);
    focus_lobby_adopt_config(t.lobby, &room, FALSE, TRUE, "direct", t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    /* ... and made it members-only, keeping the secret: the focus takes the secret off. */
    focus_lobby_adopt_config(t.lobby, &room, TRUE, TRUE, "direct2", t.acts);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_ON);
    FocusLobbyAction *cfg = config_action(&t);
    g_assert_true(cfg->members_only);
    g_assert_null(cfg->secret);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 5);
    guint op = cfg->op;
    reset(&t);
    focus_lobby_adopt_config(t.lobby, &room, FALSE, FALSE, NULL, t.acts); /* busy: ignored */
    g_assert_cmpuint(t.acts->len, ==, 0);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    /* Members-only without a secret is what the focus itself leaves: the password stays. */
    focus_lobby_adopt_config(t.lobby, &room, TRUE, FALSE, NULL, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    g_assert_true(focus_lobby_has_password(t.lobby));
    /* A knock that arrives now, then someone lifts members-only directly: told OPEN. */
    g_autofree char *id = knock(&t, &room, K1, "Kim");
    focus_lobby_adopt_config(t.lobby, &room, FALSE, FALSE, "", t.acts);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_OFF);
    g_assert_false(focus_lobby_has_password(t.lobby));
    g_assert_cmpint(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K1, 0)->knock_status, ==,
                    FOCUS_LOBBY_KNOCK_OPEN);
    FocusLobbyAction *st = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE, ann.real_jid, 0);
    g_assert_false(st->enabled);
    g_assert_false(st->has_password);
    t_clear(&t);
}

void lobby_add_room_tests(void)
{
    g_test_add_func("/lobby/roster-changes", test_roster_changes);
    g_test_add_func("/lobby/room-ended", test_room_ended);
    g_test_add_func("/lobby/room-ended-while-enabling", test_room_ended_while_enabling);
    g_test_add_func("/lobby/reapply", test_reapply);
    g_test_add_func("/lobby/adopt", test_adopt);
}
