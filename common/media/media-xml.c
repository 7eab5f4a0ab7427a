/* SPDX-License-Identifier: MIT */
/* RTP description elements shared by Colibri2 and Jingle (see media-xml.h). Stateless. */
#include "common/media/media-xml.h"

#include "common/xmpp/stanza.h"

#include <string.h>

static gboolean check_count(PaParseState *ps, guint n, const char *what)
{
    if (n >= PA_MEDIA_MAX_ITEMS)
        return pa_parse_fail(ps, PA_PARSE_TOO_LARGE, "more than %d <%s> elements",
                             PA_MEDIA_MAX_ITEMS, what);
    return TRUE;
}

static gboolean parse_payload_type(PaParseState *ps, xmpp_stanza_t *e, PaMediaXmlDialect dialect,
                                   PaMediaPayloadType *pt)
{
    guint64 id, clock, ch;
    if (!pa_attr_uint(ps, e, "id", 0, 127, TRUE, &id) ||
        !pa_attr_uint(ps, e, "clockrate", 0, 10000000, FALSE, &clock) ||
        !pa_attr_uint(ps, e, "channels", 0, 255, FALSE, &ch) ||
        !pa_attr_text(ps, e, "name", 64, FALSE, &pt->name))
        return FALSE;
    pt->id = (guint8)id;
    pt->clockrate = (guint)clock;
    pt->channels = (guint)ch;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c)) {
        if (pa_xml_is(c, "parameter", PA_NS_JINGLE_RTP, PA_NS_JINGLE_RTP)) {
            if (!check_count(ps, pt->parameters->len, "parameter"))
                return FALSE;
            PaMediaParam p = {0};
            if (!pa_attr_text(ps, c, "name", 128, dialect == PA_MEDIA_XML_COLIBRI2, &p.name) ||
                !pa_attr_text(ps, c, "value", 1024, FALSE, &p.value)) {
                g_free(p.name);
                g_free(p.value);
                return FALSE;
            }
            g_array_append_val(pt->parameters, p);
        } else if (pa_xml_is(c, "rtcp-fb", PA_NS_JINGLE_RTCP_FB, PA_NS_JINGLE_RTP)) {
            if (!check_count(ps, pt->rtcp_fbs->len, "rtcp-fb"))
                return FALSE;
            PaMediaRtcpFb fb = {0};
            if (!pa_attr_text(ps, c, "type", 64, TRUE, &fb.type) ||
                !pa_attr_text(ps, c, "subtype", 64, FALSE, &fb.subtype)) {
                g_free(fb.type);
                g_free(fb.subtype);
                return FALSE;
            }
            g_array_append_val(pt->rtcp_fbs, fb);
        }
    }
    return TRUE;
}

gboolean pa_media_xml_parse_codec(PaParseState *ps, xmpp_stanza_t *c, const char *parent_ns,
                                  PaMediaXmlDialect dialect, PaMediaDesc *m)
{
    if (pa_xml_is(c, "payload-type", PA_NS_JINGLE_RTP, parent_ns)) {
        if (!check_count(ps, m->payload_types->len, "payload-type"))
            return FALSE;
        g_array_set_size(m->payload_types, m->payload_types->len + 1);
        PaMediaPayloadType *pt =
            &g_array_index(m->payload_types, PaMediaPayloadType, m->payload_types->len - 1);
        pt->parameters = pa_media_params_new();
        pt->rtcp_fbs = pa_media_rtcp_fbs_new();
        return parse_payload_type(ps, c, dialect, pt);
    }
    if (pa_xml_is(c, "rtp-hdrext", PA_NS_JINGLE_HDREXT, parent_ns)) {
        if (!check_count(ps, m->hdrexts->len, "rtp-hdrext"))
            return FALSE;
        guint64 id;
        PaMediaHdrExt h = {0};
        if (!pa_attr_uint(ps, c, "id", 1, 255, TRUE, &id) ||
            !pa_attr_text(ps, c, "uri", 512, TRUE, &h.uri)) {
            g_free(h.uri);
            return FALSE;
        }
        h.id = (guint8)id;
        g_array_append_val(m->hdrexts, h);
        return TRUE;
    }
    if (pa_xml_is(c, "extmap-allow-mixed", PA_NS_JINGLE_HDREXT, parent_ns))
        m->extmap_allow_mixed = TRUE;
    return TRUE;
}

gboolean pa_media_xml_parse_source(PaParseState *ps, xmpp_stanza_t *e, PaMediaSsrc *out)
{
    PaMediaSsrc s = {0};
    if (!pa_attr_ssrc(ps, e, &s.ssrc) ||
        !pa_attr_text(ps, e, "name", PA_MEDIA_MAX_NAME, FALSE, &s.name))
        goto fail;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c)) {
        if (pa_xml_is(c, "parameter", PA_NS_JINGLE_SSMA, PA_NS_JINGLE_SSMA) &&
            g_strcmp0(xmpp_stanza_get_attribute(c, "name"), "msid") == 0 &&
            !pa_attr_text(ps, c, "value", PA_MEDIA_MAX_NAME, FALSE, &s.msid))
            goto fail;
    }
    *out = s;
    return TRUE;
fail:
    g_free(s.name);
    g_free(s.msid);
    memset(out, 0, sizeof *out);
    return FALSE;
}

gboolean pa_media_xml_parse_group(PaParseState *ps, xmpp_stanza_t *e, guint max_ssrcs,
                                  char **semantics, GArray *ssrcs)
{
    if (!pa_attr_text(ps, e, "semantics", 32, TRUE, semantics))
        return FALSE;
    guint n = 0;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c)) {
        if (!pa_xml_is(c, "source", PA_NS_JINGLE_SSMA, PA_NS_JINGLE_SSMA))
            continue;
        if (n >= max_ssrcs)
            return pa_parse_fail(ps, PA_PARSE_TOO_LARGE, "ssrc-group with more than %u sources",
                                 max_ssrcs);
        guint32 ssrc;
        if (!pa_attr_ssrc(ps, c, &ssrc))
            return FALSE;
        g_array_append_val(ssrcs, ssrc);
        n++;
    }
    return TRUE;
}

void pa_media_xml_build_codecs(xmpp_stanza_t *parent, const PaMediaDesc *m,
                               PaMediaXmlDialect dialect)
{
    /* Inside a Jingle <description> payload types inherit its namespace; inside a Colibri2
     * <media> they must state it. */
    const char *pt_ns =
        g_strcmp0(xmpp_stanza_get_ns(parent), PA_NS_JINGLE_RTP) == 0 ? NULL : PA_NS_JINGLE_RTP;
    for (guint i = 0; m->payload_types && i < m->payload_types->len; i++) {
        const PaMediaPayloadType *pt = &g_array_index(m->payload_types, PaMediaPayloadType, i);
        xmpp_stanza_t *px = pa_stanza_add_child(parent, "payload-type", pt_ns);
        pa_attr_set_uint(px, "id", pt->id);
        if (pt->name)
            xmpp_stanza_set_attribute(px, "name", pt->name);
        if (pt->clockrate)
            pa_attr_set_uint(px, "clockrate", pt->clockrate);
        if (pt->channels)
            pa_attr_set_uint(px, "channels", pt->channels);
        for (guint j = 0; pt->parameters && j < pt->parameters->len; j++) {
            const PaMediaParam *p = &g_array_index(pt->parameters, PaMediaParam, j);
            xmpp_stanza_t *e = pa_stanza_add_child(px, "parameter", NULL);
            if (dialect == PA_MEDIA_XML_JINGLE) {
                if (p->name)
                    xmpp_stanza_set_attribute(e, "name", p->name);
                xmpp_stanza_set_attribute(e, "value", p->value ? p->value : "");
            } else {
                xmpp_stanza_set_attribute(e, "name", p->name);
                if (p->value)
                    xmpp_stanza_set_attribute(e, "value", p->value);
            }
        }
        for (guint j = 0; pt->rtcp_fbs && j < pt->rtcp_fbs->len; j++) {
            const PaMediaRtcpFb *fb = &g_array_index(pt->rtcp_fbs, PaMediaRtcpFb, j);
            xmpp_stanza_t *e = pa_stanza_add_child(px, "rtcp-fb", PA_NS_JINGLE_RTCP_FB);
            xmpp_stanza_set_attribute(e, "type", fb->type);
            if (fb->subtype)
                xmpp_stanza_set_attribute(e, "subtype", fb->subtype);
        }
    }
    for (guint i = 0; m->hdrexts && i < m->hdrexts->len; i++) {
        const PaMediaHdrExt *h = &g_array_index(m->hdrexts, PaMediaHdrExt, i);
        xmpp_stanza_t *e = pa_stanza_add_child(parent, "rtp-hdrext", PA_NS_JINGLE_HDREXT);
        pa_attr_set_uint(e, "id", h->id);
        xmpp_stanza_set_attribute(e, "uri", h->uri);
    }
    if (m->extmap_allow_mixed)
        pa_stanza_add_child(parent, "extmap-allow-mixed", PA_NS_JINGLE_HDREXT);
}

xmpp_stanza_t *pa_media_xml_build_source(xmpp_stanza_t *parent, guint32 ssrc, const char *name,
                                         const char *msid)
{
    xmpp_stanza_t *e = pa_stanza_add_child(parent, "source", PA_NS_JINGLE_SSMA);
    pa_attr_set_uint(e, "ssrc", ssrc);
    if (name)
        xmpp_stanza_set_attribute(e, "name", name);
    if (msid) {
        xmpp_stanza_t *p = pa_stanza_add_child(e, "parameter", NULL);
        xmpp_stanza_set_attribute(p, "name", "msid");
        xmpp_stanza_set_attribute(p, "value", msid);
    }
    return e;
}

void pa_media_xml_build_group(xmpp_stanza_t *parent, const char *semantics, const guint32 *ssrcs,
                              guint n)
{
    xmpp_stanza_t *e = pa_stanza_add_child(parent, "ssrc-group", PA_NS_JINGLE_SSMA);
    xmpp_stanza_set_attribute(e, "semantics", semantics);
    for (guint k = 0; k < n; k++) {
        xmpp_stanza_t *s = pa_stanza_add_child(e, "source", NULL);
        pa_attr_set_uint(s, "ssrc", ssrcs[k]);
    }
}
