/* SPDX-License-Identifier: MIT */
/* Knocks: pending and notified, limits, the password at the door, admit, refuse, cancel,
 * expiry, and a knocker that went offline. */
#include "lobby-test-util.h"

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

void lobby_add_knock_tests(void)
{
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
}
