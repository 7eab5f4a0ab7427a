/* SPDX-License-Identifier: MIT */
/* The lobby's requests: a moderator turning the lobby or the password on and off, knocks and
 * what moderators and knockers do with them (see lobby.h). Each request emits exactly one
 * REPLY. Thread: the focus event-loop thread. */
#include "focus/security/lobby-priv.h"

#include "common/xmpp/jid.h"

#include <string.h>

/* ---- requests ---- */

void focus_lobby_request_toggle(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                const char *requester, gboolean enabled, gpointer request,
                                FocusLobbyActions *actions)
{
    if (!focus_lobby_find_moderator(roster, requester)) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_FORBIDDEN);
        return;
    }
    if ((enabled && lobby->phase == FOCUS_LOBBY_PHASE_ON) ||
        (!enabled && lobby->phase == FOCUS_LOBBY_PHASE_OFF && lobby->config_op == 0)) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_OK);
        return;
    }
    if (focus_lobby_busy(lobby)) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_BUSY);
        return;
    }
    if (enabled) {
        focus_lobby_start_enabling(lobby, roster, request, actions);
    } else {
        lobby->phase = FOCUS_LOBBY_PHASE_DISABLING;
        focus_lobby_submit_config(lobby, actions, FOCUS_LOBBY_CFG_DISABLE, FALSE, lobby->password,
                                  request);
    }
}

void focus_lobby_request_password(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                  const char *requester, const char *password, gpointer request,
                                  FocusLobbyActions *actions)
{
    if (password && !*password)
        password = NULL;
    if (!focus_lobby_find_moderator(roster, requester)) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_FORBIDDEN);
        return;
    }
    if (focus_lobby_busy(lobby)) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_BUSY);
        return;
    }
    if (g_strcmp0(password, lobby->password) == 0) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_OK);
        return;
    }
    if (lobby->phase == FOCUS_LOBBY_PHASE_ON) {
        gboolean had = lobby->password != NULL;
        g_free(lobby->password);
        lobby->password = g_strdup(password);
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_OK);
        if (had != (password != NULL))
            focus_lobby_notify_state_all(lobby, roster, actions);
        return;
    }
    focus_lobby_submit_config(lobby, actions, FOCUS_LOBBY_CFG_PASSWORD, FALSE, password, request);
}

/* Same length and bytes, in time that does not depend on where they differ. */
static gboolean secret_equal(const char *a, const char *b)
{
    gsize la = strlen(a), lb = strlen(b);
    guchar diff = la != lb;
    for (gsize i = 0; i < la; i++)
        diff |= (guchar)a[i] ^ (guchar)b[i % (lb ? lb : 1)];
    return diff == 0;
}

/* Wrong-password budget per room: FALSE when exhausted. */
static gboolean password_budget(FocusLobby *lobby, gint64 now_us)
{
    if (now_us - lobby->pw_window_start >= lobby->s.password_window_us ||
        now_us < lobby->pw_window_start) {
        lobby->pw_window_start = now_us;
        lobby->pw_failures = 0;
    }
    return lobby->pw_failures < lobby->s.max_password_failures;
}

void focus_lobby_request_knock(FocusLobby *lobby, const FocusLobbyRoster *roster, gint64 now_us,
                               const char *requester, const char *nick, const char *password,
                               gpointer request, FocusLobbyActions *actions)
{
    if (focus_lobby_roster_find(roster, requester)) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_IN_ROOM);
        return;
    }
    if (lobby->phase == FOCUS_LOBBY_PHASE_OFF) {
        FocusLobbyAction *a = focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_OK);
        a->knock_status = FOCUS_LOBBY_KNOCK_OPEN;
        return;
    }
    FocusLobbyKnock *existing = focus_lobby_knock_by_jid(lobby, requester);
    if (existing) {
        FocusLobbyAction *a = focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_OK);
        a->knock_id = g_strdup(existing->id);
        a->knock_status = FOCUS_LOBBY_KNOCK_PENDING;
        return;
    }
    g_autofree char *bare = pa_jid_bare(requester);
    if (!bare) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_FORBIDDEN);
        return;
    }
    if (focus_lobby_knock_by_bare(lobby, bare)) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_DUPLICATE);
        return;
    }
    if (lobby->knocks->len >= lobby->s.max_knocks) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_FULL);
        return;
    }
    gboolean by_password = FALSE;
    if (password && *password) {
        if (!password_budget(lobby, now_us)) {
            focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_TOO_MANY_TRIES);
            return;
        }
        if (!lobby->password || !secret_equal(password, lobby->password)) {
            lobby->pw_failures++;
            focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_BAD_PASSWORD);
            return;
        }
        by_password = TRUE;
    }
    FocusLobbyKnock *k = g_new0(FocusLobbyKnock, 1);
    k->id = g_strdup_printf("k%" G_GUINT64_FORMAT, ++lobby->knock_seq);
    k->nick = g_strdup(nick ? nick : "");
    k->jid = g_strdup(requester);
    k->bare_jid = g_steal_pointer(&bare);
    k->created_us = now_us;
    g_ptr_array_add(lobby->knocks, k);

    FocusLobbyAction *a = focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_OK);
    a->knock_id = g_strdup(k->id);
    a->knock_status = FOCUS_LOBBY_KNOCK_PENDING;
    if (by_password) {
        k->admitting = TRUE;
        FocusLobbyOp *op = focus_lobby_op_new(lobby, FOCUS_LOBBY_OP_GRANT_ADMIT);
        op->jid = g_strdup(k->bare_jid);
        op->knock_id = g_strdup(k->id);
        focus_lobby_emit_grant(lobby, actions, op);
    } else {
        focus_lobby_notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_PENDING, NULL, NULL);
    }
}

void focus_lobby_request_cancel(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                const char *requester, const char *knock_id, gpointer request,
                                FocusLobbyActions *actions)
{
    FocusLobbyKnock *k = focus_lobby_knock_by_id(lobby, knock_id);
    /* Someone else's knock is "not found" too: ids are not secrets, knocks are personal. */
    if (!k || !pa_jid_equal(k->jid, requester)) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_NO_KNOCK);
        return;
    }
    focus_lobby_notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_CANCELLED, NULL, NULL);
    focus_lobby_knock_remove(lobby, k);
    focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_OK);
}

/* A moderator's request about knock @knock_id: the moderator and the knock, or FALSE once the
 * REPLY (forbidden, no such knock) is emitted. */
static gboolean moderator_and_knock(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                    const char *requester, const char *knock_id, gpointer request,
                                    FocusLobbyActions *actions, const FocusLobbyOccupant **mod,
                                    FocusLobbyKnock **k)
{
    *mod = focus_lobby_find_moderator(roster, requester);
    if (!*mod) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_FORBIDDEN);
        return FALSE;
    }
    *k = focus_lobby_knock_by_id(lobby, knock_id);
    if (!*k) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_NO_KNOCK);
        return FALSE;
    }
    return TRUE;
}

void focus_lobby_request_admit(FocusLobby *lobby, const FocusLobbyRoster *roster,
                               const char *requester, const char *knock_id, gpointer request,
                               FocusLobbyActions *actions)
{
    const FocusLobbyOccupant *mod;
    FocusLobbyKnock *k;
    if (!moderator_and_knock(lobby, roster, requester, knock_id, request, actions, &mod, &k))
        return;
    if (k->admitting) { /* another moderator (or the password) was quicker */
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_OK);
        return;
    }
    k->admitting = TRUE;
    FocusLobbyOp *op = focus_lobby_op_new(lobby, FOCUS_LOBBY_OP_GRANT_ADMIT);
    op->jid = g_strdup(k->bare_jid);
    op->knock_id = g_strdup(k->id);
    op->by = g_strdup(mod->nick);
    op->request = request;
    focus_lobby_emit_grant(lobby, actions, op);
}

void focus_lobby_request_refuse(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                const char *requester, const char *knock_id, const char *reason,
                                gpointer request, FocusLobbyActions *actions)
{
    const FocusLobbyOccupant *mod;
    FocusLobbyKnock *k;
    if (!moderator_and_knock(lobby, roster, requester, knock_id, request, actions, &mod, &k))
        return;
    if (k->admitting) {
        focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_ERR_BUSY);
        return;
    }
    if (reason && !*reason)
        reason = NULL;
    focus_lobby_notify_knock(actions, k->jid, TRUE, k, FOCUS_LOBBY_KNOCK_REFUSED, mod->nick,
                             reason);
    focus_lobby_notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_REFUSED, mod->nick, reason);
    focus_lobby_knock_remove(lobby, k);
    focus_lobby_reply(lobby, actions, request, FOCUS_LOBBY_OK);
}
