#!/usr/bin/env bash
# What the tests need from the machine, made present: the OS packages (installed with apt-get
# when missing) and PostgreSQL and Redis (started when they do not answer). Run by npm's
# `pretest` before every `npm test` and by .ci/run before `npm ci`, so it must stay quick and
# quiet when all is there: a few file checks and two pings, no root needed. When something is
# missing and cannot be done here (not root, no apt-get), one line says what and it fails.
set -euo pipefail

log() { printf '[test-services] %s\n' "$*"; }
fail() { printf 'test-services: %s\n' "$*" >&2; exit 1; }

# The servers the tests use (test/support/database.ts, test/support/redis.ts).
pg_url=${TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}
redis_url=${TEST_REDIS_URL:-redis://127.0.0.1:6379}

# host:port of scheme://[user[:password]@]host[:port][/…], the default port when none is given;
# never the credentials, so it can be printed.
host_port() { # url, default port
  local rest=${1#*://}
  rest=${rest%%/*}
  rest=${rest##*@}
  # No port: a bracketed IPv6 address alone, or a name or IPv4 address without a colon.
  if [[ $rest == \[*\] || ($rest != \[* && $rest != *:*) ]]; then rest="$rest:$2"; fi
  printf '%s' "$rest"
}

# Only a server on this machine's default port is ours to start; any other was chosen by
# whoever set TEST_PG_URL or TEST_REDIS_URL.
is_local() { # host:port, default port
  case $1 in
    127.0.0.1:"$2" | localhost:"$2" | \[::1\]:"$2") return 0 ;;
    *) return 1 ;;
  esac
}

pg_at=$(host_port "$pg_url" 5432)
redis_at=$(host_port "$redis_url" 6379)

need_apt=()
# node, npm and git: for CI on a bare machine (.ci/run calls this before npm ci).
command -v node >/dev/null || need_apt+=(nodejs npm)
command -v git >/dev/null || need_apt+=(git)
# redis-server also for the private servers some tests start (test/ops/private-redis*.ts).
command -v redis-server >/dev/null || need_apt+=(redis-server)
if is_local "$pg_at" 5432; then
  command -v pg_ctlcluster >/dev/null || need_apt+=(postgresql)
else
  command -v pg_isready >/dev/null || need_apt+=(postgresql-client)
fi
# IMAP tests start their own Dovecot (test/support/dovecot.ts: private config, temp dir, free
# port); they need only the binaries, never the system service. Checked by path: /usr/sbin is
# not on every user's PATH, and the tests run these very files.
[ -x /usr/sbin/dovecot ] && [ -x /usr/lib/dovecot/imap ] || need_apt+=(dovecot-imapd)
# Browser tests (test/browser) drive Debian's Chromium through playwright-core.
[ -x /usr/bin/chromium ] || need_apt+=(chromium)

if [ "${#need_apt[@]}" -gt 0 ]; then
  command -v apt-get >/dev/null ||
    fail "missing ${need_apt[*]} (Debian package names) and no apt-get here: install them by hand"
  [ "$(id -u)" -eq 0 ] ||
    fail "missing ${need_apt[*]}; installing needs root: run sudo bash scripts/test-services.sh"
  log "installing ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # Keep package scripts from starting system services (a system Dovecot would take 143/993
  # for nothing). policy-rc.d exit 101 = "not allowed"; only ours is removed afterwards.
  # PostgreSQL and Redis are started below when they do not answer.
  policy=/usr/sbin/policy-rc.d
  if [ ! -e "$policy" ]; then
    printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
    trap 'rm -f "$policy"' EXIT
  fi
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
  if [ "$(trap -p EXIT)" ]; then rm -f "$policy"; trap - EXIT; fi
fi

pg_answers() { pg_isready -q -d "$pg_url" >/dev/null 2>&1; }
redis_answers() { [ "$(redis-cli -u "$redis_url" ping 2>/dev/null)" = PONG ]; }

wait_for() { # name, command…: up to 30 s for a service to answer
  local name=$1
  shift
  for _ in $(seq 1 60); do "$@" && return 0; sleep 0.5; done
  fail "$name did not come up within 30 s"
}

# Starts the local server when it does not answer; another one is only reported.
ensure_up() { # name, host:port, default port, setting, ping command, start command
  local name=$1 at=$2 port=$3 setting=$4 ping=$5 start=$6
  "$ping" && return 0
  is_local "$at" "$port" || fail "$name at $at ($setting) does not answer: start it or unset $setting"
  [ "$(id -u)" -eq 0 ] ||
    fail "$name at $at is down; starting it needs root: run sudo bash scripts/test-services.sh"
  log "starting $name"
  "$start"
  wait_for "$name at $at" "$ping"
}

start_postgres() {
  for v in /etc/postgresql/*; do
    pg_ctlcluster --skip-systemctl-redirect "$(basename "$v")" main start || true
  done
}
start_redis() {
  mkdir -p /var/lib/redis /var/log/redis
  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no \
    --dir /var/lib/redis --logfile /var/log/redis/ci.log
}

ensure_up PostgreSQL "$pg_at" 5432 TEST_PG_URL pg_answers start_postgres
ensure_up Redis "$redis_at" 6379 TEST_REDIS_URL redis_answers start_redis
