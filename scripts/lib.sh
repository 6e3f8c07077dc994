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

# CPU ticks (user + system) per thread group of JVM $1: thread names without their numbers. A thread
# that ends between the reads is skipped.
threads() {
  local t s c f
  for t in /proc/"$1"/task/*; do
    s=$(cat "$t/stat" 2>/dev/null) && c=$(cat "$t/comm" 2>/dev/null) || continue
    read -r -a f <<< "${s##*) }"
    echo "$(tr ' ' _ <<< "$c" | sed -E 's/[-_#]?[0-9]+$//') $(( f[11] + f[12] ))"
  done | awk '{a[$1] += $2} END {for (k in a) print k, a[k]}' | sort
}

# Per thread group of JVM $1, from /proc/.../schedstat: CPU time (ns), run-queue wait (ns), times switched in.
sched() {
  local t s c
  for t in /proc/"$1"/task/*; do
    s=$(cat "$t/schedstat" 2>/dev/null) && c=$(cat "$t/comm" 2>/dev/null) || continue
    echo "$(tr ' ' _ <<< "$c" | sed -E 's/[-_#]?[0-9]+$//') $s"
  done | awk '{c[$1] += $2; d[$1] += $3; n[$1] += $4} END {for (k in c) print k, c[k], d[k], n[k]}' | sort
}

# The machine's idle ticks so far (all CPUs).
idle_ticks() {
  awk '/^cpu / {print $5}' /proc/stat
}

# Seconds one core takes to SHA-256 1 GB of zeros: this machine's speed moves by a third over hours,
# and a table that says how fast the machine was when it ran can be compared with another.
cpu_probe() {
  local start end
  start=$(date +%s%N)
  head -c 1000000000 /dev/zero | sha256sum > /dev/null
  end=$(date +%s%N)
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", (b - a) / 1e9 }'
}
