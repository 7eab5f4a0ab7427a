/* SPDX-License-Identifier: MIT */
/* ICE on the bridge's single media port, with libnice's STUN codec (stun/stunagent.h,
 * stun/usages/ice.h) and no ICE agent: the bridge has one reachable address per family, so it
 * gathers nothing and never probes. What it does, per endpoint (RFC 8445, RFC 7675):
 *
 * - Answers the peer's connectivity checks (short-term credentials: USERNAME
 *   "<our ufrag>:<peer ufrag>", MESSAGE-INTEGRITY with our password, FINGERPRINT) with the
 *   peer's reflexive address. Our ufrag encodes the worker and the endpoint handle, so any
 *   worker can route a check to its endpoint without a shared table. A check that does not
 *   authenticate gets a 401 and is counted; the address it came from is not trusted.
 * - Takes whichever role the peer leaves it. A peer that says ICE-CONTROLLING (a browser
 *   whose remote description carries a=ice-lite, or one that offered) nominates: the bridge
 *   behaves as a lite agent and uses the address whose check carried USE-CANDIDATE. A peer
 *   that says ICE-CONTROLLED (a stock Jitsi client: lib-jitsi-meet's Jingle-to-SDP writes no
 *   a=ice-lite, and the focus asks for a controlling bridge) waits to be nominated: the bridge
 *   answers each of its checks with a triggered check of its own carrying USE-CANDIDATE
 *   (aggressive nomination) and uses the address once that check succeeds. The bridge never
 *   sends a check before it has heard from the peer, so the roles never conflict; a 487 from
 *   the peer makes it step back to the controlled side anyway.
 * - Consent (RFC 7675): every 4-6 s a check on the selected address; consent is whichever
 *   came last of a successful response and an authenticated check from the peer there.
 *   Without either for 30 s of the bridge's own running time (a stopped process does not age
 *   its endpoints) the endpoint fails with "ICE consent lost".
 * - Address changes: a new address that authenticates with the same credentials (a NAT that
 *   rebound the peer's port) takes over from the selected one once the selected address has
 *   been silent for two seconds, or at once when the peer nominates it.
 *
 * Threads: everything runs on the endpoint's worker. */
#pragma once

#include <glib.h>
#include <stun/stunagent.h>

#include "bridge/media/flows.h"

G_BEGIN_DECLS

#define BRIDGE_ICE_UFRAG_LEN 16  /* 1 worker char + 6 handle chars + 9 random (54 bits) */
#define BRIDGE_ICE_PWD_LEN 24    /* 144 random bits */
#define BRIDGE_ICE_MAX_ADDRS 4   /* validated peer addresses remembered per endpoint */
#define BRIDGE_ICE_MAX_PENDING 4 /* checks of ours in flight per endpoint */
#define BRIDGE_ICE_CONSENT_TIMEOUT_US (30 * G_USEC_PER_SEC)
#define BRIDGE_ICE_REBIND_QUIET_US (2 * G_USEC_PER_SEC)

/* One address of the peer's that sent us an authenticated check. */
typedef struct {
    BridgeAddr addr;
    guint8 sock;      /* index of the local socket (address) it talks to */
    guint8 nominated; /* the peer nominated it, or our nominating check succeeded */
    guint8 nominate;  /* controlling: a nominating check is wanted or in flight */
    guint8 zero;
    guint32 priority; /* the PRIORITY of its last check */
    gint64 last_check_us;
} BridgeIceAddr;

typedef struct {
    StunTransactionId id;
    guint8 used, addr, nominate, tries;
    gint64 sent_us;
} BridgeIcePending;

typedef enum {
    BRIDGE_ICE_PEER_UNKNOWN,     /* no check from the peer yet */
    BRIDGE_ICE_PEER_CONTROLLING, /* it nominates; the bridge is the lite/controlled side */
    BRIDGE_ICE_PEER_CONTROLLED,  /* the bridge nominates */
    BRIDGE_ICE_PEER_NO_ROLE,     /* checks without a role attribute: first valid one wins */
} BridgeIcePeerRole;

typedef struct {
    char ufrag[BRIDGE_ICE_UFRAG_LEN + 1];
    char pwd[BRIDGE_ICE_PWD_LEN + 1];
    char *remote_ufrag, *remote_pwd; /* from signalling; NULL until known */
    guint64 tie;
    BridgeIcePeerRole peer_role;
    BridgeIceAddr addrs[BRIDGE_ICE_MAX_ADDRS];
    guint n_addrs;
    gint selected;         /* index in addrs, -1 while none */
    gint64 selected_rx_us; /* last datagram from the selected address (worker's clock) */
    gint64 consent_us;     /* last proof of consent on the selected address */
    gint64 next_consent_us;
    BridgeIcePending pending[BRIDGE_ICE_MAX_PENDING];
    guint64 checks_answered, checks_sent;
} BridgeIce;

/* Builds a ufrag that names worker @worker (0..63) and endpoint @handle, and a password. */
void bridge_ice_credentials(BridgeIce *ice, guint worker, BridgeHandle handle);
/* The worker and handle a ufrag (the part of a USERNAME before ':') names; FALSE if it is
 * not one of ours. */
gboolean bridge_ice_ufrag_decode(const guint8 *ufrag, gsize len, guint *worker,
                                 BridgeHandle *handle);

G_END_DECLS
