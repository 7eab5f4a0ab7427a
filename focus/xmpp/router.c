/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread (see router.h). The router owns its handler records and
 * the feature list; handler data is the registrants'. */
#include "focus/xmpp/router.h"

#include "common/xmpp/stanza.h"

#include <string.h>

typedef struct {
    char *element; /* NULL: any */
    FocusIqHandler fn;
    gpointer data;
} IqRoute;

typedef struct {
    FocusStanzaHandler fn;
    gpointer data;
} StanzaRoute;

struct _FocusRouter {
    FocusLink *link;
    GHashTable *iq;      /* ns -> IqRoute* */
    GPtrArray *features; /* char*, NULL-terminated */
    GArray *presence;    /* StanzaRoute */
    GArray *message;     /* StanzaRoute */
};

static void iq_route_free(gpointer data)
{
    IqRoute *r = data;
    g_free(r->element);
    g_free(r);
}

FocusRouter *focus_router_new(FocusLink *link)
{
    g_return_val_if_fail(link, NULL);
    FocusRouter *router = g_new0(FocusRouter, 1);
    router->link = link;
    router->iq = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, iq_route_free);
    router->features = g_ptr_array_new_with_free_func(g_free);
    g_ptr_array_add(router->features, NULL);
    router->presence = g_array_new(FALSE, FALSE, sizeof(StanzaRoute));
    router->message = g_array_new(FALSE, FALSE, sizeof(StanzaRoute));
    return router;
}

void focus_router_free(FocusRouter *router)
{
    if (!router)
        return;
    g_hash_table_destroy(router->iq);
    g_ptr_array_free(router->features, TRUE);
    g_array_free(router->presence, TRUE);
    g_array_free(router->message, TRUE);
    g_free(router);
}

FocusLink *focus_router_link(FocusRouter *router)
{
    return router->link;
}

static gboolean advertised(FocusRouter *router, const char *ns)
{
    for (guint i = 0; i + 1 < router->features->len; i++)
        if (strcmp(router->features->pdata[i], ns) == 0)
            return TRUE;
    return FALSE;
}

void focus_router_add_iq(FocusRouter *router, const char *ns, const char *element,
                         gboolean advertise, FocusIqHandler handler, gpointer data)
{
    g_return_if_fail(ns && handler);
    IqRoute *r = g_new0(IqRoute, 1);
    r->element = g_strdup(element);
    r->fn = handler;
    r->data = data;
    g_hash_table_replace(router->iq, g_strdup(ns), r);
    if (advertise && !advertised(router, ns)) {
        /* The terminating NULL becomes the feature; terminate again. */
        router->features->pdata[router->features->len - 1] = g_strdup(ns);
        g_ptr_array_add(router->features, NULL);
    }
}

void focus_router_add_presence(FocusRouter *router, FocusStanzaHandler handler, gpointer data)
{
    StanzaRoute r = {handler, data};
    g_array_append_val(router->presence, r);
}

void focus_router_add_message(FocusRouter *router, FocusStanzaHandler handler, gpointer data)
{
    StanzaRoute r = {handler, data};
    g_array_append_val(router->message, r);
}

const char *const *focus_router_features(FocusRouter *router)
{
    return (const char *const *)router->features->pdata;
}

/* ---- routing ---- */

static void reply_error(FocusRouter *router, xmpp_stanza_t *iq, PaErrorType type,
                        const char *condition, const char *text)
{
    focus_link_reply_error(router->link, iq, type, condition, text);
}

static xmpp_stanza_t *first_element(xmpp_stanza_t *s)
{
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(s); c; c = xmpp_stanza_get_next(c))
        if (xmpp_stanza_is_tag(c))
            return c;
    return NULL;
}

static void route_iq(FocusRouter *router, xmpp_stanza_t *iq)
{
    const char *type = xmpp_stanza_get_type(iq);
    if (type && (strcmp(type, "result") == 0 || strcmp(type, "error") == 0)) {
        if (!focus_link_handle_reply(router->link, iq))
            g_debug("unsolicited IQ %s id=%s from %s dropped", type,
                    xmpp_stanza_get_id(iq) ? xmpp_stanza_get_id(iq) : "-",
                    xmpp_stanza_get_from(iq) ? xmpp_stanza_get_from(iq) : "-");
        return;
    }
    if (!xmpp_stanza_get_from(iq))
        return; /* nobody to answer */
    if (!type || (strcmp(type, "get") != 0 && strcmp(type, "set") != 0)) {
        reply_error(router, iq, PA_ERR_MODIFY, "bad-request", "unknown IQ type");
        return;
    }
    xmpp_stanza_t *payload = first_element(iq);
    if (!payload) {
        reply_error(router, iq, PA_ERR_MODIFY, "bad-request",
                    "an IQ get or set carries one element");
        return;
    }
    const char *ns = xmpp_stanza_get_ns(payload);
    IqRoute *r = ns ? g_hash_table_lookup(router->iq, ns) : NULL;
    if (!r) {
        reply_error(router, iq, PA_ERR_CANCEL, "service-unavailable", NULL);
        return;
    }
    /* A namespace the focus knows, with an element it does not. */
    if (r->element && strcmp(xmpp_stanza_get_name(payload), r->element) != 0) {
        reply_error(router, iq, PA_ERR_CANCEL, "feature-not-implemented", NULL);
        return;
    }
    r->fn(iq, payload, r->data);
}

static gboolean offer(GArray *routes, xmpp_stanza_t *stanza)
{
    for (guint i = 0; i < routes->len; i++) {
        StanzaRoute *r = &g_array_index(routes, StanzaRoute, i);
        if (r->fn(stanza, r->data))
            return TRUE;
    }
    return FALSE;
}

void focus_router_receive(FocusRouter *router, xmpp_stanza_t *stanza)
{
    const char *name = xmpp_stanza_get_name(stanza);
    gboolean taken = TRUE;
    if (g_strcmp0(name, "iq") == 0)
        route_iq(router, stanza);
    else if (g_strcmp0(name, "presence") == 0)
        taken = offer(router->presence, stanza);
    else if (g_strcmp0(name, "message") == 0)
        taken = offer(router->message, stanza);
    if (!taken) /* tests/integration/security/lobby-muc.mjs looks for this line */
        g_debug("%s from %s ignored (nothing in the focus takes it)", name,
                xmpp_stanza_get_from(stanza) ? xmpp_stanza_get_from(stanza) : "-");
}
