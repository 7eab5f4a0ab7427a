/* SPDX-License-Identifier: MIT */
/* A media worker: one thread, one epoll loop, the endpoints pinned to it.
 *
 * Threads: bridge_worker_new/post/stop/join/free run on the control thread, bridge_worker_wake
 * on any thread; everything else runs on the worker's own thread. The loop waits in one
 * epoll_wait for its eventfd (its inbox ring has slots: control messages, other workers'
 * packets and flow changes) and its sockets on the media port (one per local address), and
 * then serves everything that is ready before it sleeps again: every socket is drained with
 * recvmmsg in batches (up to BRIDGE_RX_BUDGET datagrams per wake-up, then the others get their
 * turn), the inbox is drained, and the datagrams the fan-out queued go out with sendmmsg after
 * each batch. One clock read per batch serves every packet in it. One periodic tick per
 * worker (50 ms, only while it has endpoints; run by a wake-up for packets up to 10 ms before
 * it is due, so that in a meeting it costs no wake-up of its own) drives transport-cc
 * feedback, DTLS and ICE timers and, every 20th time, receiver reports and timeouts, for all
 * its endpoints: there is no timer per endpoint, and an idle worker does not wake at all. */
#include "bridge/media/media-priv.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#define EV_WAKE G_MAXUINT32

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

static void worker_conf_free(BridgeWorker *w, BridgeWorkerConf *c)
{
    for (guint v = 0; v < c->n_mirror; v++)
        if (c->mirror[v]) {
            bridge_rtx_cache_free(c->mirror[v]);
            BRIDGE_STAT_ADD(w->stats.mirrors, -1);
        }
    g_free(c->mirror);
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
        worker_conf_free(w, bridge_handle_table_remove(&w->confs, c->handle));
    else
        bridge_video_prune_mirrors(w, c); /* the sources only it received here */
}

/* ---- flows: this worker's table, the other workers' tables, the steering program ---- */

/* Posts a flow change to worker @to; FALSE when its inbox is full. */
static gboolean post_flow(BridgeWorker *w, guint to, const BridgeAddr *addr, gboolean add)
{
    BridgeWorker *dst = w->media->workers[to];
    guint32 pos;
    BridgeRingSlot *slot = bridge_ring_reserve(dst->inbox, &pos);
    if (!slot)
        return FALSE;
    slot->kind = BRIDGE_RING_FLOW;
    slot->addr = *addr;
    slot->aux = (guint8)w->index;
    slot->ssrc = add ? 1 : 0;
    slot->len = 0;
    if (bridge_ring_commit(dst->inbox, pos))
        bridge_worker_wake(dst);
    return TRUE;
}

/* Changes that found an inbox full wait here and go out at the next wake-up, in order. */
static void flush_backlog(BridgeWorker *w)
{
    guint kept = 0;
    for (guint i = 0; i < w->n_backlog; i++) {
        BridgeFlowNote *n = &w->backlog[i];
        if (kept || !post_flow(w, n->to, &n->addr, n->add))
            w->backlog[kept++] = *n;
    }
    w->n_backlog = kept;
}

static void tell_flow(BridgeWorker *w, const BridgeAddr *addr, gboolean add)
{
    BridgeMedia *m = w->media;
    if (w->stopping)
        return; /* every worker stops: nobody needs to hear of it */
    for (guint i = 0; i < m->n_workers; i++) {
        if (i == w->index)
            continue;
        if (w->n_backlog == 0 && post_flow(w, i, addr, add))
            continue;
        if (w->n_backlog < BRIDGE_FLOW_BACKLOG)
            w->backlog[w->n_backlog++] = (BridgeFlowNote){.addr = *addr, .to = i, .add = add};
        /* else: that worker hands nothing over for this address until it learns of it
         * again; the steering program still sends the flow here. */
    }
    if (m->steer) {
        BridgeResult *r = g_new0(BridgeResult, 1);
        r->type = BRIDGE_RESULT_FLOW;
        r->addr = *addr;
        r->worker = w->index;
        r->add = add;
        pa_transport_init(&r->local);
        bridge_media_post_result(m, r);
    }
}

gboolean bridge_worker_flow_bind(BridgeWorker *w, BridgeEndpoint *ep, const BridgeAddr *addr,
                                 guint cand)
{
    BridgeFlow *f = bridge_flow_lookup(&w->flows, addr);
    gboolean known_here = f && f->owner == w->index;
    if (known_here && f->ep != ep->handle) {
        /* The address authenticated for another endpoint of ours: it moves. */
        BridgeEndpoint *old = bridge_handle_table_get(&w->endpoints, f->ep);
        for (guint i = 0; old && i < old->ice.n_addrs; i++) {
            if (!bridge_addr_equal(&old->ice.addrs[i].addr, addr))
                continue;
            memset(&old->ice.addrs[i].addr, 0, sizeof(BridgeAddr));
            if (old->ice.selected == (gint)i) { /* it sends there no more; consent runs out */
                old->ice.selected = -1;
                old->fd = -1;
            }
        }
    }
    if (!bridge_flow_set(&w->flows, addr, w->index, ep->handle, cand)) {
        bridge_worker_drop(w, BRIDGE_DROP_FLOW_LIMIT);
        return FALSE;
    }
    if (!known_here) {
        BRIDGE_STAT_ADD(w->stats.flows, 1);
        tell_flow(w, addr, TRUE);
    }
    return TRUE;
}

void bridge_worker_flow_unbind(BridgeWorker *w, const BridgeAddr *addr)
{
    if (bridge_flow_remove(&w->flows, addr, w->index)) {
        BRIDGE_STAT_ADD(w->stats.flows, -1);
        tell_flow(w, addr, FALSE);
    }
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
    case BRIDGE_MSG_SET_VIDEO:
        if (ep && !ep->dead)
            bridge_video_set_sources(ep, msg->video, msg->n_video, msg->codec_by_pt);
        break;
    case BRIDGE_MSG_SET_TARGETS:
        if (ep && !ep->dead)
            bridge_video_set_targets(ep, msg->targets, msg->n_targets);
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
        w->stopping = TRUE;
        free_endpoints(w);
        g_ptr_array_set_size(w->graveyard, 0);
        break;
    }
}

/* A flow change from worker @from. */
static void flow_note(BridgeWorker *w, const BridgeRingSlot *slot)
{
    if (slot->aux == w->index || slot->aux >= w->media->n_workers)
        return;
    if (slot->ssrc) {
        BridgeFlow *f = bridge_flow_lookup(&w->flows, &slot->addr);
        if (f && f->owner == w->index)
            return; /* ours now: the older owner's word came late */
        if (!bridge_flow_set(&w->flows, &slot->addr, slot->aux, BRIDGE_HANDLE_NONE, 0))
            bridge_worker_drop(w, BRIDGE_DROP_FLOW_LIMIT);
    } else {
        bridge_flow_remove(&w->flows, &slot->addr, slot->aux);
    }
}

/* Takes what the inbox holds, in order. Bounded per wakeup so that busy peers cannot starve
 * this worker's own sockets. */
static void drain_inbox(BridgeWorker *w)
{
    const BridgeRingSlot *slot;
    for (guint n = 0; n < 512 && (slot = bridge_ring_peek(w->inbox)); n++) {
        switch (slot->kind) {
        case BRIDGE_RING_CONTROL: {
            BridgeMsg msg;
            memcpy(&msg, slot->data, sizeof msg);
            bridge_ring_release(w->inbox);
            handle_msg(w, &msg);
            bridge_msg_clear(&msg);
            if (w->stopping)
                return;
            continue;
        }
        case BRIDGE_RING_INPUT: {
            /* Unprotected in place: copy out of the slot first (it is the producers' again
             * once released). */
            guint8 *buf = w->rx[0];
            gsize len = MIN(slot->len, (guint16)BRIDGE_TX_CAP);
            BridgeAddr from = slot->addr;
            guint sock = slot->aux;
            memcpy(buf, slot->data, len);
            bridge_ring_release(w->inbox);
            /* Handed over by another worker: its receive time did not come along. */
            w->rx_at_us = w->now_us;
            if (sock < w->media->n_addrs)
                bridge_worker_input(w, sock, &from, buf, len, TRUE);
            continue;
        }
        case BRIDGE_RING_FLOW:
            flow_note(w, slot);
            break;
        default:
            bridge_forward_ring_slot(w, slot);
            break;
        }
        bridge_ring_release(w->inbox);
    }
    if (bridge_ring_peek(w->inbox))
        bridge_worker_wake(w);
}

/* ---- the media port ---- */

void bridge_worker_hand_over(BridgeWorker *w, guint to, guint sock, const BridgeAddr *from,
                             const guint8 *buf, gsize len)
{
    BridgeWorker *dst = w->media->workers[to];
    guint32 pos;
    BridgeRingSlot *slot = len <= BRIDGE_PKT_MAX ? bridge_ring_reserve(dst->inbox, &pos) : NULL;
    if (!slot) {
        bridge_worker_drop(w, BRIDGE_DROP_QUEUE_FULL);
        return;
    }
    slot->kind = BRIDGE_RING_INPUT;
    slot->addr = *from;
    slot->aux = (guint8)sock;
    slot->len = (guint16)len;
    memcpy(slot->data, buf, len);
    if (bridge_ring_commit(dst->inbox, pos))
        bridge_worker_wake(dst);
    BRIDGE_STAT_ADD(w->stats.handed_over, 1);
}

void bridge_worker_input(BridgeWorker *w, guint sock, const BridgeAddr *from, guint8 *buf,
                         gsize len, gboolean handed)
{
    BridgeFlow *flow = bridge_flow_lookup(&w->flows, from);
    if (len > 0 && buf[0] < 4) { /* RFC 7983: STUN */
        bridge_ice_input(w, sock, from, flow, buf, len, handed);
        return;
    }
    if (!flow) {
        bridge_worker_drop(w, BRIDGE_DROP_UNKNOWN_ADDRESS);
        return;
    }
    if (flow->owner != w->index) {
        if (handed) /* the flow moved on meanwhile: never bounce a datagram twice */
            bridge_worker_drop(w, BRIDGE_DROP_UNKNOWN_ADDRESS);
        else
            bridge_worker_hand_over(w, flow->owner, sock, from, buf, len);
        return;
    }
    BridgeEndpoint *ep = bridge_handle_table_get(&w->endpoints, flow->ep);
    if (!ep || ep->dead) {
        bridge_worker_drop(w, BRIDGE_DROP_UNKNOWN_ADDRESS);
        return;
    }
    if (flow->cand == ep->ice.selected)
        ep->ice.selected_rx_us = w->live_us;
    bridge_forward_recv(ep, buf, len);
}

/* Advances the clocks once per batch of work. */
static inline void clock_step(BridgeWorker *w)
{
    gint64 now = g_get_monotonic_time();
    gint64 d = now - w->now_us;
    w->now_us = now;
    w->live_us += CLAMP(d, 0, BRIDGE_STALL_STEP_US);
}

/* When datagram @h reached the host, on the monotonic clock: the kernel's receive timestamp
 * (SO_TIMESTAMPNS, realtime) moved by the batch's realtime-to-monotonic offset, kept within the
 * last second before now (a clock step must not send arrival times elsewhere); now when the
 * datagram has none. */
static gint64 arrival_us(BridgeWorker *w, const struct msghdr *h)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(h); c; c = CMSG_NXTHDR((struct msghdr *)h, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_TIMESTAMPNS ||
            c->cmsg_len < CMSG_LEN(sizeof(struct timespec)))
            continue;
        struct timespec ts;
        memcpy(&ts, CMSG_DATA(c), sizeof ts);
        gint64 at = (gint64)ts.tv_sec * G_USEC_PER_SEC + ts.tv_nsec / 1000 - w->real_to_mono_us;
        return CLAMP(at, w->now_us - G_USEC_PER_SEC, w->now_us);
    }
    BRIDGE_STAT_ADD(w->stats.rx_untimed, 1);
    return w->now_us;
}

/* Reads socket @sock until it is empty or the budget is spent. TRUE if it may hold more. */
static gboolean drain_socket(BridgeWorker *w, guint sock)
{
    int fd = w->socks[sock].fd;
    for (guint done = 0; done < BRIDGE_RX_BUDGET;) {
        for (guint i = 0; i < BRIDGE_RX_BATCH; i++) {
            w->rx_msg[i].msg_hdr.msg_namelen = sizeof w->rx_from[i];
            w->rx_msg[i].msg_hdr.msg_controllen = sizeof w->rx_ctl[i];
            w->rx_msg[i].msg_hdr.msg_flags = 0;
        }
        int n = recvmmsg(fd, w->rx_msg, BRIDGE_RX_BATCH, MSG_DONTWAIT, NULL);
        if (n <= 0)
            return FALSE; /* EAGAIN (empty) or an error the next wake-up sees again */
        clock_step(w);
        w->real_to_mono_us = g_get_real_time() - w->now_us;
        guint64 bytes = 0;
        for (int i = 0; i < n; i++) {
            struct msghdr *h = &w->rx_msg[i].msg_hdr;
            gsize len = w->rx_msg[i].msg_len;
            bytes += len;
            BridgeAddr from;
            if ((h->msg_flags & MSG_TRUNC) || len > BRIDGE_PKT_MAX ||
                !bridge_addr_from_sockaddr(&from, h->msg_name, h->msg_namelen)) {
                bridge_worker_drop(w, BRIDGE_DROP_MALFORMED);
                continue;
            }
            w->rx_at_us = arrival_us(w, h);
            bridge_worker_input(w, sock, &from, w->rx[i], len, FALSE);
        }
        BRIDGE_STAT_ADD(w->stats.packets_in, (guint64)n);
        BRIDGE_STAT_ADD(w->stats.bytes_in, bytes);
        bridge_worker_flush(w);
        done += (guint)n;
        if (n < BRIDGE_RX_BATCH)
            return FALSE;
    }
    return TRUE;
}

/* ---- the tick ---- */

void bridge_worker_retire(BridgeWorker *w, BridgeEndpoint *ep)
{
    ep->dead = TRUE;
    bridge_worker_conf_remove_endpoint(w, ep);
    bridge_ice_clear(ep);
    if (bridge_handle_table_remove(&w->endpoints, ep->handle))
        g_ptr_array_add(w->graveyard, ep);
}

static void on_tick(BridgeWorker *w)
{
    gboolean slow = (++w->ticks % BRIDGE_RR_EVERY_TICKS) == 0;
    /* Retired endpoints are freed here, where none of their code is on the stack. */
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
            bridge_endpoint_tick(ep, slow);
    }
    bridge_worker_flush(w);
}

/* Milliseconds epoll may sleep: until the next tick while there is anything to tick for. */
static int sleep_ms(BridgeWorker *w)
{
    if (bridge_handle_table_size(&w->endpoints) == 0 && w->graveyard->len == 0 && !w->n_backlog)
        return -1;
    gint64 left = w->next_tick_us - g_get_monotonic_time();
    if (w->n_backlog)
        left = MIN(left, 1000);
    if (w->n_probing)
        left = MIN(left, w->next_pace_us - g_get_monotonic_time());
    return left <= 0 ? 0 : (int)((left + 999) / 1000);
}

static gpointer worker_main(gpointer data)
{
    BridgeWorker *w = data;
    struct epoll_event evs[BRIDGE_MAX_LOCAL_ADDRS + 1];
    gboolean pending[BRIDGE_MAX_LOCAL_ADDRS] = {FALSE};
    w->now_us = g_get_monotonic_time();
    w->next_tick_us = w->now_us + BRIDGE_TICK_MS * 1000;
    while (!w->stopping) {
        gboolean busy = FALSE;
        for (guint s = 0; s < w->media->n_addrs; s++)
            busy |= pending[s];
        int n = epoll_wait(w->epfd, evs, G_N_ELEMENTS(evs), busy ? 0 : sleep_ms(w));
        if (n < 0 && errno != EINTR)
            g_error("media worker %u: epoll_wait: %s", w->index, g_strerror(errno));
        clock_step(w);
        gboolean woken = FALSE;
        for (int i = 0; i < n; i++) {
            if (evs[i].data.u32 == EV_WAKE)
                woken = TRUE;
            else if (evs[i].data.u32 < w->media->n_addrs)
                pending[evs[i].data.u32] = TRUE;
        }
        if (woken) {
            guint64 v;
            ssize_t r G_GNUC_UNUSED = read(w->efd, &v, sizeof v);
        }
        /* Inbox first (control messages may create the endpoints the datagrams are for),
         * then each socket for a budget, round robin until all are empty. */
        drain_inbox(w);
        if (w->stopping)
            break;
        for (guint s = 0; s < w->media->n_addrs; s++)
            if (pending[s])
                pending[s] = drain_socket(w, s);
        if (w->n_backlog)
            flush_backlog(w);
        if (w->n_probing && w->now_us >= w->next_pace_us)
            bridge_egress_pace(w); /* probe padding (egress-cc.c) */
        bridge_worker_flush(w);
        /* A wake-up for packets up to 10 ms before the tick runs it (the schedule stays on
         * its 50 ms grid): in a meeting the tick then rides on the packets' wake-ups instead
         * of waking the thread 20 times a second on its own. */
        if (w->now_us >= w->next_tick_us - BRIDGE_TICK_EARLY_MS * 1000) {
            on_tick(w);
            w->next_tick_us += BRIDGE_TICK_MS * 1000;
            if (w->next_tick_us <= w->now_us) /* late (a stall): no catching up */
                w->next_tick_us = w->now_us + BRIDGE_TICK_MS * 1000;
        }
    }
    return NULL;
}

/* Inbox slots: other workers' packets need room for a few milliseconds of fan-out and
 * hand-over (about 1500 bytes a slot); with one worker only control messages arrive. */
static guint inbox_slots(guint n_workers)
{
    return n_workers == 1 ? 256 : CLAMP(1024 * (n_workers - 1), 1024u, 4096u);
}

static void worker_free_state(BridgeWorker *w)
{
    bridge_handle_table_clear(&w->endpoints);
    bridge_handle_table_clear(&w->confs);
    bridge_flow_table_clear(&w->flows);
    g_ptr_array_unref(w->graveyard);
    g_ptr_array_unref(w->visit);
    bridge_tx_batch_free(w->tx);
    bridge_ring_free(w->inbox);
    g_free(w->backlog);
    g_free(w->socks);
    if (w->epfd >= 0)
        close(w->epfd);
    if (w->efd >= 0)
        close(w->efd);
    g_aligned_free(w);
}

BridgeWorker *bridge_worker_new(BridgeMedia *m, guint index, GError **error)
{
    BridgeWorker *w = g_aligned_alloc0(1, sizeof *w, 64);
    w->media = m;
    w->index = index;
    w->efd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    w->epfd = epoll_create1(EPOLL_CLOEXEC);
    w->inbox = bridge_ring_new(inbox_slots(m->n_workers));
    bridge_handle_table_init(&w->endpoints);
    bridge_handle_table_init(&w->confs);
    bridge_flow_table_init(&w->flows, m->config.max_flows);
    stun_agent_init(&w->stun, STUN_ALL_KNOWN_ATTRIBUTES, STUN_COMPATIBILITY_RFC5389,
                    STUN_AGENT_USAGE_SHORT_TERM_CREDENTIALS | STUN_AGENT_USAGE_USE_FINGERPRINT);
    w->graveyard = g_ptr_array_new_with_free_func((GDestroyNotify)bridge_endpoint_free);
    w->visit = g_ptr_array_sized_new(64);
    w->tx = bridge_tx_batch_new();
    w->backlog = g_new(BridgeFlowNote, BRIDGE_FLOW_BACKLOG);
    w->socks = g_new0(BridgeSock, m->n_addrs);
    for (guint i = 0; i < BRIDGE_RX_BATCH; i++) {
        w->rx_iov[i].iov_base = w->rx[i];
        w->rx_iov[i].iov_len = sizeof w->rx[i];
        w->rx_msg[i].msg_hdr.msg_iov = &w->rx_iov[i];
        w->rx_msg[i].msg_hdr.msg_iovlen = 1;
        w->rx_msg[i].msg_hdr.msg_name = &w->rx_from[i];
        w->rx_msg[i].msg_hdr.msg_control = w->rx_ctl[i];
    }
    if (w->efd < 0 || w->epfd < 0) {
        g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "eventfd/epoll: %s",
                    g_strerror(errno));
        worker_free_state(w);
        return NULL;
    }
    struct epoll_event ev = {.events = EPOLLIN, .data.u32 = EV_WAKE};
    epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->efd, &ev);
    for (guint a = 0; a < m->n_addrs; a++) {
        w->socks[a].fd = m->fds[a * m->n_workers + index];
        w->socks[a].family = m->addrs[a].family;
        ev = (struct epoll_event){.events = EPOLLIN, .data.u32 = a};
        if (epoll_ctl(w->epfd, EPOLL_CTL_ADD, w->socks[a].fd, &ev) < 0) {
            g_set_error(error, G_IO_ERROR, g_io_error_from_errno(errno), "epoll_ctl: %s",
                        g_strerror(errno));
            worker_free_state(w);
            return NULL;
        }
    }

    char name[16];
    g_snprintf(name, sizeof name, "media-%u", index);
    w->thread = g_thread_try_new(name, worker_main, w, error);
    if (!w->thread) {
        worker_free_state(w);
        return NULL;
    }
    return w;
}

void bridge_worker_stop(BridgeWorker *w)
{
    BridgeMsg stop = {.type = BRIDGE_MSG_STOP};
    bridge_worker_post(w, &stop);
    w->stopping_posted = TRUE;
}

void bridge_worker_join(BridgeWorker *w)
{
    if (!w->thread)
        return;
    if (!w->stopping_posted)
        bridge_worker_stop(w);
    g_thread_join(w->thread);
    w->thread = NULL;
    w->stopping = TRUE;
}

void bridge_worker_free(BridgeWorker *w)
{
    bridge_worker_join(w);
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
    g_ptr_array_set_size(w->graveyard, 0);
    guint pos = 0;
    BridgeWorkerConf *c;
    while ((c = bridge_handle_table_next(&w->confs, &pos)))
        worker_conf_free(w, c); /* likewise */
    worker_free_state(w);
}
