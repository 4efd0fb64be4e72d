#!/usr/bin/env bash
# The long fuzzing run (docs/fuzzing.md): runs each Jazzer fuzz test in dev.herald.server.fuzz in
# fuzzing mode for a bounded time, one target after another (one Maven/JVM per target: Jazzer
# fuzzes one test per JVM). ./mvnw verify only replays the kept corpus; this looks for new inputs.
#
#   herald-server/fuzz.sh                        every target, 2 minutes each
#   herald-server/fuzz.sh -d 30s                 every target, 30 seconds each
#   herald-server/fuzz.sh SocketIoFuzzTest       the targets of one class (or Class#method)
#
# Findings (crashing inputs) are written by Jazzer into the kept corpus,
# src/test/resources/dev/herald/server/fuzz/<Class>Inputs/<method>/crash-*, where every later
# ./mvnw verify replays them; the coverage corpus it grows lives in herald-server/.cifuzz-corpus
# (not committed). Exit status: 0 when no target found anything, 1 otherwise.
set -euo pipefail

HERE="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
ROOT="$(dirname "$HERE")"
DURATION="${FUZZ_DURATION:-2m}"
if [[ ${1:-} == -d ]]; then
  DURATION="$2"
  shift 2
fi
if [[ ! $DURATION =~ ^[0-9]+[smh]?$ ]]; then
  echo "fuzz.sh: duration must look like 90s, 2m or 1h, was '$DURATION'" >&2
  exit 2
fi
seconds() {
  local n="${1%[smh]}"
  case "$1" in *h) echo $((n * 3600)) ;; *m) echo $((n * 60)) ;; *) echo "$n" ;; esac
}
# Hard bound per target: the fuzzing time plus room for Maven to compile and start the JVM.
LIMIT=$(($(seconds "$DURATION") + 300))
# Coverage from Herald's code and from the parsers it hands bytes to (JSON, JWT), so the fuzzer
# learns their syntax too.
INCLUDES="${FUZZ_INSTRUMENT:-dev.herald.**:com.fasterxml.jackson.core.**:com.nimbusds.**}"

SRC="$HERE/src/test/java/dev/herald/server/fuzz"
targets=()
for file in "$SRC"/*FuzzTest.java; do
  class="$(basename "$file" .java)"
  while read -r method; do
    targets+=("$class#$method")
  done < <(grep -A1 '@FuzzTest' "$file" | sed -n 's/^ *void \([A-Za-z0-9_]*\)(.*/\1/p')
done
if [[ $# -gt 0 ]]; then
  wanted=()
  for t in "${targets[@]}"; do
    for pattern in "$@"; do
      if [[ $t == "$pattern" || ${t%%#*} == "$pattern" ]]; then
        wanted+=("$t")
      fi
    done
  done
  targets=("${wanted[@]}")
fi
if [[ ${#targets[@]} -eq 0 ]]; then
  echo "fuzz.sh: no fuzz target matches: $*" >&2
  exit 2
fi

child=""
stop() {
  if [[ -n $child ]]; then
    kill -- "-$child" 2>/dev/null || true
    wait "$child" 2>/dev/null || true
  fi
}
trap 'stop; exit 130' INT TERM
trap stop EXIT

mkdir -p "$HERE/target/fuzz"
failed=()
cd "$ROOT"
for t in "${targets[@]}"; do
  log="$HERE/target/fuzz/${t/\#/.}.log"
  echo "fuzz.sh: $t for $DURATION (log: ${log#"$ROOT"/})"
  # setsid: the target runs in its own process group, so stop() ends Maven and its test JVM.
  # ./herald mvn: Maven with a JDK 21+ found as ./herald finds it (CI sets no JAVA_HOME).
  # -am: herald-socketio (the Engine.IO/Socket.IO codecs some targets fuzz) is built from this
  # checkout, not taken from ~/.m2; its own tests match no -Dtest pattern here and do not run.
  JAZZER_FUZZ=1 setsid timeout --kill-after=10 "$LIMIT" "$ROOT/herald" mvn -q -pl herald-server -am test \
    -Dtest="$t" -Dsurefire.failIfNoSpecifiedTests=false -Djazzer.max_duration="$DURATION" \
    -Djazzer.instrumentation_includes="$INCLUDES" \
    >"$log" 2>&1 &
  child=$!
  if wait "$child"; then
    status=0
  else
    status=$?
  fi
  child=""
  stats="$(grep -h -E '^(#[0-9]+ +DONE|Done [0-9]+ runs)' "$log" 2>/dev/null | tail -n 2 | tr '\n' ' ' || true)"
  if [[ $status -eq 0 ]]; then
    echo "fuzz.sh:   ok  ${stats}"
  else
    echo "fuzz.sh:   FOUND SOMETHING (exit $status) ${stats}; see $log"
    failed+=("$t")
  fi
done

if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzz.sh: findings in: ${failed[*]}"
  echo "fuzz.sh: new crashers: $(git -C "$ROOT" status --porcelain -- herald-server/src/test/resources/dev/herald/server/fuzz | grep -c . || true) new file(s) under herald-server/src/test/resources/dev/herald/server/fuzz"
  exit 1
fi
echo "fuzz.sh: ${#targets[@]} target(s), nothing found"
