/* SPDX-License-Identifier: MIT */
/* Thread: the focus event-loop thread only (see link.h). The link owns its timers and
 * pending-IQ records; user_data pointers stay owned by the callers. */
#include "focus/xmpp/link.h"

#include "common/xmpp/jid.h"

#include <string.h>

typedef struct {
    guint id;
    gint64 due_us;
    FocusTimerFunc func;
    gpointer user_data;
    gconstpointer owner;
} FocusTimer;

typedef struct {
    char *id;
    char *expected_from; /* NULL: any */
    FocusIqCallback cb;
    gpointer user_data;
    gconstpointer owner;
    guint timer;                 /* timeout (or immediate failure) timer */
    FocusIqOutcome fail_outcome; /* what the timer reports */
} FocusPendingIq;

struct _FocusLink {
    xmpp_ctx_t *ctx;
    char *component_jid;
    gboolean online;
    FocusLinkSendFunc send;
    gpointer send_data;
    FocusClockFunc clock;
    gpointer clock_data;
    GSequence *timers;     /* FocusTimer*, ordered by (due, id) */
    GHashTable *timer_ids; /* id -> GSequenceIter */
    guint next_timer_id;
    GHashTable *pending; /* id string -> FocusPendingIq* */
    GPtrArray *failing;  /* records detached by focus_link_fail_pending(), while it runs */
    guint64 next_stanza_id;
    char id_prefix[12];
};

const char *focus_iq_outcome_str(FocusIqOutcome outcome)
{
    switch (outcome) {
    case FOCUS_IQ_RESULT:
        return "result";
    case FOCUS_IQ_ERROR:
        return "error";
    case FOCUS_IQ_TIMEOUT:
        return "timeout";
    case FOCUS_IQ_DISCONNECTED:
        return "disconnected";
    }
    return "?";
}

static gint64 default_clock(gpointer user_data)
{
    (void)user_data;
    return g_get_monotonic_time();
}

static void pending_free(gpointer p)
{
    FocusPendingIq *iq = p;
    g_free(iq->id);
    g_free(iq->expected_from);
    g_free(iq);
}

FocusLink *focus_link_new(xmpp_ctx_t *ctx, const char *component_jid)
{
    g_return_val_if_fail(ctx && component_jid, NULL);
    FocusLink *link = g_new0(FocusLink, 1);
    link->ctx = ctx;
    link->component_jid = g_strdup(component_jid);
    link->clock = default_clock;
    link->timers = g_sequence_new(g_free);
    link->timer_ids = g_hash_table_new(g_direct_hash, g_direct_equal);
    link->next_timer_id = 1;
    link->pending = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, pending_free);
    /* A per-process prefix keeps ids unique across focus restarts, so a late reply to a
     * previous process's IQ cannot match a new request. */
    g_snprintf(link->id_prefix, sizeof link->id_prefix, "pf%08x", g_random_int());
    return link;
}

void focus_link_free(FocusLink *link)
{
    if (!link)
        return;
    g_hash_table_destroy(link->pending);
    g_hash_table_destroy(link->timer_ids);
    g_sequence_free(link->timers);
    g_free(link->component_jid);
    g_free(link);
}

void focus_link_set_transport(FocusLink *link, FocusLinkSendFunc send, gpointer user_data)
{
    link->send = send;
    link->send_data = user_data;
}

void focus_link_set_clock(FocusLink *link, FocusClockFunc clock, gpointer user_data)
{
    link->clock = clock ? clock : default_clock;
    link->clock_data = user_data;
}

xmpp_ctx_t *focus_link_ctx(FocusLink *link)
{
    return link->ctx;
}

const char *focus_link_component_jid(FocusLink *link)
{
    return link->component_jid;
}

gint64 focus_link_now(FocusLink *link)
{
    return link->clock(link->clock_data);
}

gboolean focus_link_online(FocusLink *link)
{
    return link->online;
}

void focus_link_set_online(FocusLink *link, gboolean online)
{
    link->online = online;
}

char *focus_link_new_id(FocusLink *link)
{
    return g_strdup_printf("%s-%" G_GUINT64_FORMAT, link->id_prefix, ++link->next_stanza_id);
}

void focus_link_send(FocusLink *link, xmpp_stanza_t *stanza)
{
    if (!link->online || !link->send) {
        g_debug("offline: dropped <%s/> to %s", xmpp_stanza_get_name(stanza),
                xmpp_stanza_get_to(stanza) ? xmpp_stanza_get_to(stanza) : "(server)");
        return;
    }
    link->send(stanza, link->send_data);
}

void focus_link_send_owned(FocusLink *link, xmpp_stanza_t *stanza)
{
    focus_link_send(link, stanza);
    xmpp_stanza_release(stanza);
}

void focus_link_reply_result(FocusLink *link, xmpp_stanza_t *request)
{
    focus_link_send_owned(link, pa_stanza_iq_result(link->ctx, request));
}

void focus_link_reply_error(FocusLink *link, xmpp_stanza_t *request, PaErrorType type,
                            const char *condition, const char *text)
{
    focus_link_send_owned(link,
                          pa_stanza_error_reply(link->ctx, request, type, condition, text, NULL));
}

/* ---- timers ---- */

static gint timer_cmp(gconstpointer a, gconstpointer b, gpointer unused)
{
    const FocusTimer *x = a, *y = b;
    (void)unused;
    if (x->due_us != y->due_us)
        return x->due_us < y->due_us ? -1 : 1;
    return x->id < y->id ? -1 : (x->id > y->id ? 1 : 0);
}

guint focus_link_timer_add(FocusLink *link, guint delay_ms, FocusTimerFunc func, gpointer user_data,
                           gconstpointer owner)
{
    g_return_val_if_fail(func, 0);
    FocusTimer *t = g_new0(FocusTimer, 1);
    do {
        t->id = link->next_timer_id++;
    } while (t->id == 0 || g_hash_table_contains(link->timer_ids, GUINT_TO_POINTER(t->id)));
    t->due_us = focus_link_now(link) + (gint64)delay_ms * 1000;
    t->func = func;
    t->user_data = user_data;
    t->owner = owner;
    GSequenceIter *it = g_sequence_insert_sorted(link->timers, t, timer_cmp, NULL);
    g_hash_table_insert(link->timer_ids, GUINT_TO_POINTER(t->id), it);
    return t->id;
}

guint focus_link_timer_cancel(FocusLink *link, guint id)
{
    if (id == 0)
        return 0;
    GSequenceIter *it = g_hash_table_lookup(link->timer_ids, GUINT_TO_POINTER(id));
    if (it) {
        g_hash_table_remove(link->timer_ids, GUINT_TO_POINTER(id));
        g_sequence_remove(it);
    }
    return 0;
}

guint focus_link_run_due(FocusLink *link)
{
    guint ran = 0;
    for (;;) {
        GSequenceIter *it = g_sequence_get_begin_iter(link->timers);
        if (g_sequence_iter_is_end(it))
            break;
        FocusTimer *t = g_sequence_get(it);
        if (t->due_us > focus_link_now(link))
            break;
        FocusTimer copy = *t;
        g_hash_table_remove(link->timer_ids, GUINT_TO_POINTER(t->id));
        g_sequence_remove(it); /* frees t */
        copy.func(link, copy.user_data);
        ran++;
    }
    return ran;
}

gint64 focus_link_next_due_in(FocusLink *link)
{
    GSequenceIter *it = g_sequence_get_begin_iter(link->timers);
    if (g_sequence_iter_is_end(it))
        return -1;
    FocusTimer *t = g_sequence_get(it);
    gint64 d = t->due_us - focus_link_now(link);
    return d > 0 ? d : 0;
}

/* ---- IQ tracking ---- */

static void pending_expired(FocusLink *link, gpointer user_data)
{
    /* user_data is the id (owned by the pending record); look it up again in case the
     * record is gone. */
    FocusPendingIq *iq = g_hash_table_lookup(link->pending, user_data);
    if (!iq)
        return;
    g_hash_table_steal(link->pending, iq->id);
    iq->timer = 0;
    iq->cb(link, iq->fail_outcome, NULL, iq->user_data);
    pending_free(iq);
}

const char *focus_link_send_iq(FocusLink *link, xmpp_stanza_t *iq, guint timeout_ms,
                               FocusIqCallback cb, gpointer user_data, gconstpointer owner)
{
    g_return_val_if_fail(iq && cb, NULL);
    if (!xmpp_stanza_get_id(iq)) {
        g_autofree char *id = focus_link_new_id(link);
        xmpp_stanza_set_id(iq, id);
    }
    const char *id = xmpp_stanza_get_id(iq);
    if (g_hash_table_contains(link->pending, id)) {
        /* Caller reused an id: make a fresh one rather than orphan the first request. */
        g_autofree char *fresh = focus_link_new_id(link);
        xmpp_stanza_set_id(iq, fresh);
        id = xmpp_stanza_get_id(iq);
    }
    FocusPendingIq *p = g_new0(FocusPendingIq, 1);
    p->id = g_strdup(id);
    p->expected_from = g_strdup(xmpp_stanza_get_to(iq));
    p->cb = cb;
    p->user_data = user_data;
    p->owner = owner;
    g_hash_table_insert(link->pending, p->id, p);
    if (link->online && link->send) {
        p->fail_outcome = FOCUS_IQ_TIMEOUT;
        p->timer = focus_link_timer_add(link, timeout_ms, pending_expired, p->id, owner);
        link->send(iq, link->send_data);
    } else {
        p->fail_outcome = FOCUS_IQ_DISCONNECTED;
        p->timer = focus_link_timer_add(link, 0, pending_expired, p->id, owner);
    }
    return p->id;
}

gboolean focus_link_handle_reply(FocusLink *link, xmpp_stanza_t *stanza)
{
    const char *type = xmpp_stanza_get_type(stanza);
    const char *id = xmpp_stanza_get_id(stanza);
    if (!id || !type)
        return FALSE;
    gboolean is_error = strcmp(type, "error") == 0;
    if (!is_error && strcmp(type, "result") != 0)
        return FALSE;
    FocusPendingIq *p = g_hash_table_lookup(link->pending, id);
    if (!p)
        return FALSE;
    const char *from = xmpp_stanza_get_from(stanza);
    if (p->expected_from && !(from && pa_jid_equal(from, p->expected_from)))
        return FALSE; /* someone else answering our id: not the reply */
    g_hash_table_steal(link->pending, p->id);
    focus_link_timer_cancel(link, p->timer);
    p->cb(link, is_error ? FOCUS_IQ_ERROR : FOCUS_IQ_RESULT, stanza, p->user_data);
    pending_free(p);
    return TRUE;
}

void focus_link_fail_pending(FocusLink *link)
{
    /* Callbacks may send new IQs (which, offline, get their own immediate failure timer) or
     * cancel owners: detach the current set first. */
    GList *ids = g_hash_table_get_keys(link->pending);
    GPtrArray *batch = g_ptr_array_new();
    for (GList *l = ids; l; l = l->next) {
        FocusPendingIq *p = g_hash_table_lookup(link->pending, l->data);
        g_ptr_array_add(batch, p);
    }
    g_list_free(ids);
    for (guint i = 0; i < batch->len; i++)
        g_hash_table_steal(link->pending, ((FocusPendingIq *)batch->pdata[i])->id);
    for (guint i = 0; i < batch->len; i++) {
        FocusPendingIq *p = batch->pdata[i];
        focus_link_timer_cancel(link, p->timer);
        p->timer = 0;
    }
    link->failing = batch;
    for (guint i = 0; i < batch->len; i++) {
        FocusPendingIq *p = batch->pdata[i];
        if (p->cb) /* NULL when a previous callback cancelled this owner */
            p->cb(link, FOCUS_IQ_DISCONNECTED, NULL, p->user_data);
    }
    link->failing = NULL;
    for (guint i = 0; i < batch->len; i++)
        pending_free(batch->pdata[i]);
    g_ptr_array_free(batch, TRUE);
}

guint focus_link_pending_count(FocusLink *link)
{
    return g_hash_table_size(link->pending);
}

void focus_link_cancel_owner(FocusLink *link, gconstpointer owner)
{
    GSequenceIter *it = g_sequence_get_begin_iter(link->timers);
    while (!g_sequence_iter_is_end(it)) {
        GSequenceIter *next = g_sequence_iter_next(it);
        FocusTimer *t = g_sequence_get(it);
        if (t->owner == owner) {
            g_hash_table_remove(link->timer_ids, GUINT_TO_POINTER(t->id));
            g_sequence_remove(it);
        }
        it = next;
    }
    GHashTableIter hi;
    gpointer key, value;
    g_hash_table_iter_init(&hi, link->pending);
    while (g_hash_table_iter_next(&hi, &key, &value)) {
        FocusPendingIq *p = value;
        if (p->owner == owner)
            g_hash_table_iter_remove(&hi); /* its timer had the same owner: gone above */
    }
    for (guint i = 0; link->failing && i < link->failing->len; i++) {
        FocusPendingIq *p = link->failing->pdata[i];
        if (p->owner == owner)
            p->cb = NULL;
    }
}
