#!/usr/bin/python3
"""One block of figures per energy_fit run, for scripts/model-accuracy.sh.

Usage: model_accuracy_summary.py LABEL MODEL.json PLOTS_DIR [TRUTH_DIR]
Reads the model file's "cv" block (nested CV, leave-one-level-out, coverage) and PLOTS_DIR/networks.csv (each Net/
case against the sum of its predicted layers, the network's layers never in training; in brackets, how much the
Net/ case exceeds the sum of its layers as measured one by one) and prints Markdown rows. TRUTH_DIR (simulated
devices): <network>.json runs of the same networks without measurement noise; each network row then also gives the
error against that noise-free Net/ case, the model's own error without the Net/ case's noise.
Standard library only.
"""
import csv
import json
import math
import os
import sys


def pct(v):
    return "—" if v is None or not math.isfinite(v) else f"{v:.1f}%"


def worst_level_out(block):
    lolo = (block or {}).get("leave_one_level_out") or {}
    worst = None
    for name, m in lolo.items():
        if m and m.get("n", 0) and (worst is None or m["mape"] > worst[1]):
            worst = (name, m["mape"])
    return f"{worst[1]:.1f}% ({worst[0]})" if worst else "—"


def noise_free_net(truth_dir, name):
    """(energy J, time s) of the Net/ case in TRUTH_DIR/<network>.json, or None."""
    path = os.path.join(truth_dir, name[len("Net/"):].split("/")[0] + ".json") if truth_dir else ""
    if not path or not os.path.exists(path):
        return None
    with open(path) as f:
        for b in json.load(f).get("benchmarks", []):
            if b.get("run_type") == "iteration" and b.get("name", "").startswith(name) and "energy_J" in b:
                return b["energy_J"], b["real_time"] * {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1}[b.get("time_unit", "ns")]
    return None


def against(vs, predicted, noise_free):
    """The bracket `vs` with the error against the noise-free Net/ case added."""
    text = f"{100 * (predicted - noise_free) / noise_free:+.1f}% against the noise-free Net/"
    return f"{vs[:-1]}; {text})" if vs else f" ({text})"


def main():
    if len(sys.argv) not in (4, 5):
        sys.exit(__doc__)
    label, model_path, plots = sys.argv[1:4]
    truth_dir = sys.argv[4] if len(sys.argv) == 5 else ""
    with open(model_path) as f:
        cv = json.load(f).get("cv") or {}
    for part in ("conv", "fc"):
        block = cv.get(part)
        if not block:
            continue
        nested = block.get("nested_metrics") or {}
        time = block.get("time") or {}
        tn = time.get("nested_metrics") or {}
        cover = nested.get("coverage")
        print(f"| {label} | {part} | {block.get('cases', 0)} | {block.get('chosen', '— (time only)')} | "
              f"{pct(nested.get('mape'))} | {pct(nested.get('wmape'))} | {pct(tn.get('mape'))} | "
              f"{worst_level_out(block) if nested else worst_level_out(time)} | "
              f"{'—' if cover is None else f'{100 * cover:.1f}%'} |")
    path = os.path.join(plots, "networks.csv")
    if os.path.exists(path):
        with open(path, newline="") as f:
            for r in csv.DictReader(f):
                e_m, e_p = float(r["measured_J"]), float(r["predicted_J"])
                t_m, t_p = float(r["measured_s"]), float(r["predicted_s"])
                e = 100 * (e_p - e_m) / e_m if math.isfinite(e_m) and e_m > 0 else math.nan
                t = 100 * (t_p - t_m) / t_m if math.isfinite(t_m) and t_m > 0 else math.nan
                inside = (math.isfinite(e_m) and float(r["predicted_lo_J"]) <= e_m <= float(r["predicted_hi_J"]))
                # How much the Net/ case itself exceeds its layers measured alone (older energy_fit: no such column).
                e_l = float(r.get("layers_measured_J") or "nan")
                t_l = float(r.get("layers_measured_s") or "nan")
                e_vs = f" (Net/ {100 * (e_m - e_l) / e_l:+.1f}% over its layers alone)" if math.isfinite(e_l) and e_l > 0 else ""
                t_vs = f" (Net/ {100 * (t_m - t_l) / t_l:+.1f}% over its layers alone)" if math.isfinite(t_l) and t_l > 0 else ""
                # The Net/ case's own standard error (older energy_fit: no such column).
                se = float(r.get("measured_rel_se") or "nan")
                if math.isfinite(se):
                    e_vs = f"{e_vs[:-1]}, measured ±{100 * se:.1f}%)" if e_vs else f" (measured ±{100 * se:.1f}%)"
                truth = noise_free_net(truth_dir, r["name"])
                if truth and math.isfinite(e):
                    e_vs = against(e_vs, e_p, truth[0])
                if truth and math.isfinite(t):
                    t_vs = against(t_vs, t_p, truth[1])
                print(f"| {label} | {r['name']} ({r['layers']} layers, held out) | | network | "
                      f"{'—' if not math.isfinite(e) else f'{e:+.1f}%'}{e_vs} | | "
                      f"{'—' if not math.isfinite(t) else f'{t:+.1f}%'}{t_vs} | | "
                      f"{'inside' if inside else ('—' if not math.isfinite(e) else 'outside')} |")


if __name__ == "__main__":
    main()
