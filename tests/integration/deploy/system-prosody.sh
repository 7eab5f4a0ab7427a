#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/install-deps.sh and scripts/run.sh leave a running system Prosody alone, as on a
# Debian machine where installing prosody started it on the standard ports:
#  - a "system" Prosody runs on 5222, 5347 and 5280 (in this test's network namespace);
#  - install-deps.sh installs "missing" prosody and ejabberd (a recording stand-in for
#    apt-get) and calls nothing that stops, disables or kills a service (stand-ins for
#    systemctl, pkill, killall and epmd record every call);
#  - run.sh (--no-install, on the build under test) says which ports are taken and by what,
#    starts its own Prosody, focus, bridge and web server on other ports, serves the page and
#    the focus's health, and on SIGINT stops what it started and nothing else;
#  - the system Prosody is alive and listening throughout.
#
#   tests/integration/deploy/system-prosody.sh SRCDIR BUILDDIR
# Run it inside tests/netns-run.sh (fixed ports). Exit 0 pass, 1 fail, 77 skip.
set -uo pipefail
src=$(cd "${1:?usage: $0 SRCDIR BUILDDIR}" && pwd)
build=$(cd "${2:?usage: $0 SRCDIR BUILDDIR}" && pwd)

command -v prosody >/dev/null || { echo "SKIP: prosody is not installed"; exit 77; }
command -v node >/dev/null || { echo "SKIP: node is not installed"; exit 77; }
[ -x "$build/focus/parley-focus" ] && [ -x "$build/bridge/parley-bridge" ] \
  || { echo "SKIP: no parley-focus/parley-bridge in $build"; exit 77; }

fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }
port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

work=$(mktemp -d /tmp/parley-system-prosody.XXXXXX)
sys=$work/system-prosody
runpid=
cleanup() {
  [ -n "$runpid" ] && kill -KILL "$runpid" 2>/dev/null
  bash "$src/tests/lib/prosody.sh" stop "$sys" >/dev/null 2>&1
  rm -rf "$work"
}
trap cleanup EXIT

# ---- the system Prosody, on the standard ports ----
bash "$src/tests/lib/prosody.sh" start "$sys" || { echo "not ok - the system Prosody did not start"; exit 1; }
syspid=$(cat "$sys/prosody.pid")
alive() { kill -0 "$syspid" 2>/dev/null && port_open 5222 && port_open 5347 && port_open 5280; }
check "a system Prosody runs on 5222, 5347 and 5280 (pid $syspid)" alive

# ---- stand-ins that record what the scripts call ----
shims=$work/shims
mkdir -p "$shims"
calls=$work/calls.log
: >"$calls"
for tool in systemctl pkill killall epmd service invoke-rc.d; do
  cat >"$shims/$tool" <<EOF
#!/bin/sh
echo "$tool \$*" >>"$calls"
# systemctl is-active: nothing is active as far as the scripts can tell.
[ "\$1" = is-active ] && exit 3
exit 0
EOF
  chmod +x "$shims/$tool"
done
cat >"$shims/apt-get" <<EOF
#!/bin/sh
echo "apt-get \$*" >>"$calls"
exit 0
EOF
chmod +x "$shims/apt-get"
forbidden() { grep -E '^(systemctl (stop|disable|kill|mask|restart|try-restart)|pkill|killall|epmd -kill|service .* stop|invoke-rc.d .* stop)' "$calls"; }

# ---- install-deps.sh, with prosody and ejabberd "just installed" ----
(cd "$src" && PATH=$shims:$PATH PARLEY_APT_GET=$shims/apt-get \
  PARLEY_DEPS_ASSUME_MISSING="prosody ejabberd" bash scripts/install-deps.sh) >"$work/deps.log" 2>&1
rc=$?
sed 's/^/#   /' "$work/deps.log"
check "install-deps.sh succeeds" test "$rc" = 0
check "install-deps.sh installed the missing packages (through apt-get)" \
  grep -q '^apt-get install .*prosody ejabberd' "$calls"
check "install-deps.sh stops, disables and kills nothing" test -z "$(forbidden)"
check "the system Prosody is still up after install-deps.sh" alive

# ---- run.sh next to it ----
out=$work/run.out
(cd "$src" && PATH=$shims:$PATH exec setsid bash scripts/run.sh --no-install --no-build \
  --build-dir "$build" --run-dir "$work/run") >"$out" 2>&1 &
runpid=$!
for _ in $(seq 1 600); do # 60 s: a loaded machine
  grep -q '^Parley is running' "$out" && break
  kill -0 "$runpid" 2>/dev/null || break
  sleep 0.1
done
sed 's/^/#   /' "$out"
check "run.sh starts Parley next to the system Prosody" grep -q '^Parley is running' "$out"
check "run.sh names what holds port 5222 and takes another one" \
  grep -Eq '^run: port 5222 \(XMPP client port\) is taken by [^ ]+ \(pid [0-9]+\): using 15222 instead' "$out"
check "run.sh's own Prosody listens on 15222, 15347 and 15280" \
  bash -c "(exec 3<>/dev/tcp/127.0.0.1/15222) && (exec 3<>/dev/tcp/127.0.0.1/15347) && (exec 3<>/dev/tcp/127.0.0.1/15280)"
page=$(curl -s --max-time 10 http://127.0.0.1:8000/quarterly-planning-2027)
check "run.sh serves the meeting page" grep -q 'id="app"' <<<"$page"
health=$(curl -s --max-time 10 http://127.0.0.1:8888/about/health)
check "run.sh's focus is connected, in the brewery, with a bridge (/about/health: $health)" \
  test "$health" = ok
check "the system Prosody is still up while run.sh runs" alive

kill -INT "$runpid"
for _ in $(seq 1 300); do kill -0 "$runpid" 2>/dev/null || break; sleep 0.1; done
check "run.sh exits on SIGINT" bash -c "! kill -0 $runpid 2>/dev/null"
runpid=
check "run.sh stopped its own Prosody (15222 closed)" bash -c "! (exec 3<>/dev/tcp/127.0.0.1/15222) 2>/dev/null"
check "run.sh stops, disables and kills nothing it did not start" test -z "$(forbidden)"
check "the system Prosody is still up after run.sh" alive

echo "# $fails failure(s)"
[ "$fails" -eq 0 ]
