/* SPDX-License-Identifier: MIT */
/* An independent DTLS-SRTP peer for the bridge's tests: its own SSL_CTX, certificate, memory
 * BIOs and libsrtp sessions, written directly against OpenSSL and libsrtp (none of the
 * bridge's code), so the bridge is checked against another implementation rather than
 * against itself. Single-threaded test code. */
#pragma once

#include <glib.h>
#include <openssl/ssl.h>
#include <srtp2/srtp.h>

typedef struct {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *rbio, *wbio;
    EVP_PKEY *key;
    X509 *cert;
    char fingerprint[96]; /* SHA-256, upper-case colon hex */
    gboolean client;
    gboolean done;      /* handshake finished */
    gboolean failed;    /* fatal error */
    gboolean got_close; /* received close_notify */
    char error[160];
    /* After the handshake, with SRTP negotiated: */
    int profile_id;           /* SRTP_AEAD_AES_128_GCM or SRTP_AES128_CM_SHA1_80 */
    gsize key_len, salt_len;  /* 16 and 12 or 14 */
    guint8 material[60];      /* exported: client key | server key | client salt | server salt */
    srtp_t srtp_out, srtp_in; /* libsrtp sessions with this peer's keys */
} TestPeer;

/* @profiles: OpenSSL SRTP profile list for use_srtp, or NULL to offer no SRTP. */
TestPeer *test_peer_new(gboolean client, const char *profiles);
void test_peer_free(TestPeer *p);
/* Runs the handshake (or reads, once done) after input; records failure. */
void test_peer_step(TestPeer *p);
/* Feeds one datagram and steps. */
void test_peer_receive(TestPeer *p, const guint8 *data, gsize len);
/* Takes everything the peer wrote (one datagram, possibly several records); NULL if none. */
GBytes *test_peer_take_output(TestPeer *p);
/* After the handshake: exports keys and creates libsrtp sessions (own key outbound, the other
 * side's key inbound). FALSE if no SRTP profile was negotiated or libsrtp failed. */
gboolean test_peer_setup_srtp(TestPeer *p);
/* The 30/28 bytes key||salt the client (or server) side writes with. */
void test_peer_key_salt(const TestPeer *p, gboolean client_side, guint8 *out);
