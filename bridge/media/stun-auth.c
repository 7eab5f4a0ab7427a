/* SPDX-License-Identifier: MIT */
/* STUN MESSAGE-INTEGRITY and FINGERPRINT without allocation (see stun-auth.h). SHA-1 through
 * OpenSSL's low-level SHA1_* functions on stack contexts: the EVP interfaces of OpenSSL 3.0
 * allocate per use (bridge/srtp/srtp-openssl.c makes the same choice for SRTP). */
#define OPENSSL_SUPPRESS_DEPRECATED /* SHA1_Init/Update/Final */
#include "bridge/media/stun-auth.h"

#include <openssl/crypto.h>
#include <openssl/sha.h>
#include <string.h>

#define ATTR_MESSAGE_INTEGRITY 0x0008
#define ATTR_FINGERPRINT 0x8028
#define FINGERPRINT_XOR 0x5354554eu
#define HMAC_BLOCK 64

static guint16 rd16(const guint8 *p)
{
    return (guint16)(p[0] << 8 | p[1]);
}

static void wr16(guint8 *p, guint16 v)
{
    p[0] = (guint8)(v >> 8);
    p[1] = (guint8)v;
}

/* HMAC-SHA1 (RFC 2104) of the first @len bytes of @msg, with the STUN header's length field
 * (bytes 2..3) read as @fake_len. */
static void hmac_sha1(const guint8 *key, gsize key_len, const guint8 *msg, gsize len,
                      guint16 fake_len, guint8 out[SHA_DIGEST_LENGTH])
{
    guint8 k[HMAC_BLOCK] = {0}, pad[HMAC_BLOCK], flen[2];
    if (key_len > HMAC_BLOCK)
        SHA1(key, key_len, k);
    else
        memcpy(k, key, key_len);
    SHA_CTX c;
    for (int i = 0; i < HMAC_BLOCK; i++)
        pad[i] = k[i] ^ 0x36;
    wr16(flen, fake_len);
    SHA1_Init(&c);
    SHA1_Update(&c, pad, sizeof pad);
    SHA1_Update(&c, msg, 2);
    SHA1_Update(&c, flen, 2);
    SHA1_Update(&c, msg + 4, len - 4);
    guint8 inner[SHA_DIGEST_LENGTH];
    SHA1_Final(inner, &c);
    for (int i = 0; i < HMAC_BLOCK; i++)
        pad[i] = k[i] ^ 0x5c;
    SHA1_Init(&c);
    SHA1_Update(&c, pad, sizeof pad);
    SHA1_Update(&c, inner, sizeof inner);
    SHA1_Final(out, &c);
    OPENSSL_cleanse(k, sizeof k);
    OPENSSL_cleanse(pad, sizeof pad);
}

/* CRC-32 (ISO-HDLC, the polynomial of zlib and RFC 5389's FINGERPRINT). */
static guint32 crc32(const guint8 *p, gsize len)
{
    static guint32 table[256];
    static gsize ready;
    if (g_once_init_enter(&ready)) {
        for (guint32 i = 0; i < 256; i++) {
            guint32 c = i;
            for (int j = 0; j < 8; j++)
                c = c & 1 ? 0xedb88320u ^ (c >> 1) : c >> 1;
            table[i] = c;
        }
        g_once_init_leave(&ready, 1);
    }
    guint32 c = 0xffffffffu;
    for (gsize i = 0; i < len; i++)
        c = table[(c ^ p[i]) & 0xff] ^ (c >> 8);
    return c ^ 0xffffffffu;
}

gboolean bridge_stun_check_integrity(const guint8 *msg, gsize len, const guint8 *key, gsize key_len)
{
    if (len < 20 || (gsize)rd16(msg + 2) + 20 != len)
        return FALSE;
    for (gsize off = 20; off + 4 <= len;) {
        guint16 type = rd16(msg + off), alen = rd16(msg + off + 2);
        if (type == ATTR_MESSAGE_INTEGRITY) {
            if (alen != SHA_DIGEST_LENGTH || off + 4 + SHA_DIGEST_LENGTH > len)
                return FALSE;
            guint8 mac[SHA_DIGEST_LENGTH];
            hmac_sha1(key, key_len, msg, off, (guint16)(off + 4 + SHA_DIGEST_LENGTH - 20), mac);
            return CRYPTO_memcmp(mac, msg + off + 4, sizeof mac) == 0;
        }
        off += 4 + (((gsize)alen + 3) & ~(gsize)3);
    }
    return FALSE;
}

gsize bridge_stun_sign(guint8 *msg, gsize len, gsize cap, const guint8 *key, gsize key_len)
{
    if (len < 20 || cap < len + BRIDGE_STUN_SIGN_ROOM)
        return 0;
    if (key) {
        guint8 *a = msg + len;
        wr16(a, ATTR_MESSAGE_INTEGRITY);
        wr16(a + 2, SHA_DIGEST_LENGTH);
        hmac_sha1(key, key_len, msg, len, (guint16)(len + 4 + SHA_DIGEST_LENGTH - 20), a + 4);
        len += 4 + SHA_DIGEST_LENGTH;
    }
    wr16(msg + 2, (guint16)(len + 8 - 20));
    guint32 crc = crc32(msg, len) ^ FINGERPRINT_XOR;
    guint8 *f = msg + len;
    wr16(f, ATTR_FINGERPRINT);
    wr16(f + 2, 4);
    f[4] = (guint8)(crc >> 24);
    f[5] = (guint8)(crc >> 16);
    f[6] = (guint8)(crc >> 8);
    f[7] = (guint8)crc;
    return len + 8;
}
