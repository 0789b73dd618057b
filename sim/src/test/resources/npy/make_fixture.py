"""Writes the .npy fixture of RunNpyTest: attention-1pass inputs and NumPy's own attention on them.

Run once with NumPy (python3 make_fixture.py); the tests read the files and need no NumPy.
Q is saved as float32, K as float64 (NumPy's default, which an fp32 input accepts and rounds),
V as float16 widened to float32 after rounding, so the reader's three float paths are exercised.
"""
import numpy as np

rng = np.random.default_rng(20261201)
E, F, P, M = 8, 6, 5, 512
q = rng.standard_normal((E, P)).astype(np.float32)
k = rng.standard_normal((E, M)).astype(np.float32).astype(np.float64)
v = rng.standard_normal((F, M)).astype(np.float16)
d = "attention-1pass/"
np.save(d + "Q.npy", q)
np.save(d + "K.npy", k)
np.save(d + "V.npy", v)
np.save(d + "unrelated.npy", np.zeros(3))  # other files in the directory are ignored
s = (q.astype(np.float64).T @ k) / np.sqrt(E)          # (P, M)
a = np.exp(s - s.max(axis=1, keepdims=True))
a /= a.sum(axis=1, keepdims=True)
av = (a @ v.astype(np.float64).T).T                    # (F, P), the cascade's AV[f,p]
np.save("attention-1pass-expected-AV.npy", av)
