/* SPDX-License-Identifier: MIT */
/* Shared by the fuzz targets: the libFuzzer entry point each defines, and a check that aborts
 * (so both libFuzzer and the corpus replay report it) when a property of the code under test
 * does not hold. Targets are pure C with no GLib so they build with clang -fsanitize=fuzzer. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define FUZZ_CHECK(cond)                                                                           \
    do {                                                                                           \
        if (!(cond)) {                                                                             \
            fprintf(stderr, "%s:%d: property failed: %s\n", __FILE__, __LINE__, #cond);            \
            abort();                                                                               \
        }                                                                                          \
    } while (0)
