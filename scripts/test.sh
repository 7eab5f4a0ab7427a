#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The whole test suite: installs what is missing, builds Parley twice (normal, and with
# AddressSanitizer + UndefinedBehaviorSanitizer), runs every suite of the normal build and the
# unit and fuzz suites of the sanitizer build, and ends with one line "N passed, N failed[, N
# skipped]". Exit status is non-zero when anything failed.
#
#   scripts/test.sh                 everything
#   scripts/test.sh --suite unit    one suite (unit, integration, e2e, fuzz) of the normal build
set -uo pipefail
cd "$(dirname "$0")/.."
top=$PWD

suite_args=()
if [ "${1:-}" = "--suite" ] && [ -n "${2:-}" ]; then
  suite_args=(--suite "$2")
fi

bash scripts/install-deps.sh || { echo "0 passed, 1 failed"; exit 1; }

build() { # dir, extra meson args...
  local dir=$1; shift
  if [ ! -f "$dir/build.ninja" ]; then
    meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
  fi
  ninja -C "$dir" >"$dir.ninja.log" 2>&1 || { tail -50 "$dir.ninja.log"; return 1; }
}

passed=0 failed=0 skipped=0
count() { # testlog.json
  local p f s
  read -r p f s < <(node -e '
    const lines = require("fs").readFileSync(process.argv[1], "utf8").split("\n").filter(Boolean);
    let p = 0, f = 0, s = 0;
    for (const l of lines) { const r = JSON.parse(l).result;
      if (r === "OK" || r === "EXPECTEDFAIL") p++; else if (r === "SKIP") s++; else f++; }
    console.log(p, f, s);' "$1")
  passed=$((passed + p)); failed=$((failed + f)); skipped=$((skipped + s))
}

run_suites() { # dir, meson test args...
  local dir=$1; shift
  # Each test's own timeout (meson.build) fits a quiet machine with room to spare; a loaded
  # one (CI next to other jobs) may take up to three times as long before a test counts as hung.
  meson test -C "$dir" --print-errorlogs --num-processes 2 --timeout-multiplier 3 "$@"
  if [ -f "$dir/meson-logs/testlog.json" ]; then count "$dir/meson-logs/testlog.json"; else failed=$((failed + 1)); fi
}

if build build; then
  run_suites build "${suite_args[@]}"
else
  echo "test: the build failed"; failed=$((failed + 1))
fi

if [ ${#suite_args[@]} -eq 0 ]; then
  if build build-asan -Db_sanitize=address,undefined -Db_lundef=false; then
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
      run_suites build-asan --suite unit --suite fuzz
  else
    echo "test: the sanitizer build failed"; failed=$((failed + 1))
  fi
fi

if [ "$skipped" -gt 0 ]; then
  echo "$passed passed, $failed failed, $skipped skipped"
else
  echo "$passed passed, $failed failed"
fi
[ "$failed" -eq 0 ]
