/* SPDX-License-Identifier: MIT */
/* Shared between dtls-cert.c and dtls.c (and their tests); not part of the module API. */
#pragma once

#include <openssl/ssl.h>

#include "bridge/dtls/dtls.h"

G_BEGIN_DECLS

/* Immutable after bridge_dtls_cert_new(); read by every worker. */
struct _BridgeDtlsCert {
    EVP_PKEY *key;
    X509 *x509;
    SSL_CTX *ctx;         /* DTLS_method, cert + key, SRTP profiles, verify callback */
    char fingerprint[96]; /* 32 bytes as "AB:" * 31 + "AB" + NUL */
};

/* The verify callback installed on every SSL made from a cert's SSL_CTX (dtls.c). */
int bridge_dtls_verify_cb(int preverify_ok, X509_STORE_CTX *store);

/* Writes @len bytes as upper-case hex pairs joined by ':' into @out (3 * @len bytes). */
void bridge_dtls_format_fingerprint(const guint8 *md, guint len, char *out);

G_END_DECLS
