/* SPDX-License-Identifier: MIT */
/* Canonical text dumps of the parsed models (every field, in order), so that the fuzz
 * targets can check parse(build(parse(x))) == parse(x) as a string comparison that shows
 * the difference when it fails. Strings go through fuzz_dump_str(). */
#pragma once

#include <glib.h>

#include "common/colibri/colibri.h"
#include "common/transport.h"

void fuzz_dump_transport(GString *out, const PaTransport *t);
void fuzz_dump_colibri_endpoint(GString *out, const PaColibriEndpoint *ep);
void fuzz_dump_colibri_sources(GString *out, const GArray *sources);

/* New strings (transfer full, g_free). */
char *fuzz_dump_colibri_modify(const PaColibriConferenceModify *m);
char *fuzz_dump_colibri_modified(const PaColibriConferenceModified *m);
