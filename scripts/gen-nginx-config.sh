#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Writes the web side of a Parley deployment into a directory:
#   <dir>/parley.conf   an nginx site (for /etc/nginx/sites-available/): HTTPS serving the web
#                       client's files, /config.js, and proxying /xmpp-websocket and /http-bind
#                       to the XMPP server and /colibri-ws/<bridge id>/ to each bridge; plain
#                       HTTP redirects to HTTPS (and serves ACME challenges for certbot)
#   <dir>/config.js     the web client's settings for this deployment (nginx serves it as
#                       /config.js from --config-js; install it there)
#   <dir>/parley-stream.conf  with --turn-host: nginx "stream" block that shares port 443
#                       between HTTPS and TURN over TLS (coturn), chosen by the TLS server name
# The end-to-end tests use the same generator in front of the installed tree, so this is the
# configuration Parley is tested with; docs/production.md explains it.
#
#   scripts/gen-nginx-config.sh [options] DIR
#     --domain D          meeting domain: the site's name and the XMPP domain (required)
#     --cert FILE         TLS certificate chain (default /etc/letsencrypt/live/D/fullchain.pem)
#     --key FILE          its private key (default /etc/letsencrypt/live/D/privkey.pem)
#     --listen A          address to listen on, repeatable (default: every IPv4 and IPv6 address)
#     --https-port N      (default 443)
#     --http-port N       plain HTTP redirect and ACME challenges (default 80; 0: none)
#     --web-root PATH     the installed web client (default /usr/share/parley/web)
#     --config-js PATH    where nginx reads config.js (default /etc/parley/web/config.js)
#     --xmpp URL          the XMPP server's BOSH/WebSocket port (default http://127.0.0.1:5280)
#     --bridge ID=URL     a bridge's bridge.id and HTTP address, repeatable
#                         (default jvb1=http://127.0.0.1:8080)
#     --secure-domain     moderators log in on D, guests join anonymously on guest.D
#                         (the same option of gen-prosody-config.sh / gen-ejabberd-config.sh)
#     --turn-host H       TURN server name for TURN over TLS on 443 (writes parley-stream.conf;
#                         the HTTPS site then listens on 127.0.0.1:4443 behind it)
#     --turns-upstream A  coturn's TLS listener for --turn-host (default 127.0.0.1:5349)
set -euo pipefail

usage() { sed -n '15,33p' "$0" | sed 's/^# \{0,1\}//'; }

domain=
cert=
key=
listens=()
https_port=443
http_port=80
web_root=/usr/share/parley/web
config_js=/etc/parley/web/config.js
xmpp=http://127.0.0.1:5280
bridges=()
secure=0
turn_host=
turns_upstream=127.0.0.1:5349
dir=

while [ $# -gt 0 ]; do
  case $1 in
    --domain) domain=$2; shift 2 ;;
    --cert) cert=$2; shift 2 ;;
    --key) key=$2; shift 2 ;;
    --listen) listens+=("$2"); shift 2 ;;
    --https-port) https_port=$2; shift 2 ;;
    --http-port) http_port=$2; shift 2 ;;
    --web-root) web_root=$2; shift 2 ;;
    --config-js) config_js=$2; shift 2 ;;
    --xmpp) xmpp=$2; shift 2 ;;
    --bridge) bridges+=("$2"); shift 2 ;;
    --secure-domain) secure=1; shift ;;
    --turn-host) turn_host=$2; shift 2 ;;
    --turns-upstream) turns_upstream=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    -*) echo "gen-nginx-config: unknown option $1" >&2; usage >&2; exit 2 ;;
    *) [ -z "$dir" ] || { echo "gen-nginx-config: one directory only" >&2; exit 2; }
       dir=$1; shift ;;
  esac
done
[ -n "$dir" ] || { usage >&2; exit 2; }

fail() { echo "gen-nginx-config: $*" >&2; exit 2; }
[ -n "$domain" ] || fail "--domain is required"
[[ $domain =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || fail "--domain: '$domain' is not a DNS name"
for p in "$https_port" "$http_port"; do
  [[ $p =~ ^[0-9]+$ ]] && [ "$p" -le 65535 ] || fail "port '$p' is not 0-65535"
done
[ "$https_port" -ge 1 ] || fail "--https-port: 0"
[[ $xmpp =~ ^http://[^/[:space:]]+$ ]] || fail "--xmpp: '$xmpp' is not http://HOST:PORT"
[ ${#bridges[@]} -gt 0 ] || bridges=(jvb1=http://127.0.0.1:8080)
for b in "${bridges[@]}"; do
  [[ $b =~ ^[A-Za-z0-9._-]+=http://[^/[:space:]]+$ ]] \
    || fail "--bridge: '$b' is not ID=http://HOST:PORT (ID as in the bridge's bridge.id)"
done
if [ -n "$turn_host" ]; then
  [[ $turn_host =~ ^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$ ]] || fail "--turn-host: '$turn_host' is not a DNS name"
  [ "$turn_host" != "$domain" ] || fail "--turn-host must differ from --domain (nginx tells them apart by name)"
  [[ $turns_upstream =~ ^[^/[:space:]]+:[0-9]+$ ]] || fail "--turns-upstream: '$turns_upstream' is not HOST:PORT"
fi
for p in "$web_root" "$config_js"; do
  [[ $p == /* && $p != *[\;\"\'[:space:]]* ]] || fail "'$p': an absolute path without spaces, quotes or ';'"
done
[ -n "$cert" ] || cert=/etc/letsencrypt/live/$domain/fullchain.pem
[ -n "$key" ] || key=/etc/letsencrypt/live/$domain/privkey.pem

mkdir -p "$dir"
dir=$(cd "$dir" && pwd)

# listen lines: "listen <addr>:<port> <extra>;" for each address (default: IPv4 and IPv6).
listen_lines() { # port extra
  local a
  if [ ${#listens[@]} -eq 0 ]; then
    echo "    listen $1$2;"
    echo "    listen [::]:$1$2;"
  else
    for a in "${listens[@]}"; do
      if [[ $a == *:* ]]; then echo "    listen [$a]:$1$2;"; else echo "    listen $a:$1$2;"; fi
    done
  fi
}

https_listen=$(listen_lines "$https_port" " ssl http2")
if [ -n "$turn_host" ]; then
  # Port 443 belongs to the stream block, which hands the site's TLS connections on here.
  https_listen="    listen 127.0.0.1:4443 ssl http2;"
fi

bridge_locations=
for b in "${bridges[@]}"; do
  id=${b%%=*}
  url=${b#*=}
  bridge_locations+="
    # Bridge $id (its bridge.id; http.public_url = https://$domain).
    location ^~ /colibri-ws/$id/ {
        proxy_pass $url;
        proxy_http_version 1.1;
        proxy_set_header Upgrade \$http_upgrade;
        proxy_set_header Connection \"upgrade\";
        proxy_set_header Host \$host;
        proxy_set_header X-Forwarded-For \$remote_addr;
        proxy_read_timeout 900s;
        proxy_buffering off;
        tcp_nodelay on;
    }"
done

http_server=
if [ "$http_port" -ne 0 ]; then
  http_server="
server {
$(listen_lines "$http_port" "")
    server_name $domain;
    # certbot --webroot -w /var/www/html -d $domain
    location /.well-known/acme-challenge/ {
        root /var/www/html;
    }
    location / {
        return 301 https://$domain\$request_uri;
    }
}
"
fi

umask 022
cat >"$dir/parley.conf" <<EOF
# nginx site for the Parley deployment "$domain".
# Generated by scripts/gen-nginx-config.sh; docs/production.md explains it.
# Install as /etc/nginx/sites-available/$domain.conf and link it from sites-enabled/.
$http_server
server {
$https_listen
    server_name $domain;

    ssl_certificate $cert;
    ssl_certificate_key $key;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers off;
    ssl_session_cache shared:parley_tls:10m;
    ssl_session_timeout 1d;
    ssl_session_tickets off;

    # The web client: static files, no server-side code.
    root $web_root;
    index index.html;
    charset utf-8;
    # These apply to every response (no location below adds headers of its own).
    add_header Strict-Transport-Security "max-age=31536000" always;
    add_header X-Content-Type-Options nosniff always;
    add_header Referrer-Policy no-referrer always;
    add_header Content-Security-Policy "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; media-src 'self' blob: mediastream:; connect-src 'self' wss: https:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'" always;
    add_header Permissions-Policy "camera=(self), microphone=(self), display-capture=(self)" always;
    # The files change with every upgrade and have no versioned names: browsers revalidate.
    add_header Cache-Control no-cache always;

    location = /config.js {
        alias $config_js;
    }
    # The client's own folders: a missing module is a 404, never the meeting page.
    location ~ ^/(ui|xmpp|jingle|colibri|vendor)/ {
        try_files \$uri =404;
    }
    location = / {
        try_files /index.html =404;
    }
    # A file if there is one, else the meeting page for /<room> and /<tenant>/<room>.
    location / {
        try_files \$uri @parley_meeting;
    }
    location @parley_meeting {
        rewrite ^/[^/]+(/[^/]+)?$ /index.html break;
        return 404;
    }

    # XMPP for the browsers: BOSH and WebSocket on the XMPP server's HTTP port (loopback).
    location = /http-bind {
        proxy_pass $xmpp/http-bind;
        proxy_http_version 1.1;
        proxy_set_header Host $domain;
        proxy_set_header X-Forwarded-For \$remote_addr;
        proxy_buffering off;
        proxy_read_timeout 180s;
    }
    location = /xmpp-websocket {
        proxy_pass $xmpp/xmpp-websocket;
        proxy_http_version 1.1;
        proxy_set_header Upgrade \$http_upgrade;
        proxy_set_header Connection "upgrade";
        proxy_set_header Host $domain;
        proxy_set_header X-Forwarded-For \$remote_addr;
        proxy_read_timeout 900s;
        tcp_nodelay on;
    }
$bridge_locations
}
EOF

if [ -n "$turn_host" ]; then
  cat >"$dir/parley-stream.conf" <<EOF
# nginx "stream" block for the Parley deployment "$domain": port 443 carries both the
# meeting site (HTTPS) and TURN over TLS ($turn_host, coturn's TLS listener), told apart by
# the name the client asks for (SNI). Generated by scripts/gen-nginx-config.sh.
# Include it at the top level of /etc/nginx/nginx.conf (not inside http {}):
#   include /etc/nginx/parley-stream.conf;
# Debian: apt-get install libnginx-mod-stream.
stream {
    map \$ssl_preread_server_name \$parley_upstream {
        $turn_host $turns_upstream;
        default 127.0.0.1:4443;
    }
    server {
$(listen_lines "$https_port" "")
        ssl_preread on;
        proxy_pass \$parley_upstream;
        proxy_timeout 900s;
    }
}
EOF
fi

js_string() { printf "'%s'" "$1"; }
{
  echo "// Settings of Parley's web client for \"$domain\"."
  echo "// Generated by scripts/gen-nginx-config.sh; nginx serves this file as /config.js."
  echo "export default {"
  echo "  domain: $(js_string "$domain"),"
  echo "  muc: $(js_string "conference.$domain"),"
  echo "  focus: $(js_string "focus.$domain"),"
  if [ "$secure" = 1 ]; then
    echo "  // Secure domain: guests log in anonymously here; moderators with an account on $domain."
    echo "  anonymousdomain: $(js_string "guest.$domain"),"
  fi
  echo "  websocket: '/xmpp-websocket',"
  echo "  bosh: '/http-bind',"
  echo "  // The bridges' colibri-ws URLs point at this site already (http.public_url)."
  echo "  proxyColibri: false,"
  echo "};"
} >"$dir/config.js"

echo "$dir/parley.conf"
