/* SPDX-License-Identifier: MIT */
/* The forwarding floor (docs: performance.md, "How Parley measures itself"): the least work
 * an SFU must do per forwarded packet, on one thread and with nothing else: SRTP unprotect
 * once per incoming packet, then per receiver copy + SRTP protect with the receiver's context,
 * and sendmmsg over loopback UDP, for the same packet mix bridge-load sends (bench-util.h).
 * The figure is the forwarding thread's own CPU time (CLOCK_THREAD_CPUTIME_ID) divided by the
 * packets it forwarded.
 *
 * Variants, to tell structural costs from a bridge's own overhead:
 * - input from memory (a pool of protected packets; the timed loop does no receive), or from
 *   a UDP socket fed by another thread (the timed loop includes poll + recvmmsg, as a bridge
 *   worker's does);
 * - one sending socket with one sendmmsg of R datagrams per incoming packet (what a bridge
 *   with a single media port does), or one socket per receiver with one sendmmsg each (the
 *   layout of a bridge that gives each endpoint its own ICE port, as Parley did before);
 * - socket input as fast as the forwarder takes it (batches of 16+ packets), or paced: every
 *   participant's packets leave the feeder at their real-time due instants (an audio packet,
 *   a video frame's packets back to back), as bridge-load sends them. Paced, the forwarder
 *   sleeps in poll between packets and wakes for each burst, and the receivers' drain thread
 *   sleeps too (each send wakes it): the structural cost of forwarding at real meeting rates
 *   that any forwarder pays, which the unpaced variants leave out.
 * Receivers are R UDP sockets drained by a helper thread; helper threads' CPU is not counted.
 *
 * Threads: bench_floor_run() runs the forwarding loop on the calling thread and starts and
 * joins its helpers (drain, and feed in socket mode) itself. */
#pragma once

#include <glib.h>

#include "bridge/srtp/srtp.h"

G_BEGIN_DECLS

typedef struct {
    guint receivers;  /* fan-out R, >= 1 */
    guint senders;    /* participants whose packets are interleaved in the input
                       * (each with its own SSRCs and key; 0 = 1). Every receiver leg
                       * then protects 2 x senders SSRCs, as in a conference of that
                       * size: libsrtp's per-SSRC stream lookup grows with it */
    double seconds;   /* wall time of the timed loop */
    guint video_kbps; /* packet mix (0: audio only) */
    BridgeSrtpProfile profile;
    gboolean socket_per_receiver;
    gboolean input_from_socket;
    gboolean paced; /* with input_from_socket: real-time pacing (see above) */
} BenchFloorConfig;

typedef struct {
    guint64 inputs;      /* packets unprotected */
    guint64 forwarded;   /* datagrams the kernel accepted */
    guint64 send_errors; /* datagrams it refused */
    guint64 cpu_ns;      /* forwarding thread's CPU time in the timed loop */
    double wall_s;
    double us_per_forwarded;
    double us_per_input;
} BenchFloorResult;

/* Runs one variant. FALSE with a message in @error when sockets or SRTP cannot be set up. */
gboolean bench_floor_run(const BenchFloorConfig *config, BenchFloorResult *out, GError **error);

/* Short name of a variant for tables: "mem/1sock", "recv/sock-per-rx", ... (static). */
const char *bench_floor_variant_name(const BenchFloorConfig *config);

G_END_DECLS
