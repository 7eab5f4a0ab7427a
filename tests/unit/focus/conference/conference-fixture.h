/* SPDX-License-Identifier: MIT */
/* The fixture of the conference tests (test-jingle-conference.c, test-jingle-bridge-faults.c):
 * the whole focus (core) on the test bed with one room, bridges in the brewery and clients
 * scripted by the stanzas they would send, and the patterns of what the focus sends them. */
#pragma once

#include "focus/bridges/bridges.h"
#include "focus/conference/conference.h"
#include "focus/conference/conference-priv.h"
#include "focus/rooms/registry.h"

#include "testbed.h"

#define ROOM "r1@" TB_MUC
#define OCC TB_OCCUPANT
#define BREWERY TB_BREWERY
#define FP TB_FINGERPRINT

typedef struct {
    TestBed tb;
    FocusConferences *mgr;
    FocusBridges *br;
    FocusRegistry *reg;
    guint next_id;
} Fx;

#define JSON_FEATURES                                                                              \
    "<query xmlns='http://jabber.org/protocol/disco#info'>"                                        \
    "<feature var='urn:xmpp:jingle:apps:rtp:audio'/><feature "                                     \
    "var='urn:xmpp:jingle:apps:rtp:video'/>"                                                       \
    "<feature var='urn:ietf:rfc:4588'/><feature var='http://jitsi.org/tcc'/>"                      \
    "<feature var='http://jitsi.org/json-encoded-sources'/></query>"

/* A disco#info query from the focus. */
#define DISCO STANZA(.name = "iq", .type = "get", .has = {{"query", NS_DISCO_INFO}})

/* A conference-modify to @bridge (@has: elements it carries). */
#define MODIFY_TO(bridge, ...)                                                                     \
    STANZA(.name = "iq", .type = "set", .to = BREWERY "/" bridge,                                  \
           .has = {{"conference-modify", NS_COLIBRI2}, __VA_ARGS__})
#define MODIFY(...)                                                                                \
    STANZA(.name = "iq", .type = "set", .has = {{"conference-modify", NS_COLIBRI2}, __VA_ARGS__})
/* A Jingle @action to @nick's client. */
#define JINGLE_TO(nick, action)                                                                    \
    STANZA(.name = "iq", .type = "set", .to = ROOM "/" nick, .from = OCC,                          \
           .has = {{"jingle", NS_JINGLE, {"action", action}}})

/* A client's transport: its ICE credentials, DTLS setup active, one host candidate. */
#define TRANSPORT_ACTIVE                                                                           \
    "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='cli1' "                        \
    "pwd='clientpasswordclientpassword'><rtcp-mux/><fingerprint "                                  \
    "xmlns='urn:xmpp:jingle:apps:dtls:0' hash='sha-256' setup='active'>" FP "</fingerprint>"       \
    "<candidate component='1' foundation='2' generation='0' id='k1' ip='127.0.0.1' network='0' "   \
    "port='40000' priority='2122260223' protocol='udp' type='host'/></transport>"

#define TERMINATE                                                                                  \
    STANZA(.name = "iq", .has = {{"jingle", NS_JINGLE, {"action", "session-terminate"}}})
#define FOCUS_PRESENCE STANZA(.name = "presence", .to = ROOM "/focus")
#define NO_BRIDGE                                                                                  \
    STANZA(.name = "presence", .to = ROOM "/focus", .has = {{"bridgeNotAvailable", NS_FOCUS}})

/* Bridge @nick joins the brewery (@stress: its stress level, may be NULL), or leaves it. */
void bridge_join(Fx *fx, const char *nick, const char *stress);
void bridge_leave(Fx *fx, const char *nick);

/* The focus started on the test bed (a conference needs @min_participants), in the brewery. */
void fx_init(Fx *fx, guint min_participants);
void fx_clear(Fx *fx);

/* Replies to the sent IQ at @idx: a result with @inner as payload (may be NULL), or an error
 * with @condition and @extra (application-specific XML, may be NULL). */
void answer(Fx *fx, int idx, const char *inner);
void answer_error(Fx *fx, int idx, const char *condition, const char *extra);

/* The focus's room ROOM is created and configured. */
void room_ready(Fx *fx);

/* A participant joins. */
void occupant(Fx *fx, const char *nick);
void occupant_left(Fx *fx, const char *nick);

/* Answers the focus's disco#info to @nick sent at or after @from (@features NULL: an
 * error, as a client without disco support answers). */
void disco(Fx *fx, guint from, const char *nick, const char *features);

/* The conference-modify sent at or after @from creating endpoint @nick on @bridge, or -1. */
int find_alloc(Fx *fx, guint from, const char *bridge, const char *nick);

/* Answers allocation @idx for @nick with a transport and the bridge's feedback sources. */
void answer_alloc(Fx *fx, int idx, const char *nick);

/* The session-initiate to @nick sent at or after @from, or -1. */
int find_initiate(Fx *fx, guint from, const char *nick);

/* The Jingle sid of the IQ at @idx (transfer full). */
char *sid_of(Fx *fx, int idx);

/* A Jingle request from @nick; returns the index of the focus's reply to it. */
int client_jingle(Fx *fx, const char *nick, const char *action, const char *sid, const char *inner);

/* The Jingle IQ at @idx signals source @ssrc owned by @owner (either source form). */
gboolean carries(Fx *fx, int idx, const char *owner, guint32 ssrc);

/* The first source-add/-remove @action to @nick at or after @from that carries @owner's
 * @ssrc, or -1. */
int find_sources(Fx *fx, guint from, const char *action, const char *nick, const char *owner,
                 guint32 ssrc);

/* The type and the error condition of the reply at @idx. */
const char *reply_type(Fx *fx, int idx);
const char *reply_condition(Fx *fx, int idx);

/* session-accept content with one audio source and an FID video pair. */
char *accept_inner(const char *nick, guint32 base);

/* Two participants on bridge b1, invited; returns their session ids. */
void two_invited(Fx *fx, char **sid_a, char **sid_b);
