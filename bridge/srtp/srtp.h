/* SPDX-License-Identifier: MIT */
/* SRTP/SRTCP for one endpoint leg, on top of libsrtp2. One BridgeSrtp per endpoint, used only
 * on that endpoint's worker thread. protect/unprotect work in place on caller buffers and
 * allocate nothing after the first packet of each SSRC (libsrtp makes a stream per SSRC from
 * its template on first use). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum {
    BRIDGE_SRTP_AEAD_AES_128_GCM,      /* preferred; RFC 7714, 16-byte key + 12-byte salt */
    BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80, /* RFC 3711, 16-byte key + 14-byte salt */
} BridgeSrtpProfile;

#define BRIDGE_SRTP_MAX_KEY_SALT 30 /* bytes: 16 key + 14 salt is the larger of the two */
#define BRIDGE_SRTP_MAX_TRAILER 16  /* bytes protect() may add to an RTP packet (GCM tag) */
#define BRIDGE_SRTCP_MAX_TRAILER 20 /* bytes protect_rtcp() may add (tag + SRTCP index) */

/* Keying material from DTLS-SRTP (RFC 5764 §4.2), already split by direction. */
typedef struct {
    BridgeSrtpProfile profile;
    guint8 local[BRIDGE_SRTP_MAX_KEY_SALT];  /* key||salt we protect with */
    guint8 remote[BRIDGE_SRTP_MAX_KEY_SALT]; /* key||salt the peer protects with */
    gsize key_salt_len;                      /* 28 for GCM, 30 for CM */
} BridgeSrtpKeys;

typedef enum {
    BRIDGE_SRTP_OK = 0,
    BRIDGE_SRTP_AUTH_FAIL,   /* bad tag: dropped and counted */
    BRIDGE_SRTP_REPLAY,      /* replayed or too old: dropped and counted */
    BRIDGE_SRTP_MALFORMED,   /* too short or not RTP/RTCP */
    BRIDGE_SRTP_NO_SPACE,    /* buffer capacity too small for the trailer */
    BRIDGE_SRTP_ERROR,       /* anything else libsrtp reports */
} BridgeSrtpStatus;

typedef struct _BridgeSrtp BridgeSrtp;

/* Once per process, before any other call (thread-safe, idempotent). */
void bridge_srtp_global_init(void);

/* New contexts for one leg (transfer full). NULL with @error on failure. */
BridgeSrtp *bridge_srtp_new(const BridgeSrtpKeys *keys, GError **error);
void bridge_srtp_free(BridgeSrtp *s);

/* In place. @len is updated. @cap is the buffer's capacity (protect needs room for the
 * trailer). */
BridgeSrtpStatus bridge_srtp_protect(BridgeSrtp *s, guint8 *pkt, gsize *len, gsize cap);
BridgeSrtpStatus bridge_srtp_unprotect(BridgeSrtp *s, guint8 *pkt, gsize *len);
BridgeSrtpStatus bridge_srtp_protect_rtcp(BridgeSrtp *s, guint8 *pkt, gsize *len, gsize cap);
BridgeSrtpStatus bridge_srtp_unprotect_rtcp(BridgeSrtp *s, guint8 *pkt, gsize *len);

const char *bridge_srtp_profile_name(BridgeSrtpProfile p); /* "AEAD_AES_128_GCM", ... */

/* Which crypto libsrtp2 was built with: "openssl", "nss", "wolfssl", "mbedtls" or "builtin"
 * (decided from the linked library, not from headers). */
const char *bridge_srtp_backend(void);

/* Measures srtp_protect on this machine: mean nanoseconds per @payload_len-byte RTP packet
 * over @iterations runs. Used at start-up (logged) and by the benchmark. */
double bridge_srtp_measure_protect_ns(BridgeSrtpProfile p, gsize payload_len, guint iterations);

G_END_DECLS
