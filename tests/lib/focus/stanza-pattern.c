/* SPDX-License-Identifier: MIT */
/* Pure (see stanza-pattern.h). */
#include "stanza-pattern.h"

#include <string.h>

const char stanza_absent[] = "(absent)";

static gboolean value_ok(const char *want, const char *have)
{
    if (!want)
        return TRUE;
    if (want == stanza_absent)
        return have == NULL;
    return g_strcmp0(want, have) == 0;
}

static gboolean elem_ok(xmpp_stanza_t *s, const StanzaElem *e)
{
    if (!xmpp_stanza_is_tag(s) || g_strcmp0(xmpp_stanza_get_name(s), e->name) != 0)
        return FALSE;
    if (e->ns && g_strcmp0(xmpp_stanza_get_ns(s), e->ns) != 0)
        return FALSE;
    for (guint i = 0; i + 1 < G_N_ELEMENTS(e->attrs) && e->attrs[i]; i += 2)
        if (!value_ok(e->attrs[i + 1], xmpp_stanza_get_attribute(s, e->attrs[i])))
            return FALSE;
    if (e->text) {
        char *t = xmpp_stanza_get_text(s);
        gboolean same = g_strcmp0(t ? t : "", e->text) == 0;
        xmpp_free(xmpp_stanza_get_context(s), t);
        if (!same)
            return FALSE;
    }
    return TRUE;
}

static void collect(xmpp_stanza_t *s, const StanzaElem *e, xmpp_stanza_t **first, guint *n)
{
    if (!xmpp_stanza_is_tag(s))
        return;
    if (elem_ok(s, e)) {
        if (first && !*first)
            *first = s;
        (*n)++;
    }
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(s); c; c = xmpp_stanza_get_next(c))
        collect(c, e, first, n);
}

xmpp_stanza_t *stanza_find(xmpp_stanza_t *stanza, const StanzaElem *elem)
{
    xmpp_stanza_t *first = NULL;
    guint n = 0;
    collect(stanza, elem, &first, &n);
    return first;
}

guint stanza_count(xmpp_stanza_t *stanza, const StanzaElem *elem)
{
    guint n = 0;
    collect(stanza, elem, NULL, &n);
    return n;
}

gboolean stanza_has(xmpp_stanza_t *stanza, const StanzaElem *elem)
{
    return stanza_find(stanza, elem) != NULL;
}

gboolean stanza_mentions(xmpp_stanza_t *s, const char *needle)
{
    if (xmpp_stanza_is_text(s)) {
        const char *t = xmpp_stanza_get_text_ptr(s);
        return t && strstr(t, needle);
    }
    int n = xmpp_stanza_get_attribute_count(s);
    const char **attrs = g_new0(const char *, (gsize)n * 2 + 1);
    xmpp_stanza_get_attributes(s, attrs, n * 2);
    gboolean found = FALSE;
    for (int i = 1; i < n * 2 && !found; i += 2)
        found = attrs[i] && strstr(attrs[i], needle);
    g_free(attrs);
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(s); c && !found; c = xmpp_stanza_get_next(c))
        found = stanza_mentions(c, needle);
    return found;
}

char *stanza_text_of(xmpp_stanza_t *stanza, const StanzaElem *elem)
{
    xmpp_stanza_t *e = stanza_find(stanza, elem);
    if (!e)
        return NULL;
    char *t = xmpp_stanza_get_text(e);
    char *out = g_strdup(t ? t : "");
    if (t)
        xmpp_free(xmpp_stanza_get_context(e), t);
    return out;
}

char *stanza_field_value(xmpp_stanza_t *stanza, const char *var)
{
    xmpp_stanza_t *f = stanza_find(stanza, ELEM(.name = "field", .attrs = {"var", var}));
    if (!f)
        return NULL;
    g_autofree char *v = stanza_text_of(f, ELEM(.name = "value"));
    return g_strdup(v ? v : "");
}

gboolean stanza_match(xmpp_stanza_t *s, const StanzaPattern *p)
{
    if (!xmpp_stanza_is_tag(s))
        return FALSE;
    if (p->name && g_strcmp0(xmpp_stanza_get_name(s), p->name) != 0)
        return FALSE;
    if (!value_ok(p->type, xmpp_stanza_get_type(s)) || !value_ok(p->id, xmpp_stanza_get_id(s)) ||
        !value_ok(p->from, xmpp_stanza_get_from(s)) || !value_ok(p->to, xmpp_stanza_get_to(s)))
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(p->has) && p->has[i].name; i++)
        if (!stanza_has(s, &p->has[i]))
            return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(p->lacks) && p->lacks[i].name; i++)
        if (stanza_has(s, &p->lacks[i]))
            return FALSE;
    return TRUE;
}
