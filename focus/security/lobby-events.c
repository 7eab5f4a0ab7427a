/* SPDX-License-Identifier: MIT */
/* What happens to the lobby: the MUC operations it asked for finish, the room's occupants
 * change, knocks expire, the conference ends, the room is re-created or configured from
 * outside (see lobby.h). Thread: the focus event-loop thread. */
#include "focus/security/lobby-priv.h"

#include "common/xmpp/jid.h"

#include <string.h>

/* ---- operation results ---- */

/* focus_lobby_emit_grant() records a grant as the focus's own when it is sent, so that a leave
 * racing with it is still revoked. A grant the MUC refused never happened: forget it, or a later
 * membership given by an owner would be taken for the focus's and revoked on leave. */
static void forget_failed_grant(FocusLobby *lobby, const FocusLobbyOp *op, gboolean ok)
{
    if (!ok && op->jid)
        g_hash_table_remove(lobby->granted, op->jid);
}

static void admit_done(FocusLobby *lobby, const FocusLobbyRoster *roster, FocusLobbyOp *op,
                       gboolean ok, FocusLobbyActions *actions)
{
    forget_failed_grant(lobby, op, ok);
    FocusLobbyKnock *k = focus_lobby_knock_by_id(lobby, op->knock_id);
    if (ok) {
        if (k) {
            focus_lobby_notify_knock(actions, k->jid, TRUE, k, FOCUS_LOBBY_KNOCK_ADMITTED, op->by,
                                     NULL);
            focus_lobby_notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_ADMITTED, op->by,
                                          NULL);
            focus_lobby_knock_remove(lobby, k);
        }
    } else if (k) {
        /* Back to waiting; a password admission that failed goes to the moderators now. */
        k->admitting = FALSE;
        if (!op->by)
            focus_lobby_notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_PENDING, NULL,
                                          NULL);
    }
    if (op->request)
        focus_lobby_reply(lobby, actions, g_steal_pointer(&op->request),
                          ok ? FOCUS_LOBBY_OK : FOCUS_LOBBY_ERR_MUC_FAILED);
}

static void enable_grant_done(FocusLobby *lobby, const FocusLobbyRoster *roster, FocusLobbyOp *op,
                              gboolean ok, FocusLobbyActions *actions)
{
    forget_failed_grant(lobby, op, ok);
    if (!op->gates || lobby->phase != FOCUS_LOBBY_PHASE_ENABLING)
        return;
    lobby->enable_pending--;
    if (!ok)
        lobby->enable_failed = TRUE;
    if (lobby->enable_pending > 0 || lobby->config_op != 0)
        return;
    gpointer req = lobby->enable_request;
    lobby->enable_request = NULL;
    if (lobby->enable_failed) {
        /* Turning members-only on now would throw out whoever lacks membership. */
        lobby->phase = FOCUS_LOBBY_PHASE_OFF;
        focus_lobby_close_pending(lobby, actions, FOCUS_LOBBY_KNOCK_OPEN);
        if (req)
            focus_lobby_reply(lobby, actions, req, FOCUS_LOBBY_ERR_MUC_FAILED);
        return;
    }
    focus_lobby_submit_config(lobby, actions, FOCUS_LOBBY_CFG_ENABLE, TRUE, lobby->password, req);
}

static void config_done(FocusLobby *lobby, const FocusLobbyRoster *roster, FocusLobbyOp *op,
                        gboolean ok, FocusLobbyActions *actions)
{
    lobby->config_op = 0;
    gboolean changed = FALSE;
    switch (op->purpose) {
    case FOCUS_LOBBY_CFG_ENABLE:
        lobby->phase = ok ? FOCUS_LOBBY_PHASE_ON : FOCUS_LOBBY_PHASE_OFF;
        if (!ok)
            focus_lobby_close_pending(lobby, actions, FOCUS_LOBBY_KNOCK_OPEN);
        changed = ok;
        break;
    case FOCUS_LOBBY_CFG_DISABLE:
        lobby->phase = ok ? FOCUS_LOBBY_PHASE_OFF : FOCUS_LOBBY_PHASE_ON;
        if (ok)
            focus_lobby_close_pending(lobby, actions, FOCUS_LOBBY_KNOCK_OPEN);
        changed = ok;
        break;
    case FOCUS_LOBBY_CFG_PASSWORD:
        if (ok) {
            changed = (lobby->password != NULL) != (op->password != NULL);
            g_free(lobby->password);
            lobby->password = g_strdup(op->password);
        }
        break;
    case FOCUS_LOBBY_CFG_SYNC:
        break;
    }
    if (op->request)
        focus_lobby_reply(lobby, actions, g_steal_pointer(&op->request),
                          ok ? FOCUS_LOBBY_OK : FOCUS_LOBBY_ERR_MUC_FAILED);
    if (changed)
        focus_lobby_notify_state_all(lobby, roster, actions);
}

void focus_lobby_op_done(FocusLobby *lobby, const FocusLobbyRoster *roster, guint op_id,
                         gboolean ok, FocusLobbyActions *actions)
{
    FocusLobbyOp *op = g_hash_table_lookup(lobby->ops, GUINT_TO_POINTER(op_id));
    if (!op)
        return; /* forgotten (the conference ended) */
    g_hash_table_steal(lobby->ops, GUINT_TO_POINTER(op_id));
    switch (op->kind) {
    case FOCUS_LOBBY_OP_GRANT_ENABLE:
        enable_grant_done(lobby, roster, op, ok, actions);
        break;
    case FOCUS_LOBBY_OP_GRANT_ADMIT:
        admit_done(lobby, roster, op, ok, actions);
        break;
    case FOCUS_LOBBY_OP_CONFIG:
        config_done(lobby, roster, op, ok, actions);
        break;
    case FOCUS_LOBBY_OP_REVOKE:
        break; /* nobody waits; the caller logs a failure */
    }
    focus_lobby_release(lobby, op->request);
    focus_lobby_op_free(op);
}

/* ---- events ---- */

void focus_lobby_roster_changed(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                FocusLobbyActions *actions)
{
    lobby->gen++;
    for (guint i = 0; roster && i < roster->n; i++) {
        const FocusLobbyOccupant *o = &roster->items[i];
        if (!o->real_jid)
            continue;
        FocusLobbyKnown *kn = g_hash_table_lookup(lobby->known, o->real_jid);
        gboolean is_new = kn == NULL;
        if (is_new) {
            kn = g_new0(FocusLobbyKnown, 1);
            g_hash_table_insert(lobby->known, g_strdup(o->real_jid), kn);
        }
        gboolean mod = focus_lobby_occupant_is_moderator(o);
        if (is_new && (focus_lobby_enabled(lobby) || lobby->password))
            focus_lobby_notify_state_to(lobby, actions, o->real_jid);
        if (mod && !kn->moderator) {
            for (guint j = 0; j < lobby->knocks->len; j++) {
                FocusLobbyKnock *k = lobby->knocks->pdata[j];
                if (!k->admitting)
                    focus_lobby_notify_knock(actions, o->real_jid, FALSE, k,
                                             FOCUS_LOBBY_KNOCK_PENDING, NULL, NULL);
            }
        }
        kn->moderator = mod;
        kn->gen = lobby->gen;
        if (lobby->phase == FOCUS_LOBBY_PHASE_ENABLING)
            focus_lobby_grant_for_enable(lobby, o, actions);
        FocusLobbyKnock *k = focus_lobby_knock_by_jid(lobby, o->real_jid);
        if (k && !k->admitting) {
            focus_lobby_notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_CANCELLED, NULL,
                                          NULL);
            focus_lobby_knock_remove(lobby, k);
        }
    }
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, lobby->known);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (((FocusLobbyKnown *)v)->gen != lobby->gen)
            g_hash_table_iter_remove(&it);
}

gboolean focus_lobby_knocker_gone(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                  const char *full_jid, FocusLobbyActions *actions)
{
    FocusLobbyKnock *k = full_jid ? focus_lobby_knock_by_jid(lobby, full_jid) : NULL;
    if (!k)
        return FALSE;
    focus_lobby_notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_LEFT, NULL, NULL);
    focus_lobby_knock_remove(lobby, k);
    return TRUE;
}

gboolean focus_lobby_occupant_left(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                   const char *real_jid, FocusMucAffiliation affiliation,
                                   FocusLobbyActions *actions)
{
    if (!real_jid ||
        (affiliation != FOCUS_MUC_AFFILIATION_MEMBER && affiliation != FOCUS_MUC_AFFILIATION_NONE))
        return FALSE; /* owners and admins keep their rights; a ban stays a ban */
    g_autofree char *bare = pa_jid_bare(real_jid);
    if (!bare)
        return FALSE;
    gboolean ours = g_hash_table_contains(lobby->granted, bare);
    gboolean member_while_on =
        affiliation == FOCUS_MUC_AFFILIATION_MEMBER && lobby->phase != FOCUS_LOBBY_PHASE_OFF;
    if (!ours && !member_while_on)
        return FALSE;
    /* Another session of the same account is still inside: the membership is still in use. */
    for (guint i = 0; roster && i < roster->n; i++) {
        g_autofree char *b =
            roster->items[i].real_jid ? pa_jid_bare(roster->items[i].real_jid) : NULL;
        if (b && strcmp(b, bare) == 0)
            return FALSE;
    }
    /* Admitted again while leaving (a reload that knocked at once): the grant must win. */
    FocusLobbyKnock *k = focus_lobby_knock_by_bare(lobby, bare);
    if (k && k->admitting)
        return FALSE;
    g_hash_table_remove(lobby->granted, bare);
    FocusLobbyOp *op = focus_lobby_op_new(lobby, FOCUS_LOBBY_OP_REVOKE);
    op->jid = g_steal_pointer(&bare);
    FocusLobbyAction *a = focus_lobby_push(actions, FOCUS_LOBBY_ACTION_REVOKE_MEMBER);
    a->op = op->id;
    a->jid = g_strdup(op->jid);
    return TRUE;
}

void focus_lobby_expire(FocusLobby *lobby, const FocusLobbyRoster *roster, gint64 now_us,
                        FocusLobbyActions *actions)
{
    for (guint i = 0; i < lobby->knocks->len;) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        if (k->admitting || now_us - k->created_us < lobby->s.knock_ttl_us) {
            i++;
            continue;
        }
        focus_lobby_notify_knock(actions, k->jid, TRUE, k, FOCUS_LOBBY_KNOCK_EXPIRED, NULL, NULL);
        focus_lobby_notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_EXPIRED, NULL, NULL);
        g_ptr_array_remove_index(lobby->knocks, i);
    }
}

void focus_lobby_room_ended(FocusLobby *lobby, FocusLobbyActions *actions)
{
    for (guint i = 0; i < lobby->knocks->len; i++) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        focus_lobby_notify_knock(actions, k->jid, TRUE, k, FOCUS_LOBBY_KNOCK_ENDED, NULL, NULL);
    }
    g_ptr_array_set_size(lobby->knocks, 0);
    if (lobby->enable_request)
        focus_lobby_reply(lobby, actions, g_steal_pointer(&lobby->enable_request),
                          FOCUS_LOBBY_ERR_ENDED);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, lobby->ops);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        FocusLobbyOp *op = v;
        if (op->request)
            focus_lobby_reply(lobby, actions, g_steal_pointer(&op->request), FOCUS_LOBBY_ERR_ENDED);
    }
    g_hash_table_remove_all(lobby->ops);
    g_hash_table_remove_all(lobby->enable_jids);
    g_hash_table_remove_all(lobby->known);
    g_hash_table_remove_all(lobby->granted);
    lobby->config_op = 0;
    lobby->enable_pending = 0;
    lobby->phase = FOCUS_LOBBY_PHASE_OFF;
    g_clear_pointer(&lobby->password, g_free);
}

void focus_lobby_reapply(FocusLobby *lobby, const FocusLobbyRoster *roster,
                         FocusLobbyActions *actions)
{
    if (focus_lobby_busy(lobby))
        return;
    if (lobby->phase == FOCUS_LOBBY_PHASE_ON)
        focus_lobby_start_enabling(lobby, roster, NULL, actions);
    else if (lobby->password)
        focus_lobby_submit_config(lobby, actions, FOCUS_LOBBY_CFG_SYNC, FALSE, lobby->password,
                                  NULL);
}

void focus_lobby_adopt_config(FocusLobby *lobby, const FocusLobbyRoster *roster,
                              gboolean members_only, gboolean password_protected,
                              const char *secret, FocusLobbyActions *actions)
{
    if (focus_lobby_busy(lobby))
        return;
    if (secret && !*secret)
        secret = NULL;
    gboolean was_on = focus_lobby_enabled(lobby);
    gboolean had_password = lobby->password != NULL;
    if (members_only && !was_on)
        lobby->phase = FOCUS_LOBBY_PHASE_ON;
    if (!members_only && was_on) {
        lobby->phase = FOCUS_LOBBY_PHASE_OFF;
        focus_lobby_close_pending(lobby, actions, FOCUS_LOBBY_KNOCK_OPEN);
    }
    gboolean normalise = FALSE;
    if (password_protected && secret) {
        if (g_strcmp0(lobby->password, secret) != 0) {
            g_free(lobby->password);
            lobby->password = g_strdup(secret);
        }
        normalise = members_only;
    } else if (!members_only) {
        g_clear_pointer(&lobby->password, g_free);
    }
    /* members-only without a secret: the room as the focus keeps it while the lobby is on;
     * the password (if any) stays with the focus. */
    if (normalise)
        focus_lobby_submit_config(lobby, actions, FOCUS_LOBBY_CFG_SYNC, TRUE, lobby->password,
                                  NULL);
    if (was_on != focus_lobby_enabled(lobby) || had_password != (lobby->password != NULL))
        focus_lobby_notify_state_all(lobby, roster, actions);
}

void focus_lobby_adopt_members(FocusLobby *lobby, const GPtrArray *bare_jids)
{
    for (guint i = 0; bare_jids && i < bare_jids->len; i++)
        g_hash_table_add(lobby->granted, g_strdup(bare_jids->pdata[i]));
}
