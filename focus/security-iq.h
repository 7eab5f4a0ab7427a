/* SPDX-License-Identifier: MIT */
/* Parley security IQs: being written. */
#pragma once
