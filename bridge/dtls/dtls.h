/* SPDX-License-Identifier: MIT */
/* DTLS 1.2 for DTLS-SRTP (RFC 5764) with OpenSSL memory BIOs: no sockets here. The caller
 * feeds received DTLS records in and sends what the send callback hands out (through ICE).
 *
 * BridgeDtlsCert: one ECDSA P-256 self-signed certificate made at start, with the SSL_CTX that
 * uses it (SRTP profiles AEAD_AES_128_GCM then AES_CM_128_HMAC_SHA1_80, DTLS 1.2 only, no
 * session cache); immutable afterwards, shared read-only by all workers. BridgeDtls: one per
 * endpoint, used only on the endpoint's worker thread.
 *
 * Authentication is the signalled fingerprint only (RFC 8122): any certificate is accepted
 * during the handshake (self-signed is the norm), and the handshake ends FAILED unless the
 * peer's certificate matches the fingerprint given with bridge_dtls_set_remote_fingerprint()
 * (also FAILED when none was given). Outgoing flights are packed into datagrams of at most
 * BRIDGE_DTLS_MTU bytes. Incoming datagrams that are not whole DTLS records, and records a
 * genuine peer never sends but OpenSSL 3.0 would treat as fatal (malformed plaintext CCS,
 * alert or handshake fragment; encrypted records too short for their AEAD), are dropped and
 * counted (bridge_dtls_get_drops()); other invalid records are discarded by OpenSSL (RFC 6347
 * §4.1.2.7). FAILED comes from a handshake error (OpenSSL still fails on some malformed
 * handshake content, e.g. a corrupted ClientHello), a fatal alert from the peer, a
 * retransmission timeout or a fingerprint problem.
 *
 * Cipher suites: ECDHE with AES-GCM or ChaCha20-Poly1305 only. */
#pragma once

#include <glib.h>

#include "bridge/srtp/srtp.h"

G_BEGIN_DECLS

#define BRIDGE_DTLS_MTU 1200 /* bytes per outgoing datagram */

#define BRIDGE_DTLS_ERROR (bridge_dtls_error_quark())
GQuark bridge_dtls_error_quark(void);
typedef enum {
    BRIDGE_DTLS_ERROR_OPENSSL, /* OpenSSL failed making the key, certificate or context */
} BridgeDtlsErrorCode;

typedef struct _BridgeDtlsCert BridgeDtlsCert;

/* (transfer full) NULL with @error when OpenSSL fails. Any thread. */
BridgeDtlsCert *bridge_dtls_cert_new(GError **error);
void bridge_dtls_cert_free(BridgeDtlsCert *cert);
/* SHA-256 fingerprint, upper-case hex pairs separated by ':' (transfer none). */
const char *bridge_dtls_cert_fingerprint(const BridgeDtlsCert *cert);
/* Restricts the SRTP profiles connections made from @cert offer (client) or accept (server)
 * to @profiles, most preferred first (@n >= 1; the default is AEAD_AES_128_GCM, then
 * AES_CM_128_HMAC_SHA1_80). Call before any BridgeDtls uses @cert. Test peers use it to stand
 * in for a client that has no GCM. */
void bridge_dtls_cert_set_srtp_profiles(BridgeDtlsCert *cert, const BridgeSrtpProfile *profiles,
                                        guint n);

typedef enum {
    BRIDGE_DTLS_ROLE_SERVER, /* we offered actpass, the browser answered active */
    BRIDGE_DTLS_ROLE_CLIENT,
} BridgeDtlsRole;

typedef enum {
    BRIDGE_DTLS_STATE_NEW,
    BRIDGE_DTLS_STATE_CONNECTING,
    BRIDGE_DTLS_STATE_CONNECTED, /* handshake done, fingerprint verified, keys available */
    BRIDGE_DTLS_STATE_FAILED,    /* handshake error or fingerprint mismatch; terminal */
    BRIDGE_DTLS_STATE_CLOSED,    /* close_notify from the peer, or bridge_dtls_close(); terminal */
} BridgeDtlsState;

/* Called synchronously from bridge_dtls_* with one datagram to send to the peer. It must not
 * call back into the same BridgeDtls (in particular not free it). */
typedef void (*BridgeDtlsSendFunc)(const guint8 *data, gsize len, gpointer user_data);

typedef struct _BridgeDtls BridgeDtls;

/* (transfer full). @cert must outlive the returned object. Never NULL (aborts on OOM). */
BridgeDtls *bridge_dtls_new(const BridgeDtlsCert *cert, BridgeDtlsRole role,
                            BridgeDtlsSendFunc send, gpointer user_data);
void bridge_dtls_free(BridgeDtls *d);

/* The fingerprint the peer signalled ("sha-256", "AB:..."); the handshake fails unless the
 * peer's certificate matches. May be called before or during the handshake, not after.
 * Returns FALSE for an unsupported hash or a malformed fingerprint. */
gboolean bridge_dtls_set_remote_fingerprint(BridgeDtls *d, const char *hash, const char *fp);

/* Client role: sends the ClientHello. Server role: no-op (waits for the peer). */
void bridge_dtls_start(BridgeDtls *d);

/* Feeds one received DTLS datagram (first byte 20..63 per RFC 7983; anything else is dropped
 * and counted). May call the send function. In a terminal state the datagram is dropped.
 * Returns the state after processing. */
BridgeDtlsState bridge_dtls_handle(BridgeDtls *d, const guint8 *data, gsize len);

/* Retransmission: milliseconds until bridge_dtls_handle_timeout() should run, or -1 if no
 * timer is needed (0: now). Ask again after every bridge_dtls_* call that may have sent.
 * The first timeout is 400 ms (bridge_dtls_set_initial_timeout_ms), doubling per
 * retransmission up to 32 times that or 8 s, whichever is less. When OpenSSL's retry limit
 * is reached (a flight sent 9 times in all with OpenSSL 3.0: about 45 s by default) the
 * state is FAILED ("handshake timed out"). handle_timeout() before the timer expired does
 * nothing. */
gint bridge_dtls_timeout_ms(BridgeDtls *d);
BridgeDtlsState bridge_dtls_handle_timeout(BridgeDtls *d);
/* Initial retransmission timeout for this connection (1..8000 ms); call before start/handle. */
void bridge_dtls_set_initial_timeout_ms(BridgeDtls *d, guint ms);

BridgeDtlsState bridge_dtls_state(const BridgeDtls *d);
/* A short reason after FAILED ("fingerprint mismatch", OpenSSL's text), or after CLOSED
 * ("closed by peer", "closed locally"); "" otherwise (transfer none). */
const char *bridge_dtls_error(const BridgeDtls *d);
BridgeDtlsRole bridge_dtls_get_role(const BridgeDtls *d);

/* Sends close_notify if the handshake completed, then the state is CLOSED (unless FAILED).
 * Keys are wiped. May call the send function. */
void bridge_dtls_close(BridgeDtls *d);

/* Datagrams dropped so far (not whole DTLS records, application data, arrived in a terminal
 * state) and the reason for the last one ("" if none) (transfer none, static string). */
guint64 bridge_dtls_get_drops(const BridgeDtls *d, const char **last_reason);

/* After CONNECTED: the negotiated profile and keys, split into local/remote by role
 * (RFC 5764 §4.2: client_write_key | server_write_key | client_write_salt | server_write_salt;
 * the client's pair is "local" in client role). Returns FALSE before CONNECTED or when no
 * SRTP profile was negotiated. */
gboolean bridge_dtls_get_srtp_keys(BridgeDtls *d, BridgeSrtpKeys *out);

G_END_DECLS
