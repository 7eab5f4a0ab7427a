/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread. A FocusLobby owns its knocks, the request handles it
 * was given until it emits their REPLY, and the record of the MUC operations it asked for. */
#include "focus/security/lobby.h"

#include "common/xmpp/jid.h"

#include <string.h>

typedef enum {
    OP_GRANT_ENABLE, /* member grant for an occupant before members-only */
    OP_GRANT_ADMIT,  /* member grant admitting a knock */
    OP_CONFIG,       /* the security owner form */
    OP_REVOKE,       /* member affiliation taken back from someone who left */
} OpKind;

typedef enum {
    CFG_ENABLE,   /* ENABLING -> ON */
    CFG_DISABLE,  /* DISABLING -> OFF */
    CFG_PASSWORD, /* password change while OFF */
    CFG_SYNC,     /* re-apply or normalise; nobody waits */
} ConfigPurpose;

typedef struct {
    guint id;
    OpKind kind;
    char *jid;      /* grants: bare JID */
    char *knock_id; /* OP_GRANT_ADMIT */
    char *by;       /* OP_GRANT_ADMIT: moderator nick, NULL for the password */
    gboolean gates; /* OP_GRANT_ENABLE: the form waits for it */
    ConfigPurpose purpose;
    char *password;   /* OP_CONFIG, CFG_PASSWORD: the new password (NULL: none) */
    gpointer request; /* who waits for this operation (owned), or NULL */
} Op;

typedef struct {
    gboolean moderator;
    guint gen;
} Known;

struct _FocusLobby {
    FocusLobbySettings s;
    GDestroyNotify request_free;
    FocusLobbyPhase phase;
    char *password;
    GPtrArray *knocks; /* FocusLobbyKnock*, arrival order */
    guint64 knock_seq;
    GHashTable *ops; /* id -> Op* */
    guint next_op;
    guint config_op;         /* OP_CONFIG in flight, 0 if none */
    gpointer enable_request; /* toggle waiting for the ENABLING grants */
    GHashTable *enable_jids; /* bare JIDs granted (or in flight) during this ENABLING */
    guint enable_pending;    /* gating grants in flight */
    gboolean enable_failed;
    GHashTable *known;   /* occupant real JID -> Known* */
    GHashTable *granted; /* bare JIDs the focus made members (set), until they leave */
    guint gen;
    gint64 pw_window_start;
    guint pw_failures;
};

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

static const FocusLobbyOccupant *find_moderator(const FocusLobbyRoster *r, const char *jid)
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

static FocusLobbyAction *push(FocusLobbyActions *actions, FocusLobbyActionKind kind)
{
    FocusLobbyAction a = {.kind = kind};
    g_array_append_val(actions, a);
    return focus_lobby_action_at(actions, actions->len - 1);
}

/* REPLY for @request (transfer full) with @status. */
static FocusLobbyAction *reply(FocusLobby *lobby, FocusLobbyActions *actions, gpointer request,
                               FocusLobbyStatus status)
{
    FocusLobbyAction *a = push(actions, FOCUS_LOBBY_ACTION_REPLY);
    a->request = request;
    a->request_free = lobby->request_free;
    a->status = status;
    return a;
}

static void notify_knock(FocusLobbyActions *actions, const char *to, gboolean to_knocker,
                         const FocusLobbyKnock *k, FocusLobbyKnockStatus status, const char *by,
                         const char *reason)
{
    FocusLobbyAction *a = push(actions, FOCUS_LOBBY_ACTION_NOTIFY_KNOCK);
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

static void notify_moderators(const FocusLobbyRoster *roster, FocusLobbyActions *actions,
                              const FocusLobbyKnock *k, FocusLobbyKnockStatus status,
                              const char *by, const char *reason)
{
    for (guint i = 0; roster && i < roster->n; i++) {
        const FocusLobbyOccupant *o = &roster->items[i];
        if (o->real_jid && focus_lobby_occupant_is_moderator(o))
            notify_knock(actions, o->real_jid, FALSE, k, status, by, reason);
    }
}

static void notify_state_to(FocusLobby *lobby, FocusLobbyActions *actions, const char *to)
{
    FocusLobbyAction *a = push(actions, FOCUS_LOBBY_ACTION_NOTIFY_STATE);
    a->to = g_strdup(to);
    a->enabled = focus_lobby_enabled(lobby);
    a->has_password = lobby->password != NULL;
}

static void notify_state_all(FocusLobby *lobby, const FocusLobbyRoster *roster,
                             FocusLobbyActions *actions)
{
    for (guint i = 0; roster && i < roster->n; i++)
        if (roster->items[i].real_jid)
            notify_state_to(lobby, actions, roster->items[i].real_jid);
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

static FocusLobbyKnock *knock_by_id(FocusLobby *lobby, const char *id)
{
    for (guint i = 0; id && i < lobby->knocks->len; i++) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        if (strcmp(k->id, id) == 0)
            return k;
    }
    return NULL;
}

static FocusLobbyKnock *knock_by_jid(FocusLobby *lobby, const char *full_jid)
{
    for (guint i = 0; i < lobby->knocks->len; i++) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        if (pa_jid_equal(k->jid, full_jid))
            return k;
    }
    return NULL;
}

static FocusLobbyKnock *knock_by_bare(FocusLobby *lobby, const char *bare)
{
    for (guint i = 0; bare && i < lobby->knocks->len; i++) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        if (strcmp(k->bare_jid, bare) == 0)
            return k;
    }
    return NULL;
}

static void knock_remove(FocusLobby *lobby, FocusLobbyKnock *k)
{
    g_ptr_array_remove(lobby->knocks, k); /* order kept; frees k */
}

/* Every knock still waiting for a moderator: tell the knocker @status and drop it. Knocks being
 * admitted are left to their grant. */
static void close_pending(FocusLobby *lobby, FocusLobbyActions *actions,
                          FocusLobbyKnockStatus status)
{
    for (guint i = 0; i < lobby->knocks->len;) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        if (k->admitting) {
            i++;
            continue;
        }
        notify_knock(actions, k->jid, TRUE, k, status, NULL, NULL);
        g_ptr_array_remove_index(lobby->knocks, i);
    }
}

/* ---- operations ---- */

static void op_free(gpointer data)
{
    Op *op = data;
    g_free(op->jid);
    g_free(op->knock_id);
    g_free(op->by);
    g_free(op->password);
    g_free(op);
}

static Op *op_new(FocusLobby *lobby, OpKind kind)
{
    Op *op = g_new0(Op, 1);
    op->id = ++lobby->next_op;
    if (op->id == 0)
        op->id = ++lobby->next_op;
    op->kind = kind;
    g_hash_table_insert(lobby->ops, GUINT_TO_POINTER(op->id), op);
    return op;
}

static void emit_grant(FocusLobby *lobby, FocusLobbyActions *actions, const Op *op)
{
    g_hash_table_add(lobby->granted, g_strdup(op->jid));
    FocusLobbyAction *a = push(actions, FOCUS_LOBBY_ACTION_GRANT_MEMBER);
    a->op = op->id;
    a->jid = g_strdup(op->jid);
}

static void submit_config(FocusLobby *lobby, FocusLobbyActions *actions, ConfigPurpose purpose,
                          gboolean members_only, const char *password, gpointer request)
{
    Op *op = op_new(lobby, OP_CONFIG);
    op->purpose = purpose;
    op->password = g_strdup(password);
    op->request = request;
    lobby->config_op = op->id;
    FocusLobbyAction *a = push(actions, FOCUS_LOBBY_ACTION_SUBMIT_CONFIG);
    a->op = op->id;
    a->members_only = members_only;
    /* While members-only, the room carries no secret (see lobby.h). */
    a->secret = members_only ? NULL : g_strdup(password);
}

static gboolean busy(FocusLobby *lobby)
{
    return lobby->config_op != 0 || lobby->phase == FOCUS_LOBBY_PHASE_ENABLING ||
           lobby->phase == FOCUS_LOBBY_PHASE_DISABLING;
}

/* ENABLING: a member grant for @o unless it already has an affiliation or its bare JID was
 * granted in this round. */
static void grant_for_enable(FocusLobby *lobby, const FocusLobbyOccupant *o,
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
    Op *op = op_new(lobby, OP_GRANT_ENABLE);
    op->jid = bare;
    /* Grants issued after the form went out cannot hold it back any more. */
    op->gates = lobby->config_op == 0;
    if (op->gates)
        lobby->enable_pending++;
    emit_grant(lobby, actions, op);
}

static void start_enabling(FocusLobby *lobby, const FocusLobbyRoster *roster, gpointer request,
                           FocusLobbyActions *actions)
{
    lobby->phase = FOCUS_LOBBY_PHASE_ENABLING;
    lobby->enable_request = request;
    lobby->enable_failed = FALSE;
    lobby->enable_pending = 0;
    g_hash_table_remove_all(lobby->enable_jids);
    for (guint i = 0; roster && i < roster->n; i++)
        grant_for_enable(lobby, &roster->items[i], actions);
    if (lobby->enable_pending == 0) {
        gpointer req = lobby->enable_request;
        lobby->enable_request = NULL;
        submit_config(lobby, actions, CFG_ENABLE, TRUE, lobby->password, req);
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
    lobby->ops = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, op_free);
    lobby->enable_jids = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    lobby->known = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, known_free);
    lobby->granted = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
    return lobby;
}

static void release(FocusLobby *lobby, gpointer request)
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
        release(lobby, ((Op *)v)->request);
    release(lobby, lobby->enable_request);
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

/* ---- requests ---- */

void focus_lobby_request_toggle(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                const char *requester, gboolean enabled, gpointer request,
                                FocusLobbyActions *actions)
{
    if (!find_moderator(roster, requester)) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_FORBIDDEN);
        return;
    }
    if ((enabled && lobby->phase == FOCUS_LOBBY_PHASE_ON) ||
        (!enabled && lobby->phase == FOCUS_LOBBY_PHASE_OFF && lobby->config_op == 0)) {
        reply(lobby, actions, request, FOCUS_LOBBY_OK);
        return;
    }
    if (busy(lobby)) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_BUSY);
        return;
    }
    if (enabled) {
        start_enabling(lobby, roster, request, actions);
    } else {
        lobby->phase = FOCUS_LOBBY_PHASE_DISABLING;
        submit_config(lobby, actions, CFG_DISABLE, FALSE, lobby->password, request);
    }
}

void focus_lobby_request_password(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                  const char *requester, const char *password, gpointer request,
                                  FocusLobbyActions *actions)
{
    if (password && !*password)
        password = NULL;
    if (!find_moderator(roster, requester)) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_FORBIDDEN);
        return;
    }
    if (busy(lobby)) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_BUSY);
        return;
    }
    if (g_strcmp0(password, lobby->password) == 0) {
        reply(lobby, actions, request, FOCUS_LOBBY_OK);
        return;
    }
    if (lobby->phase == FOCUS_LOBBY_PHASE_ON) {
        gboolean had = lobby->password != NULL;
        g_free(lobby->password);
        lobby->password = g_strdup(password);
        reply(lobby, actions, request, FOCUS_LOBBY_OK);
        if (had != (password != NULL))
            notify_state_all(lobby, roster, actions);
        return;
    }
    submit_config(lobby, actions, CFG_PASSWORD, FALSE, password, request);
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
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_IN_ROOM);
        return;
    }
    if (lobby->phase == FOCUS_LOBBY_PHASE_OFF) {
        FocusLobbyAction *a = reply(lobby, actions, request, FOCUS_LOBBY_OK);
        a->knock_status = FOCUS_LOBBY_KNOCK_OPEN;
        return;
    }
    FocusLobbyKnock *existing = knock_by_jid(lobby, requester);
    if (existing) {
        FocusLobbyAction *a = reply(lobby, actions, request, FOCUS_LOBBY_OK);
        a->knock_id = g_strdup(existing->id);
        a->knock_status = FOCUS_LOBBY_KNOCK_PENDING;
        return;
    }
    g_autofree char *bare = pa_jid_bare(requester);
    if (!bare) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_FORBIDDEN);
        return;
    }
    if (knock_by_bare(lobby, bare)) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_DUPLICATE);
        return;
    }
    if (lobby->knocks->len >= lobby->s.max_knocks) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_FULL);
        return;
    }
    gboolean by_password = FALSE;
    if (password && *password) {
        if (!password_budget(lobby, now_us)) {
            reply(lobby, actions, request, FOCUS_LOBBY_ERR_TOO_MANY_TRIES);
            return;
        }
        if (!lobby->password || !secret_equal(password, lobby->password)) {
            lobby->pw_failures++;
            reply(lobby, actions, request, FOCUS_LOBBY_ERR_BAD_PASSWORD);
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

    FocusLobbyAction *a = reply(lobby, actions, request, FOCUS_LOBBY_OK);
    a->knock_id = g_strdup(k->id);
    a->knock_status = FOCUS_LOBBY_KNOCK_PENDING;
    if (by_password) {
        k->admitting = TRUE;
        Op *op = op_new(lobby, OP_GRANT_ADMIT);
        op->jid = g_strdup(k->bare_jid);
        op->knock_id = g_strdup(k->id);
        emit_grant(lobby, actions, op);
    } else {
        notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_PENDING, NULL, NULL);
    }
}

void focus_lobby_request_cancel(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                const char *requester, const char *knock_id, gpointer request,
                                FocusLobbyActions *actions)
{
    FocusLobbyKnock *k = knock_by_id(lobby, knock_id);
    /* Someone else's knock is "not found" too: ids are not secrets, knocks are personal. */
    if (!k || !pa_jid_equal(k->jid, requester)) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_NO_KNOCK);
        return;
    }
    notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_CANCELLED, NULL, NULL);
    knock_remove(lobby, k);
    reply(lobby, actions, request, FOCUS_LOBBY_OK);
}

void focus_lobby_request_admit(FocusLobby *lobby, const FocusLobbyRoster *roster,
                               const char *requester, const char *knock_id, gpointer request,
                               FocusLobbyActions *actions)
{
    const FocusLobbyOccupant *mod = find_moderator(roster, requester);
    if (!mod) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_FORBIDDEN);
        return;
    }
    FocusLobbyKnock *k = knock_by_id(lobby, knock_id);
    if (!k) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_NO_KNOCK);
        return;
    }
    if (k->admitting) { /* another moderator (or the password) was quicker */
        reply(lobby, actions, request, FOCUS_LOBBY_OK);
        return;
    }
    k->admitting = TRUE;
    Op *op = op_new(lobby, OP_GRANT_ADMIT);
    op->jid = g_strdup(k->bare_jid);
    op->knock_id = g_strdup(k->id);
    op->by = g_strdup(mod->nick);
    op->request = request;
    emit_grant(lobby, actions, op);
}

void focus_lobby_request_refuse(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                const char *requester, const char *knock_id, const char *reason,
                                gpointer request, FocusLobbyActions *actions)
{
    const FocusLobbyOccupant *mod = find_moderator(roster, requester);
    if (!mod) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_FORBIDDEN);
        return;
    }
    FocusLobbyKnock *k = knock_by_id(lobby, knock_id);
    if (!k) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_NO_KNOCK);
        return;
    }
    if (k->admitting) {
        reply(lobby, actions, request, FOCUS_LOBBY_ERR_BUSY);
        return;
    }
    if (reason && !*reason)
        reason = NULL;
    notify_knock(actions, k->jid, TRUE, k, FOCUS_LOBBY_KNOCK_REFUSED, mod->nick, reason);
    notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_REFUSED, mod->nick, reason);
    knock_remove(lobby, k);
    reply(lobby, actions, request, FOCUS_LOBBY_OK);
}

/* ---- operation results ---- */

/* emit_grant() records a grant as the focus's own when it is sent, so that a leave racing
 * with it is still revoked. A grant the MUC refused never happened: forget it, or a later
 * membership given by an owner would be taken for the focus's and revoked on leave. */
static void forget_failed_grant(FocusLobby *lobby, const Op *op, gboolean ok)
{
    if (!ok && op->jid)
        g_hash_table_remove(lobby->granted, op->jid);
}

static void admit_done(FocusLobby *lobby, const FocusLobbyRoster *roster, Op *op, gboolean ok,
                       FocusLobbyActions *actions)
{
    forget_failed_grant(lobby, op, ok);
    FocusLobbyKnock *k = knock_by_id(lobby, op->knock_id);
    if (ok) {
        if (k) {
            notify_knock(actions, k->jid, TRUE, k, FOCUS_LOBBY_KNOCK_ADMITTED, op->by, NULL);
            notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_ADMITTED, op->by, NULL);
            knock_remove(lobby, k);
        }
    } else if (k) {
        /* Back to waiting; a password admission that failed goes to the moderators now. */
        k->admitting = FALSE;
        if (!op->by)
            notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_PENDING, NULL, NULL);
    }
    if (op->request)
        reply(lobby, actions, g_steal_pointer(&op->request),
              ok ? FOCUS_LOBBY_OK : FOCUS_LOBBY_ERR_MUC_FAILED);
}

static void enable_grant_done(FocusLobby *lobby, const FocusLobbyRoster *roster, Op *op,
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
        close_pending(lobby, actions, FOCUS_LOBBY_KNOCK_OPEN);
        if (req)
            reply(lobby, actions, req, FOCUS_LOBBY_ERR_MUC_FAILED);
        return;
    }
    submit_config(lobby, actions, CFG_ENABLE, TRUE, lobby->password, req);
}

static void config_done(FocusLobby *lobby, const FocusLobbyRoster *roster, Op *op, gboolean ok,
                        FocusLobbyActions *actions)
{
    lobby->config_op = 0;
    gboolean changed = FALSE;
    switch (op->purpose) {
    case CFG_ENABLE:
        lobby->phase = ok ? FOCUS_LOBBY_PHASE_ON : FOCUS_LOBBY_PHASE_OFF;
        if (!ok)
            close_pending(lobby, actions, FOCUS_LOBBY_KNOCK_OPEN);
        changed = ok;
        break;
    case CFG_DISABLE:
        lobby->phase = ok ? FOCUS_LOBBY_PHASE_OFF : FOCUS_LOBBY_PHASE_ON;
        if (ok)
            close_pending(lobby, actions, FOCUS_LOBBY_KNOCK_OPEN);
        changed = ok;
        break;
    case CFG_PASSWORD:
        if (ok) {
            changed = (lobby->password != NULL) != (op->password != NULL);
            g_free(lobby->password);
            lobby->password = g_strdup(op->password);
        }
        break;
    case CFG_SYNC:
        break;
    }
    if (op->request)
        reply(lobby, actions, g_steal_pointer(&op->request),
              ok ? FOCUS_LOBBY_OK : FOCUS_LOBBY_ERR_MUC_FAILED);
    if (changed)
        notify_state_all(lobby, roster, actions);
}

void focus_lobby_op_done(FocusLobby *lobby, const FocusLobbyRoster *roster, guint op_id,
                         gboolean ok, FocusLobbyActions *actions)
{
    Op *op = g_hash_table_lookup(lobby->ops, GUINT_TO_POINTER(op_id));
    if (!op)
        return; /* forgotten (the conference ended) */
    g_hash_table_steal(lobby->ops, GUINT_TO_POINTER(op_id));
    switch (op->kind) {
    case OP_GRANT_ENABLE:
        enable_grant_done(lobby, roster, op, ok, actions);
        break;
    case OP_GRANT_ADMIT:
        admit_done(lobby, roster, op, ok, actions);
        break;
    case OP_CONFIG:
        config_done(lobby, roster, op, ok, actions);
        break;
    case OP_REVOKE:
        break; /* nobody waits; the caller logs a failure */
    }
    release(lobby, op->request);
    op_free(op);
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
        Known *kn = g_hash_table_lookup(lobby->known, o->real_jid);
        gboolean is_new = kn == NULL;
        if (is_new) {
            kn = g_new0(Known, 1);
            g_hash_table_insert(lobby->known, g_strdup(o->real_jid), kn);
        }
        gboolean mod = focus_lobby_occupant_is_moderator(o);
        if (is_new && (focus_lobby_enabled(lobby) || lobby->password))
            notify_state_to(lobby, actions, o->real_jid);
        if (mod && !kn->moderator) {
            for (guint j = 0; j < lobby->knocks->len; j++) {
                FocusLobbyKnock *k = lobby->knocks->pdata[j];
                if (!k->admitting)
                    notify_knock(actions, o->real_jid, FALSE, k, FOCUS_LOBBY_KNOCK_PENDING, NULL,
                                 NULL);
            }
        }
        kn->moderator = mod;
        kn->gen = lobby->gen;
        if (lobby->phase == FOCUS_LOBBY_PHASE_ENABLING)
            grant_for_enable(lobby, o, actions);
        FocusLobbyKnock *k = knock_by_jid(lobby, o->real_jid);
        if (k && !k->admitting) {
            notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_CANCELLED, NULL, NULL);
            knock_remove(lobby, k);
        }
    }
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, lobby->known);
    while (g_hash_table_iter_next(&it, NULL, &v))
        if (((Known *)v)->gen != lobby->gen)
            g_hash_table_iter_remove(&it);
}

gboolean focus_lobby_knocker_gone(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                  const char *full_jid, FocusLobbyActions *actions)
{
    FocusLobbyKnock *k = full_jid ? knock_by_jid(lobby, full_jid) : NULL;
    if (!k)
        return FALSE;
    notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_LEFT, NULL, NULL);
    knock_remove(lobby, k);
    return TRUE;
}

gboolean focus_lobby_occupant_left(FocusLobby *lobby, const FocusLobbyRoster *roster,
                                   const char *real_jid, FocusMucAffiliation affiliation,
                                   FocusLobbyActions *actions)
{
    if (!real_jid || (affiliation != FOCUS_MUC_AFFILIATION_MEMBER &&
                      affiliation != FOCUS_MUC_AFFILIATION_NONE))
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
    FocusLobbyKnock *k = knock_by_bare(lobby, bare);
    if (k && k->admitting)
        return FALSE;
    g_hash_table_remove(lobby->granted, bare);
    Op *op = op_new(lobby, OP_REVOKE);
    op->jid = g_steal_pointer(&bare);
    FocusLobbyAction *a = push(actions, FOCUS_LOBBY_ACTION_REVOKE_MEMBER);
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
        notify_knock(actions, k->jid, TRUE, k, FOCUS_LOBBY_KNOCK_EXPIRED, NULL, NULL);
        notify_moderators(roster, actions, k, FOCUS_LOBBY_KNOCK_EXPIRED, NULL, NULL);
        g_ptr_array_remove_index(lobby->knocks, i);
    }
}

void focus_lobby_room_ended(FocusLobby *lobby, FocusLobbyActions *actions)
{
    for (guint i = 0; i < lobby->knocks->len; i++) {
        FocusLobbyKnock *k = lobby->knocks->pdata[i];
        notify_knock(actions, k->jid, TRUE, k, FOCUS_LOBBY_KNOCK_ENDED, NULL, NULL);
    }
    g_ptr_array_set_size(lobby->knocks, 0);
    if (lobby->enable_request)
        reply(lobby, actions, g_steal_pointer(&lobby->enable_request), FOCUS_LOBBY_ERR_ENDED);
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, lobby->ops);
    while (g_hash_table_iter_next(&it, NULL, &v)) {
        Op *op = v;
        if (op->request)
            reply(lobby, actions, g_steal_pointer(&op->request), FOCUS_LOBBY_ERR_ENDED);
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
    if (busy(lobby))
        return;
    if (lobby->phase == FOCUS_LOBBY_PHASE_ON)
        start_enabling(lobby, roster, NULL, actions);
    else if (lobby->password)
        submit_config(lobby, actions, CFG_SYNC, FALSE, lobby->password, NULL);
}

void focus_lobby_adopt_config(FocusLobby *lobby, const FocusLobbyRoster *roster,
                              gboolean members_only, gboolean password_protected,
                              const char *secret, FocusLobbyActions *actions)
{
    if (busy(lobby))
        return;
    if (secret && !*secret)
        secret = NULL;
    gboolean was_on = focus_lobby_enabled(lobby);
    gboolean had_password = lobby->password != NULL;
    if (members_only && !was_on)
        lobby->phase = FOCUS_LOBBY_PHASE_ON;
    if (!members_only && was_on) {
        lobby->phase = FOCUS_LOBBY_PHASE_OFF;
        close_pending(lobby, actions, FOCUS_LOBBY_KNOCK_OPEN);
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
        submit_config(lobby, actions, CFG_SYNC, TRUE, lobby->password, NULL);
    if (was_on != focus_lobby_enabled(lobby) || had_password != (lobby->password != NULL))
        notify_state_all(lobby, roster, actions);
}
