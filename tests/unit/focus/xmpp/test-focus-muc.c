/* SPDX-License-Identifier: MIT */
/* MUC presence parsing and the stanzas the focus sends to rooms. */
#include "focus/xmpp/muc.h"

#include "testbed.h"

static FocusMucPresenceStatus parse(TestBed *tb, const char *xml, FocusMucPresence *p)
{
    xmpp_stanza_t *s = stanza_from(tb, xml);
    FocusMucPresenceStatus st = focus_muc_presence_parse(s, p);
    xmpp_stanza_release(s);
    return st;
}

static void test_join_presence(void)
{
    TestBed tb;
    testbed_init(&tb);
    FocusMucPresence p;
    g_assert_cmpint(
        parse(&tb,
              "<presence from='r@Conference.example.org/abcd1234' to='focus.example.org/focus'>"
              "<stats-id>Ann-x1</stats-id><nick xmlns='http://jabber.org/protocol/nick'>Ann</nick>"
              "<x xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
              "role='participant' jid='u1@example.org/res'/><status code='100'/></x></presence>",
              &p),
        ==, FOCUS_MUC_PRESENCE_OK);
    g_assert_cmpstr(p.room, ==, "r@conference.example.org");
    g_assert_cmpstr(p.nick, ==, "abcd1234");
    g_assert_true(p.available);
    g_assert_false(p.is_error);
    g_assert_true(p.has_muc_user);
    g_assert_cmpint(p.role, ==, FOCUS_MUC_ROLE_PARTICIPANT);
    g_assert_cmpint(p.affiliation, ==, FOCUS_MUC_AFFILIATION_NONE);
    g_assert_cmpstr(p.real_jid, ==, "u1@example.org/res");
    g_assert_cmpstr(p.display_name, ==, "Ann");
    g_assert_cmpstr(p.stats_id, ==, "Ann-x1");
    g_assert_true(focus_muc_presence_has_status(&p, 100));
    g_assert_false(focus_muc_presence_has_status(&p, 110));
    focus_muc_presence_clear(&p);
    testbed_clear(&tb);
}

static void test_self_created(void)
{
    TestBed tb;
    testbed_init(&tb);
    FocusMucPresence p;
    g_assert_cmpint(parse(&tb,
                          "<presence from='r@c.org/focus'><x "
                          "xmlns='http://jabber.org/protocol/muc#user'><status code='201'/>"
                          "<item affiliation='owner' role='moderator' "
                          "jid='focus.example.org/focus'/><status code='110'/></x></presence>",
                          &p),
                    ==, FOCUS_MUC_PRESENCE_OK);
    g_assert_true(focus_muc_presence_has_status(&p, FOCUS_MUC_STATUS_SELF));
    g_assert_true(focus_muc_presence_has_status(&p, FOCUS_MUC_STATUS_CREATED));
    g_assert_cmpint(p.affiliation, ==, FOCUS_MUC_AFFILIATION_OWNER);
    g_assert_cmpint(p.role, ==, FOCUS_MUC_ROLE_MODERATOR);
    focus_muc_presence_clear(&p);
    testbed_clear(&tb);
}

static void test_unavailable_variants(void)
{
    TestBed tb;
    testbed_init(&tb);
    FocusMucPresence p;
    g_assert_cmpint(parse(&tb,
                          "<presence type='unavailable' from='r@c.org/old'><x "
                          "xmlns='http://jabber.org/protocol/muc#user'><item nick='new' "
                          "affiliation='none' role='participant'/><status code='303'/></x>"
                          "</presence>",
                          &p),
                    ==, FOCUS_MUC_PRESENCE_OK);
    g_assert_false(p.available);
    g_assert_true(focus_muc_presence_has_status(&p, FOCUS_MUC_STATUS_NICK_CHANGED));
    g_assert_cmpstr(p.new_nick, ==, "new");
    focus_muc_presence_clear(&p);

    g_assert_cmpint(parse(&tb,
                          "<presence type='unavailable' from='r@c.org/focus'><x "
                          "xmlns='http://jabber.org/protocol/muc#user'><item affiliation='none' "
                          "role='none'/><destroy><reason>bye</reason></destroy></x></presence>",
                          &p),
                    ==, FOCUS_MUC_PRESENCE_OK);
    g_assert_true(p.destroyed);
    g_assert_cmpstr(p.destroy_reason, ==, "bye");
    focus_muc_presence_clear(&p);

    g_assert_cmpint(parse(&tb,
                          "<presence type='error' from='r@c.org/focus'><error type='cancel'>"
                          "<not-allowed xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'/><text "
                          "xmlns='urn:ietf:params:xml:ns:xmpp-stanzas'>Room creation is "
                          "restricted</text></error></presence>",
                          &p),
                    ==, FOCUS_MUC_PRESENCE_OK);
    g_assert_true(p.is_error);
    g_assert_false(p.available);
    g_assert_cmpstr(p.error_condition, ==, "not-allowed");
    g_assert_cmpstr(p.error_text, ==, "Room creation is restricted");
    focus_muc_presence_clear(&p);
    testbed_clear(&tb);
}

/* What a peer can send that is not occupant presence: refused without a crash. */
static void test_garbage(void)
{
    static const struct {
        const char *xml;
        FocusMucPresenceStatus st;
    } cases[] = {
        {"<presence from='r@c.org'><x xmlns='http://jabber.org/protocol/muc#user'/></presence>",
         FOCUS_MUC_PRESENCE_NO_NICK},
        {"<presence/>", FOCUS_MUC_PRESENCE_BAD_FROM},
        {"<presence from='@@'/>", FOCUS_MUC_PRESENCE_BAD_FROM},
        {"<presence type='subscribe' from='u@x.org/r'/>", FOCUS_MUC_PRESENCE_BAD_TYPE},
        {"<presence from='r@c.org/n'><x xmlns='http://jabber.org/protocol/muc#user'><status "
         "code='x'/><status/><item role='king' affiliation='god' jid='@@bad'/></x></presence>",
         FOCUS_MUC_PRESENCE_OK},
        {"<presence type='error' from='r@c.org/n'/>", FOCUS_MUC_PRESENCE_OK},
    };
    TestBed tb;
    testbed_init(&tb);
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        FocusMucPresence p;
        g_assert_cmpint(parse(&tb, cases[i].xml, &p), ==, cases[i].st);
        if (cases[i].st == FOCUS_MUC_PRESENCE_OK) {
            g_assert_cmpint(p.role, ==, FOCUS_MUC_ROLE_NONE);
            g_assert_cmpint(p.affiliation, ==, FOCUS_MUC_AFFILIATION_NONE);
            g_assert_null(p.real_jid);
            g_assert_cmpuint(p.n_status, ==, 0);
        } else {
            g_assert_null(p.room);
        }
        focus_muc_presence_clear(&p);
    }
    /* Repeated items and destroys: the first counts, nothing leaks (ASan checks). */
    {
        FocusMucPresence q;
        g_assert_cmpint(parse(&tb,
                              "<presence from='r@c.org/n'><x "
                              "xmlns='http://jabber.org/protocol/muc#user'><item jid='a@b/1' "
                              "nick='n1' role='moderator'/><item jid='c@d/2' nick='n2' "
                              "role='visitor'/><destroy><reason>1</reason></destroy><destroy>"
                              "<reason>2</reason></destroy></x></presence>",
                              &q),
                        ==, FOCUS_MUC_PRESENCE_OK);
        g_assert_cmpstr(q.real_jid, ==, "a@b/1");
        g_assert_cmpstr(q.new_nick, ==, "n1");
        g_assert_cmpint(q.role, ==, FOCUS_MUC_ROLE_MODERATOR);
        g_assert_cmpstr(q.destroy_reason, ==, "1");
        focus_muc_presence_clear(&q);
    }
    /* More status codes than fit are cut, not overflowed. */
    GString *many = g_string_new("<presence from='r@c.org/n'><x "
                                 "xmlns='http://jabber.org/protocol/muc#user'>");
    for (int i = 0; i < 40; i++)
        g_string_append_printf(many, "<status code='%d'/>", 100 + i);
    g_string_append(many, "</x></presence>");
    FocusMucPresence p;
    g_assert_cmpint(parse(&tb, many->str, &p), ==, FOCUS_MUC_PRESENCE_OK);
    g_assert_cmpuint(p.n_status, ==, FOCUS_MUC_MAX_STATUS);
    focus_muc_presence_clear(&p);
    g_string_free(many, TRUE);
    testbed_clear(&tb);
}

static void test_builders(void)
{
    TestBed tb;
    testbed_init(&tb);
    const char *occ = "focus.example.org/focus", *room = "r@conference.example.org";

    xmpp_stanza_t *j = focus_muc_join_presence(tb.ctx, occ, room, FOCUS_MUC_NICK);
    g_assert_cmpstr(xmpp_stanza_get_to(j), ==, "r@conference.example.org/focus");
    g_assert_cmpstr(xmpp_stanza_get_from(j), ==, occ);
    g_assert_nonnull(pa_stanza_child(j, "x", FOCUS_NS_MUC));
    xmpp_stanza_release(j);

    xmpp_stanza_t *l = focus_muc_leave_presence(tb.ctx, occ, room, FOCUS_MUC_NICK);
    g_assert_cmpstr(xmpp_stanza_get_type(l), ==, "unavailable");
    xmpp_stanza_release(l);

    xmpp_stanza_t *f = focus_muc_owner_form(tb.ctx, occ, room, FOCUS_OWNER_FORM_INITIAL);
    g_assert_true(stanza_match(f, STANZA(.name = "iq", .type = "set", .to = room,
                                         .has = {{"query", FOCUS_NS_MUC_OWNER},
                                                 {"x", FOCUS_NS_DATA, {"type", "submit"}}})));
    static const char *const initial[][2] = {
        {"muc#roomconfig_whois", "anyone"},    {"muc#roomconfig_persistentroom", "0"},
        {"muc#roomconfig_membersonly", "0"},   {"muc#roomconfig_publicroom", "0"},
        {"muc#roomconfig_moderatedroom", "0"}, {"muc#roomconfig_passwordprotectedroom", "0"},
    };
    for (guint i = 0; i < G_N_ELEMENTS(initial); i++) {
        g_autofree char *v = stanza_field_value(f, initial[i][0]);
        g_assert_cmpstr(v, ==, initial[i][1]);
    }
    xmpp_stanza_release(f);

    /* A re-join keeps what moderators set: no password or members-only fields. */
    f = focus_muc_owner_form(tb.ctx, occ, room, FOCUS_OWNER_FORM_REASSERT);
    g_autofree char *whois = stanza_field_value(f, "muc#roomconfig_whois");
    g_assert_cmpstr(whois, ==, "anyone");
    g_assert_false(
        stanza_has(f, ELEM(.name = "field", .attrs = {"var", "muc#roomconfig_membersonly"})));
    g_assert_false(stanza_has(
        f, ELEM(.name = "field", .attrs = {"var", "muc#roomconfig_passwordprotectedroom"})));
    xmpp_stanza_release(f);

    xmpp_stanza_t *a =
        focus_muc_set_affiliation(tb.ctx, occ, room, "u@example.org", FOCUS_MUC_AFFILIATION_OWNER);
    g_assert_nonnull(pa_stanza_child(a, "query", FOCUS_NS_MUC_ADMIN));
    g_assert_true(stanza_has(
        a, ELEM(.name = "item", .attrs = {"affiliation", "owner", "jid", "u@example.org"})));
    xmpp_stanza_release(a);

    xmpp_stanza_t *d = focus_muc_destroy(tb.ctx, occ, room, "done");
    xmpp_stanza_t *destroy = stanza_find(d, ELEM(.name = "destroy"));
    g_assert_nonnull(destroy);
    g_assert_true(stanza_has(destroy, ELEM(.name = "reason", .text = "done")));
    xmpp_stanza_release(d);
    testbed_clear(&tb);
}

static void test_room_key(void)
{
    g_autofree char *a = focus_muc_room_key("MyRoom@Conference.Example.ORG");
    g_assert_cmpstr(a, ==, "myroom@conference.example.org");
    g_autofree char *b = focus_muc_room_key("Ärger@c.org");
    g_assert_cmpstr(b, ==, "ärger@c.org");
    g_assert_null(focus_muc_room_key("c.org"));
    g_assert_null(focus_muc_room_key("r@c.org/x"));
    g_assert_null(focus_muc_room_key(""));
    g_assert_null(focus_muc_room_key(NULL));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/focus/muc/join-presence", test_join_presence);
    g_test_add_func("/focus/muc/self-created", test_self_created);
    g_test_add_func("/focus/muc/unavailable", test_unavailable_variants);
    g_test_add_func("/focus/muc/garbage", test_garbage);
    g_test_add_func("/focus/muc/builders", test_builders);
    g_test_add_func("/focus/muc/room-key", test_room_key);
    return g_test_run();
}
