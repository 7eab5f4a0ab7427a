/* SPDX-License-Identifier: MIT */
/* The Jingle session rules: which requests a participant may send, with which error
 * otherwise, the stanzas the focus sends on a session, and the restart rate limit. */
#include "focus/conference/jingle-session.h"

#include <string.h>

#define PEER "r1@conference.example.org/alice"

static xmpp_ctx_t *ctx;

static PaJingle *jingle(PaJingle *j, const char *action, const char *sid)
{
    g_autofree char *xml =
        g_strdup_printf("<jingle xmlns='urn:xmpp:jingle:1' action='%s' sid='%s'/>", action, sid);
    xmpp_stanza_t *s = xmpp_stanza_new_from_string(ctx, xml);
    g_assert_cmpint(pa_jingle_parse(s, j, NULL), ==, PA_JINGLE_OK);
    xmpp_stanza_release(s);
    return j;
}

static void expect(const FocusJingleSession *s, const char *const *ended, const char *from,
                   const char *action, const char *sid, const char *condition,
                   gboolean jingle_error)
{
    PaJingle j;
    FocusJingleRefusal r;
    gboolean ok = focus_jingle_check(s, ended, from, jingle(&j, action, sid), &r);
    if (!condition) {
        g_assert_true(ok);
    } else {
        g_assert_false(ok);
        g_assert_cmpstr(r.condition, ==, condition);
        g_assert_cmpint(r.has_jingle_error, ==, jingle_error);
    }
    pa_jingle_clear(&j);
}

static void test_check(void)
{
    FocusJingleSession *s =
        focus_jingle_session_new("focus.example.org/focus", PEER, TRUE, "bs", NULL);
    g_assert_cmpuint(strlen(s->sid), ==, 13);
    const char *ended[] = {"old1", NULL};
    expect(NULL, NULL, PEER, "source-add", "x", "item-not-found", TRUE);
    expect(s, ended, PEER, "source-add", "nope", "item-not-found", TRUE);
    expect(s, ended, PEER, "source-add", "old1", "gone", FALSE);
    expect(s, ended, "r1@conference.example.org/mallory", "source-add", s->sid, "item-not-found",
           TRUE);
    expect(s, ended, PEER, "session-initiate", s->sid, "feature-not-implemented", FALSE);
    expect(s, ended, PEER, "content-add", s->sid, "feature-not-implemented", FALSE);
    expect(s, ended, PEER, "frobnicate", s->sid, "feature-not-implemented", FALSE);
    expect(s, ended, PEER, "session-accept", s->sid, NULL, FALSE);
    expect(s, ended, PEER, "transport-info", s->sid, NULL, FALSE);
    s->state = FOCUS_JINGLE_ACTIVE;
    expect(s, ended, PEER, "session-accept", s->sid, "unexpected-request", TRUE);
    expect(s, ended, PEER, "source-remove", s->sid, NULL, FALSE);
    s->state = FOCUS_JINGLE_ENDED;
    expect(s, ended, PEER, "source-add", s->sid, "gone", FALSE);
    focus_jingle_session_free(s);
}

static void test_refusal_reply(void)
{
    xmpp_stanza_t *iq = xmpp_stanza_new_from_string(
        ctx, "<iq type='set' id='q1' from='" PEER "' to='focus.example.org/focus'>"
             "<jingle xmlns='urn:xmpp:jingle:1' action='source-add' sid='z'/></iq>");
    PaJingle j;
    FocusJingleRefusal r;
    g_assert_cmpint(pa_jingle_parse(iq, &j, NULL), ==, PA_JINGLE_OK);
    g_assert_false(focus_jingle_check(NULL, NULL, PEER, &j, &r));
    xmpp_stanza_t *err = focus_jingle_refusal_reply(ctx, iq, &r);
    g_autofree char *text = pa_stanza_to_string(err);
    g_assert_nonnull(
        strstr(text, "<item-not-found xmlns=\"urn:ietf:params:xml:ns:xmpp-stanzas\"/>"));
    g_assert_nonnull(strstr(text, "<unknown-session xmlns=\"urn:xmpp:jingle:errors:1\"/>"));
    g_assert_cmpstr(xmpp_stanza_get_to(err), ==, PEER);
    g_assert_cmpstr(xmpp_stanza_get_from(err), ==, "focus.example.org/focus");
    xmpp_stanza_release(err);
    xmpp_stanza_release(iq);
    pa_jingle_clear(&j);
}

static void test_outgoing(void)
{
    FocusJingleSession *s =
        focus_jingle_session_new("focus.example.org/focus", PEER, TRUE, "bs", NULL);
    xmpp_stanza_t *t = focus_jingle_terminate_iq(ctx, s, "success", "moving");
    g_autofree char *tt = pa_stanza_to_string(t);
    g_assert_nonnull(strstr(tt, "action=\"session-terminate\""));
    g_assert_nonnull(strstr(tt, "<reason><success/><text>moving</text></reason>"));
    g_assert_cmpstr(xmpp_stanza_get_to(t), ==, PEER);
    g_assert_cmpstr(xmpp_stanza_get_from(t), ==, "focus.example.org/focus");
    xmpp_stanza_release(t);

    PaJingleSources src;
    pa_jingle_sources_init(&src);
    pa_jingle_sources_add(&src, 42, FALSE, "bob-a0", "m", "bob");
    xmpp_stanza_t *a = focus_jingle_sources_iq(ctx, s, PA_JINGLE_SOURCE_ADD, &src);
    g_autofree char *at = pa_stanza_to_string(a);
    g_assert_nonnull(strstr(at, "action=\"source-add\""));
    g_assert_nonnull(
        strstr(at, "{&quot;sources&quot;:{&quot;bob&quot;:[[],[],[{&quot;s&quot;:42,"));
    xmpp_stanza_release(a);
    s->json_sources = FALSE;
    a = focus_jingle_sources_iq(ctx, s, PA_JINGLE_SOURCE_REMOVE, &src);
    g_autofree char *xt = pa_stanza_to_string(a);
    g_assert_nonnull(strstr(xt, "action=\"source-remove\""));
    g_assert_nonnull(strstr(xt, "ssrc=\"42\""));
    g_assert_null(strstr(xt, "json-message"));
    xmpp_stanza_release(a);
    pa_jingle_sources_clear(&src);
    focus_jingle_session_free(s);
}

static void test_restart_limit(void)
{
    FocusRestartLimit l;
    focus_restart_limit_init(&l);
    gint64 t = 1000 * G_USEC_PER_SEC;
    g_assert_true(focus_restart_limit_accept(&l, t));
    g_assert_false(focus_restart_limit_accept(&l, t + 4 * G_USEC_PER_SEC)); /* < 5 s apart */
    for (int i = 1; i <= 4; i++)
        g_assert_true(focus_restart_limit_accept(&l, t + i * 6 * G_USEC_PER_SEC));
    /* Five within a minute: the sixth waits until the first is a minute old. */
    g_assert_false(focus_restart_limit_accept(&l, t + 31 * G_USEC_PER_SEC));
    g_assert_false(focus_restart_limit_accept(&l, t + 59 * G_USEC_PER_SEC));
    g_assert_true(focus_restart_limit_accept(&l, t + 61 * G_USEC_PER_SEC));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/jingle/session/check", test_check);
    g_test_add_func("/jingle/session/refusal-reply", test_refusal_reply);
    g_test_add_func("/jingle/session/outgoing", test_outgoing);
    g_test_add_func("/jingle/session/restart-limit", test_restart_limit);
    int rc = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return rc;
}
