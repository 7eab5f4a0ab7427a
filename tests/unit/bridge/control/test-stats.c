/* SPDX-License-Identifier: MIT */
/* Brewery stats presence content and stress computation. */
#include <string.h>

#include "bridge/control/stats.h"
#include "common/xmpp/stanza.h"

static const char *stat(xmpp_stanza_t *stats, const char *name)
{
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(stats); c; c = xmpp_stanza_get_next(c))
        if (g_strcmp0(xmpp_stanza_get_attribute(c, "name"), name) == 0)
            return xmpp_stanza_get_attribute(c, "value");
    return NULL;
}

static void test_stats_element(void)
{
    xmpp_ctx_t *ctx = xmpp_ctx_new(NULL, NULL);
    BridgeBreweryStats s = {
        .stress_level = 0.25,
        .conferences = 3,
        .participants = 7,
        .largest_conference = 4,
        .region = "eu",
        .version = "0.1.0",
        .relay_id = "jvb-1",
        .graceful_shutdown = TRUE,
        .healthy = TRUE,
        .packet_rate_download = 1500.4,
        .packet_rate_upload = 2999.6,
        .bit_rate_download = 800,
        .bit_rate_upload = 1600,
    };
    xmpp_stanza_t *st = bridge_brewery_stats_build(ctx, &s);
    g_autofree char *text = pa_stanza_to_string(st);
    g_assert_true(g_str_has_prefix(text, "<stats xmlns=\"http://jitsi.org/protocol/colibri\">"));
    g_assert_cmpstr(stat(st, "stress_level"), ==, "0.2500");
    g_assert_cmpstr(stat(st, "conferences"), ==, "3");
    g_assert_cmpstr(stat(st, "participants"), ==, "7");
    g_assert_cmpstr(stat(st, "endpoints"), ==, "7");
    g_assert_cmpstr(stat(st, "largest_conference"), ==, "4");
    g_assert_cmpstr(stat(st, "region"), ==, "eu");
    g_assert_cmpstr(stat(st, "version"), ==, "0.1.0");
    g_assert_cmpstr(stat(st, "relay_id"), ==, "jvb-1");
    g_assert_cmpstr(stat(st, "graceful_shutdown"), ==, "true");
    g_assert_cmpstr(stat(st, "healthy"), ==, "true");
    g_assert_cmpstr(stat(st, "drain"), ==, "false");
    g_assert_cmpstr(stat(st, "packet_rate_download"), ==, "1500");
    g_assert_cmpstr(stat(st, "packet_rate_upload"), ==, "3000");
    g_assert_cmpstr(stat(st, "bit_rate_upload"), ==, "1600");
    xmpp_stanza_release(st);
    xmpp_ctx_free(ctx);
}

static void test_stress(void)
{
    g_assert_cmpfloat(bridge_stress_level(0, 0, 2), ==, 0.0);
    g_assert_cmpfloat_with_epsilon(bridge_stress_level(BRIDGE_PPS_PER_WORKER, 0, 2), 0.5, 1e-9);
    g_assert_cmpfloat_with_epsilon(bridge_stress_level(0, 100, 1), 0.5, 1e-9);
    /* The larger of the two, clamped. */
    g_assert_cmpfloat_with_epsilon(bridge_stress_level(BRIDGE_PPS_PER_WORKER * 0.1, 100, 1), 0.5,
                                   1e-9);
    g_assert_cmpfloat(bridge_stress_level(1e12, 0, 1), ==, 1.0);
    /* 0 workers counts as one rather than dividing by zero. */
    g_assert_cmpfloat_with_epsilon(bridge_stress_level(0, 100, 0), 0.5, 1e-9);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    g_test_add_func("/bridge-stats/element", test_stats_element);
    g_test_add_func("/bridge-stats/stress", test_stress);
    int rc = g_test_run();
    xmpp_shutdown();
    return rc;
}
