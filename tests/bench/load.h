/* SPDX-License-Identifier: MIT */
/* The load generator of the forwarding benchmarks (bridge-load, sfu-load): N simulated
 * participants (tests/lib/c/sim-peer.h, already connected and taken over) that send the
 * benchmark's packet mix (bench-util.h) at real-time rates and receive what the SFU forwards
 * them, on two threads of their own:
 * - load-send owns every participant's schedule and tx leg; each packet is stamped with the
 *   send time, protected and sent on its own (so the stamp is that datagram's send time);
 * - load-recv owns every participant's rx leg and receive counters: it reads every wire
 *   (recvmmsg, kernel receive timestamps), answers the SFU's ICE checks, unprotects RTP and
 *   records latency and which sender's packets arrived.
 * A participant sends and receives on one wire (Parley: one transport per endpoint) or on two
 * (Janus VideoRoom: a publisher and a subscriber PeerConnection). Participants receive the
 * packets of the others of their conference (loss is counted against those).
 *
 * Threads: set-up and reports on the caller's thread; between load_start() and load_stop()
 * the two load threads own the participants; the caller reads only the atomics. */
#pragma once

#include <glib.h>
#include <stdatomic.h>

#include "bench-util.h"
#include "tests/lib/c/sim-peer.h"

G_BEGIN_DECLS

#define LOAD_MAX_PARTICIPANTS 128

typedef struct {
    char id[16];
    guint conference;           /* receives from the others of the same conference */
    SimPeer *tx_peer, *rx_peer; /* may be the same */
    SimPeerWire tx, rx;         /* filled by sim_peer_take_over */
    BenchSource src;
    /* load-send */
    guint64 sent[BENCH_N_KINDS];
    guint64 sent_enc[BENCH_MAX_ENCODINGS]; /* video packets per encoding */
    guint64 send_errors;
    /* load-recv */
    guint64 rx_rtp, rx_rtcp, rx_stun, rx_bad, rx_foreign;
    guint64 rx_bytes;               /* RTP datagrams' bytes as received (SRTP included) */
    guint64 rx_wrong_enc;           /* video of an encoding other than want_enc[sender] */
    guint64 (*from)[BENCH_N_KINDS]; /* [n]: received per sender and kind */
    /* Set before load_start: which video each sender should reach this participant with
     * (-1: every packet it sends, the default; 0..2: that encoding only; -2: none, paused).
     * Loss is counted against it. */
    gint8 *want_enc;
} LoadPart;

typedef struct {
    guint n, video_kbps;
    LoadPart *parts;
    atomic_bool stop_send, stop_recv;
    atomic_llong measure_from_ns, measure_to_ns; /* CLOCK_REALTIME window for latency */
    atomic_ullong received;                      /* RTP packets load-recv has read */
    GThread *tx_thread, *rx_thread;
    /* load-recv */
    BenchHist *hist[BENCH_N_KINDS];
    gint64 recv_cpu_ns;
    /* load-send */
    gint64 send_cpu_ns;
    guint64 send_late; /* times the sender woke more than 5 ms after a packet was due */
} Load;

typedef struct {
    double loss_mean_pct, loss_max_pct; /* over receivers, whole run */
    guint64 bad, stun, foreign, send_errors, sent, received;
    guint64 rx_bytes, wrong_enc; /* summed over receivers */
    GString *per_receiver;       /* " p00 0.000% ..." (owned) */
} LoadLoss;

void load_init(Load *l, guint n, guint video_kbps);
void load_clear(Load *l);
/* Sets receive buffers and kernel timestamps on every wire, starts both threads. */
void load_start(Load *l);
/* Latency is recorded for packets sent inside [from, to) (CLOCK_REALTIME ns). */
void load_window(Load *l, gint64 from_ns, gint64 to_ns);
/* Stops sending, lets what is in flight arrive (until nothing came for 300 ms, at most 10 s;
 * @pump, if not NULL, is called meanwhile with @data), stops receiving. */
void load_stop(Load *l, void (*pump)(gpointer data, double seconds), gpointer data);
guint64 load_received(Load *l);
void load_loss(Load *l, LoadLoss *out);
/* " n=... mean ... p50 ... p99 ... us" of a histogram, for reports. */
void load_print_hist(const char *what, const BenchHist *h);

G_END_DECLS
