/* SPDX-License-Identifier: MIT */
/* Jingle <-> libstrophe stanzas. Parsing validates everything a peer could get wrong, bounds
 * every list, and reports the first problem with a reason naming the element; it never
 * trusts sizes. Stanzas parsed from the network carry resolved namespaces on every element;
 * stanzas built in-process leave inherited ones unset, so "in namespace X" means "X, or
 * none of its own". */
#include "common/jingle/jingle.h"

#include "common/media/media-xml.h"
#include "common/xmpp/attr.h"
#include "common/xmpp/stanza.h"

#include <stdlib.h>
#include <string.h>

const char *pa_jingle_status_str(PaJingleStatus st)
{
    switch (st) {
    case PA_JINGLE_OK:
        return "ok";
    case PA_JINGLE_NOT_JINGLE:
        return "not a jingle element";
    case PA_JINGLE_MALFORMED:
        return "malformed";
    case PA_JINGLE_TOO_LARGE:
        return "too large";
    }
    return "?";
}

/* ---- parse helpers ---- */

G_STATIC_ASSERT(PA_JINGLE_MALFORMED == PA_PARSE_MALFORMED);
G_STATIC_ASSERT(PA_JINGLE_TOO_LARGE == PA_PARSE_TOO_LARGE);
G_STATIC_ASSERT(PA_JINGLE_MAX_NAME == PA_MEDIA_MAX_NAME);

typedef struct {
    PaParseState p;  /* status (a PaJingleStatus) and reason */
    guint n_sources; /* across the whole element, for the bound */
    guint n_groups;
} ParseState;

static gboolean fail(ParseState *ps, PaJingleStatus st, const char *fmt, ...) G_GNUC_PRINTF(3, 4);
static gboolean fail(ParseState *ps, PaJingleStatus st, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pa_parse_failv(&ps->p, st, fmt, ap);
    va_end(ap);
    return FALSE;
}

static gboolean is_elem(xmpp_stanza_t *e, const char *name, const char *ns)
{
    return pa_xml_is(e, name, ns, ns);
}

/* Like is_elem, but the namespace must be stated (a <source> in a description is only an
 * ssma:0 source if it says so; inheriting the description's namespace makes it something
 * else). Built stanzas state it too (pa_stanza_add_child with the namespace). */
static gboolean is_elem_ns(xmpp_stanza_t *e, const char *name, const char *ns)
{
    return pa_xml_is(e, name, ns, NULL);
}

/* The element's text as a g_malloc'd string (libstrophe's own is released with xmpp_free). */
static char *element_text(xmpp_stanza_t *e)
{
    char *t = xmpp_stanza_get_text(e);
    if (!t)
        return NULL;
    char *r = g_strdup(t);
    xmpp_free(xmpp_stanza_get_context(e), t);
    return r;
}

/* The endpoint id an owner names: a JID's resource, or the value itself. */
static char *owner_endpoint(const char *owner)
{
    if (!owner)
        return NULL;
    const char *slash = strchr(owner, '/');
    return g_strdup(slash && slash[1] ? slash + 1 : owner);
}

/* ---- description: codecs ---- */

static gboolean parse_codec_child(ParseState *ps, xmpp_stanza_t *c, PaJingleContent *ct)
{
    if (is_elem(c, "rtcp-mux", PA_NS_JINGLE_RTP)) {
        ct->rtcp_mux = TRUE;
        return TRUE;
    }
    return pa_media_xml_parse_codec(&ps->p, c, PA_NS_JINGLE_RTP, PA_MEDIA_XML_JINGLE, &ct->rtp);
}

/* ---- sources ---- */

static PaJingleVideoType parse_video_type(const char *v)
{
    if (!v)
        return PA_JINGLE_VIDEO_TYPE_UNSET;
    if (g_ascii_strcasecmp(v, "camera") == 0)
        return PA_JINGLE_VIDEO_TYPE_CAMERA;
    if (g_str_has_prefix(v, "desktop")) /* desktop, desktop_high_fps */
        return PA_JINGLE_VIDEO_TYPE_DESKTOP;
    return PA_JINGLE_VIDEO_TYPE_UNSET;
}

static gboolean parse_source(ParseState *ps, xmpp_stanza_t *e, gboolean video, PaJingleSources *out)
{
    if (!xmpp_stanza_get_attribute(e, "ssrc") && xmpp_stanza_get_attribute(e, "rid"))
        return TRUE; /* simulcast by rid: no SSRC to signal */
    if (++ps->n_sources > PA_JINGLE_MAX_SOURCES)
        return fail(ps, PA_JINGLE_TOO_LARGE, "more than %d sources", PA_JINGLE_MAX_SOURCES);
    PaMediaSsrc src;
    if (!pa_media_xml_parse_source(&ps->p, e, &src))
        return FALSE;
    g_autofree char *name = src.name;
    g_autofree char *msid = src.msid;
    g_autofree char *video_type = NULL;
    g_autofree char *owner = NULL;
    if (!pa_attr_text(&ps->p, e, "videoType", 32, FALSE, &video_type))
        return FALSE;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c)) {
        if (is_elem_ns(c, "ssrc-info", PA_NS_JITMEET) &&
            !pa_attr_text(&ps->p, c, "owner", PA_JINGLE_MAX_NAME, FALSE, &owner))
            return FALSE;
    }
    g_autofree char *ep = owner_endpoint(owner);
    PaJingleSource *s = pa_jingle_sources_add(out, src.ssrc, video, name, msid, ep);
    s->video_type = video ? parse_video_type(video_type) : PA_JINGLE_VIDEO_TYPE_UNSET;
    return TRUE;
}

static gboolean parse_group(ParseState *ps, xmpp_stanza_t *e, gboolean video, PaJingleSources *out)
{
    if (++ps->n_groups > PA_JINGLE_MAX_GROUPS)
        return fail(ps, PA_JINGLE_TOO_LARGE, "more than %d ssrc-groups", PA_JINGLE_MAX_GROUPS);
    g_autofree char *semantics = NULL;
    g_autoptr(GArray) ssrcs = g_array_new(FALSE, FALSE, sizeof(guint32));
    if (!pa_media_xml_parse_group(&ps->p, e, PA_JINGLE_MAX_GROUP_SSRCS, &semantics, ssrcs))
        return FALSE;
    PaJingleGroupSemantics sem = pa_jingle_group_semantics_parse(semantics);
    PaJingleSsrcGroup *g = pa_jingle_sources_add_group(out, video, sem, NULL,
                                                       (const guint32 *)ssrcs->data, ssrcs->len);
    if (sem == PA_JINGLE_GROUP_OTHER) {
        g_free(g->semantics_name);
        g->semantics_name = g_steal_pointer(&semantics);
    }
    return TRUE;
}

/* Sources and groups that are children of @parent (a description, or a content). */
static gboolean parse_sources_in(ParseState *ps, xmpp_stanza_t *parent, gboolean video,
                                 PaJingleSources *out)
{
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(parent); c; c = xmpp_stanza_get_next(c)) {
        if (is_elem_ns(c, "source", PA_NS_JINGLE_SSMA)) {
            if (!parse_source(ps, c, video, out))
                return FALSE;
        } else if (is_elem_ns(c, "ssrc-group", PA_NS_JINGLE_SSMA)) {
            if (!parse_group(ps, c, video, out))
                return FALSE;
        }
    }
    return TRUE;
}

/* ---- contents ---- */

static gboolean parse_content(ParseState *ps, xmpp_stanza_t *e, PaJingle *j)
{
    if (j->contents->len >= PA_JINGLE_MAX_CONTENTS)
        return fail(ps, PA_JINGLE_TOO_LARGE, "more than %d contents", PA_JINGLE_MAX_CONTENTS);
    PaJingleContent *ct = pa_jingle_add_content(j, NULL, NULL, NULL);
    if (!pa_attr_text(&ps->p, e, "name", 64, FALSE, &ct->name) ||
        !pa_attr_text(&ps->p, e, "creator", 32, FALSE, &ct->creator) ||
        !pa_attr_text(&ps->p, e, "senders", 32, FALSE, &ct->senders))
        return FALSE;
    xmpp_stanza_t *desc = NULL;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c)) {
        if (!desc && is_elem_ns(c, "description", PA_NS_JINGLE_RTP)) {
            desc = c;
        } else if (!ct->has_transport && is_elem_ns(c, "transport", PA_NS_ICE_UDP)) {
            g_autofree char *why = NULL;
            PaIceUdpStatus st = pa_ice_udp_parse(c, &ct->transport, &why);
            if (st != PA_ICE_UDP_OK)
                return fail(ps, PA_JINGLE_MALFORMED, "content %s: transport: %s",
                            ct->name ? ct->name : "?", why ? why : pa_ice_udp_status_str(st));
            ct->has_transport = TRUE;
        } else if (is_elem_ns(c, "initial-last-n", PA_NS_COLIBRI2)) {
            if (!pa_colibri_initial_last_n_parse(&ps->p, c, "content", ct->name,
                                                 &ct->initial_last_n))
                return FALSE;
            ct->has_initial_last_n = TRUE;
        }
    }
    gboolean video = g_strcmp0(ct->name, "video") == 0;
    if (desc) {
        g_autofree char *media = NULL;
        guint64 maxptime;
        if (!pa_attr_text(&ps->p, desc, "media", 32, FALSE, &media) ||
            !pa_attr_uint(&ps->p, desc, "maxptime", 0, 100000, FALSE, &maxptime))
            return FALSE;
        pa_jingle_content_set_media(ct, media ? media : ct->name);
        ct->maxptime = (guint)maxptime;
        video = ct->rtp.video;
        for (xmpp_stanza_t *c = xmpp_stanza_get_children(desc); c; c = xmpp_stanza_get_next(c))
            if (!parse_codec_child(ps, c, ct))
                return FALSE;
        if (!parse_sources_in(ps, desc, video, &j->sources))
            return FALSE;
    }
    /* Jicofo also reads sources placed directly in the content. */
    return parse_sources_in(ps, e, video, &j->sources);
}

/* ---- the <jingle> element ---- */

static xmpp_stanza_t *find_jingle(xmpp_stanza_t *stanza)
{
    if (!stanza || !xmpp_stanza_is_tag(stanza))
        return NULL;
    if (g_strcmp0(xmpp_stanza_get_name(stanza), "iq") == 0)
        return pa_stanza_child(stanza, "jingle", PA_NS_JINGLE);
    if (g_strcmp0(xmpp_stanza_get_name(stanza), "jingle") == 0 &&
        g_strcmp0(xmpp_stanza_get_ns(stanza), PA_NS_JINGLE) == 0)
        return stanza;
    return NULL;
}

static gboolean parse_reason(ParseState *ps, xmpp_stanza_t *e, PaJingle *j)
{
    j->has_reason = TRUE;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c)) {
        if (!xmpp_stanza_is_tag(c))
            continue;
        const char *name = xmpp_stanza_get_name(c);
        if (g_strcmp0(name, "text") == 0) {
            g_autofree char *t = element_text(c);
            if (t && !j->reason_text) {
                if (!g_utf8_validate(t, -1, NULL) || strlen(t) > 1024)
                    return fail(ps, PA_JINGLE_MALFORMED, "<reason><text>: too long or not text");
                j->reason_text = g_steal_pointer(&t);
            }
        } else if (!j->reason && name && strlen(name) <= 64) {
            j->reason = g_strdup(name);
        }
    }
    return TRUE;
}

static gboolean parse_top_child(ParseState *ps, xmpp_stanza_t *c, PaJingle *j)
{
    if (is_elem(c, "content", PA_NS_JINGLE))
        return parse_content(ps, c, j);
    if (is_elem_ns(c, "group", PA_NS_JINGLE_GROUPING)) {
        const char *sem = xmpp_stanza_get_attribute(c, "semantics");
        if (!sem)
            sem = xmpp_stanza_get_attribute(c, "type"); /* older spelling */
        if (g_strcmp0(sem, "BUNDLE") != 0 || j->has_bundle)
            return TRUE;
        j->has_bundle = TRUE;
        for (xmpp_stanza_t *n = xmpp_stanza_get_children(c); n; n = xmpp_stanza_get_next(n)) {
            if (!is_elem(n, "content", PA_NS_JINGLE_GROUPING))
                continue;
            const char *name = xmpp_stanza_get_attribute(n, "name");
            if (!name || !pa_attr_text_ok(name, 64) || j->bundle->len >= PA_JINGLE_MAX_CONTENTS)
                return fail(ps, PA_JINGLE_MALFORMED, "BUNDLE group: bad content name");
            g_ptr_array_add(j->bundle, g_strdup(name));
        }
        return TRUE;
    }
    if (is_elem_ns(c, "bridge-session", PA_NS_JITSI_FOCUS)) {
        j->has_bridge_session = TRUE;
        return pa_attr_text(&ps->p, c, "id", PA_JINGLE_MAX_NAME, FALSE, &j->bridge_session_id) &&
               pa_attr_text(&ps->p, c, "region", PA_JINGLE_MAX_NAME, FALSE,
                            &j->bridge_session_region) &&
               pa_attr_bool(&ps->p, c, "restart", &j->bridge_session_restart) &&
               pa_attr_bool(&ps->p, c, "ice-restart", &j->bridge_session_ice_restart);
    }
    if (is_elem_ns(c, "ice-state", PA_NS_JITSI_FOCUS)) {
        g_autofree char *t = element_text(c);
        if (t) {
            g_strstrip(t);
            if (!pa_attr_text_ok(t, 64))
                return fail(ps, PA_JINGLE_MALFORMED, "<ice-state>: too long or not text");
            g_free(j->ice_state);
            j->ice_state = g_steal_pointer(&t);
        }
        return TRUE;
    }
    if (is_elem_ns(c, "startmuted", PA_NS_START_MUTED)) {
        j->has_start_muted = TRUE;
        return pa_attr_bool(&ps->p, c, "audio", &j->start_muted_audio) &&
               pa_attr_bool(&ps->p, c, "video", &j->start_muted_video);
    }
    if (is_elem_ns(c, "json-message", PA_NS_JITMEET)) {
        g_autofree char *t = element_text(c);
        if (!t)
            return TRUE;
        if (strlen(t) > PA_JINGLE_MAX_JSON)
            return fail(ps, PA_JINGLE_TOO_LARGE, "json-message over %d bytes", PA_JINGLE_MAX_JSON);
        g_autofree char *why = NULL;
        PaJingleStatus st = pa_jingle_sources_from_json(t, &j->sources, &why);
        if (st != PA_JINGLE_OK)
            return fail(ps, st, "json-message: %s", why ? why : pa_jingle_status_str(st));
        j->json_sources = TRUE;
        if (j->sources.sources->len > PA_JINGLE_MAX_SOURCES ||
            j->sources.groups->len > PA_JINGLE_MAX_GROUPS)
            return fail(ps, PA_JINGLE_TOO_LARGE, "json-message: too many sources or groups");
        return TRUE;
    }
    if (is_elem(c, "reason", PA_NS_JINGLE))
        return parse_reason(ps, c, j);
    return TRUE;
}

PaJingleStatus pa_jingle_parse(xmpp_stanza_t *stanza, PaJingle *out, char **reason)
{
    ParseState ps = {{PA_PARSE_OK, NULL}, 0, 0};
    pa_jingle_init(out);
    xmpp_stanza_t *je = find_jingle(stanza);
    if (!je) {
        fail(&ps, PA_JINGLE_NOT_JINGLE, "no <jingle xmlns='%s'>", PA_NS_JINGLE);
        goto done;
    }
    if (!pa_attr_text(&ps.p, je, "action", 64, TRUE, &out->action_name) ||
        !pa_attr_text(&ps.p, je, "sid", PA_JINGLE_MAX_NAME, TRUE, &out->sid) ||
        !pa_attr_text(&ps.p, je, "initiator", 3072, FALSE, &out->initiator) ||
        !pa_attr_text(&ps.p, je, "responder", 3072, FALSE, &out->responder))
        goto done;
    out->action = pa_jingle_action_parse(out->action_name);
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(je); c; c = xmpp_stanza_get_next(c))
        if (!parse_top_child(&ps, c, out))
            break;
done:
    /* Reasons quote what the peer sent, cut to a length (possibly inside a UTF-8 sequence) and
     * they go back to it as XML text: make them safe once, here. */
    if (reason)
        *reason = pa_jingle_safe_text(ps.p.reason);
    g_free(ps.p.reason);
    return (PaJingleStatus)ps.p.status;
}

/* ---- build ---- */

static void build_sources_xml(xmpp_stanza_t *desc, const PaJingleSources *s, gboolean video)
{
    for (guint i = 0; i < s->sources->len; i++) {
        const PaJingleSource *src = &g_array_index(s->sources, PaJingleSource, i);
        if (src->video != video)
            continue;
        xmpp_stanza_t *e = pa_media_xml_build_source(desc, src->ssrc, src->name, src->msid);
        if (video && src->video_type != PA_JINGLE_VIDEO_TYPE_UNSET)
            xmpp_stanza_set_attribute(e, "videoType",
                                      src->video_type == PA_JINGLE_VIDEO_TYPE_DESKTOP ? "desktop"
                                                                                      : "camera");
        /* Sources without an owner are the bridge's, listed as "jvb" (as in the JSON form). */
        xmpp_stanza_t *o = pa_stanza_add_child(e, "ssrc-info", PA_NS_JITMEET);
        xmpp_stanza_set_attribute(o, "owner", src->owner ? src->owner : "jvb");
    }
    for (guint i = 0; i < s->groups->len; i++) {
        const PaJingleSsrcGroup *g = &g_array_index(s->groups, PaJingleSsrcGroup, i);
        if (g->video == video)
            pa_media_xml_build_group(desc, pa_jingle_group_semantics_str(g),
                                     (const guint32 *)g->ssrcs->data, g->ssrcs->len);
    }
}

static gboolean sources_have(const PaJingleSources *s, gboolean video)
{
    for (guint i = 0; i < s->sources->len; i++)
        if (g_array_index(s->sources, PaJingleSource, i).video == video)
            return TRUE;
    for (guint i = 0; i < s->groups->len; i++)
        if (g_array_index(s->groups, PaJingleSsrcGroup, i).video == video)
            return TRUE;
    return FALSE;
}

static xmpp_stanza_t *build_description(xmpp_stanza_t *content, const PaJingleContent *c,
                                        const char *media)
{
    xmpp_stanza_t *desc = pa_stanza_add_child(content, "description", PA_NS_JINGLE_RTP);
    xmpp_stanza_set_attribute(desc, "media", media);
    if (c && c->maxptime)
        pa_attr_set_uint(desc, "maxptime", c->maxptime);
    if (c)
        pa_media_xml_build_codecs(desc, &c->rtp, PA_MEDIA_XML_JINGLE);
    return desc;
}

static void build_content(xmpp_stanza_t *je, const PaJingle *j, const PaJingleContent *c,
                          gboolean with_xml_sources)
{
    xmpp_stanza_t *ce = pa_stanza_add_child(je, "content", NULL);
    if (c->creator)
        xmpp_stanza_set_attribute(ce, "creator", c->creator);
    if (c->name)
        xmpp_stanza_set_attribute(ce, "name", c->name);
    if (c->senders)
        xmpp_stanza_set_attribute(ce, "senders", c->senders);
    gboolean is_av = g_strcmp0(c->media, "audio") == 0 || g_strcmp0(c->media, "video") == 0;
    if (c->has_description) {
        xmpp_stanza_t *desc = build_description(ce, c, c->media ? c->media : "");
        if (with_xml_sources && is_av)
            build_sources_xml(desc, &j->sources, c->rtp.video);
        if (c->rtcp_mux)
            pa_stanza_add_child(desc, "rtcp-mux", NULL);
    }
    if (c->has_transport) {
        xmpp_stanza_t *t = pa_ice_udp_build(xmpp_stanza_get_context(je), &c->transport);
        xmpp_stanza_add_child(ce, t);
        xmpp_stanza_release(t);
    }
    if (c->has_initial_last_n)
        pa_colibri_initial_last_n_build(ce, PA_NS_COLIBRI2, c->initial_last_n);
}

xmpp_stanza_t *pa_jingle_build(xmpp_ctx_t *ctx, const PaJingle *j)
{
    xmpp_stanza_t *je = pa_stanza_element(ctx, "jingle", PA_NS_JINGLE);
    const char *action = pa_jingle_action_str(j->action);
    xmpp_stanza_set_attribute(je, "action",
                              action ? action : (j->action_name ? j->action_name : ""));
    if (j->initiator)
        xmpp_stanza_set_attribute(je, "initiator", j->initiator);
    if (j->responder)
        xmpp_stanza_set_attribute(je, "responder", j->responder);
    xmpp_stanza_set_attribute(je, "sid", j->sid ? j->sid : "");

    gboolean xml_sources = !j->json_sources;
    for (guint i = 0; i < j->contents->len; i++)
        build_content(je, j, &g_array_index(j->contents, PaJingleContent, i), xml_sources);
    if (xml_sources) {
        /* Sources of a media without a content of its own (source-add, source-remove). */
        static const char *const medias[] = {"audio", "video"};
        for (guint m = 0; m < G_N_ELEMENTS(medias); m++) {
            gboolean video = m == 1;
            if (!sources_have(&j->sources, video) || pa_jingle_find_content(j, medias[m]))
                continue;
            xmpp_stanza_t *ce = pa_stanza_add_child(je, "content", NULL);
            xmpp_stanza_set_attribute(ce, "name", medias[m]);
            xmpp_stanza_t *desc = build_description(ce, NULL, medias[m]);
            build_sources_xml(desc, &j->sources, video);
        }
    }
    if (j->has_bundle) {
        xmpp_stanza_t *g = pa_stanza_add_child(je, "group", PA_NS_JINGLE_GROUPING);
        xmpp_stanza_set_attribute(g, "semantics", "BUNDLE");
        for (guint i = 0; i < j->bundle->len; i++) {
            xmpp_stanza_t *c = pa_stanza_add_child(g, "content", NULL);
            xmpp_stanza_set_attribute(c, "name", j->bundle->pdata[i]);
        }
    }
    if (j->has_bridge_session) {
        xmpp_stanza_t *bs = pa_stanza_add_child(je, "bridge-session", PA_NS_JITSI_FOCUS);
        if (j->bridge_session_id)
            xmpp_stanza_set_attribute(bs, "id", j->bridge_session_id);
        if (j->bridge_session_region)
            xmpp_stanza_set_attribute(bs, "region", j->bridge_session_region);
        if (j->bridge_session_restart)
            xmpp_stanza_set_attribute(bs, "restart", "true");
        if (j->bridge_session_ice_restart)
            xmpp_stanza_set_attribute(bs, "ice-restart", "true");
    }
    if (j->ice_state) {
        xmpp_stanza_t *is = pa_stanza_add_child(je, "ice-state", PA_NS_JITSI_FOCUS);
        pa_stanza_add_text(is, j->ice_state);
    }
    if (j->has_start_muted) {
        xmpp_stanza_t *sm = pa_stanza_add_child(je, "startmuted", PA_NS_START_MUTED);
        xmpp_stanza_set_attribute(sm, "audio", j->start_muted_audio ? "true" : "false");
        xmpp_stanza_set_attribute(sm, "video", j->start_muted_video ? "true" : "false");
    }
    if (j->has_reason) {
        xmpp_stanza_t *r = pa_stanza_add_child(je, "reason", NULL);
        pa_stanza_add_child(r, j->reason ? j->reason : "success", NULL);
        if (j->reason_text) {
            xmpp_stanza_t *t = pa_stanza_add_child(r, "text", NULL);
            pa_stanza_add_text(t, j->reason_text);
        }
    }
    if (j->json_sources &&
        (!pa_jingle_sources_empty(&j->sources) || j->action == PA_JINGLE_SESSION_INITIATE ||
         j->action == PA_JINGLE_SOURCE_ADD || j->action == PA_JINGLE_SOURCE_REMOVE)) {
        g_autofree char *json = pa_jingle_sources_to_json_message(&j->sources);
        xmpp_stanza_t *jm = pa_stanza_add_child(je, "json-message", PA_NS_JITMEET);
        pa_stanza_add_text(jm, json);
    }
    return je;
}

xmpp_stanza_t *pa_jingle_build_iq(xmpp_ctx_t *ctx, const PaJingle *j, const char *from,
                                  const char *to, const char *id)
{
    xmpp_stanza_t *iq = xmpp_iq_new(ctx, "set", id);
    if (from)
        xmpp_stanza_set_from(iq, from);
    if (to)
        xmpp_stanza_set_to(iq, to);
    xmpp_stanza_t *je = pa_jingle_build(ctx, j);
    xmpp_stanza_add_child(iq, je);
    xmpp_stanza_release(je);
    return iq;
}
