/* SPDX-License-Identifier: MIT */
/* A room's participants: who is there (from presence), renames and leaves, and auto-owner
 * (the longest-present participant gets owner when nobody present has it; roles.h decides).
 * Thread: the focus event-loop thread; the room owns its participants. */
#include "focus/rooms/room-priv.h"

#include <string.h>

void focus_room_participant_free(gpointer data)
{
    FocusParticipant *p = data;
    g_free(p->nick);
    g_free(p->real_jid);
    g_free(p->display_name);
    g_free(p->stats_id);
    g_free(p->caps_node);
    g_free(p->caps_ver);
    g_free(p);
}

guint focus_room_participant_count(FocusRoom *room)
{
    return g_hash_table_size(room->by_nick);
}

FocusParticipant *focus_room_participant(FocusRoom *room, const char *nick)
{
    return nick ? g_hash_table_lookup(room->by_nick, nick) : NULL;
}

static gint by_seq(gconstpointer a, gconstpointer b)
{
    const FocusParticipant *x = *(FocusParticipant *const *)a;
    const FocusParticipant *y = *(FocusParticipant *const *)b;
    return x->join_seq < y->join_seq ? -1 : (x->join_seq > y->join_seq ? 1 : 0);
}

GPtrArray *focus_room_participants(FocusRoom *room)
{
    GPtrArray *arr = g_ptr_array_new();
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, room->by_nick);
    while (g_hash_table_iter_next(&it, NULL, &v))
        g_ptr_array_add(arr, v);
    g_ptr_array_sort(arr, by_seq);
    return arr;
}

/* ---- leaving ---- */

void focus_room_remove_participant(FocusRoom *room, FocusParticipant *p, const char *reason)
{
    g_info("participant left room=%s ep=%s reason=%s participants=%u", room->jid, p->nick, reason,
           focus_room_participant_count(room) - 1);
    focus_room_emit_left(room, p);
    g_hash_table_remove(room->by_nick, p->nick);
}

void focus_room_remove_all(FocusRoom *room, gboolean only_stale, const char *reason)
{
    g_autoptr(GPtrArray) all = focus_room_participants(room);
    for (guint i = 0; i < all->len; i++) {
        FocusParticipant *p = all->pdata[i];
        if (!only_stale || p->stale)
            focus_room_remove_participant(room, p, reason);
    }
}

/* ---- auto-owner ---- */

/* A participant (not the focus) present with owner affiliation. */
static gboolean has_owner(FocusRoom *room)
{
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, room->by_nick);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        FocusParticipant *p = v;
        if (!p->stale && p->affiliation == FOCUS_MUC_AFFILIATION_OWNER)
            return TRUE;
    }
    return FALSE;
}

static void grant_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply, gpointer data)
{
    FocusRoom *room = data;
    room->grant_in_flight = FALSE;
    FocusParticipant *p = focus_room_participant(room, room->grant_nick);
    if (outcome == FOCUS_IQ_RESULT) {
        g_info("owner granted room=%s ep=%s jid=%s", room->jid, room->grant_nick, room->grant_jid);
        if (p)
            p->affiliation = FOCUS_MUC_AFFILIATION_OWNER;
    } else if (outcome != FOCUS_IQ_DISCONNECTED) {
        const char *cond = reply ? pa_stanza_error_condition(reply) : NULL;
        g_warning("owner grant failed room=%s ep=%s jid=%s: %s%s%s", room->jid, room->grant_nick,
                  room->grant_jid, focus_iq_outcome_str(outcome), cond ? " " : "",
                  cond ? cond : "");
        if (p)
            p->owner_grant_failed = TRUE;
    }
    g_clear_pointer(&room->grant_nick, g_free);
    g_clear_pointer(&room->grant_jid, g_free);
    if (outcome != FOCUS_IQ_DISCONNECTED)
        focus_room_elect_owner(room);
}

void focus_room_elect_owner(FocusRoom *room)
{
    if (room->state != FOCUS_ROOM_READY || room->grant_in_flight || room->owner_abdicated)
        return;
    g_autoptr(GPtrArray) all = focus_room_participants(room);
    g_autofree FocusOwnerCandidate *c = g_new0(FocusOwnerCandidate, all->len + 1);
    guint n = 0;
    for (guint i = 0; i < all->len; i++) {
        FocusParticipant *p = all->pdata[i];
        if (p->stale)
            continue;
        c[n].nick = p->nick;
        c[n].real_jid = p->real_jid;
        c[n].affiliation = p->affiliation;
        c[n].join_seq = p->join_seq;
        c[n].eligible =
            !p->owner_grant_failed &&
            (!room->s.login_domain || focus_roles_on_domain(p->real_jid, room->s.login_domain));
        n++;
    }
    gint idx = focus_roles_elect_owner(c, n);
    if (idx < 0)
        return;
    char *jid = focus_roles_grant_jid(c[idx].real_jid);
    if (!jid)
        return;
    room->grant_in_flight = TRUE;
    room->grant_nick = g_strdup(c[idx].nick);
    room->grant_jid = jid;
    g_info("granting owner room=%s ep=%s jid=%s", room->jid, room->grant_nick, jid);
    focus_room_send_iq(room,
                       focus_muc_set_affiliation(focus_link_ctx(room->link), room->occupant_jid,
                                                 room->jid, jid, FOCUS_MUC_AFFILIATION_OWNER),
                       grant_done);
}

/* ---- presence ---- */

static void copy_if_set(char **dst, const char *src)
{
    if (src && g_strcmp0(*dst, src) != 0) {
        g_free(*dst);
        *dst = g_strdup(src);
    }
}

void focus_room_occupant_available(FocusRoom *room, const FocusMucPresence *mp)
{
    FocusParticipant *p = g_hash_table_lookup(room->by_nick, mp->nick);
    gboolean is_new = p == NULL;
    if (is_new) {
        p = g_new0(FocusParticipant, 1);
        p->nick = g_strdup(mp->nick);
        p->join_seq = ++room->next_seq;
        p->joined_us = focus_link_now(room->link);
        g_hash_table_insert(room->by_nick, p->nick, p);
    }
    FocusMucAffiliation old_affiliation = p->affiliation;
    gboolean was_stale = p->stale;
    p->stale = FALSE;
    p->role = mp->role;
    p->affiliation = mp->affiliation;
    copy_if_set(&p->real_jid, mp->real_jid);
    copy_if_set(&p->display_name, mp->display_name);
    copy_if_set(&p->stats_id, mp->stats_id);
    if (mp->caps_node && mp->caps_ver) {
        copy_if_set(&p->caps_node, mp->caps_node);
        copy_if_set(&p->caps_ver, mp->caps_ver);
    }
    if (is_new) {
        room->awaiting_first_join = FALSE;
        g_info("participant joined room=%s ep=%s role=%s affiliation=%s jid=%s "
               "participants=%u",
               room->jid, p->nick, focus_muc_role_str(p->role),
               focus_muc_affiliation_str(p->affiliation), p->real_jid ? p->real_jid : "-",
               focus_room_participant_count(room));
        focus_room_emit_joined(room, p);
    } else if (old_affiliation != p->affiliation) {
        g_info("affiliation changed room=%s ep=%s %s -> %s", room->jid, p->nick,
               focus_muc_affiliation_str(old_affiliation),
               focus_muc_affiliation_str(p->affiliation));
        /* The last owner right was taken away by an owner (this one or another): the
         * moderators chose, so auto-owner waits until someone leaves instead of fighting them
         * (granting it back, or to the next in line). */
        if (!was_stale && old_affiliation == FOCUS_MUC_AFFILIATION_OWNER && !has_owner(room)) {
            g_info("owner right given up room=%s ep=%s: no auto-owner until someone leaves",
                   room->jid, p->nick);
            room->owner_abdicated = TRUE;
        }
    } else if (p->affiliation == FOCUS_MUC_AFFILIATION_OWNER) {
        room->owner_abdicated = FALSE;
    }
    if (room->state == FOCUS_ROOM_READY) {
        room->empty_timer = focus_link_timer_cancel(room->link, room->empty_timer);
        focus_room_elect_owner(room);
    }
}

const char *focus_room_leave_reason(const FocusMucPresence *mp)
{
    if (mp->destroyed)
        return "room destroyed";
    if (focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_KICKED))
        return "kicked";
    if (focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_BANNED))
        return "banned";
    if (focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_AFFILIATION_CHANGED) ||
        focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_MEMBERS_ONLY))
        return "removed by an affiliation change";
    if (focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_SHUTDOWN))
        return "server shutdown";
    return "left";
}

void focus_room_occupant_unavailable(FocusRoom *room, const FocusMucPresence *mp)
{
    FocusParticipant *p = g_hash_table_lookup(room->by_nick, mp->nick);
    if (!p) {
        g_debug("room=%s: unavailable from unknown occupant %s", room->jid, mp->nick);
        return;
    }
    if (focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_NICK_CHANGED) && mp->new_nick &&
        strcmp(mp->new_nick, FOCUS_MUC_NICK) != 0 &&
        !g_hash_table_contains(room->by_nick, mp->new_nick)) {
        g_info("participant renamed room=%s ep=%s new_ep=%s", room->jid, p->nick, mp->new_nick);
        g_hash_table_steal(room->by_nick, p->nick);
        if (room->grant_nick && strcmp(room->grant_nick, p->nick) == 0)
            copy_if_set(&room->grant_nick, mp->new_nick);
        g_free(p->nick);
        p->nick = g_strdup(mp->new_nick);
        g_hash_table_insert(room->by_nick, p->nick, p);
        return;
    }
    focus_room_remove_participant(room, p, focus_room_leave_reason(mp));
    /* Whoever gave up the last owner right may be the one leaving: elect again. */
    room->owner_abdicated = FALSE;
    if (room->state == FOCUS_ROOM_READY) {
        focus_room_elect_owner(room);
        focus_room_arm_empty(room, FALSE);
    }
}
