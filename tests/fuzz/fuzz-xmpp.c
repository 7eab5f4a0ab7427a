/* SPDX-License-Identifier: MIT */
/* Stanza plumbing for the XMPP-side fuzz targets (see fuzz-xmpp.h). Single-threaded. */
#include "fuzz-xmpp.h"

#include <string.h>

#include "common/xmpp/stanza.h"

xmpp_ctx_t *fuzz_xmpp_ctx(void)
{
    static xmpp_ctx_t *ctx;
    if (!ctx) {
        ctx = xmpp_ctx_new(NULL, NULL);
        FUZZ_CHECK(ctx != NULL);
    }
    return ctx;
}

xmpp_stanza_t *fuzz_xmpp_stanza(const uint8_t *data, size_t size)
{
    if (memchr(data, 0, size))
        return NULL;
    char *s = g_malloc(size + 1);
    memcpy(s, data, size);
    s[size] = '\0';
    xmpp_stanza_t *st = xmpp_stanza_new_from_string(fuzz_xmpp_ctx(), s);
    g_free(s);
    return st;
}

char *fuzz_xmpp_text(xmpp_stanza_t *stanza)
{
    char *text = pa_stanza_to_string(stanza);
    FUZZ_CHECK(text != NULL);
    return text;
}

xmpp_stanza_t *fuzz_xmpp_reparse(xmpp_stanza_t *stanza)
{
    char *text = fuzz_xmpp_text(stanza);
    xmpp_stanza_t *again = xmpp_stanza_new_from_string(fuzz_xmpp_ctx(), text);
    if (!again) {
        fprintf(stderr, "libstrophe cannot read back what it wrote:\n%s\n", text);
        abort();
    }
    g_free(text);
    return again;
}

gboolean fuzz_known_bug(const char *what)
{
    static char **known;
    static gboolean known_read;
    if (!known_read) {
        const char *env = g_getenv("FUZZ_KNOWN_BUGS");
        known = env && *env ? g_strsplit(env, ",", -1) : NULL;
        known_read = TRUE;
    }
    for (char **k = known; k && *k; k++) {
        if (**k && strstr(what, *k))
            return TRUE;
    }
    return FALSE;
}

gboolean fuzz_fail(const char *what)
{
    if (fuzz_known_bug(what))
        return FALSE;
    fprintf(stderr, "property failed: %s\n", what);
    abort();
}

gboolean fuzz_check_same(const char *what, const char *a, const char *b)
{
    if (g_strcmp0(a, b) == 0)
        return TRUE;
    fprintf(stderr, "%s differs\n--- first\n%s\n--- second\n%s\n", what, a ? a : "(null)",
            b ? b : "(null)");
    char *label = g_strdup_printf("%s differs", what);
    gboolean r = fuzz_fail(label);
    g_free(label);
    return r;
}

void fuzz_dump_str(GString *out, const char *name, const char *s)
{
    g_string_append_printf(out, " %s=", name);
    if (!s) {
        g_string_append(out, "(null)");
        return;
    }
    g_string_append_c(out, '"');
    for (const char *p = s; *p; p++) {
        if (*p == '\r' && p[1] == '\n')
            continue; /* CR LF reads back as one LF */
        if (*p == '\t' || *p == '\n' || *p == '\r')
            g_string_append_c(out, ' ');
        else if (*p == '"' || *p == '\\')
            g_string_append_printf(out, "\\%c", *p);
        else
            g_string_append_c(out, *p);
    }
    g_string_append_c(out, '"');
}

gboolean fuzz_check_xml_text(const char *what, const char *s)
{
    if (!s)
        return TRUE;
    gboolean ok = g_utf8_validate(s, -1, NULL);
    for (const char *p = s; ok && *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        ok = c >= 0x20 ? (c < 0xd800 || (c > 0xdfff && c != 0xfffe && c != 0xffff))
                       : (c == '\t' || c == '\n' || c == '\r');
    }
    if (ok)
        return TRUE;
    fprintf(stderr, "%s:", what);
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
        fprintf(stderr, " %02x", *p);
    fprintf(stderr, "\n");
    char *label = g_strdup_printf("%s not XML text", what);
    gboolean r = fuzz_fail(label);
    g_free(label);
    return r;
}

void fuzz_check_error_reply(xmpp_stanza_t *reply, const char *condition, const char *text)
{
    FUZZ_CHECK(reply != NULL);
    if (!fuzz_check_xml_text("error text", text))
        return; /* a known bug: the reply would not even read back */
    xmpp_stanza_t *again = fuzz_xmpp_reparse(reply);
    FUZZ_CHECK(g_strcmp0(xmpp_stanza_get_type(again), "error") == 0);
    fuzz_check_same("error condition", condition, pa_stanza_error_condition(again));
    xmpp_stanza_t *err = pa_stanza_child(again, "error", NULL);
    xmpp_stanza_t *t = pa_stanza_child(err, "text", PA_NS_STANZAS);
    FUZZ_CHECK((t != NULL) == (text != NULL));
    if (t) {
        char *got = xmpp_stanza_get_text(t);
        GString *a = g_string_new(NULL), *b = g_string_new(NULL);
        fuzz_dump_str(a, "text", text);
        /* An empty text child reads back as no text at all. */
        fuzz_dump_str(b, "text", got ? got : "");
        fuzz_check_same("error text", a->str, b->str);
        g_string_free(a, TRUE);
        g_string_free(b, TRUE);
        if (got)
            xmpp_free(fuzz_xmpp_ctx(), got);
    }
    xmpp_stanza_release(again);
}
