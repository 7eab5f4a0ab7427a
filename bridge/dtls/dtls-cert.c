/* SPDX-License-Identifier: MIT */
/* The bridge's DTLS identity: one ECDSA P-256 key and self-signed certificate made at start,
 * and the SSL_CTX every endpoint's SSL is made from.
 *
 * Threads: created once (any thread) before workers use it, then only read. SSL_new() on a
 * shared SSL_CTX is safe from several threads in OpenSSL 3; the session cache is off so the
 * context has no mutable shared state on the handshake path. */
#include "bridge/dtls/dtls-priv.h"

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>

GQuark bridge_dtls_error_quark(void)
{
    return g_quark_from_static_string("bridge-dtls-error-quark");
}

/* GCM first: the server's order decides (OpenSSL picks the first of its own profiles that the
 * client offers). */
static const char srtp_profiles[] = "SRTP_AEAD_AES_128_GCM:SRTP_AES128_CM_SHA1_80";

/* ECDHE with AEAD only (every WebRTC stack offers ECDHE-ECDSA-AES128-GCM-SHA256); ECDSA
 * suites for our own certificate, RSA ones only matter in client role against a peer with an
 * RSA certificate. dtls.c relies on "AEAD only" when it filters short encrypted records. */
static const char cipher_list[] = "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-CHACHA20-POLY1305:"
                                  "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:"
                                  "ECDHE-RSA-CHACHA20-POLY1305:ECDHE-RSA-AES256-GCM-SHA384";

/* Validity: browsers check only the fingerprint, but some stacks reject a certificate that is
 * not yet valid; start a day early to absorb clock skew, last a year (process lifetime). */
#define NOT_BEFORE_S (-24L * 3600)
#define NOT_AFTER_S (365L * 24 * 3600)

void bridge_dtls_format_fingerprint(const guint8 *md, guint len, char *out)
{
    static const char hex[] = "0123456789ABCDEF";
    for (guint i = 0; i < len; i++) {
        out[3 * i] = hex[md[i] >> 4];
        out[3 * i + 1] = hex[md[i] & 0xf];
        out[3 * i + 2] = i + 1 < len ? ':' : '\0';
    }
    if (len == 0)
        out[0] = '\0';
}

static gboolean openssl_fail(GError **error, const char *what)
{
    char buf[256];
    unsigned long e = ERR_get_error();
    if (e != 0)
        ERR_error_string_n(e, buf, sizeof buf);
    else
        g_strlcpy(buf, "unknown error", sizeof buf);
    ERR_clear_error();
    g_set_error(error, BRIDGE_DTLS_ERROR, BRIDGE_DTLS_ERROR_OPENSSL, "%s: %s", what, buf);
    return FALSE;
}

static gboolean make_certificate(BridgeDtlsCert *c, GError **error)
{
    c->key = EVP_EC_gen("P-256");
    if (c->key == NULL)
        return openssl_fail(error, "generating the P-256 key");

    c->x509 = X509_new();
    if (c->x509 == NULL || !X509_set_version(c->x509, 2 /* v3 */))
        return openssl_fail(error, "creating the certificate");

    /* Random positive 63-bit serial: a certificate per process start must not repeat. */
    guint64 serial;
    if (RAND_bytes((unsigned char *)&serial, sizeof serial) != 1)
        return openssl_fail(error, "drawing the serial number");
    serial &= G_GUINT64_CONSTANT(0x7fffffffffffffff);
    if (!ASN1_INTEGER_set_uint64(X509_get_serialNumber(c->x509), serial | 1))
        return openssl_fail(error, "setting the serial number");

    if (X509_gmtime_adj(X509_getm_notBefore(c->x509), NOT_BEFORE_S) == NULL ||
        X509_gmtime_adj(X509_getm_notAfter(c->x509), NOT_AFTER_S) == NULL)
        return openssl_fail(error, "setting the validity");

    X509_NAME *name = X509_get_subject_name(c->x509);
    if (!X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                    (const unsigned char *)"parley-bridge", -1, -1, 0) ||
        !X509_set_issuer_name(c->x509, name) || !X509_set_pubkey(c->x509, c->key))
        return openssl_fail(error, "filling in the certificate");
    if (X509_sign(c->x509, c->key, EVP_sha256()) <= 0)
        return openssl_fail(error, "signing the certificate");

    guint8 md[EVP_MAX_MD_SIZE];
    unsigned int mdlen = 0;
    if (!X509_digest(c->x509, EVP_sha256(), md, &mdlen) || mdlen != 32)
        return openssl_fail(error, "hashing the certificate");
    bridge_dtls_format_fingerprint(md, mdlen, c->fingerprint);
    return TRUE;
}

static gboolean make_context(BridgeDtlsCert *c, GError **error)
{
    c->ctx = SSL_CTX_new(DTLS_method());
    if (c->ctx == NULL)
        return openssl_fail(error, "creating the DTLS context");
    if (!SSL_CTX_set_min_proto_version(c->ctx, DTLS1_2_VERSION) ||
        !SSL_CTX_set_max_proto_version(c->ctx, DTLS1_2_VERSION))
        return openssl_fail(error, "restricting to DTLS 1.2");
    if (SSL_CTX_use_certificate(c->ctx, c->x509) != 1 ||
        SSL_CTX_use_PrivateKey(c->ctx, c->key) != 1 || SSL_CTX_check_private_key(c->ctx) != 1)
        return openssl_fail(error, "installing the certificate");
    if (SSL_CTX_set_cipher_list(c->ctx, cipher_list) != 1)
        return openssl_fail(error, "setting the cipher list");
    if (SSL_CTX_set1_groups_list(c->ctx, "X25519:P-256:P-384") != 1)
        return openssl_fail(error, "setting the key exchange groups");
    /* Unlike the rest of the API, 0 means success here. */
    if (SSL_CTX_set_tlsext_use_srtp(c->ctx, srtp_profiles) != 0)
        return openssl_fail(error, "setting the SRTP profiles");

    /* No renegotiation (a DoS lever, and keys must not change under SRTP), no tickets or
     * session cache (each ICE session does a full handshake), MTU from us, not the BIO. */
    SSL_CTX_set_options(c->ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_NO_TICKET | SSL_OP_NO_QUERY_MTU |
                                    SSL_OP_CIPHER_SERVER_PREFERENCE);
    SSL_CTX_set_session_cache_mode(c->ctx, SSL_SESS_CACHE_OFF);
    SSL_CTX_set_read_ahead(c->ctx, 1);
    /* Per-SSL verify mode is set by role in bridge_dtls_new(); the callback is the same. */
    SSL_CTX_set_verify(c->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT,
                       bridge_dtls_verify_cb);
    return TRUE;
}

void bridge_dtls_cert_set_srtp_profiles(BridgeDtlsCert *cert, const BridgeSrtpProfile *profiles,
                                        guint n)
{
    g_return_if_fail(cert && profiles && n > 0);
    GString *list = g_string_new(NULL);
    for (guint i = 0; i < n; i++)
        g_string_append_printf(list, "%s%s", i ? ":" : "",
                               profiles[i] == BRIDGE_SRTP_AEAD_AES_128_GCM
                                   ? "SRTP_AEAD_AES_128_GCM"
                                   : "SRTP_AES128_CM_SHA1_80");
    /* 0 is success; the names are OpenSSL's own, so it cannot fail but on OOM. */
    if (SSL_CTX_set_tlsext_use_srtp(cert->ctx, list->str) != 0)
        g_error("OpenSSL refused the SRTP profiles %s", list->str);
    g_string_free(list, TRUE);
}

BridgeDtlsCert *bridge_dtls_cert_new(GError **error)
{
    g_return_val_if_fail(error == NULL || *error == NULL, NULL);
    ERR_clear_error();
    BridgeDtlsCert *c = g_new0(BridgeDtlsCert, 1);
    if (!make_certificate(c, error) || !make_context(c, error)) {
        bridge_dtls_cert_free(c);
        return NULL;
    }
    return c;
}

void bridge_dtls_cert_free(BridgeDtlsCert *cert)
{
    if (cert == NULL)
        return;
    SSL_CTX_free(cert->ctx);
    X509_free(cert->x509);
    EVP_PKEY_free(cert->key);
    g_free(cert);
}

const char *bridge_dtls_cert_fingerprint(const BridgeDtlsCert *cert)
{
    return cert->fingerprint;
}
