package cascade.hw.rtl;

import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * An RTL block Cascade generates, with the Java cycle-level model it must agree with. Every
 * output is a register: on each cycle the inputs are applied, the clock rises, and the outputs
 * are compared. Values are raw bit patterns in a long (a signed port's two's complement, masked
 * to its width).
 */
public interface Block {
    String name();

    /** The modules, dependencies first, the top last. */
    List<Hdl.Module> modules();

    default Hdl.Module top() {
        return modules().getLast();
    }

    /** A fresh model in its reset state; {@code bug} plants a known wrong behaviour (for tests of the check). */
    Model model(boolean bug);

    /** Random inputs for one cycle (reset excluded: the harness resets first). */
    Map<String, Long> random(SplittableRandom r);

    /** Directed cycles that reach the block's edge cases (saturation, ties, back-pressure, …). */
    List<Map<String, Long>> directed();

    /** The cycle-level model: outputs after the clock edge that follows these inputs. */
    interface Model {
        Map<String, Long> step(Map<String, Long> inputs);

        /** Cycles the model spent busy so far, where it counts them (the quick-select engine's), else -1. */
        default long busyCycles() {
            return -1;
        }
    }

    /** A configuration for the FPGA top level: the array's rows and columns and the vector unit's lanes. */
    record Config(int rows, int cols, int lanes) {
    }

    static long mask(long v, int width) {
        return width >= 64 ? v : v & ((1L << width) - 1);
    }

    /** The signed value of a {@code width}-bit pattern. */
    static long signed(long v, int width) {
        long m = mask(v, width);
        return m >= 1L << (width - 1) ? m - (1L << width) : m;
    }
}
