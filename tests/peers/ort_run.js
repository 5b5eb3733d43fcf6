// ort_run.js: runs hwnas-exported ONNX models in ONNX Runtime (onnxruntime-node)
// for the export tests. Prints one JSON object on stdout.
//
//   node ort_run.js nb201 MODEL.onnx B
//       input (B,3,32,32) of sin(i); -> {"dims": [...], "finite": bool, "logits": [...]}
//   node ort_run.js bert MODEL.onnx B T REF.csv
//       feeds the rows of REF.csv (written by `hwnas export --reference-out`:
//       row,len,ids,logits) in batches of B (token_type_ids 0, mask 1 on the
//       first len tokens) and compares ORT's logits with hwnas's per row:
//       rel = max_k |ort - hwnas| / max_k |hwnas|.
//       -> {"rows": n, "max_rel": x, "worst": {...}, "finite": bool}
'use strict';
const path = require('path');
const fs = require('fs');
const ort = require(path.join(__dirname, 'node_modules', 'onnxruntime-node'));

async function nb201(model, B) {
  const s = await ort.InferenceSession.create(model);
  const n = B * 3 * 32 * 32;
  const x = new ort.Tensor('float32', Float32Array.from({length: n}, (_, i) => Math.sin(i)), [B, 3, 32, 32]);
  const r = await s.run({input: x});
  const d = Array.from(r.logits.data);
  return {dims: r.logits.dims, finite: d.every(Number.isFinite), logits: d.slice(0, 10)};
}

async function bert(model, B, T, refPath) {
  const s = await ort.InferenceSession.create(model);
  const lines = fs.readFileSync(refPath, 'utf8').trim().split('\n').slice(1);
  const rows = lines.map((l) => {
    const [row, len, ids, logits] = l.split(',');
    return {row: +row, len: +len, ids: ids.split(' ').map(BigInt), logits: logits.split(' ').map(Number)};
  });
  let maxRel = 0, worst = null, finite = true;
  for (let i = 0; i + B <= rows.length; i += B) {
    const ids = new BigInt64Array(B * T), seg = new BigInt64Array(B * T), mask = new BigInt64Array(B * T);
    for (let b = 0; b < B; b++) {
      const r = rows[i + b];
      if (r.ids.length !== T) throw new Error(`row ${r.row}: ${r.ids.length} ids, want ${T}`);
      for (let t = 0; t < T; t++) {
        ids[b * T + t] = r.ids[t];
        mask[b * T + t] = t < r.len ? 1n : 0n;
      }
    }
    const out = await s.run({
      input_ids: new ort.Tensor('int64', ids, [B, T]),
      token_type_ids: new ort.Tensor('int64', seg, [B, T]),
      attention_mask: new ort.Tensor('int64', mask, [B, T]),
    });
    const NC = out.logits.dims[1];
    for (let b = 0; b < B; b++) {
      const r = rows[i + b], o = Array.from(out.logits.data.slice(b * NC, (b + 1) * NC));
      finite = finite && o.every(Number.isFinite);
      let diff = 0, scale = 0;
      for (let k = 0; k < NC; k++) {
        diff = Math.max(diff, Math.abs(o[k] - r.logits[k]));
        scale = Math.max(scale, Math.abs(r.logits[k]));
      }
      const rel = diff / scale;
      if (!(rel <= maxRel)) { maxRel = rel; worst = {row: r.row, ort: o, hwnas: r.logits}; }
    }
  }
  return {rows: Math.floor(rows.length / B) * B, max_rel: maxRel, worst, finite};
}

(async () => {
  const [mode, model, ...rest] = process.argv.slice(2);
  let res;
  if (mode === 'nb201') res = await nb201(model, +rest[0]);
  else if (mode === 'bert') res = await bert(model, +rest[0], +rest[1], rest[2]);
  else throw new Error(`unknown mode ${mode}`);
  console.log(JSON.stringify(res));
})().catch((e) => { console.error(`ort_run: ${e.message}`); process.exit(1); });
