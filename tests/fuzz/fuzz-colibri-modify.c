/* SPDX-License-Identifier: MIT */
/* Fuzz target: <conference-modify xmlns="jitsi:colibri2"> as the bridge receives it from a
 * focus (pa_colibri_parse_modify, with the ICE-UDP transports inside). Besides "no crash, no
 * leak" it checks: a reason exactly when parsing fails, and one that can be sent back in the
 * bad-request reply the bridge makes of it; every bound and validation colibri.h promises;
 * and parse(build(parse(x))) == parse(x) through the text a focus would send. */
#include <string.h>

#include "common/colibri/colibri.h"
#include "fuzz-colibri-check.h"
#include "fuzz-dump.h"
#include "fuzz-xmpp.h"

static void check_ok(const PaColibriConferenceModify *m)
{
    FUZZ_CHECK(m->meeting_id && *m->meeting_id && strlen(m->meeting_id) <= PA_COLIBRI_MAX_ID);
    FUZZ_CHECK(m->endpoints->len <= PA_COLIBRI_MAX_ENDPOINTS);
    GHashTable *ids = g_hash_table_new(g_str_hash, g_str_equal);
    for (guint i = 0; i < m->endpoints->len; i++) {
        const PaColibriEndpoint *ep = &g_array_index(m->endpoints, PaColibriEndpoint, i);
        fuzz_check_colibri_endpoint(ep);
        FUZZ_CHECK(g_hash_table_add(ids, ep->id)); /* ids are unique */
    }
    g_hash_table_destroy(ids);
}

/* What a focus would send for @m, read back by the bridge. */
static void check_round_trip(PaColibriConferenceModify *m)
{
    xmpp_ctx_t *ctx = fuzz_xmpp_ctx();
    guint relays = m->n_relays;
    m->n_relays = 0; /* relays are counted (to be refused), never built */
    char *want = fuzz_dump_colibri_modify(m);
    m->n_relays = relays;

    xmpp_stanza_t *built = pa_colibri_build_modify(ctx, m);
    xmpp_stanza_t *again = fuzz_xmpp_reparse(built);
    PaColibriConferenceModify m2;
    char *why = NULL;
    PaColibriStatus st = pa_colibri_parse_modify(again, &m2, &why);
    if (st != PA_COLIBRI_OK) {
        char *text = fuzz_xmpp_text(built);
        fprintf(stderr, "%s: %s\n%s\n", pa_colibri_status_str(st), why, text);
        g_free(text);
        fuzz_fail("rebuilt conference-modify refused");
    } else {
        char *got = fuzz_dump_colibri_modify(&m2);
        fuzz_check_same("conference-modify after build and parse", want, got);
        g_free(got);
    }
    g_free(want);
    g_free(why);
    pa_colibri_modify_clear(&m2);
    xmpp_stanza_release(again);
    xmpp_stanza_release(built);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *stanza = fuzz_xmpp_stanza(data, size);
    if (!stanza)
        return 0;
    PaColibriConferenceModify m;
    char *why = NULL;
    PaColibriStatus st = pa_colibri_parse_modify(stanza, &m, &why);
    FUZZ_CHECK(st <= PA_COLIBRI_TOO_LARGE);
    FUZZ_CHECK(strcmp(pa_colibri_status_str(st), "?") != 0);
    FUZZ_CHECK((st == PA_COLIBRI_OK) == (why == NULL));

    /* Without a reason pointer: same verdict, nothing leaked. */
    PaColibriConferenceModify m0;
    FUZZ_CHECK(pa_colibri_parse_modify(stanza, &m0, NULL) == st);
    pa_colibri_modify_clear(&m0);

    if (st == PA_COLIBRI_OK) {
        check_ok(&m);
        check_round_trip(&m);
    } else if (st != PA_COLIBRI_NOT_COLIBRI) {
        /* The bridge answers bad-request with the reason as <text>. */
        xmpp_stanza_t *reply = pa_colibri_error_reply(fuzz_xmpp_ctx(), stanza,
                                                      PA_COLIBRI_ERROR_BAD_REQUEST, NULL, why);
        fuzz_check_error_reply(reply, "bad-request", why);
        xmpp_stanza_release(reply);
    }
    g_free(why);
    pa_colibri_modify_clear(&m);
    xmpp_stanza_release(stanza);
    return 0;
}
