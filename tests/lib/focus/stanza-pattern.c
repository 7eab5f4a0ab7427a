/* SPDX-License-Identifier: MIT */
/* Pure (see stanza-pattern.h): each pattern becomes a path of the shared structural matcher,
 * tests/lib/c/stanza-match.h, which does the matching. */
#include "stanza-pattern.h"

#include "tests/lib/c/stanza-match.h"

#include <string.h>

const char stanza_absent[] = "(absent)";

/* "[attr=value]" or "[!attr]" for each pair (@pairs: name/value, NULL-terminated). */
static void append_predicates(GString *path, const char *const *pairs, guint max)
{
    for (guint i = 0; i + 1 < max && pairs[i]; i += 2) {
        const char *value = pairs[i + 1];
        if (value == stanza_absent) {
            g_string_append_printf(path, "[!%s]", pairs[i]);
            continue;
        }
        if (!value)
            continue; /* any value */
        if (strchr(value, ']'))
            g_error("stanza pattern: a value with ']' cannot be matched: %s", value);
        g_string_append_printf(path, "[%s=%s]", pairs[i], value);
    }
}

/* The path of @e anywhere in a stanza (transfer full). */
static char *elem_path(const StanzaElem *e)
{
    GString *path = g_string_new("//");
    g_string_append(path, e->name);
    if (e->ns)
        g_string_append_printf(path, "{%s}", e->ns);
    append_predicates(path, e->attrs, G_N_ELEMENTS(e->attrs));
    return g_string_free(path, FALSE);
}

xmpp_stanza_t *stanza_find(xmpp_stanza_t *stanza, const StanzaElem *elem)
{
    g_autofree char *path = elem_path(elem);
    xmpp_stanza_t *e = test_stanza_find(stanza, path);
    if (e && elem->text) {
        /* The text is compared on the first element the rest matches. */
        g_autofree char *t = test_stanza_text(e, "*");
        if (g_strcmp0(t, elem->text) != 0)
            return NULL;
    }
    return e;
}

guint stanza_count(xmpp_stanza_t *stanza, const StanzaElem *elem)
{
    g_return_val_if_fail(!elem->text, 0); /* counts by structure only */
    g_autofree char *path = elem_path(elem);
    return test_stanza_count(stanza, path);
}

gboolean stanza_has(xmpp_stanza_t *stanza, const StanzaElem *elem)
{
    return stanza_find(stanza, elem) != NULL;
}

gboolean stanza_match(xmpp_stanza_t *s, const StanzaPattern *p)
{
    if (!s || !xmpp_stanza_is_tag(s))
        return FALSE;
    g_autoptr(GString) root = g_string_new(p->name ? p->name : "*");
    const char *pairs[] = {"type", p->type, "id", p->id, "from", p->from, "to", p->to, NULL};
    append_predicates(root, pairs, G_N_ELEMENTS(pairs));
    if (test_stanza_count(s, root->str) == 0)
        return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(p->has) && p->has[i].name; i++)
        if (!stanza_has(s, &p->has[i]))
            return FALSE;
    for (guint i = 0; i < G_N_ELEMENTS(p->lacks) && p->lacks[i].name; i++)
        if (stanza_has(s, &p->lacks[i]))
            return FALSE;
    return TRUE;
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
    return e ? test_stanza_text(e, "*") : NULL;
}

char *stanza_field_value(xmpp_stanza_t *stanza, const char *var)
{
    xmpp_stanza_t *f = stanza_find(stanza, ELEM(.name = "field", .attrs = {"var", var}));
    if (!f)
        return NULL;
    g_autofree char *v = test_stanza_text(f, "field/value");
    return g_strdup(v ? v : "");
}
