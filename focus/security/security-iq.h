/* SPDX-License-Identifier: MIT */
/* The Parley room-security protocol on the wire (namespace urn:parley:lobby:0, specified in
 * docs/security.md): parsing and validating the IQs clients send to the focus component, and
 * building every stanza the lobby's decisions (focus/security/lobby.h) turn into: replies,
 * notifications to moderators and knockers, the room's security configuration form, member grants.
 *
 * Requests (IQ to focus.DOMAIN; @room is a bare room JID on the focus's MUC service):
 *   set <lobby room enabled="true|false"/>        moderator: lobby on / off
 *   get <lobby room/>                             occupant: state (+ pending knocks for moderators)
 *   set <password room value="..."/>              moderator: set (value="" removes)
 *   set <knock room nick="Display" [password]/>  someone outside: ask to be let in
 *   set <cancel room knock="ID"/>                 that knocker: withdraw
 *   set <admit room knock="ID"/>                  moderator: let in
 *   set <refuse room knock="ID" [reason]/>        moderator: turn away
 * Messages from the focus (type headline, to a full real JID):
 *   <knock xmlns room id status [nick jid] [by] [reason]/>  a knock's news
 *   <lobby xmlns room enabled password/>                      the lobby state
 *
 * Pure: no I/O, no state, no logging; stanzas are made in the caller's xmpp_ctx_t. Safe to call
 * with anything a peer sends. */
#pragma once

#include "focus/security/lobby.h"

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define FOCUS_NS_LOBBY "urn:parley:lobby:0"

/* Limits on what a client may send (longer: modify/not-acceptable). */
#define FOCUS_SECURITY_MAX_NICK 64      /* code points, after trimming */
#define FOCUS_SECURITY_MAX_PASSWORD 256 /* bytes */
#define FOCUS_SECURITY_MAX_REASON 512   /* bytes */
#define FOCUS_SECURITY_MAX_KNOCK_ID 64  /* bytes */

typedef enum {
    FOCUS_SECURITY_LOBBY_SET,
    FOCUS_SECURITY_LOBBY_GET,
    FOCUS_SECURITY_PASSWORD,
    FOCUS_SECURITY_KNOCK,
    FOCUS_SECURITY_CANCEL,
    FOCUS_SECURITY_ADMIT,
    FOCUS_SECURITY_REFUSE,
} FocusSecurityKind;

const char *focus_security_kind_str(FocusSecurityKind k);

typedef enum {
    FOCUS_SECURITY_OK = 0,
    FOCUS_SECURITY_NOT_OURS,        /* no child element in FOCUS_NS_LOBBY: modify/bad-request */
    FOCUS_SECURITY_UNKNOWN_ELEMENT, /* an element of ours we do not know: feature-not-implemented */
    FOCUS_SECURITY_BAD_TYPE,        /* get where set is needed or the reverse: modify/bad-request */
    FOCUS_SECURITY_BAD_FROM,        /* from missing, unparsable or bare: modify/bad-request */
    FOCUS_SECURITY_NO_ROOM,         /* room attribute missing or empty: modify/bad-request */
    FOCUS_SECURITY_BAD_ROOM,     /* not a bare room JID with a valid name: modify/jid-malformed */
    FOCUS_SECURITY_WRONG_DOMAIN, /* a room on another MUC service: cancel/not-allowed */
    FOCUS_SECURITY_BAD_VALUE,    /* a required attribute missing or malformed: modify/bad-request */
    FOCUS_SECURITY_TOO_LONG, /* nick, password, reason or knock id too long: modify/not-acceptable
                              */
} FocusSecurityStatus;

typedef struct {
    FocusSecurityKind kind;
    char *room;       /* canonical room JID (focus_muc_room_key()) */
    char *from;       /* the requester's full JID, as the server stamped it */
    gboolean enabled; /* LOBBY_SET */
    char *password;   /* PASSWORD: the new password, NULL to remove; KNOCK: NULL if none */
    char *nick;       /* KNOCK: display name, trimmed, 1..FOCUS_SECURITY_MAX_NICK code points */
    char *knock_id;   /* CANCEL, ADMIT, REFUSE */
    char *reason;     /* REFUSE: NULL if none */
} FocusSecurityRequest;

/* Parses and validates @iq (an IQ get/set whose payload is in FOCUS_NS_LOBBY) for the MUC
 * service @muc_domain. On FOCUS_SECURITY_OK fills @out (free with
 * focus_security_request_clear()); otherwise @out is zeroed and *@why (if not NULL) gets a
 * sentence for the client (transfer full). */
FocusSecurityStatus focus_security_parse(xmpp_stanza_t *iq, const char *muc_domain,
                                         FocusSecurityRequest *out, char **why);
void focus_security_request_clear(FocusSecurityRequest *req);

/* ---- replies to requests (transfer full) ---- */

/* The error for a request that did not parse (@why may be NULL). */
xmpp_stanza_t *focus_security_error_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq,
                                          FocusSecurityStatus status, const char *why);

/* The error for a lobby decision: FORBIDDEN auth/forbidden, NO_KNOCK and ENDED
 * cancel/item-not-found, IN_ROOM cancel/not-allowed, DUPLICATE cancel/conflict, FULL
 * wait/resource-constraint, BAD_PASSWORD auth/not-authorized, TOO_MANY_TRIES
 * wait/policy-violation, BUSY wait/unexpected-request, MUC_FAILED wait/internal-server-error.
 * FOCUS_LOBBY_OK is not an error: returns NULL. */
xmpp_stanza_t *focus_security_lobby_error(xmpp_ctx_t *ctx, xmpp_stanza_t *iq,
                                          FocusLobbyStatus status);

/* cancel/item-not-found: the focus runs no conference in that room. */
xmpp_stanza_t *focus_security_no_room_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq);

/* <knock xmlns room id status/> result (@knock_id NULL: no id attribute, as for "open"). */
xmpp_stanza_t *focus_security_knock_result(xmpp_ctx_t *ctx, xmpp_stanza_t *iq, const char *room,
                                           const char *knock_id, FocusLobbyKnockStatus status);

/* <lobby xmlns room enabled password> result, with one <knock id nick jid waiting/> per
 * knock in @knocks (FocusLobbyKnock*, may be NULL: a non-moderator sees no knocks); knocks
 * being admitted are left out. waiting = whole seconds since the knock (@now_us). */
xmpp_stanza_t *focus_security_lobby_result(xmpp_ctx_t *ctx, xmpp_stanza_t *iq, const char *room,
                                           gboolean enabled, gboolean has_password,
                                           GPtrArray *knocks, gint64 now_us);

/* The answer @a (a FOCUS_LOBBY_ACTION_REPLY) calls for, to request @iq of kind @kind: an error
 * when a->status is not OK, else the knock result for KNOCK, an empty result otherwise. */
xmpp_stanza_t *focus_security_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq, FocusSecurityKind kind,
                                    const char *room, const FocusLobbyAction *a);

/* ---- stanzas the focus originates (transfer full) ---- */

/* The stanza for a GRANT_MEMBER, SUBMIT_CONFIG, NOTIFY_KNOCK or NOTIFY_STATE action: IQs to
 * @room sent from @occupant_jid (the focus's own occupant, "focus.DOMAIN/focus"; no id set),
 * messages of type headline from @component_jid to a->to. NULL for a REPLY action. */
xmpp_stanza_t *focus_security_action_stanza(xmpp_ctx_t *ctx, const char *component_jid,
                                            const char *occupant_jid, const char *room,
                                            const FocusLobbyAction *a);

/* IQ set to @room: muc#owner form with membersonly, passwordprotectedroom and roomsecret only
 * (fields not named keep their values on Prosody and ejabberd alike). */
xmpp_stanza_t *focus_security_config_form(xmpp_ctx_t *ctx, const char *from, const char *room,
                                          gboolean members_only, const char *secret);

/* IQ get to @room for its muc#owner configuration form (no id). */
xmpp_stanza_t *focus_security_config_query(xmpp_ctx_t *ctx, const char *from, const char *room);

/* Reads membersonly, passwordprotectedroom and roomsecret from the reply to
 * focus_security_config_query(). Without a passwordprotectedroom field (Prosody) a non-empty
 * secret means protected. *@secret (transfer full) is NULL when empty or absent. FALSE (and
 * nothing set) when @result carries no muc#owner data form. */
gboolean focus_security_parse_config(xmpp_stanza_t *result, gboolean *members_only,
                                     gboolean *password_protected, char **secret);

/* IQ get to @room for its members (muc#admin, affiliation member; no id). */
xmpp_stanza_t *focus_security_members_query(xmpp_ctx_t *ctx, const char *from, const char *room);

/* The bare JIDs of the items of the reply to focus_security_members_query() (transfer
 * container, strings owned by the array), or NULL when @result carries no muc#admin query.
 * Items without a valid JID are skipped; at most @max are read. */
GPtrArray *focus_security_parse_members(xmpp_stanza_t *result, guint max);

G_END_DECLS
