/* SPDX-License-Identifier: MIT */
/* The lobby's decisions: who may do what, which MUC operations and notifications each request
 * leads to, and what happens when those operations succeed or fail. Requests are strings whose
 * release is counted, so a request answered twice, never, or leaked shows up. This file: the
 * basics and random conversations; the rest by responsibility in test-lobby-toggle.c,
 * test-lobby-knocks.c and test-lobby-room.c (one test program). */
#include "lobby-test-util.h"

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
    g_test_add_func("/lobby/free-releases-requests", test_free_releases_requests);
    g_test_add_func("/lobby/random-conversations", test_random_conversations);
    lobby_add_toggle_tests();
    lobby_add_knock_tests();
    lobby_add_room_tests();
    return g_test_run();
}
