/* SPDX-License-Identifier: MIT */
/* Pure (see source-map.h). */
#include "focus/conference/source-map.h"

#include <string.h>

static gboolean groups_equal(const PaJingleSsrcGroup *a, const PaJingleSsrcGroup *b)
{
    if (a->semantics != b->semantics || a->ssrcs->len != b->ssrcs->len)
        return FALSE;
    if (a->semantics == PA_JINGLE_GROUP_OTHER &&
        g_strcmp0(a->semantics_name, b->semantics_name) != 0)
        return FALSE;
    return memcmp(a->ssrcs->data, b->ssrcs->data, a->ssrcs->len * sizeof(guint32)) == 0;
}

static gboolean has_group(const PaJingleSources *s, const PaJingleSsrcGroup *g)
{
    for (guint i = 0; i < s->groups->len; i++)
        if (groups_equal(&g_array_index(s->groups, PaJingleSsrcGroup, i), g))
            return TRUE;
    return FALSE;
}

static void set_why(char **why, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void set_why(char **why, const char *fmt, ...)
{
    if (!why)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_free(*why);
    *why = g_strdup_vprintf(fmt, ap);
    va_end(ap);
}

/* The sources of @add, checked against everyone's and normalised into @tmp. */
static FocusSourcesStatus add_sources(const PaJingleSources *existing, const PaJingleSources *add,
                                      const char *endpoint, FocusSsrcOwners *others,
                                      PaJingleSources *tmp, char **why)
{
    g_autofree char *prefix = g_strdup_printf("%s-", endpoint);
    for (guint i = 0; i < add->sources->len; i++) {
        const PaJingleSource *s = &g_array_index(add->sources, PaJingleSource, i);
        const char *owner = others ? g_hash_table_lookup(others, GUINT_TO_POINTER(s->ssrc)) : NULL;
        if (owner) {
            set_why(why, "SSRC %u is already used by %s", s->ssrc, owner);
            return FOCUS_SOURCES_INVALID;
        }
        if (pa_jingle_sources_find(existing, s->ssrc)) {
            set_why(why, "SSRC %u was already signalled by %s", s->ssrc, endpoint);
            return FOCUS_SOURCES_INVALID;
        }
        const PaJingleSource *dup = pa_jingle_sources_find(tmp, s->ssrc);
        if (dup) {
            if (dup->video == s->video)
                continue; /* listed twice (in a content and a description, say) */
            set_why(why, "SSRC %u is listed as both audio and video", s->ssrc);
            return FOCUS_SOURCES_INVALID;
        }
        g_autofree char *name = NULL;
        if (s->name) {
            if (!g_str_has_prefix(s->name, prefix) || !s->name[strlen(prefix)]) {
                set_why(why, "source name '%s' does not belong to endpoint %s", s->name, endpoint);
                return FOCUS_SOURCES_INVALID;
            }
            name = g_strdup(s->name);
        } else {
            name = g_strdup_printf("%s%c0", prefix, s->video ? 'v' : 'a');
        }
        PaJingleSource *n = pa_jingle_sources_add(tmp, s->ssrc, s->video, name, s->msid, endpoint);
        n->video_type = s->video_type;
    }
    if (existing->sources->len + tmp->sources->len > FOCUS_SOURCES_MAX_SSRCS) {
        set_why(why, "more than %d sources for endpoint %s", FOCUS_SOURCES_MAX_SSRCS, endpoint);
        return FOCUS_SOURCES_LIMIT;
    }
    return FOCUS_SOURCES_OK;
}

/* The groups of @add, checked against the endpoint's sources (old and new in @tmp) and added
 * to @tmp. */
static FocusSourcesStatus add_groups(const PaJingleSources *existing, const PaJingleSources *add,
                                     const char *endpoint, PaJingleSources *tmp, char **why)
{
    for (guint i = 0; i < add->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(add->groups, PaJingleSsrcGroup, i);
        if (g->semantics == PA_JINGLE_GROUP_OTHER) {
            set_why(why, "ssrc-group semantics '%s' is not supported (FID and SIM are)",
                    g->semantics_name ? g->semantics_name : "");
            return FOCUS_SOURCES_INVALID;
        }
        if (g->ssrcs->len == 0 || has_group(existing, g) || has_group(tmp, g))
            continue;
        if (g->semantics == PA_JINGLE_GROUP_FID && g->ssrcs->len != 2) {
            set_why(why, "FID group with %u SSRCs (it takes two)", g->ssrcs->len);
            return FOCUS_SOURCES_INVALID;
        }
        gboolean video = g->video;
        for (guint k = 0; k < g->ssrcs->len; k++) {
            guint32 ssrc = g_array_index(g->ssrcs, guint32, k);
            const PaJingleSource *s = pa_jingle_sources_find(tmp, ssrc);
            if (!s)
                s = pa_jingle_sources_find(existing, ssrc);
            if (!s) {
                set_why(why, "%s group refers to SSRC %u, which is not a source of %s",
                        pa_jingle_group_semantics_str(g), ssrc, endpoint);
                return FOCUS_SOURCES_INVALID;
            }
            video = s->video;
        }
        pa_jingle_sources_add_group(tmp, video, g->semantics, endpoint,
                                    (const guint32 *)g->ssrcs->data, g->ssrcs->len);
    }
    if (existing->groups->len + tmp->groups->len > FOCUS_SOURCES_MAX_GROUPS) {
        set_why(why, "more than %d ssrc-groups for endpoint %s", FOCUS_SOURCES_MAX_GROUPS,
                endpoint);
        return FOCUS_SOURCES_LIMIT;
    }
    return FOCUS_SOURCES_OK;
}

FocusSourcesStatus focus_sources_validate_add(const PaJingleSources *existing,
                                              const PaJingleSources *add, const char *endpoint,
                                              FocusSsrcOwners *others, PaJingleSources *accepted,
                                              char **why)
{
    PaJingleSources tmp;
    pa_jingle_sources_init(&tmp);
    FocusSourcesStatus st = add_sources(existing, add, endpoint, others, &tmp, why);
    if (st == FOCUS_SOURCES_OK)
        st = add_groups(existing, add, endpoint, &tmp, why);
    if (st == FOCUS_SOURCES_OK)
        pa_jingle_sources_append(accepted, &tmp);
    pa_jingle_sources_clear(&tmp);
    return st;
}

/* A copy of @s at the end of @out. */
static void append_source(PaJingleSources *out, const PaJingleSource *s)
{
    PaJingleSource *c = pa_jingle_sources_add(out, s->ssrc, s->video, s->name, s->msid, s->owner);
    c->video_type = s->video_type;
}

static gboolean group_uses(const PaJingleSsrcGroup *g, GHashTable *ssrcs)
{
    for (guint k = 0; k < g->ssrcs->len; k++)
        if (g_hash_table_contains(ssrcs, GUINT_TO_POINTER(g_array_index(g->ssrcs, guint32, k))))
            return TRUE;
    return FALSE;
}

FocusSourcesStatus focus_sources_validate_remove(const PaJingleSources *existing,
                                                 const PaJingleSources *remove,
                                                 const char *endpoint, PaJingleSources *removed,
                                                 char **why)
{
    g_autoptr(GHashTable) gone = g_hash_table_new(g_direct_hash, g_direct_equal);
    PaJingleSources tmp;
    pa_jingle_sources_init(&tmp);
    for (guint i = 0; i < remove->sources->len; i++) {
        guint32 ssrc = g_array_index(remove->sources, PaJingleSource, i).ssrc;
        const PaJingleSource *e = pa_jingle_sources_find(existing, ssrc);
        if (!e) {
            set_why(why, "SSRC %u is not a source of %s", ssrc, endpoint);
            pa_jingle_sources_clear(&tmp);
            return FOCUS_SOURCES_INVALID;
        }
        if (!g_hash_table_add(gone, GUINT_TO_POINTER(ssrc)))
            continue;
        PaJingleSource *c =
            pa_jingle_sources_add(&tmp, e->ssrc, e->video, e->name, e->msid, e->owner);
        c->video_type = e->video_type;
    }
    for (guint i = 0; i < existing->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(existing->groups, PaJingleSsrcGroup, i);
        if (group_uses(g, gone) || has_group(remove, g))
            pa_jingle_sources_add_group(&tmp, g->video, g->semantics, g->owner,
                                        (const guint32 *)g->ssrcs->data, g->ssrcs->len);
    }
    pa_jingle_sources_append(removed, &tmp);
    pa_jingle_sources_clear(&tmp);
    return FOCUS_SOURCES_OK;
}

void focus_sources_subtract(PaJingleSources *set, const PaJingleSources *removed)
{
    for (guint i = set->sources->len; i-- > 0;) {
        guint32 ssrc = g_array_index(set->sources, PaJingleSource, i).ssrc;
        if (pa_jingle_sources_find(removed, ssrc))
            g_array_remove_index(set->sources, i);
    }
    for (guint i = set->groups->len; i-- > 0;) {
        if (has_group(removed, &g_array_index(set->groups, PaJingleSsrcGroup, i)))
            g_array_remove_index(set->groups, i);
    }
}

void focus_sources_add_owners(FocusSsrcOwners *owners, const PaJingleSources *s, const char *owner)
{
    for (guint i = 0; i < s->sources->len; i++)
        g_hash_table_insert(owners,
                            GUINT_TO_POINTER(g_array_index(s->sources, PaJingleSource, i).ssrc),
                            (gpointer)owner);
}

void focus_sources_strip_simulcast(const PaJingleSources *in, PaJingleSources *out)
{
    g_autoptr(GHashTable) drop = g_hash_table_new(g_direct_hash, g_direct_equal);
    for (guint i = 0; i < in->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(in->groups, PaJingleSsrcGroup, i);
        if (g->semantics != PA_JINGLE_GROUP_SIM)
            continue;
        for (guint k = 1; k < g->ssrcs->len; k++)
            g_hash_table_add(drop, GUINT_TO_POINTER(g_array_index(g->ssrcs, guint32, k)));
    }
    for (guint i = 0; i < in->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(in->groups, PaJingleSsrcGroup, i);
        if (g->semantics == PA_JINGLE_GROUP_FID && g->ssrcs->len == 2 &&
            g_hash_table_contains(drop, GUINT_TO_POINTER(g_array_index(g->ssrcs, guint32, 0))))
            g_hash_table_add(drop, GUINT_TO_POINTER(g_array_index(g->ssrcs, guint32, 1)));
    }
    for (guint i = 0; i < in->sources->len; i++) {
        const PaJingleSource *s = &g_array_index(in->sources, PaJingleSource, i);
        if (g_hash_table_contains(drop, GUINT_TO_POINTER(s->ssrc)))
            continue;
        append_source(out, s);
    }
    for (guint i = 0; i < in->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(in->groups, PaJingleSsrcGroup, i);
        if (g->semantics == PA_JINGLE_GROUP_SIM || group_uses(g, drop))
            continue;
        PaJingleSsrcGroup *c = pa_jingle_sources_add_group(
            out, g->video, g->semantics, g->owner, (const guint32 *)g->ssrcs->data, g->ssrcs->len);
        if (g->semantics == PA_JINGLE_GROUP_OTHER) {
            g_free(c->semantics_name);
            c->semantics_name = g_strdup(g->semantics_name);
        }
    }
}

/* ---- differences ---- */

static char *source_key(const PaJingleSource *s)
{
    return g_strdup_printf("%s|%u|%d|%d|%s|%s", s->owner ? s->owner : "", s->ssrc, s->video,
                           s->video_type, s->name ? s->name : "", s->msid ? s->msid : "");
}

static char *group_key(const PaJingleSsrcGroup *g)
{
    GString *k = g_string_new(g->owner ? g->owner : "");
    g_string_append_printf(k, "|%d|%s", g->video, pa_jingle_group_semantics_str(g));
    for (guint i = 0; i < g->ssrcs->len; i++)
        g_string_append_printf(k, "|%u", g_array_index(g->ssrcs, guint32, i));
    return g_string_free(k, FALSE);
}

static GHashTable *key_set(const PaJingleSources *s)
{
    GHashTable *set = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    for (guint i = 0; i < s->sources->len; i++)
        g_hash_table_add(set, source_key(&g_array_index(s->sources, PaJingleSource, i)));
    for (guint i = 0; i < s->groups->len; i++)
        g_hash_table_add(set, group_key(&g_array_index(s->groups, PaJingleSsrcGroup, i)));
    return set;
}

/* Appends to @out what of @from is not in @other. */
static void minus(const PaJingleSources *from, GHashTable *other, PaJingleSources *out)
{
    for (guint i = 0; i < from->sources->len; i++) {
        const PaJingleSource *s = &g_array_index(from->sources, PaJingleSource, i);
        g_autofree char *k = source_key(s);
        if (g_hash_table_contains(other, k))
            continue;
        append_source(out, s);
    }
    for (guint i = 0; i < from->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(from->groups, PaJingleSsrcGroup, i);
        g_autofree char *k = group_key(g);
        if (g_hash_table_contains(other, k))
            continue;
        PaJingleSsrcGroup *c = pa_jingle_sources_add_group(
            out, g->video, g->semantics, g->owner, (const guint32 *)g->ssrcs->data, g->ssrcs->len);
        if (g->semantics == PA_JINGLE_GROUP_OTHER) {
            g_free(c->semantics_name);
            c->semantics_name = g_strdup(g->semantics_name);
        }
    }
}

void focus_sources_diff(const PaJingleSources *have, const PaJingleSources *want,
                        PaJingleSources *added, PaJingleSources *removed)
{
    g_autoptr(GHashTable) have_keys = key_set(have);
    g_autoptr(GHashTable) want_keys = key_set(want);
    minus(want, have_keys, added);
    minus(have, want_keys, removed);
}

/* ---- Colibri2 ---- */

GArray *focus_sources_to_colibri(const PaJingleSources *s)
{
    GArray *out = pa_media_sources_new();
    for (guint i = 0; i < s->sources->len; i++) {
        const PaJingleSource *src = &g_array_index(s->sources, PaJingleSource, i);
        g_autofree char *fallback = NULL;
        const char *id = src->name;
        if (!id)
            id = fallback = g_strdup_printf("%s-%c-%u", src->owner ? src->owner : "jvb",
                                            src->video ? 'v' : 'a', src->ssrc);
        PaMediaSource *ms = NULL;
        for (guint k = 0; k < out->len && !ms; k++) {
            PaMediaSource *m = &g_array_index(out, PaMediaSource, k);
            if (m->video == src->video && g_strcmp0(m->id, id) == 0)
                ms = m;
        }
        if (!ms)
            ms = pa_media_sources_add(out, src->video, id);
        pa_media_source_add_ssrc(ms, src->ssrc, src->name, src->msid);
    }
    for (guint i = 0; i < s->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(s->groups, PaJingleSsrcGroup, i);
        if (!g->ssrcs->len)
            continue;
        guint32 first = g_array_index(g->ssrcs, guint32, 0);
        PaMediaSource *ms = NULL;
        for (guint k = 0; k < out->len && !ms; k++) {
            PaMediaSource *m = &g_array_index(out, PaMediaSource, k);
            for (guint n = 0; n < m->sources->len && !ms; n++)
                if (g_array_index(m->sources, PaMediaSsrc, n).ssrc == first)
                    ms = m;
        }
        if (!ms)
            continue;
        PaMediaSsrcGroup cg = {g_strdup(pa_jingle_group_semantics_str(g)),
                               g_array_new(FALSE, FALSE, sizeof(guint32))};
        g_array_append_vals(cg.ssrcs, g->ssrcs->data, g->ssrcs->len);
        g_array_append_val(ms->groups, cg);
    }
    return out;
}

void focus_sources_from_colibri(const GArray *colibri, const char *owner, PaJingleSources *out)
{
    for (guint i = 0; colibri && i < colibri->len; i++) {
        const PaMediaSource *ms = &g_array_index(colibri, PaMediaSource, i);
        for (guint k = 0; k < ms->sources->len; k++) {
            const PaMediaSsrc *s = &g_array_index(ms->sources, PaMediaSsrc, k);
            pa_jingle_sources_add(out, s->ssrc, ms->video, s->name ? s->name : ms->id, s->msid,
                                  owner);
        }
        for (guint k = 0; k < ms->groups->len; k++) {
            const PaMediaSsrcGroup *g = &g_array_index(ms->groups, PaMediaSsrcGroup, k);
            PaJingleGroupSemantics sem = pa_jingle_group_semantics_parse(g->semantics);
            PaJingleSsrcGroup *jg = pa_jingle_sources_add_group(
                out, ms->video, sem, owner, (const guint32 *)g->ssrcs->data, g->ssrcs->len);
            if (sem == PA_JINGLE_GROUP_OTHER) {
                g_free(jg->semantics_name);
                jg->semantics_name = g_strdup(g->semantics);
            }
        }
    }
}
