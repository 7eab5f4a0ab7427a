/* SPDX-License-Identifier: MIT */
/* The Jingle session rules: which requests a participant may send, with which error
 * otherwise, the stanzas the focus sends on a session, and the restart rate limit. */
#include "focus/conference/jingle-session.h"

#include "testbed.h"

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
    const char *sid = focus_jingle_session_sid(s);
    g_assert_cmpuint(strlen(sid), ==, 13);
    g_assert_cmpint(focus_jingle_session_state(s), ==, FOCUS_JINGLE_PENDING);
    const char *ended[] = {"old1", NULL};
    expect(NULL, NULL, PEER, "source-add", "x", "item-not-found", TRUE);
    expect(s, ended, PEER, "source-add", "nope", "item-not-found", TRUE);
    expect(s, ended, PEER, "source-add", "old1", "gone", FALSE);
    expect(s, ended, "r1@conference.example.org/mallory", "source-add", sid, "item-not-found",
           TRUE);
    expect(s, ended, PEER, "session-initiate", sid, "feature-not-implemented", FALSE);
    expect(s, ended, PEER, "content-add", sid, "feature-not-implemented", FALSE);
    expect(s, ended, PEER, "frobnicate", sid, "feature-not-implemented", FALSE);
    expect(s, ended, PEER, "session-accept", sid, NULL, FALSE);
    expect(s, ended, PEER, "transport-info", sid, NULL, FALSE);
    g_assert_true(focus_jingle_session_accepted(s));
    g_assert_cmpint(focus_jingle_session_state(s), ==, FOCUS_JINGLE_ACTIVE);
    g_assert_false(focus_jingle_session_accepted(s)); /* accepted once */
    expect(s, ended, PEER, "session-accept", sid, "unexpected-request", TRUE);
    expect(s, ended, PEER, "source-remove", sid, NULL, FALSE);
    focus_jingle_session_end(s);
    g_assert_cmpint(focus_jingle_session_state(s), ==, FOCUS_JINGLE_ENDED);
    g_assert_false(focus_jingle_session_accepted(s));
    expect(s, ended, PEER, "source-add", sid, "gone", FALSE);
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
    g_assert_true(
        stanza_match(err, STANZA(.name = "iq", .type = "error", .id = "q1", .to = PEER,
                                 .from = "focus.example.org/focus",
                                 .has = {{"item-not-found", NS_STANZAS},
                                         {"unknown-session", "urn:xmpp:jingle:errors:1"}})));
    xmpp_stanza_release(err);
    xmpp_stanza_release(iq);
    pa_jingle_clear(&j);
}

static void test_outgoing(void)
{
    FocusJingleSession *s =
        focus_jingle_session_new("focus.example.org/focus", PEER, TRUE, "bs", NULL);
    xmpp_stanza_t *t = focus_jingle_terminate_iq(ctx, s, "success", "moving");
    g_assert_true(stanza_match(
        t, STANZA(.name = "iq", .type = "set", .to = PEER, .from = "focus.example.org/focus",
                  .has = {{"jingle",
                           NS_JINGLE,
                           {"action", "session-terminate", "sid", focus_jingle_session_sid(s)}}})));
    xmpp_stanza_t *reason = stanza_find(t, ELEM(.name = "reason"));
    g_assert_nonnull(reason);
    g_assert_true(stanza_has(reason, ELEM(.name = "success")));
    g_assert_true(stanza_has(reason, ELEM(.name = "text", .text = "moving")));
    xmpp_stanza_release(t);

    PaJingleSources src;
    pa_jingle_sources_init(&src);
    pa_jingle_sources_add(&src, 42, FALSE, "bob-a0", "m", "bob");
    /* JSON form: the sources are in the json-message, bob's audio. */
    xmpp_stanza_t *a = focus_jingle_sources_iq(ctx, s, PA_JINGLE_SOURCE_ADD, &src);
    g_assert_true(stanza_match(a, STANZA(.has = {{"jingle", NS_JINGLE, {"action", "source-add"}},
                                                 {"json-message", "http://jitsi.org/jitmeet"}})));
    PaJingle j;
    g_assert_true(jingle_of(a, &j));
    g_assert_true(j.json_sources);
    const PaJingleSource *src42 = jingle_source(&j, 42);
    g_assert_nonnull(src42);
    g_assert_cmpstr(src42->owner, ==, "bob");
    g_assert_false(src42->video);
    pa_jingle_clear(&j);
    xmpp_stanza_release(a);
    /* XML form: a <source ssrc/> in the description, no json-message. */
    FocusJingleSession *x =
        focus_jingle_session_new("focus.example.org/focus", PEER, FALSE, "bs", NULL);
    a = focus_jingle_sources_iq(ctx, x, PA_JINGLE_SOURCE_REMOVE, &src);
    g_assert_true(stanza_match(a, STANZA(.has = {{"jingle", NS_JINGLE, {"action", "source-remove"}},
                                                 {"source", NULL, {"ssrc", "42"}}},
                                         .lacks = {{"json-message"}})));
    xmpp_stanza_release(a);
    pa_jingle_sources_clear(&src);
    focus_jingle_session_free(x);
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
