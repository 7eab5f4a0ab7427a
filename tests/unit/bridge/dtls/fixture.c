/* SPDX-License-Identifier: MIT */
/* Test fixture shared by the DTLS test programs (see fixture.h). */
#include "fixture.h"

#include <openssl/x509.h>
#include <string.h>

void fixture_send(const guint8 *data, gsize len, gpointer user_data)
{
    Fixture *f = user_data;
    g_assert_cmpuint(len, >, 0);
    g_assert_cmpuint(len, <=, BRIDGE_DTLS_MTU);
    g_queue_push_tail(&f->to_peer, g_bytes_new(data, len));
    f->sent++;
}

Fixture *fixture_new(BridgeDtlsRole role, const char *peer_profiles)
{
    Fixture *f = g_new0(Fixture, 1);
    g_autoptr(GError) error = NULL;
    f->cert = bridge_dtls_cert_new(&error);
    g_assert_no_error(error);
    f->bridge = bridge_dtls_new(f->cert, role, fixture_send, f);
    f->peer = test_peer_new(role == BRIDGE_DTLS_ROLE_SERVER, peer_profiles);
    g_queue_init(&f->to_peer);
    return f;
}

void fixture_free(Fixture *f)
{
    bridge_dtls_free(f->bridge);
    bridge_dtls_cert_free(f->cert);
    test_peer_free(f->peer);
    g_queue_clear_full(&f->to_peer, (GDestroyNotify)g_bytes_unref);
    g_free(f);
}

void deliver_to_peer(Fixture *f)
{
    GBytes *b;
    while ((b = g_queue_pop_head(&f->to_peer)) != NULL) {
        gsize len;
        const guint8 *data = g_bytes_get_data(b, &len);
        test_peer_receive(f->peer, data, len);
        g_bytes_unref(b);
    }
}

GBytes *take_peer_output(Fixture *f)
{
    return test_peer_take_output(f->peer);
}

void feed_bridge(Fixture *f, GBytes *b)
{
    gsize len;
    const guint8 *data = g_bytes_get_data(b, &len);
    bridge_dtls_handle(f->bridge, data, len);
}

void pump(Fixture *f)
{
    for (int round = 0; round < 64; round++) {
        gboolean moved = !g_queue_is_empty(&f->to_peer);
        deliver_to_peer(f);
        GBytes *out = take_peer_output(f);
        if (out != NULL) {
            feed_bridge(f, out);
            g_bytes_unref(out);
            moved = TRUE;
        }
        if (!moved)
            return;
    }
    g_assert_not_reached();
}

void start(Fixture *f)
{
    bridge_dtls_start(f->bridge);
    if (f->peer->client)
        test_peer_step(f->peer); /* ClientHello */
}

void assert_peer_cert_is_bridge(Fixture *f)
{
    X509 *c = SSL_get0_peer_certificate(f->peer->ssl);
    g_assert_nonnull(c);
    unsigned char md[32];
    unsigned int len = 0;
    g_assert_true(X509_digest(c, EVP_sha256(), md, &len));
    GString *s = g_string_new(NULL);
    for (unsigned int i = 0; i < len; i++)
        g_string_append_printf(s, i ? ":%02X" : "%02X", md[i]);
    g_assert_cmpstr(s->str, ==, bridge_dtls_cert_fingerprint(f->cert));
    g_string_free(s, TRUE);
    /* the bridge's certificate is ECDSA P-256 */
    EVP_PKEY *pk = X509_get0_pubkey(c);
    g_assert_true(EVP_PKEY_is_a(pk, "EC"));
    char group[32];
    g_assert_true(EVP_PKEY_get_group_name(pk, group, sizeof group, NULL));
    g_assert_cmpstr(group, ==, "prime256v1");
}

/* Bridge and peer exchange RTP and RTCP both ways, each with its own SRTP implementation. */
void assert_media_flows(Fixture *f, const BridgeSrtpKeys *k)
{
    g_autoptr(GError) error = NULL;
    BridgeSrtp *s = bridge_srtp_new(k, &error);
    g_assert_no_error(error);

    guint8 plain[1300], buf[1400];
    for (int rtcp = 0; rtcp < 2; rtcp++) {
        for (int i = 0; i < 5; i++) {
            gsize n = rtcp ? 28 : 1212;
            memset(plain, 0, n);
            plain[0] = rtcp ? 0x81 : 0x80;
            plain[1] = rtcp ? 201 : 96;
            plain[3] = rtcp ? 6 : (guint8)i;
            plain[7] = 0x11, plain[6] = 0x22;
            for (gsize j = 8; j < n; j++)
                plain[j] = (guint8)(j + i);

            /* bridge -> peer */
            memcpy(buf, plain, n);
            gsize len = n;
            g_assert_cmpint(rtcp ? bridge_srtp_protect_rtcp(s, buf, &len, sizeof buf)
                                 : bridge_srtp_protect(s, buf, &len, sizeof buf),
                            ==, BRIDGE_SRTP_OK);
            int l = (int)len;
            g_assert_cmpint(rtcp ? srtp_unprotect_rtcp(f->peer->srtp_in, buf, &l)
                                 : srtp_unprotect(f->peer->srtp_in, buf, &l),
                            ==, srtp_err_status_ok);
            g_assert_cmpmem(buf, l, plain, n);

            /* peer -> bridge */
            memcpy(buf, plain, n);
            l = (int)n;
            g_assert_cmpint(rtcp ? srtp_protect_rtcp(f->peer->srtp_out, buf, &l)
                                 : srtp_protect(f->peer->srtp_out, buf, &l),
                            ==, srtp_err_status_ok);
            len = (gsize)l;
            g_assert_cmpint(rtcp ? bridge_srtp_unprotect_rtcp(s, buf, &len)
                                 : bridge_srtp_unprotect(s, buf, &len),
                            ==, BRIDGE_SRTP_OK);
            g_assert_cmpmem(buf, len, plain, n);
        }
    }
    bridge_srtp_free(s);
}

void feed(BridgeDtls *d, const guint8 *p, gsize len)
{
    BridgeDtlsState st = bridge_dtls_handle(d, p, len);
    g_assert_cmpint(st, ==, bridge_dtls_state(d));
    if (st == BRIDGE_DTLS_STATE_FAILED)
        g_assert_cmpstr(bridge_dtls_error(d), !=, "");
}
