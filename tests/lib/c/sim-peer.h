/* SPDX-License-Identifier: MIT */
/* A simulated WebRTC client for the bridge's media tests and benchmarks, built from the real
 * pieces a browser uses: a libnice agent (controlled, 127.0.0.1 only, one stream of one
 * component: BUNDLE + rtcp-mux), DTLS as the client ("active") with the bridge's own DTLS
 * code, SRTP with the exported keys. It answers the bridge's transport with its own, sends
 * synthetic RTP/RTCP and counts what it receives, so a test can drive the media plane without
 * GStreamer or a browser.
 *
 * Two ways to move media once connected:
 * - through libnice (sim_peer_send_*, sim_peer_get_stats): the tests;
 * - by taking the selected pair's socket over (sim_peer_take_over): the load benchmark, whose
 *   own threads send and receive on the raw socket, while sim_peer_answer_stun() answers the
 *   bridge's ICE consent checks (RFC 7675) so the pair stays alive for runs of any length.
 *
 * Threads: until take-over everything runs on the GMainContext given at creation. After it,
 * SimPeerWire's tx leg belongs to the sending thread and its rx leg and the STUN agent to
 * the receiving thread (two BridgeSrtp objects made from the same keys, so the threads share
 * no SRTP state). */
#pragma once

#include <glib.h>
#include <sys/socket.h>

#include "bridge/srtp/srtp.h"
#include "common/rtp/hdrext.h"
#include "common/transport.h"

G_BEGIN_DECLS

typedef struct _SimPeer SimPeer;

/* Options; all zero is the default: a browser-like client. */
typedef struct {
    /* Record transport-cc send times and the bridge's feedback about them
     * (sim_peer_enable_tcc; two tables of 2^16 entries). */
    gboolean track_tcc;
    /* Offer only AES_CM_128_HMAC_SHA1_80 in DTLS-SRTP, like a client without GCM (default:
     * both, GCM first, like a browser). */
    gboolean cm_only;
    /* DTLS retransmission check interval; 0: 50 ms. */
    guint dtls_timer_ms;
    /* ICE controlling (a client that made the offer); default controlled, like a browser
     * answering the focus's offer. */
    gboolean controlling;
    /* The address ICE gathers on (NULL: 127.0.0.1). */
    const char *local_address;
} SimPeerOptions;

#define SIM_PEER_PLI_RING 8

typedef struct {
    guint64 rtp_received; /* authenticated RTP */
    guint64 rtp_bytes;
    guint32 last_ssrc;     /* SSRC of the last RTP packet received */
    guint64 ssrc_sum;      /* sum of the SSRCs of every RTP packet received (who sent what) */
    guint64 rtcp_received; /* authenticated RTCP compounds */
    guint64 sr_received, rr_received, pli_received, fir_received, nack_received;
    /* media SSRC of the PLIs received, the n-th (from 0) at [n % SIM_PEER_PLI_RING] */
    guint32 pli_ssrcs[SIM_PEER_PLI_RING];
    guint32 rr_last_ssrc_reported; /* media SSRC of the last report block received */
    guint32 rr_last_ext_seq;
    guint64 unprotect_failures;
    /* transport-cc feedback (RTPFB 15) received and parsed */
    guint64 tcc_feedback_received, tcc_feedback_malformed;
    guint32 tcc_last_sender_ssrc, tcc_last_media_ssrc;
    guint8 tcc_last_fb_count;
    guint64 tcc_fb_count_gaps; /* feedback packet count not previous + 1 */
} SimPeerStats;

/* sim_peer_tcc_report(): never mentioned in any feedback received. */
#define SIM_PEER_TCC_UNREPORTED G_GINT64_CONSTANT(-2)

/* (transfer full). @options NULL: the defaults. Starts gathering at once on @ctx;
 * aborts the test when libnice gathers nothing or OpenSSL fails. */
SimPeer *sim_peer_new(GMainContext *ctx, const char *name, const SimPeerOptions *options);
void sim_peer_free(SimPeer *p);

/* TRUE once local candidates are known. */
gboolean sim_peer_gathered(SimPeer *p);
/* The peer's transport as a client would answer (setup "active", sha-256 fingerprint, host
 * candidates, rtcp-mux); @out must be initialised (earlier strings are replaced). */
void sim_peer_get_transport(SimPeer *p, PaTransport *out);
/* The bridge's transport (ufrag, pwd, candidates, fingerprint): ICE checks and, once ICE is
 * connected, the DTLS handshake start. The peer is the DTLS client unless the remote setup is
 * "active" (then it waits for the remote's handshake). */
void sim_peer_set_remote(SimPeer *p, const PaTransport *bridge);
/* TRUE once ICE is connected and DTLS done (SRTP keys exist). */
gboolean sim_peer_connected(SimPeer *p);
gboolean sim_peer_failed(SimPeer *p);
/* TRUE once the bridge closed DTLS (close_notify received). */
gboolean sim_peer_dtls_closed(SimPeer *p);
/* The SRTP profile DTLS negotiated (after sim_peer_connected()). */
BridgeSrtpProfile sim_peer_srtp_profile(SimPeer *p);

/* ---- media through libnice ---- */

/* From now on sim_peer_send_rtp() adds a transport-cc sequence number (extension @id,
 * starting at @first_seq, one per packet sent) as a browser does, and, with track_tcc,
 * remembers when each one was sent. */
void sim_peer_enable_tcc(SimPeer *p, guint8 id, guint16 first_seq);
/* Consumes @n transport-cc sequence numbers without sending (packets lost on the way). */
void sim_peer_tcc_skip(SimPeer *p, guint16 n);
/* (track_tcc) What the feedback received said about @seq: its arrival time at the bridge
 * (microseconds modulo 2^24 x 64 ms, the bridge's monotonic clock, which is this process's),
 * or PA_TCC_NOT_RECEIVED (-1), or SIM_PEER_TCC_UNREPORTED. */
gint64 sim_peer_tcc_report(SimPeer *p, guint16 seq);
/* (track_tcc) g_get_monotonic_time() when @seq was sent (-1 if never sent). */
gint64 sim_peer_tcc_sent_us(SimPeer *p, guint16 seq);

/* Builds, protects and sends an RTP packet of @payload_len bytes (audio-level extension id 1
 * when @audio_level >= 0, transport-cc when enabled). Returns FALSE if not connected. */
gboolean sim_peer_send_rtp(SimPeer *p, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
                           gsize payload_len, int audio_level);
/* The same with the header extension elements @elems (one-byte form unless @two_byte); the
 * payload is the same pattern: byte i is (guint8)(seq + i). */
gboolean sim_peer_send_rtp_ext(SimPeer *p, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
                               gsize payload_len, const PaHdrextWrite *elems, guint n_elems,
                               gboolean two_byte);
/* The same with a raw extension block (@block_len a multiple of 4, any content) and profile. */
gboolean sim_peer_send_rtp_block(SimPeer *p, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
                                 gsize payload_len, const guint8 *block, gsize block_len,
                                 guint16 profile);
/* Protects and sends a clear RTP packet built by the caller (a codec's payload descriptor,
 * e.g. a simulated VP8 simulcast encoding). */
gboolean sim_peer_send_rtp_packet(SimPeer *p, const guint8 *pkt, gsize len);
/* Calls @fn with every RTP packet received (after SRTP unprotect), on the peer's context. */
typedef void (*SimPeerRtpFunc)(const guint8 *pkt, gsize len, gpointer data);
void sim_peer_set_rtp_handler(SimPeer *p, SimPeerRtpFunc fn, gpointer data);
/* Protects and sends a clear RTCP compound. */
gboolean sim_peer_send_rtcp(SimPeer *p, const guint8 *pkt, gsize len);
/* Sends @len raw bytes on the selected pair, unprotected (garbage, replays). */
gboolean sim_peer_send_raw(SimPeer *p, const guint8 *data, gsize len);
/* The last protected RTP datagram sent (for replay tests) (transfer none). */
const guint8 *sim_peer_last_sent(SimPeer *p, gsize *len);
/* The last RTP packet received, after SRTP unprotect (transfer none; len 0 before any). */
const guint8 *sim_peer_last_received(SimPeer *p, gsize *len);
/* The bridge's (remote) UDP port of the selected pair (0 if none). */
guint16 sim_peer_remote_port(SimPeer *p);

void sim_peer_get_stats(SimPeer *p, SimPeerStats *out);

/* ---- media on the raw socket (benchmarks) ---- */

typedef struct {
    int fd;                       /* the selected pair's local socket (not owned) */
    struct sockaddr_storage peer; /* the bridge's address on that pair */
    socklen_t peer_len;
    BridgeSrtp *tx; /* protect only (sending thread) */
    BridgeSrtp *rx; /* unprotect only (receiving thread) */
} SimPeerWire;

/* After sim_peer_connected(): stops using libnice for media and fills @out (valid until
 * sim_peer_free). libnice no longer reads the socket (its timers may still run on the peer's
 * GMainContext). FALSE if the selected pair or its socket cannot be found. */
gboolean sim_peer_take_over(SimPeer *p, SimPeerWire *out);

/* A STUN datagram received on the socket after take-over: answers a valid binding request
 * (short-term credentials, this peer's ICE password) with a success response. Returns TRUE
 * if a response was sent. Receiving thread only. */
gboolean sim_peer_answer_stun(SimPeer *p, const guint8 *buf, gsize len,
                              const struct sockaddr_storage *from, socklen_t from_len);

/* ---- the wire on one thread (tests of the bridge's ICE after take-over) ---- */

/* What sim_peer_wire_poll() saw. */
typedef struct {
    guint64 rtp, rtcp;       /* authenticated, from the bridge */
    guint64 bad;             /* failed SRTP */
    guint32 last_ssrc;       /* of the last RTP packet */
    guint64 pli;             /* PLIs among the RTCP */
    guint64 checks_answered; /* the bridge's checks this peer answered */
    guint64 responses_ok;    /* success responses to this peer's checks */
    guint64 responses_error; /* error responses to them */
    int last_error;          /* ERROR-CODE of the last error response (401, 400, ...) */
    guint64 other;           /* anything else */
} SimPeerWireStats;

/* Moves the wire to a new local socket on 127.0.0.1 (what a NAT that rebinds the peer's port
 * looks like to the bridge); the old one stays open and unused. */
gboolean sim_peer_rebind(SimPeer *p);
/* The wire's local UDP port. */
guint16 sim_peer_wire_port(SimPeer *p);
/* Sends a connectivity check on the wire as a browser does: USERNAME "@ufrag:<own ufrag>",
 * MESSAGE-INTEGRITY with @pwd (the bridge's credentials, or others' for refusal tests),
 * ICE-CONTROLLING (@controlling, with USE-CANDIDATE when @nominate) or ICE-CONTROLLED,
 * PRIORITY, FINGERPRINT. */
gboolean sim_peer_wire_check(SimPeer *p, const char *ufrag, const char *pwd, gboolean controlling,
                             gboolean nominate);
/* Protects and sends RTP on the wire (payload as sim_peer_send_rtp's, no extensions). */
gboolean sim_peer_wire_send_rtp(SimPeer *p, guint32 ssrc, guint8 pt, guint16 seq, guint32 ts,
                                gsize payload_len);
/* Reads the wire for @ms: answers the bridge's checks, counts responses to ours and what
 * arrives. */
void sim_peer_wire_poll(SimPeer *p, guint ms);
void sim_peer_wire_stats(SimPeer *p, SimPeerWireStats *out);

G_END_DECLS
