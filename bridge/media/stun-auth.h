/* SPDX-License-Identifier: MIT */
/* STUN short-term credentials without heap allocation: MESSAGE-INTEGRITY (HMAC-SHA1, RFC 5389
 * §15.4) and FINGERPRINT (CRC-32 ^ 0x5354554e, §15.5) computed with OpenSSL's SHA-1 on the
 * stack. libnice's STUN library builds and parses the messages (ice.c), but its HMAC runs on
 * GnuTLS, which allocates a context per message; the bridge's checks and answers are signed
 * and verified here instead, so ICE adds no allocation to the media workers. Pure functions:
 * no state, any thread. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

#define BRIDGE_STUN_SIGN_ROOM 32 /* bytes bridge_stun_sign() appends */

/* TRUE when the STUN message @msg (@len bytes, its header length consistent) carries a
 * MESSAGE-INTEGRITY that verifies with @key. */
gboolean bridge_stun_check_integrity(const guint8 *msg, gsize len, const guint8 *key,
                                     gsize key_len);
/* Appends MESSAGE-INTEGRITY with @key (none when @key is NULL) and FINGERPRINT to the message
 * of @len bytes in @msg (capacity @cap), updating its header length. Returns the new length,
 * or 0 when @cap is too small. */
gsize bridge_stun_sign(guint8 *msg, gsize len, gsize cap, const guint8 *key, gsize key_len);

G_END_DECLS
