/* SPDX-License-Identifier: MIT */
/* Model dumps for the round-trip checks (see fuzz-dump.h). */
#include "fuzz-dump.h"

#include <string.h>

#include "fuzz-xmpp.h"

void fuzz_dump_transport(GString *out, const PaTransport *t)
{
    g_string_append(out, "transport");
    fuzz_dump_str(out, "ufrag", t->ufrag);
    fuzz_dump_str(out, "pwd", t->pwd);
    g_string_append_printf(out, " rtcp-mux=%d", t->rtcp_mux);
    fuzz_dump_str(out, "hash", t->fingerprint_hash);
    fuzz_dump_str(out, "fingerprint", t->fingerprint);
    fuzz_dump_str(out, "setup", t->setup);
    fuzz_dump_str(out, "ws", t->websocket_url);
    g_string_append_c(out, '\n');
    for (guint i = 0; t->candidates && i < t->candidates->len; i++) {
        const PaIceCandidate *c = &g_array_index(t->candidates, PaIceCandidate, i);
        g_string_append(out, "  candidate");
        fuzz_dump_str(out, "foundation", c->foundation);
        fuzz_dump_str(out, "protocol", c->protocol);
        fuzz_dump_str(out, "ip", c->ip);
        fuzz_dump_str(out, "type", c->type);
        fuzz_dump_str(out, "rel-addr", c->rel_addr);
        fuzz_dump_str(out, "id", c->id);
        /* Known bug "rel-port": a rel-port without rel-addr is parsed but not built. */
        guint rel_port = c->rel_addr[0] || !fuzz_known_bug("rel-port") ? c->rel_port : 0;
        g_string_append_printf(out,
                               " component=%u priority=%u port=%u rel-port=%u"
                               " generation=%u network=%u\n",
                               c->component, c->priority, c->port, rel_port, c->generation,
                               c->network);
    }
}

void fuzz_dump_colibri_media(GString *out, const PaMediaDesc *m, gboolean null_value_empty)
{
    g_string_append_printf(out, "  media video=%d mixed=%d\n", m->video, m->extmap_allow_mixed);
    for (guint i = 0; m->payload_types && i < m->payload_types->len; i++) {
        const PaMediaPayloadType *pt = &g_array_index(m->payload_types, PaMediaPayloadType, i);
        g_string_append_printf(out, "   pt id=%u clock=%u ch=%u", pt->id, pt->clockrate,
                               pt->channels);
        fuzz_dump_str(out, "name", pt->name);
        g_string_append_c(out, '\n');
        for (guint j = 0; pt->parameters && j < pt->parameters->len; j++) {
            const PaMediaParam *p = &g_array_index(pt->parameters, PaMediaParam, j);
            g_string_append(out, "    param");
            fuzz_dump_str(out, "name", p->name);
            fuzz_dump_str(out, "value", !p->value && null_value_empty ? "" : p->value);
            g_string_append_c(out, '\n');
        }
        for (guint j = 0; pt->rtcp_fbs && j < pt->rtcp_fbs->len; j++) {
            const PaMediaRtcpFb *fb = &g_array_index(pt->rtcp_fbs, PaMediaRtcpFb, j);
            g_string_append(out, "    fb");
            fuzz_dump_str(out, "type", fb->type);
            fuzz_dump_str(out, "subtype", fb->subtype);
            g_string_append_c(out, '\n');
        }
    }
    for (guint i = 0; m->hdrexts && i < m->hdrexts->len; i++) {
        const PaMediaHdrExt *h = &g_array_index(m->hdrexts, PaMediaHdrExt, i);
        g_string_append_printf(out, "   hdrext id=%u", h->id);
        fuzz_dump_str(out, "uri", h->uri);
        g_string_append_c(out, '\n');
    }
}

void fuzz_dump_colibri_sources(GString *out, const GArray *sources)
{
    for (guint i = 0; sources && i < sources->len; i++) {
        const PaMediaSource *ms = &g_array_index(sources, PaMediaSource, i);
        g_string_append_printf(out, "  media-source video=%d synthetic=%d", ms->video,
                               ms->synthetic);
        fuzz_dump_str(out, "id", ms->id);
        g_string_append_c(out, '\n');
        for (guint j = 0; ms->sources && j < ms->sources->len; j++) {
            const PaMediaSsrc *s = &g_array_index(ms->sources, PaMediaSsrc, j);
            g_string_append_printf(out, "   source ssrc=%u", s->ssrc);
            fuzz_dump_str(out, "name", s->name);
            fuzz_dump_str(out, "msid", s->msid);
            g_string_append_c(out, '\n');
        }
        for (guint j = 0; ms->groups && j < ms->groups->len; j++) {
            const PaMediaSsrcGroup *g = &g_array_index(ms->groups, PaMediaSsrcGroup, j);
            g_string_append(out, "   group");
            fuzz_dump_str(out, "semantics", g->semantics);
            for (guint k = 0; g->ssrcs && k < g->ssrcs->len; k++)
                g_string_append_printf(out, " %u", g_array_index(g->ssrcs, guint32, k));
            g_string_append_c(out, '\n');
        }
    }
}

void fuzz_dump_colibri_endpoint(GString *out, const PaColibriEndpoint *ep)
{
    g_string_append(out, " endpoint");
    fuzz_dump_str(out, "id", ep->id);
    fuzz_dump_str(out, "stats-id", ep->stats_id);
    fuzz_dump_str(out, "muc-role", ep->muc_role);
    g_string_append_printf(out, " create=%d expire=%d caps=[", ep->create, ep->expire);
    for (char **c = ep->capabilities; c && *c; c++)
        fuzz_dump_str(out, "", *c);
    g_string_append(out, " ]\n");
    for (guint i = 0; ep->media && i < ep->media->len; i++)
        fuzz_dump_colibri_media(out, &g_array_index(ep->media, PaMediaDesc, i), FALSE);
    g_string_append_printf(out,
                           "  has-transport=%d controlling=%d restart=%d unique-port=%d"
                           " sctp=%d has-ice=%d\n",
                           ep->has_transport, ep->ice_controlling, ep->ice_restart,
                           ep->use_unique_port, ep->sctp, ep->has_ice);
    if (ep->has_ice) {
        g_string_append(out, "  ");
        fuzz_dump_transport(out, &ep->ice);
    }
    g_string_append_printf(out, "  has-sources=%d\n", ep->has_sources);
    fuzz_dump_colibri_sources(out, ep->sources);
    g_string_append_printf(out, "  force-mute=%d audio=%d video=%d last-n=%d/%d\n",
                           ep->has_force_mute, ep->force_mute_audio, ep->force_mute_video,
                           ep->has_initial_last_n, ep->initial_last_n);
}

char *fuzz_dump_colibri_modify(const PaColibriConferenceModify *m)
{
    GString *out = g_string_new("conference-modify");
    fuzz_dump_str(out, "meeting-id", m->meeting_id);
    fuzz_dump_str(out, "name", m->name);
    g_string_append_printf(out, " create=%d expire=%d rtcstats=%d relays=%u\n", m->create,
                           m->expire, m->rtcstats_enabled, m->n_relays);
    for (guint i = 0; m->endpoints && i < m->endpoints->len; i++)
        fuzz_dump_colibri_endpoint(out, &g_array_index(m->endpoints, PaColibriEndpoint, i));
    return g_string_free(out, FALSE);
}

char *fuzz_dump_colibri_modified(const PaColibriConferenceModified *m)
{
    GString *out = g_string_new("conference-modified\n");
    for (guint i = 0; m->endpoints && i < m->endpoints->len; i++)
        fuzz_dump_colibri_endpoint(out, &g_array_index(m->endpoints, PaColibriEndpoint, i));
    g_string_append_printf(out, " has-sources=%d\n", m->has_sources);
    fuzz_dump_colibri_sources(out, m->sources);
    return g_string_free(out, FALSE);
}

static int cmp_line(gconstpointer a, gconstpointer b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Known bug "owner slash": an owner is reduced to what follows its first '/', so an owner
 * that still holds one ("a/b", from "x/a/b") becomes "b" when read again. */
static const char *owner_of(const char *owner)
{
    if (!owner)
        return "jvb";
    /* What reading it again and again ends with. */
    for (const char *slash;
         fuzz_known_bug("owner slash") && (slash = strchr(owner, '/')) && slash[1];)
        owner = slash + 1;
    return owner;
}

char *fuzz_dump_jingle_sources(const PaJingleSources *s, gboolean json_form)
{
    GPtrArray *lines = g_ptr_array_new_with_free_func(g_free);
    for (guint i = 0; i < s->sources->len; i++) {
        const PaJingleSource *src = &g_array_index(s->sources, PaJingleSource, i);
        GString *l = g_string_new(NULL);
        PaJingleVideoType vt = src->video_type;
        if (json_form && src->video && vt == PA_JINGLE_VIDEO_TYPE_UNSET)
            vt = PA_JINGLE_VIDEO_TYPE_CAMERA;
        g_string_append_printf(l, "source %u video=%d type=%d", src->ssrc, src->video, vt);
        fuzz_dump_str(l, "name", src->name);
        fuzz_dump_str(l, "msid", src->msid);
        fuzz_dump_str(l, "owner", owner_of(src->owner));
        g_ptr_array_add(lines, g_string_free(l, FALSE));
    }
    for (guint i = 0; i < s->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(s->groups, PaJingleSsrcGroup, i);
        if (json_form && (g->semantics == PA_JINGLE_GROUP_OTHER || g->ssrcs->len == 0))
            continue;
        GString *l = g_string_new(NULL);
        g_string_append_printf(l, "group video=%d", g->video);
        fuzz_dump_str(l, "semantics", pa_jingle_group_semantics_str(g));
        /* The XML form carries no group owner; the JSON form lists groups under one. */
        if (json_form)
            fuzz_dump_str(l, "owner", owner_of(g->owner));
        for (guint k = 0; k < g->ssrcs->len; k++)
            g_string_append_printf(l, " %u", g_array_index(g->ssrcs, guint32, k));
        g_ptr_array_add(lines, g_string_free(l, FALSE));
    }
    g_ptr_array_sort(lines, cmp_line);
    GString *out = g_string_new(NULL);
    for (guint i = 0; i < lines->len; i++)
        g_string_append_printf(out, "%s\n", (char *)lines->pdata[i]);
    g_ptr_array_unref(lines);
    return g_string_free(out, FALSE);
}
