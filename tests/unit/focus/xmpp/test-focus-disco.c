/* SPDX-License-Identifier: MIT */
/* disco#info, disco#items and ping answers: the builders, and disco#info through the whole
 * focus, where each layer advertises what it serves. */
#include "focus/xmpp/disco.h"

#include "testbed.h"

/* The features of a disco#info result, in order (transfer full, NULL-terminated). */
static char **features_of(xmpp_stanza_t *r)
{
    GPtrArray *out = g_ptr_array_new();
    xmpp_stanza_t *q = pa_stanza_child(r, "query", FOCUS_NS_DISCO_INFO);
    for (xmpp_stanza_t *c = q ? xmpp_stanza_get_children(q) : NULL; c; c = xmpp_stanza_get_next(c))
        if (xmpp_stanza_is_tag(c) && g_strcmp0(xmpp_stanza_get_name(c), "feature") == 0)
            g_ptr_array_add(out, g_strdup(xmpp_stanza_get_attribute(c, "var")));
    g_ptr_array_add(out, NULL);
    return (char **)g_ptr_array_free(out, FALSE);
}

static void test_disco_info(void)
{
    TestBed tb;
    testbed_init_core(&tb, NULL);
    guint mark = testbed_mark(&tb);
    testbed_receive(&tb, "<iq type='get' id='d1' from='u@example.org/r' to='focus.example.org'>"
                         "<query xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    int r = sent_find(&tb, mark, STANZA(.id = "d1"));
    g_assert_cmpint(r, >=, 0);
    xmpp_stanza_t *reply = sent_at(&tb, r);
    g_assert_true(
        stanza_match(reply, STANZA(.name = "iq", .type = "result", .to = "u@example.org/r",
                                   .from = "focus.example.org")));
    g_assert_true(stanza_has(
        reply, ELEM(.name = "identity", .attrs = {"category", "conference", "type", "focus"})));
    g_assert_true(stanza_has(
        reply, ELEM(.name = "identity", .attrs = {"category", "component", "type", "generic"})));
    /* Each layer's own, in the order the core wires them; Jingle is not advertised; the
     * moderation's turn the web client's moderator actions on. */
    g_auto(GStrv) features = features_of(reply);
    const char *const want[] = {FOCUS_NS_DISCO_INFO,
                                FOCUS_NS_DISCO_ITEMS,
                                FOCUS_NS_PING,
                                NS_FOCUS,
                                NS_LOBBY,
                                "http://jitsi.org/jitmeet/audio",
                                "http://jitsi.org/jitmeet/video",
                                "http://jitsi.org/jitmeet/desktop",
                                "urn:parley:end-conference:0",
                                NULL};
    g_assert_cmpstrv(features, want);

    mark = testbed_mark(&tb);
    testbed_receive(&tb, "<iq type='get' id='d2' from='u@x/r'><query "
                         "xmlns='http://jabber.org/protocol/disco#info' node='x#y'/></iq>");
    g_assert_cmpint(
        sent_find(&tb, mark,
                  STANZA(.id = "d2", .type = "error", .has = {{"item-not-found", NS_STANZAS}})),
        >=, 0);
    testbed_receive(&tb, "<iq type='set' id='d3' from='u@x/r'><query "
                         "xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    g_assert_cmpint(sent_find(&tb, mark,
                              STANZA(.id = "d3", .type = "error",
                                     .has = {{"feature-not-implemented", NS_STANZAS}})),
                    >=, 0);
    testbed_clear(&tb);
}

/* The builder lists what it is given, and only that. */
static void test_info_builder(void)
{
    TestBed tb;
    testbed_init(&tb);
    xmpp_stanza_t *iq = stanza_from(&tb, "<iq type='get' id='d1' from='u@example.org/r' "
                                         "to='focus.example.org'><query "
                                         "xmlns='http://jabber.org/protocol/disco#info'/></iq>");
    const char *const features[] = {"urn:a", "urn:b", NULL};
    xmpp_stanza_t *r = focus_disco_info_reply(tb.ctx, iq, features);
    g_assert_true(stanza_match(r, STANZA(.type = "result", .id = "d1")));
    g_auto(GStrv) got = features_of(r);
    g_assert_cmpstrv(got, features);
    xmpp_stanza_release(r);
    r = focus_disco_info_reply(tb.ctx, iq, NULL);
    g_auto(GStrv) none = features_of(r);
    g_assert_cmpuint(g_strv_length(none), ==, 0);
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
    g_test_add_func("/focus/disco/info-builder", test_info_builder);
    g_test_add_func("/focus/disco/items-and-ping", test_items_and_ping);
    return g_test_run();
}
