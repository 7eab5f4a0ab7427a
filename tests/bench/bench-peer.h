/* SPDX-License-Identifier: MIT */
/* A lean simulated participant for the load benchmark: ICE (libnice, controlled, 127.0.0.1
 * only) and DTLS as the client ("active") with the bridge's own DTLS and SRTP code, the same
 * way tests/integration/bridge/media-sim-peer.c does it (the ICE set-up is shared:
 * tests/integration/bridge/sim-connect.h). Once connected, the benchmark takes
 * the selected pair's socket over (bench_peer_take_over): from then on libnice is never run
 * again for this peer, packets are sent and received on the raw socket by the load
 * generator's threads, and bench_peer_answer_stun() answers the bridge's ICE consent checks
 * (RFC 7675) so the pair stays alive for runs of any length.
 *
 * Threads: until take-over, everything runs on the GMainContext given at creation. After it,
 * BenchPeerWire's tx leg belongs to the sending thread and its rx leg and the STUN agent to
 * the receiving thread (two separate BridgeSrtp objects made from the same keys, so the two
 * threads share no SRTP state). */
#pragma once

#include <glib.h>
#include <sys/socket.h>

#include "bridge/srtp/srtp.h"
#include "common/transport.h"

G_BEGIN_DECLS

typedef struct _BenchPeer BenchPeer;

/* (transfer full). Starts gathering at once on @ctx. */
BenchPeer *bench_peer_new(GMainContext *ctx, const char *name);
void bench_peer_free(BenchPeer *p);

gboolean bench_peer_gathered(BenchPeer *p);
/* This peer's transport as a client would answer (setup "active"); @out must be initialised. */
void bench_peer_get_transport(BenchPeer *p, PaTransport *out);
/* The bridge's transport (ufrag, pwd, candidates, fingerprint). */
void bench_peer_set_remote(BenchPeer *p, const PaTransport *bridge);
/* TRUE once ICE is connected and DTLS done (SRTP keys exist). */
gboolean bench_peer_connected(BenchPeer *p);
gboolean bench_peer_failed(BenchPeer *p);

typedef struct {
    int fd;                       /* the selected pair's local socket (not owned) */
    struct sockaddr_storage peer; /* the bridge's address on that pair */
    socklen_t peer_len;
    BridgeSrtp *tx; /* protect only (sending thread) */
    BridgeSrtp *rx; /* unprotect only (receiving thread) */
} BenchPeerWire;

/* After bench_peer_connected(): stops using libnice for media and fills @out (valid until
 * bench_peer_free). The caller must no longer iterate the peer's GMainContext while it uses
 * the socket. FALSE if the selected pair or its socket cannot be found. */
gboolean bench_peer_take_over(BenchPeer *p, BenchPeerWire *out);

/* A STUN datagram received on the socket after take-over: answers a valid binding request
 * (short-term credentials, this peer's ICE password) with a success response. Returns TRUE
 * if a response was sent. Receiving thread only. */
gboolean bench_peer_answer_stun(BenchPeer *p, const guint8 *buf, gsize len,
                                const struct sockaddr_storage *from, socklen_t from_len);

G_END_DECLS
