#!/usr/bin/python3
"""Exports torchvision models to ONNX (opset 13) for xbar, with a reference run beside each.

Every model is built with weights=None and a fixed seed, so the random weights, the
reference input and PyTorch's output are reproducible. Beside MODEL.onnx the script writes
MODEL.input.npy and MODEL.output.npy for validating compiled programs later.

--strip-weights keeps the graph and every initializer's dims but drops the weight data and
marks the model so in its metadata (see strip_weights.py); vgg16 shrinks from over 500 MB to
kilobytes. Stripped files are named MODEL.stripped.onnx.

Run with /usr/bin/python3 (Debian's torch and torchvision):
  /usr/bin/python3 workloads/export_torchvision.py -o build/workloads resnet18 vgg16 --strip-weights
"""

import argparse
import os
import sys

import numpy as np
import onnx
import torch
import torchvision
from torchvision.models import convnext as tv_convnext
from torchvision.models import maxvit as tv_maxvit
from torchvision.models import swin_transformer as tv_swin
from torchvision.models import vision_transformer as tv_vit

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from strip_weights import strip_weights  # noqa: E402

# The six of the core path, then the newer models (transformers, NAS-found, segmentation
# heads) whose operators a user's own exports bring: name -> constructor arguments.
MODELS = {
    "resnet18": {}, "resnet50": {}, "vgg16": {}, "squeezenet1_1": {}, "mobilenet_v2": {},
    "alexnet": {},
    "convnext_tiny": {}, "vit_b_16": {}, "swin_t": {}, "maxvit_t": {}, "mnasnet0_5": {}, "shufflenet_v2_x1_0": {},
    "mobilenet_v3_large": {}, "efficientnet_b0": {}, "regnet_y_400mf": {},
    # no auxiliary heads (an inference graph), and torchvision's own init without scipy
    "googlenet": {"aux_logits": False, "init_weights": True},
    "inception_v3": {"aux_logits": False, "init_weights": True},
    "densenet121": {}, "vgg11_bn": {},
    # segmentation: no pretrained backbone either
    "fcn_resnet50": {"weights_backbone": None},
    "deeplabv3_mobilenet_v3_large": {"weights_backbone": None},
    "lraspp_mobilenet_v3_large": {"weights_backbone": None},
}
# Small configurations of torchvision's own transformer and ConvNeXt classes, exported with
# weights for exact validation (the full ones are stripped for cost): name -> (constructor,
# input shape). Their blocks are the full models' (attention with shifted windows, MBConv
# with squeeze-and-excitation, layer scale); only the widths and depths are small.
MINI_MODELS = {
    "vit_mini": (lambda: tv_vit.VisionTransformer(
        image_size=32, patch_size=4, num_layers=2, num_heads=2, hidden_dim=64, mlp_dim=128,
        num_classes=10), (1, 3, 32, 32)),
    "swin_mini": (lambda: tv_swin.SwinTransformer(
        patch_size=[4, 4], embed_dim=32, depths=[2, 2], num_heads=[2, 4], window_size=[4, 4],
        num_classes=10), (1, 3, 32, 32)),
    "convnext_mini": (lambda: tv_convnext.ConvNeXt(
        [tv_convnext.CNBlockConfig(32, 64, 1), tv_convnext.CNBlockConfig(64, None, 1)],
        num_classes=10), (1, 3, 32, 32)),
    "maxvit_mini": (lambda: tv_maxvit.MaxVit(
        input_size=(32, 32), stem_channels=16, partition_size=2, block_channels=[16, 32],
        block_layers=[1, 1], head_dim=8, stochastic_depth_prob=0.0, num_classes=10),
        (1, 3, 32, 32)),
}
SEGMENTATION = {"fcn_resnet50", "deeplabv3_mobilenet_v3_large", "lraspp_mobilenet_v3_large"}
OPSET = 13
SEED = 0
INPUT_SHAPE = (1, 3, 224, 224)
INPUT_SHAPES = {"inception_v3": (1, 3, 299, 299)}  # what the model was designed for


def export(name: str, out_dir: str, stripped: bool) -> str:
    torch.manual_seed(SEED)
    if name in MINI_MODELS:
        build, shape = MINI_MODELS[name]
        net = build().eval()
        if isinstance(net, tv_vit.VisionTransformer):
            # torchvision zero-initialises ViT's head, so every output would be its zero bias
            # and a wrong encoder would still validate: a random head reads the encoder.
            torch.nn.init.normal_(net.heads.head.weight, std=0.5)
            torch.nn.init.normal_(net.heads.head.bias, std=0.5)
        source = f"a small {type(net).__name__} of torchvision.models (export_torchvision.py)"
    else:
        zoo = torchvision.models.segmentation if name in SEGMENTATION else torchvision.models
        net = getattr(zoo, name)(weights=None, **MODELS[name]).eval()
        shape = INPUT_SHAPES.get(name, INPUT_SHAPE)
        source = f"torchvision.models.{name}(weights=None)"
    x = torch.randn(*shape, generator=torch.Generator().manual_seed(SEED + 1))
    with torch.no_grad():
        y = net(x)
    if isinstance(y, dict):  # the segmentation models' {"out": ...}
        y = y["out"]
    stem = os.path.join(out_dir, name + (".stripped" if stripped else ""))
    tmp = stem + ".onnx.tmp"
    torch.onnx.export(net, x, tmp, opset_version=OPSET, input_names=["input"],
                      output_names=["output"], do_constant_folding=True)
    model = onnx.load(tmp)
    model.producer_name = f"xbar export_torchvision.py (torchvision {torchvision.__version__})"
    entry = model.metadata_props.add()
    entry.key, entry.value = "xbar.source", f"{source}, seed {SEED}"
    if stripped:
        strip_weights(model)
    onnx.save(model, tmp)
    # Written under temporary names and renamed, so an interrupted export leaves no half file.
    for suffix, array in ((".input.npy", x.numpy()), (".output.npy", y.numpy())):
        np.save(stem + suffix + ".tmp.npy", array)
        os.replace(stem + suffix + ".tmp.npy", stem + suffix)
    os.replace(tmp, stem + ".onnx")
    return stem + ".onnx"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("models", nargs="*", default=list(MODELS)[:6],
                        help=f"any of {', '.join(list(MODELS) + list(MINI_MODELS))}")
    parser.add_argument("-o", "--out", required=True, help="output directory")
    parser.add_argument("--strip-weights", action="store_true", help="drop weight data")
    parser.add_argument("--skip-existing", action="store_true",
                        help="skip models whose .onnx already exists")
    args = parser.parse_args()
    for name in args.models:
        if name not in MODELS and name not in MINI_MODELS:
            print(f"export_torchvision.py: unknown model '{name}'; expected one of "
                  f"{', '.join(list(MODELS) + list(MINI_MODELS))}", file=sys.stderr)
            return 1
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(os.cpu_count() or 1)
    for name in args.models:
        target = os.path.join(args.out, name + (".stripped" if args.strip_weights else "") + ".onnx")
        if args.skip_existing and os.path.exists(target):
            continue
        path = export(name, args.out, args.strip_weights)
        print(f"exported {path} ({os.path.getsize(path) / 2**20:.2f} MiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
