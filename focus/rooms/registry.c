/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread. Owns the rooms: live ones in `rooms`, GONE ones in
 * `graveyard` until the reap timer frees them. Listener records are the registry's; what they
 * point to belongs to the layers. */
#include "focus/rooms/registry.h"

#include "common/log.h"
#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/rooms/roles.h"
#include "focus/xmpp/muc.h"

typedef struct {
    const FocusRegistryEvents *ev;
    gpointer data;
} Listener;

struct _FocusRegistry {
    FocusLink *link;
    FocusRoomSettings settings;
    char *component_jid;
    char *muc_domain;
    char *login_domain; /* secure domain, or NULL */
    FocusRoomRequestStats stats;
    GArray *listeners;    /* Listener, in the order added */
    GHashTable *rooms;    /* canonical jid -> FocusRoom* */
    GPtrArray *graveyard; /* GONE rooms waiting to be freed */
    guint reap_timer;
    PaRateLimit peer_log; /* refused requests */
};

static void reap(FocusLink *link, gpointer data);

static void room_gone(FocusRoom *room, gpointer data)
{
    FocusRegistry *reg = data;
    if (g_hash_table_lookup(reg->rooms, focus_room_jid(room)) == room)
        g_hash_table_steal(reg->rooms, focus_room_jid(room));
    g_ptr_array_add(reg->graveyard, room);
    if (!reg->reap_timer)
        reg->reap_timer = focus_link_timer_add(reg->link, 0, reap, reg, reg);
}

static const FocusRoomEvents room_events = {
    .version = FOCUS_ROOM_EVENTS_VERSION,
    .gone = room_gone,
};

FocusRegistry *focus_registry_new(FocusLink *link, const FocusRoomSettings *settings)
{
    g_return_val_if_fail(link && settings && settings->component_jid, NULL);
    FocusRegistry *reg = g_new0(FocusRegistry, 1);
    reg->link = link;
    reg->settings = *settings;
    reg->component_jid = g_strdup(settings->component_jid);
    reg->muc_domain = g_strdup(settings->muc_domain);
    reg->login_domain = g_strdup(settings->login_domain);
    reg->settings.component_jid = reg->component_jid;
    reg->settings.muc_domain = reg->muc_domain;
    /* The rooms keep pointers to these two: the registry outlives its rooms. */
    reg->settings.login_domain = reg->login_domain;
    reg->settings.stats = &reg->stats;
    reg->listeners = g_array_new(FALSE, FALSE, sizeof(Listener));
    reg->rooms =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, (GDestroyNotify)focus_room_free);
    reg->graveyard = g_ptr_array_new_with_free_func((GDestroyNotify)focus_room_free);
    reg->peer_log = (PaRateLimit)PA_RATE_LIMIT_INIT(G_USEC_PER_SEC, 10);
    return reg;
}

void focus_registry_free(FocusRegistry *reg)
{
    if (!reg)
        return;
    focus_link_cancel_owner(reg->link, reg);
    g_hash_table_destroy(reg->rooms);
    g_ptr_array_free(reg->graveyard, TRUE);
    g_array_free(reg->listeners, TRUE);
    g_free(reg->component_jid);
    g_free(reg->muc_domain);
    g_free(reg->login_domain);
    g_free(reg);
}

void focus_registry_add_listener(FocusRegistry *reg, const FocusRegistryEvents *events,
                                 gpointer data)
{
    g_return_if_fail(events && events->version == FOCUS_REGISTRY_EVENTS_VERSION);
    Listener l = {events, data};
    g_array_append_val(reg->listeners, l);
}

static FocusRoom *get_or_create(FocusRegistry *reg, const char *jid)
{
    FocusRoom *room = g_hash_table_lookup(reg->rooms, jid);
    if (room)
        return room;
    room = focus_room_new(reg->link, jid, &reg->settings);
    g_hash_table_insert(reg->rooms, (gpointer)focus_room_jid(room), room);
    g_info("creating room room=%s rooms=%u", jid, g_hash_table_size(reg->rooms));
    for (guint i = 0; i < reg->listeners->len; i++) {
        Listener *l = &g_array_index(reg->listeners, Listener, i);
        if (l->ev->room_added)
            l->ev->room_added(reg, room, l->data);
    }
    focus_room_add_listener(room, &room_events, reg, NULL);
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

/* ---- what the focus receives ---- */

void focus_registry_add_request(FocusRegistry *reg, xmpp_stanza_t *iq, const FocusRoomRequest *req)
{
    FocusRoom *room = get_or_create(reg, req->room);
    focus_room_add_request(room, iq);
}

/* Secure domain: users logged in on the login domain open rooms; a guest only enters a room
 * that is open (a room being destroyed would be created again for the guest). */
static gboolean guest_may_enter(FocusRegistry *reg, xmpp_stanza_t *iq, const char *room_jid)
{
    if (!reg->login_domain || focus_roles_on_domain(xmpp_stanza_get_from(iq), reg->login_domain))
        return TRUE;
    FocusRoom *room = g_hash_table_lookup(reg->rooms, room_jid);
    return room && focus_room_state(room) != FOCUS_ROOM_DESTROYING &&
           focus_room_state(room) != FOCUS_ROOM_GONE;
}

void focus_registry_handle_request(FocusRegistry *reg, xmpp_stanza_t *iq)
{
    g_return_if_fail(reg->muc_domain);
    FocusRoomRequest req;
    g_autofree char *why = NULL;
    FocusRoomRequestStatus st = focus_room_request_parse(iq, reg->muc_domain, &req, &why);
    if (st != FOCUS_ROOM_REQUEST_OK) {
        pa_log_peer(&reg->peer_log, focus_link_now(reg->link), G_LOG_LEVEL_WARNING,
                    "conference request from %s rejected: %s", xmpp_stanza_get_from(iq), why);
        reg->stats.rejected++;
        focus_link_send_owned(
            reg->link, focus_room_request_error_reply(focus_link_ctx(reg->link), iq, st, why));
        return;
    }
    if (!guest_may_enter(reg, iq, req.room)) {
        g_info("conference request room=%s from=%s: not opened by a logged-in user yet", req.room,
               xmpp_stanza_get_from(iq));
        reg->stats.not_authorized++;
        focus_link_send_owned(reg->link,
                              focus_room_request_not_authorized(focus_link_ctx(reg->link), iq));
        focus_room_request_clear(&req);
        return;
    }
    g_info("conference request room=%s from=%s", req.room, xmpp_stanza_get_from(iq));
    focus_registry_add_request(reg, iq, &req);
    focus_room_request_clear(&req);
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

gboolean focus_registry_handle_message(FocusRegistry *reg, xmpp_stanza_t *message)
{
    const char *from = xmpp_stanza_get_from(message);
    PaJid jid;
    if (!from || pa_jid_parse(from, &jid) != PA_JID_OK)
        return FALSE;
    FocusRoom *room = NULL;
    if (jid.local) {
        g_autofree char *bare = g_strdup_printf("%s@%s", jid.local, jid.domain);
        room = focus_registry_lookup(reg, bare);
    }
    pa_jid_clear(&jid);
    if (room)
        focus_room_handle_message(room, message);
    return room != NULL;
}

static void on_request(xmpp_stanza_t *iq, xmpp_stanza_t *payload, gpointer data)
{
    focus_registry_handle_request(data, iq);
}

static gboolean on_presence(xmpp_stanza_t *presence, gpointer data)
{
    return focus_registry_handle_presence(data, presence);
}

static gboolean on_message(xmpp_stanza_t *message, gpointer data)
{
    return focus_registry_handle_message(data, message);
}

void focus_registry_add_routes(FocusRegistry *reg, FocusRouter *router)
{
    focus_router_add_iq(router, FOCUS_NS_FOCUS, NULL, TRUE, on_request, reg);
    focus_router_add_presence(router, on_presence, reg);
    focus_router_add_message(router, on_message, reg);
}

/* ---- connection news, shutdown ---- */

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

void focus_registry_foreach(FocusRegistry *reg, void (*fn)(FocusRoom *room, gpointer data),
                            gpointer data)
{
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, reg->rooms);
    while (g_hash_table_iter_next(&it, NULL, &v))
        fn(v, data);
}

const FocusRoomRequestStats *focus_registry_request_stats(FocusRegistry *reg)
{
    return &reg->stats;
}
