/* SPDX-License-Identifier: MIT */
#include "common/xmpp/stanza.h"

#include <string.h>

xmpp_stanza_t *pa_stanza_child(xmpp_stanza_t *parent, const char *name, const char *ns)
{
    if (!parent)
        return NULL;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(parent); c; c = xmpp_stanza_get_next(c)) {
        if (!xmpp_stanza_is_tag(c))
            continue;
        const char *n = xmpp_stanza_get_name(c);
        if (!n || strcmp(n, name) != 0)
            continue;
        if (ns) {
            const char *cns = xmpp_stanza_get_ns(c);
            if (!cns || strcmp(cns, ns) != 0)
                continue;
        }
        return c;
    }
    return NULL;
}

xmpp_stanza_t *pa_stanza_element(xmpp_ctx_t *ctx, const char *name, const char *ns)
{
    xmpp_stanza_t *e = xmpp_stanza_new(ctx);
    xmpp_stanza_set_name(e, name);
    if (ns)
        xmpp_stanza_set_ns(e, ns);
    return e;
}

xmpp_stanza_t *pa_stanza_add_child(xmpp_stanza_t *parent, const char *name, const char *ns)
{
    xmpp_stanza_t *e = pa_stanza_element(xmpp_stanza_get_context(parent), name, ns);
    xmpp_stanza_add_child(parent, e);
    xmpp_stanza_release(e); /* parent holds the reference */
    return e;
}

void pa_stanza_add_text(xmpp_stanza_t *parent, const char *text)
{
    xmpp_stanza_t *t = xmpp_stanza_new(xmpp_stanza_get_context(parent));
    xmpp_stanza_set_text(t, text);
    xmpp_stanza_add_child(parent, t);
    xmpp_stanza_release(t);
}

static const char *type_str(PaErrorType t)
{
    switch (t) {
    case PA_ERR_AUTH:
        return "auth";
    case PA_ERR_CANCEL:
        return "cancel";
    case PA_ERR_CONTINUE:
        return "continue";
    case PA_ERR_MODIFY:
        return "modify";
    case PA_ERR_WAIT:
        return "wait";
    }
    return "cancel";
}

static xmpp_stanza_t *reply_skeleton(xmpp_ctx_t *ctx, xmpp_stanza_t *request, const char *type)
{
    xmpp_stanza_t *r = xmpp_stanza_new(ctx);
    xmpp_stanza_set_name(r, xmpp_stanza_get_name(request));
    xmpp_stanza_set_type(r, type);
    const char *id = xmpp_stanza_get_id(request);
    if (id)
        xmpp_stanza_set_id(r, id);
    const char *from = xmpp_stanza_get_from(request);
    const char *to = xmpp_stanza_get_to(request);
    if (from)
        xmpp_stanza_set_to(r, from);
    if (to)
        xmpp_stanza_set_from(r, to);
    return r;
}

xmpp_stanza_t *pa_stanza_iq_result(xmpp_ctx_t *ctx, xmpp_stanza_t *request)
{
    return reply_skeleton(ctx, request, "result");
}

xmpp_stanza_t *pa_stanza_error_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *request, PaErrorType type,
                                     const char *condition, const char *text,
                                     xmpp_stanza_t *app_condition)
{
    xmpp_stanza_t *r = reply_skeleton(ctx, request, "error");
    xmpp_stanza_t *err = pa_stanza_add_child(r, "error", NULL);
    xmpp_stanza_set_attribute(err, "type", type_str(type));
    pa_stanza_add_child(err, condition, PA_NS_STANZAS);
    if (text) {
        xmpp_stanza_t *t = pa_stanza_add_child(err, "text", PA_NS_STANZAS);
        pa_stanza_add_text(t, text);
    }
    if (app_condition) {
        xmpp_stanza_add_child(err, app_condition);
        xmpp_stanza_release(app_condition);
    }
    return r;
}

const char *pa_stanza_error_condition(xmpp_stanza_t *stanza)
{
    xmpp_stanza_t *err = pa_stanza_child(stanza, "error", NULL);
    if (!err)
        return NULL;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(err); c; c = xmpp_stanza_get_next(c)) {
        const char *ns = xmpp_stanza_get_ns(c);
        const char *n = xmpp_stanza_get_name(c);
        if (xmpp_stanza_is_tag(c) && ns && strcmp(ns, PA_NS_STANZAS) == 0 && n &&
            strcmp(n, "text") != 0)
            return n;
    }
    return NULL;
}

char *pa_stanza_to_string(xmpp_stanza_t *stanza)
{
    char *buf = NULL;
    size_t len = 0;
    if (xmpp_stanza_to_text(stanza, &buf, &len) != XMPP_EOK)
        return NULL;
    char *r = g_strndup(buf, len);
    xmpp_free(xmpp_stanza_get_context(stanza), buf);
    return r;
}
