/* SPDX-License-Identifier: MIT */
/* BridgeSrtp: round trips for both profiles, and every failure a receiver would notice
 * (tampering, replay, malformed packets, a buffer too small for the trailer). Two legs with
 * crossed keys stand for the bridge and a peer. Every case runs on both crypto
 * implementations (Parley's OpenSSL types and libsrtp's built-in ones); cross-implementation
 * checks and known answers are in test-srtp-openssl.c. */
#include <stdio.h>
#include <string.h>

#include "bridge/srtp/srtp.h"

typedef struct {
    BridgeSrtp *a; /* protects with k1, unprotects k2 */
    BridgeSrtp *b; /* protects with k2, unprotects k1 */
} Pair;

static void pair_init(Pair *p, BridgeSrtpProfile profile)
{
    BridgeSrtpKeys ka = {.profile = profile};
    ka.key_salt_len = profile == BRIDGE_SRTP_AEAD_AES_128_GCM ? 28 : 30;
    for (gsize i = 0; i < ka.key_salt_len; i++) {
        ka.local[i] = (guint8)g_test_rand_int();
        ka.remote[i] = (guint8)g_test_rand_int();
    }
    BridgeSrtpKeys kb = ka;
    memcpy(kb.local, ka.remote, sizeof kb.local);
    memcpy(kb.remote, ka.local, sizeof kb.remote);
    g_autoptr(GError) error = NULL;
    p->a = bridge_srtp_new(&ka, &error);
    g_assert_no_error(error);
    p->b = bridge_srtp_new(&kb, &error);
    g_assert_no_error(error);
}

static void pair_clear(Pair *p)
{
    bridge_srtp_free(p->a);
    bridge_srtp_free(p->b);
}

/* RTP packet: V=2, PT 111, @seq, SSRC, optional one-byte-header extension, payload pattern. */
static gsize make_rtp(guint8 *buf, guint16 seq, guint32 ssrc, gboolean ext, gsize payload)
{
    gsize n = 0;
    buf[n++] = ext ? 0x90 : 0x80;
    buf[n++] = 111;
    buf[n++] = (guint8)(seq >> 8);
    buf[n++] = (guint8)seq;
    guint32 ts = seq * 960u;
    for (int i = 3; i >= 0; i--)
        buf[n++] = (guint8)(ts >> (8 * i));
    for (int i = 3; i >= 0; i--)
        buf[n++] = (guint8)(ssrc >> (8 * i));
    if (ext) {
        /* 0xBEDE, one word: audio level (id 1, len 1) + padding */
        const guint8 e[] = {0xbe, 0xde, 0x00, 0x01, 0x10, 0x7f, 0x00, 0x00};
        memcpy(buf + n, e, sizeof e);
        n += sizeof e;
    }
    for (gsize i = 0; i < payload; i++)
        buf[n++] = (guint8)(i * 7 + seq);
    return n;
}

/* RTCP receiver report with one report block. */
static gsize make_rtcp(guint8 *buf, guint32 ssrc)
{
    memset(buf, 0, 32);
    buf[0] = 0x81;
    buf[1] = 201;
    buf[3] = 7; /* length in words - 1 */
    for (int i = 0; i < 4; i++)
        buf[4 + i] = (guint8)(ssrc >> (8 * (3 - i)));
    buf[8] = 0xca, buf[9] = 0xfe;
    return 32;
}

/* Test data: profile | crypto << 8. Selects the crypto for the sessions the case creates. */
#define CASE(profile, crypto) GINT_TO_POINTER((profile) | (crypto) << 8)

static BridgeSrtpProfile case_profile(gconstpointer data)
{
    int v = GPOINTER_TO_INT(data);
    g_assert_true(bridge_srtp_set_crypto((BridgeSrtpCrypto)(v >> 8)));
    return (BridgeSrtpProfile)(v & 0xff);
}

static void round_trip(gconstpointer data)
{
    BridgeSrtpProfile profile = case_profile(data);
    Pair p;
    pair_init(&p, profile);
    g_assert_cmpint(bridge_srtp_get_profile(p.a), ==, profile);
    gsize tag = profile == BRIDGE_SRTP_AEAD_AES_128_GCM ? 16 : 10;

    guint8 plain[1500], buf[1500];
    for (guint16 seq = 65530; seq != 10; seq++) { /* across a sequence number wrap */
        gboolean ext = seq % 2 == 0;
        gsize n = make_rtp(plain, seq, 0x11223344, ext, 1200);
        memcpy(buf, plain, n);
        gsize len = n;
        g_assert_cmpint(bridge_srtp_protect(p.a, buf, &len, sizeof buf), ==, BRIDGE_SRTP_OK);
        g_assert_cmpuint(len, ==, n + tag);
        g_assert_cmpmem(buf, 12, plain, 12); /* header stays in the clear */
        g_assert_true(memcmp(buf + n - 100, plain + n - 100, 100) != 0); /* payload is not */
        g_assert_cmpint(bridge_srtp_unprotect(p.b, buf, &len), ==, BRIDGE_SRTP_OK);
        g_assert_cmpmem(buf, len, plain, n);
    }
    /* and the other direction, another SSRC */
    gsize n = make_rtp(plain, 1, 0xdeadbeef, FALSE, 200);
    memcpy(buf, plain, n);
    gsize len = n;
    g_assert_cmpint(bridge_srtp_protect(p.b, buf, &len, sizeof buf), ==, BRIDGE_SRTP_OK);
    g_assert_cmpint(bridge_srtp_unprotect(p.a, buf, &len), ==, BRIDGE_SRTP_OK);
    g_assert_cmpmem(buf, len, plain, n);

    /* RTCP both ways */
    for (int dir = 0; dir < 2; dir++) {
        n = make_rtcp(plain, 0x55667788);
        memcpy(buf, plain, n);
        len = n;
        g_assert_cmpint(bridge_srtp_protect_rtcp(dir ? p.b : p.a, buf, &len, sizeof buf), ==,
                        BRIDGE_SRTP_OK);
        g_assert_cmpuint(len, ==, n + tag + 4);
        g_assert_cmpint(bridge_srtp_unprotect_rtcp(dir ? p.a : p.b, buf, &len), ==, BRIDGE_SRTP_OK);
        g_assert_cmpmem(buf, len, plain, n);
    }

    BridgeSrtpStats st;
    bridge_srtp_get_stats(p.b, &st);
    g_assert_cmpuint(st.rtp_unprotected, ==, 16);
    g_assert_cmpuint(st.rtcp_unprotected, ==, 1);
    g_assert_cmpuint(st.auth_fail + st.replay + st.malformed + st.no_space + st.error, ==, 0);
    pair_clear(&p);
}

static void tamper_and_replay(gconstpointer data)
{
    BridgeSrtpProfile profile = case_profile(data);
    Pair p;
    pair_init(&p, profile);
    guint8 plain[1500], prot[1500], buf[1500];
    gsize n = make_rtp(plain, 100, 0x1234, TRUE, 300);
    memcpy(prot, plain, n);
    gsize plen = n;
    g_assert_cmpint(bridge_srtp_protect(p.a, prot, &plen, sizeof prot), ==, BRIDGE_SRTP_OK);

    /* One flipped bit anywhere (header, payload, tag) fails authentication. */
    const gsize where[] = {1, 8, 20, plen / 2, plen - 1};
    for (gsize i = 0; i < G_N_ELEMENTS(where); i++) {
        memcpy(buf, prot, plen);
        buf[where[i]] ^= 0x01;
        gsize len = plen;
        g_assert_cmpint(bridge_srtp_unprotect(p.b, buf, &len), ==, BRIDGE_SRTP_AUTH_FAIL);
        g_assert_cmpuint(len, ==, plen);
    }
    /* Failed packets did not advance the replay window: the genuine one still passes... */
    memcpy(buf, prot, plen);
    gsize len = plen;
    g_assert_cmpint(bridge_srtp_unprotect(p.b, buf, &len), ==, BRIDGE_SRTP_OK);
    g_assert_cmpmem(buf, len, plain, n);
    /* ...once. */
    memcpy(buf, prot, plen);
    len = plen;
    g_assert_cmpint(bridge_srtp_unprotect(p.b, buf, &len), ==, BRIDGE_SRTP_REPLAY);

    /* Far behind the replay window after the receiver moved on: too old. (Sent early: the
     * sender's own window refuses to protect that far back, see below.) */
    guint8 old[100];
    gsize old_len = make_rtp(old, 90, 0x1234, FALSE, 10);
    g_assert_cmpint(bridge_srtp_protect(p.a, old, &old_len, sizeof old), ==, BRIDGE_SRTP_OK);
    for (guint16 seq = 101; seq <= 101 + 2 * 600; seq += 600) { /* 101, 701, 1301 */
        n = make_rtp(buf, seq, 0x1234, FALSE, 10);
        len = n;
        g_assert_cmpint(bridge_srtp_protect(p.a, buf, &len, sizeof buf), ==, BRIDGE_SRTP_OK);
        g_assert_cmpint(bridge_srtp_unprotect(p.b, buf, &len), ==, BRIDGE_SRTP_OK);
    }
    g_assert_cmpint(bridge_srtp_unprotect(p.b, old, &old_len), ==, BRIDGE_SRTP_REPLAY);
    /* A retransmission further back than the window cannot be protected either. */
    n = make_rtp(buf, 100, 0x1234, FALSE, 10);
    len = n;
    g_assert_cmpint(bridge_srtp_protect(p.a, buf, &len, sizeof buf), ==, BRIDGE_SRTP_REPLAY);
    g_assert_cmpuint(len, ==, n);

    /* RTCP: tamper and replay too */
    n = make_rtcp(plain, 0x99);
    memcpy(prot, plain, n);
    plen = n;
    g_assert_cmpint(bridge_srtp_protect_rtcp(p.a, prot, &plen, sizeof prot), ==, BRIDGE_SRTP_OK);
    memcpy(buf, prot, plen);
    buf[10] ^= 0x80;
    len = plen;
    g_assert_cmpint(bridge_srtp_unprotect_rtcp(p.b, buf, &len), ==, BRIDGE_SRTP_AUTH_FAIL);
    memcpy(buf, prot, plen);
    len = plen;
    g_assert_cmpint(bridge_srtp_unprotect_rtcp(p.b, buf, &len), ==, BRIDGE_SRTP_OK);
    memcpy(buf, prot, plen);
    len = plen;
    g_assert_cmpint(bridge_srtp_unprotect_rtcp(p.b, buf, &len), ==, BRIDGE_SRTP_REPLAY);

    BridgeSrtpStats st;
    bridge_srtp_get_stats(p.b, &st);
    g_assert_cmpuint(st.auth_fail, ==, G_N_ELEMENTS(where) + 1);
    g_assert_cmpuint(st.replay, ==, 3);
    bridge_srtp_get_stats(p.a, &st);
    g_assert_cmpuint(st.replay, ==, 1); /* the refused retransmission */
    pair_clear(&p);
}

/* The bridge answers NACKs by sending the same sequence number again (allow_repeat_tx): the
 * retransmission is byte-identical and the receiver takes it if it lost the first copy. */
static void retransmit(gconstpointer data)
{
    Pair p;
    pair_init(&p, case_profile(data));
    guint8 first[1500], again[1500];
    gsize n = make_rtp(first, 7, 0x42, FALSE, 500), l1 = n, l2 = n;
    memcpy(again, first, n);
    g_assert_cmpint(bridge_srtp_protect(p.a, first, &l1, sizeof first), ==, BRIDGE_SRTP_OK);
    guint8 later[1500];
    gsize ln = make_rtp(later, 8, 0x42, FALSE, 500);
    g_assert_cmpint(bridge_srtp_protect(p.a, later, &ln, sizeof later), ==, BRIDGE_SRTP_OK);
    g_assert_cmpint(bridge_srtp_protect(p.a, again, &l2, sizeof again), ==, BRIDGE_SRTP_OK);
    g_assert_cmpmem(first, l1, again, l2);
    /* first copy "lost": the receiver gets 8, then the retransmitted 7 */
    g_assert_cmpint(bridge_srtp_unprotect(p.b, later, &ln), ==, BRIDGE_SRTP_OK);
    g_assert_cmpint(bridge_srtp_unprotect(p.b, again, &l2), ==, BRIDGE_SRTP_OK);
    pair_clear(&p);
}

static void no_space_and_malformed(gconstpointer data)
{
    BridgeSrtpProfile profile = case_profile(data);
    gsize tag = profile == BRIDGE_SRTP_AEAD_AES_128_GCM ? 16 : 10;
    Pair p;
    pair_init(&p, profile);
    guint8 buf[1500], copy[1500];

    gsize n = make_rtp(buf, 1, 5, FALSE, 100), len = n;
    memcpy(copy, buf, n);
    g_assert_cmpint(bridge_srtp_protect(p.a, buf, &len, n + tag - 1), ==, BRIDGE_SRTP_NO_SPACE);
    g_assert_cmpuint(len, ==, n);
    g_assert_cmpmem(buf, n, copy, n); /* untouched */
    g_assert_cmpint(bridge_srtp_protect(p.a, buf, &len, n), ==, BRIDGE_SRTP_NO_SPACE);
    g_assert_cmpint(bridge_srtp_protect(p.a, buf, &len, n + tag), ==, BRIDGE_SRTP_OK);
    g_assert_cmpuint(len, ==, n + tag);

    n = make_rtcp(buf, 5);
    len = n;
    g_assert_cmpint(bridge_srtp_protect_rtcp(p.a, buf, &len, n + tag + 3), ==,
                    BRIDGE_SRTP_NO_SPACE);
    g_assert_cmpint(bridge_srtp_protect_rtcp(p.a, buf, &len, n + tag + 4), ==, BRIDGE_SRTP_OK);

    /* Malformed RTP, both directions */
    n = make_rtp(buf, 2, 5, FALSE, 0);
    len = 11;
    g_assert_cmpint(bridge_srtp_protect(p.a, buf, &len, sizeof buf), ==, BRIDGE_SRTP_MALFORMED);
    len = n;
    buf[0] = 0x40; /* version 1 */
    g_assert_cmpint(bridge_srtp_protect(p.a, buf, &len, sizeof buf), ==, BRIDGE_SRTP_MALFORMED);
    buf[0] = 0x8f; /* 15 CSRCs in a 12-byte packet */
    g_assert_cmpint(bridge_srtp_protect(p.a, buf, &len, sizeof buf), ==, BRIDGE_SRTP_MALFORMED);
    n = make_rtp(buf, 3, 5, TRUE, 4);
    buf[14] = 0x40; /* extension claims 16 KiB */
    len = n;
    g_assert_cmpint(bridge_srtp_protect(p.a, buf, &len, sizeof buf), ==, BRIDGE_SRTP_MALFORMED);
    g_assert_cmpint(bridge_srtp_unprotect(p.b, buf, &len), ==, BRIDGE_SRTP_MALFORMED);
    len = 12 + tag - 1; /* shorter than header + tag */
    n = make_rtp(buf, 3, 5, FALSE, 40);
    g_assert_cmpint(bridge_srtp_unprotect(p.b, buf, &len), ==, BRIDGE_SRTP_MALFORMED);
    len = 70000;
    g_assert_cmpint(bridge_srtp_unprotect(p.b, buf, &len), ==, BRIDGE_SRTP_MALFORMED);
    len = 7;
    g_assert_cmpint(bridge_srtp_protect_rtcp(p.a, buf, &len, sizeof buf), ==,
                    BRIDGE_SRTP_MALFORMED);
    len = 8 + 4 + tag - 1;
    g_assert_cmpint(bridge_srtp_unprotect_rtcp(p.b, buf, &len), ==, BRIDGE_SRTP_MALFORMED);

    /* Random junk of every length: never OK, never a crash (run under ASan in CI). */
    for (gsize l = 0; l < 200; l++) {
        for (gsize i = 0; i < l; i++)
            buf[i] = (guint8)g_test_rand_int();
        buf[0] = (buf[0] & 0x3f) | 0x80;
        len = l;
        g_assert_cmpint(bridge_srtp_unprotect(p.b, buf, &len), !=, BRIDGE_SRTP_OK);
        len = l;
        g_assert_cmpint(bridge_srtp_unprotect_rtcp(p.b, buf, &len), !=, BRIDGE_SRTP_OK);
    }
    pair_clear(&p);
}

static void bad_keys(void)
{
    BridgeSrtpKeys k = {.profile = BRIDGE_SRTP_AEAD_AES_128_GCM, .key_salt_len = 30};
    g_autoptr(GError) error = NULL;
    g_assert_null(bridge_srtp_new(&k, &error));
    g_assert_error(error, BRIDGE_SRTP_ERROR, BRIDGE_SRTP_ERROR_KEYS);
    g_clear_error(&error);
    k.profile = BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80;
    k.key_salt_len = 28;
    g_assert_null(bridge_srtp_new(&k, &error));
    g_assert_error(error, BRIDGE_SRTP_ERROR, BRIDGE_SRTP_ERROR_KEYS);
    g_clear_error(&error);
    k.profile = (BridgeSrtpProfile)42;
    g_assert_null(bridge_srtp_new(&k, &error));
    g_assert_error(error, BRIDGE_SRTP_ERROR, BRIDGE_SRTP_ERROR_KEYS);
}

static gboolean mapped(const char *maps, const char *lib)
{
    return strstr(maps, lib) != NULL;
}

/* The built-in backend is read from what is loaded. Cross-check with /proc/self/maps: if
 * libsrtp2 is a shared library here and NSS is mapped (only libsrtp2 pulls it in), it must
 * say "nss"; if NSS is not mapped at all, it must not. bridge_srtp_backend() names what new
 * sessions run on, and follows bridge_srtp_set_crypto(). */
static void backend(void)
{
    const char *b = bridge_srtp_builtin_backend();
    g_test_message("libsrtp2 built-in backend: %s", b);
    const char *known[] = {"openssl", "nss", "wolfssl", "mbedtls", "builtin"};
    gboolean ok = FALSE;
    for (gsize i = 0; i < G_N_ELEMENTS(known); i++)
        ok = ok || g_str_equal(b, known[i]);
    g_assert_true(ok);
    g_assert_true(bridge_srtp_builtin_backend() == b); /* computed once */

    g_autofree char *maps = NULL;
    g_assert_true(g_file_get_contents("/proc/self/maps", &maps, NULL, NULL));
    if (mapped(maps, "libsrtp2.so") && mapped(maps, "libnss3.so"))
        g_assert_cmpstr(b, ==, "nss");
    if (!mapped(maps, "libnss3.so"))
        g_assert_cmpstr(b, !=, "nss");

    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_LIBSRTP));
    g_assert_cmpint(bridge_srtp_get_crypto(), ==, BRIDGE_SRTP_CRYPTO_LIBSRTP);
    g_assert_true(bridge_srtp_backend() == b);
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_OPENSSL));
    g_assert_cmpint(bridge_srtp_get_crypto(), ==, BRIDGE_SRTP_CRYPTO_OPENSSL);
    g_assert_cmpstr(bridge_srtp_backend(), ==, BRIDGE_SRTP_OPENSSL_BACKEND);
    g_assert_cmpstr(bridge_srtp_backend(), ==, "openssl (parley)");
}

static void measure(void)
{
    for (int crypto = 0; crypto < 2; crypto++) {
        g_assert_true(bridge_srtp_set_crypto(crypto));
        for (int prof = 0; prof < 2; prof++) {
            double ns = bridge_srtp_measure_protect_ns(prof, 1200, 200);
            g_test_message("%s protect 1200 B on %s: %.0f ns", bridge_srtp_profile_name(prof),
                           bridge_srtp_backend(), ns);
            g_assert_cmpfloat(ns, >, 0.0);
        }
    }
    g_assert_cmpfloat(bridge_srtp_measure_protect_ns(0, 1200, 0), <, 0.0);
    g_assert_cmpfloat(bridge_srtp_measure_protect_ns((BridgeSrtpProfile)9, 1200, 10), <, 0.0);
    g_assert_cmpstr(bridge_srtp_profile_name(BRIDGE_SRTP_AEAD_AES_128_GCM), ==, "AEAD_AES_128_GCM");
    g_assert_cmpstr(bridge_srtp_profile_name(BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80), ==,
                    "AES_CM_128_HMAC_SHA1_80");
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bridge_srtp_global_init();
    bridge_srtp_global_init(); /* idempotent */
    const struct {
        const char *name;
        BridgeSrtpProfile p;
    } profiles[] = {{"gcm", BRIDGE_SRTP_AEAD_AES_128_GCM},
                    {"cm", BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80}};
    const struct {
        const char *name;
        BridgeSrtpCrypto c;
    } cryptos[] = {{"openssl", BRIDGE_SRTP_CRYPTO_OPENSSL},
                   {"libsrtp", BRIDGE_SRTP_CRYPTO_LIBSRTP}};
    const struct {
        const char *name;
        GTestDataFunc fn;
    } cases[] = {{"round-trip", round_trip},
                 {"tamper-replay", tamper_and_replay},
                 {"retransmit", retransmit},
                 {"no-space-malformed", no_space_and_malformed}};
    for (gsize c = 0; c < G_N_ELEMENTS(cryptos); c++)
        for (gsize k = 0; k < G_N_ELEMENTS(cases); k++)
            for (gsize i = 0; i < G_N_ELEMENTS(profiles); i++) {
                g_autofree char *path =
                    g_strdup_printf("/bridge-crypto/srtp/%s/%s/%s", cryptos[c].name, cases[k].name,
                                    profiles[i].name);
                g_test_add_data_func(path, CASE(profiles[i].p, cryptos[c].c), cases[k].fn);
            }
    g_test_add_func("/bridge-crypto/srtp/bad-keys", bad_keys);
    g_test_add_func("/bridge-crypto/srtp/backend", backend);
    g_test_add_func("/bridge-crypto/srtp/measure", measure);
    int r = g_test_run();
    bridge_srtp_global_shutdown();
    return r;
}
