#!/usr/bin/env python3
"""Times layer_bench's CPU cases and the same layers in PyTorch on the CPU, interleaved, at the same thread count, and
prints a Markdown table of the ratios layer_bench / PyTorch.

  scripts/compare-pytorch-cpu.py [--layer-bench build/layer_bench] [--grid quick] [--filter REGEX]
                                 [--cpu-impl onednn] [--cpu-impl eigen] [--rounds 3]

The cases are those layer_bench registers for --grid (default quick), Conv/ and FC/ only. For every round and case,
layer_bench runs that one case (--backend=cpu --power=none, once per --cpu-impl given; without one, the build's
default), then PyTorch times the same layer: so both sides see the same machine state, which on a shared machine
drifts. Each side's figure is the median over the rounds.

PyTorch (fp32, torch.no_grad(), torch.set_num_threads = layer_bench's context cpu_threads) runs each layer two ways,
and the ratio is against the faster of them (the stricter comparison):
  eager   torch.nn.functional.conv2d / linear on plain (NCHW, row-major) tensors;
  mkldnn  torch.mkldnn_convolution on oneDNN tensors with the weights reordered once (torch.utils.mkldnn's
          deployment path: blocked layouts kept between calls), torch._C._nn.mkldnn_linear for FC.
Each timing: back-to-back calls after a warm-up, grown until one batch lasts --target-ms, median of 3 batches.

The table (stdout): case, PyTorch eager and mkldnn us, then per implementation layer_bench us and layer_bench /
PyTorch; then per layer type the median and the maximum ratio. Below 1: layer_bench is faster. Notes go to stderr.
Exit 0 after printing the table; 2 when layer_bench or torch cannot be run.

torch is imported inside main(), so --help and byte-compilation work on machines without it.
"""

import argparse
import importlib.util
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))


def load_gpu_script():
    """scripts/compare-pytorch.py, for its case-name parser and result reader (one parser for both scripts)."""
    spec = importlib.util.spec_from_file_location("compare_pytorch", os.path.join(HERE, "compare-pytorch.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


GPU_SCRIPT = load_gpu_script()


class RunError(Exception):
    pass


def list_cases(layer_bench, grid, pattern):
    """The grid's Conv/ and FC/ names, in layer_bench's order, with their parsed geometry."""
    command = [layer_bench, "--backend=cpu", f"--grid={grid}", "--benchmark_list_tests=true"]
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RunError(f"{' '.join(command)} failed: {result.stderr.strip()}")
    cases = []
    for name in result.stdout.split():
        parsed = GPU_SCRIPT.parse_case(name)
        if parsed is None or parsed[2] != "fp32" or (pattern and not pattern.search(name)):
            continue
        if not re.fullmatch(r"[A-Za-z0-9/:_]+", name):  # the anchored filter below needs no escaping
            raise RunError(f"unexpected case name {name!r}")
        cases.append((name, parsed))
    return cases


def run_layer_bench(layer_bench, grid, name, impl, min_time, out_path):
    """(us per iteration, label, context) of one case."""
    command = [layer_bench, "--backend=cpu", "--power=none", "--idle_s=0", f"--grid={grid}",
               f"--benchmark_filter=^{name}$", f"--benchmark_min_time={min_time}", f"--benchmark_out={out_path}"]
    if impl:
        command.append(f"--cpu_impl={impl}")
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RunError(f"{' '.join(command)} failed ({result.returncode}): {result.stderr.strip()}")
    document = GPU_SCRIPT.load_results(out_path)
    for entry in document.get("benchmarks", []):
        if GPU_SCRIPT.base_name(entry.get("run_name") or entry.get("name", "")) != name:
            continue
        if GPU_SCRIPT.is_skipped(entry):
            return None, entry.get("error_message") or entry.get("skip_message") or "skipped", document["context"]
        unit = GPU_SCRIPT.TIME_UNIT_TO_US.get(entry.get("time_unit", "ns"), 1e-3)
        return float(entry["real_time"]) * unit, entry.get("label", ""), document["context"]
    raise RunError(f"{name}: not in layer_bench's output")


def build_calls(torch, kind, g):
    """{"eager": fn, "mkldnn": fn} for one layer on random inputs; the mkldnn weights reordered once, here."""
    if kind == "Conv":
        x = torch.rand(g["N"], g["C"], g["H"], g["W"]) * 2 - 1
        w = torch.rand(g["K"], g["C"] // g["groups"], g["R"], g["S"]) * 2 - 1
        stride, pad, groups = [g["stride"]] * 2, [g["pad"]] * 2, g["groups"]
        xm = x.to_mkldnn()
        wm = torch._C._nn.mkldnn_reorder_conv2d_weight(w.to_mkldnn(), pad, stride, [1, 1], groups)
        conv2d, mkldnn_conv = torch.nn.functional.conv2d, torch.mkldnn_convolution
        return {"eager": lambda: conv2d(x, w, None, stride, pad, 1, groups),
                "mkldnn": lambda: mkldnn_conv(xm, wm, None, pad, stride, [1, 1], groups)}
    x = torch.rand(g["N"], g["in"]) * 2 - 1
    w = torch.rand(g["out"], g["in"]) * 2 - 1
    xm, wm = x.to_mkldnn(), w.to_mkldnn()
    linear, mkldnn_linear = torch.nn.functional.linear, torch._C._nn.mkldnn_linear
    return {"eager": lambda: linear(x, w), "mkldnn": lambda: mkldnn_linear(xm, wm, None)}


def time_us(call, target_s):
    for _ in range(3):
        call()
    calls = 1
    samples = []
    for _ in range(3):
        while True:
            start = time.perf_counter()
            for _ in range(calls):
                call()
            elapsed = time.perf_counter() - start
            if elapsed >= target_s or calls >= 1_000_000:
                break
            calls = min(1_000_000, max(calls * 2, int(calls * target_s / max(elapsed, 1e-9) * 1.1)))
        samples.append(elapsed / calls * 1e6)
    return statistics.median(samples)


def fmt(value, digits=2):
    return "—" if value is None else f"{value:.{digits}f}"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Time layer_bench's CPU cases and the same layers in PyTorch on the CPU, interleaved, and print "
        "a Markdown table of layer_bench / PyTorch ratios.")
    parser.add_argument("--layer-bench", default=os.path.join(HERE, "..", "build", "layer_bench"),
                        help="the layer_bench binary (default build/layer_bench)")
    parser.add_argument("--grid", default="quick", help="layer_bench --grid (default quick)")
    parser.add_argument("--filter", default=None, help="only cases whose name matches this regular expression")
    parser.add_argument("--cpu-impl", action="append", choices=("onednn", "eigen"), default=None,
                        help="layer_bench --cpu_impl; repeat for a column each (default: the build's default)")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds; medians over them (default 3)")
    parser.add_argument("--min-time", type=float, default=0.2,
                        help="layer_bench --benchmark_min_time per case and round, seconds (default 0.2)")
    parser.add_argument("--target-ms", type=float, default=100.0,
                        help="PyTorch: grow each timed batch until it lasts this long (default 100 ms)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    impls = args.cpu_impl or [None]
    pattern = re.compile(args.filter) if args.filter else None
    try:
        import torch  # noqa: PLC0415 - imported here so --help works without torch
    except ImportError as error:
        print(f"compare-pytorch-cpu: PyTorch is needed to time the cases ({error})", file=sys.stderr)
        return 2
    if not torch.backends.mkldnn.is_available():
        print("compare-pytorch-cpu: this PyTorch has no oneDNN (mkldnn); only the eager path is timed",
              file=sys.stderr)
    torch.set_grad_enabled(False)

    bench = {}  # (name, impl) -> [us per round]
    labels = {}
    torch_us = {}  # (name, path) -> [us per round]
    threads = None
    try:
        cases = list_cases(args.layer_bench, args.grid, pattern)
        calls = {}
        with tempfile.TemporaryDirectory() as scratch:
            out_path = os.path.join(scratch, "case.json")
            for round_index in range(args.rounds):
                for name, (kind, geometry, _, _) in cases:
                    for impl in impls:
                        us, label, context = run_layer_bench(args.layer_bench, args.grid, name, impl, args.min_time,
                                                             out_path)
                        if threads is None:
                            threads = int(context.get("cpu_threads", "0")) or os.cpu_count()
                            torch.set_num_threads(threads)
                            print(f"compare-pytorch-cpu: torch {torch.__version__}, {threads} threads (layer_bench's "
                                  f"cpu_threads), {context.get('board', 'cpu')}", file=sys.stderr)
                        labels[(name, impl)] = label
                        if us is not None:
                            bench.setdefault((name, impl), []).append(us)
                    if name not in calls:
                        calls[name] = build_calls(torch, kind, geometry)
                    for path, call in calls[name].items():
                        if path == "mkldnn" and not torch.backends.mkldnn.is_available():
                            continue
                        torch_us.setdefault((name, path), []).append(time_us(call, args.target_ms * 1e-3))
                print(f"compare-pytorch-cpu: round {round_index + 1} of {args.rounds} done", file=sys.stderr)
    except RunError as error:
        print(f"compare-pytorch-cpu: {error}", file=sys.stderr)
        return 2

    def median(key, table):
        return statistics.median(table[key]) if table.get(key) else None

    columns = [impl or "layer_bench" for impl in impls]
    print("| case | PyTorch eager µs | PyTorch mkldnn µs | "
          + " | ".join(f"{c} µs | {c} / PyTorch" for c in columns) + " |")
    print("|---|---:|---:|" + "---:|---:|" * len(impls))
    ratios = {}  # (kind, impl) -> [ratio]
    for name, (kind, _, _, _) in cases:
        eager, mkldnn = median((name, "eager"), torch_us), median((name, "mkldnn"), torch_us)
        best = min(v for v in (eager, mkldnn) if v is not None)
        cells = []
        for impl in impls:
            us = median((name, impl), bench)
            ratio = us / best if us is not None else None
            if ratio is not None:
                ratios.setdefault((kind, impl), []).append(ratio)
            else:
                print(f"compare-pytorch-cpu: {name}: {labels.get((name, impl))}", file=sys.stderr)
            cells.append(f"{fmt(us, 1)} | {fmt(ratio)}")
        print(f"| {name} | {fmt(eager, 1)} | {fmt(mkldnn, 1)} | " + " | ".join(cells) + " |")
    for kind in ("Conv", "FC"):
        cells = []
        for impl in impls:
            values = ratios.get((kind, impl), [])
            cells.append(f"{len(values)} cases | median {fmt(statistics.median(values)) if values else '—'}, "
                         f"max {fmt(max(values)) if values else '—'}")
        print(f"| **{kind}** | | | " + " | ".join(cells) + " |")
    for impl in impls:
        shown = sorted({labels[(name, impl)].split(",")[0] for name, _ in cases if labels.get((name, impl))})
        print(f"compare-pytorch-cpu: {impl or 'layer_bench'} ran: {'; '.join(shown)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
