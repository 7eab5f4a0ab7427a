/* SPDX-License-Identifier: MIT */
/* The sources participants signal (session-accept, source-add, source-remove): validation of
 * one endpoint's changes against its own sources and everyone else's, the per-receiver view
 * (simulcast stripped), differences between what a receiver was told and what it should
 * know, and the Colibri2 form the bridge takes. Pure: no I/O, no state, no logging.
 *
 * Rules (Jicofo's ValidatingConferenceSourceMap, simplified):
 *  - every source is the sender's: its owner becomes the endpoint id, and a name, when
 *    given, must be "<endpoint>-..." (source names are "<endpoint>-a0", "<endpoint>-v1");
 *    a source without a name is named "<endpoint>-a0" / "<endpoint>-v0";
 *  - an SSRC is used once in the conference: one that another endpoint (or the bridge)
 *    already uses, or that the sender already signalled, is refused;
 *  - at most FOCUS_SOURCES_MAX_SSRCS sources and FOCUS_SOURCES_MAX_GROUPS groups per
 *    endpoint;
 *  - groups are FID (exactly two SSRCs) or SIM; their SSRCs must be sources of the endpoint;
 *    empty and repeated groups are dropped;
 *  - removing needs every SSRC to be the sender's; groups using a removed SSRC go too.
 * Errors map to XMPP conditions as Jicofo's do: INVALID -> modify/bad-request (that covers
 * someone else's SSRC: Jicofo rejects it as a validation failure), LIMIT ->
 * wait/resource-constraint. */
#pragma once

#include "common/jingle/jingle.h"

#include <glib.h>

G_BEGIN_DECLS

#define FOCUS_SOURCES_MAX_SSRCS 20
#define FOCUS_SOURCES_MAX_GROUPS 20

typedef enum {
    FOCUS_SOURCES_OK = 0,
    FOCUS_SOURCES_INVALID, /* bad-request */
    FOCUS_SOURCES_LIMIT,   /* resource-constraint */
} FocusSourcesStatus;

/* Who uses an SSRC: a table guint32 SSRC (GUINT_TO_POINTER) -> owner string (transfer none),
 * built by the caller from every other endpoint's sources and the bridge's. */
typedef GHashTable FocusSsrcOwners;

/* Validates @add, signalled by @endpoint whose current sources are @existing, against
 * @others (SSRCs of everyone else; may be NULL). On OK, @accepted (initialised) receives the
 * normalised sources and groups to add (possibly empty: nothing new). Otherwise *@why (if
 * not NULL) says what is wrong (transfer full) and @accepted is left empty. */
FocusSourcesStatus focus_sources_validate_add(const PaJingleSources *existing,
                                              const PaJingleSources *add, const char *endpoint,
                                              FocusSsrcOwners *others, PaJingleSources *accepted,
                                              char **why);

/* Validates removing @remove from @existing (the sender's sources). On OK, @removed
 * (initialised) receives the sources (as they were signalled) and every group that goes
 * with them. */
FocusSourcesStatus focus_sources_validate_remove(const PaJingleSources *existing,
                                                 const PaJingleSources *remove,
                                                 const char *endpoint, PaJingleSources *removed,
                                                 char **why);

/* @set minus the sources (by SSRC) and groups (by semantics and SSRC list) of @removed. */
void focus_sources_subtract(PaJingleSources *set, const PaJingleSources *removed);

/* Adds every SSRC of @s to @owners with owner @owner (transfer none: @owner must outlive
 * the table). */
void focus_sources_add_owners(FocusSsrcOwners *owners, const PaJingleSources *s, const char *owner);

/* Appends to @out what receivers are told about @in: each simulcast group reduced to its
 * first SSRC and that SSRC's FID partner (the bridge forwards one stream per source under
 * the first SSRC), other groups and sources kept. */
void focus_sources_strip_simulcast(const PaJingleSources *in, PaJingleSources *out);

/* What to send a receiver that knows @have so that it knows @want: @removed gets what is in
 * @have and not in @want, @added the reverse (both initialised by the caller). Sources are
 * compared by owner, SSRC, name and msid; groups by owner, semantics and SSRCs. */
void focus_sources_diff(const PaJingleSources *have, const PaJingleSources *want,
                        PaJingleSources *added, PaJingleSources *removed);

/* Colibri2 <sources>: one media-source per source name (id = name, type audio/video) with
 * its SSRCs and groups (transfer full: a GArray of PaMediaSource). */
GArray *focus_sources_to_colibri(const PaJingleSources *s);
/* The reverse, for the bridge's feedback sources: appends them to @out with @owner. */
void focus_sources_from_colibri(const GArray *colibri, const char *owner, PaJingleSources *out);

G_END_DECLS
