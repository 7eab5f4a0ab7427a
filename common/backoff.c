/* SPDX-License-Identifier: MIT */
/* Exponential backoff with equal jitter (see backoff.h). Stateless apart from the struct. */
#include "common/backoff.h"

static guint32 default_random(gpointer user_data)
{
    (void)user_data;
    return g_random_int();
}

void pa_backoff_init(PaBackoff *b, guint initial_ms, guint max_ms)
{
    g_return_if_fail(b && initial_ms > 0 && max_ms >= initial_ms);
    b->initial_ms = initial_ms;
    b->max_ms = max_ms;
    pa_backoff_set_random(b, NULL, NULL);
    pa_backoff_reset(b);
}

void pa_backoff_set_random(PaBackoff *b, PaBackoffRandom random, gpointer user_data)
{
    b->random = random ? random : default_random;
    b->random_data = random ? user_data : NULL;
}

guint pa_backoff_next(PaBackoff *b)
{
    guint base = b->base_ms;
    guint half = base / 2;
    /* Scale the 32-bit value onto [0, half] without the bias of a modulo. */
    guint off = (guint)(((guint64)b->random(b->random_data) * (half + 1)) >> 32);
    b->base_ms = base >= b->max_ms / 2 ? b->max_ms : base * 2;
    b->attempts++;
    return base - off;
}

void pa_backoff_reset(PaBackoff *b)
{
    b->base_ms = b->initial_ms;
    b->attempts = 0;
}
