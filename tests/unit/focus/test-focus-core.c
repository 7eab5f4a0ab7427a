/* SPDX-License-Identifier: MIT */
/* The core routes what the focus receives: IQs by namespace to the layer that registered it
 * (with the errors for everything else), presence to the brewery, the rooms and the security
 * layer in turn, room messages to their room; and connection news to the layers. */
#include "testbed.h"

#define ROOM "r1@conference.example.org"
#define USER "u@example.org/r"

/* The reply the focus sent to IQ @id since @mark (index), asserting there is exactly one. */
static int reply_to(TestBed *tb, guint mark, const char *id)
{
    g_assert_cmpuint(sent_count(tb, mark, STANZA(.name = "iq", .id = id)), ==, 1);
    return sent_find(tb, mark, STANZA(.name = "iq", .id = id));
}

static gboolean is_error(TestBed *tb, int idx, const char *type, const char *condition)
{
    return stanza_match(sent_at(tb, idx),
                        STANZA(.type = "error", .to = USER,
                               .has = {{"error", NULL, {"type", type}}, {condition, NS_STANZAS}}));
}

static void test_iq_errors(void)
{
    TestBed tb;
    testbed_init_core(&tb, NULL);
    guint mark = testbed_mark(&tb);
    testbed_receive(&tb,
                    "<iq type='get' id='u1' from='" USER "'><query xmlns='urn:unknown'/></iq>");
    g_assert_true(is_error(&tb, reply_to(&tb, mark, "u1"), "cancel", "service-unavailable"));
    testbed_receive(&tb, "<iq type='set' id='e1' from='" USER "'/>");
    g_assert_true(is_error(&tb, reply_to(&tb, mark, "e1"), "modify", "bad-request"));
    testbed_receive(&tb,
                    "<iq type='bogus' id='t1' from='" USER "'><ping xmlns='urn:xmpp:ping'/></iq>");
    g_assert_true(is_error(&tb, reply_to(&tb, mark, "t1"), "modify", "bad-request"));
    testbed_receive(&tb,
                    "<iq type='get' id='k1' from='" USER "'><pong xmlns='urn:xmpp:ping'/></iq>");
    g_assert_true(is_error(&tb, reply_to(&tb, mark, "k1"), "cancel", "feature-not-implemented"));
    testbed_receive(&tb, "<iq type='set' id='j1' from='" USER "'><transport "
                         "xmlns='urn:xmpp:jingle:1'/></iq>");
    g_assert_true(is_error(&tb, reply_to(&tb, mark, "j1"), "cancel", "feature-not-implemented"));
    /* Nobody to answer, and replies nobody waits for: nothing is sent. */
    guint quiet = testbed_mark(&tb);
    testbed_receive(&tb, "<iq type='get' id='n1'><ping xmlns='urn:xmpp:ping'/></iq>");
    testbed_receive(&tb, "<iq type='result' id='nobody' from='x@y/z'/>");
    testbed_receive(&tb, "<iq type='error' id='nobody2' from='x@y/z'/>");
    g_assert_cmpuint(testbed_mark(&tb), ==, quiet);
    testbed_clear(&tb);
}

/* Each namespace reaches its layer: the answers are the layers' own. */
static void test_iq_layers(void)
{
    TestBed tb;
    testbed_init_core(&tb, NULL);
    guint mark = testbed_mark(&tb);
    testbed_receive(&tb,
                    "<iq type='get' id='p1' from='" USER "'><ping xmlns='urn:xmpp:ping'/></iq>");
    g_assert_true(stanza_match(sent_at(&tb, reply_to(&tb, mark, "p1")), STANZA(.type = "result")));
    /* rooms: a room on another MUC service */
    testbed_request_room(&tb, "c1", USER, "r1@conference.evil.org");
    g_assert_true(is_error(&tb, reply_to(&tb, mark, "c1"), "cancel", "not-allowed"));
    g_assert_cmpuint(focus_registry_count(focus_core_registry(tb.core)), ==, 0);
    /* conference: Jingle from someone who is in no conference */
    testbed_receive(&tb, "<iq type='set' id='j2' from='" USER "'><jingle xmlns='urn:xmpp:jingle:1' "
                         "action='source-add' sid='s1'/></iq>");
    int j = reply_to(&tb, mark, "j2");
    g_assert_true(is_error(&tb, j, "cancel", "item-not-found"));
    g_assert_true(stanza_has(sent_at(&tb, j),
                             ELEM(.name = "unknown-session", .ns = "urn:xmpp:jingle:errors:1")));
    /* security: the lobby of a room the focus does not run */
    testbed_receive(&tb, "<iq type='get' id='l1' from='" USER "'><lobby xmlns='" NS_LOBBY "' "
                         "room='" ROOM "'/></iq>");
    g_assert_true(is_error(&tb, reply_to(&tb, mark, "l1"), "cancel", "item-not-found"));
    testbed_clear(&tb);
}

/* Presence goes to the brewery, then to the rooms; messages from a room to that room. */
static void test_presence_and_messages(void)
{
    TestBed tb;
    testbed_init_core(&tb, NULL);
    focus_core_start(tb.core);
    testbed_brewery_joined(&tb);
    testbed_bridge_join(&tb, "b1", "0.1");
    g_assert_cmpuint(focus_bridges_count(focus_core_bridges(tb.core)), ==, 1);

    testbed_room_ready(&tb, ROOM);
    FocusRoom *room = focus_registry_lookup(focus_core_registry(tb.core), ROOM);
    g_assert_nonnull(room);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);
    testbed_occupant(&tb, ROOM, "alice", "alice@example.org/r", "none", "participant");
    g_assert_cmpuint(focus_room_participant_count(room), ==, 1);
    /* Presence from a room the focus does not run, and garbage: nobody takes it. */
    guint mark = testbed_mark(&tb);
    testbed_occupant(&tb, "other@conference.example.org", "bob", "bob@example.org/r", "none",
                     "participant");
    testbed_receive(&tb, "<presence type='subscribe' from='x@y/z'/>");
    g_assert_cmpuint(testbed_mark(&tb), ==, mark);

    /* Someone changed the room's configuration: the security layer reads it. */
    testbed_receive(&tb, "<message type='groupchat' from='" ROOM "'><x xmlns='" NS_MUC_USER
                         "'><status code='104'/></x></message>");
    g_assert_cmpint(sent_find(&tb, mark,
                              STANZA(.name = "iq", .type = "get", .to = ROOM,
                                     .has = {{"query", NS_MUC_OWNER}})),
                    >=, 0);
    /* A message from anyone else changes nothing. */
    mark = testbed_mark(&tb);
    testbed_receive(&tb, "<message from='x@y/z'><x xmlns='" NS_MUC_USER
                         "'><status code='104'/></x></message>");
    g_assert_cmpuint(testbed_mark(&tb), ==, mark);
    testbed_clear(&tb);
}

/* Connection news reach the brewery and the rooms: both are joined again. */
static void test_connection_news(void)
{
    TestBed tb;
    testbed_init_core(&tb, NULL);
    focus_core_start(tb.core);
    testbed_brewery_joined(&tb);
    testbed_room_ready(&tb, ROOM);
    focus_link_set_online(tb.link, FALSE);
    focus_core_on_offline(tb.core);
    focus_link_set_online(tb.link, TRUE);
    guint mark = testbed_mark(&tb);
    focus_core_on_online(tb.core);
    g_assert_cmpint(sent_find(&tb, mark, STANZA(.name = "presence", .to = TB_BREWERY "/focus")), >=,
                    0);
    g_assert_cmpint(
        sent_find(&tb, mark,
                  STANZA(.name = "presence", .to = ROOM "/focus", .has = {{"x", NS_MUC}})),
        >=, 0);
    /* Stopping leaves both. */
    mark = testbed_mark(&tb);
    focus_core_stop(tb.core);
    g_assert_cmpint(
        sent_find(&tb, mark,
                  STANZA(.name = "presence", .type = "unavailable", .to = TB_BREWERY "/focus")),
        >=, 0);
    g_assert_cmpint(
        sent_find(&tb, mark,
                  STANZA(.name = "presence", .type = "unavailable", .to = ROOM "/focus")),
        >=, 0);
    testbed_clear(&tb);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Refused input is logged as warnings: expected here. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/focus/core/iq-errors", test_iq_errors);
    g_test_add_func("/focus/core/iq-layers", test_iq_layers);
    g_test_add_func("/focus/core/presence-and-messages", test_presence_and_messages);
    g_test_add_func("/focus/core/connection-news", test_connection_news);
    return g_test_run();
}
