"""Fits the H100's efficiencies in devices/catalog.yaml to h100-attention.csv (issue 19).

The model (cascade.hw.Device): a kernel takes a fixed overhead plus the longer of its compute and
its memory time. GEMM compute is flops / (peak x gemmCompute). Attention compute is, per (query,
key) pair, the pair's 4 x headDim matmul flops at the tensor-core peak plus one exp at the
special-function rate, over attentionCompute x s / (s + attentionHalfLength). Memory time is
bytes / (bandwidth x memory), one memory efficiency for every kernel that streams DRAM.
Least squares on the log of predicted / measured, over the calibration points only; the held-out
and repeated points are reported, not fitted to.

  python3 hw-models/calibration/fit.py
"""
import csv
import math
import pathlib

import numpy as np
from scipy.optimize import least_squares

HERE = pathlib.Path(__file__).parent
PEAK = 989e12  # bf16 dense, the catalog's h100
BANDWIDTH = 3.35e12
EXP = 3.87e12  # 132 SMs x 16 special-function ops a clock x 1.83 GHz, the catalog's expTeraOpsS
NAMES = ["gemmCompute", "gemmOverheadUs", "attentionCompute", "attentionHalfLength", "memory", "attentionOverheadUs"]


def read(name):
    with open(HERE / name) as f:
        return list(csv.DictReader(line for line in f if not line.startswith("#")))


def predict_ms(x, r):
    p = dict(zip(NAMES, x))
    flops, byts = float(r["flops"]), float(r["bytes"])
    memory = byts / (BANDWIDTH * p["memory"])
    if r["kind"] == "gemm":
        return 1e-3 * p["gemmOverheadUs"] + 1e3 * max(flops / (PEAK * p["gemmCompute"]), memory)
    s, d = int(r["kvLen"]), int(r["headDim"])
    pairs = flops / (4 * d)
    compute = (flops / PEAK + pairs / EXP) / (p["attentionCompute"] * s / (s + p["attentionHalfLength"]))
    return 1e-3 * p["attentionOverheadUs"] + 1e3 * max(compute, memory)


def main():
    calibration = read("h100-attention.csv")
    fit = least_squares(lambda x: [math.log(predict_ms(x, r) / float(r["medianMs"])) for r in calibration],
                        [0.8, 10, 0.66, 380, 0.92, 25], bounds=([0.1, 0, 0.1, 0, 0.1, 0], [1, 100, 1, 5000, 1, 100]))
    print("  ".join("%s %.4g" % nv for nv in zip(NAMES, fit.x)))
    for name in ("h100-attention.csv", "h100-attention-held-out.csv", "h100-attention-repeat.csv"):
        errors = [predict_ms(fit.x, r) / float(r["medianMs"]) - 1 for r in read(name)]
        print("%s n=%d max|err| %.1f%% mean|err| %.1f%%" % (name, len(errors), 100 * max(map(abs, errors)),
                                                          100 * np.mean(np.abs(errors))))


if __name__ == "__main__":
    main()
