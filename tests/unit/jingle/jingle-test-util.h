/* SPDX-License-Identifier: MIT */
/* The focus unit tests' test bed (a FocusLink whose transport records what the focus sends and
 * whose clock the test steps, plus stanza helpers), with what the conference tests add.
 * Single-threaded, like the focus. */
#pragma once

#include "../focus/focus-test-util.h"

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
