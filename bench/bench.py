#!/usr/bin/env python3
"""bench/run's driver: times agentctl against `pyflyte run`, side by side, and prints a
markdown table. Run it through bench/run (which builds agentctl, starts the flytekit
connector server on 127.0.0.1, and stops everything afterwards); see bench/README.md.

Every measured command runs as `/usr/bin/time -f %M -o FILE -- CMD...` (GNU time), started
with subprocess.Popen and reaped with os.wait4, so:
  * wall time = time.perf_counter() from just before the spawn to just after wait4 (this
                includes GNU time's own fork+exec, measured separately and printed);
  * peak RSS  = GNU time's %M: the command's max resident set (KiB), from the wait4 that
                GNU time (a ~1 MiB process) does on its own child;
  * exit time = time.time() just after wait4 (wall clock, comparable with the connector's
                time.time() in terminal.jsonl: same machine, same clock).
Why not ru_maxrss from this driver's own wait4: on Linux a child's ru_maxrss includes the
high-water mark of the address space it had before exec, and subprocess spawns with
vfork/fork from this ~15 MiB Python process, so every child would read >= this process's
RSS (even /bin/true). GNU time forks from a ~1 MiB process, so its %M is the command's.
Every timed run is checked: exit code 0, and for `success` the outputs y=2 and
greeting "hello a" on stdout. A failed check aborts the bench (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence


@dataclass
class Run:
    wall: float  # seconds
    rss_kib: int
    rc: int
    t_exit: float  # time.time() after wait4
    stdout: str
    stderr: str


TIME_BIN = "/usr/bin/time"


def run_once(argv: Sequence[str], env: Dict[str, str], cwd: str, work: str, wrap: bool = True) -> Run:
    out_path = os.path.join(work, "child.out")
    err_path = os.path.join(work, "child.err")
    rss_path = os.path.join(work, "child.rss")
    if os.path.exists(rss_path):
        os.unlink(rss_path)
    cmd = [TIME_BIN, "-f", "%M", "-o", rss_path, "--", *argv] if wrap else list(argv)
    with open(out_path, "wb") as out, open(err_path, "wb") as err:
        t0 = time.perf_counter()
        p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=out, stderr=err, env=env, cwd=cwd)
        _, status, _ru = os.wait4(p.pid, 0)
        t1 = time.perf_counter()
        t_exit = time.time()
        p.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting again
    with open(out_path, encoding="utf-8", errors="replace") as f:
        stdout = f.read()
    with open(err_path, encoding="utf-8", errors="replace") as f:
        stderr = f.read()
    rss = -1
    if wrap:
        try:
            with open(rss_path, encoding="utf-8") as f:
                lines = [line.strip() for line in f if line.strip()]
            # GNU time writes "Command exited with non-zero status N" before the format line.
            rss = int(lines[-1])
        except (OSError, ValueError, IndexError):
            rss = -1
    r = Run(wall=t1 - t0, rss_kib=rss, rc=p.returncode, t_exit=t_exit, stdout=stdout, stderr=stderr)
    if wrap and rss < 0 and r.rc == 0:
        die(f"no peak RSS from {TIME_BIN} for {' '.join(argv)}", r)
    return r


def die(msg: str, r: Optional[Run] = None) -> None:
    print(f"bench: FAILED: {msg}", file=sys.stderr)
    if r is not None:
        print(f"--- exit code {r.rc}\n--- stdout:\n{r.stdout}\n--- stderr:\n{r.stderr}", file=sys.stderr)
    sys.exit(1)


def check_ok(what: str, r: Run) -> None:
    if r.rc != 0:
        die(f"{what} exited {r.rc}", r)


# agentctl prints the outputs as `name: value` lines (human format); pyflyte run prints
# DefaultNamedTupleOutput(y=2, greeting='hello a').
def check_success_outputs(what: str, r: Run) -> None:
    check_ok(what, r)
    out = r.stdout
    ok_y = re.search(r"\by\b\W{0,4}2\b", out) is not None
    ok_g = "hello a" in out
    if not (ok_y and ok_g):
        die(f"{what}: outputs y=2 and greeting 'hello a' not found on stdout", r)


class TerminalLog:
    """Reads the new lines of $AGENTCTL_TEST_STATE_DIR/terminal.jsonl after each run."""

    def __init__(self, state_dir: str):
        self.path = os.path.join(state_dir, "terminal.jsonl")
        self.seen = self._count()

    def _lines(self) -> List[str]:
        try:
            with open(self.path, encoding="utf-8") as f:
                return [line for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def _count(self) -> int:
        return len(self._lines())

    def take_one(self, what: str, r: Run) -> float:
        lines = self._lines()
        new = lines[self.seen :]
        self.seen = len(lines)
        if len(new) != 1:
            die(f"{what}: expected exactly one new SUCCEEDED record in {self.path}, found {len(new)}", r)
        return float(json.loads(new[0])["t"])


# ------------------------------------------------------------------------ formatting


def fmt_s(x: float) -> str:
    if x < 1.0:
        return f"{x * 1000:.1f} ms"
    return f"{x:.3f} s"


def fmt_mean_sd(xs: List[float]) -> str:
    m = statistics.mean(xs)
    sd = statistics.stdev(xs) if len(xs) > 1 else 0.0
    if m < 1.0:
        return f"{m * 1000:.1f} ± {sd * 1000:.1f} ms"
    return f"{m:.3f} ± {sd:.3f} s"


def fmt_rss(kibs: List[int]) -> str:
    mx = max(kibs)
    return f"{mx / 1024:.1f} MiB ({mx} KiB)"


def fmt_ms(x: float) -> str:
    return f"{x * 1000:.1f} ms"


# ------------------------------------------------------------------------ main


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--agentctl", required=True)
    ap.add_argument("--pyflyte", required=True)
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--work", required=True)
    a = ap.parse_args()
    n = a.n
    repo = a.repo
    fixtures = os.path.join(repo, "target", "pyfixtures")
    success_t = os.path.join("target", "pyfixtures", "success.template.json")
    slow_t = os.path.join("target", "pyfixtures", "slow.template.json")
    for t in (success_t, slow_t):
        if not os.path.exists(os.path.join(repo, t)):
            die(f"missing fixture {t} (run scripts/test-env)")
    del fixtures

    tmp = os.path.join(a.work, "tmp")
    os.makedirs(tmp, exist_ok=True)
    base_env = dict(os.environ)
    base_env["TMPDIR"] = tmp  # agentctl's fresh output prefixes and flytekit's sandbox land here
    base_env["AGENTCTL_TEST_STATE_DIR"] = a.state_dir  # pyflyte's in-process connector logs here
    for k in ("AGENTCTL_ENDPOINT", "RUST_LOG"):
        base_env.pop(k, None)
    py_env = dict(base_env)
    py_env["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(repo, "tests", "python")] + ([base_env["PYTHONPATH"]] if base_env.get("PYTHONPATH") else [])
    )
    pyfile = os.path.join(repo, "bench", "pyflyte_tasks.py")

    ac = a.agentctl
    ac_success = [ac, "run", success_t, "--x", "1", "--name", "a", "--endpoint", a.endpoint]
    ac_slow = [ac, "run", slow_t, "--endpoint", a.endpoint]
    ac_version = [ac, "--version"]
    ac_describe = [ac, "describe", success_t]
    pf_success = [a.pyflyte, "run", pyfile, "success", "--x", "1", "--name", "a"]
    pf_slow = [a.pyflyte, "run", pyfile, "slow"]
    pf_help = [a.pyflyte, "--help"]

    def ac_run(argv):
        return run_once(argv, base_env, repo, a.work)

    def pf_run(argv):
        return run_once(argv, py_env, repo, a.work)

    log = lambda msg: print(f"bench: {msg}", file=sys.stderr, flush=True)  # noqa: E731
    term = TerminalLog(a.state_dir)

    # ---------------------------------------------------------------- verify (also warms caches)
    log("verifying that both sides succeed (untimed; also warms the page cache)")
    r = ac_run(ac_success)
    check_success_outputs("agentctl run success", r)
    log("agentctl run success printed:\n" + "\n".join("    " + line for line in r.stdout.rstrip().splitlines()))
    r = pf_run(pf_success)
    check_success_outputs("pyflyte run success", r)
    log("pyflyte run success printed:\n" + "\n".join("    " + line for line in r.stdout.rstrip().splitlines()))
    r = ac_run(ac_slow)
    check_ok("agentctl run slow", r)
    term.take_one("agentctl run slow", r)
    r = pf_run(pf_slow)
    check_ok("pyflyte run slow", r)
    term.take_one("pyflyte run slow", r)
    for argv in (ac_version, ac_describe):
        check_ok(" ".join(argv[1:]), ac_run(argv))
    check_ok("pyflyte --help", pf_run(pf_help))

    # ---------------------------------------------------------------- 1. success, interleaved
    log(f"1. run success x{n} each, interleaved (agentctl, pyflyte)")
    ac_s: List[Run] = []
    pf_s: List[Run] = []
    for i in range(n):
        r = ac_run(ac_success)
        check_success_outputs(f"agentctl run success #{i + 1}", r)
        ac_s.append(r)
        r = pf_run(pf_success)
        check_success_outputs(f"pyflyte run success #{i + 1}", r)
        pf_s.append(r)

    log(f"1. startup x{n}: agentctl --version, agentctl describe, pyflyte --help")
    ac_v: List[Run] = []
    ac_d: List[Run] = []
    pf_h: List[Run] = []
    for i in range(n):
        r = ac_run(ac_version)
        check_ok("agentctl --version", r)
        ac_v.append(r)
        r = ac_run(ac_describe)
        check_ok("agentctl describe", r)
        ac_d.append(r)
        r = pf_run(pf_help)
        check_ok("pyflyte --help", r)
        pf_h.append(r)

    # ---------------------------------------------------------------- 2. slow (1 s), interleaved
    log(f"2. run slow (1 s task) x{n} each, interleaved (agentctl, pyflyte)")
    ac_delay: List[float] = []
    pf_delay: List[float] = []
    ac_sl: List[Run] = []
    pf_sl: List[Run] = []
    for i in range(n):
        r = ac_run(ac_slow)
        check_ok(f"agentctl run slow #{i + 1}", r)
        ac_delay.append(r.t_exit - term.take_one("agentctl run slow", r))
        ac_sl.append(r)
        r = pf_run(pf_slow)
        check_ok(f"pyflyte run slow #{i + 1}", r)
        pf_delay.append(r.t_exit - term.take_one("pyflyte run slow", r))
        pf_sl.append(r)

    # ---------------------------------------------------------------- wrapper overhead
    log(f"GNU time wrapper overhead x{n}: /bin/true direct vs under {TIME_BIN}")
    true_direct: List[Run] = []
    true_wrapped: List[Run] = []
    for i in range(n):
        r = run_once(["/bin/true"], base_env, repo, a.work, wrap=False)
        check_ok("/bin/true", r)
        true_direct.append(r)
        r = run_once(["/bin/true"], base_env, repo, a.work)
        check_ok("time /bin/true", r)
        true_wrapped.append(r)

    # ---------------------------------------------------------------- report
    def mean(rs: List[Run]) -> float:
        return statistics.mean(x.wall for x in rs)

    walls = lambda rs: [x.wall for x in rs]  # noqa: E731
    rss = lambda rs: [x.rss_kib for x in rs]  # noqa: E731

    ratio = mean(pf_s) / mean(ac_s)
    ac_peak_kib = max(rss(ac_s) + rss(ac_sl))
    rss_goal_kib = 12 * 1024  # 12 MiB
    d_med, d_max = statistics.median(ac_delay), max(ac_delay)
    yn = lambda ok: "**yes**" if ok else "**NO**"  # noqa: E731

    rows = [
        ("1", "`run success --x 1 --name a`: wall, mean ± sd", fmt_mean_sd(walls(ac_s)), fmt_mean_sd(walls(pf_s)),
         f"{ratio:.1f}x", "agentctl ≥ 100x less wall time", yn(ratio >= 100)),
        ("1", "`run success`: peak RSS, max over runs", fmt_rss(rss(ac_s)), fmt_rss(rss(pf_s)),
         f"{max(rss(pf_s)) / max(rss(ac_s)):.1f}x", "agentctl < 12 MiB (all `run`s)", yn(ac_peak_kib < rss_goal_kib)),
        ("1", "startup: `agentctl --version` / `pyflyte --help`, wall", fmt_mean_sd(walls(ac_v)), fmt_mean_sd(walls(pf_h)),
         f"{mean(pf_h) / mean(ac_v):.0f}x", "", ""),
        ("1", "startup: `agentctl --version` / `pyflyte --help`, peak RSS", fmt_rss(rss(ac_v)), fmt_rss(rss(pf_h)),
         "", "", ""),
        ("1", "startup: `agentctl describe success.template.json`, wall", fmt_mean_sd(walls(ac_d)), "", "", "", ""),
        ("1", "startup: `agentctl describe success.template.json`, peak RSS", fmt_rss(rss(ac_d)), "", "", "", ""),
        ("2", "`run slow` (1 s task): terminal GetTask answer → exit, median / max",
         f"{fmt_ms(d_med)} / {fmt_ms(d_max)}",
         f"{fmt_ms(statistics.median(pf_delay))} / {fmt_ms(max(pf_delay))}",
         "", "agentctl < 100 ms (max)", yn(d_max < 0.100)),
        ("2", "`run slow`: wall, mean ± sd", fmt_mean_sd(walls(ac_sl)), fmt_mean_sd(walls(pf_sl)),
         f"{mean(pf_sl) / mean(ac_sl):.1f}x", "", ""),
        ("2", "`run slow`: peak RSS, max over runs", fmt_rss(rss(ac_sl)), fmt_rss(rss(pf_sl)), "", "", ""),
    ]

    print()
    print(f"agentctl `{os.path.relpath(ac, repo)}` vs `pyflyte run` (flytekit local execution, same connectors), "
          f"N={n} runs each, {os.cpu_count()} CPUs, server at {a.endpoint}")
    print()
    print("| # | measure | agentctl | pyflyte run | pyflyte/agentctl | goal | met |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"Spawning from this driver: /bin/true takes {fmt_mean_sd(walls(true_direct))} directly, "
          f"{fmt_mean_sd(walls(true_wrapped))} under GNU time (that wrapper cost is included in every wall time "
          f"above; `/bin/true` itself peaks at {max(rss(true_wrapped))} KiB).")
    print()
    print("agentctl terminal→exit delays (ms): " + ", ".join(f"{d * 1000:.1f}" for d in ac_delay))
    print("pyflyte  terminal→exit delays (ms): " + ", ".join(f"{d * 1000:.1f}" for d in pf_delay))
    met = ratio >= 100 and ac_peak_kib < rss_goal_kib and d_max < 0.100
    print()
    print("all goals met" if met else "NOT all goals met (see the `met` column)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
