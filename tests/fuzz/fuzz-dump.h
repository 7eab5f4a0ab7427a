/* SPDX-License-Identifier: MIT */
/* Canonical text dumps of the parsed models (every field, in order), so that the fuzz
 * targets can check parse(build(parse(x))) == parse(x) as a string comparison that shows
 * the difference when it fails. Strings go through fuzz_dump_str(). */
#pragma once

#include <glib.h>

#include "common/colibri/colibri.h"
#include "common/jingle/jingle.h"
#include "common/transport.h"

void fuzz_dump_transport(GString *out, const PaTransport *t);
/* @null_value_empty: a parameter without a value dumps as value="" (Jingle's builder writes
 * value="" for it). */
void fuzz_dump_colibri_media(GString *out, const PaMediaDesc *m, gboolean null_value_empty);
void fuzz_dump_colibri_endpoint(GString *out, const PaColibriEndpoint *ep);
void fuzz_dump_colibri_sources(GString *out, const GArray *sources);

/* New strings (transfer full, g_free). */
char *fuzz_dump_colibri_modify(const PaColibriConferenceModify *m);
char *fuzz_dump_colibri_modified(const PaColibriConferenceModified *m);

/* One line per source and per group, sorted (the XML form regroups them by media, the JSON
 * form by owner). A source without an owner is the bridge's ("jvb"), as both forms write
 * it. @json_form: what the JSON form can carry: groups with their owner, only FID/SIM groups
 * with SSRCs, a video source's unset video type as camera (transfer full). */
char *fuzz_dump_jingle_sources(const PaJingleSources *s, gboolean json_form);
