#!/usr/bin/env python3
"""Which Jetson power mode spends the least energy: a Markdown table from the per-mode results of
scripts/run-sweep.sh --modes.

  scripts/compare-modes.py DIR_OR_FILE...      e.g. results/jetson-agx-orin/2024-06-01/mode-*

Each argument is one mode: a folder (its layer_bench result files, <grid>.json and <grid>.part<N>.json; model.json
and resume.json are skipped) or one result file. The mode is named from the results' context (nvpmodel_status and
nvpmodel_mode), else from the folder's name. A case's energy is the mean energy_J over its repetitions. Rows: the
layer classes (conv dense, conv depthwise/grouped, FC, any other layer type) and each Net/<name> case, summed over
the cases measured with energy in every mode, so each mode is charged for the same work. Exit 0 after the table;
2 for unreadable input.
"""

import json
import os
import re
import sys


def fail(message):
    print("compare-modes: " + message, file=sys.stderr)
    sys.exit(2)


def result_files(arg):
    if os.path.isfile(arg):
        return [arg]
    if not os.path.isdir(arg):
        fail("%s: no such file or folder" % arg)
    names = sorted(n for n in os.listdir(arg)
                   if n.endswith(".json") and n not in ("model.json", "resume.json") and not n.startswith("."))
    if not names:
        fail("%s: no layer_bench result file in it" % arg)
    return [os.path.join(arg, n) for n in names]


def finished(entry):
    if entry.get("error_occurred") or entry.get("run_type", "iteration") != "iteration":
        return False
    skipped = entry.get("skipped", False)
    return skipped is False  # Google Benchmark 1.8+ writes the skip's kind there


def read_mode(arg):
    """(label, {case: mean energy_J}) of one mode."""
    energies, context = {}, {}
    for path in result_files(arg):
        try:
            with open(path, encoding="utf-8") as f:
                data = json.load(f)
        except (OSError, ValueError) as e:
            fail("%s: cannot read (%s)" % (path, e))
        if not isinstance(data, dict) or not isinstance(data.get("benchmarks"), list):
            fail("%s: not a layer_bench result (no benchmarks list)" % path)
        context = context or data.get("context", {})
        for entry in data["benchmarks"]:
            energy = entry.get("energy_J") if isinstance(entry, dict) else None
            if isinstance(energy, (int, float)) and energy == energy and finished(entry):
                energies.setdefault(entry.get("run_name", entry["name"]), []).append(float(energy))
    status = re.match(r"pmode:0*(\d+)", str(context.get("nvpmodel_status", "")))
    name = context.get("nvpmodel_mode", "")
    if status:
        label = "mode " + status.group(1) + (" (%s)" % name if name else "")
    elif name:
        label = "mode " + name
    else:
        label = os.path.basename(os.path.normpath(arg))
    return label, {case: sum(v) / len(v) for case, v in energies.items()}


def layer_class(case):
    kind = case.split("/", 1)[0]
    if kind == "Net":
        return case
    if kind == "Conv":
        groups = re.search(r"/groups:(\d+)", case)
        return "conv (dense)" if not groups or groups.group(1) == "1" else "conv (depthwise/grouped)"
    return "FC" if kind == "FC" else kind


def class_order(name):
    fixed = ["conv (dense)", "conv (depthwise/grouped)", "FC"]
    if name in fixed:
        return (0, fixed.index(name), name)
    return (2 if name.startswith("Net/") else 1, 0, name)


def main(argv):
    if not argv or argv[0] in ("-h", "--help"):
        print(__doc__.strip(), file=sys.stdout if argv else sys.stderr)
        return 0 if argv else 2
    modes = [read_mode(arg) for arg in argv]
    labels = [label for label, _ in modes]
    common = set(modes[0][1])
    for _, energies in modes[1:]:
        common &= set(energies)
    totals = {}  # class -> [cases, energy per mode]
    for case in common:
        row = totals.setdefault(layer_class(case), [0, [0.0] * len(modes)])
        row[0] += 1
        for i, (_, energies) in enumerate(modes):
            row[1][i] += energies[case]
    print("| layers | cases | " + " | ".join(labels) + " | least energy |")
    print("|---|---:|" + "---:|" * len(labels) + "---|")
    for name in sorted(totals, key=class_order):
        cases, energy = totals[name]
        best = min(range(len(energy)), key=lambda i: energy[i])
        cells = ["%.4g J%s" % (e, "" if i == best or energy[best] <= 0 else " (+%.0f%%)" % (100 * (e / energy[best] - 1)))
                 for i, e in enumerate(energy)]
        print("| %s | %d | %s | %s |" % (name, cases, " | ".join(cells), labels[best]))
    if not totals:
        print("| (no case measured with energy in every mode) | 0 | " + " | ".join("" for _ in labels) + " | |")
    only = sum(len(set(e) - common) for _, e in modes)
    if only:
        print("compare-modes: %d case(s) measured in some modes only are left out" % only, file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
