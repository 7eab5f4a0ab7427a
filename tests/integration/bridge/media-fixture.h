/* SPDX-License-Identifier: MIT */
/* The in-process test bed of the media-plane tests (test-media-*.c): a BridgeMedia on real
 * loopback sockets and simulated clients (tests/lib/c/sim-peer.h) in one process, each test
 * under tests/netns-run.sh. The fixture plays the control thread: it gives conferences and
 * endpoints their handles, records what the media plane reports about each endpoint, and
 * pumps the test thread's GMainContext (the peers' and the media plane's callbacks) while it
 * waits, with generous deadlines.
 *
 * Thread: the test's main thread (the default GMainContext). */
#pragma once

#include <glib.h>

#include "bridge/media/media.h"
#include "tests/lib/c/sim-peer.h"

G_BEGIN_DECLS

#define MF_MAX_EPS 24

typedef struct {
    char *name; /* endpoint id */
    BridgeHandle handle;
    PaTransport local; /* the bridge's side, once ready */
    gboolean ready, connected;
    int failed, timeouts;
    char *error; /* creation failure */
} MfEp;

typedef struct {
    GMainContext *ctx;
    BridgeMedia *media;
    MfEp eps[MF_MAX_EPS];
    guint n_eps;
    SimPeer *peers[MF_MAX_EPS];  /* peers[i] is the client of eps[i] (NULL: none) */
    char *confs[MF_MAX_EPS];     /* conference names; the handle of confs[i] is i + 1 */
    SimPeerOptions peer_options; /* for the peers mf_connect_two() makes */
    guint16 seq_a, seq_b;        /* next RTP sequence numbers of peers 0 and 1 */
    guint pace_every;            /* mf_send_rounds(): sleep 1 ms after this many rounds */
    guint others_ready;          /* ready reports for endpoints made without mf_create() */
} MediaFixture;

/* The fixture's media port. */
#define MF_PORT 42000

/* Starts a media plane with @workers workers, 127.0.0.1, media port MF_PORT, the given
 * timeouts and conference_pack 1 (endpoints spread over the workers). */
void mf_start(MediaFixture *f, guint workers, guint ice_timeout_s, guint media_timeout_s);
/* The same with a whole config; the fixture's callbacks report to @f. */
void mf_start_config(MediaFixture *f, const BridgeMediaConfig *cfg);
/* Frees the media plane (if still there) and every peer. */
void mf_free(MediaFixture *f);

/* Creates endpoint @ep in conference @conf (handles made by the fixture). */
MfEp *mf_create(MediaFixture *f, const char *conf, const char *ep);
MfEp *mf_ep(MediaFixture *f, const char *ep);
BridgeHandle mf_handle(MediaFixture *f, const char *ep);

/* Pumps until @cond(@f) or @timeout_ms passed. */
void mf_pump_until(MediaFixture *f, gboolean (*cond)(MediaFixture *), guint timeout_ms);
void mf_pump_for(MediaFixture *f, guint ms);
gboolean mf_all_ready(MediaFixture *f);

/* Creates endpoints a and b in conference "room1", connects a simulated client to each
 * (f->peer_options), announces their SSRCs (a: 0xA0 audio, 0xA1 video; b: 0xB0, 0xB1), and
 * asserts that both connect. */
void mf_connect_two(MediaFixture *f);
/* Gives endpoints @first .. @first + @n - 1 (created and ready) a simulated client each and
 * exchanges transports both ways; returns once every one of them is connected on both sides
 * (asserts it within a generous deadline). */
void mf_connect_range(MediaFixture *f, guint first, guint n);

/* @n rounds of one audio (80 bytes) and one video (1000 bytes) packet from each of peers 0
 * and 1, paced a little, then waits until both received everything or nothing arrived for a
 * second. */
void mf_send_rounds(MediaFixture *f, guint n);

G_END_DECLS
