/* SPDX-License-Identifier: MIT */
/* Internal to focus/conference/ (and its tests): the per-conference and per-member state, and
 * the functions the files share.
 *   conference.c      the manager, one FocusConference per room (a room listener), members
 *                     by participant, the scheduled evaluation, bridge news
 *   bridge-session.c  the conference's bridge session: bridge choice, the Colibri2
 *                     conference and endpoints (allocate, update, expire), moving
 *   member.c          the member's invitation state machine, its Jingle session's offer and
 *                     end, the sources each member is told about
 *   jingle-requests.c Jingle from participants
 * Thread: the focus event-loop thread. */
#pragma once

#include "focus/conference/conference.h"
#include "focus/conference/source-map.h"

#include "common/log.h"

G_BEGIN_DECLS

#define FOCUS_ENDED_SIDS_KEPT 4
#define FOCUS_ALLOC_RETRIES 2

struct _FocusConferences {
    FocusLink *link;
    FocusBridges *bridges;
    FocusRegistry *registry;
    FocusConferenceSettings s;
    char *occupant_jid;
    GPtrArray *all;      /* FocusConference* (not owned: rooms own them as listener state) */
    PaRateLimit peer_rl; /* log lines caused by what clients send */
    guint64 reinvites;   /* metrics (focus_conferences_stats()) */
    GPtrArray *expiries; /* FocusExpiry* (owned): expiries bridges have not answered yet */
    /* XEP-0115: "node#ver" -> FocusFeatures* (owned), only from disco#info results whose own
     * hash is that ver (focus_member_disco), at most FOCUS_CAPS_CACHE_MAX entries. */
    GHashTable *caps_features;
    guint64 caps_hits, caps_misses; /* invitations with and without a disco#info round trip */
};

#define FOCUS_CAPS_CACHE_MAX 256

typedef struct _FocusExpiry FocusExpiry;

struct _FocusConference {
    FocusConferences *mgr;
    FocusRoom *room;
    char *room_jid;
    char *meeting_id;     /* Colibri2 conference id: a UUID for the conference's life */
    GHashTable *members;  /* FocusParticipant* -> FocusMember* (owned) */
    guint evaluate_timer; /* the scheduled evaluation (focus_conf_evaluate()), or 0 */
    /* The bridge session: which bridge, and whether the Colibri2 conference exists there. */
    char *bridge_jid;        /* brewery occupant JID, or NULL */
    char *bridge_session_id; /* UUID per bridge session (the client's bridge-session id) */
    char *bridge_region;
    gboolean created;         /* a create went out on this bridge session */
    PaJingleSources feedback; /* the bridge's own sources (owner "jvb") */
    gboolean no_bridge;       /* bridgeNotAvailable is in the focus's presence */
};

/* The member's invitation (transitions: focus_member_set_state() and its table in member.c). */
typedef enum {
    FOCUS_MEMBER_IDLE,       /* not invited (yet, or again after a move) */
    FOCUS_MEMBER_ALLOCATING, /* endpoint create sent to the bridge */
    FOCUS_MEMBER_INVITED,    /* session-initiate sent (session PENDING) */
    FOCUS_MEMBER_ACTIVE,     /* session-accept received */
    FOCUS_MEMBER_ENDED,      /* the session ended (the client's terminate, or it left) */
    FOCUS_MEMBER_FAILED,     /* the invitation failed for good (refused offer or accept) */
} FocusMemberState;

typedef struct {
    FocusConference *conf;
    char *nick;         /* endpoint id */
    char *occupant_jid; /* room@muc/nick */
    char *stats_id;
    FocusMemberState state; /* written by focus_member_set_state() only */
    gboolean features_known;
    gboolean disco_pending;
    char *disco_caps;        /* "node#ver" the participant advertised when disco#info was sent */
    gboolean invited_before; /* re-invitations do not wait for min_participants */
    FocusFeatures features;
    guint alloc_retries;
    gboolean alloc_had_create; /* the allocation in flight carried create="true" */
    char *initiate_sid;        /* sid of the session-initiate in flight */
    char *endpoint_bridge;     /* bridge the endpoint was created on, or NULL */
    FocusJingleSession *session;
    char *ended_sids[FOCUS_ENDED_SIDS_KEPT + 1]; /* NULL-terminated, newest first */
    PaJingleSources sources;                     /* accepted sources (owner = nick) */
    FocusRestartLimit restarts;
    int alloc_token; /* its address owns the Colibri2 IQs about the endpoint on the link */
} FocusMember;

/* ---- conference.c ---- */

/* Schedules an evaluation of @conf (invite whoever should be invited): a zero-delay timer on
 * the link, so any number of calls before it runs make one pass. */
void focus_conf_evaluate(FocusConference *conf);
/* The member of @p in @conf, or NULL. */
FocusMember *focus_conf_member(FocusConference *conf, FocusParticipant *p);
/* Members of @conf in join order (transfer container). */
GPtrArray *focus_conf_members(FocusConference *conf);
/* Sends IQ @iq (transfer full) and calls @cb (NULL: ignore the reply). */
void focus_conf_send_iq(FocusConference *conf, xmpp_stanza_t *iq, guint timeout_ms,
                        FocusIqCallback cb, gpointer data, gconstpointer owner);
/* A log line caused by what a participant sent: rate-limited (20 lines, then one a second). */
void focus_conf_log_peer(FocusConferences *mgr, GLogLevelFlags level, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);

/* ---- bridge-session.c ---- */

/* The conference's bridge: the one it is on, or a new one (bridgeNotAvailable when there is
 * none). FALSE when there is none. */
gboolean focus_conf_ensure_bridge(FocusConference *conf);
/* Creates @m's endpoint on the conference's bridge (and the conference, the first time);
 * the answer leads to focus_member_offer(). */
void focus_conf_allocate(FocusMember *m);
/* Sends a conference-modify updating @m's endpoint: transport (may be NULL), its sources
 * (when @with_sources), initial last-n (< -1: none). */
void focus_conf_update_endpoint(FocusMember *m, const PaTransport *transport, gboolean with_sources,
                                gint initial_last_n);
void focus_conf_expire_endpoint(FocusMember *m);
/* The conference moves off its bridge: every invited member goes back to IDLE. */
void focus_conf_move(FocusConference *conf, const char *why);
void focus_conf_session_failed(FocusConference *conf, gboolean bridge_failed, const char *why);
/* The room is gone: the Colibri2 conference is expired on its bridge. */
void focus_conf_end_bridge_session(FocusConference *conf);

/* ---- member.c ---- */

const char *focus_member_state_str(FocusMemberState st);
FocusMember *focus_member_new(FocusConference *conf, FocusParticipant *p);
void focus_member_free(gpointer member);
/* Moves @m to @to if the table allows it, with a log line saying @why; a transition the
 * table does not have is a bug: critical, and @m stays where it is. */
void focus_member_set_state(FocusMember *m, FocusMemberState to, const char *why);
/* Asks @m's client for its features (disco#info), then evaluates again. */
void focus_member_disco(FocusMember *m, const FocusParticipant *p);
/* Takes @p's features from the caps cache when its presence advertised caps the focus has
 * verified before: TRUE, and the member's features are known without a round trip. */
gboolean focus_member_features_from_caps(FocusMember *m, const FocusParticipant *p);
/* The endpoint is allocated: session-initiate with the bridge's @transport. */
void focus_member_offer(FocusMember *m, const PaTransport *transport);
/* session-terminate @reason/@text (@text may be NULL) on @m's session, if it is live. */
void focus_member_terminate(FocusMember *m, const char *reason, const char *text);
void focus_member_forget_session(FocusMember *m);
void focus_member_reinvite(FocusMember *m, gboolean send_terminate, const char *why);
/* The member's session is over: endpoint expired, sources withdrawn from the others; @m goes
 * to @to (ENDED, or FAILED when its accept was refused). */
void focus_member_end_session(FocusMember *m, FocusMemberState to, const char *why);
/* Every other member's sources (simulcast stripped) and the bridge's (transfer: @out). */
void focus_member_remote_sources(FocusMember *m, PaJingleSources *out);
/* SSRC -> owner of everyone but @except, plus the bridge (transfer full). */
FocusSsrcOwners *focus_conf_ssrc_owners(FocusConference *conf, FocusMember *except);
/* Sends @m source-remove/-add for what changed since it was told. */
void focus_member_sync(FocusMember *m);
/* Brings every ACTIVE member but @except up to date with the conference's sources. */
void focus_conf_sync_all(FocusConference *conf, FocusMember *except);

/* ---- expiries.c ---- */

void focus_expiries_init(FocusConferences *mgr);
void focus_expiries_clear(FocusConferences *mgr);
/* Expires endpoint @endpoint (NULL: the whole conference) of Colibri2 conference @meeting_id
 * (named @name) on @bridge: now if the bridge is in the brewery, else once it is back; kept
 * until the bridge answers. */
void focus_expiries_add(FocusConferences *mgr, const char *bridge, const char *meeting_id,
                        const char *name, const char *endpoint);
/* @bridge is in the brewery (again): what it still owes is sent now. Call before allocating
 * anything on it. */
void focus_expiries_bridge_up(FocusConferences *mgr, const char *bridge);
/* Sends now whatever waits for @bridge about @meeting_id: an allocation there must come after
 * it (the same endpoint id may be allocated again). */
void focus_expiries_flush(FocusConferences *mgr, const char *bridge, const char *meeting_id);
/* Expiries waiting for their bridge (not in flight). */
guint focus_expiries_waiting(FocusConferences *mgr);

/* ---- jingle-requests.c ---- */

/* A Jingle request from @m that passed focus_jingle_check(): answers it and acts on it. */
void focus_conf_jingle_dispatch(FocusConferences *mgr, FocusMember *m, xmpp_stanza_t *iq,
                                const PaJingle *j);

G_END_DECLS
