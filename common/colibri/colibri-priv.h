/* SPDX-License-Identifier: MIT */
/* Internal to common/colibri: array constructors with the right clear functions. */
#pragma once

#include "common/colibri/colibri.h"

G_BEGIN_DECLS

GArray *pa_colibri_params_new(void);      /* of PaColibriParam */
GArray *pa_colibri_fbs_new(void);         /* of PaColibriRtcpFb */
GArray *pa_colibri_pts_new(void);         /* of PaColibriPayloadType */
GArray *pa_colibri_hdrexts_new(void);     /* of PaColibriHdrExt */
GArray *pa_colibri_media_new(void);       /* of PaColibriMedia */
GArray *pa_colibri_source_list_new(void); /* of PaColibriSource */
GArray *pa_colibri_groups_new(void);      /* of PaColibriSsrcGroup */

G_END_DECLS
