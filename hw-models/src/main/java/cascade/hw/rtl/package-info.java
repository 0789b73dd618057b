/**
 * Generated RTL: {@link cascade.hw.rtl.Hdl}, a small typed hardware-construction layer emitting
 * Verilog-2005 (memories and tables in the shape yosys maps to iCE40 EBR, an optional clock
 * enable); {@link cascade.hw.rtl.Blocks}, accelerator blocks (MAC PEs, a systolic array, a vector
 * unit, a bitonic top-k stage), each a {@link cascade.hw.rtl.Block} with a Java cycle model;
 * {@link cascade.hw.rtl.AttentionCore}, a 1-pass attention core generated from an architecture
 * file ({@link cascade.hw.rtl.AttentionParams}) with a bit-exact model; {@link
 * cascade.hw.rtl.QuickSelectBlock}, SpAtten's quick-select engine, whose model is {@link
 * cascade.hw.TopKEngine} itself; {@link cascade.hw.rtl.Cosim}, Verilator co-simulation of RTL
 * against model every cycle, and of a synthesised netlist with the iCE40 cell models; {@link
 * cascade.hw.rtl.SerialTop}, {@link cascade.hw.rtl.SteppedTop} and {@link cascade.hw.rtl.Fpga},
 * pin-limited top levels and the yosys / nextpnr-ice40 / icepack flow; {@link
 * cascade.hw.rtl.Tools}, finding and running them.
 *
 * <p>The core's parameters live in the architecture file the simulator also runs (its arrays and
 * an {@code rtl:} section the architecture loader accepts and leaves to this package), so one
 * description feeds the generator, the simulator and {@code rtl run}.
 */
package cascade.hw.rtl;
