/* SPDX-License-Identifier: MIT */
/* FocusLobby: one room's lobby and password policy, as decisions. It never sends anything: each
 * call appends the actions the caller must perform to a FocusLobbyActions array (grant member
 * affiliation, submit the room's security configuration, notify a moderator or a knocker,
 * answer a request), and the caller reports back when a MUC operation it performed finished
 * (focus_lobby_op_done()). The protocol these decisions implement is docs/security.md.
 *
 * What the lobby is, in XEP-0045 terms (no server plugin; Prosody and ejabberd alike):
 *   lobby on   = every occupant got "member" affiliation, then the room became members-only:
 *                the server itself refuses anyone else (registration-required). Knockers ask
 *                the focus; a moderator's admit (or the room password) makes them a member.
 *   password   = known to the focus, which sets it as the room secret while the lobby is off.
 *                While the lobby is on, the room has no secret (members-only is the gate, and
 *                an admitted member must not need a password it was never told); the password
 *                then admits a knocker through the focus instead. Lobby off again: the secret
 *                is set back in the same configuration form that lifts members-only.
 *
 * Who may do what is decided from a roster snapshot the caller passes (the room's occupants
 * other than the focus, with their real JIDs): a moderator is an occupant with owner or admin
 * affiliation or the moderator role, found by the requester's full real JID.
 *
 * Requests (the IQs behind toggle, password, knock, cancel, admit, refuse) are opaque handles
 * the lobby takes ownership of: each such call emits exactly one FOCUS_LOBBY_ACTION_REPLY for
 * its handle, at once or when the MUC operation it waits for is done. A handle still held when
 * the lobby is freed is released with the request_free given at creation, unanswered.
 *
 * Time comes from the caller (@now_us, any monotonic microsecond clock: FocusLink's).
 *
 * Thread: the focus event-loop thread; no locks, no I/O, no logging. The caller owns the lobby. */
#pragma once

#include "focus/xmpp/muc.h"

#include <glib.h>

G_BEGIN_DECLS

typedef struct _FocusLobby FocusLobby;

typedef struct {
    guint max_knocks;            /* pending + being admitted, per room (50) */
    gint64 knock_ttl_us;         /* a knock nobody answered expires after this (10 min) */
    guint max_password_failures; /* wrong passwords per window per room (10) ... */
    gint64 password_window_us;   /* ... in this window (60 s); then wait/policy-violation */
} FocusLobbySettings;

void focus_lobby_settings_init(FocusLobbySettings *s);

/* ---- roster snapshot ---- */

typedef struct {
    const char *nick;     /* MUC nickname (endpoint id) */
    const char *real_jid; /* full real JID, or NULL when the room hides it (then powerless) */
    FocusMucRole role;
    FocusMucAffiliation affiliation;
} FocusLobbyOccupant;

typedef struct {
    const FocusLobbyOccupant *items;
    guint n;
} FocusLobbyRoster;

/* Owner or admin affiliation, or moderator role. */
gboolean focus_lobby_occupant_is_moderator(const FocusLobbyOccupant *o);
/* The occupant whose real JID is @full_jid (compared as JIDs), or NULL. */
const FocusLobbyOccupant *focus_lobby_roster_find(const FocusLobbyRoster *r, const char *full_jid);

/* ---- knocks ---- */

typedef enum {
    FOCUS_LOBBY_KNOCK_PENDING = 0, /* waiting for a moderator */
    FOCUS_LOBBY_KNOCK_ADMITTED,    /* member now: join the room */
    FOCUS_LOBBY_KNOCK_REFUSED,     /* a moderator said no */
    FOCUS_LOBBY_KNOCK_CANCELLED,   /* the knocker withdrew (or joined by itself) */
    FOCUS_LOBBY_KNOCK_LEFT,        /* the knocker's session ended */
    FOCUS_LOBBY_KNOCK_EXPIRED,     /* nobody answered in time: knock again */
    FOCUS_LOBBY_KNOCK_OPEN,        /* the lobby is off: join directly (password if any) */
    FOCUS_LOBBY_KNOCK_ENDED,       /* the conference ended */
} FocusLobbyKnockStatus;

const char *focus_lobby_knock_status_str(FocusLobbyKnockStatus s);

/* A knock as the lobby keeps it (read-only outside lobby.c). */
typedef struct {
    char *id;
    char *nick;     /* display name the knocker gave */
    char *jid;      /* knocker's full real JID (notifications go there) */
    char *bare_jid; /* what admission makes a member */
    gint64 created_us;
    gboolean admitting; /* a member grant for it is in flight */
} FocusLobbyKnock;

/* ---- results and actions ---- */

typedef enum {
    FOCUS_LOBBY_OK = 0,
    FOCUS_LOBBY_ERR_FORBIDDEN,      /* requester is not a moderator (or not an occupant) */
    FOCUS_LOBBY_ERR_NO_KNOCK,       /* no such knock (or not the requester's own) */
    FOCUS_LOBBY_ERR_IN_ROOM,        /* a knock from someone already in the room */
    FOCUS_LOBBY_ERR_DUPLICATE,      /* the same bare JID knocks from another resource */
    FOCUS_LOBBY_ERR_FULL,           /* max_knocks reached */
    FOCUS_LOBBY_ERR_BAD_PASSWORD,   /* wrong password (or the room has none) */
    FOCUS_LOBBY_ERR_TOO_MANY_TRIES, /* password failures over budget */
    FOCUS_LOBBY_ERR_BUSY,           /* another configuration change is in flight */
    FOCUS_LOBBY_ERR_MUC_FAILED,     /* the MUC service refused or did not answer */
    FOCUS_LOBBY_ERR_ENDED,          /* the conference ended before the request completed */
} FocusLobbyStatus;

const char *focus_lobby_status_str(FocusLobbyStatus s);

typedef enum {
    /* Set affiliation "member" for @jid (bare) in the room; report with op_done(@op). */
    FOCUS_LOBBY_ACTION_GRANT_MEMBER,
    /* Submit the owner form: membersonly=@members_only, passwordprotectedroom=(@secret != NULL),
     * roomsecret=@secret or ""; report with op_done(@op). */
    FOCUS_LOBBY_ACTION_SUBMIT_CONFIG,
    /* Tell @to (a full real JID) about knock @knock_id: @knock_status, and for moderators
     * (@to_knocker FALSE) @nick and @knocker_jid; @by = deciding moderator's nick or NULL,
     * @reason = refusal reason or NULL. */
    FOCUS_LOBBY_ACTION_NOTIFY_KNOCK,
    /* Tell occupant @to the lobby state: @enabled, @has_password. */
    FOCUS_LOBBY_ACTION_NOTIFY_STATE,
    /* Answer @request (transfer: the action owns it until the caller takes it) with @status;
     * for a knock request also @knock_id (NULL when the lobby is off) and @knock_status. */
    FOCUS_LOBBY_ACTION_REPLY,
    /* Set affiliation "none" for @jid (bare) in the room; report with op_done(@op). Nobody waits
     * for it; a failure is only logged. */
    FOCUS_LOBBY_ACTION_REVOKE_MEMBER,
} FocusLobbyActionKind;

const char *focus_lobby_action_kind_str(FocusLobbyActionKind k);

typedef struct {
    FocusLobbyActionKind kind;
    guint op;              /* GRANT_MEMBER, SUBMIT_CONFIG, REVOKE_MEMBER */
    char *jid;             /* GRANT_MEMBER, REVOKE_MEMBER: bare JID */
    gboolean members_only; /* SUBMIT_CONFIG */
    char *secret;          /* SUBMIT_CONFIG: NULL = no password on the room */
    char *to;              /* NOTIFY_*: full real JID */
    gboolean enabled;      /* NOTIFY_STATE */
    gboolean has_password;
    gboolean to_knocker; /* NOTIFY_KNOCK: recipient is the knocker */
    char *knock_id;      /* NOTIFY_KNOCK, REPLY (knock) */
    FocusLobbyKnockStatus knock_status;
    char *nick; /* NOTIFY_KNOCK to moderators */
    char *knocker_jid;
    char *by;
    char *reason;
    gpointer request; /* REPLY */
    GDestroyNotify request_free;
    FocusLobbyStatus status; /* REPLY */
} FocusLobbyAction;

/* A GArray of FocusLobbyAction whose clear function frees the strings and releases a request
 * still set (so a caller that takes a request sets action->request = NULL). */
typedef GArray FocusLobbyActions;
FocusLobbyActions *focus_lobby_actions_new(void);
#define focus_lobby_actions_free(a) g_array_unref(a)
#define focus_lobby_action_at(a, i) (&g_array_index((a), FocusLobbyAction, (i)))

/* ---- lifecycle ---- */

/* @settings copied (NULL: defaults). @request_free releases request handles (may be NULL). */
FocusLobby *focus_lobby_new(const FocusLobbySettings *settings, GDestroyNotify request_free);
void focus_lobby_free(FocusLobby *lobby);

/* ---- state (for queries and logs) ---- */

typedef enum {
    FOCUS_LOBBY_PHASE_OFF,
    FOCUS_LOBBY_PHASE_ENABLING, /* member grants, then the members-only form, in flight */
    FOCUS_LOBBY_PHASE_ON,
    FOCUS_LOBBY_PHASE_DISABLING, /* the form lifting members-only in flight */
} FocusLobbyPhase;

const char *focus_lobby_phase_str(FocusLobbyPhase p);
FocusLobbyPhase focus_lobby_phase(FocusLobby *lobby);
/* TRUE while the room is members-only as far as the lobby knows (ON, DISABLING). */
gboolean focus_lobby_enabled(FocusLobby *lobby);
gboolean focus_lobby_has_password(FocusLobby *lobby);
/* Knocks in arrival order (transfer container: g_ptr_array_unref; items transfer none). */
GPtrArray *focus_lobby_knocks(FocusLobby *lobby);
guint focus_lobby_knock_count(FocusLobby *lobby);
/* MUC operations the lobby waits for. */
guint focus_lobby_ops_in_flight(FocusLobby *lobby);
/* When the next knock expires (the caller arms a timer and calls focus_lobby_expire()), or -1. */
gint64 focus_lobby_next_deadline(FocusLobby *lobby);

/* May @requester see the lobby state (any occupant) and the knocks (moderators)? */
FocusLobbyStatus focus_lobby_may_query(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                       const char *requester, gboolean *sees_knocks);

/* ---- requests: each takes @request and emits exactly one REPLY for it ---- */

/* Moderator turns the lobby on or off. Already in that state: OK at once. On: member grants for
 * every occupant without an affiliation, then the members-only form; the REPLY comes when the
 * form is accepted, followed by NOTIFY_STATE to every occupant. Off: the form lifting
 * members-only (and setting the password back as the room secret); pending knocks are told
 * OPEN. */
void focus_lobby_request_toggle(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                const char *requester, gboolean enabled, gpointer request,
                                FocusLobbyActions *actions);

/* Moderator sets (@password non-empty) or removes (NULL or "") the password. Lobby off: a form
 * setting the room secret, REPLY when accepted. Lobby on: kept by the focus only, REPLY at once.
 * NOTIFY_STATE to every occupant when it changed. */
void focus_lobby_request_password(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                  const char *requester, const char *password, gpointer request,
                                  FocusLobbyActions *actions);

/* Someone outside the room knocks as @nick, maybe with @password. Lobby off: REPLY OK with
 * knock status OPEN (no knock kept). Right password: the knock is admitted straight away
 * (GRANT_MEMBER; the knocker is told ADMITTED when it is done). Otherwise the knock waits and
 * every moderator is notified. REPLY OK carries the knock id and PENDING. The same full JID
 * knocking again gets its existing knock back. */
void focus_lobby_request_knock(FocusLobby *lobby, const FocusLobbyRoster *roster, gint64 now_us,
                               const char *requester, const char *nick, const char *password,
                               gpointer request, FocusLobbyActions *actions);

/* The knocker (same full JID) withdraws its knock; moderators are told CANCELLED. */
void focus_lobby_request_cancel(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                const char *requester, const char *knock_id, gpointer request,
                                FocusLobbyActions *actions);

/* Moderator admits a knock: GRANT_MEMBER for the knocker's bare JID; when it is done the
 * knocker and every moderator are told ADMITTED and the REPLY is OK. A knock already being
 * admitted: OK at once. */
void focus_lobby_request_admit(FocusLobby *lobby, const FocusLobbyRoster *roster,
                               const char *requester, const char *knock_id, gpointer request,
                               FocusLobbyActions *actions);

/* Moderator refuses a knock (@reason may be NULL): the knocker and every moderator are told
 * REFUSED at once. A knock being admitted cannot be refused any more (BUSY). */
void focus_lobby_request_refuse(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                const char *requester, const char *knock_id, const char *reason,
                                gpointer request, FocusLobbyActions *actions);

/* ---- events ---- */

/* A GRANT_MEMBER or SUBMIT_CONFIG the caller performed finished (@ok: IQ result). */
void focus_lobby_op_done(FocusLobby *lobby, const FocusLobbyRoster *roster, guint op, gboolean ok,
                         FocusLobbyActions *actions);

/* The room's occupants changed (call after every occupant presence, and when the room becomes
 * ready). Moderators not seen before get every pending knock; while ENABLING, newcomers without
 * an affiliation get a member grant too (so members-only does not throw them out); newcomers
 * get NOTIFY_STATE when the lobby is on or a password is set; a knocker now in the room has its
 * knock closed (CANCELLED). */
void focus_lobby_roster_changed(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                FocusLobbyActions *actions);

/* @full_jid went offline (unavailable presence from a knocker that had sent directed presence
 * to the focus): its knocks close as LEFT. Returns TRUE if it had one. */
gboolean focus_lobby_knocker_gone(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                  const char *full_jid, FocusLobbyActions *actions);

/* Occupant @real_jid (full) left the room: its unavailable presence, not a nick change, carried
 * @affiliation; @roster is the room without it. Membership lasts while someone is inside (the
 * Jitsi-like rule of docs/security.md): REVOKE_MEMBER for its bare JID when
 *   - @affiliation is member (kicked, left, or its connection dropped) or none, and
 *   - the lobby is not OFF and @affiliation is member, or the focus granted that membership
 *     itself (the lobby on earlier, or an admitted knock), and
 *   - no occupant left in @roster has the same bare JID, and no knock of that bare JID is
 *     being admitted.
 * Owners, admins and outcasts (a ban, status 301) are left alone. Returns TRUE if it revoked. */
gboolean focus_lobby_occupant_left(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                   const char *real_jid, FocusMucAffiliation affiliation,
                                   FocusLobbyActions *actions);

/* Closes the knocks pending since knock_ttl_us or longer as EXPIRED. */
void focus_lobby_expire(FocusLobby *lobby, const FocusLobbyRoster *roster, gint64 now_us,
                        FocusLobbyActions *actions);

/* The conference ended: knockers are told ENDED, waiting requests get ERR_ENDED, in-flight
 * operations are forgotten. The lobby stays usable (OFF, no password). */
void focus_lobby_room_ended(FocusLobby *lobby, FocusLobbyActions *actions);

/* The server lost the room and the focus re-created it with its initial (open) configuration:
 * if the lobby was on, redo ENABLING (grants to the occupants present, then the form); if only
 * a password was set, submit it again. Ignored while an operation is in flight. */
void focus_lobby_reapply(FocusLobby *lobby, const FocusLobbyRoster *roster,
                         FocusLobbyActions *actions);

/* The room's configuration as read from the server (owner form): someone changed it without
 * the focus (a Jitsi Meet client's lockRoom/setMembersOnly), or the focus restarted and found the
 * room configured. Members-only on/off becomes the lobby state (knocks OPEN when it went off);
 * a secret seen with members-only off becomes the password, no secret clears it; a secret seen
 * together with members-only is taken as the password and removed from the room (one
 * SUBMIT_CONFIG), as the model above wants. Ignored while an operation is in flight. */
void focus_lobby_adopt_config(FocusLobby *lobby, const FocusLobbyRoster *roster,
                              gboolean members_only, gboolean password_protected,
                              const char *secret, FocusLobbyActions *actions);

/* The room's members as read from the server (muc#admin) when the focus found the room
 * configured (after a restart): the focus cannot tell which memberships it granted before, so
 * it takes them all as its own, and each ends when its holder leaves (the rule of
 * focus_lobby_occupant_left()). Owners, admins and outcasts are not members and are not in
 * @bare_jids. */
void focus_lobby_adopt_members(FocusLobby *lobby, const GPtrArray *bare_jids);

G_END_DECLS
