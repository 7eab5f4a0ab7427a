/* SPDX-License-Identifier: MIT */
/* The focus's media layer when bridges fail, without sockets (conference-fixture.h): no
 * bridge and then one, a bridge leaving, allocations timing out, lost or retried, restarts and
 * ICE failures, endpoints a bridge drops by itself, expiries waiting for the bridge. */
#include "conference-fixture.h"

static void test_no_bridge_then_one(void)
{
    Fx fx;
    fx_init(&fx, 2);
    room_ready(&fx);
    occupant(&fx, "alice");
    guint mark = fx.tb.sent->len;
    occupant(&fx, "bob");
    g_assert_cmpint(sent_find(&fx.tb, 0, DISCO), ==, -1);
    int p = sent_find(&fx.tb, mark, NO_BRIDGE);
    g_assert_cmpint(p, >=, 0);
    g_assert_null(pa_stanza_child(sent_at(&fx.tb, p), "x", NS_MUC)); /* an update, not a join */
    g_assert_cmpint(sent_find(&fx.tb, mark, MODIFY()), ==, -1);
    g_assert_cmpuint(sent_count(&fx.tb, 0, NO_BRIDGE), ==, 1);

    mark = fx.tb.sent->len;
    bridge_join(&fx, "b1", "0.0");
    disco(&fx, mark, "alice", JSON_FEATURES);
    disco(&fx, mark, "bob", JSON_FEATURES);
    int a = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(a, >=, 0);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "bob"), >=, 0);
    int cleared = sent_find(&fx.tb, mark, FOCUS_PRESENCE);
    g_assert_cmpint(cleared, >=, 0);
    g_assert_false(stanza_has(sent_at(&fx.tb, cleared), ELEM(.name = "bridgeNotAvailable")));
    fx_clear(&fx);
}

static void test_bridge_leaves(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    bridge_join(&fx, "b2", "0.5");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_autofree char *bs1 = g_strdup(focus_conference_bridge_session_id(conf));
    g_autofree char *acc = accept_inner("alice", 1001);
    client_jingle(&fx, "alice", "session-accept", sa, acc);

    guint mark = fx.tb.sent->len;
    bridge_leave(&fx, "b1");
    /* Both are told they move, and are invited again on b2, alice's sources included. */
    int ta = sent_find(&fx.tb, mark, JINGLE_TO("alice", "session-terminate"));
    int tb = sent_find(&fx.tb, mark, JINGLE_TO("bob", "session-terminate"));
    g_assert_cmpint(ta, >=, 0);
    g_assert_cmpint(tb, >=, 0);
    xmpp_stanza_t *reason = stanza_find(sent_at(&fx.tb, ta), ELEM(.name = "reason"));
    g_assert_nonnull(reason);
    g_assert_true(stanza_has(reason, ELEM(.name = "success")));
    g_assert_true(stanza_has(reason, ELEM(.name = "text", .text = "moving")));
    int a2 = find_alloc(&fx, mark, "b2", "alice");
    g_assert_cmpint(a2, >, ta);
    g_assert_true(
        stanza_has(sent_at(&fx.tb, a2), ELEM(.name = "source", .attrs = {"ssrc", "1001"})));
    g_assert_cmpint(sent_find(&fx.tb, mark, STANZA(.to = BREWERY "/b1")), ==, -1);
    g_assert_cmpstr(focus_conference_bridge(conf), ==, BREWERY "/b2");
    g_assert_cmpstr(focus_conference_bridge_session_id(conf), !=, bs1);

    mark = fx.tb.sent->len;
    answer_alloc(&fx, a2, "alice");
    int ia = find_initiate(&fx, mark, "alice");
    g_assert_cmpint(ia, >=, 0);
    g_autofree char *sa2 = sid_of(&fx, ia);
    g_assert_cmpstr(sa2, !=, sa);
    /* The old session is gone. */
    int r = client_jingle(&fx, "alice", "transport-info", sa,
                          "<content name='audio'>" TRANSPORT_ACTIVE "</content>");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "gone");
    fx_clear(&fx);
}

static void test_allocation_timeout(void)
{
    Fx fx;
    fx_init(&fx, 1);
    bridge_join(&fx, "b1", "0.1");
    bridge_join(&fx, "b2", "0.5");
    room_ready(&fx);
    guint mark = fx.tb.sent->len;
    occupant(&fx, "alice");
    disco(&fx, mark, "alice", JSON_FEATURES);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    mark = fx.tb.sent->len;
    testbed_advance(&fx.tb, 15000);
    int a2 = find_alloc(&fx, mark, "b2", "alice");
    g_assert_cmpint(a2, >=, 0);
    g_assert_cmpstr(xmpp_stanza_get_attribute(
                        pa_stanza_child(sent_at(&fx.tb, a2), "conference-modify", NULL), "create"),
                    ==, "true");
    /* b1 is skipped while failed, usable again after. */
    const FocusBridge *b1 = focus_bridges_lookup(fx.br, BREWERY "/b1");
    g_assert_cmpint(b1->failed_until_us, >, fx.tb.now_us);
    g_assert_cmpuint(focus_bridges_count_available(fx.br), ==, 1);
    answer_alloc(&fx, a2, "alice");
    answer(&fx, find_initiate(&fx, mark, "alice"), NULL);
    testbed_advance(&fx.tb, FOCUS_BRIDGE_FAILURE_MS);
    g_assert_cmpuint(focus_bridges_count_available(fx.br), ==, 2);
    fx_clear(&fx);
}

static void test_restart_and_ice_failed(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_autofree char *acc = accept_inner("alice", 1001);
    client_jingle(&fx, "alice", "session-accept", sa, acc);
    g_autofree char *bs = g_strdup(focus_conference_bridge_session_id(conf));

    /* A wrong bridge-session id is refused. */
    int r = client_jingle(&fx, "alice", "session-terminate", sa,
                          "<reason><success/></reason><bridge-session "
                          "xmlns='http://jitsi.org/protocol/focus' id='other' restart='true'/>");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "item-not-found");

    /* Restart: result, endpoint expired, a new endpoint and a new offer; no terminate. */
    guint mark = fx.tb.sent->len;
    g_autofree char *restart = g_strdup_printf(
        "<reason><success/></reason><bridge-session xmlns='http://jitsi.org/protocol/focus' "
        "id='%s' restart='true'/>",
        bs);
    r = client_jingle(&fx, "alice", "session-terminate", sa, restart);
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int exp = sent_find(&fx.tb, mark,
                        MODIFY_TO("b1", {"endpoint", NULL, {"id", "alice", "expire", "true"}}));
    int a2 = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(exp, >=, 0);
    g_assert_cmpint(a2, >, exp);
    g_assert_cmpint(sent_find(&fx.tb, mark, TERMINATE), ==, -1);
    answer_alloc(&fx, a2, "alice");
    int ia = find_initiate(&fx, mark, "alice");
    g_assert_cmpint(ia, >=, 0);
    g_autofree char *sa2 = sid_of(&fx, ia);

    /* Another restart within 5 s: the session ends, no new one (rate-limited). */
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "alice", "session-terminate", sa2, restart);
    g_assert_cmpstr(reply_condition(&fx, r), ==, "resource-constraint");
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), ==, -1);
    g_assert_null(focus_conference_session(conf, "alice"));

    /* bob: ICE failed -> terminate "moving" and a new offer. */
    testbed_advance(&fx.tb, 6000);
    mark = fx.tb.sent->len;
    r = client_jingle(&fx, "bob", "session-info", sb,
                      "<ice-state xmlns='http://jitsi.org/protocol/focus'>failed</ice-state>");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int tb = sent_find(&fx.tb, mark, JINGLE_TO("bob", "session-terminate"));
    g_assert_cmpint(tb, >=, 0);
    g_assert_true(stanza_has(sent_at(&fx.tb, tb), ELEM(.name = "text", .text = "moving")));
    int ab = find_alloc(&fx, mark, "b1", "bob");
    g_assert_cmpint(ab, >=, 0);
    /* Its endpoint was the conference's last: the new allocation creates it again. */
    g_assert_cmpstr(xmpp_stanza_get_attribute(
                        pa_stanza_child(sent_at(&fx.tb, ab), "conference-modify", NULL), "create"),
                    ==, "true");
    fx_clear(&fx);
}

/* Alone again after the other participant left, a restart still gets a new session. */
static void test_lone_restart(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    g_autofree char *acc = accept_inner("alice", 1001);
    client_jingle(&fx, "alice", "session-accept", sa, acc);
    occupant_left(&fx, "bob");
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_autofree char *restart = g_strdup_printf(
        "<bridge-session xmlns='http://jitsi.org/protocol/focus' id='%s' restart='true'/>",
        focus_conference_bridge_session_id(conf));
    guint mark = fx.tb.sent->len;
    int r = client_jingle(&fx, "alice", "session-terminate", sa, restart);
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    /* A newcomer alone is still not invited. */
    mark = fx.tb.sent->len;
    occupant_left(&fx, "alice");
    occupant(&fx, "carol");
    g_assert_cmpint(sent_find(&fx.tb, mark, DISCO), ==, -1);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "carol"), ==, -1);
    fx_clear(&fx);
}

/* A lost reply: the bridge already has the conference, or the endpoint. */
static void test_allocation_retries(void)
{
    Fx fx;
    fx_init(&fx, 1);
    bridge_join(&fx, "b1", "0.1");
    room_ready(&fx);
    guint mark = fx.tb.sent->len;
    occupant(&fx, "alice");
    disco(&fx, mark, "alice", JSON_FEATURES);
    int a1 = find_alloc(&fx, mark, "b1", "alice");
    mark = fx.tb.sent->len;
    answer_error(&fx, a1, "conflict",
                 "<error xmlns='jitsi:colibri2' reason='CONFERENCE_ALREADY_EXISTS'/>");
    int a2 = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(a2, >=, 0);
    g_assert_null(xmpp_stanza_get_attribute(
        pa_stanza_child(sent_at(&fx.tb, a2), "conference-modify", NULL), "create"));
    /* Endpoint conflict: expired first, then created again (the conference with it). */
    mark = fx.tb.sent->len;
    answer_error(&fx, a2, "conflict", NULL);
    int exp = sent_find(&fx.tb, mark,
                        MODIFY_TO("b1", {"endpoint", NULL, {"id", "alice", "expire", "true"}}));
    int a3 = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(exp, >=, 0);
    g_assert_cmpint(a3, >, exp);
    /* A third failure is the bridge's fault: it is skipped, no other bridge: wait. */
    mark = fx.tb.sent->len;
    answer_error(&fx, a3, "conflict", NULL);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), ==, -1);
    g_assert_cmpint(sent_find(&fx.tb, mark, NO_BRIDGE), >=, 0);
    /* Once b1 is usable again, alice is invited. */
    mark = fx.tb.sent->len;
    testbed_advance(&fx.tb, FOCUS_BRIDGE_FAILURE_MS);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    fx_clear(&fx);
}

static void test_unknown_endpoint(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    guint mark = fx.tb.sent->len;
    g_autofree char *acc = accept_inner("alice", 1001);
    client_jingle(&fx, "alice", "session-accept", sa, acc);
    int upd = sent_find(&fx.tb, mark, MODIFY_TO("b1", {"endpoint", NULL, {"id", "alice"}}));
    mark = fx.tb.sent->len;
    answer_error(&fx, upd, "item-not-found",
                 "<error xmlns='jitsi:colibri2' reason='UNKNOWN_ENDPOINT'/><endpoint "
                 "xmlns='jitsi:colibri2' id='alice'/>");
    /* Only alice is re-invited. */
    g_assert_cmpint(sent_find(&fx.tb, mark, JINGLE_TO("alice", "session-terminate")), >=, 0);
    g_assert_cmpint(sent_find(&fx.tb, mark, JINGLE_TO("bob", "session-terminate")), ==, -1);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    fx_clear(&fx);
}

/* @from (a bridge's brewery occupant JID, or anyone) says it dropped @nick's endpoint;
 * returns the index of the focus's reply. */
static int bridge_news(Fx *fx, const char *from, const char *meeting_id, const char *nick,
                       const char *conference)
{
    g_autofree char *id = g_strdup_printf("bn%u", ++fx->next_id);
    guint before = testbed_mark(&fx->tb);
    testbed_receive(&fx->tb,
                    "<iq type='set' id='%s' from='%s' to='" OCC "'><endpoint-expired "
                    "xmlns='urn:parley:bridge:0' meeting-id='%s' endpoint='%s' reason='failed' "
                    "conference='%s'>ICE consent lost</endpoint-expired></iq>",
                    id, from, meeting_id, nick, conference);
    int r = sent_find(&fx->tb, before, STANZA(.name = "iq", .id = id));
    g_assert_cmpint(r, >=, 0);
    g_assert_cmpuint(sent_count(&fx->tb, before, STANZA(.name = "iq", .id = id)), ==, 1);
    return r;
}

/* The bridge drops alice's endpoint by itself (ICE consent lost) and says so: only alice is
 * re-invited, at once, on the same bridge, into the conference the bridge kept (no create);
 * the news is only taken from a bridge of the brewery, and old news changes nothing. */
static void test_bridge_drops_endpoint(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    g_autofree char *acc_a = accept_inner("alice", 1001);
    client_jingle(&fx, "alice", "session-accept", sa, acc_a);
    g_autofree char *acc_b = accept_inner("bob", 2001);
    client_jingle(&fx, "bob", "session-accept", sb, acc_b);
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    const char *meeting = focus_conference_meeting_id(conf);

    /* Not a bridge: refused, nothing happens. */
    guint mark = testbed_mark(&fx.tb);
    int r = bridge_news(&fx, "mallory@example.org/x", meeting, "alice", "kept");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "forbidden");
    r = bridge_news(&fx, ROOM "/bob", meeting, "alice", "kept");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "forbidden");
    /* Another bridge than alice's, or an unknown meeting: old news. */
    bridge_join(&fx, "b2", "0.5");
    r = bridge_news(&fx, BREWERY "/b2", meeting, "alice", "kept");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "item-not-found");
    r = bridge_news(&fx, BREWERY "/b1", "no-such-meeting", "alice", "kept");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "item-not-found");
    g_assert_cmpint(sent_find(&fx.tb, mark, TERMINATE), ==, -1);
    g_assert_cmpint(sent_find(&fx.tb, mark, MODIFY()), ==, -1);

    /* b1 dropped alice: accepted, from its occupant JID or its own JID. */
    mark = testbed_mark(&fx.tb);
    r = bridge_news(&fx, "jvb@auth." TB_DOMAIN "/b1-res", meeting, "alice", "kept");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    int term = sent_find(&fx.tb, mark, JINGLE_TO("alice", "session-terminate"));
    g_assert_cmpint(term, >=, 0);
    g_assert_true(stanza_match(sent_at(&fx.tb, term), STANZA(.has = {{"success", NULL}})));
    g_assert_cmpint(sent_find(&fx.tb, mark, JINGLE_TO("bob", "session-terminate")), ==, -1);
    /* Nothing to expire (the bridge forgot it), a new endpoint on b1 in the kept conference. */
    g_assert_cmpint(
        sent_find(&fx.tb, mark, MODIFY_TO("b1", {"endpoint", NULL, {"expire", "true"}})), ==, -1);
    int alloc = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(alloc, >=, 0);
    xmpp_stanza_t *cm = pa_stanza_child(sent_at(&fx.tb, alloc), "conference-modify", NULL);
    g_assert_null(xmpp_stanza_get_attribute(cm, "create"));
    /* Her accepted sources go along, so the bridge routes her RTP at once. */
    g_assert_true(
        stanza_match(sent_at(&fx.tb, alloc), STANZA(.has = {{"source", NULL, {"ssrc", "1001"}}})));
    guint m2 = testbed_mark(&fx.tb);
    answer_alloc(&fx, alloc, "alice");
    int init = find_initiate(&fx, m2, "alice");
    g_assert_cmpint(init, >=, 0);
    g_autofree char *sa2 = sid_of(&fx, init);
    g_assert_cmpstr(sa2, !=, sa);

    /* bob's goes too, and the bridge ended the conference with it: created again. */
    mark = testbed_mark(&fx.tb);
    r = bridge_news(&fx, BREWERY "/b1", meeting, "bob", "ended");
    g_assert_cmpstr(reply_type(&fx, r), ==, "result");
    alloc = find_alloc(&fx, mark, "b1", "bob");
    g_assert_cmpint(alloc, >=, 0);
    cm = pa_stanza_child(sent_at(&fx.tb, alloc), "conference-modify", NULL);
    g_assert_cmpstr(xmpp_stanza_get_attribute(cm, "create"), ==, "true");
    fx_clear(&fx);
}

/* The bridge dropped alice's endpoint, and it is no longer healthy: the conference moves. */
static void test_bridge_drops_endpoint_unhealthy(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    bridge_join(&fx, "b2", "0.5");
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_autofree char *meeting = g_strdup(focus_conference_meeting_id(conf));
    /* b1 says it is unhealthy: the conference moves to b2 (both re-invited). */
    guint mark = testbed_mark(&fx.tb);
    testbed_receive(&fx.tb,
                    "<presence from='" BREWERY "/b1' to='" OCC "'><x xmlns='" NS_MUC_USER
                    "'><item affiliation='none' role='participant' jid='jvb@auth." TB_DOMAIN
                    "/b1-res'/></x><stats xmlns='http://jitsi.org/protocol/colibri'><stat "
                    "name='stress_level' value='0.1'/><stat name='healthy' value='false'/></stats>"
                    "</presence>");
    g_assert_cmpint(find_alloc(&fx, mark, "b2", "alice"), >=, 0);
    /* Late news from b1 about alice's old endpoint is old news. */
    int r = bridge_news(&fx, BREWERY "/b1", meeting, "alice", "kept");
    g_assert_cmpstr(reply_condition(&fx, r), ==, "item-not-found");
    fx_clear(&fx);
}

#define EXPIRE_CONF_TO(bridge)                                                                     \
    STANZA(.name = "iq", .type = "set", .to = BREWERY "/" bridge,                                  \
           .has = {{"conference-modify", NS_COLIBRI2, {"expire", "true"}}})
#define EXPIRE_EP_TO(bridge, nick)                                                                 \
    STANZA(.name = "iq", .type = "set", .to = BREWERY "/" bridge,                                  \
           .has = {{"conference-modify", NS_COLIBRI2},                                             \
                   {"endpoint", NULL, {"id", nick, "expire", "true"}}})

/* The only bridge goes away (say, it and the XMPP server restarted) and comes back: nothing is
 * sent to it while it is away; once back, the conference it may still hold is expired before
 * the conference is created there again, and the endpoint of a participant who left during
 * the outage is expired too (the room ended: the expiry outlives it). */
static void test_expiries_wait_for_the_bridge(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    g_autofree char *sa = NULL, *sb = NULL;
    two_invited(&fx, &sa, &sb);
    FocusConference *conf = focus_conferences_lookup(fx.mgr, ROOM);
    g_autofree char *meeting = g_strdup(focus_conference_meeting_id(conf));

    guint mark = testbed_mark(&fx.tb);
    bridge_leave(&fx, "b1");
    g_assert_cmpint(sent_find(&fx.tb, mark, NO_BRIDGE), >=, 0);
    g_assert_cmpint(sent_find(&fx.tb, mark, STANZA(.to = BREWERY "/b1")), ==, -1);
    g_assert_cmpuint(focus_expiries_waiting(fx.mgr), ==, 1);

    /* b1 is back: the old conference goes first, then the new allocations. */
    mark = testbed_mark(&fx.tb);
    bridge_join(&fx, "b1", "0.1");
    int exp = sent_find(&fx.tb, mark, EXPIRE_CONF_TO("b1"));
    g_assert_cmpint(exp, >=, 0);
    g_assert_true(stanza_match(sent_at(&fx.tb, exp),
                               STANZA(.has = {{"conference-modify",
                                               NS_COLIBRI2,
                                               {"meeting-id", meeting, "expire", "true"}}})));
    int alloc = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(alloc, >, exp);
    g_assert_cmpuint(focus_expiries_waiting(fx.mgr), ==, 0);
    answer(&fx, exp, NULL);
    g_assert_cmpuint(fx.mgr->expiries->len, ==, 0);

    /* b1 goes again; everyone leaves meanwhile and the room ends. */
    answer_alloc(&fx, alloc, "alice");
    int alloc_b = find_alloc(&fx, mark, "b1", "bob");
    answer_alloc(&fx, alloc_b, "bob");
    bridge_leave(&fx, "b1");
    occupant_left(&fx, "alice");
    occupant_left(&fx, "bob");
    testbed_advance(&fx.tb, 60000); /* the empty room's grace, its destruction */
    testbed_receive(&fx.tb, "<presence type='unavailable' from='" ROOM "/focus' to='" OCC
                            "'><x xmlns='" NS_MUC_USER "'><destroy/><status code='110'/></x>"
                            "</presence>");
    testbed_advance(&fx.tb, 0);
    g_assert_null(focus_conferences_lookup(fx.mgr, ROOM));
    mark = testbed_mark(&fx.tb);
    bridge_join(&fx, "b1", "0.1");
    /* What b1 may still hold of that meeting is expired now that it is back. */
    exp = sent_find(&fx.tb, mark, EXPIRE_CONF_TO("b1"));
    g_assert_cmpint(exp, >=, 0);
    /* The MUC answers for an occupant that is not there (no Colibri2 reason): kept for the
     * next time; the bridge's own CONFERENCE_NOT_FOUND: done. */
    answer_error(&fx, exp, "item-not-found", NULL);
    g_assert_cmpuint(focus_expiries_waiting(fx.mgr), ==, 1);
    bridge_leave(&fx, "b1");
    mark = testbed_mark(&fx.tb);
    bridge_join(&fx, "b1", "0.1");
    exp = sent_find(&fx.tb, mark, EXPIRE_CONF_TO("b1"));
    g_assert_cmpint(exp, >=, 0);
    answer_error(&fx, exp, "item-not-found",
                 "<error xmlns='jitsi:colibri2' reason='CONFERENCE_NOT_FOUND'/>");
    g_assert_cmpuint(fx.mgr->expiries->len, ==, 0);
    fx_clear(&fx);
}

/* The connection drops while an allocation waits for its reply: it may have reached the
 * bridge, so that endpoint is expired before it is allocated again. */
static void test_allocation_lost_with_the_link(void)
{
    Fx fx;
    fx_init(&fx, 2);
    bridge_join(&fx, "b1", "0.1");
    room_ready(&fx);
    occupant(&fx, "alice");
    guint mark = testbed_mark(&fx.tb);
    occupant(&fx, "bob");
    disco(&fx, mark, "alice", JSON_FEATURES);
    disco(&fx, mark, "bob", JSON_FEATURES);
    g_assert_cmpint(find_alloc(&fx, mark, "b1", "alice"), >=, 0);
    focus_link_set_online(fx.tb.link, FALSE);
    focus_link_fail_pending(fx.tb.link);
    focus_core_on_offline(fx.tb.core);
    g_assert_cmpuint(focus_expiries_waiting(fx.mgr), ==, 2);
    focus_link_set_online(fx.tb.link, TRUE);
    focus_core_on_online(fx.tb.core);
    mark = testbed_mark(&fx.tb);
    testbed_brewery_joined(&fx.tb);
    bridge_join(&fx, "b1", "0.1");
    /* The room is joined again: both are still there. */
    occupant(&fx, "alice");
    occupant(&fx, "bob");
    testbed_room_self(&fx.tb, ROOM, FALSE);
    int form = sent_find(&fx.tb, mark,
                         STANZA(.name = "iq", .type = "set", .to = ROOM,
                                .has = {{"query", "http://jabber.org/protocol/muc#owner"}}));
    g_assert_cmpint(form, >=, 0);
    answer(&fx, form, NULL);
    testbed_advance(&fx.tb, 0);
    int exp = sent_find(&fx.tb, mark, EXPIRE_EP_TO("b1", "alice"));
    int alloc = find_alloc(&fx, mark, "b1", "alice");
    g_assert_cmpint(exp, >=, 0);
    g_assert_cmpint(alloc, >, exp);
    fx_clear(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    /* Refusals are logged as warnings: they are expected here. */
    g_log_set_always_fatal(G_LOG_FATAL_MASK | G_LOG_LEVEL_CRITICAL);
    g_test_add_func("/jingle/conference/no-bridge-then-one", test_no_bridge_then_one);
    g_test_add_func("/jingle/conference/bridge-leaves", test_bridge_leaves);
    g_test_add_func("/jingle/conference/allocation-timeout", test_allocation_timeout);
    g_test_add_func("/jingle/conference/restart-and-ice-failed", test_restart_and_ice_failed);
    g_test_add_func("/jingle/conference/lone-restart", test_lone_restart);
    g_test_add_func("/jingle/conference/allocation-retries", test_allocation_retries);
    g_test_add_func("/jingle/conference/unknown-endpoint", test_unknown_endpoint);
    g_test_add_func("/jingle/conference/expiries-wait-for-the-bridge",
                    test_expiries_wait_for_the_bridge);
    g_test_add_func("/jingle/conference/allocation-lost-with-the-link",
                    test_allocation_lost_with_the_link);
    g_test_add_func("/jingle/conference/bridge-drops-endpoint", test_bridge_drops_endpoint);
    g_test_add_func("/jingle/conference/bridge-drops-endpoint-unhealthy",
                    test_bridge_drops_endpoint_unhealthy);
    return g_test_run();
}
