/* SPDX-License-Identifier: MIT */
/* The compact JSON source map Jicofo puts in <json-message xmlns="http://jitsi.org/jitmeet">
 * instead of XML sources when the client advertises http://jitsi.org/json-encoded-sources:
 *
 *   {"sources":{"<owner>":[[videoSources],[videoGroups],[audioSources],[audioGroups]?],...}}
 *   source: {"s":ssrc,"n":"name","m":"msid","v":"d"}   ("v" only for desktop video)
 *   group:  ["f"|"s", ssrc, ssrc, ...]                 (FID, SIM)
 *
 * The audio groups list is left out when empty, as Jicofo does. Built and read with jansson,
 * which escapes names and checks the input; the text built is ASCII, and names read must be
 * text XML allows (they are signalled on to other participants). Pure. */
#include "common/jingle/jingle.h"

#include <jansson.h>
#include <string.h>

/* Owner key for sources without an owner: the bridge's feedback sources. */
#define BRIDGE_OWNER "jvb"

static const char *owner_key(const char *owner)
{
    return owner ? owner : BRIDGE_OWNER;
}

/* The per-owner array, created (with its three lists) on first use. */
static json_t *owner_lists(json_t *map, const char *owner)
{
    json_t *lists = json_object_get(map, owner);
    if (!lists) {
        lists = json_pack("[[],[],[]]");
        json_object_set_new(map, owner, lists);
    }
    return lists;
}

char *pa_jingle_sources_to_json_map(const PaJingleSources *s)
{
    json_t *map = json_object();
    for (guint i = 0; i < s->sources->len; i++) {
        const PaJingleSource *src = &g_array_index(s->sources, PaJingleSource, i);
        json_t *lists = owner_lists(map, owner_key(src->owner));
        json_t *o = json_object();
        json_object_set_new(o, "s", json_integer(src->ssrc));
        if (src->name)
            json_object_set_new(o, "n", json_string(src->name));
        if (src->msid)
            json_object_set_new(o, "m", json_string(src->msid));
        if (src->video && src->video_type == PA_JINGLE_VIDEO_TYPE_DESKTOP)
            json_object_set_new(o, "v", json_string("d"));
        json_array_append_new(json_array_get(lists, src->video ? 0 : 2), o);
    }
    for (guint i = 0; i < s->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(s->groups, PaJingleSsrcGroup, i);
        if (g->semantics == PA_JINGLE_GROUP_OTHER || g->ssrcs->len == 0)
            continue; /* the JSON form has no way to say these */
        json_t *lists = owner_lists(map, owner_key(g->owner));
        json_t *a = json_array();
        json_array_append_new(a, json_string(g->semantics == PA_JINGLE_GROUP_FID ? "f" : "s"));
        for (guint k = 0; k < g->ssrcs->len; k++)
            json_array_append_new(a, json_integer(g_array_index(g->ssrcs, guint32, k)));
        if (!g->video && json_array_size(lists) < 4)
            json_array_append_new(lists, json_array());
        json_array_append_new(json_array_get(lists, g->video ? 1 : 3), a);
    }
    /* ASCII only (\uXXXX for the rest): the text is safe in XML whatever the names hold. */
    char *dumped = json_dumps(map, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII);
    json_decref(map);
    char *out = g_strdup(dumped ? dumped : "{}");
    free(dumped);
    return out;
}

char *pa_jingle_sources_to_json_message(const PaJingleSources *s)
{
    g_autofree char *map = pa_jingle_sources_to_json_map(s);
    return g_strdup_printf("{\"sources\":%s}", map);
}

/* ---- parse ---- */

static gboolean json_ssrc(json_t *v, guint32 *out)
{
    if (!json_is_integer(v))
        return FALSE;
    json_int_t n = json_integer_value(v);
    if (n < 1 || n > G_MAXUINT32)
        return FALSE;
    *out = (guint32)n;
    return TRUE;
}

static gboolean json_text(json_t *v, const char **out)
{
    if (!v) {
        *out = NULL;
        return TRUE;
    }
    if (!json_is_string(v) || json_string_length(v) > PA_JINGLE_MAX_NAME)
        return FALSE;
    /* JSON escapes can carry anything (\u0001, \ufffe); these values go into stanzas. */
    const char *s = json_string_value(v);
    if (!pa_jingle_text_ok(s))
        return FALSE;
    *out = s;
    return TRUE;
}

static gboolean parse_source_list(json_t *list, gboolean video, const char *owner,
                                  PaJingleSources *out, char **reason)
{
    if (!list)
        return TRUE;
    if (!json_is_array(list)) {
        *reason =
            g_strdup_printf("%s: %s sources are not a list", owner, video ? "video" : "audio");
        return FALSE;
    }
    size_t i;
    json_t *o;
    json_array_foreach(list, i, o)
    {
        guint32 ssrc;
        const char *name, *msid, *vt;
        if (!json_is_object(o) || !json_ssrc(json_object_get(o, "s"), &ssrc) ||
            !json_text(json_object_get(o, "n"), &name) ||
            !json_text(json_object_get(o, "m"), &msid) ||
            !json_text(json_object_get(o, "v"), &vt)) {
            *reason = g_strdup_printf("%s: %s source %zu is malformed", owner,
                                      video ? "video" : "audio", i);
            return FALSE;
        }
        if (out->sources->len >= PA_JINGLE_MAX_SOURCES) {
            *reason = g_strdup_printf("more than %d sources", PA_JINGLE_MAX_SOURCES);
            return FALSE;
        }
        PaJingleSource *s = pa_jingle_sources_add(out, ssrc, video, name, msid, owner);
        if (video)
            s->video_type = g_strcmp0(vt, "d") == 0 ? PA_JINGLE_VIDEO_TYPE_DESKTOP
                                                    : PA_JINGLE_VIDEO_TYPE_CAMERA;
    }
    return TRUE;
}

static gboolean parse_group_list(json_t *list, gboolean video, const char *owner,
                                 PaJingleSources *out, char **reason)
{
    if (!list)
        return TRUE;
    if (!json_is_array(list)) {
        *reason = g_strdup_printf("%s: %s groups are not a list", owner, video ? "video" : "audio");
        return FALSE;
    }
    size_t i;
    json_t *g;
    json_array_foreach(list, i, g)
    {
        const char *sem = json_is_array(g) ? json_string_value(json_array_get(g, 0)) : NULL;
        PaJingleGroupSemantics semantics;
        if (g_strcmp0(sem, "f") == 0)
            semantics = PA_JINGLE_GROUP_FID;
        else if (g_strcmp0(sem, "s") == 0)
            semantics = PA_JINGLE_GROUP_SIM;
        else {
            *reason = g_strdup_printf("%s: %s group %zu has no known semantics", owner,
                                      video ? "video" : "audio", i);
            return FALSE;
        }
        size_t n = json_array_size(g) - 1;
        if (n < 1 || n > PA_JINGLE_MAX_GROUP_SSRCS || out->groups->len >= PA_JINGLE_MAX_GROUPS) {
            *reason = g_strdup_printf("%s: %s group %zu has %zu SSRCs", owner,
                                      video ? "video" : "audio", i, n);
            return FALSE;
        }
        guint32 ssrcs[PA_JINGLE_MAX_GROUP_SSRCS];
        for (size_t k = 0; k < n; k++) {
            if (!json_ssrc(json_array_get(g, k + 1), &ssrcs[k])) {
                *reason = g_strdup_printf("%s: %s group %zu: bad SSRC", owner,
                                          video ? "video" : "audio", i);
                return FALSE;
            }
        }
        pa_jingle_sources_add_group(out, video, semantics, owner, ssrcs, (guint)n);
    }
    return TRUE;
}

PaJingleStatus pa_jingle_sources_from_json(const char *json, PaJingleSources *out, char **reason)
{
    char *why = NULL;
    PaJingleStatus st = PA_JINGLE_OK;
    json_error_t err;
    json_t *root = json ? json_loads(json, JSON_REJECT_DUPLICATES, &err) : NULL;
    PaJingleSources parsed;
    pa_jingle_sources_init(&parsed);
    if (!root) {
        why = g_strdup_printf("not JSON (%s)", json ? err.text : "empty");
        st = PA_JINGLE_MALFORMED;
        goto out;
    }
    json_t *map = json_is_object(root) ? json_object_get(root, "sources") : NULL;
    if (!json_is_object(root) || (map && !json_is_object(map))) {
        why = g_strdup("not an object with a \"sources\" map");
        st = PA_JINGLE_MALFORMED;
        goto out;
    }
    const char *key;
    json_t *lists;
    json_object_foreach(map, key, lists)
    {
        const char *slash = strchr(key, '/');
        g_autofree char *owner = g_strdup(slash && slash[1] ? slash + 1 : key);
        if (!*owner || strlen(owner) > PA_JINGLE_MAX_NAME || !pa_jingle_text_ok(owner)) {
            why = g_strdup("an owner key is empty, too long or not text");
            st = PA_JINGLE_MALFORMED;
            goto out;
        }
        if (!json_is_array(lists) || json_array_size(lists) > 4) {
            why = g_strdup_printf("%s: not a list of up to four lists", owner);
            st = PA_JINGLE_MALFORMED;
            goto out;
        }
        if (!parse_source_list(json_array_get(lists, 0), TRUE, owner, &parsed, &why) ||
            !parse_group_list(json_array_get(lists, 1), TRUE, owner, &parsed, &why) ||
            !parse_source_list(json_array_get(lists, 2), FALSE, owner, &parsed, &why) ||
            !parse_group_list(json_array_get(lists, 3), FALSE, owner, &parsed, &why)) {
            st = g_str_has_prefix(why, "more than") ? PA_JINGLE_TOO_LARGE : PA_JINGLE_MALFORMED;
            goto out;
        }
    }
    pa_jingle_sources_append(out, &parsed);
out:
    pa_jingle_sources_clear(&parsed);
    if (root)
        json_decref(root);
    if (reason)
        *reason = pa_jingle_safe_text(why);
    g_free(why);
    return st;
}
