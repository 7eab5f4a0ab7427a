/* SPDX-License-Identifier: MIT */
/* Attribute helpers (see attr.h). Stateless; any thread. */
#include "common/xmpp/attr.h"

#include <errno.h>
#include <string.h>

char *pa_reason_vprintf(const char *fmt, va_list ap)
{
    g_autofree char *raw = g_strdup_vprintf(fmt, ap);
    char *text = g_utf8_make_valid(raw, -1);
    for (char *p = text; *p; p++) {
        unsigned char c = (unsigned char)*p;
        if ((c < 0x20 && c != '\t' && c != '\n' && c != '\r') || c == 0x7f)
            *p = '?';
    }
    return text;
}

gboolean pa_parse_failv(PaParseState *ps, int status, const char *fmt, va_list ap)
{
    if (ps->status == PA_PARSE_OK) {
        ps->reason = pa_reason_vprintf(fmt, ap);
        ps->status = status;
    }
    return FALSE;
}

gboolean pa_parse_fail(PaParseState *ps, int status, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pa_parse_failv(ps, status, fmt, ap);
    va_end(ap);
    return FALSE;
}

gboolean pa_xml_is(xmpp_stanza_t *e, const char *name, const char *ns, const char *parent_ns)
{
    if (!xmpp_stanza_is_tag(e) || g_strcmp0(xmpp_stanza_get_name(e), name) != 0)
        return FALSE;
    const char *ens = xmpp_stanza_get_ns(e);
    return g_strcmp0(ens ? ens : parent_ns, ns) == 0;
}

gboolean pa_attr_parse_u64(const char *s, guint64 max, guint64 *out)
{
    if (!s || !*s || strlen(s) > 20)
        return FALSE;
    for (const char *p = s; *p; p++)
        if (!g_ascii_isdigit(*p))
            return FALSE;
    errno = 0;
    guint64 v = g_ascii_strtoull(s, NULL, 10);
    if (errno || v > max)
        return FALSE;
    *out = v;
    return TRUE;
}

gboolean pa_attr_text_ok(const char *s, gsize max)
{
    gsize n = strlen(s);
    if (n > max || !g_utf8_validate(s, (gssize)n, NULL))
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if ((guchar)s[i] < 0x20 || s[i] == 0x7f)
            return FALSE;
    return TRUE;
}

gboolean pa_attr_uint(PaParseState *ps, xmpp_stanza_t *e, const char *attr, guint64 min,
                      guint64 max, gboolean required, guint64 *out)
{
    const char *v = xmpp_stanza_get_attribute(e, attr);
    *out = 0;
    if (!v) {
        if (required)
            return pa_parse_fail(ps, PA_PARSE_MALFORMED, "<%s> without '%s'",
                                 xmpp_stanza_get_name(e), attr);
        return TRUE;
    }
    if (!pa_attr_parse_u64(v, max, out) || *out < min)
        return pa_parse_fail(ps, PA_PARSE_MALFORMED,
                             "<%s %s='%.24s'>: expected a number from %" G_GUINT64_FORMAT
                             " to %" G_GUINT64_FORMAT,
                             xmpp_stanza_get_name(e), attr, v, min, max);
    return TRUE;
}

gboolean pa_attr_text(PaParseState *ps, xmpp_stanza_t *e, const char *attr, gsize max,
                      gboolean required, char **out)
{
    const char *v = xmpp_stanza_get_attribute(e, attr);
    if (!v) {
        if (required)
            return pa_parse_fail(ps, PA_PARSE_MALFORMED, "<%s> without '%s'",
                                 xmpp_stanza_get_name(e), attr);
        return TRUE;
    }
    if (!pa_attr_text_ok(v, max) || (required && !*v))
        return pa_parse_fail(ps, PA_PARSE_MALFORMED, "<%s %s>: empty, too long or not text",
                             xmpp_stanza_get_name(e), attr);
    g_free(*out);
    *out = g_strdup(v);
    return TRUE;
}

gboolean pa_attr_bool(PaParseState *ps, xmpp_stanza_t *e, const char *attr, gboolean *out)
{
    const char *v = xmpp_stanza_get_attribute(e, attr);
    *out = FALSE;
    if (!v)
        return TRUE;
    if (strcmp(v, "true") == 0 || strcmp(v, "1") == 0) {
        *out = TRUE;
        return TRUE;
    }
    if (strcmp(v, "false") == 0 || strcmp(v, "0") == 0)
        return TRUE;
    return pa_parse_fail(ps, PA_PARSE_MALFORMED, "<%s %s='%.16s'>: expected true or false",
                         xmpp_stanza_get_name(e), attr, v);
}

gboolean pa_attr_ssrc(PaParseState *ps, xmpp_stanza_t *e, guint32 *out)
{
    guint64 v;
    if (!pa_attr_uint(ps, e, "ssrc", 1, G_MAXUINT32, TRUE, &v))
        return FALSE;
    *out = (guint32)v;
    return TRUE;
}

void pa_attr_set_uint(xmpp_stanza_t *e, const char *attr, guint64 v)
{
    char buf[24];
    g_snprintf(buf, sizeof buf, "%" G_GUINT64_FORMAT, v);
    xmpp_stanza_set_attribute(e, attr, buf);
}
