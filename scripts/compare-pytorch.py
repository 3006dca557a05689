#!/usr/bin/env python3
"""Times layer_bench's Conv/ and FC/ cases in PyTorch, eagerly and replayed from a CUDA graph, and prints a Markdown
table of the ratios against layer_bench's time per iteration.

  scripts/compare-pytorch.py results.json [--device 0] [--precision fp32|tf32|fp16] [--filter REGEX]

Every Conv/ and FC/ case of the layer_bench JSON (Google Benchmark's schema) is rebuilt from its name
(Conv/N:1/C:64/H:56/W:56/K:64/R:3/S:3/stride:1/pad:1/groups:1, FC/N:8/in:1024/out:1024, with /tf32, /fp16 and /nhwc
suffixes) and timed with torch.nn.functional.conv2d / linear on random inputs:
  eager  CUDA events around back-to-back calls after a warm-up (at least 100 calls, more until ~50 ms);
  graph  the same call captured GRAPH_CALLS times into one torch.cuda.CUDAGraph, the graph replayed and timed.
torch.backends.cudnn.benchmark = True (PyTorch picks its conv algorithm by measurement, as layer_bench does). fp32
means no TF32 anywhere (cudnn.allow_tf32 = matmul.allow_tf32 = False), tf32 turns both on, fp16 uses half tensors.
nhwc cases use channels_last tensors.

The table (stdout): case, layer_bench us, eager us, graph us, eager/layer_bench, graph/layer_bench, and a last row of
medians. A ratio near 1 for the graph column says layer_bench times the layer's device work as a framework replaying
a graph would; eager ratios above 1 show the launch overhead eager frameworks pay on small layers. Notes go to
stderr. Exit 0 after printing the table; 2 for unreadable input or a missing torch/GPU.

torch is imported inside main(), so --help and byte-compilation work on machines without it.
"""

import argparse
import json
import math
import re
import statistics
import sys

CONV_KEYS = ("N", "C", "H", "W", "K", "R", "S", "stride", "pad", "groups")
FC_KEYS = ("N", "in", "out")
TIME_UNIT_TO_US = {"ns": 1e-3, "us": 1.0, "ms": 1e3, "s": 1e6}


def parse_case(name):
    """(kind, geometry dict, precision, layout) for a Conv/ or FC/ case name, None for anything else."""
    parts = name.split("/")
    if not parts or parts[0] not in ("Conv", "FC"):
        return None
    kind = parts[0]
    geometry = {}
    precision = "fp32"
    layout = "nchw"
    for part in parts[1:]:
        match = re.fullmatch(r"([A-Za-z]+):(-?\d+)", part)
        if match:
            if match.group(1) in (CONV_KEYS if kind == "Conv" else FC_KEYS):
                geometry[match.group(1)] = int(match.group(2))
            continue  # Google Benchmark's own suffixes (iterations:10, repeats:5, ...)
        token = re.sub(r"_(mean|median|stddev|cv)$", "", part)
        if token in ("fp32", "tf32", "fp16"):
            precision = token
        elif token in ("nchw", "nhwc"):
            layout = token
    keys = CONV_KEYS if kind == "Conv" else FC_KEYS
    if kind == "Conv":
        geometry.setdefault("stride", 1)
        geometry.setdefault("pad", 0)
        geometry.setdefault("groups", 1)
    if any(key not in geometry for key in keys):
        return None
    return kind, geometry, precision, layout


def base_name(name):
    """The case name without Google Benchmark's suffixes, so repetitions of one case group together."""
    kept = []
    for part in name.split("/"):
        if re.fullmatch(r"(iterations|repeats|threads|min_time|min_warmup_time):.*", part):
            continue
        if part in ("real_time", "manual_time", "process_time"):
            continue
        kept.append(part)
    return "/".join(kept)


def is_skipped(entry):
    if entry.get("error_occurred"):
        return True
    skipped = entry.get("skipped")
    return bool(skipped) and skipped not in ("NotSkipped", 0, False)


class InputError(Exception):
    pass


def load_results(path):
    """The JSON document; accepts the non-standard NaN forms C++ writers emit (-NaN, nan, inf) and salvages a file
    an interrupted run left truncated (its finished entries are used, with a note)."""
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except OSError as error:
        raise InputError(f"cannot read {path}: {error}") from error
    text = re.sub(r"(?<=[:\[,\s])-?(?:nan|NaN|NAN)(?=[\s,\]}])", "NaN", text)
    text = re.sub(r"(?<=[:\[,\s])(-?)(?:inf|INF)(?=[\s,\]}])", r"\1Infinity", text)
    try:
        return json.loads(text)
    except ValueError as error:
        first_error = error
    # Truncated: close the benchmarks array after the last complete entry.
    for match in reversed(list(re.finditer(r"\n    \}", text))):
        try:
            document = json.loads(text[: match.end()] + "\n  ]\n}\n")
        except ValueError:
            continue
        print(f"compare-pytorch: {path} is truncated; using its {len(document.get('benchmarks', []))} complete "
              "entries", file=sys.stderr)
        return document
    raise InputError(f"cannot read {path}: {first_error}")


def read_cases(path):
    """Ordered {case name: [parsed, [layer_bench us per iteration, ...]]} (an empty list when skipped)."""
    document = load_results(path)
    if not isinstance(document, dict) or not isinstance(document.get("benchmarks"), list):
        raise InputError(f"{path} is not a layer_bench result (no \"benchmarks\" array)")
    cases = {}
    for entry in document["benchmarks"]:
        if not isinstance(entry, dict) or "real_time" not in entry and not is_skipped(entry):
            continue
        if entry.get("run_type", "iteration") != "iteration":
            continue  # aggregates (_mean, _median, ...): the repetitions themselves are used
        name = base_name(entry.get("run_name") or entry.get("name", ""))
        parsed = parse_case(name)
        if parsed is None:
            continue
        slot = cases.setdefault(name, [parsed, []])
        if is_skipped(entry):
            continue
        unit = TIME_UNIT_TO_US.get(entry.get("time_unit", "ns"), 1e-3)
        slot[1].append(float(entry["real_time"]) * unit)
    return cases


def build_call(torch, kind, g, precision, layout, device):
    dtype = torch.float16 if precision == "fp16" else torch.float32
    if kind == "Conv":
        x = torch.randn(g["N"], g["C"], g["H"], g["W"], device=device, dtype=dtype) * 0.5
        w = torch.randn(g["K"], g["C"] // g["groups"], g["R"], g["S"], device=device, dtype=dtype) * 0.5
        if layout == "nhwc":
            x = x.contiguous(memory_format=torch.channels_last)
            w = w.contiguous(memory_format=torch.channels_last)
        conv2d = torch.nn.functional.conv2d
        stride, pad, groups = g["stride"], g["pad"], g["groups"]
        return lambda: conv2d(x, w, None, stride, pad, 1, groups)
    x = torch.randn(g["N"], g["in"], device=device, dtype=dtype) * 0.5
    w = torch.randn(g["out"], g["in"], device=device, dtype=dtype) * 0.5
    linear = torch.nn.functional.linear
    return lambda: linear(x, w)


def time_eager_us(torch, call, min_calls, target_s):
    for _ in range(10):
        call()
    torch.cuda.synchronize()
    calls = min_calls
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    samples = []
    for _ in range(3):
        while True:
            start.record()
            for _ in range(calls):
                call()
            stop.record()
            stop.synchronize()
            elapsed_s = start.elapsed_time(stop) * 1e-3
            if elapsed_s >= target_s or calls >= 1_000_000:
                break
            calls = min(1_000_000, max(calls * 2, int(calls * target_s / max(elapsed_s, 1e-9) * 1.1)))
        samples.append(elapsed_s / calls * 1e6)
    return statistics.median(samples)


def time_graph_us(torch, call, graph_calls, target_s):
    stream = torch.cuda.Stream()
    stream.wait_stream(torch.cuda.current_stream())
    with torch.cuda.stream(stream):  # warm-up on a side stream before capture, as PyTorch recommends
        for _ in range(3):
            call()
    torch.cuda.current_stream().wait_stream(stream)
    torch.cuda.synchronize()
    graph = torch.cuda.CUDAGraph()
    with torch.cuda.graph(graph):
        for _ in range(graph_calls):
            call()
    for _ in range(3):
        graph.replay()
    torch.cuda.synchronize()
    replays = 5
    start, stop = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
    samples = []
    for _ in range(3):
        while True:
            start.record()
            for _ in range(replays):
                graph.replay()
            stop.record()
            stop.synchronize()
            elapsed_s = start.elapsed_time(stop) * 1e-3
            if elapsed_s >= target_s or replays >= 100_000:
                break
            replays = min(100_000, max(replays * 2, int(replays * target_s / max(elapsed_s, 1e-9) * 1.1)))
        samples.append(elapsed_s / (replays * graph_calls) * 1e6)
    return statistics.median(samples)


def fmt(value, digits=2):
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.{digits}f}"


def parse_args(argv):
    parser = argparse.ArgumentParser(
        description="Time layer_bench's Conv/ and FC/ cases in PyTorch (eager and CUDA-graph replay) and print a "
        "Markdown table of ratios against layer_bench's time per iteration.")
    parser.add_argument("results", help="layer_bench JSON (--benchmark_out, Google Benchmark's schema)")
    parser.add_argument("--device", type=int, default=0, help="CUDA device ordinal for PyTorch (default 0)")
    parser.add_argument("--precision", choices=("fp32", "tf32", "fp16"), default=None,
                        help="compare only the cases of this precision (default: every case, each in the precision "
                        "its name carries; no suffix means fp32)")
    parser.add_argument("--filter", default=None, help="only cases whose name matches this regular expression")
    parser.add_argument("--graph-calls", type=int, default=20, help="calls captured into one CUDA graph (default 20)")
    parser.add_argument("--min-calls", type=int, default=100,
                        help="at least this many back-to-back eager calls per timing (default 100)")
    parser.add_argument("--target-ms", type=float, default=50.0,
                        help="grow each timed loop until it lasts this long (default 50 ms)")
    return parser.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        cases = read_cases(args.results)
    except InputError as error:
        print(f"compare-pytorch: {error}", file=sys.stderr)
        return 2
    try:
        import torch  # noqa: PLC0415 - imported here so --help works without torch
    except ImportError as error:
        print(f"compare-pytorch: PyTorch is needed to time the cases ({error})", file=sys.stderr)
        return 2
    if not torch.cuda.is_available():
        print("compare-pytorch: PyTorch sees no CUDA device", file=sys.stderr)
        return 2
    if args.device < 0 or args.device >= torch.cuda.device_count():
        print(f"compare-pytorch: no CUDA device {args.device} ({torch.cuda.device_count()} visible)", file=sys.stderr)
        return 2
    torch.cuda.set_device(args.device)
    device = torch.device("cuda", args.device)
    torch.backends.cudnn.benchmark = True
    pattern = re.compile(args.filter) if args.filter else None
    print(f"compare-pytorch: torch {torch.__version__}, cuDNN {torch.backends.cudnn.version()}, "
          f"{torch.cuda.get_device_name(device)}", file=sys.stderr)

    rows = []
    for name, (parsed, times_us) in cases.items():
        kind, geometry, precision, layout = parsed
        if args.precision and precision != args.precision:
            continue
        if pattern and not pattern.search(name):
            continue
        tf32 = precision == "tf32"
        torch.backends.cudnn.allow_tf32 = tf32
        torch.backends.cuda.matmul.allow_tf32 = tf32
        bench_us = statistics.median(times_us) if times_us else None
        try:
            call = build_call(torch, kind, geometry, precision, layout, device)
            eager_us = time_eager_us(torch, call, args.min_calls, args.target_ms * 1e-3)
            graph_us = time_graph_us(torch, call, args.graph_calls, args.target_ms * 1e-3)
        except RuntimeError as error:  # out of memory, unsupported configuration: note it, go on
            print(f"compare-pytorch: {name}: {str(error).splitlines()[0]}", file=sys.stderr)
            eager_us = graph_us = None
            torch.cuda.empty_cache()
        if bench_us is None:
            print(f"compare-pytorch: {name}: skipped in layer_bench's results, PyTorch timed only", file=sys.stderr)
        eager_ratio = eager_us / bench_us if bench_us and eager_us else None
        graph_ratio = graph_us / bench_us if bench_us and graph_us else None
        rows.append((name, bench_us, eager_us, graph_us, eager_ratio, graph_ratio))
        print(f"compare-pytorch: {name}: layer_bench {fmt(bench_us)} us, eager {fmt(eager_us)} us, "
              f"graph {fmt(graph_us)} us", file=sys.stderr)

    print("| case | layer_bench µs | eager µs | graph µs | eager / layer_bench | graph / layer_bench |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, bench_us, eager_us, graph_us, eager_ratio, graph_ratio in rows:
        print(f"| {name} | {fmt(bench_us)} | {fmt(eager_us)} | {fmt(graph_us)} | {fmt(eager_ratio)} | "
              f"{fmt(graph_ratio)} |")

    def median_of(index):
        values = [row[index] for row in rows if row[index] is not None]
        return statistics.median(values) if values else None

    print(f"| **median** ({len(rows)} cases) | {fmt(median_of(1))} | {fmt(median_of(2))} | {fmt(median_of(3))} | "
          f"{fmt(median_of(4))} | {fmt(median_of(5))} |")
    if not rows:
        print("compare-pytorch: no Conv/ or FC/ case to compare", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
