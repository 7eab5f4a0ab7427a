/* SPDX-License-Identifier: MIT */
/* Parley's OpenSSL crypto types for libsrtp (bridge/srtp/srtp-openssl.c), checked three ways:
 *  - known answers from the specifications (RFC 3711 B.2/B.3, RFC 7714 §16.1.1, RFC 2202)
 *    and libsrtp's published reference packets (its test/srtp_driver.c "validate" vectors),
 *    through the cipher/auth interface and through BridgeSrtp;
 *  - against libsrtp's built-in implementation (NSS in Debian's build) in the same process:
 *    libsrtp binds a session to its types at creation, so sessions made before and after
 *    bridge_srtp_set_crypto() run on different crypto side by side; their packets must be
 *    byte-identical and each must open the other's;
 *  - for heap allocations: none per packet after warm-up (malloc/calloc/realloc are counted
 *    by interposition; not in AddressSanitizer builds, which own malloc);
 *  - for switching the crypto while other threads create sessions and run traffic.
 * Single-threaded except switch-under-load, whose threads only touch their own sessions. */
#include <dlfcn.h>
#include <openssl/err.h>
#include <srtp2/srtp.h>
#include <stdlib.h>
#include <string.h>

#include "bridge/srtp/srtp-priv.h"
#include "bridge/srtp/srtp.h"

#if defined(__SANITIZE_ADDRESS__)
#define HAVE_ALLOC_COUNTER 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define HAVE_ALLOC_COUNTER 0
#endif
#endif
#ifndef HAVE_ALLOC_COUNTER
#define HAVE_ALLOC_COUNTER 1
/* glibc's own entry points; every other allocator in the process (GLib, OpenSSL, NSS via
 * NSPR) ends up in these three. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t m);
extern void *__libc_realloc(void *p, size_t n);
static gboolean counting; /* set only by the single-threaded cases that count */
static guint64 allocations;
void *malloc(size_t n)
{
    if (counting)
        allocations++;
    return __libc_malloc(n);
}
void *calloc(size_t n, size_t m)
{
    if (counting)
        allocations++;
    return __libc_calloc(n, m);
}
void *realloc(void *p, size_t n)
{
    if (counting)
        allocations++;
    return __libc_realloc(p, n);
}
#endif

/* Hex with optional spaces into @out; returns the byte count. */
static gsize unhex(const char *hex, guint8 *out, gsize cap)
{
    gsize n = 0;
    for (const char *p = hex; *p != '\0';) {
        if (*p == ' ') {
            p++;
            continue;
        }
        g_assert_true(g_ascii_isxdigit(p[0]) && g_ascii_isxdigit(p[1]));
        g_assert_cmpuint(n, <, cap);
        out[n++] = (guint8)(g_ascii_xdigit_value(p[0]) << 4 | g_ascii_xdigit_value(p[1]));
        p += 2;
    }
    return n;
}

static const srtp_cipher_type_t *builtin_cipher(const char *symbol)
{
    const srtp_cipher_type_t *t = dlsym(RTLD_DEFAULT, symbol);
    g_assert_nonnull(t);
    return t;
}

/* ---- cipher and auth interface: known answers ------------------------------------------ */

/* RFC 3711 B.3: master key || master salt, and the 94-byte auth key derived with label 1. */
#define B3_MASTER "e1f97a0d3e018be0d64fa32c06de4139 0ec675ad498afeebb6960b3aabe6"
#define B3_AUTH_KEY                                                                                \
    "cebe321f6ff7716b6fd4ab49af256a156d38baa48f0a0acf3c34e2359e6cdbcee049646c43d9327ad175578e"     \
    "f72270986371c10c9a369ac2f94a8c5fbcdddc256d6e919a48b610ef17c2041e474035766b68642c59bbfc2f"     \
    "34db60dbdfb2"

static void kat_aes_icm(void)
{
    const srtp_cipher_type_t *ct = &bridge_srtp_ossl_aes_icm_128;
    const srtp_cipher_type_t *builtin = builtin_cipher("srtp_aes_icm_128");
    /* Our vectors, libsrtp's vectors for the same id (its kernel runs both on replace), and
     * libsrtp's own implementation against our vectors (the vectors are right). */
    g_assert_cmpint(srtp_cipher_type_self_test(ct), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_type_test(ct, builtin->test_data), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_type_test(builtin, ct->test_data), ==, srtp_err_status_ok);

    guint8 key[30], expect[94], buf[128] = {0}, iv[16] = {0};
    g_assert_cmpuint(unhex(B3_MASTER, key, sizeof key), ==, 30);
    g_assert_cmpuint(unhex(B3_AUTH_KEY, expect, sizeof expect), ==, 94);
    srtp_cipher_t *c = NULL;
    g_assert_cmpint(srtp_cipher_type_alloc(ct, &c, 30, 0), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_init(c, key), ==, srtp_err_status_ok);
    /* The key derivation in pieces: the keystream carries on across encrypt calls. */
    iv[7] = 1; /* label 1: SRTP authentication key */
    g_assert_cmpint(srtp_cipher_set_iv(c, iv, srtp_direction_encrypt), ==, srtp_err_status_ok);
    const guint32 pieces[] = {7, 50, 37};
    gsize at = 0;
    for (gsize i = 0; i < G_N_ELEMENTS(pieces); i++) {
        guint32 n = pieces[i];
        g_assert_cmpint(srtp_cipher_encrypt(c, buf + at, &n), ==, srtp_err_status_ok);
        g_assert_cmpuint(n, ==, pieces[i]);
        at += n;
    }
    g_assert_cmpmem(buf, 94, expect, 94);

    /* The 16-bit block counter never carries: from block FFFF one block is left. */
    iv[14] = iv[15] = 0xff;
    g_assert_cmpint(srtp_cipher_set_iv(c, iv, srtp_direction_encrypt), ==, srtp_err_status_ok);
    guint32 n = 17;
    g_assert_cmpint(srtp_cipher_encrypt(c, buf, &n), ==, srtp_err_status_bad_param);
    n = 16;
    g_assert_cmpint(srtp_cipher_encrypt(c, buf, &n), ==, srtp_err_status_ok);
    n = 1;
    g_assert_cmpint(srtp_cipher_encrypt(c, buf, &n), ==, srtp_err_status_bad_param);
    g_assert_cmpint(srtp_cipher_dealloc(c), ==, srtp_err_status_ok);

    /* Only libsrtp's AES-128-ICM key length (key + salt). */
    g_assert_cmpint(srtp_cipher_type_alloc(ct, &c, 16, 0), ==, srtp_err_status_bad_param);
    g_assert_cmpint(srtp_cipher_type_alloc(ct, &c, 46, 0), ==, srtp_err_status_bad_param);
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, 0);
}

/* RFC 7714 §16.1.1. */
#define R7714_KEY "000102030405060708090a0b0c0d0e0f 517569642070726f2071756f"
#define R7714_IV "51753c6580c2726f20718414"
#define R7714_RTP_HEADER "8040f17b 8041f8d3 5501a0b2"
#define R7714_PLAIN                                                                                \
    "47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573"
#define R7714_SEALED                                                                               \
    "f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833"        \
    "899d7f27 beb16a91 52cf765e e4390cce"

/* One AEAD packet through the libsrtp cipher interface: IV, AAD in @n_aad pieces, then
 * @plain; writes ciphertext || tag to @out and returns its length. */
static gsize gcm_seal(const srtp_cipher_type_t *ct, int tag_len, const guint8 *key,
                      const guint8 *iv, const guint8 *aad, gsize aad_len, gsize n_aad,
                      const guint8 *plain, gsize plain_len, guint8 *out)
{
    srtp_cipher_t *c = NULL;
    g_assert_cmpint(srtp_cipher_type_alloc(ct, &c, 28, tag_len), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_init(c, key), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_set_iv(c, (guint8 *)iv, srtp_direction_encrypt), ==,
                    srtp_err_status_ok);
    gsize piece = (aad_len + n_aad - 1) / n_aad;
    for (gsize at = 0; at < aad_len; at += piece)
        g_assert_cmpint(srtp_cipher_set_aad(c, aad + at, (guint32)MIN(piece, aad_len - at)), ==,
                        srtp_err_status_ok);
    if (plain_len > 0)
        memcpy(out, plain, plain_len);
    guint32 n = (guint32)plain_len, tag = 0;
    g_assert_cmpint(srtp_cipher_encrypt(c, plain_len ? out : NULL, &n), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_get_tag(c, out + n, &tag), ==, srtp_err_status_ok);
    g_assert_cmpuint(tag, ==, (guint)tag_len);
    g_assert_cmpint(srtp_cipher_dealloc(c), ==, srtp_err_status_ok);
    return n + tag;
}

/* Opens @sealed (ciphertext || tag) in place; returns libsrtp's status. */
static srtp_err_status_t gcm_open(const srtp_cipher_type_t *ct, int tag_len, const guint8 *key,
                                  const guint8 *iv, const guint8 *aad, gsize aad_len,
                                  guint8 *sealed, guint32 *len)
{
    srtp_cipher_t *c = NULL;
    g_assert_cmpint(srtp_cipher_type_alloc(ct, &c, 28, tag_len), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_init(c, key), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_set_iv(c, (guint8 *)iv, srtp_direction_decrypt), ==,
                    srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_set_aad(c, aad, (guint32)aad_len), ==, srtp_err_status_ok);
    srtp_err_status_t st = srtp_cipher_decrypt(c, sealed, len);
    g_assert_cmpint(srtp_cipher_dealloc(c), ==, srtp_err_status_ok);
    return st;
}

static void kat_aes_gcm(void)
{
    const srtp_cipher_type_t *ct = &bridge_srtp_ossl_aes_gcm_128;
    const srtp_cipher_type_t *builtin = builtin_cipher("srtp_aes_gcm_128");
    g_assert_cmpint(srtp_cipher_type_self_test(ct), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_type_test(ct, builtin->test_data), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_type_test(builtin, ct->test_data), ==, srtp_err_status_ok);

    guint8 key[28], iv[12], aad[12], plain[38], sealed[54], out[128];
    g_assert_cmpuint(unhex(R7714_KEY, key, sizeof key), ==, 28);
    g_assert_cmpuint(unhex(R7714_IV, iv, sizeof iv), ==, 12);
    g_assert_cmpuint(unhex(R7714_RTP_HEADER, aad, sizeof aad), ==, 12);
    g_assert_cmpuint(unhex(R7714_PLAIN, plain, sizeof plain), ==, 38);
    g_assert_cmpuint(unhex(R7714_SEALED, sealed, sizeof sealed), ==, 54);

    /* AAD in one piece or several (libsrtp feeds SRTCP's header and trailer separately). */
    for (gsize pieces = 1; pieces <= 3; pieces++) {
        gsize n = gcm_seal(ct, 16, key, iv, aad, sizeof aad, pieces, plain, sizeof plain, out);
        g_assert_cmpmem(out, n, sealed, sizeof sealed);
    }
    guint32 len = sizeof sealed;
    memcpy(out, sealed, len);
    g_assert_cmpint(gcm_open(ct, 16, key, iv, aad, sizeof aad, out, &len), ==, srtp_err_status_ok);
    g_assert_cmpmem(out, len, plain, sizeof plain);

    /* One flipped bit in the AAD, the ciphertext or the tag: authentication fails. */
    for (gsize where = 0; where < sizeof aad + sizeof sealed; where += 7) {
        guint8 bad_aad[12];
        memcpy(bad_aad, aad, sizeof aad);
        memcpy(out, sealed, sizeof sealed);
        if (where < sizeof aad)
            bad_aad[where] ^= 0x01;
        else
            out[where - sizeof aad] ^= 0x80;
        len = sizeof sealed;
        g_assert_cmpint(gcm_open(ct, 16, key, iv, bad_aad, sizeof aad, out, &len), ==,
                        srtp_err_status_auth_fail);
        /* Nothing left in OpenSSL's per-thread error queue for the DTLS code to trip on. */
        g_assert_cmpuint(ERR_peek_error(), ==, 0);
    }

    /* An 8-byte tag is the 16-byte tag's first half (NIST SP 800-38D truncation). */
    gsize n = gcm_seal(ct, 8, key, iv, aad, sizeof aad, 1, plain, sizeof plain, out);
    g_assert_cmpmem(out, n, sealed, sizeof plain + 8);
    len = (guint32)n;
    g_assert_cmpint(gcm_open(ct, 8, key, iv, aad, sizeof aad, out, &len), ==, srtp_err_status_ok);
    g_assert_cmpuint(len, ==, sizeof plain);

    /* AAD only, no payload (SRTCP with the E flag clear): same tag as libsrtp's built-in. */
    guint8 mine[16], theirs[16];
    g_assert_cmpuint(gcm_seal(ct, 16, key, iv, aad, sizeof aad, 2, NULL, 0, mine), ==, 16);
    g_assert_cmpuint(gcm_seal(builtin, 16, key, iv, aad, sizeof aad, 2, NULL, 0, theirs), ==, 16);
    g_assert_cmpmem(mine, 16, theirs, 16);
    len = 16;
    g_assert_cmpint(gcm_open(ct, 16, key, iv, aad, sizeof aad, mine, &len), ==, srtp_err_status_ok);
    g_assert_cmpuint(len, ==, 0);

    /* Calls out of order are refused, not undefined. */
    srtp_cipher_t *c = NULL;
    g_assert_cmpint(srtp_cipher_type_alloc(ct, &c, 28, 16), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_init(c, key), ==, srtp_err_status_ok);
    guint32 m = 10, tag = 0;
    g_assert_cmpint(srtp_cipher_encrypt(c, out, &m), ==, srtp_err_status_bad_param);
    g_assert_cmpint(srtp_cipher_set_iv(c, iv, srtp_direction_encrypt), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_decrypt(c, out, &m), ==, srtp_err_status_bad_param);
    g_assert_cmpint(srtp_cipher_get_tag(c, out, &tag), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_get_tag(c, out, &tag), ==, srtp_err_status_bad_param);
    g_assert_cmpint(srtp_cipher_set_iv(c, iv, srtp_direction_decrypt), ==, srtp_err_status_ok);
    m = 15; /* shorter than the tag */
    g_assert_cmpint(srtp_cipher_decrypt(c, out, &m), ==, srtp_err_status_bad_param);
    g_assert_cmpint(srtp_cipher_set_iv(c, iv, srtp_direction_any), ==, srtp_err_status_bad_param);
    g_assert_cmpint(srtp_cipher_dealloc(c), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_cipher_type_alloc(ct, &c, 28, 12), ==, srtp_err_status_bad_param);
    g_assert_cmpint(srtp_cipher_type_alloc(ct, &c, 16, 16), ==, srtp_err_status_bad_param);
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, 0);
}

/* RFC 2202 cases our registered list leaves out because libsrtp's built-in HMAC refuses
 * keys longer than 20 bytes: a 25-byte key, and 80-byte keys (hashed first, RFC 2104). */
static const guint8 key25[25] = {1,  2,  3,  4,  5,  6,  7,  8,  9,  10, 11, 12, 13,
                                 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25};
static guint8 key_aa80[80], data_cd50[50], tag4[20], tag6[20], tag7[20];
static const srtp_auth_test_case_t rfc2202_7 = {
    80,
    key_aa80,
    73,
    (const guint8 *)"Test Using Larger Than Block-Size Key and Larger Than One Block-Size Data",
    20,
    tag7,
    NULL};
static const srtp_auth_test_case_t rfc2202_6 = {
    80,        key_aa80,
    54,        (const guint8 *)"Test Using Larger Than Block-Size Key - Hash Key First",
    20,        tag6,
    &rfc2202_7};
static const srtp_auth_test_case_t rfc2202_4 = {25, key25, 50, data_cd50, 20, tag4, &rfc2202_6};

static void kat_hmac_sha1(void)
{
    const srtp_auth_type_t *at = &bridge_srtp_ossl_hmac_sha1;
    const srtp_auth_type_t *builtin = dlsym(RTLD_DEFAULT, "srtp_hmac");
    g_assert_nonnull(builtin);
    g_assert_cmpint(srtp_auth_type_self_test(at), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_auth_type_test(at, builtin->test_data), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_auth_type_test(builtin, at->test_data), ==, srtp_err_status_ok);

    memset(key_aa80, 0xaa, sizeof key_aa80);
    memset(data_cd50, 0xcd, sizeof data_cd50);
    unhex("4c9007f4026250c6bc8414f9bf50c86c2d7235da", tag4, 20);
    unhex("aa4ae5e15272d00e95705637ce8a3b55ed402112", tag6, 20);
    unhex("e8e99d0f45237d786d6bbaa7965c7808bbff1a91", tag7, 20);
    g_assert_cmpint(srtp_auth_type_test(at, &rfc2202_4), ==, srtp_err_status_ok);

    /* As libsrtp uses it per packet: start, updates, compute over the last bytes (the ROC),
     * an 80-bit tag; any split gives the same tag, and a second packet starts afresh. */
    const srtp_auth_test_case_t *t7 = &rfc2202_7;
    srtp_auth_t *a = NULL;
    g_assert_cmpint(srtp_auth_type_alloc(at, &a, 80, 10), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_auth_init(a, t7->key), ==, srtp_err_status_ok);
    for (int split = 0; split <= t7->data_length_octets; split += 9) {
        guint8 tag[20] = {0};
        g_assert_cmpint(srtp_auth_start(a), ==, srtp_err_status_ok);
        int first = split / 2;
        g_assert_cmpint(srtp_auth_update(a, t7->data, first), ==, srtp_err_status_ok);
        g_assert_cmpint(srtp_auth_update(a, t7->data + first, split - first), ==,
                        srtp_err_status_ok);
        g_assert_cmpint(srtp_auth_compute(a, t7->data + split, t7->data_length_octets - split, tag),
                        ==, srtp_err_status_ok);
        g_assert_cmpmem(tag, 10, tag7, 10);
        g_assert_cmpuint(tag[10], ==, 0); /* wrote out_len bytes only */
    }
    g_assert_cmpint(srtp_auth_dealloc(a), ==, srtp_err_status_ok);
    g_assert_cmpint(srtp_auth_type_alloc(at, &a, 20, 21), ==, srtp_err_status_bad_param);
    g_assert_cmpint(srtp_auth_type_alloc(at, &a, 129, 10), ==, srtp_err_status_bad_param);
    g_assert_cmpint(srtp_auth_type_alloc(at, &a, 0, 10), ==, srtp_err_status_bad_param);
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, 0);
}

/* ---- whole packets through BridgeSrtp --------------------------------------------------- */

static BridgeSrtp *session(BridgeSrtpProfile profile, const guint8 *local, const guint8 *remote)
{
    BridgeSrtpKeys k = {.profile = profile};
    k.key_salt_len = profile == BRIDGE_SRTP_AEAD_AES_128_GCM ? 28 : 30;
    memcpy(k.local, local, k.key_salt_len);
    memcpy(k.remote, remote, k.key_salt_len);
    g_autoptr(GError) error = NULL;
    BridgeSrtp *s = bridge_srtp_new(&k, &error);
    g_assert_no_error(error);
    return s;
}

typedef struct {
    BridgeSrtpProfile profile;
    const char *key, *rtp, *srtp, *rtcp, *srtcp;
} Reference;

/* libsrtp's published reference packets (test/srtp_driver.c, srtp_validate and
 * srtp_validate_gcm): the CM one uses the RFC 3711 B.3 master key; SSRC 0xcafebabe, sequence
 * number 0x1234, first SRTCP index 1. */
static const Reference references[] = {
    {BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80, B3_MASTER,
     "800f1234 decafbad cafebabe abababab abababab abababab abababab",
     "800f1234 decafbad cafebabe 4e55dc4c e79978d8 8ca4d215 949d2402 b78d6acc 99ea179b 8dbb",
     "81c8000b cafebabe abababab abababab abababab abababab",
     "81c8000b cafebabe 7128035b e487b9bd bef89041 f977a5a8 80000001 993e08cd 54d6c123 0798"},
    {BRIDGE_SRTP_AEAD_AES_128_GCM, "000102030405060708090a0b0c0d0e0f a0a1a2a3a4a5a6a7a8a9aaab",
     "800f1234 decafbad cafebabe abababab abababab abababab abababab",
     "800f1234 decafbad cafebabe c5002ede 04cfdd2e b91159e0 880aa06e d2976826 f796b201 df3131a1"
     "27e8a392",
     "81c8000b cafebabe abababab abababab abababab abababab",
     "81c8000b cafebabe c98b8b5d f0392a55 852b6c21 ac8e7025 c52c6fbe a2b3b446 ea31123b a88ce61e"
     "80000001"},
};

static void reference_packets(gconstpointer data)
{
    g_assert_true(bridge_srtp_set_crypto((BridgeSrtpCrypto)GPOINTER_TO_INT(data)));
    for (gsize i = 0; i < G_N_ELEMENTS(references); i++) {
        const Reference *r = &references[i];
        guint8 key[30], plain[64], sealed[64], buf[64];
        unhex(r->key, key, sizeof key);
        BridgeSrtp *s = session(r->profile, key, key); /* opens what it sends */
        for (int rtcp = 0; rtcp < 2; rtcp++) {
            gsize n = unhex(rtcp ? r->rtcp : r->rtp, plain, sizeof plain);
            gsize m = unhex(rtcp ? r->srtcp : r->srtp, sealed, sizeof sealed), len = n;
            memcpy(buf, plain, n);
            g_assert_cmpint(rtcp ? bridge_srtp_protect_rtcp(s, buf, &len, sizeof buf)
                                 : bridge_srtp_protect(s, buf, &len, sizeof buf),
                            ==, BRIDGE_SRTP_OK);
            g_assert_cmpmem(buf, len, sealed, m);
            g_assert_cmpint(rtcp ? bridge_srtp_unprotect_rtcp(s, buf, &len)
                                 : bridge_srtp_unprotect(s, buf, &len),
                            ==, BRIDGE_SRTP_OK);
            g_assert_cmpmem(buf, len, plain, n);
        }
        bridge_srtp_free(s);
    }
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_OPENSSL));
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, 0);
}

/* RTP packet of @payload bytes (one-byte-header extension on odd sequence numbers). */
static gsize make_rtp(guint8 *buf, guint16 seq, guint32 ssrc, gsize payload)
{
    gsize n = 0;
    gboolean ext = seq & 1;
    buf[n++] = ext ? 0x90 : 0x80;
    buf[n++] = 96;
    buf[n++] = (guint8)(seq >> 8);
    buf[n++] = (guint8)seq;
    guint32 ts = seq * 3000u;
    for (int i = 3; i >= 0; i--)
        buf[n++] = (guint8)(ts >> (8 * i));
    for (int i = 3; i >= 0; i--)
        buf[n++] = (guint8)(ssrc >> (8 * i));
    if (ext) {
        const guint8 e[] = {0xbe, 0xde, 0x00, 0x01, 0x10, 0x7f, 0x00, 0x00};
        memcpy(buf + n, e, sizeof e);
        n += sizeof e;
    }
    for (gsize i = 0; i < payload; i++)
        buf[n++] = (guint8)(i * 13 + seq);
    return n;
}

/* RTCP receiver report with one report block for @ssrc. */
static gsize make_rtcp(guint8 *buf, guint32 ssrc, guint8 salt)
{
    memset(buf, salt, 32);
    buf[0] = 0x81;
    buf[1] = 201;
    buf[2] = 0;
    buf[3] = 7;
    for (int i = 0; i < 4; i++)
        buf[4 + i] = (guint8)(ssrc >> (8 * (3 - i)));
    return 32;
}

/* Contexts one BridgeSrtp holds on the OpenSSL crypto: two libsrtp sessions, each with RTP
 * and RTCP ciphers, plus RTP and RTCP HMACs for AES-CM (GCM uses libsrtp's null auth). */
static gint contexts_per_leg(BridgeSrtpProfile p)
{
    return p == BRIDGE_SRTP_AEAD_AES_128_GCM ? 2 * 2 : 2 * 4;
}

/* The same keys on both crypto implementations: every packet either sends is byte-identical
 * to the other's, and each receiver opens what the other implementation sealed. */
static void cross_implementation(gconstpointer data)
{
    BridgeSrtpProfile profile = GPOINTER_TO_INT(data);
    gsize tag = profile == BRIDGE_SRTP_AEAD_AES_128_GCM ? 16 : 10;
    guint8 ka[30], kb[30];
    for (gsize i = 0; i < sizeof ka; i++) {
        ka[i] = (guint8)g_test_rand_int();
        kb[i] = (guint8)g_test_rand_int();
    }
    gint live0 = bridge_srtp_openssl_live_contexts();
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_LIBSRTP));
    BridgeSrtp *lib_a = session(profile, ka, kb), *lib_b = session(profile, kb, ka);
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, live0); /* none of ours */
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_OPENSSL));
    BridgeSrtp *ossl_a = session(profile, ka, kb), *ossl_b = session(profile, kb, ka);
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, live0 + 2 * contexts_per_leg(profile));

    /* a -> b and b -> a; two SSRCs; sizes 0..1299; across a sequence number wrap (ROC 1). */
    guint8 plain[1400], x[1400], y[1400];
    guint16 seq = 64000;
    for (int i = 0; i < 3000; i++, seq++) {
        gboolean back = i % 2; /* b sends */
        BridgeSrtp *lib_tx = back ? lib_b : lib_a, *ossl_tx = back ? ossl_b : ossl_a;
        BridgeSrtp *lib_rx = back ? lib_a : lib_b, *ossl_rx = back ? ossl_a : ossl_b;
        gboolean rtcp = i % 10 == 3;
        guint32 ssrc = i % 3 ? 0x11223344 : 0x55667788;
        gsize n = rtcp ? make_rtcp(plain, ssrc, (guint8)i)
                       : make_rtp(plain, seq, ssrc, (gsize)(i * 37) % 1300);
        gsize lx = n, ly = n;
        memcpy(x, plain, n);
        memcpy(y, plain, n);
        if (rtcp) {
            g_assert_cmpint(bridge_srtp_protect_rtcp(lib_tx, x, &lx, sizeof x), ==, BRIDGE_SRTP_OK);
            g_assert_cmpint(bridge_srtp_protect_rtcp(ossl_tx, y, &ly, sizeof y), ==,
                            BRIDGE_SRTP_OK);
        } else {
            g_assert_cmpint(bridge_srtp_protect(lib_tx, x, &lx, sizeof x), ==, BRIDGE_SRTP_OK);
            g_assert_cmpint(bridge_srtp_protect(ossl_tx, y, &ly, sizeof y), ==, BRIDGE_SRTP_OK);
            g_assert_cmpuint(ly, ==, n + tag);
        }
        g_assert_cmpmem(x, lx, y, ly);
        /* A flipped bit is refused by both. */
        if (i % 50 == 7) {
            guint8 bad[1400];
            gsize lb = lx;
            memcpy(bad, x, lx);
            bad[lx - 1 - (gsize)i % 20] ^= 0x10;
            g_assert_cmpint(rtcp ? bridge_srtp_unprotect_rtcp(ossl_rx, bad, &lb)
                                 : bridge_srtp_unprotect(ossl_rx, bad, &lb),
                            ==, BRIDGE_SRTP_AUTH_FAIL);
            lb = lx;
            memcpy(bad, y, ly);
            bad[lx - 1 - (gsize)i % 20] ^= 0x10;
            g_assert_cmpint(rtcp ? bridge_srtp_unprotect_rtcp(lib_rx, bad, &lb)
                                 : bridge_srtp_unprotect(lib_rx, bad, &lb),
                            ==, BRIDGE_SRTP_AUTH_FAIL);
        }
        /* libsrtp-built-in sealed -> OpenSSL opens, and the other way round. */
        g_assert_cmpint(rtcp ? bridge_srtp_unprotect_rtcp(ossl_rx, x, &lx)
                             : bridge_srtp_unprotect(ossl_rx, x, &lx),
                        ==, BRIDGE_SRTP_OK);
        g_assert_cmpint(rtcp ? bridge_srtp_unprotect_rtcp(lib_rx, y, &ly)
                             : bridge_srtp_unprotect(lib_rx, y, &ly),
                        ==, BRIDGE_SRTP_OK);
        g_assert_cmpmem(x, lx, plain, n);
        g_assert_cmpmem(y, ly, plain, n);
    }
    bridge_srtp_free(lib_a);
    bridge_srtp_free(lib_b);
    bridge_srtp_free(ossl_a);
    bridge_srtp_free(ossl_b);
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, live0);
}

/* ---- allocations ------------------------------------------------------------------------ */

#define ALLOC_PACKETS 10000

/* @rounds RTP packets a -> b (1200 bytes of payload, two SSRCs), and every 100th round an
 * RTCP packet, a tampered packet (AUTH_FAIL) and a replay (REPLAY). */
static void traffic(BridgeSrtp *a, BridgeSrtp *b, guint16 *seq, int rounds)
{
    guint8 buf[1500], bad[1500];
    for (int i = 0; i < rounds; i++, (*seq)++) {
        guint32 ssrc = i % 2 ? 0xa1a2a3a4 : 0xb1b2b3b4;
        gsize len = make_rtp(buf, *seq, ssrc, 1200);
        g_assert_cmpint(bridge_srtp_protect(a, buf, &len, sizeof buf), ==, BRIDGE_SRTP_OK);
        gboolean extra = i % 100 == 0;
        gsize sealed = len;
        if (extra)
            memcpy(bad, buf, len);
        g_assert_cmpint(bridge_srtp_unprotect(b, buf, &len), ==, BRIDGE_SRTP_OK);
        if (!extra)
            continue;
        gsize lb = sealed;
        g_assert_cmpint(bridge_srtp_unprotect(b, bad, &lb), ==, BRIDGE_SRTP_REPLAY);
        bad[20] ^= 1;
        lb = sealed;
        (*seq)++;
        bad[2] = (guint8)(*seq >> 8), bad[3] = (guint8)*seq; /* new, but forged */
        g_assert_cmpint(bridge_srtp_unprotect(b, bad, &lb), ==, BRIDGE_SRTP_AUTH_FAIL);
        len = make_rtcp(buf, ssrc, (guint8)i);
        g_assert_cmpint(bridge_srtp_protect_rtcp(b, buf, &len, sizeof buf), ==, BRIDGE_SRTP_OK);
        g_assert_cmpint(bridge_srtp_unprotect_rtcp(a, buf, &len), ==, BRIDGE_SRTP_OK);
    }
}

#if HAVE_ALLOC_COUNTER
/* Allocations per packet (RTP protect + unprotect pairs) on @crypto after warm-up. */
static double allocs_per_packet(BridgeSrtpProfile profile, BridgeSrtpCrypto crypto, guint64 *total)
{
    guint8 ka[30], kb[30];
    for (gsize i = 0; i < sizeof ka; i++) {
        ka[i] = (guint8)(i * 7 + 1);
        kb[i] = (guint8)(i * 11 + 3);
    }
    g_assert_true(bridge_srtp_set_crypto(crypto));
    BridgeSrtp *a = session(profile, ka, kb), *b = session(profile, kb, ka);
    guint16 seq = 1;
    traffic(a, b, &seq, 300); /* streams per SSRC, OpenSSL's per-thread state */
    allocations = 0;
    counting = TRUE;
    traffic(a, b, &seq, ALLOC_PACKETS);
    counting = FALSE;
    *total = allocations;
    bridge_srtp_free(a);
    bridge_srtp_free(b);
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_OPENSSL));
    return (double)*total / ALLOC_PACKETS;
}
#endif

static void no_allocations(gconstpointer data)
{
#if !HAVE_ALLOC_COUNTER
    g_test_skip("the allocation counter replaces malloc, which AddressSanitizer owns");
    return;
#else
    BridgeSrtpProfile profile = GPOINTER_TO_INT(data);
    /* The counter counts. */
    allocations = 0;
    counting = TRUE;
    g_free(g_malloc(1));
    counting = FALSE;
    g_assert_cmpuint(allocations, ==, 1);

    guint64 ours = 0, theirs = 0;
    allocs_per_packet(profile, BRIDGE_SRTP_CRYPTO_OPENSSL, &ours);
    double per = allocs_per_packet(profile, BRIDGE_SRTP_CRYPTO_LIBSRTP, &theirs);
    g_test_message("%s: %" G_GUINT64_FORMAT " allocations in %d protect+unprotect on %s; "
                   "%.1f per packet on libsrtp's built-in %s",
                   bridge_srtp_profile_name(profile), ours, ALLOC_PACKETS,
                   BRIDGE_SRTP_OPENSSL_BACKEND, per, bridge_srtp_builtin_backend());
    g_assert_cmpuint(ours, ==, 0);
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, 0);
#endif
}

/* Switching the crypto affects only sessions created afterwards: a leg made on OpenSSL keeps
 * working (and allocating nothing) after the switch to libsrtp's built-in crypto. */
static void switch_keeps_sessions(void)
{
    guint8 ka[30] = {1}, kb[30] = {2};
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_OPENSSL));
    BridgeSrtp *a = session(BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80, ka, kb);
    BridgeSrtp *b = session(BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80, kb, ka);
    guint16 seq = 100;
    traffic(a, b, &seq, 200);
    gint live = bridge_srtp_openssl_live_contexts();
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_LIBSRTP));
    g_assert_cmpstr(bridge_srtp_backend(), ==, bridge_srtp_builtin_backend());
#if HAVE_ALLOC_COUNTER
    allocations = 0;
    counting = TRUE;
#endif
    traffic(a, b, &seq, 1000);
#if HAVE_ALLOC_COUNTER
    counting = FALSE;
    g_assert_cmpuint(allocations, ==, 0);
#endif
    BridgeSrtp *c = session(BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80, ka, kb);
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, live); /* c is not ours */
    bridge_srtp_free(c);
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_OPENSSL));
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_OPENSSL)); /* no-op */
    g_assert_cmpstr(bridge_srtp_backend(), ==, BRIDGE_SRTP_OPENSSL_BACKEND);
    traffic(a, b, &seq, 10);
    bridge_srtp_free(a);
    bridge_srtp_free(b);
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, 0);
}

/* Workers create legs and run traffic while the main thread keeps switching the crypto: a
 * switch never tears a session (bridge_srtp_new holds the kernel lock as a reader), and two
 * legs made on different crypto still talk to each other. */
typedef struct {
    gint stop;
    gint legs; /* pairs of legs created so far, all threads */
    guint8 seed;
} Load;

static gpointer load_thread(gpointer data)
{
    Load *l = data;
    guint8 ka[30], kb[30];
    for (gsize i = 0; i < sizeof ka; i++) {
        ka[i] = (guint8)(i + l->seed);
        kb[i] = (guint8)(i * 3 + l->seed);
    }
    guint16 seq = 0;
    for (guint n = 0; !g_atomic_int_get(&l->stop); n++) {
        BridgeSrtpProfile p =
            n % 2 ? BRIDGE_SRTP_AEAD_AES_128_GCM : BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80;
        BridgeSrtp *a = session(p, ka, kb), *b = session(p, kb, ka);
        traffic(a, b, &seq, 30);
        bridge_srtp_free(a);
        bridge_srtp_free(b);
        g_atomic_int_inc(&l->legs);
    }
    return NULL;
}

static void switch_under_load(void)
{
    Load loads[3] = {0};
    GThread *threads[G_N_ELEMENTS(loads)];
    gint legs = 0;
    for (gsize i = 0; i < G_N_ELEMENTS(loads); i++) {
        loads[i].seed = (guint8)(i * 40 + 1);
        threads[i] = g_thread_new("srtp-load", load_thread, &loads[i]);
    }
    for (int switches = 0; switches < 40 || legs < 150; switches++) {
        g_assert_true(bridge_srtp_set_crypto(switches % 2 ? BRIDGE_SRTP_CRYPTO_OPENSSL
                                                          : BRIDGE_SRTP_CRYPTO_LIBSRTP));
        g_thread_yield();
        legs = 0;
        for (gsize i = 0; i < G_N_ELEMENTS(loads); i++)
            legs += g_atomic_int_get(&loads[i].legs);
    }
    for (gsize i = 0; i < G_N_ELEMENTS(loads); i++) {
        g_atomic_int_set(&loads[i].stop, 1);
        g_thread_join(threads[i]);
    }
    g_test_message("%d pairs of legs while switching", legs);
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_OPENSSL));
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, 0);
}

/* libsrtp's shutdown drops its kernel; the next init installs the chosen crypto again. */
static void reinit(void)
{
    bridge_srtp_global_shutdown();
    bridge_srtp_global_shutdown(); /* idempotent */
    g_assert_cmpint(bridge_srtp_get_crypto(), ==, BRIDGE_SRTP_CRYPTO_OPENSSL);
    guint8 k[30] = {9};
    BridgeSrtp *s = session(BRIDGE_SRTP_AEAD_AES_128_GCM, k, k); /* initialises again */
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==,
                    contexts_per_leg(BRIDGE_SRTP_AEAD_AES_128_GCM));
    bridge_srtp_free(s);

    /* Chosen while shut down: applied by the next init. */
    bridge_srtp_global_shutdown();
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_LIBSRTP));
    bridge_srtp_global_init();
    s = session(BRIDGE_SRTP_AEAD_AES_128_GCM, k, k);
    g_assert_cmpint(bridge_srtp_openssl_live_contexts(), ==, 0);
    bridge_srtp_free(s);
    g_assert_true(bridge_srtp_set_crypto(BRIDGE_SRTP_CRYPTO_OPENSSL));
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    g_setenv("PARLEY_SRTP_CRYPTO", "openssl", TRUE); /* the default, whatever the caller set */
    bridge_srtp_global_init();
    g_test_add_func("/bridge-crypto/srtp-openssl/kat/aes-icm", kat_aes_icm);
    g_test_add_func("/bridge-crypto/srtp-openssl/kat/aes-gcm", kat_aes_gcm);
    g_test_add_func("/bridge-crypto/srtp-openssl/kat/hmac-sha1", kat_hmac_sha1);
    g_test_add_data_func("/bridge-crypto/srtp-openssl/reference-packets/openssl",
                         GINT_TO_POINTER(BRIDGE_SRTP_CRYPTO_OPENSSL), reference_packets);
    g_test_add_data_func("/bridge-crypto/srtp-openssl/reference-packets/libsrtp",
                         GINT_TO_POINTER(BRIDGE_SRTP_CRYPTO_LIBSRTP), reference_packets);
    g_test_add_data_func("/bridge-crypto/srtp-openssl/cross-implementation/gcm",
                         GINT_TO_POINTER(BRIDGE_SRTP_AEAD_AES_128_GCM), cross_implementation);
    g_test_add_data_func("/bridge-crypto/srtp-openssl/cross-implementation/cm",
                         GINT_TO_POINTER(BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80),
                         cross_implementation);
    g_test_add_data_func("/bridge-crypto/srtp-openssl/no-allocations/gcm",
                         GINT_TO_POINTER(BRIDGE_SRTP_AEAD_AES_128_GCM), no_allocations);
    g_test_add_data_func("/bridge-crypto/srtp-openssl/no-allocations/cm",
                         GINT_TO_POINTER(BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80), no_allocations);
    g_test_add_func("/bridge-crypto/srtp-openssl/switch-keeps-sessions", switch_keeps_sessions);
    g_test_add_func("/bridge-crypto/srtp-openssl/switch-under-load", switch_under_load);
    g_test_add_func("/bridge-crypto/srtp-openssl/reinit", reinit);
    int r = g_test_run();
    bridge_srtp_global_shutdown();
    return r;
}
