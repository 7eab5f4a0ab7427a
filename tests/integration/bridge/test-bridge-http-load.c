/* SPDX-License-Identifier: MIT */
/* parley-bridge's HTTP server under a burst: 2000 concurrent GET /metrics (all connections
 * opened at once) while /about/health is probed every 10 ms on fresh connections. Every
 * request must be answered, or refused cleanly with 503, within 10 s; none may hang or be
 * reset, and every health probe must be answered. Prints the figures: answered, refused,
 * failed, the time until the last one ended, and the health latency p50/p99/max (the goal is
 * under 100 ms; on a loaded machine it is reported, and only a generous bound is asserted).
 *
 * Thread: the test thread only. Run under tests/netns-run.sh. */
#include <string.h>

#include "control-harness.h"
#include "http-load.h"

#define REQUESTS 2000

static ItEnv env;

static gboolean bridge_healthy(gpointer data)
{
    return it_http_get(env.http_port, "/about/health", NULL) == 200;
}

static void test_burst(void)
{
    it_xmpp_start(&env);
    it_bridge_start(&env, NULL);
    /* The bridge needs the XMPP server to be healthy; wait on its own word. */
    gint64 deadline = g_get_monotonic_time() + 30 * G_TIME_SPAN_SECOND;
    while (!bridge_healthy(NULL) && g_get_monotonic_time() < deadline)
        g_usleep(50000);
    g_assert_true(bridge_healthy(NULL));

    http_load_raise_fd_limit(REQUESTS + 256);
    HttpLoadSpec spec = {
        .port = env.http_port,
        .path = "/metrics",
        .requests = REQUESTS,
        .probe_ms = 10,
        .deadline_ms = 60000,
    };
    HttpLoadResult r;
    http_load_run(&spec, &r);
    double p50 = http_load_percentile(r.health_ms, 50), p99 = http_load_percentile(r.health_ms, 99),
           max = http_load_percentile(r.health_ms, 100);
    g_print("# %u concurrent GET /metrics: %u answered, %u refused (503), %u failed, %u hung; "
            "the last ended after %.0f ms (%u after 10 s)\n",
            REQUESTS, r.answered, r.refused, r.failed, r.unfinished, r.last_ms, r.late);
    g_print("# /about/health meanwhile: %u probes answered, %u not; p50 %.1f ms, p99 %.1f ms, "
            "max %.1f ms\n",
            r.health_ms->len, r.health_failed, p50, p99, max);
    g_assert_cmpuint(r.unfinished, ==, 0);
    g_assert_cmpuint(r.failed, ==, 0);
    g_assert_cmpuint(r.answered + r.refused, ==, REQUESTS);
    g_assert_cmpuint(r.late, ==, 0);
    g_assert_cmpuint(r.health_failed, ==, 0);
    g_assert_cmpuint(r.health_ms->len, >, 0);
    /* Generous: the machine running the tests may be busy; the figure above is the result. */
    g_assert_cmpfloat(max, <, 2000);
    http_load_result_clear(&r);

    /* The bridge is still well, and exits cleanly. */
    g_assert_true(bridge_healthy(NULL));
    g_assert_cmpint(it_bridge_stop(&env), ==, 0);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    it_env_init(&env);
    it_dump_log_on_abort(&env);
    g_test_add_func("/bridge/http/burst", test_burst);
    int rc = g_test_run();
    it_env_cleanup(&env);
    return rc;
}
