/* SPDX-License-Identifier: MIT */
/* XEP-0115 verification strings and ver hashes: the XEP's own example, Parley's web client
 * (the ver its JavaScript computes, web/xmpp/disco.js), order not mattering, and what the
 * focus refuses to vouch for (duplicates, data forms, no identity, no query). */
#include "focus/xmpp/caps.h"

#include "tests/lib/c/stanza-match.h"

static char *ver_of(xmpp_ctx_t *ctx, const char *inner)
{
    g_autofree char *xml = g_strdup_printf(
        "<iq type='result'><query xmlns='http://jabber.org/protocol/disco#info'>%s</query></iq>",
        inner);
    xmpp_stanza_t *iq = test_stanza_parse(ctx, xml);
    char *ver = focus_caps_ver(iq);
    xmpp_stanza_release(iq);
    return ver;
}

#define EXODUS_FEATURES                                                                            \
    "<feature var='http://jabber.org/protocol/caps'/>"                                             \
    "<feature var='http://jabber.org/protocol/disco#info'/>"                                       \
    "<feature var='http://jabber.org/protocol/disco#items'/>"                                      \
    "<feature var='http://jabber.org/protocol/muc'/>"

static void test_xep_example(xmpp_ctx_t *ctx)
{
    /* XEP-0115 §5.2, the simple generation example. */
    g_autofree char *ver =
        ver_of(ctx, "<identity category='client' type='pc' name='Exodus 0.9.1'/>" EXODUS_FEATURES);
    g_assert_cmpstr(ver, ==, "QgayPKawpkPSDYmwT/WM94uAlu0=");
    g_autofree char *shuffled =
        ver_of(ctx, "<feature var='http://jabber.org/protocol/muc'/>"
                    "<feature var='http://jabber.org/protocol/disco#items'/>"
                    "<identity category='client' type='pc' name='Exodus 0.9.1'/>"
                    "<feature var='http://jabber.org/protocol/caps'/>"
                    "<feature var='http://jabber.org/protocol/disco#info'/>");
    g_assert_cmpstr(shuffled, ==, ver);
    /* One feature less: another hash. */
    g_autofree char *fewer =
        ver_of(ctx, "<identity category='client' type='pc' name='Exodus 0.9.1'/>"
                    "<feature var='http://jabber.org/protocol/caps'/>");
    g_assert_nonnull(fewer);
    g_assert_cmpstr(fewer, !=, ver);
}

static void test_parley_client(xmpp_ctx_t *ctx)
{
    const char *features[] = {"urn:xmpp:jingle:apps:rtp:video",
                              "http://jabber.org/protocol/disco#info",
                              "http://jitsi.org/json-encoded-sources",
                              "http://jitsi.org/receive-multiple-video-streams",
                              "http://jitsi.org/source-name",
                              "http://jitsi.org/tcc",
                              "urn:ietf:rfc:4588",
                              "urn:ietf:rfc:5761",
                              "urn:ietf:rfc:5888",
                              "urn:xmpp:jingle:1",
                              "urn:xmpp:jingle:apps:dtls:0",
                              "urn:xmpp:jingle:apps:rtp:1",
                              "urn:xmpp:jingle:apps:rtp:audio",
                              "urn:xmpp:jingle:transports:ice-udp:1"};
    GString *inner = g_string_new("<identity category='client' type='web' name='Parley'/>");
    for (guint i = 0; i < G_N_ELEMENTS(features); i++)
        g_string_append_printf(inner, "<feature var='%s'/>", features[i]);
    g_autofree char *ver = ver_of(ctx, inner->str);
    /* What web/xmpp/disco.js capsFor() puts in the client's presence. */
    g_assert_cmpstr(ver, ==, "v8kOSNboN+HX6yOvQeuNtzysHK0=");
    g_string_free(inner, TRUE);
}

static void test_refused(xmpp_ctx_t *ctx)
{
    const char *id = "<identity category='client' type='pc' name='x'/>";
    g_autofree char *dup_feature = g_strdup_printf("%s<feature var='a'/><feature var='a'/>", id);
    g_autofree char *dup_identity = g_strdup_printf("%s%s<feature var='a'/>", id, id);
    g_autofree char *form = g_strdup_printf(
        "%s<feature var='a'/><x xmlns='jabber:x:data' type='result'><field var='FORM_TYPE' "
        "type='hidden'><value>urn:xmpp:dataforms:softwareinfo</value></field></x>",
        id);
    g_autofree char *no_var = g_strdup_printf("%s<feature/>", id);
    const char *cases[] = {dup_feature, dup_identity, form, no_var, "<feature var='a'/>"};
    for (guint i = 0; i < G_N_ELEMENTS(cases); i++) {
        g_autofree char *ver = ver_of(ctx, cases[i]);
        g_assert_null(ver);
    }
    xmpp_stanza_t *iq = test_stanza_parse(ctx, "<iq type='result'/>");
    g_assert_null(focus_caps_ver(iq));
    g_assert_null(focus_caps_ver(NULL));
    xmpp_stanza_release(iq);
}

static xmpp_ctx_t *test_ctx;

static void run_example(void)
{
    test_xep_example(test_ctx);
}
static void run_parley(void)
{
    test_parley_client(test_ctx);
}
static void run_refused(void)
{
    test_refused(test_ctx);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    test_ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/focus/caps/xep-example", run_example);
    g_test_add_func("/focus/caps/parley-client", run_parley);
    g_test_add_func("/focus/caps/refused", run_refused);
    int rc = g_test_run();
    xmpp_ctx_free(test_ctx);
    xmpp_shutdown();
    return rc;
}
