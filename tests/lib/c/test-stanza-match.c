/* SPDX-License-Identifier: MIT */
/* The structural stanza matcher the C tests assert with (tests/lib/c/stanza-match.h). */
#include "tests/lib/c/stanza-match.h"

static xmpp_ctx_t *ctx;

#define IQ                                                                                         \
    "<iq xmlns='jabber:component:accept' type='set' to='alice@example.org/r' id='x1'>"             \
    "<jingle xmlns='urn:xmpp:jingle:1' action='session-initiate' sid='s1'>"                        \
    "<content name='audio'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='audio'>"         \
    "<payload-type id='111' name='opus'/>"                                                         \
    "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1'>"                                    \
    "<parameter name='msid' value='a t'/></source></description></content>"                        \
    "<content name='video'><description xmlns='urn:xmpp:jingle:apps:rtp:1' media='video'>"         \
    "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='2'/>"                                   \
    "<source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='3'/></description></content>"           \
    "<json-message xmlns='http://jitsi.org/jitmeet'>{\"sources\":{}}</json-message>"               \
    "</jingle></iq>"

static void test_paths(void)
{
    xmpp_stanza_t *iq = test_stanza_parse(ctx, IQ);
    g_assert_nonnull(test_stanza_find(iq, "iq"));
    g_assert_nonnull(test_stanza_find(iq, "iq[type=set][to=alice@example.org/r]"));
    g_assert_null(test_stanza_find(iq, "iq[type=get]"));
    g_assert_null(test_stanza_find(iq, "message"));
    g_assert_nonnull(test_stanza_find(iq, "iq/jingle{urn:xmpp:jingle:1}[action=session-initiate]"));
    g_assert_null(test_stanza_find(iq, "iq/jingle{urn:xmpp:jingle:2}"));
    /* Every branch is tried: the second content holds the video source. */
    xmpp_stanza_t *s = test_stanza_find(iq, "iq/jingle/content/description[media=video]/source");
    g_assert_nonnull(s);
    g_assert_cmpstr(xmpp_stanza_get_attribute(s, "ssrc"), ==, "2");
    g_assert_cmpuint(test_stanza_count(iq, "iq/jingle/content/description/source"), ==, 3);
    g_assert_cmpuint(test_stanza_count(iq, "//source{urn:xmpp:jingle:apps:rtp:ssma:0}"), ==, 3);
    g_assert_cmpuint(test_stanza_count(iq, "//source[ssrc=3]"), ==, 1);
    g_assert_cmpuint(test_stanza_count(iq, "//*[name]"), ==, 4); /* 2 contents, pt, parameter */
    g_assert_nonnull(test_stanza_find(iq, "//source[ssrc=1]/parameter[name=msid][value=a t]"));
    g_assert_null(test_stanza_find(iq, "//source[ssrc=2]/parameter"));
    /* Presence and absence of attributes. */
    g_assert_cmpuint(test_stanza_count(iq, "//content[!senders]"), ==, 2);
    g_assert_cmpuint(test_stanza_count(iq, "//content[name]"), ==, 2);
    g_assert_cmpuint(test_stanza_count(iq, "//content[!name]"), ==, 0);
    /* Without "//" the first step must be the root itself. */
    g_assert_null(test_stanza_find(iq, "jingle"));
    g_autofree char *json =
        test_stanza_text(iq, "iq/jingle/json-message{http://jitsi.org/jitmeet}");
    g_assert_cmpstr(json, ==, "{\"sources\":{}}");
    g_assert_null(test_stanza_text(iq, "iq/nothing"));
    test_assert_stanza(iq, "iq/jingle/content[name=audio]");
    test_assert_no_stanza(iq, "iq/jingle/content[name=data]");
    test_assert_stanza_count(iq, "iq/jingle/content", 2);
    xmpp_stanza_release(iq);
}

/* Built in-process, children leave their namespace unset: they are in their parent's. */
static void test_inherited_namespace(void)
{
    xmpp_stanza_t *q = xmpp_stanza_new(ctx);
    xmpp_stanza_set_name(q, "query");
    xmpp_stanza_set_ns(q, "jabber:iq:roster");
    xmpp_stanza_t *item = xmpp_stanza_new(ctx);
    xmpp_stanza_set_name(item, "item");
    xmpp_stanza_add_child(q, item);
    xmpp_stanza_release(item);
    g_assert_nonnull(test_stanza_find(q, "query/item{jabber:iq:roster}"));
    g_assert_null(test_stanza_find(q, "query/item{}"));
    xmpp_stanza_t *bare = xmpp_stanza_new(ctx);
    xmpp_stanza_set_name(bare, "x");
    g_assert_nonnull(test_stanza_find(bare, "x{}"));
    g_assert_null(test_stanza_find(bare, "x{jabber:iq:roster}"));
    xmpp_stanza_release(bare);
    xmpp_stanza_release(q);
}

/* A failed assertion reports the path and the stanza (checked in a subprocess). */
static void test_assert_failure_message(void)
{
    if (g_test_subprocess()) {
        xmpp_stanza_t *iq = test_stanza_parse(ctx, IQ);
        test_assert_stanza(iq, "iq/jingle/content[name=data]");
        return;
    }
    g_test_trap_subprocess(NULL, 0, G_TEST_SUBPROCESS_DEFAULT);
    g_test_trap_assert_failed();
    g_test_trap_assert_stderr("*no element matches 'iq/jingle/content[name=data]'*"
                              "session-initiate*");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/test-lib/stanza-match/paths", test_paths);
    g_test_add_func("/test-lib/stanza-match/inherited-namespace", test_inherited_namespace);
    g_test_add_func("/test-lib/stanza-match/failure-message", test_assert_failure_message);
    int r = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return r;
}
