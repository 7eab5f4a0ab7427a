/* SPDX-License-Identifier: MIT */
/* Reconnect backoff with equal jitter (common/backoff.h), on an injected random source. */
#include "common/backoff.h"

/* A fixed value, or a deterministic sequence covering the whole 32-bit range. */
typedef struct {
    gboolean fixed;
    guint32 value;
    guint32 state;
} FakeRandom;

static guint32 fake_random(gpointer data)
{
    FakeRandom *r = data;
    if (r->fixed)
        return r->value;
    /* Numerical Recipes' LCG: full period over 2^32, good enough to spread over buckets. */
    r->state = r->state * 1664525u + 1013904223u;
    return r->state;
}

static void test_doubling_and_cap(void)
{
    FakeRandom r = {TRUE, 0, 0}; /* 0: no jitter taken off, the delay is the base */
    PaBackoff b;
    pa_backoff_init(&b, PA_BACKOFF_INITIAL_MS, PA_BACKOFF_MAX_MS);
    pa_backoff_set_random(&b, fake_random, &r);
    guint expect[] = {500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000};
    for (guint i = 0; i < G_N_ELEMENTS(expect); i++)
        g_assert_cmpuint(pa_backoff_next(&b), ==, expect[i]);
    g_assert_cmpuint(b.attempts, ==, G_N_ELEMENTS(expect));

    /* Caps that are not a power-of-two multiple of the start are still reached exactly. */
    pa_backoff_init(&b, 300, 1000);
    pa_backoff_set_random(&b, fake_random, &r);
    g_assert_cmpuint(pa_backoff_next(&b), ==, 300);
    g_assert_cmpuint(pa_backoff_next(&b), ==, 600);
    g_assert_cmpuint(pa_backoff_next(&b), ==, 1000);
    /* Many failures never overflow. */
    for (int i = 0; i < 100; i++)
        g_assert_cmpuint(pa_backoff_next(&b), ==, 1000);
}

static void test_reset(void)
{
    FakeRandom r = {TRUE, 0, 0};
    PaBackoff b;
    pa_backoff_init(&b, 500, 8000);
    pa_backoff_set_random(&b, fake_random, &r);
    for (int i = 0; i < 6; i++)
        pa_backoff_next(&b);
    g_assert_cmpuint(b.attempts, ==, 6);
    pa_backoff_reset(&b);
    g_assert_cmpuint(b.attempts, ==, 0);
    g_assert_cmpuint(pa_backoff_next(&b), ==, 500);
    g_assert_cmpuint(pa_backoff_next(&b), ==, 1000);
    g_assert_cmpuint(b.attempts, ==, 2);
}

/* The largest random value takes the most off: exactly half the base (rounded so that the
 * delay is never below half, and never 0). */
static void test_bounds(void)
{
    FakeRandom r = {TRUE, G_MAXUINT32, 0};
    PaBackoff b;
    pa_backoff_init(&b, 500, 8000);
    pa_backoff_set_random(&b, fake_random, &r);
    guint expect[] = {250, 500, 1000, 2000, 4000, 4000};
    for (guint i = 0; i < G_N_ELEMENTS(expect); i++)
        g_assert_cmpuint(pa_backoff_next(&b), ==, expect[i]);

    /* Odd and tiny bases: [base - base/2, base]. */
    pa_backoff_init(&b, 1, 4);
    pa_backoff_set_random(&b, fake_random, &r);
    g_assert_cmpuint(pa_backoff_next(&b), ==, 1); /* base 1: never 0 */
    g_assert_cmpuint(pa_backoff_next(&b), ==, 1); /* base 2 */
    g_assert_cmpuint(pa_backoff_next(&b), ==, 2); /* base 4 (the cap) */
    pa_backoff_init(&b, 3, 12);
    pa_backoff_set_random(&b, fake_random, &r);
    g_assert_cmpuint(pa_backoff_next(&b), ==, 2); /* base 3: 3 - 1 */
    g_assert_cmpuint(pa_backoff_next(&b), ==, 3); /* base 6 */
    g_assert_cmpuint(pa_backoff_next(&b), ==, 6); /* base 12 */
}

/* Over many draws from an evenly spread source the delays cover [base/2, base] evenly:
 * every tenth of the range is hit about equally often and the mean is 3/4 of the base. */
static void test_jitter_distribution(void)
{
    FakeRandom r = {FALSE, 0, 12345};
    PaBackoff b;
    pa_backoff_init(&b, 4000, 4000); /* a constant base: only the jitter varies */
    pa_backoff_set_random(&b, fake_random, &r);
    enum { N = 20000, BUCKETS = 10 };
    guint hist[BUCKETS] = {0};
    guint lo = G_MAXUINT, hi = 0;
    guint64 sum = 0;
    for (int i = 0; i < N; i++) {
        guint d = pa_backoff_next(&b);
        g_assert_cmpuint(d, >=, 2000);
        g_assert_cmpuint(d, <=, 4000);
        lo = MIN(lo, d);
        hi = MAX(hi, d);
        sum += d;
        hist[MIN((d - 2000) * BUCKETS / 2001, BUCKETS - 1)]++;
    }
    /* The extremes are reached (within a few ms), so the jitter is really applied. */
    g_assert_cmpuint(lo, <=, 2005);
    g_assert_cmpuint(hi, >=, 3995);
    double mean = (double)sum / N;
    g_assert_cmpfloat(mean, >, 2950.0);
    g_assert_cmpfloat(mean, <, 3050.0);
    for (int k = 0; k < BUCKETS; k++) {
        g_assert_cmpuint(hist[k], >, N / BUCKETS * 8 / 10);
        g_assert_cmpuint(hist[k], <, N / BUCKETS * 12 / 10);
    }
}

/* Without an injected source the default one still stays within the bounds. */
static void test_default_random(void)
{
    PaBackoff b;
    pa_backoff_init(&b, 1000, 1000);
    gboolean varied = FALSE;
    guint first = pa_backoff_next(&b);
    for (int i = 0; i < 200; i++) {
        guint d = pa_backoff_next(&b);
        g_assert_cmpuint(d, >=, 500);
        g_assert_cmpuint(d, <=, 1000);
        varied |= d != first;
    }
    g_assert_true(varied);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/common/backoff/doubling-cap", test_doubling_and_cap);
    g_test_add_func("/common/backoff/reset", test_reset);
    g_test_add_func("/common/backoff/bounds", test_bounds);
    g_test_add_func("/common/backoff/jitter-distribution", test_jitter_distribution);
    g_test_add_func("/common/backoff/default-random", test_default_random);
    return g_test_run();
}
