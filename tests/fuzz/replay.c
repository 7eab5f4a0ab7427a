/* SPDX-License-Identifier: MIT */
/* Corpus replay for the fuzz targets under plain `meson test` (no libFuzzer needed): runs
 * LLVMFuzzerTestOneInput on every file of the directories (or files) given, and on every
 * prefix of each file, so truncations are covered too. Each input is copied into a buffer of
 * exactly its size, so a sanitizer build catches any read past the end. Exit status 0 when all
 * ran (a property failure aborts), 1 when a corpus is missing or empty. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "fuzz.h"

static unsigned long runs;

static void run_one(const uint8_t *data, size_t size)
{
    uint8_t *copy = malloc(size ? size : 1);
    if (!copy)
        abort();
    if (size)
        memcpy(copy, data, size);
    LLVMFuzzerTestOneInput(copy, size);
    free(copy);
    runs++;
}

static int run_file(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        fprintf(stderr, "replay: %s: cannot open\n", path);
        return -1;
    }
    uint8_t *buf = malloc(1 << 20);
    if (!buf)
        abort();
    size_t n = fread(buf, 1, 1 << 20, f);
    fclose(f);
    for (size_t len = 0; len < n; len++)
        run_one(buf, len);
    run_one(buf, n);
    free(buf);
    return 0;
}

int main(int argc, char **argv)
{
    unsigned files = 0;
    for (int i = 1; i < argc; i++) {
        struct stat st;
        if (stat(argv[i], &st) != 0) {
            fprintf(stderr, "replay: %s: not found\n", argv[i]);
            return 1;
        }
        if (!S_ISDIR(st.st_mode)) {
            if (run_file(argv[i]) != 0)
                return 1;
            files++;
            continue;
        }
        DIR *d = opendir(argv[i]);
        if (!d)
            return 1;
        struct dirent *e;
        while ((e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            char path[4096];
            snprintf(path, sizeof path, "%s/%s", argv[i], e->d_name);
            if (run_file(path) != 0) {
                closedir(d);
                return 1;
            }
            files++;
        }
        closedir(d);
    }
    if (files == 0) {
        fprintf(stderr, "replay: no corpus files\n");
        return 1;
    }
    printf("replay: %u files, %lu inputs (with prefixes), no failures\n", files, runs);
    return 0;
}
