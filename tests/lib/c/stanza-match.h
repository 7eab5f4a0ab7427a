/* SPDX-License-Identifier: MIT */
/* Structural matching of XMPP stanzas for tests: assert on element names, namespaces and
 * attributes instead of substrings of serialized XML (which break on attribute order,
 * quoting, escaping and namespace declarations that the peer does not care about).
 *
 * A path names elements from @root down, one step per level, separated by '/':
 *
 *   step  := name ['{' namespace '}'] predicate*
 *   name  := an element name, or '*' for any element
 *   {ns}  := the element's namespace, its own or inherited from its parent (as an XML parser
 *            sees it; stanzas built in-process leave inherited namespaces unset, which this
 *            follows); '{}' means no namespace at all
 *   predicate := '[' attr '=' value ']'   attribute equals value (any text but ']')
 *              | '[' attr ']'             attribute present
 *              | '[!' attr ']'            attribute absent
 *
 * The first step matches @root itself; a path that starts with "//" matches at @root or any
 * element below it. Examples:
 *
 *   "iq[type=set][to=focus@example.org]/jingle{urn:xmpp:jingle:1}[action=session-initiate]"
 *   "//source{urn:xmpp:jingle:apps:rtp:ssma:0}[ssrc=1234]/parameter[name=msid]"
 *   "iq[type=error]/error[type=cancel]/item-not-found{urn:ietf:params:xml:ns:xmpp-stanzas}"
 *
 * Several elements may match; find returns the first in document order (trying every branch,
 * not only the first child of each name), count counts them all.
 *
 * Test code only: a malformed path aborts the test. Any thread, no state. */
#pragma once

#include <glib.h>
#include <strophe.h>

G_BEGIN_DECLS

/* The first element matching @path, or NULL (transfer none). */
xmpp_stanza_t *test_stanza_find(xmpp_stanza_t *root, const char *path);

/* How many elements match @path. */
guint test_stanza_count(xmpp_stanza_t *root, const char *path);

/* The text content of the first element matching @path (transfer full, g_free), or NULL when
 * nothing matches ("" for an element without text). */
char *test_stanza_text(xmpp_stanza_t *root, const char *path);

/* Parses one XML element into a stanza in @ctx (transfer full); aborts the test on bad XML. */
xmpp_stanza_t *test_stanza_parse(xmpp_ctx_t *ctx, const char *xml);

/* Asserts that @path matches at least once / never / exactly @n times below @root; a failure
 * prints the path and the whole stanza. */
#define test_assert_stanza(root, path)                                                             \
    test_stanza_assert_count_impl(__FILE__, __LINE__, G_STRFUNC, (root), (path), -1)
#define test_assert_no_stanza(root, path)                                                          \
    test_stanza_assert_count_impl(__FILE__, __LINE__, G_STRFUNC, (root), (path), 0)
#define test_assert_stanza_count(root, path, n)                                                    \
    test_stanza_assert_count_impl(__FILE__, __LINE__, G_STRFUNC, (root), (path), (int)(n))

/* @want < 0: at least one match. Returns the first match (transfer none). */
xmpp_stanza_t *test_stanza_assert_count_impl(const char *file, int line, const char *func,
                                             xmpp_stanza_t *root, const char *path, int want);

G_END_DECLS
