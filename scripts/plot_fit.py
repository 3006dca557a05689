#!/usr/bin/python3
"""Plots of an energy_fit run, drawn with matplotlib (Agg) from the data energy_fit --plots DIR writes into DIR.

Usage: /usr/bin/python3 scripts/plot_fit.py DIR
Reads DIR/fit_points.csv, DIR/alpha_k.csv, DIR/networks.csv and DIR/model.json; writes
  DIR/energy_vs_macs.png         energy vs MACs (log-log): conv coloured by K, depthwise/grouped marked, FC; the
                                 chosen model's fit per K (lines) and the paper's α(K)·MACs (dashed)
  DIR/alpha_vs_k.png             free energy-per-MAC slope per K (marker area ∝ √cases, capped) with every α(K) law
  DIR/predicted_vs_measured.png  held-out (nested CV) prediction vs measurement, and the residuals on a symlog axis
                                 with the band of the measurement's own repetition noise
  DIR/networks.png               each network's measured total vs the sum of its predicted layers, with the interval
                                 (only when the run holds Net/ cases)
"""
import csv
import json
import math
import os
import statistics
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402

CLASS_MARKERS = {"conv": "o", "depthwise_grouped": "^", "fc_gemv": "x", "fc_gemm": "+"}


def law_alpha(law, k):
    name, a, b, w = law["law"], law["a"], law["b"], law["w"]
    if name == "power":
        return a * k ** (-b)
    if name == "inverse":
        return a + b / k
    if name == "tile":
        return a * w * math.ceil(k / w - 1e-9) / k
    return a


def paper_law(model, part):
    section = (model.get("models") or {}).get(part)
    if not section:
        return None
    return (section.get("forms") or {}).get("paper")


def read_rows(path):
    if not os.path.exists(path):
        return []
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def number(row, key):
    try:
        v = float(row.get(key, "nan"))
    except ValueError:
        return math.nan
    return v


def finite(*values):
    return all(math.isfinite(v) for v in values)


def k_norm(ks):
    lo, hi = min(ks), max(ks)
    return LogNorm(vmin=lo, vmax=hi if hi > lo else lo * 2)


def log_log(ax, xlabel, ylabel, title, legend_loc="best"):
    """Log-log axes with their labels, title and legend."""
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title)
    ax.legend(loc=legend_loc, fontsize=7)


def save(fig, dir_, name):
    fig.tight_layout()
    fig.savefig(os.path.join(dir_, name), dpi=120)
    plt.close(fig)


def energy_vs_macs(dir_, points, model):
    fig, ax = plt.subplots(figsize=(7.5, 5.5))
    conv = [p for p in points if p["type"] == "conv" and finite(number(p, "measured_J"))]
    fc = [p for p in points if p["type"] == "fc" and finite(number(p, "measured_J"))]
    chosen = {p["type"]: p["chosen"] for p in points}
    if conv:
        ks = [number(p, "k") for p in conv]
        norm, cmap = k_norm(ks), plt.get_cmap("viridis")
        for cls, label in (("conv", "conv"), ("depthwise_grouped", "depthwise / grouped conv")):
            rows = [p for p in conv if p["class"] == cls]
            if not rows:
                continue
            sc = ax.scatter([number(p, "macs") for p in rows], [number(p, "measured_J") for p in rows],
                            c=[number(p, "k") for p in rows], cmap=cmap, norm=norm, s=22 if cls != "conv" else 12,
                            marker=CLASS_MARKERS[cls], edgecolors="black" if cls != "conv" else "none",
                            linewidths=0.6, label=f"{label} (measured)")
        fig.colorbar(sc, ax=ax, label="K (filters)")
        # The chosen model's fit along each K (the model is not a function of MACs alone: one line per K's cases).
        for k in sorted(set(ks)):
            rows = sorted((p for p in conv if number(p, "k") == k and p["class"] == "conv"
                           and finite(number(p, "chosen_J"))), key=lambda p: number(p, "macs"))
            if len(rows) >= 2:
                ax.plot([number(p, "macs") for p in rows], [number(p, "chosen_J") for p in rows], color=cmap(norm(k)),
                        lw=0.8, alpha=0.8)
        ax.plot([], [], color="gray", lw=0.8, label=f"conv fit per K: {chosen.get('conv', '?')} (chosen)")
        law = paper_law(model, "conv")
        if law:
            for k in sorted(set(ks)):
                macs = [number(p, "macs") for p in conv if number(p, "k") == k]
                lo, hi = min(macs), max(macs)
                if hi <= lo:
                    lo, hi = lo / 1.5, hi * 1.5
                ax.plot([lo, hi], [law_alpha(law, k) * lo, law_alpha(law, k) * hi], color=cmap(norm(k)), lw=0.6,
                        ls=":")
            ax.plot([], [], color="gray", lw=0.6, ls=":", label="paper's form α(K)·MACs")
    if fc:
        for cls, label in (("fc_gemv", "FC, N ≤ 8 (GEMV)"), ("fc_gemm", "FC, GEMM")):
            rows = [p for p in fc if p["class"] == cls]
            if rows:
                ax.scatter([number(p, "macs") for p in rows], [number(p, "measured_J") for p in rows],
                           marker=CLASS_MARKERS[cls], color="tab:red", s=22, label=f"{label} (measured)")
        rows = sorted((p for p in fc if finite(number(p, "chosen_J"))), key=lambda p: number(p, "macs"))
        if rows:
            ax.plot([number(p, "macs") for p in rows], [number(p, "chosen_J") for p in rows], color="tab:red", lw=1,
                    label=f"FC fit: {chosen.get('fc', '?')} (chosen)")
    log_log(ax, "MACs", "energy per call (J)", "Energy vs MACs with the chosen model", legend_loc="upper left")
    save(fig, dir_, "energy_vs_macs.png")


def alpha_vs_k(dir_, alpha_rows, model):
    conv = [r for r in alpha_rows if r["type"] == "conv" and finite(number(r, "alpha")) and number(r, "alpha") > 0]
    section = (model.get("models") or {}).get("conv") or {}
    if not conv:
        return
    chosen = ((section.get("forms") or {}).get("paper") or {}).get("law")
    fig, ax = plt.subplots(figsize=(7, 5))
    ks = [number(r, "k") for r in conv]
    # Marker area grows with √cases and is capped, so one heavily sampled K does not hide the others.
    sizes = [min(10 + 10 * math.sqrt(number(r, "cases")), 90) for r in conv]
    ax.scatter(ks, [number(r, "alpha") for r in conv], s=sizes, color="black", alpha=0.7,
               label="free slope per K (area ∝ √cases)")
    grid = [min(ks) * (max(ks) / min(ks)) ** (i / 299) for i in range(300)] if max(ks) > min(ks) else ks
    for law in section.get("laws", []):
        bold = law["law"] == chosen
        ax.plot(grid, [law_alpha(law, k) for k in grid], lw=2.5 if bold else 1, ls="-" if bold else "--",
                label=f'{law["law"]}: {law["formula"]}' + (" (paper form's law)" if bold else ""))
    log_log(ax, "K (filters)", "α (J per MAC)", "Energy per MAC vs K")
    save(fig, dir_, "alpha_vs_k.png")


def predicted_vs_measured(dir_, points):
    # A time-only run (no energy) shows the time model's held-out figures instead.
    quantity = "energy"
    measured_key, heldout_key, unit = "measured_J", "heldout_J", "J"
    if not any(finite(number(p, "measured_J"), number(p, "heldout_J")) for p in points):
        quantity, measured_key, heldout_key, unit = "time", "measured_s", "heldout_s", "s"
    fig, (ax, res) = plt.subplots(1, 2, figsize=(12, 5))
    lo, hi = math.inf, 0.0
    noise = [number(p, "noise") for p in points if finite(number(p, "noise")) and number(p, "noise") > 0]
    band = 200 * statistics.median(noise) if noise else 0.0  # ±2 sd of the repetitions, in %
    for cls, marker in CLASS_MARKERS.items():
        rows = [p for p in points if p["class"] == cls and finite(number(p, measured_key), number(p, heldout_key))]
        if not rows:
            continue
        m = [number(p, measured_key) for p in rows]
        pr = [number(p, heldout_key) for p in rows]
        lo, hi = min(lo, min(m), min(pr)), max(hi, max(m), max(pr))
        label = f"{cls} ({rows[0]['chosen']})"
        ax.scatter(m, pr, s=12, marker=marker, label=label)
        res.scatter(m, [100 * (b - a) / a for a, b in zip(m, pr)], s=12, marker=marker, label=label)
    if hi > 0:
        ax.plot([lo, hi], [lo, hi], color="gray", lw=1)
    log_log(ax, f"measured {quantity} ({unit})", f"predicted {quantity}, held out ({unit})",
            "Nested-CV prediction vs measured")
    res.axhline(0, color="gray", lw=1)
    if band > 0:
        res.axhspan(-band, band, color="gray", alpha=0.2, label=f"repetition noise ±2σ ({band:.1f}%)")
    res.set_xscale("log")
    res.set_yscale("symlog", linthresh=max(1.0, band))
    res.set_xlabel(f"measured {quantity} ({unit})")
    res.set_ylabel("residual (% of measured, symlog)")
    res.set_title("Held-out residuals")
    res.legend(fontsize=7)
    save(fig, dir_, "predicted_vs_measured.png")


def networks(dir_, rows):
    rows = [r for r in rows if finite(number(r, "measured_J"), number(r, "predicted_J"))]
    if not rows:
        return
    fig, ax = plt.subplots(figsize=(6, 5))
    m = [number(r, "measured_J") for r in rows]
    p = [number(r, "predicted_J") for r in rows]
    lo_err = [max(0.0, v - number(r, "predicted_lo_J")) if finite(number(r, "predicted_lo_J")) else 0 for r, v in zip(rows, p)]
    hi_err = [max(0.0, number(r, "predicted_hi_J") - v) if finite(number(r, "predicted_hi_J")) else 0 for r, v in zip(rows, p)]
    ax.errorbar(m, p, yerr=[lo_err, hi_err], fmt="o", capsize=3, label="sum of predicted layers (interval)")
    # The model's own target: the network's layers as the run measured them one by one (older files: no column).
    summed = [(x, number(r, "layers_measured_J")) for r, x in zip(rows, m) if finite(number(r, "layers_measured_J"))]
    if summed:
        ax.plot([x for x, _ in summed], [y for _, y in summed], "x", color="black",
                label="sum of its layers, measured one by one")
    ax.legend(fontsize=7)
    for r, x, y in zip(rows, m, p):
        ax.annotate(f'{r["name"]} {100 * (y - x) / x:+.1f}%', (x, y), fontsize=7, xytext=(4, 4),
                    textcoords="offset points")
    lo, hi = min(m + p) / 1.3, max(m + p) * 1.3
    ax.plot([lo, hi], [lo, hi], color="gray", lw=1)
    log_log(ax, "measured network energy (J, Net/ case)", "predicted (J)", "Networks: predicted vs measured")
    save(fig, dir_, "networks.png")


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    dir_ = sys.argv[1]
    points = read_rows(os.path.join(dir_, "fit_points.csv"))
    alpha_rows = read_rows(os.path.join(dir_, "alpha_k.csv"))
    with open(os.path.join(dir_, "model.json")) as f:
        model = json.load(f)
    energy_vs_macs(dir_, points, model)
    alpha_vs_k(dir_, alpha_rows, model)
    predicted_vs_measured(dir_, points)
    networks(dir_, read_rows(os.path.join(dir_, "networks.csv")))
    print(f"plot_fit.py: wrote the plots to {dir_}")


if __name__ == "__main__":
    main()
