/* SPDX-License-Identifier: MIT */
/* Fuzz target: <conference-modified xmlns="jitsi:colibri2"> as the focus receives it from a
 * bridge (pa_colibri_parse_modified: the bridge's transports and feedback sources). Checks,
 * besides "no crash, no leak": a reason exactly when parsing fails, valid as text; the bounds
 * colibri.h promises; parse(build(parse(x))) == parse(x) through text. */
#include <string.h>

#include "common/colibri/colibri.h"
#include "fuzz-colibri-check.h"
#include "fuzz-dump.h"
#include "fuzz-xmpp.h"

static void check_round_trip(const PaColibriConferenceModified *m)
{
    xmpp_stanza_t *built = pa_colibri_build_modified(fuzz_xmpp_ctx(), m);
    xmpp_stanza_t *again = fuzz_xmpp_reparse(built);
    PaColibriConferenceModified m2;
    char *why = NULL;
    PaColibriStatus st = pa_colibri_parse_modified(again, &m2, &why);
    char *want = fuzz_dump_colibri_modified(m);
    if (st != PA_COLIBRI_OK) {
        char *text = fuzz_xmpp_text(built);
        fprintf(stderr, "%s: %s\n%s\n", pa_colibri_status_str(st), why, text);
        g_free(text);
        fuzz_fail("rebuilt conference-modified refused");
    } else {
        char *got = fuzz_dump_colibri_modified(&m2);
        fuzz_check_same("conference-modified after build and parse", want, got);
        g_free(got);
    }
    g_free(want);
    g_free(why);
    pa_colibri_modified_clear(&m2);
    xmpp_stanza_release(again);
    xmpp_stanza_release(built);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *stanza = fuzz_xmpp_stanza(data, size);
    if (!stanza)
        return 0;
    PaColibriConferenceModified m;
    char *why = NULL;
    PaColibriStatus st = pa_colibri_parse_modified(stanza, &m, &why);
    FUZZ_CHECK(st <= PA_COLIBRI_TOO_LARGE);
    FUZZ_CHECK((st == PA_COLIBRI_OK) == (why == NULL));
    /* The focus logs the reason; it must be text. */
    fuzz_check_xml_text("conference-modified reason", why);

    PaColibriConferenceModified m0;
    FUZZ_CHECK(pa_colibri_parse_modified(stanza, &m0, NULL) == st);
    pa_colibri_modified_clear(&m0);

    if (st == PA_COLIBRI_OK) {
        FUZZ_CHECK(m.endpoints->len <= PA_COLIBRI_MAX_ENDPOINTS);
        for (guint i = 0; i < m.endpoints->len; i++)
            fuzz_check_colibri_endpoint(&g_array_index(m.endpoints, PaColibriEndpoint, i));
        FUZZ_CHECK(m.has_sources || m.sources->len == 0);
        fuzz_check_colibri_sources(m.sources);
        check_round_trip(&m);
    }
    g_free(why);
    pa_colibri_modified_clear(&m);
    xmpp_stanza_release(stanza);
    return 0;
}
