/* SPDX-License-Identifier: MIT */
/* FocusLink: timers on an injected clock, IQ replies matched by id and sender, timeouts,
 * failures on disconnect, cancellation by owner. */
#include "focus/xmpp/link.h"

#include "testbed.h"

typedef struct {
    GString *trace;
} Log;

static void timer_cb(FocusLink *link, gpointer data)
{
    g_string_append((GString *)data, "t");
}

static void test_timers(void)
{
    TestBed tb;
    testbed_init(&tb);
    GString *order = g_string_new("");
    g_assert_cmpint(focus_link_next_due_in(tb.link), ==, -1);
    guint a = focus_link_timer_add(tb.link, 300, timer_cb, order, NULL);
    guint b = focus_link_timer_add(tb.link, 100, timer_cb, order, NULL);
    guint c = focus_link_timer_add(tb.link, 200, timer_cb, order, &tb);
    g_assert_cmpuint(a, !=, 0);
    g_assert_cmpuint(a, !=, b);
    g_assert_cmpint(focus_link_next_due_in(tb.link), ==, 100 * 1000);
    testbed_advance(&tb, 99);
    g_assert_cmpstr(order->str, ==, "");
    testbed_advance(&tb, 1);
    g_assert_cmpstr(order->str, ==, "t");
    g_assert_cmpuint(focus_link_timer_cancel(tb.link, a), ==, 0);
    focus_link_timer_cancel(tb.link, a);   /* twice is harmless */
    focus_link_timer_cancel(tb.link, b);   /* already ran */
    focus_link_cancel_owner(tb.link, &tb); /* c */
    testbed_advance(&tb, 1000);
    g_assert_cmpstr(order->str, ==, "t");
    g_assert_cmpint(focus_link_next_due_in(tb.link), ==, -1);
    (void)c;
    g_string_free(order, TRUE);
    testbed_clear(&tb);
}

typedef struct {
    int calls;
    FocusIqOutcome outcome;
    char *reply_id;
    FocusLink *link;
    gconstpointer cancel_on_call; /* owner to cancel from inside the callback */
} IqSeen;

static void iq_cb(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply, gpointer data)
{
    IqSeen *s = data;
    s->calls++;
    s->outcome = outcome;
    g_free(s->reply_id);
    s->reply_id = reply ? g_strdup(xmpp_stanza_get_id(reply)) : NULL;
    if (s->cancel_on_call)
        focus_link_cancel_owner(link, s->cancel_on_call);
}

static xmpp_stanza_t *make_iq(TestBed *tb, const char *to)
{
    xmpp_stanza_t *iq = xmpp_iq_new(tb->ctx, "get", NULL);
    xmpp_stanza_set_to(iq, to);
    pa_stanza_add_child(iq, "ping", "urn:xmpp:ping");
    return iq;
}

static void test_iq_reply_matching(void)
{
    TestBed tb;
    testbed_init(&tb);
    IqSeen seen = {0};
    xmpp_stanza_t *iq = make_iq(&tb, "room@muc.example.org");
    const char *id = focus_link_send_iq(tb.link, iq, 5000, iq_cb, &seen, NULL);
    g_autofree char *idc = g_strdup(id);
    xmpp_stanza_release(iq);
    g_assert_cmpuint(tb.sent->len, ==, 1);
    g_assert_cmpstr(xmpp_stanza_get_id(sent_at(&tb, 0)), ==, idc);
    g_assert_cmpuint(focus_link_pending_count(tb.link), ==, 1);

    /* Same id from someone else: not the reply. */
    g_autofree char *spoof_xml =
        g_strdup_printf("<iq type='result' id='%s' from='evil@example.org/x'/>", idc);
    xmpp_stanza_t *spoof = stanza_from(&tb, spoof_xml);
    g_assert_false(focus_link_handle_reply(tb.link, spoof));
    xmpp_stanza_release(spoof);
    g_assert_cmpint(seen.calls, ==, 0);

    /* Not an IQ reply at all. */
    xmpp_stanza_t *get = stanza_from(&tb, "<iq type='get' id='zzz' from='room@muc.example.org'/>");
    g_assert_false(focus_link_handle_reply(tb.link, get));
    xmpp_stanza_release(get);

    g_autofree char *ok_xml =
        g_strdup_printf("<iq type='error' id='%s' from='room@MUC.example.org'/>", idc);
    xmpp_stanza_t *ok = stanza_from(&tb, ok_xml);
    g_assert_true(focus_link_handle_reply(tb.link, ok));
    g_assert_false(focus_link_handle_reply(tb.link, ok)); /* only once */
    xmpp_stanza_release(ok);
    g_assert_cmpint(seen.calls, ==, 1);
    g_assert_cmpint(seen.outcome, ==, FOCUS_IQ_ERROR);
    g_assert_cmpstr(seen.reply_id, ==, idc);
    g_assert_cmpuint(focus_link_pending_count(tb.link), ==, 0);
    /* Its timeout timer went with it. */
    testbed_advance(&tb, 10000);
    g_assert_cmpint(seen.calls, ==, 1);
    g_free(seen.reply_id);
    testbed_clear(&tb);
}

static void test_iq_timeout_and_offline(void)
{
    TestBed tb;
    testbed_init(&tb);
    IqSeen t = {0}, off = {0}, dropped = {0};
    xmpp_stanza_t *iq = make_iq(&tb, "x.example.org");
    focus_link_send_iq(tb.link, iq, 2000, iq_cb, &t, NULL);
    xmpp_stanza_release(iq);
    testbed_advance(&tb, 1999);
    g_assert_cmpint(t.calls, ==, 0);
    testbed_advance(&tb, 1);
    g_assert_cmpint(t.calls, ==, 1);
    g_assert_cmpint(t.outcome, ==, FOCUS_IQ_TIMEOUT);

    /* Offline: nothing is sent, the callback learns on the next run. */
    focus_link_set_online(tb.link, FALSE);
    guint before = tb.sent->len;
    iq = make_iq(&tb, "x.example.org");
    focus_link_send_iq(tb.link, iq, 2000, iq_cb, &off, NULL);
    xmpp_stanza_release(iq);
    xmpp_stanza_t *p = xmpp_presence_new(tb.ctx);
    focus_link_send(tb.link, p);
    xmpp_stanza_release(p);
    g_assert_cmpuint(tb.sent->len, ==, before);
    g_assert_cmpint(off.calls, ==, 0);
    testbed_advance(&tb, 0);
    g_assert_cmpint(off.calls, ==, 1);
    g_assert_cmpint(off.outcome, ==, FOCUS_IQ_DISCONNECTED);

    /* A cancelled owner's IQ never calls back. */
    focus_link_set_online(tb.link, TRUE);
    iq = make_iq(&tb, "x.example.org");
    focus_link_send_iq(tb.link, iq, 100, iq_cb, &dropped, &dropped);
    xmpp_stanza_release(iq);
    focus_link_cancel_owner(tb.link, &dropped);
    testbed_advance(&tb, 1000);
    g_assert_cmpint(dropped.calls, ==, 0);
    g_assert_cmpuint(focus_link_pending_count(tb.link), ==, 0);
    testbed_clear(&tb);
}

static void test_fail_pending(void)
{
    TestBed tb;
    testbed_init(&tb);
    IqSeen a = {0}, b = {0};
    int owner_a, owner_b;
    /* a's callback cancels b's owner: b must not be called even though both were pending
     * when the connection dropped. Order in the hash table is arbitrary, so try both ways. */
    a.cancel_on_call = &owner_b;
    b.cancel_on_call = &owner_a;
    xmpp_stanza_t *iq = make_iq(&tb, "x.example.org");
    focus_link_send_iq(tb.link, iq, 5000, iq_cb, &a, &owner_a);
    xmpp_stanza_release(iq);
    iq = make_iq(&tb, "x.example.org");
    focus_link_send_iq(tb.link, iq, 5000, iq_cb, &b, &owner_b);
    xmpp_stanza_release(iq);
    focus_link_set_online(tb.link, FALSE);
    focus_link_fail_pending(tb.link);
    g_assert_cmpint(a.calls + b.calls, ==, 1);
    IqSeen *called = a.calls ? &a : &b;
    g_assert_cmpint(called->outcome, ==, FOCUS_IQ_DISCONNECTED);
    g_assert_cmpuint(focus_link_pending_count(tb.link), ==, 0);
    testbed_advance(&tb, 10000);
    g_assert_cmpint(a.calls + b.calls, ==, 1);
    testbed_clear(&tb);
}

static void test_ids_unique(void)
{
    TestBed tb;
    testbed_init(&tb);
    g_autofree char *a = focus_link_new_id(tb.link);
    g_autofree char *b = focus_link_new_id(tb.link);
    g_assert_cmpstr(a, !=, b);
    /* A reused id gets replaced rather than orphaning the first request. */
    IqSeen s1 = {0}, s2 = {0};
    xmpp_stanza_t *iq = make_iq(&tb, "x.example.org");
    xmpp_stanza_set_id(iq, "dup");
    focus_link_send_iq(tb.link, iq, 5000, iq_cb, &s1, NULL);
    xmpp_stanza_release(iq);
    iq = make_iq(&tb, "x.example.org");
    xmpp_stanza_set_id(iq, "dup");
    const char *id2 = focus_link_send_iq(tb.link, iq, 5000, iq_cb, &s2, NULL);
    g_assert_cmpstr(id2, !=, "dup");
    xmpp_stanza_release(iq);
    g_assert_cmpuint(focus_link_pending_count(tb.link), ==, 2);
    testbed_clear(&tb);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/focus/link/timers", test_timers);
    g_test_add_func("/focus/link/iq-reply-matching", test_iq_reply_matching);
    g_test_add_func("/focus/link/iq-timeout-and-offline", test_iq_timeout_and_offline);
    g_test_add_func("/focus/link/fail-pending", test_fail_pending);
    g_test_add_func("/focus/link/ids", test_ids_unique);
    return g_test_run();
}
