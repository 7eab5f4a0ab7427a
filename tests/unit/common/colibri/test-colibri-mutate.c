/* SPDX-License-Identifier: MIT */
/* Robustness of the Colibri2 and ICE-UDP parsers against mangled input from the network:
 * thousands of seeded mutations of realistic requests (bytes flipped, attributes replaced by
 * extreme values, elements truncated) must parse or be refused with a reason, never crash or
 * leak (the sanitizer build runs this too). Whatever parses must build and re-parse. */
#include <string.h>

#include "common/colibri/colibri.h"
#include "common/xmpp/ice-udp.h"
#include "common/xmpp/stanza.h"

static xmpp_ctx_t *ctx;

static const char *seeds[] = {
    "<iq type='set'><conference-modify xmlns='jitsi:colibri2' meeting-id='m1' name='r@c.x' "
    "create='true'><endpoint id='e1' create='true' stats-id='s'><capability name='source-names'/>"
    "<media type='audio'><payload-type xmlns='urn:xmpp:jingle:apps:rtp:1' id='111' name='opus' "
    "clockrate='48000' channels='2'><parameter name='minptime' value='10'/><rtcp-fb "
    "xmlns='urn:xmpp:jingle:apps:rtp:rtcp-fb:0' type='transport-cc'/></payload-type><rtp-hdrext "
    "xmlns='urn:xmpp:jingle:apps:rtp:rtp-hdrext:0' id='1' uri='urn:x'/></media><transport "
    "ice-controlling='true'><transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='abcd' "
    "pwd='0123456789012345678901'><rtcp-mux/><fingerprint xmlns='urn:xmpp:jingle:apps:dtls:0' "
    "hash='sha-256' setup='active'>AB:CD</fingerprint><candidate component='1' foundation='1' "
    "generation='0' ip='127.0.0.1' network='0' port='5000' priority='1' protocol='udp' "
    "type='host'/></transport></transport><sources><media-source type='video' id='e1-v0'><source "
    "xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' ssrc='1' name='e1-v0'><parameter name='msid' "
    "value='a b'/></source><ssrc-group xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' semantics='FID'>"
    "<source ssrc='1'/><source ssrc='2'/></ssrc-group></media-source></sources><force-mute "
    "audio='true' video='false'/><initial-last-n value='5'/></endpoint><endpoint id='e2' "
    "expire='true'/></conference-modify></iq>",
    "<iq type='result'><conference-modified xmlns='jitsi:colibri2'><endpoint id='e1'><transport>"
    "<transport xmlns='urn:xmpp:jingle:transports:ice-udp:1' ufrag='abcd' "
    "pwd='0123456789012345678901'><web-socket xmlns='http://jitsi.org/protocol/colibri' "
    "url='ws://h/colibri-ws/b/c/e?pwd=x'/></transport></transport></endpoint><sources>"
    "<media-source type='audio' id='jvb-a0'><source xmlns='urn:xmpp:jingle:apps:rtp:ssma:0' "
    "ssrc='42' name='jvb-a0'/></media-source></sources></conference-modified></iq>",
};

static const char *extremes[] = {
    "",  "-1",  "0",        "4294967295", "4294967296", "99999999999999999999999", "true", "maybe",
    " ", "a b", "\xc3\x28", "1e3",        "0x10"};

static char *mutate(GRand *rng, const char *seed)
{
    GString *s = g_string_new(seed);
    guint n = g_rand_int_range(rng, 1, 4);
    for (guint k = 0; k < n && s->len > 0; k++) {
        switch (g_rand_int_range(rng, 0, 4)) {
        case 0: { /* flip a byte */
            gsize pos = g_rand_int_range(rng, 0, (gint32)s->len);
            s->str[pos] = (char)g_rand_int_range(rng, 1, 256);
            break;
        }
        case 1: { /* replace one attribute value with an extreme one */
            gsize pos = g_rand_int_range(rng, 0, (gint32)s->len);
            char *q = strchr(s->str + pos, '\'');
            if (!q)
                break;
            char *end = strchr(q + 1, '\'');
            if (!end)
                break;
            gsize at = q + 1 - s->str;
            g_string_erase(s, (gssize)at, end - (q + 1));
            g_string_insert(s, (gssize)at,
                            extremes[g_rand_int_range(rng, 0, G_N_ELEMENTS(extremes))]);
            break;
        }
        case 2: { /* drop a span */
            gsize pos = g_rand_int_range(rng, 0, (gint32)s->len);
            gsize want = (gsize)g_rand_int_range(rng, 1, 40); /* MIN evaluates twice */
            gsize len = MIN(want, s->len - pos);
            g_string_erase(s, (gssize)pos, (gssize)len);
            break;
        }
        case 3: { /* duplicate a span (repeated children) */
            gsize pos = g_rand_int_range(rng, 0, (gint32)s->len);
            gsize want = (gsize)g_rand_int_range(rng, 1, 200);
            gsize len = MIN(want, s->len - pos);
            g_autofree char *span = g_strndup(s->str + pos, len);
            g_string_insert(s, (gssize)pos, span);
            break;
        }
        }
    }
    return g_string_free(s, FALSE);
}

static void check_one(const char *text, guint *parsed, guint *refused)
{
    xmpp_stanza_t *st = xmpp_stanza_new_from_string(ctx, text);
    if (!st)
        return; /* not XML: libstrophe's parser would have dropped the stream anyway */
    PaColibriConferenceModify m;
    char *why = NULL;
    if (pa_colibri_parse_modify(st, &m, &why) == PA_COLIBRI_OK) {
        (*parsed)++;
        xmpp_stanza_t *b = pa_colibri_build_modify(ctx, &m);
        PaColibriConferenceModify again;
        g_assert_cmpint(pa_colibri_parse_modify(b, &again, NULL), ==, PA_COLIBRI_OK);
        g_assert_cmpuint(again.endpoints->len, ==, m.endpoints->len);
        pa_colibri_modify_clear(&again);
        xmpp_stanza_release(b);
    } else {
        g_assert_nonnull(why);
        (*refused)++;
    }
    g_free(why);
    pa_colibri_modify_clear(&m);

    PaColibriConferenceModified r;
    why = NULL;
    if (pa_colibri_parse_modified(st, &r, &why) == PA_COLIBRI_OK) {
        xmpp_stanza_t *b = pa_colibri_build_modified(ctx, &r);
        xmpp_stanza_release(b);
    }
    g_free(why);
    pa_colibri_modified_clear(&r);
    xmpp_stanza_release(st);
}

static void test_mutations(void)
{
    GRand *rng = g_rand_new_with_seed(20261126);
    guint parsed = 0, refused = 0;
    for (guint i = 0; i < 4000; i++) {
        g_autofree char *text = mutate(rng, seeds[i % G_N_ELEMENTS(seeds)]);
        check_one(text, &parsed, &refused);
    }
    g_test_message("%u mutations parsed, %u refused with a reason", parsed, refused);
    /* The mutations reach both outcomes, so the test exercises the validation paths. */
    g_assert_cmpuint(parsed, >, 100);
    g_assert_cmpuint(refused, >, 100);
    g_rand_free(rng);
}

int main(int argc, char **argv)
{
    g_test_init(&argc, &argv, NULL);
    xmpp_initialize();
    ctx = xmpp_ctx_new(NULL, NULL);
    g_test_add_func("/colibri/mutations", test_mutations);
    int rc = g_test_run();
    xmpp_ctx_free(ctx);
    xmpp_shutdown();
    return rc;
}
