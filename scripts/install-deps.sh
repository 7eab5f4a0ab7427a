#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Installs every Debian and npm package that building, running and testing Parley needs.
# Idempotent: when everything is present it only checks and returns in about a second.
#
# It installs and does nothing else: it never stops, disables or kills a service. On a
# normal Debian machine installing prosody, ejabberd, nginx or coturn starts them as system
# services; Parley's tests run in network namespaces of their own and the quick start
# (scripts/run.sh) picks free ports, so they do not get in each other's way. What got started
# is named at the end, with how to stop it if you want to.
#
# For tests: PARLEY_APT_GET (default apt-get) is the command that installs, and
# PARLEY_DEPS_ASSUME_MISSING="pkg..." treats those packages as missing.
#
#   scripts/install-deps.sh [--bench]   --bench: also what the benchmarks compare against
#                                       (Janus for tests/bench/run-sfu-compare.sh; CI does
#                                       not run benchmarks)
set -euo pipefail
cd "$(dirname "$0")/.."
apt_get=${PARLEY_APT_GET:-apt-get}

APT_PACKAGES=(
  # build
  build-essential meson ninja-build pkg-config git
  libstrophe-dev libexpat1-dev libsrtp2-dev libssl-dev libnice-dev libglib2.0-dev
  libsoup-3.0-dev libjansson-dev
  # run and test: XMPP servers, network namespaces, browsers and media peers
  prosody lua-unbound iproute2 util-linux procps curl openssl
  # e2e-bwe: random loss on one browser's downlink (nft numgen; tc netem is not in every kernel)
  nftables
  ejabberd
  chromium
  gstreamer1.0-tools gstreamer1.0-plugins-base gstreamer1.0-plugins-good
  gstreamer1.0-plugins-bad gstreamer1.0-nice libgstreamer1.0-dev
  libgstreamer-plugins-base1.0-dev libgstreamer-plugins-bad1.0-dev
  # sanitizer runtime for the ASan/UBSan build
  libclang-rt-14-dev
  # the tree checks (scripts/check-tree.sh format): clang-format 14
  clang-format
  # production-shaped tests (tests/e2e/prod.mjs): TLS in front, TURN relay
  nginx libnginx-mod-stream coturn
  # the Debian packages (tests/package): build them, check them
  debhelper lintian
)

# Services Debian starts when these packages are installed on a machine with systemd.
SERVICE_PACKAGES=(prosody ejabberd nginx coturn)
# Services started too by the benchmarks' package.
SERVICE_PACKAGES+=(janus)
# Benchmarks only: Janus (VideoRoom) for the side-by-side comparison.
BENCH_PACKAGES=(janus)
if [ "${1:-}" = "--bench" ]; then
  APT_PACKAGES+=("${BENCH_PACKAGES[@]}")
fi

missing=()
for p in "${APT_PACKAGES[@]}"; do
  if [[ " ${PARLEY_DEPS_ASSUME_MISSING:-} " == *" $p "* ]] \
      || ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "install-deps: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "$apt_get" update -qq
  "$apt_get" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  started=()
  for p in "${missing[@]}"; do
    [[ " ${SERVICE_PACKAGES[*]} " == *" $p "* ]] || continue
    if command -v systemctl >/dev/null && systemctl is-active --quiet "$p" 2>/dev/null; then
      started+=("$p")
    fi
  done
  if [ "${#started[@]}" -gt 0 ]; then
    echo "install-deps: Debian started ${started[*]} as system service(s), as it does on install."
    echo "install-deps: Parley does not use them (tests run in their own network namespaces;"
    echo "install-deps: scripts/run.sh picks free ports) and leaves them alone. To stop them for"
    echo "install-deps: good: systemctl disable --now ${started[*]}"
  fi
fi

# Node.js with npm comes from the machine image (nodesource build, which bundles npm);
# only fall back to Debian's packages when no node is present at all.
command -v node >/dev/null || "$apt_get" install -y -qq nodejs npm >/dev/null

# A symlinked web/node_modules (a git worktree sharing another checkout's install) is that
# checkout's business: it is only checked, never reinstalled (npm would replace the link).
modules_ok() { [ -d web/node_modules/playwright-core ] && [ -d web/node_modules/strophe.js ] \
  && [ -d web/node_modules/@xmldom/xmldom ]; }
if ! modules_ok || { [ ! -L web/node_modules ] && [ web/package.json -nt web/node_modules/.stamp ]; }; then
  echo "install-deps: npm install in web/"
  (cd web && npm install --no-audit --no-fund --loglevel=error && touch node_modules/.stamp)
fi
echo "install-deps: ok"
