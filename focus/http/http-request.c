/* SPDX-License-Identifier: MIT */
/* Pure (see http-request.h). */
#include "focus/http/http-request.h"

#include <string.h>

/* RFC 9110 tchar. */
static gboolean is_tchar(char c)
{
    return g_ascii_isalnum(c) || (c && strchr("!#$%&'*+-.^_`|~", c));
}

/* The end of the line starting at @p (its CR or LF), or NULL when there is none before @end. */
static const char *line_end(const char *p, const char *end)
{
    const char *lf = memchr(p, '\n', (gsize)(end - p));
    if (!lf)
        return NULL;
    return lf > p && lf[-1] == '\r' ? lf - 1 : lf;
}

/* The start of the line after the one ending at @eol. */
static const char *next_line(const char *eol)
{
    return *eol == '\r' ? eol + 2 : eol + 1;
}

static FocusHttpParseStatus parse_request_line(const char *p, const char *eol,
                                               FocusHttpRequest *out)
{
    const char *sp1 = memchr(p, ' ', (gsize)(eol - p));
    if (!sp1 || sp1 == p || (gsize)(sp1 - p) >= sizeof out->method)
        return FOCUS_HTTP_PARSE_BAD;
    for (const char *c = p; c < sp1; c++)
        if (!is_tchar(*c))
            return FOCUS_HTTP_PARSE_BAD;
    memcpy(out->method, p, (gsize)(sp1 - p));
    out->method[sp1 - p] = '\0';

    const char *target = sp1 + 1;
    const char *sp2 = memchr(target, ' ', (gsize)(eol - target));
    if (!sp2 || sp2 == target || *target != '/')
        return FOCUS_HTTP_PARSE_BAD; /* only origin-form: "/path?query" */
    const char *path_end = target;
    while (path_end < sp2 && *path_end != '?' && *path_end != '#')
        path_end++;
    for (const char *c = target; c < sp2; c++)
        if ((guchar)*c <= 0x20 || (guchar)*c >= 0x7f)
            return FOCUS_HTTP_PARSE_BAD;
    if ((gsize)(path_end - target) >= sizeof out->path)
        return FOCUS_HTTP_PARSE_BAD;
    memcpy(out->path, target, (gsize)(path_end - target));
    out->path[path_end - target] = '\0';

    const char *version = sp2 + 1;
    gsize vlen = (gsize)(eol - version);
    if (vlen != 8 || memcmp(version, "HTTP/", 5) != 0)
        return FOCUS_HTTP_PARSE_BAD;
    if (memcmp(version + 5, "1.1", 3) == 0)
        out->http10 = FALSE;
    else if (memcmp(version + 5, "1.0", 3) == 0)
        out->http10 = TRUE;
    else
        return FOCUS_HTTP_PARSE_VERSION;
    return FOCUS_HTTP_PARSE_OK;
}

static gboolean header_line_ok(const char *p, const char *eol)
{
    const char *colon = memchr(p, ':', (gsize)(eol - p));
    if (!colon || colon == p)
        return FALSE;
    for (const char *c = p; c < colon; c++)
        if (!is_tchar(*c))
            return FALSE; /* also refuses obsolete line folding (leading space) */
    for (const char *c = colon + 1; c < eol; c++)
        if (((guchar)*c < 0x20 && *c != '\t') || *c == 0x7f)
            return FALSE;
    return TRUE;
}

FocusHttpParseStatus focus_http_request_parse(const char *buf, gsize len, FocusHttpRequest *out)
{
    memset(out, 0, sizeof *out);
    const char *end = buf + len;
    const char *eol = line_end(buf, end);
    if (!eol)
        return len >= FOCUS_HTTP_MAX_HEAD ? FOCUS_HTTP_PARSE_BAD : FOCUS_HTTP_PARSE_INCOMPLETE;
    if (memchr(buf, '\0', (gsize)(eol - buf)))
        return FOCUS_HTTP_PARSE_BAD;
    FocusHttpParseStatus st = parse_request_line(buf, eol, out);
    if (st != FOCUS_HTTP_PARSE_OK)
        return st;
    const char *p = next_line(eol);
    for (;;) {
        if (p >= end)
            return len >= FOCUS_HTTP_MAX_HEAD ? FOCUS_HTTP_PARSE_BAD : FOCUS_HTTP_PARSE_INCOMPLETE;
        eol = line_end(p, end);
        if (!eol)
            return (gsize)(end - buf) >= FOCUS_HTTP_MAX_HEAD ? FOCUS_HTTP_PARSE_BAD
                                                             : FOCUS_HTTP_PARSE_INCOMPLETE;
        if (eol == p) { /* the empty line */
            out->head_len = (gsize)(next_line(eol) - buf);
            return out->head_len > FOCUS_HTTP_MAX_HEAD ? FOCUS_HTTP_PARSE_BAD : FOCUS_HTTP_PARSE_OK;
        }
        if (memchr(p, '\0', (gsize)(eol - p)) || !header_line_ok(p, eol))
            return FOCUS_HTTP_PARSE_BAD;
        p = next_line(eol);
    }
}
