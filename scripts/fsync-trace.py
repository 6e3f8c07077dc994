#!/usr/bin/env python3
"""What a node's slow log fsyncs waited for, from `perf script` text of a trace with the events
syscalls:sys_{enter,exit}_fdatasync, sched:sched_{wakeup,switch} and block:block_rq_{issue,complete}
(scripts/fsync-trace records one). For the fdatasync calls of threads whose name starts with
--thread (default rocks-sync-data: the data engine's group commit), prints their latency, how it
splits into running, sleeping on I/O and waiting for a CPU, and which other block requests were on
the device while the slowest 1% ran, against the fastest half.
  perf script -i trace.data | scripts/fsync-trace.py [--thread rocks-sync-data]"""
import argparse, collections, re, sys

p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
p.add_argument("--thread", default="rocks-sync-data")
args = p.parse_args()

LINE = re.compile(r"^\s*(.+?)\s+(\d+)\s+\[\d+\]\s+([\d.]+):\s+(\S+):(.*)$")
BLOCK = re.compile(r": \S+ (\S+) (?:(\d+) )?\(\) (\d+) \+ (\d+)")
SWITCH = re.compile(r"prev_pid=(\d+) prev_prio=\d+ prev_state=(\S+) ==> next_comm=.*? next_pid=(\d+)")
WAKEUP = re.compile(r"comm=.*? pid=(\d+)")

calls = []          # (duration, start, end, running, sleeping, runnable)
open_calls = {}     # tid -> [start, state, since, running, sleeping, runnable]
requests = []       # (issued, completed, rwbs, bytes, issuer)
pending = {}
first = last = None


def account(c, t):
    c[3 + {"run": 0, "sleep": 1, "rq": 2}[c[1]]] += t - c[2]
    c[2] = t


for line in sys.stdin:
    m = LINE.match(line)
    if not m:
        continue
    comm, tid, t, event, rest = m.group(1), int(m.group(2)), float(m.group(3)), m.group(4), m.group(5)
    first = first if first is not None else t
    last = t
    if event.startswith("block:"):
        b = BLOCK.search(":" + rest)
        if not b or b.group(1) == "FF":  # cache flushes carry no sector to pair them by
            continue
        key = (b.group(1), b.group(3), b.group(4))
        if event == "block:block_rq_issue":
            pending[key] = (t, b.group(1), int(b.group(2) or 0), comm)
        elif key in pending:
            t0, rwbs, nbytes, issuer = pending.pop(key)
            requests.append((t0, t, rwbs, nbytes, issuer))
    elif event == "syscalls:sys_enter_fdatasync" and comm.startswith(args.thread):
        open_calls[tid] = [t, "run", t, 0.0, 0.0, 0.0]
    elif event == "syscalls:sys_exit_fdatasync" and tid in open_calls:
        c = open_calls.pop(tid)
        account(c, t)
        calls.append((t - c[0], c[0], t, c[3], c[4], c[5]))
    elif event == "sched:sched_switch":
        s = SWITCH.search(rest)
        if s:
            prev, state, nxt = int(s.group(1)), s.group(2), int(s.group(3))
            if prev in open_calls:
                account(open_calls[prev], t)
                open_calls[prev][1] = "rq" if state.startswith("R") else "sleep"
            if nxt in open_calls:
                account(open_calls[nxt], t)
                open_calls[nxt][1] = "run"
    elif event == "sched:sched_wakeup":
        w = WAKEUP.search(rest)
        if w and int(w.group(1)) in open_calls:
            c = open_calls[int(w.group(1))]
            account(c, t)
            c[1] = "rq"

if not calls:
    sys.exit(f"fsync-trace: no fdatasync of a thread named {args.thread}* in the trace")
calls.sort()
n = len(calls)
ms = lambda x: f"{x * 1000:.2f}"
print(f"{n} fdatasync calls of {args.thread}* in {last - first:.1f} s: p50 {ms(calls[n // 2][0])}, "
      f"p90 {ms(calls[int(n * .9)][0])}, p99 {ms(calls[int(n * .99)][0])}, max {ms(calls[-1][0])} ms")
for label, sel in (("all", calls), ("slowest 10%", calls[int(n * .9):]), ("slowest 1%", calls[int(n * .99):])):
    k = len(sel)
    print(f"  {label:12s} mean {ms(sum(c[0] for c in sel) / k)} ms: running {ms(sum(c[3] for c in sel) / k)}, "
          f"asleep on I/O {ms(sum(c[4] for c in sel) / k)}, waiting for a CPU {ms(sum(c[5] for c in sel) / k)}")


def kind(rwbs, issuer):
    if "D" in rwbs:
        return "discard"
    if issuer.startswith("rocksdb:"):
        return "flush/compaction write"
    if issuer.startswith("rocks-sync-"):
        # The kernel keeps 15 characters of a thread's name: rocks-sync-chun is the chunks engine's.
        return {"chun": "chunks"}.get(issuer[len("rocks-sync-"):], issuer[len("rocks-sync-"):]) + " log"
    return "other"


busy, depth, at = 0.0, 0, None
for t, delta in sorted([(r[0], 1) for r in requests] + [(r[1], -1) for r in requests]):
    if depth > 0:
        busy += t - at
    depth, at = depth + delta, t
print(f"device: at least one request in flight {100 * busy / (last - first):.1f}% of the time")
byKind = collections.defaultdict(list)
for r in requests:
    byKind[kind(r[2], r[4])].append(r)
for k, rs in sorted(byKind.items()):
    lat = sorted(r[1] - r[0] for r in rs)
    print(f"  {k:24s} {len(rs):6d} requests, {sum(r[3] for r in rs) / 1e6:8.1f} MB, device time "
          f"p50 {ms(lat[len(lat) // 2])} p99 {ms(lat[int(len(lat) * .99)])} ms")


def overlap(sel):
    share, mb = collections.Counter(), collections.Counter()
    for _, a, b, *_ in sel:
        seen = set()
        for r in requests:
            if r[0] < b and r[1] > a:
                k = kind(r[2], r[4])
                seen.add(k)
                mb[k] += r[3]
        share.update(seen)
    return ", ".join(f"{k} {100 * share[k] // len(sel)}% ({mb[k] / len(sel) / 1e6:.1f} MB)" for k in sorted(share))


print("other requests on the device during a call (share of calls, MB per call):")
print("  slowest 1%:  " + overlap(calls[int(n * .99):]))
print("  fastest 50%: " + overlap(calls[: n // 2]))
