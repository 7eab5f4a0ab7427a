/* SPDX-License-Identifier: MIT */
/* Pure (see bridge-news.h). */
#include "common/colibri/bridge-news.h"

#include <string.h>

#include "common/colibri/colibri.h"
#include "common/xmpp/attr.h"
#include "common/xmpp/stanza.h"

#define MAX_TEXT 512

void pa_bridge_expired_clear(PaBridgeExpired *e)
{
    g_free(e->meeting_id);
    g_free(e->endpoint);
    g_free(e->text);
    memset(e, 0, sizeof *e);
}

const char *pa_bridge_expired_reason_str(PaBridgeExpiredReason r)
{
    return r == PA_BRIDGE_EXPIRED_TIMEOUT ? "timeout" : "failed";
}

xmpp_stanza_t *pa_bridge_expired_build(xmpp_ctx_t *ctx, const PaBridgeExpired *e)
{
    xmpp_stanza_t *el = pa_stanza_element(ctx, PA_BRIDGE_EXPIRED, PA_NS_PARLEY_BRIDGE);
    xmpp_stanza_set_attribute(el, "meeting-id", e->meeting_id);
    xmpp_stanza_set_attribute(el, "endpoint", e->endpoint);
    xmpp_stanza_set_attribute(el, "reason", pa_bridge_expired_reason_str(e->reason));
    xmpp_stanza_set_attribute(el, "conference", e->conference_ended ? "ended" : "kept");
    if (e->text && *e->text)
        pa_stanza_add_text(el, e->text);
    return el;
}

gboolean pa_bridge_expired_parse(xmpp_stanza_t *iq, PaBridgeExpired *out, char **why)
{
    memset(out, 0, sizeof *out);
    xmpp_stanza_t *el = pa_stanza_child(iq, PA_BRIDGE_EXPIRED, PA_NS_PARLEY_BRIDGE);
    PaParseState ps = {0};
    if (!el)
        pa_parse_fail(&ps, PA_PARSE_MALFORMED, "no <%s/>", PA_BRIDGE_EXPIRED);
    else if (pa_attr_text(&ps, el, "meeting-id", PA_COLIBRI_MAX_ID, TRUE, &out->meeting_id) &&
             pa_attr_text(&ps, el, "endpoint", PA_COLIBRI_MAX_ID, TRUE, &out->endpoint)) {
        out->reason = g_strcmp0(xmpp_stanza_get_attribute(el, "reason"), "timeout") == 0
                          ? PA_BRIDGE_EXPIRED_TIMEOUT
                          : PA_BRIDGE_EXPIRED_FAILED;
        out->conference_ended =
            g_strcmp0(xmpp_stanza_get_attribute(el, "conference"), "ended") == 0;
        char *text = xmpp_stanza_get_text(el);
        if (text && pa_attr_text_ok(text, MAX_TEXT))
            out->text = g_strdup(text);
        xmpp_free(xmpp_stanza_get_context(el), text);
    }
    if (ps.status == PA_PARSE_OK)
        return TRUE;
    if (why)
        *why = g_steal_pointer(&ps.reason);
    g_free(ps.reason);
    pa_bridge_expired_clear(out);
    return FALSE;
}
