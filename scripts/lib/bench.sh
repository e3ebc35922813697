# shellcheck shell=bash
# The opening the benchmark programs share (scripts/bench-*.sh, soak.sh, fault-drill.sh, overload.sh).
# Sourced, not run: it sets ROOT (the checkout, also made the working folder), BENCH_JAR and JAVA
# (JAVA_HOME's java, else the one on PATH), and defines the steps below.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
BENCH_JAR="$ROOT/benchmarks/target/benchmarks.jar"
JAVA="${JAVA_HOME:+$JAVA_HOME/bin/}java"
BENCH_BUILD=1
BENCH_ARGS=()

# bench_args ARG...: --skip-build clears BENCH_BUILD; every other argument goes to BENCH_ARGS in order.
bench_args() {
  local a
  for a in "$@"; do
    case "$a" in
      --skip-build) BENCH_BUILD=0 ;;
      *) BENCH_ARGS+=("$a") ;;
    esac
  done
}

# bench_build: the benchmarks jar and, with -am, every module it needs (the services' jars included),
# unless --skip-build was given.
bench_build() {
  if [[ $BENCH_BUILD -eq 1 ]]; then
    mvn -q -B -ntp -pl benchmarks -am package -DskipTests
  fi
}

# bench_require FILE...: exit 2 naming the first FILE that is missing and how to build it.
bench_require() {
  local f
  for f in "$@"; do
    [[ -f "$f" ]] || { echo "missing $f; build with: mvn -pl benchmarks -am package -DskipTests" >&2; exit 2; }
  done
}

# bench_java_major: the feature version of $JAVA (17, 21, ...).
bench_java_major() {
  local spec
  spec="$("$JAVA" -XshowSettings:properties -version 2>&1 | awk -F'= ' '/java.specification.version/ {print $2}')"
  echo "${spec%%.*}"
}

# bench_exec HEAP MAIN_CLASS: become `java -XmxHEAP MAIN_CLASS --root ROOT BENCH_ARGS...`.
bench_exec() {
  exec "$JAVA" -Xmx"$1" -cp "$BENCH_JAR" "$2" --root "$ROOT" ${BENCH_ARGS[@]+"${BENCH_ARGS[@]}"}
}
