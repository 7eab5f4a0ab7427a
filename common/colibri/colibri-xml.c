/* SPDX-License-Identifier: MIT */
/* Colibri2 <-> libstrophe stanzas. Parsing validates everything a peer could get wrong and
 * reports the first problem with a reason naming the element; it never trusts sizes. */
#include <stdlib.h>
#include <string.h>

#include "common/colibri/colibri.h"
#include "common/media/media-xml.h"
#include "common/xmpp/attr.h"
#include "common/xmpp/ice-udp.h"
#include "common/xmpp/stanza.h"

const char *pa_colibri_status_str(PaColibriStatus st)
{
    switch (st) {
    case PA_COLIBRI_OK:
        return "ok";
    case PA_COLIBRI_NOT_COLIBRI:
        return "not a colibri2 element";
    case PA_COLIBRI_MALFORMED:
        return "malformed";
    case PA_COLIBRI_TOO_LARGE:
        return "too large";
    }
    return "?";
}

/* ---- parse helpers ---- */

G_STATIC_ASSERT(PA_COLIBRI_MALFORMED == PA_PARSE_MALFORMED);
G_STATIC_ASSERT(PA_COLIBRI_TOO_LARGE == PA_PARSE_TOO_LARGE);

typedef PaParseState ParseState;

static gboolean fail(ParseState *ps, PaColibriStatus st, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static gboolean fail(ParseState *ps, PaColibriStatus st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pa_parse_failv(ps, st, fmt, ap);
    va_end(ap);
    return FALSE;
}

/* Element @e is <name> in @ns, or without its own namespace (inherited from its parent). */
static gboolean is_elem(xmpp_stanza_t *e, const char *name, const char *ns)
{
    return pa_xml_is(e, name, ns, ns);
}

/* Printable, no whitespace or control characters, 1..max bytes, valid UTF-8. */
static gboolean token_ok(const char *s, gsize max)
{
    gsize n = s ? strlen(s) : 0;
    if (n == 0 || n > max || !g_utf8_validate(s, (gssize)n, NULL))
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if ((guchar)s[i] <= 0x20 || s[i] == 0x7f)
            return FALSE;
    return TRUE;
}

static gboolean parse_id_attr(ParseState *ps, xmpp_stanza_t *e, const char *attr, char **out)
{
    const char *v = xmpp_stanza_get_attribute(e, attr);
    if (!v)
        return fail(ps, PA_COLIBRI_MALFORMED, "<%s> without '%s'", xmpp_stanza_get_name(e), attr);
    if (!token_ok(v, PA_COLIBRI_MAX_ID))
        return fail(ps, PA_COLIBRI_MALFORMED,
                    "<%s %s>: must be 1-%d printable characters without spaces",
                    xmpp_stanza_get_name(e), attr, PA_COLIBRI_MAX_ID);
    g_free(*out);
    *out = g_strdup(v);
    return TRUE;
}

static gboolean check_count(ParseState *ps, guint n, const char *what)
{
    if (n >= PA_COLIBRI_MAX_ITEMS)
        return fail(ps, PA_COLIBRI_TOO_LARGE, "more than %d <%s> elements", PA_COLIBRI_MAX_ITEMS,
                    what);
    return TRUE;
}

static gboolean parse_media_type(ParseState *ps, xmpp_stanza_t *e, gboolean *video)
{
    const char *t = xmpp_stanza_get_attribute(e, "type");
    if (g_strcmp0(t, "audio") == 0)
        *video = FALSE;
    else if (g_strcmp0(t, "video") == 0)
        *video = TRUE;
    else
        return fail(ps, PA_COLIBRI_MALFORMED, "<%s type='%.16s'>: expected audio or video",
                    xmpp_stanza_get_name(e), t ? t : "");
    return TRUE;
}

/* ---- initial-last-n (also read and written by common/jingle) ---- */

gboolean pa_colibri_initial_last_n_parse(PaParseState *ps, xmpp_stanza_t *e, const char *kind,
                                         const char *id, gint *out)
{
    const char *v = xmpp_stanza_get_attribute(e, "value");
    char *end = NULL;
    long n = v ? strtol(v, &end, 10) : 0;
    if (!v || !*v || *end || n < -1 || n > PA_COLIBRI_LAST_N_MAX)
        return pa_parse_fail(ps, PA_PARSE_MALFORMED, "%s %s: initial-last-n value", kind,
                             id ? id : "?");
    *out = (gint)n;
    return TRUE;
}

void pa_colibri_initial_last_n_build(xmpp_stanza_t *parent, const char *ns, gint value)
{
    xmpp_stanza_t *ln = pa_stanza_add_child(parent, "initial-last-n", ns);
    char buf[16];
    g_snprintf(buf, sizeof buf, "%d", value);
    xmpp_stanza_set_attribute(ln, "value", buf);
}

/* ---- media (payload types, header extensions: common/media/media-xml.h) ---- */

static gboolean parse_media(ParseState *ps, xmpp_stanza_t *e, PaMediaDesc *m)
{
    if (!parse_media_type(ps, e, &m->video))
        return FALSE;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c))
        if (!pa_media_xml_parse_codec(ps, c, PA_NS_COLIBRI2, PA_MEDIA_XML_COLIBRI2, m))
            return FALSE;
    return TRUE;
}

/* ---- sources ---- */

static gboolean parse_media_source(ParseState *ps, xmpp_stanza_t *e, PaMediaSource *ms)
{
    if (!parse_media_type(ps, e, &ms->video) || !parse_id_attr(ps, e, "id", &ms->id) ||
        !pa_attr_bool(ps, e, "synthetic", &ms->synthetic))
        return FALSE;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c)) {
        if (pa_xml_is(c, "source", PA_NS_JINGLE_SSMA, PA_NS_COLIBRI2)) {
            PaMediaSsrc s;
            if (!check_count(ps, ms->sources->len, "source") ||
                !pa_media_xml_parse_source(ps, c, &s))
                return FALSE;
            g_array_append_val(ms->sources, s);
        } else if (pa_xml_is(c, "ssrc-group", PA_NS_JINGLE_SSMA, PA_NS_COLIBRI2)) {
            if (!check_count(ps, ms->groups->len, "ssrc-group"))
                return FALSE;
            PaMediaSsrcGroup g = {0};
            g.ssrcs = g_array_new(FALSE, FALSE, sizeof(guint32));
            gboolean ok =
                pa_media_xml_parse_group(ps, c, PA_COLIBRI_MAX_ITEMS, &g.semantics, g.ssrcs);
            g_array_append_val(ms->groups, g); /* owned by the array from here on */
            if (!ok)
                return FALSE;
        }
    }
    return TRUE;
}

static gboolean parse_sources(ParseState *ps, xmpp_stanza_t *e, GArray *sources)
{
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c)) {
        if (!is_elem(c, "media-source", PA_NS_COLIBRI2))
            continue;
        if (!check_count(ps, sources->len, "media-source"))
            return FALSE;
        PaMediaSource *ms = pa_media_sources_add(sources, FALSE, NULL);
        if (!parse_media_source(ps, c, ms))
            return FALSE;
    }
    return TRUE;
}

/* ---- endpoint ---- */

static gboolean parse_transport(ParseState *ps, xmpp_stanza_t *e, PaColibriEndpoint *ep)
{
    ep->has_transport = TRUE;
    if (!pa_attr_bool(ps, e, "ice-controlling", &ep->ice_controlling) ||
        !pa_attr_bool(ps, e, "ice-restart", &ep->ice_restart) ||
        !pa_attr_bool(ps, e, "use-unique-port", &ep->use_unique_port))
        return FALSE;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c)) {
        if (!xmpp_stanza_is_tag(c))
            continue;
        if (g_strcmp0(xmpp_stanza_get_name(c), "transport") == 0 &&
            g_strcmp0(xmpp_stanza_get_ns(c), PA_NS_ICE_UDP) == 0) {
            g_autofree char *why = NULL;
            PaIceUdpStatus st = pa_ice_udp_parse(c, &ep->ice, &why);
            if (st != PA_ICE_UDP_OK)
                return fail(ps, PA_COLIBRI_MALFORMED, "endpoint %s: transport: %s", ep->id, why);
            ep->has_ice = TRUE;
        } else if (is_elem(c, "sctp", PA_NS_COLIBRI2)) {
            ep->sctp = TRUE;
        }
    }
    return TRUE;
}

static gboolean parse_endpoint(ParseState *ps, xmpp_stanza_t *e, PaColibriEndpoint *ep)
{
    if (!parse_id_attr(ps, e, "id", &ep->id) || !pa_attr_bool(ps, e, "create", &ep->create) ||
        !pa_attr_bool(ps, e, "expire", &ep->expire) ||
        !pa_attr_text(ps, e, "stats-id", PA_COLIBRI_MAX_ID, FALSE, &ep->stats_id) ||
        !pa_attr_text(ps, e, "muc-role", 32, FALSE, &ep->muc_role))
        return FALSE;
    if (ep->create && ep->expire)
        return fail(ps, PA_COLIBRI_MALFORMED, "endpoint %s: both create and expire", ep->id);
    GPtrArray *caps = g_ptr_array_new();
    gboolean ok = TRUE;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); ok && c; c = xmpp_stanza_get_next(c)) {
        if (is_elem(c, "capability", PA_NS_COLIBRI2)) {
            const char *name = xmpp_stanza_get_attribute(c, "name");
            if (!name || !token_ok(name, 64))
                ok = fail(ps, PA_COLIBRI_MALFORMED, "endpoint %s: capability without a name",
                          ep->id);
            else if ((ok = check_count(ps, caps->len, "capability")))
                g_ptr_array_add(caps, g_strdup(name));
        } else if (is_elem(c, "media", PA_NS_COLIBRI2)) {
            if ((ok = check_count(ps, ep->media->len, "media"))) {
                g_array_set_size(ep->media, ep->media->len + 1);
                PaMediaDesc *m = &g_array_index(ep->media, PaMediaDesc, ep->media->len - 1);
                pa_media_desc_init(m, FALSE);
                ok = parse_media(ps, c, m);
            }
        } else if (is_elem(c, "transport", PA_NS_COLIBRI2)) {
            ok = parse_transport(ps, c, ep);
        } else if (is_elem(c, "sources", PA_NS_COLIBRI2)) {
            ep->has_sources = TRUE;
            ok = parse_sources(ps, c, ep->sources);
        } else if (is_elem(c, "force-mute", PA_NS_COLIBRI2)) {
            ep->has_force_mute = TRUE;
            ok = pa_attr_bool(ps, c, "audio", &ep->force_mute_audio) &&
                 pa_attr_bool(ps, c, "video", &ep->force_mute_video);
        } else if (is_elem(c, "initial-last-n", PA_NS_COLIBRI2)) {
            ok = pa_colibri_initial_last_n_parse(ps, c, "endpoint", ep->id, &ep->initial_last_n);
            ep->has_initial_last_n = TRUE;
        }
    }
    g_ptr_array_add(caps, NULL);
    g_strfreev(ep->capabilities);
    ep->capabilities = (char **)g_ptr_array_free(caps, FALSE);
    return ok;
}

static xmpp_stanza_t *find_payload(xmpp_stanza_t *stanza, const char *name)
{
    if (!stanza || !xmpp_stanza_is_tag(stanza))
        return NULL;
    if (g_strcmp0(xmpp_stanza_get_name(stanza), "iq") == 0)
        return pa_stanza_child(stanza, name, PA_NS_COLIBRI2);
    if (g_strcmp0(xmpp_stanza_get_name(stanza), name) == 0 &&
        g_strcmp0(xmpp_stanza_get_ns(stanza), PA_NS_COLIBRI2) == 0)
        return stanza;
    return NULL;
}

static PaColibriStatus finish(ParseState *ps, char **reason)
{
    if (reason)
        *reason = ps->reason;
    else
        g_free(ps->reason);
    return ps->status;
}

PaColibriStatus pa_colibri_parse_modify(xmpp_stanza_t *stanza, PaColibriConferenceModify *out,
                                        char **reason)
{
    ParseState ps = {PA_PARSE_OK, NULL};
    pa_colibri_modify_init(out);
    xmpp_stanza_t *cm = find_payload(stanza, "conference-modify");
    if (!cm) {
        fail(&ps, PA_COLIBRI_NOT_COLIBRI, "no <conference-modify xmlns='%s'>", PA_NS_COLIBRI2);
        return finish(&ps, reason);
    }
    if (!parse_id_attr(&ps, cm, "meeting-id", &out->meeting_id) ||
        !pa_attr_text(&ps, cm, "name", 1024, FALSE, &out->name) ||
        !pa_attr_bool(&ps, cm, "create", &out->create) ||
        !pa_attr_bool(&ps, cm, "expire", &out->expire) ||
        !pa_attr_bool(&ps, cm, "rtcstats-enabled", &out->rtcstats_enabled))
        return finish(&ps, reason);
    g_autoptr(GHashTable) seen = g_hash_table_new(g_str_hash, g_str_equal);
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(cm); c; c = xmpp_stanza_get_next(c)) {
        if (is_elem(c, "endpoint", PA_NS_COLIBRI2)) {
            if (out->endpoints->len >= PA_COLIBRI_MAX_ENDPOINTS) {
                fail(&ps, PA_COLIBRI_TOO_LARGE, "more than %d endpoints", PA_COLIBRI_MAX_ENDPOINTS);
                break;
            }
            PaColibriEndpoint *ep = pa_colibri_endpoints_add(out->endpoints, NULL);
            if (!parse_endpoint(&ps, c, ep))
                break;
            if (!g_hash_table_add(seen, ep->id)) {
                fail(&ps, PA_COLIBRI_MALFORMED, "endpoint %s listed twice", ep->id);
                break;
            }
        } else if (is_elem(c, "relay", PA_NS_COLIBRI2)) {
            out->n_relays++;
        }
    }
    return finish(&ps, reason);
}

PaColibriStatus pa_colibri_parse_modified(xmpp_stanza_t *stanza, PaColibriConferenceModified *out,
                                          char **reason)
{
    ParseState ps = {PA_PARSE_OK, NULL};
    pa_colibri_modified_init(out);
    xmpp_stanza_t *cm = find_payload(stanza, "conference-modified");
    if (!cm) {
        fail(&ps, PA_COLIBRI_NOT_COLIBRI, "no <conference-modified xmlns='%s'>", PA_NS_COLIBRI2);
        return finish(&ps, reason);
    }
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(cm); c; c = xmpp_stanza_get_next(c)) {
        if (is_elem(c, "endpoint", PA_NS_COLIBRI2)) {
            if (out->endpoints->len >= PA_COLIBRI_MAX_ENDPOINTS) {
                fail(&ps, PA_COLIBRI_TOO_LARGE, "more than %d endpoints", PA_COLIBRI_MAX_ENDPOINTS);
                break;
            }
            PaColibriEndpoint *ep = pa_colibri_endpoints_add(out->endpoints, NULL);
            if (!parse_endpoint(&ps, c, ep))
                break;
        } else if (is_elem(c, "sources", PA_NS_COLIBRI2)) {
            out->has_sources = TRUE;
            if (!parse_sources(&ps, c, out->sources))
                break;
        }
    }
    return finish(&ps, reason);
}

/* ---- build ---- */

static void set_bool(xmpp_stanza_t *e, const char *attr, gboolean v)
{
    if (v)
        xmpp_stanza_set_attribute(e, attr, "true");
}

static void build_sources(xmpp_stanza_t *parent, GArray *sources)
{
    xmpp_stanza_t *se = pa_stanza_add_child(parent, "sources", NULL);
    for (guint i = 0; i < sources->len; i++) {
        const PaMediaSource *ms = &g_array_index(sources, PaMediaSource, i);
        xmpp_stanza_t *mse = pa_stanza_add_child(se, "media-source", NULL);
        xmpp_stanza_set_attribute(mse, "type", ms->video ? "video" : "audio");
        xmpp_stanza_set_attribute(mse, "id", ms->id ? ms->id : "");
        set_bool(mse, "synthetic", ms->synthetic);
        for (guint j = 0; ms->sources && j < ms->sources->len; j++) {
            const PaMediaSsrc *s = &g_array_index(ms->sources, PaMediaSsrc, j);
            pa_media_xml_build_source(mse, s->ssrc, s->name, s->msid);
        }
        for (guint j = 0; ms->groups && j < ms->groups->len; j++) {
            const PaMediaSsrcGroup *g = &g_array_index(ms->groups, PaMediaSsrcGroup, j);
            pa_media_xml_build_group(mse, g->semantics,
                                     g->ssrcs ? (const guint32 *)g->ssrcs->data : NULL,
                                     g->ssrcs ? g->ssrcs->len : 0);
        }
    }
}

static void build_media(xmpp_stanza_t *parent, const PaMediaDesc *m)
{
    xmpp_stanza_t *me = pa_stanza_add_child(parent, "media", NULL);
    xmpp_stanza_set_attribute(me, "type", m->video ? "video" : "audio");
    pa_media_xml_build_codecs(me, m, PA_MEDIA_XML_COLIBRI2);
}

static void build_endpoint(xmpp_stanza_t *parent, const PaColibriEndpoint *ep)
{
    xmpp_stanza_t *e = pa_stanza_add_child(parent, "endpoint", NULL);
    xmpp_stanza_set_attribute(e, "id", ep->id ? ep->id : "");
    set_bool(e, "create", ep->create);
    set_bool(e, "expire", ep->expire);
    if (ep->stats_id)
        xmpp_stanza_set_attribute(e, "stats-id", ep->stats_id);
    if (ep->muc_role)
        xmpp_stanza_set_attribute(e, "muc-role", ep->muc_role);
    for (char **c = ep->capabilities; c && *c; c++) {
        xmpp_stanza_t *ce = pa_stanza_add_child(e, "capability", NULL);
        xmpp_stanza_set_attribute(ce, "name", *c);
    }
    for (guint i = 0; ep->media && i < ep->media->len; i++)
        build_media(e, &g_array_index(ep->media, PaMediaDesc, i));
    if (ep->has_transport || ep->has_ice) {
        xmpp_stanza_t *t = pa_stanza_add_child(e, "transport", NULL);
        set_bool(t, "ice-controlling", ep->ice_controlling);
        set_bool(t, "ice-restart", ep->ice_restart);
        set_bool(t, "use-unique-port", ep->use_unique_port);
        if (ep->has_ice) {
            xmpp_stanza_t *ice = pa_ice_udp_build(xmpp_stanza_get_context(parent), &ep->ice);
            xmpp_stanza_add_child(t, ice);
            xmpp_stanza_release(ice);
        }
        if (ep->sctp)
            pa_stanza_add_child(t, "sctp", NULL);
    }
    if (ep->has_sources)
        build_sources(e, ep->sources);
    if (ep->has_force_mute) {
        xmpp_stanza_t *fm = pa_stanza_add_child(e, "force-mute", NULL);
        xmpp_stanza_set_attribute(fm, "audio", ep->force_mute_audio ? "true" : "false");
        xmpp_stanza_set_attribute(fm, "video", ep->force_mute_video ? "true" : "false");
    }
    if (ep->has_initial_last_n)
        pa_colibri_initial_last_n_build(e, NULL, ep->initial_last_n);
}

xmpp_stanza_t *pa_colibri_build_modify(xmpp_ctx_t *ctx, const PaColibriConferenceModify *m)
{
    xmpp_stanza_t *cm = pa_stanza_element(ctx, "conference-modify", PA_NS_COLIBRI2);
    xmpp_stanza_set_attribute(cm, "meeting-id", m->meeting_id ? m->meeting_id : "");
    if (m->name)
        xmpp_stanza_set_attribute(cm, "name", m->name);
    set_bool(cm, "create", m->create);
    set_bool(cm, "expire", m->expire);
    set_bool(cm, "rtcstats-enabled", m->rtcstats_enabled);
    for (guint i = 0; m->endpoints && i < m->endpoints->len; i++)
        build_endpoint(cm, &g_array_index(m->endpoints, PaColibriEndpoint, i));
    return cm;
}

xmpp_stanza_t *pa_colibri_build_modified(xmpp_ctx_t *ctx, const PaColibriConferenceModified *m)
{
    xmpp_stanza_t *cm = pa_stanza_element(ctx, "conference-modified", PA_NS_COLIBRI2);
    for (guint i = 0; m->endpoints && i < m->endpoints->len; i++)
        build_endpoint(cm, &g_array_index(m->endpoints, PaColibriEndpoint, i));
    if (m->has_sources)
        build_sources(cm, m->sources);
    return cm;
}

/* ---- errors ---- */

typedef struct {
    const char *reason;    /* colibri2 reason, or NULL */
    const char *condition; /* RFC 6120 */
    PaErrorType type;
} ErrorInfo;

static const ErrorInfo error_info[] = {
    [PA_COLIBRI_ERROR_CONFERENCE_NOT_FOUND] = {"CONFERENCE_NOT_FOUND", "item-not-found",
                                               PA_ERR_CANCEL},
    [PA_COLIBRI_ERROR_CONFERENCE_ALREADY_EXISTS] = {"CONFERENCE_ALREADY_EXISTS", "conflict",
                                                    PA_ERR_CANCEL},
    [PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT] = {"UNKNOWN_ENDPOINT", "item-not-found", PA_ERR_CANCEL},
    [PA_COLIBRI_ERROR_GRACEFUL_SHUTDOWN] = {"GRACEFUL_SHUTDOWN", "service-unavailable",
                                            PA_ERR_CANCEL},
    [PA_COLIBRI_ERROR_FEATURE_NOT_IMPLEMENTED] = {"FEATURE_NOT_IMPLEMENTED",
                                                  "feature-not-implemented", PA_ERR_CANCEL},
    [PA_COLIBRI_ERROR_BAD_REQUEST] = {NULL, "bad-request", PA_ERR_MODIFY},
    [PA_COLIBRI_ERROR_FORBIDDEN] = {NULL, "forbidden", PA_ERR_CANCEL},
    [PA_COLIBRI_ERROR_ENDPOINT_CONFLICT] = {NULL, "conflict", PA_ERR_CANCEL},
    [PA_COLIBRI_ERROR_INTERNAL] = {NULL, "internal-server-error", PA_ERR_WAIT},
    [PA_COLIBRI_ERROR_UNSPECIFIED] = {NULL, "undefined-condition", PA_ERR_CANCEL},
};

const char *pa_colibri_error_reason(PaColibriError e)
{
    g_return_val_if_fail((guint)e < G_N_ELEMENTS(error_info), NULL);
    return error_info[e].reason;
}

const char *pa_colibri_error_condition(PaColibriError e)
{
    g_return_val_if_fail((guint)e < G_N_ELEMENTS(error_info), "undefined-condition");
    return error_info[e].condition;
}

xmpp_stanza_t *pa_colibri_error_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *request, PaColibriError e,
                                      const char *endpoint_id, const char *text)
{
    g_return_val_if_fail((guint)e < G_N_ELEMENTS(error_info), NULL);
    const ErrorInfo *info = &error_info[e];
    xmpp_stanza_t *app = NULL;
    if (info->reason) {
        app = pa_stanza_element(ctx, "error", PA_NS_COLIBRI2);
        xmpp_stanza_set_attribute(app, "reason", info->reason);
    }
    xmpp_stanza_t *reply =
        pa_stanza_error_reply(ctx, request, info->type, info->condition, text, app);
    if (e == PA_COLIBRI_ERROR_UNKNOWN_ENDPOINT && endpoint_id) {
        xmpp_stanza_t *err = pa_stanza_child(reply, "error", NULL);
        xmpp_stanza_t *ep = pa_stanza_add_child(err, "endpoint", PA_NS_COLIBRI2);
        xmpp_stanza_set_attribute(ep, "id", endpoint_id);
    }
    return reply;
}

PaColibriError pa_colibri_error_parse(xmpp_stanza_t *error_iq, char **endpoint_id)
{
    if (endpoint_id)
        *endpoint_id = NULL;
    xmpp_stanza_t *err = pa_stanza_child(error_iq, "error", NULL);
    if (!err)
        return PA_COLIBRI_ERROR_UNSPECIFIED;
    PaColibriError result = PA_COLIBRI_ERROR_UNSPECIFIED;
    xmpp_stanza_t *c2 = pa_stanza_child(err, "error", PA_NS_COLIBRI2);
    const char *reason = c2 ? xmpp_stanza_get_attribute(c2, "reason") : NULL;
    for (guint i = 0; reason && i < G_N_ELEMENTS(error_info); i++) {
        if (error_info[i].reason && g_ascii_strcasecmp(error_info[i].reason, reason) == 0)
            result = (PaColibriError)i;
    }
    xmpp_stanza_t *ep = pa_stanza_child(err, "endpoint", PA_NS_COLIBRI2);
    if (endpoint_id && ep && xmpp_stanza_get_attribute(ep, "id"))
        *endpoint_id = g_strdup(xmpp_stanza_get_attribute(ep, "id"));
    return result;
}
