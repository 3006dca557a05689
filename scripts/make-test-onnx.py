#!/usr/bin/python3
"""Writes the ONNX fixtures of tests/layers/onnx/ (the ONNX import, layers/onnx/) into tests/fixtures/onnx/.

Run by hand, from anywhere, with Debian's python3 (python3-onnx, python3-numpy); the generated files are checked in
and tests/layers/onnx/test_onnx_import.cpp states what each must import to:

    /usr/bin/python3 scripts/make-test-onnx.py                # the hand-built fixtures (onnx.helper, no torch)
    /usr/bin/python3 scripts/make-test-onnx.py --torchvision  # also torchvision's networks (python3-torchvision)

Deterministic: zero-filled weights (numpy), fixed names, and a fixed seed for malformed.onnx; re-running it writes
the same bytes. Weights are as small as the shapes need. The --torchvision files are exported with
export_params=False: the weights are graph inputs with their shapes (the import reads only shapes), so resnet18 is
about 10 KB instead of 45 MB; the graph itself (BN folded by torch's eval export, Identity, Flatten, ...) is what an
export with weights gives.
"""

import argparse
import os
import random
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "fixtures", "onnx")
FLOAT = TensorProto.FLOAT


def zeros(name, *dims):
    return numpy_helper.from_array(np.zeros(dims, dtype=np.float32), name)


def ones(name, *dims):
    return numpy_helper.from_array(np.ones(dims, dtype=np.float32), name)


def scalar(name, value):
    return numpy_helper.from_array(np.array(value, dtype=np.float32), name)


def ints(name, values):
    return numpy_helper.from_array(np.array(values, dtype=np.int64), name)


def value(name, dims):
    return helper.make_tensor_value_info(name, FLOAT, dims)


def bn(name, x, y, channels, inits):
    """A BatchNormalization node and its four per-channel initializers."""
    params = [f"{name}.{p}" for p in ("scale", "bias", "mean", "var")]
    inits += [ones(params[0], channels), zeros(params[1], channels), zeros(params[2], channels),
              ones(params[3], channels)]
    return helper.make_node("BatchNormalization", [x] + params, [y], name=name)


def save(name, nodes, inputs, outputs, inits, opset=13, check=True):
    graph = helper.make_graph(nodes, name, inputs, outputs, initializer=inits)
    ir = {10: 5, 11: 6, 12: 7, 13: 7, 14: 7, 15: 8, 16: 8, 17: 8}.get(opset, 8)
    model = helper.make_model(graph, producer_name="layer-energy make-test-onnx.py",
                              opset_imports=[helper.make_opsetid("", opset)], ir_version=ir)
    if check:
        onnx.checker.check_model(model, full_check=True)
    path = os.path.join(OUT, name + ".onnx")
    with open(path, "wb") as f:
        f.write(model.SerializeToString())
    print(f"{path}: {os.path.getsize(path)} bytes, {len(nodes)} nodes")


def residual_block():
    # conv-bn-relu-conv-bn + Add(shortcut) + relu; a symbolic batch ("batch": taken as 1, or set by the caller).
    inits = [zeros("conv1.weight", 16, 16, 3, 3), zeros("conv2.weight", 16, 16, 3, 3)]
    nodes = [
        helper.make_node("Conv", ["x", "conv1.weight"], ["c1"], name="conv1", pads=[1, 1, 1, 1]),
        bn("bn1", "c1", "b1", 16, inits),
        helper.make_node("Relu", ["b1"], ["r1"], name="relu1"),
        helper.make_node("Conv", ["r1", "conv2.weight"], ["c2"], name="conv2", kernel_shape=[3, 3],
                         pads=[1, 1, 1, 1], strides=[1, 1]),
        bn("bn2", "c2", "b2", 16, inits),
        helper.make_node("Add", ["b2", "x"], ["sum"], name="add"),
        helper.make_node("Relu", ["sum"], ["y"], name="relu2"),
    ]
    save("residual_block", nodes, [value("x", ["batch", 16, 16, 16])], [value("y", ["batch", 16, 16, 16])], inits)


def depthwise_separable():
    # Depthwise 3x3 stride 2 (group = C) + BN + Clip(0, 6) with initializer bounds, pointwise 1x1 + BN + Clip(0, 6)
    # with Constant-node bounds.
    inits = [zeros("dw.weight", 32, 1, 3, 3), zeros("pw.weight", 64, 32, 1, 1), zeros("pw.bias", 64),
             scalar("zero", 0.0), scalar("six", 6.0)]
    nodes = [
        helper.make_node("Conv", ["x", "dw.weight"], ["d"], name="dw", group=32, strides=[2, 2], pads=[1, 1, 1, 1]),
        bn("dw_bn", "d", "db", 32, inits),
        helper.make_node("Clip", ["db", "zero", "six"], ["dr"], name="dw_relu6"),
        helper.make_node("Conv", ["dr", "pw.weight", "pw.bias"], ["p"], name="pw"),
        bn("pw_bn", "p", "pb", 64, inits),
        helper.make_node("Constant", [], ["lo"], name="lo", value=helper.make_tensor("lo_v", FLOAT, [], [0.0])),
        helper.make_node("Constant", [], ["hi"], name="hi", value=helper.make_tensor("hi_v", FLOAT, [], [6.0])),
        helper.make_node("Clip", ["pb", "lo", "hi"], ["y"], name="pw_relu6"),
    ]
    save("depthwise_separable", nodes, [value("x", [1, 32, 28, 28])], [value("y", [1, 64, 14, 14])], inits)


def se_block():
    # Squeeze-excitation: GlobalAveragePool, Flatten, FC, Relu, FC, Sigmoid, Reshape, then the channel scale
    # Mul(x [1,32,8,8], s [1,32,1,1]): a broadcast Mul, which has no case (skipped "Mul (broadcast)").
    inits = [zeros("fc1.weight", 8, 32), zeros("fc1.bias", 8), zeros("fc2.weight", 32, 8), zeros("fc2.bias", 32),
             ints("scale_shape", [1, 32, 1, 1])]
    nodes = [
        helper.make_node("GlobalAveragePool", ["x"], ["g"], name="squeeze"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten", axis=1),
        helper.make_node("Gemm", ["f", "fc1.weight", "fc1.bias"], ["h"], name="fc1", transB=1),
        helper.make_node("Relu", ["h"], ["hr"], name="relu"),
        helper.make_node("Gemm", ["hr", "fc2.weight", "fc2.bias"], ["e"], name="fc2", transB=1),
        helper.make_node("Sigmoid", ["e"], ["s"], name="gate"),
        helper.make_node("Reshape", ["s", "scale_shape"], ["s4"], name="reshape"),
        helper.make_node("Mul", ["x", "s4"], ["y"], name="scale"),
    ]
    save("se_block", nodes, [value("x", [1, 32, 8, 8])], [value("y", [1, 32, 8, 8])], inits)


def gemm_head():
    # Flatten + Gemm transB=1 (with bias C) + Relu + Gemm transB=0 at batch 2.
    inits = [zeros("fc1.weight", 10, 64), zeros("fc1.bias", 10), zeros("fc2.weight", 10, 5)]
    nodes = [
        helper.make_node("Flatten", ["x"], ["f"], name="flatten"),
        helper.make_node("Gemm", ["f", "fc1.weight", "fc1.bias"], ["h"], name="fc1", transB=1),
        helper.make_node("Relu", ["h"], ["hr"], name="relu"),
        helper.make_node("Gemm", ["hr", "fc2.weight"], ["y"], name="fc2"),
    ]
    save("gemm_head", nodes, [value("x", [2, 16, 2, 2])], [value("y", [2, 5])], inits)


def matmul_head():
    # MatMul with a 2-D initializer + Add bias (skipped "Add (bias)") + Relu at batch 4; a MatMul on 3-D tokens
    # (N = 2 x 3); a MatMul of two activations (batched: skipped).
    inits = [zeros("fc.weight", 128, 32), zeros("fc.bias", 32), zeros("proj.weight", 16, 8)]
    nodes = [
        helper.make_node("MatMul", ["x", "fc.weight"], ["m"], name="fc"),
        helper.make_node("Add", ["m", "fc.bias"], ["mb"], name="fc_bias"),
        helper.make_node("Relu", ["mb"], ["y"], name="relu"),
        helper.make_node("MatMul", ["tokens", "proj.weight"], ["t"], name="proj"),
        helper.make_node("MatMul", ["t", "keys"], ["scores"], name="attention"),
    ]
    save("matmul_head", nodes, [value("x", [4, 128]), value("tokens", [2, 3, 16]), value("keys", [2, 8, 3])],
         [value("y", [4, 32]), value("scores", [2, 3, 3])], inits)


def bn_unfolded():
    # A BN that cannot be folded: its conv's output also feeds the Add; and a BN after the Add (no conv before it).
    inits = [zeros("conv.weight", 8, 8, 1, 1)]
    nodes = [
        helper.make_node("Conv", ["x", "conv.weight"], ["c"], name="conv"),
        bn("bn_shared", "c", "b", 8, inits),
        helper.make_node("Add", ["b", "c"], ["a"], name="add"),
        bn("bn_after_add", "a", "ab", 8, inits),
        helper.make_node("Relu", ["ab"], ["y"], name="relu"),
    ]
    save("bn_unfolded", nodes, [value("x", [1, 8, 8, 8])], [value("y", [1, 8, 8, 8])], inits)


def unsupported_op():
    # Operators with no case: Resize, Softmax, LeakyRelu, a Clip of another range; around them a conv, relu, max
    # pool, global pool.
    inits = [zeros("conv.weight", 4, 3, 3, 3), numpy_helper.from_array(np.array([1, 1, 2, 2], np.float32), "scales"),
             scalar("clip_lo", -1.0), scalar("clip_hi", 1.0)]
    nodes = [
        helper.make_node("Conv", ["x", "conv.weight"], ["c"], name="conv", pads=[1, 1, 1, 1]),
        helper.make_node("Resize", ["c", "", "scales"], ["u"], name="upsample", mode="nearest"),
        helper.make_node("Relu", ["u"], ["r"], name="relu"),
        helper.make_node("LeakyRelu", ["r"], ["l"], name="leaky", alpha=0.1),
        helper.make_node("Clip", ["l", "clip_lo", "clip_hi"], ["cl"], name="hardtanh"),
        helper.make_node("MaxPool", ["cl"], ["p"], name="pool", kernel_shape=[2, 2], strides=[2, 2]),
        helper.make_node("GlobalAveragePool", ["p"], ["g"], name="gap"),
        helper.make_node("Flatten", ["g"], ["f"], name="flatten"),
        helper.make_node("Softmax", ["f"], ["y"], name="softmax", axis=1),
    ]
    save("unsupported_op", nodes, [value("x", [1, 3, 8, 8])], [value("y", [1, 4])], inits)


def silu():
    # Sigmoid(x) * x -> silu (the Mul consumed), HardSwish, HardSigmoid(1/6, 0.5)(h) * h -> hardswish, and a lone
    # Sigmoid (opset 14: HardSwish's first).
    nodes = [
        helper.make_node("Sigmoid", ["x"], ["s"], name="silu_gate"),
        helper.make_node("Mul", ["x", "s"], ["a"], name="silu_mul"),
        helper.make_node("HardSwish", ["a"], ["h"], name="hardswish"),
        helper.make_node("HardSigmoid", ["h"], ["hs"], name="hs_gate", alpha=1.0 / 6.0, beta=0.5),
        helper.make_node("Mul", ["hs", "h"], ["h2"], name="hs_mul"),
        helper.make_node("Sigmoid", ["h2"], ["y"], name="sigmoid"),
    ]
    save("silu", nodes, [value("x", [1, 16, 8, 8])], [value("y", [1, 16, 8, 8])], [], opset=14)


def relu6_opset10():
    # Clip's bounds as attributes (before opset 11): Clip(0, 6) -> relu6, Clip(0, 1) -> skipped.
    nodes = [
        helper.make_node("Clip", ["x"], ["a"], name="relu6", min=0.0, max=6.0),
        helper.make_node("Clip", ["a"], ["y"], name="clip01", min=0.0, max=1.0),
    ]
    save("relu6_opset10", nodes, [value("x", [1, 8, 4, 4])], [value("y", [1, 8, 4, 4])], [], opset=10)


def refused():
    # One file per refusal; each must fail naming the file and the node.
    save("dilated_conv", [helper.make_node("Conv", ["x", "w"], ["y"], name="dilated", dilations=[2, 2],
                                           pads=[2, 2, 2, 2])],
         [value("x", [1, 4, 16, 16])], [value("y", [1, 4, 16, 16])], [zeros("w", 4, 4, 3, 3)])
    save("asymmetric_pad", [helper.make_node("Conv", ["x", "w"], ["y"], name="asym", pads=[0, 0, 1, 1])],
         [value("x", [1, 4, 8, 8])], [value("y", [1, 4, 8, 8])], [zeros("w", 4, 4, 2, 2)])
    save("ceil_pool", [helper.make_node("MaxPool", ["x"], ["y"], name="ceil", kernel_shape=[3, 3], strides=[2, 2],
                                        ceil_mode=1)],
         [value("x", [1, 4, 8, 8])], [value("y", [1, 4, 4, 4])], [])
    save("symbolic_spatial", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
         [value("x", [1, 3, "height", "width"])], [value("y", [1, 3, "height", "width"])], [])
    # Opset 18 is newer than ONNX 1.12 (the checker would refuse it too).
    save("opset18", [helper.make_node("Relu", ["x"], ["y"], name="relu")],
         [value("x", [1, 3, 4, 4])], [value("y", [1, 3, 4, 4])], [], opset=18, check=False)


def malformed():
    # Random bytes: not a protobuf message (checked below with onnx's own parser).
    rng = random.Random(20240601)
    data = bytes(rng.randrange(256) for _ in range(512))
    try:
        onnx.load_model_from_string(data)
    except Exception:  # noqa: BLE001 - any parse error is what is wanted
        pass
    else:
        sys.exit("make-test-onnx: the random bytes parsed as a model; change the seed")
    path = os.path.join(OUT, "malformed.onnx")
    with open(path, "wb") as f:
        f.write(data)
    print(f"{path}: {len(data)} bytes")


def torchvision_networks():
    # The four built-in networks (layers/networks.hpp) as torchvision exports them, without parameters.
    import torch
    import torchvision

    for name in ("alexnet", "vgg16", "resnet18", "mobilenet_v2"):
        model = getattr(torchvision.models, name)(weights=None).eval()
        path = os.path.join(OUT, f"torchvision_{name}.onnx")
        torch.onnx.export(model, torch.zeros(1, 3, 224, 224), path, export_params=False, opset_version=13,
                          do_constant_folding=True, input_names=["input"], output_names=["logits"])
        # torch names nodes after modules ("/layer1/layer1.0/conv1/Conv") from 1.13 on; keep the file as written.
        print(f"{path}: {os.path.getsize(path)} bytes (torch {torch.__version__}, "
              f"torchvision {torchvision.__version__})")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--torchvision", action="store_true",
                        help="also export torchvision's alexnet, vgg16, resnet18 and mobilenet_v2 (needs torch)")
    args = parser.parse_args()
    os.makedirs(OUT, exist_ok=True)
    residual_block()
    depthwise_separable()
    se_block()
    gemm_head()
    matmul_head()
    bn_unfolded()
    unsupported_op()
    silu()
    relu6_opset10()
    refused()
    malformed()
    if args.torchvision:
        torchvision_networks()


if __name__ == "__main__":
    main()
