/* SPDX-License-Identifier: MIT */
/* The secure domain (auth.login_domain): users logged in on the login domain open rooms and
 * become moderators; guests (anonymous, guest.DOMAIN) get auth/not-authorized for a room no
 * logged-in user has opened, and are let in once one has; the answers say
 * authentication=true, with the logged-in user's identity. Without the setting nothing of
 * this applies. */
#include "testbed.h"

#define ROOM "planning@conference.example.org"
#define GUEST "guest-1@guest.example.org/web"
#define GUEST2 "guest-2@guest.example.org/web"
#define ALICE "alice@example.org/web"
/* Rooms only: media sessions start with this many participants, which no test reaches. */
#define NO_MEDIA "focus.min_participants=10"

static const FocusRoomRequestStats *stats(TestBed *tb)
{
    return focus_registry_request_stats(focus_core_registry(tb->core));
}

/* The reply to IQ @id sent since @mark, asserting there is exactly one. */
static xmpp_stanza_t *reply_to(TestBed *tb, guint mark, const char *id)
{
    g_assert_cmpuint(sent_count(tb, mark, STANZA(.name = "iq", .id = id)), ==, 1);
    return sent_at(tb, sent_find(tb, mark, STANZA(.name = "iq", .id = id)));
}

static gboolean is_not_authorized(xmpp_stanza_t *reply)
{
    return stanza_match(reply, STANZA(.type = "error", .has = {{"error", NULL, {"type", "auth"}},
                                                               {"not-authorized", NS_STANZAS}}));
}

static gboolean is_ready(xmpp_stanza_t *reply, const char *identity)
{
    return stanza_match(
        reply, STANZA(.type = "result",
                      .has = {{"conference", NS_FOCUS, {"ready", "true", "identity", identity}},
                              {"property", NULL, {"name", "authentication", "value", "true"}}}));
}

/* The join and owner form for a room the focus creates, answered: READY. */
static void room_created(TestBed *tb, guint mark)
{
    g_assert_cmpint(
        sent_find(tb, mark,
                  STANZA(.name = "presence", .to = ROOM "/focus", .has = {{"x", NS_MUC}})),
        >=, 0);
    testbed_room_self(tb, ROOM, TRUE);
    int form = sent_find(
        tb, mark,
        STANZA(.name = "iq", .type = "set", .to = ROOM, .has = {{"query", NS_MUC_OWNER}}));
    g_assert_cmpint(form, >=, 0);
    testbed_answer(tb, form, NULL);
}

static void test_guest_waits_for_a_moderator(void)
{
    TestBed tb;
    testbed_init_core(&tb, "auth.login_domain=example.org", NO_MEDIA, NULL);

    /* A guest first: refused, and no room is made for it. */
    guint mark = testbed_mark(&tb);
    testbed_request_room(&tb, "g1", GUEST, ROOM);
    g_assert_true(is_not_authorized(reply_to(&tb, mark, "g1")));
    g_assert_null(focus_registry_lookup(focus_core_registry(tb.core), ROOM));
    g_assert_cmpint(sent_find(&tb, mark, STANZA(.name = "presence")), ==, -1);
    g_assert_cmpuint(stats(&tb)->not_authorized, ==, 1);

    /* A logged-in user opens it: created, and the answer names her. */
    mark = testbed_mark(&tb);
    testbed_request_room(&tb, "a1", ALICE, ROOM);
    room_created(&tb, mark);
    g_assert_true(is_ready(reply_to(&tb, mark, "a1"), "alice@example.org"));

    /* The guest asks again: in, with no identity. */
    mark = testbed_mark(&tb);
    testbed_request_room(&tb, "g2", GUEST, ROOM);
    xmpp_stanza_t *r = reply_to(&tb, mark, "g2");
    g_assert_true(is_ready(r, ABSENT));
    g_assert_cmpuint(stats(&tb)->ready, ==, 2);
    g_assert_cmpuint(stats(&tb)->not_authorized, ==, 1);
    testbed_clear(&tb);
}

/* A guest who asks while the moderator's room is still being set up waits with it. */
static void test_guest_while_room_is_created(void)
{
    TestBed tb;
    testbed_init_core(&tb, "auth.login_domain=example.org", NO_MEDIA, NULL);
    guint mark = testbed_mark(&tb);
    testbed_request_room(&tb, "a1", ALICE, ROOM);
    testbed_request_room(&tb, "g1", GUEST, ROOM);
    g_assert_cmpuint(sent_count(&tb, mark, STANZA(.name = "iq", .id = "g1")), ==, 0);
    room_created(&tb, mark);
    g_assert_true(is_ready(reply_to(&tb, mark, "g1"), ABSENT));
    testbed_clear(&tb);
}

/* Only logged-in users become owner (moderator), whoever came first. */
static void test_only_logged_in_users_moderate(void)
{
    TestBed tb;
    testbed_init_core(&tb, "auth.login_domain=example.org", NO_MEDIA, NULL);
    guint mark = testbed_mark(&tb);
    testbed_request_room(&tb, "a1", ALICE, ROOM);
    room_created(&tb, mark);

    mark = testbed_mark(&tb);
    testbed_occupant(&tb, ROOM, "guest1", GUEST, "none", "participant");
    testbed_occupant(&tb, ROOM, "guest2", GUEST2, "none", "participant");
    g_assert_cmpint(sent_find(&tb, mark,
                              STANZA(.name = "iq", .to = ROOM,
                                     .has = {{"item", NS_MUC_ADMIN, {"affiliation", "owner"}}})),
                    ==, -1);
    testbed_occupant(&tb, ROOM, "alice", ALICE, "none", "participant");
    int grant = sent_find(
        &tb, mark,
        STANZA(.name = "iq", .to = ROOM,
               .has = {
                   {"item", NS_MUC_ADMIN, {"affiliation", "owner", "jid", "alice@example.org"}}}));
    g_assert_cmpint(grant, >=, 0);
    testbed_answer(&tb, grant, NULL);
    testbed_occupant(&tb, ROOM, "alice", ALICE, "owner", "moderator");

    /* Alice leaves: the guests stay, and none of them gets owner. */
    mark = testbed_mark(&tb);
    testbed_occupant_left(&tb, ROOM, "alice", NULL);
    g_assert_cmpint(sent_find(&tb, mark,
                              STANZA(.name = "iq", .to = ROOM,
                                     .has = {{"item", NS_MUC_ADMIN, {"affiliation", "owner"}}})),
                    ==, -1);
    testbed_clear(&tb);
}

/* A room on its way out is not open: a guest is refused rather than re-creating it. */
static void test_guest_refused_while_room_ends(void)
{
    TestBed tb;
    testbed_init_core(&tb, "auth.login_domain=example.org", "focus.room_grace_seconds=1", NO_MEDIA,
                      NULL);
    guint mark = testbed_mark(&tb);
    testbed_request_room(&tb, "a1", ALICE, ROOM);
    room_created(&tb, mark);
    testbed_occupant(&tb, ROOM, "alice", ALICE, "owner", "moderator");
    testbed_occupant_left(&tb, ROOM, "alice", NULL);
    testbed_advance(&tb, 1500);
    FocusRoom *room = focus_registry_lookup(focus_core_registry(tb.core), ROOM);
    g_assert_nonnull(room);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_DESTROYING);
    mark = testbed_mark(&tb);
    testbed_request_room(&tb, "g1", GUEST, ROOM);
    g_assert_true(is_not_authorized(reply_to(&tb, mark, "g1")));
    testbed_clear(&tb);
}

/* Without auth.login_domain anyone opens rooms and answers say authentication=false. */
static void test_open_deployment(void)
{
    TestBed tb;
    testbed_init_core(&tb, NO_MEDIA, NULL);
    guint mark = testbed_mark(&tb);
    testbed_request_room(&tb, "g1", GUEST, ROOM);
    room_created(&tb, mark);
    g_assert_true(stanza_match(
        reply_to(&tb, mark, "g1"),
        STANZA(.type = "result",
               .has = {{"conference", NS_FOCUS, {"ready", "true", "identity", ABSENT}},
                       {"property", NULL, {"name", "authentication", "value", "false"}}})));
    mark = testbed_mark(&tb);
    testbed_occupant(&tb, ROOM, "guest1", GUEST, "none", "participant");
    g_assert_cmpint(sent_find(&tb, mark,
                              STANZA(.name = "iq", .to = ROOM,
                                     .has = {{"item", NS_MUC_ADMIN, {"affiliation", "owner"}}})),
                    >=, 0);
    testbed_clear(&tb);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/secure-domain/guest-waits-for-a-moderator", test_guest_waits_for_a_moderator);
    g_test_add_func("/secure-domain/guest-while-room-is-created", test_guest_while_room_is_created);
    g_test_add_func("/secure-domain/only-logged-in-users-moderate",
                    test_only_logged_in_users_moderate);
    g_test_add_func("/secure-domain/guest-refused-while-room-ends",
                    test_guest_refused_while_room_ends);
    g_test_add_func("/secure-domain/open-deployment", test_open_deployment);
    return g_test_run();
}
