/**
 * Running cascades on numbers. {@link cascade.einsum.exec.Executor} is the fast golden model
 * (Vector API: a packed, register-tiled GEMM for contractions and a row-vectorised kernel for
 * everything else, stepping over a recurrence rank with windowed storage);
 * {@link cascade.einsum.exec.Oracle} is the deliberately simple double-precision model that
 * checks it. {@link cascade.einsum.exec.Tensors} makes reproducible inputs and measures error;
 * {@link cascade.einsum.exec.Session} drives the executor's kernels one run at a time for the
 * simulator's timing with values. Kernels are compiled per run and own their scratch (one slot
 * per share of a parallel job), so nothing of a finished run outlives it on the pool's threads.
 */
package cascade.einsum.exec;
