/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread. Each room has a Guard, the state of the security
 * layer's room listener (the room owns it; it is removed when the room is gone). A Guard owns
 * its FocusLobby (created when the room is first ready, or by the first request), the
 * pending-IQ records (OpCall) and its timer and IQ callbacks on the link (owner = the Guard,
 * so freeing a Guard cancels them without calling them). */
#include "focus/security/room-security.h"

#include "common/log.h"
#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/security/security-iq.h"
#include "focus/xmpp/muc.h"

#include <string.h>

typedef struct _Guard Guard;

struct _FocusRoomSecurity {
    FocusLink *link;
    FocusRegistry *reg;
    char *muc_domain;
    char *occupant_jid;
    FocusLobbySettings s;
    guint iq_timeout_ms;
    GPtrArray *lobbies; /* Guard* with a lobby (not owned: their rooms own them) */
    PaRateLimit peer_log;
    guint64 knocks; /* knock requests taken (metrics) */
};

struct _Guard {
    FocusRoomSecurity *sec;
    FocusRoom *owner_room; /* the room this Guard listens to (it owns the Guard) */
    FocusRoomListener *listener;
    char *room;        /* its JID */
    FocusLobby *lobby; /* NULL until the room is ready or gets a request */
    guint timer;
    gboolean ready_seen;
    gboolean reading_config;
    GPtrArray *held;   /* requests (stanza copies) that wait for the configuration read */
    GHashTable *calls; /* OpCall* in flight (owned) */
};

/* Requests held while a room's configuration is read; more are refused (wait). */
#define MAX_HELD 64

/* One IQ in flight for a Guard: a lobby operation (op != 0) or a configuration read (op 0). */
typedef struct {
    Guard *g;
    guint op;
} OpCall;

/* A request the lobby holds: the IQ (a copy) and what it asked. */
typedef struct {
    xmpp_stanza_t *iq;
    FocusSecurityKind kind;
    char *room;
} Req;

static void stanza_release(gpointer data)
{
    xmpp_stanza_release(data);
}

static void req_free(gpointer data)
{
    Req *r = data;
    xmpp_stanza_release(r->iq);
    g_free(r->room);
    g_free(r);
}

static Req *req_new(xmpp_stanza_t *iq, FocusSecurityKind kind, const char *room)
{
    Req *r = g_new0(Req, 1);
    r->iq = xmpp_stanza_clone(iq);
    r->kind = kind;
    r->room = g_strdup(room);
    return r;
}

/* ---- rosters ---- */

typedef struct {
    GPtrArray *parts;
    FocusLobbyOccupant *items;
    FocusLobbyRoster r;
} Roster;

/* The room's current participants (stale ones left out). The strings point into the
 * participants: use before anything can change the room. */
static void roster_init(Roster *ro, Guard *g)
{
    memset(ro, 0, sizeof *ro);
    ro->parts = focus_room_participants(g->owner_room);
    ro->items = g_new0(FocusLobbyOccupant, ro->parts->len + 1);
    for (guint i = 0; i < ro->parts->len; i++) {
        FocusParticipant *p = ro->parts->pdata[i];
        if (p->stale)
            continue;
        FocusLobbyOccupant *o = &ro->items[ro->r.n++];
        o->nick = p->nick;
        o->real_jid = p->real_jid;
        o->role = p->role;
        o->affiliation = p->affiliation;
    }
    ro->r.items = ro->items;
}

static void roster_clear(Roster *ro)
{
    g_ptr_array_unref(ro->parts);
    g_free(ro->items);
}

/* ---- guards ---- */

static void guard_free(gpointer data)
{
    Guard *g = data;
    focus_link_cancel_owner(g->sec->link, g);
    g_ptr_array_unref(g->held);
    if (g->lobby)
        g_ptr_array_remove_fast(g->sec->lobbies, g);
    g_hash_table_destroy(g->calls);
    focus_lobby_free(g->lobby);
    g_free(g->room);
    g_free(g);
}

static void perform(Guard *g, FocusLobbyActions *acts);

/* @g with its lobby, made now if it has none. */
static Guard *guard_lobby(Guard *g)
{
    if (g->lobby)
        return g;
    g->lobby = focus_lobby_new(&g->sec->s, req_free);
    g_ptr_array_add(g->sec->lobbies, g);
    /* Learn who is already there, so they do not count as newcomers later. */
    Roster ro;
    roster_init(&ro, g);
    g_autoptr(GArray) acts = focus_lobby_actions_new();
    focus_lobby_roster_changed(g->lobby, &ro.r, acts);
    roster_clear(&ro);
    perform(g, acts);
    return g;
}

/* ---- performing actions ---- */

static void on_expire(FocusLink *link, gpointer data)
{
    Guard *g = data;
    g->timer = 0;
    Roster ro;
    roster_init(&ro, g);
    g_autoptr(GArray) acts = focus_lobby_actions_new();
    focus_lobby_expire(g->lobby, &ro.r, focus_link_now(link), acts);
    roster_clear(&ro);
    perform(g, acts);
}

static void rearm(Guard *g)
{
    FocusLink *link = g->sec->link;
    g->timer = focus_link_timer_cancel(link, g->timer);
    gint64 due = focus_lobby_next_deadline(g->lobby);
    if (due < 0)
        return;
    gint64 now = focus_link_now(link);
    guint delay_ms = due <= now ? 0 : (guint)MIN((due - now + 999) / 1000, G_MAXUINT32);
    g->timer = focus_link_timer_add(link, delay_ms, on_expire, g, g);
}

static void on_op_reply(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                        gpointer data)
{
    OpCall *c = data;
    Guard *g = c->g;
    guint op = c->op;
    g_hash_table_remove(g->calls, c);
    gboolean ok = outcome == FOCUS_IQ_RESULT;
    if (!ok) {
        const char *cond = reply ? pa_stanza_error_condition(reply) : NULL;
        g_warning("lobby: room operation failed room=%s op=%u: %s%s%s", g->room, op,
                  focus_iq_outcome_str(outcome), cond ? " " : "", cond ? cond : "");
    }
    Roster ro;
    roster_init(&ro, g);
    g_autoptr(GArray) acts = focus_lobby_actions_new();
    focus_lobby_op_done(g->lobby, &ro.r, op, ok, acts);
    roster_clear(&ro);
    perform(g, acts);
}

static void send_iq(Guard *g, xmpp_stanza_t *iq, guint op, FocusIqCallback cb)
{
    OpCall *c = g_new0(OpCall, 1);
    c->g = g;
    c->op = op;
    g_hash_table_add(g->calls, c);
    focus_link_send_iq(g->sec->link, iq, g->sec->iq_timeout_ms, cb, c, g);
    xmpp_stanza_release(iq);
}

/* When a knock arrived, for people: time="<XEP-0082 UTC>" on @el, computed from how long
 * it has waited on the link clock. */
static void stamp_knock(xmpp_stanza_t *el, gint64 waited_us)
{
    g_autoptr(GDateTime) t =
        g_date_time_new_from_unix_utc((g_get_real_time() - MAX(0, waited_us)) / G_USEC_PER_SEC);
    g_autofree char *iso = t ? g_date_time_format(t, "%Y-%m-%dT%H:%M:%SZ") : NULL;
    if (iso)
        xmpp_stanza_set_attribute(el, "time", iso);
}

/* A moderator's notification of a pending knock: when it arrived and how long it has waited
 * (a moderator who joins later is told about knocks that are already old). */
static void add_knock_time(FocusRoomSecurity *sec, Guard *g, const FocusLobbyAction *a,
                           xmpp_stanza_t *message)
{
    if (a->to_knocker || a->knock_status != FOCUS_LOBBY_KNOCK_PENDING)
        return;
    xmpp_stanza_t *el = pa_stanza_child(message, "knock", FOCUS_NS_LOBBY);
    g_autoptr(GPtrArray) knocks = focus_lobby_knocks(g->lobby);
    for (guint i = 0; el && knocks && i < knocks->len; i++) {
        const FocusLobbyKnock *k = knocks->pdata[i];
        if (g_strcmp0(k->id, a->knock_id) != 0)
            continue;
        gint64 waited = focus_link_now(sec->link) - k->created_us;
        g_autofree char *w = g_strdup_printf("%" G_GINT64_FORMAT, MAX(0, waited) / G_USEC_PER_SEC);
        xmpp_stanza_set_attribute(el, "waiting", w);
        stamp_knock(el, waited);
        return;
    }
}

static void perform(Guard *g, FocusLobbyActions *acts)
{
    FocusRoomSecurity *sec = g->sec;
    xmpp_ctx_t *ctx = focus_link_ctx(sec->link);
    const char *component = focus_link_component_jid(sec->link);
    for (guint i = 0; i < acts->len; i++) {
        FocusLobbyAction *a = focus_lobby_action_at(acts, i);
        switch (a->kind) {
        case FOCUS_LOBBY_ACTION_GRANT_MEMBER:
            g_info("lobby: granting member room=%s jid=%s op=%u", g->room, a->jid, a->op);
            send_iq(g, focus_security_action_stanza(ctx, component, sec->occupant_jid, g->room, a),
                    a->op, on_op_reply);
            break;
        case FOCUS_LOBBY_ACTION_REVOKE_MEMBER:
            g_info("lobby: revoking member room=%s jid=%s op=%u (left the room)", g->room, a->jid,
                   a->op);
            send_iq(g, focus_security_action_stanza(ctx, component, sec->occupant_jid, g->room, a),
                    a->op, on_op_reply);
            break;
        case FOCUS_LOBBY_ACTION_SUBMIT_CONFIG:
            g_info("lobby: configuring room=%s membersonly=%d password=%s op=%u", g->room,
                   a->members_only, a->secret ? "set" : "none", a->op);
            send_iq(g, focus_security_action_stanza(ctx, component, sec->occupant_jid, g->room, a),
                    a->op, on_op_reply);
            break;
        case FOCUS_LOBBY_ACTION_NOTIFY_KNOCK:
            if (a->to_knocker || a->knock_status != FOCUS_LOBBY_KNOCK_PENDING)
                g_info("lobby: knock %s room=%s knock=%s to=%s%s%s",
                       focus_lobby_knock_status_str(a->knock_status), g->room, a->knock_id, a->to,
                       a->by ? " by=" : "", a->by ? a->by : "");
            {
                xmpp_stanza_t *m =
                    focus_security_action_stanza(ctx, component, sec->occupant_jid, g->room, a);
                add_knock_time(sec, g, a, m);
                focus_link_send_owned(sec->link, m);
            }
            break;
        case FOCUS_LOBBY_ACTION_NOTIFY_STATE:
            focus_link_send_owned(sec->link, focus_security_action_stanza(
                                                 ctx, component, sec->occupant_jid, g->room, a));
            break;
        case FOCUS_LOBBY_ACTION_REPLY: {
            Req *r = a->request;
            a->request = NULL;
            if (!r)
                break;
            if (a->status != FOCUS_LOBBY_OK)
                g_info("lobby: %s refused room=%s from=%s: %s", focus_security_kind_str(r->kind),
                       g->room, xmpp_stanza_get_from(r->iq), focus_lobby_status_str(a->status));
            focus_link_send_owned(sec->link, focus_security_reply(ctx, r->iq, r->kind, r->room, a));
            req_free(r);
            break;
        }
        }
    }
    rearm(g);
}

/* ---- room events ---- */

static void roster_changed(Guard *g)
{
    Roster ro;
    roster_init(&ro, g);
    g_autoptr(GArray) acts = focus_lobby_actions_new();
    focus_lobby_roster_changed(g->lobby, &ro.r, acts);
    roster_clear(&ro);
    perform(g, acts);
}

static void release_held(Guard *g);

static void on_config_read(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                           gpointer data)
{
    OpCall *c = data;
    Guard *g = c->g;
    g_hash_table_remove(g->calls, c);
    g->reading_config = FALSE;
    gboolean members_only, protected_;
    g_autofree char *secret = NULL;
    if (outcome != FOCUS_IQ_RESULT ||
        !focus_security_parse_config(reply, &members_only, &protected_, &secret)) {
        g_info("lobby: could not read the configuration of room=%s (%s)", g->room,
               focus_iq_outcome_str(outcome));
        release_held(g);
        return;
    }
    Roster ro;
    roster_init(&ro, g);
    g_autoptr(GArray) acts = focus_lobby_actions_new();
    FocusLobbyPhase before = focus_lobby_phase(g->lobby);
    focus_lobby_adopt_config(g->lobby, &ro.r, members_only, protected_, secret, acts);
    roster_clear(&ro);
    if (before != focus_lobby_phase(g->lobby))
        g_info("lobby: room=%s configured from outside: lobby %s", g->room,
               focus_lobby_phase_str(focus_lobby_phase(g->lobby)));
    perform(g, acts);
    release_held(g);
}

/* Members a room may list before the focus stops reading (the room's own limit is larger
 * only on a server configured for huge rooms; those beyond are then left to the server). */
#define MAX_ADOPTED_MEMBERS 1000

static void on_members_read(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                            gpointer data)
{
    OpCall *c = data;
    Guard *g = c->g;
    g_hash_table_remove(g->calls, c);
    g_autoptr(GPtrArray) members = outcome == FOCUS_IQ_RESULT
                                       ? focus_security_parse_members(reply, MAX_ADOPTED_MEMBERS)
                                       : NULL;
    if (!members) {
        g_info("lobby: could not read the members of room=%s (%s)", g->room,
               focus_iq_outcome_str(outcome));
        return;
    }
    if (members->len)
        g_info("lobby: room=%s has %u member(s) from before: each membership ends when its "
               "holder leaves",
               g->room, members->len);
    focus_lobby_adopt_members(g->lobby, members);
}

/* The members of a room the focus found configured: memberships it may have granted before a
 * restart (docs/security.md "Leaving ends membership"). */
static void read_members(Guard *g)
{
    send_iq(
        g,
        focus_security_members_query(focus_link_ctx(g->sec->link), g->sec->occupant_jid, g->room),
        0, on_members_read);
}

static void read_config(Guard *g)
{
    if (g->reading_config)
        return;
    g->reading_config = TRUE;
    send_iq(
        g, focus_security_config_query(focus_link_ctx(g->sec->link), g->sec->occupant_jid, g->room),
        0, on_config_read);
}

/* The room has applied an occupant's presence: the lobby follows who is a moderator, who
 * needs a grant, who gets the pending knocks; and on a leave (not the focus's own, not a nick
 * change) decides whether that membership ends with the stay (docs/security.md "Membership
 * lasts while you are inside"). The roster is already the room without whoever left. */
static void on_occupant_presence(FocusRoom *room, const FocusMucPresence *mp, gpointer state)
{
    Guard *g = state;
    if (!g->lobby)
        return;
    roster_changed(g);
    gboolean left = !mp->available && !mp->is_error;
    if (!left || strcmp(mp->nick, FOCUS_MUC_NICK) == 0 || mp->destroyed ||
        focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_NICK_CHANGED) ||
        focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_SELF))
        return;
    Roster ro;
    roster_init(&ro, g);
    g_autoptr(GArray) acts = focus_lobby_actions_new();
    if (mp->real_jid)
        focus_lobby_occupant_left(g->lobby, &ro.r, mp->real_jid, mp->affiliation, acts);
    else
        g_debug("lobby: room=%s: %s left without a visible real JID", g->room, mp->nick);
    roster_clear(&ro);
    perform(g, acts);
}

/* Someone changed the room's configuration (status 104): read it and adopt it. */
static void on_config_changed(FocusRoom *room, gpointer state)
{
    Guard *g = state;
    if (g->lobby)
        read_config(g);
}

/* The lobby follows the occupants; a room the server had lost and the focus re-created gets
 * its lobby and password back; a room the focus found existing (it did not create it, e.g.
 * after a restart) has its configuration read and adopted. */
static void on_ready(FocusRoom *room, gpointer state)
{
    Guard *g = guard_lobby(state);
    if (g->ready_seen && focus_room_created(room)) {
        /* The server lost the room; the focus made it anew with its initial (open) form. */
        Roster ro;
        roster_init(&ro, g);
        g_autoptr(GArray) acts = focus_lobby_actions_new();
        focus_lobby_reapply(g->lobby, &ro.r, acts);
        roster_clear(&ro);
        if (acts->len)
            g_info("lobby: room=%s was re-created: applying its lobby and password again", g->room);
        perform(g, acts);
    } else if (!g->ready_seen && !focus_room_created(room)) {
        /* Someone else's or an earlier focus's room: learn its state and its members. */
        read_config(g);
        read_members(g);
    }
    g->ready_seen = TRUE;
    roster_changed(g);
}

/* Knockers are told the conference ended, waiting requests get an error, and the Guard goes
 * (freed once this event is over). */
static void on_gone(FocusRoom *room, gpointer state)
{
    Guard *g = state;
    xmpp_ctx_t *ctx = focus_link_ctx(g->sec->link);
    for (guint i = 0; i < g->held->len; i++)
        focus_link_send_owned(g->sec->link, focus_security_no_room_reply(ctx, g->held->pdata[i]));
    g_ptr_array_set_size(g->held, 0);
    if (g->lobby) {
        g_autoptr(GArray) acts = focus_lobby_actions_new();
        focus_lobby_room_ended(g->lobby, acts);
        perform(g, acts);
    }
    focus_room_remove_listener(room, g->listener);
}

static const FocusRoomEvents room_events = {
    .version = FOCUS_ROOM_EVENTS_VERSION,
    .ready = on_ready,
    .gone = on_gone,
    .occupant_presence = on_occupant_presence,
    .config_changed = on_config_changed,
};

static void room_added(FocusRegistry *reg, FocusRoom *room, gpointer data)
{
    FocusRoomSecurity *sec = data;
    Guard *g = g_new0(Guard, 1);
    g->held = g_ptr_array_new_with_free_func(stanza_release);
    g->sec = sec;
    g->owner_room = room;
    g->room = g_strdup(focus_room_jid(room));
    g->calls = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free, NULL);
    g->listener = focus_room_add_listener(room, &room_events, g, guard_free);
}

static const FocusRegistryEvents registry_events = {
    .version = FOCUS_REGISTRY_EVENTS_VERSION,
    .room_added = room_added,
};

/* ---- knockers ---- */

/* Presence no room took: a knocker's unavailable (it had sent directed presence to the
 * focus) closes its knocks. */
static gboolean knocker_presence(xmpp_stanza_t *presence, gpointer data)
{
    FocusRoomSecurity *sec = data;
    const char *from = xmpp_stanza_get_from(presence);
    if (g_strcmp0(xmpp_stanza_get_type(presence), "unavailable") != 0 || !from)
        return FALSE;
    PaJid jid;
    if (pa_jid_parse(from, &jid) != PA_JID_OK)
        return FALSE;
    gboolean full = jid.resource != NULL;
    pa_jid_clear(&jid);
    if (!full)
        return FALSE;
    /* Performing never adds or removes a lobby, but keep the walk off the live list. */
    g_autoptr(GPtrArray) guards = g_ptr_array_copy(sec->lobbies, NULL, NULL);
    gboolean any = FALSE;
    for (guint i = 0; i < guards->len; i++) {
        Guard *k = guards->pdata[i];
        if (focus_lobby_knock_count(k->lobby) == 0)
            continue;
        Roster ro;
        roster_init(&ro, k);
        g_autoptr(GArray) acts = focus_lobby_actions_new();
        gboolean had = focus_lobby_knocker_gone(k->lobby, &ro.r, from, acts);
        roster_clear(&ro);
        if (had)
            g_info("lobby: knocker went offline room=%s jid=%s", k->room, from);
        any |= had;
        perform(k, acts);
    }
    return any;
}

/* ---- lifecycle ---- */

FocusRoomSecurity *focus_room_security_new(FocusLink *link, FocusRegistry *registry,
                                           const char *muc_domain, const char *occupant_jid,
                                           const FocusLobbySettings *settings, guint iq_timeout_ms)
{
    g_return_val_if_fail(link && registry && muc_domain && occupant_jid, NULL);
    FocusRoomSecurity *sec = g_new0(FocusRoomSecurity, 1);
    sec->link = link;
    sec->reg = registry;
    sec->muc_domain = g_strdup(muc_domain);
    sec->occupant_jid = g_strdup(occupant_jid);
    if (settings)
        sec->s = *settings;
    else
        focus_lobby_settings_init(&sec->s);
    sec->iq_timeout_ms = iq_timeout_ms ? iq_timeout_ms : 10000;
    sec->lobbies = g_ptr_array_new();
    sec->peer_log = (PaRateLimit)PA_RATE_LIMIT_INIT(G_USEC_PER_SEC, 10);
    focus_registry_add_listener(registry, &registry_events, sec);
    return sec;
}

void focus_room_security_free(FocusRoomSecurity *sec)
{
    if (!sec)
        return;
    /* The Guards belong to the rooms, freed with the registry before this. */
    g_warn_if_fail(sec->lobbies->len == 0);
    g_ptr_array_free(sec->lobbies, TRUE);
    g_free(sec->muc_domain);
    g_free(sec->occupant_jid);
    g_free(sec);
}

static Guard *guard_of(FocusRoomSecurity *sec, const char *room_jid)
{
    FocusRoom *room = focus_registry_lookup(sec->reg, room_jid);
    return room ? FOCUS_ROOM_STATE(room, &room_events, Guard) : NULL;
}

FocusLobby *focus_room_security_lobby(FocusRoomSecurity *sec, const char *room_jid)
{
    Guard *g = guard_of(sec, room_jid);
    return g ? g->lobby : NULL;
}

guint64 focus_room_security_knocks_total(FocusRoomSecurity *sec)
{
    return sec->knocks;
}

guint focus_room_security_knocks_waiting(FocusRoomSecurity *sec)
{
    guint n = 0;
    for (guint i = 0; i < sec->lobbies->len; i++) {
        Guard *g = sec->lobbies->pdata[i];
        n += focus_lobby_knock_count(g->lobby);
    }
    return n;
}

/* ---- requests ---- */

/* A get: the lobby state, and the knocks for a moderator. */
static void lobby_query(Guard *g, const Roster *ro, xmpp_stanza_t *iq,
                        const FocusSecurityRequest *req)
{
    FocusRoomSecurity *sec = g->sec;
    xmpp_ctx_t *ctx = focus_link_ctx(sec->link);
    gboolean sees = FALSE;
    FocusLobbyStatus ls = focus_lobby_may_query(g->lobby, &ro->r, req->from, &sees);
    if (ls != FOCUS_LOBBY_OK) {
        focus_link_send_owned(sec->link, focus_security_lobby_error(ctx, iq, ls));
        return;
    }
    g_autoptr(GPtrArray) knocks = sees ? focus_lobby_knocks(g->lobby) : NULL;
    xmpp_stanza_t *r = focus_security_lobby_result(
        ctx, iq, req->room, focus_lobby_enabled(g->lobby), focus_lobby_has_password(g->lobby),
        knocks, focus_link_now(sec->link));
    xmpp_stanza_t *l = pa_stanza_child(r, "lobby", FOCUS_NS_LOBBY);
    for (xmpp_stanza_t *k = l ? xmpp_stanza_get_children(l) : NULL; k;
         k = xmpp_stanza_get_next(k)) {
        const char *w = xmpp_stanza_is_tag(k) ? xmpp_stanza_get_attribute(k, "waiting") : NULL;
        if (w)
            stamp_knock(k, g_ascii_strtoll(w, NULL, 10) * G_USEC_PER_SEC);
    }
    focus_link_send_owned(sec->link, r);
}

/* Hands @req to the lobby (which answers it now or once the room operation is done). */
static void lobby_request(Guard *g, const Roster *ro, xmpp_stanza_t *iq,
                          const FocusSecurityRequest *req, FocusLobbyActions *acts)
{
    Req *r = req->kind == FOCUS_SECURITY_LOBBY_GET ? NULL : req_new(iq, req->kind, req->room);
    switch (req->kind) {
    case FOCUS_SECURITY_LOBBY_GET: /* answered by lobby_query() */
        break;
    case FOCUS_SECURITY_LOBBY_SET:
        focus_lobby_request_toggle(g->lobby, &ro->r, req->from, req->enabled, r, acts);
        break;
    case FOCUS_SECURITY_PASSWORD:
        focus_lobby_request_password(g->lobby, &ro->r, req->from, req->password, r, acts);
        break;
    case FOCUS_SECURITY_KNOCK:
        g->sec->knocks++;
        focus_lobby_request_knock(g->lobby, &ro->r, focus_link_now(g->sec->link), req->from,
                                  req->nick, req->password, r, acts);
        break;
    case FOCUS_SECURITY_CANCEL:
        focus_lobby_request_cancel(g->lobby, &ro->r, req->from, req->knock_id, r, acts);
        break;
    case FOCUS_SECURITY_ADMIT:
        focus_lobby_request_admit(g->lobby, &ro->r, req->from, req->knock_id, r, acts);
        break;
    case FOCUS_SECURITY_REFUSE:
        focus_lobby_request_refuse(g->lobby, &ro->r, req->from, req->knock_id, req->reason, r,
                                   acts);
        break;
    }
}

/* The Guard of a READY room for @req, or NULL once the error reply has been sent. */
static Guard *request_guard(FocusRoomSecurity *sec, xmpp_stanza_t *iq,
                            const FocusSecurityRequest *req)
{
    xmpp_ctx_t *ctx = focus_link_ctx(sec->link);
    FocusRoom *room = focus_registry_lookup(sec->reg, req->room);
    FocusRoomState rs = room ? focus_room_state(room) : FOCUS_ROOM_GONE;
    if (rs == FOCUS_ROOM_GONE || rs == FOCUS_ROOM_DESTROYING) {
        focus_link_send_owned(sec->link, focus_security_no_room_reply(ctx, iq));
        return NULL;
    }
    if (rs != FOCUS_ROOM_READY) {
        focus_link_send_owned(sec->link,
                              pa_stanza_error_reply(ctx, iq, PA_ERR_WAIT, "service-unavailable",
                                                    "the conference room is being set up", NULL));
        return NULL;
    }
    return guard_lobby(FOCUS_ROOM_STATE(room, &room_events, Guard));
}

/* The requests held while the configuration was read, in order (the Guard may hold again if
 * another read starts meanwhile). */
static void release_held(Guard *g)
{
    if (g->held->len == 0)
        return;
    GPtrArray *held = g->held;
    g->held = g_ptr_array_new_with_free_func(stanza_release);
    FocusRoomSecurity *sec = g->sec;
    for (guint i = 0; i < held->len; i++)
        focus_room_security_handle_iq(sec, held->pdata[i]);
    g_ptr_array_unref(held);
}

/* While the room's configuration is being read (the focus took the room over, or someone
 * changed it), a request would be decided on what the focus believed before: it waits for the
 * read. TRUE if @iq was held (or refused: too many held). */
static gboolean hold_request(Guard *g, xmpp_stanza_t *iq)
{
    if (!g->reading_config)
        return FALSE;
    if (g->held->len >= MAX_HELD) {
        focus_link_send_owned(
            g->sec->link, pa_stanza_error_reply(focus_link_ctx(g->sec->link), iq, PA_ERR_WAIT,
                                                "resource-constraint",
                                                "the room's configuration is being read", NULL));
        return TRUE;
    }
    g_ptr_array_add(g->held, xmpp_stanza_clone(iq));
    return TRUE;
}

void focus_room_security_handle_iq(FocusRoomSecurity *sec, xmpp_stanza_t *iq)
{
    FocusSecurityRequest req;
    g_autofree char *why = NULL;
    FocusSecurityStatus st = focus_security_parse(iq, sec->muc_domain, &req, &why);
    if (st != FOCUS_SECURITY_OK) {
        pa_log_peer(&sec->peer_log, focus_link_now(sec->link), G_LOG_LEVEL_WARNING,
                    "lobby request from %s rejected: %s",
                    xmpp_stanza_get_from(iq) ? xmpp_stanza_get_from(iq) : "-", why);
        focus_link_send_owned(sec->link,
                              focus_security_error_reply(focus_link_ctx(sec->link), iq, st, why));
        return;
    }
    Guard *g = request_guard(sec, iq, &req);
    if (g && hold_request(g, iq)) {
        focus_security_request_clear(&req);
        return;
    }
    if (g) {
        g_info("lobby: %s room=%s from=%s", focus_security_kind_str(req.kind), req.room, req.from);
        Roster ro;
        roster_init(&ro, g);
        g_autoptr(GArray) acts = focus_lobby_actions_new();
        if (req.kind == FOCUS_SECURITY_LOBBY_GET)
            lobby_query(g, &ro, iq, &req);
        else
            lobby_request(g, &ro, iq, &req, acts);
        roster_clear(&ro);
        perform(g, acts);
    }
    focus_security_request_clear(&req);
}

static void on_iq(xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    focus_room_security_handle_iq(data, iq);
}

void focus_room_security_add_routes(FocusRoomSecurity *sec, FocusRouter *router)
{
    focus_router_add_iq(router, FOCUS_NS_LOBBY, NULL, TRUE, on_iq, sec);
    focus_router_add_presence(router, knocker_presence, sec);
}
