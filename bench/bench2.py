#!/usr/bin/env python3
"""bench/run2's driver: times agentctl against `flyte run --local` (Flyte 2, flyte 2.12.1),
side by side, and prints a markdown table. Run it through bench/run2 (which starts the SDK's own
c0 connector server on 127.0.0.1 and stops everything afterwards); see bench/README.md.

It measures exactly as bench/bench.py (the Flyte 1 driver), whose helpers it imports: every
command runs under `/usr/bin/time -f %M` (GNU time) and is reaped with os.wait4, so
  * wall time = time.perf_counter() from just before the spawn to just after wait4;
  * peak RSS  = GNU time's %M (KiB), the command's own peak (see bench.py for why not wait4's);
  * exit time = time.time() just after wait4, compared with the connector's time.time() in
                terminal.jsonl (same machine, same clock).

Every timed run is checked, on both sides:
  * exit code 0;
  * success: the outputs y = 2 and greeting "hello world" on stdout (agentctl prints
    `y: 2` / `greeting: hello world`; flyte prints `ActionOutputs(o0=2, o1="hello world")`,
    positional because the SDK's local runner loses output names), and the connector itself
    logged exactly one create of agentctl2_success with inputs {x: 1, name: "world"} (the
    default filled in) and exactly two gets in $AGENTCTL_TEST_STATE_DIR. The c0 server (for
    agentctl) and flyte's in-process connector (for flyte) write to the same state directory;
  * slow: exactly one new SUCCEEDED record in terminal.jsonl (and flyte's "Completed Local Run").
A failed check aborts the bench (exit 1).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import statistics
import sys
from typing import Any, Dict, List

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from bench import (  # noqa: E402  (bench/bench.py, the Flyte 1 driver)
    TIME_BIN,
    Run,
    TerminalLog,
    check_ok,
    die,
    fmt_mean_sd,
    fmt_ms,
    fmt_rss,
    run_once,
)

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def plain(s: str) -> str:
    return ANSI.sub("", s)


class JsonlLog:
    """The new records of one $AGENTCTL_TEST_STATE_DIR/*.jsonl file since the last take()."""

    def __init__(self, state_dir: str, name: str):
        self.path = os.path.join(state_dir, name)
        self.seen = len(self._records())

    def _records(self) -> List[Dict[str, Any]]:
        try:
            with open(self.path, encoding="utf-8") as f:
                return [json.loads(line) for line in f if line.strip()]
        except FileNotFoundError:
            return []

    def take(self) -> List[Dict[str, Any]]:
        recs = self._records()
        new = recs[self.seen :]
        self.seen = len(recs)
        return new


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=10)
    ap.add_argument("--repo", required=True)
    ap.add_argument("--agentctl", required=True)
    ap.add_argument("--flyte", required=True, help="the flyte CLI of the Flyte 2 venv")
    ap.add_argument("--endpoint", required=True)
    ap.add_argument("--state-dir", required=True)
    ap.add_argument("--work", required=True)
    ap.add_argument(
        "--run-prefix",
        required=True,
        help="`flyte run --name` prefix; flyte leaves empty /tmp/flyte/metadata/<name> dirs, removed after each run",
    )
    a = ap.parse_args()
    n = a.n
    repo = a.repo
    success_t = os.path.join("target", "pyfixtures2", "success.pb")
    slow_t = os.path.join("target", "pyfixtures2", "slow.pb")
    for t in (success_t, slow_t):
        if not os.path.exists(os.path.join(repo, t)):
            die(f"missing fixture {t} (run scripts/test-env)")

    tmp = os.path.join(a.work, "tmp")
    raw = os.path.join(a.work, "raw")
    os.makedirs(tmp, exist_ok=True)
    base_env = dict(os.environ)
    base_env["TMPDIR"] = tmp  # agentctl's fresh output prefixes land here
    base_env["AGENTCTL_TEST_STATE_DIR"] = a.state_dir  # flyte's in-process connectors log here
    base_env["DO_NOT_TRACK"] = "1"  # flyte: no Sentry (only used on errors and remote runs anyway)
    # No flyte config from the environment (the repository has no config.yaml or .flyte/): with an
    # endpoint configured a local run still connects nowhere, but it sets a client up.
    for k in ("AGENTCTL_ENDPOINT", "RUST_LOG", "UCTL_CONFIG", "FLYTECTL_CONFIG", "FLYTE_API_KEY"):
        base_env.pop(k, None)
    fl_env = dict(base_env)
    fl_env["PYTHONPATH"] = os.pathsep.join(
        [os.path.join(repo, "tests", "python2")] + ([base_env["PYTHONPATH"]] if base_env.get("PYTHONPATH") else [])
    )
    pyfile = os.path.join("bench", "flyte2_tasks.py")

    ac = a.agentctl
    ac_success = [ac, "run", success_t, "--x", "1", "--endpoint", a.endpoint]
    ac_slow = [ac, "run", slow_t, "--endpoint", a.endpoint]
    ac_describe = [ac, "describe", success_t]

    counter = [0]

    def fl_argv(task: str, *args: str) -> List[str]:
        counter[0] += 1
        name = f"{a.run_prefix}-{counter[0]}"
        return [a.flyte, "run", "--local", "--name", name, "--raw-data-path", raw, pyfile, task, *args]

    fl_help = [a.flyte, "run", "--local", pyfile, "success", "--help"]

    def ac_run(argv):
        return run_once(argv, base_env, repo, a.work)

    def fl_run(argv):
        r = run_once(argv, fl_env, repo, a.work)
        if "--name" in argv:
            name = argv[argv.index("--name") + 1]
            shutil.rmtree(os.path.join("/tmp/flyte/metadata", name), ignore_errors=True)
            shutil.rmtree(os.path.join("/tmp/flyte/raw_data", name), ignore_errors=True)
        return r

    log = lambda msg: print(f"bench2: {msg}", file=sys.stderr, flush=True)  # noqa: E731
    term = TerminalLog(a.state_dir)
    creates = JsonlLog(a.state_dir, "creates.jsonl")
    gets = JsonlLog(a.state_dir, "gets.jsonl")

    def check_success(what: str, r: Run, flyte: bool) -> None:
        check_ok(what, r)
        out = plain(r.stdout)
        if flyte:
            ok = re.search(r"\bo0=2\b", out) and 'o1="hello world"' in out and "Completed Local Run" in out
        else:
            ok = re.search(r"^y: 2$", out, re.M) and re.search(r"^greeting: hello world$", out, re.M)
        if not ok:
            die(f"{what}: outputs y=2 and greeting 'hello world' not found on stdout", r)
        cs, gs = creates.take(), gets.take()
        if len(cs) != 1 or cs[0].get("task_type") != "agentctl2_success" or cs[0].get("inputs") != {"x": 1, "name": "world"}:
            die(f"{what}: expected one create of agentctl2_success with inputs x=1, name=world; creates.jsonl got {cs}", r)
        if len(gs) != 2 or any(g.get("task_type") != "agentctl2_success" for g in gs):
            die(f"{what}: expected two gets of agentctl2_success; gets.jsonl got {gs}", r)

    def check_slow(what: str, r: Run, flyte: bool) -> float:
        check_ok(what, r)
        if flyte and "Completed Local Run" not in plain(r.stdout):
            die(f"{what}: no 'Completed Local Run' on stdout", r)
        return term.take_one(what, r)

    def show(what: str, r: Run) -> None:
        lines = plain(r.stdout).rstrip().splitlines()
        log(f"{what} printed:\n" + "\n".join("    " + line for line in lines))

    # ---------------------------------------------------------------- verify (also warms caches)
    log("verifying that both sides succeed (untimed; also warms the page cache)")
    r = ac_run(ac_success)
    check_success("agentctl run success", r, False)
    show("agentctl run success", r)
    r = fl_run(fl_argv("success", "--x", "1"))
    check_success("flyte run --local success", r, True)
    show("flyte run --local success", r)
    r = ac_run(ac_slow)
    check_slow("agentctl run slow", r, False)
    r = fl_run(fl_argv("slow"))
    check_slow("flyte run --local slow", r, True)
    check_ok("agentctl describe", ac_run(ac_describe))
    check_ok("flyte run --local … success --help", fl_run(fl_help))

    # ---------------------------------------------------------------- 1. success, interleaved
    log(f"1. run success x{n} each, interleaved (agentctl, flyte); flyte takes about 6.5 s a run")
    ac_s: List[Run] = []
    fl_s: List[Run] = []
    for i in range(n):
        r = ac_run(ac_success)
        check_success(f"agentctl run success #{i + 1}", r, False)
        ac_s.append(r)
        r = fl_run(fl_argv("success", "--x", "1"))
        check_success(f"flyte run --local success #{i + 1}", r, True)
        fl_s.append(r)

    # ---------------------------------------------------------------- 2. slow (1 s), interleaved
    log(f"2. run slow (1 s task) x{n} each, interleaved (agentctl, flyte); flyte takes about 6.5 s a run")
    ac_delay: List[float] = []
    fl_delay: List[float] = []
    ac_sl: List[Run] = []
    fl_sl: List[Run] = []
    for i in range(n):
        r = ac_run(ac_slow)
        ac_delay.append(r.t_exit - check_slow(f"agentctl run slow #{i + 1}", r, False))
        ac_sl.append(r)
        r = fl_run(fl_argv("slow"))
        fl_delay.append(r.t_exit - check_slow(f"flyte run --local slow #{i + 1}", r, True))
        fl_sl.append(r)

    # ---------------------------------------------------------------- 3. startup floor
    log(f"3. startup x{n}: agentctl describe success.pb, flyte run --local … success --help")
    ac_d: List[Run] = []
    fl_h: List[Run] = []
    for i in range(n):
        r = ac_run(ac_describe)
        check_ok("agentctl describe", r)
        ac_d.append(r)
        r = fl_run(fl_help)
        check_ok("flyte run --local … success --help", r)
        fl_h.append(r)

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

    ratio = mean(fl_s) / mean(ac_s)
    ratio_goal = 200
    ac_peak_kib = max(rss(ac_s) + rss(ac_sl))
    rss_goal_kib = 12 * 1024  # 12 MiB, as in bench/run
    d_med, d_max = statistics.median(ac_delay), max(ac_delay)
    yn = lambda ok: "**yes**" if ok else "**NO**"  # noqa: E731

    rows = [
        ("1", "`run success --x 1`: wall, mean ± sd", fmt_mean_sd(walls(ac_s)), fmt_mean_sd(walls(fl_s)),
         f"{ratio:.1f}x", f"agentctl ≥ {ratio_goal}x less wall time", yn(ratio >= ratio_goal)),
        ("1", "`run success`: peak RSS, max over runs", fmt_rss(rss(ac_s)), fmt_rss(rss(fl_s)),
         f"{max(rss(fl_s)) / max(rss(ac_s)):.1f}x", "agentctl < 12 MiB (all `run`s)", yn(ac_peak_kib < rss_goal_kib)),
        ("2", "`run slow` (1 s task): terminal get answer → exit, median / max",
         f"{fmt_ms(d_med)} / {fmt_ms(d_max)}",
         f"{fmt_ms(statistics.median(fl_delay))} / {fmt_ms(max(fl_delay))}",
         "", "agentctl < 100 ms (max)", yn(d_max < 0.100)),
        ("2", "`run slow`: wall, mean ± sd", fmt_mean_sd(walls(ac_sl)), fmt_mean_sd(walls(fl_sl)),
         f"{mean(fl_sl) / mean(ac_sl):.1f}x", "", ""),
        ("2", "`run slow`: peak RSS, max over runs", fmt_rss(rss(ac_sl)), fmt_rss(rss(fl_sl)), "", "", ""),
        ("3", "startup: `agentctl describe success.pb` / `flyte run --local … success --help`, wall",
         fmt_mean_sd(walls(ac_d)), fmt_mean_sd(walls(fl_h)), f"{mean(fl_h) / mean(ac_d):.0f}x", "", ""),
        ("3", "startup: the same, peak RSS", fmt_rss(rss(ac_d)), fmt_rss(rss(fl_h)), "", "", ""),
    ]

    print()
    print(f"agentctl `{os.path.relpath(ac, repo)}` against c0 (flyte 2.12.1) vs `flyte run --local` "
          f"(the SDK's in-process connector loop, same connectors), N={n} runs each, {os.cpu_count()} CPUs, "
          f"c0 at {a.endpoint}")
    print()
    print("| # | measure | agentctl | flyte run --local | flyte/agentctl | goal | met |")
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    print(f"Spawning from this driver: /bin/true takes {fmt_mean_sd(walls(true_direct))} directly, "
          f"{fmt_mean_sd(walls(true_wrapped))} under GNU time (that wrapper cost is included in every wall time "
          f"above; `/bin/true` itself peaks at {max(rss(true_wrapped))} KiB).")
    print()
    fixed = 6.0  # flyte's loop: get → sleep(3) → get → sleep(3), for both tasks (see bench/README.md)
    print(f"Of flyte's `run success` wall, {fixed:.0f} s are its two fixed `asyncio.sleep(3)` "
          f"(after the RUNNING answer and after the SUCCEEDED one); the rest, "
          f"{fmt_s_any(mean(fl_s) - fixed)}, is start-up, the connector calls and exit.")
    print()
    print("agentctl terminal→exit delays (ms): " + ", ".join(f"{d * 1000:.1f}" for d in ac_delay))
    print("flyte    terminal→exit delays (ms): " + ", ".join(f"{d * 1000:.1f}" for d in fl_delay))
    met = ratio >= ratio_goal and ac_peak_kib < rss_goal_kib and d_max < 0.100
    print()
    print("all goals met" if met else "NOT all goals met (see the `met` column)")
    return 0


def fmt_s_any(x: float) -> str:
    return f"{x * 1000:.0f} ms" if abs(x) < 1.0 else f"{x:.3f} s"


if __name__ == "__main__":
    sys.exit(main())
