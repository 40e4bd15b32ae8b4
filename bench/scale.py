#!/usr/bin/env python3
"""Loads the generator's CSV files into kpidb and SQLite, each in a process
of its own, and measures what a user sees at that size: load wall time,
peak resident memory, bytes per fact, open time (in-process and as a
command). bench/scale.sh builds the programs and runs this script;
bench/README.md ("Scale: memory, load and open time") describes it.
Standard library only.

    scale.py --build DIR [--facts 5m|50m | --companies N] [--data DIR]
             [--work DIR] [--keep] [--open-iterations N] [--command-runs N]
             [--out FILE]
    scale.py --table RESULTS.json      (the table of an earlier run)

Without --keep, the databases (and generated data) are removed at the end;
a --work folder given here is kept, emptied of them.
"""
import argparse
import csv
import json
import os
import platform
import random
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time

SIZES = {"5m": 2000, "50m": 20000}


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run_measured(argv, stdout_path, env=None):
    """Runs argv, stdout to stdout_path; returns (wall seconds, peak RSS in
    KiB of that process alone, from wait4's rusage)."""
    with open(stdout_path, "wb") as out:
        t0 = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=out, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        sys.exit(f"scale.py: {' '.join(argv)} failed with status {proc.returncode} "
                 f"(output in {stdout_path})")
    return wall, usage.ru_maxrss


def warm(paths):
    """Reads the files once, so both loaders start with the CSV in the OS
    page cache (as far as memory allows)."""
    for p in paths:
        with open(p, "rb") as f:
            while f.read(16 << 20):
                pass


def dir_bytes(path):
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            total += os.path.getsize(os.path.join(root, name))
    return total


def pct(values, p):
    v = sorted(values)
    return v[min(len(v) - 1, int(p * (len(v) - 1) + 0.5))]


def machine():
    model = "?"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    mem = "?"
    try:
        with open("/proc/meminfo") as f:
            mem = f"{int(f.readline().split()[1]) / (1 << 20):.0f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    return {"cpu": model, "cpus": os.cpu_count(), "memory": mem,
            "system": f"{platform.system()} {platform.release()}",
            "load_average": [round(x, 2) for x in os.getloadavg()]}


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", help="build folder with bench/ and tools/ (required to measure)")
    ap.add_argument("--table", metavar="JSON", help="only print the table of a results file")
    ap.add_argument("--facts", choices=sorted(SIZES), help="5m (2000 companies) or 50m (20000)")
    ap.add_argument("--companies", type=int, help="generator companies (2,500 facts each)")
    ap.add_argument("--data", help="folder with the generator's companies.csv and facts.csv "
                    "(read only); default: generate them in the work folder")
    ap.add_argument("--work", help="work folder (default: a new one under $TMPDIR); must "
                    "not hold a previous run")
    ap.add_argument("--keep", action="store_true", help="keep the work folder")
    ap.add_argument("--open-iterations", type=int, default=200)
    ap.add_argument("--command-runs", type=int, default=21)
    ap.add_argument("--out", help="JSON results (default: BUILD/bench/scale-FACTS.json)")
    a = ap.parse_args()
    if a.table:
        with open(a.table) as f:
            print_table(json.load(f))
        return
    if not a.build:
        ap.error("--build is required")

    tool = lambda name: os.path.join(a.build, name)
    ingest, dump = tool("tools/kpidb-ingest"), tool("tools/kpidb-dump")
    generate = tool("bench/kpidb-bench-generate")
    sqlite_load, open_bench = tool("bench/kpidb-bench-sqlite-load"), tool("bench/kpidb-bench-open")
    for t in (ingest, dump, generate, sqlite_load, open_bench):
        if not os.access(t, os.X_OK):
            sys.exit(f"scale.py: {t} is missing (bench/scale.sh builds it)")
    sqlite_cli = shutil.which("sqlite3")

    made_work = a.work is None
    work = a.work or tempfile.mkdtemp(prefix="kpidb-scale-")
    os.makedirs(work, exist_ok=True)
    kdir, sdir = os.path.join(work, "kpidb"), os.path.join(work, "sqlite")
    if os.path.exists(kdir) or os.path.exists(sdir):
        sys.exit(f"scale.py: {work} holds a previous run (kpidb/ or sqlite/): give a new folder")
    os.makedirs(sdir)
    sfile = os.path.join(sdir, "facts.sqlite")
    results = {"date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
               "machine": machine()}
    try:
        # The data.
        if a.data:
            data = a.data
        else:
            companies = a.companies or SIZES[a.facts or "5m"]
            data = os.path.join(work, "data")
            log(f"generating {companies} companies into {data} ...")
            t0 = time.perf_counter()
            subprocess.run([generate, f"--companies={companies}", data], check=True,
                           stdout=subprocess.DEVNULL)
            log(f"  {time.perf_counter() - t0:.1f} s")
        companies_csv = os.path.join(data, "companies.csv")
        facts_csv = os.path.join(data, "facts.csv")
        for p in (companies_csv, facts_csv):
            if not os.path.isfile(p):
                sys.exit(f"scale.py: {p} is missing")
        results["data"] = {"dir": os.path.abspath(data),
                           "facts_csv_bytes": os.path.getsize(facts_csv)}

        # SQLite's temporary files (the index sort) go to the work folder.
        env = dict(os.environ, TMPDIR=work, SQLITE_TMPDIR=work)

        log("kpidb-ingest ...")
        warm([companies_csv, facts_csv])
        wall, rss = run_measured([ingest, kdir, companies_csv, facts_csv],
                                 os.path.join(work, "kpidb-ingest.out"), env)
        with open(os.path.join(work, "kpidb-ingest.out"), errors="replace") as f:
            ingest_out = f.read().strip().splitlines()
        results["kpidb"] = {"load_wall_s": wall, "maxrss_kib": rss, "bytes": dir_bytes(kdir),
                            "ingest_summary": ingest_out[-1] if ingest_out else ""}
        log(f"  {wall:.1f} s, {rss / 1024:.0f} MiB peak RSS")

        log("kpidb-bench-sqlite-load ...")
        warm([companies_csv, facts_csv])
        wall, rss = run_measured([sqlite_load, sfile, companies_csv, facts_csv],
                                 os.path.join(work, "sqlite-load.out"), env)
        with open(os.path.join(work, "sqlite-load.out")) as f:
            s = json.loads(f.read())
        s.update({"load_wall_s": wall, "maxrss_kib": rss})
        results["sqlite"] = s
        facts = s["facts"]
        results["facts"] = facts
        log(f"  {wall:.1f} s, {rss / 1024:.0f} MiB peak RSS")

        log(f"open + series query + close, {a.open_iterations} times each ...")
        out = subprocess.run([open_bench, f"--kpidb={kdir}", f"--sqlite={sfile}",
                              f"--companies={companies_csv}",
                              f"--iterations={a.open_iterations}"],
                             check=True, capture_output=True, text=True)
        results["open"] = json.loads(out.stdout)

        # The real commands: one series (all its periods) per run, a drawn
        # company and metric; stdout to a file, checked for the row count.
        log(f"commands, {a.command_runs} runs each ...")
        with open(companies_csv, newline="") as f:
            ids = [rec[0] for rec in list(csv.reader(f))[1:] if rec]
        con = sqlite3.connect(f"file:{sfile}?mode=ro", uri=True)
        metrics = [r[0] for r in con.execute(
            "SELECT DISTINCT metric FROM facts WHERE company = ? ORDER BY 1", (ids[0],))]
        con.close()
        rng = random.Random(42)
        cmd_out = os.path.join(work, "command.out")
        times = {"true": [], "kpidb-dump --version": [], "sqlite3 -version": [],
                 "kpidb-dump": [], "sqlite3": []}
        row_counts = set()
        for i in range(a.command_runs):
            c, m = rng.choice(ids), rng.choice(metrics)
            q = c.replace("'", "''"), m.replace("'", "''")
            # Start-up alone: a process, and each program doing nothing.
            cmds = [("true", ["/bin/true"]),
                    ("kpidb-dump --version", [dump, "--version"]),
                    ("kpidb-dump", [dump, kdir, "--company", c, "--metric", m])]
            if sqlite_cli:
                cmds.append(("sqlite3 -version", [sqlite_cli, "-version"]))
                cmds.append(("sqlite3", [
                    sqlite_cli, "-readonly", "-csv", sfile,
                    f"SELECT period, value, unit FROM facts WHERE company = '{q[0]}' AND "
                    f"metric = '{q[1]}' AND scenario = 'actual' "
                    "ORDER BY period_end, period_start DESC"]))
            cmds = cmds[i % len(cmds):] + cmds[:i % len(cmds)]  # rotate the order
            printed = {}
            for name, argv in cmds:
                wall, _ = run_measured(argv, cmd_out)
                times[name].append(wall * 1e3)
                if name in ("kpidb-dump", "sqlite3"):
                    with open(cmd_out, newline="") as f:
                        printed[name] = list(csv.reader(f))
            # Both print the series' (period, value, unit) rows in the same
            # order (kpidb-dump: a header, then company, metric, period,
            # value, unit...).
            k_rows = [tuple(r[2:5]) for r in printed["kpidb-dump"][1:]]
            if "sqlite3" in printed and [tuple(r) for r in printed["sqlite3"]] != k_rows:
                sys.exit(f"scale.py: kpidb-dump and sqlite3 print different rows for {c} {m}")
            if not k_rows:
                sys.exit(f"scale.py: kpidb-dump printed no rows for {c} {m}")
            row_counts.add(len(k_rows))
        results["commands"] = {
            name: {"p50_ms": statistics.median(v), "p90_ms": pct(v, 0.9),
                   "min_ms": min(v), "max_ms": max(v), "runs": len(v)}
            for name, v in times.items() if v}
        results["commands"]["rows"] = sorted(row_counts)
    finally:
        if not a.keep:
            if made_work:
                shutil.rmtree(work, ignore_errors=True)
            else:
                for p in (kdir, sdir, os.path.join(work, "data") if not a.data else None):
                    if p:
                        shutil.rmtree(p, ignore_errors=True)

    out_path = a.out or os.path.join(a.build, "bench", f"scale-{results['facts']}.json")
    with open(out_path, "w") as f:
        json.dump(results, f, indent=1)
    print_table(results)
    log(f"results: {out_path}")


def print_table(r):
    k, s, o, c = r["kpidb"], r["sqlite"], r["open"], r["commands"]
    facts = r["facts"]
    m = r["machine"]
    print(f"scale: {facts:,} facts ({r['data']['facts_csv_bytes'] / 1e9:.2f} GB facts.csv), "
          f"{r['date']}; {m['cpus']} CPUs ({m['cpu']}), {m['memory']}, "
          f"load average at start {', '.join(str(x) for x in m['load_average'])}; "
          f"SQLite {s.get('sqlite_version', '?')}")
    print()
    print("| measure | kpidb | SQLite | SQLite ÷ kpidb |")
    print("|---|---:|---:|---:|")

    def row(name, kv, sv, fmt):
        rt = f"{sv / kv:.2f}×" if kv and sv else ""
        print(f"| {name} | {fmt(kv)} | {fmt(sv) if sv is not None else '–'} | {rt} |")

    sec = lambda v: f"{v:,.1f}"
    ms = lambda v: f"{v:,.2f}"
    row("load: wall time of the process (s)", k["load_wall_s"], s["load_wall_s"], sec)
    print(f"| SQLite's phases (s): to COMMIT / index / ANALYZE | | {s['load_s']:.1f} / "
          f"{s['index_s']:.1f} / {s['analyze_s']:.1f} | |")
    print(f"| facts per second: kpidb's process; SQLite to COMMIT (without its index) | "
          f"{facts / k['load_wall_s']:,.0f} | {facts / s['load_s']:,.0f} | |")
    row("peak resident memory of the process (MiB)", k["maxrss_kib"] / 1024,
        s["maxrss_kib"] / 1024, lambda v: f"{v:,.0f}")
    row("bytes per fact (SQLite without its index)", k["bytes"] / facts, s["bytes"] / facts,
        lambda v: f"{v:.2f}")
    row("bytes per fact (SQLite with its index)", k["bytes"] / facts,
        s["bytes_with_index"] / facts, lambda v: f"{v:.2f}")
    for stat, label in (("p50_us", "p50"), ("p90_us", "p90"), ("first_us", "first")):
        row(f"open read-only + series query + close, in-process, {label} (ms)",
            o["kpidb"][stat] / 1e3, o["sqlite"][stat] / 1e3, ms)
    sq = c.get("sqlite3")
    for stat, label in (("p50_ms", "p50"), ("min_ms", "min"), ("max_ms", "max")):
        row(f"command: `kpidb-dump DB --company C --metric M` / `sqlite3 -readonly`, "
            f"wall {label} (ms)", c["kpidb-dump"][stat], sq[stat] if sq else None, ms)
    sv = c.get("sqlite3 -version")
    row("start-up alone: `kpidb-dump --version` / `sqlite3 -version`, wall p50 (ms)",
        c["kpidb-dump --version"]["p50_ms"], sv["p50_ms"] if sv else None, ms)
    print(f"| a process alone: `/bin/true`, wall p50 (ms) | {c['true']['p50_ms']:.2f} | | |")
    print()
    print("SQLite ÷ kpidb: above 1, kpidb is faster or smaller. Wall times of commands "
          "are measured from this script (fork, exec, wait4), hence the /bin/true line.")
    print()
    met = c["kpidb-dump"]["p50_ms"] < 20
    print(f"Open-time target (kpidb-dump under 20 ms on 50M facts): p50 "
          f"{c['kpidb-dump']['p50_ms']:.1f} ms at {facts:,} facts, "
          f"{'under' if met else 'over'} 20 ms. In-process opens: {o['iterations']} draws, "
          f"kpidb and SQLite returned the same {o['rows_per_query']:.0f} rows each; commands: "
          f"{c['kpidb-dump']['runs']} runs each, the same "
          f"{', '.join(str(x) for x in c['rows'])} rows printed by both.")


if __name__ == "__main__":
    main()
