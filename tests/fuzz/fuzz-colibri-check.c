/* SPDX-License-Identifier: MIT */
/* Parsed-model invariants for the Colibri2 targets (see fuzz-colibri-check.h). */
#include "fuzz-colibri-check.h"

#include <string.h>

#include "fuzz-xmpp.h"

/* What the parser promises for ids: 1..max printable bytes, no spaces, valid UTF-8. */
static void check_token(const char *s, gsize max)
{
    FUZZ_CHECK(s != NULL);
    gsize n = strlen(s);
    FUZZ_CHECK(n >= 1 && n <= max);
    FUZZ_CHECK(g_utf8_validate(s, -1, NULL));
    for (gsize i = 0; i < n; i++)
        FUZZ_CHECK((guchar)s[i] > 0x20 && s[i] != 0x7f);
}

static void check_text(const char *s, gsize max)
{
    if (!s)
        return;
    FUZZ_CHECK(strlen(s) <= max);
    fuzz_check_xml_text("colibri attribute", s);
}

void fuzz_check_transport(const PaTransport *t)
{
    FUZZ_CHECK(t->candidates != NULL);
    FUZZ_CHECK(t->candidates->len <= 64);
    for (guint i = 0; i < t->candidates->len; i++) {
        const PaIceCandidate *c = &g_array_index(t->candidates, PaIceCandidate, i);
        FUZZ_CHECK(pa_ice_candidate_valid(c));
        FUZZ_CHECK(c->port != 0 && (c->component == 1 || c->component == 2));
        FUZZ_CHECK(strcmp(c->protocol, "udp") == 0 || strcmp(c->protocol, "tcp") == 0);
    }
    FUZZ_CHECK((t->fingerprint == NULL) == (t->fingerprint_hash == NULL));
    if (t->fingerprint) {
        gsize n = strlen(t->fingerprint);
        FUZZ_CHECK(n >= 2 && n <= 191 && (n + 1) % 3 == 0);
        for (gsize i = 0; i < n; i++)
            FUZZ_CHECK(i % 3 == 2 ? t->fingerprint[i] == ':'
                                  : g_ascii_isxdigit(t->fingerprint[i]) &&
                                        !g_ascii_islower(t->fingerprint[i]));
        FUZZ_CHECK(*t->fingerprint_hash && strlen(t->fingerprint_hash) <= 16);
        for (const char *p = t->fingerprint_hash; *p; p++)
            FUZZ_CHECK(!g_ascii_isupper(*p));
    }
    FUZZ_CHECK(!t->setup || strcmp(t->setup, "actpass") == 0 || strcmp(t->setup, "active") == 0 ||
               strcmp(t->setup, "passive") == 0);
    FUZZ_CHECK(!t->websocket_url || g_str_has_prefix(t->websocket_url, "ws://") ||
               g_str_has_prefix(t->websocket_url, "wss://"));
    if (t->ufrag)
        FUZZ_CHECK(strlen(t->ufrag) >= 4 && strlen(t->ufrag) <= 256);
    if (t->pwd)
        FUZZ_CHECK(strlen(t->pwd) >= 22 && strlen(t->pwd) <= 256);
}

void fuzz_check_colibri_sources(const GArray *sources)
{
    FUZZ_CHECK(sources != NULL);
    FUZZ_CHECK(sources->len <= PA_COLIBRI_MAX_ITEMS);
    for (guint i = 0; i < sources->len; i++) {
        const PaMediaSource *ms = &g_array_index(sources, PaMediaSource, i);
        check_token(ms->id, PA_COLIBRI_MAX_ID);
        FUZZ_CHECK(ms->sources->len <= PA_COLIBRI_MAX_ITEMS);
        FUZZ_CHECK(ms->groups->len <= PA_COLIBRI_MAX_ITEMS);
        for (guint j = 0; j < ms->sources->len; j++) {
            const PaMediaSsrc *s = &g_array_index(ms->sources, PaMediaSsrc, j);
            FUZZ_CHECK(s->ssrc != 0);
            check_text(s->name, PA_COLIBRI_MAX_ID);
            check_text(s->msid, 256);
        }
        for (guint j = 0; j < ms->groups->len; j++) {
            const PaMediaSsrcGroup *g = &g_array_index(ms->groups, PaMediaSsrcGroup, j);
            FUZZ_CHECK(g->semantics && *g->semantics);
            check_text(g->semantics, 32);
            FUZZ_CHECK(g->ssrcs->len <= PA_COLIBRI_MAX_ITEMS);
            for (guint k = 0; k < g->ssrcs->len; k++)
                FUZZ_CHECK(g_array_index(g->ssrcs, guint32, k) != 0);
        }
    }
}

void fuzz_check_colibri_media(const PaMediaDesc *m, gboolean nameless_params)
{
    FUZZ_CHECK(m->payload_types->len <= PA_COLIBRI_MAX_ITEMS);
    FUZZ_CHECK(m->hdrexts->len <= PA_COLIBRI_MAX_ITEMS);
    for (guint j = 0; j < m->payload_types->len; j++) {
        const PaMediaPayloadType *pt = &g_array_index(m->payload_types, PaMediaPayloadType, j);
        FUZZ_CHECK(pt->id <= 127 && pt->channels <= 255 && pt->clockrate <= 10000000);
        check_text(pt->name, 64);
        FUZZ_CHECK(pt->parameters->len <= PA_COLIBRI_MAX_ITEMS);
        FUZZ_CHECK(pt->rtcp_fbs->len <= PA_COLIBRI_MAX_ITEMS);
        for (guint k = 0; k < pt->parameters->len; k++) {
            const PaMediaParam *p = &g_array_index(pt->parameters, PaMediaParam, k);
            FUZZ_CHECK(nameless_params || (p->name && *p->name));
            check_text(p->name, 128);
            check_text(p->value, 1024);
        }
        for (guint k = 0; k < pt->rtcp_fbs->len; k++) {
            const PaMediaRtcpFb *fb = &g_array_index(pt->rtcp_fbs, PaMediaRtcpFb, k);
            FUZZ_CHECK(fb->type && *fb->type);
            check_text(fb->type, 64);
            check_text(fb->subtype, 64);
        }
    }
    for (guint j = 0; j < m->hdrexts->len; j++) {
        const PaMediaHdrExt *h = &g_array_index(m->hdrexts, PaMediaHdrExt, j);
        FUZZ_CHECK(h->id >= 1);
        FUZZ_CHECK(h->uri && *h->uri);
        check_text(h->uri, 512);
    }
}

void fuzz_check_colibri_endpoint(const PaColibriEndpoint *ep)
{
    check_token(ep->id, PA_COLIBRI_MAX_ID);
    FUZZ_CHECK(!(ep->create && ep->expire));
    check_text(ep->stats_id, PA_COLIBRI_MAX_ID);
    check_text(ep->muc_role, 32);
    FUZZ_CHECK(ep->capabilities != NULL);
    guint n_caps = 0;
    for (char **c = ep->capabilities; *c; c++, n_caps++) {
        check_token(*c, 64);
        FUZZ_CHECK(pa_colibri_endpoint_has_capability(ep, *c));
    }
    FUZZ_CHECK(n_caps <= PA_COLIBRI_MAX_ITEMS);
    FUZZ_CHECK(ep->media->len <= PA_COLIBRI_MAX_ITEMS);
    for (guint i = 0; i < ep->media->len; i++)
        fuzz_check_colibri_media(&g_array_index(ep->media, PaMediaDesc, i), FALSE);
    FUZZ_CHECK(!ep->has_ice || ep->has_transport);
    if (ep->has_ice)
        fuzz_check_transport(&ep->ice);
    FUZZ_CHECK(ep->has_sources || ep->sources->len == 0);
    fuzz_check_colibri_sources(ep->sources);
    if (ep->has_initial_last_n)
        FUZZ_CHECK(ep->initial_last_n >= -1 && ep->initial_last_n <= 10000);
}
