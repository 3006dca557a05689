#!/usr/bin/python3
"""Plots of an energy_fit run, drawn with matplotlib (Agg) from the data energy_fit --plots DIR writes into DIR.

Usage: /usr/bin/python3 scripts/plot_fit.py DIR
Reads DIR/fit_points.csv, DIR/alpha_k.csv and DIR/model.json; writes
  DIR/energy_vs_macs.png         energy vs MACs (log-log), conv coloured by K, the fitted line per K and for FC
  DIR/alpha_vs_k.png             free energy-per-MAC slope per K with every candidate α(K) law (chosen one bold)
  DIR/predicted_vs_measured.png  held-out prediction of the chosen model vs measurement, and the residuals
"""
import csv
import json
import math
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
from matplotlib.colors import LogNorm  # noqa: E402


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
    return section["forms"]["paper"]


def read_rows(path):
    with open(path, newline="") as f:
        return list(csv.DictReader(f))


def energy_vs_macs(dir_, points, model):
    fig, ax = plt.subplots(figsize=(7, 5))
    conv = [p for p in points if p["type"] == "conv"]
    fc = [p for p in points if p["type"] == "fc"]
    if conv:
        ks = [float(p["k"]) for p in conv]
        sc = ax.scatter([float(p["macs"]) for p in conv], [float(p["measured_J"]) for p in conv], c=ks, s=14,
                        cmap="viridis", norm=LogNorm(vmin=min(ks), vmax=max(ks) if max(ks) > min(ks) else min(ks) * 2),
                        label="conv (measured)")
        fig.colorbar(sc, ax=ax, label="K (filters)")
        law = paper_law(model, "conv")
        if law:
            cmap = plt.get_cmap("viridis")
            norm = LogNorm(vmin=min(ks), vmax=max(ks) if max(ks) > min(ks) else min(ks) * 2)
            for k in sorted(set(ks)):
                macs = [float(p["macs"]) for p in conv if float(p["k"]) == k]
                lo, hi = min(macs), max(macs)
                if hi <= lo:
                    lo, hi = lo / 1.5, hi * 1.5
                ax.plot([lo, hi], [law_alpha(law, k) * lo, law_alpha(law, k) * hi], color=cmap(norm(k)), lw=1)
    if fc:
        ax.scatter([float(p["macs"]) for p in fc], [float(p["measured_J"]) for p in fc], marker="x", color="tab:red",
                   s=20, label="FC (measured)")
        law = paper_law(model, "fc")
        if law:
            macs = [float(p["macs"]) for p in fc]
            ax.plot([min(macs), max(macs)], [law["a"] * min(macs), law["a"] * max(macs)], color="tab:red", lw=1.5,
                    label="FC fit: E = α·MACs")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("MACs")
    ax.set_ylabel("energy per call (J)")
    ax.set_title("Energy vs MACs; lines: paper's form α(K)·MACs per K")
    ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(dir_, "energy_vs_macs.png"), dpi=120)
    plt.close(fig)


def alpha_vs_k(dir_, alpha_rows, model):
    conv = [r for r in alpha_rows if r["type"] == "conv"]
    if not conv:
        return
    section = model["models"]["conv"]
    chosen = section["forms"]["paper"]["law"]
    fig, ax = plt.subplots(figsize=(7, 5))
    ks = [float(r["k"]) for r in conv]
    ax.scatter(ks, [float(r["alpha"]) for r in conv], s=[8 + 4 * float(r["cases"]) for r in conv], color="black",
               label="free slope per K")
    grid = [min(ks) * (max(ks) / min(ks)) ** (i / 299) for i in range(300)] if max(ks) > min(ks) else ks
    for law in section.get("laws", []):
        bold = law["law"] == chosen
        ax.plot(grid, [law_alpha(law, k) for k in grid], lw=2.5 if bold else 1, ls="-" if bold else "--",
                label=f'{law["law"]}: {law["formula"]}' + (" (chosen)" if bold else ""))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("K (filters)")
    ax.set_ylabel("α (J per MAC)")
    ax.set_title("Energy per MAC vs K")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(os.path.join(dir_, "alpha_vs_k.png"), dpi=120)
    plt.close(fig)


def predicted_vs_measured(dir_, points):
    fig, (ax, res) = plt.subplots(1, 2, figsize=(11, 5))
    lo, hi = math.inf, 0.0
    for kind, marker, color in (("conv", "o", "tab:blue"), ("fc", "x", "tab:red")):
        rows = [p for p in points if p["type"] == kind]
        if not rows:
            continue
        m = [float(p["measured_J"]) for p in rows]
        pr = [float(p["heldout_J"]) for p in rows]
        lo, hi = min(lo, min(m), min(pr)), max(hi, max(m), max(pr))
        label = f"{kind} ({rows[0]['chosen']}, held-out)"
        ax.scatter(m, pr, s=12, marker=marker, color=color, label=label)
        res.scatter(m, [100 * (b - a) / a for a, b in zip(m, pr)], s=12, marker=marker, color=color, label=label)
    if hi > 0:
        ax.plot([lo, hi], [lo, hi], color="gray", lw=1)
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("measured energy (J)")
    ax.set_ylabel("predicted energy (J)")
    ax.set_title("Predicted vs measured")
    ax.legend(fontsize=8)
    res.axhline(0, color="gray", lw=1)
    res.set_xscale("log")
    res.set_xlabel("measured energy (J)")
    res.set_ylabel("residual (% of measured)")
    res.set_title("Residuals")
    fig.tight_layout()
    fig.savefig(os.path.join(dir_, "predicted_vs_measured.png"), dpi=120)
    plt.close(fig)


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
    print(f"plot_fit.py: wrote the plots to {dir_}")


if __name__ == "__main__":
    main()
