/* SPDX-License-Identifier: MIT */
/* One room's lifecycle: join, configure, ready, destroy; the requests waiting for it; the
 * focus's own presence in it. Thread: the focus event-loop thread. A FocusRoom owns its
 * participants, the request stanzas it keeps, its listeners and its timers/IQ callbacks on the
 * link (owner = the room). */
#include "focus/rooms/room-priv.h"

#include "common/xmpp/jid.h"
#include "focus/rooms/room-request.h"

#include <string.h>

const char *focus_room_state_str(FocusRoomState state)
{
    switch (state) {
    case FOCUS_ROOM_JOINING:
        return "joining";
    case FOCUS_ROOM_CONFIGURING:
        return "configuring";
    case FOCUS_ROOM_READY:
        return "ready";
    case FOCUS_ROOM_DESTROYING:
        return "destroying";
    case FOCUS_ROOM_GONE:
        return "gone";
    }
    return "?";
}

void focus_room_settings_init(FocusRoomSettings *s, const char *component_jid, guint grace_seconds)
{
    memset(s, 0, sizeof *s);
    s->component_jid = component_jid;
    s->grace_ms = grace_seconds * 1000;
    s->start_timeout_ms = 15000;
    s->create_timeout_ms = 15000;
    s->iq_timeout_ms = 10000;
    s->max_waiting_requests = 64;
}

static void request_release(gpointer data)
{
    xmpp_stanza_release(data);
}

FocusRoom *focus_room_new(FocusLink *link, const char *jid, const FocusRoomSettings *settings)
{
    g_return_val_if_fail(link && jid && settings && settings->component_jid, NULL);
    FocusRoom *room = g_new0(FocusRoom, 1);
    room->link = link;
    room->jid = g_strdup(jid);
    room->component_jid = g_strdup(settings->component_jid);
    room->occupant_jid = g_strdup_printf("%s/%s", settings->component_jid, FOCUS_MUC_NICK);
    room->s = *settings;
    room->s.component_jid = room->component_jid;
    room->s.muc_domain = NULL; /* the registry's business */
    room->state = FOCUS_ROOM_JOINING;
    room->awaiting_first_join = TRUE;
    room->by_nick =
        g_hash_table_new_full(g_str_hash, g_str_equal, NULL, focus_room_participant_free);
    room->requests = g_ptr_array_new_with_free_func(request_release);
    room->presence_ext = g_ptr_array_new_with_free_func(request_release);
    room->listeners = g_ptr_array_new();
    return room;
}

void focus_room_free(FocusRoom *room)
{
    if (!room)
        return;
    focus_link_cancel_owner(room->link, room);
    g_hash_table_destroy(room->by_nick);
    focus_room_listeners_free(room);
    g_ptr_array_free(room->listeners, TRUE);
    g_ptr_array_free(room->requests, TRUE);
    g_ptr_array_free(room->presence_ext, TRUE);
    g_free(room->grant_nick);
    g_free(room->grant_jid);
    g_free(room->destroy_reason);
    g_free(room->jid);
    g_free(room->occupant_jid);
    g_free(room->component_jid);
    g_free(room);
}

const char *focus_room_jid(FocusRoom *room)
{
    return room->jid;
}

FocusRoomState focus_room_state(FocusRoom *room)
{
    return room->state;
}

gboolean focus_room_created(FocusRoom *room)
{
    return room->created;
}

gboolean focus_room_destroyed(FocusRoom *room)
{
    return room->destroyed;
}

GPtrArray *focus_room_take_requests(FocusRoom *room)
{
    GPtrArray *taken = room->requests;
    room->requests = g_ptr_array_new_with_free_func(request_release);
    return taken;
}

/* ---- sending ---- */

void focus_room_send(FocusRoom *room, xmpp_stanza_t *stanza)
{
    focus_link_send_owned(room->link, stanza);
}

void focus_room_send_iq(FocusRoom *room, xmpp_stanza_t *iq, FocusIqCallback cb)
{
    focus_link_send_iq(room->link, iq, room->s.iq_timeout_ms, cb, room, room);
    xmpp_stanza_release(iq);
}

static void reply_ready(FocusRoom *room, xmpp_stanza_t *iq)
{
    xmpp_ctx_t *ctx = focus_link_ctx(room->link);
    xmpp_stanza_t *r = focus_room_request_result(ctx, iq, room->jid, room->component_jid, TRUE);
    if (room->s.login_domain) {
        /* Secure domain: name the logged-in requester (guests get no identity). */
        g_autofree char *bare = pa_jid_bare(xmpp_stanza_get_from(iq));
        gboolean user = focus_roles_on_domain(bare, room->s.login_domain);
        focus_room_request_result_set_auth(r, user ? bare : NULL);
    }
    if (room->s.stats)
        room->s.stats->ready++;
    focus_room_send(room, r);
}

/* A room request answered with an error (counted as failed: the request itself was fine). */
static void reply_error(FocusRoom *room, xmpp_stanza_t *iq, PaErrorType type, const char *condition,
                        const char *text)
{
    if (room->s.stats)
        room->s.stats->failed++;
    focus_room_send(
        room, pa_stanza_error_reply(focus_link_ctx(room->link), iq, type, condition, text, NULL));
}

static void answer_requests_error(FocusRoom *room, PaErrorType type, const char *condition,
                                  const char *text)
{
    for (guint i = 0; i < room->requests->len; i++)
        reply_error(room, room->requests->pdata[i], type, condition, text);
    g_ptr_array_set_size(room->requests, 0);
}

/* ---- lifecycle ---- */

static void set_gone(FocusRoom *room, const char *why)
{
    if (room->state == FOCUS_ROOM_GONE)
        return;
    room->state = FOCUS_ROOM_GONE;
    focus_link_cancel_owner(room->link, room);
    room->create_timer = room->empty_timer = 0;
    room->grant_in_flight = room->destroy_in_flight = FALSE;
    focus_room_remove_all(room, FALSE, "conference ended");
    g_info("room gone room=%s (%s)", room->jid, why);
    focus_room_emit_gone(room);
}

static void send_leave(FocusRoom *room)
{
    focus_room_send(room, focus_muc_leave_presence(focus_link_ctx(room->link), room->occupant_jid,
                                                   room->jid, FOCUS_MUC_NICK));
}

static void destroy_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                         gpointer data)
{
    FocusRoom *room = data;
    room->destroy_in_flight = FALSE;
    if (room->state != FOCUS_ROOM_DESTROYING || outcome == FOCUS_IQ_DISCONNECTED)
        return; /* re-sent when the connection is back */
    if (outcome == FOCUS_IQ_RESULT) {
        room->destroyed = TRUE;
        set_gone(room, "destroyed");
        return;
    }
    const char *cond = reply ? pa_stanza_error_condition(reply) : NULL;
    g_warning("room destroy failed room=%s: %s%s%s; leaving it instead", room->jid,
              focus_iq_outcome_str(outcome), cond ? " " : "", cond ? cond : "");
    send_leave(room);
    set_gone(room, "left after a failed destroy");
}

static void send_destroy(FocusRoom *room)
{
    if (room->destroy_in_flight)
        return;
    room->destroy_in_flight = TRUE;
    focus_room_send_iq(
        room,
        focus_muc_destroy(focus_link_ctx(room->link), room->occupant_jid, room->jid,
                          room->destroy_reason ? room->destroy_reason : "The conference has ended"),
        destroy_done);
}

static void begin_destroy(FocusRoom *room, const char *why)
{
    room->create_timer = focus_link_timer_cancel(room->link, room->create_timer);
    room->empty_timer = focus_link_timer_cancel(room->link, room->empty_timer);
    room->state = FOCUS_ROOM_DESTROYING;
    g_info("destroying room room=%s (%s)", room->jid, why);
    focus_room_emit_destroying(room);
    if (room->state == FOCUS_ROOM_DESTROYING && focus_link_online(room->link))
        send_destroy(room);
}

/* Creation (or a re-join) did not reach READY: tell whoever waits, and do not leave a
 * half-made room behind. */
static void fail_creation(FocusRoom *room, PaErrorType type, const char *condition,
                          const char *what)
{
    g_warning("room setup failed room=%s state=%s: %s", room->jid,
              focus_room_state_str(room->state), what);
    answer_requests_error(room, type, condition, what);
    room->create_timer = focus_link_timer_cancel(room->link, room->create_timer);
    if (room->created && room->state == FOCUS_ROOM_CONFIGURING) {
        /* Ours and still locked: nobody else can use it, remove it. */
        begin_destroy(room, "setup failed");
        return;
    }
    /* If the join is only slow, a late acceptance must not leave a ghost occupant. */
    send_leave(room);
    set_gone(room, "setup failed");
}

static void create_expired(FocusLink *link, gpointer data)
{
    FocusRoom *room = data;
    room->create_timer = 0;
    if (room->state == FOCUS_ROOM_JOINING || room->state == FOCUS_ROOM_CONFIGURING)
        fail_creation(room, PA_ERR_WAIT, "service-unavailable",
                      "the conference room could not be set up in time");
}

static void empty_expired(FocusLink *link, gpointer data)
{
    FocusRoom *room = data;
    room->empty_timer = 0;
    if (room->state == FOCUS_ROOM_READY && focus_room_participant_count(room) == 0)
        begin_destroy(room, room->awaiting_first_join ? "nobody joined" : "empty");
}

void focus_room_arm_empty(FocusRoom *room, gboolean restart)
{
    if (room->state != FOCUS_ROOM_READY)
        return;
    if (focus_room_participant_count(room) > 0) {
        room->empty_timer = focus_link_timer_cancel(room->link, room->empty_timer);
        return;
    }
    if (room->empty_timer && !restart)
        return;
    guint delay = room->s.grace_ms;
    if (room->awaiting_first_join)
        delay = MAX(delay, room->s.start_timeout_ms);
    room->empty_timer = focus_link_timer_cancel(room->link, room->empty_timer);
    room->empty_timer = focus_link_timer_add(room->link, delay, empty_expired, room, room);
}

/* ---- join and configure ---- */

static void become_ready(FocusRoom *room)
{
    room->create_timer = focus_link_timer_cancel(room->link, room->create_timer);
    room->state = FOCUS_ROOM_READY;
    guint n = focus_room_participant_count(room);
    if (!room->ever_ready)
        g_info("room %s room=%s participants=%u", room->created ? "created" : "joined", room->jid,
               n);
    else
        g_info("room %s room=%s participants=%u",
               room->created ? "re-created (the server had lost it)" : "re-joined", room->jid, n);
    room->ever_ready = TRUE;
    for (guint i = 0; i < room->requests->len; i++)
        reply_ready(room, room->requests->pdata[i]);
    g_ptr_array_set_size(room->requests, 0);
    focus_room_emit_ready(room);
    if (room->state != FOCUS_ROOM_READY)
        return;
    focus_room_elect_owner(room);
    focus_room_arm_empty(room, TRUE);
}

static void configure_done(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                           gpointer data)
{
    FocusRoom *room = data;
    if (room->state != FOCUS_ROOM_CONFIGURING || outcome == FOCUS_IQ_DISCONNECTED)
        return;
    if (outcome == FOCUS_IQ_RESULT) {
        become_ready(room);
        return;
    }
    const char *cond = reply ? pa_stanza_error_condition(reply) : NULL;
    g_autofree char *what =
        g_strdup_printf("room configuration %s%s%s", focus_iq_outcome_str(outcome),
                        cond ? ": " : "", cond ? cond : "");
    if (room->form_kind == FOCUS_OWNER_FORM_REASSERT) {
        /* The room was configured before; it still works if the server kept that. */
        g_warning("room=%s: %s; keeping the existing configuration", room->jid, what);
        become_ready(room);
        return;
    }
    fail_creation(room, PA_ERR_CANCEL, "internal-server-error", what);
}

static void on_joined(FocusRoom *room, const FocusMucPresence *p)
{
    room->created = focus_muc_presence_has_status(p, FOCUS_MUC_STATUS_CREATED);
    /* The server lists every occupant before the focus's own presence (XEP-0045 §7.2.3):
     * whoever was not re-announced has gone while the focus was away. */
    focus_room_remove_all(room, TRUE,
                          room->created ? "the room was re-created" : "gone while away");
    if (p->affiliation != FOCUS_MUC_AFFILIATION_OWNER)
        g_warning("room=%s: the focus is %s, not owner: is %s an admin of the MUC service?",
                  room->jid, focus_muc_affiliation_str(p->affiliation), room->component_jid);
    room->state = FOCUS_ROOM_CONFIGURING;
    room->form_kind = room->created ? FOCUS_OWNER_FORM_INITIAL : FOCUS_OWNER_FORM_REASSERT;
    focus_room_send_iq(room,
                       focus_muc_owner_form(focus_link_ctx(room->link), room->occupant_jid,
                                            room->jid, room->form_kind),
                       configure_done);
}

/* Deep copies: a libstrophe stanza can only sit in one tree (add_child links siblings). */
static void add_extensions(FocusRoom *room, xmpp_stanza_t *presence)
{
    for (guint i = 0; i < room->presence_ext->len; i++) {
        xmpp_stanza_t *c = xmpp_stanza_copy(room->presence_ext->pdata[i]);
        xmpp_stanza_add_child(presence, c);
        xmpp_stanza_release(c);
    }
}

/* The join presence; with @secret (the room's password) inside <x xmlns=muc>. */
static void send_join(FocusRoom *room, const char *secret)
{
    xmpp_stanza_t *join = focus_muc_join_presence(focus_link_ctx(room->link), room->occupant_jid,
                                                  room->jid, FOCUS_MUC_NICK);
    if (secret) {
        xmpp_stanza_t *x = pa_stanza_child(join, "x", FOCUS_NS_MUC);
        pa_stanza_add_text(pa_stanza_add_child(x, "password", NULL), secret);
    }
    add_extensions(room, join);
    focus_room_send(room, join);
}

static void begin_join(FocusRoom *room)
{
    room->state = FOCUS_ROOM_JOINING;
    room->secret_reads = 0;
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, room->by_nick);
    while (g_hash_table_iter_next(&it, NULL, &v))
        ((FocusParticipant *)v)->stale = TRUE;
    room->create_timer = focus_link_timer_cancel(room->link, room->create_timer);
    room->create_timer =
        focus_link_timer_add(room->link, room->s.create_timeout_ms, create_expired, room, room);
    send_join(room, NULL);
}

/* ---- joining a room with a password ----
 *
 * A room the focus did not just create may have a password (a moderator set one): the MUC
 * service refuses the focus's join with not-authorized, owner or not (Prosody; ejabberd lets
 * the MUC service's admins in without it). That happens when a new focus takes over the rooms
 * of one that left them (a graceful restart) or after a reconnect the server noticed. An owner
 * may read the configuration without being an occupant (XEP-0045 §10.2, the service checks
 * affiliation, not presence): the focus reads the password there and joins again with it.
 * At most FOCUS_ROOM_SECRET_READS reads per join attempt (the password may change between the
 * read and the join), all within the create timeout. */

#define FOCUS_ROOM_SECRET_READS 2

/* The non-empty muc#roomconfig_roomsecret of a muc#owner configuration form, or NULL
 * (transfer full). */
static char *config_secret(xmpp_stanza_t *result)
{
    xmpp_stanza_t *q = result ? pa_stanza_child(result, "query", FOCUS_NS_MUC_OWNER) : NULL;
    xmpp_stanza_t *x = q ? pa_stanza_child(q, "x", FOCUS_NS_DATA) : NULL;
    for (xmpp_stanza_t *f = x ? xmpp_stanza_get_children(x) : NULL; f;
         f = xmpp_stanza_get_next(f)) {
        if (!xmpp_stanza_is_tag(f) || g_strcmp0(xmpp_stanza_get_name(f), "field") != 0 ||
            g_strcmp0(xmpp_stanza_get_attribute(f, "var"), "muc#roomconfig_roomsecret") != 0)
            continue;
        char *v = focus_stanza_child_text(f, "value", NULL);
        if (v && !*v)
            g_clear_pointer(&v, g_free);
        return v;
    }
    return NULL;
}

static void secret_read(FocusLink *link, FocusIqOutcome outcome, xmpp_stanza_t *reply,
                        gpointer data)
{
    FocusRoom *room = data;
    if (room->state != FOCUS_ROOM_JOINING || outcome == FOCUS_IQ_DISCONNECTED)
        return; /* joined meanwhile, or over; a reconnect starts the join again */
    g_autofree char *secret = outcome == FOCUS_IQ_RESULT ? config_secret(reply) : NULL;
    if (secret) {
        g_info("room=%s: joining again with the password from the room's configuration", room->jid);
        send_join(room, secret);
        return;
    }
    const char *cond =
        reply && outcome != FOCUS_IQ_RESULT ? pa_stanza_error_condition(reply) : NULL;
    g_autofree char *what =
        outcome == FOCUS_IQ_RESULT
            ? g_strdup("the MUC service refused the focus: not-authorized, and the room's "
                       "configuration has no password")
            : g_strdup_printf("the MUC service refused the focus: not-authorized (a password?), "
                              "and reading the room's configuration as owner failed: %s%s%s",
                              focus_iq_outcome_str(outcome), cond ? " " : "", cond ? cond : "");
    fail_creation(room, PA_ERR_CANCEL, "internal-server-error", what);
}

/* The join was refused with not-authorized: reads the password if a read is left (TRUE). */
static gboolean read_secret(FocusRoom *room)
{
    if (room->secret_reads >= FOCUS_ROOM_SECRET_READS)
        return FALSE;
    room->secret_reads++;
    g_info("room=%s: the MUC service wants a password from the focus; reading the room's "
           "configuration as owner",
           room->jid);
    xmpp_stanza_t *q;
    focus_room_send_iq(
        room,
        focus_muc_owner_iq(focus_link_ctx(room->link), "get", room->occupant_jid, room->jid, &q),
        secret_read);
    return TRUE;
}

/* ---- the focus's own presence ---- */

static gint find_extension(FocusRoom *room, const char *name, const char *ns)
{
    for (guint i = 0; i < room->presence_ext->len; i++) {
        xmpp_stanza_t *e = room->presence_ext->pdata[i];
        if (g_strcmp0(xmpp_stanza_get_name(e), name) == 0 &&
            g_strcmp0(xmpp_stanza_get_ns(e), ns) == 0)
            return (gint)i;
    }
    return -1;
}

gboolean focus_room_has_presence_extension(FocusRoom *room, const char *name, const char *ns)
{
    return find_extension(room, name, ns) >= 0;
}

void focus_room_set_presence_extension(FocusRoom *room, const char *name, const char *ns,
                                       xmpp_stanza_t *element)
{
    gint idx = find_extension(room, name, ns);
    if (idx < 0 && !element)
        return;
    if (idx >= 0)
        g_ptr_array_remove_index(room->presence_ext, (guint)idx);
    if (element)
        g_ptr_array_add(room->presence_ext, xmpp_stanza_copy(element));
    if (room->state != FOCUS_ROOM_READY)
        return; /* the next join presence carries it */
    /* A presence update to the room: no <x xmlns=muc>, that would be a join. */
    xmpp_ctx_t *ctx = focus_link_ctx(room->link);
    xmpp_stanza_t *p = xmpp_presence_new(ctx);
    xmpp_stanza_set_from(p, room->occupant_jid);
    g_autofree char *to = g_strdup_printf("%s/%s", room->jid, FOCUS_MUC_NICK);
    xmpp_stanza_set_to(p, to);
    add_extensions(room, p);
    focus_room_send(room, p);
}

void focus_room_start(FocusRoom *room)
{
    g_return_if_fail(room->state == FOCUS_ROOM_JOINING);
    if (focus_link_online(room->link))
        begin_join(room);
}

void focus_room_on_online(FocusRoom *room)
{
    switch (room->state) {
    case FOCUS_ROOM_JOINING:
    case FOCUS_ROOM_CONFIGURING:
    case FOCUS_ROOM_READY:
        begin_join(room);
        break;
    case FOCUS_ROOM_DESTROYING:
        send_destroy(room);
        break;
    case FOCUS_ROOM_GONE:
        break;
    }
}

void focus_room_on_offline(FocusRoom *room)
{
    if (room->state == FOCUS_ROOM_GONE || room->state == FOCUS_ROOM_DESTROYING)
        return;
    room->create_timer = focus_link_timer_cancel(room->link, room->create_timer);
    room->empty_timer = focus_link_timer_cancel(room->link, room->empty_timer);
    room->state = FOCUS_ROOM_JOINING;
}

void focus_room_leave(FocusRoom *room)
{
    if (room->state == FOCUS_ROOM_GONE)
        return;
    answer_requests_error(room, PA_ERR_WAIT, "service-unavailable", "the focus is stopping");
    send_leave(room);
    set_gone(room, "the focus left");
}

gboolean focus_room_end(FocusRoom *room, const char *reason)
{
    if (room->state == FOCUS_ROOM_DESTROYING)
        return TRUE;
    if (room->state != FOCUS_ROOM_READY)
        return FALSE;
    g_free(room->destroy_reason);
    room->destroy_reason = g_strdup(reason);
    begin_destroy(room, "ended for everyone");
    return TRUE;
}

/* ---- requests ---- */

void focus_room_add_request(FocusRoom *room, xmpp_stanza_t *iq)
{
    switch (room->state) {
    case FOCUS_ROOM_READY:
        reply_ready(room, iq);
        room->awaiting_first_join = TRUE;
        focus_room_arm_empty(room, TRUE);
        return;
    case FOCUS_ROOM_GONE:
        reply_error(room, iq, PA_ERR_WAIT, "service-unavailable", "the conference is ending");
        return;
    case FOCUS_ROOM_JOINING:
    case FOCUS_ROOM_CONFIGURING:
    case FOCUS_ROOM_DESTROYING:
        break;
    }
    if (room->requests->len >= room->s.max_waiting_requests) {
        reply_error(room, iq, PA_ERR_WAIT, "resource-constraint",
                    "too many requests for this room");
        return;
    }
    room->awaiting_first_join = TRUE;
    g_ptr_array_add(room->requests, xmpp_stanza_clone(iq));
}

/* ---- presence ---- */

static void self_presence(FocusRoom *room, const FocusMucPresence *mp)
{
    if (mp->is_error) {
        if (room->state == FOCUS_ROOM_JOINING) {
            if (g_strcmp0(mp->error_condition, "not-authorized") == 0 && read_secret(room))
                return;
            g_autofree char *what =
                g_strdup_printf("the MUC service refused the focus: %s%s%s%s",
                                mp->error_condition ? mp->error_condition : "unknown error",
                                mp->error_text ? ": " : "", mp->error_text ? mp->error_text : "",
                                room->secret_reads ? " (even with the room's password)" : "");
            /* The server did not accept the room's address (a name its stringprep refuses,
             * that the focus's own check let through): the request was bad, not the focus. */
            gboolean bad_name = g_strcmp0(mp->error_condition, "jid-malformed") == 0 ||
                                g_strcmp0(mp->error_condition, "bad-request") == 0;
            if (bad_name)
                fail_creation(room, PA_ERR_MODIFY, "bad-request", what);
            else
                fail_creation(room, PA_ERR_CANCEL, "internal-server-error", what);
        } else {
            g_debug("room=%s: error presence (%s) in state %s", room->jid,
                    mp->error_condition ? mp->error_condition : "?",
                    focus_room_state_str(room->state));
        }
        return;
    }
    gboolean self = focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_SELF) ||
                    (mp->real_jid && pa_jid_equal(mp->real_jid, room->occupant_jid));
    if (mp->available) {
        if (self && room->state == FOCUS_ROOM_JOINING)
            on_joined(room, mp);
        return;
    }
    if (focus_muc_presence_has_status(mp, FOCUS_MUC_STATUS_NICK_CHANGED))
        return;
    if (room->state == FOCUS_ROOM_DESTROYING) {
        room->destroyed = TRUE;
        set_gone(room, "destroyed");
        return;
    }
    if (room->state == FOCUS_ROOM_JOINING && !self && !mp->destroyed)
        return; /* a previous session of ours leaving, not the one joining */
    room->destroyed = mp->destroyed;
    g_warning("focus removed from room room=%s (%s)", room->jid, focus_room_leave_reason(mp));
    answer_requests_error(room, PA_ERR_WAIT, "service-unavailable",
                          "the conference room went away");
    set_gone(room, focus_room_leave_reason(mp));
}

void focus_room_handle_presence(FocusRoom *room, const FocusMucPresence *mp)
{
    if (room->state == FOCUS_ROOM_GONE)
        return;
    if (strcmp(mp->nick, FOCUS_MUC_NICK) == 0)
        self_presence(room, mp);
    else if (mp->is_error)
        g_debug("room=%s: error presence from %s", room->jid, mp->nick);
    else if (mp->available)
        focus_room_occupant_available(room, mp);
    else
        focus_room_occupant_unavailable(room, mp);
    /* Layers following the roster see it as it is now (unless the room has ended). */
    if (room->state != FOCUS_ROOM_GONE)
        focus_room_emit_occupant_presence(room, mp);
}
