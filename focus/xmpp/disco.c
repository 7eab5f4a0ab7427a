/* SPDX-License-Identifier: MIT */
/* Pure (see disco.h). */
#include "focus/xmpp/disco.h"

#include "common/xmpp/stanza.h"
#include "focus/rooms/room-request.h"
#include "focus/security/security-iq.h"

#include <string.h>

static const char *const features[] = {
    FOCUS_NS_DISCO_INFO, FOCUS_NS_DISCO_ITEMS, FOCUS_NS_PING, FOCUS_NS_FOCUS, FOCUS_NS_LOBBY, NULL,
};

const char *const *focus_disco_features(void)
{
    return features;
}

static gboolean is_get(xmpp_stanza_t *iq)
{
    const char *t = xmpp_stanza_get_type(iq);
    return t && strcmp(t, "get") == 0;
}

static void add_identity(xmpp_stanza_t *q, const char *category, const char *type, const char *name)
{
    xmpp_stanza_t *id = pa_stanza_add_child(q, "identity", NULL);
    xmpp_stanza_set_attribute(id, "category", category);
    xmpp_stanza_set_attribute(id, "type", type);
    if (name)
        xmpp_stanza_set_attribute(id, "name", name);
}

xmpp_stanza_t *focus_disco_info_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq)
{
    if (!is_get(iq))
        return pa_stanza_error_reply(ctx, iq, PA_ERR_CANCEL, "feature-not-implemented",
                                     "disco#info is queried with type get", NULL);
    xmpp_stanza_t *query = pa_stanza_child(iq, "query", FOCUS_NS_DISCO_INFO);
    const char *node = query ? xmpp_stanza_get_attribute(query, "node") : NULL;
    if (node && *node)
        return pa_stanza_error_reply(ctx, iq, PA_ERR_CANCEL, "item-not-found", NULL, NULL);
    xmpp_stanza_t *r = pa_stanza_iq_result(ctx, iq);
    xmpp_stanza_t *q = pa_stanza_add_child(r, "query", FOCUS_NS_DISCO_INFO);
    add_identity(q, "conference", "focus", "Parley focus");
    add_identity(q, "component", "generic", "Parley focus");
    for (const char *const *f = features; *f; f++) {
        xmpp_stanza_t *fe = pa_stanza_add_child(q, "feature", NULL);
        xmpp_stanza_set_attribute(fe, "var", *f);
    }
    return r;
}

xmpp_stanza_t *focus_disco_items_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq)
{
    if (!is_get(iq))
        return pa_stanza_error_reply(ctx, iq, PA_ERR_CANCEL, "feature-not-implemented",
                                     "disco#items is queried with type get", NULL);
    xmpp_stanza_t *r = pa_stanza_iq_result(ctx, iq);
    pa_stanza_add_child(r, "query", FOCUS_NS_DISCO_ITEMS);
    return r;
}

xmpp_stanza_t *focus_ping_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq)
{
    if (!is_get(iq))
        return pa_stanza_error_reply(ctx, iq, PA_ERR_CANCEL, "feature-not-implemented",
                                     "ping is an IQ of type get", NULL);
    return pa_stanza_iq_result(ctx, iq);
}
