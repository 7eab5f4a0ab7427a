/* SPDX-License-Identifier: MIT */
/* The media plane's control-thread side: configuration, the media port and its candidates,
 * worker start/stop, the endpoint and conference registry, worker selection, message posting,
 * results coming back from workers (and the flow changes that feed the steering program),
 * and statistics.
 *
 * Threads: everything here runs on the control thread except bridge_media_post_result()
 * (called by workers) and bridge_conf_unref() (any thread). The registry (media->endpoints,
 * media->confs, media->load) is control-thread state and never touched by workers; workers
 * learn what they need through messages. */
#include "bridge/media/media-priv.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

const char *bridge_drop_reason_name(BridgeDropReason r)
{
    switch (r) {
    case BRIDGE_DROP_MALFORMED:
        return "malformed";
    case BRIDGE_DROP_NOT_READY:
        return "not_ready";
    case BRIDGE_DROP_SRTP_AUTH:
        return "srtp_auth";
    case BRIDGE_DROP_SRTP_REPLAY:
        return "srtp_replay";
    case BRIDGE_DROP_DTLS:
        return "dtls";
    case BRIDGE_DROP_QUEUE_FULL:
        return "queue_full";
    case BRIDGE_DROP_NO_RECEIVER:
        return "no_receiver";
    case BRIDGE_DROP_SRTP_PROTECT:
        return "srtp_protect";
    case BRIDGE_DROP_UNKNOWN_ADDRESS:
        return "unknown_address";
    case BRIDGE_DROP_STUN_MALFORMED:
        return "stun_malformed";
    case BRIDGE_DROP_STUN_UNKNOWN_USER:
        return "stun_unknown_user";
    case BRIDGE_DROP_STUN_AUTH:
        return "stun_auth";
    case BRIDGE_DROP_STUN_UNMATCHED:
        return "stun_unmatched";
    case BRIDGE_DROP_SSRC_LIMIT:
        return "ssrc_limit";
    case BRIDGE_DROP_FLOW_LIMIT:
        return "flow_limit";
    case BRIDGE_DROP_N_REASONS:
        break;
    }
    return "unknown";
}

BridgeConf *bridge_conf_ref(BridgeConf *c)
{
    g_atomic_int_inc(&c->ref);
    return c;
}

void bridge_conf_unref(BridgeConf *c)
{
    if (!c || !g_atomic_int_dec_and_test(&c->ref))
        return;
    g_free(c->per_worker);
    g_free(c);
}

void bridge_msg_clear(BridgeMsg *msg)
{
    if (msg->conf)
        bridge_conf_unref(msg->conf);
    g_free(msg->conference_id);
    g_free(msg->endpoint_id);
    pa_transport_clear(&msg->remote);
    g_free(msg->ssrcs);
    g_free(msg->hdrext);
    bridge_ep_shared_unref(msg->shared);
    g_free(msg->video);
    g_free(msg->codec_by_pt);
    g_free(msg->targets);
    memset(msg, 0, sizeof *msg);
}

static void result_free(BridgeResult *r)
{
    pa_transport_clear(&r->local);
    g_clear_error(&r->error);
    g_free(r->reason);
    g_free(r);
}

static void ctl_endpoint_free(BridgeCtlEndpoint *e)
{
    bridge_conf_unref(e->conf);
    bridge_ep_shared_unref(e->shared);
    g_free(e->conference_id);
    g_free(e->endpoint_id);
    g_free(e);
}

/* ---- configuration ---- */

static gboolean config_check(const BridgeMediaConfig *c, GError **error)
{
    if (!c->local_addresses || !c->local_addresses[0]) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "ice.addresses: at least one local address is required");
        return FALSE;
    }
    guint n = 0;
    for (char **a = c->local_addresses; *a; a++, n++) {
        if (!g_hostname_is_ip_address(*a)) {
            g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                        "ice.addresses: '%s' is not an IP address", *a);
            return FALSE;
        }
    }
    if (n > BRIDGE_MAX_LOCAL_ADDRS) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "ice.addresses: at most %d addresses", BRIDGE_MAX_LOCAL_ADDRS);
        return FALSE;
    }
    if (c->public_address && *c->public_address && !g_hostname_is_ip_address(c->public_address)) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT,
                    "ice.public_address: '%s' is not an IP address", c->public_address);
        return FALSE;
    }
    if (c->port > 65535) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "ice.port: %u is not a port",
                    c->port);
        return FALSE;
    }
    if (c->workers > BRIDGE_MEDIA_MAX_WORKERS) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "media.workers: at most %d",
                    BRIDGE_MEDIA_MAX_WORKERS);
        return FALSE;
    }
    return TRUE;
}

/* The candidates every endpoint offers: the media port on each local address (host), and on
 * the public address (srflx) for 1:1 NAT. Foundations and priorities follow RFC 8445 §5.1.2
 * (type preference 126 host / 100 srflx, local preference by the order of ice.addresses). */
static void make_candidates(BridgeMedia *m)
{
    m->candidates = g_array_new(FALSE, TRUE, sizeof(PaIceCandidate));
    for (guint a = 0; a < m->n_addrs; a++) {
        PaIceCandidate c = {.component = 1, .port = (guint16)m->port};
        g_snprintf(c.foundation, sizeof c.foundation, "%u", a + 1);
        g_strlcpy(c.protocol, "udp", sizeof c.protocol);
        g_strlcpy(c.ip, m->config.local_addresses[a], sizeof c.ip);
        g_strlcpy(c.type, "host", sizeof c.type);
        guint local_pref = 65535 - a;
        c.priority = (126u << 24) | (local_pref << 8) | 255u;
        g_snprintf(c.id, sizeof c.id, "pa%uh", a + 1);
        g_array_append_val(m->candidates, c);
        if (m->config.public_address && a == 0) {
            /* 1:1 NAT: the same socket, reachable at the public address. */
            PaIceCandidate pub = c;
            g_strlcpy(pub.type, "srflx", sizeof pub.type);
            g_strlcpy(pub.ip, m->config.public_address, sizeof pub.ip);
            g_strlcpy(pub.rel_addr, c.ip, sizeof pub.rel_addr);
            pub.rel_port = c.port;
            g_strlcat(pub.foundation, "p", sizeof pub.foundation);
            pub.priority = (100u << 24) | (local_pref << 8) | 255u;
            g_snprintf(pub.id, sizeof pub.id, "pa%us", a + 1);
            g_array_append_val(m->candidates, pub);
        }
    }
}

/* ---- results from workers ---- */

void bridge_media_post_result(BridgeMedia *m, BridgeResult *r)
{
    g_async_queue_push(m->outbox, r);
    guint64 one = 1;
    ssize_t n G_GNUC_UNUSED = write(m->control_efd, &one, sizeof one);
}

/* Forgets @e and updates the load and the conference's worker mask (does not message the
 * worker). */
static void ctl_remove(BridgeMedia *m, BridgeCtlEndpoint *e)
{
    BridgeConf *c = e->conf;
    g_assert(m->load[e->worker] > 0);
    m->load[e->worker]--;
    if (--c->per_worker[e->worker] == 0)
        __atomic_and_fetch(&c->worker_mask, ~(G_GUINT64_CONSTANT(1) << e->worker),
                           __ATOMIC_SEQ_CST);
    if (--c->n_endpoints == 0)
        bridge_conf_unref(bridge_handle_table_remove(&m->confs, c->handle));
    bridge_handle_table_remove(&m->endpoints, e->handle);
    ctl_endpoint_free(e);
}

static void handle_result(BridgeMedia *m, BridgeResult *r)
{
    if (r->type == BRIDGE_RESULT_FLOW) {
        if (m->steer)
            bridge_steer_flow(m->steer, &r->addr, r->worker, r->add);
        return;
    }
    BridgeCtlEndpoint *e = bridge_handle_table_get(&m->endpoints, r->ep);
    if (!e)
        return; /* expired meanwhile: nobody wants to hear about it */
    gboolean report_ready = !e->ready_reported && m->cb.ready;
    if (r->type == BRIDGE_RESULT_READY) {
        e->ready_reported = TRUE;
        if (r->error)
            ctl_remove(m, e); /* the worker already dropped the endpoint */
        if (report_ready)
            m->cb.ready(r->ep, r->error ? NULL : &r->local, r->error, m->user_data);
        return;
    }
    if (r->event != BRIDGE_MEDIA_EVENT_CONNECTED) {
        /* FAILED / TIMEOUT: the worker already dropped the endpoint. Forget it before the
         * callbacks, which may call back in. */
        e->ready_reported = TRUE;
        ctl_remove(m, e);
        if (report_ready) {
            GError *err = g_error_new(G_IO_ERROR, G_IO_ERROR_FAILED, "endpoint failed: %s",
                                      r->reason ? r->reason : "unknown");
            m->cb.ready(r->ep, NULL, err, m->user_data);
            g_error_free(err);
        }
    }
    if (m->cb.event)
        m->cb.event(r->ep, r->event, r->reason, m->user_data);
}

static gboolean on_control_wakeup(gint fd, GIOCondition cond, gpointer data)
{
    BridgeMedia *m = data;
    guint64 v;
    ssize_t n G_GNUC_UNUSED = read(fd, &v, sizeof v);
    BridgeResult *r;
    while ((r = g_async_queue_try_pop(m->outbox))) {
        handle_result(m, r);
        result_free(r);
    }
    return G_SOURCE_CONTINUE;
}

/* ---- lifecycle ---- */

BridgeMedia *bridge_media_new(const BridgeMediaConfig *config, GMainContext *control,
                              const BridgeMediaCallbacks *callbacks, gpointer user_data,
                              GError **error)
{
    g_return_val_if_fail(config != NULL, NULL);
    if (!config_check(config, error))
        return NULL;

    bridge_srtp_global_init();
    BridgeDtlsCert *cert = bridge_dtls_cert_new(error);
    if (!cert)
        return NULL;

    BridgeMedia *m = g_new0(BridgeMedia, 1);
    m->config = *config;
    m->config.local_addresses = g_strdupv(config->local_addresses);
    m->config.public_address =
        config->public_address && *config->public_address ? g_strdup(config->public_address) : NULL;
    if (!m->config.max_flows)
        m->config.max_flows = BRIDGE_DEFAULT_MAX_FLOWS;
    m->control = control ? g_main_context_ref(control) : g_main_context_ref_thread_default();
    if (callbacks)
        m->cb = *callbacks;
    m->user_data = user_data;
    m->cert = cert;
    do {
        m->bridge_ssrc = g_random_int();
    } while (m->bridge_ssrc == 0);
    pa_hdrext_map_init_jitsi_defaults(&m->hdrext);
    m->n_workers = config->workers ? config->workers : MIN(g_get_num_processors(), 64u);
    m->load = g_new0(guint, m->n_workers);
    bridge_handle_table_init(&m->endpoints);
    bridge_handle_table_init(&m->confs);
    m->outbox = g_async_queue_new();
    for (char **a = m->config.local_addresses; *a; a++)
        bridge_addr_from_string(&m->addrs[m->n_addrs++], *a, (guint16)config->port);
    m->control_efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (m->control_efd < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "eventfd: %s",
                    g_strerror(errno));
        bridge_media_free(m);
        return NULL;
    }
    if (!bridge_sockets_open(m, error)) {
        bridge_media_free(m);
        return NULL;
    }
    make_candidates(m);
    m->control_source = g_unix_fd_source_new(m->control_efd, G_IO_IN);
    g_source_set_callback(m->control_source, (GSourceFunc)(void (*)(void))on_control_wakeup, m,
                          NULL);
    g_source_attach(m->control_source, m->control);
    if (m->n_workers > 1 && !config->no_steering)
        m->steer = bridge_steer_new(m);

    guint n = m->n_workers;
    m->workers = g_new0(BridgeWorker *, n);
    for (guint i = 0; i < n; i++) {
        m->workers[i] = bridge_worker_new(m, i, error);
        if (!m->workers[i]) {
            bridge_media_free(m);
            return NULL;
        }
    }
    g_message("media plane started: %u workers on UDP port %u (%s), SRTP crypto %s, DTLS "
              "fingerprint %s",
              n, m->port,
              n == 1     ? "one socket"
              : m->steer ? "a socket per worker, kernel steering"
                         : "a socket per worker, hand-over only",
              bridge_srtp_backend(), bridge_dtls_cert_fingerprint(cert));
    return m;
}

void bridge_media_free(BridgeMedia *m)
{
    if (!m)
        return;
    if (m->workers) {
        for (guint i = 0; i < m->n_workers; i++)
            if (m->workers[i])
                bridge_worker_stop(m->workers[i]);
        for (guint i = 0; i < m->n_workers; i++)
            if (m->workers[i])
                bridge_worker_join(m->workers[i]);
        for (guint i = 0; i < m->n_workers; i++)
            if (m->workers[i])
                bridge_worker_free(m->workers[i]);
        g_free(m->workers);
    }
    if (m->outbox) {
        BridgeResult *r;
        while ((r = g_async_queue_try_pop(m->outbox)))
            result_free(r);
        g_async_queue_unref(m->outbox);
    }
    if (m->endpoints.slots) {
        guint pos = 0;
        BridgeCtlEndpoint *e;
        while ((e = bridge_handle_table_next(&m->endpoints, &pos)))
            ctl_endpoint_free(e);
        bridge_handle_table_clear(&m->endpoints);
    }
    if (m->confs.slots) {
        guint pos = 0;
        BridgeConf *c;
        while ((c = bridge_handle_table_next(&m->confs, &pos)))
            bridge_conf_unref(c);
        bridge_handle_table_clear(&m->confs);
    }
    if (m->control_source) {
        g_source_destroy(m->control_source);
        g_source_unref(m->control_source);
    }
    bridge_steer_free(m->steer);
    bridge_sockets_close(m);
    if (m->candidates)
        g_array_unref(m->candidates);
    if (m->control_efd >= 0)
        close(m->control_efd);
    if (m->control)
        g_main_context_unref(m->control);
    if (m->cert)
        bridge_dtls_cert_free(m->cert);
    g_free(m->load);
    g_strfreev(m->config.local_addresses);
    g_free(m->config.public_address);
    g_free(m);
}

guint bridge_media_port(BridgeMedia *m)
{
    return m->port;
}

const char *bridge_media_fingerprint(BridgeMedia *m)
{
    return bridge_dtls_cert_fingerprint(m->cert);
}

/* ---- endpoint API ---- */

/* See BridgeMediaConfig.conference_pack. */
static guint pick_worker(BridgeMedia *m, const BridgeConf *c)
{
    guint least = 0, home = 0;
    for (guint i = 1; i < m->n_workers; i++) {
        if (m->load[i] < m->load[least])
            least = i;
        if (c->per_worker[i] > c->per_worker[home])
            home = i;
    }
    guint pack = m->config.conference_pack ? m->config.conference_pack : 8;
    if (c->per_worker[home] > 0 && c->per_worker[home] < pack &&
        m->load[home] < m->load[least] + pack)
        return home;
    return least;
}

void bridge_media_endpoint_create(BridgeMedia *m, BridgeHandle conference, BridgeHandle endpoint,
                                  const char *conference_id, const char *endpoint_id)
{
    g_return_if_fail(m && conference && endpoint && conference_id && endpoint_id);
    g_return_if_fail(!bridge_handle_table_get(&m->endpoints, endpoint));
    BridgeConf *c = bridge_handle_table_get(&m->confs, conference);
    if (!c) {
        c = g_new0(BridgeConf, 1);
        c->ref = 1;
        c->handle = conference;
        c->per_worker = g_new0(guint, m->n_workers);
        bridge_handle_table_insert(&m->confs, conference, c);
    }
    BridgeCtlEndpoint *e = g_new0(BridgeCtlEndpoint, 1);
    e->handle = endpoint;
    e->worker = pick_worker(m, c);
    e->conf = bridge_conf_ref(c);
    e->conference_id = g_strdup(conference_id);
    e->endpoint_id = g_strdup(endpoint_id);
    e->shared = bridge_ep_shared_new();
    bridge_handle_table_insert(&m->endpoints, endpoint, e);
    m->load[e->worker]++;
    c->n_endpoints++;
    if (c->per_worker[e->worker]++ == 0)
        __atomic_or_fetch(&c->worker_mask, G_GUINT64_CONSTANT(1) << e->worker, __ATOMIC_SEQ_CST);

    BridgeMsg msg = {
        .type = BRIDGE_MSG_CREATE,
        .ep = endpoint,
        .conf = bridge_conf_ref(c),
        .conference_id = g_strdup(conference_id),
        .endpoint_id = g_strdup(endpoint_id),
        .shared = bridge_ep_shared_ref(e->shared),
    };
    bridge_worker_post(m->workers[e->worker], &msg);
    g_info("room=%s ep=%s: endpoint created on media worker %u", conference_id, endpoint_id,
           e->worker);
}

/* Starts @msg, a message of @type for @endpoint, and returns the worker to post it to, or
 * NULL when the endpoint is unknown. */
static BridgeWorker *msg_for(BridgeMedia *m, BridgeHandle endpoint, BridgeMsgType type,
                             BridgeMsg *msg)
{
    BridgeCtlEndpoint *e = bridge_handle_table_get(&m->endpoints, endpoint);
    if (!e)
        return NULL;
    memset(msg, 0, sizeof *msg);
    msg->type = type;
    msg->ep = endpoint;
    return m->workers[e->worker];
}

void bridge_media_endpoint_set_remote(BridgeMedia *m, BridgeHandle endpoint,
                                      const PaTransport *remote)
{
    g_return_if_fail(m && remote);
    BridgeMsg msg;
    BridgeWorker *w = msg_for(m, endpoint, BRIDGE_MSG_SET_REMOTE, &msg);
    if (!w)
        return;
    pa_transport_init(&msg.remote);
    pa_transport_copy(&msg.remote, remote);
    bridge_worker_post(w, &msg);
}

void bridge_media_endpoint_set_ssrcs(BridgeMedia *m, BridgeHandle endpoint,
                                     const BridgeMediaSsrc *ssrcs, guint n_ssrcs)
{
    g_return_if_fail(m && (ssrcs || !n_ssrcs));
    BridgeMsg msg;
    BridgeWorker *w = msg_for(m, endpoint, BRIDGE_MSG_SET_SSRCS, &msg);
    if (!w)
        return;
    msg.ssrcs = n_ssrcs ? g_memdup2(ssrcs, n_ssrcs * sizeof *ssrcs) : NULL;
    msg.n_ssrcs = n_ssrcs;
    bridge_worker_post(w, &msg);
}

void bridge_media_endpoint_set_hdrext(BridgeMedia *m, BridgeHandle endpoint, const PaHdrextMap *map)
{
    g_return_if_fail(m && map);
    BridgeMsg msg;
    BridgeWorker *w = msg_for(m, endpoint, BRIDGE_MSG_SET_HDREXT, &msg);
    if (!w)
        return;
    msg.hdrext = g_memdup2(map, sizeof *map);
    bridge_worker_post(w, &msg);
}

void bridge_media_endpoint_set_video(BridgeMedia *m, BridgeHandle endpoint,
                                     const BridgeMediaVideoSource *sources, guint n_sources,
                                     const guint8 codec_by_pt[128], const guint8 rtx_pt_by_apt[128])
{
    g_return_if_fail(m && (sources || !n_sources) && codec_by_pt && rtx_pt_by_apt);
    BridgeMsg msg;
    BridgeWorker *w = msg_for(m, endpoint, BRIDGE_MSG_SET_VIDEO, &msg);
    if (!w)
        return;
    n_sources = MIN(n_sources, BRIDGE_MEDIA_MAX_VIDEO);
    msg.video = n_sources ? g_memdup2(sources, n_sources * sizeof *sources) : NULL;
    msg.n_video = n_sources;
    msg.codec_by_pt = g_malloc(256);
    memcpy(msg.codec_by_pt, codec_by_pt, 128);
    memcpy(msg.codec_by_pt + 128, rtx_pt_by_apt, 128);
    bridge_worker_post(w, &msg);
}

void bridge_media_endpoint_set_targets(BridgeMedia *m, BridgeHandle receiver,
                                       const BridgeMediaTarget *targets, guint n_targets)
{
    g_return_if_fail(m && (targets || !n_targets));
    BridgeMsg msg;
    BridgeWorker *w = msg_for(m, receiver, BRIDGE_MSG_SET_TARGETS, &msg);
    if (!w)
        return;
    msg.targets = n_targets ? g_memdup2(targets, n_targets * sizeof *targets) : NULL;
    msg.n_targets = n_targets;
    bridge_worker_post(w, &msg);
}

guint bridge_media_endpoint_audio_levels(BridgeMedia *m, BridgeHandle endpoint, guint *cursor,
                                         BridgeMediaAudioLevel *out, guint cap)
{
    BridgeCtlEndpoint *e = bridge_handle_table_get(&m->endpoints, endpoint);
    if (!e || !e->shared)
        return 0;
    return bridge_ep_shared_read_levels(e->shared, cursor, out, cap);
}

gboolean bridge_media_endpoint_bwe(BridgeMedia *m, BridgeHandle endpoint, BridgeMediaBwe *out)
{
    memset(out, 0, sizeof *out);
    BridgeCtlEndpoint *e = bridge_handle_table_get(&m->endpoints, endpoint);
    if (!e || !e->shared)
        return FALSE;
    const BridgeMediaBwe *b = &e->shared->bwe;
#define RD(f) out->f = __atomic_load_n(&b->f, __ATOMIC_RELAXED)
    RD(estimate_bps);
    RD(delay_bps);
    RD(loss_bps);
    RD(acked_bps);
    RD(rtt_us);
    RD(loss_permille);
    RD(packets_acked);
    RD(packets_lost);
    RD(probes);
    RD(probes_succeeded);
    RD(overuses);
    RD(padding_bytes);
    RD(other_bps);
#undef RD
    return out->estimate_bps != 0;
}

void bridge_media_endpoint_set_wanted(BridgeMedia *m, BridgeHandle endpoint, guint64 bps)
{
    BridgeCtlEndpoint *e = bridge_handle_table_get(&m->endpoints, endpoint);
    if (e && e->shared)
        __atomic_store_n(&e->shared->wanted_bps, bps, __ATOMIC_RELAXED);
}

guint bridge_media_endpoint_layers(BridgeMedia *m, BridgeHandle endpoint, guint vidx,
                                   BridgeLayerDesc *out, guint cap)
{
    BridgeCtlEndpoint *e = bridge_handle_table_get(&m->endpoints, endpoint);
    if (!e || !e->shared)
        return 0;
    for (guint i = 0; i < BRIDGE_MEDIA_MAX_VIDEO; i++) {
        for (guint attempt = 0; attempt < 4; attempt++) {
            guint seq = __atomic_load_n(&e->shared->video[i].seq, __ATOMIC_ACQUIRE);
            if (seq & 1)
                continue;
            guint v = e->shared->video[i].vidx;
            guint n = MIN(e->shared->video[i].n, cap);
            if (n && v == vidx)
                memcpy(out, e->shared->video[i].layers, n * sizeof *out);
            __atomic_thread_fence(__ATOMIC_ACQUIRE);
            if (__atomic_load_n(&e->shared->video[i].seq, __ATOMIC_RELAXED) != seq)
                continue;
            if (n && v == vidx)
                return n;
            break;
        }
    }
    return 0;
}

void bridge_media_endpoint_expire(BridgeMedia *m, BridgeHandle endpoint)
{
    g_return_if_fail(m);
    BridgeMsg msg;
    BridgeWorker *w = msg_for(m, endpoint, BRIDGE_MSG_EXPIRE, &msg);
    if (!w)
        return;
    BridgeCtlEndpoint *e = bridge_handle_table_get(&m->endpoints, endpoint);
    g_info("room=%s ep=%s: endpoint expired", e->conference_id, e->endpoint_id);
    ctl_remove(m, e);
    bridge_worker_post(w, &msg);
}

guint bridge_media_endpoint_worker(BridgeMedia *m, BridgeHandle endpoint)
{
    BridgeCtlEndpoint *e = bridge_handle_table_get(&m->endpoints, endpoint);
    return e ? e->worker : G_MAXUINT;
}

void bridge_media_get_stats(BridgeMedia *m, BridgeMediaStats *out)
{
    memset(out, 0, sizeof *out);
    for (guint i = 0; i < m->n_workers; i++) {
        BridgeWorkerStats *s = &m->workers[i]->stats;
        out->packets_in += BRIDGE_STAT_GET(s->packets_in);
        out->bytes_in += BRIDGE_STAT_GET(s->bytes_in);
        out->packets_out += BRIDGE_STAT_GET(s->packets_out);
        out->bytes_out += BRIDGE_STAT_GET(s->bytes_out);
        out->rtp_forwarded += BRIDGE_STAT_GET(s->rtp_forwarded);
        for (int r = 0; r < BRIDGE_DROP_N_REASONS; r++)
            out->drops[r] += BRIDGE_STAT_GET(s->drops[r]);
        out->ice_failures += BRIDGE_STAT_GET(s->ice_failures);
        out->dtls_failures += BRIDGE_STAT_GET(s->dtls_failures);
        out->endpoints_connected += BRIDGE_STAT_GET(s->endpoints_connected);
        out->rtcp_in += BRIDGE_STAT_GET(s->rtcp_in);
        out->keyframe_requests += BRIDGE_STAT_GET(s->keyframe_requests);
        out->nacks_forwarded += BRIDGE_STAT_GET(s->nacks_forwarded);
        out->sr_forwarded += BRIDGE_STAT_GET(s->sr_forwarded);
        out->rr_sent += BRIDGE_STAT_GET(s->rr_sent);
        out->tcc_feedback_sent += BRIDGE_STAT_GET(s->tcc_feedback_sent);
        out->rx_untimed += BRIDGE_STAT_GET(s->rx_untimed);
        out->hdrext_stripped += BRIDGE_STAT_GET(s->hdrext_stripped);
        out->handed_over += BRIDGE_STAT_GET(s->handed_over);
        out->video_projected += BRIDGE_STAT_GET(s->video_projected);
        out->video_withheld += BRIDGE_STAT_GET(s->video_withheld);
        out->layer_switches += BRIDGE_STAT_GET(s->layer_switches);
        out->switch_keyframes += BRIDGE_STAT_GET(s->switch_keyframes);
        out->rtx_sent += BRIDGE_STAT_GET(s->rtx_sent);
        out->rtx_missed += BRIDGE_STAT_GET(s->rtx_missed);
        out->sender_rtx_dropped += BRIDGE_STAT_GET(s->sender_rtx_dropped);
        out->tcc_feedback_in += BRIDGE_STAT_GET(s->tcc_feedback_in);
        out->probes += BRIDGE_STAT_GET(s->probes);
        out->padding_sent += BRIDGE_STAT_GET(s->padding_sent);
        out->padding_bytes += BRIDGE_STAT_GET(s->padding_bytes);
        out->ice_checks_answered += BRIDGE_STAT_GET(s->checks_answered);
        out->ice_checks_sent += BRIDGE_STAT_GET(s->checks_sent);
        out->flows += BRIDGE_STAT_GET(s->flows);
        out->rtx_mirrors += BRIDGE_STAT_GET(s->mirrors);
    }
    out->port = m->port;
    out->steering = bridge_steer_active(m->steer);
    out->endpoints = bridge_handle_table_size(&m->endpoints);
    out->conferences = bridge_handle_table_size(&m->confs);
}
