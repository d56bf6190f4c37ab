#!/usr/bin/env bash
# Eldercare's one entry point.
#   ./eldercare.sh run          serve the API on http://127.0.0.1:5080 with Redis and the demo street, until Ctrl-C
#   ./eldercare.sh test         run every test suite against throw-away Redis and PostgreSQL servers
#   ./eldercare.sh demo-reset   put the demo street back as it was first loaded
#   ./eldercare.sh demo-token clerk1   print a session token for a demo account (while `run` is running)
#   ./eldercare.sh hotline      run the hotline service against the local API
#   ./eldercare.sh fake-wechat  the fake WeChat server on :5090 for an offline demo; writes data/fake-wechat.env for `run`
#   ./eldercare.sh bench booking [--seconds N] [--clients N]   measure the booking engine (prints figures)
#   ./eldercare.sh bench reminders [--reminders N]            measure reminder dispatch on one and two nodes
#   ./eldercare.sh bench hotline [--calls N]                  simultaneous calls booking by keys over real SIP
#   ./eldercare.sh bench sessions [--seconds N] [--clients N] the session look-up: the hub's cache and Microsoft's RedisCache
# On a fresh Debian 12 machine with the .NET SDK, it installs what is missing (apt, NuGet) by itself.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
DATA="${ELDERCARE_DATA:-$ROOT/data}"
CONFIGURATION="${ELDERCARE_BUILD_CONFIGURATION:-Debug}"
API_DLL="$ROOT/backend/Eldercare.Api/bin/$CONFIGURATION/net10.0/Eldercare.Api.dll"
HOTLINE_DLL="$ROOT/hotline-ivr/Eldercare.Hotline/bin/$CONFIGURATION/net10.0/Eldercare.Hotline.dll"
FAKE_WECHAT_DLL="$ROOT/tools/Eldercare.FakeWeChat/bin/$CONFIGURATION/net10.0/Eldercare.FakeWeChat.dll"
API_URL="${ELDERCARE_URL:-http://127.0.0.1:5080}"
REDIS_PORT="${ELDERCARE_REDIS_PORT:-6380}"

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

say() { printf '\033[1;34m==>\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31merror:\033[0m %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else die "need root to run: $*"; fi
}

APT_UPDATED=0
apt_install() {
  local missing=()
  for pkg in "$@"; do
    [ "$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null)" = "install ok installed" ] || missing+=("$pkg")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  say "installing ${missing[*]} (apt)"
  if [ "$APT_UPDATED" -eq 0 ]; then as_root apt-get update -qq >/dev/null; APT_UPDATED=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# npm packages of a front-end folder, installed only when its lock file changed since the last install (it takes a
# while; the builds and tests themselves take seconds). `npm install` with the committed lock file, not `npm ci`:
# npm ci refuses a lock file written on another platform for missing other platforms' optional packages such as
# rollup's native builds.
npm_install_if_changed() { # folder, what it is
  local dir="$1"
  command -v npm >/dev/null || apt_install nodejs npm
  if [ ! -f "$dir/node_modules/.package-lock.json" ] || [ "$dir/package-lock.json" -nt "$dir/node_modules/.package-lock.json" ]; then
    say "installing the $2's packages (npm install from package-lock.json)"
    (cd "$dir" && npm install --no-audit --no-fund --loglevel=error --no-update-notifier)
  fi
}

build_console() {
  npm_install_if_changed "$ROOT/backend/console" console
  say "building the staff console (vite)"
  (cd "$ROOT/backend/console" && npx vite build --logLevel error)
}

build() {
  command -v dotnet >/dev/null || die "the .NET 10 SDK is needed (dotnet on PATH)"
  build_console
  say "building ($CONFIGURATION)"
  dotnet build "$ROOT/Eldercare.sln" -c "$CONFIGURATION" -nologo -clp:ErrorsOnly -v:quiet
}

# --- Redis -------------------------------------------------------------------------------------
REDIS_PID=""
start_redis() { # port, data folder, extra args...
  local port="$1" dir="$2"; shift 2
  # Never talk to (or later shut down) a Redis that somebody else started on this port.
  if redis-cli -p "$port" ping >/dev/null 2>&1; then die "port $port is already taken by another Redis (another run still going?)"; fi
  mkdir -p "$dir"
  redis-server --port "$port" --bind 127.0.0.1 --dir "$dir" --daemonize no --save 60 1 --appendonly no "$@" \
    >"$dir/redis.log" 2>&1 &
  REDIS_PID=$!
  for _ in $(seq 1 50); do
    redis-cli -p "$port" ping >/dev/null 2>&1 && return 0
    kill -0 "$REDIS_PID" 2>/dev/null || break
    sleep 0.1
  done
  cat "$dir/redis.log" >&2
  die "redis-server did not start on port $port"
}
stop_redis() {
  [ -n "$REDIS_PID" ] || return 0
  redis-cli -p "$1" shutdown >/dev/null 2>&1 || kill "$REDIS_PID" 2>/dev/null || true
  wait "$REDIS_PID" 2>/dev/null || true
  REDIS_PID=""
}

# --- PostgreSQL (tests only: a throw-away cluster owned by the postgres user) -------------------
PG_DIR="" PG_BIN=""
start_postgres() { # port, extra server settings...
  local port="$1"; shift
  PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  PG_DIR="$(mktemp -d /tmp/eldercare-pg.XXXXXX)"
  local run=()
  if [ "$(id -u)" -eq 0 ]; then chown postgres:postgres "$PG_DIR"; run=(runuser -u postgres --); fi
  "${run[@]}" "$PG_BIN/initdb" -D "$PG_DIR/data" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >"$PG_DIR/initdb.log" 2>&1 \
    || { cat "$PG_DIR/initdb.log" >&2; die "initdb failed"; }
  "${run[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -l "$PG_DIR/postgres.log" -w -t 60 \
    -o "-p $port -k $PG_DIR -c listen_addresses=127.0.0.1 -c max_connections=300 $*" \
    start >/dev/null || { cat "$PG_DIR/postgres.log" >&2; die "postgres did not start"; }
  PG_RUN=("${run[@]}")
}
stop_postgres() {
  [ -n "$PG_DIR" ] || return 0
  "${PG_RUN[@]}" "$PG_BIN/pg_ctl" -D "$PG_DIR/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PG_DIR"
  PG_DIR=""
}

# --- settings of a local run --------------------------------------------------------------------
load_local_secrets() {
  mkdir -p "$DATA"
  local secrets="$DATA/secrets.env"
  if [ ! -f "$secrets" ]; then
    # A key made on this machine for this machine's data; production keys come from the environment.
    umask 077
    printf 'PersonalData__IdNumberKey=%s\n' "$(head -c 32 /dev/urandom | base64)" >"$secrets"
  fi
  # The hotline's key for the API, shared by `run` and `hotline` on this machine.
  grep -q '^Services__HotlineKey=' "$secrets" || printf 'Services__HotlineKey=%s\n' "$(head -c 24 /dev/urandom | base64 | tr -d '/+=')local" >>"$secrets"
  set -a; . "$secrets"; set +a
  export Hotline__ServiceKey="${Hotline__ServiceKey:-$Services__HotlineKey}"
  export ASPNETCORE_ENVIRONMENT="${ASPNETCORE_ENVIRONMENT:-Development}"
  export Database__Provider="${Database__Provider:-Sqlite}"
  export Database__ConnectionString="${Database__ConnectionString:-Data Source=$DATA/eldercare.db}"
  export Redis__Configuration="${Redis__Configuration:-127.0.0.1:$REDIS_PORT}"
}

API_PID=""
stop_api() {
  [ -n "$API_PID" ] || return 0
  kill -TERM "$API_PID" 2>/dev/null || true   # graceful: running jobs finish, connections close
  wait "$API_PID" 2>/dev/null || true
  API_PID=""
}

cmd_run() {
  apt_install redis-server
  build
  load_local_secrets
  trap 'stop_api; stop_redis "$REDIS_PORT"' EXIT
  trap 'exit 130' INT TERM
  say "starting Redis on 127.0.0.1:$REDIS_PORT (data in $DATA/redis)"
  start_redis "$REDIS_PORT" "$DATA/redis"
  say "starting the API on $API_URL (OpenAPI: $API_URL/openapi/v1.json, Swagger UI: $API_URL/swagger) - Ctrl-C stops"
  dotnet "$API_DLL" --urls "$API_URL" &
  API_PID=$!
  local status=0
  wait "$API_PID" || status=$?
  API_PID=""
  return "$status"
}

cmd_demo_reset() {
  build
  load_local_secrets
  dotnet "$API_DLL" demo-data reset
}

cmd_demo_token() {
  build >/dev/null
  load_local_secrets
  dotnet "$API_DLL" demo-data token "${1:-clerk1}"
}

cmd_hotline() {
  apt_install baresip-core espeak-ng sox
  build
  load_local_secrets
  export Hotline__ApiBaseUrl="${Hotline__ApiBaseUrl:-$API_URL}"
  export Hotline__PromptCache="${Hotline__PromptCache:-$DATA/prompts}"
  export Hotline__MetricsUrl="${Hotline__MetricsUrl:-http://127.0.0.1:5097/metrics}"
  # A person who answers: the agent phone takes the agent line, the demo stations' duty phones and the district
  # duty line (sip:...@127.0.0.1:5096), so 0, the emergency key and the one-key terminal reach somebody here.
  # HOTLINE_AGENT_PHONE=0 leaves it out, where Hotline__AgentLine and the duty lines point at real phones.
  if [ "${HOTLINE_AGENT_PHONE:-1}" != 0 ]; then
    dotnet "$HOTLINE_DLL" agent-phone &
    AGENT_PHONE_PID=$!
    trap 'kill "$AGENT_PHONE_PID" 2>/dev/null || true' EXIT
  fi
  dotnet "$HOTLINE_DLL"
}

cmd_fake_wechat() {
  build
  mkdir -p "$DATA"
  # The settings that point the API at it are written for `source data/fake-wechat.env` before `run`.
  dotnet "$FAKE_WECHAT_DLL" "${1:-5090}" --env-file "$DATA/fake-wechat.env"
}

cmd_test() {
  # Debian's Chromium (never a browser download) and a Chinese font drive the console's end-to-end tests;
  # espeak-ng and sox render the hotline's prompts; baresip carries its SIP calls (and plays the caller in tests).
  apt_install redis-server postgresql chromium fonts-wqy-microhei espeak-ng sox baresip-core
  build
  # Globals, not locals: the EXIT trap that stops the servers runs after this function has returned.
  TEST_RUN_DIR="$(mktemp -d /tmp/eldercare-test.XXXXXX)"
  TEST_REDIS_PORT="${ELDERCARE_TEST_REDIS_PORT:-6391}"
  local run_dir="$TEST_RUN_DIR" redis_port="$TEST_REDIS_PORT" pg_port="${ELDERCARE_TEST_PG_PORT:-5439}"
  trap 'stop_redis "$TEST_REDIS_PORT"; stop_postgres; rm -rf "$TEST_RUN_DIR"' EXIT
  say "starting throw-away Redis (:$redis_port) and PostgreSQL (:$pg_port)"
  start_redis "$redis_port" "$run_dir/redis" --save ""
  # Throw-away data: durability is not what the tests check, speed of the loop is.
  start_postgres "$pg_port" -c fsync=off -c synchronous_commit=off -c full_page_writes=off
  export ELDERCARE_TEST_REDIS="127.0.0.1:$redis_port"
  export ELDERCARE_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres;Pooling=true;Maximum Pool Size=50"

  # The mini-program's packages first: its end-to-end test runs from the .NET tests.
  npm_install_if_changed "$ROOT/miniprogram" mini-program
  say "running the test suites"
  local status=0
  dotnet test "$ROOT/Eldercare.sln" -c "$CONFIGURATION" --no-build --nologo \
    --logger "console;verbosity=normal" --blame-hang-timeout 5m "$@" 2>&1 | tee "$run_dir/test.log" || status=$?
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  say "running the console's component tests (vitest)"
  (cd "$ROOT/backend/console" && npx vitest run --reporter=verbose) 2>&1 | tee -a "$run_dir/test.log" || status=1
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  say "checking the mini-program: WeChat's compilers (wcc, wcsc), eslint with eslint-plugin-wxml, the elder-mode style check (text >= 40rpx, targets >= 120rpx, contrast >= 4.5:1), page tests (jest + miniprogram-simulate)"
  (cd "$ROOT/miniprogram" && node tools/compile.js && npx eslint --ext .js,.wxml . && node tools/check-elder-style.js && npx jest --verbose) 2>&1 | tee -a "$run_dir/test.log" || status=1
  [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
  # One closing line for the whole run, summed over the test assemblies.
  awk '/^ +Passed: [0-9]+$/ { p += $2 } /^ +Failed: [0-9]+$/ { f += $2 }
       /^ +Tests +[0-9]+ passed/ { p += $2 } /^ +Tests +[0-9]+ failed/ { f += $2 } /^ +Tests +[0-9]+ failed \| [0-9]+ passed/ { p += $5 }
       /^Tests: +[0-9]+ passed/ { p += $2 } /^Tests: +[0-9]+ failed, [0-9]+ passed/ { f += $2; p += $4 }
       END { printf "Tests: %d passed, %d failed\n", p, f }' "$run_dir/test.log"
  return "$status"
}

cmd_bench() {
  local what="${1:-}"; shift || true
  case "$what" in
    booking|reminders|sessions) apt_install redis-server postgresql postgresql-contrib ;;
    hotline) apt_install redis-server postgresql postgresql-contrib espeak-ng sox baresip-core ;;
    *) die "usage: ./eldercare.sh bench booking [--seconds N] [--clients N] | bench reminders [--reminders N] | bench hotline [--calls N] | bench sessions [--seconds N] [--clients N]" ;;
  esac
  CONFIGURATION=Release
  API_DLL="$ROOT/backend/Eldercare.Api/bin/Release/net10.0/Eldercare.Api.dll"
  build
  BENCH_DIR="$(mktemp -d /tmp/eldercare-bench.XXXXXX)"
  BENCH_REDIS_PORT="${ELDERCARE_BENCH_REDIS_PORT:-6392}"
  local pg_port="${ELDERCARE_BENCH_PG_PORT:-5440}"
  trap 'stop_redis "$BENCH_REDIS_PORT"; stop_postgres; rm -rf "$BENCH_DIR"' EXIT
  say "starting Redis (:$BENCH_REDIS_PORT) and PostgreSQL (:$pg_port) with default durability for the measurement"
  start_redis "$BENCH_REDIS_PORT" "$BENCH_DIR/redis" --save ""
  start_postgres "$pg_port" -c shared_buffers=256MB
  ELDERCARE_BENCH_REDIS="127.0.0.1:$BENCH_REDIS_PORT" \
  ELDERCARE_BENCH_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Database=postgres" \
  ELDERCARE_BENCH_API_DLL="$API_DLL" \
  ELDERCARE_BENCH_PGBENCH="$PG_BIN/pgbench" \
    dotnet "$ROOT/bench/Eldercare.Bench/bin/Release/net10.0/Eldercare.Bench.dll" "$what" "$@"
}

usage() {
  sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'
}

case "${1:-}" in
  run) shift; cmd_run "$@" ;;
  test) shift; cmd_test "$@" ;;
  demo-reset) shift; cmd_demo_reset "$@" ;;
  demo-token) shift; cmd_demo_token "$@" ;;
  hotline) shift; cmd_hotline "$@" ;;
  fake-wechat) shift; cmd_fake_wechat "$@" ;;
  bench) shift; cmd_bench "$@" ;;
  *) usage; exit 2 ;;
esac
