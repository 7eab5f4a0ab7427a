/* SPDX-License-Identifier: MIT */
/* Fuzz target: a bridge's brewery presence as the focus reads it
 * (focus_bridge_stats_parse: <stats xmlns="http://jitsi.org/protocol/colibri"><stat name
 * value/>...), then bridge selection over it (focus_bridge_select); on the same input, the
 * other small reader of a peer's stanza, a client's disco#info result
 * (focus_features_from_disco). Checks, besides "no crash, no leak": numbers finite and
 * non-negative, texts short, valid UTF-8 and free of control characters (they are logged);
 * stats written back as a presence read back the same; the selected bridge is one that may
 * take (or keep) the conference; a client listing no media gets audio and video. */
#include <math.h>
#include <string.h>

#include "common/xmpp/stanza.h"
#include "focus/bridges/bridge-select.h"
#include "focus/conference/offer.h"
#include "fuzz-xmpp.h"

static char *dump(const FocusBridgeStats *s)
{
    GString *out = g_string_new(NULL);
    g_string_append_printf(out,
                           "stats=%d stress=%.17g conferences=%u participants=%u"
                           " healthy=%d graceful=%d shutting-down=%d drain=%d",
                           s->has_stats, s->stress, s->conferences, s->participants, s->healthy,
                           s->graceful_shutdown, s->shutting_down, s->drain);
    fuzz_dump_str(out, "region", s->region);
    fuzz_dump_str(out, "version", s->version);
    fuzz_dump_str(out, "relay", s->relay_id);
    return g_string_free(out, FALSE);
}

static void add_stat(xmpp_stanza_t *stats, const char *name, const char *value)
{
    if (!value)
        return;
    xmpp_stanza_t *e = pa_stanza_add_child(stats, "stat", NULL);
    xmpp_stanza_set_attribute(e, "name", name);
    xmpp_stanza_set_attribute(e, "value", value);
}

/* The presence a bridge would publish for @s. */
static xmpp_stanza_t *build(const FocusBridgeStats *s)
{
    xmpp_stanza_t *p = xmpp_presence_new(fuzz_xmpp_ctx());
    xmpp_stanza_t *stats = pa_stanza_add_child(p, "stats", FOCUS_NS_COLIBRI_STATS);
    char buf[G_ASCII_DTOSTR_BUF_SIZE];
    add_stat(stats, "stress_level", g_ascii_dtostr(buf, sizeof buf, s->stress));
    char *n = g_strdup_printf("%u", s->conferences);
    add_stat(stats, "conferences", n);
    g_free(n);
    n = g_strdup_printf("%u", s->participants);
    add_stat(stats, "participants", n);
    g_free(n);
    add_stat(stats, "region", s->region);
    add_stat(stats, "version", s->version);
    add_stat(stats, "relay_id", s->relay_id);
    add_stat(stats, "healthy", s->healthy ? "true" : "false");
    add_stat(stats, "graceful_shutdown", s->graceful_shutdown ? "true" : "false");
    add_stat(stats, "shutting_down", s->shutting_down ? "true" : "false");
    add_stat(stats, "drain", s->drain ? "true" : "false");
    return p;
}

static void check_text(const char *s)
{
    if (!s)
        return;
    FUZZ_CHECK(*s && strlen(s) <= 128 && g_utf8_validate(s, -1, NULL));
    for (const char *p = s; *p; p++)
        FUZZ_CHECK((guchar)*p >= 0x20);
}

static void check_select(const FocusBridgeStats *parsed)
{
    FocusBridgeStats other, sick;
    focus_bridge_stats_init(&other);
    other.has_stats = TRUE;
    other.stress = 0.5;
    focus_bridge_stats_init(&sick);
    sick.healthy = FALSE;
    const FocusBridgeCandidate c[] = {
        {"jvbbrewery@internal.auth.example.org/a", parsed, FALSE},
        {"jvbbrewery@internal.auth.example.org/b", &other, FALSE},
        {"jvbbrewery@internal.auth.example.org/c", &sick, FALSE},
    };
    const char *regions[] = {NULL, "eu-west", parsed->region};
    for (gint current = -1; current < 3; current++) {
        for (guint r = 0; r < G_N_ELEMENTS(regions); r++) {
            gint got = focus_bridge_select(c, G_N_ELEMENTS(c), current, regions[r]);
            FUZZ_CHECK(got >= -1 && got < 3);
            if (got >= 0 && got == current)
                FUZZ_CHECK(focus_bridge_can_keep(&c[got]));
            else if (got >= 0)
                FUZZ_CHECK(focus_bridge_can_take_new(&c[got]));
            /* "b" can always take a conference: someone is always chosen. */
            FUZZ_CHECK(got != -1);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    xmpp_stanza_t *stanza = fuzz_xmpp_stanza(data, size);
    if (!stanza)
        return 0;

    FocusBridgeStats s;
    focus_bridge_stats_init(&s);
    gboolean has = focus_bridge_stats_parse(stanza, &s);
    FUZZ_CHECK(has == s.has_stats);
    FUZZ_CHECK(isfinite(s.stress) && s.stress >= 0);
    check_text(s.region);
    check_text(s.version);
    check_text(s.relay_id);
    if (has) {
        xmpp_stanza_t *built = build(&s);
        xmpp_stanza_t *again = fuzz_xmpp_reparse(built);
        FocusBridgeStats s2;
        focus_bridge_stats_init(&s2);
        FUZZ_CHECK(focus_bridge_stats_parse(again, &s2));
        char *want = dump(&s), *got = dump(&s2);
        fuzz_check_same("bridge stats after rebuild", want, got);
        g_free(want);
        g_free(got);
        focus_bridge_stats_clear(&s2);
        xmpp_stanza_release(again);
        xmpp_stanza_release(built);
    }
    check_select(&s);
    focus_bridge_stats_clear(&s);

    FocusFeatures f;
    memset(&f, 0x5a, sizeof f);
    focus_features_from_disco(&f, stanza);
    FUZZ_CHECK(f.audio || f.video);
    xmpp_stanza_release(stanza);
    return 0;
}
