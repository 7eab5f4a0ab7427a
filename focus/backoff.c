/* SPDX-License-Identifier: MIT */
#include "focus/backoff.h"

void focus_backoff_init(FocusBackoff *b, guint initial_ms, guint max_ms)
{
    g_return_if_fail(b && initial_ms > 0 && max_ms >= initial_ms);
    b->initial_ms = initial_ms;
    b->max_ms = max_ms;
    focus_backoff_reset(b);
}

guint focus_backoff_next(FocusBackoff *b)
{
    guint d = b->next_ms;
    b->next_ms = d >= b->max_ms / 2 ? b->max_ms : d * 2;
    b->attempts++;
    return d;
}

void focus_backoff_reset(FocusBackoff *b)
{
    b->next_ms = b->initial_ms;
    b->attempts = 0;
}
