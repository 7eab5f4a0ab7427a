/* SPDX-License-Identifier: MIT */
/* A minimal WebRTC-like client for media-plane tests, built from the same real pieces a
 * browser uses: a libnice agent (controlled, 127.0.0.1 only), DTLS as the client ("active"),
 * SRTP with the exported keys. It sends synthetic RTP/RTCP and counts what it receives, so a
 * test can drive the bridge's media plane without GStreamer or a browser.
 *
 * Threads: everything runs on the GMainContext given at creation (the test's thread). */
#pragma once

#include <glib.h>

#include "common/rtp/hdrext.h"
#include "common/transport.h"

G_BEGIN_DECLS

typedef struct _MediaSimPeer MediaSimPeer;

typedef struct {
    guint64 rtp_received;       /* authenticated RTP */
    guint64 rtp_bytes;
    guint32 last_ssrc;          /* SSRC of the last RTP packet received */
    guint64 rtcp_received;      /* authenticated RTCP compounds */
    guint64 sr_received, rr_received, pli_received, fir_received, nack_received;
    guint32 rr_last_ssrc_reported; /* media SSRC of the last report block received */
    guint32 rr_last_ext_seq;
    guint64 unprotect_failures;
    /* transport-cc feedback (RTPFB 15) received and parsed */
    guint64 tcc_feedback_received, tcc_feedback_malformed;
    guint32 tcc_last_sender_ssrc, tcc_last_media_ssrc;
    guint8 tcc_last_fb_count;
    guint64 tcc_fb_count_gaps; /* feedback packet count not previous + 1 */
} MediaSimPeerStats;

/* media_sim_peer_tcc_report(): never mentioned in any feedback received. */
#define MEDIA_SIM_TCC_UNREPORTED G_GINT64_CONSTANT(-2)

/* (transfer full). Starts gathering at once on @ctx. */
MediaSimPeer *media_sim_peer_new(GMainContext *ctx, const char *name);
void media_sim_peer_free(MediaSimPeer *p);

/* TRUE once local candidates are known. */
gboolean media_sim_peer_gathered(MediaSimPeer *p);
/* The peer's transport as a client would answer (setup "active"); @out must be initialised. */
void media_sim_peer_get_transport(MediaSimPeer *p, PaTransport *out);
/* The bridge's transport (ufrag, pwd, candidates, fingerprint). */
void media_sim_peer_set_remote(MediaSimPeer *p, const PaTransport *bridge);
/* TRUE once ICE is connected and DTLS done. */
gboolean media_sim_peer_connected(MediaSimPeer *p);
gboolean media_sim_peer_failed(MediaSimPeer *p);
/* TRUE once the bridge closed DTLS (close_notify received). */
gboolean media_sim_peer_dtls_closed(MediaSimPeer *p);

/* From now on media_sim_peer_send_rtp() adds a transport-cc sequence number (extension @id,
 * starting at @first_seq, one per packet sent) as a browser does, and remembers when each one
 * was sent. */
void media_sim_peer_enable_tcc(MediaSimPeer *p, guint8 id, guint16 first_seq);
/* Consumes @n transport-cc sequence numbers without sending (packets lost on the way). */
void media_sim_peer_tcc_skip(MediaSimPeer *p, guint16 n);
/* What the feedback received said about @seq: its arrival time at the bridge (microseconds
 * modulo 2^24 x 64 ms, the bridge's monotonic clock, which is this process's), or
 * PA_TCC_NOT_RECEIVED (-1), or MEDIA_SIM_TCC_UNREPORTED. */
gint64 media_sim_peer_tcc_report(MediaSimPeer *p, guint16 seq);
/* g_get_monotonic_time() when @seq was sent (-1 if never sent). */
gint64 media_sim_peer_tcc_sent_us(MediaSimPeer *p, guint16 seq);

/* Builds, protects and sends an RTP packet of @payload_len bytes (audio-level extension id 1
 * when @audio_level >= 0, transport-cc when enabled). Returns FALSE if not connected. */
gboolean media_sim_peer_send_rtp(MediaSimPeer *p, guint32 ssrc, guint8 pt, guint16 seq,
                                 guint32 ts, gsize payload_len, int audio_level);
/* The same with the header extension elements @elems (one-byte form unless @two_byte); the
 * payload is the same pattern: byte i is (guint8)(seq + i). */
gboolean media_sim_peer_send_rtp_ext(MediaSimPeer *p, guint32 ssrc, guint8 pt, guint16 seq,
                                     guint32 ts, gsize payload_len, const PaHdrextWrite *elems,
                                     guint n_elems, gboolean two_byte);
/* The same with a raw extension block (@block_len a multiple of 4, any content) and profile. */
gboolean media_sim_peer_send_rtp_block(MediaSimPeer *p, guint32 ssrc, guint8 pt, guint16 seq,
                                       guint32 ts, gsize payload_len, const guint8 *block,
                                       gsize block_len, guint16 profile);
/* Protects and sends a clear RTCP compound. */
gboolean media_sim_peer_send_rtcp(MediaSimPeer *p, const guint8 *pkt, gsize len);
/* Sends @len raw bytes on the selected pair, unprotected (garbage, replays). */
gboolean media_sim_peer_send_raw(MediaSimPeer *p, const guint8 *data, gsize len);
/* The last protected RTP datagram sent (for replay tests) (transfer none). */
const guint8 *media_sim_peer_last_sent(MediaSimPeer *p, gsize *len);
/* The last RTP packet received, after SRTP unprotect (transfer none; len 0 before any). */
const guint8 *media_sim_peer_last_received(MediaSimPeer *p, gsize *len);
/* The local UDP port of the selected pair (0 if none) and the bridge's (remote) port. */
guint16 media_sim_peer_remote_port(MediaSimPeer *p);

void media_sim_peer_get_stats(MediaSimPeer *p, MediaSimPeerStats *out);

G_END_DECLS
