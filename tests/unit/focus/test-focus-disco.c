/* SPDX-License-Identifier: MIT */
/* disco#info, disco#items and ping answers. */
#include "focus/rooms/room-request.h"
#include "focus/xmpp/disco.h"

#include "focus-test-util.h"

static void test_disco_info(void)
{
    TestBed tb;
    testbed_init(&tb);
    xmpp_stanza_t *iq = stanza_from(&tb, "<iq type='get' id='d1' from='u@example.org/r' "
                                         "to='focus.example.org'><query "
                                         "xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    xmpp_stanza_t *r = focus_disco_info_reply(tb.ctx, iq);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    g_assert_cmpstr(xmpp_stanza_get_id(r), ==, "d1");
    g_assert_cmpstr(xmpp_stanza_get_to(r), ==, "u@example.org/r");
    g_assert_cmpstr(xmpp_stanza_get_from(r), ==, "focus.example.org");
    g_autofree char *t = stanza_text(r);
    g_assert_true(stanza_has(r, "identity", "category", "conference", "type", "focus", NULL));
    g_assert_true(stanza_has(r, "identity", "category", "component", "type", "generic", NULL));
    g_assert_nonnull(strstr(t, "var=\"" FOCUS_NS_FOCUS "\""));
    g_assert_nonnull(strstr(t, "var=\"urn:xmpp:ping\""));
    g_assert_nonnull(strstr(t, "var=\"http://jabber.org/protocol/disco#info\""));
    xmpp_stanza_release(r);
    xmpp_stanza_release(iq);

    iq = stanza_from(&tb, "<iq type='get' id='d2' from='u@x/r'><query "
                          "xmlns='http://jabber.org/protocol/disco#info' node='x#y'/></iq>");
    r = focus_disco_info_reply(tb.ctx, iq);
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, "item-not-found");
    xmpp_stanza_release(r);
    xmpp_stanza_release(iq);

    iq = stanza_from(&tb, "<iq type='set' id='d3' from='u@x/r'><query "
                          "xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    r = focus_disco_info_reply(tb.ctx, iq);
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, "feature-not-implemented");
    xmpp_stanza_release(r);
    xmpp_stanza_release(iq);
    testbed_clear(&tb);
}

static void test_items_and_ping(void)
{
    TestBed tb;
    testbed_init(&tb);
    xmpp_stanza_t *iq = stanza_from(&tb, "<iq type='get' id='i1' from='u@x/r'><query "
                                         "xmlns='http://jabber.org/protocol/disco#items'/></iq>");
    xmpp_stanza_t *r = focus_disco_items_reply(tb.ctx, iq);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    g_assert_nonnull(pa_stanza_child(r, "query", FOCUS_NS_DISCO_ITEMS));
    xmpp_stanza_release(r);
    xmpp_stanza_release(iq);

    iq = stanza_from(&tb, "<iq type='get' id='p1' from='u@x/r' to='focus.example.org'><ping "
                          "xmlns='urn:xmpp:ping'/></iq>");
    r = focus_ping_reply(tb.ctx, iq);
    g_assert_cmpstr(xmpp_stanza_get_type(r), ==, "result");
    g_assert_cmpstr(xmpp_stanza_get_id(r), ==, "p1");
    g_assert_null(xmpp_stanza_get_children(r));
    xmpp_stanza_release(r);
    xmpp_stanza_release(iq);

    iq = stanza_from(&tb, "<iq type='set' id='p2' from='u@x/r'><ping xmlns='urn:xmpp:ping'/></iq>");
    r = focus_ping_reply(tb.ctx, iq);
    g_assert_cmpstr(pa_stanza_error_condition(r), ==, "feature-not-implemented");
    xmpp_stanza_release(r);
    xmpp_stanza_release(iq);
    testbed_clear(&tb);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/focus/disco/info", test_disco_info);
    g_test_add_func("/focus/disco/items-and-ping", test_items_and_ping);
    return g_test_run();
}
