/* SPDX-License-Identifier: MIT */
/* Internals of the media plane, shared by its own files and its tests.
 *
 * Ownership and threads:
 * - BridgeMedia: made and freed on the control thread. Its per-endpoint and per-conference
 *   state (BridgeCtlEndpoint, BridgeConf) sits in handle tables keyed by the caller's handles
 *   (handles.h), touched only on the control thread, with the per-worker load. It also owns
 *   the media port's sockets (one per worker per local address, all SO_REUSEPORT on the same
 *   port) and the kernel steering program (steer.c), rebuilt on the control thread from the
 *   flow changes the workers report.
 * - BridgeWorker: one per media thread, an epoll loop over its eventfd and its sockets.
 *   Everything reachable from it (endpoints, flow table, STUN agent, the worker-local
 *   conference views, scratch buffers, counters' writes) belongs to that thread. Counters are
 *   written by the worker alone and read by the control thread with relaxed atomics (no lock,
 *   no locked instruction on the hot path).
 * - BridgeConf: the one object shared across threads: refcounted, its worker_mask (which
 *   workers have endpoints in the conference) is written by control and read atomically by
 *   workers to decide where a packet must fan out.
 * - Inboxes: each worker has one preallocated inbox ring (ring.h: many producers, one
 *   consumer) and one eventfd. The control thread posts control messages into it (copied into
 *   a slot, BRIDGE_RING_CONTROL); the other workers post the clear packets they fan out to
 *   this worker's endpoints, datagrams they read for this worker's flows, and their flow
 *   changes; the worker takes them out in order, without a lock.
 * - Results (ready transports, events, flow changes) go back through media->outbox plus an
 *   eventfd source on the control context, so they arrive in the order the worker produced
 *   them. They are rare (a few per endpoint), never per packet.
 * - Endpoint lifetime: the control registry refers to endpoints by handle, never by pointer,
 *   so a message for an endpoint that has gone finds nothing. A worker retires an endpoint
 *   (failure, timeout) by unlinking it at once and freeing it at its next tick, so no caller
 *   up the stack holds a freed endpoint. */
#pragma once

#include <gio/gio.h>
#include <stun/stunagent.h>
#include <sys/socket.h>

#include "bridge/cc/bwe.h"
#include "bridge/dtls/dtls.h"
#include "bridge/forward/layer-rates.h"
#include "bridge/forward/projection.h"
#include "bridge/forward/rtx.h"
#include "bridge/media/flows.h"
#include "bridge/media/ice.h"
#include "bridge/media/media.h"
#include "bridge/media/recv-stats.h"
#include "bridge/media/ring.h"
#include "bridge/media/tcc-recv.h"
#include "bridge/media/txbatch.h"
#include "bridge/srtp/srtp.h"
#include "common/rtp/hdrext.h"

G_BEGIN_DECLS

#define BRIDGE_EP_MAX_SSRCS 32     /* announced + learned sources per endpoint */
#define BRIDGE_EP_MAX_RTCP_SSRCS 4 /* sender SSRCs of RTCP-only streams (receive-only peers) */
#define BRIDGE_TICK_MS 50          /* worker tick: transport-cc feedback, DTLS and ICE timers */
#define BRIDGE_TICK_EARLY_MS 10    /* a wake-up for packets this close to the tick runs it */
#define BRIDGE_RR_EVERY_TICKS 20   /* receiver reports and timeouts every second */
#define BRIDGE_KEYFRAME_REQ_MIN_US 250000      /* at most one PLI/FIR per source per 250 ms */
#define BRIDGE_SOCKET_BUFFER (8 * 1024 * 1024) /* SO_RCVBUF/SO_SNDBUF asked for per socket */
#define BRIDGE_MAX_LOCAL_ADDRS 8
#define BRIDGE_RX_BATCH 32 /* datagrams per recvmmsg */
#define BRIDGE_RX_BUDGET                                                                           \
    256                              /* datagrams read per socket per wake-up before the           \
                                      * inbox and the other sockets get their turn */
#define BRIDGE_STALL_STEP_US 1000000 /* the most one wake-up advances a worker's clock */
#define BRIDGE_DEFAULT_MAX_FLOWS 8192
#define BRIDGE_FLOW_BACKLOG 1024 /* flow changes waiting for room in another worker's inbox */
#define BRIDGE_SR_SENT_RING 8    /* SRs last sent to a receiver, for its RRs' round-trip time */
#define BRIDGE_PACE_US 5000      /* padding steps while a probe runs */

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
    guint64 rx_untimed; /* datagrams without a kernel receive timestamp */
    guint64 handed_over, checks_answered, checks_sent;
    guint64 video_projected, video_withheld, layer_switches, switch_keyframes;
    guint64 rtx_sent, rtx_missed, sender_rtx_dropped;
    guint64 tcc_feedback_in, probes, padding_sent, padding_bytes;
    guint endpoints_connected;
    guint flows;   /* flows this worker owns */
    guint mirrors; /* mirror caches (BridgeWorkerConf.mirror) now */
} BridgeWorkerStats;

/* What a worker publishes about one endpoint for the control thread: written by the worker
 * with relaxed atomics (the layers under a sequence count), read by the control thread
 * without a lock. Refcounted: the control record and the worker's endpoint each hold one. */
typedef struct {
    /* The audio levels the endpoint sent, one per audio packet: a ring the worker writes
     * (each slot atomic: (worker ms << 8) | level) and publishes by audio_head (release), so
     * that the control thread reads every level since its last look, a few times a second. */
    guint64 audio[BRIDGE_MEDIA_AUDIO_LEVELS];
    guint audio_head;  /* atomic: levels written so far */
    guint audio_claim; /* atomic: levels whose slot the worker began to write */
    struct {
        guint vidx; /* written under seq */
        guint n;    /* written under seq */
        guint seq;  /* odd while being written */
        BridgeLayerDesc layers[BRIDGE_MAX_LAYERS];
    } video[BRIDGE_MEDIA_MAX_VIDEO];
    /* Bandwidth estimation toward the endpoint as a receiver (egress-cc.c): the worker writes
     * these on its tick (each one atomic on its own); bwe.estimate_bps is 0 until its first
     * transport-cc feedback arrived. */
    BridgeMediaBwe bwe;
    /* Written by the control thread (atomic): what the receiver's ideal allocation costs,
     * bits per second (0: nothing more wanted); probing aims for it. */
    guint64 wanted_bps;
    gint ref;
} BridgeEpShared;

BridgeEpShared *bridge_ep_shared_new(void);
BridgeEpShared *bridge_ep_shared_ref(BridgeEpShared *s);
void bridge_ep_shared_unref(BridgeEpShared *s);
/* The worker (the one writer): one audio level, at @at_ms (worker clock). */
void bridge_ep_shared_push_level(BridgeEpShared *s, gint64 at_ms, guint8 level);
/* Any one reader: the levels since *@cursor into @out (at most @cap; a reader more than
 * BRIDGE_MEDIA_AUDIO_LEVELS - 1 behind gets the newest of them), *@cursor advanced. */
guint bridge_ep_shared_read_levels(const BridgeEpShared *s, guint *cursor,
                                   BridgeMediaAudioLevel *out, guint cap);

/* Sender side of one video source (video.c): the encodings' SSRCs, the layer rates, the
 * AV1 dependency descriptor structure per encoding, the retransmission cache. Allocated when
 * the control thread announces the source, never per packet. */
typedef struct {
    BridgeMediaVideoSource src;
    BridgeLayerRates rates;
    PaAv1DdStructure dd[BRIDGE_MAX_ENCODINGS];
    BridgeRtxCache *cache;
} BridgeTxVideo;

/* Receiver side of one video source (video.c): its projection and key frame limiter. */
typedef struct {
    guint32 primary_ssrc;
    guint32 ssrcs[BRIDGE_MAX_ENCODINGS];
    BridgeProjection proj;
    BridgeKeyframeLimiter kf;
    guint16 rtx_seq;  /* the receiver's RTX sequence for this source */
    guint32 rtx_ssrc; /* the RTX SSRC the receiver knows for it (0: none): probe padding */
    gboolean sent;    /* a packet was forwarded: last_pt and last_ts are valid */
    guint8 last_pt;   /* payload type of the last packet forwarded */
    guint32 last_ts;  /* its (rewritten) RTP timestamp */
} BridgeRxVideo;

/* A packet's layer information travels with it to the other workers (ring slot data, after
 * the packet), and stays with it in their mirror caches. */
typedef struct {
    guint32 vidx;
    guint32 rtx_pt; /* the sender's RTX payload type for the packet's (0: none) */
    BridgeLayerInfo info;
} BridgeVideoTag;

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
    /* Layer selection: 1 + the index in the endpoint's video[] of the video source this SSRC
     * is an encoding (or the RTX of one) of; 0 none. */
    guint8 vslot;
    guint8 enc;
    gboolean rtx;
} BridgeSource;

/* A local UDP socket on the media port: one per worker per local address. */
typedef struct {
    int fd;
    int family;
} BridgeSock;

struct _BridgeEndpoint {
    BridgeHandle handle;               /* the control registry's handle for it */
    char *conference_id, *endpoint_id; /* for logs */
    BridgeWorker *worker;
    BridgeWorkerConf *conf;

    BridgeIce ice;
    gboolean ice_connected; /* an address is selected */
    gint64 created_us;      /* worker clock (live_us) */

    /* Where datagrams to the peer go: the selected address, from this worker's socket on
     * the local address the peer talks to. */
    int fd; /* -1 until ICE selected an address */
    struct sockaddr_storage peer;
    socklen_t peer_len;

    BridgeDtls *dtls;
    BridgeDtlsRole role;
    BridgeSrtp *srtp;
    gboolean connected; /* DTLS done, SRTP ready */
    gint64 last_rx_us;  /* last authenticated RTP/RTCP (worker clock, live_us) */
    BridgeTccRecv tcc;  /* transport-cc arrivals, feedback owed to this sender */
    PaHdrextMap hdrext; /* the ids this endpoint negotiated (its RTP is read with them) */

    BridgeSource sources[BRIDGE_EP_MAX_SSRCS];
    guint n_sources;
    guint32 rtcp_ssrcs[BRIDGE_EP_MAX_RTCP_SSRCS];
    guint n_rtcp_ssrcs;
    gboolean dead; /* being removed; ignore further input */

    BridgeEpShared *shared; /* ref held */
    /* Sender side: its video sources, their codecs by payload type. */
    BridgeTxVideo *video[BRIDGE_MEDIA_MAX_VIDEO];
    guint n_video;
    guint8 codec_by_pt[128];
    guint8 rtx_pt_by_apt[128];
    /* Receiver side: by vidx (NULL: not forwarded to it); targets_set once the control side
     * sent any (before that, video is forwarded unchanged as without layer selection). */
    BridgeRxVideo **rxv;
    guint n_rxv;
    gboolean targets_set;
    /* Receiver side, bandwidth estimation (egress-cc.c): every RTP packet sent to it that
     * carries its transport-cc extension is renumbered from tcc_out_seq and recorded in bwe
     * (created with the endpoint, never on the packet path). */
    BridgeBwe *bwe;
    guint16 tcc_out_seq;
    gboolean bwe_fed; /* a transport-cc feedback arrived */
    gint64 rtt_us;    /* from its RRs about SRs we forwarded (0: unknown) */
    /* Its input written to a file (bwe-record.h), with PARLEY_BWE_RECORD only; else NULL. */
    struct BridgeBweRecord *bwe_rec;
    struct {
        guint32 lsr; /* middle 32 bits of the SR's NTP time */
        gint64 sent_us;
    } sr_sent[BRIDGE_SR_SENT_RING];
    guint sr_pos;
    guint64 tx_bytes;       /* RTP bytes sent to it on the wire (SRTP, UDP and IP headers) */
    guint64 video_tx_bytes; /* of them, its projected video (what layer costs are about) */
    guint64 other_mark;     /* tx_bytes - video_tx_bytes - padding_bytes at other_mark_us */
    gint64 other_mark_us;
    guint64 other_bps; /* everything but projected video and padding, last second */
    /* The probe cluster running (probe_end_us 0: none). */
    gint64 probe_start_us, probe_end_us;
    guint64 probe_rate_bps, probe_tx_start;
    guint64 padding_bytes;
};

struct _BridgeWorkerConf {
    BridgeHandle handle;  /* the conference's */
    BridgeConf *shared;   /* ref held */
    GPtrArray *endpoints; /* BridgeEndpoint *, this worker's only (not owned) */
    /* By video index: the packets of sources sent on other workers, as they came through the
     * inbox with their tags (BridgeVideoTag after each packet), so that this worker answers
     * its receivers' NACKs itself. Made when a receiver here is given a target for the
     * source (never per packet); NULL for this worker's own sources. */
    BridgeRtxCache **mirror;
    guint n_mirror;
};

/* A flow change this worker still has to tell another worker (its inbox was full). */
typedef struct {
    BridgeAddr addr;
    guint8 to, add;
} BridgeFlowNote;

struct _BridgeWorker {
    BridgeMedia *media;
    guint index;
    GThread *thread;
    int epfd;
    int efd;                     /* wakes the worker: its inbox has slots */
    BridgeSock *socks;           /* media->n_addrs sockets (fds owned by BridgeMedia) */
    BridgeRing *inbox;           /* control messages and other workers' packets (owned) */
    gboolean stopping;           /* worker thread (and the control thread after the join) */
    gboolean stopping_posted;    /* control thread */
    BridgeHandleTable endpoints; /* handle -> BridgeEndpoint * (owned) */
    BridgeHandleTable confs;     /* conference handle -> BridgeWorkerConf * (owned) */
    BridgeFlowTable flows;       /* every flow of the bridge: ours name the endpoint */
    StunAgent stun;              /* builds and checks this worker's STUN (RFC 5389) */
    GPtrArray *graveyard;        /* retired endpoints, freed at the next tick (owned) */
    GPtrArray *visit;            /* tick scratch */
    guint ticks;
    gint64 now_us;  /* monotonic time of the current wake-up */
    gint64 live_us; /* the worker's own clock: advances with now_us, but by at most
                     * BRIDGE_STALL_STEP_US per wake-up, so a stopped process does not age
                     * its endpoints (consent, media and ICE timeouts run on it) */
    gint64 next_tick_us;
    BridgeWorkerStats stats;
    BridgeTxBatch *tx;                          /* pooled outgoing buffers + sendmmsg batch */
    guint64 tx_published, tx_bytes_published;   /* what of tx->sent is in stats already */
    gint64 tcc_scratch[BRIDGE_TCC_RING];        /* transport-cc feedback building (tick) */
    PaTccStatus tcc_status[BRIDGE_BWE_HISTORY]; /* receivers' feedback parsing */
    guint n_probing;                            /* endpoints with a probe cluster running */
    gint64 next_pace_us;
    BridgeFlowNote *backlog; /* BRIDGE_FLOW_BACKLOG entries */
    guint n_backlog;
    /* Receive batch: recvmmsg fills these in place; each datagram is unprotected where it
     * lies (the worker is single-threaded, so one set suffices). */
    struct mmsghdr rx_msg[BRIDGE_RX_BATCH];
    struct iovec rx_iov[BRIDGE_RX_BATCH];
    struct sockaddr_storage rx_from[BRIDGE_RX_BATCH];
    char rx_ctl[BRIDGE_RX_BATCH][CMSG_SPACE(sizeof(struct timespec))];
    gint64 real_to_mono_us; /* CLOCK_REALTIME - monotonic, taken once per batch */
    gint64 rx_at_us;        /* monotonic time the datagram being handled reached the host */
    _Alignas(64) guint8 rx[BRIDGE_RX_BATCH][BRIDGE_TX_CAP];
};

/* The control thread's record of one endpoint: where it lives. */
typedef struct {
    BridgeHandle handle;
    guint worker;
    BridgeConf *conf; /* ref held */
    gboolean ready_reported;
    char *conference_id, *endpoint_id; /* for logs */
    BridgeEpShared *shared;            /* ref held */
} BridgeCtlEndpoint;

typedef struct _BridgeSteer BridgeSteer;

struct _BridgeMedia {
    BridgeMediaConfig config; /* deep copy */
    GMainContext *control;
    BridgeMediaCallbacks cb;
    gpointer user_data;
    BridgeDtlsCert *cert;
    guint32 bridge_ssrc; /* sender SSRC of the bridge's own RTCP */
    PaHdrextMap hdrext;  /* ids a new endpoint starts with (Jitsi defaults; read-only) */
    guint port;          /* the media port */
    guint n_addrs;
    BridgeAddr addrs[BRIDGE_MAX_LOCAL_ADDRS]; /* the local addresses (port set) */
    GArray *candidates; /* PaIceCandidate every endpoint offers (read-only after start) */
    guint n_workers;
    BridgeWorker **workers;
    int *fds; /* n_addrs x n_workers sockets, address-major (owned) */
    /* control thread only: */
    BridgeHandleTable endpoints; /* endpoint handle -> BridgeCtlEndpoint * (owned) */
    BridgeHandleTable confs;     /* conference handle -> BridgeConf * (ref) */
    guint *load;                 /* endpoints per worker */
    int control_efd;
    GSource *control_source;
    GAsyncQueue *outbox; /* BridgeResult * from workers */
    BridgeSteer *steer;  /* NULL with one worker or no_steering */
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
    BRIDGE_MSG_SET_VIDEO,
    BRIDGE_MSG_SET_TARGETS,
} BridgeMsgType;

typedef struct {
    BridgeMsgType type;
    BridgeHandle ep;
    BridgeConf *conf; /* CREATE: ref transferred */
    char *conference_id, *endpoint_id;
    PaTransport remote;     /* SET_REMOTE */
    BridgeMediaSsrc *ssrcs; /* SET_SSRCS */
    guint n_ssrcs;
    PaHdrextMap *hdrext;           /* SET_HDREXT (owned) */
    BridgeEpShared *shared;        /* CREATE: ref transferred */
    BridgeMediaVideoSource *video; /* SET_VIDEO */
    guint n_video;
    guint8 *codec_by_pt;        /* SET_VIDEO: 256 bytes, codecs then RTX types */
    BridgeMediaTarget *targets; /* SET_TARGETS */
    guint n_targets;
} BridgeMsg;

/* Worker -> control results. */
typedef enum {
    BRIDGE_RESULT_READY,
    BRIDGE_RESULT_EVENT,
    BRIDGE_RESULT_FLOW, /* a flow of the worker's appeared (add) or went (!add): steering */
} BridgeResultType;

typedef struct {
    BridgeResultType type;
    BridgeHandle ep;
    PaTransport local;      /* READY */
    GError *error;          /* READY failure */
    BridgeMediaEvent event; /* EVENT */
    char *reason;
    BridgeAddr addr; /* FLOW */
    guint worker;    /* FLOW */
    gboolean add;    /* FLOW */
} BridgeResult;

/* media.c */
void bridge_media_post_result(BridgeMedia *m, BridgeResult *r); /* any thread; takes @r */
/* Frees what @msg points to (not @msg). */
void bridge_msg_clear(BridgeMsg *msg);

/* sockets.c: the media port (control thread, at start and stop). */
gboolean bridge_sockets_open(BridgeMedia *m, GError **error);
void bridge_sockets_close(BridgeMedia *m);

/* steer.c: the SO_ATTACH_REUSEPORT_CBPF program (control thread). */
BridgeSteer *bridge_steer_new(BridgeMedia *m);
void bridge_steer_free(BridgeSteer *s);
/* A worker reported a flow change: schedule a rebuild of the program. */
void bridge_steer_flow(BridgeSteer *s, const BridgeAddr *addr, guint worker, gboolean add);
gboolean bridge_steer_active(BridgeSteer *s);

/* worker.c */
BridgeWorker *bridge_worker_new(BridgeMedia *m, guint index, GError **error);
/* Stopping is three steps over all workers, so that no worker ever posts into the inbox of
 * one already freed: ask each to stop (its endpoints are freed on it, peers told; a stopping
 * worker posts nothing to the others), join each, then free each. */
void bridge_worker_stop(BridgeWorker *w);
void bridge_worker_join(BridgeWorker *w);
void bridge_worker_free(BridgeWorker *w);
/* Control thread: copies @msg into @w's inbox (waiting while it is full: the worker drains it
 * on every wakeup) and wakes @w when needed; @w owns what @msg points to from now on. */
void bridge_worker_post(BridgeWorker *w, const BridgeMsg *msg);
void bridge_worker_wake(BridgeWorker *w);
void bridge_worker_drop(BridgeWorker *w, BridgeDropReason r);
/* Sends the queued datagrams now and publishes counts. */
void bridge_worker_flush(BridgeWorker *w);
BridgeWorkerConf *bridge_worker_conf_get(BridgeWorker *w, BridgeConf *shared);
void bridge_worker_conf_remove_endpoint(BridgeWorker *w, BridgeEndpoint *ep);
/* Takes @ep out of service now (marks it dead, unlinks it, unbinds its flows) and frees it at
 * the next tick, so it is safe to call from anywhere on the worker. */
void bridge_worker_retire(BridgeWorker *w, BridgeEndpoint *ep);
/* Enters @addr as a flow of @ep (address index @cand) in the worker's table and tells the
 * other workers and the steering program. FALSE (counted: flow_limit) when the table is
 * full. */
gboolean bridge_worker_flow_bind(BridgeWorker *w, BridgeEndpoint *ep, const BridgeAddr *addr,
                                 guint cand);
void bridge_worker_flow_unbind(BridgeWorker *w, const BridgeAddr *addr);
/* One datagram from the media port (read here, or handed over by another worker when
 * @handed): demultiplexed by source address, STUN to ice.c, the rest to its endpoint. */
void bridge_worker_input(BridgeWorker *w, guint sock, const BridgeAddr *from, guint8 *buf,
                         gsize len, gboolean handed);
/* Passes a datagram to worker @to's inbox (counted as handed over; dropped and counted as
 * queue_full when that inbox is full). */
void bridge_worker_hand_over(BridgeWorker *w, guint to, guint sock, const BridgeAddr *from,
                             const guint8 *buf, gsize len);

/* ice.c: the bridge's ICE (worker thread), see ice.h. */
void bridge_ice_init(BridgeEndpoint *ep);
/* Forgets the transactions in flight and unbinds every address (the endpoint goes). */
void bridge_ice_clear(BridgeEndpoint *ep);
void bridge_ice_set_remote(BridgeEndpoint *ep, const char *ufrag, const char *pwd);
/* A STUN datagram (first byte 0..3) from @from; @flow is its entry in the worker's table
 * (NULL: unknown address). */
void bridge_ice_input(BridgeWorker *w, guint sock, const BridgeAddr *from, BridgeFlow *flow,
                      guint8 *buf, gsize len, gboolean handed);
/* Retransmissions, consent checks, consent expiry (the endpoint fails). */
void bridge_ice_tick(BridgeEndpoint *ep);

/* endpoint.c: DTLS, lifecycle (worker thread). */
BridgeEndpoint *bridge_endpoint_new(BridgeWorker *w, BridgeMsg *create, GError **error);
void bridge_endpoint_free(BridgeEndpoint *ep);
void bridge_endpoint_set_remote(BridgeEndpoint *ep, const PaTransport *remote);
void bridge_endpoint_set_ssrcs(BridgeEndpoint *ep, const BridgeMediaSsrc *ssrcs, guint n);
/* Posts @event to control and removes the endpoint from the worker (frees it). */
void bridge_endpoint_fail(BridgeEndpoint *ep, BridgeMediaEvent event, const char *reason);
/* Sends one datagram to the selected address at once (not batched). */
void bridge_endpoint_send(BridgeEndpoint *ep, const guint8 *buf, gsize len);
/* ICE selected (or moved to) @sock / @addr: media goes there from now on. */
void bridge_endpoint_select(BridgeEndpoint *ep, guint sock, const BridgeAddr *addr);
void bridge_endpoint_tick(BridgeEndpoint *ep, gboolean slow);
void bridge_endpoint_dtls_input(BridgeEndpoint *ep, const guint8 *buf, gsize len);
BridgeSource *bridge_endpoint_source(BridgeEndpoint *ep, guint32 ssrc, gboolean create);

/* forward.c: the receive path and fan-out (worker thread). */
void bridge_forward_recv(BridgeEndpoint *ep, guint8 *buf, gsize len);
void bridge_forward_ring_slot(BridgeWorker *w, const BridgeRingSlot *slot);
/* Protects @pkt (clear RTP or RTCP) for @ep and queues it; counts it, or drops and counts
 * BRIDGE_DROP_SRTP_PROTECT when it cannot be protected or @ep has no address to send to. */
void bridge_forward_send_clear(BridgeWorker *w, BridgeEndpoint *ep, const guint8 *pkt, gsize len,
                               gboolean rtcp);
/* Sends to every other local endpoint of @src's conference and pushes to the other workers
 * that have members. This loop is where a per-receiver "does this packet go to this
 * receiver, and how is it rewritten" step belongs (layer selection, last-N). */
void bridge_forward_fanout(BridgeWorker *w, BridgeEndpoint *src, BridgeRingKind kind,
                           const guint8 *pkt, gsize len);
/* Hands feedback for @ssrc to the other workers of @c; FALSE when there are none. */
gboolean bridge_forward_feedback_remote(BridgeWorker *w, BridgeWorkerConf *c, guint8 type,
                                        guint32 ssrc, const guint8 *fci, gsize fci_len);
/* A new receiver of @c is up: every video sender of the conference (here and on the other
 * workers) is asked for a keyframe (rate-limited per source), so its first frame comes
 * without waiting for the next periodic one. */
void bridge_forward_request_keyframes(BridgeWorker *w, BridgeWorkerConf *c, BridgeEndpoint *skip);

/* video.c: layer selection on the worker. */
void bridge_video_endpoint_clear(BridgeEndpoint *ep);
void bridge_video_set_sources(BridgeEndpoint *ep, const BridgeMediaVideoSource *v, guint n,
                              const guint8 *codec_by_pt);
void bridge_video_set_targets(BridgeEndpoint *ep, const BridgeMediaTarget *t, guint n);
/* Frees @c's mirror caches of sources no endpoint of @c on this worker receives any more. */
void bridge_video_prune_mirrors(BridgeWorker *w, BridgeWorkerConf *c);
/* Maps the endpoint's sources to its video sources (after set_ssrcs or set_sources). */
void bridge_video_map_sources(BridgeEndpoint *ep);
/* One RTP packet of a video source of @ep (@s->vslot set): layer parse, rates, cache, and the
 * fan-out through every receiver's projection. */
void bridge_video_recv(BridgeEndpoint *ep, BridgeSource *s, guint8 *pkt, gsize len,
                       const PaRtpHeader *h, const PaHdrextFound *found);
/* A packet another worker fanned out with its tag: the local receivers' projections. */
void bridge_video_ring_rtp(BridgeWorker *w, BridgeWorkerConf *c, const guint8 *pkt, gsize len,
                           const BridgeVideoTag *tag);
/* A sender report about encoding @enc of video source @vidx, to local receivers (rewritten
 * per projection); @skip: the sender. */
void bridge_video_fanout_sr(BridgeWorker *w, BridgeWorkerConf *c, BridgeEndpoint *skip, guint vidx,
                            guint enc, const guint8 *sr, gsize len);
/* A receiver's NACK about @ssrc: TRUE when @ssrc is a projected source of @ep (answered or
 * counted here). */
gboolean bridge_video_nack(BridgeEndpoint *ep, guint32 ssrc, const guint8 *fci, gsize fci_len);
/* A receiver's PLI/FIR about @ssrc: the SSRC of the encoding @ep is sent of that source
 * (@ssrc itself when it is not projected or nothing is sent yet). */
guint32 bridge_video_keyframe_ssrc(BridgeEndpoint *ep, guint32 ssrc);
/* Once a second: the sender's layers published for the control thread. */
void bridge_video_publish(BridgeEndpoint *ep);
/* Protects @buf (a clear RTP packet already built in the tx batch's next buffer) for @ep and
 * queues it (drops and counts srtp_protect as bridge_forward_send_clear does). */
void bridge_forward_send_built(BridgeWorker *w, BridgeEndpoint *ep, guint8 *buf, gsize len);
void bridge_forward_push_tagged(BridgeWorker *w, BridgeWorkerConf *c, BridgeRingKind kind,
                                const guint8 *pkt, gsize len, const BridgeVideoTag *tag);

/* egress-cc.c: bandwidth estimation toward each receiver (worker thread). */
/* Creates the endpoint's estimator (endpoint creation). */
void bridge_egress_init(BridgeEndpoint *ep);
void bridge_egress_clear(BridgeEndpoint *ep);
/* A clear RTP packet about to be protected for @ep: when it carries @ep's transport-cc
 * extension, its sequence number is replaced with @ep's next one, stored in *@seq. */
gboolean bridge_egress_stamp(BridgeEndpoint *ep, guint8 *buf, gsize len, guint16 *seq);
/* ...and once it is queued, @size bytes on the wire. */
void bridge_egress_sent(BridgeEndpoint *ep, guint16 seq, gsize size);
/* A clear RTCP compound about to be sent to @ep: its SR's time is remembered. */
void bridge_egress_rtcp_out(BridgeEndpoint *ep, const guint8 *pkt, gsize len);
/* @ep's transport-cc feedback packet @p of compound @buf. */
void bridge_egress_feedback(BridgeEndpoint *ep, const guint8 *buf, const PaRtcpPacket *p,
                            gint64 now_us);
/* @ep's report blocks (RR or SR) at @blocks_offset of @buf: round-trip time. */
void bridge_egress_report_blocks(BridgeEndpoint *ep, const guint8 *buf, guint32 blocks_offset,
                                 guint n, gint64 now_us);
/* Worker tick: publishes the estimate and starts a probe when one is due. */
void bridge_egress_tick(BridgeEndpoint *ep);
/* Sends padding for the probes running (worker loop, every BRIDGE_PACE_US while any runs). */
void bridge_egress_pace(BridgeWorker *w);

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
