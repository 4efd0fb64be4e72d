#!/usr/bin/env bash
# Herald soak (docs/reliability.md): a real `herald.jar start` on embedded H2 under a few minutes
# of churning connections, publishing, slow readers and abusive clients; heap after GC and open
# file descriptors sampled every 10 s; zero lost acknowledged events by per-user seq accounting.
# Not part of CI.
#
#   herald-bench/soak.sh [--minutes N] [--connections N] [--publish-rate N]
#                        [--churn-per-second N] [--slow-readers N]
#
# Defaults: 3 minutes, 3,000 connections (1,000 users x 3), 300 publishes/s, 60 connections
# closed and resumed per second, 20 slow readers. The clients connect from 127.0.0.2-127.0.0.9.
# Environment: SOAK_HERALD_ARGS extra options for `herald start`, e.g. raised per-IP or per-user
# connection caps (e.g. "--max-connections-per-ip 10000"; the defaults fit the soak's defaults); HERALD_JAVA_OPTS
# extra JVM options for Herald (after jvm.options); JAVA_HOME as for ./herald.
# Exit code: 0 when the soak passed, 1 when it failed (the summary says why), 2 on bad usage.
# Every process started here is stopped on exit.
set -euo pipefail

BENCH="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(dirname "$BENCH")"
SOAK_ARGS=()
while (( $# > 0 )); do
  case "$1" in
    --minutes|--connections|--publish-rate|--churn-per-second|--slow-readers)
      SOAK_ARGS+=("$1" "${2:?$1 needs a value}"); shift 2 ;;
    -h|--help) sed -n '2,18p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
    *) echo "soak.sh: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

if [[ -z ${JAVA_HOME:-} || ! -x $JAVA_HOME/bin/java ]]; then
  JAVA_HOME="$(ls -d /usr/lib/jvm/*/ 2>/dev/null | sort -V | tail -n 1)"
  JAVA_HOME="${JAVA_HOME%/}"
fi
export JAVA_HOME
JAVA="$JAVA_HOME/bin/java"
[[ -x $JAVA && -x $JAVA_HOME/bin/jcmd ]] || { echo "soak.sh: a JDK 21+ with jcmd is required (set JAVA_HOME)" >&2; exit 1; }
if "$JAVA" -version 2>&1 | head -n 1 | grep -qE '"(2[4-9]|[3-9][0-9])'; then
  export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
fi
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"

WORK="$(mktemp -d /tmp/herald-soak-XXXXXX)"
HERALD_PID=""
cleanup() {
  if [[ -n $HERALD_PID ]]; then
    kill -TERM "$HERALD_PID" 2>/dev/null || true
    for _ in $(seq 1 150); do kill -0 "$HERALD_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$HERALD_PID" 2>/dev/null || true
  fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "soak.sh: building (./mvnw -q -DskipTests package) ..." >&2
(cd "$ROOT" && ./mvnw -q -DskipTests package) >&2

SECRET="soak-secret-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
API_KEY="soak-key-$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
# shellcheck disable=SC2086
"$JAVA" "@$ROOT/jvm.options" ${HERALD_JAVA_OPTS:-} -jar "$ROOT/herald-server/target/herald.jar" start \
  --host 127.0.0.1 --port 0 --data-dir "$WORK/data" --jwt-secret "$SECRET" --api-key "$API_KEY" \
  ${SOAK_HERALD_ARGS:-} >"$WORK/herald.out" 2>"$WORK/herald.err" &
HERALD_PID=$!
URL=""
for _ in $(seq 1 600); do
  URL="$(sed -n 's#.*listening on \(http://[0-9.]*:[0-9]*\).*#\1#p' "$WORK/herald.out" | head -n 1)"
  [[ -n $URL ]] && break
  kill -0 "$HERALD_PID" 2>/dev/null || break
  sleep 0.1
done
[[ -n $URL ]] || { echo "soak.sh: Herald did not start:" >&2; tail -n 30 "$WORK/herald.err" >&2; exit 1; }

echo "soak.sh: Herald pid $HERALD_PID at $URL; $(uptime)"
set +e
timeout --kill-after=10 3600 "$JAVA" -Xmx1g -cp "$BENCH/target/herald-bench.jar" dev.herald.bench.Soak \
  --url "$URL" --pid "$HERALD_PID" --jwt-secret "$SECRET" --api-key "$API_KEY" "${SOAK_ARGS[@]}"
RESULT=$?
set -e
echo "soak.sh: $(uptime)"
kill -TERM "$HERALD_PID"
for _ in $(seq 1 300); do kill -0 "$HERALD_PID" 2>/dev/null || break; sleep 0.1; done
wait "$HERALD_PID"; EXIT=$?
HERALD_PID=""
echo "soak.sh: Herald exited with $EXIT after SIGTERM; warnings and errors in its log: $(grep -cE ' (WARN|ERROR) ' "$WORK/herald.err" || true)"
grep -E ' (WARN|ERROR) ' "$WORK/herald.err" | sed -E 's/^[^ ]+ //; s/session=[^ ]+//; s/[0-9a-f-]{36}//g' | cut -c1-160 | sort | uniq -c | sort -rn | head -n 15
exit "$RESULT"
