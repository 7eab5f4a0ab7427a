/* SPDX-License-Identifier: MIT */
/* Test fixture: a BridgeDtls wired to an independent TestPeer (peer.h) through in-memory
 * datagram queues, plus helpers shared by the DTLS test programs. Single-threaded. */
#pragma once

#include "bridge/dtls/dtls.h"
#include "peer.h"

typedef struct {
    BridgeDtlsCert *cert;
    BridgeDtls *bridge;
    TestPeer *peer;
    GQueue to_peer; /* GBytes the bridge sent */
    guint sent;
} Fixture;

/* The fixture's BridgeDtlsSendFunc (@user_data: the Fixture): queues for the peer. */
void fixture_send(const guint8 *data, gsize len, gpointer user_data);
/* Bridge in @role; the peer takes the other role and offers @peer_profiles (NULL: no SRTP).
 * Every datagram the bridge sends is checked against BRIDGE_DTLS_MTU. */
Fixture *fixture_new(BridgeDtlsRole role, const char *peer_profiles);
void fixture_free(Fixture *f);
/* Delivers every queued bridge datagram to the peer. */
void deliver_to_peer(Fixture *f);
/* What the peer wrote since last time (one datagram), or NULL. */
GBytes *take_peer_output(Fixture *f);
void feed_bridge(Fixture *f, GBytes *b);
/* Moves datagrams both ways until both sides are quiet. */
void pump(Fixture *f);
/* bridge_dtls_start(), and the peer's ClientHello when the peer is the client. */
void start(Fixture *f);
/* Feeds one datagram and checks the returned state is consistent (a reason when FAILED). */
void feed(BridgeDtls *d, const guint8 *p, gsize len);
/* The peer saw the bridge's certificate: its SHA-256 fingerprint and an ECDSA P-256 key. */
void assert_peer_cert_is_bridge(Fixture *f);
/* Bridge (BridgeSrtp with @k) and peer (its own libsrtp sessions, set up already) exchange
 * RTP and RTCP both ways. */
void assert_media_flows(Fixture *f, const BridgeSrtpKeys *k);
