/* SPDX-License-Identifier: MIT */
/* Stanza patterns for the focus tests, typed in C: a stanza matches a pattern by its element
 * name, type, id, from and to, and by elements found anywhere inside it (name, namespace,
 * attributes, text), never by a substring of its serialised XML (attribute order, escaping and
 * namespace placement are the serialiser's business). The matching itself is the shared
 * structural matcher's (tests/lib/c/stanza-match.h): a pattern is turned into its paths.
 *
 *   sent_find(tb, mark, STANZA(.name = "iq", .to = ROOM "/alice",
 *                               .has = {{"jingle", NS_JINGLE, {"action", "session-initiate"}}}))
 *
 * Namespaces are compared as an XML parser sees them (own or inherited); attribute values may
 * not contain ']'. Pure; any thread. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

/* An attribute value meaning "this attribute is absent". */
extern const char stanza_absent[];
#define ABSENT stanza_absent

/* One element somewhere in a stanza (the stanza itself included). */
typedef struct {
    const char *name;      /* element name (required) */
    const char *ns;        /* its namespace; NULL: any */
    const char *attrs[12]; /* name/value pairs, NULL-terminated; a value ABSENT: not there */
    const char *text; /* its text content (of the first element matching the rest); NULL: any */
} StanzaElem;

typedef struct {
    const char *name; /* "iq", "presence", "message"; NULL: any */
    const char *type; /* NULL: any; ABSENT: no type attribute */
    const char *id;
    const char *from;
    const char *to;
    StanzaElem has[8];   /* each is found in the stanza */
    StanzaElem lacks[4]; /* none is found in the stanza */
} StanzaPattern;

#define STANZA(...) (&(const StanzaPattern){__VA_ARGS__})
#define ELEM(...) (&(const StanzaElem){__VA_ARGS__})

gboolean stanza_match(xmpp_stanza_t *stanza, const StanzaPattern *pattern);
/* @stanza or an element below it matches @elem. */
gboolean stanza_has(xmpp_stanza_t *stanza, const StanzaElem *elem);
/* The first element matching @elem, depth first (transfer none), or NULL. */
xmpp_stanza_t *stanza_find(xmpp_stanza_t *stanza, const StanzaElem *elem);
/* Elements matching @elem in @stanza (@elem without text). */
guint stanza_count(xmpp_stanza_t *stanza, const StanzaElem *elem);

/* TRUE if an attribute value or a text anywhere in @stanza contains @needle (for "this secret
 * never travels" checks: the content, whatever the serialisation). */
gboolean stanza_mentions(xmpp_stanza_t *stanza, const char *needle);

/* The text content of the first element matching @elem (transfer full, "" when it has
 * none), or NULL when there is no such element. */
char *stanza_text_of(xmpp_stanza_t *stanza, const StanzaElem *elem);

/* The text of the first <value/> of the data-form field @var (XEP-0004) anywhere in @stanza
 * (transfer full), or NULL when there is no such field. */
char *stanza_field_value(xmpp_stanza_t *stanza, const char *var);

G_END_DECLS
