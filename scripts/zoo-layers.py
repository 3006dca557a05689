#!/usr/bin/env python3
"""The distinct conv and FC layers of torchvision's classification models, as a layer CSV (the layer_bench --grid=FILE
format): real networks' shapes (MobileNet's 24/96/144/576 channels, EfficientNet's 5x5 depthwise, RegNet's groups,
the stems at 160, 224 and 320 pixels), off the model grid's values. Needs torch and torchvision (apt: python3-torch
python3-torchvision; /usr/bin/python3). Writes to OUT (default stdout); the count goes to stderr.

    /usr/bin/python3 scripts/zoo-layers.py tests/fixtures/layers/torchvision-zoo.csv
"""
import csv
import sys

NETWORKS = ['alexnet', 'vgg11', 'vgg16', 'resnet18', 'resnet34', 'resnet50', 'resnet101', 'resnext50_32x4d',
            'wide_resnet50_2', 'densenet121', 'googlenet', 'squeezenet1_0', 'squeezenet1_1', 'shufflenet_v2_x1_0',
            'mobilenet_v2', 'mobilenet_v3_small', 'mobilenet_v3_large', 'mnasnet1_0', 'efficientnet_b0',
            'efficientnet_b3', 'regnet_y_400mf', 'regnet_x_1_6gf']
RESOLUTIONS = [160, 224, 320]


def pair(v):
    return v if isinstance(v, tuple) else (v, v)


def layers_of(torch, model, resolution):
    found = []

    def conv_hook(mod, inputs, _out):
        x = inputs[0]
        (r, s), (stride, stride_w), (pad, pad_w) = pair(mod.kernel_size), pair(mod.stride), pair(mod.padding)
        if stride != stride_w or pad != pad_w or isinstance(mod.padding, str) or pair(mod.dilation) != (1, 1):
            return  # the case name has one stride and one pad, and no dilation
        found.append(('conv', 1, x.shape[1], x.shape[2], x.shape[3], mod.out_channels, r, s, stride, pad, mod.groups,
                      '', ''))

    def fc_hook(mod, inputs, _out):
        found.append(('fc', 1, '', '', '', '', '', '', '', '', '', mod.in_features, mod.out_features))

    hooks = []
    for m in model.modules():
        if isinstance(m, torch.nn.Conv2d):
            hooks.append(m.register_forward_hook(conv_hook))
        elif isinstance(m, torch.nn.Linear):
            hooks.append(m.register_forward_hook(fc_hook))
    with torch.no_grad():
        model(torch.zeros(1, 3, resolution, resolution))
    for h in hooks:
        h.remove()
    return found


def main():
    try:
        import torch
        import torchvision.models as models
    except ImportError as e:
        print(f"zoo-layers.py: needs torch and torchvision ({e}); apt install python3-torch python3-torchvision",
              file=sys.stderr)
        return 2
    rows = set()
    for name in NETWORKS:
        kwargs = {'aux_logits': False, 'init_weights': False} if name == 'googlenet' else {}
        model = getattr(models, name)(**kwargs).eval()
        for resolution in RESOLUTIONS:
            rows.update(layers_of(torch, model, resolution))
    out = open(sys.argv[1], 'w', newline='') if len(sys.argv) > 1 else sys.stdout
    writer = csv.writer(out, lineterminator='\n')
    writer.writerow(['type', 'N', 'C', 'H', 'W', 'K', 'R', 'S', 'stride', 'pad', 'groups', 'in', 'out'])
    for row in sorted(rows, key=lambda r: tuple(str(v).zfill(8) for v in r)):
        writer.writerow(row)
    print(f"zoo-layers.py: {len(rows)} distinct layers of {len(NETWORKS)} networks at {RESOLUTIONS} px", file=sys.stderr)
    return 0


if __name__ == '__main__':
    sys.exit(main())
