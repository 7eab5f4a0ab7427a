/* SPDX-License-Identifier: MIT */
/* The media description's XML (the model is common/media/media-desc.h): the RTP description
 * elements that Colibri2's <media>/<media-source> and Jingle's <description> carry identically:
 *
 *   <payload-type xmlns="urn:xmpp:jingle:apps:rtp:1" id name clockrate channels?>
 *     <parameter name value/>... <rtcp-fb xmlns=rtcp-fb:0 type subtype?/>...
 *   </payload-type>
 *   <rtp-hdrext xmlns=rtp-hdrext:0 id uri/>  <extmap-allow-mixed xmlns=rtp-hdrext:0/>
 *   <source xmlns=ssma:0 ssrc name?><parameter name="msid" value/></source>
 *   <ssrc-group xmlns=ssma:0 semantics><source ssrc/>...</ssrc-group>
 *
 * Parsing validates and bounds everything (PA_MEDIA_MAX_ITEMS per list) and records the
 * first problem in a PaParseState (common/xmpp/attr.h). An element without a namespace of its
 * own is in its parent's (@parent_ns below), as after parsing from the network.
 *
 * Pure: no I/O, no logging, no state; any thread, on structures and stanzas the caller owns. */
#pragma once

#include <glib.h>
#include <strophe.h>

#include "common/media/media-desc.h"
#include "common/xmpp/attr.h"

G_BEGIN_DECLS

#define PA_NS_JINGLE_RTP "urn:xmpp:jingle:apps:rtp:1"
#define PA_NS_JINGLE_HDREXT "urn:xmpp:jingle:apps:rtp:rtp-hdrext:0"
#define PA_NS_JINGLE_RTCP_FB "urn:xmpp:jingle:apps:rtp:rtcp-fb:0"
#define PA_NS_JINGLE_SSMA "urn:xmpp:jingle:apps:rtp:ssma:0"

/* Where the two protocols differ on <payload-type><parameter>. */
typedef enum {
    PA_MEDIA_XML_COLIBRI2, /* a name is required; value left out when NULL */
    PA_MEDIA_XML_JINGLE,   /* a nameless parameter is an fmtp value of its own (RED's
                            * "111/111"); value always written ("" when NULL) */
} PaMediaXmlDialect;

/* If @c is a <payload-type>, <rtp-hdrext> or <extmap-allow-mixed> (children of an element in
 * @parent_ns), adds it to @m (whose arrays must be allocated). Returns FALSE on a failure
 * (recorded in @ps), TRUE otherwise, also when @c is none of these. */
gboolean pa_media_xml_parse_codec(PaParseState *ps, xmpp_stanza_t *c, const char *parent_ns,
                                  PaMediaXmlDialect dialect, PaMediaDesc *m);

/* Reads a <source> (ssrc required, name and msid optional) into @out (zeroed by this call;
 * on success the caller owns out->name and out->msid, on failure nothing is kept). */
gboolean pa_media_xml_parse_source(PaParseState *ps, xmpp_stanza_t *e, PaMediaSsrc *out);

/* Reads an <ssrc-group>: *@semantics (required, replaced) and its SSRCs appended to @ssrcs
 * (GArray of guint32), at most @max_ssrcs of them (more: PA_PARSE_TOO_LARGE). */
gboolean pa_media_xml_parse_group(PaParseState *ps, xmpp_stanza_t *e, guint max_ssrcs,
                                  char **semantics, GArray *ssrcs);

/* Adds @m's payload types, header extensions and extmap-allow-mixed to @parent. */
void pa_media_xml_build_codecs(xmpp_stanza_t *parent, const PaMediaDesc *m,
                               PaMediaXmlDialect dialect);

/* Adds <source xmlns=ssma:0 ssrc name?> with the msid <parameter> (when @msid is not NULL)
 * to @parent and returns it (transfer none), for callers to add their own attributes. */
xmpp_stanza_t *pa_media_xml_build_source(xmpp_stanza_t *parent, guint32 ssrc, const char *name,
                                         const char *msid);

/* Adds <ssrc-group xmlns=ssma:0 semantics><source ssrc/>...</ssrc-group> to @parent. */
void pa_media_xml_build_group(xmpp_stanza_t *parent, const char *semantics, const guint32 *ssrcs,
                              guint n);

G_END_DECLS
