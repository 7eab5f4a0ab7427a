/* SPDX-License-Identifier: MIT */
/* A media worker: one thread, one GMainContext, the endpoints pinned to it.
 *
 * Threads: bridge_worker_new/post/stop_and_free run on the control thread, bridge_worker_wake
 * on any thread; everything else runs on the worker's own thread. The worker is woken by one
 * eventfd when its inbox (ring.h) has slots: control messages from the control thread and
 * packets from the other workers, taken out in order without a lock. One periodic tick
 * per worker (50 ms) drives transport-cc feedback, DTLS retransmissions, and every 20th time
 * receiver reports and timeouts, for all its endpoints: there is no timer per endpoint. */
#include "bridge/media/media-priv.h"

#include <errno.h>
#include <glib-unix.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

void bridge_worker_drop(BridgeWorker *w, BridgeDropReason r)
{
    BRIDGE_STAT_ADD(w->stats.drops[r], 1);
}

void bridge_worker_flush(BridgeWorker *w)
{
    if (w->tx->n)
        bridge_tx_batch_flush(w->tx);
    if (w->tx->sent != w->tx_published) {
        BRIDGE_STAT_ADD(w->stats.packets_out, w->tx->sent - w->tx_published);
        BRIDGE_STAT_ADD(w->stats.bytes_out, w->tx->sent_bytes - w->tx_bytes_published);
        w->tx_published = w->tx->sent;
        w->tx_bytes_published = w->tx->sent_bytes;
    }
}

/* A source that never dispatches: its prepare() runs at the start of every main-loop
 * iteration, i.e. after all of the previous iteration's receive callbacks, and sends what
 * they queued. */
static gboolean flush_prepare(GSource *source, gint *timeout)
{
    BridgeWorker *w = *(BridgeWorker **)(source + 1);
    bridge_worker_flush(w);
    *timeout = -1;
    return FALSE;
}

static GSourceFuncs flush_funcs = {.prepare = flush_prepare};

void bridge_worker_wake(BridgeWorker *w)
{
    guint64 one = 1;
    ssize_t n G_GNUC_UNUSED = write(w->efd, &one, sizeof one);
}

G_STATIC_ASSERT(sizeof(BridgeMsg) <= BRIDGE_PKT_MAX);

void bridge_worker_post(BridgeWorker *w, const BridgeMsg *msg)
{
    guint32 pos;
    BridgeRingSlot *slot;
    /* A full inbox means the worker is a thousand slots behind; it drains at every wakeup,
     * so the control thread waits for room rather than lose a control message. */
    for (guint waited = 0; !(slot = bridge_ring_reserve(w->inbox, &pos)); waited++) {
        if (waited == 10000) /* a second: say so once */
            g_warning("media worker %u: inbox full for a second; waiting", w->index);
        bridge_worker_wake(w);
        g_usleep(100);
    }
    slot->kind = BRIDGE_RING_CONTROL;
    slot->len = sizeof *msg;
    memcpy(slot->data, msg, sizeof *msg);
    if (bridge_ring_commit(w->inbox, pos))
        bridge_worker_wake(w);
}

/* ---- worker-local conference views ---- */

BridgeWorkerConf *bridge_worker_conf_get(BridgeWorker *w, BridgeConf *shared)
{
    BridgeWorkerConf *c = bridge_handle_table_get(&w->confs, shared->handle);
    if (!c) {
        c = g_new0(BridgeWorkerConf, 1);
        c->handle = shared->handle;
        c->shared = bridge_conf_ref(shared);
        c->endpoints = g_ptr_array_sized_new(8);
        bridge_handle_table_insert(&w->confs, c->handle, c);
    }
    return c;
}

static void worker_conf_free(BridgeWorkerConf *c)
{
    bridge_conf_unref(c->shared);
    g_ptr_array_unref(c->endpoints);
    g_free(c);
}

void bridge_worker_conf_remove_endpoint(BridgeWorker *w, BridgeEndpoint *ep)
{
    BridgeWorkerConf *c = ep->conf;
    if (!c)
        return;
    g_ptr_array_remove_fast(c->endpoints, ep);
    ep->conf = NULL;
    if (c->endpoints->len == 0)
        worker_conf_free(bridge_handle_table_remove(&w->confs, c->handle));
}

/* ---- control messages ---- */

/* Frees every endpoint of the worker (it stops). */
static void free_endpoints(BridgeWorker *w)
{
    guint pos = 0;
    BridgeEndpoint *ep;
    while ((ep = bridge_handle_table_next(&w->endpoints, &pos))) {
        bridge_handle_table_remove(&w->endpoints, ep->handle);
        bridge_endpoint_free(ep);
    }
}

static void handle_msg(BridgeWorker *w, BridgeMsg *msg)
{
    BridgeEndpoint *ep = bridge_handle_table_get(&w->endpoints, msg->ep);
    switch (msg->type) {
    case BRIDGE_MSG_CREATE: {
        GError *error = NULL;
        ep = bridge_endpoint_new(w, msg, &error);
        if (!ep) {
            BridgeResult *r = g_new0(BridgeResult, 1);
            r->type = BRIDGE_RESULT_READY;
            r->ep = msg->ep;
            r->error = error;
            pa_transport_init(&r->local);
            bridge_media_post_result(w->media, r);
        }
        break;
    }
    case BRIDGE_MSG_SET_REMOTE:
        if (ep && !ep->dead)
            bridge_endpoint_set_remote(ep, &msg->remote);
        break;
    case BRIDGE_MSG_SET_SSRCS:
        if (ep && !ep->dead)
            bridge_endpoint_set_ssrcs(ep, msg->ssrcs, msg->n_ssrcs);
        break;
    case BRIDGE_MSG_SET_HDREXT:
        if (ep && !ep->dead)
            ep->hdrext = *msg->hdrext;
        break;
    case BRIDGE_MSG_EXPIRE:
        if (ep) {
            g_info("room=%s ep=%s: removed from media worker %u", ep->conference_id,
                   ep->endpoint_id, w->index);
            bridge_worker_conf_remove_endpoint(w, ep);
            bridge_handle_table_remove(&w->endpoints, msg->ep);
            bridge_endpoint_free(ep);
        }
        break;
    case BRIDGE_MSG_STOP:
        free_endpoints(w);
        g_ptr_array_set_size(w->graveyard, 0);
        g_main_loop_quit(w->loop);
        break;
    }
}

/* Takes what the inbox holds, in order: control messages and the other workers' packets.
 * Bounded per wakeup so that busy peers cannot starve this worker's own sockets. */
static void drain_inbox(BridgeWorker *w)
{
    const BridgeRingSlot *slot;
    for (guint n = 0; n < 512 && (slot = bridge_ring_peek(w->inbox)); n++) {
        if (slot->kind == BRIDGE_RING_CONTROL) {
            BridgeMsg msg;
            memcpy(&msg, slot->data, sizeof msg);
            bridge_ring_release(w->inbox);
            handle_msg(w, &msg);
            bridge_msg_clear(&msg);
            if (msg.type == BRIDGE_MSG_STOP)
                return;
        } else {
            bridge_forward_ring_slot(w, slot);
            bridge_ring_release(w->inbox);
        }
    }
    if (bridge_ring_peek(w->inbox))
        bridge_worker_wake(w);
}

static gboolean on_wakeup(gint fd, GIOCondition cond, gpointer data)
{
    BridgeWorker *w = data;
    guint64 v;
    ssize_t n G_GNUC_UNUSED = read(fd, &v, sizeof v);
    drain_inbox(w);
    return G_SOURCE_CONTINUE;
}

void bridge_worker_retire(BridgeWorker *w, BridgeEndpoint *ep)
{
    ep->dead = TRUE;
    bridge_worker_conf_remove_endpoint(w, ep);
    if (bridge_handle_table_remove(&w->endpoints, ep->handle))
        g_ptr_array_add(w->graveyard, ep);
}

static gboolean on_tick(gpointer data)
{
    BridgeWorker *w = data;
    gint64 now = g_get_monotonic_time();
    gboolean slow = (++w->ticks % BRIDGE_RR_EVERY_TICKS) == 0;
    /* Retired endpoints are freed here, where no libnice callback is on the stack. */
    g_ptr_array_set_size(w->graveyard, 0);
    /* Endpoints may retire themselves while visited: snapshot first (the array only grows
     * when the endpoint count does). */
    g_ptr_array_set_size(w->visit, 0);
    guint pos = 0;
    BridgeEndpoint *v;
    while ((v = bridge_handle_table_next(&w->endpoints, &pos)))
        g_ptr_array_add(w->visit, v);
    for (guint i = 0; i < w->visit->len; i++) {
        BridgeEndpoint *ep = g_ptr_array_index(w->visit, i);
        if (!ep->dead)
            bridge_endpoint_tick(ep, now, slow);
    }
    return G_SOURCE_CONTINUE;
}

static gpointer worker_main(gpointer data)
{
    BridgeWorker *w = data;
    g_main_context_push_thread_default(w->ctx);
    g_main_loop_run(w->loop);
    g_main_context_pop_thread_default(w->ctx);
    return NULL;
}

/* Inbox slots: other workers' packets need room for a few milliseconds of fan-out (about
 * 1500 bytes a slot); with one worker only control messages arrive. */
static guint inbox_slots(guint n_workers)
{
    return n_workers == 1 ? 256 : CLAMP(1024 * (n_workers - 1), 1024u, 4096u);
}

BridgeWorker *bridge_worker_new(BridgeMedia *m, guint index, GError **error)
{
    BridgeWorker *w = g_aligned_alloc0(1, sizeof *w, 64);
    w->media = m;
    w->index = index;
    w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    if (w->efd < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "eventfd: %s",
                    g_strerror(errno));
        g_aligned_free(w);
        return NULL;
    }
    w->ctx = g_main_context_new();
    w->loop = g_main_loop_new(w->ctx, FALSE);
    w->inbox = bridge_ring_new(inbox_slots(m->n_workers));
    bridge_handle_table_init(&w->endpoints);
    bridge_handle_table_init(&w->confs);
    w->graveyard = g_ptr_array_new_with_free_func((GDestroyNotify)bridge_endpoint_free);
    w->visit = g_ptr_array_sized_new(64);

    w->tx = bridge_tx_batch_new();
    w->flush_source = g_source_new(&flush_funcs, sizeof(GSource) + sizeof(BridgeWorker *));
    *(BridgeWorker **)(w->flush_source + 1) = w;
    /* Highest priority: GLib stops preparing lower-priority sources once a higher one is
     * ready, and the flush must run every iteration. */
    g_source_set_priority(w->flush_source, G_PRIORITY_HIGH - 10);
    g_source_attach(w->flush_source, w->ctx);

    w->efd_source = g_unix_fd_source_new(w->efd, G_IO_IN);
    g_source_set_priority(w->efd_source, G_PRIORITY_HIGH);
    g_source_set_callback(w->efd_source, (GSourceFunc)(void (*)(void))on_wakeup, w, NULL);
    g_source_attach(w->efd_source, w->ctx);
    w->tick_source = g_timeout_source_new(BRIDGE_TICK_MS);
    g_source_set_callback(w->tick_source, on_tick, w, NULL);
    g_source_attach(w->tick_source, w->ctx);

    char name[16];
    g_snprintf(name, sizeof name, "media-%u", index);
    w->thread = g_thread_try_new(name, worker_main, w, error);
    if (!w->thread) {
        g_source_destroy(w->flush_source);
        g_source_unref(w->flush_source);
        bridge_tx_batch_free(w->tx);
        g_source_destroy(w->efd_source);
        g_source_unref(w->efd_source);
        g_source_destroy(w->tick_source);
        g_source_unref(w->tick_source);
        bridge_handle_table_clear(&w->endpoints);
        bridge_handle_table_clear(&w->confs);
        g_ptr_array_unref(w->graveyard);
        g_ptr_array_unref(w->visit);
        bridge_ring_free(w->inbox);
        g_main_loop_unref(w->loop);
        g_main_context_unref(w->ctx);
        close(w->efd);
        g_aligned_free(w);
        return NULL;
    }
    return w;
}

void bridge_worker_stop_and_free(BridgeWorker *w)
{
    BridgeMsg stop = {.type = BRIDGE_MSG_STOP};
    bridge_worker_post(w, &stop);
    g_thread_join(w->thread);
    /* The thread is gone: its state, and the inbox's consumer side, are ours now. */
    const BridgeRingSlot *slot;
    while ((slot = bridge_ring_peek(w->inbox))) {
        if (slot->kind == BRIDGE_RING_CONTROL) {
            BridgeMsg left;
            memcpy(&left, slot->data, sizeof left);
            bridge_msg_clear(&left);
        }
        bridge_ring_release(w->inbox);
    }
    free_endpoints(w); /* none left unless the thread died early */
    bridge_handle_table_clear(&w->endpoints);
    guint pos = 0;
    BridgeWorkerConf *c;
    while ((c = bridge_handle_table_next(&w->confs, &pos)))
        worker_conf_free(c); /* likewise */
    g_ptr_array_unref(w->graveyard);
    g_ptr_array_unref(w->visit);
    bridge_handle_table_clear(&w->confs);
    g_source_destroy(w->efd_source);
    g_source_unref(w->efd_source);
    g_source_destroy(w->tick_source);
    g_source_unref(w->tick_source);
    g_source_destroy(w->flush_source);
    g_source_unref(w->flush_source);
    bridge_tx_batch_free(w->tx);
    bridge_ring_free(w->inbox);
    g_main_loop_unref(w->loop);
    /* Let libnice finish what it scheduled on this context before the context goes. */
    for (int i = 0; i < 100 && g_main_context_iteration(w->ctx, FALSE); i++)
        ;
    g_main_context_unref(w->ctx);
    close(w->efd);
    g_aligned_free(w);
}
