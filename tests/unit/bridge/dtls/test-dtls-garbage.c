/* SPDX-License-Identifier: MIT */
/* BridgeDtls fed garbage: malformed, truncated, corrupted and forged records before, during
 * and after a handshake with an independent OpenSSL peer. Nothing may crash (this also runs
 * under ASan/UBSan), the state must stay consistent, dropped datagrams are counted with a
 * reason, and garbage that a genuine peer never sends must not cost the connection. */
#include <openssl/err.h>
#include <string.h>

#include "fixture.h"

static void garbage_before_handshake(void)
{
    Fixture *f = fixture_new(BRIDGE_DTLS_ROLE_SERVER, "SRTP_AEAD_AES_128_GCM");
    g_assert_true(bridge_dtls_set_remote_fingerprint(f->bridge, "sha-256", f->peer->fingerprint));
    const char *why = NULL;
    guint8 buf[70000];
    memset(buf, 0, sizeof buf);

    feed(f->bridge, buf, 0);
    bridge_dtls_get_drops(f->bridge, &why);
    g_assert_cmpstr(why, ==, "empty datagram");
    buf[0] = 22;
    feed(f->bridge, buf, 1);
    bridge_dtls_get_drops(f->bridge, &why);
    g_assert_cmpstr(why, ==, "truncated record header");
    const guint8 hdr[] = {22, 0xfe, 0xfd, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100};
    memcpy(buf, hdr, sizeof hdr);
    feed(f->bridge, buf, sizeof hdr + 50);
    bridge_dtls_get_drops(f->bridge, &why);
    g_assert_cmpstr(why, ==, "truncated record");
    buf[1] = 0x03; /* TLS, not DTLS */
    feed(f->bridge, buf, sizeof hdr + 100);
    bridge_dtls_get_drops(f->bridge, &why);
    g_assert_cmpstr(why, ==, "not a DTLS version");
    buf[0] = 40; /* in the DTLS range of RFC 7983 but no such record type */
    feed(f->bridge, buf, sizeof hdr + 100);
    bridge_dtls_get_drops(f->bridge, &why);
    g_assert_cmpstr(why, ==, "unknown record type");
    feed(f->bridge, buf, sizeof buf);
    bridge_dtls_get_drops(f->bridge, &why);
    g_assert_cmpstr(why, ==, "datagram too large");
    g_assert_cmpuint(bridge_dtls_get_drops(f->bridge, NULL), ==, 6);

    /* Plaintext records OpenSSL would treat as fatal never reach it. */
    const struct {
        guint8 type;
        const char *body; /* hex */
        const char *why;
    } plain[] = {
        {20, "02", "malformed change_cipher_spec"},
        {20, "0101", "malformed change_cipher_spec"},
        {21, "0300", "malformed alert"},
        {21, "02", "malformed alert"},
        {23, "00112233", "application data in epoch 0"},
        {22, "", "empty handshake record"},
        {22, "0100", "truncated handshake header"},
        {22, "010000100000000000000010", "truncated handshake fragment"},
        {22, "01000004000000000200000400000000", "handshake fragment outside its message"},
    };
    for (gsize i = 0; i < G_N_ELEMENTS(plain); i++) {
        gsize blen = strlen(plain[i].body) / 2;
        memset(buf, 0, 13);
        buf[0] = plain[i].type;
        buf[1] = 0xfe, buf[2] = 0xfd;
        buf[12] = (guint8)blen;
        for (gsize j = 0; j < blen; j++)
            buf[13 + j] = (guint8)(g_ascii_xdigit_value(plain[i].body[2 * j]) << 4 |
                                   g_ascii_xdigit_value(plain[i].body[2 * j + 1]));
        feed(f->bridge, buf, 13 + blen);
        bridge_dtls_get_drops(f->bridge, &why);
        g_assert_cmpstr(why, ==, plain[i].why);
        g_assert_cmpint(bridge_dtls_state(f->bridge), ==, BRIDGE_DTLS_STATE_NEW);
    }
    g_assert_cmpuint(f->sent, ==, 0);

    /* Random bytes of every length, first byte in the DTLS range. */
    for (gsize len = 1; len < 300; len++) {
        for (gsize i = 0; i < len; i++)
            buf[i] = (guint8)g_test_rand_int();
        buf[0] = (guint8)g_test_rand_int_range(20, 64);
        feed(f->bridge, buf, len);
    }
    /* Well-framed records with random contents: these reach OpenSSL. */
    for (int i = 0; i < 2000; i++) {
        gsize body = (gsize)g_test_rand_int_range(0, 400);
        buf[0] = (guint8)g_test_rand_int_range(20, 24);
        buf[1] = 0xfe;
        buf[2] = g_test_rand_bit() ? 0xfd : 0xff;
        for (gsize j = 3; j < 11; j++)
            buf[j] = g_test_rand_bit() ? 0 : (guint8)g_test_rand_int();
        buf[11] = (guint8)(body >> 8);
        buf[12] = (guint8)body;
        for (gsize j = 13; j < 13 + body; j++)
            buf[j] = (guint8)g_test_rand_int();
        if (body > 0 && buf[0] == 22 && g_test_rand_bit())
            buf[13] = 1; /* ClientHello-looking handshake header */
        feed(f->bridge, buf, 13 + body);
    }
    g_test_message("after garbage: state %d, error '%s', sent %u datagrams",
                   bridge_dtls_state(f->bridge), bridge_dtls_error(f->bridge), f->sent);
    fixture_free(f);

    /* Garbage that is dropped before OpenSSL does not derail a real handshake: truncated
     * headers, forged plaintext CCS/alerts/app data, short encrypted records, before and
     * between the real flights. */
    f = fixture_new(BRIDGE_DTLS_ROLE_SERVER, "SRTP_AEAD_AES_128_GCM");
    g_assert_true(bridge_dtls_set_remote_fingerprint(f->bridge, "sha-256", f->peer->fingerprint));
    start(f);
    for (int round = 0; round < 64; round++) {
        for (gsize len = 1; len < 60; len++) {
            for (gsize i = 0; i < len; i++)
                buf[i] = (guint8)g_test_rand_int();
            buf[0] = (guint8)g_test_rand_int_range(20, 24);
            buf[1] = 0xfe, buf[2] = 0xfd;
            if (len >= 13) {
                buf[11] = 0;
                buf[12] = (guint8)(len - 13);
                if (buf[0] == 20) /* never a valid CCS, never a valid alert level */
                    buf[13 % len] = 2;
                else if (buf[0] == 21 && len > 13)
                    buf[13] = 7;
                else if (buf[0] == 22)
                    buf[3] = 0, buf[4] = 1, buf[12] = (guint8)MIN(len - 13, 23);
            }
            if (len >= 13 && buf[0] == 22 && len - 13 != buf[12])
                continue;
            feed(f->bridge, buf, len);
            g_assert_cmpint(bridge_dtls_state(f->bridge), !=, BRIDGE_DTLS_STATE_FAILED);
        }
        gboolean moved = !g_queue_is_empty(&f->to_peer);
        deliver_to_peer(f);
        GBytes *out = take_peer_output(f);
        if (out != NULL) {
            feed_bridge(f, out);
            g_bytes_unref(out);
            moved = TRUE;
        }
        if (!moved)
            break;
    }
    g_assert_cmpint(bridge_dtls_state(f->bridge), ==, BRIDGE_DTLS_STATE_CONNECTED);
    fixture_free(f);
}

/* The peer's real ClientHello cut short with a consistent record length: OpenSSL gets a
 * truncated handshake message. */
static void truncated_client_hello(void)
{
    Fixture *f = fixture_new(BRIDGE_DTLS_ROLE_SERVER, "SRTP_AEAD_AES_128_GCM");
    start(f);
    GBytes *hello = take_peer_output(f);
    gsize n;
    const guint8 *h = g_bytes_get_data(hello, &n);
    g_assert_cmpuint(n, >, 13 + 12);
    g_autoptr(GError) error = NULL;
    BridgeDtlsCert *cert = bridge_dtls_cert_new(&error);
    g_assert_no_error(error);
    guint8 buf[2048];
    for (gsize cut = 13; cut < n; cut++) {
        BridgeDtls *d = bridge_dtls_new(cert, BRIDGE_DTLS_ROLE_SERVER, fixture_send, f);
        memcpy(buf, h, cut);
        buf[11] = (guint8)((cut - 13) >> 8);
        buf[12] = (guint8)(cut - 13);
        feed(d, buf, cut);
        g_assert_cmpint(bridge_dtls_state(d), !=, BRIDGE_DTLS_STATE_CONNECTED);
        /* the whole, correct ClientHello afterwards: either the connection goes on or it
         * failed on the bad fragment with a reason; never anything else */
        feed(d, h, n);
        BridgeDtlsState st = bridge_dtls_state(d);
        g_assert_true(st == BRIDGE_DTLS_STATE_CONNECTING || st == BRIDGE_DTLS_STATE_FAILED);
        bridge_dtls_free(d);
    }
    g_bytes_unref(hello);
    bridge_dtls_cert_free(cert);
    g_queue_clear_full(&f->to_peer, (GDestroyNotify)g_bytes_unref);
    fixture_free(f);
}

/* Every datagram of a real handshake arrives twice: first a corrupted copy (bytes flipped,
 * framing kept), then the genuine one. OpenSSL fails the handshake on most corrupted
 * plaintext handshake messages (that is its choice); what must hold is no crash, no memory
 * error, and a consistent state. */
static void corrupted_copies(void)
{
    for (int run = 0; run < 20; run++) {
        Fixture *f = fixture_new(BRIDGE_DTLS_ROLE_SERVER, "SRTP_AEAD_AES_128_GCM");
        g_assert_true(
            bridge_dtls_set_remote_fingerprint(f->bridge, "sha-256", f->peer->fingerprint));
        start(f);
        for (int round = 0; round < 64; round++) {
            gboolean moved = !g_queue_is_empty(&f->to_peer);
            deliver_to_peer(f);
            GBytes *out = take_peer_output(f);
            if (out == NULL && !moved)
                break;
            if (out == NULL)
                continue;
            gsize n;
            const guint8 *p = g_bytes_get_data(out, &n);
            g_autofree guint8 *bad = g_memdup2(p, n);
            for (int k = 0; k < 3; k++) {
                gsize at = 13 + (gsize)g_test_rand_int_range(0, (gint32)(n - 13));
                bad[at] ^= (guint8)g_test_rand_int_range(1, 256);
            }
            feed(f->bridge, bad, n);
            feed(f->bridge, p, n);
            g_bytes_unref(out);
        }
        /* Whatever happened, the state is consistent: keys only when CONNECTED, and then the
         * very keys the peer derived; a reason when FAILED. CONNECTING means both sides wait
         * for their retransmission timers (not run here). */
        BridgeDtlsState st = bridge_dtls_state(f->bridge);
        BridgeSrtpKeys k;
        gboolean have_keys = bridge_dtls_get_srtp_keys(f->bridge, &k);
        g_test_message("run %d: state %d %s", run, st, bridge_dtls_error(f->bridge));
        switch (st) {
        case BRIDGE_DTLS_STATE_CONNECTED:
            g_assert_true(have_keys);
            if (f->peer->done && !f->peer->failed) {
                g_assert_true(test_peer_setup_srtp(f->peer));
                assert_media_flows(f, &k);
            }
            break;
        case BRIDGE_DTLS_STATE_FAILED:
            g_assert_false(have_keys);
            g_assert_cmpstr(bridge_dtls_error(f->bridge), !=, "");
            break;
        case BRIDGE_DTLS_STATE_CONNECTING:
            g_assert_false(have_keys);
            g_assert_cmpstr(bridge_dtls_error(f->bridge), ==, "");
            break;
        default:
            g_assert_not_reached();
        }
        fixture_free(f);
    }
}

/* The peer's retransmission timer: long until the test wants it short, so that a slow run
 * (sanitizers, loaded machine) never retransmits the ClientHello by accident. */
static gboolean peer_timer_short;

static unsigned int peer_timer(SSL *ssl, unsigned int previous_us)
{
    if (previous_us == 0)
        return peer_timer_short ? 10000 : 10000000;
    return previous_us * 2;
}

/* Once connected: junk records, a replayed ClientHello and a replayed client flight leave the
 * connection and its keys alone. When the bridge's final flight is lost, the peer's
 * retransmitted flight (new record numbers) makes the bridge send it again. */
static void garbage_after_handshake(void)
{
    Fixture *f = fixture_new(BRIDGE_DTLS_ROLE_SERVER, "SRTP_AEAD_AES_128_GCM");
    peer_timer_short = FALSE;
    DTLS_set_timer_cb(f->peer->ssl, peer_timer);
    g_assert_true(bridge_dtls_set_remote_fingerprint(f->bridge, "sha-256", f->peer->fingerprint));
    start(f);
    GBytes *hello = take_peer_output(f);
    feed_bridge(f, hello);
    peer_timer_short = TRUE; /* for the flight the peer is about to send */
    deliver_to_peer(f);
    GBytes *last_flight = take_peer_output(f);
    feed_bridge(f, last_flight);
    g_assert_cmpint(bridge_dtls_state(f->bridge), ==, BRIDGE_DTLS_STATE_CONNECTED);
    /* The bridge's ChangeCipherSpec + Finished are lost. */
    g_assert_false(g_queue_is_empty(&f->to_peer));
    g_queue_clear_full(&f->to_peer, (GDestroyNotify)g_bytes_unref);
    g_assert_false(f->peer->done);
    BridgeSrtpKeys before, after;
    g_assert_true(bridge_dtls_get_srtp_keys(f->bridge, &before));

    guint8 buf[1500];
    for (int i = 0; i < 2000; i++) {
        gsize body = (gsize)g_test_rand_int_range(0, 300);
        buf[0] = (guint8)g_test_rand_int_range(20, 24);
        buf[1] = 0xfe, buf[2] = 0xfd;
        buf[3] = 0, buf[4] = (guint8)g_test_rand_int_range(0, 3); /* epoch 0..2 */
        for (gsize j = 5; j < 11; j++)
            buf[j] = (guint8)g_test_rand_int();
        buf[11] = (guint8)(body >> 8), buf[12] = (guint8)body;
        for (gsize j = 13; j < 13 + body; j++)
            buf[j] = (guint8)g_test_rand_int();
        feed(f->bridge, buf, 13 + body);
        if (bridge_dtls_state(f->bridge) != BRIDGE_DTLS_STATE_CONNECTED) {
            g_autofree char *hex = g_strdup("");
            for (gsize j = 0; j < MIN(13 + body, 40); j++) {
                char *t = g_strdup_printf("%s%02x", hex, buf[j]);
                g_free(hex);
                hex = t;
            }
            g_error("record %d (%s) made the connection %s: %s", i, hex,
                    bridge_dtls_state(f->bridge) == BRIDGE_DTLS_STATE_FAILED ? "fail" : "close",
                    bridge_dtls_error(f->bridge));
        }
    }
    /* Encrypted records too short to hold a GCM nonce and tag (OpenSSL 3.0 would answer them
     * with a fatal alert) are dropped before OpenSSL sees them. */
    const guint8 short_rec[] = {23, 0xfe, 0xfd, 0, 1, 0, 0, 0, 0, 0, 99, 0, 3, 1, 2, 3};
    const char *why = NULL;
    guint64 drops = bridge_dtls_get_drops(f->bridge, NULL);
    feed(f->bridge, short_rec, sizeof short_rec);
    g_assert_cmpuint(bridge_dtls_get_drops(f->bridge, &why), ==, drops + 1);
    g_assert_cmpstr(why, ==, "encrypted record too short");
    gsize n;
    const guint8 *p = g_bytes_get_data(hello, &n);
    feed(f->bridge, p, n);
    g_assert_cmpint(bridge_dtls_state(f->bridge), ==, BRIDGE_DTLS_STATE_CONNECTED);
    p = g_bytes_get_data(last_flight, &n);
    feed(f->bridge, p, n); /* same record numbers: a replay, dropped by DTLS */
    g_assert_cmpint(bridge_dtls_state(f->bridge), ==, BRIDGE_DTLS_STATE_CONNECTED);
    g_queue_clear_full(&f->to_peer, (GDestroyNotify)g_bytes_unref);

    /* The peer's timer fires: it resends its flight, the bridge answers with its last one. */
    struct timeval tv;
    g_assert_cmpint(DTLSv1_get_timeout(f->peer->ssl, &tv), ==, 1);
    g_usleep((gulong)(tv.tv_sec * G_USEC_PER_SEC + tv.tv_usec) + 1000);
    g_assert_cmpint(DTLSv1_handle_timeout(f->peer->ssl), ==, 1);
    GBytes *again = take_peer_output(f);
    g_assert_nonnull(again);
    guint sent = f->sent;
    feed_bridge(f, again);
    g_bytes_unref(again);
    g_assert_cmpint(bridge_dtls_state(f->bridge), ==, BRIDGE_DTLS_STATE_CONNECTED);
    g_assert_cmpuint(f->sent, >, sent);
    deliver_to_peer(f);
    g_assert_false(f->peer->failed);
    g_assert_true(f->peer->done);
    g_assert_true(bridge_dtls_get_srtp_keys(f->bridge, &after));
    g_assert_cmpmem(&before, sizeof before, &after, sizeof after);
    g_assert_true(test_peer_setup_srtp(f->peer));
    assert_media_flows(f, &after);

    g_bytes_unref(hello);
    g_bytes_unref(last_flight);
    fixture_free(f);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    bridge_srtp_global_init();
    g_test_add_func("/bridge-crypto/dtls/garbage/before-handshake", garbage_before_handshake);
    g_test_add_func("/bridge-crypto/dtls/garbage/truncated-client-hello", truncated_client_hello);
    g_test_add_func("/bridge-crypto/dtls/garbage/corrupted-copies", corrupted_copies);
    g_test_add_func("/bridge-crypto/dtls/garbage/after-handshake", garbage_after_handshake);
    int r = g_test_run();
    bridge_srtp_global_shutdown();
    return r;
}
