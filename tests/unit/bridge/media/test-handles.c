/* SPDX-License-Identifier: MIT */
/* Handle tables: a handle names one object for its life and never a later one, a table that
 * mirrors another's handles finds the same objects, lookups of stale or foreign handles find
 * nothing. */
#include "bridge/media/handles.h"

static void test_add_get_remove(void)
{
    BridgeHandleTable t;
    bridge_handle_table_init(&t);
    int a, b, c;
    BridgeHandle ha = bridge_handle_table_add(&t, &a);
    BridgeHandle hb = bridge_handle_table_add(&t, &b);
    g_assert_cmpuint(ha, !=, BRIDGE_HANDLE_NONE);
    g_assert_cmpuint(hb, !=, BRIDGE_HANDLE_NONE);
    g_assert_cmpuint(ha, !=, hb);
    g_assert_true(bridge_handle_table_get(&t, ha) == &a);
    g_assert_true(bridge_handle_table_get(&t, hb) == &b);
    g_assert_null(bridge_handle_table_get(&t, BRIDGE_HANDLE_NONE));
    g_assert_cmpuint(bridge_handle_table_size(&t), ==, 2);

    /* a leaves; its slot goes to c under a different handle, and a's handle finds nothing. */
    g_assert_true(bridge_handle_table_remove(&t, ha) == &a);
    g_assert_null(bridge_handle_table_remove(&t, ha));
    BridgeHandle hc = bridge_handle_table_add(&t, &c);
    g_assert_cmpuint(BRIDGE_HANDLE_INDEX(hc), ==, BRIDGE_HANDLE_INDEX(ha)); /* dense */
    g_assert_cmpuint(hc, !=, ha);
    g_assert_null(bridge_handle_table_get(&t, ha));
    g_assert_true(bridge_handle_table_get(&t, hc) == &c);
    g_assert_cmpuint(bridge_handle_table_size(&t), ==, 2);
    bridge_handle_table_clear(&t);
}

/* A slot used thousands of times never hands out 0 and never repeats a handle that is still
 * remembered by a mirror; the use counter wraps without reaching 0. */
static void test_reuse_never_zero(void)
{
    BridgeHandleTable t;
    bridge_handle_table_init(&t);
    int x;
    BridgeHandle prev = BRIDGE_HANDLE_NONE;
    for (guint i = 0; i < 10000; i++) {
        BridgeHandle h = bridge_handle_table_add(&t, &x);
        g_assert_cmpuint(h, !=, BRIDGE_HANDLE_NONE);
        g_assert_cmpuint(h, !=, prev);
        g_assert_cmpuint(BRIDGE_HANDLE_INDEX(h), ==, 0);
        g_assert_true(bridge_handle_table_remove(&t, h) == &x);
        prev = h;
    }
    bridge_handle_table_clear(&t);
}

static void test_mirror(void)
{
    BridgeHandleTable maker, mirror;
    bridge_handle_table_init(&maker);
    bridge_handle_table_init(&mirror);
    int objs[50], shadow[50];
    BridgeHandle h[50];
    for (guint i = 0; i < 50; i++) {
        h[i] = bridge_handle_table_add(&maker, &objs[i]);
        g_assert_true(bridge_handle_table_insert(&mirror, h[i], &shadow[i]));
    }
    /* The same handle cannot be inserted twice while present. */
    g_test_expect_message("parley-bridge", G_LOG_LEVEL_CRITICAL, "*s->obj == NULL*");
    g_assert_false(bridge_handle_table_insert(&mirror, h[3], &shadow[4]));
    g_test_assert_expected_messages();
    for (guint i = 0; i < 50; i += 2) {
        bridge_handle_table_remove(&maker, h[i]);
        bridge_handle_table_remove(&mirror, h[i]);
    }
    for (guint i = 0; i < 50; i++)
        g_assert_true(bridge_handle_table_get(&mirror, h[i]) == (i % 2 ? &shadow[i] : NULL));
    /* Iteration visits exactly the present objects, and tolerates removal of each. */
    guint pos = 0, n = 0;
    int *o;
    while ((o = bridge_handle_table_next(&mirror, &pos))) {
        guint i = (guint)(o - shadow);
        g_assert_cmpuint(i % 2, ==, 1);
        g_assert_true(bridge_handle_table_remove(&mirror, h[i]) == o);
        n++;
    }
    g_assert_cmpuint(n, ==, 25);
    g_assert_cmpuint(bridge_handle_table_size(&mirror), ==, 0);
    /* A handle whose slot index is free in the mirror but whose use differs finds nothing. */
    BridgeHandle again = bridge_handle_table_add(&maker, &objs[0]);
    g_assert_cmpuint(BRIDGE_HANDLE_INDEX(again), ==, BRIDGE_HANDLE_INDEX(h[48]));
    g_assert_true(bridge_handle_table_insert(&mirror, again, &shadow[0]));
    g_assert_null(bridge_handle_table_get(&mirror, h[48]));
    bridge_handle_table_clear(&maker);
    bridge_handle_table_clear(&mirror);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/handles/add-get-remove", test_add_get_remove);
    g_test_add_func("/handles/reuse-never-zero", test_reuse_never_zero);
    g_test_add_func("/handles/mirror", test_mirror);
    return g_test_run();
}
