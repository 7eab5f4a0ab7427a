/* SPDX-License-Identifier: MIT */
/* STUN short-term credentials without allocation (bridge/media/stun-auth.h), checked against
 * libnice's own STUN agent: what the bridge signs, libnice verifies (MESSAGE-INTEGRITY with
 * the right key and FINGERPRINT), what libnice signs, the bridge verifies; a wrong key, a
 * flipped byte or a missing MESSAGE-INTEGRITY do not verify. */
#include <netinet/in.h>
#include <string.h>
#include <stun/stunagent.h>
#include <stun/usages/ice.h>

#include "bridge/media/stun-auth.h"

static const char *key = "0123456789abcdefABCDEF+/";

static bool credentials(StunAgent *agent, StunMessage *msg, uint8_t *username,
                        uint16_t username_len, uint8_t **password, size_t *password_len, void *data)
{
    *password = (uint8_t *)key;
    *password_len = strlen(key);
    return true;
}

/* A binding request as a browser sends it, built by libnice without credentials. */
static gsize build_check(StunAgent *agent, guint8 *out, gsize cap)
{
    StunMessage msg;
    return stun_usage_ice_conncheck_create(agent, &msg, out, cap, (const uint8_t *)"abcd:efgh", 9,
                                           NULL, 0, TRUE, TRUE, 12345, 42, NULL,
                                           STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
}

static void test_sign_verified_by_libnice(void)
{
    StunAgent builder, checker;
    stun_agent_init(&builder, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_IGNORE_CREDENTIALS);
    stun_agent_init(&checker, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    guint8 out[512];
    gsize n = build_check(&builder, out, sizeof out - BRIDGE_STUN_SIGN_ROOM);
    g_assert_cmpuint(n, >, 20);
    g_assert_cmpuint(bridge_stun_sign(out, n, n + 4, (const guint8 *)key, strlen(key)), ==, 0);
    gsize signed_len = bridge_stun_sign(out, n, sizeof out, (const guint8 *)key, strlen(key));
    g_assert_cmpuint(signed_len, ==, n + 24 + 8);
    StunMessage msg;
    g_assert_cmpint(stun_agent_validate(&checker, &msg, out, signed_len, credentials, NULL), ==,
                    STUN_VALIDATION_SUCCESS);
    g_assert_true(bridge_stun_check_integrity(out, signed_len, (const guint8 *)key, strlen(key)));
    g_assert_false(bridge_stun_check_integrity(out, signed_len, (const guint8 *)"other", 5));
    /* A flipped byte breaks both the integrity and libnice's fingerprint check. */
    out[24] ^= 1;
    g_assert_false(bridge_stun_check_integrity(out, signed_len, (const guint8 *)key, strlen(key)));
    g_assert_cmpint(stun_agent_validate(&checker, &msg, out, signed_len, credentials, NULL), !=,
                    STUN_VALIDATION_SUCCESS);
    /* Fingerprint only: valid STUN, no integrity to verify. */
    out[24] ^= 1;
    gsize fp_len = bridge_stun_sign(out, n, sizeof out, NULL, 0);
    g_assert_cmpuint(fp_len, ==, n + 8);
    g_assert_false(bridge_stun_check_integrity(out, fp_len, (const guint8 *)key, strlen(key)));
}

static void test_verify_libnice_signed(void)
{
    StunAgent agent;
    stun_agent_init(&agent, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    guint8 out[512];
    StunMessage msg;
    gsize n = stun_usage_ice_conncheck_create(
        &agent, &msg, out, sizeof out, (const uint8_t *)"abcd:efgh", 9, (const uint8_t *)key,
        strlen(key), FALSE, FALSE, 1, 2, NULL, STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    g_assert_cmpuint(n, >, 20);
    g_assert_true(bridge_stun_check_integrity(out, n, (const guint8 *)key, strlen(key)));
    g_assert_false(bridge_stun_check_integrity(out, n - 1, (const guint8 *)key, strlen(key)));
    g_assert_false(bridge_stun_check_integrity(out, 19, (const guint8 *)key, strlen(key)));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/stun-auth/sign", test_sign_verified_by_libnice);
    g_test_add_func("/stun-auth/verify", test_verify_libnice_signed);
    return g_test_run();
}
