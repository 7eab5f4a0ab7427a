/* SPDX-License-Identifier: MIT */
/* The connection set-up shared by the simulated clients (media-sim-peer.c here and
 * tests/bench/bench-peer.c): a controlled libnice agent on 127.0.0.1 with one stream of one
 * component, this client's transport as a browser would answer (setup "active", sha-256
 * fingerprint of @cert, host candidates), the bridge's ICE credentials and candidates, and
 * the DTLS client toward the bridge.
 * What each client does with DTLS records and SRTP keys stays with it.
 *
 * Threads: the agent runs on the GMainContext given to sim_connect_agent_new(); call the rest
 * from that context's thread. */
#pragma once

#include <glib.h>
#include <nice/agent.h>

#include "bridge/dtls/dtls.h"
#include "common/transport.h"

G_BEGIN_DECLS

/* (transfer full) A controlled agent (no TCP, no UPnP) on @ctx with 127.0.0.1 as its only
 * local address and one stream (stored in *@stream) with one component. @on_gathered and
 * @on_state are connected to "candidate-gathering-done" and "component-state-changed", @on_recv
 * is attached to component 1, all with @user_data; gathering is started. Returns NULL (agent
 * freed) when libnice gathered no candidates. */
NiceAgent *sim_connect_agent_new(GMainContext *ctx, GCallback on_gathered, GCallback on_state,
                                 NiceAgentRecvFunc on_recv, gpointer user_data, guint *stream);

/* Fills @out (initialised by the caller; earlier strings are freed) with the agent's
 * credentials and host candidates, rtcp-mux, setup "active" and @cert's fingerprint. */
void sim_connect_get_transport(NiceAgent *agent, guint stream, BridgeDtlsCert *cert,
                               PaTransport *out);

/* Gives the agent the bridge's ICE credentials and candidates from @bridge. */
void sim_connect_set_remote_ice(NiceAgent *agent, guint stream, const PaTransport *bridge);

/* sim_connect_set_remote_ice(), then the DTLS client (transfer full) with @cert, sending
 * through @send(@user_data) and expecting @bridge's sha-256 fingerprint; its handshake starts
 * at once when @ice_connected (otherwise the caller starts it when ICE connects). */
BridgeDtls *sim_connect_set_remote(NiceAgent *agent, guint stream, const PaTransport *bridge,
                                   const BridgeDtlsCert *cert, BridgeDtlsSendFunc send,
                                   gpointer user_data, gboolean ice_connected);

G_END_DECLS
