/* SPDX-License-Identifier: MIT */
/* Media-plane test bed (see media-fixture.h). Test thread only. */
#include "media-fixture.h"

#include <string.h>

static void on_event(BridgeHandle endpoint, BridgeMediaEvent ev, const char *reason, gpointer data)
{
    MediaFixture *f = data;
    if (endpoint == 0 || endpoint > f->n_eps)
        return; /* not made with mf_create() */
    MfEp *s = &f->eps[endpoint - 1];
    g_test_message("event %s: %d (%s)", s->name, ev, reason ? reason : "");
    if (ev == BRIDGE_MEDIA_EVENT_CONNECTED)
        s->connected = TRUE;
    else if (ev == BRIDGE_MEDIA_EVENT_FAILED)
        s->failed++;
    else
        s->timeouts++;
}

static void on_ready(BridgeHandle endpoint, const PaTransport *local, const GError *error,
                     gpointer data)
{
    MediaFixture *f = data;
    if (endpoint == 0 || endpoint > f->n_eps) {
        g_assert_no_error((GError *)error);
        f->others_ready++;
        return;
    }
    MfEp *s = &f->eps[endpoint - 1];
    g_assert_false(s->ready || s->error); /* exactly once */
    if (local) {
        pa_transport_copy(&s->local, local);
        s->ready = TRUE;
    } else {
        s->error = g_strdup(error->message);
    }
}

void mf_start_config(MediaFixture *f, const BridgeMediaConfig *cfg)
{
    f->ctx = g_main_context_default();
    f->seq_a = 1000;
    f->seq_b = 5000;
    f->pace_every = 4;
    BridgeMediaCallbacks cb = {on_ready, on_event};
    GError *error = NULL;
    f->media = bridge_media_new(cfg, f->ctx, &cb, f, &error);
    g_assert_no_error(error);
    g_assert_nonnull(f->media);
}

void mf_start(MediaFixture *f, guint workers, guint ice_timeout_s, guint media_timeout_s)
{
    char *addrs[] = {"127.0.0.1", NULL};
    BridgeMediaConfig cfg = {
        .workers = workers,
        .port = MF_PORT,
        .local_addresses = addrs,
        .ice_timeout_s = ice_timeout_s,
        .media_timeout_s = media_timeout_s,
        .conference_pack = 1, /* spread a and b over the workers: exercise the inbox ring */
    };
    mf_start_config(f, &cfg);
}

void mf_free(MediaFixture *f)
{
    bridge_media_free(f->media);
    f->media = NULL;
    for (guint i = 0; i < f->n_eps; i++) {
        sim_peer_free(f->peers[i]);
        pa_transport_clear(&f->eps[i].local);
        g_free(f->eps[i].name);
        g_free(f->eps[i].error);
    }
    for (guint i = 0; i < G_N_ELEMENTS(f->confs); i++)
        g_free(f->confs[i]);
}

static BridgeHandle conf_handle(MediaFixture *f, const char *conf)
{
    guint i = 0;
    while (i < G_N_ELEMENTS(f->confs) && f->confs[i] && strcmp(f->confs[i], conf) != 0)
        i++;
    g_assert_cmpuint(i, <, G_N_ELEMENTS(f->confs));
    if (!f->confs[i])
        f->confs[i] = g_strdup(conf);
    return i + 1;
}

MfEp *mf_create(MediaFixture *f, const char *conf, const char *ep)
{
    g_assert_cmpuint(f->n_eps, <, MF_MAX_EPS);
    MfEp *s = &f->eps[f->n_eps++];
    memset(s, 0, sizeof *s);
    s->name = g_strdup(ep);
    s->handle = f->n_eps; /* index + 1: on_event and on_ready rely on it */
    pa_transport_init(&s->local);
    bridge_media_endpoint_create(f->media, conf_handle(f, conf), s->handle, conf, ep);
    return s;
}

MfEp *mf_ep(MediaFixture *f, const char *ep)
{
    for (guint i = 0; i < f->n_eps; i++)
        if (strcmp(f->eps[i].name, ep) == 0)
            return &f->eps[i];
    g_assert_not_reached();
}

BridgeHandle mf_handle(MediaFixture *f, const char *ep)
{
    return mf_ep(f, ep)->handle;
}

void mf_pump_until(MediaFixture *f, gboolean (*cond)(MediaFixture *), guint timeout_ms)
{
    gint64 end = g_get_monotonic_time() + timeout_ms * G_GINT64_CONSTANT(1000);
    while (!cond(f) && g_get_monotonic_time() < end)
        if (!g_main_context_iteration(f->ctx, FALSE))
            g_usleep(500);
}

void mf_pump_for(MediaFixture *f, guint ms)
{
    gint64 end = g_get_monotonic_time() + ms * G_GINT64_CONSTANT(1000);
    while (g_get_monotonic_time() < end)
        if (!g_main_context_iteration(f->ctx, FALSE))
            g_usleep(500);
}

gboolean mf_all_ready(MediaFixture *f)
{
    for (guint i = 0; i < f->n_eps; i++)
        if (!f->eps[i].ready && !f->eps[i].error)
            return FALSE;
    return TRUE;
}

static gboolean peers_gathered(MediaFixture *f)
{
    for (guint i = 0; i < f->n_eps; i++)
        if (f->peers[i] && !sim_peer_gathered(f->peers[i]))
            return FALSE;
    return TRUE;
}

static gboolean all_connected(MediaFixture *f)
{
    for (guint i = 0; i < f->n_eps; i++)
        if (f->peers[i] && (!f->eps[i].connected || !sim_peer_connected(f->peers[i])))
            return FALSE;
    return TRUE;
}

/* The bridge's side of an endpoint's transport, as a browser would check it. */
static void assert_bridge_transport(MediaFixture *f, const PaTransport *t)
{
    g_assert_cmpstr(t->setup, ==, "actpass");
    g_assert_cmpstr(t->fingerprint, ==, bridge_media_fingerprint(f->media));
    g_assert_cmpuint(t->candidates->len, >=, 1);
    const PaIceCandidate *c = &g_array_index(t->candidates, PaIceCandidate, 0);
    g_assert_cmpstr(c->ip, ==, "127.0.0.1");
    g_assert_cmpuint(c->port, ==, bridge_media_port(f->media)); /* every endpoint: one port */
    g_assert_cmpstr(c->type, ==, "host");
}

void mf_connect_range(MediaFixture *f, guint first, guint n)
{
    mf_pump_until(f, mf_all_ready, 10000);
    for (guint i = first; i < first + n; i++) {
        g_assert_true(f->eps[i].ready);
        assert_bridge_transport(f, &f->eps[i].local);
        f->peers[i] = sim_peer_new(f->ctx, f->eps[i].name, &f->peer_options);
    }
    mf_pump_until(f, peers_gathered, 10000);
    for (guint i = first; i < first + n; i++) {
        PaTransport t;
        pa_transport_init(&t);
        sim_peer_get_transport(f->peers[i], &t);
        bridge_media_endpoint_set_remote(f->media, f->eps[i].handle, &t);
        pa_transport_clear(&t);
        sim_peer_set_remote(f->peers[i], &f->eps[i].local);
    }
    mf_pump_until(f, all_connected, 30000);
    g_assert_true(all_connected(f));
}

void mf_connect_two(MediaFixture *f)
{
    mf_create(f, "room1", "a");
    mf_create(f, "room1", "b");
    BridgeMediaSsrc a[] = {{0xA0, FALSE}, {0xA1, TRUE}}, b[] = {{0xB0, FALSE}, {0xB1, TRUE}};
    bridge_media_endpoint_set_ssrcs(f->media, f->eps[0].handle, a, 2);
    bridge_media_endpoint_set_ssrcs(f->media, f->eps[1].handle, b, 2);
    mf_connect_range(f, 0, 2);
}

/* One round: each peer sends one audio and one video packet. */
static void send_round(MediaFixture *f, guint i)
{
    g_assert_true(sim_peer_send_rtp(f->peers[0], 0xA0, 111, f->seq_a, i * 960, 80, 30));
    g_assert_true(sim_peer_send_rtp(f->peers[0], 0xA1, 100, f->seq_a, i * 3000, 1000, -1));
    g_assert_true(sim_peer_send_rtp(f->peers[1], 0xB0, 111, f->seq_b, i * 960, 80, 30));
    g_assert_true(sim_peer_send_rtp(f->peers[1], 0xB1, 100, f->seq_b, i * 3000, 1000, -1));
    f->seq_a++;
    f->seq_b++;
}

static guint64 received(MediaFixture *f, guint peer)
{
    SimPeerStats s;
    sim_peer_get_stats(f->peers[peer], &s);
    return s.rtp_received;
}

void mf_send_rounds(MediaFixture *f, guint n)
{
    guint64 want_a = received(f, 0) + 2 * n, want_b = received(f, 1) + 2 * n;
    for (guint i = 0; i < n; i++) {
        send_round(f, i);
        /* Pace a little (like real media) and serve the peers' sockets. */
        while (g_main_context_iteration(f->ctx, FALSE))
            ;
        if (i % f->pace_every == f->pace_every - 1)
            g_usleep(1000);
    }
    /* Wait for everything, or until nothing has arrived for a second (a lost packet). */
    guint64 last = 0;
    gint64 last_change = g_get_monotonic_time();
    while ((received(f, 0) < want_a || received(f, 1) < want_b) &&
           g_get_monotonic_time() - last_change < G_USEC_PER_SEC) {
        guint64 now = received(f, 0) + received(f, 1);
        if (now != last) {
            last = now;
            last_change = g_get_monotonic_time();
        }
        if (!g_main_context_iteration(f->ctx, FALSE))
            g_usleep(500);
    }
}
