/* SPDX-License-Identifier: MIT */
/* One DTLS-SRTP connection (one endpoint leg) on OpenSSL memory BIOs.
 *
 * Threads: a BridgeDtls lives on its endpoint's worker thread; every call into it, the send
 * callback and the verify callback run there. OpenSSL's error queue is per thread, so every
 * entry point clears it before and after talking to OpenSSL.
 *
 * Datagrams in: each received datagram is checked for DTLS record framing, written whole into
 * the read BIO and fully consumed before the next one (a memory BIO has no datagram
 * boundaries, so leftovers are discarded rather than glued to the next datagram).
 * Datagrams out: OpenSSL writes records into the write BIO; after each step we cut that
 * stream at record boundaries into datagrams of at most BRIDGE_DTLS_MTU bytes. */
#include "bridge/dtls/dtls-priv.h"

#include <openssl/err.h>
#include <openssl/srtp.h>
#include <string.h>

#define RECORD_HEADER 13
/* Largest datagram accepted: one full record (2^14 + expansion) and its header. */
#define MAX_DATAGRAM (16384 + 2048 + RECORD_HEADER)
#define DEFAULT_INITIAL_TIMEOUT_MS 400
#define MAX_TIMEOUT_US (8u * 1000 * 1000)

struct _BridgeDtls {
    const BridgeDtlsCert *cert;
    SSL *ssl;
    BIO *rbio; /* memory BIOs, owned by ssl */
    BIO *wbio;
    BridgeDtlsRole role;
    BridgeDtlsState state;
    BridgeDtlsSendFunc send;
    gpointer user_data;
    guint initial_timeout_ms;

    const EVP_MD *fp_md; /* NULL until a fingerprint is signalled */
    guint8 fp[EVP_MAX_MD_SIZE];
    guint fp_len;
    gboolean fp_mismatch; /* the verify callback saw a certificate that does not match */

    gboolean have_keys;
    BridgeSrtpKeys keys;

    guint64 drops;
    const char *drop_reason; /* static string */
    char error[192];
};

/* ---- helpers ---------------------------------------------------------------------------- */

static void set_failed(BridgeDtls *d, const char *reason)
{
    d->state = BRIDGE_DTLS_STATE_FAILED;
    g_strlcpy(d->error, reason, sizeof d->error);
    if (d->have_keys) {
        OPENSSL_cleanse(&d->keys, sizeof d->keys);
        d->have_keys = FALSE;
    }
}

/* After a failed SSL call: the most specific reason we have. Must run before the error queue
 * is cleared. */
static void set_failed_openssl(BridgeDtls *d, int ssl_error)
{
    if (d->fp_mismatch) {
        set_failed(d, "fingerprint mismatch");
        return;
    }
    unsigned long e = ERR_peek_last_error();
    if (e != 0) {
        char buf[160];
        ERR_error_string_n(e, buf, sizeof buf);
        /* "error:0A000410:SSL routines::sslv3 alert handshake failure": keep the text. Alerts
         * OpenSSL has no name for come as reason SSL_AD_REASON_OFFSET + description. */
        const char *reason = ERR_reason_error_string(e);
        int r = ERR_GET_REASON(e);
        if (reason == NULL && r >= SSL_AD_REASON_OFFSET && r < SSL_AD_REASON_OFFSET + 256)
            g_snprintf(buf, sizeof buf, "peer sent alert %d", r - SSL_AD_REASON_OFFSET);
        set_failed(d, reason != NULL ? reason : buf);
    } else if (ssl_error == SSL_ERROR_SYSCALL) {
        set_failed(d, "handshake failed (OpenSSL gave no reason)");
    } else {
        char buf[64];
        g_snprintf(buf, sizeof buf, "handshake failed (SSL error %d)", ssl_error);
        set_failed(d, buf);
    }
}

static void drop(BridgeDtls *d, const char *reason)
{
    d->drops++;
    d->drop_reason = reason;
}

/* OpenSSL 3.0 sometimes reports SSL_ERROR_SYSCALL with an empty error queue for a record it
 * merely discarded (a stray handshake fragment), and then the connection is fine; it also
 * does so after sending a fatal alert. Only the second is fatal: tell them apart by the state
 * machine's error state, which SSL_state_string() names "SSLERR". */
static gboolean ssl_failed_after(BridgeDtls *d, int ssl_error)
{
    if (ssl_error == SSL_ERROR_SYSCALL && ERR_peek_error() == 0 && !d->fp_mismatch &&
        strcmp(SSL_state_string(d->ssl), "SSLERR") != 0) {
        drop(d, "record discarded by OpenSSL");
        return FALSE;
    }
    return TRUE;
}

static gboolean fingerprint_matches(const BridgeDtls *d, X509 *cert)
{
    guint8 md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    if (cert == NULL || d->fp_md == NULL || !X509_digest(cert, d->fp_md, md, &len))
        return FALSE;
    return len == d->fp_len && CRYPTO_memcmp(md, d->fp, len) == 0;
}

/* Hands everything OpenSSL wrote to the send callback, packing whole records into datagrams
 * of at most BRIDGE_DTLS_MTU bytes (OpenSSL already fragments so no record exceeds it). */
static void flush_output(BridgeDtls *d)
{
    char *data = NULL;
    long n = BIO_get_mem_data(d->wbio, &data);
    if (n <= 0 || data == NULL)
        return;
    const guint8 *p = (const guint8 *)data;
    gsize total = (gsize)n, off = 0;
    while (off < total) {
        gsize start = off, size = 0;
        while (off < total) {
            gsize rec = total - off;
            if (rec >= RECORD_HEADER) {
                gsize body = ((gsize)p[off + 11] << 8) | p[off + 12];
                if (RECORD_HEADER + body < rec)
                    rec = RECORD_HEADER + body;
            }
            if (size > 0 && size + rec > BRIDGE_DTLS_MTU)
                break;
            size += rec;
            off += rec;
        }
        d->send(p + start, size, d->user_data);
    }
    (void)BIO_reset(d->wbio);
}

/* Shortest possible encrypted record body: AES-GCM carries an 8-byte explicit nonce and a
 * 16-byte tag, ChaCha20-Poly1305 only the tag (the SSL_CTX allows nothing else). OpenSSL 3.0
 * answers a shorter record in an encrypted epoch with a fatal internal_error alert instead of
 * discarding it (RFC 6347 §4.1.2.7), so one forged datagram would kill the connection; such
 * records are dropped here. Until the cipher is known, assume the larger minimum. */
static gsize min_encrypted_body(const BridgeDtls *d)
{
    const SSL_CIPHER *c = SSL_get_current_cipher(d->ssl);
    if (c != NULL && SSL_CIPHER_get_cipher_nid(c) == NID_chacha20_poly1305)
        return 16;
    return 8 + 16;
}

static guint32 be24(const guint8 *p)
{
    return (guint32)p[0] << 16 | (guint32)p[1] << 8 | p[2];
}

/* Plaintext (epoch 0) records: OpenSSL treats a malformed ChangeCipherSpec or alert, or a
 * handshake fragment that does not fit its message, as fatal. A genuine peer never sends
 * those, so a forged or corrupted datagram is dropped instead of ending the handshake. */
static const char *check_plaintext(guint8 type, const guint8 *b, gsize len)
{
    switch (type) {
    case 20:
        return len == 1 && b[0] == 1 ? NULL : "malformed change_cipher_spec";
    case 21:
        return len == 2 && (b[0] == 1 || b[0] == 2) ? NULL : "malformed alert";
    case 23:
        return "application data in epoch 0";
    default: /* 22: one or more handshake fragments (RFC 6347 §4.2.2) */
        if (len == 0)
            return "empty handshake record";
        for (gsize off = 0; off < len;) {
            if (len - off < 12)
                return "truncated handshake header";
            guint32 msg_len = be24(b + off + 1), frag_off = be24(b + off + 6);
            guint32 frag_len = be24(b + off + 9);
            if (frag_len > len - off - 12)
                return "truncated handshake fragment";
            if ((guint64)frag_off + frag_len > msg_len)
                return "handshake fragment outside its message";
            off += 12 + frag_len;
        }
        return NULL;
    }
}

/* NULL when @data is a sequence of whole DTLS records that OpenSSL may see, else why not. */
static const char *check_framing(const BridgeDtls *d, const guint8 *data, gsize len)
{
    if (len == 0)
        return "empty datagram";
    if (len > MAX_DATAGRAM)
        return "datagram too large";
    gsize off = 0;
    while (off < len) {
        if (len - off < RECORD_HEADER)
            return "truncated record header";
        guint8 type = data[off];
        /* change_cipher_spec(20), alert(21), handshake(22), application_data(23). RFC 7983
         * sends all of 20..63 here; heartbeat (24) and tls12_cid (25) are not used by
         * DTLS-SRTP and OpenSSL 3.0 mishandles them after the handshake. */
        if (type < 20 || type > 23)
            return "unknown record type";
        if (data[off + 1] != 0xfe) /* DTLS versions are 0xfeff (1.0) and 0xfefd (1.2) */
            return "not a DTLS version";
        gsize body = ((gsize)data[off + 11] << 8) | data[off + 12];
        if (body > len - off - RECORD_HEADER)
            return "truncated record";
        gboolean encrypted = data[off + 3] != 0 || data[off + 4] != 0; /* epoch > 0 */
        if (encrypted && body < min_encrypted_body(d))
            return "encrypted record too short";
        if (!encrypted) {
            const char *bad = check_plaintext(type, data + off + RECORD_HEADER, body);
            if (bad != NULL)
                return bad;
        }
        off += RECORD_HEADER + body;
    }
    return NULL;
}

/* ---- handshake completion ------------------------------------------------------------- */

static gboolean export_keys(BridgeDtls *d, const SRTP_PROTECTION_PROFILE *prof)
{
    BridgeSrtpProfile profile;
    gsize key = 16, salt;
    switch (prof->id) {
    case SRTP_AEAD_AES_128_GCM:
        profile = BRIDGE_SRTP_AEAD_AES_128_GCM;
        salt = 12;
        break;
    case SRTP_AES128_CM_SHA1_80:
        profile = BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80;
        salt = 14;
        break;
    default:
        return FALSE; /* we offer no other profile, so OpenSSL cannot pick one */
    }

    /* RFC 5764 §4.2: client_write_key | server_write_key | client_write_salt |
     * server_write_salt. */
    static const char label[] = "EXTRACTOR-dtls_srtp";
    guint8 m[2 * BRIDGE_SRTP_MAX_KEY_SALT];
    if (SSL_export_keying_material(d->ssl, m, 2 * (key + salt), label, sizeof label - 1, NULL, 0,
                                   0) != 1)
        return FALSE;
    const guint8 *client_key = m, *server_key = m + key;
    const guint8 *client_salt = m + 2 * key, *server_salt = m + 2 * key + salt;
    gboolean client = d->role == BRIDGE_DTLS_ROLE_CLIENT;

    d->keys.profile = profile;
    d->keys.key_salt_len = key + salt;
    memcpy(d->keys.local, client ? client_key : server_key, key);
    memcpy(d->keys.local + key, client ? client_salt : server_salt, salt);
    memcpy(d->keys.remote, client ? server_key : client_key, key);
    memcpy(d->keys.remote + key, client ? server_salt : client_salt, salt);
    d->have_keys = TRUE;
    OPENSSL_cleanse(m, sizeof m);
    return TRUE;
}

/* The handshake succeeded cryptographically; now the peer must be the one signalled. On a
 * failure here the peer believes it is connected, so tell it with close_notify. */
static void handshake_done(BridgeDtls *d)
{
    const SRTP_PROTECTION_PROFILE *prof = NULL;
    if (d->fp_md == NULL)
        set_failed(d, "no remote fingerprint signalled");
    else if (SSL_get0_peer_certificate(d->ssl) == NULL)
        set_failed(d, "peer sent no certificate");
    else if (!fingerprint_matches(d, SSL_get0_peer_certificate(d->ssl)))
        set_failed(d, "fingerprint mismatch");
    else if ((prof = SSL_get_selected_srtp_profile(d->ssl)) == NULL)
        set_failed(d, "no SRTP profile negotiated");
    else if (!export_keys(d, prof))
        set_failed(d, "exporting the SRTP keys failed");
    else
        d->state = BRIDGE_DTLS_STATE_CONNECTED;

    if (d->state == BRIDGE_DTLS_STATE_FAILED)
        (void)SSL_shutdown(d->ssl);
}

/* ---- driving OpenSSL ------------------------------------------------------------------ */

/* After the handshake, records are alerts, retransmitted peer flights (OpenSSL answers with
 * our last flight) or application data, which DTLS-SRTP does not use: read and drop it. */
static void read_records(BridgeDtls *d)
{
    guint8 buf[2048];
    for (;;) {
        int r = SSL_read(d->ssl, buf, sizeof buf);
        if (r > 0) {
            drop(d, "application data");
            continue;
        }
        int e = SSL_get_error(d->ssl, r);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE)
            return;
        if (e == SSL_ERROR_ZERO_RETURN) {
            d->state = BRIDGE_DTLS_STATE_CLOSED;
            g_strlcpy(d->error, "closed by peer", sizeof d->error);
            OPENSSL_cleanse(&d->keys, sizeof d->keys);
            d->have_keys = FALSE;
        } else if (ssl_failed_after(d, e)) {
            set_failed_openssl(d, e);
        }
        return;
    }
}

static void advance(BridgeDtls *d)
{
    ERR_clear_error();
    if (d->state == BRIDGE_DTLS_STATE_NEW || d->state == BRIDGE_DTLS_STATE_CONNECTING) {
        int r = SSL_do_handshake(d->ssl);
        if (r == 1) {
            handshake_done(d);
        } else {
            int e = SSL_get_error(d->ssl, r);
            if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE || !ssl_failed_after(d, e))
                d->state = BRIDGE_DTLS_STATE_CONNECTING;
            else
                set_failed_openssl(d, e);
        }
    }
    if (d->state == BRIDGE_DTLS_STATE_CONNECTED)
        read_records(d);
    flush_output(d); /* flights, alerts, close_notify */
    ERR_clear_error();
}

/* RFC 6347 §4.2.4.1: double on each retransmission, with a ceiling (ours: 32x the initial
 * value, at most 8 s). OpenSSL counts the expiries and gives up itself
 * (SSL_R_READ_TIMEOUT_EXPIRED). */
static unsigned int timer_cb(SSL *ssl, unsigned int previous_us)
{
    BridgeDtls *d = SSL_get_app_data(ssl);
    guint initial_us = d->initial_timeout_ms * 1000u;
    if (previous_us == 0)
        return initial_us;
    guint ceiling = MIN(MAX_TIMEOUT_US, initial_us * 32u);
    return previous_us >= ceiling / 2 ? ceiling : previous_us * 2;
}

int bridge_dtls_verify_cb(int preverify_ok, X509_STORE_CTX *store)
{
    SSL *ssl = X509_STORE_CTX_get_ex_data(store, SSL_get_ex_data_X509_STORE_CTX_idx());
    BridgeDtls *d = ssl != NULL ? SSL_get_app_data(ssl) : NULL;
    if (d == NULL)
        return 0;
    /* Chain errors (self-signed, unknown issuer, validity) do not matter: the signalled
     * fingerprint authenticates the peer. If it is already known, refuse a wrong leaf here so
     * the peer gets a bad_certificate alert; handshake_done() checks again in any case. */
    if (X509_STORE_CTX_get_error_depth(store) == 0 && d->fp_md != NULL &&
        !fingerprint_matches(d, X509_STORE_CTX_get_current_cert(store))) {
        d->fp_mismatch = TRUE;
        X509_STORE_CTX_set_error(store, X509_V_ERR_CERT_REJECTED);
        return 0;
    }
    return 1;
}

/* ---- API -------------------------------------------------------------------------------- */

BridgeDtls *bridge_dtls_new(const BridgeDtlsCert *cert, BridgeDtlsRole role,
                            BridgeDtlsSendFunc send, gpointer user_data)
{
    g_return_val_if_fail(cert != NULL && send != NULL, NULL);
    BridgeDtls *d = g_new0(BridgeDtls, 1);
    d->cert = cert;
    d->role = role;
    d->state = BRIDGE_DTLS_STATE_NEW;
    d->send = send;
    d->user_data = user_data;
    d->initial_timeout_ms = DEFAULT_INITIAL_TIMEOUT_MS;
    d->drop_reason = "";

    ERR_clear_error();
    d->ssl = SSL_new(cert->ctx);
    d->rbio = BIO_new(BIO_s_mem());
    d->wbio = BIO_new(BIO_s_mem());
    if (d->ssl == NULL || d->rbio == NULL || d->wbio == NULL)
        g_error("OpenSSL could not allocate a DTLS connection");
    /* An empty read BIO means "wait for more", not end of stream. */
    BIO_set_mem_eof_return(d->rbio, -1);
    BIO_set_mem_eof_return(d->wbio, -1);
    SSL_set_bio(d->ssl, d->rbio, d->wbio);
    SSL_set_app_data(d->ssl, d);
    SSL_set_mtu(d->ssl, BRIDGE_DTLS_MTU);
    DTLS_set_timer_cb(d->ssl, timer_cb);
    if (role == BRIDGE_DTLS_ROLE_SERVER) {
        SSL_set_accept_state(d->ssl);
        SSL_set_verify(d->ssl, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       bridge_dtls_verify_cb);
    } else {
        SSL_set_connect_state(d->ssl);
        SSL_set_verify(d->ssl, SSL_VERIFY_PEER, bridge_dtls_verify_cb);
    }
    ERR_clear_error();
    return d;
}

void bridge_dtls_free(BridgeDtls *d)
{
    if (d == NULL)
        return;
    SSL_free(d->ssl); /* frees both BIOs */
    ERR_clear_error();
    OPENSSL_cleanse(&d->keys, sizeof d->keys);
    g_free(d);
}

static const EVP_MD *digest_for(const char *hash)
{
    if (hash == NULL)
        return NULL;
    if (g_ascii_strcasecmp(hash, "sha-256") == 0)
        return EVP_sha256();
    if (g_ascii_strcasecmp(hash, "sha-384") == 0)
        return EVP_sha384();
    if (g_ascii_strcasecmp(hash, "sha-512") == 0)
        return EVP_sha512();
    return NULL; /* sha-1 and older are not accepted (RFC 8122 §5) */
}

gboolean bridge_dtls_set_remote_fingerprint(BridgeDtls *d, const char *hash, const char *fp)
{
    g_return_val_if_fail(d != NULL, FALSE);
    if (d->state != BRIDGE_DTLS_STATE_NEW && d->state != BRIDGE_DTLS_STATE_CONNECTING)
        return FALSE;
    const EVP_MD *md = digest_for(hash);
    if (md == NULL || fp == NULL)
        return FALSE;
    gsize n = (gsize)EVP_MD_get_size(md);
    if (strlen(fp) != 3 * n - 1)
        return FALSE;
    guint8 bytes[EVP_MAX_MD_SIZE];
    for (gsize i = 0; i < n; i++) {
        int hi = g_ascii_xdigit_value(fp[3 * i]), lo = g_ascii_xdigit_value(fp[3 * i + 1]);
        if (hi < 0 || lo < 0 || (i + 1 < n && fp[3 * i + 2] != ':'))
            return FALSE;
        bytes[i] = (guint8)(hi << 4 | lo);
    }
    d->fp_md = md;
    memcpy(d->fp, bytes, n);
    d->fp_len = (guint)n;
    return TRUE;
}

void bridge_dtls_start(BridgeDtls *d)
{
    g_return_if_fail(d != NULL);
    if (d->role == BRIDGE_DTLS_ROLE_CLIENT && d->state == BRIDGE_DTLS_STATE_NEW)
        advance(d);
}

BridgeDtlsState bridge_dtls_handle(BridgeDtls *d, const guint8 *data, gsize len)
{
    g_return_val_if_fail(d != NULL, BRIDGE_DTLS_STATE_FAILED);
    if (d->state == BRIDGE_DTLS_STATE_FAILED || d->state == BRIDGE_DTLS_STATE_CLOSED) {
        drop(d, "connection closed or failed");
        return d->state;
    }
    const char *bad = data != NULL ? check_framing(d, data, len) : "empty datagram";
    if (bad != NULL) {
        drop(d, bad);
        return d->state;
    }
    if (BIO_write(d->rbio, data, (int)len) != (int)len) {
        drop(d, "out of memory");
        (void)BIO_reset(d->rbio);
        return d->state;
    }
    advance(d);
    /* DTLS reads a datagram in one go; anything left would be glued to the next one. */
    if (BIO_ctrl_pending(d->rbio) > 0) {
        drop(d, "datagram not fully consumed");
        (void)BIO_reset(d->rbio);
    }
    return d->state;
}

gint bridge_dtls_timeout_ms(BridgeDtls *d)
{
    g_return_val_if_fail(d != NULL, -1);
    if (d->state == BRIDGE_DTLS_STATE_FAILED || d->state == BRIDGE_DTLS_STATE_CLOSED)
        return -1;
    struct timeval tv;
    if (DTLSv1_get_timeout(d->ssl, &tv) != 1)
        return -1;
    gint64 ms = (gint64)tv.tv_sec * 1000 + (tv.tv_usec + 999) / 1000;
    return (gint)MIN(ms, (gint64)G_MAXINT);
}

BridgeDtlsState bridge_dtls_handle_timeout(BridgeDtls *d)
{
    g_return_val_if_fail(d != NULL, BRIDGE_DTLS_STATE_FAILED);
    if (d->state != BRIDGE_DTLS_STATE_CONNECTING && d->state != BRIDGE_DTLS_STATE_CONNECTED)
        return d->state;
    ERR_clear_error();
    if (DTLSv1_handle_timeout(d->ssl) < 0) {
        unsigned long e = ERR_peek_last_error();
        if (ERR_GET_REASON(e) == SSL_R_READ_TIMEOUT_EXPIRED || e == 0)
            set_failed(d, "handshake timed out");
        else
            set_failed_openssl(d, SSL_ERROR_SSL);
    }
    flush_output(d);
    ERR_clear_error();
    return d->state;
}

void bridge_dtls_set_initial_timeout_ms(BridgeDtls *d, guint ms)
{
    g_return_if_fail(d != NULL && ms >= 1 && ms <= 8000);
    d->initial_timeout_ms = ms;
}

BridgeDtlsState bridge_dtls_state(const BridgeDtls *d)
{
    return d->state;
}

const char *bridge_dtls_error(const BridgeDtls *d)
{
    return d->error;
}

BridgeDtlsRole bridge_dtls_get_role(const BridgeDtls *d)
{
    return d->role;
}

guint64 bridge_dtls_get_drops(const BridgeDtls *d, const char **last_reason)
{
    if (last_reason != NULL)
        *last_reason = d->drop_reason;
    return d->drops;
}

gboolean bridge_dtls_get_srtp_keys(BridgeDtls *d, BridgeSrtpKeys *out)
{
    g_return_val_if_fail(d != NULL && out != NULL, FALSE);
    if (d->state != BRIDGE_DTLS_STATE_CONNECTED || !d->have_keys)
        return FALSE;
    *out = d->keys;
    return TRUE;
}

void bridge_dtls_close(BridgeDtls *d)
{
    g_return_if_fail(d != NULL);
    if (d->state == BRIDGE_DTLS_STATE_FAILED || d->state == BRIDGE_DTLS_STATE_CLOSED)
        return;
    if (d->state == BRIDGE_DTLS_STATE_CONNECTED) {
        ERR_clear_error();
        (void)SSL_shutdown(d->ssl);
        flush_output(d);
        ERR_clear_error();
    }
    d->state = BRIDGE_DTLS_STATE_CLOSED;
    g_strlcpy(d->error, "closed locally", sizeof d->error);
    OPENSSL_cleanse(&d->keys, sizeof d->keys);
    d->have_keys = FALSE;
}
