#!/usr/bin/env python3
"""The findings of scripts/validate-gpu.sh as Markdown, judged against the targets of the validation.

  validate_gpu_summary.py OUT --steps STEPS.tsv [--model-rows ROWS.md] [--layer-predictions PRED.json]
                          [--fit-report REPORT.md]

OUT holds the run's files: calibrate.json and repeat.json (energy, with t0_s/t1_s per window), reader.csv (the
independent reader, scripts/energy-reader.py), networks.json (the networks' layers and Net/ cases), pytorch.md
(scripts/compare-pytorch.py). STEPS.tsv: one `step<TAB>status<TAB>seconds<TAB>note` line per step. ROWS.md: the
model's rows from model_accuracy_summary.py; PRED.json: energy_predict --model-only --out on the networks' measured
layers (named by case); REPORT.md: energy_fit's report, appended. Missing inputs are reported as missing, never
guessed. Standard library only; prints to stdout.
"""

import argparse
import csv
import importlib.util
import json
import math
import os
import statistics
import sys

READER_TARGET = 1.0      # % per window of at least MIN_WINDOW_S
MIN_WINDOW_S = 2.0
SPREAD_TARGET = 1.0      # % spread of a case's energy over repetitions
LAYER_TARGET = 5.0       # % held-out layer MAPE
NETWORK_TARGET = 2.5     # % network total


def load_json(path):
    try:
        with open(path, encoding="utf-8") as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def iterations_of(doc):
    """The measured repetitions (run_type iteration) with their counters."""
    out = []
    for e in (doc or {}).get("benchmarks", []):
        if e.get("run_type", "iteration") != "iteration" or e.get("error_occurred") or e.get("skipped"):
            continue
        out.append(e)
    return out


def read_reader(path):
    rows, notes = [], []
    try:
        with open(path, encoding="utf-8") as f:
            lines = list(f)
    except OSError:
        return None, []
    notes = [line[1:].strip() for line in lines if line.startswith("#")]
    for r in csv.DictReader(line for line in lines if not line.startswith("#")):
        try:
            rows.append((float(r["t_s"]), float(r["energy_J"])))
        except (KeyError, TypeError, ValueError):
            continue
    rows.sort()
    return rows, notes


def load_reader():
    """scripts/energy-reader.py as a module (its name has a hyphen): its energy_at interpolates reader.csv's rows."""
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "energy-reader.py")
    spec = importlib.util.spec_from_file_location("energy_reader", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


energy_at = load_reader().energy_at


def windows(entries, rows):
    """(case, window s, layer_bench J, reader J) for every window the reader covers."""
    out = []
    for e in entries:
        t0, t1, per_it, n = e.get("t0_s"), e.get("t1_s"), e.get("energy_J"), e.get("iterations")
        if None in (t0, t1, per_it, n) or not rows or t0 < rows[0][0] or t1 > rows[-1][0] or t1 <= t0:
            continue
        out.append((e.get("run_name", e["name"]), t1 - t0, per_it * n, energy_at(rows, t1) - energy_at(rows, t0)))
    return out


def pct(v, signed=False):
    if v is None or not math.isfinite(v):
        return "—"
    return f"{v:+.2f}%" if signed else f"{v:.2f}%"


def verdict(ok):
    return "**met**" if ok else "**not met**"


def section_reader(out_dir):
    print("## Energy against an independent reader\n")
    rows, notes = read_reader(os.path.join(out_dir, "reader.csv"))
    if not rows or len(rows) < 2:
        print("No reader samples (reader.csv missing or empty): not checked.\n")
        return
    for n in notes:
        print(f"- reader {n}")
    entries = iterations_of(load_json(os.path.join(out_dir, "calibrate.json")))
    repeat = iterations_of(load_json(os.path.join(out_dir, "repeat.json")))
    found = windows(entries + repeat, rows)
    if not found:
        print("\nNo window of calibrate.json / repeat.json lies inside the reader's samples: not checked.\n")
        return
    diffs = [(100 * (lb - rd) / rd if rd > 0 else math.inf, name, s) for name, s, lb, rd in found]
    long_ones = [d for d in diffs if d[2] >= MIN_WINDOW_S]
    print(f"\n{len(found)} windows compared (layer_bench energy_J × iterations against the reader's integral over "
          f"[t0_s, t1_s]); {len(long_ones)} of at least {MIN_WINDOW_S:g} s.\n")
    print("| windows | count | median abs diff | max abs diff | within 1% |")
    print("|---|---:|---:|---:|---:|")
    for label, group in (("all", diffs), (f"≥ {MIN_WINDOW_S:g} s", long_ones)):
        if not group:
            print(f"| {label} | 0 | — | — | — |")
            continue
        a = [abs(d[0]) for d in group]
        print(f"| {label} | {len(a)} | {pct(statistics.median(a))} | {pct(max(a))} | "
              f"{sum(1 for v in a if v <= READER_TARGET)} |")
    worst = sorted(diffs, key=lambda d: -abs(d[0]))[:3]
    print("\nLargest differences: " + "; ".join(f"`{n}` {pct(d, True)} over {s:.2f} s" for d, n, s in worst) + ".")
    ok = bool(long_ones) and all(abs(d[0]) <= READER_TARGET for d in long_ones)
    print(f"\nTarget (every window ≥ {MIN_WINDOW_S:g} s within {READER_TARGET:g}%): {verdict(ok)}.")

    by_case = {}
    for e in repeat:
        if e.get("energy_J"):
            by_case.setdefault(e.get("run_name", e["name"]), []).append(e["energy_J"])
    spreads = [(100 * (max(v) - min(v)) / statistics.mean(v), n, len(v)) for n, v in by_case.items() if len(v) >= 2]
    if spreads:
        worst_spread = max(spreads)
        print(f"\nRepeatability (repeat.json, {len(spreads)} case(s)): energy_J spread (max − min) / mean over "
              f"repetitions, median {pct(statistics.median(s for s, _, _ in spreads))}, worst "
              f"{pct(worst_spread[0])} (`{worst_spread[1]}`, {worst_spread[2]} repetitions). Target < "
              f"{SPREAD_TARGET:g}%: {verdict(worst_spread[0] < SPREAD_TARGET)}.")
    else:
        print("\nRepeatability: no case with two or more repetitions (repeat.json missing): not checked.")
    print()


def section_pytorch(out_dir):
    print("## Speed against PyTorch\n")
    path = os.path.join(out_dir, "pytorch.md")
    try:
        with open(path, encoding="utf-8") as f:
            lines = [line.strip() for line in f]
    except OSError:
        print("No pytorch.md: not compared.\n")
        return
    cases, median = [], None
    for line in lines:
        cells = [c.strip() for c in line.strip("|").split("|")]
        if not line.startswith("|") or len(cells) < 6:
            continue
        try:
            eager, graph = float(cells[4]), float(cells[5])
        except ValueError:
            continue
        if "median" in cells[0]:
            median = (eager, graph)
        else:
            cases.append((cells[0], eager, graph))
    if not cases:
        print("pytorch.md has no table (see the log for why): not compared.\n")
        return
    slower = [c for c in cases if c[1] < 1.0]
    print(f"{len(cases)} cases; ratios are PyTorch time / layer_bench time (above 1: layer_bench is faster).\n")
    print(f"- At or below eager PyTorch on every case: {verdict(not slower)}"
          + (f" ({len(slower)} slower: " + ", ".join(f"`{n}` {e:.2f}" for n, e, _ in slower[:5]) + ")"
             if slower else "") + ".")
    if median:
        print(f"- Median against the CUDA-graph replay: {median[1]:.2f} (within 10%: "
              f"{verdict(abs(median[1] - 1) <= 0.10 or median[1] > 1)}); against eager {median[0]:.2f}.")
    print()


def section_model(out_dir, rows_path, pred_path):
    print("## The model against measured networks\n")
    if rows_path and os.path.exists(rows_path):
        print("| data | part | cases | chosen | energy MAPE (nested) | energy wMAPE | time MAPE (nested) | "
              "worst leave-one-level-out | 90% coverage |")
        print("|---|---|---|---|---|---|---|---|---|")
        with open(rows_path, encoding="utf-8") as f:
            net_errors = []
            for line in f:
                print(line.rstrip())
                cells = [c.strip() for c in line.strip().strip("|").split("|")]
                if len(cells) > 4 and cells[3] == "network" and cells[4].endswith("%"):
                    net_errors.append((cells[1], float(cells[4].rstrip("%"))))
        if net_errors:
            ok = all(abs(e) <= NETWORK_TARGET for _, e in net_errors)
            print(f"\nNetwork totals within {NETWORK_TARGET:g}%: {verdict(ok)} ("
                  + ", ".join(f"{n.split(' ')[0]} {e:+.1f}%" for n, e in net_errors) + ").")
        else:
            print("\nNo network total was measured with energy: the network target is not checked.")
    else:
        print("No fit (energy_fit failed or did not run; see the log).")
    measured = {}
    for e in iterations_of(load_json(os.path.join(out_dir, "networks.json"))):
        name = e.get("run_name", e["name"])
        if name.startswith("Net/") or not e.get("energy_J"):
            continue
        m = measured.setdefault(name, {"J": [], "s": []})
        m["J"].append(e["energy_J"])
        m["s"].append(e["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[e.get("time_unit", "ns")])
    pred = load_json(pred_path) if pred_path else None
    if pred and measured:
        errors = []
        for layer in pred.get("layers", []):
            m = measured.get(layer.get("name"))
            if not m or layer.get("energy_J") is None:
                continue
            e_m, t_m = statistics.mean(m["J"]), statistics.mean(m["s"])
            errors.append((abs(layer["energy_J"] - e_m) / e_m * 100, abs(layer["time_s"] - t_m) / t_m * 100,
                           layer["name"], layer.get("covered", True)))
        if errors:
            e_mape = statistics.mean(e for e, _, _, _ in errors)
            t_mape = statistics.mean(t for _, t, _, _ in errors)
            worst = max(errors)
            outside = sum(1 for *_, covered in errors if not covered)
            print(f"\nHeld-out layers (the networks' {len(errors)} distinct measured layers, never in training, "
                  f"predicted by the model alone): energy MAPE {pct(e_mape)}, time MAPE {pct(t_mape)}, worst "
                  f"{pct(worst[0])} (`{worst[2]}`); {outside} outside the fitted region. Target ≤ "
                  f"{LAYER_TARGET:g}%: {verdict(e_mape <= LAYER_TARGET)}.")
    elif measured:
        print("\nHeld-out layers: no predictions (energy_predict failed or did not run).")
    print()


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("out")
    parser.add_argument("--steps", required=True)
    parser.add_argument("--model-rows")
    parser.add_argument("--layer-predictions")
    parser.add_argument("--fit-report")
    args = parser.parse_args()
    if not os.path.isdir(args.out):
        print(f"validate_gpu_summary: {args.out}: not a directory", file=sys.stderr)
        return 2
    context = {}
    for name in ("calibrate.json", "grid-model.json", "networks.json"):
        context = (load_json(os.path.join(args.out, name)) or {}).get("context") or {}
        if context:
            break
    print("# GPU validation\n")
    facts = [context.get(k) for k in ("board", "backend", "power_source", "cuda_runtime_version", "cudnn_version",
                                      "cublas_version", "date", "layer_energy_git_sha")]
    labels = ("board", "backend", "power", "CUDA", "cuDNN", "cuBLAS", "date", "git")
    print(", ".join(f"{l} {v}" for l, v in zip(labels, facts) if v) + "\n")
    print("## Steps\n")
    print("| step | status | seconds | note |")
    print("|---|---|---:|---|")
    try:
        with open(args.steps, encoding="utf-8") as f:
            for line in f:
                cells = (line.rstrip("\n").split("\t") + ["", "", "", ""])[:4]
                print("| " + " | ".join(cells) + " |")
    except OSError:
        print("| (no steps file) | | | |")
    print()
    section_reader(args.out)
    section_pytorch(args.out)
    section_model(args.out, args.model_rows, args.layer_predictions)
    if args.fit_report and os.path.exists(args.fit_report):
        print("## energy_fit report\n")
        with open(args.fit_report, encoding="utf-8") as f:
            text = f.read()
        # Its headings two levels down, under this one.
        print("\n".join("##" + line if line.startswith("#") else line for line in text.strip().splitlines()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
