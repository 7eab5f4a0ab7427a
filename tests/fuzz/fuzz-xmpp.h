/* SPDX-License-Identifier: MIT */
/* Shared by the XMPP-side fuzz targets (Colibri2, ICE-UDP, focus IQ and presence, Jingle):
 * input bytes -> one stanza through libstrophe's own parser (the expat-based parser the
 * component's stream uses), stanza -> text -> stanza as a peer would see it, and a
 * string comparison that prints both sides before aborting.
 *
 * Single-threaded, like libFuzzer and the replay driver: the libstrophe context is created
 * on first use and lives as long as the process (so it is never reported as a leak). */
#pragma once

#include <glib.h>
#include <strophe.h>

#include "fuzz.h"

/* The process-wide libstrophe context (no logger: libstrophe stays silent). */
xmpp_ctx_t *fuzz_xmpp_ctx(void);

/* Parses @data as XML into the first top-level element, as libstrophe does with what arrives
 * on a stream (transfer full; NULL when it is not well-formed XML). An input holding a NUL
 * byte gives NULL: no XMPP peer can send one (XML forbids it) and the parser takes C strings. */
xmpp_stanza_t *fuzz_xmpp_stanza(const uint8_t *data, size_t size);

/* @stanza serialised by libstrophe and parsed back: what the peer it is sent to receives
 * (transfer full). Aborts if libstrophe cannot read what it wrote. */
xmpp_stanza_t *fuzz_xmpp_reparse(xmpp_stanza_t *stanza);

/* Serialises @stanza (transfer full, g_free); aborts if libstrophe cannot. */
char *fuzz_xmpp_text(xmpp_stanza_t *stanza);

/* A property named @what failed (the caller has printed the details): aborts, unless the
 * environment variable FUZZ_KNOWN_BUGS (comma-separated) holds a word that @what contains.
 * That is for long libFuzzer sessions to step over a bug already reported and not fixed yet
 * instead of stopping at it; the replay under meson test never sets it. Returns FALSE when
 * it does not abort. */
gboolean fuzz_fail(const char *what);

/* TRUE if FUZZ_KNOWN_BUGS holds a word that @what contains (see fuzz_fail()). For the dumps,
 * to leave out a field a known bug loses. */
gboolean fuzz_known_bug(const char *what);

/* TRUE if @a and @b are equal; else prints @what and both strings and calls fuzz_fail(). */
gboolean fuzz_check_same(const char *what, const char *a, const char *b);

/* Appends @s to @out in a form that survives a round trip through libstrophe: NULL and ""
 * are told apart, and TAB, LF and CR become spaces (libstrophe 0.12 writes them unescaped in
 * attribute values, and a reader then normalises them to spaces, XML 1.0 3.3.3; in text CR
 * and CR LF become LF, 2.11). Nothing Parley controls is hidden by that folding. */
void fuzz_dump_str(GString *out, const char *name, const char *s);

/* Checks an error reply Parley would send back to a peer: @text (the parser's reason, which
 * quotes the peer's input) must be valid UTF-8 with no character XML forbids, and the reply
 * must read back with @condition and the same <text>. Aborts otherwise (or fuzz_fail()). */
void fuzz_check_error_reply(xmpp_stanza_t *reply, const char *condition, const char *text);

/* TRUE if @s is valid UTF-8 without characters XML 1.0 forbids (what a string must be to be
 * sent in a stanza) or NULL; else prints the bytes and calls fuzz_fail("<what> not XML
 * text"). */
gboolean fuzz_check_xml_text(const char *what, const char *s);
