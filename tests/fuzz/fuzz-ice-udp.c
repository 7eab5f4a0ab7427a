/* SPDX-License-Identifier: MIT */
/* Fuzz target: <transport xmlns="urn:xmpp:jingle:transports:ice-udp:1"> (XEP-0176 with the
 * Jitsi additions) as both Jingle and Colibri2 carry it (pa_ice_udp_parse, and
 * pa_ice_udp_parse_candidate on each child). Checks, besides "no crash, no leak": a reason
 * exactly on failure, valid as text; on failure the caller's struct is untouched (ice-udp.h
 * promises it); every candidate accepted passes pa_ice_candidate_valid(); the fingerprint is
 * normalised; parse(build(parse(x))) == parse(x) through text. */
#include <string.h>

#include "common/xmpp/ice-udp.h"
#include "fuzz-colibri-check.h"
#include "fuzz-dump.h"
#include "fuzz-xmpp.h"

static char *dump(const PaTransport *t)
{
    GString *out = g_string_new(NULL);
    fuzz_dump_transport(out, t);
    return g_string_free(out, FALSE);
}

static void check_round_trip(const PaTransport *t)
{
    xmpp_stanza_t *built = pa_ice_udp_build(fuzz_xmpp_ctx(), t);
    xmpp_stanza_t *again = fuzz_xmpp_reparse(built);
    PaTransport t2;
    pa_transport_init(&t2);
    char *why = NULL;
    PaIceUdpStatus st = pa_ice_udp_parse(again, &t2, &why);
    if (st != PA_ICE_UDP_OK) {
        fprintf(stderr, "%s: %s\n", pa_ice_udp_status_str(st), why);
        fuzz_fail("rebuilt transport refused");
    } else {
        char *want = dump(t), *got = dump(&t2);
        fuzz_check_same("transport after build and parse", want, got);
        g_free(want);
        g_free(got);
    }
    g_free(why);
    pa_transport_clear(&t2);
    xmpp_stanza_release(again);
    xmpp_stanza_release(built);
}

static void check_candidates(xmpp_stanza_t *transport)
{
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(transport); c; c = xmpp_stanza_get_next(c)) {
        if (!xmpp_stanza_is_tag(c))
            continue;
        PaIceCandidate cand;
        memset(&cand, 0xa5, sizeof cand);
        char *why = NULL;
        PaIceUdpStatus st = pa_ice_udp_parse_candidate(c, &cand, &why);
        FUZZ_CHECK(st == PA_ICE_UDP_OK || st == PA_ICE_UDP_BAD_CANDIDATE);
        FUZZ_CHECK((st == PA_ICE_UDP_OK) == (why == NULL));
        fuzz_check_xml_text("candidate reason", why);
        if (st == PA_ICE_UDP_OK) {
            FUZZ_CHECK(pa_ice_candidate_valid(&cand));
            /* Every text field is terminated inside its buffer. */
            FUZZ_CHECK(memchr(cand.foundation, 0, sizeof cand.foundation));
            FUZZ_CHECK(memchr(cand.ip, 0, sizeof cand.ip));
            FUZZ_CHECK(memchr(cand.rel_addr, 0, sizeof cand.rel_addr));
            FUZZ_CHECK(memchr(cand.id, 0, sizeof cand.id));
        }
        g_free(why);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *stanza = fuzz_xmpp_stanza(data, size);
    if (!stanza)
        return 0;

    /* The caller's struct holds something beforehand: failure must leave it as it was. */
    PaTransport t;
    pa_transport_init(&t);
    t.ufrag = g_strdup("prev");
    char *before = dump(&t);
    char *why = NULL;
    PaIceUdpStatus st = pa_ice_udp_parse(stanza, &t, &why);
    FUZZ_CHECK(st <= PA_ICE_UDP_BAD_WEBSOCKET);
    FUZZ_CHECK(strcmp(pa_ice_udp_status_str(st), "?") != 0);
    FUZZ_CHECK((st == PA_ICE_UDP_OK) == (why == NULL));
    /* The reason ends up in a colibri2 or Jingle error's <text>. */
    fuzz_check_xml_text("transport reason", why);

    PaTransport t0;
    pa_transport_init(&t0);
    FUZZ_CHECK(pa_ice_udp_parse(stanza, &t0, NULL) == st);
    pa_transport_clear(&t0);

    if (st == PA_ICE_UDP_OK) {
        fuzz_check_transport(&t);
        check_round_trip(&t);
    } else {
        char *after = dump(&t);
        fuzz_check_same("transport after a failed parse", before, after);
        g_free(after);
    }
    check_candidates(stanza);
    g_free(before);
    g_free(why);
    pa_transport_clear(&t);
    xmpp_stanza_release(stanza);
    return 0;
}
