/* SPDX-License-Identifier: MIT */
/* Simulated participant for bridge-load (see bench-peer.h). Until take-over its state belongs
 * to the GMainContext it was made on; afterwards the wire's tx leg to the sending thread and
 * the rx leg plus the STUN agent to the receiving thread. */
#include "bench-peer.h"

#include <nice/agent.h>
#include <stun/stunagent.h>
#include <stun/usages/ice.h>
#include <string.h>

#include "bridge/dtls/dtls.h"
#include "common/rtp/demux.h"
#include "tests/integration/bridge/sim-connect.h"

struct _BenchPeer {
    char *name;
    GMainContext *ctx;
    NiceAgent *agent;
    guint stream;
    gboolean gathered, ice_connected, failed, taken_over;
    BridgeDtlsCert *cert;
    BridgeDtls *dtls;
    BridgeSrtpKeys keys;
    gboolean have_keys;
    GSource *timer;
    BenchPeerWire wire;
    /* STUN answering after take-over (receiving thread) */
    StunAgent stun;
    char *local_pwd;
    guint64 tie;
};

static void dtls_send(const guint8 *data, gsize len, gpointer user_data)
{
    BenchPeer *p = user_data;
    nice_agent_send(p->agent, p->stream, 1, len, (const gchar *)data);
}

static void after_dtls(BenchPeer *p, BridgeDtlsState st)
{
    if (st == BRIDGE_DTLS_STATE_CONNECTED && !p->have_keys) {
        if (!bridge_dtls_get_srtp_keys(p->dtls, &p->keys)) {
            g_printerr("%s: DTLS done without an SRTP profile\n", p->name);
            p->failed = TRUE;
            return;
        }
        p->have_keys = TRUE;
    } else if (st == BRIDGE_DTLS_STATE_FAILED || st == BRIDGE_DTLS_STATE_CLOSED) {
        g_printerr("%s: DTLS failed: %s\n", p->name, bridge_dtls_error(p->dtls));
        p->failed = TRUE;
    }
}

/* Before take-over only: DTLS from the bridge. Media is not expected yet. */
static void on_recv(NiceAgent *agent, guint stream, guint comp, guint len, gchar *buf,
                    gpointer data)
{
    BenchPeer *p = data;
    if (p->dtls && pa_demux_classify((const guint8 *)buf, len) == PA_DEMUX_DTLS)
        after_dtls(p, bridge_dtls_handle(p->dtls, (const guint8 *)buf, len));
}

static void on_state(NiceAgent *agent, guint stream, guint comp, guint state, gpointer data)
{
    BenchPeer *p = data;
    if ((state == NICE_COMPONENT_STATE_CONNECTED || state == NICE_COMPONENT_STATE_READY) &&
        !p->ice_connected) {
        p->ice_connected = TRUE;
        if (p->dtls && bridge_dtls_state(p->dtls) == BRIDGE_DTLS_STATE_NEW)
            bridge_dtls_start(p->dtls);
    } else if (state == NICE_COMPONENT_STATE_FAILED && !p->taken_over) {
        g_printerr("%s: ICE failed\n", p->name);
        p->failed = TRUE;
    }
}

static void on_gathered(NiceAgent *agent, guint stream, gpointer data)
{
    ((BenchPeer *)data)->gathered = TRUE;
}

static gboolean on_dtls_timer(gpointer data)
{
    BenchPeer *p = data;
    if (p->dtls && !p->have_keys && bridge_dtls_state(p->dtls) == BRIDGE_DTLS_STATE_CONNECTING &&
        bridge_dtls_timeout_ms(p->dtls) == 0)
        after_dtls(p, bridge_dtls_handle_timeout(p->dtls));
    return G_SOURCE_CONTINUE;
}

BenchPeer *bench_peer_new(GMainContext *ctx, const char *name)
{
    BenchPeer *p = g_new0(BenchPeer, 1);
    p->name = g_strdup(name);
    p->ctx = ctx;
    p->wire.fd = -1;
    bridge_srtp_global_init();
    GError *error = NULL;
    p->cert = bridge_dtls_cert_new(&error);
    if (!p->cert)
        g_error("%s: certificate: %s", name, error->message);
    p->agent = sim_connect_agent_new(ctx, G_CALLBACK(on_gathered), G_CALLBACK(on_state),
                                     on_recv, p, &p->stream);
    if (!p->agent)
        g_error("%s: libnice gathered no candidates", name);
    p->timer = g_timeout_source_new(20);
    g_source_set_callback(p->timer, on_dtls_timer, p, NULL);
    g_source_attach(p->timer, ctx);
    return p;
}

void bench_peer_free(BenchPeer *p)
{
    if (!p)
        return;
    g_source_destroy(p->timer);
    g_source_unref(p->timer);
    nice_agent_attach_recv(p->agent, p->stream, 1, p->ctx, NULL, NULL);
    g_signal_handlers_disconnect_by_data(p->agent, p);
    g_object_unref(p->agent);
    bridge_dtls_free(p->dtls);
    bridge_srtp_free(p->wire.tx);
    bridge_srtp_free(p->wire.rx);
    bridge_dtls_cert_free(p->cert);
    memset(&p->keys, 0, sizeof p->keys);
    g_free(p->local_pwd);
    g_free(p->name);
    g_free(p);
}

gboolean bench_peer_gathered(BenchPeer *p)
{
    return p->gathered;
}

void bench_peer_get_transport(BenchPeer *p, PaTransport *out)
{
    sim_connect_get_transport(p->agent, p->stream, p->cert, out);
}

void bench_peer_set_remote(BenchPeer *p, const PaTransport *bridge)
{
    p->dtls = sim_connect_set_remote(p->agent, p->stream, bridge, p->cert, dtls_send, p,
                                     p->ice_connected);
}

gboolean bench_peer_connected(BenchPeer *p)
{
    return p->have_keys;
}

gboolean bench_peer_failed(BenchPeer *p)
{
    return p->failed;
}

gboolean bench_peer_take_over(BenchPeer *p, BenchPeerWire *out)
{
    if (!p->have_keys)
        return FALSE;
    NiceCandidate *l = NULL, *r = NULL;
    if (!nice_agent_get_selected_pair(p->agent, p->stream, 1, &l, &r) || !r)
        return FALSE;
    GSocket *sock = nice_agent_get_selected_socket(p->agent, p->stream, 1);
    if (!sock)
        return FALSE;
    p->wire.fd = g_socket_get_fd(sock);
    g_object_unref(sock); /* the agent keeps the socket open until it is freed */
    memset(&p->wire.peer, 0, sizeof p->wire.peer);
    nice_address_copy_to_sockaddr(&r->addr, (struct sockaddr *)&p->wire.peer);
    p->wire.peer_len = p->wire.peer.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                                                          : sizeof(struct sockaddr_in);
    GError *error = NULL;
    p->wire.tx = bridge_srtp_new(&p->keys, &error);
    if (p->wire.tx)
        p->wire.rx = bridge_srtp_new(&p->keys, &error);
    if (!p->wire.rx) {
        g_printerr("%s: SRTP: %s\n", p->name, error->message);
        g_error_free(error);
        return FALSE;
    }
    gchar *ufrag = NULL;
    nice_agent_get_local_credentials(p->agent, p->stream, &ufrag, &p->local_pwd);
    g_free(ufrag);
    stun_agent_init(&p->stun, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    p->tie = ((guint64)g_random_int() << 32) | g_random_int();
    p->taken_over = TRUE;
    *out = p->wire;
    return TRUE;
}

static bool stun_password(StunAgent *agent, StunMessage *msg, uint8_t *username,
                          uint16_t username_len, uint8_t **password, size_t *password_len,
                          void *user_data)
{
    BenchPeer *p = user_data;
    *password = (uint8_t *)p->local_pwd;
    *password_len = strlen(p->local_pwd);
    return true;
}

gboolean bench_peer_answer_stun(BenchPeer *p, const guint8 *buf, gsize len,
                                const struct sockaddr_storage *from, socklen_t from_len)
{
    StunMessage req, resp;
    if (stun_agent_validate(&p->stun, &req, buf, len, stun_password, p) !=
            STUN_VALIDATION_SUCCESS ||
        stun_message_get_class(&req) != STUN_REQUEST)
        return FALSE;
    guint8 out[512];
    size_t out_len = sizeof out;
    bool control = false;
    StunUsageIceReturn r = stun_usage_ice_conncheck_create_reply(
        &p->stun, &req, &resp, out, &out_len, from, from_len, &control, p->tie,
        STUN_USAGE_ICE_COMPATIBILITY_RFC5245);
    if (r != STUN_USAGE_ICE_RETURN_SUCCESS || !out_len)
        return FALSE;
    return sendto(p->wire.fd, out, out_len, MSG_DONTWAIT, (const struct sockaddr *)from,
                  from_len) == (ssize_t)out_len;
}
