/* SPDX-License-Identifier: MIT */
/* The registry of conferences and endpoints: ids are found at the boundary, handles name the
 * same objects afterwards, a removed object's handle finds nothing (also after its slot was
 * reused), counts follow, and each endpoint gets its own colibri-ws secret. */
#include <string.h>

#include "bridge/control/registry.h"

static void test_secrets(void)
{
    char a[BRIDGE_WS_PASSWORD_LEN + 1], b[BRIDGE_WS_PASSWORD_LEN + 1];
    bridge_random_secret(a, BRIDGE_WS_PASSWORD_LEN);
    bridge_random_secret(b, BRIDGE_WS_PASSWORD_LEN);
    g_assert_cmpuint(strlen(a), ==, 24);
    g_assert_cmpstr(a, !=, b);
    for (const char *p = a; *p; p++)
        g_assert_true(g_ascii_isalnum(*p));
}

static void test_ids_and_handles(void)
{
    BridgeRegistry r;
    bridge_registry_init(&r);
    BridgeRegConference *c = bridge_reg_conference_add(&r, "m1", "room@conference.x");
    g_assert_cmpuint(c->handle, !=, BRIDGE_HANDLE_NONE);
    g_assert_cmpuint(c->feedback_audio_ssrc, !=, 0);
    g_assert_cmpuint(c->feedback_audio_ssrc, !=, c->feedback_video_ssrc);
    g_assert_true(bridge_reg_conference_find(&r, "m1") == c);
    g_assert_true(bridge_reg_conference_get(&r, c->handle) == c);
    g_assert_null(bridge_reg_conference_find(&r, "m2"));
    g_assert_null(bridge_reg_conference_find(&r, NULL));

    BridgeRegEndpoint *e1 = bridge_reg_endpoint_add(&r, c, "e1");
    BridgeRegEndpoint *e2 = bridge_reg_endpoint_add(&r, c, "e2");
    g_assert_cmpstr(e1->ws_password, !=, e2->ws_password);
    g_assert_true(e1->conference == c);
    g_assert_cmpuint(e1->handle, !=, e2->handle);
    g_assert_true(bridge_reg_endpoint_find(c, "e1") == e1);
    g_assert_true(bridge_reg_endpoint_get(&r, e2->handle) == e2);
    g_assert_null(bridge_reg_endpoint_find(NULL, "e1"));
    g_assert_null(bridge_reg_endpoint_get(&r, c->handle + 12345));
    g_assert_cmpuint(bridge_registry_endpoints(&r), ==, 2);
    g_assert_cmpuint(bridge_registry_largest(&r), ==, 2);

    /* The same endpoint id in another conference is another endpoint. */
    BridgeRegConference *c2 = bridge_reg_conference_add(&r, "m2", NULL);
    BridgeRegEndpoint *other = bridge_reg_endpoint_add(&r, c2, "e1");
    g_assert_true(other != e1);
    g_assert_true(bridge_reg_endpoint_find(c2, "e1") == other);
    g_assert_cmpuint(bridge_registry_conferences(&r), ==, 2);
    g_assert_cmpuint(bridge_registry_endpoints(&r), ==, 3);

    /* A removed endpoint's handle finds nothing, even once its slot holds a new endpoint. */
    BridgeHandle h1 = e1->handle;
    bridge_reg_endpoint_remove(&r, e1);
    g_assert_null(bridge_reg_endpoint_find(c, "e1"));
    g_assert_null(bridge_reg_endpoint_get(&r, h1));
    BridgeRegEndpoint *e3 = bridge_reg_endpoint_add(&r, c, "e3");
    g_assert_cmpuint(BRIDGE_HANDLE_INDEX(e3->handle), ==, BRIDGE_HANDLE_INDEX(h1));
    g_assert_null(bridge_reg_endpoint_get(&r, h1));
    g_assert_true(bridge_reg_endpoint_get(&r, e3->handle) == e3);
    g_assert_cmpuint(bridge_registry_endpoints(&r), ==, 3);

    /* Removing a conference takes its endpoints and all their handles with it. */
    BridgeHandle hc = c->handle, h2 = e2->handle, h3 = e3->handle;
    bridge_reg_conference_remove(&r, c);
    g_assert_null(bridge_reg_conference_find(&r, "m1"));
    g_assert_null(bridge_reg_conference_get(&r, hc));
    g_assert_null(bridge_reg_endpoint_get(&r, h2));
    g_assert_null(bridge_reg_endpoint_get(&r, h3));
    g_assert_cmpuint(bridge_registry_endpoints(&r), ==, 1);
    g_assert_cmpuint(bridge_registry_conferences(&r), ==, 1);
    g_assert_cmpuint(bridge_registry_largest(&r), ==, 1);
    bridge_registry_clear(&r);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/registry/secrets", test_secrets);
    g_test_add_func("/registry/ids-and-handles", test_ids_and_handles);
    return g_test_run();
}
