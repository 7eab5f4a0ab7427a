/* SPDX-License-Identifier: MIT */
/* The builders are pure; the handlers run on the focus event-loop thread (see disco.h). */
#include "focus/xmpp/disco.h"

#include "common/xmpp/stanza.h"

#include <string.h>

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

xmpp_stanza_t *focus_disco_info_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq,
                                      const char *const *features)
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
    for (const char *const *f = features; f && *f; f++) {
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

/* ---- handlers ---- */

static void reply(FocusRouter *router, xmpp_stanza_t *r)
{
    focus_link_send_owned(focus_router_link(router), r);
}

static void on_info(xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    FocusRouter *router = data;
    reply(router, focus_disco_info_reply(focus_link_ctx(focus_router_link(router)), iq,
                                         focus_router_features(router)));
}

static void on_items(xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    FocusRouter *router = data;
    reply(router, focus_disco_items_reply(focus_link_ctx(focus_router_link(router)), iq));
}

static void on_ping(xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    FocusRouter *router = data;
    reply(router, focus_ping_reply(focus_link_ctx(focus_router_link(router)), iq));
}

void focus_disco_add_routes(FocusRouter *router)
{
    focus_router_add_iq(router, FOCUS_NS_DISCO_INFO, "query", TRUE, on_info, router);
    focus_router_add_iq(router, FOCUS_NS_DISCO_ITEMS, "query", TRUE, on_items, router);
    focus_router_add_iq(router, FOCUS_NS_PING, "ping", TRUE, on_ping, router);
}
