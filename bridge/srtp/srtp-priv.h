/* SPDX-License-Identifier: MIT */
/* bridge/srtp internals shared by its files and its tests: the libsrtp crypto types Parley
 * registers (srtp-openssl.c), the known-answer vectors they carry (srtp-openssl-kat.c), and
 * the calls that swap them in and out of libsrtp's process-global crypto kernel.
 *
 * Threads: the types and vectors are immutable. install/uninstall rewrite libsrtp's kernel
 * and must be serialised against srtp_create() on every thread; srtp.c does that with its
 * kernel lock, so call them only from there (or from a single-threaded test). */
#pragma once

#include <glib.h>
#include <srtp2/auth.h>
#include <srtp2/cipher.h>

G_BEGIN_DECLS

/* AES-128 in libsrtp's "ICM" form (RFC 3711 §4.1.1): key_len 30 = 16 key + 14 salt; set_iv
 * XORs the 16-byte IV with salt||0x0000 to make the counter block; at most 2^16 blocks per
 * IV (the 16-bit block counter never carries). libsrtp also runs its key derivation (RFC 3711
 * §4.3) on this type, for both profiles. */
extern const srtp_cipher_type_t bridge_srtp_ossl_aes_icm_128;
/* AES-128-GCM (RFC 7714): key_len 28 = 16 key + 12 salt (the salt is libsrtp's business; it
 * hands over the 12-byte IV), tag 16 or 8 bytes. Per packet: set_iv, set_aad (any number of
 * times), then encrypt + get_tag, or decrypt over ciphertext||tag (srtp_err_status_auth_fail
 * when the tag does not match). */
extern const srtp_cipher_type_t bridge_srtp_ossl_aes_gcm_128;
/* HMAC-SHA1 (RFC 2104): keys of 1-128 bytes (SRTP uses 20), tags of 1-20 bytes (SRTP: 10 or
 * 4). init leaves the context started, as libsrtp's self-test expects. */
extern const srtp_auth_type_t bridge_srtp_ossl_hmac_sha1;

/* Known-answer vectors (srtp-openssl-kat.c), the types' test_data: libsrtp runs them when the
 * types are installed, and runs them against its built-in types when those are put back.
 * AES-ICM: RFC 3711 B.2 keystream and B.3 key derivation. AES-GCM: RFC 7714 §16.1.1.
 * HMAC-SHA1: RFC 2202 cases whose key libsrtp's built-in HMAC also accepts (<= 20 bytes). */
extern const srtp_cipher_test_case_t bridge_srtp_kat_aes_icm_128;
extern const srtp_cipher_test_case_t bridge_srtp_kat_aes_gcm_128;
extern const srtp_auth_test_case_t bridge_srtp_kat_hmac_sha1;

/* Puts Parley's three types into libsrtp's kernel (libsrtp self-tests each one first, with
 * its own vectors and with those of the type it replaces). All or nothing: on failure the
 * built-in types are put back. srtp_init() must have run. */
srtp_err_status_t bridge_srtp_openssl_install(void);
/* Puts libsrtp's own types back (found by symbol in the loaded libsrtp2). */
srtp_err_status_t bridge_srtp_openssl_uninstall(void);
/* Contexts of the three types allocated and not yet freed, process-wide (for leak checks,
 * and for tests to see which crypto a session was built on). */
gint bridge_srtp_openssl_live_contexts(void);

G_END_DECLS
