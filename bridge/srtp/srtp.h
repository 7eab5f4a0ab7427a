/* SPDX-License-Identifier: MIT */
/* SRTP/SRTCP for one endpoint leg, on top of libsrtp2. One BridgeSrtp per endpoint, used only
 * on that endpoint's worker thread. protect/unprotect work in place on caller buffers and,
 * with BRIDGE_SRTP_CRYPTO_OPENSSL (the default), allocate nothing after the first packet of
 * each SSRC (libsrtp makes a stream per SSRC from its template on first use; a packet that
 * fails authentication creates no stream). libsrtp's NSS build allocates per packet.
 *
 * Each leg holds two libsrtp sessions: inbound (ssrc_any_inbound, the peer's key, replay
 * window BRIDGE_SRTP_REPLAY_WINDOW) and outbound (ssrc_any_outbound, our key,
 * allow_repeat_tx so the bridge can retransmit a sequence number it already sent, e.g. to
 * answer a NACK, as long as it is within the window). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    BRIDGE_SRTP_AEAD_AES_128_GCM,        /* preferred; RFC 7714, 16-byte key + 12-byte salt */
    BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80, /* RFC 3711, 16-byte key + 14-byte salt */
} BridgeSrtpProfile;

#define BRIDGE_SRTP_MAX_KEY_SALT 30    /* bytes: 16 key + 14 salt is the larger of the two */
#define BRIDGE_SRTP_MAX_TRAILER 16     /* bytes protect() may add to an RTP packet (GCM tag) */
#define BRIDGE_SRTCP_MAX_TRAILER 20    /* bytes protect_rtcp() may add (tag + SRTCP index) */
#define BRIDGE_SRTP_REPLAY_WINDOW 1024 /* packets, per SSRC, both directions */

/* Keying material from DTLS-SRTP (RFC 5764 §4.2), already split by direction. */
typedef struct {
    BridgeSrtpProfile profile;
    guint8 local[BRIDGE_SRTP_MAX_KEY_SALT];  /* key||salt we protect with */
    guint8 remote[BRIDGE_SRTP_MAX_KEY_SALT]; /* key||salt the peer protects with */
    gsize key_salt_len;                      /* 28 for GCM, 30 for CM */
} BridgeSrtpKeys;

typedef enum {
    BRIDGE_SRTP_OK = 0,
    BRIDGE_SRTP_AUTH_FAIL, /* bad tag: dropped and counted */
    BRIDGE_SRTP_REPLAY,    /* replayed or too old: dropped and counted */
    BRIDGE_SRTP_MALFORMED, /* too short or not RTP/RTCP */
    BRIDGE_SRTP_NO_SPACE,  /* buffer capacity too small for the trailer */
    BRIDGE_SRTP_ERROR,     /* anything else libsrtp reports */
} BridgeSrtpStatus;

/* Per-leg counters, updated by the calls below (no atomics: read them on the same thread). */
typedef struct {
    guint64 rtp_protected, rtcp_protected;     /* OK results of protect / protect_rtcp */
    guint64 rtp_unprotected, rtcp_unprotected; /* OK results of unprotect / unprotect_rtcp */
    guint64 auth_fail, replay, malformed, no_space, error; /* failures, both directions */
} BridgeSrtpStats;

typedef struct _BridgeSrtp BridgeSrtp;

#define BRIDGE_SRTP_ERROR (bridge_srtp_error_quark())
GQuark bridge_srtp_error_quark(void);
typedef enum {
    BRIDGE_SRTP_ERROR_KEYS,   /* key length does not fit the profile, or unknown profile */
    BRIDGE_SRTP_ERROR_LIBSRTP /* libsrtp refused to create the session */
} BridgeSrtpErrorCode;

/* Which implementation of AES-CM-128, AES-GCM-128 and HMAC-SHA1 libsrtp runs for sessions. */
typedef enum {
    /* Parley's own libsrtp crypto types on OpenSSL 3 (srtp-openssl.c), registered with
     * srtp_replace_cipher_type()/srtp_replace_auth_type(): contexts made at session set-up,
     * nothing allocated per packet, AES-NI/CLMUL/SHA-NI through OpenSSL. The default. */
    BRIDGE_SRTP_CRYPTO_OPENSSL,
    /* Whatever libsrtp2 was built with (NSS on Debian 12: 5-14 heap allocations and up to
     * 5x the CPU per packet). The fallback. */
    BRIDGE_SRTP_CRYPTO_LIBSRTP,
} BridgeSrtpCrypto;

/* Once per process, before any other call (thread-safe, idempotent). Initialises libsrtp and
 * installs the crypto chosen by bridge_srtp_set_crypto(), or else by the environment variable
 * PARLEY_SRTP_CRYPTO ("openssl", the default, or "libsrtp"). libsrtp self-tests the OpenSSL
 * types against RFC 3711/7714/2202 vectors and its own before accepting them; if it refuses
 * them, this logs a warning and libsrtp's built-in crypto stays in use. */
void bridge_srtp_global_init(void);
/* At process exit, after every BridgeSrtp is freed: releases libsrtp's globals
 * (srtp_shutdown). bridge_srtp_global_init() may be called again afterwards. */
void bridge_srtp_global_shutdown(void);

/* Chooses the crypto for BridgeSrtp sessions created from now on; existing sessions keep the
 * implementation they were created with (libsrtp binds a session to its types at
 * srtp_create), so both kinds may live side by side. Thread-safe: serialised against
 * bridge_srtp_new() on every thread. Meant for start-up, tests and benchmarks; libsrtp runs
 * its self-tests on each switch (about a millisecond). Returns FALSE if libsrtp refused the
 * switch (the previous crypto stays, and bridge_srtp_get_crypto() says which). Sessions that
 * other code creates with srtp_create() directly follow the same global choice. */
gboolean bridge_srtp_set_crypto(BridgeSrtpCrypto crypto);
BridgeSrtpCrypto bridge_srtp_get_crypto(void);

/* New contexts for one leg (transfer full). NULL with @error (BRIDGE_SRTP_ERROR) on failure.
 * @keys is copied; the caller may wipe it afterwards. */
BridgeSrtp *bridge_srtp_new(const BridgeSrtpKeys *keys, GError **error);
/* Wipes the keys and frees. NULL is allowed. */
void bridge_srtp_free(BridgeSrtp *s);
BridgeSrtpProfile bridge_srtp_get_profile(const BridgeSrtp *s);
void bridge_srtp_get_stats(const BridgeSrtp *s, BridgeSrtpStats *out);

/* In place. @len is updated. @cap is the buffer's capacity (protect needs room for the
 * trailer: at most BRIDGE_SRTP_MAX_TRAILER / BRIDGE_SRTCP_MAX_TRAILER bytes).
 * Returns OK; MALFORMED when the packet is not a plausible RTP (version 2, header incl. CSRCs
 * and extension inside @len) or RTCP (version 2, >= 8 bytes) packet, or longer than 65535
 * bytes; NO_SPACE when @cap - @len is smaller than the trailer (nothing written); AUTH_FAIL
 * only from unprotect; REPLAY from unprotect for a packet seen before or older than the
 * window, and from protect for a sequence number more than BRIDGE_SRTP_REPLAY_WINDOW behind
 * the newest one sent on that SSRC (too old to retransmit); ERROR for anything else libsrtp
 * reports (packet left unusable). On failure @len is unchanged. */
BridgeSrtpStatus bridge_srtp_protect(BridgeSrtp *s, guint8 *pkt, gsize *len, gsize cap);
BridgeSrtpStatus bridge_srtp_unprotect(BridgeSrtp *s, guint8 *pkt, gsize *len);
BridgeSrtpStatus bridge_srtp_protect_rtcp(BridgeSrtp *s, guint8 *pkt, gsize *len, gsize cap);
BridgeSrtpStatus bridge_srtp_unprotect_rtcp(BridgeSrtp *s, guint8 *pkt, gsize *len);

const char *bridge_srtp_profile_name(BridgeSrtpProfile p); /* "AEAD_AES_128_GCM", ... */

/* The SRTP crypto that sessions created now run on: BRIDGE_SRTP_OPENSSL_BACKEND with
 * BRIDGE_SRTP_CRYPTO_OPENSSL, otherwise bridge_srtp_builtin_backend(). Static string;
 * thread-safe. For logs and metrics. */
#define BRIDGE_SRTP_OPENSSL_BACKEND "openssl (parley)"
const char *bridge_srtp_backend(void);
/* Which crypto libsrtp2 itself was built with: "openssl", "nss", "wolfssl", "mbedtls" or
 * "builtin" (decided from the linked library, not from headers; computed once). */
const char *bridge_srtp_builtin_backend(void);

/* Measures srtp_protect on this machine: mean nanoseconds per @payload_len-byte RTP packet
 * (12-byte header) over @iterations runs, CLOCK_MONOTONIC, after a short warm-up. Used at
 * start-up (logged) and by the benchmark, with the crypto currently chosen
 * (bridge_srtp_get_crypto()). Returns a negative value if libsrtp fails. */
double bridge_srtp_measure_protect_ns(BridgeSrtpProfile p, gsize payload_len, guint iterations);

G_END_DECLS
