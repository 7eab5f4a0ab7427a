/* SPDX-License-Identifier: MIT */
/* The lobby's decisions: who may do what, which MUC operations and notifications each request
 * leads to, and what happens when those operations succeed or fail. Requests are strings whose
 * release is counted, so a request answered twice, never, or leaked shows up. */
#include "lobby-test-util.h"

/* ---- tests ---- */

static void test_names_and_defaults(void)
{
    FocusLobbySettings s;
    focus_lobby_settings_init(&s);
    g_assert_cmpuint(s.max_knocks, ==, 50);
    g_assert_cmpint(s.knock_ttl_us, ==, 600 * G_USEC_PER_SEC);
    for (int i = FOCUS_LOBBY_KNOCK_PENDING; i <= FOCUS_LOBBY_KNOCK_ENDED; i++)
        g_assert_cmpstr(focus_lobby_knock_status_str(i), !=, "?");
    for (int i = FOCUS_LOBBY_OK; i <= FOCUS_LOBBY_ERR_ENDED; i++)
        g_assert_cmpstr(focus_lobby_status_str(i), !=, "?");
    for (int i = FOCUS_LOBBY_ACTION_GRANT_MEMBER; i <= FOCUS_LOBBY_ACTION_REPLY; i++)
        g_assert_cmpstr(focus_lobby_action_kind_str(i), !=, "?");
    for (int i = FOCUS_LOBBY_PHASE_OFF; i <= FOCUS_LOBBY_PHASE_DISABLING; i++)
        g_assert_cmpstr(focus_lobby_phase_str(i), !=, "?");
    g_assert_cmpstr(focus_lobby_knock_status_str(FOCUS_LOBBY_KNOCK_OPEN), ==, "open");
}

static void test_moderators(void)
{
    g_assert_true(focus_lobby_occupant_is_moderator(&ann));
    g_assert_true(focus_lobby_occupant_is_moderator(&dora));
    g_assert_true(focus_lobby_occupant_is_moderator(&eve));
    g_assert_false(focus_lobby_occupant_is_moderator(&bob));
    g_assert_false(focus_lobby_occupant_is_moderator(&carl));
    g_assert_false(focus_lobby_occupant_is_moderator(NULL));
    /* Found by full real JID; the domain compares case-insensitively, the resource does not. */
    g_assert_true(focus_lobby_roster_find(&room, "ann@EXAMPLE.org/web") == &room_items[0]);
    g_assert_null(focus_lobby_roster_find(&room, "ann@example.org/other"));
    g_assert_null(focus_lobby_roster_find(&room, "ann@example.org"));
    g_assert_null(focus_lobby_roster_find(&room, NULL));
    g_assert_null(focus_lobby_roster_find(NULL, "ann@example.org/web"));
}

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

static void test_knock_lobby_off(void)
{
    T t;
    t_init(&t, NULL);
    focus_lobby_request_knock(t.lobby, &room, t.now, K1, "Kim", "whatever", g_strdup("k"), t.acts);
    FocusLobbyAction *r = reply_to(&t, "k");
    g_assert_cmpint(r->status, ==, FOCUS_LOBBY_OK);
    g_assert_cmpint(r->knock_status, ==, FOCUS_LOBBY_KNOCK_OPEN);
    g_assert_null(r->knock_id);
    g_assert_cmpuint(t.acts->len, ==, 1);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 0);
    t_clear(&t);
}

static void test_knock_pending_and_notified(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &room);
    focus_lobby_request_knock(t.lobby, &room, t.now, K1, "Kim", NULL, g_strdup("k"), t.acts);
    FocusLobbyAction *r = reply_to(&t, "k");
    g_assert_cmpint(r->status, ==, FOCUS_LOBBY_OK);
    g_assert_cmpint(r->knock_status, ==, FOCUS_LOBBY_KNOCK_PENDING);
    g_autofree char *id = g_strdup(r->knock_id);
    g_assert_nonnull(id);
    /* Moderators with a real JID: ann (owner) and dora (moderator role); not bob, carl, ghost. */
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 2);
    FocusLobbyAction *n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, dora.real_jid, 0);
    g_assert_nonnull(n);
    g_assert_false(n->to_knocker);
    g_assert_cmpstr(n->knock_id, ==, id);
    g_assert_cmpstr(n->nick, ==, "Kim");
    g_assert_cmpstr(n->knocker_jid, ==, K1);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_PENDING);
    g_assert_null(n->by);
    g_assert_nonnull(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, ann.real_jid, 0));

    /* Knocking again from the same session: the same knock, nobody bothered again. */
    reset(&t);
    focus_lobby_request_knock(t.lobby, &room, t.now, K1, "Kim again", NULL, g_strdup("k2"), t.acts);
    r = reply_to(&t, "k2");
    g_assert_cmpint(r->status, ==, FOCUS_LOBBY_OK);
    g_assert_cmpstr(r->knock_id, ==, id);
    g_assert_cmpuint(t.acts->len, ==, 1);
    /* The same account from another session: conflict. */
    reset(&t);
    focus_lobby_request_knock(t.lobby, &room, t.now, "k1@anon.example.org/other", "Kim", NULL,
                              g_strdup("k3"), t.acts);
    g_assert_cmpint(status_of(&t, "k3"), ==, FOCUS_LOBBY_ERR_DUPLICATE);
    /* Someone inside the room has nothing to knock for. */
    reset(&t);
    focus_lobby_request_knock(t.lobby, &room, t.now, bob.real_jid, "Bob", NULL, g_strdup("k4"),
                              t.acts);
    g_assert_cmpint(status_of(&t, "k4"), ==, FOCUS_LOBBY_ERR_IN_ROOM);
    g_assert_cmpuint(t.acts->len, ==, 1);
    /* A requester that is not a JID at all. */
    reset(&t);
    focus_lobby_request_knock(t.lobby, &room, t.now, "@@", "X", NULL, g_strdup("k5"), t.acts);
    g_assert_cmpint(status_of(&t, "k5"), ==, FOCUS_LOBBY_ERR_FORBIDDEN);

    GPtrArray *ks = focus_lobby_knocks(t.lobby);
    g_assert_cmpuint(ks->len, ==, 1);
    const FocusLobbyKnock *k = ks->pdata[0];
    g_assert_cmpstr(k->nick, ==, "Kim");
    g_assert_cmpstr(k->jid, ==, K1);
    g_assert_cmpstr(k->bare_jid, ==, "k1@anon.example.org");
    g_assert_cmpint(k->created_us, ==, t.now);
    g_assert_false(k->admitting);
    g_ptr_array_unref(ks);
    t_clear(&t);
}

static void test_knock_limit(void)
{
    FocusLobbySettings s;
    focus_lobby_settings_init(&s);
    s.max_knocks = 2;
    T t;
    t_init(&t, &s);
    enable(&t, &room);
    g_autofree char *a = knock(&t, &room, K1, "A");
    g_autofree char *b = knock(&t, &room, K2, "B");
    g_assert_cmpstr(a, !=, b);
    focus_lobby_request_knock(t.lobby, &room, t.now, K3, "C", NULL, g_strdup("k"), t.acts);
    g_assert_cmpint(status_of(&t, "k"), ==, FOCUS_LOBBY_ERR_FULL);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 0);
    /* Room again once one leaves. */
    reset(&t);
    g_assert_true(focus_lobby_knocker_gone(t.lobby, &room, K1, t.acts));
    g_autofree char *c = knock(&t, &room, K3, "C");
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 2);
    t_clear(&t);
}

static void set_password_on(T *t, const char *pw)
{
    reset(t);
    focus_lobby_request_password(t->lobby, &room, ann.real_jid, pw, g_strdup("pw"), t->acts);
    g_assert_cmpint(status_of(t, "pw"), ==, FOCUS_LOBBY_OK);
    reset(t);
}

static void test_knock_with_password(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &room);
    /* No password set: a password cannot be right. */
    focus_lobby_request_knock(t.lobby, &room, t.now, K1, "Kim", "guess", g_strdup("k"), t.acts);
    g_assert_cmpint(status_of(&t, "k"), ==, FOCUS_LOBBY_ERR_BAD_PASSWORD);
    set_password_on(&t, "open sesame");
    focus_lobby_request_knock(t.lobby, &room, t.now, K1, "Kim", "open sesamE", g_strdup("k"),
                              t.acts);
    g_assert_cmpint(status_of(&t, "k"), ==, FOCUS_LOBBY_ERR_BAD_PASSWORD);
    focus_lobby_request_knock(t.lobby, &room, t.now, K1, "Kim", "open", g_strdup("k"), t.acts);
    g_assert_cmpint(status_of(&t, "k"), ==, FOCUS_LOBBY_ERR_BAD_PASSWORD);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 0);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 0);

    /* Right: admitted without a moderator. Moderators are not asked. */
    reset(&t);
    focus_lobby_request_knock(t.lobby, &room, t.now, K1, "Kim", "open sesame", g_strdup("k"),
                              t.acts);
    FocusLobbyAction *r = reply_to(&t, "k");
    g_assert_cmpint(r->status, ==, FOCUS_LOBBY_OK);
    g_assert_cmpint(r->knock_status, ==, FOCUS_LOBBY_KNOCK_PENDING);
    g_autofree char *id = g_strdup(r->knock_id);
    guint op = grant_op(&t, "k1@anon.example.org");
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 0);
    /* A knock being admitted does not expire, and the deadline skips it. */
    g_assert_cmpint(focus_lobby_next_deadline(t.lobby), ==, -1);
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    FocusLobbyAction *n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K1, 0);
    g_assert_true(n->to_knocker);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_ADMITTED);
    g_assert_cmpstr(n->knock_id, ==, id);
    g_assert_null(n->by);
    g_assert_null(n->nick); /* the knocker is not told its own name back */
    n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, ann.real_jid, 0);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_ADMITTED);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_REPLY), ==, 0);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 0);

    /* When the grant fails, the knock goes to the moderators instead. */
    reset(&t);
    focus_lobby_request_knock(t.lobby, &room, t.now, K2, "Lou", "open sesame", g_strdup("k"),
                              t.acts);
    g_assert_cmpint(status_of(&t, "k"), ==, FOCUS_LOBBY_OK);
    op = grant_op(&t, "k2@anon.example.org");
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, FALSE, t.acts);
    g_assert_null(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K2, 0));
    n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, dora.real_jid, 0);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_PENDING);
    g_assert_cmpstr(n->nick, ==, "Lou");
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 1);
    t_clear(&t);
}

static void test_password_budget(void)
{
    FocusLobbySettings s;
    focus_lobby_settings_init(&s);
    s.max_password_failures = 3;
    T t;
    t_init(&t, &s);
    enable(&t, &room);
    set_password_on(&t, "right");
    const char *who[] = {K1, K2, K3, "k4@anon.example.org/d"};
    for (guint i = 0; i < 3; i++) {
        focus_lobby_request_knock(t.lobby, &room, t.now, who[i], "X", "wrong", g_strdup("k"),
                                  t.acts);
        g_assert_cmpint(status_of(&t, "k"), ==, FOCUS_LOBBY_ERR_BAD_PASSWORD);
    }
    /* Over budget: even the right password waits (the budget is per room, whoever guesses). */
    focus_lobby_request_knock(t.lobby, &room, t.now, who[3], "X", "right", g_strdup("k"), t.acts);
    g_assert_cmpint(status_of(&t, "k"), ==, FOCUS_LOBBY_ERR_TOO_MANY_TRIES);
    /* A knock without password is still fine. */
    g_autofree char *id = knock(&t, &room, who[3], "X");
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 1);
    /* The window passes. */
    t.now += s.password_window_us;
    reset(&t);
    focus_lobby_request_knock(t.lobby, &room, t.now, K1, "X", "right", g_strdup("k"), t.acts);
    g_assert_cmpint(status_of(&t, "k"), ==, FOCUS_LOBBY_OK);
    grant_op(&t, "k1@anon.example.org");
    t_clear(&t);
}

static void test_admit(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &room);
    g_autofree char *id = knock(&t, &room, K1, "Kim");

    focus_lobby_request_admit(t.lobby, &room, bob.real_jid, id, g_strdup("a"), t.acts);
    g_assert_cmpint(status_of(&t, "a"), ==, FOCUS_LOBBY_ERR_FORBIDDEN);
    focus_lobby_request_admit(t.lobby, &room, K2, id, g_strdup("a"), t.acts);
    g_assert_cmpint(status_of(&t, "a"), ==, FOCUS_LOBBY_ERR_FORBIDDEN);
    focus_lobby_request_admit(t.lobby, &room, ann.real_jid, "k999", g_strdup("a"), t.acts);
    g_assert_cmpint(status_of(&t, "a"), ==, FOCUS_LOBBY_ERR_NO_KNOCK);
    focus_lobby_request_admit(t.lobby, &room, ann.real_jid, NULL, g_strdup("a"), t.acts);
    g_assert_cmpint(status_of(&t, "a"), ==, FOCUS_LOBBY_ERR_NO_KNOCK);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_GRANT_MEMBER), ==, 0);
    reset(&t);

    focus_lobby_request_admit(t.lobby, &room, ann.real_jid, id, g_strdup("admit"), t.acts);
    guint op = grant_op(&t, "k1@anon.example.org");
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_REPLY), ==, 0); /* after the grant */
    reset(&t);
    /* dora clicks too: fine, it is happening. Refusing it now is too late. */
    focus_lobby_request_admit(t.lobby, &room, dora.real_jid, id, g_strdup("admit2"), t.acts);
    g_assert_cmpint(status_of(&t, "admit2"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_GRANT_MEMBER), ==, 0);
    focus_lobby_request_refuse(t.lobby, &room, dora.real_jid, id, NULL, g_strdup("no"), t.acts);
    g_assert_cmpint(status_of(&t, "no"), ==, FOCUS_LOBBY_ERR_BUSY);
    reset(&t);

    /* The grant fails: the moderator hears it, the knock waits again. */
    focus_lobby_op_done(t.lobby, &room, op, FALSE, t.acts);
    g_assert_cmpint(status_of(&t, "admit"), ==, FOCUS_LOBBY_ERR_MUC_FAILED);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 0);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 1);
    reset(&t);

    focus_lobby_request_admit(t.lobby, &room, dora.real_jid, id, g_strdup("admit3"), t.acts);
    op = grant_op(&t, "k1@anon.example.org");
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "admit3"), ==, FOCUS_LOBBY_OK);
    FocusLobbyAction *n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K1, 0);
    g_assert_true(n->to_knocker);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_ADMITTED);
    g_assert_cmpstr(n->by, ==, "dora");
    n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, ann.real_jid, 0);
    g_assert_false(n->to_knocker);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_ADMITTED);
    g_assert_cmpstr(n->by, ==, "dora");
    g_assert_cmpstr(n->nick, ==, "Kim");
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 0);
    /* Gone now. */
    reset(&t);
    focus_lobby_request_admit(t.lobby, &room, ann.real_jid, id, g_strdup("late"), t.acts);
    g_assert_cmpint(status_of(&t, "late"), ==, FOCUS_LOBBY_ERR_NO_KNOCK);
    t_clear(&t);
}

static void test_refuse(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &room);
    g_autofree char *id = knock(&t, &room, K1, "Kim");
    focus_lobby_request_refuse(t.lobby, &room, carl.real_jid, id, "no", g_strdup("r"), t.acts);
    g_assert_cmpint(status_of(&t, "r"), ==, FOCUS_LOBBY_ERR_FORBIDDEN);
    focus_lobby_request_refuse(t.lobby, &room, ann.real_jid, "nope", "no", g_strdup("r"), t.acts);
    g_assert_cmpint(status_of(&t, "r"), ==, FOCUS_LOBBY_ERR_NO_KNOCK);
    reset(&t);
    focus_lobby_request_refuse(t.lobby, &room, ann.real_jid, id, "Not today", g_strdup("r"),
                               t.acts);
    g_assert_cmpint(status_of(&t, "r"), ==, FOCUS_LOBBY_OK);
    FocusLobbyAction *n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K1, 0);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_REFUSED);
    g_assert_cmpstr(n->reason, ==, "Not today");
    g_assert_cmpstr(n->by, ==, "ann");
    n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, dora.real_jid, 0);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_REFUSED);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_GRANT_MEMBER), ==, 0);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 0);
    /* The refused knocker may knock again (a new knock, a new id). */
    g_autofree char *id2 = knock(&t, &room, K1, "Kim");
    g_assert_cmpstr(id2, !=, id);
    focus_lobby_request_refuse(t.lobby, &room, dora.real_jid, id2, "", g_strdup("r"), t.acts);
    g_assert_cmpint(status_of(&t, "r"), ==, FOCUS_LOBBY_OK);
    g_assert_null(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K1, 0)->reason);
    t_clear(&t);
}

static void test_cancel(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &room);
    g_autofree char *id = knock(&t, &room, K1, "Kim");
    /* Only the knocker's own session may cancel; to anyone else the knock does not exist. */
    focus_lobby_request_cancel(t.lobby, &room, K2, id, g_strdup("c"), t.acts);
    g_assert_cmpint(status_of(&t, "c"), ==, FOCUS_LOBBY_ERR_NO_KNOCK);
    focus_lobby_request_cancel(t.lobby, &room, "k1@anon.example.org/other", id, g_strdup("c"),
                               t.acts);
    g_assert_cmpint(status_of(&t, "c"), ==, FOCUS_LOBBY_ERR_NO_KNOCK);
    focus_lobby_request_cancel(t.lobby, &room, ann.real_jid, id, g_strdup("c"), t.acts);
    g_assert_cmpint(status_of(&t, "c"), ==, FOCUS_LOBBY_ERR_NO_KNOCK);
    focus_lobby_request_cancel(t.lobby, &room, K1, "k77", g_strdup("c"), t.acts);
    g_assert_cmpint(status_of(&t, "c"), ==, FOCUS_LOBBY_ERR_NO_KNOCK);
    reset(&t);
    focus_lobby_request_cancel(t.lobby, &room, K1, id, g_strdup("c"), t.acts);
    g_assert_cmpint(status_of(&t, "c"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 2);
    g_assert_cmpint(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, ann.real_jid, 0)->knock_status, ==,
                    FOCUS_LOBBY_KNOCK_CANCELLED);
    g_assert_null(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K1, 0));
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 0);

    /* Cancelled while being admitted: the grant still answers its moderator, quietly. */
    g_autofree char *id2 = knock(&t, &room, K2, "Lou");
    focus_lobby_request_admit(t.lobby, &room, ann.real_jid, id2, g_strdup("a"), t.acts);
    guint op = grant_op(&t, "k2@anon.example.org");
    reset(&t);
    focus_lobby_request_cancel(t.lobby, &room, K2, id2, g_strdup("c2"), t.acts);
    g_assert_cmpint(status_of(&t, "c2"), ==, FOCUS_LOBBY_OK);
    reset(&t);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "a"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 0);
    t_clear(&t);
}

static void test_expiry(void)
{
    FocusLobbySettings s;
    focus_lobby_settings_init(&s);
    s.knock_ttl_us = 60 * G_USEC_PER_SEC;
    T t;
    t_init(&t, &s);
    g_assert_cmpint(focus_lobby_next_deadline(t.lobby), ==, -1);
    enable(&t, &room);
    gint64 t0 = t.now;
    g_autofree char *a = knock(&t, &room, K1, "A");
    t.now += 20 * G_USEC_PER_SEC;
    g_autofree char *b = knock(&t, &room, K2, "B");
    g_assert_cmpint(focus_lobby_next_deadline(t.lobby), ==, t0 + s.knock_ttl_us);

    t.now = t0 + s.knock_ttl_us - 1;
    focus_lobby_expire(t.lobby, &room, t.now, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    t.now = t0 + s.knock_ttl_us;
    focus_lobby_expire(t.lobby, &room, t.now, t.acts);
    FocusLobbyAction *n = find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K1, 0);
    g_assert_cmpint(n->knock_status, ==, FOCUS_LOBBY_KNOCK_EXPIRED);
    g_assert_cmpstr(n->knock_id, ==, a);
    g_assert_cmpint(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, ann.real_jid, 0)->knock_status, ==,
                    FOCUS_LOBBY_KNOCK_EXPIRED);
    g_assert_null(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, K2, 0));
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 1);
    g_assert_cmpint(focus_lobby_next_deadline(t.lobby), ==,
                    t0 + 20 * G_USEC_PER_SEC + s.knock_ttl_us);
    /* Being admitted: never expires. */
    reset(&t);
    focus_lobby_request_admit(t.lobby, &room, ann.real_jid, b, g_strdup("a"), t.acts);
    guint op = grant_op(&t, "k2@anon.example.org");
    reset(&t);
    focus_lobby_expire(t.lobby, &room, t.now + (gint64)3600 * G_USEC_PER_SEC, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    focus_lobby_op_done(t.lobby, &room, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "a"), ==, FOCUS_LOBBY_OK);
    t_clear(&t);
}

static void test_knocker_gone(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &room);
    g_autofree char *a = knock(&t, &room, K1, "A");
    g_assert_false(focus_lobby_knocker_gone(t.lobby, &room, K2, t.acts));
    g_assert_false(focus_lobby_knocker_gone(t.lobby, &room, NULL, t.acts));
    g_assert_false(focus_lobby_knocker_gone(t.lobby, &room, "k1@anon.example.org", t.acts));
    g_assert_cmpuint(t.acts->len, ==, 0);
    g_assert_true(focus_lobby_knocker_gone(t.lobby, &room, K1, t.acts));
    g_assert_cmpuint(count(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK), ==, 2);
    g_assert_cmpint(find(&t, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK, dora.real_jid, 0)->knock_status, ==,
                    FOCUS_LOBBY_KNOCK_LEFT);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 0);
    t_clear(&t);
}

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

static void test_free_releases_requests(void)
{
    T t;
    t_init(&t, NULL);
    focus_lobby_request_toggle(t.lobby, &room, ann.real_jid, TRUE, g_strdup("on"), t.acts);
    reset(&t);
    focus_lobby_free(t.lobby);
    g_assert_cmpint(released, ==, 1);

    t_init(&t, NULL);
    enable(&t, &room);
    g_autofree char *id = knock(&t, &room, K1, "Kim");
    focus_lobby_request_admit(t.lobby, &room, ann.real_jid, id, g_strdup("admit"), t.acts);
    focus_lobby_request_password(t.lobby, &room, ann.real_jid, "x", g_strdup("pw"), t.acts);
    g_assert_cmpint(status_of(&t, "pw"), ==, FOCUS_LOBBY_OK); /* lobby on: at once */
    gint before = released;
    reset(&t);
    focus_lobby_free(t.lobby);
    g_assert_cmpint(released, ==, before + 1);
    /* Unanswered requests left in an action array are released with it. */
    t.lobby = focus_lobby_new(NULL, req_free);
    focus_lobby_request_toggle(t.lobby, &room, bob.real_jid, TRUE, g_strdup("r"), t.acts);
    before = released;
    t_clear(&t);
    g_assert_cmpint(released, ==, before + 1);
}

/* Random conversations: whatever order requests, room results and failures come in, every
 * request is answered exactly once, limits hold, and the lobby never sits half-way. */
static void test_random_conversations(void)
{
    FocusLobbySettings s;
    focus_lobby_settings_init(&s);
    s.max_knocks = 4;
    s.max_password_failures = 3;
    const char *people[] = {ann.real_jid,
                            dora.real_jid,
                            bob.real_jid,
                            carl.real_jid,
                            K1,
                            K2,
                            K3,
                            "k4@anon.example.org/d",
                            "k1@anon.example.org/other"};
    const char *passwords[] = {NULL, "", "pw", "other"};
    for (int run = 0; run < 20; run++) {
        T t;
        t_init(&t, &s);
        g_autoptr(GArray) ops = g_array_new(FALSE, FALSE, sizeof(guint));
        g_autoptr(GHashTable) waiting =
            g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
        g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
        guint made = 0, answered = 0;
        for (int step = 0; step < 400; step++) {
            reset(&t);
            const char *who = people[g_test_rand_int_range(0, G_N_ELEMENTS(people))];
            const char *id = ids->len ? ids->pdata[g_test_rand_int_range(0, ids->len)] : "k1";
            char *name = g_strdup_printf("r%u", made);
            int what = g_test_rand_int_range(0, 11);
            if (what <= 6) {
                made++;
                g_hash_table_add(waiting, g_strdup(name));
            }
            switch (what) {
            case 0:
                focus_lobby_request_toggle(t.lobby, &room, who, g_test_rand_bit(), name, t.acts);
                break;
            case 1:
                focus_lobby_request_password(t.lobby, &room, who,
                                             passwords[g_test_rand_int_range(0, 4)], name, t.acts);
                break;
            case 2:
            case 3:
                focus_lobby_request_knock(t.lobby, &room, t.now, who, "N",
                                          passwords[g_test_rand_int_range(0, 4)], name, t.acts);
                break;
            case 4:
                focus_lobby_request_cancel(t.lobby, &room, who, id, name, t.acts);
                break;
            case 5:
                focus_lobby_request_admit(t.lobby, &room, who, id, name, t.acts);
                break;
            case 6:
                focus_lobby_request_refuse(t.lobby, &room, who, id, NULL, name, t.acts);
                break;
            case 7:
            case 8:
                g_free(name);
                if (ops->len) {
                    guint i = g_test_rand_int_range(0, ops->len);
                    guint op = g_array_index(ops, guint, i);
                    g_array_remove_index(ops, i);
                    focus_lobby_op_done(t.lobby, &room, op, g_test_rand_int_range(0, 4) != 0,
                                        t.acts);
                }
                break;
            case 9:
                g_free(name);
                t.now += g_test_rand_int_range(0, 400) * G_USEC_PER_SEC;
                focus_lobby_expire(t.lobby, &room, t.now, t.acts);
                break;
            default:
                g_free(name);
                focus_lobby_knocker_gone(t.lobby, &room, who, t.acts);
                break;
            }
            for (guint i = 0; i < t.acts->len; i++) {
                FocusLobbyAction *a = focus_lobby_action_at(t.acts, i);
                if (a->kind == FOCUS_LOBBY_ACTION_GRANT_MEMBER ||
                    a->kind == FOCUS_LOBBY_ACTION_SUBMIT_CONFIG)
                    g_array_append_val(ops, a->op);
                if (a->kind == FOCUS_LOBBY_ACTION_REPLY) {
                    g_assert_true(g_hash_table_remove(waiting, a->request)); /* once */
                    answered++;
                    if (a->knock_id &&
                        !g_ptr_array_find_with_equal_func(ids, a->knock_id, g_str_equal, NULL))
                        g_ptr_array_add(ids, g_strdup(a->knock_id));
                }
                if (a->kind == FOCUS_LOBBY_ACTION_NOTIFY_KNOCK && !a->to_knocker)
                    g_assert_nonnull(focus_lobby_roster_find(&room, a->to));
            }
            g_assert_cmpuint(focus_lobby_knock_count(t.lobby), <=, s.max_knocks);
            FocusLobbyPhase ph = focus_lobby_phase(t.lobby);
            if (focus_lobby_ops_in_flight(t.lobby) == 0)
                g_assert_true(ph == FOCUS_LOBBY_PHASE_OFF || ph == FOCUS_LOBBY_PHASE_ON);
        }
        /* Whatever is still waiting gets its answer when the conference ends. */
        reset(&t);
        focus_lobby_room_ended(t.lobby, t.acts);
        for (guint i = 0; i < t.acts->len; i++) {
            FocusLobbyAction *a = focus_lobby_action_at(t.acts, i);
            if (a->kind == FOCUS_LOBBY_ACTION_REPLY) {
                g_assert_cmpint(a->status, ==, FOCUS_LOBBY_ERR_ENDED);
                g_assert_true(g_hash_table_remove(waiting, a->request));
                answered++;
            }
        }
        g_assert_cmpuint(g_hash_table_size(waiting), ==, 0);
        g_assert_cmpuint(answered, ==, made);
        reset(&t);
        g_assert_cmpint(released, ==, (gint)made);
        t_clear(&t);
    }
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lobby/names-and-defaults", test_names_and_defaults);
    g_test_add_func("/lobby/moderators", test_moderators);
    g_test_add_func("/lobby/toggle-forbidden", test_toggle_forbidden);
    g_test_add_func("/lobby/enable", test_enable);
    g_test_add_func("/lobby/enable-everyone-member", test_enable_everyone_already_member);
    g_test_add_func("/lobby/enable-grant-fails", test_enable_grant_fails);
    g_test_add_func("/lobby/enable-config-fails", test_enable_config_fails);
    g_test_add_func("/lobby/newcomers-while-enabling", test_newcomers_while_enabling);
    g_test_add_func("/lobby/disable", test_disable);
    g_test_add_func("/lobby/password-lobby-off", test_password_lobby_off);
    g_test_add_func("/lobby/password-with-lobby", test_password_with_lobby);
    g_test_add_func("/lobby/knock-lobby-off", test_knock_lobby_off);
    g_test_add_func("/lobby/knock-pending", test_knock_pending_and_notified);
    g_test_add_func("/lobby/knock-limit", test_knock_limit);
    g_test_add_func("/lobby/knock-password", test_knock_with_password);
    g_test_add_func("/lobby/password-budget", test_password_budget);
    g_test_add_func("/lobby/admit", test_admit);
    g_test_add_func("/lobby/refuse", test_refuse);
    g_test_add_func("/lobby/cancel", test_cancel);
    g_test_add_func("/lobby/expiry", test_expiry);
    g_test_add_func("/lobby/knocker-gone", test_knocker_gone);
    g_test_add_func("/lobby/roster-changes", test_roster_changes);
    g_test_add_func("/lobby/room-ended", test_room_ended);
    g_test_add_func("/lobby/room-ended-while-enabling", test_room_ended_while_enabling);
    g_test_add_func("/lobby/reapply", test_reapply);
    g_test_add_func("/lobby/adopt", test_adopt);
    g_test_add_func("/lobby/free-releases-requests", test_free_releases_requests);
    g_test_add_func("/lobby/random-conversations", test_random_conversations);
    return g_test_run();
}
