#!/usr/bin/python3
"""The model on real networks' layers (scripts/model-accuracy.sh, section "model zoo").

  zoo_accuracy.py transfer LABEL MODEL.json RESULT.json ENERGY_PREDICT
      RESULT's layers (a layer_bench/energy_simulate run of the zoo) predicted by MODEL as unmeasured layers
      (--model-only): a model fitted on the model grid meeting shapes it never saw. Markdown rows per layer type.
  zoo_accuracy.py layers RESULT.json OUT.csv
      RESULT's conv and FC cases as a layer file, each named by its case (validate-gpu.sh predicts a run's network
      layers from it; transfer writes the same).
  zoo_accuracy.py foreign IN.json OUT.json
      IN as another harness would hand it over: no hardware facts in the context (SM count, clocks, cache, idle
      power, backend), no kernel counters (kernels, blocks, threads per block, clock), no labels; "external" power.
  zoo_accuracy.py forest LABEL RESULT.json
      Generic learners on the same conv rows and geometry features (log C, H, K, C/groups, output size, MACs, bytes,
      MACs/byte; R, stride), 5-fold CV on log energy (log time for a time-only run): random forest, extra trees,
      gradient boosting; rows in model-accuracy.sh's table form. Needs scikit-learn (apt: python3-sklearn); without it, says so.
Standard library only, except forest.
"""
import collections
import csv
import json
import math
import os
import subprocess
import sys
import tempfile

COUNTERS = ("kernels", "blocks", "threads_per_block", "registers_per_thread", "shared_memory_bytes", "gpu_clock_MHz",
            "threads", "tile_rows", "tile_cols")
CONTEXT = ("backend", "idle_W", "num_cpus", "mhz_per_cpu", "simulator_preset", "power_update_s")


def means(result):
    """Per case: mean energy (J), mean time (s) over its repetitions, and the case's fields."""
    reps = collections.defaultdict(list)
    fields = {}
    for b in result["benchmarks"]:
        # (A repetition timed on a busy host is left out, as energy_fit leaves it out.)
        if b.get("run_type") == "aggregate" or b["name"].startswith("Net/") or b.get("error_occurred") or \
                b.get("contended"):
            continue
        scale = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0}[b.get("time_unit", "ns")]
        reps[b["run_name"]].append((b.get("energy_J", math.nan), b["real_time"] * scale))
        fields[b["run_name"]] = b
    return {n: (sum(e for e, _ in v) / len(v), sum(t for _, t in v) / len(v), fields[n]) for n, v in reps.items()}


LAYER_FIELDS = ("N", "C", "H", "W", "K", "R", "S", "stride", "pad", "groups", "in", "out")


def is_layer_case(name):
    return name.startswith("Conv/") or name.startswith("FC/")


def write_layer_csv(cases, path):
    """A layer file (the --grid=FILE / energy_predict --layers format) of `cases`, {case name: its result entry},
    conv and FC cases only, each named by its case; shapes from the entries' counters."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(("name", "type") + LAYER_FIELDS)
        for name, entry in cases.items():
            if is_layer_case(name):
                w.writerow([name, name.split("/")[0].lower()] + [str(int(entry[k])) if k in entry else "" for k in LAYER_FIELDS])


def pct(v):
    return "—" if not math.isfinite(v) else f"{v:.1f}%"


def figures(pairs):
    ape = sorted(abs(p / m - 1) for m, p in pairs)
    n = len(ape)
    if n == 0:  # a time-only model: no energy to compare
        return {"n": 0, "mape": math.nan, "median": math.nan, "wmape": math.nan}
    return {"n": n, "mape": 100 * sum(ape) / n, "median": 100 * ape[n // 2],
            "wmape": 100 * sum(abs(p - m) for m, p in pairs) / sum(m for m, _ in pairs)}


def transfer(label, model, result_path, energy_predict):
    with open(result_path) as f:
        measured = {n: m for n, m in means(json.load(f)).items() if is_layer_case(n)}
    with open(model) as f:
        trained = set(json.load(f).get("measured") or {})
    # A zoo layer the model's runs measured (training data, or a network run's layer) is not unseen: left out.
    overlap = [n for n in measured if n in trained]
    for n in overlap:
        del measured[n]
    if not measured:
        print(f"| {label} | every layer of the run was measured in the model's own runs: none left to predict | | | | | |")
        return
    with tempfile.TemporaryDirectory() as tmp:
        layers_csv, out = os.path.join(tmp, "layers.csv"), os.path.join(tmp, "predicted.json")
        write_layer_csv({name: m[2] for name, m in measured.items()}, layers_csv)
        subprocess.run([energy_predict, "--model", model, "--layers", layers_csv, "--model-only", "--out", out],
                       check=True, stdout=subprocess.DEVNULL)
        with open(out) as f:
            predicted = json.load(f)["layers"]
    for part in ("conv", "fc"):
        rows = [(measured[p["name"]], p) for p in predicted if p["type"] == part]
        if not rows:
            continue
        energy = [(m[0], p["energy_J"]) for m, p in rows if m[0] > 0 and p.get("energy_J")]
        time = [(m[1], p["time_s"]) for m, p in rows if m[1] > 0 and p.get("time_s")]
        inside = sum(1 for m, p in rows if p.get("energy_lo_J") is not None and p["energy_lo_J"] <= m[0] <= p["energy_hi_J"])
        covered = sum(1 for _, p in rows if p.get("covered"))
        e, t = figures(energy), figures(time)
        prefix = "Conv/" if part == "conv" else "FC/"
        left_out = sum(1 for n in overlap if n.startswith(prefix))
        note = f"; {left_out} measured in the model's own runs, left out" if left_out else ""
        print(f"| {label} | zoo {part} ({len(rows)} layers, never measured; {covered} inside the fitted region{note}) | "
              f"{pct(e['mape'])} | {pct(e['median'])} | {pct(e['wmape'])} | {pct(t['mape'])} | "
              f"{pct(100 * inside / len(rows) if energy else math.nan)} |")


def foreign(src, dst):
    with open(src) as f:
        doc = json.load(f)
    ctx = doc["context"]
    for k in list(ctx):
        if k.startswith("gpu_") or k.startswith("cpu_") or k in CONTEXT:
            del ctx[k]
    # A time-only run stays one (energy_fit fits time only where the run says it measured no energy).
    ctx["power_source"] = "none" if ctx.get("power_source") == "none" else "external"
    # Repetitions timed under contention are left out, as energy_fit leaves them out of the run itself.
    doc["benchmarks"] = [b for b in doc["benchmarks"] if not b.get("contended")]
    for b in doc["benchmarks"]:
        for k in list(b):
            if k in COUNTERS or k in ("label", "energy_dynamic_J", "power_W", "samples", "t0_s", "t1_s", "throttled",
                                      "energy_err_J", "host_wait_cores", "contended", "cpu_threads", "tiles") or \
                    k.startswith("energy_J:"):
                del b[k]
    with open(dst, "w") as f:
        json.dump(doc, f)


def forest(label, result_path):
    try:
        import numpy as np
        from sklearn.ensemble import ExtraTreesRegressor, GradientBoostingRegressor, RandomForestRegressor
        from sklearn.model_selection import KFold
    except ImportError:
        print(f"| {label} | generic learners: scikit-learn not installed (apt install python3-sklearn) | | | | | | | |")
        return
    with open(result_path) as f:
        measured = means(json.load(f))
    # A time-only run (--power=none) has no energy: the learners then predict time, as the model's time part does.
    timed = not any(e > 0 for e, _, _ in measured.values())
    what = "time" if timed else "energy"
    x, y = [], []
    for name, (e, t, b) in measured.items():
        if timed:
            e = t
        if not name.startswith("Conv/") or not e > 0:
            continue
        c, h, w, k, r, s, stride, pad, g = (b[key] for key in ("C", "H", "W", "K", "R", "S", "stride", "pad", "groups"))
        p, q = (h + 2 * pad - r) // stride + 1, (w + 2 * pad - s) // stride + 1
        x.append([math.log(c), math.log(h), math.log(k), math.log(c / g), math.log(g), math.log(p * q), r, stride,
                  math.log(b["macs"]), math.log(b["bytes"]), math.log(b["macs"] / b["bytes"])])
        y.append(e)
    x, y = np.array(x), np.array(y)
    learners = {
        "random forest (500 trees)": lambda: RandomForestRegressor(500, max_features=0.6, random_state=0, n_jobs=2),
        "extra trees (500)": lambda: ExtraTreesRegressor(500, max_features=0.8, random_state=0, n_jobs=2),
        "gradient boosting (600 × depth 4)": lambda: GradientBoostingRegressor(
            n_estimators=600, max_depth=4, learning_rate=0.05, subsample=0.8, random_state=0),
    }
    for name, make in learners.items():
        pred = np.zeros(len(y))
        for train, test in KFold(5, shuffle=True, random_state=1).split(x):
            pred[test] = np.exp(make().fit(x[train], np.log(y[train])).predict(x[test]))
        f = figures(list(zip(y, pred)))
        print(f"| {label} | conv {what}: {name}, 5-fold CV | {f['n']} | generic | {f['mape']:.1f}% | {f['wmape']:.1f}% | "
              f"— | — | — |")


def layers(result_path, out_path):
    with open(result_path, encoding="utf-8") as f:
        write_layer_csv({name: m[2] for name, m in means(json.load(f)).items()}, out_path)


def main():
    if len(sys.argv) >= 2 and sys.argv[1] == "transfer" and len(sys.argv) == 6:
        transfer(*sys.argv[2:])
    elif len(sys.argv) >= 2 and sys.argv[1] == "layers" and len(sys.argv) == 4:
        layers(*sys.argv[2:])
    elif len(sys.argv) >= 2 and sys.argv[1] == "foreign" and len(sys.argv) == 4:
        foreign(*sys.argv[2:])
    elif len(sys.argv) >= 2 and sys.argv[1] == "forest" and len(sys.argv) == 4:
        forest(*sys.argv[2:])
    else:
        print(__doc__, file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
