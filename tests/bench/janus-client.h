/* SPDX-License-Identifier: MIT */
/* A client of Janus's HTTP API and VideoRoom plugin for the side-by-side benchmark
 * (sfu-load): sessions, handles, synchronous requests, the long-poll event queue, and the
 * little SDP the simulated participants need (an offer a publisher sends, the answer a
 * subscriber returns, the transport in Janus's SDP). Blocking calls on the caller's thread;
 * libsoup's synchronous API, no main loop. */
#pragma once

#include <glib.h>
#include <jansson.h>

#include "common/transport.h"

G_BEGIN_DECLS

typedef struct _JanusClient JanusClient;

/* @base: "http://127.0.0.1:8088/janus". Creates a session (NULL with @error on failure). */
JanusClient *janus_client_new(const char *base, GError **error);
void janus_client_free(JanusClient *c);
/* Attaches a handle to the VideoRoom plugin; 0 on failure. */
guint64 janus_attach(JanusClient *c, GError **error);
/* A plugin request on @handle: @body (transfer none) with an optional JSEP (@jsep_type,
 * @sdp). A synchronous answer (plugindata) comes back at once (transfer full); an "ack" means
 * the answer will be an event (janus_wait_event). NULL with @error on failure. */
json_t *janus_message(JanusClient *c, guint64 handle, json_t *body, const char *jsep_type,
                      const char *sdp, GError **error);
/* The next event for @handle carrying plugindata or a JSEP (others are skipped), waiting up
 * to @timeout_ms (transfer full; NULL on timeout or error). */
json_t *janus_wait_event(JanusClient *c, guint64 handle, guint timeout_ms, GError **error);

/* ---- SDP ---- */

/* What a simulated participant puts in an SDP: its ICE credentials, fingerprint, candidates
 * (from sim_peer_get_transport), SSRCs. */
typedef struct {
    const PaTransport *transport;
    const char *setup; /* "actpass" in an offer, "active" in an answer */
    guint32 audio_ssrc, video_ssrc;
    const char *cname;
} JanusSdpSide;

/* A publisher's offer: BUNDLE of an Opus audio (PT 111) and a VP8 video (PT 100) m-line,
 * send-only, rtcp-mux, the benchmark's header extensions (transfer full). */
char *janus_sdp_offer(const JanusSdpSide *me);
/* A subscriber's answer to Janus's offer @offer: every m-line accepted receive-only with its
 * first payload type, mids and BUNDLE kept (transfer full). */
char *janus_sdp_answer(const char *offer, const JanusSdpSide *me);
/* The transport in @sdp (session or first media level): ufrag, pwd, fingerprint, setup,
 * host candidates. FALSE if something is missing. @out must be initialised. */
gboolean janus_sdp_transport(const char *sdp, PaTransport *out);

G_END_DECLS
