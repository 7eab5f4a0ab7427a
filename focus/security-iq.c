/* SPDX-License-Identifier: MIT */
#include "focus/security-iq.h"
