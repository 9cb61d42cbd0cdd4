#!/usr/bin/env python3
"""bench/suite's driver: `agentctl test` running a suite of instant cases against one flytekit
connector server, beside the same work done as sequential `pyflyte run`s and as a shell loop of
`agentctl run`, and a markdown table. Run it through bench/suite (which builds agentctl, starts
the server on 127.0.0.1, holds the cargo lock and stops everything afterwards); see
bench/README.md.

Every measured command runs under GNU time (`/usr/bin/time -f "%M %U %S"`), started with
subprocess.Popen and reaped with os.wait4, so:
  * wall time   = time.perf_counter() from just before the spawn to just after wait4;
  * peak RSS    = GNU time's %M (KiB): the largest resident set of the command or of any one of
                  its children (see bench.py for why not this driver's own wait4);
  * client CPU  = GNU time's %U + %S: the command's user + system CPU, children included;
  * server CPU  = utime + stime of the server process (all its threads) from /proc/PID/stat,
                  read just before the spawn and just after wait4, in clock ticks
                  (getconf CLK_TCK, passed in by bench/suite);
  * other CPU   = all CPU time the machine spent in that window (/proc/stat), minus the
                  server's, the command's and this driver's own: what else ran meanwhile.

Everything is checked: the suite exits 0 and its --report lists every case as passed (each case
expects y = 2x and greeting "hello n<i>"); every `agentctl run` of the loop exits 0 and prints
its own y and greeting; every `pyflyte run` exits 0 and prints y=2 and "hello a". A failed check
aborts the bench (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (  # noqa: E402  (bench/bench.py, the Flyte 1 driver)
    TIME_BIN,
    check_success_outputs,
    die,
    fmt_s,
)
import bench as _bench  # noqa: E402


@dataclass
class Timed:
    wall: float  # s
    rss_kib: int
    client_cpu: float  # s, user + system, children included (GNU time)
    server_cpu: float  # s, the server's utime + stime over the window
    other_cpu: float  # s, everything else the machine did over the window
    rc: int
    stdout: str
    stderr: str


def machine_busy_ticks() -> int:
    """All non-idle CPU time of the machine so far, in clock ticks (/proc/stat, first line)."""
    with open("/proc/stat", encoding="ascii") as f:
        parts = f.readline().split()
    assert parts[0] == "cpu"
    user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in parts[1:9])
    return user + nice + system + irq + softirq + steal


def proc_cpu_ticks(pid: int) -> int:
    """utime + stime of a process (all its threads), in clock ticks (/proc/PID/stat)."""
    with open(f"/proc/{pid}/stat", encoding="ascii", errors="replace") as f:
        text = f.read()
    rest = text[text.rindex(")") + 2 :].split()  # fields from 3 (state) on
    return int(rest[11]) + int(rest[12])  # fields 14 (utime) and 15 (stime)


def self_cpu() -> float:
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def timed(argv: Sequence[str], env: Dict[str, str], cwd: str, work: str, server_pid: int, tck: int) -> Timed:
    out_path = os.path.join(work, "child.out")
    err_path = os.path.join(work, "child.err")
    res_path = os.path.join(work, "child.time")
    if os.path.exists(res_path):
        os.unlink(res_path)
    cmd = [TIME_BIN, "-f", "%M %U %S", "-o", res_path, "--", *argv]
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        me0 = self_cpu()
        busy0 = machine_busy_ticks()
        srv0 = proc_cpu_ticks(server_pid)
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, _ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
        srv1 = proc_cpu_ticks(server_pid)
        busy1 = machine_busy_ticks()
        me1 = self_cpu()
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    with open(out_path, encoding="utf-8", errors="replace") as f:
        stdout = f.read()
    with open(err_path, encoding="utf-8", errors="replace") as f:
        stderr = f.read()
    rss, client = -1, 0.0
    try:
        with open(res_path, encoding="utf-8") as f:
            lines = [line.strip() for line in f if line.strip()]
        # GNU time writes "Command exited with non-zero status N" before the format line.
        m, u, s = lines[-1].split()
        rss, client = int(m), float(u) + float(s)
    except (OSError, ValueError, IndexError):
        pass
    server = (srv1 - srv0) / tck
    other = max(0.0, (busy1 - busy0) / tck - server - client - (me1 - me0))
    r = Timed(wall=t1 - t0, rss_kib=rss, client_cpu=client, server_cpu=server, other_cpu=other,
              rc=p.returncode, stdout=stdout, stderr=stderr)
    if rss < 0 and r.rc == 0:
        fail(f"no figures from {TIME_BIN} for {' '.join(argv)}", r)
    return r


def fail(msg: str, r: Optional[Timed] = None) -> None:
    print(f"bench: FAILED: {msg}", file=sys.stderr)
    if r is not None:
        tail = lambda s: "\n".join(s.rstrip().splitlines()[-40:])  # noqa: E731
        print(f"--- exit code {r.rc}\n--- stdout (last lines):\n{tail(r.stdout)}\n"
              f"--- stderr (last lines):\n{tail(r.stderr)}", file=sys.stderr)
    sys.exit(1)


def write_suite(path: str, template: str, endpoint: str, n: int) -> None:
    """A suite of n cases of the instant task, each with its own inputs and exact outputs."""
    lines = [
        f"# bench/suite: {n} cases of agentctl_test_success (create, get RUNNING, get SUCCEEDED)",
        "defaults:",
        f"  endpoint: {endpoint}",
        "  timeout: 60s",
        "cases:",
    ]
    for i in range(1, n + 1):
        lines += [
            f"  - name: case {i:04d}",
            f"    template: {json.dumps(template)}",
            f"    inputs: {{x: {i}, name: n{i}}}",
            f"    expect: {{outputs: {{y: {2 * i}, greeting: hello n{i}}}}}",
        ]
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")


def check_suite(what: str, r: Timed, report_path: str, n: int) -> List[float]:
    """The suite passed every case; returns the cases' own durations (s)."""
    if r.rc != 0:
        fail(f"{what} exited {r.rc}", r)
    try:
        with open(report_path, encoding="utf-8") as f:
            doc = json.load(f)
    except (OSError, ValueError) as e:
        fail(f"{what}: no readable --report ({e})", r)
    cases = doc.get("cases", [])
    passed = [c for c in cases if c.get("status") == "passed"]
    if len(cases) != n or len(passed) != n:
        statuses = sorted({str(c.get("status")) for c in cases})
        fail(f"{what}: expected {n} passed cases in the report, found {len(passed)} passed of "
             f"{len(cases)} (statuses {statuses})", r)
    if f"{n} passed, 0 failed, 0 errors" not in r.stderr:
        fail(f"{what}: no `{n} passed, 0 failed, 0 errors` summary on stderr", r)
    return [float(c["duration_seconds"]) for c in cases]


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--repo", required=True)
    ap.add_argument("--agentctl", required=True)
    ap.add_argument("--pyflyte", required=True)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--server-pid", type=int, required=True)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument("--cases", type=int, default=200)
    ap.add_argument("--jobs", type=int, default=16)
    ap.add_argument("--pyflyte-runs", type=int, default=10)
    ap.add_argument("--loop-runs", type=int, default=200)
    ap.add_argument("--suite-runs", type=int, default=3)
    ap.add_argument("--clk-tck", type=int, required=True)
    a = ap.parse_args()
    repo, n, tck = a.repo, a.cases, a.clk_tck
    log = lambda msg: print(f"bench: {msg}", file=sys.stderr, flush=True)  # noqa: E731

    success_t = os.path.join(repo, "target", "pyfixtures", "success.template.json")
    if not os.path.exists(success_t):
        die("missing fixture target/pyfixtures/success.template.json (run scripts/test-env)")

    tmp = os.path.join(a.work, "tmp")
    os.makedirs(tmp, exist_ok=True)
    base_env = dict(os.environ)
    base_env["TMPDIR"] = tmp  # agentctl's fresh output prefixes and flytekit's sandbox land here
    base_env["AGENTCTL_TEST_STATE_DIR"] = a.state_dir
    for k in ("AGENTCTL_ENDPOINT", "RUST_LOG", "GITHUB_ACTIONS", "GITHUB_STEP_SUMMARY"):
        base_env.pop(k, None)
    py_env = dict(base_env)
    py_env["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(repo, "tests", "python")] + ([base_env["PYTHONPATH"]] if base_env.get("PYTHONPATH") else [])
    )
    ac = a.agentctl
    pyfile = os.path.join(repo, "bench", "pyflyte_tasks.py")

    def run(argv, env=base_env) -> Timed:
        return timed(argv, env, repo, a.work, a.server_pid, tck)

    # ---------------------------------------------------------------- the suites
    suite = os.path.join(a.work, "bench.agentctl.yaml")
    write_suite(suite, success_t, a.endpoint, n)
    warm = os.path.join(a.work, "warmup.agentctl.yaml")
    n_warm = min(n, max(a.jobs, 16))
    write_suite(warm, success_t, a.endpoint, n_warm)
    report = os.path.join(a.work, "report.json")

    def suite_cmd(path: str) -> List[str]:
        return [ac, "test", path, "--jobs", str(a.jobs), "--report", report]

    # ---------------------------------------------------------------- verify + warm up (untimed)
    log("verifying each side once (untimed; also warms the page cache and the server)")
    r = run([ac, "run", success_t, "--x", "1", "--name", "a", "--endpoint", a.endpoint])
    check_success_outputs("agentctl run success", _as_run(r))
    r = run([a.pyflyte, "run", pyfile, "success", "--x", "1", "--name", "a"], py_env)
    check_success_outputs("pyflyte run success", _as_run(r))
    r = run(suite_cmd(warm))
    check_suite(f"agentctl test (warm-up, {n_warm} cases)", r, report, n_warm)

    # ---------------------------------------------------------------- 1. the suite
    log(f"1. agentctl test: {n} cases, --jobs {a.jobs}, x{a.suite_runs}")
    suites: List[Timed] = []
    durations: List[float] = []
    for i in range(a.suite_runs):
        r = run(suite_cmd(suite))
        durations += check_suite(f"agentctl test #{i + 1}", r, report, n)
        suites.append(r)
        log(f"   #{i + 1}: wall {fmt_s(r.wall)}, server CPU {r.server_cpu:.2f} s, "
            f"agentctl CPU {r.client_cpu:.2f} s, peak RSS {r.rss_kib} KiB, other CPU {r.other_cpu:.2f} s")

    # ---------------------------------------------------------------- 2. shell loop of agentctl run
    m = a.loop_runs
    outdir = os.path.join(a.work, "loop")
    os.makedirs(outdir, exist_ok=True)
    loop_script = (
        'ac=$1; t=$2; ep=$3; out=$4; m=$5; i=1\n'
        'while [ "$i" -le "$m" ]; do\n'
        '  "$ac" run "$t" --x "$i" --name "n$i" --endpoint "$ep" >"$out/$i.out" || exit 1\n'
        '  i=$((i + 1))\n'
        'done\n'
    )
    log(f"2. shell loop: {m} x agentctl run (one after another)")
    loop = run(["/bin/sh", "-c", loop_script, "sh", ac, success_t, a.endpoint, outdir, str(m)])
    if loop.rc != 0:
        fail("the agentctl run loop failed", loop)
    for i in range(1, m + 1):
        with open(os.path.join(outdir, f"{i}.out"), encoding="utf-8") as f:
            text = f.read()
        if not (re.search(rf"\by\b\W{{0,4}}{2 * i}\b", text) and f"hello n{i}" in text):
            fail(f"agentctl run #{i} of the loop: outputs y={2 * i} and 'hello n{i}' not found:\n{text}")
    log(f"   wall {fmt_s(loop.wall)}, server CPU {loop.server_cpu:.2f} s, other CPU {loop.other_cpu:.2f} s")

    # ---------------------------------------------------------------- 3. sequential pyflyte run
    k = a.pyflyte_runs
    log(f"3. {k} x pyflyte run success (one after another)")
    pys: List[Timed] = []
    for i in range(k):
        r = run([a.pyflyte, "run", pyfile, "success", "--x", "1", "--name", "a"], py_env)
        check_success_outputs(f"pyflyte run success #{i + 1}", _as_run(r))
        pys.append(r)

    # ---------------------------------------------------------------- report
    mid = sorted(suites, key=lambda s: s.wall)[(len(suites) - 1) // 2]  # the median run (lower middle if even)
    loop_scale = n / m
    loop_wall = loop.wall * loop_scale
    py_scale = n / k
    py_wall = sum(r.wall for r in pys) * py_scale
    ratio_cpu = mid.wall / mid.server_cpu if mid.server_cpu > 0 else float("inf")
    suite_rss = max(s.rss_kib for s in suites)
    rss_goal_kib = 30_000_000 / 1024  # 30 MB = 29,297 KiB (30 MiB would be 30,720 KiB)
    speedup = py_wall / mid.wall
    yn = lambda ok: "**yes**" if ok else "**NO**"  # noqa: E731
    runs = ", ".join(fmt_s(s.wall) for s in suites)

    def per_case(x: float) -> str:
        return fmt_s(x / n)

    rows = [
        ("1", f"wall time for {n} cases",
         f"{fmt_s(mid.wall)} (median of {len(suites)}: {runs})",
         f"{fmt_s(loop_wall)}" + (f" ({m} runs: {fmt_s(loop.wall)}, ×{loop_scale:g})" if m != n else f" ({m} runs)"),
         f"{fmt_s(py_wall)} ({k} runs: {fmt_s(sum(r.wall for r in pys))}, ×{py_scale:g})", "", ""),
        ("2", "wall time per case", per_case(mid.wall), per_case(loop_wall), per_case(py_wall), "", ""),
        ("3", "flytekit server CPU (utime+stime) in that window",
         f"{mid.server_cpu:.2f} s ({per_case(mid.server_cpu)} a case)",
         f"{loop.server_cpu * loop_scale:.2f} s ({per_case(loop.server_cpu * loop_scale)} a case)",
         "— (no server: the connector runs in process)", "", ""),
        ("4", "wall time / server CPU", f"{ratio_cpu:.2f}x",
         f"{loop.wall / loop.server_cpu:.2f}x" if loop.server_cpu > 0 else "∞", "",
         "suite ≤ 1.5x", yn(ratio_cpu <= 1.5)),
        ("5", "peak RSS (GNU time %M; max over runs)",
         f"{suite_rss / 1024:.1f} MiB ({suite_rss} KiB)",
         f"{loop.rss_kib / 1024:.1f} MiB ({loop.rss_kib} KiB, largest one process)",
         f"{max(r.rss_kib for r in pys) / 1024:.1f} MiB ({max(r.rss_kib for r in pys)} KiB)",
         "agentctl test < 30 MB (29,297 KiB)", yn(suite_rss < rss_goal_kib)),
        ("6", "client CPU (user+sys)",
         f"{mid.client_cpu:.2f} s", f"{loop.client_cpu * loop_scale:.2f} s",
         f"{sum(r.client_cpu for r in pys) * py_scale:.2f} s", "", ""),
        ("7", "pyflyte loop wall / this wall", f"{speedup:.0f}x", f"{py_wall / loop_wall:.0f}x", "1x",
         "suite ≥ 100x", yn(speedup >= 100)),
        ("8", "other processes' CPU in the window (quiet machine: ≈ 0)",
         f"{mid.other_cpu:.2f} s", f"{loop.other_cpu:.2f} s", f"{sum(r.other_cpu for r in pys):.2f} s", "", ""),
    ]

    print()
    print(f"`agentctl test` ({os.path.relpath(ac, repo)}) on a suite of {n} instant cases "
          f"(agentctl_test_success: create, get RUNNING, get SUCCEEDED) with --jobs {a.jobs}, against one "
          f"flytekit 1.16 connector server at {a.endpoint}; {os.cpu_count()} CPUs")
    print()
    print(f"| # | measure | `agentctl test --jobs {a.jobs}` | shell loop of `agentctl run` | "
          "sequential `pyflyte run` | goal | met |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    ds = sorted(durations)
    print(f"Cases' own durations in the suite (from its --report, all {len(suites)} runs): median {fmt_s(statistics.median(ds))}, "
          f"p90 {fmt_s(ds[int(0.9 * (len(ds) - 1))])}, max {fmt_s(ds[-1])}. Every suite run, server CPU / wall: "
          + ", ".join(f"{s.server_cpu:.2f} s / {fmt_s(s.wall)}" for s in suites) + ".")
    met = ratio_cpu <= 1.5 and suite_rss < rss_goal_kib and speedup >= 100
    print()
    print("all goals met" if met else "NOT all goals met (see the `met` column)")
    return 0


def _as_run(t: Timed) -> "_bench.Run":
    return _bench.Run(wall=t.wall, rss_kib=t.rss_kib, rc=t.rc, t_exit=0.0, stdout=t.stdout, stderr=t.stderr)


if __name__ == "__main__":
    sys.exit(main())
