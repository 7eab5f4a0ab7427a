/* SPDX-License-Identifier: MIT */
#include "common/xmpp/ice-udp.h"

#include <stdlib.h>
#include <string.h>

#include "common/xmpp/attr.h"
#include "common/xmpp/stanza.h"

const char *pa_ice_udp_status_str(PaIceUdpStatus st)
{
    switch (st) {
    case PA_ICE_UDP_OK:
        return "ok";
    case PA_ICE_UDP_NOT_TRANSPORT:
        return "not an ice-udp transport";
    case PA_ICE_UDP_BAD_ATTRIBUTE:
        return "bad transport attribute";
    case PA_ICE_UDP_BAD_CANDIDATE:
        return "bad candidate";
    case PA_ICE_UDP_BAD_FINGERPRINT:
        return "bad fingerprint";
    case PA_ICE_UDP_BAD_WEBSOCKET:
        return "bad web-socket";
    }
    return "?";
}

/* A child in @ns, or with no namespace of its own (it then inherits its parent's). */
static gboolean in_ns(xmpp_stanza_t *e, const char *name, const char *ns)
{
    return pa_xml_is(e, name, ns, ns);
}

static void set_reason(char **reason, const char *fmt, ...) G_GNUC_PRINTF(2, 3);
static void set_reason(char **reason, const char *fmt, ...)
{
    if (!reason)
        return;
    va_list ap;
    va_start(ap, fmt);
    g_free(*reason);
    *reason = pa_reason_vprintf(fmt, ap);
    va_end(ap);
}

/* Copies @v into a fixed buffer; FALSE if it does not fit or holds control characters. */
static gboolean copy_field(char *dst, gsize cap, const char *v)
{
    gsize n = strlen(v);
    if (n >= cap)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if ((guchar)v[i] < 0x21 || (guchar)v[i] > 0x7e)
            return FALSE;
    memcpy(dst, v, n + 1);
    return TRUE;
}

PaIceUdpStatus pa_ice_udp_parse_candidate(xmpp_stanza_t *e, PaIceCandidate *out, char **reason)
{
    PaIceCandidate c;
    memset(&c, 0, sizeof c);
    static const char *required[] = {"component", "foundation", "ip",  "port",
                                     "priority",  "protocol",   "type"};
    for (gsize i = 0; i < G_N_ELEMENTS(required); i++) {
        if (!xmpp_stanza_get_attribute(e, required[i])) {
            set_reason(reason, "missing '%s'", required[i]);
            return PA_ICE_UDP_BAD_CANDIDATE;
        }
    }
#define TEXT_FIELD(field, attr)                                                                    \
    do {                                                                                           \
        const char *v_ = xmpp_stanza_get_attribute(e, attr);                                       \
        if (v_ && !copy_field(c.field, sizeof c.field, v_)) {                                      \
            set_reason(reason, "'%s' too long or not printable", attr);                            \
            return PA_ICE_UDP_BAD_CANDIDATE;                                                       \
        }                                                                                          \
    } while (0)
#define NUM_FIELD(field, attr, max)                                                                \
    do {                                                                                           \
        const char *v_ = xmpp_stanza_get_attribute(e, attr);                                       \
        guint64 n_ = 0;                                                                            \
        if (v_ && !pa_attr_parse_u64(v_, (max), &n_)) {                                            \
            set_reason(reason, "'%s' value '%.32s' is not a number up to %" G_GUINT64_FORMAT,      \
                       attr, v_, (guint64)(max));                                                  \
            return PA_ICE_UDP_BAD_CANDIDATE;                                                       \
        }                                                                                          \
        c.field = n_;                                                                              \
    } while (0)
    TEXT_FIELD(foundation, "foundation");
    TEXT_FIELD(protocol, "protocol");
    TEXT_FIELD(ip, "ip");
    TEXT_FIELD(type, "type");
    TEXT_FIELD(rel_addr, "rel-addr");
    TEXT_FIELD(id, "id");
    NUM_FIELD(component, "component", 256);
    NUM_FIELD(priority, "priority", G_MAXUINT32);
    NUM_FIELD(port, "port", 65535);
    NUM_FIELD(rel_port, "rel-port", 65535);
    NUM_FIELD(generation, "generation", G_MAXUINT32);
    NUM_FIELD(network, "network", G_MAXUINT32);
#undef TEXT_FIELD
#undef NUM_FIELD
    for (char *p = c.protocol; *p; p++)
        *p = g_ascii_tolower(*p);
    if (c.component < 1 || c.component > 2) {
        set_reason(reason, "component %u is not 1 or 2", c.component);
        return PA_ICE_UDP_BAD_CANDIDATE;
    }
    if (c.port == 0) {
        set_reason(reason, "port 0 out of range");
        return PA_ICE_UDP_BAD_CANDIDATE;
    }
    if (!g_hostname_is_ip_address(c.ip)) {
        set_reason(reason, "ip '%s' is not an IP address", c.ip);
        return PA_ICE_UDP_BAD_CANDIDATE;
    }
    if (c.rel_addr[0] && !g_hostname_is_ip_address(c.rel_addr)) {
        set_reason(reason, "rel-addr '%s' is not an IP address", c.rel_addr);
        return PA_ICE_UDP_BAD_CANDIDATE;
    }
    if (!pa_ice_candidate_valid(&c)) {
        set_reason(reason, "unknown protocol '%s' or type '%s'", c.protocol, c.type);
        return PA_ICE_UDP_BAD_CANDIDATE;
    }
    *out = c;
    return PA_ICE_UDP_OK;
}

/* RFC 8839 ice-char: ALPHA / DIGIT / "+" / "/". */
static gboolean ice_chars_ok(const char *s, gsize min, gsize max)
{
    gsize n = strlen(s);
    if (n < min || n > max)
        return FALSE;
    for (gsize i = 0; i < n; i++)
        if (!g_ascii_isalnum(s[i]) && s[i] != '+' && s[i] != '/')
            return FALSE;
    return TRUE;
}

/* "AB:cd:..." -> upper case; FALSE unless 1..64 hex pairs separated by ':'. */
static char *normalize_fingerprint(const char *text)
{
    if (!text)
        return NULL;
    g_autofree char *t = g_strstrip(g_strdup(text));
    gsize n = strlen(t);
    if (n < 2 || n > 64 * 3 - 1 || (n + 1) % 3 != 0)
        return NULL;
    for (gsize i = 0; i < n; i++) {
        gboolean colon_pos = i % 3 == 2;
        if (colon_pos ? t[i] != ':' : !g_ascii_isxdigit(t[i]))
            return NULL;
        t[i] = g_ascii_toupper(t[i]);
    }
    return g_steal_pointer(&t);
}

PaIceUdpStatus pa_ice_udp_parse(xmpp_stanza_t *transport, PaTransport *out, char **reason)
{
    if (!transport || !xmpp_stanza_is_tag(transport) ||
        g_strcmp0(xmpp_stanza_get_name(transport), "transport") != 0 ||
        g_strcmp0(xmpp_stanza_get_ns(transport), PA_NS_ICE_UDP) != 0) {
        set_reason(reason, "expected <transport xmlns='%s'>", PA_NS_ICE_UDP);
        return PA_ICE_UDP_NOT_TRANSPORT;
    }
    PaTransport t;
    pa_transport_init(&t);
    PaIceUdpStatus st = PA_ICE_UDP_OK;

    const char *ufrag = xmpp_stanza_get_attribute(transport, "ufrag");
    const char *pwd = xmpp_stanza_get_attribute(transport, "pwd");
    if (ufrag && !ice_chars_ok(ufrag, 4, 256)) {
        set_reason(reason, "ufrag must be 4-256 ICE characters");
        st = PA_ICE_UDP_BAD_ATTRIBUTE;
        goto out;
    }
    if (pwd && !ice_chars_ok(pwd, 22, 256)) {
        set_reason(reason, "pwd must be 22-256 ICE characters");
        st = PA_ICE_UDP_BAD_ATTRIBUTE;
        goto out;
    }
    t.ufrag = g_strdup(ufrag);
    t.pwd = g_strdup(pwd);

    guint n_cand = 0;
    for (xmpp_stanza_t *c = xmpp_stanza_get_children(transport); c; c = xmpp_stanza_get_next(c)) {
        if (in_ns(c, "rtcp-mux", PA_NS_ICE_UDP)) {
            t.rtcp_mux = TRUE;
        } else if (in_ns(c, "candidate", PA_NS_ICE_UDP)) {
            n_cand++;
            if (n_cand > 64) {
                set_reason(reason, "more than 64 candidates");
                st = PA_ICE_UDP_BAD_CANDIDATE;
                goto out;
            }
            PaIceCandidate cand;
            g_autofree char *why = NULL;
            st = pa_ice_udp_parse_candidate(c, &cand, &why);
            if (st != PA_ICE_UDP_OK) {
                set_reason(reason, "candidate %u: %s", n_cand, why);
                goto out;
            }
            g_array_append_val(t.candidates, cand);
        } else if (xmpp_stanza_is_tag(c) &&
                   g_strcmp0(xmpp_stanza_get_name(c), "fingerprint") == 0 &&
                   g_strcmp0(xmpp_stanza_get_ns(c), PA_NS_DTLS) == 0) {
            const char *hash = xmpp_stanza_get_attribute(c, "hash");
            const char *setup = xmpp_stanza_get_attribute(c, "setup");
            char *text = xmpp_stanza_get_text(c);
            g_autofree char *fp = normalize_fingerprint(text);
            if (text)
                xmpp_free(xmpp_stanza_get_context(c), text);
            if (!hash || !*hash || strlen(hash) > 16) {
                set_reason(reason, "fingerprint without a hash attribute");
                st = PA_ICE_UDP_BAD_FINGERPRINT;
                goto out;
            }
            if (!fp) {
                set_reason(reason, "fingerprint is not colon-separated hex pairs");
                st = PA_ICE_UDP_BAD_FINGERPRINT;
                goto out;
            }
            if (setup && strcmp(setup, "actpass") != 0 && strcmp(setup, "active") != 0 &&
                strcmp(setup, "passive") != 0) {
                set_reason(reason, "fingerprint setup '%.16s' is not actpass, active or passive",
                           setup);
                st = PA_ICE_UDP_BAD_FINGERPRINT;
                goto out;
            }
            g_free(t.fingerprint_hash);
            g_free(t.fingerprint);
            g_free(t.setup);
            t.fingerprint_hash = g_ascii_strdown(hash, -1);
            t.fingerprint = g_steal_pointer(&fp);
            t.setup = g_strdup(setup);
        } else if (xmpp_stanza_is_tag(c) && g_strcmp0(xmpp_stanza_get_name(c), "web-socket") == 0 &&
                   g_strcmp0(xmpp_stanza_get_ns(c), PA_NS_COLIBRI) == 0) {
            const char *url = xmpp_stanza_get_attribute(c, "url");
            if (!url || !(g_str_has_prefix(url, "ws://") || g_str_has_prefix(url, "wss://"))) {
                set_reason(reason, "web-socket url must start with ws:// or wss://");
                st = PA_ICE_UDP_BAD_WEBSOCKET;
                goto out;
            }
            /* The first one is the one a client uses. */
            if (!t.websocket_url)
                t.websocket_url = g_strdup(url);
        }
    }

out:
    if (st == PA_ICE_UDP_OK) {
        pa_transport_clear(out);
        *out = t;
    } else {
        pa_transport_clear(&t);
    }
    return st;
}

void pa_ice_udp_add_candidate(xmpp_stanza_t *transport, const PaIceCandidate *c)
{
    xmpp_stanza_t *e = pa_stanza_add_child(transport, "candidate", NULL);
    pa_attr_set_uint(e, "component", c->component);
    xmpp_stanza_set_attribute(e, "foundation", c->foundation);
    pa_attr_set_uint(e, "generation", c->generation);
    if (c->id[0])
        xmpp_stanza_set_attribute(e, "id", c->id);
    xmpp_stanza_set_attribute(e, "ip", c->ip);
    pa_attr_set_uint(e, "network", c->network);
    pa_attr_set_uint(e, "port", c->port);
    pa_attr_set_uint(e, "priority", c->priority);
    xmpp_stanza_set_attribute(e, "protocol", c->protocol[0] ? c->protocol : "udp");
    xmpp_stanza_set_attribute(e, "type", c->type);
    if (c->rel_addr[0]) {
        xmpp_stanza_set_attribute(e, "rel-addr", c->rel_addr);
        pa_attr_set_uint(e, "rel-port", c->rel_port);
    }
}

xmpp_stanza_t *pa_ice_udp_build(xmpp_ctx_t *ctx, const PaTransport *t)
{
    xmpp_stanza_t *tr = pa_stanza_element(ctx, "transport", PA_NS_ICE_UDP);
    if (t->ufrag)
        xmpp_stanza_set_attribute(tr, "ufrag", t->ufrag);
    if (t->pwd)
        xmpp_stanza_set_attribute(tr, "pwd", t->pwd);
    if (t->rtcp_mux)
        pa_stanza_add_child(tr, "rtcp-mux", NULL);
    if (t->fingerprint) {
        xmpp_stanza_t *fp = pa_stanza_add_child(tr, "fingerprint", PA_NS_DTLS);
        xmpp_stanza_set_attribute(fp, "hash",
                                  t->fingerprint_hash ? t->fingerprint_hash : "sha-256");
        if (t->setup)
            xmpp_stanza_set_attribute(fp, "setup", t->setup);
        pa_stanza_add_text(fp, t->fingerprint);
    }
    for (guint i = 0; t->candidates && i < t->candidates->len; i++)
        pa_ice_udp_add_candidate(tr, &g_array_index(t->candidates, PaIceCandidate, i));
    if (t->websocket_url) {
        xmpp_stanza_t *ws = pa_stanza_add_child(tr, "web-socket", PA_NS_COLIBRI);
        xmpp_stanza_set_attribute(ws, "url", t->websocket_url);
    }
    return tr;
}
