/* SPDX-License-Identifier: MIT */
/* Internal to focus/conference*.c: the per-conference and per-participant state, and the
 * functions the files share. Thread: the focus event-loop thread. */
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
    GPtrArray *all;      /* FocusConference* (not owned: rooms own them) */
    PaRateLimit peer_rl; /* log lines caused by what clients send */
};

struct _FocusConference {
    FocusConferences *mgr;
    FocusRoom *room;
    char *room_jid;
    char *meeting_id; /* Colibri2 conference id: a UUID for the conference's life */
    /* The bridge session: which bridge, and whether the Colibri2 conference exists there. */
    char *bridge_jid;        /* brewery occupant JID, or NULL */
    char *bridge_session_id; /* UUID per bridge session (the client's bridge-session id) */
    char *bridge_region;
    gboolean created;         /* a create went out on this bridge session */
    PaJingleSources feedback; /* the bridge's own sources (owner "jvb") */
    gboolean no_bridge;       /* bridgeNotAvailable is in the focus's presence */
    gboolean evaluating;      /* focus_conf_evaluate() is running */
    gboolean reevaluate;      /* ... and should run its loop again */
};

typedef enum {
    MEMBER_IDLE,       /* not invited (yet, or again after a move) */
    MEMBER_ALLOCATING, /* endpoint create sent to the bridge */
    MEMBER_INVITED,    /* session-initiate sent (session PENDING) */
    MEMBER_ACTIVE,     /* session-accept received */
    MEMBER_ENDED,      /* the client ended its session: no media until it asks again */
    MEMBER_FAILED,     /* the invitation failed for good (refused offer or accept) */
} MemberState;

typedef struct {
    FocusConference *conf;
    char *nick;         /* endpoint id */
    char *occupant_jid; /* room@muc/nick */
    char *stats_id;
    MemberState state;
    gboolean features_known;
    gboolean disco_pending;
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
    int alloc_token; /* its address owns the allocation IQ on the link */
} Member;

const char *focus_member_state_str(MemberState st);
/* The member in @p's session slot, or NULL (another layer's, or none). */
Member *focus_conf_member_of(FocusParticipant *p);

/* conference.c */
void focus_conf_evaluate(FocusConference *conf);
void focus_conf_reinvite(Member *m, gboolean send_terminate, const char *why);
void focus_conf_end_session(Member *m, const char *why);
void focus_conf_move(FocusConference *conf, const char *why);
void focus_conf_session_failed(FocusConference *conf, gboolean bridge_failed, const char *why);
/* Sends a conference-modify updating @m's endpoint: transport (may be NULL), its sources
 * (when @with_sources), initial last-n (< -1: none). */
void focus_conf_update_endpoint(Member *m, const PaTransport *transport, gboolean with_sources,
                                gint initial_last_n);
void focus_conf_expire_endpoint(Member *m);
/* Every other member's sources (simulcast stripped) and the bridge's (transfer: @out). */
void focus_conf_remote_sources(FocusConference *conf, Member *m, PaJingleSources *out);
/* SSRC -> owner of everyone but @m, plus the bridge (transfer full). */
FocusSsrcOwners *focus_conf_ssrc_owners(FocusConference *conf, Member *except);
/* Brings every ACTIVE member but @except up to date with the conference's sources. */
void focus_conf_sync_all(FocusConference *conf, Member *except);
/* Sends @m source-remove/-add for what changed since it was told. */
void focus_conf_sync_member(Member *m);
void focus_conf_send(FocusConference *conf, xmpp_stanza_t *stanza);
/* A log line caused by what a participant sent: rate-limited (20 lines, then one a second). */
void focus_conf_log_peer(FocusConferences *mgr, GLogLevelFlags level, const char *fmt, ...)
    G_GNUC_PRINTF(3, 4);
void focus_member_forget_session(Member *m);

/* conference-jingle.c (also focus_conferences_handle_jingle() and focus_conf_log_peer()) */
void focus_conf_jingle_dispatch(FocusConferences *mgr, Member *m, xmpp_stanza_t *iq,
                                const PaJingle *j);

G_END_DECLS
