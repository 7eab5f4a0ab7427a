/* SPDX-License-Identifier: MIT */
/* Janus HTTP API, VideoRoom requests and SDP for the benchmark (see janus-client.h). */
#include "janus-client.h"

#include <gio/gio.h>
#include <libsoup/soup.h>
#include <stdio.h>
#include <string.h>

struct _JanusClient {
    SoupSession *http;
    char *base;
    guint64 session;
    GQueue events; /* json_t * received but not yet asked for */
    guint tx;
};

static json_t *request(JanusClient *c, const char *method, const char *url, json_t *body,
                       GError **error)
{
    SoupMessage *msg = soup_message_new(method, url);
    if (!msg) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_INVALID_ARGUMENT, "bad URL %s", url);
        return NULL;
    }
    if (body) {
        char *text = json_dumps(body, JSON_COMPACT);
        GBytes *bytes = g_bytes_new_take(text, strlen(text));
        soup_message_set_request_body_from_bytes(msg, "application/json", bytes);
        g_bytes_unref(bytes);
    }
    GBytes *resp = soup_session_send_and_read(c->http, msg, NULL, error);
    guint status = soup_message_get_status(msg);
    g_object_unref(msg);
    if (!resp)
        return NULL;
    if (status != 200) {
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "HTTP %u from %s", status, url);
        g_bytes_unref(resp);
        return NULL;
    }
    gsize len;
    const char *data = g_bytes_get_data(resp, &len);
    json_error_t jerr;
    json_t *j = json_loadb(data, len, 0, &jerr);
    g_bytes_unref(resp);
    if (!j)
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "bad JSON from Janus: %s", jerr.text);
    return j;
}

/* POSTs @body (a "janus" verb; a transaction is added) to @path under the base URL. */
static json_t *post(JanusClient *c, const char *path, json_t *body, GError **error)
{
    char tx[32];
    g_snprintf(tx, sizeof tx, "t%u", ++c->tx);
    json_object_set_new(body, "transaction", json_string(tx));
    char *url = g_strconcat(c->base, path, NULL);
    json_t *r = request(c, "POST", url, body, error);
    g_free(url);
    if (r && g_strcmp0(json_string_value(json_object_get(r, "janus")), "error") == 0) {
        json_t *e = json_object_get(r, "error");
        g_set_error(error, G_IO_ERROR, G_IO_ERROR_FAILED, "Janus error %lld: %s",
                    (long long)json_integer_value(json_object_get(e, "code")),
                    json_string_value(json_object_get(e, "reason")));
        json_decref(r);
        return NULL;
    }
    return r;
}

JanusClient *janus_client_new(const char *base, GError **error)
{
    JanusClient *c = g_new0(JanusClient, 1);
    c->http = soup_session_new_with_options("timeout", 60, NULL);
    c->base = g_strdup(base);
    g_queue_init(&c->events);
    json_t *r = post(c, "", json_pack("{s:s}", "janus", "create"), error);
    if (!r) {
        janus_client_free(c);
        return NULL;
    }
    c->session = (guint64)json_integer_value(json_object_get(json_object_get(r, "data"), "id"));
    json_decref(r);
    return c;
}

void janus_client_free(JanusClient *c)
{
    if (!c)
        return;
    if (c->session) {
        char path[48];
        g_snprintf(path, sizeof path, "/%" G_GUINT64_FORMAT, c->session);
        json_decref(post(c, path, json_pack("{s:s}", "janus", "destroy"), NULL));
    }
    json_t *e;
    while ((e = g_queue_pop_head(&c->events)))
        json_decref(e);
    g_object_unref(c->http);
    g_free(c->base);
    g_free(c);
}

guint64 janus_attach(JanusClient *c, GError **error)
{
    char path[48];
    g_snprintf(path, sizeof path, "/%" G_GUINT64_FORMAT, c->session);
    json_t *r =
        post(c, path, json_pack("{s:s,s:s}", "janus", "attach", "plugin", "janus.plugin.videoroom"),
             error);
    if (!r)
        return 0;
    guint64 h = (guint64)json_integer_value(json_object_get(json_object_get(r, "data"), "id"));
    json_decref(r);
    return h;
}

json_t *janus_message(JanusClient *c, guint64 handle, json_t *body, const char *jsep_type,
                      const char *sdp, GError **error)
{
    char path[64];
    g_snprintf(path, sizeof path, "/%" G_GUINT64_FORMAT "/%" G_GUINT64_FORMAT, c->session, handle);
    json_t *m = json_pack("{s:s,s:O}", "janus", "message", "body", body);
    if (jsep_type)
        json_object_set_new(m, "jsep", json_pack("{s:s,s:s}", "type", jsep_type, "sdp", sdp));
    return post(c, path, m, error);
}

static gboolean wanted(json_t *e, guint64 handle)
{
    return (guint64)json_integer_value(json_object_get(e, "sender")) == handle &&
           (json_object_get(e, "plugindata") || json_object_get(e, "jsep"));
}

json_t *janus_wait_event(JanusClient *c, guint64 handle, guint timeout_ms, GError **error)
{
    gint64 end = g_get_monotonic_time() + (gint64)timeout_ms * 1000;
    for (;;) {
        for (GList *l = c->events.head; l; l = l->next) {
            if (wanted(l->data, handle)) {
                json_t *e = l->data;
                g_queue_delete_link(&c->events, l);
                return e;
            }
        }
        if (g_get_monotonic_time() > end)
            return NULL;
        char *url = g_strdup_printf("%s/%" G_GUINT64_FORMAT "?maxev=16", c->base, c->session);
        json_t *r = request(c, "GET", url, NULL, error);
        g_free(url);
        if (!r)
            return NULL;
        if (json_is_array(r)) {
            size_t i;
            json_t *e;
            json_array_foreach(r, i, e) g_queue_push_tail(&c->events, json_incref(e));
            json_decref(r);
        } else {
            g_queue_push_tail(&c->events, r); /* one event, or a keepalive */
        }
    }
}

/* ---- SDP ---- */

static void transport_lines(GString *s, const JanusSdpSide *me)
{
    const PaTransport *t = me->transport;
    g_string_append_printf(s, "a=ice-ufrag:%s\r\na=ice-pwd:%s\r\n", t->ufrag, t->pwd);
    g_string_append_printf(s, "a=fingerprint:%s %s\r\na=setup:%s\r\n",
                           t->fingerprint_hash ? t->fingerprint_hash : "sha-256", t->fingerprint,
                           me->setup);
    for (guint i = 0; i < t->candidates->len; i++) {
        const PaIceCandidate *c = &g_array_index(t->candidates, PaIceCandidate, i);
        g_string_append_printf(s, "a=candidate:%s %u udp %u %s %u typ host\r\n", c->foundation,
                               c->component, c->priority, c->ip, c->port);
    }
    g_string_append(s, "a=end-of-candidates\r\n");
}

char *janus_sdp_offer(const JanusSdpSide *me)
{
    GString *s = g_string_new(NULL);
    g_string_append_printf(s,
                           "v=0\r\no=- %u 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n"
                           "a=group:BUNDLE 0 1\r\na=msid-semantic: WMS %s\r\n",
                           g_random_int() & 0x7fffffff, me->cname);
    g_string_append(s, "m=audio 9 UDP/TLS/RTP/SAVPF 111\r\nc=IN IP4 0.0.0.0\r\n");
    transport_lines(s, me);
    g_string_append_printf(s,
                           "a=mid:0\r\na=sendonly\r\na=rtcp-mux\r\n"
                           "a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level\r\n"
                           "a=extmap:5 http://www.ietf.org/id/"
                           "draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
                           "a=rtpmap:111 opus/48000/2\r\na=fmtp:111 minptime=10;useinbandfec=1\r\n"
                           "a=rtcp-fb:111 transport-cc\r\n"
                           "a=msid:%s a0\r\na=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s a0\r\n",
                           me->cname, me->audio_ssrc, me->cname, me->audio_ssrc, me->cname);
    g_string_append(s, "m=video 9 UDP/TLS/RTP/SAVPF 100\r\nc=IN IP4 0.0.0.0\r\n");
    transport_lines(s, me);
    g_string_append_printf(s,
                           "a=mid:1\r\na=sendonly\r\na=rtcp-mux\r\na=rtcp-rsize\r\n"
                           "a=extmap:3 http://www.webrtc.org/experiments/rtp-hdrext/"
                           "abs-send-time\r\n"
                           "a=extmap:5 http://www.ietf.org/id/"
                           "draft-holmer-rmcat-transport-wide-cc-extensions-01\r\n"
                           "a=rtpmap:100 VP8/90000\r\na=rtcp-fb:100 nack\r\n"
                           "a=rtcp-fb:100 nack pli\r\na=rtcp-fb:100 ccm fir\r\n"
                           "a=rtcp-fb:100 transport-cc\r\n"
                           "a=msid:%s v0\r\na=ssrc:%u cname:%s\r\na=ssrc:%u msid:%s v0\r\n",
                           me->cname, me->video_ssrc, me->cname, me->video_ssrc, me->cname);
    return g_string_free(s, FALSE);
}

char *janus_sdp_answer(const char *offer, const JanusSdpSide *me)
{
    GString *s = g_string_new(NULL);
    GString *bundle = g_string_new("a=group:BUNDLE");
    GString *media = g_string_new(NULL);
    char **lines = g_strsplit(offer, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        char *line = g_strchomp(lines[i]);
        if (!g_str_has_prefix(line, "m="))
            continue;
        /* m=<kind> <port> <proto> <pt>...; its mid and rtpmap of the first payload type. */
        char **f = g_strsplit(line + 2, " ", -1);
        if (g_strv_length(f) < 4) {
            g_strfreev(f);
            continue;
        }
        const char *mid = NULL, *rtpmap = NULL;
        g_autofree char *want = g_strdup_printf("a=rtpmap:%s ", f[3]);
        for (guint j = i + 1; lines[j] && !g_str_has_prefix(lines[j], "m="); j++) {
            char *l2 = g_strchomp(lines[j]);
            if (g_str_has_prefix(l2, "a=mid:"))
                mid = l2 + 6;
            else if (g_str_has_prefix(l2, want))
                rtpmap = l2;
        }
        gboolean rejected = g_strcmp0(f[1], "0") == 0 || !mid;
        g_string_append_printf(media, "m=%s %s %s %s\r\nc=IN IP4 0.0.0.0\r\n", f[0],
                               rejected ? "0" : "9", f[2], f[3]);
        if (!rejected) {
            g_string_append_printf(bundle, " %s", mid);
            transport_lines(media, me);
            g_string_append_printf(media, "a=mid:%s\r\na=recvonly\r\na=rtcp-mux\r\n", mid);
            if (rtpmap)
                g_string_append_printf(media, "%s\r\n", rtpmap);
        } else if (mid) {
            g_string_append_printf(media, "a=mid:%s\r\na=inactive\r\n", mid);
        }
        g_strfreev(f);
    }
    g_strfreev(lines);
    g_string_append_printf(s, "v=0\r\no=- %u 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n%s\r\n",
                           g_random_int() & 0x7fffffff, bundle->str);
    g_string_append(s, media->str);
    g_string_free(bundle, TRUE);
    g_string_free(media, TRUE);
    return g_string_free(s, FALSE);
}

gboolean janus_sdp_transport(const char *sdp, PaTransport *out)
{
    char **lines = g_strsplit(sdp, "\n", -1);
    for (guint i = 0; lines[i]; i++) {
        char *l = g_strchomp(lines[i]);
        if (g_str_has_prefix(l, "a=ice-ufrag:") && !out->ufrag) {
            out->ufrag = g_strdup(l + 12);
        } else if (g_str_has_prefix(l, "a=ice-pwd:") && !out->pwd) {
            out->pwd = g_strdup(l + 10);
        } else if (g_str_has_prefix(l, "a=fingerprint:") && !out->fingerprint) {
            char **f = g_strsplit(l + 14, " ", 2);
            if (f[0] && f[1]) {
                out->fingerprint_hash = g_ascii_strdown(f[0], -1);
                out->fingerprint = g_ascii_strup(f[1], -1);
            }
            g_strfreev(f);
        } else if (g_str_has_prefix(l, "a=setup:") && !out->setup) {
            out->setup = g_strdup(l + 8);
        } else if (g_str_has_prefix(l, "a=candidate:")) {
            /* foundation component transport priority ip port typ type ... */
            char **f = g_strsplit(l + 12, " ", -1);
            if (g_strv_length(f) >= 8 && g_ascii_strcasecmp(f[2], "udp") == 0 &&
                g_strcmp0(f[1], "1") == 0) {
                PaIceCandidate c = {.component = 1};
                g_strlcpy(c.foundation, f[0], sizeof c.foundation);
                g_strlcpy(c.protocol, "udp", sizeof c.protocol);
                c.priority = (guint32)g_ascii_strtoull(f[3], NULL, 10);
                g_strlcpy(c.ip, f[4], sizeof c.ip);
                c.port = (guint16)g_ascii_strtoull(f[5], NULL, 10);
                g_strlcpy(c.type, f[7], sizeof c.type);
                gboolean dup = FALSE;
                for (guint k = 0; k < out->candidates->len; k++) {
                    PaIceCandidate *o = &g_array_index(out->candidates, PaIceCandidate, k);
                    dup |= o->port == c.port && strcmp(o->ip, c.ip) == 0;
                }
                if (!dup)
                    g_array_append_val(out->candidates, c);
            }
            g_strfreev(f);
        }
    }
    g_strfreev(lines);
    out->rtcp_mux = TRUE;
    return out->ufrag && out->pwd && out->fingerprint && out->candidates->len > 0;
}
