/* SPDX-License-Identifier: MIT */
/* SRTP/SRTCP sessions of one endpoint leg (libsrtp2), and the choice of crypto under them.
 *
 * Threads: a BridgeSrtp is created, used and freed on its endpoint's worker thread; nothing
 * in it is shared. libsrtp's crypto kernel is process-global: bridge_srtp_global_init() sets
 * it up and installs the chosen crypto types (srtp-openssl.c by default); afterwards it is
 * only read, by srtp_create() in bridge_srtp_new(), under kernel_lock as a reader, while a
 * crypto switch rewrites it as a writer. Per-packet calls never touch the kernel (a session
 * is bound to its cipher contexts at srtp_create), so workers never contend. The per-packet
 * calls validate the header themselves (libsrtp 2.5 trusts the CSRC count and extension
 * length, and writes the trailer without knowing the buffer size), then run libsrtp in place:
 * no allocation except libsrtp's one stream per new SSRC (with the OpenSSL crypto). */
#include "bridge/srtp/srtp.h"

#include <srtp2/srtp.h>
#include <string.h>
#include <time.h>

#include "bridge/srtp/srtp-priv.h"

/* Largest packet we hand to libsrtp (its lengths are int; UDP payloads are smaller anyway). */
#define MAX_PACKET 0xFFFF

struct _BridgeSrtp {
    srtp_t in;  /* ssrc_any_inbound, peer's key: unprotect */
    srtp_t out; /* ssrc_any_outbound, our key: protect (allow_repeat_tx) */
    BridgeSrtpProfile profile;
    gsize rtp_trailer;  /* bytes protect() appends */
    gsize rtcp_trailer; /* bytes protect_rtcp() appends: tag + E-flag/SRTCP index */
    BridgeSrtpStats stats;
};

GQuark bridge_srtp_error_quark(void)
{
    return g_quark_from_static_string("bridge-srtp-error-quark");
}

/* Writers: init, shutdown, crypto switch. Readers: srtp_create. */
static GRWLock kernel_lock;
static gboolean global_ready;   /* srtp_init done; under kernel_lock */
static gint crypto_choice = -1; /* BridgeSrtpCrypto new sessions get (atomic); -1: undecided */

/* The choice before anyone made one: PARLEY_SRTP_CRYPTO, else OpenSSL. */
static BridgeSrtpCrypto default_choice(void)
{
    const char *env = g_getenv("PARLEY_SRTP_CRYPTO");
    if (env == NULL || *env == '\0' || g_ascii_strcasecmp(env, "openssl") == 0)
        return BRIDGE_SRTP_CRYPTO_OPENSSL;
    if (g_ascii_strcasecmp(env, "libsrtp") == 0)
        return BRIDGE_SRTP_CRYPTO_LIBSRTP;
    g_warning("PARLEY_SRTP_CRYPTO=%s: expected \"openssl\" or \"libsrtp\"; using openssl", env);
    return BRIDGE_SRTP_CRYPTO_OPENSSL;
}

BridgeSrtpCrypto bridge_srtp_get_crypto(void)
{
    gint c = g_atomic_int_get(&crypto_choice);
    if (c < 0) {
        (void)g_atomic_int_compare_and_exchange(&crypto_choice, -1, (gint)default_choice());
        c = g_atomic_int_get(&crypto_choice);
    }
    return (BridgeSrtpCrypto)c;
}

/* Puts @want into libsrtp's kernel; returns the crypto the kernel holds afterwards. Called
 * with kernel_lock held as writer, after srtp_init. */
static BridgeSrtpCrypto apply_crypto(BridgeSrtpCrypto want, BridgeSrtpCrypto have)
{
    if (want == BRIDGE_SRTP_CRYPTO_OPENSSL) {
        srtp_err_status_t st = bridge_srtp_openssl_install();
        if (st == srtp_err_status_ok)
            return BRIDGE_SRTP_CRYPTO_OPENSSL;
        g_warning("libsrtp refused Parley's OpenSSL SRTP crypto (libsrtp status %d); SRTP "
                  "stays on libsrtp's built-in %s crypto",
                  (int)st, bridge_srtp_builtin_backend());
        return BRIDGE_SRTP_CRYPTO_LIBSRTP; /* install put the built-in types back */
    }
    srtp_err_status_t st = bridge_srtp_openssl_uninstall();
    if (st == srtp_err_status_ok)
        return BRIDGE_SRTP_CRYPTO_LIBSRTP;
    g_warning("could not put libsrtp's built-in %s crypto back (libsrtp status %d)",
              bridge_srtp_builtin_backend(), (int)st);
    /* Uninstall may have stopped half way: back to a whole set of one kind. */
    if (have == BRIDGE_SRTP_CRYPTO_OPENSSL && bridge_srtp_openssl_install() == srtp_err_status_ok)
        return BRIDGE_SRTP_CRYPTO_OPENSSL;
    return BRIDGE_SRTP_CRYPTO_LIBSRTP;
}

void bridge_srtp_global_init(void)
{
    g_rw_lock_writer_lock(&kernel_lock);
    if (!global_ready) {
        BridgeSrtpCrypto want = bridge_srtp_get_crypto();
        srtp_err_status_t st = srtp_init();
        if (st != srtp_err_status_ok)
            g_error("srtp_init failed (libsrtp status %d)", (int)st); /* no media without it */
        global_ready = TRUE;
        /* srtp_init loads libsrtp's built-in types. */
        if (want != BRIDGE_SRTP_CRYPTO_LIBSRTP)
            g_atomic_int_set(&crypto_choice, (gint)apply_crypto(want, BRIDGE_SRTP_CRYPTO_LIBSRTP));
    }
    g_rw_lock_writer_unlock(&kernel_lock);
}

void bridge_srtp_global_shutdown(void)
{
    g_rw_lock_writer_lock(&kernel_lock);
    if (global_ready) {
        srtp_shutdown();
        global_ready = FALSE;
    }
    g_rw_lock_writer_unlock(&kernel_lock);
}

gboolean bridge_srtp_set_crypto(BridgeSrtpCrypto crypto)
{
    g_return_val_if_fail(
        crypto == BRIDGE_SRTP_CRYPTO_OPENSSL || crypto == BRIDGE_SRTP_CRYPTO_LIBSRTP, FALSE);
    g_rw_lock_writer_lock(&kernel_lock);
    BridgeSrtpCrypto have = bridge_srtp_get_crypto(), now = crypto;
    if (global_ready && crypto != have)
        now = apply_crypto(crypto, have);
    /* Not initialised yet: global_init installs it. */
    g_atomic_int_set(&crypto_choice, (gint)now);
    g_rw_lock_writer_unlock(&kernel_lock);
    return now == crypto;
}

const char *bridge_srtp_backend(void)
{
    return bridge_srtp_get_crypto() == BRIDGE_SRTP_CRYPTO_OPENSSL ? BRIDGE_SRTP_OPENSSL_BACKEND
                                                                  : bridge_srtp_builtin_backend();
}

const char *bridge_srtp_profile_name(BridgeSrtpProfile p)
{
    switch (p) {
    case BRIDGE_SRTP_AEAD_AES_128_GCM:
        return "AEAD_AES_128_GCM";
    case BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80:
        return "AES_CM_128_HMAC_SHA1_80";
    }
    return "unknown";
}

/* Key||salt length, RTP trailer and RTCP trailer of each profile (RFC 7714 / RFC 3711). */
static gboolean profile_sizes(BridgeSrtpProfile p, gsize *key_salt, gsize *rtp_trailer,
                              gsize *rtcp_trailer)
{
    switch (p) {
    case BRIDGE_SRTP_AEAD_AES_128_GCM:
        *key_salt = 16 + 12;
        *rtp_trailer = 16;
        *rtcp_trailer = 16 + 4;
        return TRUE;
    case BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80:
        *key_salt = 16 + 14;
        *rtp_trailer = 10;
        *rtcp_trailer = 10 + 4;
        return TRUE;
    }
    return FALSE;
}

static void fill_policy(srtp_policy_t *pol, BridgeSrtpProfile p, const guint8 *key_salt,
                        gboolean inbound)
{
    memset(pol, 0, sizeof *pol);
    if (p == BRIDGE_SRTP_AEAD_AES_128_GCM) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol->rtcp);
    } else {
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtp);
        srtp_crypto_policy_set_aes_cm_128_hmac_sha1_80(&pol->rtcp);
    }
    pol->ssrc.type = inbound ? ssrc_any_inbound : ssrc_any_outbound;
    /* libsrtp derives the session keys inside srtp_create() and keeps no pointer to this. */
    pol->key = (unsigned char *)key_salt;
    pol->window_size = BRIDGE_SRTP_REPLAY_WINDOW;
    pol->allow_repeat_tx = inbound ? 0 : 1;
    pol->next = NULL;
}

BridgeSrtp *bridge_srtp_new(const BridgeSrtpKeys *keys, GError **error)
{
    g_return_val_if_fail(keys != NULL, NULL);
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);

    gsize key_salt, rtp_trailer, rtcp_trailer;
    if (!profile_sizes(keys->profile, &key_salt, &rtp_trailer, &rtcp_trailer)) {
        g_set_error(error, BRIDGE_SRTP_ERROR, BRIDGE_SRTP_ERROR_KEYS, "unknown SRTP profile %d",
                    (int)keys->profile);
        return NULL;
    }
    if (keys->key_salt_len != key_salt) {
        g_set_error(error, BRIDGE_SRTP_ERROR, BRIDGE_SRTP_ERROR_KEYS,
                    "%s needs %" G_GSIZE_FORMAT " bytes of key and salt, got %" G_GSIZE_FORMAT,
                    bridge_srtp_profile_name(keys->profile), key_salt, keys->key_salt_len);
        return NULL;
    }
    bridge_srtp_global_init();

    BridgeSrtp *s = g_new0(BridgeSrtp, 1);
    s->profile = keys->profile;
    s->rtp_trailer = rtp_trailer;
    s->rtcp_trailer = rtcp_trailer;

    srtp_policy_t pol;
    g_rw_lock_reader_lock(&kernel_lock); /* both sessions on the same crypto */
    fill_policy(&pol, keys->profile, keys->remote, TRUE);
    srtp_err_status_t st = srtp_create(&s->in, &pol);
    if (st == srtp_err_status_ok) {
        fill_policy(&pol, keys->profile, keys->local, FALSE);
        st = srtp_create(&s->out, &pol);
    }
    g_rw_lock_reader_unlock(&kernel_lock);
    if (st != srtp_err_status_ok) {
        g_set_error(error, BRIDGE_SRTP_ERROR, BRIDGE_SRTP_ERROR_LIBSRTP,
                    "libsrtp could not create a %s session (status %d)",
                    bridge_srtp_profile_name(keys->profile), (int)st);
        bridge_srtp_free(s);
        return NULL;
    }
    return s;
}

void bridge_srtp_free(BridgeSrtp *s)
{
    if (s == NULL)
        return;
    /* srtp_dealloc wipes the session keys it derived. */
    if (s->in != NULL)
        srtp_dealloc(s->in);
    if (s->out != NULL)
        srtp_dealloc(s->out);
    g_free(s);
}

BridgeSrtpProfile bridge_srtp_get_profile(const BridgeSrtp *s)
{
    return s->profile;
}

void bridge_srtp_get_stats(const BridgeSrtp *s, BridgeSrtpStats *out)
{
    *out = s->stats;
}

/* RFC 3550 §5.1: version 2, fixed header + CSRCs + extension all inside the first
 * @len - @trailer bytes. */
static gboolean rtp_plausible(const guint8 *p, gsize len, gsize trailer)
{
    if (len > MAX_PACKET || len < 12 + trailer || (p[0] >> 6) != 2)
        return FALSE;
    gsize body = len - trailer;
    gsize hl = 12 + 4 * (gsize)(p[0] & 0x0f);
    if (hl > body)
        return FALSE;
    if (p[0] & 0x10) {
        if (hl + 4 > body)
            return FALSE;
        hl += 4 + 4 * (((gsize)p[hl + 2] << 8) | p[hl + 3]);
        if (hl > body)
            return FALSE;
    }
    return TRUE;
}

/* RFC 3550 §6.4: version 2, at least the 8-byte common header and sender SSRC, plus
 * @trailer bytes. */
static gboolean rtcp_plausible(const guint8 *p, gsize len, gsize trailer)
{
    return len <= MAX_PACKET && len >= 8 + trailer && (p[0] >> 6) == 2;
}

static BridgeSrtpStatus map_status(BridgeSrtp *s, srtp_err_status_t st)
{
    switch (st) {
    case srtp_err_status_ok:
        return BRIDGE_SRTP_OK;
    case srtp_err_status_auth_fail:
        s->stats.auth_fail++;
        return BRIDGE_SRTP_AUTH_FAIL;
    case srtp_err_status_replay_fail:
    case srtp_err_status_replay_old:
    case srtp_err_status_pkt_idx_old:
        s->stats.replay++;
        return BRIDGE_SRTP_REPLAY;
    case srtp_err_status_bad_param:
    case srtp_err_status_parse_err:
        s->stats.malformed++;
        return BRIDGE_SRTP_MALFORMED;
    default:
        s->stats.error++;
        return BRIDGE_SRTP_ERROR;
    }
}

BridgeSrtpStatus bridge_srtp_protect(BridgeSrtp *s, guint8 *pkt, gsize *len, gsize cap)
{
    if (!rtp_plausible(pkt, *len, 0)) {
        s->stats.malformed++;
        return BRIDGE_SRTP_MALFORMED;
    }
    if (cap < *len || cap - *len < s->rtp_trailer) {
        s->stats.no_space++;
        return BRIDGE_SRTP_NO_SPACE;
    }
    int l = (int)*len;
    BridgeSrtpStatus r = map_status(s, srtp_protect(s->out, pkt, &l));
    if (r == BRIDGE_SRTP_OK) {
        *len = (gsize)l;
        s->stats.rtp_protected++;
    }
    return r;
}

BridgeSrtpStatus bridge_srtp_unprotect(BridgeSrtp *s, guint8 *pkt, gsize *len)
{
    if (!rtp_plausible(pkt, *len, s->rtp_trailer)) {
        s->stats.malformed++;
        return BRIDGE_SRTP_MALFORMED;
    }
    int l = (int)*len;
    BridgeSrtpStatus r = map_status(s, srtp_unprotect(s->in, pkt, &l));
    if (r == BRIDGE_SRTP_OK) {
        *len = (gsize)l;
        s->stats.rtp_unprotected++;
    }
    return r;
}

BridgeSrtpStatus bridge_srtp_protect_rtcp(BridgeSrtp *s, guint8 *pkt, gsize *len, gsize cap)
{
    if (!rtcp_plausible(pkt, *len, 0)) {
        s->stats.malformed++;
        return BRIDGE_SRTP_MALFORMED;
    }
    if (cap < *len || cap - *len < s->rtcp_trailer) {
        s->stats.no_space++;
        return BRIDGE_SRTP_NO_SPACE;
    }
    int l = (int)*len;
    BridgeSrtpStatus r = map_status(s, srtp_protect_rtcp(s->out, pkt, &l));
    if (r == BRIDGE_SRTP_OK) {
        *len = (gsize)l;
        s->stats.rtcp_protected++;
    }
    return r;
}

BridgeSrtpStatus bridge_srtp_unprotect_rtcp(BridgeSrtp *s, guint8 *pkt, gsize *len)
{
    if (!rtcp_plausible(pkt, *len, s->rtcp_trailer)) {
        s->stats.malformed++;
        return BRIDGE_SRTP_MALFORMED;
    }
    int l = (int)*len;
    BridgeSrtpStatus r = map_status(s, srtp_unprotect_rtcp(s->in, pkt, &l));
    if (r == BRIDGE_SRTP_OK) {
        *len = (gsize)l;
        s->stats.rtcp_unprotected++;
    }
    return r;
}

static gint64 now_ns(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (gint64)ts.tv_sec * G_GINT64_CONSTANT(1000000000) + ts.tv_nsec;
}

double bridge_srtp_measure_protect_ns(BridgeSrtpProfile p, gsize payload_len, guint iterations)
{
    gsize key_salt, rtp_trailer, rtcp_trailer;
    if (!profile_sizes(p, &key_salt, &rtp_trailer, &rtcp_trailer) || iterations == 0 ||
        payload_len > MAX_PACKET - 12 - BRIDGE_SRTP_MAX_TRAILER)
        return -1.0;

    BridgeSrtpKeys keys = {.profile = p, .key_salt_len = key_salt};
    for (gsize i = 0; i < key_salt; i++) {
        keys.local[i] = (guint8)(0x5a ^ (i * 29));
        keys.remote[i] = (guint8)(0xa5 ^ (i * 31));
    }
    BridgeSrtp *s = bridge_srtp_new(&keys, NULL);
    if (s == NULL)
        return -1.0;

    gsize cap = 12 + payload_len + BRIDGE_SRTP_MAX_TRAILER;
    guint8 *buf = g_malloc0(cap);
    buf[0] = 0x80;
    buf[1] = 96;
    buf[8] = 0x12, buf[9] = 0x34, buf[10] = 0x56, buf[11] = 0x78; /* SSRC */
    for (gsize i = 12; i < 12 + payload_len; i++)
        buf[i] = (guint8)i;

    /* Each run protects the previous run's ciphertext under a new sequence number: same cost
     * as fresh media, no copy inside the timed loop. The warm-up creates the SSRC's stream. */
    const guint warmup = 64;
    double result = -1.0;
    gint64 t0 = 0;
    for (guint i = 0; i < warmup + iterations; i++) {
        if (i == warmup)
            t0 = now_ns();
        guint16 seq = (guint16)i;
        buf[2] = (guint8)(seq >> 8);
        buf[3] = (guint8)seq;
        int l = (int)(12 + payload_len);
        if (srtp_protect(s->out, buf, &l) != srtp_err_status_ok)
            goto out;
    }
    result = (double)(now_ns() - t0) / iterations;
out:
    g_free(buf);
    bridge_srtp_free(s);
    return result;
}
