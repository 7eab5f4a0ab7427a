/* SPDX-License-Identifier: MIT */
#include "common/xmpp/stanza.h"
#include "tests/lib/c/stanza-match.h"

static void test_error_reply(void)
{
    xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, NULL);
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "set", "abc1");
    xmpp_stanza_set_from(iq, "u@x.org/r");
    xmpp_stanza_set_to(iq, "focus.x.org");
    xmpp_stanza_t *conf = pa_stanza_add_child(iq, "conference", "http://jitsi.org/protocol/focus");
    xmpp_stanza_set_attribute(conf, "room", "bad");

    g_assert_true(pa_stanza_child(iq, "conference", "http://jitsi.org/protocol/focus") == conf);
    g_assert_null(pa_stanza_child(iq, "conference", "urn:other"));
    g_assert_true(pa_stanza_child(iq, "conference", NULL) == conf);

    xmpp_stanza_t *app = pa_stanza_element(ctx, "unknown-session", "urn:xmpp:jingle:errors:1");
    xmpp_stanza_t *err = pa_stanza_error_reply(ctx, iq, PA_ERR_MODIFY, "bad-request",
                                               "room is not a valid JID", app);
    g_assert_cmpstr(xmpp_stanza_get_type(err), ==, "error");
    g_assert_cmpstr(xmpp_stanza_get_id(err), ==, "abc1");
    g_assert_cmpstr(xmpp_stanza_get_to(err), ==, "u@x.org/r");
    g_assert_cmpstr(xmpp_stanza_get_from(err), ==, "focus.x.org");
    g_assert_cmpstr(pa_stanza_error_condition(err), ==, "bad-request");
    test_assert_stanza(err, "iq[type=error][id=abc1][to=u@x.org/r][from=focus.x.org]"
                            "/error[type=modify]/bad-request{" PA_NS_STANZAS "}");
    test_assert_stanza(err, "iq/error/unknown-session{urn:xmpp:jingle:errors:1}");
    g_autofree char *text = test_stanza_text(err, "iq/error/text{" PA_NS_STANZAS "}");
    g_assert_cmpstr(text, ==, "room is not a valid JID");

    xmpp_stanza_t *res = pa_stanza_iq_result(ctx, iq);
    g_assert_cmpstr(xmpp_stanza_get_type(res), ==, "result");
    g_assert_null(pa_stanza_error_condition(res));

    xmpp_stanza_release(res);
    xmpp_stanza_release(err);
    xmpp_stanza_release(iq);
    xmpp_ctx_free(ctx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stanza/error-reply", test_error_reply);
    return g_test_run();
}
