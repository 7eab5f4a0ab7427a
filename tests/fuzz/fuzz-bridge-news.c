/* SPDX-License-Identifier: MIT */
/* Fuzz target: <endpoint-expired xmlns="urn:parley:bridge:0"/>, the news a bridge sends the
 * focus unasked (pa_bridge_expired_parse). Checks, besides "no crash, no leak": a parse that
 * succeeds has both ids; a failed one says why and leaves nothing; what was read, built again
 * as the bridge builds it (pa_bridge_expired_build) and read back, is the same. */
#include <string.h>

#include "common/colibri/bridge-news.h"
#include "common/xmpp/stanza.h"
#include "fuzz-xmpp.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *stanza = fuzz_xmpp_stanza(data, size);
    if (!stanza)
        return 0;
    PaBridgeExpired e;
    char *why = NULL;
    gboolean ok = pa_bridge_expired_parse(stanza, &e, &why);
    if (!ok) {
        FUZZ_CHECK(why != NULL && e.meeting_id == NULL && e.endpoint == NULL);
        g_free(why);
        xmpp_stanza_release(stanza);
        return 0;
    }
    FUZZ_CHECK(why == NULL && e.meeting_id && *e.meeting_id && e.endpoint && *e.endpoint);
    FUZZ_CHECK(pa_bridge_expired_reason_str(e.reason) != NULL);

    xmpp_stanza_t *iq = xmpp_iq_new(fuzz_xmpp_ctx(), "set", "x");
    xmpp_stanza_t *el = pa_bridge_expired_build(fuzz_xmpp_ctx(), &e);
    xmpp_stanza_add_child(iq, el);
    xmpp_stanza_release(el);
    xmpp_stanza_t *again = fuzz_xmpp_reparse(iq);
    PaBridgeExpired back;
    FUZZ_CHECK(pa_bridge_expired_parse(again, &back, NULL));
    fuzz_check_same("meeting-id", e.meeting_id, back.meeting_id);
    fuzz_check_same("endpoint", e.endpoint, back.endpoint);
    FUZZ_CHECK(back.reason == e.reason && back.conference_ended == e.conference_ended);
    pa_bridge_expired_clear(&back);
    pa_bridge_expired_clear(&e);
    xmpp_stanza_release(again);
    xmpp_stanza_release(iq);
    xmpp_stanza_release(stanza);
    return 0;
}
