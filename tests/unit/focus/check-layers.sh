#!/bin/sh
# SPDX-License-Identifier: MIT
# The focus's layers, as docs/architecture.md ("Inside the focus") states them: which folder of
# focus/ may include which. Fails, naming each offending include, when a file includes a
# folder above its own:
#   xmpp        common/ only (and itself)
#   rooms       xmpp
#   bridges     xmpp
#   conference  xmpp, rooms, bridges
#   security    xmpp, rooms
#   http        xmpp, rooms, bridges, conference, security
#   focus/*.c   (app, core, settings, main) anything; nothing below includes them.
#
#   check-layers.sh SRCDIR             check SRCDIR/focus
#   check-layers.sh --self-test SRCDIR  check that a violation is caught (on a copy)
set -eu

allowed() { # folder -> folders it may include
    case $1 in
    xmpp) echo "xmpp" ;;
    rooms) echo "xmpp rooms" ;;
    bridges) echo "xmpp bridges" ;;
    conference) echo "xmpp rooms bridges conference" ;;
    security) echo "xmpp rooms security" ;;
    http) echo "xmpp rooms bridges conference security http" ;;
    *) echo "" ;;
    esac
}

check() { # srcdir
    bad=0
    for dir in xmpp rooms bridges conference security http; do
        ok=$(allowed "$dir")
        for f in "$1"/focus/"$dir"/*.c "$1"/focus/"$dir"/*.h; do
            [ -e "$f" ] || continue
            grep -n '^#include "focus/' "$f" | while IFS= read -r line; do
                target=$(printf '%s\n' "$line" | sed 's/^[0-9]*:#include "focus\/\([^"]*\)".*/\1/')
                case $target in
                */*) folder=${target%%/*} ;;
                *) folder=top ;;
                esac
                case " $ok " in
                *" $folder "*) ;;
                *) echo "focus/$dir/${f##*/}:${line%%:*}: includes focus/$target (focus/$dir may use: $ok)" ;;
                esac
            done
        done
    done | {
        out=$(cat)
        if [ -n "$out" ]; then
            printf '%s\n' "$out"
            echo "check-layers: focus/ layering violated (docs/architecture.md, Inside the focus)"
            exit 1
        fi
    } || bad=1
    return $bad
}

if [ "${1:-}" = "--self-test" ]; then
    src=${2:?usage: $0 --self-test SRCDIR}
    tmp=$(mktemp -d)
    trap 'rm -rf "$tmp"' EXIT
    mkdir -p "$tmp/focus"
    cp -R "$src/focus/." "$tmp/focus/"
    check "$tmp" >/dev/null || { echo "self-test: the real tree should pass"; exit 1; }
    printf '#include "focus/conference/conference.h"\n' >>"$tmp/focus/rooms/room.c"
    if check "$tmp" >/dev/null; then
        echo "self-test: rooms including conference was not caught"
        exit 1
    fi
    echo "self-test: a room file including the conference layer is caught"
    exit 0
fi

check "${1:?usage: $0 SRCDIR}"
echo "check-layers: focus/ layering as documented"
