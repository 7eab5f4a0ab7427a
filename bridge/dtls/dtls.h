/* SPDX-License-Identifier: MIT */
/* DTLS 1.2 for DTLS-SRTP (RFC 5764) with OpenSSL memory BIOs: no sockets here. The caller
 * feeds received DTLS records in and sends what the send callback hands out (through ICE).
 *
 * BridgeDtlsCert: one ECDSA P-256 self-signed certificate made at start; immutable afterwards,
 * shared read-only by all workers. BridgeDtls: one per endpoint, used only on the endpoint's
 * worker thread. */
#pragma once

#include <glib.h>

#include "bridge/srtp/srtp.h"

G_BEGIN_DECLS

typedef struct _BridgeDtlsCert BridgeDtlsCert;

/* (transfer full) NULL with @error when OpenSSL fails. */
BridgeDtlsCert *bridge_dtls_cert_new(GError **error);
void bridge_dtls_cert_free(BridgeDtlsCert *cert);
/* SHA-256 fingerprint, upper-case hex pairs separated by ':' (transfer none). */
const char *bridge_dtls_cert_fingerprint(const BridgeDtlsCert *cert);

typedef enum {
    BRIDGE_DTLS_ROLE_SERVER, /* we offered actpass, the browser answered active */
    BRIDGE_DTLS_ROLE_CLIENT,
} BridgeDtlsRole;

typedef enum {
    BRIDGE_DTLS_STATE_NEW,
    BRIDGE_DTLS_STATE_CONNECTING,
    BRIDGE_DTLS_STATE_CONNECTED, /* handshake done, fingerprint verified, keys available */
    BRIDGE_DTLS_STATE_FAILED,    /* handshake error or fingerprint mismatch; terminal */
    BRIDGE_DTLS_STATE_CLOSED,    /* peer sent close_notify; terminal */
} BridgeDtlsState;

/* Called synchronously from bridge_dtls_* with one datagram to send to the peer. */
typedef void (*BridgeDtlsSendFunc)(const guint8 *data, gsize len, gpointer user_data);

typedef struct _BridgeDtls BridgeDtls;

/* (transfer full). @cert must outlive the returned object. */
BridgeDtls *bridge_dtls_new(const BridgeDtlsCert *cert, BridgeDtlsRole role,
                            BridgeDtlsSendFunc send, gpointer user_data);
void bridge_dtls_free(BridgeDtls *d);

/* The fingerprint the peer signalled ("sha-256", "AB:..."); the handshake fails unless the
 * peer's certificate matches. May be called before or during the handshake, not after.
 * Returns FALSE for an unsupported hash or a malformed fingerprint. */
gboolean bridge_dtls_set_remote_fingerprint(BridgeDtls *d, const char *hash, const char *fp);

/* Client role: sends the ClientHello. Server role: no-op (waits for the peer). */
void bridge_dtls_start(BridgeDtls *d);

/* Feeds one received DTLS datagram. Returns the state after processing. */
BridgeDtlsState bridge_dtls_handle(BridgeDtls *d, const guint8 *data, gsize len);

/* Retransmission: milliseconds until bridge_dtls_handle_timeout() should run, or -1 if no
 * timer is needed. */
gint bridge_dtls_timeout_ms(BridgeDtls *d);
BridgeDtlsState bridge_dtls_handle_timeout(BridgeDtls *d);

BridgeDtlsState bridge_dtls_state(const BridgeDtls *d);
/* A short reason after FAILED ("fingerprint mismatch", OpenSSL's text) (transfer none). */
const char *bridge_dtls_error(const BridgeDtls *d);

/* After CONNECTED: the negotiated profile and keys, split into local/remote by role.
 * Returns FALSE before CONNECTED or when no SRTP profile was negotiated. */
gboolean bridge_dtls_get_srtp_keys(BridgeDtls *d, BridgeSrtpKeys *out);

G_END_DECLS
