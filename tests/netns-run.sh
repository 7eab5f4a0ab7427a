#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Runs a command in a new network namespace where loopback is the only interface, so a test
# can never send traffic anywhere but 127.0.0.0/8. Everything it started is killed when it
# ends (pass or fail): the command runs in its own PID namespace too, and its death takes the
# whole namespace with it.
set -u
if [ "$(id -u)" != 0 ]; then
  echo "netns-run: needs root for unshare -n (skipping)" >&2
  exit 77
fi
command -v unshare >/dev/null || { echo "netns-run: unshare missing (skipping)" >&2; exit 77; }
exec unshare --net --pid --fork --kill-child --mount-proc \
  bash -c 'ip link set lo up || exit 1; "$@"' netns-run "$@"
