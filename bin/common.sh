# Sourced by bin/ scripts: finds JDK 25 and Maven, or stops with one clear line.
ringkv_root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# A node's JVM options unless RINGKV_JAVA_OPTS replaces them. Nodes keep their data off the heap
# (RocksDB): the live heap is small and the parallel collector's young pauses are 1-4 ms. Left to
# size itself, its young generation stayed near 45 MB under small values and collected five times a
# second, so about one request in a hundred met a pause; 600 MB at least makes that every 3 s. At
# least, not exactly: under megabyte values it grows to gigabytes, and capping it there promotes
# values in flight (docs/benchmarks.md).
RINGKV_NODE_JAVA_OPTS="-XX:+UseParallelGC -Xms1g -XX:NewSize=600m"

ringkv_find_jdk() {
  local candidate
  for candidate in "${JAVA_HOME:-}" /usr/lib/jvm/temurin-25-jdk-amd64 /usr/lib/jvm/temurin-25-jdk /usr/lib/jvm/java-25-openjdk-amd64; do
    if [ -n "$candidate" ] && [ -x "$candidate/bin/java" ] \
       && "$candidate/bin/java" -version 2>&1 | grep -qE 'version "(2[5-9]|[3-9][0-9])'; then
      export JAVA_HOME="$candidate"
      export PATH="$JAVA_HOME/bin:$PATH"
      return 0
    fi
  done
  echo "ringkv: no JDK 25 found (looked at \$JAVA_HOME and /usr/lib/jvm/temurin-25-jdk-amd64); install Temurin 25 or set JAVA_HOME" >&2
  exit 2
}

ringkv_find_maven() {
  if ! command -v mvn >/dev/null 2>&1; then
    echo "ringkv: Maven 3.8+ not found on PATH (apt-get install maven)" >&2
    exit 2
  fi
}
