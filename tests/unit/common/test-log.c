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

/* pa_log_peer: the first lines pass, the rest are dropped until a token comes back, and the
 * next line says how many were dropped; the line carries the caller's log domain. */
static void test_log_peer(void)
{
    PaRateLimit rl = PA_RATE_LIMIT_INIT(G_USEC_PER_SEC, 2);
    gint64 t = 1000000;
    g_test_expect_message("parley-test", G_LOG_LEVEL_WARNING, "peer 1 sent junk");
    g_assert_true(pa_log_peer(&rl, t, G_LOG_LEVEL_WARNING, "peer %d sent %s", 1, "junk"));
    g_test_expect_message("parley-test", G_LOG_LEVEL_WARNING, "peer 2 sent junk");
    g_assert_true(pa_log_peer(&rl, t, G_LOG_LEVEL_WARNING, "peer %d sent %s", 2, "junk"));
    for (int i = 0; i < 7; i++)
        g_assert_false(pa_log_peer(&rl, t + 1, G_LOG_LEVEL_WARNING, "peer %d sent junk", i));
    g_test_assert_expected_messages();
    g_test_expect_message("parley-test", G_LOG_LEVEL_WARNING,
                          "peer 9 sent junk (7 similar lines suppressed)");
    g_assert_true(
        pa_log_peer(&rl, t + G_USEC_PER_SEC, G_LOG_LEVEL_WARNING, "peer %d sent junk", 9));
    g_test_assert_expected_messages();
    /* The count starts again after it was reported; other levels go through the same way. */
    g_test_expect_message("parley-test", G_LOG_LEVEL_MESSAGE, "peer 10 sent junk");
    g_assert_true(
        pa_log_peer(&rl, t + 2 * G_USEC_PER_SEC, G_LOG_LEVEL_MESSAGE, "peer %d sent junk", 10));
    g_test_assert_expected_messages();
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
    g_test_add_func("/log/peer", test_log_peer);
    return g_test_run();
}
