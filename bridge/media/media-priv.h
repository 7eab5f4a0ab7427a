/* SPDX-License-Identifier: MIT */
/* Internals of the media plane, shared by its own files and its tests.
 *
 * Ownership and threads:
 * - BridgeMedia: made and freed on the control thread. Its per-endpoint and per-conference
 *   state (BridgeCtlEndpoint, BridgeConf) sits in handle tables keyed by the caller's handles
 *   (handles.h), touched only on the control thread, with the per-worker load.
 * - BridgeWorker: one per media thread. Everything reachable from it (endpoints, the
 *   worker-local conference views, scratch buffers, counters' writes) belongs to that thread.
 *   Counters are written by the worker alone and read by the control thread with relaxed
 *   atomics (no lock, no locked instruction on the hot path).
 * - BridgeConf: the one object shared across threads: refcounted, its worker_mask (which
 *   workers have endpoints in the conference) is written by control and read atomically by
 *   workers to decide where a packet must fan out.
 * - Inboxes: each worker has one preallocated inbox ring (ring.h: many producers, one
 *   consumer) and one eventfd. The control thread posts control messages into it (copied into
 *   a slot, BRIDGE_RING_CONTROL) and the other workers the clear packets they fan out to this
 *   worker's endpoints; the worker takes both out in order, without a lock.
 * - Results (ready transports, events) go back through media->outbox plus an eventfd source on
 *   the control context, so they arrive in the order the worker produced them.
 * - Endpoint lifetime: the control registry refers to endpoints by handle, never by pointer,
 *   so a message for an endpoint that has gone finds nothing. A worker retires an endpoint
 *   (failure, timeout) by unlinking it at once and freeing it at its next tick, so no libnice
 *   callback of that endpoint is on the stack. */
#pragma once

#include <nice/agent.h>
#include <gio/gio.h>
#include <sys/socket.h>

#include "bridge/dtls/dtls.h"
#include "bridge/media/media.h"
#include "bridge/media/recv-stats.h"
#include "bridge/media/ring.h"
#include "bridge/media/tcc-recv.h"
#include "bridge/media/txbatch.h"
#include "bridge/srtp/srtp.h"
#include "common/rtp/hdrext.h"

G_BEGIN_DECLS

#define BRIDGE_EP_MAX_SSRCS 32   /* announced + learned sources per endpoint */
#define BRIDGE_TICK_MS 50        /* worker tick: transport-cc feedback, DTLS retransmissions */
#define BRIDGE_RR_EVERY_TICKS 20 /* receiver reports and timeouts every second */
#define BRIDGE_KEYFRAME_REQ_MIN_US 250000      /* at most one PLI/FIR per source per 250 ms */
#define BRIDGE_SOCKET_BUFFER (2 * 1024 * 1024) /* SO_RCVBUF/SO_SNDBUF asked for per endpoint */

/* Relaxed single-writer counter updates: plain loads/stores, atomic to readers. */
#define BRIDGE_STAT_ADD(var, n)                                                                    \
    __atomic_store_n(&(var), __atomic_load_n(&(var), __ATOMIC_RELAXED) + (n), __ATOMIC_RELAXED)
#define BRIDGE_STAT_GET(var) __atomic_load_n(&(var), __ATOMIC_RELAXED)

typedef struct _BridgeWorker BridgeWorker;
typedef struct _BridgeEndpoint BridgeEndpoint;
typedef struct _BridgeWorkerConf BridgeWorkerConf;

typedef struct {
    guint64 packets_in, bytes_in, packets_out, bytes_out, rtp_forwarded;
    guint64 drops[BRIDGE_DROP_N_REASONS];
    guint64 ice_failures, dtls_failures;
    guint64 rtcp_in, keyframe_requests, nacks_forwarded, rr_sent, sr_forwarded;
    guint64 hdrext_stripped;
    guint64 tcc_feedback_sent;
    guint endpoints_connected;
} BridgeWorkerStats;

typedef struct {
    gint ref;
    BridgeHandle handle; /* the caller's conference handle */
    guint64 worker_mask; /* atomic; bit w: worker w has endpoints here */
    /* control thread only: */
    guint *per_worker; /* endpoints per worker */
    guint n_endpoints;
} BridgeConf;

BridgeConf *bridge_conf_ref(BridgeConf *c);
void bridge_conf_unref(BridgeConf *c);

typedef enum {
    BRIDGE_FB_PLI = 1,
    BRIDGE_FB_FIR,
    BRIDGE_FB_NACK,
} BridgeFeedbackType;

/* One source an endpoint sends (announced by set_ssrcs or learned from its RTP). */
typedef struct {
    guint32 ssrc;
    gboolean announced;
    gboolean video;
    gboolean seen; /* RTP received */
    BridgeRecvStats rx;
    gint64 last_keyframe_req_us;
    guint8 fir_seq;
    guint8 audio_level; /* last ssrc-audio-level value (0..127, 127 = silence) */
    gboolean voice;     /* its V bit */
} BridgeSource;

struct _BridgeEndpoint {
    BridgeHandle handle;               /* the control registry's handle for it */
    char *conference_id, *endpoint_id; /* for logs */
    BridgeWorker *worker;
    BridgeWorkerConf *conf;

    NiceAgent *agent;
    guint stream_id;
    gboolean gathered;
    NiceComponentState ice_state;
    gboolean ice_connected;
    gint64 created_us, ice_connected_us;

    /* Direct send on the selected pair's socket (bypasses libnice's agent lock). */
    GSocket *sock;
    int fd;
    struct sockaddr_storage peer;
    socklen_t peer_len;

    BridgeDtls *dtls;
    BridgeDtlsRole role;
    BridgeSrtp *srtp;
    gboolean connected; /* DTLS done, SRTP ready */
    gint64 last_rx_us;  /* last authenticated RTP/RTCP */
    BridgeTccRecv tcc;  /* transport-cc arrivals, feedback owed to this sender */
    PaHdrextMap hdrext; /* the ids this endpoint negotiated (its RTP is read with them) */

    BridgeSource sources[BRIDGE_EP_MAX_SSRCS];
    guint n_sources;
    gboolean dead; /* being removed; ignore further input */
};

struct _BridgeWorkerConf {
    BridgeHandle handle;  /* the conference's */
    BridgeConf *shared;   /* ref held */
    GPtrArray *endpoints; /* BridgeEndpoint *, this worker's only (not owned) */
};

struct _BridgeWorker {
    BridgeMedia *media;
    guint index;
    GThread *thread;
    GMainContext *ctx;
    GMainLoop *loop;
    int efd; /* wakes the worker: its inbox has slots */
    GSource *efd_source, *tick_source;
    BridgeRing *inbox;           /* control messages and other workers' packets (owned) */
    BridgeHandleTable endpoints; /* handle -> BridgeEndpoint * (owned) */
    BridgeHandleTable confs;     /* conference handle -> BridgeWorkerConf * (owned) */
    GPtrArray *graveyard;        /* retired endpoints, freed at the next tick (owned) */
    GPtrArray *visit;            /* tick scratch */
    guint ticks;
    BridgeWorkerStats stats;
    GSource *flush_source;                    /* sends the tx batch once per main-loop iteration */
    BridgeTxBatch *tx;                        /* pooled outgoing buffers + sendmmsg batch */
    guint64 tx_published, tx_bytes_published; /* what of tx->sent is in stats already */
    gint64 tcc_scratch[BRIDGE_TCC_RING];      /* transport-cc feedback building (tick) */
    /* Receive scratch buffer: the worker is single-threaded, so one suffices. */
    guint8 rx[BRIDGE_TX_CAP];
};

/* The control thread's record of one endpoint: where it lives. */
typedef struct {
    BridgeHandle handle;
    guint worker;
    BridgeConf *conf; /* ref held */
    gboolean ready_reported;
    char *conference_id, *endpoint_id; /* for logs */
} BridgeCtlEndpoint;

struct _BridgeMedia {
    BridgeMediaConfig config; /* deep copy */
    GMainContext *control;
    BridgeMediaCallbacks cb;
    gpointer user_data;
    BridgeDtlsCert *cert;
    guint32 bridge_ssrc; /* sender SSRC of the bridge's own RTCP */
    PaHdrextMap hdrext;  /* ids a new endpoint starts with (Jitsi defaults; read-only) */
    guint n_workers;
    BridgeWorker **workers;
    /* control thread only: */
    BridgeHandleTable endpoints; /* endpoint handle -> BridgeCtlEndpoint * (owned) */
    BridgeHandleTable confs;     /* conference handle -> BridgeConf * (ref) */
    guint *load;                 /* endpoints per worker */
    int control_efd;
    GSource *control_source;
    GAsyncQueue *outbox; /* BridgeResult * from workers */
};

/* Control -> worker messages, copied into a BRIDGE_RING_CONTROL slot of the worker's inbox;
 * the worker owns what they point to once posted. */
typedef enum {
    BRIDGE_MSG_CREATE,
    BRIDGE_MSG_SET_REMOTE,
    BRIDGE_MSG_SET_SSRCS,
    BRIDGE_MSG_SET_HDREXT,
    BRIDGE_MSG_EXPIRE,
    BRIDGE_MSG_STOP,
} BridgeMsgType;

typedef struct {
    BridgeMsgType type;
    BridgeHandle ep;
    BridgeConf *conf; /* CREATE: ref transferred */
    char *conference_id, *endpoint_id;
    PaTransport remote;     /* SET_REMOTE */
    BridgeMediaSsrc *ssrcs; /* SET_SSRCS */
    guint n_ssrcs;
    PaHdrextMap *hdrext; /* SET_HDREXT (owned) */
} BridgeMsg;

/* Worker -> control results. */
typedef enum {
    BRIDGE_RESULT_READY,
    BRIDGE_RESULT_EVENT,
} BridgeResultType;

typedef struct {
    BridgeResultType type;
    BridgeHandle ep;
    PaTransport local;      /* READY */
    GError *error;          /* READY failure */
    BridgeMediaEvent event; /* EVENT */
    char *reason;
} BridgeResult;

/* media.c */
void bridge_media_post_result(BridgeMedia *m, BridgeResult *r); /* any thread; takes @r */
/* Frees what @msg points to (not @msg). */
void bridge_msg_clear(BridgeMsg *msg);

/* worker.c */
BridgeWorker *bridge_worker_new(BridgeMedia *m, guint index, GError **error);
void bridge_worker_stop_and_free(BridgeWorker *w);
/* Control thread: copies @msg into @w's inbox (waiting while it is full: the worker drains it
 * on every wakeup) and wakes @w when needed; @w owns what @msg points to from now on. */
void bridge_worker_post(BridgeWorker *w, const BridgeMsg *msg);
void bridge_worker_wake(BridgeWorker *w);
void bridge_worker_drop(BridgeWorker *w, BridgeDropReason r);
/* Sends the queued datagrams now (before anything may close a socket) and publishes counts. */
void bridge_worker_flush(BridgeWorker *w);
BridgeWorkerConf *bridge_worker_conf_get(BridgeWorker *w, BridgeConf *shared);
void bridge_worker_conf_remove_endpoint(BridgeWorker *w, BridgeEndpoint *ep);
/* Takes @ep out of service now (marks it dead, unlinks it) and frees it at the next tick, so
 * it is safe to call from inside a libnice callback of that endpoint. */
void bridge_worker_retire(BridgeWorker *w, BridgeEndpoint *ep);

/* endpoint.c: ICE, DTLS, lifecycle (worker thread). */
BridgeEndpoint *bridge_endpoint_new(BridgeWorker *w, BridgeMsg *create, GError **error);
void bridge_endpoint_free(BridgeEndpoint *ep);
void bridge_endpoint_set_remote(BridgeEndpoint *ep, const PaTransport *remote);
void bridge_endpoint_set_ssrcs(BridgeEndpoint *ep, const BridgeMediaSsrc *ssrcs, guint n);
/* Posts @event to control and removes the endpoint from the worker (frees it). */
void bridge_endpoint_fail(BridgeEndpoint *ep, BridgeMediaEvent event, const char *reason);
/* Sends one already-protected datagram on the selected pair, at once (not batched). */
void bridge_endpoint_send(BridgeEndpoint *ep, const guint8 *buf, gsize len);
void bridge_endpoint_tick(BridgeEndpoint *ep, gint64 now_us, gboolean slow);
void bridge_endpoint_dtls_input(BridgeEndpoint *ep, const guint8 *buf, gsize len);
BridgeSource *bridge_endpoint_source(BridgeEndpoint *ep, guint32 ssrc, gboolean create);

/* forward.c: the receive path and fan-out (worker thread). */
void bridge_forward_recv(BridgeEndpoint *ep, guint8 *buf, gsize len);
void bridge_forward_ring_slot(BridgeWorker *w, const BridgeRingSlot *slot);
/* Protects @pkt (clear RTP or RTCP) for @ep and queues it (sends at once without a plain UDP
 * socket); counts it, or drops and counts BRIDGE_DROP_SRTP_PROTECT when it cannot be
 * protected. */
void bridge_forward_send_clear(BridgeWorker *w, BridgeEndpoint *ep, const guint8 *pkt, gsize len,
                               gboolean rtcp);
/* Sends to every other local endpoint of @src's conference and pushes to the other workers
 * that have members. */
void bridge_forward_fanout(BridgeWorker *w, BridgeEndpoint *src, BridgeRingKind kind,
                           const guint8 *pkt, gsize len);
/* Hands feedback for @ssrc to the other workers of @c; FALSE when there are none. */
gboolean bridge_forward_feedback_remote(BridgeWorker *w, BridgeWorkerConf *c, guint8 type,
                                        guint32 ssrc, const guint8 *fci, gsize fci_len);

/* rtcp.c: termination, feedback routing, receiver reports (worker thread). */
void bridge_rtcp_recv(BridgeEndpoint *ep, const guint8 *pkt, gsize len, gint64 now_us);
void bridge_rtcp_deliver_feedback(BridgeEndpoint *owner, BridgeFeedbackType type, guint32 ssrc,
                                  const guint8 *fci, gsize fci_len, gint64 now_us);
/* Finds the local endpoint of @conf that sends @ssrc. */
BridgeEndpoint *bridge_rtcp_find_owner(BridgeWorkerConf *conf, guint32 ssrc);
void bridge_rtcp_send_receiver_report(BridgeEndpoint *ep, gint64 now_us);
/* Sends @ep the transport-cc feedback for what arrived since the last one (worker tick). */
void bridge_rtcp_send_transport_feedback(BridgeEndpoint *ep);

G_END_DECLS
