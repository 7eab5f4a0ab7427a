#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every Debian and npm package that building, running and testing Parley needs.
# Idempotent: when everything is present it only checks and returns in about a second.
#   scripts/install-deps.sh [--bench]   --bench: also what the benchmarks compare against
#                                       (Janus for tests/bench/run-sfu-compare.sh; CI does
#                                       not run benchmarks)
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # build
  build-essential meson ninja-build pkg-config git
  libstrophe-dev libexpat1-dev libsrtp2-dev libssl-dev libnice-dev libglib2.0-dev
  libsoup-3.0-dev libjansson-dev
  # run and test: XMPP servers, network namespaces, browsers and media peers
  prosody lua-unbound iproute2 util-linux procps curl openssl
  ejabberd
  chromium
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-nice libgstreamer1.0-dev
  libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  # sanitizer runtime for the ASan/UBSan build
  libclang-rt-14-dev
  # the tree checks (scripts/check-tree.sh format): clang-format 14
  clang-format
)

# Benchmarks only: Janus (VideoRoom) for the side-by-side comparison.
BENCH_PACKAGES=(janus)
if [ "${1:-}" = "--bench" ]; then
  APT_PACKAGES+=("${BENCH_PACKAGES[@]}")
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  # Package installs must never leave a system prosody running on all interfaces.
  systemctl stop prosody 2>/dev/null || true
  systemctl stop janus 2>/dev/null || true
  pkill -x prosody 2>/dev/null || true
  # Nor a system ejabberd, nor the epmd daemon an Erlang node leaves behind: tests start
  # ejabberd by hand as a non-distributed node (tests/lib/ejabberd.sh). Only an epmd with no
  # node registered is stopped, so no other Erlang system is disturbed.
  systemctl stop ejabberd epmd.socket epmd.service 2>/dev/null || true
  if command -v epmd >/dev/null && pgrep -x epmd >/dev/null && ! epmd -names 2>/dev/null | grep -q '^name '; then
    epmd -kill >/dev/null 2>&1 || true
  fi
fi

# Node.js with npm comes from the machine image (nodesource build, which bundles npm);
# only fall back to Debian's packages when no node is present at all.
command -v node >/dev/null || apt-get install -y -qq nodejs npm >/dev/null

if [ ! -d web/node_modules/playwright-core ] || [ ! -d web/node_modules/strophe.js ] \
   || [ ! -d web/node_modules/@xmldom/xmldom ] || [ web/package.json -nt web/node_modules/.stamp ]; then
  echo "install-deps: npm install in web/"
  (cd web && npm install --no-audit --no-fund --loglevel=error && touch node_modules/.stamp)
fi
echo "install-deps: ok"
