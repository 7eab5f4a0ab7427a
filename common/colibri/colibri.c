/* SPDX-License-Identifier: MIT */
/* Colibri2 model: construction and freeing. XML lives in colibri-xml.c. */
#include "common/colibri/colibri.h"
#include "common/colibri/colibri-priv.h"

#include <string.h>

static void param_clear(gpointer p)
{
    PaColibriParam *x = p;
    g_free(x->name);
    g_free(x->value);
}

static void fb_clear(gpointer p)
{
    PaColibriRtcpFb *x = p;
    g_free(x->type);
    g_free(x->subtype);
}

static void pt_clear(gpointer p)
{
    PaColibriPayloadType *x = p;
    g_free(x->name);
    if (x->parameters)
        g_array_unref(x->parameters);
    if (x->rtcp_fbs)
        g_array_unref(x->rtcp_fbs);
    memset(x, 0, sizeof *x);
}

static void hdrext_clear(gpointer p)
{
    PaColibriHdrExt *x = p;
    g_free(x->uri);
}

void pa_colibri_media_clear(PaColibriMedia *m)
{
    if (m->payload_types)
        g_array_unref(m->payload_types);
    if (m->hdrexts)
        g_array_unref(m->hdrexts);
    memset(m, 0, sizeof *m);
}

static void media_clear_cb(gpointer p)
{
    pa_colibri_media_clear(p);
}

static void source_clear(gpointer p)
{
    PaColibriSource *x = p;
    g_free(x->name);
    g_free(x->msid);
}

static void group_clear(gpointer p)
{
    PaColibriSsrcGroup *x = p;
    g_free(x->semantics);
    if (x->ssrcs)
        g_array_unref(x->ssrcs);
}

void pa_colibri_media_source_clear(PaColibriMediaSource *ms)
{
    g_free(ms->id);
    if (ms->sources)
        g_array_unref(ms->sources);
    if (ms->groups)
        g_array_unref(ms->groups);
    memset(ms, 0, sizeof *ms);
}

static void media_source_clear_cb(gpointer p)
{
    pa_colibri_media_source_clear(p);
}

GArray *pa_colibri_sources_new(void)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(PaColibriMediaSource));
    g_array_set_clear_func(a, media_source_clear_cb);
    return a;
}

#define ARRAY_CTOR(fn, type, clear)                                                                \
    GArray *fn(void)                                                                               \
    {                                                                                              \
        GArray *a = g_array_new(FALSE, TRUE, sizeof(type));                                        \
        g_array_set_clear_func(a, clear);                                                          \
        return a;                                                                                  \
    }
ARRAY_CTOR(pa_colibri_params_new, PaColibriParam, param_clear)
ARRAY_CTOR(pa_colibri_fbs_new, PaColibriRtcpFb, fb_clear)
ARRAY_CTOR(pa_colibri_pts_new, PaColibriPayloadType, pt_clear)
ARRAY_CTOR(pa_colibri_hdrexts_new, PaColibriHdrExt, hdrext_clear)
ARRAY_CTOR(pa_colibri_media_new, PaColibriMedia, media_clear_cb)
ARRAY_CTOR(pa_colibri_source_list_new, PaColibriSource, source_clear)
ARRAY_CTOR(pa_colibri_groups_new, PaColibriSsrcGroup, group_clear)
#undef ARRAY_CTOR

void pa_colibri_endpoint_init(PaColibriEndpoint *ep)
{
    memset(ep, 0, sizeof *ep);
    ep->capabilities = g_new0(char *, 1);
    ep->media = pa_colibri_media_new();
    pa_transport_init(&ep->ice);
    ep->sources = pa_colibri_sources_new();
}

void pa_colibri_endpoint_clear(PaColibriEndpoint *ep)
{
    g_free(ep->id);
    g_free(ep->stats_id);
    g_free(ep->muc_role);
    g_strfreev(ep->capabilities);
    if (ep->media)
        g_array_unref(ep->media);
    pa_transport_clear(&ep->ice);
    if (ep->sources)
        g_array_unref(ep->sources);
    memset(ep, 0, sizeof *ep);
}

static void endpoint_clear_cb(gpointer p)
{
    pa_colibri_endpoint_clear(p);
}

static GArray *endpoints_new(void)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(PaColibriEndpoint));
    g_array_set_clear_func(a, endpoint_clear_cb);
    return a;
}

void pa_colibri_modify_init(PaColibriConferenceModify *m)
{
    memset(m, 0, sizeof *m);
    m->endpoints = endpoints_new();
}

void pa_colibri_modify_clear(PaColibriConferenceModify *m)
{
    g_free(m->meeting_id);
    g_free(m->name);
    if (m->endpoints)
        g_array_unref(m->endpoints);
    memset(m, 0, sizeof *m);
}

void pa_colibri_modified_init(PaColibriConferenceModified *m)
{
    memset(m, 0, sizeof *m);
    m->endpoints = endpoints_new();
    m->sources = pa_colibri_sources_new();
}

void pa_colibri_modified_clear(PaColibriConferenceModified *m)
{
    if (m->endpoints)
        g_array_unref(m->endpoints);
    if (m->sources)
        g_array_unref(m->sources);
    memset(m, 0, sizeof *m);
}

PaColibriEndpoint *pa_colibri_endpoints_add(GArray *endpoints, const char *id)
{
    g_array_set_size(endpoints, endpoints->len + 1);
    PaColibriEndpoint *ep = &g_array_index(endpoints, PaColibriEndpoint, endpoints->len - 1);
    pa_colibri_endpoint_init(ep);
    ep->id = g_strdup(id);
    return ep;
}

PaColibriMediaSource *pa_colibri_sources_add(GArray *sources, gboolean video, const char *id)
{
    g_array_set_size(sources, sources->len + 1);
    PaColibriMediaSource *ms = &g_array_index(sources, PaColibriMediaSource, sources->len - 1);
    memset(ms, 0, sizeof *ms);
    ms->video = video;
    ms->id = g_strdup(id);
    ms->sources = pa_colibri_source_list_new();
    ms->groups = pa_colibri_groups_new();
    return ms;
}

void pa_colibri_media_source_add_ssrc(PaColibriMediaSource *ms, guint32 ssrc, const char *name,
                                      const char *msid)
{
    PaColibriSource s = {ssrc, g_strdup(name), g_strdup(msid)};
    g_array_append_val(ms->sources, s);
}

gboolean pa_colibri_endpoint_has_capability(const PaColibriEndpoint *ep, const char *cap)
{
    return ep->capabilities && g_strv_contains((const char *const *)ep->capabilities, cap);
}
