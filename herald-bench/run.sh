#!/usr/bin/env bash
# Herald benchmark (issue 7): Herald (over its plain WebSocket protocols and over its own
# Socket.IO endpoint), the Socket.IO 4 reference app and a bare Netty broadcast server, each in
# its own process, one at a time, under the same load from one load generator.
#
#   herald-bench/run.sh quick|full [options] [scenario...]
#   herald-bench/run.sh curves|curves-quick [--targets LIST] [--store URL] [--charts DIR] [fanout|chat|idle...]
#
# Scenarios: idle fanout inbox chat storm push (default: all; always run in this order, idle first
# so that its memory figures come from a fresh server process). push is Herald's alone (a push
# service in the load generator; the other targets note that they have no push). Curves (issue 13) sweep sizes
# instead: fanout at 1k, 5k, 10k, 19.5k connections (~1M deliveries each), chat at 2.5k-25k
# messages/s offered, idle at 1k-19.5k connections (a fresh server per idle point); charts (SVG)
# go to DIR (default: docs/benchmarks/curves-<time>/, with BENCH_RECORD=0 the run directory).
# curves-quick: 200-1,000 connections, low rates, to check the harness. Options:
#   --store URL        also run the Herald inbox, chat and push on PostgreSQL, e.g.
#                      postgresql://postgres@127.0.0.1:5432/test (a schema bench_<time> is
#                      created for the run and dropped afterwards); curves: the chat sweep
#   --targets LIST     comma-separated subset of herald,herald-sio,socketio,netty (default: all;
#                      herald-sio is Herald again, its clients on /socket.io/)
#   --charts DIR       curves: where the SVG charts go
#   --chat NxR         quick/full: chat with N clients sending R messages/s each (e.g. 5000x2.5:
#                      12,500/s offered) instead of the mode's size
#   --cluster REDIS    also run Herald as two nodes (needs --store): both on the PostgreSQL of
#                      --store and the Redis at REDIS (e.g. redis://127.0.0.1:6379), clients
#                      spread over both nodes, publishes through the first; the fanout, inbox and
#                      storm scenarios, reported as "<scenario> 2 nodes"
#
# Environment: BENCH_RECORD=0 to not append the result to docs/benchmarks.md;
# HERALD_JAVA_OPTS extra JVM options for Herald (after the defaults in jvm.options, which Herald
# gets here as from ./herald); JAVA_HOME / HERALD_JVM_DIR as for ./herald.
# Needs: a JDK 21+, Node 18+ with npm (for the Socket.IO peer), Linux (epoll).
# Quick takes about 3 minutes; full took under 15 before herald-sio and push (not yet timed with
# them), curves about 20 (curves-quick about 5). Every process started here is stopped on exit.
set -euo pipefail

BENCH="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(dirname "$BENCH")"
MIN_JAVA=21
JVM_DIR="${HERALD_JVM_DIR:-/usr/lib/jvm}"

usage() {
  sed -n '2,34p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
  exit 2
}

COMMAND="herald-bench/run.sh $*"
MODE="${1:-}"
[[ $MODE == quick || $MODE == full || $MODE == curves || $MODE == curves-quick ]] || usage
shift
STORE=""
CHARTS=""
CLUSTER=""
CHAT_SIZE=""
TARGETS="herald,herald-sio,socketio,netty"
SCENARIOS=()
while (( $# > 0 )); do
  case "$1" in
    --store) STORE="${2:?--store needs a URL}"; shift 2 ;;
    --targets) TARGETS="${2:?--targets needs a list}"; shift 2 ;;
    --cluster) CLUSTER="${2:?--cluster needs a Redis URL}"; shift 2 ;;
    --charts) CHARTS="${2:?--charts needs a directory}"; shift 2 ;;
    --chat) CHAT_SIZE="${2:?--chat needs NxR}"; shift 2 ;;
    fanout|inbox|chat|idle|storm|push) SCENARIOS+=("$1"); shift ;;
    -h|--help) usage ;;
    *) echo "run.sh: unknown argument '$1'" >&2; usage ;;
  esac
done
if [[ $MODE == curves* ]]; then
  (( ${#SCENARIOS[@]} > 0 )) || SCENARIOS=(idle fanout chat)
  for s in "${SCENARIOS[@]}"; do
    [[ $s == idle || $s == fanout || $s == chat ]] || { echo "run.sh: curves sweep fanout, chat and idle, not $s" >&2; exit 2; }
  done
  [[ -z $CLUSTER ]] || { echo "run.sh: curves run without --cluster" >&2; exit 2; }
fi
(( ${#SCENARIOS[@]} > 0 )) || SCENARIOS=(idle fanout inbox chat storm push)
ORDERED=()
for s in idle fanout inbox chat storm push; do
  [[ " ${SCENARIOS[*]} " == *" $s "* ]] && ORDERED+=("$s")
done
SCENARIOS=("${ORDERED[@]}")
SCENARIO_LIST="$(IFS=,; echo "${SCENARIOS[*]}")"

# --- JDK: the same search as ./herald ($JAVA_HOME, the newest under $JVM_DIR, java on the PATH)
java_major() {
  local line version major
  line="$("$1" -version 2>&1 | head -n 1)" || return 1
  version="$(sed -n 's/.* version "\([^"]*\)".*/\1/p' <<<"$line")"
  [[ -n $version ]] || return 1
  major="${version%%[.+-]*}"
  [[ $major == 1 ]] && major="$(cut -d. -f2 <<<"$version")"
  [[ $major =~ ^[0-9]+$ ]] || return 1
  echo "$major"
}
find_java_home() {
  local dir major best="" best_major=0 java
  if [[ -n ${JAVA_HOME:-} && -x $JAVA_HOME/bin/java ]] \
      && major="$(java_major "$JAVA_HOME/bin/java")" && (( major >= MIN_JAVA )); then
    echo "$JAVA_HOME"; return 0
  fi
  for dir in "$JVM_DIR"/*/; do
    dir="${dir%/}"
    [[ -x $dir/bin/java ]] || continue
    major="$(java_major "$dir/bin/java")" || continue
    if (( major >= MIN_JAVA && major > best_major )); then best="$dir"; best_major="$major"; fi
  done
  if [[ -n $best ]]; then echo "$best"; return 0; fi
  if java="$(command -v java)"; then
    java="$(readlink -f "$java")"
    major="$(java_major "$java")" || return 1
    (( major >= MIN_JAVA )) && { echo "${java%/bin/java}"; return 0; }
  fi
  return 1
}
JAVA_HOME="$(find_java_home)" || { echo "run.sh: a JDK $MIN_JAVA+ is required (see ./herald for where it looks)" >&2; exit 1; }
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
if (( $(java_major "$JAVA") >= 24 )); then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
command -v node >/dev/null && command -v npm >/dev/null || { echo "run.sh: node and npm are required" >&2; exit 1; }

# --- processes: everything started here is stopped on exit
PIDS=()
SCHEMA=""
cleanup() {
  local pid
  for pid in "${PIDS[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${PIDS[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [[ -n $SCHEMA ]]; then
    psql_cmd -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

stop() {  # stop one process started here, politely, then for sure
  local pid="$1"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -KILL "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  local kept=()
  for p in "${PIDS[@]}"; do [[ $p == "$pid" ]] || kept+=("$p"); done
  PIDS=("${kept[@]}")
}

# Waits for the line "<anything> listening on http://HOST:PORT..." in file $1; prints the URL.
wait_listening() {
  local file="$1" pid="$2" url
  for _ in $(seq 1 600); do
    url="$(sed -n 's#.*listening on \(http://[0-9.]*:[0-9]*\).*#\1#p' "$file" | head -n 1)"
    if [[ -n $url ]]; then echo "$url"; return 0; fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  echo "run.sh: the server did not start; its output:" >&2
  tail -n 30 "$file" "${file%.out}.err" >&2 2>/dev/null || true
  return 1
}

# --- build
echo "run.sh: building (./mvnw -q -DskipTests package) ..." >&2
(cd "$ROOT" && ./mvnw -q -DskipTests package) >&2
HERALD_JAR="$ROOT/herald-server/target/herald.jar"
BENCH_JAR="$BENCH/target/herald-bench.jar"
PEER="$BENCH/peers/socketio"
if [[ ! -d $PEER/node_modules/socket.io || $PEER/package-lock.json -nt $PEER/node_modules/.package-lock.json ]]; then
  echo "run.sh: installing the Socket.IO peer (npm ci) ..." >&2
  (cd "$PEER" && npm ci --no-audit --no-fund --loglevel=error) >&2
fi

RUN_ID="$(date -u +%Y%m%d-%H%M%S)"
WORK="$BENCH/target/run-$RUN_ID"
mkdir -p "$WORK"
RESULTS="$WORK/results.tsv"
: >"$RESULTS"
SECRET="bench-secret-0123456789-0123456789-abcdef"
API_KEY="hk_bench_0123456789abcdef"
case "$MODE" in
  quick) LOAD_TIMEOUT=100 ;;
  full) LOAD_TIMEOUT=420 ;;
  curves-quick) LOAD_TIMEOUT=400 ;;
  curves) LOAD_TIMEOUT=900 ;;    # fanout and chat sweeps of one server in one load run (~4 min)
esac
# On top of LOAD_TIMEOUT when a load run includes push: registrations, three publishing phases
# (warm-up, max rate, half rate) and after each a wait for its pushes of at most 120 s.
PUSH_TIMEOUT=420

psql_cmd() {  # psql against the --store database (host, port, user, db taken from the URL)
  local rest="${STORE#*://}" userpart hostpart db
  userpart="${rest%%@*}"; [[ $rest == *@* ]] || userpart="postgres"
  hostpart="${rest#*@}"; hostpart="${hostpart%%/*}"
  db="${rest#*/}"; db="${db%%\?*}"
  PGOPTIONS="-c client_min_messages=warning" PGPASSWORD="${userpart#*:}" psql -v ON_ERROR_STOP=1 -q -h "${hostpart%%:*}" -p "${hostpart##*:}" \
    -U "${userpart%%:*}" -d "$db" "$@"
}

load() {  # load TARGET URL PID SCENARIOS [extra args]; at most LOAD_TIMEOUT seconds
  local target="$1" url="$2" pid="$3" scenarios="$4"
  shift 4
  if [[ -n $CHAT_SIZE && $MODE != curves* ]]; then set -- "$@" --chat "$CHAT_SIZE"; fi
  local limit="$LOAD_TIMEOUT"
  # push waits for the outbox to drain after each of its three phases (at most 120 s each).
  if [[ ,$scenarios, == *,push,* ]]; then limit=$(( limit + PUSH_TIMEOUT )); fi
  timeout --kill-after=10 "$limit" "$JAVA" -Xms1g -Xmx2g -XX:+UseParallelGC \
    -jar "$BENCH_JAR" load --target "$target" --url "$url" --pid "$pid" --mode "$MODE" \
    --scenarios "$scenarios" --out "$RESULTS" --api-key "$API_KEY" --jwt-secret "$SECRET" "$@" \
    || echo "run.sh: the $target load run failed or timed out (exit $?); continuing" >&2
}

start_herald() {  # start_herald NAME [extra herald args]; sets SERVER_PID and SERVER_URL
  local name="$1"
  shift
  # The JVM defaults users get from ./herald (jvm.options), then HERALD_JAVA_OPTS, as there.
  # The load generator opens up to 19,500 sockets from a few loopback addresses: the per-address
  # and per-user caps (1,000 and 100 by default) are lifted, as behind a proxy. The push scenario's
  # push service listens on http://127.0.0.1 in the load generator, which Herald admits only with
  # --push-allow-http-endpoints (loopback only; never in production).
  # shellcheck disable=SC2086
  "$JAVA" "@$ROOT/jvm.options" ${HERALD_JAVA_OPTS:-} -jar "$HERALD_JAR" start --host 127.0.0.1 --port 0 \
    --data-dir "$WORK/$name-data" --jwt-secret "$SECRET" --api-key "$API_KEY" \
    --outbound-cap-bytes 256m --max-connections-per-ip 0 --max-connections-per-user 0 \
    --push-allow-http-endpoints true "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  SERVER_PID=$!
  PIDS+=("$SERVER_PID")
  SERVER_URL="$(wait_listening "$WORK/$name.out" "$SERVER_PID")"
}

new_schema() {  # new_schema: a fresh schema on the --store database; sets SCHEMA and SCHEMA_URL
  SCHEMA="bench_$(date -u +%Y%m%d%H%M%S)"
  psql_cmd -c "CREATE SCHEMA $SCHEMA" || { echo "run.sh: cannot create schema $SCHEMA" >&2; exit 1; }
  local sep='?'
  [[ $STORE == *\?* ]] && sep='&'
  SCHEMA_URL="$STORE${sep}currentSchema=$SCHEMA"
}

drop_schema() {  # drop_schema: drops the schema of new_schema
  psql_cmd -c "DROP SCHEMA IF EXISTS $SCHEMA CASCADE" >/dev/null || true
  SCHEMA=""
}

start_server() {  # start_server TARGET NAME: a fresh server process; sets SERVER_PID and SERVER_URL
  local target="$1" name="$2"
  case "$target" in
    herald) start_herald "$name" ;;
    # One Socket.IO event per notification, as the Node peer emits (Herald's default sends each
    # under two names, notification and newNotification: twice the frames for one delivery).
    herald-sio) start_herald "$name" --socketio-notification-events notification ;;
    socketio)
      (cd "$PEER" && HOST=127.0.0.1 PORT=0 exec node --expose-gc server.js) >"$WORK/$name.out" 2>"$WORK/$name.err" &
      SERVER_PID=$!
      PIDS+=("$SERVER_PID")
      SERVER_URL="$(wait_listening "$WORK/$name.out" "$SERVER_PID")"
      ;;
    netty)
      "$JAVA" -jar "$BENCH_JAR" netty-server --host 127.0.0.1 --port 0 >"$WORK/$name.out" 2>"$WORK/$name.err" &
      SERVER_PID=$!
      PIDS+=("$SERVER_PID")
      SERVER_URL="$(wait_listening "$WORK/$name.out" "$SERVER_PID")"
      ;;
    *) echo "run.sh: unknown target $target" >&2; exit 2 ;;
  esac
}

report_header() {  # the heading of a run's section: when, the command, the machine and its load
  local sio_out sio_line=""
  sio_out="$(ls "$WORK"/socketio*.out 2>/dev/null | head -n 1 || true)"
  [[ -n $sio_out ]] && sio_line="$(head -n 1 "$sio_out" | sed 's/.*(\(.*\))/\1/' || true)"
  echo
  echo "## $(date -u '+%Y-%m-%d %H:%M UTC'): $MODE run"
  echo
  echo "- Command: \`$COMMAND\` (${ELAPSED} s)"
  echo "- Machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo) RAM," \
       "kernel $(uname -r), JDK $("$JAVA" -version 2>&1 | head -n 1 | sed 's/.*"\(.*\)".*/\1/')," \
       "Node $(node --version)${sio_line:+ ($sio_line)}"
  echo "- Load average (1, 5, 15 min) before: $LOAD_BEFORE; after: $LOAD_AFTER"
  echo "- Raw figures: \`herald-bench/target/run-$RUN_ID/results.tsv\`"
}

record_report() {  # shows $WORK/report.md and appends it to docs/benchmarks.md unless BENCH_RECORD=0
  cat "$WORK/report.md"
  if [[ ${BENCH_RECORD:-1} != 0 ]]; then
    cat "$WORK/report.md" >>"$ROOT/docs/benchmarks.md"
    echo "run.sh: appended to docs/benchmarks.md" >&2
  fi
}

# Curves (issue 13): per target, each idle point on a fresh server (so that RSS is not read from
# a heap an earlier point grew), then fanout and chat sweeps on one more fresh server; then the
# charts and their section.
run_curves() {
  local target n sweep_list sweep_timeout="$LOAD_TIMEOUT"
  if [[ -z $CHARTS ]]; then
    if [[ ${BENCH_RECORD:-1} != 0 ]]; then CHARTS="$ROOT/docs/benchmarks/curves-$RUN_ID"; else CHARTS="$WORK/charts"; fi
  fi
  mkdir -p "$CHARTS"
  CHARTS="$(cd "$CHARTS" && pwd)"
  sweep_list="$(IFS=,; for s in "${SCENARIOS[@]}"; do [[ $s == idle ]] || echo -n "$s,"; done)"
  sweep_list="${sweep_list%,}"
  for target in "${TARGET_LIST[@]}"; do
    echo "run.sh: === $target ($MODE: $SCENARIO_LIST) load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
    if [[ " ${SCENARIOS[*]} " == *" idle "* ]]; then
      for n in $("$JAVA" -jar "$BENCH_JAR" sweep --mode "$MODE" --scenario idle); do
        start_server "$target" "$target-idle-$n"
        LOAD_TIMEOUT=240   # one idle point: connects, two GCs, RSS settling
        load "$target" "$SERVER_URL" "$SERVER_PID" idle --idle "$n"
        LOAD_TIMEOUT="$sweep_timeout"
        stop "$SERVER_PID"
      done
    fi
    if [[ -n $sweep_list ]]; then
      start_server "$target" "$target"
      load "$target" "$SERVER_URL" "$SERVER_PID" "$sweep_list"
      stop "$SERVER_PID"
    fi
    # With --store, Herald's chat sweep again on PostgreSQL: a line of its own on the chat charts.
    if [[ $target == herald && -n $STORE && " ${SCENARIOS[*]} " == *" chat "* ]]; then
      new_schema
      start_herald herald-pg --store "$SCHEMA_URL"
      load herald "$SERVER_URL" "$SERVER_PID" chat --store-label postgresql
      stop "$SERVER_PID"
      drop_schema
    fi
  done
  LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
  ELAPSED=$(( $(date +%s) - STARTED ))
  # Links in docs/benchmarks.md are relative to docs/ when the charts are under it.
  local link="$CHARTS/"
  [[ $CHARTS == "$ROOT/docs/"* ]] && link="${CHARTS#"$ROOT/docs/"}/"
  {
    report_header
    echo "- Charts: \`${CHARTS#"$ROOT/"}/\`"
    echo
    "$JAVA" -jar "$BENCH_JAR" curves --results "$RESULTS" --charts "$CHARTS" --link "$link"
  } >"$WORK/report.md"
  record_report
}

LOAD_BEFORE="$(cut -d' ' -f1-3 /proc/loadavg)"
STARTED=$(date +%s)
IFS=, read -r -a TARGET_LIST <<<"$TARGETS"
if [[ $MODE == curves* ]]; then
  run_curves
  exit 0
fi
for target in "${TARGET_LIST[@]}"; do
  echo "run.sh: === $target ($MODE: $SCENARIO_LIST) load average $(cut -d' ' -f1-3 /proc/loadavg)" >&2
  case "$target" in
    herald)
      start_herald herald
      load herald "$SERVER_URL" "$SERVER_PID" "$SCENARIO_LIST"
      stop "$SERVER_PID"
      # The scenarios that write to the store run again on PostgreSQL.
      # (Built with if, not "[[ ]] && ...": a false last test would end the loop, and with set -e
      # the script, with status 1.)
      PG_SCENARIOS=""
      for s in "${SCENARIOS[@]}"; do
        if [[ $s == inbox || $s == chat || $s == push ]]; then PG_SCENARIOS+="${PG_SCENARIOS:+,}$s"; fi
      done
      if [[ -n $STORE && -n $PG_SCENARIOS ]]; then
        new_schema
        start_herald herald-pg --store "$SCHEMA_URL"
        load herald "$SERVER_URL" "$SERVER_PID" "$PG_SCENARIOS" --store-label postgresql
        stop "$SERVER_PID"
        drop_schema
      fi
      if [[ -n $CLUSTER ]]; then
        [[ -n $STORE ]] || { echo "run.sh: --cluster needs --store (the nodes share PostgreSQL)" >&2; exit 2; }
        new_schema
        bsep='?'; [[ $CLUSTER == *\?* ]] && bsep='&'
        BROKER="$CLUSTER${bsep}prefix=bench$RUN_ID"
        start_herald herald-node-a --store "$SCHEMA_URL" --broker "$BROKER" --node-id a
        PID_A=$SERVER_PID; URL_A=$SERVER_URL
        start_herald herald-node-b --store "$SCHEMA_URL" --broker "$BROKER" --node-id b
        PID_B=$SERVER_PID; URL_B=$SERVER_URL
        CLUSTER_SCENARIOS=""
        for s in "${SCENARIOS[@]}"; do
          if [[ $s == fanout || $s == inbox || $s == storm ]]; then CLUSTER_SCENARIOS+="${CLUSTER_SCENARIOS:+,}$s"; fi
        done
        if [[ -n $CLUSTER_SCENARIOS ]]; then
          load herald "$URL_A" "$PID_A" "$CLUSTER_SCENARIOS" --client-urls "$URL_A,$URL_B" --label "2 nodes"
        fi
        stop "$PID_A"; stop "$PID_B"
        drop_schema
      fi
      ;;
    herald-sio)
      start_server herald-sio herald-sio
      load herald-sio "$SERVER_URL" "$SERVER_PID" "$SCENARIO_LIST"
      stop "$SERVER_PID"
      ;;
    socketio)
      start_server socketio socketio
      load socketio "$SERVER_URL" "$SERVER_PID" "$SCENARIO_LIST"
      stop "$SERVER_PID"
      ;;
    netty)
      start_server netty netty
      load netty "$SERVER_URL" "$SERVER_PID" "$SCENARIO_LIST"
      stop "$SERVER_PID"
      ;;
    *) echo "run.sh: unknown target $target" >&2; exit 2 ;;
  esac
done
LOAD_AFTER="$(cut -d' ' -f1-3 /proc/loadavg)"
ELAPSED=$(( $(date +%s) - STARTED ))

# --- report
{
  report_header
  echo
  "$JAVA" -jar "$BENCH_JAR" report --results "$RESULTS"
} >"$WORK/report.md"
record_report
