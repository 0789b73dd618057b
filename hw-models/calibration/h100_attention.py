"""Calibration measurements for Cascade's H100 device model (issue #6).

Times PyTorch's scaled_dot_product_attention (bf16) for prefill (causal, full queries) and for
decode (one query against a KV cache, with and without grouped-query heads), and bf16 GEMMs, on
the GPU this runs on. Writes one CSV row per point: what ran, its FLOPs and the bytes it must move
at least (inputs read once, output written once), and the median of the timed runs in ms.

  python3 h100_attention.py OUT.csv               # the calibration points
  python3 h100_attention.py OUT.csv --held-out    # other shapes, to test the fitted model on

Each point: 3 warm-up calls, then 20 timed calls between CUDA events; the median is kept.
"""
import csv
import statistics
import sys

import torch
import torch.nn.functional as F


def timed(fn, reps=20, warmup=3):
    for _ in range(warmup):
        fn()
    torch.cuda.synchronize()
    times = []
    for _ in range(reps):
        a = torch.cuda.Event(enable_timing=True)
        b = torch.cuda.Event(enable_timing=True)
        a.record()
        fn()
        b.record()
        torch.cuda.synchronize()
        times.append(a.elapsed_time(b))
    return statistics.median(times)


CALIBRATION = dict(
    prefill=[(1, 32, 512, 128), (1, 32, 2048, 128), (1, 32, 8192, 128), (4, 32, 2048, 128), (4, 32, 8192, 128),
             (8, 64, 4096, 128)],
    decode=[(1, 32, 32, 1024, 128), (1, 32, 32, 16384, 128), (16, 32, 32, 4096, 128), (64, 32, 32, 4096, 128),
            (64, 32, 32, 16384, 128), (16, 64, 8, 4096, 128), (64, 64, 8, 16384, 128), (128, 64, 8, 32768, 128)],
    gemm=[(4096, 4096, 4096), (8192, 8192, 8192), (16, 8192, 8192), (128, 8192, 8192), (256, 28672, 8192),
          (2048, 28672, 8192)])
HELD_OUT = dict(
    prefill=[(2, 40, 1024, 128), (1, 64, 16384, 128), (16, 32, 1024, 64), (2, 16, 4096, 64)],
    decode=[(8, 40, 40, 2048, 128), (32, 32, 8, 8192, 128), (256, 64, 8, 4096, 128), (4, 32, 32, 32768, 128),
            (32, 16, 16, 2048, 64)],
    gemm=[(64, 4096, 4096), (1024, 11008, 4096), (3072, 3072, 3072), (32, 28672, 8192)])


def main(out, points):
    dev = torch.device("cuda")
    dt = torch.bfloat16
    rows = []
    name = torch.cuda.get_device_name(0)
    # Prefill: causal attention over the whole prompt.
    for b, h, s, d in points["prefill"]:
        q = torch.randn(b, h, s, d, device=dev, dtype=dt)
        k = torch.randn(b, h, s, d, device=dev, dtype=dt)
        v = torch.randn(b, h, s, d, device=dev, dtype=dt)
        ms = timed(lambda: F.scaled_dot_product_attention(q, k, v, is_causal=True))
        flops = 4 * b * h * s * s * d / 2  # QK and PV, half the pairs under the causal mask
        byts = 2 * (4 * b * h * s * d)  # q, k, v read, output written, bf16
        rows.append(dict(kind="prefill", batch=b, heads=h, kvHeads=h, queryLen=s, kvLen=s, headDim=d, m=0, n=0, k=0,
                         flops=flops, bytes=byts, medianMs=ms))
        del q, k, v
    # Decode: one query per sequence against its KV cache.
    for b, h, hkv, s, d in points["decode"]:
        q = torch.randn(b, h, 1, d, device=dev, dtype=dt)
        k = torch.randn(b, hkv, s, d, device=dev, dtype=dt)
        v = torch.randn(b, hkv, s, d, device=dev, dtype=dt)
        ms = timed(lambda: F.scaled_dot_product_attention(q, k, v, enable_gqa=hkv != h))
        flops = 4 * b * h * s * d
        byts = 2 * (2 * b * hkv * s * d + 2 * b * h * d)
        rows.append(dict(kind="decode", batch=b, heads=h, kvHeads=hkv, queryLen=1, kvLen=s, headDim=d, m=0, n=0, k=0,
                         flops=flops, bytes=byts, medianMs=ms))
        del q, k, v
        torch.cuda.empty_cache()
    # GEMMs: square, and the skinny shapes of decoding projections.
    for m, n, k in points["gemm"]:
        a = torch.randn(m, k, device=dev, dtype=dt)
        w = torch.randn(k, n, device=dev, dtype=dt)
        ms = timed(lambda: a @ w)
        rows.append(dict(kind="gemm", batch=1, heads=0, kvHeads=0, queryLen=0, kvLen=0, headDim=0, m=m, n=n, k=k,
                         flops=2 * m * n * k, bytes=2 * (m * k + k * n + m * n), medianMs=ms))
    with open(out, "w", newline="") as f:
        f.write(f"# {name}; torch {torch.__version__}; bf16; median of 20 timed calls after 3 warm-ups\n")
        wr = csv.DictWriter(f, fieldnames=list(rows[0].keys()), lineterminator="\n")
        wr.writeheader()
        for r in rows:
            wr.writerow(r)
    for r in rows:
        print(r["kind"], r["batch"], r["heads"], r["kvHeads"], r["queryLen"], r["kvLen"], r["m"], r["n"], r["k"],
              "%.4f ms" % r["medianMs"], "%.1f TFLOP/s" % (r["flops"] / r["medianMs"] / 1e9),
              "%.0f GB/s" % (r["bytes"] / r["medianMs"] / 1e6))


if __name__ == "__main__":
    main(sys.argv[1], HELD_OUT if "--held-out" in sys.argv[2:] else CALIBRATION)
