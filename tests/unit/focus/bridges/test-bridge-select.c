/* SPDX-License-Identifier: MIT */
/* Brewery stats parsing and bridge selection. */
#include "focus/bridges/bridge-select.h"

#include <string.h>

static xmpp_ctx_t *ctx;

static void test_stats_parse(void)
{
    xmpp_stanza_t *p = xmpp_stanza_new_from_string(
        ctx, "<presence from='b@x/n'><stats xmlns='http://jitsi.org/protocol/colibri'>"
             "<stat name='stress_level' value='0.2500'/><stat name='conferences' value='3'/>"
             "<stat name='participants' value='7'/><stat name='region' value='eu-west'/>"
             "<stat name='version' value='0.1.0'/><stat name='relay_id' value='r1'/>"
             "<stat name='graceful_shutdown' value='false'/><stat name='drain' value='true'/>"
             "<stat name='healthy' value='true'/><stat name='shutting_down' value='false'/>"
             "<stat name='bit_rate_upload' value='12345'/><stat name='bogus'/></stats></presence>");
    FocusBridgeStats s;
    focus_bridge_stats_init(&s);
    g_assert_true(focus_bridge_stats_parse(p, &s));
    g_assert_cmpfloat(s.stress, ==, 0.25);
    g_assert_cmpuint(s.conferences, ==, 3);
    g_assert_cmpuint(s.participants, ==, 7);
    g_assert_cmpstr(s.region, ==, "eu-west");
    g_assert_cmpstr(s.version, ==, "0.1.0");
    g_assert_cmpstr(s.relay_id, ==, "r1");
    g_assert_true(s.drain);
    g_assert_true(s.healthy);
    g_assert_false(s.graceful_shutdown);
    xmpp_stanza_release(p);

    /* Garbage values are ignored; no stats at all keeps the defaults. */
    p = xmpp_stanza_new_from_string(
        ctx, "<presence><stats xmlns='http://jitsi.org/protocol/colibri'>"
             "<stat name='stress_level' value='lots'/><stat name='participants' value='-3'/>"
             "<stat name='healthy' value='false'/></stats></presence>");
    g_assert_true(focus_bridge_stats_parse(p, &s));
    g_assert_cmpfloat(s.stress, ==, 0);
    g_assert_cmpuint(s.participants, ==, 0);
    g_assert_false(s.healthy);
    g_assert_null(s.region);
    xmpp_stanza_release(p);
    p = xmpp_stanza_new_from_string(ctx, "<presence/>");
    g_assert_false(focus_bridge_stats_parse(p, &s));
    g_assert_true(s.healthy);
    xmpp_stanza_release(p);
    focus_bridge_stats_clear(&s);
}

typedef struct {
    FocusBridgeStats st[6];
    FocusBridgeCandidate c[6];
    guint n;
} Set;

static void set_add(Set *set, const char *id, double stress, guint participants)
{
    guint i = set->n++;
    focus_bridge_stats_init(&set->st[i]);
    set->st[i].stress = stress;
    set->st[i].participants = participants;
    set->c[i].id = id;
    set->c[i].stats = &set->st[i];
}

static void test_select(void)
{
    Set s = {0};
    g_assert_cmpint(focus_bridge_select(s.c, 0, -1, NULL), ==, -1); /* no bridge at all */
    set_add(&s, "a", 0.30, 10);
    set_add(&s, "b", 0.10, 50);
    set_add(&s, "c", 0.10, 20);
    set_add(&s, "d", 0.05, 1);
    /* Lowest stress wins; ties go to fewer participants. */
    g_assert_cmpint(focus_bridge_select(s.c, s.n, -1, NULL), ==, 3);
    s.st[3].healthy = FALSE;
    g_assert_cmpint(focus_bridge_select(s.c, s.n, -1, NULL), ==, 2);
    /* A conference stays on its bridge even when others are less loaded. */
    g_assert_cmpint(focus_bridge_select(s.c, s.n, 0, NULL), ==, 0);
    /* ... but not on an unhealthy one. */
    g_assert_cmpint(focus_bridge_select(s.c, s.n, 3, NULL), ==, 2);
    /* Draining and graceful shutdown: kept, never chosen anew. */
    s.st[2].drain = TRUE;
    g_assert_cmpint(focus_bridge_select(s.c, s.n, 2, NULL), ==, 2);
    g_assert_cmpint(focus_bridge_select(s.c, s.n, -1, NULL), ==, 1);
    s.st[1].graceful_shutdown = TRUE;
    g_assert_cmpint(focus_bridge_select(s.c, s.n, 1, NULL), ==, 1);
    g_assert_cmpint(focus_bridge_select(s.c, s.n, -1, NULL), ==, 0);
    /* Shutting down: not even kept. A failed bridge neither. */
    s.st[0].shutting_down = TRUE;
    g_assert_cmpint(focus_bridge_select(s.c, s.n, 0, NULL), ==, -1);
    s.st[0].shutting_down = FALSE;
    s.c[0].failed = TRUE;
    g_assert_cmpint(focus_bridge_select(s.c, s.n, 0, NULL), ==, -1);
    for (guint i = 0; i < s.n; i++)
        focus_bridge_stats_clear(&s.st[i]);
}

static void test_region_and_overload(void)
{
    Set s = {0};
    set_add(&s, "a", 0.10, 10);
    set_add(&s, "b", 0.50, 10);
    set_add(&s, "c", 0.90, 0);
    s.st[1].region = g_strdup("eu");
    s.st[2].region = g_strdup("us");
    g_assert_cmpint(focus_bridge_select(s.c, s.n, -1, NULL), ==, 0);
    g_assert_cmpint(focus_bridge_select(s.c, s.n, -1, "eu"), ==, 1);
    /* The region's only bridge is overloaded: a bridge elsewhere is better. */
    g_assert_cmpint(focus_bridge_select(s.c, s.n, -1, "us"), ==, 0);
    /* Only overloaded bridges left: the least loaded of them. */
    s.st[0].healthy = FALSE;
    s.st[1].stress = 0.95;
    g_assert_cmpint(focus_bridge_select(s.c, s.n, -1, NULL), ==, 2);
    /* Equal load: the id decides, so the choice is stable. */
    Set t = {0};
    set_add(&t, "z", 0.1, 1);
    set_add(&t, "m", 0.1, 1);
    g_assert_cmpint(focus_bridge_select(t.c, t.n, -1, NULL), ==, 1);
    for (guint i = 0; i < s.n; i++)
        focus_bridge_stats_clear(&s.st[i]);
    for (guint i = 0; i < t.n; i++)
        focus_bridge_stats_clear(&t.st[i]);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/bridge-select/stats-parse", test_stats_parse);
    g_test_add_func("/bridge-select/select", test_select);
    g_test_add_func("/bridge-select/region-and-overload", test_region_and_overload);
    int rc = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return rc;
}
