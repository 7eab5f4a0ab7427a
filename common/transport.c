/* SPDX-License-Identifier: MIT */
#include "common/transport.h"

#include <gio/gio.h>
#include <string.h>

void pa_transport_init(PaTransport *t)
{
    memset(t, 0, sizeof *t);
    t->candidates = g_array_new(FALSE, TRUE, sizeof(PaIceCandidate));
}

void pa_transport_clear(PaTransport *t)
{
    g_free(t->ufrag);
    g_free(t->pwd);
    if (t->candidates)
        g_array_unref(t->candidates);
    g_free(t->fingerprint_hash);
    g_free(t->fingerprint);
    g_free(t->setup);
    g_free(t->websocket_url);
    memset(t, 0, sizeof *t);
}

void pa_transport_copy(PaTransport *dst, const PaTransport *src)
{
    pa_transport_clear(dst);
    pa_transport_init(dst);
    dst->ufrag = g_strdup(src->ufrag);
    dst->pwd = g_strdup(src->pwd);
    if (src->candidates)
        g_array_append_vals(dst->candidates, src->candidates->data, src->candidates->len);
    dst->rtcp_mux = src->rtcp_mux;
    dst->fingerprint_hash = g_strdup(src->fingerprint_hash);
    dst->fingerprint = g_strdup(src->fingerprint);
    dst->setup = g_strdup(src->setup);
    dst->websocket_url = g_strdup(src->websocket_url);
}

gboolean pa_ice_candidate_valid(const PaIceCandidate *c)
{
    if (c->component < 1 || c->component > 2 || c->port == 0)
        return FALSE;
    if (g_ascii_strcasecmp(c->protocol, "udp") != 0 && g_ascii_strcasecmp(c->protocol, "tcp") != 0)
        return FALSE;
    static const char *types[] = {"host", "srflx", "prflx", "relay"};
    gboolean type_ok = FALSE;
    for (size_t i = 0; i < G_N_ELEMENTS(types); i++)
        type_ok |= strcmp(c->type, types[i]) == 0;
    if (!type_ok)
        return FALSE;
    return g_hostname_is_ip_address(c->ip);
}
