/* SPDX-License-Identifier: MIT */
/* The conference and endpoint registry (see registry.h). Thread: control thread only. */
#include "bridge/control/registry.h"

#include <string.h>
#include <sys/random.h>

static void endpoint_free(gpointer p)
{
    BridgeRegEndpoint *ep = p;
    g_warn_if_fail(ep->channel == NULL);
    g_free(ep->id);
    g_free(ep->stats_id);
    pa_transport_clear(&ep->local);
    pa_transport_clear(&ep->remote);
    if (ep->media)
        g_array_unref(ep->media);
    if (ep->sources)
        g_array_unref(ep->sources);
    g_strfreev(ep->capabilities);
    g_free(ep);
}

static void conference_free(gpointer p)
{
    BridgeRegConference *c = p;
    if (c->empty_timer) {
        g_source_destroy(c->empty_timer);
        g_source_unref(c->empty_timer);
    }
    g_free(c->id);
    g_free(c->name);
    g_free(c->focus_jid);
    g_free(c->owner);
    g_hash_table_destroy(c->endpoints);
    g_free(c);
}

void bridge_registry_init(BridgeRegistry *r)
{
    r->by_id = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, conference_free);
    bridge_handle_table_init(&r->conferences);
    bridge_handle_table_init(&r->endpoints);
}

void bridge_registry_clear(BridgeRegistry *r)
{
    g_clear_pointer(&r->by_id, g_hash_table_destroy);
    bridge_handle_table_clear(&r->conferences);
    bridge_handle_table_clear(&r->endpoints);
}

void bridge_random_secret(char *out, gsize len)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    guint8 buf[64];
    gsize done = 0;
    while (done < len) {
        gsize want = MIN(len - done, sizeof buf);
        ssize_t n = getrandom(buf, want, 0);
        if (n <= 0)
            g_error("getrandom failed: the system has no randomness to make secrets from");
        for (ssize_t i = 0; i < n && done < len; i++) {
            /* Rejection sampling keeps the distribution uniform over 62 characters. */
            if (buf[i] >= 248)
                continue;
            out[done++] = alphabet[buf[i] % 62];
        }
    }
    out[len] = '\0';
}

static guint32 random_ssrc(void)
{
    guint32 v = 0;
    while (v == 0)
        v = g_random_int();
    return v;
}

BridgeRegConference *bridge_reg_conference_find(BridgeRegistry *r, const char *id)
{
    return id ? g_hash_table_lookup(r->by_id, id) : NULL;
}

BridgeRegConference *bridge_reg_conference_get(BridgeRegistry *r, BridgeHandle handle)
{
    return bridge_handle_table_get(&r->conferences, handle);
}

BridgeRegConference *bridge_reg_conference_add(BridgeRegistry *r, const char *id, const char *name)
{
    g_return_val_if_fail(id && !g_hash_table_contains(r->by_id, id), NULL);
    BridgeRegConference *c = g_new0(BridgeRegConference, 1);
    c->id = g_strdup(id);
    c->name = g_strdup(name);
    c->endpoints = g_hash_table_new_full(g_str_hash, g_str_equal, NULL, endpoint_free);
    c->feedback_audio_ssrc = random_ssrc();
    do
        c->feedback_video_ssrc = random_ssrc();
    while (c->feedback_video_ssrc == c->feedback_audio_ssrc);
    c->created_us = g_get_monotonic_time();
    c->handle = bridge_handle_table_add(&r->conferences, c);
    g_hash_table_insert(r->by_id, c->id, c);
    return c;
}

void bridge_reg_conference_remove(BridgeRegistry *r, BridgeRegConference *c)
{
    GHashTableIter it;
    gpointer v;
    g_hash_table_iter_init(&it, c->endpoints);
    while (g_hash_table_iter_next(&it, NULL, &v))
        bridge_handle_table_remove(&r->endpoints, ((BridgeRegEndpoint *)v)->handle);
    bridge_handle_table_remove(&r->conferences, c->handle);
    g_hash_table_remove(r->by_id, c->id); /* frees c and its endpoints */
}

BridgeRegEndpoint *bridge_reg_endpoint_find(BridgeRegConference *c, const char *id)
{
    return c && id ? g_hash_table_lookup(c->endpoints, id) : NULL;
}

BridgeRegEndpoint *bridge_reg_endpoint_get(BridgeRegistry *r, BridgeHandle handle)
{
    return bridge_handle_table_get(&r->endpoints, handle);
}

BridgeRegEndpoint *bridge_reg_endpoint_add(BridgeRegistry *r, BridgeRegConference *c,
                                           const char *id)
{
    g_return_val_if_fail(id && !g_hash_table_contains(c->endpoints, id), NULL);
    BridgeRegEndpoint *ep = g_new0(BridgeRegEndpoint, 1);
    ep->id = g_strdup(id);
    ep->conference = c;
    bridge_random_secret(ep->ws_password, BRIDGE_WS_PASSWORD_LEN);
    ep->state = BRIDGE_REG_EP_GATHERING;
    ep->created_us = g_get_monotonic_time();
    pa_transport_init(&ep->local);
    pa_transport_init(&ep->remote);
    ep->capabilities = g_new0(char *, 1);
    ep->handle = bridge_handle_table_add(&r->endpoints, ep);
    g_hash_table_insert(c->endpoints, ep->id, ep);
    return ep;
}

void bridge_reg_endpoint_remove(BridgeRegistry *r, BridgeRegEndpoint *ep)
{
    bridge_handle_table_remove(&r->endpoints, ep->handle);
    g_hash_table_remove(ep->conference->endpoints, ep->id); /* frees ep */
}

guint bridge_registry_conferences(const BridgeRegistry *r)
{
    return bridge_handle_table_size(&r->conferences);
}

guint bridge_registry_endpoints(const BridgeRegistry *r)
{
    return bridge_handle_table_size(&r->endpoints);
}

guint bridge_registry_largest(const BridgeRegistry *r)
{
    guint largest = 0, pos = 0;
    BridgeRegConference *c;
    while ((c = bridge_handle_table_next(&r->conferences, &pos)))
        largest = MAX(largest, g_hash_table_size(c->endpoints));
    return largest;
}
