/* SPDX-License-Identifier: MIT */
/* common/xmpp/ice-udp: the ICE-UDP transport element both ways, and refusal of malformed input. */
#include <string.h>

#include "common/xmpp/ice-udp.h"
#include "common/xmpp/stanza.h"
#include "tests/lib/c/stanza-match.h"

static xmpp_ctx_t *ctx;

static xmpp_stanza_t *xml(const char *s)
{
    xmpp_stanza_t *st = xmpp_stanza_new_from_string(ctx, s);
    g_assert_nonnull(st);
    return st;
}

#define T_OPEN                                                                                     \
    "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='Ab+/' "                        \
    "pwd='abcdefghijklmnopqrstuvwx'>"
#define CAND(extra)                                                                                \
    "<candidate component='1' foundation='1' generation='0' id='c1' "                              \
    "ip='127.0.0.1' network='0' port='10000' priority='2130706431' "                               \
    "protocol='udp' type='host' " extra "/>"

static void test_parse_full(void)
{
    xmpp_stanza_t *s = xml(
        T_OPEN
        "<rtcp-mux/>"
        "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='active'>"
        "ab:CD:0f</fingerprint>" CAND(
            "") "<candidate component='1' foundation='2' generation='0' ip='10.0.0.1' network='1' "
                "port='3478' priority='1' protocol='UDP' type='srflx' rel-addr='127.0.0.1' "
                "rel-port='10000'/>"
                "<web-socket xmlns='http://jitsi.org/protocol/colibri' url='wss://x/colibri-ws/a'/>"
                "<unknown-extension/></transport>");
    PaTransport t;
    pa_transport_init(&t);
    g_autofree char *why = NULL;
    g_assert_cmpint(pa_ice_udp_parse(s, &t, &why), ==, PA_ICE_UDP_OK);
    g_assert_null(why);
    g_assert_cmpstr(t.ufrag, ==, "Ab+/");
    g_assert_cmpstr(t.pwd, ==, "abcdefghijklmnopqrstuvwx");
    g_assert_true(t.rtcp_mux);
    g_assert_cmpstr(t.fingerprint_hash, ==, "sha-256");
    g_assert_cmpstr(t.fingerprint, ==, "AB:CD:0F");
    g_assert_cmpstr(t.setup, ==, "active");
    g_assert_cmpstr(t.websocket_url, ==, "wss://x/colibri-ws/a");
    g_assert_cmpuint(t.candidates->len, ==, 2);
    PaIceCandidate *c0 = &g_array_index(t.candidates, PaIceCandidate, 0);
    g_assert_cmpstr(c0->ip, ==, "127.0.0.1");
    g_assert_cmpuint(c0->port, ==, 10000);
    g_assert_cmpuint(c0->priority, ==, 2130706431u);
    g_assert_cmpstr(c0->id, ==, "c1");
    PaIceCandidate *c1 = &g_array_index(t.candidates, PaIceCandidate, 1);
    g_assert_cmpstr(c1->protocol, ==, "udp");
    g_assert_cmpstr(c1->type, ==, "srflx");
    g_assert_cmpstr(c1->rel_addr, ==, "127.0.0.1");
    g_assert_cmpuint(c1->rel_port, ==, 10000);
    g_assert_cmpuint(c1->network, ==, 1);
    pa_transport_clear(&t);
    xmpp_stanza_release(s);
}

static void test_round_trip(void)
{
    PaTransport t;
    pa_transport_init(&t);
    t.ufrag = g_strdup("uf12");
    t.pwd = g_strdup("0123456789abcdefghijkl");
    t.rtcp_mux = TRUE;
    t.fingerprint_hash = g_strdup("sha-256");
    t.fingerprint = g_strdup("01:23:45:67:89:AB:CD:EF");
    t.setup = g_strdup("actpass");
    t.websocket_url = g_strdup("ws://127.0.0.1:8080/colibri-ws/b/c/e?pwd=x");
    PaIceCandidate c = {.component = 1, .priority = 42, .port = 10001, .generation = 0};
    strcpy(c.foundation, "f1");
    strcpy(c.protocol, "udp");
    strcpy(c.ip, "127.0.0.1");
    strcpy(c.type, "host");
    g_array_append_val(t.candidates, c);

    xmpp_stanza_t *built = pa_ice_udp_build(ctx, &t);
    g_autofree char *text = pa_stanza_to_string(built);
    xmpp_stanza_release(built);
    /* Through text, as it travels. */
    xmpp_stanza_t *reparsed = xml(text);
    PaTransport back;
    pa_transport_init(&back);
    g_assert_cmpint(pa_ice_udp_parse(reparsed, &back, NULL), ==, PA_ICE_UDP_OK);
    g_assert_cmpstr(back.ufrag, ==, t.ufrag);
    g_assert_cmpstr(back.pwd, ==, t.pwd);
    g_assert_true(back.rtcp_mux);
    g_assert_cmpstr(back.fingerprint, ==, t.fingerprint);
    g_assert_cmpstr(back.setup, ==, "actpass");
    g_assert_cmpstr(back.websocket_url, ==, t.websocket_url);
    g_assert_cmpuint(back.candidates->len, ==, 1);
    g_assert_cmpint(memcmp(&g_array_index(back.candidates, PaIceCandidate, 0), &c, sizeof c), ==,
                    0);
    test_assert_stanza(reparsed, "transport{" PA_NS_ICE_UDP "}[ufrag=uf12]"
                                 "/fingerprint{" PA_NS_DTLS "}[hash=sha-256]"
                                 "[setup=actpass]");
    test_assert_stanza(reparsed, "transport/web-socket{" PA_NS_COLIBRI "}");
    pa_transport_clear(&back);
    pa_transport_clear(&t);
    xmpp_stanza_release(reparsed);
}

typedef struct {
    const char *xml;
    PaIceUdpStatus status;
    const char *reason_part;
} BadCase;

static void test_malformed(void)
{
    static const BadCase cases[] = {
        {"<transport xmlns='urn:xmpp:jingle:transports:raw-udp:1'/>", PA_ICE_UDP_NOT_TRANSPORT,
         "expected"},
        {"<candidate/>", PA_ICE_UDP_NOT_TRANSPORT, "expected"},
        {T_OPEN "<candidate component='1' foundation='1' ip='127.0.0.1' port='1' priority='1' "
                "protocol='udp'/></transport>",
         PA_ICE_UDP_BAD_CANDIDATE, "candidate 1: missing 'type'"},
        {T_OPEN CAND("") "<candidate component='1' foundation='1' ip='127.0.0.1' port='70000' "
                         "priority='1' protocol='udp' type='host'/></transport>",
         PA_ICE_UDP_BAD_CANDIDATE, "candidate 2: 'port' value '70000'"},
        {T_OPEN "<candidate component='1' foundation='1' ip='127.0.0.1' port='-5' priority='1' "
                "protocol='udp' type='host'/></transport>",
         PA_ICE_UDP_BAD_CANDIDATE, "'port'"},
        {T_OPEN "<candidate component='1' foundation='1' ip='127.0.0.1' port='0' priority='1' "
                "protocol='udp' type='host'/></transport>",
         PA_ICE_UDP_BAD_CANDIDATE, "port 0"},
        {T_OPEN "<candidate component='3' foundation='1' ip='127.0.0.1' port='9' priority='1' "
                "protocol='udp' type='host'/></transport>",
         PA_ICE_UDP_BAD_CANDIDATE, "component 3"},
        {T_OPEN "<candidate component='1' foundation='1' ip='abc.local' port='9' priority='1' "
                "protocol='udp' type='host'/></transport>",
         PA_ICE_UDP_BAD_CANDIDATE, "not an IP address"},
        {T_OPEN "<candidate component='1' foundation='1' ip='127.0.0.1' port='9' priority='1' "
                "protocol='sctp' type='host'/></transport>",
         PA_ICE_UDP_BAD_CANDIDATE, "unknown protocol"},
        {T_OPEN "<candidate component='1' foundation='1' ip='127.0.0.1' port='9' priority='1' "
                "protocol='udp' type='bogus'/></transport>",
         PA_ICE_UDP_BAD_CANDIDATE, "type 'bogus'"},
        {T_OPEN "<candidate component='1' foundation='0123456789012345678901234567890123456789' "
                "ip='127.0.0.1' port='9' priority='1' protocol='udp' type='host'/></transport>",
         PA_ICE_UDP_BAD_CANDIDATE, "'foundation' too long"},
        {T_OPEN "<candidate component='1' foundation='1' ip='127.0.0.1' port='9' "
                "priority='99999999999' protocol='udp' type='host'/></transport>",
         PA_ICE_UDP_BAD_CANDIDATE, "'priority'"},
        {T_OPEN "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' setup='active'>AB</fingerprint>"
                "</transport>",
         PA_ICE_UDP_BAD_FINGERPRINT, "hash"},
        {T_OPEN "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'>AB:C</fingerprint>"
                "</transport>",
         PA_ICE_UDP_BAD_FINGERPRINT, "hex pairs"},
        {T_OPEN "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256'/></transport>",
         PA_ICE_UDP_BAD_FINGERPRINT, "hex pairs"},
        {T_OPEN "<fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='both'>"
                "AB</fingerprint></transport>",
         PA_ICE_UDP_BAD_FINGERPRINT, "setup 'both'"},
        {"<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='a b c d'/>",
         PA_ICE_UDP_BAD_ATTRIBUTE, "ufrag"},
        {"<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='abcd' pwd='short'/>",
         PA_ICE_UDP_BAD_ATTRIBUTE, "pwd"},
        {T_OPEN "<web-socket xmlns='http://jitsi.org/protocol/colibri' url='http://x'/>"
                "</transport>",
         PA_ICE_UDP_BAD_WEBSOCKET, "ws://"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(cases); i++) {
        xmpp_stanza_t *s = xml(cases[i].xml);
        PaTransport t;
        pa_transport_init(&t);
        t.ufrag = g_strdup("keep");
        char *why = NULL;
        PaIceUdpStatus st = pa_ice_udp_parse(s, &t, &why);
        if (st != cases[i].status || !why || !strstr(why, cases[i].reason_part))
            g_error("case %zu: status %s reason '%s', expected %s with '%s'", i,
                    pa_ice_udp_status_str(st), why ? why : "(null)",
                    pa_ice_udp_status_str(cases[i].status), cases[i].reason_part);
        /* The caller's transport is untouched on failure. */
        g_assert_cmpstr(t.ufrag, ==, "keep");
        g_free(why);
        pa_transport_clear(&t);
        xmpp_stanza_release(s);
    }
}

static void test_too_many_candidates(void)
{
    GString *s = g_string_new(T_OPEN);
    for (int i = 0; i < 65; i++)
        g_string_append(s, CAND(""));
    g_string_append(s, "</transport>");
    xmpp_stanza_t *st = xml(s->str);
    PaTransport t;
    pa_transport_init(&t);
    g_autofree char *why = NULL;
    g_assert_cmpint(pa_ice_udp_parse(st, &t, &why), ==, PA_ICE_UDP_BAD_CANDIDATE);
    g_assert_nonnull(strstr(why, "64"));
    pa_transport_clear(&t);
    xmpp_stanza_release(st);
    g_string_free(s, TRUE);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/ice-udp/parse-full", test_parse_full);
    g_test_add_func("/ice-udp/round-trip", test_round_trip);
    g_test_add_func("/ice-udp/malformed", test_malformed);
    g_test_add_func("/ice-udp/too-many-candidates", test_too_many_candidates);
    int rc = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return rc;
}
