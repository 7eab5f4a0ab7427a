#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Tree checks that keep the source tree showing the architecture (suite "lint" of meson test;
# CI runs them through scripts/test.sh). Each check prints every offending file and exits 1;
# 0 when clean; 77 (skip) when a tool it needs is missing.
#
#   scripts/check-tree.sh [check...]     checks: format headers includes (default: all three)
#   scripts/check-tree.sh selftest       shows each check failing on a tree that breaks it
#
#   format    every tracked .c/.h is formatted as .clang-format says (clang-format 14, the
#             version in Debian 12; other versions format differently, so they skip)
#   headers   every header under common/, focus/, bridge/ compiles on its own, and twice
#             (a translation unit per header that includes only it; -fsyntax-only, in parallel)
#             with the project's include path and its dependencies' cflags. common/rtp gets no
#             dependency cflags at all: it is libc only.
#   includes  focus/ never includes bridge/ and bridge/ never includes focus/; common/ includes
#             neither; within common/ a folder includes only the folders below it
#             (docs/architecture.md); a *-priv.h is included only from its own folder, from its
#             mirror under tests/unit/ (tests/unit/<its folder>/...) and from tests/fuzz/; only
#             tests/ include tests/.
#
# Environment: CHECK_TREE_ROOT (the tree to check; default: this repository), CC (default cc),
# CLANG_FORMAT (default clang-format), CHECK_TREE_JOBS (default: number of CPUs).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "${CHECK_TREE_ROOT:-$here/..}" && pwd)
jobs=${CHECK_TREE_JOBS:-$(nproc 2>/dev/null || echo 2)}
CC=${CC:-cc}
CLANG_FORMAT=${CLANG_FORMAT:-clang-format}
self=$here/$(basename "$0")

tmpdirs=()
trap 'rm -rf "${tmpdirs[@]}"' EXIT

# Tracked files (or, outside a git checkout, every file but build output), relative to $root.
tree_files() {
    if [ "$(git -C "$root" rev-parse --show-toplevel 2>/dev/null)" = "$root" ]; then
        git -C "$root" ls-files -- "$@" | while IFS= read -r f; do [ -f "$root/$f" ] && echo "$f"; done
    else
        (cd "$root" && find . \( -name .git -o -name node_modules -o -name 'build*' \) -prune -o \
            -type f -print | sed 's|^\./||' | while IFS= read -r f; do
            for pat in "$@"; do
                # shellcheck disable=SC2254
                case $f in $pat) echo "$f"; break ;; esac
            done
        done)
    fi
}

# Prints @1 (what is wrong) and then @2 (one offender per line) indented; returns 1.
report() {
    echo "$1"
    echo "$2" | sed 's/^/  /'
    return 1
}

# ---- format ----

check_format() {
    if ! command -v "$CLANG_FORMAT" >/dev/null; then
        echo "format: $CLANG_FORMAT is not installed (scripts/install-deps.sh installs it); skipping"
        return 77
    fi
    local version
    version=$("$CLANG_FORMAT" --version | sed -n 's/.*version \([0-9][0-9]*\)\..*/\1/p')
    if [ "$version" != 14 ]; then
        echo "format: $CLANG_FORMAT is version ${version:-?}, not 14: formatting differs; skipping"
        return 77
    fi
    # --dry-run -Werror reports "file:line:col: error: code should be clang-formatted" for
    # every file that differs; anything else it prints is a problem of its own.
    local out st bad
    out=$(cd "$root" && tree_files '*.c' '*.h' |
        xargs -r -P "$jobs" -n 64 "$CLANG_FORMAT" --style=file --dry-run -Werror 2>&1)
    st=$?
    bad=$(echo "$out" | grep -E '^[^ :]+:[0-9]+:[0-9]+: (error|warning)' | cut -d: -f1 | sort -u)
    if [ "$st" != 0 ] && [ -z "$bad" ]; then
        report "format: $CLANG_FORMAT failed:" "$(echo "$out" | head -20)"
        return
    fi
    if [ -n "$bad" ]; then
        report "format: $(echo "$bad" | wc -l) file(s) not formatted as .clang-format says (fix:\
 clang-format -i FILE):" "$bad"
        return
    fi
    echo "format: ok ($(cd "$root" && tree_files '*.c' '*.h' | wc -l) files)"
}

# ---- headers ----

# The cflags every header may use, from pkg-config (the dependencies meson.build declares).
header_cflags() {
    pkg-config --cflags glib-2.0 gio-2.0 libstrophe expat libsrtp2 openssl nice libsoup-3.0 jansson
}

check_headers() {
    if ! command -v "$CC" >/dev/null || ! command -v pkg-config >/dev/null; then
        echo "headers: needs $CC and pkg-config; skipping"
        return 77
    fi
    local deps
    if ! deps=$(header_cflags 2>&1); then
        echo "headers: a dependency's development files are missing ($deps); skipping"
        return 77
    fi
    local tmp
    tmp=$(mktemp -d)
    tmpdirs+=("$tmp")
    local headers
    headers=$(cd "$root" && tree_files 'common/*.h' 'focus/*.h' 'bridge/*.h')
    if [ -z "$headers" ]; then
        echo "headers: no headers under common/, focus/, bridge/"
        return 1
    fi
    # One job per header: a TU that includes it twice (the second include checks the guard).
    export CHECK_ROOT=$root CHECK_TMP=$tmp CHECK_CC=$CC CHECK_DEPS=$deps
    echo "$headers" | xargs -r -P "$jobs" -I{} sh -c '
        h=$1
        tu=$CHECK_TMP/$(echo "$h" | tr / _).c
        printf "#include \"%s\"\n#include \"%s\"\n" "$h" "$h" >"$tu"
        case $h in common/rtp/*) deps= ;; *) deps=$CHECK_DEPS ;; esac
        # shellcheck disable=SC2086
        if ! out=$("$CHECK_CC" -fsyntax-only -std=gnu11 -D_GNU_SOURCE \
                -DGLIB_VERSION_MIN_REQUIRED=GLIB_VERSION_2_74 -I"$CHECK_ROOT" $deps \
                -Werror=implicit-function-declaration -Werror=incompatible-pointer-types \
                -Werror=strict-prototypes -Werror=int-conversion -Werror=return-type \
                "$tu" 2>&1); then
            { echo "$h"; echo "$out" | grep -m 5 -E "error|fatal" | sed "s|^|    |"; } >"$tu.fail"
        fi
    ' sh {}
    local fails
    fails=$(cat "$tmp"/*.fail 2>/dev/null)
    if [ -n "$fails" ]; then
        report "headers: $(find "$tmp" -name '*.fail' | wc -l) header(s) do not compile on\
 their own (each must include what it uses):" "$fails"
        return
    fi
    echo "headers: ok ($(echo "$headers" | wc -l) headers compile on their own)"
}

# ---- includes ----

# The layer table of common/meson.build, one "folder:used folders" line per row of
#   ['xmpp', common_xmpp_sources, ['base'], [strophe_dep]],
# ("base" is common/*.h itself).
common_layers() {
    sed -n "s/^ *\['\([a-z0-9_-]*\)', *[^,]*, *\[\([^]]*\)\].*/\1:\2/p" \
        "$root/common/meson.build" 2>/dev/null | tr -d "',"
}

# The common/ folders a common/ folder may include besides itself, from $layers; "?" when the
# folder has no row.
common_may_use() {
    local row
    row=$(echo "$layers" | grep -m 1 "^$1:") || {
        echo "?"
        return
    }
    echo "${row#*:}"
}

# The common/ folder of a path under common/ ("base" for common/x.h).
common_folder() {
    local rest=${1#common/}
    case $rest in
    */*) echo "${rest%%/*}" ;;
    *) echo base ;;
    esac
}

# Prints one line per violation for file $1 including "$2" (resolved path) at line $3.
include_violation() {
    local f=$1 inc=$2 line=$3
    case $f in
    focus/*) case $inc in bridge/*) echo "$f:$line includes $inc: focus and bridge meet only on the wire" ;; esac ;;
    bridge/*) case $inc in focus/*) echo "$f:$line includes $inc: focus and bridge meet only on the wire" ;; esac ;;
    esac
    case $f in
    common/*)
        case $inc in
        focus/* | bridge/*) echo "$f:$line includes $inc: common/ uses neither focus/ nor bridge/" ;;
        common/*)
            local from to allowed
            from=$(common_folder "$f")
            to=$(common_folder "$inc")
            allowed=" $(common_may_use "$from") "
            if [ "$allowed" = " ? " ]; then
                echo "$f:$line: common/${from/base/} has no row in the layer table of common/meson.build"
            elif [ "$from" != "$to" ] && [ "${allowed#* "$to" }" = "$allowed" ]; then
                echo "$f:$line includes $inc: common/${from/base/} may use only:${allowed% } (common/meson.build)"
            fi
            ;;
        esac
        ;;
    esac
    case $inc in
    tests/*) case $f in tests/*) ;; *) echo "$f:$line includes $inc: only tests use tests/" ;; esac ;;
    esac
    case $inc in
    *-priv.h)
        local dir=${inc%/*}
        [ "$dir" = "$inc" ] && dir=.
        local fdir=${f%/*}
        [ "$fdir" = "$f" ] && fdir=.
        case $fdir in
        "$dir" | "tests/unit/$dir" | "tests/unit/$dir"/* | tests/fuzz | tests/fuzz/*) ;;
        *) echo "$f:$line includes $inc: a -priv.h is for its own folder ($dir/) and tests/unit/$dir/ only" ;;
        esac
        ;;
    esac
}

check_includes() {
    local out
    layers=$(common_layers)
    if [ -d "$root/common" ] && [ -z "$layers" ]; then
        echo "includes: no layer table (common_layers) found in common/meson.build"
        return 1
    fi
    # file:line:#include "path" for every quoted include of every tracked file.
    out=$(cd "$root" && tree_files '*.c' '*.h' |
        xargs -r grep -Hn '^[[:space:]]*#[[:space:]]*include[[:space:]]*"' /dev/null |
        while IFS= read -r l; do
            local f=${l%%:*} rest=${l#*:} line inc
            line=${rest%%:*}
            inc=${rest#*\"}
            inc=${inc%%\"*}
            # "x.h" without a folder is next to the includer.
            case $inc in */*) ;; *) [ "${f%/*}" != "$f" ] && inc=${f%/*}/$inc ;; esac
            include_violation "$f" "$inc" "$line"
        done)
    if [ -n "$out" ]; then
        report "includes: $(echo "$out" | wc -l) include(s) cross a boundary:" "$out"
        return
    fi
    echo "includes: ok"
}

# ---- self-test ----

# A small tree that breaks every check once; each check must fail on it and name the file,
# and pass once the file is fixed.
selftest() {
    local t status=0
    t=$(mktemp -d)
    tmpdirs+=("$t")
    cp "$root/.clang-format" "$t/"
    mkdir -p "$t/common/rtp" "$t/common/xmpp" "$t/focus" "$t/bridge/media" "$t/tests/unit/bridge/media"
    printf "common_layers = [\n  ['base', s, [], []],\n  ['rtp', s, [], []],\n  ['xmpp', s, ['base'], []],\n]\n" >"$t/common/meson.build"
    printf '/* SPDX-License-Identifier: MIT */\n#pragma once\n\n#include <glib.h>\n\ngint pa_ok(void);\n' >"$t/common/ok.h"
    printf '/* SPDX-License-Identifier: MIT */\n#pragma once\n\n#include <stdint.h>\n\nuint32_t pa_rtp_ok(void);\n' >"$t/common/rtp/ok.h"
    printf '/* SPDX-License-Identifier: MIT */\n#pragma once\n\nint bridge_x(void);\n' >"$t/bridge/media/media-priv.h"
    printf '/* SPDX-License-Identifier: MIT */\n#include "bridge/media/media-priv.h"\n' >"$t/bridge/media/media.c"
    printf '/* SPDX-License-Identifier: MIT */\n#include "bridge/media/media-priv.h"\n' >"$t/tests/unit/bridge/media/test-media.c"
    printf '/* SPDX-License-Identifier: MIT */\n#include "common/ok.h"\n' >"$t/focus/app.c"

    expect() { # what, check, want status, pattern
        local out st
        out=$(CHECK_TREE_ROOT=$t "$self" "$2" 2>&1)
        st=$?
        if [ "$st" = 77 ]; then
            echo "selftest: $1: skipped ($out)"
            return 0
        fi
        if [ "$st" != "$3" ] || ! echo "$out" | grep -q -- "$4"; then
            echo "selftest: FAILED: $1 (exit $st, want $3 and '$4'):"
            echo "$out" | sed 's/^/    /'
            status=1
        else
            echo "selftest: ok: $1"
        fi
    }

    expect "a clean tree passes format" format 0 "format: ok"
    expect "a clean tree passes headers" headers 0 "headers: ok"
    expect "a clean tree passes includes" includes 0 "includes: ok"

    printf '/* SPDX-License-Identifier: MIT */\nint   pa_badly_formatted( void ){return 0;}\n' >"$t/common/ugly.c"
    expect "an unformatted file fails format" format 1 "common/ugly.c"
    rm "$t/common/ugly.c"

    printf '/* SPDX-License-Identifier: MIT */\n#pragma once\n\nGHashTable *pa_needs_glib(void);\n' >"$t/common/xmpp/alone.h"
    expect "a header that does not include what it uses fails headers" headers 1 "common/xmpp/alone.h"
    rm "$t/common/xmpp/alone.h"
    printf '/* SPDX-License-Identifier: MIT */\n#pragma once\n\n#include <glib.h>\n\ngint pa_rtp_bad(void);\n' >"$t/common/rtp/bad.h"
    expect "GLib in common/rtp fails headers" headers 1 "common/rtp/bad.h"
    rm "$t/common/rtp/bad.h"
    printf '/* SPDX-License-Identifier: MIT */\nstruct pa_twice {\n    int x;\n};\n' >"$t/common/noguard.h"
    expect "a header without an include guard fails headers" headers 1 "common/noguard.h"
    rm "$t/common/noguard.h"

    printf '/* SPDX-License-Identifier: MIT */\n#include "bridge/media/media-priv.h"\n' >"$t/focus/cross.c"
    expect "focus including bridge fails includes" includes 1 "focus/cross.c:2 includes bridge/"
    rm "$t/focus/cross.c"
    printf '/* SPDX-License-Identifier: MIT */\n#include "focus/app.h"\n' >"$t/bridge/media/cross.c"
    expect "bridge including focus fails includes" includes 1 "bridge/media/cross.c:2 includes focus/"
    rm "$t/bridge/media/cross.c"
    printf '/* SPDX-License-Identifier: MIT */\n#include "focus/app.h"\n' >"$t/common/cross.c"
    expect "common including focus fails includes" includes 1 "common/cross.c:2 includes focus/"
    rm "$t/common/cross.c"
    printf '/* SPDX-License-Identifier: MIT */\n#include "common/xmpp/stanza.h"\n' >"$t/common/rtp/up.c"
    expect "common/rtp including common/xmpp fails includes" includes 1 "common/rtp/up.c:2 includes common/xmpp"
    rm "$t/common/rtp/up.c"
    printf '/* SPDX-License-Identifier: MIT */\n#include "common/ok.h"\n' >"$t/common/xmpp/down.c"
    expect "common/xmpp including base passes includes" includes 0 "includes: ok"
    rm "$t/common/xmpp/down.c"
    mkdir -p "$t/common/new"
    printf '/* SPDX-License-Identifier: MIT */\n#include "common/ok.h"\n' >"$t/common/new/x.c"
    expect "a common/ folder without a layer row fails includes" includes 1 "common/new has no row"
    rm -r "$t/common/new"
    mkdir -p "$t/bridge/control"
    printf '/* SPDX-License-Identifier: MIT */\n#include "bridge/media/media-priv.h"\n' >"$t/bridge/control/leak.c"
    expect "a -priv.h used from another folder fails includes" includes 1 "bridge/control/leak.c:2 includes bridge/media/media-priv.h"
    rm "$t/bridge/control/leak.c"
    return $status
}

# ---- main ----

[ $# -gt 0 ] || set -- format headers includes
failed=0 skipped=0
for check in "$@"; do
    case $check in
    format) check_format ;;
    headers) check_headers ;;
    includes) check_includes ;;
    selftest) selftest ;;
    *)
        echo "usage: $0 [format|headers|includes|selftest]..." >&2
        exit 2
        ;;
    esac
    case $? in
    0) ;;
    77) skipped=$((skipped + 1)) ;;
    *) failed=$((failed + 1)) ;;
    esac
done
[ "$failed" -gt 0 ] && exit 1
[ "$skipped" -eq $# ] && exit 77
exit 0
