/* SPDX-License-Identifier: MIT */
/* A bounded multi-producer single-consumer ring of fixed-size slots: each media worker's
 * inbox. The control thread posts control messages into it and the other workers post the
 * packets they fan out to this worker's endpoints (and feedback for their senders); the
 * worker alone takes them out, in order. All slots are allocated when the ring is made;
 * posting and taking allocate nothing and take no lock (C11 atomics only: a compare-and-swap
 * among producers to claim a slot, then a per-slot sequence number that publishes it).
 *
 * Threads: any number of producer threads call reserve/commit; exactly one consumer thread
 * calls peek/release. bridge_ring_commit() tells a producer whether the consumer may be asleep
 * (it has taken everything before this slot), so the producer signals the consumer's eventfd
 * only then, not per packet. */
#pragma once

#include <glib.h>

#include "bridge/media/flows.h"
#include "bridge/media/handles.h"

G_BEGIN_DECLS

#define BRIDGE_PKT_MAX 1500    /* largest datagram the media plane handles; larger: malformed */
#define BRIDGE_RING_TAG_MAX 64 /* room after a packet for its layer information */

typedef enum {
    BRIDGE_RING_RTP = 1,  /* clear RTP to fan out to the conference's local receivers */
    BRIDGE_RING_RTCP_FWD, /* clear RTCP (sender report) to fan out likewise */
    BRIDGE_RING_FEEDBACK, /* PLI/FIR/NACK for the local sender of @ssrc; data is the NACK's
                           * FCI (empty for PLI/FIR) */
    BRIDGE_RING_CONTROL,  /* a control message from the control thread; data holds it
                           * (media-priv.h: BridgeMsg) */
    BRIDGE_RING_INPUT,    /* a datagram another worker read from the media port for a flow
                           * of this worker: @addr is its source, @aux the local socket */
    BRIDGE_RING_FLOW,     /* another worker's flow table changed: @addr belongs to worker
                           * @aux from now on (@ssrc 1), or no longer (@ssrc 0) */
    BRIDGE_RING_KEYFRAME, /* a receiver of conference @conf has just connected: ask this
                           * worker's video senders there for a keyframe */
} BridgeRingKind;

typedef struct {
    guint64 rest;      /* FEEDBACK: workers still to ask if this one has no owner */
    BridgeHandle conf; /* the conference's handle */
    guint32 ssrc;      /* FEEDBACK: media SSRC the request is for */
    guint16 len;       /* bytes used in data */
    guint8 kind;       /* BridgeRingKind */
    guint8 aux;        /* FEEDBACK: BridgeFeedbackType; INPUT: socket; FLOW: worker */
    BridgeAddr addr;   /* INPUT, FLOW */
    /* RTP/RTCP_FWD: with @aux 1, a video tag (media-priv.h) follows the packet */
    _Alignas(8) guint8 data[BRIDGE_PKT_MAX + BRIDGE_RING_TAG_MAX];
} BridgeRingSlot;

typedef struct _BridgeRing BridgeRing;

/* @slots is rounded up to a power of two (at least 2). (transfer full) */
BridgeRing *bridge_ring_new(guint slots);
void bridge_ring_free(BridgeRing *r);
guint bridge_ring_capacity(const BridgeRing *r);

/* Producer: claims a free slot to fill and stores its position in *@pos, or returns NULL
 * when the ring is full (a worker then drops and counts; the control thread waits). */
BridgeRingSlot *bridge_ring_reserve(BridgeRing *r, guint32 *pos);
/* Producer: publishes the slot claimed at @pos. Returns TRUE when the consumer had taken
 * every slot before it, i.e. it may be waiting and must be woken. */
gboolean bridge_ring_commit(BridgeRing *r, guint32 pos);

/* Consumer: the oldest published slot, or NULL when there is none (empty, or the next slot's
 * producer has not committed yet: its commit wakes the consumer). */
const BridgeRingSlot *bridge_ring_peek(BridgeRing *r);
/* Consumer: frees the slot returned by the last peek. */
void bridge_ring_release(BridgeRing *r);

G_END_DECLS
