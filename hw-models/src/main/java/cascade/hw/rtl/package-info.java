/**
 * Generated RTL: {@link cascade.hw.rtl.Hdl}, a small typed hardware-construction layer emitting
 * Verilog-2005; {@link cascade.hw.rtl.Blocks}, accelerator blocks (MAC PEs, a systolic array, a
 * vector unit, a bitonic top-k stage), each a {@link cascade.hw.rtl.Block} with a Java cycle model;
 * {@link cascade.hw.rtl.Cosim}, Verilator co-simulation of RTL against model every cycle;
 * {@link cascade.hw.rtl.SerialTop} and {@link cascade.hw.rtl.Fpga}, a pin-limited top level and
 * the yosys / nextpnr-ice40 / icepack flow; {@link cascade.hw.rtl.Tools}, finding and running them.
 */
package cascade.hw.rtl;
