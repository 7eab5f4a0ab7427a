/* SPDX-License-Identifier: MIT */
/* Media plane on real sockets (run inside tests/netns-run.sh), an endpoint's life: where it is
 * placed (small conferences together, large ones spread), the one media port every endpoint
 * offers (and that a second media plane cannot take), the SRTP profile it connects with as
 * the log says it, and how it ends when ICE never connects or media stops. */
#include <gio/gio.h>
#include <string.h>

#include "media-fixture.h"

/* ---- log capture: the lines the media plane writes, from any thread ---- */

static GMutex log_lock;
static GPtrArray *log_lines; /* char * */

static GLogWriterOutput capture_writer(GLogLevelFlags level, const GLogField *fields,
                                       gsize n_fields, gpointer data)
{
    for (gsize i = 0; i < n_fields; i++) {
        if (strcmp(fields[i].key, "MESSAGE") == 0 && fields[i].length < 0) {
            g_mutex_lock(&log_lock);
            g_ptr_array_add(log_lines, g_strdup(fields[i].value));
            g_mutex_unlock(&log_lock);
        }
    }
    return g_log_writer_default(level, fields, n_fields, data);
}

/* TRUE if a captured line contains @needle. */
static gboolean logged(const char *needle)
{
    gboolean found = FALSE;
    g_mutex_lock(&log_lock);
    for (guint i = 0; i < log_lines->len && !found; i++)
        found = strstr(log_lines->pdata[i], needle) != NULL;
    g_mutex_unlock(&log_lock);
    return found;
}

/* ---- placement ---- */

/* Worker placement with conference_pack 2: small conferences stay together, large ones
 * spread. */
static void test_placement(void)
{
    MediaFixture f = {0};
    char *addrs[] = {"127.0.0.1", NULL};
    BridgeMediaConfig cfg = {.workers = 2,
                             .port = MF_PORT,
                             .local_addresses = addrs,
                             .ice_timeout_s = 20,
                             .media_timeout_s = 20,
                             .conference_pack = 2};
    mf_start_config(&f, &cfg);
    mf_create(&f, "big", "a");
    mf_create(&f, "big", "b");
    mf_create(&f, "big", "c");
    mf_create(&f, "small", "d");
    mf_create(&f, "small", "e");
    guint w[5];
    for (guint i = 0; i < 5; i++)
        w[i] = bridge_media_endpoint_worker(f.media, f.eps[i].handle);
    g_assert_cmpuint(w[0], <, 2);
    g_assert_cmpuint(w[0], ==, w[1]); /* the conference's home worker takes b */
    g_assert_cmpuint(w[2], !=, w[0]); /* pack 2: the third spreads */
    g_assert_cmpuint(w[3], ==, w[2]); /* a new conference goes to the least loaded */
    g_assert_cmpuint(w[4], ==, w[3]); /* and its second endpoint joins it there */
    g_assert_cmpuint(bridge_media_endpoint_worker(f.media, 99), ==, G_MAXUINT);
    mf_pump_until(&f, mf_all_ready, 5000);
    for (guint i = 0; i < f.n_eps; i++)
        g_assert_true(f.eps[i].ready);
    mf_free(&f);
}

/* ---- the media port ---- */

static guint first_port(const MfEp *e)
{
    g_assert_cmpuint(e->local.candidates->len, >=, 1);
    return g_array_index(e->local.candidates, PaIceCandidate, 0).port;
}

/* Every endpoint, on every worker, offers the same port (one port per bridge, the setting's
 * value), with a ufrag and password of its own; the port stays the media plane's: another
 * one (another bridge on the host, say) is refused rather than silently sharing it through
 * SO_REUSEPORT. */
static void test_single_port(void)
{
    char *addrs[] = {"127.0.0.1", NULL};
    MediaFixture f = {0};
    BridgeMediaConfig cfg = {.workers = 2,
                             .port = 46000,
                             .local_addresses = addrs,
                             .ice_timeout_s = 20,
                             .media_timeout_s = 20,
                             .conference_pack = 1};
    mf_start_config(&f, &cfg);
    g_assert_cmpuint(bridge_media_port(f.media), ==, 46000);
    mf_create(&f, "room", "a");
    mf_create(&f, "room", "b");
    mf_create(&f, "other", "c");
    mf_pump_until(&f, mf_all_ready, 5000);
    for (guint i = 0; i < 3; i++) {
        g_assert_true(f.eps[i].ready);
        g_assert_cmpuint(first_port(&f.eps[i]), ==, 46000);
        g_assert_cmpuint(strlen(f.eps[i].local.ufrag), >=, 4);
        g_assert_cmpuint(strlen(f.eps[i].local.pwd), >=, 22);
        for (guint j = 0; j < i; j++) {
            g_assert_cmpstr(f.eps[i].local.ufrag, !=, f.eps[j].local.ufrag);
            g_assert_cmpstr(f.eps[i].local.pwd, !=, f.eps[j].local.pwd);
        }
    }
    g_assert_cmpuint(bridge_media_endpoint_worker(f.media, f.eps[0].handle), !=,
                     bridge_media_endpoint_worker(f.media, f.eps[1].handle));

    g_autoptr(GError) error = NULL;
    g_assert_null(bridge_media_new(&cfg, NULL, NULL, NULL, &error));
    g_assert_error(error, G_IO_ERROR, G_IO_ERROR_ADDRESS_IN_USE);
    g_assert_nonnull(strstr(error->message, "127.0.0.1:46000"));
    mf_free(&f);
}

/* ---- SRTP profile ---- */

/* The connect log names the SRTP profile DTLS negotiated: a client without GCM connects with
 * AES_CM_128_HMAC_SHA1_80, and the line says so (not the profile of a zeroed key struct). */
static void test_srtp_profile(void)
{
    MediaFixture f = {0};
    f.peer_options.cm_only = TRUE;
    mf_start(&f, 2, 20, 20);
    mf_connect_two(&f);
    g_assert_cmpint(sim_peer_srtp_profile(f.peers[0]), ==, BRIDGE_SRTP_AES_CM_128_HMAC_SHA1_80);
    mf_send_rounds(&f, 20);
    SimPeerStats b;
    sim_peer_get_stats(f.peers[1], &b);
    g_assert_cmpuint(b.rtp_received, ==, 40);
    g_assert_true(logged("room=room1 ep=a: connected (ICE + DTLS, AES_CM_128_HMAC_SHA1_80)"));
    g_assert_true(logged("room=room1 ep=b: connected (ICE + DTLS, AES_CM_128_HMAC_SHA1_80)"));
    g_assert_false(logged("ep=a: connected (ICE + DTLS, AEAD_AES_128_GCM)"));
    mf_free(&f);

    /* A browser-like client gets GCM, and the line says that. */
    MediaFixture h = {0};
    mf_start(&h, 1, 20, 20);
    mf_connect_two(&h);
    g_assert_cmpint(sim_peer_srtp_profile(h.peers[0]), ==, BRIDGE_SRTP_AEAD_AES_128_GCM);
    g_assert_true(logged("room=room1 ep=a: connected (ICE + DTLS, AEAD_AES_128_GCM)"));
    mf_free(&h);
}

/* ---- timeouts ---- */

static gboolean a_failed(MediaFixture *f)
{
    return f->eps[0].failed > 0;
}

/* An endpoint whose ICE never connects is dropped after ice_timeout_s, with a FAILED event. */
static void test_ice_timeout(void)
{
    MediaFixture f = {0};
    mf_start(&f, 2, 1, 20);
    mf_create(&f, "room2", "a");
    mf_pump_until(&f, mf_all_ready, 5000);
    g_assert_true(f.eps[0].ready);
    /* Nobody ever connects. */
    mf_pump_until(&f, a_failed, 4000);
    g_assert_cmpint(f.eps[0].failed, ==, 1);
    BridgeMediaStats st;
    bridge_media_get_stats(f.media, &st);
    g_assert_cmpuint(st.endpoints, ==, 0);
    g_assert_cmpuint(st.conferences, ==, 0);
    g_assert_cmpuint(st.ice_failures, ==, 1);
    mf_free(&f);
}

static gboolean both_timed_out(MediaFixture *f)
{
    return f->eps[0].timeouts && f->eps[1].timeouts;
}

static gboolean peers_closed(MediaFixture *f)
{
    return sim_peer_dtls_closed(f->peers[0]) && sim_peer_dtls_closed(f->peers[1]);
}

/* Connected endpoints that stop sending are dropped after media_timeout_s, and their clients
 * are told (DTLS close_notify). */
static void test_media_timeout(void)
{
    MediaFixture f = {0};
    mf_start(&f, 2, 20, 2);
    mf_connect_two(&f);
    mf_send_rounds(&f, 20);
    /* Then silence. */
    mf_pump_until(&f, both_timed_out, 5000);
    g_assert_cmpint(f.eps[0].timeouts, ==, 1);
    g_assert_cmpint(f.eps[1].timeouts, ==, 1);
    /* Both clients were told (they may still be there, just silent). */
    mf_pump_until(&f, peers_closed, 2000);
    g_assert_true(peers_closed(&f));
    BridgeMediaStats st;
    bridge_media_get_stats(f.media, &st);
    g_assert_cmpuint(st.endpoints, ==, 0);
    mf_free(&f);
}

int main(int argc, char **argv)
{
    log_lines = g_ptr_array_new_with_free_func(g_free);
    g_log_set_writer_func(capture_writer, NULL, NULL);
    g_test_init(&argc, &argv, NULL);
    g_test_add_func("/media/placement", test_placement);
    g_test_add_func("/media/single-port", test_single_port);
    g_test_add_func("/media/srtp-profile", test_srtp_profile);
    g_test_add_func("/media/ice-timeout", test_ice_timeout);
    g_test_add_func("/media/media-timeout", test_media_timeout);
    int rc = g_test_run();
    g_ptr_array_unref(log_lines);
    return rc;
}
