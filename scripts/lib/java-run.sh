# Shared by the scripts: build a module (quietly, once per change) and run a main class from it.
# Usage (sourced): moe2_run MODULE MAIN_CLASS [ARGS...]
set -euo pipefail
MOE2_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

moe2_build() {
  local module="$1"
  local stamp="$MOE2_ROOT/$module/target/.moe2-classpath"
  # Rebuild when any source or pom is newer than the last build.
  if [[ ! -f "$stamp" ]] || [[ -n "$(find "$MOE2_ROOT" -path '*/target' -prune -o \( -name '*.java' -o -name 'pom.xml' -o -path '*/src/main/resources/*' \) -newer "$stamp" -print -quit)" ]]; then
    echo "building $module (first run or sources changed)..." >&2
    local log="$MOE2_ROOT/target/moe2-build.log"
    mkdir -p "$MOE2_ROOT/target"
    if ! (cd "$MOE2_ROOT" && mvn -q -B -pl "$module" -am install -DskipTests -Dspotless.check.skip=true \
          && cd "$module" && mvn -q -B dependency:build-classpath -Dmdep.outputFile="$stamp.tmp") >"$log" 2>&1; then
      echo "build of $module failed; the Maven log is $log:" >&2
      tail -40 "$log" >&2
      exit 1
    fi
    mv "$stamp.tmp" "$stamp"
  fi
}

moe2_run() {
  local module="$1" main="$2"
  shift 2
  moe2_build "$module"
  local cp
  cp="$MOE2_ROOT/$module/target/classes:$(cat "$MOE2_ROOT/$module/target/.moe2-classpath")"
  # Benchmarks that need test-only parts (an embedded broker) live in the test sources.
  if [[ "${MOE2_TEST_CLASSES:-0}" == 1 ]]; then
    cp="$MOE2_ROOT/$module/target/test-classes:$cp"
  fi
  exec java -cp "$cp" "$main" "$@"
}
