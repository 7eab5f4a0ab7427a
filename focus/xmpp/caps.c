/* SPDX-License-Identifier: MIT */
/* XEP-0115 verification strings and ver hashes (caps.h). */
#include "focus/xmpp/caps.h"

#include <string.h>

#include "common/xmpp/stanza.h"
#include "focus/xmpp/disco.h"

static gint cmp_str(gconstpointer a, gconstpointer b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Sorts @v and appends each item and '<' to @s; FALSE on a duplicate. */
static gboolean append_sorted(GString *s, GPtrArray *v)
{
    g_ptr_array_sort(v, cmp_str);
    for (guint i = 0; i < v->len; i++) {
        if (i > 0 && strcmp(v->pdata[i - 1], v->pdata[i]) == 0)
            return FALSE;
        g_string_append(s, v->pdata[i]);
        g_string_append_c(s, '<');
    }
    return TRUE;
}

static const char *attr(xmpp_stanza_t *e, const char *name)
{
    const char *v = xmpp_stanza_get_attribute(e, name);
    return v ? v : "";
}

char *focus_caps_string(xmpp_stanza_t *result)
{
    xmpp_stanza_t *q = result ? pa_stanza_child(result, "query", FOCUS_NS_DISCO_INFO) : NULL;
    if (!q)
        return NULL;
    g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func(g_free);
    g_autoptr(GPtrArray) features = g_ptr_array_new();
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(q); c; c = xmpp_stanza_get_next(c)) {
        if (!xmpp_stanza_is_tag(c))
            continue;
        const char *name = xmpp_stanza_get_name(c);
        if (g_strcmp0(name, "identity") == 0) {
            g_ptr_array_add(ids,
                            g_strdup_printf("%s/%s/%s/%s", attr(c, "category"), attr(c, "type"),
                                            attr(c, "xml:lang"), attr(c, "name")));
        } else if (g_strcmp0(name, "feature") == 0) {
            const char *var = xmpp_stanza_get_attribute(c, "var");
            if (!var)
                return NULL;
            g_ptr_array_add(features, (gpointer)var);
        } else if (g_strcmp0(name, "x") == 0) {
            return NULL; /* a data form: part of the hash, which the focus does not compute */
        }
    }
    if (ids->len == 0)
        return NULL;
    GString *s = g_string_new(NULL);
    if (!append_sorted(s, ids) || !append_sorted(s, features)) {
        g_string_free(s, TRUE);
        return NULL;
    }
    return g_string_free(s, FALSE);
}

char *focus_caps_ver(xmpp_stanza_t *result)
{
    g_autofree char *s = focus_caps_string(result);
    if (!s)
        return NULL;
    guint8 digest[20];
    gsize len = sizeof digest;
    GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA1);
    g_checksum_update(sum, (const guchar *)s, (gssize)strlen(s));
    g_checksum_get_digest(sum, digest, &len);
    g_checksum_free(sum);
    return g_base64_encode(digest, len);
}
