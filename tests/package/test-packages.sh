#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The Debian packages (debian/): they build from a copy of the tree with dpkg-buildpackage -b
# (-Dtests=false: programs, web client, units, examples only), contain what they should and
# nothing of the tests or of npm (dpkg -c), pass lintian (no error or warning), and behave
# when installed: dpkg -i in a throwaway overlay of /etc, /var and /usr (this machine's own
# files are never touched) creates the parley system user, /etc/parley/focus.conf and
# bridge.conf with fresh secrets readable by root and the parley group only, registers the
# units without enabling or starting them, the units pass systemd-analyze verify, the
# programs read their configuration as parley and nobody else can, and purge removes it.
#
#   tests/package/test-packages.sh SRCDIR
# Run it inside tests/netns-run.sh: the overlays live in its private mount namespace.
# Exit 0 pass, 1 fail, 77 skip (no dpkg-buildpackage, debhelper, or strophe.js).
set -uo pipefail
src=$(cd "${1:?usage: $0 SRCDIR}" && pwd)

skip() { echo "SKIP: $*"; exit 77; }
fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
check() { # description command...
  local what=$1; shift
  if "$@"; then ok "$what"; else not_ok "$what"; fi
}

command -v dpkg-buildpackage >/dev/null || skip "dpkg-buildpackage is not installed (dpkg-dev)"
command -v dh >/dev/null || skip "debhelper is not installed"
strophe=$src/web/vendor/strophe.umd.min.js
[ -f "$strophe" ] || strophe=$src/web/node_modules/strophe.js/dist/strophe.umd.min.js
[ -f "$strophe" ] || skip "no strophe.js to vendor (npm ci in web/)"
[ "$(id -u)" = 0 ] || skip "needs root (dpkg -i in an overlay)"

work=$(mktemp -d /tmp/parley-packages.XXXXXX)
trap 'rm -rf "$work"' EXIT

# ---- build, from a copy of the tree (build directories, npm and git stay out) ----
mkdir -p "$work/src"
if git -C "$src" rev-parse --show-toplevel >/dev/null 2>&1; then
  (cd "$src" && { git ls-files -z; git ls-files -z --others --exclude-standard -- debian deploy docs; } \
    | sort -zu | while IFS= read -r -d '' f; do [ -e "$f" ] && printf '%s\0' "$f"; done \
    | tar --null -T - -cf -) | tar -xf - -C "$work/src"
else
  tar -C "$src" --exclude='./build*' --exclude=node_modules --exclude=.git -cf - . | tar -xf - -C "$work/src"
fi
mkdir -p "$work/src/web/vendor"
cp "$strophe" "$work/src/web/vendor/strophe.umd.min.js"
echo "# building the packages (dpkg-buildpackage -b -us -uc)"
if ! (cd "$work/src" && dpkg-buildpackage -b -us -uc >"$work/build.log" 2>&1); then
  tail -40 "$work/build.log"
  not_ok "dpkg-buildpackage -b"
  exit 1
fi
ok "dpkg-buildpackage -b builds parley-focus, parley-bridge and parley-web"
focus=$(ls "$work"/parley-focus_*_*.deb)
bridge=$(ls "$work"/parley-bridge_*_*.deb)
web=$(ls "$work"/parley-web_*_all.deb)

# ---- contents ----
has() { # deb path...
  local deb=$1 p list; shift
  list=$(dpkg-deb -c "$deb" | awk '{print $6}')
  for p in "$@"; do grep -qx "./$p" <<<"$list" || { echo "#   $(basename "$deb") lacks $p"; return 1; }; done
}
lacks() { # deb pattern
  ! dpkg-deb -c "$1" | awk '{print $6}' | grep -E "$2"
}
check "parley-focus: program, unit, manual, example config, XMPP server generators" \
  has "$focus" usr/bin/parley-focus lib/systemd/system/parley-focus.service \
    usr/share/man/man8/parley-focus.8.gz usr/share/parley/examples/focus.conf \
    usr/share/parley/examples/turnserver.conf usr/share/parley/scripts/gen-prosody-config.sh \
    usr/share/parley/scripts/gen-ejabberd-config.sh usr/share/doc/parley-focus/copyright
check "parley-bridge: program, unit, manual, example config" \
  has "$bridge" usr/bin/parley-bridge lib/systemd/system/parley-bridge.service \
    usr/share/man/man8/parley-bridge.8.gz usr/share/parley/examples/bridge.conf
check "parley-web: the page, every module folder, strophe.js, config.js, the nginx generator" \
  has "$web" usr/share/parley/web/index.html usr/share/parley/web/app.js \
    usr/share/parley/web/ui/login.js usr/share/parley/web/xmpp/connection.js \
    usr/share/parley/web/jingle/offer.js usr/share/parley/web/colibri/bridge-channel.js \
    usr/share/parley/web/vendor/strophe.js etc/parley/web/config.js \
    usr/share/parley/scripts/gen-nginx-config.sh
for deb in "$focus" "$bridge" "$web"; do
  check "$(basename "$deb"): no tests, npm files or development server" \
    lacks "$deb" 'node_modules|/test/|serve\.mjs|package(-lock)?\.json|/test-|fuzz|bench'
done
check "/etc/parley/web/config.js is a conffile of parley-web" \
  bash -c "dpkg-deb --ctrl-tarfile '$web' | tar -xOf - ./conffiles | grep -qx /etc/parley/web/config.js"
for deb in "$focus" "$bridge"; do
  check "$(basename "$deb"): no configuration with a secret shipped (the postinst makes it)" \
    lacks "$deb" 'etc/parley/(focus|bridge)\.conf'
done

# ---- lintian ----
if command -v lintian >/dev/null; then
  lintian --fail-on error,warning "$work"/parley_*.changes >"$work/lintian.log" 2>&1
  rc=$?
  sed 's/^/#   /' "$work/lintian.log" | grep -v 'running with root privileges' || true
  check "lintian: no errors, no warnings" test "$rc" = 0
else
  echo "# lintian is not installed: not run"
fi

# ---- installed, in an overlay of /etc, /var and /usr ----
for d in etc var usr; do
  mkdir -p "$work/ov/$d-up" "$work/ov/$d-work"
  mount -t overlay overlay -o "lowerdir=/$d,upperdir=$work/ov/$d-up,workdir=$work/ov/$d-work" "/$d" \
    || skip "cannot mount an overlay on /$d (no overlayfs in this kernel or container)"
done
if ! dpkg -i "$focus" "$bridge" "$web" >"$work/dpkg.log" 2>&1; then
  cat "$work/dpkg.log"
  not_ok "dpkg -i of the three packages"
  exit 1
fi
ok "dpkg -i installs the three packages"
uid=$(getent passwd parley | cut -d: -f3)
check "the parley system user and group exist (uid $uid)" \
  bash -c "[ -n '$uid' ] && [ '$uid' -lt 1000 ] && getent group parley >/dev/null"
for f in focus bridge; do
  check "/etc/parley/$f.conf: root:parley, mode 640" \
    test "$(stat -c '%U:%G %a' /etc/parley/$f.conf)" = "root:parley 640"
done
check "focus.conf has a fresh 128-bit component secret" \
  grep -Eq '^secret = [0-9a-f]{32}$' /etc/parley/focus.conf
check "bridge.conf has a fresh 128-bit bridge password" \
  grep -Eq '^password = [0-9a-f]{32}$' /etc/parley/bridge.conf
check "the two installs got different secrets" \
  test "$(sed -n 's/^secret = //p' /etc/parley/focus.conf)" != "$(sed -n 's/^password = //p' /etc/parley/bridge.conf)"
check "parley-focus reads its configuration as parley" \
  runuser -u parley -- parley-focus --config /etc/parley/focus.conf --check-config
check "parley-bridge reads its configuration as parley" \
  runuser -u parley -- parley-bridge --config /etc/parley/bridge.conf --check-config
check "nobody else can read the secrets" \
  bash -c '! runuser -u nobody -- cat /etc/parley/focus.conf 2>/dev/null && ! runuser -u nobody -- cat /etc/parley/bridge.conf 2>/dev/null'
check "the services are registered but not enabled" \
  bash -c '! ls /etc/systemd/system/*.wants/parley-* 2>/dev/null | grep -q .'
verify=$(systemd-analyze verify /lib/systemd/system/parley-focus.service \
  /lib/systemd/system/parley-bridge.service 2>&1)
[ -z "$verify" ] || echo "$verify" | sed 's/^/#   /'
check "systemd-analyze verify: the installed units are clean" test -z "$verify"
# Reinstalling (an upgrade) keeps the secrets.
before=$(cat /etc/parley/focus.conf)
dpkg -i "$focus" >>"$work/dpkg.log" 2>&1
check "an upgrade keeps focus.conf" test "$before" = "$(cat /etc/parley/focus.conf)"
dpkg --purge parley-focus parley-bridge >>"$work/dpkg.log" 2>&1
check "purge removes focus.conf and bridge.conf" \
  bash -c '[ ! -e /etc/parley/focus.conf ] && [ ! -e /etc/parley/bridge.conf ]'

echo "# $fails failure(s)"
[ "$fails" -eq 0 ]
