/**
 * The Einsum-cascade IR: what an attention algorithm computes, with no hardware in it.
 *
 * <p>A {@link cascade.einsum.Cascade} is parsed from text ({@link cascade.einsum.Cascade#parse}),
 * validated, and kept as immutable records ({@link cascade.einsum.Einsum}, {@link cascade.einsum.Expr},
 * {@link cascade.einsum.Index}, {@link cascade.einsum.Predicate}, {@link cascade.einsum.TensorDecl})
 * plus a JGraphT dataflow DAG. Every error a user can cause is an
 * {@link cascade.einsum.InvalidInputException} carrying {@code file:line:col} diagnostics.
 * {@link cascade.einsum.StepPlan} decides how a cascade with a recurrence is executed step by
 * step; the executor, the oracle and the footprint analysis all use it.
 * {@link cascade.einsum.CascadeLibrary} loads the attention library from resources.
 *
 * <p>Sub-packages: {@code exec} (the Vector-API executor and the scalar oracle) and
 * {@code analysis} (passes, op counts, footprint). The language is described in einsum/README.md.
 */
package cascade.einsum;
