/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread. Owns the rooms: live ones in `rooms`, GONE ones in
 * `graveyard` until the reap timer frees them. */
#include "focus/rooms/registry.h"

#include "focus/xmpp/muc.h"

struct _FocusRegistry {
    FocusLink *link;
    FocusRoomSettings settings;
    char *component_jid;
    FocusRoomHooks user_hooks;
    gpointer user_data;
    FocusRoomHooks room_hooks; /* user hooks with our gone handler */
    GHashTable *rooms;         /* canonical jid -> FocusRoom* */
    GPtrArray *graveyard;      /* GONE rooms waiting to be freed */
    guint reap_timer;
};

static void reap(FocusLink *link, gpointer data);

static void room_gone(FocusRoom *room, gpointer data)
{
    FocusRegistry *reg = data;
    if (reg->user_hooks.gone)
        reg->user_hooks.gone(room, reg->user_data);
    if (g_hash_table_lookup(reg->rooms, focus_room_jid(room)) == room)
        g_hash_table_steal(reg->rooms, focus_room_jid(room));
    g_ptr_array_add(reg->graveyard, room);
    if (!reg->reap_timer)
        reg->reap_timer = focus_link_timer_add(reg->link, 0, reap, reg, reg);
}

#define FORWARD(name, ...)                                                                         \
    do {                                                                                           \
        FocusRegistry *reg = data;                                                                 \
        if (reg->user_hooks.name)                                                                  \
            reg->user_hooks.name(__VA_ARGS__, reg->user_data);                                     \
    } while (0)

static void fwd_joined(FocusRoom *room, FocusParticipant *p, gpointer data)
{
    FORWARD(participant_joined, room, p);
}

static void fwd_left(FocusRoom *room, FocusParticipant *p, gpointer data)
{
    FORWARD(participant_left, room, p);
}

static void fwd_ready(FocusRoom *room, gpointer data)
{
    FORWARD(ready, room);
}

FocusRegistry *focus_registry_new(FocusLink *link, const FocusRoomSettings *settings,
                                  const FocusRoomHooks *hooks, gpointer hooks_data)
{
    g_return_val_if_fail(link && settings && settings->component_jid, NULL);
    FocusRegistry *reg = g_new0(FocusRegistry, 1);
    reg->link = link;
    reg->settings = *settings;
    reg->component_jid = g_strdup(settings->component_jid);
    reg->settings.component_jid = reg->component_jid;
    if (hooks)
        reg->user_hooks = *hooks;
    reg->user_data = hooks_data;
    reg->room_hooks.participant_joined = fwd_joined;
    reg->room_hooks.participant_left = fwd_left;
    reg->room_hooks.ready = fwd_ready;
    reg->room_hooks.gone = room_gone;
    reg->rooms =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)focus_room_free);
    reg->graveyard = g_ptr_array_new_with_free_func((GDestroyNotify)focus_room_free);
    return reg;
}

void focus_registry_free(FocusRegistry *reg)
{
    if (!reg)
        return;
    focus_link_cancel_owner(reg->link, reg);
    g_hash_table_destroy(reg->rooms);
    g_ptr_array_free(reg->graveyard, TRUE);
    g_free(reg->component_jid);
    g_free(reg);
}

static FocusRoom *get_or_create(FocusRegistry *reg, const char *jid)
{
    FocusRoom *room = g_hash_table_lookup(reg->rooms, jid);
    if (room)
        return room;
    room = focus_room_new(reg->link, jid, &reg->settings, &reg->room_hooks, reg);
    g_hash_table_insert(reg->rooms, (gpointer)focus_room_jid(room), room);
    g_info("creating room room=%s rooms=%u", jid, g_hash_table_size(reg->rooms));
    focus_room_start(room);
    return room;
}

static void reap(FocusLink *link, gpointer data)
{
    FocusRegistry *reg = data;
    reg->reap_timer = 0;
    /* Freeing a room runs no callbacks, but replaying requests may create rooms: take the
     * list first. */
    GPtrArray *dead = reg->graveyard;
    reg->graveyard = g_ptr_array_new_with_free_func((GDestroyNotify)focus_room_free);
    for (guint i = 0; i < dead->len; i++) {
        FocusRoom *room = dead->pdata[i];
        g_autoptr(GPtrArray) waiting = focus_room_take_requests(room);
        if (waiting->len == 0)
            continue;
        g_info("room=%s: %u request(s) arrived while it was ending: creating it again",
               focus_room_jid(room), waiting->len);
        FocusRoom *next = get_or_create(reg, focus_room_jid(room));
        for (guint j = 0; j < waiting->len; j++)
            focus_room_add_request(next, waiting->pdata[j]);
    }
    g_ptr_array_free(dead, TRUE);
}

void focus_registry_handle_conference(FocusRegistry *reg, xmpp_stanza_t *iq,
                                      const FocusRoomRequest *req)
{
    FocusRoom *room = get_or_create(reg, req->room);
    focus_room_add_request(room, iq);
}

gboolean focus_registry_handle_presence(FocusRegistry *reg, xmpp_stanza_t *presence)
{
    FocusMucPresence mp;
    FocusMucPresenceStatus st = focus_muc_presence_parse(presence, &mp);
    if (st != FOCUS_MUC_PRESENCE_OK)
        return FALSE; /* bare room JID (ejabberd), subscriptions, garbage: not occupants */
    g_autofree char *key = focus_muc_room_key(mp.room);
    FocusRoom *room = key ? g_hash_table_lookup(reg->rooms, key) : NULL;
    if (room)
        focus_room_handle_presence(room, &mp);
    focus_muc_presence_clear(&mp);
    return room != NULL;
}

/* Rooms may go GONE (and leave the table) while we walk: walk a snapshot. Rooms are only
 * freed by the reap timer, so the snapshot stays valid. */
static void for_each_room(FocusRegistry *reg, void (*fn)(FocusRoom *))
{
    GList *rooms = g_hash_table_get_values(reg->rooms);
    for (GList *l = rooms; l; l = l->next)
        fn(l->data);
    g_list_free(rooms);
}

void focus_registry_on_online(FocusRegistry *reg)
{
    if (g_hash_table_size(reg->rooms))
        g_info("re-joining %u room(s)", g_hash_table_size(reg->rooms));
    for_each_room(reg, focus_room_on_online);
}

void focus_registry_on_offline(FocusRegistry *reg)
{
    for_each_room(reg, focus_room_on_offline);
}

void focus_registry_leave_all(FocusRegistry *reg)
{
    for_each_room(reg, focus_room_leave);
}

FocusRoom *focus_registry_lookup(FocusRegistry *reg, const char *room_jid)
{
    g_autofree char *key = focus_muc_room_key(room_jid);
    return key ? g_hash_table_lookup(reg->rooms, key) : NULL;
}

guint focus_registry_count(FocusRegistry *reg)
{
    return g_hash_table_size(reg->rooms);
}
