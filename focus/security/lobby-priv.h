/* SPDX-License-Identifier: MIT */
/* Internal to focus/security/lobby*.c (and their tests): the lobby's state, the MUC operations
 * it tracks, and the helpers its files share. lobby.c: names, actions, knocks, operations,
 * lifecycle, queries; lobby-requests.c: the requests; lobby-events.c: operation results and
 * room events. Thread: the focus event-loop thread. */
#pragma once

#include "focus/security/lobby.h"

G_BEGIN_DECLS

typedef enum {
    FOCUS_LOBBY_OP_GRANT_ENABLE, /* member grant for an occupant before members-only */
    FOCUS_LOBBY_OP_GRANT_ADMIT,  /* member grant admitting a knock */
    FOCUS_LOBBY_OP_CONFIG,       /* the security owner form */
    FOCUS_LOBBY_OP_REVOKE,       /* member affiliation taken back from someone who left */
} FocusLobbyOpKind;

typedef enum {
    FOCUS_LOBBY_CFG_ENABLE,   /* ENABLING -> ON */
    FOCUS_LOBBY_CFG_DISABLE,  /* DISABLING -> OFF */
    FOCUS_LOBBY_CFG_PASSWORD, /* password change while OFF */
    FOCUS_LOBBY_CFG_SYNC,     /* re-apply or normalise; nobody waits */
} FocusLobbyConfigPurpose;

typedef struct {
    guint id;
    FocusLobbyOpKind kind;
    char *jid;      /* grants: bare JID */
    char *knock_id; /* FOCUS_LOBBY_OP_GRANT_ADMIT */
    char *by;       /* FOCUS_LOBBY_OP_GRANT_ADMIT: moderator nick, NULL for the password */
    gboolean gates; /* FOCUS_LOBBY_OP_GRANT_ENABLE: the form waits for it */
    FocusLobbyConfigPurpose purpose;
    char *password;   /* a password change: the new password (NULL: none) */
    gpointer request; /* who waits for this operation (owned), or NULL */
} FocusLobbyOp;

typedef struct {
    gboolean moderator;
    guint gen;
} FocusLobbyKnown;

struct _FocusLobby {
    FocusLobbySettings s;
    GDestroyNotify request_free;
    FocusLobbyPhase phase;
    char *password;
    GPtrArray *knocks; /* FocusLobbyKnock*, arrival order */
    guint64 knock_seq;
    GHashTable *ops; /* id -> FocusLobbyOp* */
    guint next_op;
    guint config_op;         /* FOCUS_LOBBY_OP_CONFIG in flight, 0 if none */
    gpointer enable_request; /* toggle waiting for the ENABLING grants */
    GHashTable *enable_jids; /* bare JIDs granted (or in flight) during this ENABLING */
    guint enable_pending;    /* gating grants in flight */
    gboolean enable_failed;
    GHashTable *known;   /* occupant real JID -> FocusLobbyKnown* */
    GHashTable *granted; /* bare JIDs the focus made members (set), until they leave */
    guint gen;
    gint64 pw_window_start;
    guint pw_failures;
};

/* ---- lobby.c ---- */

/* The occupant with @jid if it is a moderator, or NULL. */
const FocusLobbyOccupant *focus_lobby_find_moderator(const FocusLobbyRoster *r, const char *jid);
/* Appends an action of @kind (transfer none). */
FocusLobbyAction *focus_lobby_push(FocusLobbyActions *actions, FocusLobbyActionKind kind);
/* REPLY for @request (transfer full) with @status. */
FocusLobbyAction *focus_lobby_reply(FocusLobby *lobby, FocusLobbyActions *actions, gpointer request,
                                    FocusLobbyStatus status);
void focus_lobby_notify_knock(FocusLobbyActions *actions, const char *to, gboolean to_knocker,
                              const FocusLobbyKnock *k, FocusLobbyKnockStatus status,
                              const char *by, const char *reason);
void focus_lobby_notify_moderators(const FocusLobbyRoster *roster, FocusLobbyActions *actions,
                                   const FocusLobbyKnock *k, FocusLobbyKnockStatus status,
                                   const char *by, const char *reason);
void focus_lobby_notify_state_to(FocusLobby *lobby, FocusLobbyActions *actions, const char *to);
void focus_lobby_notify_state_all(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                  FocusLobbyActions *actions);
FocusLobbyKnock *focus_lobby_knock_by_id(FocusLobby *lobby, const char *id);
FocusLobbyKnock *focus_lobby_knock_by_jid(FocusLobby *lobby, const char *full_jid);
FocusLobbyKnock *focus_lobby_knock_by_bare(FocusLobby *lobby, const char *bare);
void focus_lobby_knock_remove(FocusLobby *lobby, FocusLobbyKnock *k);
/* Every knock still waiting for a moderator: tell the knocker @status and drop it. */
void focus_lobby_close_pending(FocusLobby *lobby, FocusLobbyActions *actions,
                               FocusLobbyKnockStatus status);
void focus_lobby_op_free(gpointer data);
FocusLobbyOp *focus_lobby_op_new(FocusLobby *lobby, FocusLobbyOpKind kind);
void focus_lobby_emit_grant(FocusLobby *lobby, FocusLobbyActions *actions, const FocusLobbyOp *op);
void focus_lobby_submit_config(FocusLobby *lobby, FocusLobbyActions *actions,
                               FocusLobbyConfigPurpose purpose, gboolean members_only,
                               const char *password, gpointer request);
gboolean focus_lobby_busy(FocusLobby *lobby);
/* ENABLING: a member grant for @o unless it has an affiliation or was granted already. */
void focus_lobby_grant_for_enable(FocusLobby *lobby, const FocusLobbyOccupant *o,
                                  FocusLobbyActions *actions);
void focus_lobby_start_enabling(FocusLobby *lobby, const FocusLobbyRoster *roster, gpointer request,
                                FocusLobbyActions *actions);
/* Releases a request handle with the lobby's request_free. */
void focus_lobby_release(FocusLobby *lobby, gpointer request);

G_END_DECLS
