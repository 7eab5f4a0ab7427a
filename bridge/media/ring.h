/* SPDX-License-Identifier: MIT */
/* A bounded single-producer single-consumer ring of fixed-size packet slots, used for the
 * fan-out of clear packets from one media worker to another. All slots are allocated when the
 * ring is made; push and pop allocate nothing and take no lock (C11 atomics only).
 *
 * Threads: exactly one producer thread calls reserve/commit, exactly one consumer thread calls
 * peek/release. bridge_ring_commit() tells the producer whether the consumer may be asleep
 * (the ring was empty), so the producer signals its eventfd only then, not per packet. */
#pragma once

#include <glib.h>

#include "bridge/media/handles.h"

G_BEGIN_DECLS

#define BRIDGE_PKT_MAX 1500 /* largest datagram the media plane handles; larger: malformed */

typedef enum {
    BRIDGE_RING_RTP = 1,      /* clear RTP to fan out to the conference's local receivers */
    BRIDGE_RING_RTCP_FWD,     /* clear RTCP (sender report) to fan out likewise */
    BRIDGE_RING_FEEDBACK,     /* PLI/FIR/NACK for the owner of @ssrc; data = BridgeFeedback */
} BridgeRingKind;

typedef struct {
    guint64 rest;      /* FEEDBACK: workers still to ask if this one has no owner */
    BridgeHandle conf; /* the conference's handle */
    guint32 ssrc;      /* FEEDBACK: media SSRC the request is for */
    guint16 len;       /* bytes used in data */
    guint8 kind;       /* BridgeRingKind */
    guint8 aux;        /* FEEDBACK: BridgeFeedbackType */
    guint8 data[BRIDGE_PKT_MAX];
} BridgeRingSlot;

typedef struct _BridgeRing BridgeRing;

/* @slots is rounded up to a power of two (at least 2). (transfer full) */
BridgeRing *bridge_ring_new(guint slots);
void bridge_ring_free(BridgeRing *r);
guint bridge_ring_capacity(const BridgeRing *r);

/* Producer: a free slot to fill, or NULL when the ring is full (the caller drops and counts). */
BridgeRingSlot *bridge_ring_reserve(BridgeRing *r);
/* Producer: publishes the reserved slot. Returns TRUE when the ring was empty before, i.e. the
 * consumer may be waiting and must be woken. */
gboolean bridge_ring_commit(BridgeRing *r);

/* Consumer: the oldest published slot, or NULL when empty. */
const BridgeRingSlot *bridge_ring_peek(BridgeRing *r);
/* Consumer: frees the slot returned by the last peek. */
void bridge_ring_release(BridgeRing *r);

G_END_DECLS
