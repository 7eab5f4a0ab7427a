/* SPDX-License-Identifier: MIT */
/* common/colibri/bridge-news.h: <endpoint-expired xmlns="urn:parley:bridge:0"/>, built by the
 * bridge and read by the focus: round trip, what a peer may leave out, and what is refused. */
#include <string.h>

#include "common/colibri/bridge-news.h"
#include "common/xmpp/stanza.h"

static xmpp_ctx_t *ctx;

static xmpp_stanza_t *xml(const char *s)
{
    xmpp_stanza_t *st = xmpp_stanza_new_from_string(ctx, s);
    g_assert_nonnull(st);
    return st;
}

static void test_round_trip(void)
{
    for (int ended = 0; ended < 2; ended++) {
        PaBridgeExpired e = {
            .meeting_id = g_strdup("7852d9b5-ce7c-4fad-9338-48449fc66479"),
            .endpoint = g_strdup("alice01"),
            .reason = ended ? PA_BRIDGE_EXPIRED_TIMEOUT : PA_BRIDGE_EXPIRED_FAILED,
            .conference_ended = ended,
            .text = g_strdup("ICE consent lost"),
        };
        xmpp_stanza_t *iq = xmpp_iq_new(ctx, "set", "x1");
        xmpp_stanza_t *el = pa_bridge_expired_build(ctx, &e);
        g_assert_cmpstr(xmpp_stanza_get_ns(el), ==, "urn:parley:bridge:0");
        g_assert_cmpstr(xmpp_stanza_get_attribute(el, "reason"), ==, ended ? "timeout" : "failed");
        g_assert_cmpstr(xmpp_stanza_get_attribute(el, "conference"), ==, ended ? "ended" : "kept");
        xmpp_stanza_add_child(iq, el);
        xmpp_stanza_release(el);
        /* Through text, as the focus receives it. */
        g_autofree char *text = pa_stanza_to_string(iq);
        xmpp_stanza_release(iq);
        xmpp_stanza_t *back = xml(text);
        PaBridgeExpired got;
        g_autofree char *why = NULL;
        g_assert_true(pa_bridge_expired_parse(back, &got, &why));
        g_assert_null(why);
        g_assert_cmpstr(got.meeting_id, ==, e.meeting_id);
        g_assert_cmpstr(got.endpoint, ==, "alice01");
        g_assert_cmpint(got.reason, ==, e.reason);
        g_assert_cmpint(got.conference_ended, ==, ended);
        g_assert_cmpstr(got.text, ==, "ICE consent lost");
        pa_bridge_expired_clear(&got);
        pa_bridge_expired_clear(&e);
        xmpp_stanza_release(back);
    }
}

static void test_lenient_and_refused(void)
{
    /* Unknown reasons read as failed, a missing conference attribute as kept, no text. */
    xmpp_stanza_t *iq = xml("<iq type='set' id='1'><endpoint-expired xmlns='urn:parley:bridge:0' "
                            "meeting-id='m' endpoint='e' reason='solar-flare'/></iq>");
    PaBridgeExpired got;
    g_assert_true(pa_bridge_expired_parse(iq, &got, NULL));
    g_assert_cmpint(got.reason, ==, PA_BRIDGE_EXPIRED_FAILED);
    g_assert_false(got.conference_ended);
    g_assert_null(got.text);
    pa_bridge_expired_clear(&got);
    xmpp_stanza_release(iq);

    static const char *const bad[] = {
        "<iq type='set' id='1'/>",
        "<iq type='set' id='1'><endpoint-expired xmlns='urn:other' meeting-id='m' "
        "endpoint='e'/></iq>",
        "<iq type='set' id='1'><endpoint-expired xmlns='urn:parley:bridge:0' endpoint='e'/></iq>",
        "<iq type='set' id='1'><endpoint-expired xmlns='urn:parley:bridge:0' meeting-id='m'/></iq>",
        "<iq type='set' id='1'><endpoint-expired xmlns='urn:parley:bridge:0' meeting-id='' "
        "endpoint='e'/></iq>",
    };
    for (guint i = 0; i < G_N_ELEMENTS(bad); i++) {
        xmpp_stanza_t *b = xml(bad[i]);
        g_autofree char *why = NULL;
        g_assert_false(pa_bridge_expired_parse(b, &got, &why));
        g_assert_nonnull(why);
        g_assert_null(got.meeting_id);
        xmpp_stanza_release(b);
    }
    /* An id longer than a Colibri2 id may be. */
    g_autofree char *long_id = g_strnfill(300, 'x');
    g_autofree char *s = g_strdup_printf("<iq type='set' id='1'><endpoint-expired "
                                         "xmlns='urn:parley:bridge:0' meeting-id='%s' "
                                         "endpoint='e'/></iq>",
                                         long_id);
    xmpp_stanza_t *b = xml(s);
    g_assert_false(pa_bridge_expired_parse(b, &got, NULL));
    xmpp_stanza_release(b);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/colibri/bridge-news/round-trip", test_round_trip);
    g_test_add_func("/colibri/bridge-news/lenient-and-refused", test_lenient_and_refused);
    int rc = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return rc;
}
