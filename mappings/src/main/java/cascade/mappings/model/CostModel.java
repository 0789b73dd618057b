package cascade.mappings.model;

import cascade.mappings.lowering.Schedule;

/**
 * Costs a lowered design. The closed form ({@link ClosedForm}) and the cycle-level simulator
 * implement it over the same {@link Schedule}, so they share every per-run figure and differ only
 * in how they overlap runs; both return one {@link Report}.
 */
public interface CostModel {
    Report cost(Schedule schedule);
}
