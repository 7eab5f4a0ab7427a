/* SPDX-License-Identifier: MIT */
/* What a participant's client supports, and the Jingle offer (session-initiate) the focus
 * builds from it. Pure: no I/O, no state, no logging.
 *
 * Features come from a disco#info query to the participant's occupant JID (as Jicofo does);
 * when the query fails, the features current lib-jitsi-meet always advertises are assumed
 * (audio, video, RTX, transport-cc, source names, JSON-encoded sources).
 *
 * The offer follows Jicofo's defaults (jitsi-wire-reference.md §2), with two deliberate
 * differences, both because parley-bridge forwards packets without touching their header
 * extensions or opening a data channel:
 *  - no "data" content: clients then use the colibri-ws WebSocket for the bridge channel;
 *  - no sdes:mid header extension (id 10) unless FocusOfferConfig.mid says so: a browser
 *    that negotiated it routes each packet by the mid inside it, and a forwarded packet
 *    carries its sender's mid, which names a different m-line (often the receiver's own
 *    send m-line) at the receiver. Jicofo's code base keeps mid signalling commented out for
 *    the same reason unless the bridge rewrites mids.
 *
 * Audio: Opus 111/48000/2 (minptime=10, useinbandfec=1, rtcp-fb transport-cc with TCC),
 *        telephone-event 126/8000; maxptime 60; header extensions ssrc-audio-level 1,
 *        [mid 10], transport-cc 5 (with TCC).
 * Video: AV1 41, VP8 100, H264 107 (profile-level-id "42e01f;level-asymmetry-allowed=1;
 *        packetization-mode=1;"), VP9 101, each with ccm fir, nack, nack pli, [goog-remb
 *        without TCC when the client has REMB], [transport-cc with TCC]; with RTX: rtx 42
 *        (apt 41), 96 (apt 100), 97 (apt 101) with fir/nack/pli, 99 (apt 107) without;
 *        header extensions AV1 dependency descriptor 11, abs-send-time 3, [mid 10],
 *        transport-cc 5 (with TCC).
 * Both: extmap-allow-mixed, rtcp-mux; contents creator=initiator senders=both with the
 * bridge's transport; BUNDLE group; bridge-session. */
#pragma once

#include "common/jingle/jingle.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define FOCUS_FEATURE_AUDIO "urn:xmpp:jingle:apps:rtp:audio"
#define FOCUS_FEATURE_VIDEO "urn:xmpp:jingle:apps:rtp:video"
#define FOCUS_FEATURE_SCTP "urn:xmpp:jingle:transports:dtls-sctp:1"
#define FOCUS_FEATURE_RTX "urn:ietf:rfc:4588"
#define FOCUS_FEATURE_TCC "http://jitsi.org/tcc"
#define FOCUS_FEATURE_REMB "http://jitsi.org/remb"
#define FOCUS_FEATURE_OPUS_RED "http://jitsi.org/opus-red"
#define FOCUS_FEATURE_SOURCE_NAMES "http://jitsi.org/source-name"
#define FOCUS_FEATURE_JSON_SOURCES "http://jitsi.org/json-encoded-sources"

typedef struct {
    gboolean audio, video;
    gboolean rtx, tcc, remb, opus_red;
    gboolean source_names;
    gboolean json_sources;
} FocusFeatures;

/* What current lib-jitsi-meet advertises (used when disco fails). */
void focus_features_default(FocusFeatures *f);
/* Reads the <feature var/> list of a disco#info result. A result with no audio and no video
 * feature at all (a client that lists none) is read as audio+video. */
void focus_features_from_disco(FocusFeatures *f, xmpp_stanza_t *result);
/* <iq type=get from to><query xmlns=disco#info/></iq> (transfer full, no id). */
xmpp_stanza_t *focus_features_disco_request(xmpp_ctx_t *ctx, const char *from, const char *to);
/* "audio video rtx tcc json" style summary for logs (transfer full). */
char *focus_features_str(const FocusFeatures *f);

typedef struct {
    gboolean mid;             /* offer the sdes:mid header extension (see above); FALSE */
    gboolean telephone_event; /* offer telephone-event 126; TRUE */
} FocusOfferConfig;

void focus_offer_config_default(FocusOfferConfig *cfg);

/* The codecs for one media, as Jingle description / Colibri2 <media> (rtp->video set by the
 * caller; arrays allocated). Returns FALSE (nothing added) when @f lacks that media. */
gboolean focus_offer_codecs(PaMediaDesc *rtp, gboolean video, const FocusFeatures *f,
                            const FocusOfferConfig *cfg);

/* The Colibri2 <media> list for an endpoint allocation: appends one PaMediaDesc per
 * offered media to @media (an array of PaMediaDesc with its clear function). */
void focus_offer_colibri_media(GArray *media, const FocusFeatures *f, const FocusOfferConfig *cfg);

typedef struct {
    const char *sid;
    const char *initiator;        /* the focus's full JID (<component>/focus) */
    const PaTransport *transport; /* the bridge's transport for this endpoint */
    const char *bridge_session_id;
    const char *region;             /* bridge region, may be NULL */
    const PaJingleSources *sources; /* every other participant's sources and the bridge's */
    const FocusFeatures *features;
    const FocusOfferConfig *config;
} FocusOfferParams;

/* Fills @out (initialised) with the session-initiate for @p. Sources go in the JSON form
 * when the client has JSON-encoded sources, else in the descriptions. */
void focus_offer_build(PaJingle *out, const FocusOfferParams *p);

G_END_DECLS
