/* SPDX-License-Identifier: MIT */
#include "common/xmpp/jid.h"

static void test_parse(void)
{
    PaJid j;
    g_assert_cmpint(pa_jid_parse("Alice@Example.ORG/phone/1", &j), ==, PA_JID_OK);
    g_assert_cmpstr(j.local, ==, "Alice");
    g_assert_cmpstr(j.domain, ==, "example.org");
    g_assert_cmpstr(j.resource, ==, "phone/1");
    pa_jid_clear(&j);

    g_assert_cmpint(pa_jid_parse("focus.meet.example", &j), ==, PA_JID_OK);
    g_assert_null(j.local);
    g_assert_null(j.resource);
    pa_jid_clear(&j);

    g_assert_cmpint(pa_jid_parse("room@conference.x.org/nick@with@at", &j), ==, PA_JID_OK);
    g_assert_cmpstr(j.resource, ==, "nick@with@at");
    pa_jid_clear(&j);

    g_assert_cmpint(pa_jid_parse("zürich@conference.x.org", &j), ==, PA_JID_OK);
    pa_jid_clear(&j);
}

static void test_parse_errors(void)
{
    PaJid j;
    g_assert_cmpint(pa_jid_parse("", &j), ==, PA_JID_EMPTY);
    g_assert_cmpint(pa_jid_parse(NULL, &j), ==, PA_JID_EMPTY);
    g_assert_cmpint(pa_jid_parse("@x.org", &j), ==, PA_JID_BAD_LOCAL);
    g_assert_cmpint(pa_jid_parse("a b@x.org", &j), ==, PA_JID_BAD_LOCAL);
    g_assert_cmpint(pa_jid_parse("a<b@x.org", &j), ==, PA_JID_BAD_LOCAL);
    g_assert_cmpint(pa_jid_parse("a@", &j), ==, PA_JID_BAD_DOMAIN);
    g_assert_cmpint(pa_jid_parse("a@x..org", &j), ==, PA_JID_BAD_DOMAIN);
    g_assert_cmpint(pa_jid_parse("a@-x.org", &j), ==, PA_JID_BAD_DOMAIN);
    g_assert_cmpint(pa_jid_parse("a@x.org/", &j), ==, PA_JID_BAD_RESOURCE);
    g_assert_cmpint(pa_jid_parse("a@x.org/\x01", &j), ==, PA_JID_BAD_RESOURCE);
    g_assert_cmpint(pa_jid_parse("a@x.org\xff", &j), ==, PA_JID_BAD_UTF8);
    g_autofree char *longlocal = g_strnfill(1024, 'a');
    g_autofree char *s = g_strdup_printf("%s@x.org", longlocal);
    g_assert_cmpint(pa_jid_parse(s, &j), ==, PA_JID_TOO_LONG);
    g_assert_null(j.domain);
}

static void test_helpers(void)
{
    g_autofree char *b = pa_jid_bare("r@c.x.org/nick");
    g_assert_cmpstr(b, ==, "r@c.x.org");
    g_autofree char *r = pa_jid_resource("r@c.x.org/nick");
    g_assert_cmpstr(r, ==, "nick");
    g_assert_null(pa_jid_bare("bad jid@"));
    g_assert_true(pa_jid_equal("a@X.org/r", "a@x.org/r"));
    g_assert_false(pa_jid_equal("a@x.org/r", "a@x.org/s"));
    g_assert_false(pa_jid_equal("a@x.org", "garbage@"));
}

static void test_room(void)
{
    const char *muc = "conference.meet.example";
    g_assert_cmpint(pa_room_jid_check("myroom@conference.meet.example", muc), ==, PA_ROOM_OK);
    g_assert_cmpint(pa_room_jid_check("MyRoom@Conference.Meet.Example", muc), ==, PA_ROOM_OK);
    g_assert_cmpint(pa_room_jid_check("room@evil.example", muc), ==, PA_ROOM_WRONG_DOMAIN);
    g_assert_cmpint(pa_room_jid_check("conference.meet.example", muc), ==, PA_ROOM_NO_NAME);
    g_assert_cmpint(pa_room_jid_check("r@conference.meet.example/n", muc), ==,
                    PA_ROOM_HAS_RESOURCE);
    g_assert_cmpint(pa_room_jid_check("", muc), ==, PA_ROOM_NOT_A_JID);
    g_assert_cmpint(pa_room_jid_check("a b@conference.meet.example", muc), ==, PA_ROOM_NOT_A_JID);
    g_autofree char *longname = g_strnfill(201, 'r');
    g_autofree char *s = g_strdup_printf("%s@%s", longname, muc);
    g_assert_cmpint(pa_room_jid_check(s, muc), ==, PA_ROOM_BAD_NAME);
    g_assert_cmpstr(pa_room_status_str(PA_ROOM_WRONG_DOMAIN), ==,
                    "room is not on this conference service");
}

static void test_domain(void)
{
    g_assert_true(pa_domain_valid("meet.example.org"));
    g_assert_true(pa_domain_valid("localhost"));
    g_assert_true(pa_domain_valid("127.0.0.1"));
    g_assert_false(pa_domain_valid("a..b"));
    g_assert_false(pa_domain_valid("a.b."));
    g_assert_false(pa_domain_valid("exa mple.org"));
    g_assert_false(pa_domain_valid(""));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/jid/parse", test_parse);
    g_test_add_func("/jid/parse-errors", test_parse_errors);
    g_test_add_func("/jid/helpers", test_helpers);
    g_test_add_func("/jid/room", test_room);
    g_test_add_func("/jid/domain", test_domain);
    return g_test_run();
}
