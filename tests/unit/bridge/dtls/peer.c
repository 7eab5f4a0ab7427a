/* SPDX-License-Identifier: MIT */
/* Independent DTLS-SRTP peer for tests (see peer.h). Uses OpenSSL and libsrtp directly. */
#include "peer.h"

#include <openssl/err.h>
#include <openssl/srtp.h>
#include <openssl/x509.h>
#include <string.h>

static int accept_any(int ok, X509_STORE_CTX *store)
{
    return 1; /* the tests compare fingerprints themselves */
}

static void make_cert(TestPeer *p)
{
    /* A P-384 key and a SHA-384 signature: deliberately not what the bridge makes. */
    EVP_PKEY_CTX *kctx = EVP_PKEY_CTX_new_from_name(NULL, "EC", NULL);
    g_assert_nonnull(kctx);
    g_assert_cmpint(EVP_PKEY_keygen_init(kctx), ==, 1);
    g_assert_cmpint(EVP_PKEY_CTX_set_group_name(kctx, "P-384"), ==, 1);
    g_assert_cmpint(EVP_PKEY_keygen(kctx, &p->key), ==, 1);
    EVP_PKEY_CTX_free(kctx);

    p->cert = X509_new();
    X509_set_version(p->cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(p->cert), g_random_int_range(1, G_MAXINT32));
    X509_gmtime_adj(X509_getm_notBefore(p->cert), 0);
    X509_gmtime_adj(X509_getm_notAfter(p->cert), 3600);
    X509_NAME *n = X509_get_subject_name(p->cert);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, (const unsigned char *)"test-peer", -1, -1,
                               0);
    X509_set_issuer_name(p->cert, n);
    X509_set_pubkey(p->cert, p->key);
    g_assert_cmpint(X509_sign(p->cert, p->key, EVP_sha384()), >, 0);

    unsigned char md[32];
    unsigned int len = 0;
    g_assert_true(X509_digest(p->cert, EVP_sha256(), md, &len));
    GString *s = g_string_new(NULL);
    for (unsigned int i = 0; i < len; i++)
        g_string_append_printf(s, i ? ":%02X" : "%02X", md[i]);
    g_strlcpy(p->fingerprint, s->str, sizeof p->fingerprint);
    g_string_free(s, TRUE);
}

TestPeer *test_peer_new(gboolean client, const char *profiles)
{
    TestPeer *p = g_new0(TestPeer, 1);
    p->client = client;
    make_cert(p);
    p->ctx = SSL_CTX_new(DTLS_method());
    g_assert_nonnull(p->ctx);
    g_assert_cmpint(SSL_CTX_use_certificate(p->ctx, p->cert), ==, 1);
    g_assert_cmpint(SSL_CTX_use_PrivateKey(p->ctx, p->key), ==, 1);
    if (profiles != NULL)
        g_assert_cmpint(SSL_CTX_set_tlsext_use_srtp(p->ctx, profiles), ==, 0);
    SSL_CTX_set_verify(p->ctx, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, accept_any);
    p->ssl = SSL_new(p->ctx);
    p->rbio = BIO_new(BIO_s_mem());
    p->wbio = BIO_new(BIO_s_mem());
    BIO_set_mem_eof_return(p->rbio, -1);
    BIO_set_mem_eof_return(p->wbio, -1);
    SSL_set_bio(p->ssl, p->rbio, p->wbio);
    SSL_set_options(p->ssl, SSL_OP_NO_QUERY_MTU);
    SSL_set_mtu(p->ssl, 1400);
    if (client)
        SSL_set_connect_state(p->ssl);
    else
        SSL_set_accept_state(p->ssl);
    return p;
}

void test_peer_free(TestPeer *p)
{
    if (p == NULL)
        return;
    if (p->srtp_out)
        srtp_dealloc(p->srtp_out);
    if (p->srtp_in)
        srtp_dealloc(p->srtp_in);
    SSL_free(p->ssl);
    SSL_CTX_free(p->ctx);
    X509_free(p->cert);
    EVP_PKEY_free(p->key);
    ERR_clear_error();
    g_free(p);
}

static void fail(TestPeer *p, int e)
{
    unsigned long code = ERR_peek_last_error();
    p->failed = TRUE;
    if (code != 0)
        ERR_error_string_n(code, p->error, sizeof p->error);
    else
        g_snprintf(p->error, sizeof p->error, "SSL error %d", e);
}

void test_peer_step(TestPeer *p)
{
    if (p->failed)
        return;
    ERR_clear_error();
    if (!p->done) {
        int r = SSL_do_handshake(p->ssl);
        if (r == 1) {
            p->done = TRUE;
        } else {
            int e = SSL_get_error(p->ssl, r);
            if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
                fail(p, e);
            return;
        }
    }
    guint8 buf[2048];
    for (;;) {
        int r = SSL_read(p->ssl, buf, sizeof buf);
        if (r > 0)
            continue;
        int e = SSL_get_error(p->ssl, r);
        if (e == SSL_ERROR_ZERO_RETURN)
            p->got_close = TRUE;
        else if (e != SSL_ERROR_WANT_READ && e != SSL_ERROR_WANT_WRITE)
            fail(p, e);
        break;
    }
    ERR_clear_error();
}

void test_peer_receive(TestPeer *p, const guint8 *data, gsize len)
{
    if (p->failed)
        return; /* a dead connection reads nothing */
    g_assert_cmpint(BIO_write(p->rbio, data, (int)len), ==, (int)len);
    test_peer_step(p);
    /* A memory BIO has no datagram boundaries: nothing may be left for the next one. */
    g_assert_cmpint(BIO_ctrl_pending(p->rbio), ==, 0);
}

GBytes *test_peer_take_output(TestPeer *p)
{
    char *data = NULL;
    long n = BIO_get_mem_data(p->wbio, &data);
    if (n <= 0)
        return NULL;
    GBytes *b = g_bytes_new(data, (gsize)n);
    (void)BIO_reset(p->wbio);
    return b;
}

void test_peer_key_salt(const TestPeer *p, gboolean client_side, guint8 *out)
{
    gsize k = p->key_len, s = p->salt_len;
    memcpy(out, p->material + (client_side ? 0 : k), k);
    memcpy(out + k, p->material + 2 * k + (client_side ? 0 : s), s);
}

static gboolean make_session(TestPeer *p, srtp_t *session, gboolean outbound)
{
    srtp_policy_t pol;
    memset(&pol, 0, sizeof pol);
    if (p->profile_id == SRTP_AEAD_AES_128_GCM) {
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtp);
        srtp_crypto_policy_set_aes_gcm_128_16_auth(&pol.rtcp);
    } else {
        srtp_crypto_policy_set_rtp_default(&pol.rtp);
        srtp_crypto_policy_set_rtcp_default(&pol.rtcp);
    }
    guint8 key[30];
    /* Outbound uses our own side's key, inbound the other side's. */
    gboolean client_side = outbound ? p->client : !p->client;
    test_peer_key_salt(p, client_side, key);
    pol.ssrc.type = outbound ? ssrc_any_outbound : ssrc_any_inbound;
    pol.key = key;
    pol.window_size = 128;
    return srtp_create(session, &pol) == srtp_err_status_ok;
}

gboolean test_peer_setup_srtp(TestPeer *p)
{
    const SRTP_PROTECTION_PROFILE *prof = SSL_get_selected_srtp_profile(p->ssl);
    if (prof == NULL)
        return FALSE;
    p->profile_id = (int)prof->id;
    p->key_len = 16;
    p->salt_len = prof->id == SRTP_AEAD_AES_128_GCM ? 12 : 14;
    gsize total = 2 * (p->key_len + p->salt_len);
    if (SSL_export_keying_material(p->ssl, p->material, total, "EXTRACTOR-dtls_srtp", 19, NULL, 0,
                                   0) != 1)
        return FALSE;
    return make_session(p, &p->srtp_out, TRUE) && make_session(p, &p->srtp_in, FALSE);
}
