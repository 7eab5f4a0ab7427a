/* SPDX-License-Identifier: MIT */
/* Invariants of a successfully parsed Colibri2 endpoint and source list (the bounds and
 * validations colibri.h promises), shared by the conference-modify and conference-modified
 * targets. Each aborts when one does not hold. */
#pragma once

#include "common/colibri/colibri.h"

/* @nameless_params: Jingle accepts a <parameter> without a name (RED's fmtp), Colibri2 not. */
void fuzz_check_colibri_media(const PaMediaDesc *m, gboolean nameless_params);
void fuzz_check_colibri_endpoint(const PaColibriEndpoint *ep);
void fuzz_check_colibri_sources(const GArray *sources);
void fuzz_check_transport(const PaTransport *t);
