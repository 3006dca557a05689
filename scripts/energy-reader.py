#!/usr/bin/env python3
"""An energy reader that shares no code with layer_bench, to check its energy per window (scripts/validate-gpu.sh).

  scripts/energy-reader.py nvml --out READER.csv [--index 0] [--period 0.01] [--max-s 600] [--library SO]
  scripts/energy-reader.py trace TRACE.csv --out READER.csv [--rails A,B]

nvml: a second process reads the GPU's total-energy counter (nvmlDeviceGetTotalEnergyConsumption, mJ) through ctypes
on libnvidia-ml.so.1 every --period seconds until SIGTERM/SIGINT (or --max-s), timestamped on CLOCK_MONOTONIC (the
clock of layer_bench's t0_s/t1_s). The counter steps about every 0.1 s; a step's time is taken as the midpoint of
the last reading before it and the first after it, so the file holds one row per step, not per reading.
trace: the same output from a layer_bench --power_trace_out file (CPU runs without a second sensor): power rails (W)
integrated by the trapezoid rule, energy rails (J) by their increments, summed over --rails (default: the file's
default_total comment, else every rail).

READER.csv: comment lines (# source, device, readings), then `t_s,energy_J` (cumulative, from the first row).
energy(t) between rows is linear: the integral of a window [t0, t1] is energy(t1) - energy(t0)
(scripts/validate_gpu_summary.py). Written atomically when the reader stops. Exit 2: bad arguments or no NVML.
"""

import argparse
import csv
import ctypes
import math
import os
import signal
import sys
import time


def monotonic():
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def write_atomically(path, header, rows):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        for line in header:
            f.write("# " + line + "\n")
        f.write("t_s,energy_J\n")
        for t, e in rows:
            f.write(f"{t:.6f},{e:.6f}\n")
    os.replace(tmp, path)


class Nvml:
    """The four NVML calls the reader needs, by ctypes (no pynvml needed)."""

    def __init__(self, index, library):
        try:
            self.lib = ctypes.CDLL(library)
        except OSError as e:
            raise RuntimeError(f"{library} cannot be loaded: {e}")
        self.check(self.lib.nvmlInit_v2(), "nvmlInit_v2")
        self.handle = ctypes.c_void_p()
        self.check(self.lib.nvmlDeviceGetHandleByIndex_v2(ctypes.c_uint(index), ctypes.byref(self.handle)),
                   f"nvmlDeviceGetHandleByIndex_v2({index})")
        name = ctypes.create_string_buffer(96)
        self.check(self.lib.nvmlDeviceGetName(self.handle, name, ctypes.c_uint(96)), "nvmlDeviceGetName")
        self.name = name.value.decode(errors="replace")

        class PciInfo(ctypes.Structure):  # nvmlPciInfo_t: only busId (its first field) is read
            _fields_ = [("busIdLegacy", ctypes.c_char * 16), ("domain", ctypes.c_uint), ("bus", ctypes.c_uint),
                        ("device", ctypes.c_uint), ("pciDeviceId", ctypes.c_uint),
                        ("pciSubSystemId", ctypes.c_uint), ("busId", ctypes.c_char * 32)]

        pci = PciInfo()
        if self.lib.nvmlDeviceGetPciInfo_v3(self.handle, ctypes.byref(pci)) == 0:
            self.bus_id = pci.busId.decode(errors="replace")
        else:
            self.bus_id = "unknown"

    @staticmethod
    def check(rc, what):
        if rc != 0:
            raise RuntimeError(f"{what} failed (NVML return code {rc})")

    def energy_mj(self):
        value = ctypes.c_ulonglong()
        self.check(self.lib.nvmlDeviceGetTotalEnergyConsumption(self.handle, ctypes.byref(value)),
                   "nvmlDeviceGetTotalEnergyConsumption")
        return value.value


def run_nvml(args):
    try:
        nvml = Nvml(args.index, args.library)
    except RuntimeError as e:
        print(f"energy-reader: {e}", file=sys.stderr)
        return 2
    stop = []
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.append(1))
    rows, readings = [], 0
    start = monotonic()
    last_t, last_mj, base_mj = None, None, None
    while not stop and monotonic() - start < args.max_s:
        before = monotonic()
        mj = nvml.energy_mj()
        t = 0.5 * (before + monotonic())  # the reading's time: the middle of the call
        readings += 1
        if base_mj is None:
            base_mj = mj
            rows.append((t, 0.0))
        elif mj != last_mj:
            rows.append((0.5 * (last_t + t), (mj - base_mj) * 1e-3))  # the step happened between the two readings
        last_t, last_mj = t, mj
        time.sleep(args.period)
    if last_t is not None and (not rows or rows[-1][0] < last_t):
        rows.append((last_t, (last_mj - base_mj) * 1e-3))
    header = [f"source: nvml total-energy counter, every {args.period} s, {readings} readings",
              f"device: {nvml.name} {nvml.bus_id}"]
    write_atomically(args.out, header, rows)
    return 0


def run_trace(args):
    wanted = set(filter(None, (args.rails or "").split(",")))
    try:
        with open(args.trace, newline="", encoding="utf-8") as f:
            lines = list(f)
    except OSError as e:
        print(f"energy-reader: {args.trace}: {e}", file=sys.stderr)
        return 2
    comments = [line for line in lines if line.startswith("#")]
    for c in comments:  # "# layer-energy power trace; default_total=VDD_IN": the rails the file's run summed
        if not wanted and "default_total=" in c:
            wanted = set(filter(None, c.split("default_total=", 1)[1].strip().split(",")))
    series = {}
    rows = csv.DictReader(line for line in lines if not line.startswith("#"))
    for number, r in enumerate(rows, start=2 + len(comments)):
        try:
            rail, unit, t, v = r["rail"], r["unit"], float(r["t_s"]), float(r["value"])
        except (KeyError, TypeError, ValueError):
            print(f"energy-reader: {args.trace}:{number}: not a t_s,rail,value,unit row", file=sys.stderr)
            return 2
        if (not wanted or rail in wanted) and math.isfinite(v):
            series.setdefault((rail, unit), []).append((t, v))
    if not series:
        print(f"energy-reader: {args.trace}: no samples of the rails {sorted(wanted) or 'any'}", file=sys.stderr)
        return 2
    # Each rail as cumulative energy at its own sample times, then summed on the union of the times.
    cumulative = []
    for (rail, unit), points in series.items():
        points.sort()
        acc, out = 0.0, [(points[0][0], 0.0)]
        for (t0, v0), (t1, v1) in zip(points, points[1:]):
            if unit == "W":
                acc += 0.5 * (v0 + v1) * (t1 - t0)
            elif v1 >= v0:  # a counter: its increments (a wrap's increment is lost, not negative)
                acc += v1 - v0
            out.append((t1, acc))
        cumulative.append(out)
    times = sorted({t for c in cumulative for t, _ in c})
    lo = max(c[0][0] for c in cumulative)
    hi = min(c[-1][0] for c in cumulative)
    rows = [(t, sum(energy_at(c, t) for c in cumulative)) for t in times if lo <= t <= hi]
    header = [f"source: trace {os.path.basename(args.trace)}, rails {','.join(sorted(r for r, _ in series))}"]
    write_atomically(args.out, header, rows)
    return 0


def energy_at(points, t):
    """Linear interpolation in a sorted list of (t, cumulative energy)."""
    lo, hi = 0, len(points) - 1
    if t <= points[0][0]:
        return points[0][1]
    if t >= points[-1][0]:
        return points[-1][1]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if points[mid][0] <= t:
            lo = mid
        else:
            hi = mid
    (t0, e0), (t1, e1) = points[lo], points[hi]
    return e0 + (e1 - e0) * (t - t0) / (t1 - t0) if t1 > t0 else e1


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    n = sub.add_parser("nvml", help="read the NVML energy counter live until stopped")
    n.add_argument("--out", required=True)
    n.add_argument("--index", type=int, default=0, help="NVML device index (PCI bus order)")
    n.add_argument("--period", type=float, default=0.01, help="seconds between readings")
    n.add_argument("--max-s", type=float, default=600.0, help="stop after this many seconds")
    n.add_argument("--library", default="libnvidia-ml.so.1", help="the NVML library (a path, or a name dlopen finds)")
    t = sub.add_parser("trace", help="integrate a layer_bench --power_trace_out file")
    t.add_argument("trace")
    t.add_argument("--out", required=True)
    t.add_argument("--rails", help="comma-separated rails to sum (default: all)")
    args = parser.parse_args()
    if args.mode == "nvml" and (args.period <= 0 or args.max_s <= 0):
        parser.error("--period and --max-s must be > 0")
    return run_nvml(args) if args.mode == "nvml" else run_trace(args)


if __name__ == "__main__":
    sys.exit(main())
