#!/usr/bin/env bash
# What `npm test` and `npm run bench` need beyond `npm ci`, made ready or named at once.
#
#   tools/prerequisites/check.sh test    # npm's pretest: Node, RabbitMQ (+ rabbitmqctl), PostgreSQL, Chromium
#   tools/prerequisites/check.sh bench   # npm's prebench: Node, RabbitMQ (+ rabbitmqctl); PostgreSQL named
#                                        # if it does not answer (only --store postgres, scale-out and
#                                        # store-cost need it; the bench itself stops with one line then)
#
# Whatever can be installed or started here is (as root, or with password-less sudo): the local
# RabbitMQ and PostgreSQL are started when they do not answer, Debian's chromium is installed when
# /usr/bin/chromium is missing. Otherwise the run stops within seconds with one line naming the
# missing piece and the command that provides it, instead of minutes of failing tests.
set -uo pipefail

purpose=${1:-test}
amqp_host=127.0.0.1
amqp_port=5672
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
# The store tests' PostgreSQL (test/support/postgres.ts): TEST_DATABASE_URL, else the local one.
pg_url=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test}

say() { printf 'prerequisites: %s\n' "$*"; }
missing() {
  printf 'prerequisites: missing %s\n' "$*" >&2
  exit 1
}

# Root runs a command as it is; anyone else through password-less sudo, if there is one.
can_root() { ((EUID == 0)) || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; }
as_root() {
  if ((EUID == 0)); then "$@"; else sudo -n "$@"; fi
}

check_node() {
  local major minor
  IFS=. read -r major minor _ <<<"${NODE_VERSION:-$(node -p 'process.versions.node')}"
  if ((major < 20 || (major == 20 && minor < 11))); then
    missing "Node.js >= 20.11 (found $(node --version)): install Node.js 20 LTS"
  fi
}

amqp_answers() { (exec 3<>"/dev/tcp/$amqp_host/$amqp_port") 2>/dev/null; }

check_rabbitmq() {
  command -v rabbitmqctl >/dev/null 2>&1 ||
    missing "rabbitmqctl (the tests stop and start the local broker with it): apt-get install -y rabbitmq-server"
  if amqp_answers; then
    say "RabbitMQ answers on $amqp_host:$amqp_port"
    return
  fi
  can_root ||
    missing "RabbitMQ on $amqp_host:$amqp_port (not answering): run 'sudo rabbitmq-server -detached'"
  say "RabbitMQ does not answer on $amqp_host:$amqp_port; starting it (rabbitmq-server -detached)"
  as_root rabbitmq-server -detached >/dev/null 2>&1 ||
    missing "RabbitMQ on $amqp_host:$amqp_port, and it could not be started here: run 'sudo rabbitmq-server -detached'"
  local deadline=$((SECONDS + 90))
  until rabbitmq-diagnostics -q ping --timeout 5 >/dev/null 2>&1 && amqp_answers; do
    ((SECONDS < deadline)) ||
      missing "RabbitMQ on $amqp_host:$amqp_port: started, but no answer within 90 s (see /var/log/rabbitmq)"
    sleep 2
  done
  say "RabbitMQ started and answers"
}

pg_answers() { psql "$1" -Atqc 'SELECT 1' >/dev/null 2>&1; }

check_postgres() {
  command -v psql >/dev/null 2>&1 ||
    missing "psql (the store tests' PostgreSQL client): apt-get install -y postgresql-client"
  if pg_answers "$pg_url"; then
    say "PostgreSQL answers at ${pg_url%%\?*}"
    return
  fi
  # A URL of one's own is one's own server: named, not started.
  [[ -z ${TEST_DATABASE_URL:-} ]] ||
    missing "PostgreSQL at TEST_DATABASE_URL=$pg_url (not answering)"
  local server=postgres://postgres@127.0.0.1:5432/postgres
  if ! pg_answers "$server"; then
    local version
    version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n 1)
    [[ -n $version ]] ||
      missing "PostgreSQL on 127.0.0.1:5432 (the store tests): apt-get install -y postgresql"
    can_root ||
      missing "PostgreSQL on 127.0.0.1:5432 (not answering): run 'sudo pg_ctlcluster --skip-systemctl-redirect $version main start'"
    say "PostgreSQL does not answer on 127.0.0.1:5432; starting it (pg_ctlcluster $version main start)"
    as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start >/dev/null 2>&1
    local deadline=$((SECONDS + 60))
    until pg_answers "$server"; do
      ((SECONDS < deadline)) ||
        missing "PostgreSQL on 127.0.0.1:5432: started, but no answer within 60 s as user postgres (see /var/log/postgresql)"
      sleep 1
    done
    say "PostgreSQL started and answers"
  fi
  pg_answers "$pg_url" && return
  say "creating the database 'test' for the store tests"
  psql "$server" -qc 'CREATE DATABASE test' >/dev/null 2>&1
  pg_answers "$pg_url" ||
    missing "the database 'test' on 127.0.0.1:5432 (user postgres): run 'createdb -h 127.0.0.1 -U postgres test'"
}

check_chromium() {
  if [[ -x $chromium ]]; then
    say "Chromium at $chromium"
    return
  fi
  [[ $chromium == /usr/bin/chromium ]] ||
    missing "Chromium at CHROMIUM_PATH=$chromium (the live board's browser test)"
  can_root ||
    missing "$chromium (the live board's browser test): run 'sudo apt-get install -y chromium'"
  say "$chromium is missing; installing Debian's chromium (about a minute)"
  if ! as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null ||
    ! as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null; then
    missing "$chromium (the live board's browser test), and it could not be installed here: run 'sudo apt-get install -y chromium'"
  fi
  [[ -x $chromium ]] || missing "$chromium after installing the chromium package: run 'sudo apt-get install -y chromium'"
  say "Chromium installed at $chromium"
}

# npm's prebench hook does not see the bench's flags, so it cannot know whether this run needs
# PostgreSQL: it says whether the server answers and never fails on it. The bench asks the server
# itself before it starts anything, when the run needs it, and stops with one line if it is missing.
note_bench_postgres() {
  local server=${BENCH_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}
  if command -v psql >/dev/null 2>&1 && pg_answers "$server"; then
    say "PostgreSQL answers at ${server%%\?*} (for --store postgres, scale-out, store-cost)"
  else
    say "PostgreSQL does not answer at ${server%%\?*}: fine for the default run; --store postgres, scale-out and store-cost need it (tools/prerequisites/check.sh test starts the local one)"
  fi
}

case $purpose in
test)
  check_node
  check_rabbitmq
  check_postgres
  check_chromium
  ;;
bench)
  check_node
  check_rabbitmq
  note_bench_postgres
  ;;
*)
  printf 'usage: %s test|bench\n' "$0" >&2
  exit 2
  ;;
esac
