/* SPDX-License-Identifier: MIT */
/* Handle tables (see handles.h). Thread: the owner's only. */
#include "bridge/media/handles.h"

#define USE_BITS (32 - BRIDGE_HANDLE_INDEX_BITS)
#define USE_MAX ((1u << USE_BITS) - 1)

typedef struct {
    BridgeHandle handle; /* the present object's, or the last one's while free */
    gpointer obj;
} Slot;

void bridge_handle_table_init(BridgeHandleTable *t)
{
    t->slots = g_array_new(FALSE, TRUE, sizeof(Slot));
    t->free = g_array_new(FALSE, FALSE, sizeof(guint));
    t->n = 0;
    t->makes = t->mirrors = FALSE;
}

void bridge_handle_table_clear(BridgeHandleTable *t)
{
    g_clear_pointer(&t->slots, g_array_unref);
    g_clear_pointer(&t->free, g_array_unref);
    t->n = 0;
}

BridgeHandle bridge_handle_table_add(BridgeHandleTable *t, gpointer obj)
{
    g_return_val_if_fail(obj != NULL && !t->mirrors, BRIDGE_HANDLE_NONE);
    t->makes = TRUE;
    guint index;
    if (t->free->len > 0) {
        index = g_array_index(t->free, guint, t->free->len - 1);
        g_array_set_size(t->free, t->free->len - 1);
    } else {
        g_return_val_if_fail(t->slots->len < (1u << BRIDGE_HANDLE_INDEX_BITS), BRIDGE_HANDLE_NONE);
        index = t->slots->len;
        g_array_set_size(t->slots, index + 1);
    }
    Slot *s = &g_array_index(t->slots, Slot, index);
    /* Uses count 1..USE_MAX, so that no handle is 0 (index 0, use 0). */
    guint use = (s->handle >> BRIDGE_HANDLE_INDEX_BITS) % USE_MAX + 1;
    s->handle = (BridgeHandle)(use << BRIDGE_HANDLE_INDEX_BITS) | index;
    s->obj = obj;
    t->n++;
    return s->handle;
}

gboolean bridge_handle_table_insert(BridgeHandleTable *t, BridgeHandle h, gpointer obj)
{
    g_return_val_if_fail(h != BRIDGE_HANDLE_NONE && obj != NULL && !t->makes, FALSE);
    t->mirrors = TRUE;
    guint index = BRIDGE_HANDLE_INDEX(h);
    if (index >= t->slots->len)
        g_array_set_size(t->slots, index + 1);
    Slot *s = &g_array_index(t->slots, Slot, index);
    g_return_val_if_fail(s->obj == NULL, FALSE);
    s->handle = h;
    s->obj = obj;
    t->n++;
    return TRUE;
}

gpointer bridge_handle_table_get(const BridgeHandleTable *t, BridgeHandle h)
{
    guint index = BRIDGE_HANDLE_INDEX(h);
    if (h == BRIDGE_HANDLE_NONE || index >= t->slots->len)
        return NULL;
    const Slot *s = &g_array_index(t->slots, Slot, index);
    return s->handle == h ? s->obj : NULL;
}

gpointer bridge_handle_table_remove(BridgeHandleTable *t, BridgeHandle h)
{
    gpointer obj = bridge_handle_table_get(t, h);
    if (!obj)
        return NULL;
    guint index = BRIDGE_HANDLE_INDEX(h);
    g_array_index(t->slots, Slot, index).obj = NULL;
    if (t->makes)
        g_array_append_val(t->free, index);
    t->n--;
    return obj;
}

guint bridge_handle_table_size(const BridgeHandleTable *t)
{
    return t->n;
}

gpointer bridge_handle_table_next(const BridgeHandleTable *t, guint *pos)
{
    while (*pos < t->slots->len) {
        gpointer obj = g_array_index(t->slots, Slot, (*pos)++).obj;
        if (obj)
            return obj;
    }
    return NULL;
}
