/* SPDX-License-Identifier: MIT */
/* The lobby's leave rule (focus_lobby_occupant_left(), docs/security.md "Leaving ends
 * membership"): an occupant who leaves loses the member affiliation when the lobby is on or the
 * focus granted it, so coming back means knocking; owners, admins, bans, a second device of the
 * same account, an admission in flight and an ended room are left alone.
 * Thread: the GLib test's main thread only. */
#include "lobby-test-util.h"

#define B1 "b1@anon.example.org"
#define K1_BARE "k1@anon.example.org"

/* ann (owner) and bob: the room before anyone leaves. */
static FocusLobbyOccupant two_items[] = {ann, bob};
static const FocusLobbyRoster two = {two_items, G_N_ELEMENTS(two_items)};
/* ann, bob, carl (member granted by an owner, not by the focus). */
static FocusLobbyOccupant three_items[] = {ann, bob, carl};
static const FocusLobbyRoster three = {three_items, G_N_ELEMENTS(three_items)};
/* Only ann is left. */
static FocusLobbyOccupant alone_items[] = {ann};
static const FocusLobbyRoster alone = {alone_items, G_N_ELEMENTS(alone_items)};

/* Turns the lobby off (the form accepted). */
static void disable(T *t, const FocusLobbyRoster *r)
{
    reset(t);
    focus_lobby_request_toggle(t->lobby, r, ann.real_jid, FALSE, g_strdup("off"), t->acts);
    guint op = config_action(t)->op;
    reset(t);
    focus_lobby_op_done(t->lobby, r, op, TRUE, t->acts);
    g_assert_cmpint(status_of(t, "off"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpint(focus_lobby_phase(t->lobby), ==, FOCUS_LOBBY_PHASE_OFF);
    reset(t);
}

/* focus_lobby_occupant_left() on a fresh action array; the result must match what it emitted
 * (one REVOKE_MEMBER or nothing at all). */
static gboolean leave(T *t, const FocusLobbyRoster *without, const char *real_jid,
                      FocusMucAffiliation aff)
{
    reset(t);
    gboolean revoked = focus_lobby_occupant_left(t->lobby, without, real_jid, aff, t->acts);
    g_assert_cmpuint(t->acts->len, ==, revoked ? 1 : 0);
    return revoked;
}

/* The only action is a REVOKE_MEMBER for @bare; returns its op. */
static guint revoked_jid(T *t, const char *bare)
{
    g_assert_cmpuint(count(t, FOCUS_LOBBY_ACTION_REVOKE_MEMBER), ==, 1);
    FocusLobbyAction *a = find(t, FOCUS_LOBBY_ACTION_REVOKE_MEMBER, NULL, 0);
    g_assert_cmpstr(a ? a->jid : NULL, ==, bare);
    g_assert_cmpuint(a ? a->op : 0, !=, 0);
    return a ? a->op : 0;
}

/* K1 knocks and ann admits it; returns once the grant is done (knock closed as ADMITTED). */
static void admit_k1(T *t, const FocusLobbyRoster *r)
{
    g_autofree char *id = knock(t, r, K1, "kim");
    focus_lobby_request_admit(t->lobby, r, ann.real_jid, id, g_strdup("admit"), t->acts);
    guint op = grant_op(t, K1_BARE);
    reset(t);
    focus_lobby_op_done(t->lobby, r, op, TRUE, t->acts);
    g_assert_cmpint(status_of(t, "admit"), ==, FOCUS_LOBBY_OK);
    g_assert_cmpuint(focus_lobby_knock_count(t->lobby), ==, 0);
    reset(t);
}

static void test_member_leaves_lobby_on(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &two); /* bob gets member */
    guint before = focus_lobby_ops_in_flight(t.lobby);
    /* bob's own unavailable, a kick (307) or a dropped connection all arrive as "member left". */
    g_assert_true(leave(&t, &alone, bob.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    /* The bare JID, not the full one: the affiliation belongs to the account. */
    guint op = revoked_jid(&t, B1);
    g_assert_cmpstr(focus_lobby_action_kind_str(FOCUS_LOBBY_ACTION_REVOKE_MEMBER), !=, "?");
    g_assert_cmpuint(focus_lobby_ops_in_flight(t.lobby), ==, before + 1);
    /* Nobody waits for the revoke: its result emits nothing and releases nothing. */
    reset(&t);
    focus_lobby_op_done(t.lobby, &alone, op, FALSE, t.acts);
    g_assert_cmpuint(t.acts->len, ==, 0);
    g_assert_cmpuint(focus_lobby_ops_in_flight(t.lobby), ==, before);
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_ON);

    /* A member the focus never granted (carl, an owner's grant) leaving while the lobby is on
     * is revoked too: "lobby on" means whoever is outside must knock. */
    g_assert_true(leave(&t, &alone, carl.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    revoked_jid(&t, "carl@example.org");
    t_clear(&t);
    g_assert_cmpint(released, ==, 1); /* the "on" request only */
}

static void test_bare_jid_normalised(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &two);
    /* The server may spell the domain differently; the revoke names the one account. */
    g_assert_true(leave(&t, &alone, "b1@ANON.Example.org/other-tab", FOCUS_MUC_AFFILIATION_MEMBER));
    revoked_jid(&t, B1);
    /* No real JID (a room hiding them) or one that does not parse: nothing to revoke. */
    g_assert_false(leave(&t, &alone, NULL, FOCUS_MUC_AFFILIATION_MEMBER));
    g_assert_false(leave(&t, &alone, "@/", FOCUS_MUC_AFFILIATION_MEMBER));
    t_clear(&t);
}

static void test_member_leaves_while_disabling(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &three);
    reset(&t);
    focus_lobby_request_toggle(t.lobby, &three, ann.real_jid, FALSE, g_strdup("off"), t.acts);
    guint op = config_action(&t)->op;
    g_assert_cmpint(focus_lobby_phase(t.lobby), ==, FOCUS_LOBBY_PHASE_DISABLING);
    /* Still members-only: carl's membership (not the focus's grant) is revoked as well. */
    g_assert_true(leave(&t, &two, carl.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    revoked_jid(&t, "carl@example.org");
    reset(&t);
    focus_lobby_op_done(t.lobby, &two, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "off"), ==, FOCUS_LOBBY_OK);
    t_clear(&t);
}

static void test_lobby_off_granted_at_lobby_on(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &two); /* the focus grants bob member */
    disable(&t, &two);
    /* bob stayed past "lobby off" and leaves now: the next "lobby on" must not let him in. */
    g_assert_true(leave(&t, &alone, bob.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    revoked_jid(&t, B1);
    /* The grant is forgotten once revoked: bob back in (affiliation none now) and out again,
     * lobby still off, costs nothing. */
    g_assert_false(leave(&t, &alone, bob.real_jid, FOCUS_MUC_AFFILIATION_NONE));
    g_assert_false(leave(&t, &alone, bob.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    t_clear(&t);
}

static void test_lobby_off_granted_by_admission(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &alone);
    admit_k1(&t, &alone);
    static FocusLobbyOccupant kim = {"kim", K1, FOCUS_MUC_ROLE_PARTICIPANT,
                                     FOCUS_MUC_AFFILIATION_MEMBER};
    FocusLobbyOccupant with_kim_items[] = {ann, kim};
    const FocusLobbyRoster with_kim = {with_kim_items, G_N_ELEMENTS(with_kim_items)};
    reset(&t);
    focus_lobby_roster_changed(t.lobby, &with_kim, t.acts);
    disable(&t, &with_kim);
    g_assert_true(leave(&t, &alone, K1, FOCUS_MUC_AFFILIATION_MEMBER));
    revoked_jid(&t, K1_BARE);
    t_clear(&t);
}

static void test_admitted_by_password_lobby_off(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &alone);
    reset(&t);
    focus_lobby_request_password(t.lobby, &alone, ann.real_jid, "s3cret", g_strdup("pw"), t.acts);
    g_assert_cmpint(status_of(&t, "pw"), ==, FOCUS_LOBBY_OK);
    reset(&t);
    focus_lobby_request_knock(t.lobby, &alone, t.now, K1, "kim", "s3cret", g_strdup("knock"),
                              t.acts);
    g_assert_cmpint(status_of(&t, "knock"), ==, FOCUS_LOBBY_OK);
    guint op = grant_op(&t, K1_BARE);
    reset(&t);
    focus_lobby_op_done(t.lobby, &alone, op, TRUE, t.acts);
    disable(&t, &alone);
    g_assert_true(leave(&t, &alone, K1, FOCUS_MUC_AFFILIATION_MEMBER));
    revoked_jid(&t, K1_BARE);
    t_clear(&t);
}

static void test_lobby_off_not_granted_kept(void)
{
    T t;
    t_init(&t, NULL);
    /* Never on: carl's membership is an owner's decision. */
    g_assert_false(leave(&t, &two, carl.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    g_assert_false(leave(&t, &two, bob.real_jid, FOCUS_MUC_AFFILIATION_NONE));
    /* On and off again: carl had member already, so the focus granted him nothing. */
    enable(&t, &three);
    g_assert_cmpuint(focus_lobby_ops_in_flight(t.lobby), ==, 0);
    disable(&t, &three);
    g_assert_false(leave(&t, &two, carl.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    t_clear(&t);
}

static void test_no_affiliation_lobby_on_kept(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &alone);
    /* dora, moderator by role and without an affiliation the focus gave: nothing to take back. */
    g_assert_false(leave(&t, &alone, dora.real_jid, FOCUS_MUC_AFFILIATION_NONE));
    t_clear(&t);
}

static void test_owner_admin_outcast_kept(void)
{
    static const FocusMucAffiliation kept[] = {
        FOCUS_MUC_AFFILIATION_OWNER, FOCUS_MUC_AFFILIATION_ADMIN, FOCUS_MUC_AFFILIATION_OUTCAST};
    for (guint i = 0; i < G_N_ELEMENTS(kept); i++) {
        T t;
        t_init(&t, NULL);
        /* Lobby on, and bob's membership came from the focus: still left alone once he was made
         * owner or admin (a moderator who reloads comes straight back) or banned (301 stays). */
        enable(&t, &two);
        g_assert_false(leave(&t, &alone, bob.real_jid, kept[i]));
        g_assert_false(leave(&t, &alone, ann.real_jid, kept[i]));
        g_assert_false(leave(&t, &alone, eve.real_jid, kept[i]));
        t_clear(&t);
    }
}

static void test_same_account_still_inside(void)
{
    T t;
    t_init(&t, NULL);
    FocusLobbyOccupant both_items[] = {ann, bob, bob2};
    const FocusLobbyRoster both = {both_items, G_N_ELEMENTS(both_items)};
    FocusLobbyOccupant bob2_items[] = {ann, bob2};
    const FocusLobbyRoster only_bob2 = {bob2_items, G_N_ELEMENTS(bob2_items)};
    enable(&t, &both); /* one grant for the account */
    /* bob's first device leaves, the second is still inside: the membership is in use. */
    g_assert_false(leave(&t, &only_bob2, bob.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    /* The second one leaves too: now it goes. */
    g_assert_true(leave(&t, &alone, bob2.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    revoked_jid(&t, B1);

    /* Same with the lobby off and the focus's grant. */
    T u;
    t_init(&u, NULL);
    enable(&u, &both);
    disable(&u, &both);
    g_assert_false(leave(&u, &only_bob2, bob.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    g_assert_true(leave(&u, &alone, bob2.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    revoked_jid(&u, B1);
    t_clear(&u);
    t_clear(&t);
}

static void test_admission_in_flight_wins(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &two);
    /* bob reloads: the new tab knocks while the old session is still an occupant, and ann
     * admits it; the old session's unavailable arrives while that grant is in flight. */
    const char *new_tab = B1 "/reloaded";
    g_autofree char *id = knock(&t, &two, new_tab, "bob");
    focus_lobby_request_admit(t.lobby, &two, ann.real_jid, id, g_strdup("admit"), t.acts);
    guint op = grant_op(&t, B1);
    g_assert_false(leave(&t, &alone, bob.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    reset(&t);
    focus_lobby_op_done(t.lobby, &alone, op, TRUE, t.acts);
    g_assert_cmpint(status_of(&t, "admit"), ==, FOCUS_LOBBY_OK);
    t_clear(&t);
}

static void test_pending_knock_does_not_protect(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &two);
    /* A knock of the same account that nobody admitted yet does not keep the membership:
     * the knocker gets in only when a moderator says so. */
    g_autofree char *id = knock(&t, &two, B1 "/reloaded", "bob");
    g_assert_true(leave(&t, &alone, bob.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    revoked_jid(&t, B1);
    g_assert_cmpuint(focus_lobby_knock_count(t.lobby), ==, 1);
    t_clear(&t);
}

static void test_after_room_ended(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &two);
    admit_k1(&t, &two);
    reset(&t);
    focus_lobby_room_ended(t.lobby, t.acts);
    /* The room is gone: neither the lobby nor the focus's grants outlive it. */
    g_assert_false(leave(&t, &alone, bob.real_jid, FOCUS_MUC_AFFILIATION_MEMBER));
    g_assert_false(leave(&t, &alone, K1, FOCUS_MUC_AFFILIATION_MEMBER));
    g_assert_false(leave(&t, &alone, K1, FOCUS_MUC_AFFILIATION_NONE));
    g_assert_cmpuint(focus_lobby_ops_in_flight(t.lobby), ==, 0);
    t_clear(&t);
}

/* A grant the MUC refused is not the focus's grant: when an owner later makes that person a
 * member directly, leaving with the lobby off keeps the owner's membership. */
static void test_failed_grant_not_ours(void)
{
    T t;
    t_init(&t, NULL);
    enable(&t, &two);
    g_autofree char *id = knock(&t, &two, K1, "kim");
    focus_lobby_request_admit(t.lobby, &two, ann.real_jid, id, g_strdup("admit"), t.acts);
    guint op = grant_op(&t, K1_BARE);
    reset(&t);
    focus_lobby_op_done(t.lobby, &two, op, FALSE, t.acts);
    g_assert_cmpint(status_of(&t, "admit"), ==, FOCUS_LOBBY_ERR_MUC_FAILED);
    disable(&t, &two);
    /* An owner granted member outside the focus; K1 joined and now leaves. */
    g_assert_false(leave(&t, &two, K1, FOCUS_MUC_AFFILIATION_MEMBER));
    t_clear(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/lobby-leave/member-lobby-on", test_member_leaves_lobby_on);
    g_test_add_func("/lobby-leave/bare-jid", test_bare_jid_normalised);
    g_test_add_func("/lobby-leave/member-while-disabling", test_member_leaves_while_disabling);
    g_test_add_func("/lobby-leave/off-granted-at-lobby-on", test_lobby_off_granted_at_lobby_on);
    g_test_add_func("/lobby-leave/off-granted-by-admission", test_lobby_off_granted_by_admission);
    g_test_add_func("/lobby-leave/off-granted-by-password", test_admitted_by_password_lobby_off);
    g_test_add_func("/lobby-leave/off-not-granted", test_lobby_off_not_granted_kept);
    g_test_add_func("/lobby-leave/on-no-affiliation", test_no_affiliation_lobby_on_kept);
    g_test_add_func("/lobby-leave/owner-admin-outcast", test_owner_admin_outcast_kept);
    g_test_add_func("/lobby-leave/same-account-inside", test_same_account_still_inside);
    g_test_add_func("/lobby-leave/admission-in-flight", test_admission_in_flight_wins);
    g_test_add_func("/lobby-leave/pending-knock", test_pending_knock_does_not_protect);
    g_test_add_func("/lobby-leave/room-ended", test_after_room_ended);
    g_test_add_func("/lobby-leave/failed-grant-not-ours", test_failed_grant_not_ours);
    return g_test_run();
}
