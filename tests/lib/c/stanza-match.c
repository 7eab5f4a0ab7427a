/* SPDX-License-Identifier: MIT */
/* Structural stanza matching for tests (see stanza-match.h). Stateless. */
#include "tests/lib/c/stanza-match.h"

#include <string.h>

typedef enum {
    PRED_EQUALS,
    PRED_PRESENT,
    PRED_ABSENT,
} PredKind;

typedef struct {
    PredKind kind;
    char *attr;
    char *value; /* PRED_EQUALS only */
} Pred;

typedef struct {
    char *name; /* NULL: any element */
    char *ns;   /* NULL: any namespace; "": none */
    GArray *preds;
} Step;

typedef struct {
    gboolean anywhere; /* the path started with "//" */
    GArray *steps;
} Path;

static void pred_clear(gpointer p)
{
    Pred *x = p;
    g_free(x->attr);
    g_free(x->value);
}

static void step_clear(gpointer p)
{
    Step *s = p;
    g_free(s->name);
    g_free(s->ns);
    g_array_unref(s->preds);
}

static void path_clear(Path *p)
{
    g_array_unref(p->steps);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC(Path, path_clear)

static G_NORETURN void bad_path(const char *path, const char *at, const char *why)
{
    g_error("stanza path '%s': %s at offset %d", path, why, (int)(at - path));
}

/* Copies the text up to @end (exclusive) of @*s and moves past @end; aborts if missing. */
static char *take_until(const char *path, const char **s, char end, const char *what)
{
    const char *e = strchr(*s, end);
    if (!e)
        bad_path(path, *s, what);
    char *r = g_strndup(*s, (gsize)(e - *s));
    *s = e + 1;
    return r;
}

static void parse_pred(const char *path, const char **s, Step *step)
{
    Pred p = {0};
    g_autofree char *body = take_until(path, s, ']', "unterminated '['");
    const char *b = body;
    if (*b == '!') {
        p.kind = PRED_ABSENT;
        b++;
    }
    const char *eq = strchr(b, '=');
    if (eq && p.kind == PRED_ABSENT)
        bad_path(path, *s, "'[!attr]' takes no value");
    if (eq) {
        p.kind = PRED_EQUALS;
        p.attr = g_strndup(b, (gsize)(eq - b));
        p.value = g_strdup(eq + 1);
    } else {
        if (p.kind != PRED_ABSENT)
            p.kind = PRED_PRESENT;
        p.attr = g_strdup(b);
    }
    if (!*p.attr)
        bad_path(path, *s, "empty attribute name");
    g_array_append_val(step->preds, p);
}

static void parse_path(const char *path, Path *out)
{
    out->steps = g_array_new(FALSE, TRUE, sizeof(Step));
    g_array_set_clear_func(out->steps, step_clear);
    const char *s = path;
    out->anywhere = g_str_has_prefix(s, "//");
    if (out->anywhere)
        s += 2;
    for (;;) {
        Step step = {0};
        step.preds = g_array_new(FALSE, TRUE, sizeof(Pred));
        g_array_set_clear_func(step.preds, pred_clear);
        gsize n = strcspn(s, "{[/");
        if (n == 0)
            bad_path(path, s, "empty element name");
        step.name = n == 1 && *s == '*' ? NULL : g_strndup(s, n);
        s += n;
        if (*s == '{') {
            s++;
            step.ns = take_until(path, &s, '}', "unterminated '{'");
        }
        while (*s == '[') {
            s++;
            parse_pred(path, &s, &step);
        }
        g_array_append_val(out->steps, step);
        if (*s == '\0')
            return;
        if (*s != '/')
            bad_path(path, s, "expected '/', '[' or the end");
        s++;
    }
}

static gboolean step_matches(const Step *step, xmpp_stanza_t *e, const char *ns)
{
    if (!xmpp_stanza_is_tag(e))
        return FALSE;
    if (step->name && g_strcmp0(xmpp_stanza_get_name(e), step->name) != 0)
        return FALSE;
    if (step->ns && g_strcmp0(ns ? ns : "", step->ns) != 0)
        return FALSE;
    for (guint i = 0; i < step->preds->len; i++) {
        const Pred *p = &g_array_index(step->preds, Pred, i);
        const char *v = xmpp_stanza_get_attribute(e, p->attr);
        if ((p->kind == PRED_PRESENT && !v) || (p->kind == PRED_ABSENT && v) ||
            (p->kind == PRED_EQUALS && g_strcmp0(v, p->value) != 0))
            return FALSE;
    }
    return TRUE;
}

/* The namespace @e is in: its own, or the one it inherits (@parent_ns). */
static const char *effective_ns(xmpp_stanza_t *e, const char *parent_ns)
{
    const char *own = xmpp_stanza_get_ns(e);
    return own ? own : parent_ns;
}

/* Matches steps[i..] at @e (in namespace @ns): calls @found for every element the last step
 * matches, stops early when it returns TRUE. Returns TRUE if stopped. */
typedef gboolean (*FoundFunc)(xmpp_stanza_t *e, gpointer data);

static gboolean match_at(const Path *p, guint i, xmpp_stanza_t *e, const char *ns, FoundFunc found,
                         gpointer data)
{
    const Step *step = &g_array_index(p->steps, Step, i);
    if (!step_matches(step, e, ns))
        return FALSE;
    if (i + 1 == p->steps->len)
        return found(e, data);
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c))
        if (xmpp_stanza_is_tag(c) && match_at(p, i + 1, c, effective_ns(c, ns), found, data))
            return TRUE;
    return FALSE;
}

/* match_at from @e and, for "//" paths, from every element below it. */
static gboolean walk(const Path *p, xmpp_stanza_t *e, const char *ns, FoundFunc found,
                     gpointer data)
{
    if (match_at(p, 0, e, ns, found, data))
        return TRUE;
    if (!p->anywhere)
        return FALSE;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(e); c; c = xmpp_stanza_get_next(c))
        if (xmpp_stanza_is_tag(c) && walk(p, c, effective_ns(c, ns), found, data))
            return TRUE;
    return FALSE;
}

static gboolean found_first(xmpp_stanza_t *e, gpointer data)
{
    *(xmpp_stanza_t **)data = e;
    return TRUE;
}

static gboolean found_count(xmpp_stanza_t *e, gpointer data)
{
    (void)e;
    (*(guint *)data)++;
    return FALSE;
}

xmpp_stanza_t *test_stanza_find(xmpp_stanza_t *root, const char *path)
{
    g_auto(Path) p = {0};
    parse_path(path, &p);
    xmpp_stanza_t *r = NULL;
    if (root)
        walk(&p, root, xmpp_stanza_get_ns(root), found_first, &r);
    return r;
}

guint test_stanza_count(xmpp_stanza_t *root, const char *path)
{
    g_auto(Path) p = {0};
    parse_path(path, &p);
    guint n = 0;
    if (root)
        walk(&p, root, xmpp_stanza_get_ns(root), found_count, &n);
    return n;
}

char *test_stanza_text(xmpp_stanza_t *root, const char *path)
{
    xmpp_stanza_t *e = test_stanza_find(root, path);
    if (!e)
        return NULL;
    char *t = xmpp_stanza_get_text(e);
    char *r = g_strdup(t ? t : "");
    if (t)
        xmpp_free(xmpp_stanza_get_context(e), t);
    return r;
}

xmpp_stanza_t *test_stanza_parse(xmpp_ctx_t *ctx, const char *xml)
{
    xmpp_stanza_t *st = xmpp_stanza_new_from_string(ctx, xml);
    if (!st)
        g_error("test_stanza_parse: not one XML element: %s", xml);
    return st;
}

static char *to_text(xmpp_stanza_t *st)
{
    if (!st)
        return g_strdup("(null stanza)");
    char *buf = NULL;
    size_t len = 0;
    if (xmpp_stanza_to_text(st, &buf, &len) != XMPP_EOK || !buf)
        return g_strdup("(unprintable stanza)");
    char *r = g_strndup(buf, len);
    xmpp_free(xmpp_stanza_get_context(st), buf);
    return r;
}

xmpp_stanza_t *test_stanza_assert_count_impl(const char *file, int line, const char *func,
                                             xmpp_stanza_t *root, const char *path, int want)
{
    guint n = test_stanza_count(root, path);
    if (want < 0 ? n > 0 : n == (guint)want)
        return test_stanza_find(root, path);
    g_autofree char *text = to_text(root);
    g_autofree char *msg =
        want < 0 ? g_strdup_printf("no element matches '%s' in %s", path, text)
                 : g_strdup_printf("%u elements (want %d) match '%s' in %s", n, want, path, text);
    g_assertion_message(G_LOG_DOMAIN, file, line, func, msg);
    return NULL;
}
