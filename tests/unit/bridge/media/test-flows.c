/* SPDX-License-Identifier: MIT */
/* The flow table that demultiplexes the single media port by source address: lookups of
 * entered addresses find their owner, unknown addresses find nothing, removal keeps every
 * other entry reachable (backward-shift deletion under collisions), an entry only goes when
 * its owner removes it, the table refuses what exceeds its bound; and the addresses' own
 * conversions. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <string.h>

#include "bridge/media/flows.h"

static BridgeAddr v4(guint32 ip, guint16 port)
{
    BridgeAddr a;
    struct sockaddr_in in = {.sin_family = AF_INET, .sin_port = htons(port)};
    in.sin_addr.s_addr = htonl(ip);
    g_assert_true(bridge_addr_from_sockaddr(&a, (struct sockaddr *)&in, sizeof in));
    return a;
}

static void test_addr(void)
{
    BridgeAddr a, b;
    g_assert_true(bridge_addr_from_string(&a, "192.0.2.7", 10000));
    char buf[BRIDGE_ADDR_STRLEN];
    g_assert_cmpstr(bridge_addr_to_string(&a, buf), ==, "192.0.2.7:10000");
    b = v4(0xc0000207, 10000);
    g_assert_true(bridge_addr_equal(&a, &b));
    g_assert_true(bridge_addr_from_string(&a, "2001:db8::1", 443));
    g_assert_cmpstr(bridge_addr_to_string(&a, buf), ==, "[2001:db8::1]:443");
    struct sockaddr_storage ss;
    socklen_t sl = bridge_addr_to_sockaddr(&a, &ss);
    g_assert_cmpint(sl, ==, sizeof(struct sockaddr_in6));
    g_assert_true(bridge_addr_from_sockaddr(&b, (struct sockaddr *)&ss, sl));
    g_assert_true(bridge_addr_equal(&a, &b));
    g_assert_false(bridge_addr_from_string(&a, "not an address", 1));
    struct sockaddr_un_like {
        sa_family_t family;
        char path[20];
    } unix_addr = {AF_UNIX, "x"};
    g_assert_false(bridge_addr_from_sockaddr(&a, (struct sockaddr *)&unix_addr, sizeof unix_addr));
    /* Too short for its family. */
    struct sockaddr_in in = {.sin_family = AF_INET};
    g_assert_false(bridge_addr_from_sockaddr(&a, (struct sockaddr *)&in, sizeof in - 4));
}

static void test_lookup_remove(void)
{
    BridgeFlowTable t;
    bridge_flow_table_init(&t, 2000);
    /* Many ports of one address and many addresses of one port: the probe runs overlap. */
    for (guint i = 0; i < 1000; i++) {
        BridgeAddr a = v4(0x7f000001, (guint16)(20000 + i)), b = v4(0x0a000000 + i, 5000);
        g_assert_true(bridge_flow_set(&t, &a, i % 3, i + 1, i % 4));
        g_assert_true(bridge_flow_set(&t, &b, 1, 5000 + i, 0));
    }
    g_assert_cmpuint(bridge_flow_table_size(&t), ==, 2000);
    /* A full table refuses a new address but still updates a known one. */
    BridgeAddr extra = v4(0x7f000002, 1);
    g_assert_false(bridge_flow_set(&t, &extra, 0, 1, 0));
    BridgeAddr first = v4(0x7f000001, 20000);
    g_assert_true(bridge_flow_set(&t, &first, 0, 77, 2));
    BridgeFlow *f = bridge_flow_lookup(&t, &first);
    g_assert_nonnull(f);
    g_assert_cmpuint(f->ep, ==, 77);
    g_assert_cmpuint(f->cand, ==, 2);
    g_assert_null(bridge_flow_lookup(&t, &extra));

    /* Only the owner removes its entry. */
    BridgeAddr a1 = v4(0x7f000001, 20001);
    g_assert_false(bridge_flow_remove(&t, &a1, 2));
    g_assert_true(bridge_flow_remove(&t, &a1, 1));
    g_assert_false(bridge_flow_remove(&t, &a1, 1));
    /* Every other entry stays reachable after removing half of them. */
    for (guint i = 0; i < 1000; i += 2) {
        BridgeAddr b = v4(0x0a000000 + i, 5000);
        g_assert_true(bridge_flow_remove(&t, &b, 1));
    }
    for (guint i = 0; i < 1000; i++) {
        BridgeAddr a = v4(0x7f000001, (guint16)(20000 + i)), b = v4(0x0a000000 + i, 5000);
        BridgeFlow *fa = bridge_flow_lookup(&t, &a), *fb = bridge_flow_lookup(&t, &b);
        if (i == 1)
            g_assert_null(fa);
        else
            g_assert_nonnull(fa);
        if (fa && i)
            g_assert_cmpuint(fa->ep, ==, i + 1);
        if (i % 2)
            g_assert_true(fb && fb->ep == 5000 + i && fb->owner == 1);
        else
            g_assert_null(fb);
    }
    g_assert_cmpuint(bridge_flow_table_size(&t), ==, 2000 - 1 - 500);
    bridge_flow_table_clear(&t);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/flows/addr", test_addr);
    g_test_add_func("/flows/lookup-remove", test_lookup_remove);
    return g_test_run();
}
