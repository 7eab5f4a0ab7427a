/* SPDX-License-Identifier: MIT */
/* Room-name strength: is a conference name easy to guess? One rule, written down in
 * docs/security.md ("Room names"), implemented here and in web/roomname.js with the same test
 * vectors (tests/vectors/room-names.json). The focus reports the verdict in the conference
 * reply as <property name="roomNameStrength" value="weak|strong"/>; clients warn on "weak".
 *
 * The rule (parley-room-name/1), on the room JID's local part as the client sent it:
 *   1. Percent-decoding: when every '%' starts a %XX escape and the decoded bytes are UTF-8
 *      without NUL, the decoded text is used; otherwise the name is taken literally.
 *   2. NFKC, then lowercase (per code point, no locale, U+0130 -> "i" U+0307). Case does not
 *      count: the XMPP server folds it, so "TeamSync" and "teamsync" are the same room.
 *      Characters not yet assigned in Unicode 15.0 are kept as they are, so runtimes with
 *      newer Unicode tables (browsers) give the same answer as GLib 2.74.
 *   3. n = number of code points; classes among {a-z}, {0-9}, {anything else}.
 *   4. strong if the name is a UUID (8-4-4-4-12 hex, version 1-8, variant 8-b; the nil and
 *      max UUIDs are not), or if it has at least 5 distinct code points and n >= 200 or
 *      score >= 3, where score is
 *      0 if n < 8; 1 if n < 12; 1 with one class; 2 with two classes and n < 16; else 3.
 *      (Jitsi Meet's heuristic without the distinct-characters check, which Parley adds so
 *      that "0000000000000000-0000" or a long run of one letter is not "strong".)
 *
 * Pure: no I/O, no state, no logging; any thread. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

#define PA_ROOM_NAME_RULE "parley-room-name/1"
/* The conference-reply property carrying the verdict. */
#define PA_ROOM_NAME_PROPERTY "roomNameStrength"
/* Below this score (and not a UUID, and shorter than PA_ROOM_NAME_LONG) a name is weak. */
#define PA_ROOM_NAME_STRONG_SCORE 3
#define PA_ROOM_NAME_LONG 200
/* Fewer distinct code points than this: weak, however long. */
#define PA_ROOM_NAME_MIN_DISTINCT 5

typedef enum {
    PA_ROOM_NAME_WEAK = 0,
    PA_ROOM_NAME_STRONG,
} PaRoomNameStrength;

/* "weak" / "strong". */
const char *pa_room_name_strength_str(PaRoomNameStrength s);

typedef struct {
    char *normalized; /* steps 1-2 (UTF-8, owned) */
    gboolean decoded; /* step 1 applied percent-decoding */
    guint length;     /* code points of normalized */
    guint classes;    /* 1..3 (0 for the empty name) */
    guint distinct;   /* distinct code points, counted up to PA_ROOM_NAME_MIN_DISTINCT */
    guint score;      /* 0..3 */
    gboolean uuid;    /* normalized is a valid non-nil, non-max UUID */
    PaRoomNameStrength strength;
} PaRoomNameReport;

/* Assesses @name (UTF-8). Returns FALSE when @name is NULL or not valid UTF-8: @out is then
 * the report of the empty name (weak, normalized ""). Free with pa_room_name_report_clear(). */
gboolean pa_room_name_assess(const char *name, PaRoomNameReport *out);
void pa_room_name_report_clear(PaRoomNameReport *r);

/* Shortcut: the verdict only. NULL or invalid UTF-8 is weak. */
PaRoomNameStrength pa_room_name_strength(const char *name);

/* Steps 1-2 alone (transfer full), or NULL for NULL / invalid UTF-8. */
char *pa_room_name_normalize(const char *name);

/* The verdict for room JID @room_jid ("name@conference.example.org", as the client sent it:
 * its local part is assessed). A JID without local part or that does not parse is weak. */
PaRoomNameStrength pa_room_name_strength_of_jid(const char *room_jid);

/* Adds <property name="roomNameStrength" value="weak|strong"/> to @conference (the
 * <conference> element of a conference reply) for @room_jid (see above). Returns the verdict. */
PaRoomNameStrength pa_room_name_add_property(xmpp_stanza_t *conference, const char *room_jid);

G_END_DECLS
