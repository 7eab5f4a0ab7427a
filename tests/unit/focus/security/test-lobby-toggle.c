/* SPDX-License-Identifier: MIT */
/* The lobby and the password turned on and off: who may, the member grants and the
 * configuration form they lead to, and what happens when the MUC refuses. */
#include "lobby-test-util.h"

static void test_toggle_forbidden(void)
{
    T t;
    t_init(&t, NULL);
    const char *who[] = {
        bob.real_jid, carl.real_jid, "ann@example.org/elsewhere", K1, "focus.example.org/focus",
        NULL};
    for (guint i = 0; i < G_N_ELEMENTS(who); i++) {
        reset(&t);
        focus_lobby_request_toggle(t.lobby, &room, who[i], TRUE, g_strdup("r"), t.acts);
        g_assert_cmpint(status_of(&t, "r"), ==, FOCUS_LOBBY_ERR_FORBIDDEN);
        g_assert_cmpuint(t.acts->len, ==, 1);
        reset(&t);
        focus_lobby_request_password(t.lobby, &room, who[i], "x", g_strdup("r"), t.acts);
        g_assert_cmpint(status_of(&t, "r"), ==, FOCUS_LOBBY_ERR_FORBIDDEN);
        g_assert_cmpuint(t.acts->len, ==, 1);
    }
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_OFF);
    g_assert_false(focus_lobby_has_password(t.lobby));
    g_assert_cmpuint(released, ==, 2 * G_N_ELEMENTS(who));
    t_clear(&t);
}

static void test_enable(void)
{
    T t;
    t_init(&t, NULL);
    /* dora is a moderator by role: she may toggle too. */
    focus_lobby_request_toggle(t.lobby, &room, dora.real_jid, TRUE, g_strdup("on"), t.acts);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_ENABLING);
    g_assert_false(focus_lobby_enabled(t.lobby));
    /* One grant per account without affiliation: bob's two sessions share one; ann (owner) and
     * carl (member) keep theirs (a member grant would demote an owner); ghost has no JID. */
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_GRANT_MEMBER), ==, 2);
    guint op_bob = grant_op(&t, "b1@anon.example.org");
    guint op_dora = grant_op(&t, "dora@example.org");
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_SUBMIT_CONFIG), ==, 0);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_REPLY), ==, 0);
    g_assert_cmpuint(focus_lobby_ops_in_flight(t.lobby), ==, 2);

    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op_bob, TRUE, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0); /* still waiting for dora's grant */
    focus_lobby_op_done(t.lobby, &room, op_dora, TRUE, t.acts);
    FocusLobbyAction *cfg = config_action(&t);
    g_assert_true(cfg->members_only);
    g_assert_null(cfg->secret);
    g_assert_cmpuint(t.acts->len, ==, 1);
    guint op_cfg = cfg->op;

    /* A second toggle while this one is in flight: busy. */
    reset(&t);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, FALSE, g_strdup("off"), t.acts);
    g_assert_cmpint(status_of(&t, "off"), ==, FOCUS_LOBBY_ERR_BUSY);

    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op_cfg, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "on"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_ON);
    g_assert_true(focus_lobby_enabled(t.lobby));
    /* Every occupant with a real JID hears about it. */
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 5);
    FocusLobbyAction *st = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE, bob2.real_jid, 0);
    g_assert_nonnull(st);
    g_assert_true(st->enabled);
    g_assert_false(st->has_password);
    g_assert_cmpuint(focus_lobby_ops_in_flight(t.lobby), ==, 0);

    /* Already on: answered at once, nothing else. */
    reset(&t);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, TRUE, g_strdup("again"), t.acts);
    g_assert_cmpint(status_of(&t, "again"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpuint(t.acts->len, ==, 1);
    /* An unknown or repeated op report changes nothing. */
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op_cfg, TRUE, t.acts);
    focus_lobby_op_done(t.lobby, &room, 9999, FALSE, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    g_assert_cmpint(released, ==, 3);
    t_clear(&t);
}

static void test_enable_everyone_already_member(void)
{
    T t;
    t_init(&t, NULL);
    FocusLobbyOccupant items[] = {ann, carl, eve, ghost};
    FocusLobbyRoster r = {items, G_N_ELEMENTS(items)};
    focus_lobby_request_toggle(t.lobby, &r, eve.real_jid, TRUE, g_strdup("on"), t.acts);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_GRANT_MEMBER), ==, 0);
    guint op = config_action(&t)->op;
    reset(&t);
    focus_lobby_op_done(t.lobby, &r, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "on"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_ON);
    t_clear(&t);
}

static void test_enable_grant_fails(void)
{
    T t;
    t_init(&t, NULL);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, TRUE, g_strdup("on"), t.acts);
    guint op_bob = grant_op(&t, "b1@anon.example.org");
    guint op_dora = grant_op(&t, "dora@example.org");
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op_bob, FALSE, t.acts);
    focus_lobby_op_done(t.lobby, &room, op_dora, TRUE, t.acts);
    /* Members-only now would throw bob out: the lobby stays off. */
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_SUBMIT_CONFIG), ==, 0);
    g_assert_cmpint(status_of(&t, "on"), ==, FOCUS_LOBBY_ERR_MUC_FAILED);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_OFF);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 0);
    /* And it can be tried again. */
    enable(&t, &room);
    t_clear(&t);
}

static void test_enable_config_fails(void)
{
    T t;
    t_init(&t, NULL);
    FocusLobbyOccupant items[] = {ann};
    FocusLobbyRoster r = {items, 1};
    focus_lobby_request_toggle(t.lobby, &r, ann.real_jid, TRUE, g_strdup("on"), t.acts);
    guint op = config_action(&t)->op;
    reset(&t);
    /* A knock arriving while the form is in flight is kept... */
    g_autofree char *id = knock(&t, &r, K1, "Kim");
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 1);
    focus_lobby_op_done(t.lobby, &r, op, FALSE, t.acts);
    g_assert_cmpint(status_of(&t, "on"), ==, FOCUS_LOBBY_ERR_MUC_FAILED);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_OFF);
    /* ... and told the room is open when the lobby does not come. */
    FocusLobbyAction *n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K1, 0);
    g_assert_nonnull(n);
    g_assert_true(n->to_knocker);
    g_assert_cmpstr(n->knock_id, ==, id);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_OPEN);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 0);
    t_clear(&t);
}

static void test_newcomers_while_enabling(void)
{
    T t;
    t_init(&t, NULL);
    FocusLobbyOccupant items[] = {ann, bob, dora, carl};
    FocusLobbyRoster r = {items, 2};
    focus_lobby_request_toggle(t.lobby, &r, ann.real_jid, TRUE, g_strdup("on"), t.acts);
    guint op_bob = grant_op(&t, "b1@anon.example.org");
    reset(&t);
    /* dora joins before bob's grant is done: she needs membership too, and the form waits. */
    r.n = 3;
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    guint op_dora = grant_op(&t, "dora@example.org");
    reset(&t);
    focus_lobby_roster_changed(t.lobby, &r, t.acts); /* no second grant for the same JID */
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_GRANT_MEMBER), ==, 0);
    focus_lobby_op_done(t.lobby, &r, op_bob, TRUE, t.acts);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_SUBMIT_CONFIG), ==, 0);
    focus_lobby_op_done(t.lobby, &r, op_dora, TRUE, t.acts);
    guint op_cfg = config_action(&t)->op;
    reset(&t);
    /* Someone joining while the form is in flight still gets a grant (best effort; the form
     * does not wait for it any more). */
    FocusLobbyOccupant late = {"lee", "lee@anon.example.org/z", FOCUS_MUC_ROLE_PARTICIPANT,
                               FOCUS_MUC_AFFILIATION_NONE};
    items[3] = late;
    r.n = 4;
    focus_lobby_roster_changed(t.lobby, &r, t.acts);
    guint op_late = grant_op(&t, "lee@anon.example.org");
    reset(&t);
    focus_lobby_op_done(t.lobby, &r, op_cfg, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "on"), ==, FOCUS_LOBBY_OK);
    reset(&t);
    focus_lobby_op_done(t.lobby, &r, op_late, FALSE, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_ON);
    t_clear(&t);
}

static void test_disable(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &room);
    g_autofree char *id1 = knock(&t, &room, K1, "Kim");
    g_autofree char *id2 = knock(&t, &room, K2, "Lou");
    /* K2 is being admitted when the lobby goes off: its grant finishes on its own. */
    focus_lobby_request_admit(t.lobby, &room, ann.real_jid, id2, g_strdup("admit"), t.acts);
    guint op_admit = grant_op(&t, "k2@anon.example.org");
    reset(&t);

    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, FALSE, g_strdup("off"), t.acts);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_DISABLING);
    g_assert_true(focus_lobby_enabled(t.lobby)); /* still members-only until the form is done */
    FocusLobbyAction *cfg = config_action(&t);
    g_assert_false(cfg->members_only);
    g_assert_null(cfg->secret);
    guint op = cfg->op;

    /* Failure: still on, knocks still waiting. */
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, FALSE, t.acts);
    g_assert_cmpint(status_of(&t, "off"), ==, FOCUS_LOBBY_ERR_MUC_FAILED);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_ON);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 2);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 0);

    reset(&t);
    focus_lobby_request_toggle(t.lobby, &room, dora.real_jid, FALSE, g_strdup("off2"), t.acts);
    op = config_action(&t)->op;
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "off2"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_OFF);
    FocusLobbyAction *n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K1, 0);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_OPEN);
    g_assert_cmpstr(n->knock_id, ==, id1);
    g_assert_null(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K2, 0));
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 5);
    g_assert_false(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE, ann.real_jid, 0)->enabled);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 1);

    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op_admit, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "admit"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpint(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K2, 0)->knock_status, ==,
                    FOCUS_LOBBY_KNOCK_ADMITTED);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 0);

    /* Off while off: OK at once. */
    reset(&t);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, FALSE, g_strdup("off3"), t.acts);
    g_assert_cmpint(status_of(&t, "off3"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpuint(t.acts->len, ==, 1);
    t_clear(&t);
}

static void test_password_lobby_off(void)
{
    T t;
    t_init(&t, NULL);
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "s3cret", g_strdup("pw"), t.acts);
    FocusLobbyAction *cfg = config_action(&t);
    g_assert_false(cfg->members_only);
    g_assert_cmpstr(cfg->secret, ==, "s3cret");
    guint op = cfg->op;
    g_assert_false(focus_lobby_has_password(t.lobby)); /* not before the room took it */
    reset(&t);
    /* Busy meanwhile: a toggle and another password wait their turn. */
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "other", g_strdup("pw2"), t.acts);
    g_assert_cmpint(status_of(&t, "pw2"), ==, FOCUS_LOBBY_ERR_BUSY);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, TRUE, g_strdup("on"), t.acts);
    g_assert_cmpint(status_of(&t, "on"), ==, FOCUS_LOBBY_ERR_BUSY);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, FALSE, g_strdup("off"), t.acts);
    g_assert_cmpint(status_of(&t, "off"), ==, FOCUS_LOBBY_ERR_BUSY);
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "pw"), ==, FOCUS_LOBBY_OK);
    g_assert_true(focus_lobby_has_password(t.lobby));
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 5);
    FocusLobbyAction *st = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE, carl.real_jid, 0);
    g_assert_true(st->has_password);
    g_assert_false(st->enabled);

    /* The same password again: nothing to do. */
    reset(&t);
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "s3cret", g_strdup("same"), t.acts);
    g_assert_cmpint(status_of(&t, "same"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpuint(t.acts->len, ==, 1);

    /* A change that the room refuses leaves the old one. */
    reset(&t);
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "new", g_strdup("chg"), t.acts);
    op = config_action(&t)->op;
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, FALSE, t.acts);
    g_assert_cmpint(status_of(&t, "chg"), ==, FOCUS_LOBBY_ERR_MUC_FAILED);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 0);

    /* A change that keeps "has a password" notifies nobody. */
    reset(&t);
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "new", g_strdup("chg2"), t.acts);
    op = config_action(&t)->op;
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "chg2"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 0);

    /* "" removes it: the form says no secret. */
    reset(&t);
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "", g_strdup("rm"), t.acts);
    cfg = config_action(&t);
    g_assert_null(cfg->secret);
    g_assert_false(cfg->members_only);
    op = cfg->op;
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "rm"), ==, FOCUS_LOBBY_OK);
    g_assert_false(focus_lobby_has_password(t.lobby));
    g_assert_false(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE, ann.real_jid, 0)->has_password);
    t_clear(&t);
}

static void test_password_with_lobby(void)
{
    T t;
    t_init(&t, NULL);
    /* Password first, then the lobby: the members-only form takes the secret off the room. */
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "pw1", g_strdup("pw"), t.acts);
    guint op = config_action(&t)->op;
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "pw"), ==, FOCUS_LOBBY_OK);
    reset(&t);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, TRUE, g_strdup("on"), t.acts);
    guint g1 = grant_op(&t, "b1@anon.example.org"), g2 = grant_op(&t, "dora@example.org");
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, g1, TRUE, t.acts);
    focus_lobby_op_done(t.lobby, &room, g2, TRUE, t.acts);
    FocusLobbyAction *cfg = config_action(&t);
    g_assert_true(cfg->members_only);
    g_assert_null(cfg->secret);
    op = cfg->op;
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "on"), ==, FOCUS_LOBBY_OK);
    g_assert_true(focus_lobby_has_password(t.lobby));
    FocusLobbyAction *st = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE, bob.real_jid, 0);
    g_assert_true(st->enabled && st->has_password);

    /* With the lobby on, a new password is the focus's alone: no form. */
    reset(&t);
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "pw2", g_strdup("pw2"), t.acts);
    g_assert_cmpint(status_of(&t, "pw2"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpuint(t.acts->len, ==, 1);
    reset(&t);
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, NULL, g_strdup("rm"), t.acts);
    g_assert_cmpint(status_of(&t, "rm"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_SUBMIT_CONFIG), ==, 0);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_STATE), ==, 5);
    g_assert_false(focus_lobby_has_password(t.lobby));
    reset(&t);
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "pw3", g_strdup("pw3"), t.acts);
    g_assert_cmpint(status_of(&t, "pw3"), ==, FOCUS_LOBBY_OK);

    /* Lobby off again: the same form that lifts members-only sets the secret back. */
    reset(&t);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, FALSE, g_strdup("off"), t.acts);
    cfg = config_action(&t);
    g_assert_false(cfg->members_only);
    g_assert_cmpstr(cfg->secret, ==, "pw3");
    op = cfg->op;
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "off"), ==, FOCUS_LOBBY_OK);
    g_assert_true(focus_lobby_has_password(t.lobby));
    t_clear(&t);
}

void lobby_add_toggle_tests(void)
{
    g_test_add_func("/lobby/toggle-forbidden", test_toggle_forbidden);
    g_test_add_func("/lobby/enable", test_enable);
    g_test_add_func("/lobby/enable-everyone-member", test_enable_everyone_already_member);
    g_test_add_func("/lobby/enable-grant-fails", test_enable_grant_fails);
    g_test_add_func("/lobby/enable-config-fails", test_enable_config_fails);
    g_test_add_func("/lobby/newcomers-while-enabling", test_newcomers_while_enabling);
    g_test_add_func("/lobby/disable", test_disable);
    g_test_add_func("/lobby/password-lobby-off", test_password_lobby_off);
    g_test_add_func("/lobby/password-with-lobby", test_password_with_lobby);
}
