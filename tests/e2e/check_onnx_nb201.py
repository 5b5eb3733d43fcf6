#!/usr/bin/env python3
"""check_onnx_nb201.py DIR [MODEL.onnx...]: checks hwnas-exported NB201 ONNX
models with python3-onnx (an implementation hwnas did not write).

For DIR (from `hwnas export --space nb201 --all DIR`): every DIR/nb201_*.onnx
must pass onnx.checker and strict shape inference, produce
logits (1,10), and its conv/linear MACs and weights -- computed from the
inferred shapes -- must equal the row of hwnas's layer model in
DIR/layers.csv; the weight count must equal the exporter's own.

Every model (DIR's and the extra MODEL.onnx files, full exports with data)
whose cell is in PUBLISHED must match NAS-Bench-201's parameter count and
FLOPs for it. Prints one line per checked group; exit 1 on any mismatch."""
import csv
import glob
import os
import sys

import onnx
from onnx import numpy_helper, shape_inference

# NAS-Bench-201 CIFAR-10 figures (NAS-Bench-201-v1_1-096897.pth, `params` in
# MB = 1e6 parameters, `flop` in MFLOPs; Dong & Yang, ICLR 2020). The
# benchmark's extremes, as re-exported from the API file by
# EMI-Group/evoxbench-derived code (`min_max_values['cifar10']`: params
# [0.073306, 1.531546], flops [7.78305, 220.11969]) and by an HPOBench
# data-exploration script (CIFAR-10 valid: min_params 0.073306, max_params
# 1.531546, min_flop 7.78305, max_flop 220.11969). The maximum is the cell
# with nor_conv_3x3 on every edge; the minimum every cell without
# convolutions (none / skip / avg-pool only), whose network is stem +
# reduction blocks + head. NAS-Bench-201 counts parameters as conv weights +
# BN affine (scale, bias) + linear weight and bias (no running statistics)
# and FLOPs as conv and linear multiply-accumulates plus the linear bias.
# These are the only per-cell figures we could cite; we found no table of
# individual cells' params/FLOPs beyond the extremes.
ALL3 = "|nor_conv_3x3~0|+|nor_conv_3x3~0|nor_conv_3x3~1|+|nor_conv_3x3~0|nor_conv_3x3~1|nor_conv_3x3~2|"
PUBLISHED = {
    ALL3: (1.531546, 220.11969),
    "|none~0|+|none~0|none~1|+|none~0|none~1|none~2|": (0.073306, 7.78305),
    "|skip_connect~0|+|skip_connect~0|skip_connect~1|+|skip_connect~0|skip_connect~1|skip_connect~2|": (0.073306, 7.78305),
    "|avg_pool_3x3~0|+|avg_pool_3x3~0|avg_pool_3x3~1|+|avg_pool_3x3~0|avg_pool_3x3~1|avg_pool_3x3~2|": (0.073306, 7.78305),
}
OPS = ["none", "skip_connect", "nor_conv_1x1", "nor_conv_3x3", "avg_pool_3x3"]


def counts(model):
    """(conv_macs, fc_macs, conv_w, fc_w, all_w, nb201_params, nb201_flops, out_dims)"""
    m = shape_inference.infer_shapes(model, strict_mode=True)
    g = m.graph
    dims = {}
    for vi in list(g.input) + list(g.value_info) + list(g.output):
        dims[vi.name] = [d.dim_value for d in vi.type.tensor_type.shape.dim]
    for t in g.initializer:
        dims[t.name] = list(t.dims)
    weights = {t.name for t in g.initializer if t.data_type == onnx.TensorProto.FLOAT and len(t.dims) > 0}
    weights |= {i.name for i in g.input if i.name != "input"}
    weights -= {"zero"}

    def n(name):
        p = 1
        for d in dims[name]:
            p *= d
        return p

    cm = fm = cw = fw = bn_affine = fc_bias = 0
    for nd in g.node:
        if nd.op_type == "Conv":
            w = dims[nd.input[1]]  # K, C, kh, kw
            cm += n(nd.output[0]) * w[1] * w[2] * w[3]
            cw += n(nd.input[1])
        elif nd.op_type == "Gemm":
            w = dims[nd.input[1]]  # out, in (transB)
            fm += dims[nd.input[0]][0] * w[0] * w[1]
            fw += n(nd.input[1])
            fc_bias += n(nd.input[2])
        elif nd.op_type == "BatchNormalization":
            bn_affine += n(nd.input[1]) + n(nd.input[2])
    all_w = sum(n(w) for w in weights)
    params = cw + bn_affine + fw + fc_bias
    flops = cm + fm + fc_bias
    return cm, fm, cw, fw, all_w, params, flops, dims[g.output[0].name]


def check_published(arch, params, flops, where):
    if arch not in PUBLISHED:
        return 0
    p_mb, f_m = PUBLISHED[arch]
    ok = round(params / 1e6, 6) == p_mb and round(flops / 1e6, 5) == f_m
    print(f"{where}: {arch}: params {params / 1e6:.6f} MB (NAS-Bench-201 {p_mb}), "
          f"FLOPs {flops / 1e6:.5f} M (NAS-Bench-201 {f_m}) {'ok' if ok else 'MISMATCH'}")
    return 0 if ok else 1


def main():
    bad = 0
    d = sys.argv[1]
    rows = {}
    if os.path.exists(os.path.join(d, "layers.csv")):
        with open(os.path.join(d, "layers.csv")) as f:
            for r in csv.DictReader(f):
                rows[int(r["index"])] = r
    files = sorted(glob.glob(os.path.join(d, "nb201_*.onnx")))
    if len(files) != len(rows):
        print(f"{d}: {len(files)} models but {len(rows)} rows in layers.csv")
        bad += 1
    for path in files:
        i = int(os.path.basename(path)[6:-5])
        m = onnx.load(path)
        try:
            onnx.checker.check_model(m)  # counts() runs strict shape inference
            cm, fm, cw, fw, all_w, params, flops, out = counts(m)
        except Exception as e:  # noqa: BLE001 -- report and count every failure
            print(f"{path}: rejected: {e}")
            bad += 1
            continue
        r = rows.get(i)
        want = (int(r["conv_macs"]), int(r["fc_macs"]), int(r["conv_weights"]), int(r["fc_weights"]), int(r["onnx_params"]))
        got = (cm, fm, cw, fw, all_w)
        if got != want or out != [1, 10]:
            print(f"{path} ({r['arch']}): onnx conv_macs,fc_macs,conv_w,fc_w,params {got} out {out}; "
                  f"hwnas layer model / exporter {want}")
            bad += 1
        bad += check_published(r["arch"], params, flops, path)
    for path in sys.argv[2:]:
        m = onnx.load(path)
        onnx.checker.check_model(m, full_check=True)
        cm, fm, cw, fw, all_w, params, flops, out = counts(m)
        arch = m.doc_string
        if arch not in PUBLISHED:
            print(f"{path}: doc_string '{arch}' is not a cited cell")
            bad += 1
            continue
        bad += check_published(arch, params, flops, path)
    print(f"checked {len(files)} structural models in {d} and {len(sys.argv) - 2} full models: {bad} problems")
    sys.exit(1 if bad else 0)


if __name__ == "__main__":
    main()
