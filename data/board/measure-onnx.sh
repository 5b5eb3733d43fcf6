#!/bin/sh
# measure-onnx.sh RUNTIME ARCH_FILE WORK [batch=B] [seq_len=T] [warmup=W] [runs=R] [threads=N]
#
# A board's `command` runner step (data/configs/board-onnxruntime.yaml,
# board-trtexec.yaml): exports the candidate in ARCH_FILE with
# `hwnas export` to WORK/model.onnx (nb201 if the arch string starts with
# '|', else bert; random weights: latency does not depend on them), then
# times it with RUNTIME:
#   onnxruntime  ONNX Runtime on this CPU (node + onnxruntime-node, found in
#                $HWNAS_ORT_NODE_PATH, default /opt/hwnas/ort/node_modules);
#                prints one "ort latency: X ms" line per timed run
#   trtexec      TensorRT's trtexec (on PATH, e.g. /usr/src/tensorrt/bin on
#                JetPack) with --avgRuns=1, one "GPU latency: X ms" per run
# Defaults: batch 1, seq_len 128, warmup 10 (trtexec: 500 ms), runs 50,
# threads 1. The hwnas binary is $HWNAS, else the one installed beside this
# script (PREFIX/bin/hwnas for PREFIX/share/hwnas/board/), else on PATH.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 onnxruntime|trtexec ARCH_FILE WORK [key=value...]" >&2; exit 2; }
runtime=$1 arch_file=$2 work=$3
shift 3
batch=1 seq_len=128 warmup= runs=50 threads=1
for kv in "$@"; do
    case $kv in
    batch=*) batch=${kv#*=} ;;
    seq_len=*) seq_len=${kv#*=} ;;
    warmup=*) warmup=${kv#*=} ;;
    runs=*) runs=${kv#*=} ;;
    threads=*) threads=${kv#*=} ;;
    *) echo "$0: unknown option '$kv' (batch= seq_len= warmup= runs= threads=)" >&2; exit 2 ;;
    esac
done
here=$(cd "$(dirname "$0")" && pwd)
hw=${HWNAS:-}
if [ -z "$hw" ]; then
    if [ -x "$here/../../../bin/hwnas" ]; then hw=$here/../../../bin/hwnas; else hw=hwnas; fi
fi
arch=$(cat "$arch_file")
case $arch in
'|'*) space=nb201; set -- --space nb201 ;;
*) space=bert; set -- --space bert --seq-len "$seq_len" ;;
esac
"$hw" export "$arch" "$@" --batch "$batch" --onnx "$work/model.onnx"
case $runtime in
onnxruntime)
    NODE_PATH=${HWNAS_ORT_NODE_PATH:-/opt/hwnas/ort/node_modules} \
        exec node "$here/ort_bench.js" "$work/model.onnx" "${warmup:-10}" "$runs" "$threads" "$space" "$batch" "$seq_len"
    ;;
trtexec)
    exec trtexec --onnx="$work/model.onnx" --warmUp="${warmup:-500}" --iterations="$runs" --avgRuns=1
    ;;
*) echo "$0: unknown runtime '$runtime' (onnxruntime or trtexec)" >&2; exit 2 ;;
esac
