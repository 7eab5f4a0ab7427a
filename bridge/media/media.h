/* SPDX-License-Identifier: MIT */
/* The media plane's API to the bridge's control thread.
 *
 * Threads: BridgeMedia owns N worker threads, each running its own epoll loop. Every function
 * here is called on the control thread only; each one posts a message to the endpoint's worker
 * and returns at once. Results and events come back as callbacks invoked on the control
 * thread's GMainContext (the one given to bridge_media_new). An endpoint (its ICE, DTLS and
 * SRTP state) is created on one worker and stays there for life. Conferences and endpoints
 * are named by the numeric handles of the caller's registry (handles.h): no call here takes,
 * builds or hashes a string id.
 *
 * Media path (details in media-priv.h and each file's header): every endpoint shares one UDP
 * port; each worker reads its own SO_REUSEPORT socket on it (per local address) with
 * recvmmsg, a kernel steering program sends each known peer address to the worker that owns
 * its endpoint, and whatever lands elsewhere is handed over through the owner's inbox ring.
 * A datagram is matched by its source address (flows.h); STUN is answered by the bridge's own
 * ICE (ice.h: libnice's STUN codec, lite or controlling as the peer needs); datagrams from
 * unknown addresses that are not STUN are dropped and counted before any other work. Then
 * RFC 7983 demux; DTLS (server unless the peer answered "passive") until SRTP keys exist;
 * SRTP unprotect once; RTP is copied into pooled buffers, protected per receiver and sent with
 * sendmmsg (many destinations per call, one socket), and posted once per other worker that
 * hosts the conference into that worker's bounded inbox ring (full: dropped and counted).
 * A worker's inbox also carries the control thread's messages, so its wake-up takes no lock.
 * RTCP is terminated per leg:
 * PLI/FIR (rate-limited per source) and NACK go to the media SSRC's sender, SRs are forwarded,
 * the bridge sends its own RRs; everything else is consumed. SSRCs are not rewritten yet.
 * Forwarded RTP loses its sdes:mid, rid and repaired-rid header extensions (overwritten with
 * padding in place; payload untouched); audio level, transport-cc and abs-send-time stay.
 * Senders get the bridge's transport-cc feedback about their leg every 50 ms, and a keyframe
 * request as soon as a new receiver's media is up.
 * After warm-up nothing on this path allocates, locks or logs (see
 * tests/integration/bridge/test-media-cost.c).
 * Every RTP packet to a receiver that carries its transport-cc extension is renumbered in the
 * receiver's own transport-wide sequence space, and the receiver's feedback drives a bandwidth
 * estimate per receiver (egress-cc.c) that the control thread reads for its allocation.
 * Not supported yet: ICE restart, ICE over TCP. */
#pragma once

#include <glib.h>

#include "bridge/forward/layer-rates.h"
#include "bridge/media/handles.h"
#include "common/rtp/hdrext.h"
#include "common/transport.h"

G_BEGIN_DECLS

#define BRIDGE_MEDIA_MAX_WORKERS 64

typedef struct {
    guint workers; /* media threads (at most BRIDGE_MEDIA_MAX_WORKERS); 0 = one per CPU */
    /* The one UDP port every endpoint uses, on every local address (each worker binds its own
     * SO_REUSEPORT socket to it). 0: a free port the kernel picks (tests). A port some other
     * socket holds is refused. */
    guint port;
    char **local_addresses; /* IPs the port is bound on and offered as host candidates */
    char *public_address;   /* advertised in addition (NAT'd deployments); NULL = none */
    guint ice_timeout_s;    /* expire an endpoint whose ICE has not connected by then */
    guint media_timeout_s;  /* expire a connected endpoint that sent nothing for this long */
    /* Worker placement. A new endpoint joins the worker that already holds most of its
     * conference while that worker holds fewer than this many of the conference's endpoints
     * and is not busier than the least-loaded worker by this many or more; otherwise it goes
     * to the least-loaded worker. Small conferences thus stay on one worker (no cross-thread
     * hop per packet) and large ones spread their fan-out over several cores.
     * 0 = default (8); 1 = always the least-loaded worker. */
    guint conference_pack;
    /* Peer addresses the bridge tracks at once (every endpoint's validated addresses);
     * 0 = default (8192). A check from a new address beyond it is refused and counted. */
    guint max_flows;
    /* TRUE: no kernel steering program; a datagram that lands on another worker's socket is
     * handed over through the inbox ring (for measurements; see docs/bridge.md). */
    gboolean no_steering;
} BridgeMediaConfig;

typedef struct _BridgeMedia BridgeMedia;

typedef enum {
    BRIDGE_MEDIA_EVENT_CONNECTED, /* ICE connected and DTLS done: media can flow */
    BRIDGE_MEDIA_EVENT_FAILED,  /* ICE or DTLS failed; the endpoint is gone from the media plane */
    BRIDGE_MEDIA_EVENT_TIMEOUT, /* no media for media_timeout_s; the endpoint is gone (its
                                 * peer got a DTLS close_notify) */
} BridgeMediaEvent;

/* What the media plane tells its caller, on the control thread. Endpoints are named by the
 * handle the caller gave bridge_media_endpoint_create(). */
typedef struct {
    /* Endpoint creation finished: the worker made the endpoint's ICE credentials and @local
     * is the bridge's side of the transport (ufrag, pwd, the media port on every local
     * address as host candidates, the public address as srflx, fingerprint with setup
     * "actpass", rtcp_mux TRUE; websocket_url is left for the caller), valid during the call
     * only; or creation failed (@local NULL, @error set, or the endpoint failed before it
     * was ready). Called exactly once per created endpoint, unless
     * the caller expired it first; never from bridge_media_free(). */
    void (*ready)(BridgeHandle endpoint, const PaTransport *local, const GError *error,
                  gpointer user_data);
    /* @event happened to the endpoint (@reason: a short text for logs, may be NULL). After
     * FAILED or TIMEOUT the media plane has forgotten the handle. Not called for endpoints
     * the caller expired. */
    void (*event)(BridgeHandle endpoint, BridgeMediaEvent event, const char *reason,
                  gpointer user_data);
} BridgeMediaCallbacks;

/* Starts the workers. @control is the control thread's context (callbacks run there; NULL:
 * the thread-default context); @callbacks is copied and its functions may be NULL.
 * (transfer full) NULL with @error on failure (bad config, the port taken or not bindable,
 * no certificate, no threads). */
BridgeMedia *bridge_media_new(const BridgeMediaConfig *config, GMainContext *control,
                              const BridgeMediaCallbacks *callbacks, gpointer user_data,
                              GError **error);
/* Stops and joins the workers, frees every endpoint (each connected peer gets a DTLS
 * close_notify first). No callback runs from here: creations that have not answered never
 * will. Not from inside a BridgeMedia callback.
 * libsrtp stays initialised: its crypto kernel is process-global and not reference-counted
 * (bridge_media_new() calls bridge_srtp_global_init(), and so may other code in the process),
 * so the process calls bridge_srtp_global_shutdown() at exit, after this. */
void bridge_media_free(BridgeMedia *media);

/* The DTLS certificate fingerprint all endpoints use ("sha-256") (transfer none). */
const char *bridge_media_fingerprint(BridgeMedia *media);

/* Creates endpoint @endpoint of conference @conference (both handles from the caller's
 * registry; @endpoint must be new to the media plane) on a worker chosen by
 * BridgeMediaConfig.conference_pack, where it stays for life; the ready callback reports the
 * outcome. @conference_id and @endpoint_id are the
 * Colibri2 ids, copied for log lines only. */
void bridge_media_endpoint_create(BridgeMedia *media, BridgeHandle conference,
                                  BridgeHandle endpoint, const char *conference_id,
                                  const char *endpoint_id);

/* The endpoint's own transport as the focus forwards it (ufrag, pwd, fingerprint, setup, and
 * any candidates). Called again for trickled candidates (only candidates set then). Unknown
 * handles are ignored. */
void bridge_media_endpoint_set_remote(BridgeMedia *media, BridgeHandle endpoint,
                                      const PaTransport *remote);

/* The SSRCs the endpoint announced (audio and video, including RTX/SIM members). Replaces the
 * previous set. Used to route RTCP feedback before the first packet of a source arrives. */
typedef struct {
    guint32 ssrc;
    gboolean video;
} BridgeMediaSsrc;
void bridge_media_endpoint_set_ssrcs(BridgeMedia *media, BridgeHandle endpoint,
                                     const BridgeMediaSsrc *ssrcs, guint n_ssrcs);

/* The RTP header extension ids the endpoint negotiated (RFC 8285 a=extmap; Colibri2
 * <media><rtp-hdrext id uri/>, audio and video merged: within a BUNDLE group an id means one
 * URI). The bridge reads the endpoint's RTP with them: audio level, transport-cc, and the
 * sdes:mid / rid / repaired-rid elements it removes before forwarding (a receiver routes by
 * MID, and a sender's MID names the sender's m-line, not the receiver's). Until this is
 * called an endpoint uses Jicofo's defaults (pa_hdrext_map_init_jitsi_defaults(): audio
 * level 1, abs-send-time 3, transport-cc 5, mid 10, dependency descriptor 11). Replaces the
 * previous map; @map is copied. Unknown handles are ignored. */
void bridge_media_endpoint_set_hdrext(BridgeMedia *media, BridgeHandle endpoint,
                                      const PaHdrextMap *map);

/* ---- layer selection (simulcast/SVC), last-N, dominant speaker ----
 * The control side decides (bridge/control/video.c, with bridge/cc); the workers apply it per
 * packet (media/video.c, with bridge/forward). A video source is named in both directions by
 * a conference-wide index the caller assigns (vidx, small and reused). */

#define BRIDGE_MEDIA_MAX_VIDEO 4 /* video sources per endpoint with layer selection */
#define BRIDGE_MEDIA_MAX_VIDX 4096

/* One video source an endpoint sends: its encodings lowest first (the SIM group's order, or
 * its one SSRC), ssrcs[0] being the primary SSRC receivers were told about, and the RTX SSRC
 * of each encoding (FID groups; 0 none). */
typedef struct {
    guint vidx;
    guint n_encodings; /* 1..BRIDGE_MAX_ENCODINGS */
    guint32 ssrcs[BRIDGE_MAX_ENCODINGS];
    guint32 rtx[BRIDGE_MAX_ENCODINGS];
} BridgeMediaVideoSource;

/* The endpoint's video sources (replaces the previous set; at most BRIDGE_MEDIA_MAX_VIDEO).
 * @codec_by_pt maps each payload type the endpoint uses to its BridgeCodec; @rtx_pt_by_apt
 * maps a media payload type to its RTX payload type (0: none). Packets of a source whose
 * payload type has no known codec are forwarded to everyone unchanged, as before. */
void bridge_media_endpoint_set_video(BridgeMedia *media, BridgeHandle endpoint,
                                     const BridgeMediaVideoSource *sources, guint n_sources,
                                     const guint8 codec_by_pt[128],
                                     const guint8 rtx_pt_by_apt[128]);

/* What a receiver gets of one video source (from the allocation). */
typedef struct {
    guint vidx;
    guint32 primary_ssrc;
    guint32 ssrcs[BRIDGE_MAX_ENCODINGS]; /* the source's encodings (key frame requests) */
    guint32 rtx_ssrc; /* the RTX SSRC receivers know for it (0: none): probe padding goes there */
    BridgeLayerTarget target; /* BRIDGE_LAYER_TARGET_NONE: paused (not forwarded) */
} BridgeMediaTarget;

/* The receiver's targets for every video source of its conference (replaces the previous
 * set: a source not listed is not forwarded to it). */
void bridge_media_endpoint_set_targets(BridgeMedia *media, BridgeHandle receiver,
                                       const BridgeMediaTarget *targets, guint n_targets);

/* One audio level an endpoint sent (RFC 6464, 0 loudest .. 127 silence) and when (bridge
 * worker clock in ms, monotonic). */
typedef struct {
    guint8 level;
    gint64 at_ms;
} BridgeMediaAudioLevel;

/* Levels the media plane keeps per endpoint for the reader: 320 ms of 20 ms audio packets. */
#define BRIDGE_MEDIA_AUDIO_LEVELS 16

/* The audio levels the endpoint sent since *@cursor (0 for the first call; the caller keeps
 * it), oldest first, into @out (capacity @cap); advances *@cursor past them. A reader more
 * than BRIDGE_MEDIA_AUDIO_LEVELS - 1 levels behind gets the newest of them only. Returns how
 * many (0 for an unknown handle). Read without a lock (the worker publishes them with
 * atomics). */
guint bridge_media_endpoint_audio_levels(BridgeMedia *media, BridgeHandle endpoint, guint *cursor,
                                         BridgeMediaAudioLevel *out, guint cap);

/* The layers of the endpoint's video source @vidx as last measured (once a second), into
 * @out (capacity @cap; BRIDGE_MAX_LAYERS suffices). Returns how many. */
guint bridge_media_endpoint_layers(BridgeMedia *media, BridgeHandle endpoint, guint vidx,
                                   BridgeLayerDesc *out, guint cap);

/* Bandwidth estimation toward an endpoint as a receiver (bridge/cc/bwe.h, fed by its
 * transport-cc feedback), as its worker last published it (every 50 ms). */
typedef struct {
    guint64 estimate_bps; /* what may be sent to it; 0 until its first feedback */
    guint64 delay_bps;    /* delay-based rate */
    guint64 loss_bps;     /* loss-based limit */
    guint64 acked_bps;    /* what it received, last 500 ms */
    guint64 rtt_us;       /* from its receiver reports (0: unknown) */
    guint64 loss_permille;
    guint64 packets_acked, packets_lost;
    guint64 probes, probes_succeeded, overuses;
    guint64 padding_bytes; /* probe padding sent to it */
    guint64 other_bps;     /* what it is sent besides projected video and padding (audio,
                            * retransmissions, unlayered video), last second, on the wire */
} BridgeMediaBwe;

/* The endpoint's estimate into @out (read without a lock); FALSE when the handle is unknown or
 * no feedback arrived yet (@out then zeroed). */
gboolean bridge_media_endpoint_bwe(BridgeMedia *media, BridgeHandle endpoint, BridgeMediaBwe *out);

/* What the receiver's ideal allocation costs (bits per second; 0 nothing more): when it is
 * above the estimate, the worker probes toward it. */
void bridge_media_endpoint_set_wanted(BridgeMedia *media, BridgeHandle endpoint, guint64 bps);

/* Which worker holds the endpoint (0 .. workers - 1), or G_MAXUINT for an unknown handle: for
 * tests and benchmarks that check placement. */
guint bridge_media_endpoint_worker(BridgeMedia *media, BridgeHandle endpoint);

/* Removes the endpoint; no callback runs for it any more. A connected peer gets a DTLS
 * close_notify, so a browser learns at once that its session ended. Unknown handles are
 * ignored. */
void bridge_media_endpoint_expire(BridgeMedia *media, BridgeHandle endpoint);

/* Why a datagram was dropped (received ones, and copies for a receiver). */
typedef enum {
    BRIDGE_DROP_MALFORMED,    /* RFC 7983 first byte unknown, or not parseable RTP/RTCP */
    BRIDGE_DROP_NOT_READY,    /* RTP/RTCP before DTLS completed, or DTLS before the remote
                               * fingerprint was known */
    BRIDGE_DROP_SRTP_AUTH,    /* authentication tag did not verify */
    BRIDGE_DROP_SRTP_REPLAY,  /* replayed or too old */
    BRIDGE_DROP_DTLS,         /* DTLS datagram rejected (not whole records, terminal state) */
    BRIDGE_DROP_QUEUE_FULL,   /* cross-worker fan-out queue full (counted once per worker
                               * that could not be reached) */
    BRIDGE_DROP_NO_RECEIVER,  /* RTCP feedback for an SSRC nobody in the conference sends */
    BRIDGE_DROP_SRTP_PROTECT, /* a copy for one receiver that could not be protected (longer
                               * than the media plane handles, libsrtp refused it, or the
                               * receiver's address went to another endpoint): counted once
                               * per receiver that did not get it */
    /* Junk on the media port, dropped before any per-endpoint work: */
    BRIDGE_DROP_UNKNOWN_ADDRESS,   /* not STUN, from an address no endpoint validated */
    BRIDGE_DROP_STUN_MALFORMED,    /* not a well-formed STUN message (length, cookie,
                                    * FINGERPRINT), or a check without USERNAME */
    BRIDGE_DROP_STUN_UNKNOWN_USER, /* a check whose USERNAME names no endpoint here */
    BRIDGE_DROP_STUN_AUTH,         /* a check for one of our endpoints that did not
                                    * authenticate (MESSAGE-INTEGRITY, or the peer's ufrag);
                                    * answered 401 */
    BRIDGE_DROP_STUN_UNMATCHED,    /* a STUN response to no check of ours */
    /* Limits: */
    BRIDGE_DROP_SSRC_LIMIT, /* RTP/RTCP with an SSRC neither signalled nor in the endpoint's
                             * full source table: no SRTP stream is made for it */
    BRIDGE_DROP_FLOW_LIMIT, /* a check from a new address while max_flows are tracked */
    BRIDGE_DROP_N_REASONS
} BridgeDropReason;

const char *bridge_drop_reason_name(BridgeDropReason r); /* "malformed", "srtp_auth", ... */

/* Counters summed over all workers since start. */
typedef struct {
    guint64 packets_in, bytes_in;   /* datagrams received on the media port (all of them:
                                     * STUN, DTLS, RTP, RTCP, junk) */
    guint64 packets_out, bytes_out; /* RTP/RTCP datagrams sent */
    guint64 rtp_forwarded;          /* RTP packets sent to receivers */
    guint64 drops[BRIDGE_DROP_N_REASONS];
    guint64 ice_failures, dtls_failures;
    guint endpoints;           /* existing now */
    guint endpoints_connected; /* with DTLS done now */
    guint conferences;         /* with at least one endpoint now */
    /* RTCP */
    guint64 rtcp_in;           /* authenticated RTCP compounds received */
    guint64 keyframe_requests; /* PLI/FIR sent to senders (after rate limiting) */
    guint64 nacks_forwarded;   /* NACKs sent to senders */
    guint64 sr_forwarded;      /* sender reports fanned out to receivers */
    guint64 rr_sent;           /* the bridge's own receiver-report compounds */
    guint64 tcc_feedback_sent; /* transport-cc feedback packets sent to senders */
    guint64 rx_untimed;        /* datagrams read without a kernel receive timestamp */
    /* Header extensions */
    guint64 hdrext_stripped; /* RTP packets from which sdes:mid/rid/repaired-rid were
                              * removed before forwarding */
    /* The single port */
    guint64 handed_over;         /* datagrams read by a worker that does not own their flow and
                                  * passed to the owner's inbox (the steering program missed) */
    guint64 ice_checks_answered; /* authenticated connectivity/consent checks answered */
    guint64 ice_checks_sent;     /* the bridge's own checks (nomination and consent) */
    /* Layer selection */
    guint64 video_projected;    /* video packets sent to a receiver through its projection */
    guint64 video_withheld;     /* copies a projection did not send (other encodings, filtered
                                 * layers, paused sources, waiting for a key frame) */
    guint64 layer_switches;     /* encoding switches (and starts) over all projections */
    guint64 switch_keyframes;   /* key frame requests a projection asked for (before the
                                 * per-source limit) */
    guint64 rtx_sent;           /* NACKed packets the bridge sent again from its cache */
    guint64 rtx_missed;         /* NACKed packets it did not have (not cached or too old) */
    guint64 sender_rtx_dropped; /* senders' RTX packets of projected sources (not forwarded:
                                 * the bridge answers NACKs itself) */
    /* Bandwidth estimation toward receivers */
    guint64 tcc_feedback_in; /* receivers' transport-cc feedback packets fed to estimators */
    guint64 probes;          /* probe clusters started */
    guint64 padding_sent;    /* padding-only probe packets sent */
    guint64 padding_bytes;   /* their bytes on the wire */
    guint flows;             /* peer addresses tracked now */
    guint rtx_mirrors;       /* caches of sources sent on another media thread, kept for the
                              * NACKs of receivers on this one, now */
    guint port;              /* the media port */
    gboolean steering;       /* the kernel steering program is attached */
} BridgeMediaStats;

/* A consistent-enough snapshot (each counter is read atomically). */
void bridge_media_get_stats(BridgeMedia *media, BridgeMediaStats *out);

/* The UDP port all endpoints share (the configured one, or the one the kernel picked). */
guint bridge_media_port(BridgeMedia *media);

G_END_DECLS
