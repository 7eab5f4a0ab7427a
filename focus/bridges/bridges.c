/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread. FocusBridges owns the FocusBridge entries (by occupant
 * JID), the join/retry timers and the owner-form IQ on the link (owner = the registry). */
#include "focus/bridges/bridges.h"

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"
#include "focus/xmpp/muc.h"

#include <string.h>

#define RETRY_INITIAL_MS 2000
#define RETRY_MAX_MS 60000

struct _FocusBridges {
    FocusLink *link;
    char *brewery;
    char *bridge_domain;
    char *occupant_from;
    char *nick;
    GArray *listeners;  /* Listener, in the order added */
    GHashTable *by_jid; /* occupant JID -> FocusBridge* (owned) */
    gboolean started;
    gboolean joined;
    gboolean join_in_flight; /* presence sent, no answer yet */
    guint retry_timer;
    guint retry_ms;
    guint recover_timer; /* re-offers bridges whose failure period ended */
};

typedef struct {
    const FocusBridgesEvents *ev;
    gpointer data;
} Listener;

static void bridge_free(gpointer data)
{
    FocusBridge *b = data;
    g_free(b->jid);
    g_free(b->nick);
    g_free(b->real_jid);
    focus_bridge_stats_clear(&b->stats);
    g_free(b);
}

FocusBridges *focus_bridges_new(FocusLink *link, const char *brewery, const char *bridge_domain,
                                const char *occupant_from)
{
    g_return_val_if_fail(link && brewery && bridge_domain && occupant_from, NULL);
    FocusBridges *br = g_new0(FocusBridges, 1);
    br->link = link;
    br->brewery = g_ascii_strdown(brewery, -1);
    br->bridge_domain = g_ascii_strdown(bridge_domain, -1);
    br->occupant_from = g_strdup(occupant_from);
    br->nick = g_strdup(FOCUS_MUC_NICK);
    br->listeners = g_array_new(FALSE, FALSE, sizeof(Listener));
    br->by_jid = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, bridge_free);
    br->retry_ms = RETRY_INITIAL_MS;
    return br;
}

void focus_bridges_free(FocusBridges *br)
{
    if (!br)
        return;
    focus_link_cancel_owner(br->link, br);
    g_hash_table_destroy(br->by_jid);
    g_array_free(br->listeners, TRUE);
    g_free(br->brewery);
    g_free(br->bridge_domain);
    g_free(br->occupant_from);
    g_free(br->nick);
    g_free(br);
}

const char *focus_bridges_brewery(FocusBridges *br)
{
    return br->brewery;
}

gboolean focus_bridges_joined(FocusBridges *br)
{
    return br->joined;
}

guint focus_bridges_count(FocusBridges *br)
{
    return g_hash_table_size(br->by_jid);
}

const FocusBridge *focus_bridges_lookup(FocusBridges *br, const char *jid)
{
    return jid ? g_hash_table_lookup(br->by_jid, jid) : NULL;
}

const FocusBridge *focus_bridges_find(FocusBridges *br, const char *jid)
{
    const FocusBridge *b = focus_bridges_lookup(br, jid);
    if (b || !jid)
        return b;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, br->by_jid);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (((FocusBridge *)v)->real_jid && pa_jid_equal(((FocusBridge *)v)->real_jid, jid))
            return v;
    return NULL;
}

static FocusBridgeCandidate candidate(FocusBridges *br, const FocusBridge *b)
{
    FocusBridgeCandidate c = {
        .id = b->jid,
        .stats = &b->stats,
        .failed = b->failed_until_us > focus_link_now(br->link),
    };
    return c;
}

static gboolean can_take_new(FocusBridges *br, const FocusBridge *b)
{
    FocusBridgeCandidate c = candidate(br, b);
    return !b->stale && focus_bridge_can_take_new(&c);
}

static gboolean can_keep(FocusBridges *br, const FocusBridge *b)
{
    FocusBridgeCandidate c = candidate(br, b);
    return focus_bridge_can_keep(&c);
}

guint focus_bridges_count_available(FocusBridges *br)
{
    guint n = 0;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, br->by_jid);
    while (g_hash_table_iter_next(&it, NULL, &v))
        n += can_take_new(br, v);
    return n;
}

void focus_bridges_foreach(FocusBridges *br, void (*fn)(const FocusBridge *bridge, gpointer data),
                           gpointer data)
{
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, br->by_jid);
    while (g_hash_table_iter_next(&it, NULL, &v))
        fn(v, data);
}

gboolean focus_bridges_available(FocusBridges *br, const FocusBridge *bridge)
{
    return can_take_new(br, bridge);
}

static gint by_jid(gconstpointer a, gconstpointer b)
{
    return strcmp((*(FocusBridge *const *)a)->jid, (*(FocusBridge *const *)b)->jid);
}

const FocusBridge *focus_bridges_select(FocusBridges *br, const char *current_jid,
                                        const char *region)
{
    g_autoptr(GPtrArray) all = g_ptr_array_new();
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, br->by_jid);
    while (g_hash_table_iter_next(&it, NULL, &v))
        g_ptr_array_add(all, v);
    g_ptr_array_sort(all, by_jid);
    g_autofree FocusBridgeCandidate *c = g_new0(FocusBridgeCandidate, all->len + 1);
    gint current = -1;
    for (guint i = 0; i < all->len; i++) {
        FocusBridge *b = all->pdata[i];
        c[i] = candidate(br, b);
        /* A stale bridge may keep its conference but takes no new one. */
        if (b->stale && g_strcmp0(b->jid, current_jid) != 0)
            c[i].failed = TRUE;
        if (g_strcmp0(b->jid, current_jid) == 0)
            current = (gint)i;
    }
    gint idx = focus_bridge_select(c, all->len, current, region);
    return idx >= 0 ? all->pdata[idx] : NULL;
}

/* ---- events ---- */

void focus_bridges_add_listener(FocusBridges *br, const FocusBridgesEvents *events, gpointer data)
{
    g_return_if_fail(events && events->version == FOCUS_BRIDGES_EVENTS_VERSION);
    Listener l = {events, data};
    g_array_append_val(br->listeners, l);
}

static void emit_up(FocusBridges *br, const FocusBridge *b)
{
    for (guint i = 0; i < br->listeners->len; i++) {
        Listener *l = &g_array_index(br->listeners, Listener, i);
        if (l->ev->bridge_up)
            l->ev->bridge_up(br, b, l->data);
    }
}

/* Removes @b (if @remove) and reports it down. */
static void emit_down(FocusBridges *br, FocusBridge *b, const char *why, gboolean remove)
{
    g_autofree char *jid = g_strdup(b->jid);
    if (remove) {
        g_info("bridge gone bridge=%s (%s) bridges=%u", jid, why,
               g_hash_table_size(br->by_jid) - 1);
        g_hash_table_remove(br->by_jid, jid);
    } else {
        g_warning("bridge unusable bridge=%s: %s", jid, why);
    }
    for (guint i = 0; i < br->listeners->len; i++) {
        Listener *l = &g_array_index(br->listeners, Listener, i);
        if (l->ev->bridge_down)
            l->ev->bridge_down(br, jid, why, l->data);
    }
}

static void recover_due(FocusLink *link, gpointer data);

static void arm_recover(FocusBridges *br)
{
    gint64 now = focus_link_now(br->link);
    gint64 next = 0;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, br->by_jid);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        FocusBridge *b = v;
        if (b->failed_until_us > now && (!next || b->failed_until_us < next))
            next = b->failed_until_us;
    }
    br->recover_timer = focus_link_timer_cancel(br->link, br->recover_timer);
    if (next)
        br->recover_timer =
            focus_link_timer_add(br->link, (guint)((next - now + 999) / 1000), recover_due, br, br);
}

static void recover_due(FocusLink *link, gpointer data)
{
    FocusBridges *br = data;
    br->recover_timer = 0;
    gint64 now = focus_link_now(br->link);
    g_autoptr(GPtrArray) up = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, br->by_jid);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        FocusBridge *b = v;
        if (b->failed_until_us && b->failed_until_us <= now) {
            b->failed_until_us = 0;
            if (can_take_new(br, b))
                g_ptr_array_add(up, g_strdup(b->jid));
        }
    }
    arm_recover(br);
    /* Events may change the table: look each bridge up again. */
    for (guint i = 0; i < up->len; i++) {
        const FocusBridge *b = g_hash_table_lookup(br->by_jid, up->pdata[i]);
        if (b) {
            g_info("bridge usable again bridge=%s", b->jid);
            emit_up(br, b);
        }
    }
}

void focus_bridges_mark_failed(FocusBridges *br, const char *jid, guint ms, const char *why)
{
    FocusBridge *b = jid ? g_hash_table_lookup(br->by_jid, jid) : NULL;
    if (!b)
        return;
    b->failed_until_us = focus_link_now(br->link) + (gint64)ms * 1000;
    arm_recover(br);
    g_autofree char *what = g_strdup_printf("%s; not used for %u s", why, ms / 1000);
    emit_down(br, b, what, FALSE);
}

/* ---- joining ---- */

static void send_join(FocusBridges *br);

static void retry_due(FocusLink *link, gpointer data)
{
    FocusBridges *br = data;
    br->retry_timer = 0;
    send_join(br);
}

static void schedule_retry(FocusBridges *br)
{
    br->join_in_flight = FALSE;
    if (br->retry_timer || !br->started)
        return;
    br->retry_timer = focus_link_timer_add(br->link, br->retry_ms, retry_due, br, br);
    br->retry_ms = MIN(br->retry_ms * 2, RETRY_MAX_MS);
}

static void send_join(FocusBridges *br)
{
    if (!br->started || !focus_link_online(br->link) || br->joined || br->join_in_flight)
        return;
    br->join_in_flight = TRUE;
    g_info("joining brewery %s as %s", br->brewery, br->nick);
    xmpp_stanza_t *p =
        focus_muc_join_presence(focus_link_ctx(br->link), br->occupant_from, br->brewery, br->nick);
    focus_link_send_owned(br->link, p);
}

void focus_bridges_start(FocusBridges *br)
{
    br->started = TRUE;
    send_join(br);
}

void focus_bridges_on_online(FocusBridges *br)
{
    br->join_in_flight = FALSE;
    br->retry_timer = focus_link_timer_cancel(br->link, br->retry_timer);
    br->retry_ms = RETRY_INITIAL_MS;
    send_join(br);
}

void focus_bridges_on_offline(FocusBridges *br)
{
    br->joined = FALSE;
    br->join_in_flight = FALSE;
    br->retry_timer = focus_link_timer_cancel(br->link, br->retry_timer);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, br->by_jid);
    while (g_hash_table_iter_next(&it, NULL, &v))
        ((FocusBridge *)v)->stale = TRUE;
}

void focus_bridges_leave(FocusBridges *br)
{
    if (br->joined || br->join_in_flight) {
        xmpp_stanza_t *p = focus_muc_leave_presence(focus_link_ctx(br->link), br->occupant_from,
                                                    br->brewery, br->nick);
        focus_link_send_owned(br->link, p);
    }
    br->started = FALSE;
    br->joined = br->join_in_flight = FALSE;
    br->retry_timer = focus_link_timer_cancel(br->link, br->retry_timer);
}

static void config_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                        gpointer data)
{
    FocusBridges *br = data;
    if (outcome != FOCUS_IQ_RESULT && outcome != FOCUS_IQ_DISCONNECTED)
        g_warning("brewery %s: configuring it failed (%s %s); bridges may not see the focus's "
                  "real JID",
                  br->brewery, focus_iq_outcome_str(outcome),
                  reply && pa_stanza_error_condition(reply) ? pa_stanza_error_condition(reply)
                                                            : "");
}

/* Drops bridges that were not listed again after a re-join. */
static void drop_stale(FocusBridges *br)
{
    g_autoptr(GPtrArray) stale = g_ptr_array_new_with_free_func(g_free);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, br->by_jid);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (((FocusBridge *)v)->stale)
            g_ptr_array_add(stale, g_strdup(((FocusBridge *)v)->jid));
    for (guint i = 0; i < stale->len; i++) {
        FocusBridge *b = g_hash_table_lookup(br->by_jid, stale->pdata[i]);
        if (b)
            emit_down(br, b, "left the brewery while the focus was away", TRUE);
    }
}

static void self_presence(FocusBridges *br, const FocusMucPresence *mp)
{
    if (mp->is_error) {
        br->join_in_flight = FALSE;
        g_warning("brewery %s refused the focus as %s: %s%s%s; retrying in %u s", br->brewery,
                  br->nick, mp->error_condition ? mp->error_condition : "unknown error",
                  mp->error_text ? ": " : "", mp->error_text ? mp->error_text : "",
                  br->retry_ms / 1000);
        if (g_strcmp0(mp->error_condition, "conflict") == 0) {
            g_free(br->nick);
            br->nick = g_strdup_printf("%s-%08x", FOCUS_MUC_NICK, g_random_int());
        }
        schedule_retry(br);
        return;
    }
    if (mp->available) {
        if (br->joined)
            return;
        br->joined = TRUE;
        br->join_in_flight = FALSE;
        br->retry_ms = RETRY_INITIAL_MS;
        g_info("joined brewery %s as %s bridges=%u", br->brewery, br->nick,
               g_hash_table_size(br->by_jid));
        if (focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_CREATED)) {
            /* We made the brewery: bridges must see our real JID (they only take
             * conference-modify from the focus). Only that: the server's defaults keep the
             * brewery members-only (docs/deployment.md), and a conference room's initial form
             * would open it to anyone. */
            xmpp_stanza_t *iq = focus_muc_owner_form(focus_link_ctx(br->link), br->occupant_from,
                                                     br->brewery, FOCUS_OWNER_FORM_REASSERT);
            focus_link_send_iq(br->link, iq, 10000, config_done, br, br);
            xmpp_stanza_release(iq);
        }
        drop_stale(br);
        return;
    }
    if (focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_NICK_CHANGED))
        return;
    if (!br->joined && !br->join_in_flight)
        return;
    g_warning("left brewery %s (removed by the server); rejoining in %u s", br->brewery,
              br->retry_ms / 1000);
    br->joined = FALSE;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, br->by_jid);
    while (g_hash_table_iter_next(&it, NULL, &v))
        ((FocusBridge *)v)->stale = TRUE;
    schedule_retry(br);
}

static gboolean on_bridge_domain(FocusBridges *br, const char *real_jid)
{
    PaJid j;
    if (!real_jid || pa_jid_parse(real_jid, &j) != PA_JID_OK)
        return FALSE;
    gboolean ok = j.local && strcmp(j.domain, br->bridge_domain) == 0;
    pa_jid_clear(&j);
    return ok;
}

static void occupant_presence(FocusBridges *br, xmpp_stanza_t *presence, const FocusMucPresence *mp)
{
    g_autofree char *jid = g_strdup_printf("%s/%s", br->brewery, mp->nick);
    FocusBridge *b = g_hash_table_lookup(br->by_jid, jid);
    if (!mp->available) {
        if (b)
            emit_down(br, b, mp->is_error ? "error presence" : "left the brewery", TRUE);
        return;
    }
    if (!on_bridge_domain(br, mp->real_jid ? mp->real_jid : (b ? b->real_jid : NULL))) {
        g_debug("brewery %s: occupant %s (%s) is not a bridge", br->brewery, mp->nick,
                mp->real_jid ? mp->real_jid : "real JID hidden");
        return;
    }
    gboolean is_new = b == NULL;
    gboolean could_take = FALSE, could_keep = FALSE;
    if (is_new) {
        b = g_new0(FocusBridge, 1);
        b->jid = g_steal_pointer(&jid);
        b->nick = g_strdup(mp->nick);
        focus_bridge_stats_init(&b->stats);
        g_hash_table_insert(br->by_jid, b->jid, b);
    } else {
        could_take = can_take_new(br, b);
        could_keep = can_keep(br, b);
    }
    if (mp->real_jid && g_strcmp0(b->real_jid, mp->real_jid) != 0) {
        g_free(b->real_jid);
        b->real_jid = g_strdup(mp->real_jid);
    }
    b->stale = FALSE;
    focus_bridge_stats_parse(presence, &b->stats);
    gboolean takes = can_take_new(br, b);
    gboolean keeps = can_keep(br, b);
    if (is_new)
        g_info("bridge joined bridge=%s jid=%s stress=%.3f participants=%u healthy=%s "
               "region=%s version=%s bridges=%u",
               b->jid, b->real_jid, b->stats.stress, b->stats.participants,
               b->stats.healthy ? "yes" : "no", b->stats.region ? b->stats.region : "-",
               b->stats.version ? b->stats.version : "-", g_hash_table_size(br->by_jid));
    if (!is_new && could_keep && !keeps) {
        emit_down(br, b, !b->stats.healthy ? "reports itself unhealthy" : "is shutting down",
                  FALSE);
        return;
    }
    if (takes && (is_new || !could_take))
        emit_up(br, b);
}

gboolean focus_bridges_handle_presence(FocusBridges *br, xmpp_stanza_t *presence)
{
    const char *from = xmpp_stanza_get_from(presence);
    g_autofree char *bare = from ? pa_jid_bare(from) : NULL;
    if (!bare || !pa_jid_equal(bare, br->brewery))
        return FALSE;
    FocusMucPresence mp;
    if (focus_muc_presence_parse(presence, &mp) != FOCUS_MUC_PRESENCE_OK)
        return TRUE; /* brewery presence without a nick (ejabberd's room presence) */
    gboolean self = strcmp(mp.nick, br->nick) == 0;
    if (self)
        self_presence(br, &mp);
    else if (!mp.is_error)
        occupant_presence(br, presence, &mp);
    focus_muc_presence_clear(&mp);
    return TRUE;
}

static gboolean on_presence(xmpp_stanza_t *presence, gpointer data)
{
    return focus_bridges_handle_presence(data, presence);
}

void focus_bridges_add_routes(FocusBridges *br, FocusRouter *router)
{
    focus_router_add_presence(router, on_presence, br);
}
