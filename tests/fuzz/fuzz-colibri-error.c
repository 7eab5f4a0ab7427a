/* SPDX-License-Identifier: MIT */
/* Fuzz target: a Colibri2 error reply as the focus receives it from a bridge
 * (pa_colibri_error_parse, pa_stanza_error_condition). Checks, besides "no crash, no leak":
 * the result is a known error, with a colibri2 reason unless UNSPECIFIED; asking without the
 * endpoint id gives the same answer; and the reply the bridge would build for that error
 * (pa_colibri_error_reply) reads back as the same error, condition and endpoint id. */
#include <string.h>

#include "common/colibri/colibri.h"
#include "common/xmpp/stanza.h"
#include "fuzz-xmpp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *stanza = fuzz_xmpp_stanza(data, size);
    if (!stanza)
        return 0;
    char *ep = NULL;
    PaColibriError e = pa_colibri_error_parse(stanza, &ep);
    FUZZ_CHECK(e <= PA_COLIBRI_ERROR_UNSPECIFIED);
    FUZZ_CHECK(e == PA_COLIBRI_ERROR_UNSPECIFIED || pa_colibri_error_reason(e) != NULL);
    FUZZ_CHECK(pa_colibri_error_condition(e) != NULL);
    FUZZ_CHECK(pa_colibri_error_parse(stanza, NULL) == e);
    const char *cond = pa_stanza_error_condition(stanza);
    FUZZ_CHECK(!cond || *cond);

    /* The same error as the bridge would send it, with the endpoint id and as text. */
    xmpp_stanza_t *reply = pa_colibri_error_reply(fuzz_xmpp_ctx(), stanza, e, ep, ep);
    fuzz_check_error_reply(reply, pa_colibri_error_condition(e), ep);
    xmpp_stanza_t *again = fuzz_xmpp_reparse(reply);
    char *ep2 = NULL;
    FUZZ_CHECK(pa_colibri_error_parse(again, &ep2) == e);
    if (e == PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT && ep) {
        GString *a = g_string_new(NULL), *b = g_string_new(NULL);
        fuzz_dump_str(a, "endpoint", ep);
        fuzz_dump_str(b, "endpoint", ep2);
        fuzz_check_same("endpoint id in the error", a->str, b->str);
        g_string_free(a, TRUE);
        g_string_free(b, TRUE);
    } else {
        FUZZ_CHECK(ep2 == NULL);
    }
    g_free(ep2);
    xmpp_stanza_release(again);
    xmpp_stanza_release(reply);
    g_free(ep);
    xmpp_stanza_release(stanza);
    return 0;
}
