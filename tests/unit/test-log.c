/* SPDX-License-Identifier: MIT */
#include "common/log.h"

static void test_rate_limit(void)
{
    PaRateLimit rl = PA_RATE_LIMIT_INIT(1000000, 3);
    guint64 sup = 99;
    gint64 t = 5000000;
    g_assert_true(pa_rate_limit_allow(&rl, t, &sup));
    g_assert_cmpuint(sup, ==, 0);
    g_assert_true(pa_rate_limit_allow(&rl, t, NULL));
    g_assert_true(pa_rate_limit_allow(&rl, t, NULL));
    for (int i = 0; i < 10; i++)
        g_assert_false(pa_rate_limit_allow(&rl, t + 10, NULL));
    /* One token back after one interval; it reports the ten suppressed lines. */
    g_assert_true(pa_rate_limit_allow(&rl, t + 1000001, &sup));
    g_assert_cmpuint(sup, ==, 10);
    g_assert_false(pa_rate_limit_allow(&rl, t + 1000002, NULL));
}

static void test_levels(void)
{
    g_assert_true(pa_log_level_valid("debug"));
    g_assert_true(pa_log_level_valid("WARNING"));
    g_assert_false(pa_log_level_valid("loud"));
    g_assert_false(pa_log_level_valid(NULL));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/log/rate-limit", test_rate_limit);
    g_test_add_func("/log/levels", test_levels);
    return g_test_run();
}
