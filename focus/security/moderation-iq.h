/* SPDX-License-Identifier: MIT */
/* Moderation on the wire (docs/protocol.md, "Moderation"): parsing and validating the two
 * requests a moderator sends to the focus, and building what the focus sends back.
 *
 *   Remote mute (Jitsi's convention): an IQ set to the focus's occupant JID
 *   (room@MUC/focus), delivered by the MUC from the sender's occupant JID:
 *     <mute xmlns="http://jitsi.org/jitmeet/audio|video|desktop" jid="room@MUC/nick">true</mute>
 *   The focus forwards the same element, with actor="<the sender's occupant JID>", to the
 *   target's occupant JID.
 *
 *   End the meeting for everyone (Parley's own): an IQ set to focus.DOMAIN from the sender's
 *   real full JID:
 *     <end-conference xmlns="urn:parley:end-conference:0" room="room@MUC"/>
 *
 * Pure: no I/O, no state, no logging; stanzas are made in the caller's xmpp_ctx_t. Safe to call
 * with anything a peer sends. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define FOCUS_NS_MUTE_AUDIO "http://jitsi.org/jitmeet/audio"
#define FOCUS_NS_MUTE_VIDEO "http://jitsi.org/jitmeet/video"
#define FOCUS_NS_MUTE_DESKTOP "http://jitsi.org/jitmeet/desktop"
#define FOCUS_NS_END_CONFERENCE "urn:parley:end-conference:0"

/* The reason in the room's destroy presence when a moderator ends the meeting. */
#define FOCUS_END_CONFERENCE_REASON "A moderator ended the meeting for everyone"

typedef enum {
    FOCUS_MUTE_AUDIO,
    FOCUS_MUTE_VIDEO,
    FOCUS_MUTE_DESKTOP,
} FocusMuteMedia;

const char *focus_mute_media_str(FocusMuteMedia media);
/* The request namespace of @media. */
const char *focus_mute_media_ns(FocusMuteMedia media);

typedef enum {
    FOCUS_MODERATION_OK = 0,
    FOCUS_MODERATION_NOT_OURS,     /* no <mute/> or <end-conference/> of ours: modify/bad-request */
    FOCUS_MODERATION_BAD_TYPE,     /* not an IQ set: modify/bad-request */
    FOCUS_MODERATION_BAD_VALUE,    /* an attribute or the text missing or malformed, a from that
                                    * is not a full JID: modify/bad-request */
    FOCUS_MODERATION_BAD_ROOM,     /* end: not a bare room JID with a valid name:
                                    * modify/jid-malformed */
    FOCUS_MODERATION_WRONG_DOMAIN, /* end: a room on another MUC service: cancel/not-allowed */
    FOCUS_MODERATION_NOT_OCCUPANT, /* mute: the sender is no occupant of a room on the focus's
                                    * MUC service: cancel/item-not-found (no such conference) */
} FocusModerationStatus;

typedef struct {
    FocusMuteMedia media;
    gboolean mute;     /* the text: true (mute) or false (unmute) */
    char *room;        /* the sender's room, canonical (focus_muc_room_key()) */
    char *actor;       /* the sender's occupant JID, as the MUC stamped it */
    char *actor_nick;  /* its nick */
    char *target_nick; /* the jid's nick when the jid is an occupant JID of the sender's room,
                        * else NULL (no such occupant) */
} FocusMuteRequest;

/* Parses @iq (an IQ get/set whose payload is <mute/> in one of the three mute namespaces) for
 * the MUC service @muc_domain. On FOCUS_MODERATION_OK fills @out (free with
 * focus_mute_request_clear()); otherwise @out is zeroed and *@why (if not NULL) gets a
 * sentence for the client (transfer full). The checks run in this order: type, payload,
 * jid and text, then the sender. */
FocusModerationStatus focus_moderation_parse_mute(xmpp_stanza_t *iq, const char *muc_domain,
                                                  FocusMuteRequest *out, char **why);
void focus_mute_request_clear(FocusMuteRequest *req);

typedef struct {
    char *room; /* canonical room JID (focus_muc_room_key()) */
    char *from; /* the requester's real full JID, as the server stamped it */
} FocusEndRequest;

/* Parses @iq (payload <end-conference/> in FOCUS_NS_END_CONFERENCE) like
 * focus_moderation_parse_mute(). */
FocusModerationStatus focus_moderation_parse_end(xmpp_stanza_t *iq, const char *muc_domain,
                                                 FocusEndRequest *out, char **why);
void focus_end_request_clear(FocusEndRequest *req);

/* The error reply for a request that did not parse (@why may be NULL) (transfer full). */
xmpp_stanza_t *focus_moderation_error_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq,
                                            FocusModerationStatus status, const char *why);

/* The mute IQ set the focus sends the participant being muted: from @from (the focus's
 * occupant, "focus.DOMAIN/focus"; the MUC delivers it from room@MUC/focus) to @to (its
 * occupant JID), <mute xmlns=@media's actor=@actor>true|false</mute>, no id (transfer full). */
xmpp_stanza_t *focus_moderation_mute_stanza(xmpp_ctx_t *ctx, const char *from, const char *to,
                                            FocusMuteMedia media, gboolean mute, const char *actor);

G_END_DECLS
