// ort_bench.js MODEL.onnx WARMUP RUNS THREADS nb201 B | bert B T: times an
// hwnas-exported model (`hwnas export`, whose input shapes these are) in
// ONNX Runtime on the CPU (one intra-op pool of THREADS threads). nb201:
// input (B,3,32,32) = sin(i); bert: input_ids (B,T) = i * 7919 % 1000 +
// 1000, token_type_ids 0, attention_mask 1. Prints "ort latency: X ms" per
// timed run (data/board/measure-onnx.sh; the command runner's regex).
'use strict';
const ort = require('onnxruntime-node');

(async () => {
  const [model, warmup, runs, threads, space, B, T] = process.argv.slice(2);
  const s = await ort.InferenceSession.create(model, {intraOpNumThreads: +threads, interOpNumThreads: 1});
  const feeds = {};
  if (space === 'nb201') {
    const n = B * 3 * 32 * 32;
    feeds.input = new ort.Tensor('float32', Float32Array.from({length: n}, (_, i) => Math.sin(i)), [+B, 3, 32, 32]);
  } else {
    const n = B * T, ids = new BigInt64Array(n), seg = new BigInt64Array(n), mask = new BigInt64Array(n);
    for (let i = 0; i < n; i++) { ids[i] = BigInt((i * 7919) % 1000 + 1000); mask[i] = 1n; }
    feeds.input_ids = new ort.Tensor('int64', ids, [+B, +T]);
    feeds.token_type_ids = new ort.Tensor('int64', seg, [+B, +T]);
    feeds.attention_mask = new ort.Tensor('int64', mask, [+B, +T]);
  }
  for (let i = 0; i < +warmup; i++) await s.run(feeds);
  for (let i = 0; i < +runs; i++) {
    const t0 = process.hrtime.bigint();
    await s.run(feeds);
    console.log(`ort latency: ${(Number(process.hrtime.bigint() - t0) / 1e6).toFixed(4)} ms`);
  }
})().catch((e) => { console.error(`ort_bench: ${e.message}`); process.exit(1); });
