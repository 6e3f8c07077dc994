# Sourced by the benchmark scripts.
. "$(dirname "${BASH_SOURCE[0]}")/../bin/common.sh"

# Waits until the `ringkv dev` with pid $1, logging to $2, has passed its self-check (at most 2 min);
# if it dies first, prints its log and exits the script.
wait_for_dev() {
  local pid="$1" log="$2"
  for _ in $(seq 1 240); do
    grep -q "self-check" "$log" && return 0
    kill -0 "$pid" 2>/dev/null || { cat "$log" >&2; exit 1; }
    sleep 0.5
  done
  echo "ringkv dev (pid $pid) did not pass its self-check in 2 minutes; log: $log" >&2
  exit 1
}
