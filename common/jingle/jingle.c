/* SPDX-License-Identifier: MIT */
/* Jingle model: construction, copying and freeing. XML lives in jingle-xml.c, the JSON source
 * map in jingle-json.c. */
#include "common/jingle/jingle.h"

#include "common/xmpp/stanza.h"

#include <string.h>

static const struct {
    PaJingleAction action;
    const char *name;
} actions[] = {
    {PA_JINGLE_SESSION_INITIATE, "session-initiate"},
    {PA_JINGLE_SESSION_ACCEPT, "session-accept"},
    {PA_JINGLE_SESSION_INFO, "session-info"},
    {PA_JINGLE_SESSION_TERMINATE, "session-terminate"},
    {PA_JINGLE_TRANSPORT_INFO, "transport-info"},
    {PA_JINGLE_TRANSPORT_ACCEPT, "transport-accept"},
    {PA_JINGLE_TRANSPORT_REJECT, "transport-reject"},
    {PA_JINGLE_TRANSPORT_REPLACE, "transport-replace"},
    {PA_JINGLE_SOURCE_ADD, "source-add"},
    {PA_JINGLE_SOURCE_REMOVE, "source-remove"},
    {PA_JINGLE_CONTENT_ADD, "content-add"},
    {PA_JINGLE_CONTENT_MODIFY, "content-modify"},
    {PA_JINGLE_CONTENT_REMOVE, "content-remove"},
    {PA_JINGLE_CONTENT_ACCEPT, "content-accept"},
    {PA_JINGLE_CONTENT_REJECT, "content-reject"},
    {PA_JINGLE_DESCRIPTION_INFO, "description-info"},
    {PA_JINGLE_SECURITY_INFO, "security-info"},
};

const char *pa_jingle_action_str(PaJingleAction action)
{
    for (guint i = 0; i < G_N_ELEMENTS(actions); i++)
        if (actions[i].action == action)
            return actions[i].name;
    return NULL;
}

PaJingleAction pa_jingle_action_parse(const char *name)
{
    if (!name)
        return PA_JINGLE_ACTION_UNKNOWN;
    for (guint i = 0; i < G_N_ELEMENTS(actions); i++)
        if (strcmp(actions[i].name, name) == 0)
            return actions[i].action;
    /* Older Jitsi clients used these spellings. */
    if (strcmp(name, "addsource") == 0)
        return PA_JINGLE_SOURCE_ADD;
    if (strcmp(name, "removesource") == 0)
        return PA_JINGLE_SOURCE_REMOVE;
    return PA_JINGLE_ACTION_UNKNOWN;
}

/* ---- sources ---- */

static void source_clear(gpointer p)
{
    PaJingleSource *s = p;
    g_free(s->name);
    g_free(s->msid);
    g_free(s->owner);
}

static void group_clear(gpointer p)
{
    PaJingleSsrcGroup *g = p;
    g_free(g->semantics_name);
    g_free(g->owner);
    if (g->ssrcs)
        g_array_unref(g->ssrcs);
}

void pa_jingle_sources_init(PaJingleSources *s)
{
    s->sources = g_array_new(FALSE, TRUE, sizeof(PaJingleSource));
    g_array_set_clear_func(s->sources, source_clear);
    s->groups = g_array_new(FALSE, TRUE, sizeof(PaJingleSsrcGroup));
    g_array_set_clear_func(s->groups, group_clear);
}

void pa_jingle_sources_clear(PaJingleSources *s)
{
    if (s->sources)
        g_array_unref(s->sources);
    if (s->groups)
        g_array_unref(s->groups);
    s->sources = s->groups = NULL;
}

PaJingleSource *pa_jingle_sources_add(PaJingleSources *s, guint32 ssrc, gboolean video,
                                      const char *name, const char *msid, const char *owner)
{
    PaJingleSource src = {
        .ssrc = ssrc,
        .video = video,
        .name = g_strdup(name),
        .msid = g_strdup(msid),
        .owner = g_strdup(owner),
    };
    g_array_append_val(s->sources, src);
    return &g_array_index(s->sources, PaJingleSource, s->sources->len - 1);
}

const char *pa_jingle_group_semantics_str(const PaJingleSsrcGroup *g)
{
    switch (g->semantics) {
    case PA_JINGLE_GROUP_FID:
        return "FID";
    case PA_JINGLE_GROUP_SIM:
        return "SIM";
    case PA_JINGLE_GROUP_OTHER:
        break;
    }
    return g->semantics_name ? g->semantics_name : "";
}

PaJingleGroupSemantics pa_jingle_group_semantics_parse(const char *name)
{
    if (name && g_ascii_strcasecmp(name, "FID") == 0)
        return PA_JINGLE_GROUP_FID;
    if (name && g_ascii_strcasecmp(name, "SIM") == 0)
        return PA_JINGLE_GROUP_SIM;
    return PA_JINGLE_GROUP_OTHER;
}

PaJingleSsrcGroup *pa_jingle_sources_add_group(PaJingleSources *s, gboolean video,
                                               PaJingleGroupSemantics semantics, const char *owner,
                                               const guint32 *ssrcs, guint n)
{
    PaJingleSsrcGroup g = {
        .video = video,
        .semantics = semantics,
        .semantics_name = g_strdup(semantics == PA_JINGLE_GROUP_FID   ? "FID"
                                   : semantics == PA_JINGLE_GROUP_SIM ? "SIM"
                                                                      : NULL),
        .owner = g_strdup(owner),
        .ssrcs = g_array_new(FALSE, FALSE, sizeof(guint32)),
    };
    if (n)
        g_array_append_vals(g.ssrcs, ssrcs, n);
    g_array_append_val(s->groups, g);
    return &g_array_index(s->groups, PaJingleSsrcGroup, s->groups->len - 1);
}

void pa_jingle_sources_append(PaJingleSources *dst, const PaJingleSources *src)
{
    for (guint i = 0; i < src->sources->len; i++) {
        const PaJingleSource *s = &g_array_index(src->sources, PaJingleSource, i);
        PaJingleSource *d =
            pa_jingle_sources_add(dst, s->ssrc, s->video, s->name, s->msid, s->owner);
        d->video_type = s->video_type;
    }
    for (guint i = 0; i < src->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(src->groups, PaJingleSsrcGroup, i);
        PaJingleSsrcGroup *d = pa_jingle_sources_add_group(
            dst, g->video, g->semantics, g->owner, (const guint32 *)g->ssrcs->data, g->ssrcs->len);
        if (g->semantics == PA_JINGLE_GROUP_OTHER) {
            g_free(d->semantics_name);
            d->semantics_name = g_strdup(g->semantics_name);
        }
    }
}

void pa_jingle_sources_copy(PaJingleSources *dst, const PaJingleSources *src)
{
    pa_jingle_sources_clear(dst);
    pa_jingle_sources_init(dst);
    pa_jingle_sources_append(dst, src);
}

gboolean pa_jingle_sources_empty(const PaJingleSources *s)
{
    return s->sources->len == 0 && s->groups->len == 0;
}

const PaJingleSource *pa_jingle_sources_find(const PaJingleSources *s, guint32 ssrc)
{
    for (guint i = 0; i < s->sources->len; i++) {
        const PaJingleSource *src = &g_array_index(s->sources, PaJingleSource, i);
        if (src->ssrc == ssrc)
            return src;
    }
    return NULL;
}

void pa_jingle_sources_set_owner(PaJingleSources *s, const char *owner)
{
    for (guint i = 0; i < s->sources->len; i++) {
        PaJingleSource *src = &g_array_index(s->sources, PaJingleSource, i);
        g_free(src->owner);
        src->owner = g_strdup(owner);
    }
    for (guint i = 0; i < s->groups->len; i++) {
        PaJingleSsrcGroup *g = &g_array_index(s->groups, PaJingleSsrcGroup, i);
        g_free(g->owner);
        g->owner = g_strdup(owner);
    }
}

/* ---- contents and the session element ---- */

static void content_clear(gpointer p)
{
    PaJingleContent *c = p;
    g_free(c->name);
    g_free(c->creator);
    g_free(c->senders);
    g_free(c->media);
    pa_media_desc_clear(&c->rtp);
    pa_transport_clear(&c->transport);
}

void pa_jingle_init(PaJingle *j)
{
    memset(j, 0, sizeof *j);
    j->contents = g_array_new(FALSE, TRUE, sizeof(PaJingleContent));
    g_array_set_clear_func(j->contents, content_clear);
    j->bundle = g_ptr_array_new_with_free_func(g_free);
    pa_jingle_sources_init(&j->sources);
}

void pa_jingle_clear(PaJingle *j)
{
    g_free(j->action_name);
    g_free(j->sid);
    g_free(j->initiator);
    g_free(j->responder);
    if (j->contents)
        g_array_unref(j->contents);
    if (j->bundle)
        g_ptr_array_unref(j->bundle);
    g_free(j->bridge_session_id);
    g_free(j->bridge_session_region);
    g_free(j->ice_state);
    g_free(j->reason);
    g_free(j->reason_text);
    pa_jingle_sources_clear(&j->sources);
    memset(j, 0, sizeof *j);
}

PaJingleContent *pa_jingle_add_content(PaJingle *j, const char *name, const char *creator,
                                       const char *senders)
{
    g_array_set_size(j->contents, j->contents->len + 1);
    PaJingleContent *c = &g_array_index(j->contents, PaJingleContent, j->contents->len - 1);
    memset(c, 0, sizeof *c);
    c->name = g_strdup(name);
    c->creator = g_strdup(creator);
    c->senders = g_strdup(senders);
    pa_media_desc_init(&c->rtp, FALSE);
    pa_transport_init(&c->transport);
    return c;
}

void pa_jingle_content_set_media(PaJingleContent *c, const char *media)
{
    g_free(c->media);
    c->media = g_strdup(media);
    c->has_description = TRUE;
    c->rtp.video = g_strcmp0(media, "video") == 0;
}

PaJingleContent *pa_jingle_find_content(const PaJingle *j, const char *media)
{
    for (guint i = 0; i < j->contents->len; i++) {
        PaJingleContent *c = &g_array_index(j->contents, PaJingleContent, i);
        const char *m = c->has_description && c->media ? c->media : c->name;
        if (g_strcmp0(m, media) == 0)
            return c;
    }
    return NULL;
}

const PaTransport *pa_jingle_first_transport(const PaJingle *j)
{
    for (guint i = 0; i < j->contents->len; i++) {
        const PaJingleContent *c = &g_array_index(j->contents, PaJingleContent, i);
        if (c->has_transport)
            return &c->transport;
    }
    return NULL;
}

/* ---- text ---- */

static gboolean xml_char_ok(gunichar c)
{
    return (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
           (c >= 0x10000 && c <= 0x10FFFF);
}

gboolean pa_jingle_text_ok(const char *s)
{
    if (!s || !g_utf8_validate(s, -1, NULL))
        return FALSE;
    for (const char *p = s; *p; p = g_utf8_next_char(p))
        if (!xml_char_ok(g_utf8_get_char(p)))
            return FALSE;
    return TRUE;
}

char *pa_jingle_safe_text(const char *s)
{
    if (!s)
        return NULL;
    g_autofree char *valid = g_utf8_make_valid(s, -1);
    GString *out = g_string_sized_new(strlen(valid));
    for (const char *p = valid; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (xml_char_ok(c))
            g_string_append_unichar(out, c);
        else
            g_string_append_c(out, '?');
    }
    return g_string_free(out, FALSE);
}

/* ---- errors ---- */

xmpp_stanza_t *pa_jingle_error_condition(xmpp_ctx_t *ctx, PaJingleErrorCondition cond)
{
    const char *name = "unknown-session";
    switch (cond) {
    case PA_JINGLE_ERROR_UNKNOWN_SESSION:
        name = "unknown-session";
        break;
    case PA_JINGLE_ERROR_OUT_OF_ORDER:
        name = "out-of-order";
        break;
    case PA_JINGLE_ERROR_TIE_BREAK:
        name = "tie-break";
        break;
    case PA_JINGLE_ERROR_UNSUPPORTED_INFO:
        name = "unsupported-info";
        break;
    }
    return pa_stanza_element(ctx, name, PA_NS_JINGLE_ERRORS);
}
