/* SPDX-License-Identifier: MIT */
/* Colibri2 model: construction and freeing. XML lives in colibri-xml.c; the media description
 * (codecs, sources) in common/media. */
#include "common/colibri/colibri.h"

#include <string.h>

void pa_colibri_endpoint_init(PaColibriEndpoint *ep)
{
    memset(ep, 0, sizeof *ep);
    ep->capabilities = g_new0(char *, 1);
    ep->media = pa_media_descs_new();
    pa_transport_init(&ep->ice);
    ep->sources = pa_media_sources_new();
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
    m->sources = pa_media_sources_new();
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

gboolean pa_colibri_endpoint_has_capability(const PaColibriEndpoint *ep, const char *cap)
{
    return ep->capabilities && g_strv_contains((const char *const *)ep->capabilities, cap);
}
