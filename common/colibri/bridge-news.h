/* SPDX-License-Identifier: MIT */
/* What a bridge tells the focus without being asked (namespace "urn:parley:bridge:0"): the
 * bridge dropped an endpoint on its own (ICE or DTLS failed, ICE consent lost, no media for
 * too long). Sent as an IQ set to the JID the conference's last conference-modify came from
 * (the focus's brewery occupant), so the MUC stamps the bridge's occupant JID on it and the
 * focus knows which bridge speaks:
 *
 *   <iq type="set" to="jvbbrewery@internal.auth.DOMAIN/focus">
 *     <endpoint-expired xmlns="urn:parley:bridge:0" meeting-id="..." endpoint="alice01"
 *                       reason="failed|timeout" conference="kept|ended">ICE consent lost
 *     </endpoint-expired>
 *   </iq>
 *
 * reason: "failed" (ICE or DTLS failed, consent lost), "timeout" (no media, or no ICE in
 * time); a reason this side does not know reads as "failed". conference: whether the Colibri2
 * conference still exists on the bridge ("kept": the focus may allocate into it without
 * create) or ended with this endpoint. The text is for logs. Jitsi Videobridge has no such
 * message (docs/protocol.md).
 *
 * Pure: no I/O, no logging; the struct is owned by its holder (pa_bridge_expired_clear). */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define PA_NS_PARLEY_BRIDGE "urn:parley:bridge:0"
#define PA_BRIDGE_EXPIRED "endpoint-expired"

typedef enum {
    PA_BRIDGE_EXPIRED_FAILED,  /* ICE or DTLS failed, ICE consent lost */
    PA_BRIDGE_EXPIRED_TIMEOUT, /* no media (or no ICE) for too long */
} PaBridgeExpiredReason;

typedef struct {
    char *meeting_id;
    char *endpoint;
    PaBridgeExpiredReason reason;
    gboolean conference_ended;
    char *text; /* may be NULL */
} PaBridgeExpired;

void pa_bridge_expired_clear(PaBridgeExpired *e);
const char *pa_bridge_expired_reason_str(PaBridgeExpiredReason r);

/* The <endpoint-expired/> element (transfer full). */
xmpp_stanza_t *pa_bridge_expired_build(xmpp_ctx_t *ctx, const PaBridgeExpired *e);
/* Reads <endpoint-expired/> from IQ @iq into @out. FALSE (and *@why, transfer full) when it is
 * missing or malformed (no meeting-id or endpoint, ids longer than 256 bytes or not text). */
gboolean pa_bridge_expired_parse(xmpp_stanza_t *iq, PaBridgeExpired *out, char **why);

G_END_DECLS
