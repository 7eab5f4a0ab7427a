/* SPDX-License-Identifier: MIT */
/* Helpers shared by the focus unit tests: a libstrophe context, stanzas from XML text, a
 * FocusLink whose transport records what the focus sends and whose clock the test steps.
 * Single-threaded, like the focus. */
#pragma once

#include "common/xmpp/stanza.h"
#include "focus/xmpp/link.h"

#include <glib.h>
#include <stdarg.h>
#include <string.h>
#include <strophe.h>

typedef struct {
    xmpp_ctx_t *ctx;
    FocusLink *link;
    gint64 now_us;
    GPtrArray *sent; /* xmpp_stanza_t* clones, oldest first */
} TestBed;

static void testbed_record(xmpp_stanza_t *stanza, gpointer data)
{
    TestBed *tb = data;
    g_ptr_array_add(tb->sent, xmpp_stanza_clone(stanza));
}

static void testbed_release(gpointer data)
{
    xmpp_stanza_release(data);
}

static gint64 testbed_clock(gpointer data)
{
    return ((TestBed *)data)->now_us;
}

static G_GNUC_UNUSED void testbed_init(TestBed *tb)
{
    memset(tb, 0, sizeof *tb);
    xmpp_initialize();
    tb->ctx = xmpp_ctx_new(NULL, NULL);
    tb->link = focus_link_new(tb->ctx, "focus.example.org");
    tb->now_us = 1000 * G_USEC_PER_SEC;
    tb->sent = g_ptr_array_new_with_free_func(testbed_release);
    focus_link_set_transport(tb->link, testbed_record, tb);
    focus_link_set_clock(tb->link, testbed_clock, tb);
    focus_link_set_online(tb->link, TRUE);
}

static G_GNUC_UNUSED void testbed_clear(TestBed *tb)
{
    g_ptr_array_free(tb->sent, TRUE);
    focus_link_free(tb->link);
    xmpp_ctx_free(tb->ctx);
    xmpp_shutdown();
}

/* Advances the clock and runs what became due. */
static G_GNUC_UNUSED void testbed_advance(TestBed *tb, guint ms)
{
    tb->now_us += (gint64)ms * 1000;
    focus_link_run_due(tb->link);
}

static G_GNUC_UNUSED xmpp_stanza_t *stanza_from(TestBed *tb, const char *xml)
{
    xmpp_stanza_t *s = xmpp_stanza_new_from_string(tb->ctx, xml);
    g_assert_nonnull(s);
    return s;
}

static G_GNUC_UNUSED char *stanza_text(xmpp_stanza_t *s)
{
    return pa_stanza_to_string(s);
}

/* The i-th sent stanza (negative: from the end) (transfer none). */
static G_GNUC_UNUSED xmpp_stanza_t *sent_at(TestBed *tb, int i)
{
    guint idx = i >= 0 ? (guint)i : tb->sent->len - (guint)(-i);
    g_assert_cmpuint(idx, <, tb->sent->len);
    return tb->sent->pdata[idx];
}

/* Index of the first sent stanza at or after @from whose serialisation contains @needle, or
 * -1. */
static G_GNUC_UNUSED int sent_find(TestBed *tb, guint from, const char *needle)
{
    for (guint i = from; i < tb->sent->len; i++) {
        g_autofree char *t = stanza_text(tb->sent->pdata[i]);
        if (strstr(t, needle))
            return (int)i;
    }
    return -1;
}

static G_GNUC_UNUSED guint sent_count(TestBed *tb, guint from, const char *needle)
{
    guint n = 0;
    for (guint i = from; i < tb->sent->len; i++) {
        g_autofree char *t = stanza_text(tb->sent->pdata[i]);
        if (strstr(t, needle))
            n++;
    }
    return n;
}

/* TRUE if @s or an element below it is named @name and carries every attribute given as
 * NULL-terminated name/value pairs (attribute order in serialisations is not stable). */
static G_GNUC_UNUSED G_GNUC_NULL_TERMINATED gboolean stanza_has(xmpp_stanza_t *s, const char *name,
                                                                ...);

static gboolean stanza_has_v(xmpp_stanza_t *s, const char *name, const char **pairs, guint n)
{
    if (!xmpp_stanza_is_tag(s))
        return FALSE;
    if (strcmp(xmpp_stanza_get_name(s), name) == 0) {
        gboolean all = TRUE;
        for (guint i = 0; i + 1 < n && all; i += 2)
            all = g_strcmp0(xmpp_stanza_get_attribute(s, pairs[i]), pairs[i + 1]) == 0;
        if (all)
            return TRUE;
    }
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(s); c; c = xmpp_stanza_get_next(c))
        if (stanza_has_v(c, name, pairs, n))
            return TRUE;
    return FALSE;
}

static gboolean stanza_has(xmpp_stanza_t *s, const char *name, ...)
{
    const char *pairs[32];
    guint n = 0;
    va_list ap;
    va_start(ap, name);
    const char *p;
    while ((p = va_arg(ap, const char *)) && n < G_N_ELEMENTS(pairs))
        pairs[n++] = p;
    va_end(ap);
    return stanza_has_v(s, name, pairs, n);
}
