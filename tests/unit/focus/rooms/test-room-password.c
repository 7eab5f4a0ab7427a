/* SPDX-License-Identifier: MIT */
/* Taking over a password-protected room: a new focus (after a graceful restart of the old one,
 * which left its rooms) or one that reconnected joins a room that a moderator locked with a
 * password. The MUC service refuses the join with not-authorized; the focus reads the password
 * from the room's configuration as owner (not an occupant) and joins again with it. The whole
 * focus on the test bed, driven by the stanzas the MUC service and a client send. */
#include "focus/rooms/registry.h"

#include "testbed.h"

#define ROOM "r1@conference.example.org"
#define OCC TB_OCCUPANT
#define ANN "ann@example.org/web"

#define JOIN STANZA(.name = "presence", .to = ROOM "/focus", .has = {{"x", NS_MUC}})
#define JOIN_PLAIN                                                                                 \
    STANZA(.name = "presence", .to = ROOM "/focus", .has = {{"x", NS_MUC}}, .lacks = {{"password"}})
#define JOIN_WITH(pw)                                                                              \
    STANZA(.name = "presence", .to = ROOM "/focus",                                                \
           .has = {{"x", NS_MUC}, {"password", NS_MUC, .text = (pw)}})
/* The owner query for the configuration (a get: no form inside). */
#define CONFIG_GET                                                                                 \
    STANZA(.name = "iq", .type = "get", .to = ROOM, .from = OCC, .has = {{"query", NS_MUC_OWNER}}, \
           .lacks = {{"x", "jabber:x:data"}})
#define ROOM_FORM                                                                                  \
    STANZA(.name = "iq", .type = "set", .to = ROOM,                                                \
           .has = {{"query", NS_MUC_OWNER}, {"field", NULL, {"var", "muc#roomconfig_whois"}}})
#define REPLY_C1 STANZA(.name = "iq", .id = "c1", .to = ANN)
#define READY_REPLY                                                                                \
    STANZA(.name = "iq", .id = "c1", .type = "result",                                             \
           .has = {{"conference", NS_FOCUS, {"ready", "true"}}})

/* The configuration form as Prosody answers it (roomsecret, no passwordprotectedroom). */
#define FORM_WITH(secret)                                                                          \
    "<query xmlns='http://jabber.org/protocol/muc#owner'><x xmlns='jabber:x:data' type='form'>"    \
    "<field var='FORM_TYPE' type='hidden'><value>http://jabber.org/protocol/muc#roomconfig"        \
    "</value></field><field var='muc#roomconfig_membersonly' type='boolean'/>"                     \
    "<field var='muc#roomconfig_roomsecret' type='text-private'>" secret "</field></x></query>"

typedef struct {
    TestBed tb;
} Fixture;

static void fx_init(Fixture *fx)
{
    /* No media: the conference layer never invites, so no bridge is needed. */
    testbed_init_core(&fx->tb, "focus.min_participants=1000", NULL);
}

static void fx_clear(Fixture *fx)
{
    testbed_clear(&fx->tb);
}

static FocusRegistry *reg(Fixture *fx)
{
    return focus_core_registry(fx->tb.core);
}

/* The MUC service refuses the focus's join. */
static void join_refused(Fixture *fx, const char *condition)
{
    testbed_receive(&fx->tb,
                    "<presence type='error' from='" ROOM "/focus' to='" OCC "'><error "
                    "type='auth' by='" ROOM "'><%s xmlns='" NS_STANZAS "'/></error></presence>",
                    condition);
}

/* Answers the last configuration get: a result with @payload, or an error @condition. */
static void answer_config(Fixture *fx, const char *condition, const char *payload)
{
    int i = sent_find_last(&fx->tb, CONFIG_GET);
    g_assert_cmpint(i, >=, 0);
    if (condition)
        testbed_answer_error(&fx->tb, i, "auth", condition, NULL);
    else
        testbed_answer(&fx->tb, i, payload);
}

/* The focus will log that the room's setup failed, saying @what (a glob). */
static void expect_failure_log(const char *what)
{
    g_autofree char *pattern =
        g_strdup_printf("room setup failed room=" ROOM " state=joining: *%s*", what);
    g_test_expect_message("parley-focus", G_LOG_LEVEL_WARNING, pattern);
}

/* The room request failed: the failure was logged, the request has the error condition and
 * its text names @what. */
static void assert_request_failed(Fixture *fx, const char *what)
{
    g_test_assert_expected_messages();
    int i = sent_find(&fx->tb, 0, REPLY_C1);
    g_assert_cmpint(i, >=, 0);
    xmpp_stanza_t *r = sent_at(&fx->tb, i);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "error");
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, "internal-server-error");
    g_autofree char *t = stanza_text_of(r, ELEM(.name = "text", .ns = NS_STANZAS));
    g_assert_nonnull(t);
    g_assert_nonnull(strstr(t, what));
    /* No ghost occupant left behind, and the room is gone. */
    g_assert_cmpint(
        sent_find(&fx->tb, 0,
                  STANZA(.name = "presence", .type = "unavailable", .to = ROOM "/focus")),
        >=, 0);
    testbed_advance(&fx->tb, 0);
    g_assert_null(focus_registry_lookup(reg(fx), ROOM));
}

/* The restart case: the room exists with ann in it and a password; the first request for it
 * makes the new focus join, be refused, read the password as owner and get in with it. */
static void test_takeover_with_password(void)
{
    Fixture fx;
    fx_init(&fx);
    testbed_request_room(&fx.tb, "c1", ANN, ROOM);
    g_assert_cmpint(sent_find(&fx.tb, 0, JOIN_PLAIN), >=, 0);
    g_assert_cmpint(sent_find(&fx.tb, 0, CONFIG_GET), ==, -1);

    join_refused(&fx, "not-authorized");
    /* Not answered yet: the focus asks the room for its configuration instead. */
    g_assert_cmpint(sent_find(&fx.tb, 0, REPLY_C1), ==, -1);
    g_assert_cmpuint(sent_count(&fx.tb, 0, CONFIG_GET), ==, 1);
    guint m = testbed_mark(&fx.tb);
    answer_config(&fx, NULL, FORM_WITH("<value>s3cret &amp; more</value>"));
    g_assert_cmpint(sent_find(&fx.tb, m, JOIN_WITH("s3cret & more")), >=, 0);
    g_assert_cmpint(sent_find(&fx.tb, 0, REPLY_C1), ==, -1);

    /* In: the server lists ann, then the focus (not created: the room was there). */
    testbed_occupant(&fx.tb, ROOM, "ann", ANN, "owner", "moderator");
    testbed_room_self(&fx.tb, ROOM, FALSE);
    int form = sent_find_last(&fx.tb, ROOM_FORM);
    g_assert_cmpint(form, >=, 0);
    /* The re-assert form leaves the password alone (no secret field in it). */
    g_assert_false(
        stanza_has(sent_at(&fx.tb, form),
                   ELEM(.name = "field", .attrs = {"var", "muc#roomconfig_roomsecret"})));
    testbed_answer(&fx.tb, form, NULL);
    g_assert_cmpint(sent_find(&fx.tb, 0, READY_REPLY), >=, 0);
    FocusRoom *room = focus_registry_lookup(reg(&fx), ROOM);
    g_assert_nonnull(room);
    g_assert_cmpint(focus_room_state(room), ==, FOCUS_ROOM_READY);
    g_assert_nonnull(focus_room_participant(room, "ann"));
    /* The password never travels anywhere but to the room, in the join. */
    for (guint i = 0; i < fx.tb.sent->len; i++)
        if (stanza_mentions(sent_at(&fx.tb, i), "s3cret"))
            g_assert_true(stanza_match(sent_at(&fx.tb, i), JOIN));
    fx_clear(&fx);
}

/* Reading the configuration is refused (the focus is not an owner): the request fails as any
 * refused join does, and the reason says what happened. */
static void test_config_read_refused(void)
{
    Fixture fx;
    fx_init(&fx);
    testbed_request_room(&fx.tb, "c1", ANN, ROOM);
    join_refused(&fx, "not-authorized");
    expect_failure_log("reading the room's configuration as owner failed: error forbidden");
    answer_config(&fx, "forbidden", NULL);
    assert_request_failed(&fx, "reading the room's configuration as owner failed");
    g_assert_cmpuint(sent_count(&fx.tb, 0, JOIN), ==, 1);
    fx_clear(&fx);
}

/* The configuration read times out (iq timeout 10 s, before the 15 s create timeout). */
static void test_config_read_times_out(void)
{
    Fixture fx;
    fx_init(&fx);
    testbed_request_room(&fx.tb, "c1", ANN, ROOM);
    join_refused(&fx, "not-authorized");
    expect_failure_log("owner failed: timeout");
    testbed_advance(&fx.tb, 10000);
    assert_request_failed(&fx, "timeout");
    fx_clear(&fx);
}

/* not-authorized without a password in the configuration: nothing to join with. */
static void test_no_password_in_config(void)
{
    static const char *const forms[] = {
        FORM_WITH("<value/>"),
        FORM_WITH(""),
        "<query xmlns='http://jabber.org/protocol/muc#owner'/>",
    };
    for (guint f = 0; f < G_N_ELEMENTS(forms); f++) {
        Fixture fx;
        fx_init(&fx);
        testbed_request_room(&fx.tb, "c1", ANN, ROOM);
        join_refused(&fx, "not-authorized");
        expect_failure_log("not-authorized, and the room's configuration has no password");
        answer_config(&fx, NULL, forms[f]);
        assert_request_failed(&fx, "no password");
        g_assert_cmpuint(sent_count(&fx.tb, 0, JOIN), ==, 1);
        fx_clear(&fx);
    }
}

/* The password changes between the read and the join: one more read, then the focus gives
 * up (a bounded number of reads per join attempt). */
static void test_password_keeps_changing(void)
{
    Fixture fx;
    fx_init(&fx);
    testbed_request_room(&fx.tb, "c1", ANN, ROOM);
    join_refused(&fx, "not-authorized");
    answer_config(&fx, NULL, FORM_WITH("<value>one</value>"));
    g_assert_cmpint(sent_find(&fx.tb, 0, JOIN_WITH("one")), >=, 0);
    join_refused(&fx, "not-authorized");
    g_assert_cmpuint(sent_count(&fx.tb, 0, CONFIG_GET), ==, 2);
    answer_config(&fx, NULL, FORM_WITH("<value>two</value>"));
    g_assert_cmpint(sent_find(&fx.tb, 0, JOIN_WITH("two")), >=, 0);
    g_assert_cmpint(sent_find(&fx.tb, 0, REPLY_C1), ==, -1);
    expect_failure_log("not-authorized (even with the room's password)");
    join_refused(&fx, "not-authorized");
    g_assert_cmpuint(sent_count(&fx.tb, 0, CONFIG_GET), ==, 2);
    assert_request_failed(&fx, "even with the room's password");
    fx_clear(&fx);
}

/* Other refusals do not make the focus read the configuration. */
static void test_other_refusals(void)
{
    static const char *const conditions[] = {"forbidden", "registration-required",
                                             "service-unavailable"};
    for (guint c = 0; c < G_N_ELEMENTS(conditions); c++) {
        Fixture fx;
        fx_init(&fx);
        testbed_request_room(&fx.tb, "c1", ANN, ROOM);
        expect_failure_log(conditions[c]);
        join_refused(&fx, conditions[c]);
        g_assert_cmpint(sent_find(&fx.tb, 0, CONFIG_GET), ==, -1);
        assert_request_failed(&fx, conditions[c]);
        fx_clear(&fx);
    }
}

/* The connection drops while the focus reads the password: on reconnect it starts over (a
 * plain join, its reads counted afresh), and a late answer to the old read does nothing. */
static void test_disconnect_during_read(void)
{
    Fixture fx;
    fx_init(&fx);
    testbed_request_room(&fx.tb, "c1", ANN, ROOM);
    join_refused(&fx, "not-authorized");
    join_refused(&fx, "not-authorized"); /* a duplicate: a second read, still bounded */
    g_assert_cmpuint(sent_count(&fx.tb, 0, CONFIG_GET), ==, 2);
    focus_link_set_online(fx.tb.link, FALSE);
    focus_link_fail_pending(fx.tb.link);
    focus_core_on_offline(fx.tb.core);
    guint m = testbed_mark(&fx.tb);
    focus_link_set_online(fx.tb.link, TRUE);
    focus_core_on_online(fx.tb.core);
    g_assert_cmpint(sent_find(&fx.tb, m, JOIN_PLAIN), >=, 0);
    testbed_answer(&fx.tb, sent_find(&fx.tb, 0, CONFIG_GET), FORM_WITH("<value>old</value>"));
    g_assert_cmpint(sent_find(&fx.tb, 0, JOIN_WITH("old")), ==, -1);
    join_refused(&fx, "not-authorized");
    g_assert_cmpint(sent_find(&fx.tb, m, CONFIG_GET), >=, 0);
    answer_config(&fx, NULL, FORM_WITH("<value>pw</value>"));
    g_assert_cmpint(sent_find(&fx.tb, m, JOIN_WITH("pw")), >=, 0);
    testbed_room_self(&fx.tb, ROOM, FALSE);
    testbed_answer(&fx.tb, sent_find_last(&fx.tb, ROOM_FORM), NULL);
    g_assert_cmpint(sent_find(&fx.tb, 0, READY_REPLY), >=, 0);
    fx_clear(&fx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/room-password/takeover", test_takeover_with_password);
    g_test_add_func("/room-password/config-read-refused", test_config_read_refused);
    g_test_add_func("/room-password/config-read-times-out", test_config_read_times_out);
    g_test_add_func("/room-password/no-password-in-config", test_no_password_in_config);
    g_test_add_func("/room-password/password-keeps-changing", test_password_keeps_changing);
    g_test_add_func("/room-password/other-refusals", test_other_refusals);
    g_test_add_func("/room-password/disconnect-during-read", test_disconnect_during_read);
    return g_test_run();
}
