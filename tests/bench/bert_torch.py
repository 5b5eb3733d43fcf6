#!/usr/bin/python3
"""PyTorch peer of tests/bench/bench_bert.c (same model, same work, same
threads) for tests/bench/run_bert.sh. Debian's python3-torch, CPU.

    bert_torch.py train B T REPS  |  bert_torch.py fwd1 T[,T..] REPS [L:H:A:F]

Model: post-LN BERT classifier L4:H256:A8:F1024 unless given, vocab 30522,
max_seq 128, 2 classes, dropout 0.1, exact GELU, [CLS] tanh pooler;
training step = forward, cross-entropy, backward, clip_grad_norm_(1.0),
AdamW(lr 1e-3, wd 0.01). Prints "key value ..." with the median of REPS
timed repetitions of wall ("seconds") and process CPU time ("cpu").

fwd1 runs each T in every inference configuration PyTorch documents for
CPU (one line each, "cfg NAME"), alternating run by run:
  eager   torch.inference_mode() (no autograd bookkeeping at all)
  jit     torch.jit.trace + torch.jit.freeze (constants folded, fused ops)
  onednn  jit + torch.jit.optimize_for_inference (oneDNN/MKL-DNN weight
          prepacking and conv/linear fusions)
The fastest is reported against hwnas."""
import math
import os
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "1")))
V, MAXT, H, L, A, FF, NC, P = 30522, 128, 256, 4, 8, 1024, 2, 0.1


def set_shape(spec):
    """L:H:A:F -> the module-level shape used by the classes below."""
    global L, H, A, FF
    L, H, A, FF = (int(x) for x in spec.split(":"))


class Layer(nn.Module):
    def __init__(self):
        super().__init__()
        self.q, self.k, self.v, self.o = (nn.Linear(H, H) for _ in range(4))
        self.ln1, self.ln2 = nn.LayerNorm(H, eps=1e-12), nn.LayerNorm(H, eps=1e-12)
        self.f1, self.f2 = nn.Linear(H, FF), nn.Linear(FF, H)

    def forward(self, x, mask):
        B, T, _ = x.shape
        hs = H // A
        q = self.q(x).view(B, T, A, hs).transpose(1, 2)
        k = self.k(x).view(B, T, A, hs).transpose(1, 2)
        v = self.v(x).view(B, T, A, hs).transpose(1, 2)
        s = (q @ k.transpose(-1, -2)) / math.sqrt(hs) + mask
        y = (torch.softmax(s, -1) @ v).transpose(1, 2).reshape(B, T, H)
        x = self.ln1(x + F.dropout(self.o(y), P, self.training))
        return self.ln2(x + F.dropout(self.f2(F.gelu(self.f1(x))), P, self.training))


class Bert(nn.Module):
    def __init__(self):
        super().__init__()
        self.wte, self.wpe, self.wtt = nn.Embedding(V, H), nn.Embedding(MAXT, H), nn.Embedding(2, H)
        self.ln = nn.LayerNorm(H, eps=1e-12)
        self.layers = nn.ModuleList(Layer() for _ in range(L))
        self.pool, self.cls = nn.Linear(H, H), nn.Linear(H, NC)

    def forward(self, tok, attn):
        B, T = tok.shape
        x = self.wte(tok) + self.wpe.weight[:T][None] + self.wtt.weight[0]
        x = F.dropout(self.ln(x), P, self.training)
        mask = (1.0 - attn[:, None, None, :].float()) * -1e9
        for layer in self.layers:
            x = layer(x, mask)
        return self.cls(F.dropout(torch.tanh(self.pool(x[:, 0])), P, self.training))


def med(ts):
    ts = sorted(ts)
    n = len(ts)
    return ts[n // 2] if n % 2 else 0.5 * (ts[n // 2 - 1] + ts[n // 2])


def main():
    torch.manual_seed(1)
    mode = sys.argv[1]
    if mode == "fwd1" and len(sys.argv) > 4:
        set_shape(sys.argv[4])
    m = Bert()
    if mode == "train":
        B, T, reps = int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
        tok = torch.randint(1000, 21000, (B, T))
        attn = torch.ones(B, T, dtype=torch.long)
        lab = torch.arange(B) % 2
        opt = torch.optim.AdamW(m.parameters(), lr=1e-3, weight_decay=0.01)
        m.train()
        ts, us = [], []
        for k in range(reps + 2):
            t0, c0 = time.perf_counter(), time.process_time()
            loss = F.cross_entropy(m(tok, attn), lab)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(m.parameters(), 1.0)
            opt.step()
            if k >= 2:
                ts.append(time.perf_counter() - t0)
                us.append(time.process_time() - c0)
        md, mc = med(ts), med(us)
        print("train B %d T %d seconds %.6f cpu %.6f tokens_per_s %.1f tokens_per_cpu_s %.1f loss %.4f"
              % (B, T, md, mc, B * T / md, B * T / mc, float(loss)))
    elif mode == "fwd1":
        Ts, reps = [int(t) for t in sys.argv[2].split(",")], int(sys.argv[3])
        m.eval()
        shape = "L%d:H%d:A%d:F%d" % (L, H, A, FF)
        for T in Ts:
            tok = torch.randint(1000, 21000, (1, T))
            attn = torch.ones(1, T, dtype=torch.long)
            with torch.inference_mode():
                jit = torch.jit.freeze(torch.jit.trace(m, (tok, attn)))
                cfgs = {"eager": m, "jit": jit,
                        "onednn": torch.jit.optimize_for_inference(torch.jit.trace(m, (tok, attn)))}
                ts = {k: [] for k in cfgs}
                us = {k: [] for k in cfgs}
                for k in range(reps + 3):
                    for name, f in cfgs.items():
                        t0, c0 = time.perf_counter(), time.process_time()
                        f(tok, attn)
                        if k >= 3:
                            ts[name].append(time.perf_counter() - t0)
                            us[name].append(time.process_time() - c0)
            for name in cfgs:
                md, mc = med(ts[name]), med(us[name])
                print("fwd1 T %d shape %s cfg %s seconds %.6f cpu %.6f ms %.3f cpu_ms %.3f cpu_min_ms %.3f"
                      % (T, shape, name, md, mc, md * 1e3, mc * 1e3, min(us[name]) * 1e3))
    else:
        sys.exit("unknown mode")


if __name__ == "__main__":
    main()
