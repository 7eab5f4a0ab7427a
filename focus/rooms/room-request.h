/* SPDX-License-Identifier: MIT */
/* The room request: the <conference xmlns="http://jitsi.org/protocol/focus"/> IQ a client
 * sends before joining a room, asking the focus to set the room up (Jicofo calls it the
 * conference request; in Parley "conference" is the media side, focus/conference/). Parsing
 * and validation, and the replies. Pure: no I/O, no state, no logging.
 *
 * Request: <iq type="set"><conference xmlns=... room="name@muc" machine-uid=... [token]
 *          [session-id]><property name value/>*</conference></iq>
 * Reply:   <conference xmlns=... room=... ready="true" focusjid="focus.DOMAIN">
 *          <property name="authentication" value="false"/>...</conference> */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define FOCUS_NS_FOCUS "http://jitsi.org/protocol/focus"

typedef enum {
    FOCUS_ROOM_REQUEST_OK = 0,
    FOCUS_ROOM_REQUEST_NOT_OURS,     /* no <conference xmlns=focus> child: not ours */
    FOCUS_ROOM_REQUEST_BAD_TYPE,     /* type is not "set" (a get, say) */
    FOCUS_ROOM_REQUEST_NO_ROOM,      /* room attribute missing or empty */
    FOCUS_ROOM_REQUEST_BAD_ROOM,     /* not a bare room JID with a valid name */
    FOCUS_ROOM_REQUEST_WRONG_DOMAIN, /* a room on another MUC service than the focus serves */
} FocusRoomRequestStatus;

typedef struct {
    char *room;             /* canonical room JID (see focus_muc_room_key()) */
    char *machine_uid;      /* may be NULL */
    char *session_id;       /* may be NULL */
    GHashTable *properties; /* name -> value (both owned); never NULL on success */
} FocusRoomRequest;

/* What the room requests were answered, for the focus's metrics (focus/http): counted where
 * each answer is sent (the registry and the rooms share one). */
typedef struct {
    guint64 ready;          /* ready="true" */
    guint64 not_authorized; /* secure domain: a guest asked for a room no logged-in user opened */
    guint64 rejected;       /* not a valid request (bad-request, not-allowed) */
    guint64 failed;         /* the room could not be set up, was ending, or had too many waiting */
} FocusRoomRequestStats;

/* Parses and validates @iq against the MUC service @muc_domain. On FOCUS_ROOM_REQUEST_OK fills
 * @out (free with focus_room_request_clear()); otherwise @out is zeroed and, if @why
 * is not NULL, *@why receives a sentence for the client (transfer full). */
FocusRoomRequestStatus focus_room_request_parse(xmpp_stanza_t *iq, const char *muc_domain,
                                                FocusRoomRequest *out, char **why);
void focus_room_request_clear(FocusRoomRequest *req);

/* The error reply to a rejected request (transfer full): NO_ROOM, BAD_ROOM and BAD_TYPE ->
 * modify/bad-request, WRONG_DOMAIN -> cancel/not-allowed, each with @why as text. */
xmpp_stanza_t *focus_room_request_error_reply(xmpp_ctx_t *ctx, xmpp_stanza_t *iq,
                                              FocusRoomRequestStatus status, const char *why);

/* The result for @iq: room ready, focusjid=@focus_jid (the focus's bare JID, which its MUC
 * occupant's real JID starts with, followed by '/'), plus the properties the client reads
 * (authentication=false, sipGatewayEnabled=false) (transfer full). */
xmpp_stanza_t *focus_room_request_result(xmpp_ctx_t *ctx, xmpp_stanza_t *iq, const char *room,
                                         const char *focus_jid, gboolean ready);

/* Secure domain (auth.login_domain): marks @result (from focus_room_request_result()) as
 * coming from a focus that authenticates (the property authentication=true, as Jicofo with
 * XMPP authentication), and, when @identity (the requester's bare JID) is not NULL, names the
 * logged-in user (identity="..."). */
void focus_room_request_result_set_auth(xmpp_stanza_t *result, const char *identity);

/* The error reply for a guest whose room no logged-in user has opened (transfer full):
 * auth/not-authorized, as Jicofo answers; clients wait for the host and ask again. */
xmpp_stanza_t *focus_room_request_not_authorized(xmpp_ctx_t *ctx, xmpp_stanza_t *iq);

G_END_DECLS
