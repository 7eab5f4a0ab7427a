/* SPDX-License-Identifier: MIT */
/* Connection set-up shared by the simulated clients (see sim-connect.h). Stateless; the agent
 * belongs to the GMainContext it was made on. */
#include "sim-connect.h"

#include <string.h>

NiceAgent *sim_connect_agent_new(GMainContext *ctx, GCallback on_gathered, GCallback on_state,
                                 NiceAgentRecvFunc on_recv, gpointer user_data, guint *stream)
{
    NiceAgent *agent = nice_agent_new(ctx, NICE_COMPATIBILITY_RFC5245);
    g_object_set(agent, "controlling-mode", FALSE, "ice-tcp", FALSE, "upnp", FALSE, NULL);
    NiceAddress a;
    nice_address_init(&a);
    nice_address_set_from_string(&a, "127.0.0.1");
    nice_agent_add_local_address(agent, &a);
    *stream = nice_agent_add_stream(agent, 1);
    g_signal_connect(agent, "candidate-gathering-done", on_gathered, user_data);
    g_signal_connect(agent, "component-state-changed", on_state, user_data);
    nice_agent_attach_recv(agent, *stream, 1, ctx, on_recv, user_data);
    if (!nice_agent_gather_candidates(agent, *stream)) {
        nice_agent_attach_recv(agent, *stream, 1, ctx, NULL, NULL);
        g_signal_handlers_disconnect_by_data(agent, user_data);
        g_object_unref(agent);
        return NULL;
    }
    return agent;
}

void sim_connect_get_transport(NiceAgent *agent, guint stream, BridgeDtlsCert *cert,
                               PaTransport *out)
{
    gchar *ufrag = NULL, *pwd = NULL;
    nice_agent_get_local_credentials(agent, stream, &ufrag, &pwd);
    g_free(out->ufrag);
    g_free(out->pwd);
    out->ufrag = ufrag;
    out->pwd = pwd;
    out->rtcp_mux = TRUE;
    g_free(out->fingerprint_hash);
    out->fingerprint_hash = g_strdup("sha-256");
    g_free(out->fingerprint);
    out->fingerprint = g_strdup(bridge_dtls_cert_fingerprint(cert));
    g_free(out->setup);
    out->setup = g_strdup("active");
    GSList *cands = nice_agent_get_local_candidates(agent, stream, 1);
    for (GSList *l = cands; l; l = l->next) {
        NiceCandidate *c = l->data;
        PaIceCandidate pc;
        memset(&pc, 0, sizeof pc);
        g_strlcpy(pc.foundation, c->foundation, sizeof pc.foundation);
        pc.component = 1;
        g_strlcpy(pc.protocol, "udp", sizeof pc.protocol);
        pc.priority = c->priority;
        nice_address_to_string(&c->addr, pc.ip);
        pc.port = nice_address_get_port(&c->addr);
        g_strlcpy(pc.type, "host", sizeof pc.type);
        g_array_append_val(out->candidates, pc);
    }
    g_slist_free_full(cands, (GDestroyNotify)nice_candidate_free);
}

void sim_connect_set_remote_ice(NiceAgent *agent, guint stream, const PaTransport *bridge)
{
    nice_agent_set_remote_credentials(agent, stream, bridge->ufrag, bridge->pwd);
    GSList *list = NULL;
    for (guint i = 0; i < bridge->candidates->len; i++) {
        const PaIceCandidate *pc = &g_array_index(bridge->candidates, PaIceCandidate, i);
        NiceCandidate *c = nice_candidate_new(NICE_CANDIDATE_TYPE_HOST);
        c->stream_id = stream;
        c->component_id = 1;
        c->transport = NICE_CANDIDATE_TRANSPORT_UDP;
        c->priority = pc->priority;
        g_strlcpy(c->foundation, pc->foundation, sizeof c->foundation);
        nice_address_set_from_string(&c->addr, pc->ip);
        nice_address_set_port(&c->addr, pc->port);
        list = g_slist_append(list, c);
    }
    nice_agent_set_remote_candidates(agent, stream, 1, list);
    g_slist_free_full(list, (GDestroyNotify)nice_candidate_free);
}

BridgeDtls *sim_connect_set_remote(NiceAgent *agent, guint stream, const PaTransport *bridge,
                                   const BridgeDtlsCert *cert, BridgeDtlsSendFunc send,
                                   gpointer user_data, gboolean ice_connected)
{
    sim_connect_set_remote_ice(agent, stream, bridge);
    BridgeDtls *dtls = bridge_dtls_new(cert, BRIDGE_DTLS_ROLE_CLIENT, send, user_data);
    bridge_dtls_set_remote_fingerprint(dtls, "sha-256", bridge->fingerprint);
    if (ice_connected)
        bridge_dtls_start(dtls);
    return dtls;
}
