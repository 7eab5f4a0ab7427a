/* SPDX-License-Identifier: MIT */
/* Remote transport addresses and the table that demultiplexes the single media port by them.
 *
 * Every endpoint of the bridge shares one UDP port, so a datagram is matched to its endpoint
 * by where it came from: the first datagrams of a flow are STUN connectivity checks, routed by
 * their USERNAME (ice.h); once a check from an address validates, the address is entered here
 * and everything else from it (DTLS, SRTP, consent checks) is found with one lookup. Each
 * media worker keeps its own table of every flow of the bridge: its own endpoints' flows name
 * the endpoint, the other workers' name the worker that owns them (a datagram the kernel gave
 * to the wrong worker's socket is handed over through that worker's inbox).
 *
 * BridgeFlowTable: open addressing with linear probing and backward-shift deletion (no
 * tombstones), allocated once with room for @max_flows at a load of at most one half, so a
 * lookup of an unknown address (junk) ends at the first empty slot within a probe or two.
 * The hash is keyed with a per-table random seed. Nothing here allocates after init, locks or
 * logs. Threads: a table belongs to one thread. */
#pragma once

#include <glib.h>
#include <string.h>
#include <sys/socket.h>

#include "bridge/media/handles.h"

G_BEGIN_DECLS

/* An IPv4 or IPv6 address and UDP port, compared and hashed as 20 plain bytes. */
typedef struct {
    guint8 family; /* AF_INET or AF_INET6 */
    guint8 zero;
    guint16 port;  /* network byte order */
    guint8 ip[16]; /* IPv4: the first 4 bytes, the rest zero */
} BridgeAddr;

G_STATIC_ASSERT(sizeof(BridgeAddr) == 20);

#define BRIDGE_ADDR_STRLEN 56 /* "[v6 address]:port" */

/* FALSE (and @a zeroed) for anything but AF_INET/AF_INET6 of the right length. */
gboolean bridge_addr_from_sockaddr(BridgeAddr *a, const struct sockaddr *sa, socklen_t len);
/* Fills @ss and returns its length. */
socklen_t bridge_addr_to_sockaddr(const BridgeAddr *a, struct sockaddr_storage *ss);
gboolean bridge_addr_from_string(BridgeAddr *a, const char *ip, guint16 port);
static inline gboolean bridge_addr_equal(const BridgeAddr *a, const BridgeAddr *b)
{
    return memcmp(a, b, sizeof *a) == 0;
}
/* "1.2.3.4:5" or "[::1]:5" into @buf (BRIDGE_ADDR_STRLEN), for logs. */
const char *bridge_addr_to_string(const BridgeAddr *a, char *buf);

typedef struct {
    BridgeAddr addr;
    guint8 used;
    guint8 owner; /* index of the worker that owns the flow */
    guint8 cand;  /* owner only: index of the address among the endpoint's ICE addresses */
    guint8 zero;
    BridgeHandle ep; /* owner only: the endpoint */
} BridgeFlow;

typedef struct {
    BridgeFlow *slots;
    guint32 mask;
    guint32 n, max;
    guint64 seed;
} BridgeFlowTable;

/* Room for @max_flows flows (at least 16). */
void bridge_flow_table_init(BridgeFlowTable *t, guint max_flows);
void bridge_flow_table_clear(BridgeFlowTable *t);
/* The flow of @a, or NULL (transfer none: valid until the table changes). */
BridgeFlow *bridge_flow_lookup(const BridgeFlowTable *t, const BridgeAddr *a);
/* Enters or replaces the flow of @a. FALSE when the table holds max_flows already. */
gboolean bridge_flow_set(BridgeFlowTable *t, const BridgeAddr *a, guint owner, BridgeHandle ep,
                         guint cand);
/* Removes the flow of @a when its owner is @owner (a later owner's entry stays: updates
 * from different workers may arrive out of order). TRUE if removed. */
gboolean bridge_flow_remove(BridgeFlowTable *t, const BridgeAddr *a, guint owner);
static inline guint bridge_flow_table_size(const BridgeFlowTable *t)
{
    return t->n;
}

G_END_DECLS
