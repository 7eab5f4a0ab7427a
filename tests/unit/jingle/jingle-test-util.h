/* SPDX-License-Identifier: MIT */
/* A FocusLink whose transport records what the focus sends and whose clock the test steps,
 * plus stanza helpers, for the conference tests. Single-threaded, like the focus. */
#pragma once

#include "common/xmpp/stanza.h"
#include "focus/link.h"

#include <glib.h>
#include <stdarg.h>
#include <string.h>
#include <strophe.h>

typedef struct {
    xmpp_ctx_t *ctx;
    FocusLink *link;
    gint64 now_us;
    GPtrArray *sent; /* deep copies, oldest first */
} TestBed;

static void testbed_record(xmpp_stanza_t *stanza, gpointer data)
{
    TestBed *tb = data;
    g_ptr_array_add(tb->sent, xmpp_stanza_copy(stanza));
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

static G_GNUC_UNUSED void testbed_advance(TestBed *tb, guint ms)
{
    tb->now_us += (gint64)ms * 1000;
    focus_link_run_due(tb->link);
}

static G_GNUC_UNUSED xmpp_stanza_t *stanza_from(TestBed *tb, const char *xml)
{
    xmpp_stanza_t *s = xmpp_stanza_new_from_string(tb->ctx, xml);
    if (!s)
        g_error("unparsable test XML: %s", xml);
    return s;
}

static G_GNUC_UNUSED char *stanza_text(xmpp_stanza_t *s)
{
    return pa_stanza_to_string(s);
}

/* Index of the first sent stanza at or after @from whose text contains every needle
 * (NULL-terminated), or -1. */
static G_GNUC_UNUSED G_GNUC_NULL_TERMINATED int sent_find_all(TestBed *tb, guint from, ...)
{
    for (guint i = from; i < tb->sent->len; i++) {
        g_autofree char *t = stanza_text(tb->sent->pdata[i]);
        gboolean all = TRUE;
        va_list ap;
        va_start(ap, from);
        const char *needle;
        while (all && (needle = va_arg(ap, const char *)))
            all = strstr(t, needle) != NULL;
        va_end(ap);
        if (all)
            return (int)i;
    }
    return -1;
}

static G_GNUC_UNUSED guint sent_count(TestBed *tb, guint from, const char *needle)
{
    guint n = 0;
    for (guint i = from; i < tb->sent->len; i++) {
        g_autofree char *t = stanza_text(tb->sent->pdata[i]);
        n += strstr(t, needle) != NULL;
    }
    return n;
}

static G_GNUC_UNUSED xmpp_stanza_t *sent_at(TestBed *tb, int i)
{
    g_assert_cmpint(i, >=, 0);
    g_assert_cmpuint((guint)i, <, tb->sent->len);
    return tb->sent->pdata[i];
}
