/* SPDX-License-Identifier: MIT */
/* The member's invitation state machine: transitions go through one function that checks them
 * against its table (a transition the table lacks is refused loudly and changes nothing), and
 * a conference's evaluation is scheduled and coalesced: any number of reasons to evaluate
 * before it runs make one pass. */
#include "focus/conference/conference-priv.h"

#include "testbed.h"

#define ROOM "r1@conference.example.org"

static FocusMember *member(TestBed *tb, const char *nick)
{
    FocusConference *conf = focus_conferences_lookup(focus_core_conferences(tb->core), ROOM);
    g_assert_nonnull(conf);
    return focus_conf_member(conf, focus_room_participant(conf->room, nick));
}

static void test_table(void)
{
    TestBed tb;
    testbed_init_core(&tb, "focus.min_participants=5", NULL);
    testbed_room_ready(&tb, ROOM);
    testbed_occupant(&tb, ROOM, "alice", "alice@example.org/r", "none", "participant");
    FocusMember *m = member(&tb, "alice");
    g_assert_nonnull(m);
    g_assert_cmpint(m->state, ==, FOCUS_MEMBER_IDLE); /* alone: not invited */

    /* IDLE cannot skip the allocation. */
    g_test_expect_message("parley-focus", G_LOG_LEVEL_CRITICAL, "*no transition idle -> active*");
    focus_member_set_state(m, FOCUS_MEMBER_ACTIVE, "test");
    g_test_assert_expected_messages();
    g_assert_cmpint(m->state, ==, FOCUS_MEMBER_IDLE);

    focus_member_set_state(m, FOCUS_MEMBER_ALLOCATING, "test");
    focus_member_set_state(m, FOCUS_MEMBER_INVITED, "test");
    focus_member_set_state(m, FOCUS_MEMBER_ACTIVE, "test");
    g_assert_cmpint(m->state, ==, FOCUS_MEMBER_ACTIVE);
    /* An accepted session does not go back to waiting for its offer. */
    g_test_expect_message("parley-focus", G_LOG_LEVEL_CRITICAL, "*active -> invited*");
    focus_member_set_state(m, FOCUS_MEMBER_INVITED, "test");
    g_test_assert_expected_messages();
    g_assert_cmpint(m->state, ==, FOCUS_MEMBER_ACTIVE);

    /* ENDED is final. */
    focus_member_set_state(m, FOCUS_MEMBER_ENDED, "test");
    for (FocusMemberState to = FOCUS_MEMBER_IDLE; to <= FOCUS_MEMBER_FAILED; to++) {
        if (to == FOCUS_MEMBER_ENDED)
            continue;
        g_test_expect_message("parley-focus", G_LOG_LEVEL_CRITICAL, "*no transition ended -> *");
        focus_member_set_state(m, to, "test");
        g_test_assert_expected_messages();
        g_assert_cmpint(m->state, ==, FOCUS_MEMBER_ENDED);
    }
    testbed_clear(&tb);
}

static void test_evaluation_coalesced(void)
{
    TestBed tb;
    testbed_init_core(&tb, NULL);
    testbed_room_ready(&tb, ROOM);
    FocusConference *conf = focus_conferences_lookup(focus_core_conferences(tb.core), ROOM);
    /* Nothing is due once the room is set up. */
    focus_link_run_due(tb.link);
    g_assert_cmpint(focus_link_next_due_in(tb.link), !=, 0);
    focus_conf_evaluate(conf);
    focus_conf_evaluate(conf);
    focus_conf_evaluate(conf);
    g_assert_cmpint(focus_link_next_due_in(tb.link), ==, 0);
    g_assert_cmpuint(focus_link_run_due(tb.link), ==, 1);
    g_assert_cmpuint(focus_link_run_due(tb.link), ==, 0);

    /* A burst of joins: one pass invites everyone (no bridge: one bridgeNotAvailable). */
    focus_link_set_online(tb.link, TRUE);
    xmpp_stanza_t *a =
        stanza_from(&tb, "<presence from='" ROOM "/a' to='" TB_OCCUPANT "'><x xmlns='" NS_MUC_USER
                         "'><item affiliation='none' role='participant' "
                         "jid='a@example.org/r'/></x></presence>");
    xmpp_stanza_t *b =
        stanza_from(&tb, "<presence from='" ROOM "/b' to='" TB_OCCUPANT "'><x xmlns='" NS_MUC_USER
                         "'><item affiliation='none' role='participant' "
                         "jid='b@example.org/r'/></x></presence>");
    guint mark = testbed_mark(&tb);
    const StanzaPattern *no_bridge =
        STANZA(.name = "presence", .to = ROOM "/focus", .has = {{"bridgeNotAvailable", NS_FOCUS}});
    focus_core_receive(tb.core, a);
    focus_core_receive(tb.core, b);
    g_assert_cmpuint(sent_count(&tb, mark, no_bridge), ==, 0); /* the pass is scheduled */
    g_assert_cmpuint(focus_link_run_due(tb.link), ==, 1);
    g_assert_cmpuint(sent_count(&tb, mark, no_bridge), ==, 1);
    xmpp_stanza_release(a);
    xmpp_stanza_release(b);
    testbed_clear(&tb);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/focus/member/table", test_table);
    g_test_add_func("/focus/member/evaluation-coalesced", test_evaluation_coalesced);
    return g_test_run();
}
