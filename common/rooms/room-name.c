/* SPDX-License-Identifier: MIT */
/* Pure (see room-name.h). Every step here has a twin in web/roomname.js: change both, and the
 * shared vectors in tests/vectors/room-names.json, together. */
#include "common/rooms/room-name.h"

#include "common/xmpp/jid.h"
#include "common/xmpp/stanza.h"

#include <string.h>

/* Code points assigned after Unicode 15.0 (15.1 to 17.0), which GLib 2.74 does not know and
 * newer runtimes may normalise: kept verbatim on both sides so the verdict does not depend on
 * the runtime's Unicode version. Derived as "assigned in Node 20's Unicode 17.0 tables,
 * unassigned in GLib 2.74"; web/roomname.js carries the same list. Sorted, disjoint. */
static const gunichar post15[][2] = {
    {0x088F, 0x088F},   {0x0897, 0x0897},   {0x0C5C, 0x0C5C},   {0x0CDC, 0x0CDC},
    {0x1ACF, 0x1ADD},   {0x1AE0, 0x1AEB},   {0x1B4E, 0x1B4F},   {0x1B7F, 0x1B7F},
    {0x1C89, 0x1C8A},   {0x20C1, 0x20C1},   {0x2427, 0x2429},   {0x2B96, 0x2B96},
    {0x2FFC, 0x2FFF},   {0x31E4, 0x31E5},   {0x31EF, 0x31EF},   {0xA7CB, 0xA7CF},
    {0xA7D2, 0xA7D2},   {0xA7D4, 0xA7D4},   {0xA7DA, 0xA7DC},   {0xA7F1, 0xA7F1},
    {0xFBC3, 0xFBD2},   {0xFD90, 0xFD91},   {0xFDC8, 0xFDCE},   {0x105C0, 0x105F3},
    {0x10940, 0x10959}, {0x10D40, 0x10D65}, {0x10D69, 0x10D85}, {0x10D8E, 0x10D8F},
    {0x10EC2, 0x10EC7}, {0x10ED0, 0x10ED8}, {0x10EFA, 0x10EFC}, {0x11380, 0x11389},
    {0x1138B, 0x1138B}, {0x1138E, 0x1138E}, {0x11390, 0x113B5}, {0x113B7, 0x113C0},
    {0x113C2, 0x113C2}, {0x113C5, 0x113C5}, {0x113C7, 0x113CA}, {0x113CC, 0x113D5},
    {0x113D7, 0x113D8}, {0x113E1, 0x113E2}, {0x116D0, 0x116E3}, {0x11B60, 0x11B67},
    {0x11BC0, 0x11BE1}, {0x11BF0, 0x11BF9}, {0x11DB0, 0x11DDB}, {0x11DE0, 0x11DE9},
    {0x11F5A, 0x11F5A}, {0x13460, 0x143FA}, {0x16100, 0x16139}, {0x16D40, 0x16D79},
    {0x16EA0, 0x16EB8}, {0x16EBB, 0x16ED3}, {0x16FF2, 0x16FF6}, {0x187F8, 0x187FF},
    {0x18CFF, 0x18CFF}, {0x18D09, 0x18D1E}, {0x18D80, 0x18DF2}, {0x1CC00, 0x1CCFC},
    {0x1CD00, 0x1CEB3}, {0x1CEBA, 0x1CED0}, {0x1CEE0, 0x1CEF0}, {0x1E5D0, 0x1E5FA},
    {0x1E5FF, 0x1E5FF}, {0x1E6C0, 0x1E6DE}, {0x1E6E0, 0x1E6F5}, {0x1E6FE, 0x1E6FF},
    {0x1F6D8, 0x1F6D8}, {0x1F777, 0x1F77A}, {0x1F8B2, 0x1F8BB}, {0x1F8C0, 0x1F8C1},
    {0x1F8D0, 0x1F8D8}, {0x1FA54, 0x1FA57}, {0x1FA89, 0x1FA8A}, {0x1FA8E, 0x1FA8F},
    {0x1FABE, 0x1FABE}, {0x1FAC6, 0x1FAC6}, {0x1FAC8, 0x1FAC8}, {0x1FACD, 0x1FACD},
    {0x1FADC, 0x1FADC}, {0x1FADF, 0x1FADF}, {0x1FAE9, 0x1FAEA}, {0x1FAEF, 0x1FAEF},
    {0x1FBCB, 0x1FBEF}, {0x1FBFA, 0x1FBFA}, {0x2B73A, 0x2B73F}, {0x2CEA2, 0x2CEAD},
    {0x2EBF0, 0x2EE5D}, {0x323B0, 0x33479},
};

static gboolean is_post15(gunichar c)
{
    gsize lo = 0, hi = G_N_ELEMENTS(post15);
    while (lo < hi) {
        gsize mid = (lo + hi) / 2;
        if (c < post15[mid][0])
            hi = mid;
        else if (c > post15[mid][1])
            lo = mid + 1;
        else
            return TRUE;
    }
    return FALSE;
}

const char *pa_room_name_strength_str(PaRoomNameStrength s)
{
    return s == PA_ROOM_NAME_STRONG ? "strong" : "weak";
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Step 1: the percent-decoded name (transfer full), or NULL to take @s literally. */
static char *percent_decode(const char *s)
{
    if (!strchr(s, '%'))
        return NULL;
    gsize len = strlen(s);
    char *out = g_malloc(len + 1);
    gsize o = 0;
    for (gsize i = 0; i < len; i++) {
        if (s[i] != '%') {
            out[o++] = s[i];
            continue;
        }
        int hi = i + 2 < len ? hexval(s[i + 1]) : -1;
        int lo = hi >= 0 ? hexval(s[i + 2]) : -1;
        if (hi < 0 || lo < 0 || (hi == 0 && lo == 0)) {
            g_free(out);
            return NULL;
        }
        out[o++] = (char)(hi * 16 + lo);
        i += 2;
    }
    out[o] = '\0';
    if (!g_utf8_validate(out, (gssize)o, NULL)) {
        g_free(out);
        return NULL;
    }
    return out;
}

/* NFKC of [@start, @end) appended to @dst. */
static void append_nfkc(GString *dst, const char *start, const char *end)
{
    if (start == end)
        return;
    g_autofree char *n = g_utf8_normalize(start, end - start, G_NORMALIZE_NFKC);
    if (n)
        g_string_append(dst, n);
    else
        g_string_append_len(dst, start, end - start);
}

/* Step 2a: NFKC on the runs between post-15.0 code points, which are copied as they are. */
static char *nfkc_pinned(const char *s)
{
    GString *out = g_string_sized_new(strlen(s));
    const char *run = s;
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        if (!is_post15(g_utf8_get_char(p)))
            continue;
        append_nfkc(out, run, p);
        const char *next = g_utf8_next_char(p);
        g_string_append_len(out, p, next - p);
        run = next;
    }
    append_nfkc(out, run, run + strlen(run));
    return g_string_free(out, FALSE);
}

/* Step 2b: per-code-point lowercase, locale-free. g_utf8_strdown() follows the locale
 * (Turkish dotless i) and JavaScript's toLowerCase() on a whole string applies final-sigma
 * context, so both sides map one code point at a time. U+0130 is the one unconditional
 * special-casing entry (two code points); everything else that lowercases differently in
 * GLib and ECMAScript (Roman numerals, circled letters) cannot survive NFKC. */
static char *lower_pinned(const char *s)
{
    GString *out = g_string_sized_new(strlen(s));
    for (const char *p = s; *p; p = g_utf8_next_char(p)) {
        gunichar c = g_utf8_get_char(p);
        if (c == 0x0130) {
            g_string_append_c(out, 'i');
            g_string_append_unichar(out, 0x0307);
        } else if (is_post15(c)) {
            g_string_append_unichar(out, c);
        } else {
            g_string_append_unichar(out, g_unichar_tolower(c));
        }
    }
    return g_string_free(out, FALSE);
}

static char *normalize(const char *name, gboolean *decoded)
{
    g_autofree char *dec = percent_decode(name);
    if (decoded)
        *decoded = dec != NULL;
    g_autofree char *nf = nfkc_pinned(dec ? dec : name);
    return lower_pinned(nf);
}

char *pa_room_name_normalize(const char *name)
{
    if (!name || !g_utf8_validate(name, -1, NULL))
        return NULL;
    return normalize(name, NULL);
}

/* 8-4-4-4-12 lowercase hex, version 1-8, variant 10xx (8, 9, a, b). The nil UUID (version 0)
 * and the max UUID (version f) are constants anyone can guess: not UUIDs for this rule. */
static gboolean is_uuid(const char *s)
{
    if (strlen(s) != 36)
        return FALSE;
    for (int i = 0; i < 36; i++) {
        if (i == 8 || i == 13 || i == 18 || i == 23) {
            if (s[i] != '-')
                return FALSE;
        } else if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f'))) {
            return FALSE;
        }
    }
    return s[14] >= '1' && s[14] <= '8' && strchr("89ab", s[19]) != NULL;
}

static guint score_of(guint n, guint classes)
{
    if (n < 8)
        return 0;
    if (n < 12)
        return 1;
    if (classes <= 1)
        return 1;
    if (classes == 2 && n < 16)
        return 2;
    return 3;
}

gboolean pa_room_name_assess(const char *name, PaRoomNameReport *out)
{
    memset(out, 0, sizeof *out);
    gboolean valid = name && g_utf8_validate(name, -1, NULL);
    out->normalized = valid ? normalize(name, &out->decoded) : g_strdup("");
    gboolean letter = FALSE, digit = FALSE, other = FALSE;
    gunichar seen[PA_ROOM_NAME_MIN_DISTINCT];
    for (const char *p = out->normalized; *p; p = g_utf8_next_char(p)) {
        out->length++;
        if (out->distinct < PA_ROOM_NAME_MIN_DISTINCT) {
            gunichar c = g_utf8_get_char(p);
            guint i = 0;
            while (i < out->distinct && seen[i] != c)
                i++;
            if (i == out->distinct)
                seen[out->distinct++] = c;
        }
        if (*p >= 'a' && *p <= 'z')
            letter = TRUE;
        else if (*p >= '0' && *p <= '9')
            digit = TRUE;
        else
            other = TRUE;
    }
    out->classes = (guint)letter + (guint)digit + (guint)other;
    out->score = score_of(out->length, out->classes);
    out->uuid = is_uuid(out->normalized);
    gboolean strong =
        out->uuid ||
        (out->distinct >= PA_ROOM_NAME_MIN_DISTINCT &&
         (out->length >= PA_ROOM_NAME_LONG || out->score >= PA_ROOM_NAME_STRONG_SCORE));
    out->strength = strong ? PA_ROOM_NAME_STRONG : PA_ROOM_NAME_WEAK;
    return valid;
}

void pa_room_name_report_clear(PaRoomNameReport *r)
{
    g_clear_pointer(&r->normalized, g_free);
}

PaRoomNameStrength pa_room_name_strength(const char *name)
{
    PaRoomNameReport r;
    pa_room_name_assess(name, &r);
    pa_room_name_report_clear(&r);
    return r.strength;
}

PaRoomNameStrength pa_room_name_strength_of_jid(const char *room_jid)
{
    PaJid jid;
    if (!room_jid || pa_jid_parse(room_jid, &jid) != PA_JID_OK)
        return PA_ROOM_NAME_WEAK;
    PaRoomNameStrength s = jid.local ? pa_room_name_strength(jid.local) : PA_ROOM_NAME_WEAK;
    pa_jid_clear(&jid);
    return s;
}

PaRoomNameStrength pa_room_name_add_property(xmpp_stanza_t *conference, const char *room_jid)
{
    PaRoomNameStrength s = pa_room_name_strength_of_jid(room_jid);
    xmpp_stanza_t *p = pa_stanza_add_child(conference, "property", NULL);
    xmpp_stanza_set_attribute(p, "name", PA_ROOM_NAME_PROPERTY);
    xmpp_stanza_set_attribute(p, "value", pa_room_name_strength_str(s));
    return s;
}
