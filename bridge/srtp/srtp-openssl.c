/* SPDX-License-Identifier: MIT */
/* libsrtp2 crypto types on OpenSSL 3: AES-128-ICM, AES-128-GCM and HMAC-SHA1 (srtp-priv.h).
 * Debian 12's libsrtp2 is built on NSS, which costs 5 (GCM) to 14 (AES-CM + HMAC) heap
 * allocations and up to 5x the CPU per packet; libsrtp lets an application replace the
 * implementation behind a cipher/auth id, which is what bridge_srtp_openssl_install() does.
 *
 * Threads: the type tables are constant. A context belongs to one libsrtp session (all
 * streams of a session share it) and is used only by the thread that uses that session.
 * The live-context counter is atomic.
 *
 * Allocation: alloc() makes the OpenSSL context, the first init() installs the cipher in it
 * (OpenSSL allocates its provider context there, at session set-up). Per packet nothing is
 * allocated: EVP_CipherInit_ex() with a NULL cipher only loads a new IV into the existing
 * provider context. HMAC does not use EVP_MAC or EVP_MD_CTX_copy_ex(): on OpenSSL 3.0 both
 * duplicate the digest context on every (re)start, one heap allocation each (measured: two
 * per packet). It keeps the SHA-1 states after the key^ipad and key^opad blocks and copies
 * them by value per packet, which needs the low-level SHA1_* functions (deprecated in 3.0,
 * still provided by every 3.x, and run on the same SHA-NI/AVX2 code as the EVP path).
 *
 * Secrets: key schedules live in OpenSSL's contexts (EVP_CIPHER_CTX_free wipes them); the
 * salt and HMAC pad states are wiped with OPENSSL_cleanse before the memory is freed. */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA1_Init/Update/Final, see above */

#include "bridge/srtp/srtp-priv.h"

#include <dlfcn.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/sha.h>
#include <string.h>

#define AES_128_KEY 16
#define ICM_SALT 14                           /* RFC 3711 session salt */
#define ICM_KEY_SALT (AES_128_KEY + ICM_SALT) /* 30: libsrtp's key_len for AES-ICM-128 */
#define ICM_BLOCK 16
#define ICM_MAX_BLOCKS 0x10000 /* the low 16 bits of the counter block must not carry */
#define GCM_SALT 12
#define GCM_KEY_SALT (AES_128_KEY + GCM_SALT) /* 28: libsrtp's key_len for AES-GCM-128 */
#define GCM_IV 12
#define GCM_TAG_MAX 16
#define SHA1_BLOCK 64
#define HMAC_KEY_MAX 128

static gint live_contexts;

gint bridge_srtp_openssl_live_contexts(void)
{
    return g_atomic_int_get(&live_contexts);
}

/* An OpenSSL call failed (a programming error or an exhausted machine, never bad input: a
 * wrong tag is not an OpenSSL error). Its error queue is per thread and the worker's DTLS
 * code reads it through SSL_get_error(), so leave nothing behind. */
static srtp_err_status_t openssl_failed(srtp_err_status_t st)
{
    ERR_clear_error();
    return st;
}

/* libsrtp's lengths are int/unsigned int; OpenSSL's update takes int. */
static gboolean fits_int(guint64 n)
{
    return n <= G_MAXINT;
}

/* ---- AES-128-ICM ------------------------------------------------------------------------ */

typedef struct {
    srtp_cipher_t base;     /* what libsrtp holds; base.state points back here */
    EVP_CIPHER_CTX *ctx;    /* AES-128-CTR, keyed by init, re-IVed per packet */
    guint8 salt[ICM_BLOCK]; /* session salt in bytes 0..13, zero in 14..15 */
    guint64 keystream_left; /* bytes encrypt() may still use since set_iv */
} IcmCipher;

static srtp_err_status_t icm_alloc(srtp_cipher_pointer_t *cp, int key_len, int tag_len)
{
    (void)tag_len;
    if (cp == NULL || key_len != ICM_KEY_SALT)
        return srtp_err_status_bad_param;
    IcmCipher *c = g_new0(IcmCipher, 1);
    c->ctx = EVP_CIPHER_CTX_new();
    if (c->ctx == NULL) {
        g_free(c);
        return srtp_err_status_alloc_fail;
    }
    c->base.type = &bridge_srtp_ossl_aes_icm_128;
    c->base.state = c;
    c->base.key_len = key_len;
    c->base.algorithm = SRTP_AES_ICM_128;
    g_atomic_int_inc(&live_contexts);
    *cp = &c->base;
    return srtp_err_status_ok;
}

static srtp_err_status_t icm_dealloc(srtp_cipher_pointer_t cp)
{
    IcmCipher *c = cp->state;
    EVP_CIPHER_CTX_free(c->ctx);
    OPENSSL_cleanse(c, sizeof *c);
    g_free(c);
    g_atomic_int_add(&live_contexts, -1);
    return srtp_err_status_ok;
}

static srtp_err_status_t icm_init(void *state, const uint8_t *key)
{
    IcmCipher *c = state;
    memset(c->salt, 0, sizeof c->salt);
    memcpy(c->salt, key + AES_128_KEY, ICM_SALT);
    c->keystream_left = 0; /* no IV yet */
    /* The first init installs the cipher (and OpenSSL allocates its context); later ones,
     * e.g. libsrtp's self-test re-keying, only load a new key. */
    const EVP_CIPHER *cipher =
        EVP_CIPHER_CTX_get0_cipher(c->ctx) == NULL ? EVP_aes_128_ctr() : NULL;
    if (EVP_CipherInit_ex(c->ctx, cipher, NULL, key, NULL, 1) != 1)
        return openssl_failed(srtp_err_status_init_fail);
    return srtp_err_status_ok;
}

/* @iv: 16 bytes, already laid out by libsrtp (SSRC and packet index, or the KDF label). */
static srtp_err_status_t icm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
    (void)dir; /* counter mode: the same operation both ways */
    IcmCipher *c = state;
    guint8 counter[ICM_BLOCK];
    for (int i = 0; i < ICM_BLOCK; i++)
        counter[i] = c->salt[i] ^ iv[i];
    guint first_block = ((guint)counter[14] << 8) | counter[15];
    c->keystream_left = (guint64)(ICM_MAX_BLOCKS - first_block) * ICM_BLOCK;
    if (EVP_CipherInit_ex(c->ctx, NULL, NULL, NULL, counter, 1) != 1) {
        c->keystream_left = 0;
        return openssl_failed(srtp_err_status_cipher_fail);
    }
    return srtp_err_status_ok;
}

/* XORs the keystream into @buf in place; successive calls continue the keystream. */
static srtp_err_status_t icm_crypt(void *state, uint8_t *buf, unsigned int *len)
{
    IcmCipher *c = state;
    if (*len > c->keystream_left)
        return srtp_err_status_bad_param; /* would reuse or carry the block counter */
    if (*len == 0)
        return srtp_err_status_ok;
    int out = 0;
    if (EVP_CipherUpdate(c->ctx, buf, &out, buf, (int)*len) != 1 || out != (int)*len)
        return openssl_failed(srtp_err_status_cipher_fail);
    c->keystream_left -= *len;
    return srtp_err_status_ok;
}

/* ---- AES-128-GCM ------------------------------------------------------------------------ */

typedef struct {
    srtp_cipher_t base;
    EVP_CIPHER_CTX *ctx; /* AES-128-GCM, keyed by init, re-IVed per packet */
    int tag_len;         /* 16 or 8 */
    int dir;             /* srtp_direction_* of the current packet, -1 before set_iv */
} GcmCipher;

static srtp_err_status_t gcm_alloc(srtp_cipher_pointer_t *cp, int key_len, int tag_len)
{
    if (cp == NULL || key_len != GCM_KEY_SALT || (tag_len != 16 && tag_len != 8))
        return srtp_err_status_bad_param;
    GcmCipher *c = g_new0(GcmCipher, 1);
    c->ctx = EVP_CIPHER_CTX_new();
    if (c->ctx == NULL) {
        g_free(c);
        return srtp_err_status_alloc_fail;
    }
    c->tag_len = tag_len;
    c->dir = -1;
    c->base.type = &bridge_srtp_ossl_aes_gcm_128;
    c->base.state = c;
    c->base.key_len = key_len;
    c->base.algorithm = SRTP_AES_GCM_128;
    g_atomic_int_inc(&live_contexts);
    *cp = &c->base;
    return srtp_err_status_ok;
}

static srtp_err_status_t gcm_dealloc(srtp_cipher_pointer_t cp)
{
    GcmCipher *c = cp->state;
    EVP_CIPHER_CTX_free(c->ctx);
    OPENSSL_cleanse(c, sizeof *c);
    g_free(c);
    g_atomic_int_add(&live_contexts, -1);
    return srtp_err_status_ok;
}

/* @key: 16 key bytes then the 12-byte salt, which libsrtp folds into the IV itself. */
static srtp_err_status_t gcm_init(void *state, const uint8_t *key)
{
    GcmCipher *c = state;
    c->dir = -1;
    const EVP_CIPHER *cipher =
        EVP_CIPHER_CTX_get0_cipher(c->ctx) == NULL ? EVP_aes_128_gcm() : NULL;
    /* The default IV length of AES-GCM in OpenSSL is 12 bytes, what SRTP uses. */
    if (EVP_CipherInit_ex(c->ctx, cipher, NULL, key, NULL, 1) != 1)
        return openssl_failed(srtp_err_status_init_fail);
    return srtp_err_status_ok;
}

static srtp_err_status_t gcm_set_iv(void *state, uint8_t *iv, srtp_cipher_direction_t dir)
{
    GcmCipher *c = state;
    c->dir = -1;
    if (dir != srtp_direction_encrypt && dir != srtp_direction_decrypt)
        return srtp_err_status_bad_param;
    if (EVP_CipherInit_ex(c->ctx, NULL, NULL, NULL, iv, dir == srtp_direction_encrypt) != 1)
        return openssl_failed(srtp_err_status_cipher_fail);
    c->dir = dir;
    return srtp_err_status_ok;
}

/* May be called several times per packet (SRTCP: header, then the E-flag/index word); all
 * AAD comes before any payload. */
static srtp_err_status_t gcm_set_aad(void *state, const uint8_t *aad, uint32_t len)
{
    GcmCipher *c = state;
    if (c->dir < 0 || !fits_int(len))
        return srtp_err_status_bad_param;
    int out = 0;
    if (len > 0 && EVP_CipherUpdate(c->ctx, NULL, &out, aad, (int)len) != 1)
        return openssl_failed(srtp_err_status_cipher_fail);
    return srtp_err_status_ok;
}

static srtp_err_status_t gcm_encrypt(void *state, uint8_t *buf, unsigned int *len)
{
    GcmCipher *c = state;
    if (c->dir != srtp_direction_encrypt || !fits_int(*len))
        return srtp_err_status_bad_param;
    int out = 0;
    if (*len > 0 && (EVP_CipherUpdate(c->ctx, buf, &out, buf, (int)*len) != 1 || out != (int)*len))
        return openssl_failed(srtp_err_status_cipher_fail);
    return srtp_err_status_ok;
}

/* Finishes the packet and writes the tag (tag_len bytes) to @tag. */
static srtp_err_status_t gcm_get_tag(void *state, uint8_t *tag, uint32_t *len)
{
    GcmCipher *c = state;
    if (c->dir != srtp_direction_encrypt)
        return srtp_err_status_bad_param;
    c->dir = -1; /* one tag per IV */
    guint8 unused[GCM_TAG_MAX];
    int out = 0;
    if (EVP_CipherFinal_ex(c->ctx, unused, &out) != 1 ||
        EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_GET_TAG, c->tag_len, tag) != 1)
        return openssl_failed(srtp_err_status_cipher_fail);
    *len = (uint32_t)c->tag_len;
    return srtp_err_status_ok;
}

/* @buf holds ciphertext || tag; decrypts in place and shortens *len by the tag. */
static srtp_err_status_t gcm_decrypt(void *state, uint8_t *buf, unsigned int *len)
{
    GcmCipher *c = state;
    if (c->dir != srtp_direction_decrypt || *len < (unsigned int)c->tag_len || !fits_int(*len))
        return srtp_err_status_bad_param;
    c->dir = -1;
    int n = (int)*len - c->tag_len, out = 0;
    if (n > 0 && (EVP_CipherUpdate(c->ctx, buf, &out, buf, n) != 1 || out != n))
        return openssl_failed(srtp_err_status_cipher_fail);
    if (EVP_CIPHER_CTX_ctrl(c->ctx, EVP_CTRL_GCM_SET_TAG, c->tag_len, buf + n) != 1)
        return openssl_failed(srtp_err_status_cipher_fail);
    guint8 unused[GCM_TAG_MAX];
    if (EVP_CipherFinal_ex(c->ctx, unused, &out) != 1)
        return srtp_err_status_auth_fail;
    *len = (unsigned int)n;
    return srtp_err_status_ok;
}

/* ---- HMAC-SHA1 -------------------------------------------------------------------------- */

typedef struct {
    srtp_auth_t base;
    SHA_CTX inner; /* after the key ^ ipad block */
    SHA_CTX outer; /* after the key ^ opad block */
    SHA_CTX cur;   /* this packet's inner hash so far */
} HmacAuth;

static srtp_err_status_t hmac_alloc(srtp_auth_pointer_t *ap, int key_len, int out_len)
{
    if (ap == NULL || key_len < 1 || key_len > HMAC_KEY_MAX || out_len < 1 ||
        out_len > SHA_DIGEST_LENGTH)
        return srtp_err_status_bad_param;
    HmacAuth *a = g_new0(HmacAuth, 1);
    a->base.type = &bridge_srtp_ossl_hmac_sha1;
    a->base.state = a;
    a->base.out_len = out_len;
    a->base.key_len = key_len;
    a->base.prefix_len = 0;
    g_atomic_int_inc(&live_contexts);
    *ap = &a->base;
    return srtp_err_status_ok;
}

static srtp_err_status_t hmac_dealloc(srtp_auth_pointer_t ap)
{
    HmacAuth *a = ap->state;
    OPENSSL_cleanse(a, sizeof *a);
    g_free(a);
    g_atomic_int_add(&live_contexts, -1);
    return srtp_err_status_ok;
}

static srtp_err_status_t hmac_init(void *state, const uint8_t *key, int key_len)
{
    HmacAuth *a = state;
    if (key_len < 1 || key_len > HMAC_KEY_MAX)
        return srtp_err_status_bad_param;
    guint8 k[SHA1_BLOCK] = {0}, pad[SHA1_BLOCK];
    if (key_len > SHA1_BLOCK)
        SHA1(key, (size_t)key_len, k); /* RFC 2104: long keys are hashed first */
    else
        memcpy(k, key, (size_t)key_len);
    for (int i = 0; i < SHA1_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    gboolean ok = SHA1_Init(&a->inner) && SHA1_Update(&a->inner, pad, sizeof pad);
    for (int i = 0; i < SHA1_BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    ok = ok && SHA1_Init(&a->outer) && SHA1_Update(&a->outer, pad, sizeof pad);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
    a->cur = a->inner; /* started: libsrtp's self-test computes right after init */
    return ok ? srtp_err_status_ok : srtp_err_status_init_fail;
}

static srtp_err_status_t hmac_start(void *state)
{
    HmacAuth *a = state;
    a->cur = a->inner;
    return srtp_err_status_ok;
}

static srtp_err_status_t hmac_update(void *state, const uint8_t *buf, int len)
{
    HmacAuth *a = state;
    if (len < 0)
        return srtp_err_status_bad_param;
    if (len > 0 && !SHA1_Update(&a->cur, buf, (size_t)len))
        return srtp_err_status_auth_fail;
    return srtp_err_status_ok;
}

/* Hashes the last @len bytes, writes the first @tag_len bytes of the MAC to @tag, and leaves
 * the context started again. */
static srtp_err_status_t hmac_compute(void *state, const uint8_t *buf, int len, int tag_len,
                                      uint8_t *tag)
{
    HmacAuth *a = state;
    if (len < 0 || tag_len < 0 || tag_len > SHA_DIGEST_LENGTH)
        return srtp_err_status_bad_param;
    guint8 h[SHA_DIGEST_LENGTH];
    SHA_CTX outer = a->outer;
    gboolean ok = (len == 0 || SHA1_Update(&a->cur, buf, (size_t)len)) && SHA1_Final(h, &a->cur) &&
                  SHA1_Update(&outer, h, sizeof h) && SHA1_Final(h, &outer);
    a->cur = a->inner;
    if (!ok)
        return srtp_err_status_auth_fail;
    memcpy(tag, h, (size_t)tag_len);
    return srtp_err_status_ok;
}

/* ---- the types and their installation --------------------------------------------------- */

const srtp_cipher_type_t bridge_srtp_ossl_aes_icm_128 = {
    .alloc = icm_alloc,
    .dealloc = icm_dealloc,
    .init = icm_init,
    .set_aad = NULL,
    .encrypt = icm_crypt,
    .decrypt = icm_crypt,
    .set_iv = icm_set_iv,
    .get_tag = NULL,
    .description = "AES-128 integer counter mode on OpenSSL EVP (Parley)",
    .test_data = &bridge_srtp_kat_aes_icm_128,
    .id = SRTP_AES_ICM_128,
};

const srtp_cipher_type_t bridge_srtp_ossl_aes_gcm_128 = {
    .alloc = gcm_alloc,
    .dealloc = gcm_dealloc,
    .init = gcm_init,
    .set_aad = gcm_set_aad,
    .encrypt = gcm_encrypt,
    .decrypt = gcm_decrypt,
    .set_iv = gcm_set_iv,
    .get_tag = gcm_get_tag,
    .description = "AES-128 GCM on OpenSSL EVP (Parley)",
    .test_data = &bridge_srtp_kat_aes_gcm_128,
    .id = SRTP_AES_GCM_128,
};

const srtp_auth_type_t bridge_srtp_ossl_hmac_sha1 = {
    .alloc = hmac_alloc,
    .dealloc = hmac_dealloc,
    .init = hmac_init,
    .compute = hmac_compute,
    .update = hmac_update,
    .start = hmac_start,
    .description = "HMAC-SHA1 on OpenSSL SHA-1 with precomputed pads (Parley)",
    .test_data = &bridge_srtp_kat_hmac_sha1,
    .id = SRTP_HMAC_SHA1,
};

srtp_err_status_t bridge_srtp_openssl_install(void)
{
    srtp_err_status_t st =
        srtp_replace_cipher_type(&bridge_srtp_ossl_aes_icm_128, SRTP_AES_ICM_128);
    if (st == srtp_err_status_ok)
        st = srtp_replace_cipher_type(&bridge_srtp_ossl_aes_gcm_128, SRTP_AES_GCM_128);
    if (st == srtp_err_status_ok)
        st = srtp_replace_auth_type(&bridge_srtp_ossl_hmac_sha1, SRTP_HMAC_SHA1);
    if (st != srtp_err_status_ok)
        (void)bridge_srtp_openssl_uninstall(); /* never a mix */
    return st;
}

/* libsrtp exports its built-in types (whatever crypto library it was built with) under these
 * names without declaring them in its public headers; looked up at run time so that a
 * libsrtp2 without them only loses the way back, not the build. */
srtp_err_status_t bridge_srtp_openssl_uninstall(void)
{
    const srtp_cipher_type_t *icm = dlsym(RTLD_DEFAULT, "srtp_aes_icm_128");
    const srtp_cipher_type_t *gcm = dlsym(RTLD_DEFAULT, "srtp_aes_gcm_128");
    const srtp_auth_type_t *hmac = dlsym(RTLD_DEFAULT, "srtp_hmac");
    if (icm == NULL || gcm == NULL || hmac == NULL)
        return srtp_err_status_fail;
    srtp_err_status_t st = srtp_replace_cipher_type(icm, SRTP_AES_ICM_128);
    if (st == srtp_err_status_ok)
        st = srtp_replace_cipher_type(gcm, SRTP_AES_GCM_128);
    if (st == srtp_err_status_ok)
        st = srtp_replace_auth_type(hmac, SRTP_HMAC_SHA1);
    return st;
}
