/* SPDX-License-Identifier: MIT */
/* Reconnect delays: exponential backoff, pure. Owned by whoever reconnects (the component,
 * on the focus's main thread). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
    guint initial_ms; /* first delay */
    guint max_ms;     /* delays never exceed this */
    guint next_ms;    /* the delay focus_backoff_next() returns next */
    guint attempts;   /* delays handed out since the last reset */
} FocusBackoff;

/* Component reconnects: 0.5 s doubling to 30 s. */
#define FOCUS_BACKOFF_INITIAL_MS 500
#define FOCUS_BACKOFF_MAX_MS 30000

void focus_backoff_init(FocusBackoff *b, guint initial_ms, guint max_ms);

/* The delay before the next attempt, and doubles the one after (capped at max_ms). */
guint focus_backoff_next(FocusBackoff *b);

/* After a success: the next delay is initial_ms again. */
void focus_backoff_reset(FocusBackoff *b);

G_END_DECLS
