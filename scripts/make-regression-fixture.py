#!/usr/bin/env python3
"""Writes SYNTHETIC layer_bench result files for testing energy_compare and the CI regression gate.

These are test fixtures, not measurements: energies are MACs x a made-up pJ/MAC with seeded Gaussian noise. Every file
says so in its context ("synthetic": "true", "note": ...).

    scripts/make-regression-fixture.py OUT_DIR

writes, with 9 repetitions per case:
    regression_base.json   seed 1
    regression_new.json    seed 2, energy of one case (REGRESSED_CASE) up 10 %, everything else unchanged
    regression_noise.json  seed 2, no change (the same cases with other noise: no regression)
The output is byte-for-byte reproducible (Python's seeded random.Random and repr of floats are stable).
"""
import json
import os
import random
import sys

REPETITIONS = 9
IDLE_W = 4.0  # made up
NOISE = 0.01  # relative standard deviation of energy and time per repetition
REGRESSED_CASE = "Conv/N:1/C:64/H:28/W:28/K:64/R:3/S:3/stride:1/pad:1/groups:1"

# (N, C, H, W, K, R, S, stride, pad, groups) and (N, in, out): names as layer_bench prints them.
CONV = [
    (1, 64, 56, 56, 64, 3, 3, 1, 1, 1),
    (1, 64, 28, 28, 64, 3, 3, 1, 1, 1),
    (1, 128, 28, 28, 128, 3, 3, 1, 1, 1),
    (1, 256, 14, 14, 256, 3, 3, 1, 1, 1),
    (1, 64, 56, 56, 256, 1, 1, 1, 0, 1),
    (1, 32, 112, 112, 32, 3, 3, 1, 1, 32),
]
FC = [(1, 1024, 1024), (8, 4096, 4096), (1, 512, 1000)]


def conv_case(g):
    n, c, h, w, k, r, s, stride, pad, groups = g
    p = (h + 2 * pad - r) // stride + 1
    q = (w + 2 * pad - s) // stride + 1
    name = f"Conv/N:{n}/C:{c}/H:{h}/W:{w}/K:{k}/R:{r}/S:{s}/stride:{stride}/pad:{pad}/groups:{groups}"
    macs = n * k * (c // groups) * r * s * p * q
    elements = n * c * h * w + k * (c // groups) * r * s + n * k * p * q
    geometry = dict(zip(("N", "C", "H", "W", "K", "R", "S", "stride", "pad", "groups"), g))
    return name, macs, 4 * elements, geometry


def fc_case(g):
    n, i, o = g
    return f"FC/N:{n}/in:{i}/out:{o}", n * i * o, 4 * (n * i + i * o + n * o), {"N": n, "in": i, "out": o}


def entries(name, macs, nbytes, geometry, rng, energy_scale):
    pj_per_mac = 0.9 if name.startswith("Conv") else 1.6
    dynamic = macs * pj_per_mac * 1e-12 + nbytes * 20e-12  # J per iteration above idle, made up
    seconds = dynamic / 12.0 + 15e-6  # as if 12 W above idle plus a launch floor, made up
    energy = dynamic + IDLE_W * seconds
    out = []
    t = 100.0
    for rep in range(REPETITIONS):
        e = energy * energy_scale * (1 + rng.gauss(0, NOISE))
        dt = seconds * (1 + rng.gauss(0, NOISE))
        iterations = max(1, int(1.0 / seconds))
        window = dt * iterations
        entry = {
            "name": name,
            "family_index": 0,
            "per_family_instance_index": 0,
            "run_name": name,
            "run_type": "iteration",
            "repetitions": REPETITIONS,
            "repetition_index": rep,
            "threads": 1,
            "iterations": iterations,
            "real_time": dt * 1e6,
            "cpu_time": dt * 1e6 * 0.05,
            "time_unit": "us",
            "energy_J": e,
            "energy_dynamic_J": e - IDLE_W * dt,
            "energy_err_J": e * 0.01,
            "energy_J:VDD_IN": e,
            "power_W": e / dt,
            "samples": int(window / 0.026),
            "t0_s": t,
            "t1_s": t + window,
            "macs": macs,
            "bytes": nbytes,
        }
        entry.update(geometry)
        out.append(entry)
        t += window + 0.2
    return out


def make(seed, regressed):
    rng = random.Random(seed)
    cases = [conv_case(g) for g in CONV] + [fc_case(g) for g in FC]
    benchmarks = []
    for family, (name, macs, nbytes, geometry) in enumerate(cases):
        scale = 1.10 if regressed and name == REGRESSED_CASE else 1.0
        for e in entries(name, macs, nbytes, geometry, rng, scale):
            e["family_index"] = family
            benchmarks.append(e)
    note = "SYNTHETIC test fixture made by scripts/make-regression-fixture.py (seed %d%s); not a measurement" % (
        seed, ", +10%% energy on %s" % REGRESSED_CASE if regressed else "")
    context = {
        "date": "2024-01-01T00:00:00+00:00",
        "host_name": "synthetic",
        "executable": "./layer_bench",
        "num_cpus": 8,
        "mhz_per_cpu": 2200,
        "cpu_scaling_enabled": False,
        "caches": [],
        "library_build_type": "release",
        "synthetic": "true",
        "note": note,
        "power_source": "jetson",
        "power_rails": "VDD_IN",
        "power_update_s": "0.026",
        "idle_W": repr(IDLE_W),
        "board": "synthetic (no board)",
        "backend": "cuda",
        "precision": "fp32",
    }
    return {"context": context, "benchmarks": benchmarks}


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    out_dir = argv[1]
    os.makedirs(out_dir, exist_ok=True)
    files = {
        "regression_base.json": make(1, False),
        "regression_new.json": make(2, True),
        "regression_noise.json": make(2, False),
    }
    for name, data in files.items():
        with open(os.path.join(out_dir, name), "w", encoding="utf-8") as f:
            json.dump(data, f, indent=2)
            f.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
