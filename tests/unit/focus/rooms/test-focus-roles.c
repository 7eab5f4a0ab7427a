/* SPDX-License-Identifier: MIT */
/* Auto-owner election: the small pure policy. (The reconnect backoff is common/backoff.h,
 * tested in tests/unit/test-backoff.c.) */
#include "focus/rooms/roles.h"

static void test_first_participant_becomes_owner(void)
{
    FocusOwnerCandidate c[] = {
        {"late", "late@x.org/r", FOCUS_MUC_AFFILIATION_NONE, 7, TRUE},
        {"early", "early@x.org/r", FOCUS_MUC_AFFILIATION_NONE, 3, TRUE},
        {"mid", "mid@x.org/r", FOCUS_MUC_AFFILIATION_MEMBER, 5, TRUE},
    };
    g_assert_cmpint(focus_roles_elect_owner(c, G_N_ELEMENTS(c)), ==, 1);
}

static void test_existing_owner_keeps_it(void)
{
    FocusOwnerCandidate c[] = {
        {"a", "a@x.org/r", FOCUS_MUC_AFFILIATION_NONE, 1, TRUE},
        {"b", "b@x.org/r", FOCUS_MUC_AFFILIATION_OWNER, 2, TRUE},
    };
    g_assert_cmpint(focus_roles_elect_owner(c, G_N_ELEMENTS(c)), ==, -1);
}

static void test_owner_left_longest_present_promoted(void)
{
    /* The owner (seq 1) has left: the list no longer holds it. */
    FocusOwnerCandidate c[] = {
        {"c", "c@x.org/r", FOCUS_MUC_AFFILIATION_NONE, 9, TRUE},
        {"b", "b@x.org/r", FOCUS_MUC_AFFILIATION_NONE, 4, TRUE},
    };
    g_assert_cmpint(focus_roles_elect_owner(c, G_N_ELEMENTS(c)), ==, 1);
}

static void test_ineligible_skipped(void)
{
    FocusOwnerCandidate c[] = {
        {"failed", "f@x.org/r", FOCUS_MUC_AFFILIATION_NONE, 1, FALSE},
        {"hidden", NULL, FOCUS_MUC_AFFILIATION_NONE, 2, TRUE},
        {"ok", "ok@x.org/r", FOCUS_MUC_AFFILIATION_NONE, 3, TRUE},
    };
    g_assert_cmpint(focus_roles_elect_owner(c, G_N_ELEMENTS(c)), ==, 2);
    g_assert_cmpint(focus_roles_elect_owner(c, 2), ==, -1);
    g_assert_cmpint(focus_roles_elect_owner(NULL, 0), ==, -1);
}

static void test_grant_jid_is_bare(void)
{
    g_autofree char *a = focus_roles_grant_jid("abc123@meet.example.org/xYz");
    g_assert_cmpstr(a, ==, "abc123@meet.example.org");
    g_autofree char *b = focus_roles_grant_jid("user@Example.org");
    g_assert_cmpstr(b, ==, "user@example.org");
    g_assert_null(focus_roles_grant_jid(NULL));
    g_assert_null(focus_roles_grant_jid("@@"));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/focus/roles/first-participant", test_first_participant_becomes_owner);
    g_test_add_func("/focus/roles/existing-owner", test_existing_owner_keeps_it);
    g_test_add_func("/focus/roles/owner-left", test_owner_left_longest_present_promoted);
    g_test_add_func("/focus/roles/ineligible", test_ineligible_skipped);
    g_test_add_func("/focus/roles/grant-jid", test_grant_jid_is_bare);
    return g_test_run();
}
