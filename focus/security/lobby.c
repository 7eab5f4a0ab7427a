/* SPDX-License-Identifier: MIT */
/* The lobby's state, the actions it emits and the operations it tracks (shared by
 * lobby-requests.c and lobby-events.c through lobby-priv.h), its lifecycle and queries.
 * Thread: the focus event-loop thread. A FocusLobby owns its knocks, the request handles it
 * was given until it emits their REPLY, and the record of the MUC operations it asked for. */
#include "focus/security/lobby-priv.h"

#include "common/xmpp/jid.h"

#include <string.h>

/* ---- names ---- */

const char *focus_lobby_knock_status_str(FocusLobbyKnockStatus s)
{
    switch (s) {
    case FOCUS_LOBBY_KNOCK_PENDING:
        return "pending";
    case FOCUS_LOBBY_KNOCK_ADMITTED:
        return "admitted";
    case FOCUS_LOBBY_KNOCK_REFUSED:
        return "refused";
    case FOCUS_LOBBY_KNOCK_CANCELLED:
        return "cancelled";
    case FOCUS_LOBBY_KNOCK_LEFT:
        return "left";
    case FOCUS_LOBBY_KNOCK_EXPIRED:
        return "expired";
    case FOCUS_LOBBY_KNOCK_OPEN:
        return "open";
    case FOCUS_LOBBY_KNOCK_ENDED:
        return "ended";
    }
    return "?";
}

const char *focus_lobby_status_str(FocusLobbyStatus s)
{
    switch (s) {
    case FOCUS_LOBBY_OK:
        return "ok";
    case FOCUS_LOBBY_ERR_FORBIDDEN:
        return "forbidden";
    case FOCUS_LOBBY_ERR_NO_KNOCK:
        return "no such knock";
    case FOCUS_LOBBY_ERR_IN_ROOM:
        return "already in the room";
    case FOCUS_LOBBY_ERR_DUPLICATE:
        return "already knocking from another resource";
    case FOCUS_LOBBY_ERR_FULL:
        return "too many knocks";
    case FOCUS_LOBBY_ERR_BAD_PASSWORD:
        return "wrong password";
    case FOCUS_LOBBY_ERR_TOO_MANY_TRIES:
        return "too many wrong passwords";
    case FOCUS_LOBBY_ERR_BUSY:
        return "busy";
    case FOCUS_LOBBY_ERR_MUC_FAILED:
        return "the room refused the change";
    case FOCUS_LOBBY_ERR_ENDED:
        return "the conference ended";
    }
    return "?";
}

const char *focus_lobby_action_kind_str(FocusLobbyActionKind k)
{
    switch (k) {
    case FOCUS_LOBBY_ACTION_GRANT_MEMBER:
        return "grant-member";
    case FOCUS_LOBBY_ACTION_SUBMIT_CONFIG:
        return "submit-config";
    case FOCUS_LOBBY_ACTION_NOTIFY_KNOCK:
        return "notify-knock";
    case FOCUS_LOBBY_ACTION_NOTIFY_STATE:
        return "notify-state";
    case FOCUS_LOBBY_ACTION_REPLY:
        return "reply";
    case FOCUS_LOBBY_ACTION_REVOKE_MEMBER:
        return "revoke-member";
    }
    return "?";
}

const char *focus_lobby_phase_str(FocusLobbyPhase p)
{
    switch (p) {
    case FOCUS_LOBBY_PHASE_OFF:
        return "off";
    case FOCUS_LOBBY_PHASE_ENABLING:
        return "enabling";
    case FOCUS_LOBBY_PHASE_ON:
        return "on";
    case FOCUS_LOBBY_PHASE_DISABLING:
        return "disabling";
    }
    return "?";
}

void focus_lobby_settings_init(FocusLobbySettings *s)
{
    memset(s, 0, sizeof *s);
    s->max_knocks = 50;
    s->knock_ttl_us = (gint64)10 * 60 * G_USEC_PER_SEC;
    s->max_password_failures = 10;
    s->password_window_us = (gint64)60 * G_USEC_PER_SEC;
}

/* ---- roster ---- */

gboolean focus_lobby_occupant_is_moderator(const FocusLobbyOccupant *o)
{
    return o &&
           (o->affiliation == FOCUS_MUC_AFFILIATION_OWNER ||
            o->affiliation == FOCUS_MUC_AFFILIATION_ADMIN || o->role == FOCUS_MUC_ROLE_MODERATOR);
}

const FocusLobbyOccupant *focus_lobby_roster_find(const FocusLobbyRoster *r, const char *full_jid)
{
    if (!r || !full_jid)
        return NULL;
    for (guint i = 0; i < r->n; i++)
        if (r->items[i].real_jid && pa_jid_equal(r->items[i].real_jid, full_jid))
            return &r->items[i];
    return NULL;
}

const FocusLobbyOccupant *focus_lobby_find_moderator(const FocusLobbyRoster *r, const char *jid)
{
    const FocusLobbyOccupant *o = focus_lobby_roster_find(r, jid);
    return focus_lobby_occupant_is_moderator(o) ? o : NULL;
}

/* ---- actions ---- */

static void action_clear(gpointer data)
{
    FocusLobbyAction *a = data;
    g_free(a->jid);
    g_free(a->secret);
    g_free(a->to);
    g_free(a->knock_id);
    g_free(a->nick);
    g_free(a->knocker_jid);
    g_free(a->by);
    g_free(a->reason);
    if (a->request && a->request_free)
        a->request_free(a->request);
    memset(a, 0, sizeof *a);
}

FocusLobbyActions *focus_lobby_actions_new(void)
{
    GArray *a = g_array_new(FALSE, TRUE, sizeof(FocusLobbyAction));
    g_array_set_clear_func(a, action_clear);
    return a;
}

FocusLobbyAction *focus_lobby_push(FocusLobbyActions *actions, FocusLobbyActionKind kind)
{
    FocusLobbyAction a = {.kind = kind};
    g_array_append_val(actions, a);
    return focus_lobby_action_at(actions, actions->len - 1);
}

/* REPLY for @request (transfer full) with @status. */
FocusLobbyAction *focus_lobby_reply(FocusLobby *lobby, FocusLobbyActions *actions, gpointer request,
                                    FocusLobbyStatus status)
{
    FocusLobbyAction *a = focus_lobby_push(actions, FOCUS_LOBBY_ACTION_REPLY);
    a->request = request;
    a->request_free = lobby->request_free;
    a->status = status;
    return a;
}

void focus_lobby_notify_knock(FocusLobbyActions *actions, const char *to, gboolean to_knocker,
                              const FocusLobbyKnock *k, FocusLobbyKnockStatus status,
                              const char *by, const char *reason)
{
    FocusLobbyAction *a = focus_lobby_push(actions, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK);
    a->to = g_strdup(to);
    a->to_knocker = to_knocker;
    a->knock_id = g_strdup(k->id);
    a->knock_status = status;
    if (!to_knocker) {
        a->nick = g_strdup(k->nick);
        a->knocker_jid = g_strdup(k->jid);
    }
    a->by = g_strdup(by);
    a->reason = g_strdup(reason);
}

void focus_lobby_notify_moderators(const FocusLobbyRoster *roster, FocusLobbyActions *actions,
                                   const FocusLobbyKnock *k, FocusLobbyKnockStatus status,
                                   const char *by, const char *reason)
{
    for (guint i = 0; roster && i < roster->n; i++) {
        const FocusLobbyOccupant *o = &roster->items[i];
        if (o->real_jid && focus_lobby_occupant_is_moderator(o))
            focus_lobby_notify_knock(actions, o->real_jid, FALSE, k, status, by, reason);
    }
}

void focus_lobby_notify_state_to(FocusLobby *lobby, FocusLobbyActions *actions, const char *to)
{
    FocusLobbyAction *a = focus_lobby_push(actions, FOCUS_LOBBY_ACTION_NOTIFY_STATE);
    a->to = g_strdup(to);
    a->enabled = focus_lobby_enabled(lobby);
    a->has_password = lobby->password != NULL;
}

void focus_lobby_notify_state_all(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                  FocusLobbyActions *actions)
{
    for (guint i = 0; roster && i < roster->n; i++)
        if (roster->items[i].real_jid)
            focus_lobby_notify_state_to(lobby, actions, roster->items[i].real_jid);
}

/* ---- knocks ---- */

static void knock_free(gpointer data)
{
    FocusLobbyKnock *k = data;
    g_free(k->id);
    g_free(k->nick);
    g_free(k->jid);
    g_free(k->bare_jid);
    g_free(k);
}

FocusLobbyKnock *focus_lobby_knock_by_id(FocusLobby *lobby, const char *id)
{
    for (guint i = 0; id && i < lobby->knocks->len; i++) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        if (strcmp(k->id, id) == 0)
            return k;
    }
    return NULL;
}

FocusLobbyKnock *focus_lobby_knock_by_jid(FocusLobby *lobby, const char *full_jid)
{
    for (guint i = 0; i < lobby->knocks->len; i++) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        if (pa_jid_equal(k->jid, full_jid))
            return k;
    }
    return NULL;
}

FocusLobbyKnock *focus_lobby_knock_by_bare(FocusLobby *lobby, const char *bare)
{
    for (guint i = 0; bare && i < lobby->knocks->len; i++) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        if (strcmp(k->bare_jid, bare) == 0)
            return k;
    }
    return NULL;
}

void focus_lobby_knock_remove(FocusLobby *lobby, FocusLobbyKnock *k)
{
    g_ptr_array_remove(lobby->knocks, k); /* order kept; frees k */
}

/* Every knock still waiting for a moderator: tell the knocker @status and drop it. Knocks being
 * admitted are left to their grant. */
void focus_lobby_close_pending(FocusLobby *lobby, FocusLobbyActions *actions,
                               FocusLobbyKnockStatus status)
{
    for (guint i = 0; i < lobby->knocks->len;) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        if (k->admitting) {
            i++;
            continue;
        }
        focus_lobby_notify_knock(actions, k->jid, TRUE, k, status, NULL, NULL);
        g_ptr_array_remove_index(lobby->knocks, i);
    }
}

/* ---- operations ---- */

void focus_lobby_op_free(gpointer data)
{
    FocusLobbyOp *op = data;
    g_free(op->jid);
    g_free(op->knock_id);
    g_free(op->by);
    g_free(op->password);
    g_free(op);
}

FocusLobbyOp *focus_lobby_op_new(FocusLobby *lobby, FocusLobbyOpKind kind)
{
    FocusLobbyOp *op = g_new0(FocusLobbyOp, 1);
    op->id = ++lobby->next_op;
    if (op->id == 0)
        op->id = ++lobby->next_op;
    op->kind = kind;
    g_hash_table_insert(lobby->ops, GUINT_TO_POINTER(op->id), op);
    return op;
}

void focus_lobby_emit_grant(FocusLobby *lobby, FocusLobbyActions *actions, const FocusLobbyOp *op)
{
    g_hash_table_add(lobby->granted, g_strdup(op->jid));
    FocusLobbyAction *a = focus_lobby_push(actions, FOCUS_LOBBY_ACTION_GRANT_MEMBER);
    a->op = op->id;
    a->jid = g_strdup(op->jid);
}

void focus_lobby_submit_config(FocusLobby *lobby, FocusLobbyActions *actions,
                               FocusLobbyConfigPurpose purpose, gboolean members_only,
                               const char *password, gpointer request)
{
    FocusLobbyOp *op = focus_lobby_op_new(lobby, FOCUS_LOBBY_OP_CONFIG);
    op->purpose = purpose;
    op->password = g_strdup(password);
    op->request = request;
    lobby->config_op = op->id;
    FocusLobbyAction *a = focus_lobby_push(actions, FOCUS_LOBBY_ACTION_SUBMIT_CONFIG);
    a->op = op->id;
    a->members_only = members_only;
    /* While members-only, the room carries no secret (see lobby.h). */
    a->secret = members_only ? NULL : g_strdup(password);
}

gboolean focus_lobby_busy(FocusLobby *lobby)
{
    return lobby->config_op != 0 || lobby->phase == FOCUS_LOBBY_PHASE_ENABLING ||
           lobby->phase == FOCUS_LOBBY_PHASE_DISABLING;
}

/* ENABLING: a member grant for @o unless it already has an affiliation or its bare JID was
 * granted in this round. */
void focus_lobby_grant_for_enable(FocusLobby *lobby, const FocusLobbyOccupant *o,
                                  FocusLobbyActions *actions)
{
    if (!o->real_jid || o->affiliation != FOCUS_MUC_AFFILIATION_NONE)
        return;
    char *bare = pa_jid_bare(o->real_jid);
    if (!bare || g_hash_table_contains(lobby->enable_jids, bare)) {
        g_free(bare);
        return;
    }
    g_hash_table_add(lobby->enable_jids, g_strdup(bare));
    FocusLobbyOp *op = focus_lobby_op_new(lobby, FOCUS_LOBBY_OP_GRANT_ENABLE);
    op->jid = bare;
    /* Grants issued after the form went out cannot hold it back any more. */
    op->gates = lobby->config_op == 0;
    if (op->gates)
        lobby->enable_pending++;
    focus_lobby_emit_grant(lobby, actions, op);
}

void focus_lobby_start_enabling(FocusLobby *lobby, const FocusLobbyRoster *roster, gpointer request,
                                FocusLobbyActions *actions)
{
    lobby->phase = FOCUS_LOBBY_PHASE_ENABLING;
    lobby->enable_request = request;
    lobby->enable_failed = FALSE;
    lobby->enable_pending = 0;
    g_hash_table_remove_all(lobby->enable_jids);
    for (guint i = 0; roster && i < roster->n; i++)
        focus_lobby_grant_for_enable(lobby, &roster->items[i], actions);
    if (lobby->enable_pending == 0) {
        gpointer req = lobby->enable_request;
        lobby->enable_request = NULL;
        focus_lobby_submit_config(lobby, actions, FOCUS_LOBBY_CFG_ENABLE, TRUE, lobby->password,
                                  req);
    }
}

/* ---- lifecycle ---- */

static void known_free(gpointer data)
{
    g_free(data);
}

FocusLobby *focus_lobby_new(const FocusLobbySettings *settings, GDestroyNotify request_free)
{
    FocusLobby *lobby = g_new0(FocusLobby, 1);
    if (settings)
        lobby->s = *settings;
    else
        focus_lobby_settings_init(&lobby->s);
    lobby->request_free = request_free;
    lobby->knocks = g_ptr_array_new_with_free_func(knock_free);
    lobby->ops = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, focus_lobby_op_free);
    lobby->enable_jids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    lobby->known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, known_free);
    lobby->granted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return lobby;
}

void focus_lobby_release(FocusLobby *lobby, gpointer request)
{
    if (request && lobby->request_free)
        lobby->request_free(request);
}

void focus_lobby_free(FocusLobby *lobby)
{
    if (!lobby)
        return;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, lobby->ops);
    while (g_hash_table_iter_next(&it, NULL, &v))
        focus_lobby_release(lobby, ((FocusLobbyOp *)v)->request);
    focus_lobby_release(lobby, lobby->enable_request);
    g_hash_table_destroy(lobby->ops);
    g_hash_table_destroy(lobby->enable_jids);
    g_hash_table_destroy(lobby->known);
    g_hash_table_destroy(lobby->granted);
    g_ptr_array_free(lobby->knocks, TRUE);
    g_free(lobby->password);
    g_free(lobby);
}

/* ---- state ---- */

FocusLobbyPhase focus_lobby_phase(FocusLobby *lobby)
{
    return lobby->phase;
}

gboolean focus_lobby_enabled(FocusLobby *lobby)
{
    return lobby->phase == FOCUS_LOBBY_PHASE_ON || lobby->phase == FOCUS_LOBBY_PHASE_DISABLING;
}

gboolean focus_lobby_has_password(FocusLobby *lobby)
{
    return lobby->password != NULL;
}

GPtrArray *focus_lobby_knocks(FocusLobby *lobby)
{
    GPtrArray *a = g_ptr_array_sized_new(lobby->knocks->len);
    for (guint i = 0; i < lobby->knocks->len; i++)
        g_ptr_array_add(a, lobby->knocks->pdata[i]);
    return a;
}

guint focus_lobby_knock_count(FocusLobby *lobby)
{
    return lobby->knocks->len;
}

guint focus_lobby_ops_in_flight(FocusLobby *lobby)
{
    return g_hash_table_size(lobby->ops);
}

gint64 focus_lobby_next_deadline(FocusLobby *lobby)
{
    gint64 best = -1;
    for (guint i = 0; i < lobby->knocks->len; i++) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        gint64 due = k->created_us + lobby->s.knock_ttl_us;
        if (!k->admitting && (best < 0 || due < best))
            best = due;
    }
    return best;
}

FocusLobbyStatus focus_lobby_may_query(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                       const char *requester, gboolean *sees_knocks)
{
    const FocusLobbyOccupant *o = focus_lobby_roster_find(roster, requester);
    if (sees_knocks)
        *sees_knocks = focus_lobby_occupant_is_moderator(o);
    return o ? FOCUS_LOBBY_OK : FOCUS_LOBBY_ERR_FORBIDDEN;
}
