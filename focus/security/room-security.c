/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread. FocusRoomSecurity owns one Guard per room; a Guard owns
 * its FocusLobby, the pending-IQ records (OpCall) and its timer and IQ callbacks on the link
 * (owner = the Guard, so freeing a Guard cancels them without calling them). */
#include "focus/security/room-security.h"

#include "common/xmpp/jid.h"
#include "common/log.h"
#include "common/xmpp/stanza.h"
#include "focus/xmpp/muc.h"
#include "focus/security/security-iq.h"

#include <string.h>

typedef struct _Guard Guard;

struct _FocusRoomSecurity {
    FocusLink *link;
    FocusRegistry *reg;
    char *muc_domain;
    char *occupant_jid;
    FocusLobbySettings s;
    guint iq_timeout_ms;
    GHashTable *guards; /* canonical room JID -> Guard* */
    PaRateLimit peer_log;
};

struct _Guard {
    FocusRoomSecurity *sec;
    char *room;
    FocusLobby *lobby;
    guint timer;
    gboolean ready_seen;
    gboolean reading_config;
    GHashTable *calls; /* OpCall* in flight (owned) */
};

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

/* The room's current participants (stale ones left out); empty if the room is gone. The
 * strings point into the participants: use before anything can change the room. */
static void roster_init(Roster *ro, FocusRoomSecurity *sec, const char *room_jid)
{
    memset(ro, 0, sizeof *ro);
    FocusRoom *room = focus_registry_lookup(sec->reg, room_jid);
    ro->parts = room ? focus_room_participants(room) : g_ptr_array_new();
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
    g_hash_table_destroy(g->calls);
    focus_lobby_free(g->lobby);
    g_free(g->room);
    g_free(g);
}

static void perform(Guard *g, FocusLobbyActions *acts);

static Guard *guard_get(FocusRoomSecurity *sec, const char *room_jid, gboolean create)
{
    Guard *g = g_hash_table_lookup(sec->guards, room_jid);
    if (g || !create)
        return g;
    g = g_new0(Guard, 1);
    g->sec = sec;
    g->room = g_strdup(room_jid);
    g->lobby = focus_lobby_new(&sec->s, req_free);
    g->calls = g_hash_table_new_full(g_direct_hash, g_direct_equal, g_free, NULL);
    g_hash_table_insert(sec->guards, g->room, g);
    /* Learn who is already there, so they do not count as newcomers later. */
    Roster ro;
    roster_init(&ro, sec, room_jid);
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
    roster_init(&ro, g->sec, g->room);
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
    roster_init(&ro, g->sec, g->room);
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

static void send_and_release(FocusRoomSecurity *sec, xmpp_stanza_t *stanza)
{
    focus_link_send(sec->link, stanza);
    xmpp_stanza_release(stanza);
}

/* When a knock arrived, for people: time="<XEP-0082 UTC>" on @el, computed from how long
 * it has waited on the link clock. */
static void stamp_knock(xmpp_stanza_t *el, gint64 waited_us)
{
    g_autoptr(GDateTime) t = g_date_time_new_from_unix_utc(
        (g_get_real_time() - MAX(0, waited_us)) / G_USEC_PER_SEC);
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
                send_and_release(sec, m);
            }
            break;
        case FOCUS_LOBBY_ACTION_NOTIFY_STATE:
            send_and_release(
                sec, focus_security_action_stanza(ctx, component, sec->occupant_jid, g->room, a));
            break;
        case FOCUS_LOBBY_ACTION_REPLY: {
            Req *r = a->request;
            a->request = NULL;
            if (!r)
                break;
            if (a->status != FOCUS_LOBBY_OK)
                g_info("lobby: %s refused room=%s from=%s: %s", focus_security_kind_str(r->kind),
                       g->room, xmpp_stanza_get_from(r->iq), focus_lobby_status_str(a->status));
            send_and_release(sec, focus_security_reply(ctx, r->iq, r->kind, r->room, a));
            req_free(r);
            break;
        }
        }
    }
    rearm(g);
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
    sec->guards = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, guard_free);
    sec->peer_log = (PaRateLimit)PA_RATE_LIMIT_INIT(G_USEC_PER_SEC, 10);
    return sec;
}

void focus_room_security_free(FocusRoomSecurity *sec)
{
    if (!sec)
        return;
    g_hash_table_destroy(sec->guards);
    g_free(sec->muc_domain);
    g_free(sec->occupant_jid);
    g_free(sec);
}

FocusLobby *focus_room_security_lobby(FocusRoomSecurity *sec, const char *room_jid)
{
    g_autofree char *key = focus_muc_room_key(room_jid);
    Guard *g = key ? guard_get(sec, key, FALSE) : NULL;
    return g ? g->lobby : NULL;
}

/* ---- requests ---- */

static void reply_now(FocusRoomSecurity *sec, xmpp_stanza_t *reply)
{
    send_and_release(sec, reply);
}

void focus_room_security_handle_iq(FocusRoomSecurity *sec, xmpp_stanza_t *iq)
{
    xmpp_ctx_t *ctx = focus_link_ctx(sec->link);
    FocusSecurityRequest req;
    g_autofree char *why = NULL;
    FocusSecurityStatus st = focus_security_parse(iq, sec->muc_domain, &req, &why);
    if (st != FOCUS_SECURITY_OK) {
        pa_log_peer(&sec->peer_log, focus_link_now(sec->link), G_LOG_LEVEL_WARNING,
                    "lobby request from %s rejected: %s",
                    xmpp_stanza_get_from(iq) ? xmpp_stanza_get_from(iq) : "-", why);
        reply_now(sec, focus_security_error_reply(ctx, iq, st, why));
        return;
    }
    FocusRoom *room = focus_registry_lookup(sec->reg, req.room);
    FocusRoomState rs = room ? focus_room_state(room) : FOCUS_ROOM_GONE;
    if (rs == FOCUS_ROOM_GONE || rs == FOCUS_ROOM_DESTROYING) {
        reply_now(sec, focus_security_no_room_reply(ctx, iq));
        focus_security_request_clear(&req);
        return;
    }
    if (rs != FOCUS_ROOM_READY) {
        reply_now(sec, pa_stanza_error_reply(ctx, iq, PA_ERR_WAIT, "service-unavailable",
                                             "the conference room is being set up", NULL));
        focus_security_request_clear(&req);
        return;
    }
    Guard *g = guard_get(sec, req.room, TRUE);
    g_info("lobby: %s room=%s from=%s", focus_security_kind_str(req.kind), req.room, req.from);
    Roster ro;
    roster_init(&ro, sec, req.room);
    g_autoptr(GArray) acts = focus_lobby_actions_new();
    switch (req.kind) {
    case FOCUS_SECURITY_LOBBY_GET: {
        gboolean sees = FALSE;
        FocusLobbyStatus ls = focus_lobby_may_query(g->lobby, &ro.r, req.from, &sees);
        if (ls != FOCUS_LOBBY_OK) {
            reply_now(sec, focus_security_lobby_error(ctx, iq, ls));
            break;
        }
        g_autoptr(GPtrArray) knocks = sees ? focus_lobby_knocks(g->lobby) : NULL;
        xmpp_stanza_t *r = focus_security_lobby_result(ctx, iq, req.room,
                                                       focus_lobby_enabled(g->lobby),
                                                       focus_lobby_has_password(g->lobby), knocks,
                                                       focus_link_now(sec->link));
        xmpp_stanza_t *l = pa_stanza_child(r, "lobby", FOCUS_NS_LOBBY);
        for (xmpp_stanza_t *k = l ? xmpp_stanza_get_children(l) : NULL; k;
             k = xmpp_stanza_get_next(k)) {
            const char *w = xmpp_stanza_is_tag(k) ? xmpp_stanza_get_attribute(k, "waiting") : NULL;
            if (w)
                stamp_knock(k, g_ascii_strtoll(w, NULL, 10) * G_USEC_PER_SEC);
        }
        reply_now(sec, r);
        break;
    }
    case FOCUS_SECURITY_LOBBY_SET:
        focus_lobby_request_toggle(g->lobby, &ro.r, req.from, req.enabled,
                                   req_new(iq, req.kind, req.room), acts);
        break;
    case FOCUS_SECURITY_PASSWORD:
        focus_lobby_request_password(g->lobby, &ro.r, req.from, req.password,
                                     req_new(iq, req.kind, req.room), acts);
        break;
    case FOCUS_SECURITY_KNOCK:
        focus_lobby_request_knock(g->lobby, &ro.r, focus_link_now(sec->link), req.from, req.nick,
                                  req.password, req_new(iq, req.kind, req.room), acts);
        break;
    case FOCUS_SECURITY_CANCEL:
        focus_lobby_request_cancel(g->lobby, &ro.r, req.from, req.knock_id,
                                   req_new(iq, req.kind, req.room), acts);
        break;
    case FOCUS_SECURITY_ADMIT:
        focus_lobby_request_admit(g->lobby, &ro.r, req.from, req.knock_id,
                                  req_new(iq, req.kind, req.room), acts);
        break;
    case FOCUS_SECURITY_REFUSE:
        focus_lobby_request_refuse(g->lobby, &ro.r, req.from, req.knock_id, req.reason,
                                   req_new(iq, req.kind, req.room), acts);
        break;
    }
    roster_clear(&ro);
    perform(g, acts);
    focus_security_request_clear(&req);
}

/* ---- room events ---- */

static void roster_changed(Guard *g)
{
    Roster ro;
    roster_init(&ro, g->sec, g->room);
    g_autoptr(GArray) acts = focus_lobby_actions_new();
    focus_lobby_roster_changed(g->lobby, &ro.r, acts);
    roster_clear(&ro);
    perform(g, acts);
}

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
        g_debug("lobby: could not read the configuration of room=%s (%s)", g->room,
                focus_iq_outcome_str(outcome));
        return;
    }
    Roster ro;
    roster_init(&ro, g->sec, g->room);
    g_autoptr(GArray) acts = focus_lobby_actions_new();
    FocusLobbyPhase before = focus_lobby_phase(g->lobby);
    focus_lobby_adopt_config(g->lobby, &ro.r, members_only, protected_, secret, acts);
    roster_clear(&ro);
    if (before != focus_lobby_phase(g->lobby))
        g_info("lobby: room=%s configured from outside: lobby %s", g->room,
               focus_lobby_phase_str(focus_lobby_phase(g->lobby)));
    perform(g, acts);
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

/* The Guard of the room @jid is from (bare room JID, any case), or NULL. */
static Guard *guard_of_from(FocusRoomSecurity *sec, const char *from, gboolean *has_resource)
{
    PaJid jid;
    *has_resource = FALSE;
    if (!from || pa_jid_parse(from, &jid) != PA_JID_OK)
        return NULL;
    *has_resource = jid.resource != NULL;
    Guard *g = NULL;
    if (jid.local && g_ascii_strcasecmp(jid.domain, sec->muc_domain) == 0) {
        g_autofree char *bare = g_strdup_printf("%s@%s", jid.local, jid.domain);
        g_autofree char *key = focus_muc_room_key(bare);
        g = key ? guard_get(sec, key, FALSE) : NULL;
    }
    pa_jid_clear(&jid);
    return g;
}

/* An occupant's unavailable presence (not the focus's own, not a nick change): the lobby decides
 * whether its membership ends with its stay (docs/security.md "Membership lasts while you are
 * inside"). The registry has already dropped the occupant, so the roster is the room without it. */
static void occupant_left(Guard *g, xmpp_stanza_t *presence)
{
    if (g_strcmp0(xmpp_stanza_get_type(presence), "unavailable") != 0)
        return;
    FocusMucPresence mp;
    if (focus_muc_presence_parse(presence, &mp) != FOCUS_MUC_PRESENCE_OK)
        return;
    if (strcmp(mp.nick, FOCUS_MUC_NICK) != 0 && !mp.is_error && !mp.destroyed &&
        !focus_muc_presence_has_status(&mp, FOCUS_MUC_STATUS_NICK_CHANGED) &&
        !focus_muc_presence_has_status(&mp, FOCUS_MUC_STATUS_SELF)) {
        Roster ro;
        roster_init(&ro, g->sec, g->room);
        g_autoptr(GArray) acts = focus_lobby_actions_new();
        if (mp.real_jid)
            focus_lobby_occupant_left(g->lobby, &ro.r, mp.real_jid, mp.affiliation, acts);
        else
            g_debug("lobby: room=%s: %s left without a visible real JID", g->room, mp.nick);
        roster_clear(&ro);
        perform(g, acts);
    }
    focus_muc_presence_clear(&mp);
}

void focus_room_security_presence(FocusRoomSecurity *sec, xmpp_stanza_t *presence)
{
    const char *from = xmpp_stanza_get_from(presence);
    gboolean has_resource;
    Guard *g = guard_of_from(sec, from, &has_resource);
    if (g) {
        if (has_resource) {
            roster_changed(g);
            occupant_left(g, presence);
        }
        return;
    }
    if (!has_resource || g_strcmp0(xmpp_stanza_get_type(presence), "unavailable") != 0)
        return;
    /* Someone outside every room went offline: a knocker, perhaps. Snapshot: performing may
     * not add or remove guards, but keep the walk independent of the table anyway. */
    g_autoptr(GPtrArray) guards = g_ptr_array_new();
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, sec->guards);
    while (g_hash_table_iter_next(&it, NULL, &v))
        g_ptr_array_add(guards, v);
    for (guint i = 0; i < guards->len; i++) {
        Guard *k = guards->pdata[i];
        if (focus_lobby_knock_count(k->lobby) == 0)
            continue;
        Roster ro;
        roster_init(&ro, sec, k->room);
        g_autoptr(GArray) acts = focus_lobby_actions_new();
        gboolean had = focus_lobby_knocker_gone(k->lobby, &ro.r, from, acts);
        roster_clear(&ro);
        if (had)
            g_info("lobby: knocker went offline room=%s jid=%s", k->room, from);
        perform(k, acts);
    }
}

void focus_room_security_message(FocusRoomSecurity *sec, xmpp_stanza_t *message)
{
    gboolean has_resource;
    Guard *g = guard_of_from(sec, xmpp_stanza_get_from(message), &has_resource);
    xmpp_stanza_t *x = g ? pa_stanza_child(message, "x", FOCUS_NS_MUC_USER) : NULL;
    if (!x)
        return;
    for (xmpp_stanza_t *s = xmpp_stanza_get_children(x); s; s = xmpp_stanza_get_next(s)) {
        if (xmpp_stanza_is_tag(s) && strcmp(xmpp_stanza_get_name(s), "status") == 0 &&
            g_strcmp0(xmpp_stanza_get_attribute(s, "code"), "104") == 0) {
            read_config(g);
            return;
        }
    }
}

void focus_room_security_room_ready(FocusRoomSecurity *sec, FocusRoom *room)
{
    const char *jid = focus_room_jid(room);
    Guard *g = guard_get(sec, jid, TRUE);
    if (g->ready_seen && focus_room_created(room)) {
        /* The server lost the room; the focus made it anew with its initial (open) form. */
        Roster ro;
        roster_init(&ro, sec, jid);
        g_autoptr(GArray) acts = focus_lobby_actions_new();
        focus_lobby_reapply(g->lobby, &ro.r, acts);
        roster_clear(&ro);
        if (acts->len)
            g_info("lobby: room=%s was re-created: applying its lobby and password again", jid);
        perform(g, acts);
    } else if (!g->ready_seen && !focus_room_created(room)) {
        read_config(g); /* someone else's or an earlier focus's room: learn its state */
    }
    g->ready_seen = TRUE;
    roster_changed(g);
}

void focus_room_security_room_gone(FocusRoomSecurity *sec, FocusRoom *room)
{
    Guard *g = guard_get(sec, focus_room_jid(room), FALSE);
    if (!g)
        return;
    g_autoptr(GArray) acts = focus_lobby_actions_new();
    focus_lobby_room_ended(g->lobby, acts);
    perform(g, acts);
    g_hash_table_remove(sec->guards, g->room);
}
