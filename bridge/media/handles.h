/* SPDX-License-Identifier: MIT */
/* Numeric handles for conferences and endpoints, and a table from handle to object.
 *
 * The control registry (bridge/control/registry.h) hands handles out, once per conference and
 * endpoint; every call into the media plane names its endpoint by handle, and the media plane
 * and its workers key their own state by the same handles. A handle names one object for its
 * whole life and never a later one: its low BRIDGE_HANDLE_INDEX_BITS bits are a slot index,
 * reused once the object is gone (so tables stay dense and a lookup is one array access), and
 * its high bits count the uses of that slot, so a stale handle (a message about an endpoint
 * that has left) finds nothing rather than the slot's next tenant. 0 is never a handle.
 *
 * BridgeHandleTable: handle -> object, for one thread (no locking). Objects are not owned.
 * A table either makes handles (bridge_handle_table_add) or mirrors handles made by another
 * table (bridge_handle_table_insert), never both. Lookup and removal are O(1) and allocate
 * nothing; adding allocates only when the table grows past its largest size so far. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef guint32 BridgeHandle;

#define BRIDGE_HANDLE_NONE ((BridgeHandle)0)
#define BRIDGE_HANDLE_INDEX_BITS 20 /* at most 2^20 live objects per table */
#define BRIDGE_HANDLE_INDEX(h) ((guint)((h) & ((1u << BRIDGE_HANDLE_INDEX_BITS) - 1)))

typedef struct {
    GArray *slots;           /* of (handle, object) by index; object NULL when free */
    GArray *free;            /* free indices (tables that make handles) */
    guint n;                 /* objects in the table */
    gboolean makes, mirrors; /* which kind of table this is (set by the first add/insert) */
} BridgeHandleTable;

void bridge_handle_table_init(BridgeHandleTable *t);
/* Forgets every entry (the objects are the caller's). */
void bridge_handle_table_clear(BridgeHandleTable *t);

/* Stores @obj (not NULL) under a new handle and returns it. */
BridgeHandle bridge_handle_table_add(BridgeHandleTable *t, gpointer obj);
/* Stores @obj (not NULL) under @h, a handle another table made. FALSE (nothing stored) when
 * @h is NONE or its slot here is taken (a programming error: the other table reuses an index
 * only after its object was removed here too). */
gboolean bridge_handle_table_insert(BridgeHandleTable *t, BridgeHandle h, gpointer obj);

/* The object under @h, or NULL when there is none (never another handle's object). */
gpointer bridge_handle_table_get(const BridgeHandleTable *t, BridgeHandle h);
/* Takes @h out and returns its object (NULL when absent). */
gpointer bridge_handle_table_remove(BridgeHandleTable *t, BridgeHandle h);
guint bridge_handle_table_size(const BridgeHandleTable *t);

/* Iteration in index order: set *@pos to 0, then call until NULL. Removing the object just
 * returned (or any other) while iterating is allowed; objects added meanwhile may or may not
 * be visited. */
gpointer bridge_handle_table_next(const BridgeHandleTable *t, guint *pos);

G_END_DECLS
