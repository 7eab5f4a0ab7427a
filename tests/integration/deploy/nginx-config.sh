#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# scripts/gen-nginx-config.sh writes what nginx accepts (nginx -t) in the two shapes
# docs/production.md uses: the site alone (two bridges, secure domain), and the site behind the
# "stream" block that shares port 443 with TURN over TLS (--turn-host); its argument checks
# refuse what would make a broken site.
#
#   tests/integration/deploy/nginx-config.sh SRCDIR
# Exit 0 pass, 1 fail, 77 skip (no nginx, or no stream module for the second shape).
set -uo pipefail
src=$(cd "${1:?usage: $0 SRCDIR}" && pwd)
nginx=$(command -v nginx || ls /usr/sbin/nginx 2>/dev/null) || { echo "SKIP: nginx is not installed"; exit 77; }
gen=$src/scripts/gen-nginx-config.sh

fails=0
ok() { echo "ok - $*"; }
not_ok() { echo "not ok - $*"; fails=$((fails + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else not_ok "$what"; fi; }

work=$(mktemp -d /tmp/parley-nginx-config.XXXXXX)
trap 'rm -rf "$work"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=meet.example.org \
  -keyout "$work/key.pem" -out "$work/cert.pem" >/dev/null 2>&1

main_conf() { # dir [top-level lines] -> nginx.conf that includes the generated site
  cat >"$1/nginx.conf" <<CONF
${2:-}
pid $1/nginx.pid;
error_log $1/error.log;
events {}
http {
    include /etc/nginx/mime.types;
    access_log off;
    include $1/parley.conf;
}
CONF
}

d=$work/site
bash "$gen" --domain meet.example.org --cert "$work/cert.pem" --key "$work/key.pem" \
  --bridge jvb1=http://10.0.0.11:8080 --bridge jvb2=http://10.0.0.12:8080 --secure-domain "$d" >/dev/null
main_conf "$d"
check "the site with two bridges passes nginx -t" "$nginx" -t -q -c "$d/nginx.conf" -g 'daemon off;'
check "each bridge gets its colibri-ws route" \
  bash -c "grep -q 'location ^~ /colibri-ws/jvb1/' '$d/parley.conf' && grep -q 'proxy_pass http://10.0.0.12:8080;' '$d/parley.conf'"
check "config.js says secure domain" grep -q "anonymousdomain: 'guest.meet.example.org'" "$d/config.js"

module=$(ls /usr/lib/nginx/modules/ngx_stream_module.so 2>/dev/null)
if [ -n "$module" ]; then
  t=$work/turn
  bash "$gen" --domain meet.example.org --cert "$work/cert.pem" --key "$work/key.pem" \
    --turn-host turn.meet.example.org "$t" >/dev/null
  main_conf "$t" "load_module $module;
include $t/parley-stream.conf;"
  check "site + stream block for TURN over TLS on 443 pass nginx -t" "$nginx" -t -q -c "$t/nginx.conf" -g 'daemon off;'
  check "the TURN name goes to coturn, everything else to the site on 127.0.0.1:4443" \
    bash -c "grep -q 'turn.meet.example.org 127.0.0.1:5349;' '$t/parley-stream.conf' && grep -q 'listen 127.0.0.1:4443 ssl http2;' '$t/parley.conf'"
else
  echo "# no ngx_stream_module (libnginx-mod-stream): the stream shape is not checked"
fi

refused() { ! bash "$gen" "$@" "$work/bad" >/dev/null 2>&1; }
check "no --domain: refused" refused
check "a bridge without an id: refused" refused --domain d.example --bridge http://1.2.3.4:8080
check "an https backend: refused" refused --domain d.example --xmpp https://127.0.0.1:5280
check "the TURN name equal to the site's: refused" refused --domain d.example --turn-host d.example
check "a web root with a space: refused" refused --domain d.example --web-root '/srv/my web'

echo "# $fails failure(s)"
[ "$fails" -eq 0 ]
