/* SPDX-License-Identifier: MIT */
/* Reconnect delays: exponential backoff with "equal jitter", pure. Used by every XMPP client
 * that reconnects (the focus's component connection, the bridge's client connection).
 *
 * The un-jittered delay starts at initial_ms and doubles after every attempt up to max_ms;
 * each delay handed out is drawn uniformly from [base - base/2, base] (half fixed, half
 * random), so that many processes that lost the same server do not come back in lockstep,
 * while no delay is ever shorter than half the base (no reconnect storm, never 0).
 *
 * Not thread-safe: one per connection, owned by whoever reconnects, used on its thread. The
 * random source is injectable so that tests are deterministic. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A uniformly distributed 32-bit value (the default is g_random_int()). */
typedef guint32 (*PaBackoffRandom)(gpointer user_data);

typedef struct {
    guint initial_ms; /* first base delay */
    guint max_ms;     /* base delays never exceed this */
    guint base_ms;    /* the un-jittered delay of the next attempt */
    guint attempts;   /* delays handed out since the last reset */
    PaBackoffRandom random;
    gpointer random_data;
} PaBackoff;

/* Defaults for XMPP reconnects: 0.5 s doubling to 30 s. */
#define PA_BACKOFF_INITIAL_MS 500
#define PA_BACKOFF_MAX_MS 30000

/* @initial_ms > 0, @max_ms >= @initial_ms; random source: g_random_int(). */
void pa_backoff_init(PaBackoff *b, guint initial_ms, guint max_ms);

/* Replaces the random source (NULL: back to g_random_int()). */
void pa_backoff_set_random(PaBackoff *b, PaBackoffRandom random, gpointer user_data);

/* The delay before the next attempt, in [base - base/2, base]; doubles the base of the one
 * after (capped at max_ms). */
guint pa_backoff_next(PaBackoff *b);

/* After a success: the next base delay is initial_ms again. */
void pa_backoff_reset(PaBackoff *b);

G_END_DECLS
