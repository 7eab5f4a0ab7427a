/* SPDX-License-Identifier: MIT */
/* Transport-wide congestion control, receive side of one sender leg: what the bridge saw of
 * an endpoint's transport-cc sequence numbers (draft-holmer-rmcat-transport-wide-cc-
 * extensions-01) and the feedback it owes that endpoint, so the browser's send-side bandwidth
 * estimation (GCC) has the delays and losses it needs.
 *
 * Threads and ownership: a BridgeTccRecv lives inside its BridgeEndpoint and is touched only by
 * the endpoint's worker: record() per RTP packet, build() on the worker tick (every 50 ms).
 * Everything is preallocated: a ring of BRIDGE_TCC_RING (sequence -> arrival time) slots;
 * record() and build() allocate nothing, lock nothing and log nothing. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Slots in the ring: the most packets one feedback interval can report (20k packets/s at
 * 50 ms). A power of two. */
#define BRIDGE_TCC_RING 1024
/* Feedback packet size limit before SRTCP (index + tag) is added: stays well inside any MTU. */
#define BRIDGE_TCC_MAX_PACKET 1100

typedef struct {
    guint32 ext[BRIDGE_TCC_RING]; /* extended sequence stored in each slot */
    gint64 arrival_us[BRIDGE_TCC_RING];
    gboolean started;
    guint32 next;       /* extended sequence of the first status not reported yet */
    guint32 highest;    /* highest extended sequence received */
    guint8 fb_count;    /* feedback packet count of the next packet */
    guint32 media_ssrc; /* SSRC of the last packet with a transport-cc sequence (a local SSRC
                         * of the sender: libwebrtc ignores feedback about any other SSRC) */
    /* Counters (worker-written, for tests and metrics). */
    guint64 late; /* arrived after their sequence number was already reported */
    guint64 duplicates;
    guint64 skipped; /* sequence numbers never reported because the ring overflowed */
} BridgeTccRecv;

/* Called once per built feedback packet (clear RTCP, @len bytes). */
typedef void (*BridgeTccEmitFunc)(const guint8 *pkt, gsize len, gpointer user_data);

void bridge_tcc_recv_init(BridgeTccRecv *r);

/* Notes that the RTP packet with transport-wide sequence @seq (SSRC @ssrc) arrived at @now_us
 * (monotonic, >= 0). Wrap-aware; reordered packets are fine until their sequence number has
 * been reported (then counted as late and dropped: the feedback already said "not received"). */
void bridge_tcc_recv_record(BridgeTccRecv *r, guint16 seq, guint32 ssrc, gint64 now_us);

/* Builds the feedback for every sequence number from the last feedback's end to the highest
 * received one (missing ones as "not received"), in as many packets as BRIDGE_TCC_MAX_PACKET
 * and the delta range need, each handed to @emit. @scratch holds BRIDGE_TCC_RING entries (the
 * worker's). Returns the number of packets built (0 when nothing new arrived). */
guint bridge_tcc_recv_build(BridgeTccRecv *r, guint32 sender_ssrc, gint64 *scratch,
                            BridgeTccEmitFunc emit, gpointer user_data);

G_END_DECLS
