/* SPDX-License-Identifier: MIT */
/* The media description model: construction and freeing. XML lives in media-xml.c. */
#include "common/media/media-desc.h"

#include <string.h>

static void param_clear(gpointer p)
{
    PaMediaParam *x = p;
    g_free(x->name);
    g_free(x->value);
}

static void fb_clear(gpointer p)
{
    PaMediaRtcpFb *x = p;
    g_free(x->type);
    g_free(x->subtype);
}

static void pt_clear(gpointer p)
{
    PaMediaPayloadType *x = p;
    g_free(x->name);
    if (x->parameters)
        g_array_unref(x->parameters);
    if (x->rtcp_fbs)
        g_array_unref(x->rtcp_fbs);
    memset(x, 0, sizeof *x);
}

static void hdrext_clear(gpointer p)
{
    PaMediaHdrExt *x = p;
    g_free(x->uri);
}

void pa_media_desc_init(PaMediaDesc *m, gboolean video)
{
    memset(m, 0, sizeof *m);
    m->video = video;
    m->payload_types = pa_media_payload_types_new();
    m->hdrexts = pa_media_hdrexts_new();
}

void pa_media_desc_clear(PaMediaDesc *m)
{
    if (m->payload_types)
        g_array_unref(m->payload_types);
    if (m->hdrexts)
        g_array_unref(m->hdrexts);
    memset(m, 0, sizeof *m);
}

static void desc_clear_cb(gpointer p)
{
    pa_media_desc_clear(p);
}

static void ssrc_clear(gpointer p)
{
    PaMediaSsrc *x = p;
    g_free(x->name);
    g_free(x->msid);
}

static void group_clear(gpointer p)
{
    PaMediaSsrcGroup *x = p;
    g_free(x->semantics);
    if (x->ssrcs)
        g_array_unref(x->ssrcs);
}

void pa_media_source_clear(PaMediaSource *ms)
{
    g_free(ms->id);
    if (ms->sources)
        g_array_unref(ms->sources);
    if (ms->groups)
        g_array_unref(ms->groups);
    memset(ms, 0, sizeof *ms);
}

static void source_clear_cb(gpointer p)
{
    pa_media_source_clear(p);
}

#define ARRAY_CTOR(fn, type, clear)                                                                \
    GArray *fn(void)                                                                               \
    {                                                                                              \
        GArray *a = g_array_new(FALSE, TRUE, sizeof(type));                                        \
        g_array_set_clear_func(a, clear);                                                          \
        return a;                                                                                  \
    }
ARRAY_CTOR(pa_media_params_new, PaMediaParam, param_clear)
ARRAY_CTOR(pa_media_rtcp_fbs_new, PaMediaRtcpFb, fb_clear)
ARRAY_CTOR(pa_media_payload_types_new, PaMediaPayloadType, pt_clear)
ARRAY_CTOR(pa_media_hdrexts_new, PaMediaHdrExt, hdrext_clear)
ARRAY_CTOR(pa_media_descs_new, PaMediaDesc, desc_clear_cb)
ARRAY_CTOR(pa_media_ssrcs_new, PaMediaSsrc, ssrc_clear)
ARRAY_CTOR(pa_media_ssrc_groups_new, PaMediaSsrcGroup, group_clear)
ARRAY_CTOR(pa_media_sources_new, PaMediaSource, source_clear_cb)
#undef ARRAY_CTOR

PaMediaSource *pa_media_sources_add(GArray *sources, gboolean video, const char *id)
{
    g_array_set_size(sources, sources->len + 1);
    PaMediaSource *ms = &g_array_index(sources, PaMediaSource, sources->len - 1);
    memset(ms, 0, sizeof *ms);
    ms->video = video;
    ms->id = g_strdup(id);
    ms->sources = pa_media_ssrcs_new();
    ms->groups = pa_media_ssrc_groups_new();
    return ms;
}

void pa_media_source_add_ssrc(PaMediaSource *ms, guint32 ssrc, const char *name, const char *msid)
{
    PaMediaSsrc s = {ssrc, g_strdup(name), g_strdup(msid)};
    g_array_append_val(ms->sources, s);
}
