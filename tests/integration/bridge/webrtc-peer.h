/* SPDX-License-Identifier: MIT */
/* A real WebRTC endpoint for bridge tests, built on GStreamer's webrtcbin (Debian 12: 1.22).
 *
 * It sends a videotestsrc stream as VP8 (PT 100) and an audiotestsrc stream as Opus (PT 111)
 * over one bundled, rtcp-muxed ICE/DTLS-SRTP transport, and decodes whatever it receives,
 * counting decoded video frames and decoded audio buffers.
 *
 * Signalling follows Parley's model: the bridge is the offerer. webrtc_peer_accept_offer()
 * turns the bridge's transport (ufrag, pwd, candidates, fingerprint; the bridge is
 * ICE-controlling and offers DTLS "actpass") plus the SSRCs the peer will receive into an SDP
 * offer, sets it as the remote description, creates the answer (webrtcbin answers DTLS
 * "active") and sets it as the local description. The peer's own transport (ufrag, pwd,
 * fingerprint, candidates gathered on 127.0.0.1) is then available for the bridge.
 *
 * Threads: the functions are called from one test thread; GStreamer runs its own streaming
 * threads, and the counters they update are atomics. */
#pragma once

#include <glib.h>

#include "common/transport.h"

G_BEGIN_DECLS

typedef struct _WebrtcPeer WebrtcPeer;

/* FALSE with a reason (transfer full) when GStreamer, webrtcbin, the nice plugin or a codec
 * element is missing: the caller skips (exit 77). Calls gst_init(). */
gboolean webrtc_peer_available(char **reason);

/* Builds the pipeline and sets it PLAYING. NULL with @error on failure. (transfer full) */
WebrtcPeer *webrtc_peer_new(const char *name, GError **error);

/* The sdes:mid header extension (Jicofo's default id). */
#define WEBRTC_PEER_MID_ID 10
#define WEBRTC_PEER_MID_URI "urn:ietf:params:rtp-hdrext:sdes:mid"
/* With @send_mid, every RTP packet the peer sends carries sdes:mid (audio "0", video "1": its
 * m-lines' MIDs, id WEBRTC_PEER_MID_ID) and the offer it accepts negotiates it, as a browser's
 * first packets do. Needs webrtc-peer.c compiled with WEBRTC_PEER_HAVE_GST_RTP (and linked
 * with gstreamer-rtp-1.0); otherwise @send_mid fails with G_IO_ERROR_NOT_SUPPORTED. */
WebrtcPeer *webrtc_peer_new_full(const char *name, gboolean send_mid, GError **error);
void webrtc_peer_free(WebrtcPeer *p);

/* The SSRCs this peer sends. */
guint32 webrtc_peer_audio_ssrc(WebrtcPeer *p);
guint32 webrtc_peer_video_ssrc(WebrtcPeer *p);

/* See the header comment. @remote_*_ssrc are the SSRCs the bridge will forward to this peer
 * (0 = none of that kind). */
gboolean webrtc_peer_accept_offer(WebrtcPeer *p, const PaTransport *bridge,
                                  guint32 remote_audio_ssrc, guint32 remote_video_ssrc,
                                  GError **error);

/* TRUE once ICE gathering finished (after accept_offer). */
gboolean webrtc_peer_gathering_done(WebrtcPeer *p);
/* ufrag, pwd, fingerprint (sha-256), setup "active", rtcp-mux and the gathered candidates.
 * @out must be initialised. */
void webrtc_peer_get_transport(WebrtcPeer *p, PaTransport *out);

/* webrtcbin's ICE connection state is connected or completed. */
gboolean webrtc_peer_ice_connected(WebrtcPeer *p);

guint64 webrtc_peer_frames_decoded(WebrtcPeer *p); /* VP8 frames out of vp8dec */
guint64 webrtc_peer_audio_buffers(WebrtcPeer *p);  /* buffers out of opusdec */

/* RTP packets webrtcbin delivered (after SRTP, before depayloading): all of them, those with
 * a header extension block, and those still carrying an sdes:mid element. */
void webrtc_peer_rtp_received(WebrtcPeer *p, guint64 *packets, guint64 *with_ext,
                              guint64 *with_mid);

/* Sends @len raw bytes on the peer's selected ICE pair (garbage or replays toward the
 * bridge, through the one address the bridge has validated). FALSE if not connected. */
gboolean webrtc_peer_send_raw(WebrtcPeer *p, const guint8 *data, gsize len);

/* The local and remote UDP ports of the selected pair (0 when none). */
void webrtc_peer_selected_ports(WebrtcPeer *p, guint16 *local, guint16 *remote);

/* ---- two peers talking through the bridge (the test thread) ---- */

/* TRUE once both peers of @pair (a WebrtcPeer *[2]) finished gathering; usable as a wait
 * condition with @pair as its data. */
gboolean webrtc_pair_gathered(gpointer pair);

/* How the caller waits: pumps what it needs until @cond(@data) holds (TRUE) or @ms passed. */
typedef gboolean (*WebrtcPairWaitFn)(gboolean (*cond)(gpointer), gpointer data, guint ms);

/* Waits with @wait until each peer of @pair decoded @frames more video frames and @audio more
 * audio buffers than now, then reports each peer's counts (named @names) with g_test_message.
 * FALSE when that did not happen within @ms. */
gboolean webrtc_pair_wait_media(WebrtcPeer *const pair[2], const char *const names[2], guint frames,
                                guint audio, guint ms, WebrtcPairWaitFn wait);

G_END_DECLS
