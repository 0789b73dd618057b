package cascade.hw.rtl;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The open FPGA flow for an iCE40: yosys ({@code synth_ice40}, with DSP blocks on the UP5K),
 * nextpnr-ice40 and icepack, from the {@link SerialTop} of a configuration to a {@code .bin}. The
 * report's figures are parsed from the tools' own output: logic cells, block RAMs and DSPs from
 * nextpnr's utilisation, flip-flops from yosys's cell count, the maximum frequency from nextpnr's
 * final timing. A configuration that does not fit fails naming the resource it overflows.
 */
public final class Fpga {
    public enum Device {
        UP5K("up5k", "sg48", true), HX8K("hx8k", "ct256", false);

        final String flag;
        final String pkg;
        final boolean dsp;

        Device(String flag, String pkg, boolean dsp) {
            this.flag = flag;
            this.pkg = pkg;
            this.dsp = dsp;
        }

        public static Device of(String name) {
            for (Device d : values()) {
                if (d.flag.equals(name)) {
                    return d;
                }
            }
            throw new IllegalArgumentException("unknown FPGA '" + name + "'; expected up5k or hx8k");
        }
    }

    /** Used and available, per resource (ICESTORM_LC, ICESTORM_RAM, ICESTORM_DSP, SB_IO). */
    public record Usage(long used, long available) {
    }

    /** {@code netlist}: the mapped design as yosys writes it ({@code write_verilog}), for simulation with the cell models. */
    public record Report(String device, String design, Map<String, Usage> resources, long flipFlops, long luts,
                         double maxFrequencyMHz, Path bitstream, Path netlist, String top) {
    }

    /** A configuration that does not fit. */
    public static final class DoesNotFit extends RuntimeException {
        public DoesNotFit(String message) {
            super(message);
        }
    }

    private Fpga() {
    }

    public static List<String> missingTools() {
        List<String> missing = new ArrayList<>();
        for (String tool : List.of("yosys", "nextpnr-ice40", "icepack")) {
            if (!Tools.installed(tool, tool.equals("icepack") ? "-h" : "-V")) {
                missing.add(tool);
            }
        }
        return missing;
    }

    public static Report build(Block.Config cfg, Device device, Path where) throws IOException, InterruptedException {
        return build(SerialTop.modules(cfg), "serial_top", String.format("%dx%d array + %d lanes", cfg.rows(), cfg.cols(),
            cfg.lanes()), device, where);
    }

    /** Synthesises {@code modules} (the top named {@code top}); {@code label} names the design in messages. */
    public static Report build(List<Hdl.Module> modules, String top, String label, Device device, Path where)
            throws IOException, InterruptedException {
        Path out = where.toAbsolutePath();
        List<String> missing = missingTools();
        if (!missing.isEmpty()) {
            throw new IOException("missing " + String.join(", ", missing)
                + ": install Debian's yosys, nextpnr-ice40 and fpga-icestorm (./test does)");
        }
        Files.createDirectories(out);
        List<String> files = new ArrayList<>();
        for (Hdl.Module m : modules) {
            Files.writeString(out.resolve(m.name() + ".v"), m.verilog());
            files.add(m.name() + ".v");
        }
        String name = device.flag;
        List<String> yosys = new ArrayList<>(List.of("yosys", "-q", "-l", "yosys-" + name + ".log", "-p",
            "synth_ice40 " + (device.dsp ? "-dsp " : "") + "-top " + top + " -json " + name + ".json; stat; write_verilog -noattr "
                + name + "-netlist.v"));
        yosys.addAll(files);
        run(out, yosys, "yosys");
        String ys = Files.readString(out.resolve("yosys-" + name + ".log"), StandardCharsets.UTF_8);
        long ff = 0;
        long luts = 0;
        String lastStat = ys.substring(Math.max(0, ys.lastIndexOf("Number of cells:")));
        Matcher cells = Pattern.compile("(?m)^\\s+(SB_\\w+)\\s+(\\d+)\\s*$").matcher(lastStat);
        while (cells.find()) {
            if (cells.group(1).startsWith("SB_DFF")) {
                ff += Long.parseLong(cells.group(2));
            } else if (cells.group(1).equals("SB_LUT4")) {
                luts += Long.parseLong(cells.group(2));
            }
        }
        Tools.Output pnr = exec(out, List.of("nextpnr-ice40", "--" + device.flag, "--package", device.pkg, "--json", name + ".json",
            "--asc", name + ".asc", "--pcf-allow-unconstrained", "--freq", "12"));
        Files.writeString(out.resolve("nextpnr-" + name + ".log"), pnr.text());
        Map<String, Usage> usage = new LinkedHashMap<>();
        Matcher u = Pattern.compile("(?m)^Info:\\s+(ICESTORM_\\w+|SB_IO):\\s+(\\d+)/\\s*(\\d+)").matcher(pnr.text());
        while (u.find()) {
            usage.put(u.group(1), new Usage(Long.parseLong(u.group(2)), Long.parseLong(u.group(3))));
        }
        if (pnr.code() != 0) {
            for (var e : usage.entrySet()) {
                if (e.getValue().used() > e.getValue().available()) {
                    throw new DoesNotFit(String.format("%s does not fit the %s: it needs %d %s, the device has %d",
                        label, name.toUpperCase(java.util.Locale.ROOT), e.getValue().used(),
                        describe(e.getKey()), e.getValue().available()));
                }
            }
            Matcher cell = Pattern.compile("no BELs remaining to implement cell type '(\\w+)'").matcher(pnr.text());
            if (cell.find()) {
                Usage have = usage.get(cell.group(1));
                throw new DoesNotFit(String.format("%s does not fit the %s: it runs out of %s%s", label,
                    name.toUpperCase(java.util.Locale.ROOT), describe(cell.group(1)),
                    have == null ? "" : " (" + have.available() + " on the device)"));
            }
            throw new IOException("nextpnr-ice40 failed:\n" + tail(pnr.text()));
        }
        Matcher f = Pattern.compile("Max frequency for clock\\s+'([^']*)': ([0-9.]+) MHz").matcher(pnr.text());
        double mhz = Double.NaN;
        while (f.find()) {
            // The last report is after routing; nextpnr's packer also times its constant-driver net, which is no clock.
            if (!f.group(1).contains("$PACKER_")) {
                mhz = Double.parseDouble(f.group(2));
            }
        }
        run(out, List.of("icepack", name + ".asc", name + ".bin"), "icepack");
        return new Report(name, label, usage, ff, luts, mhz, out.resolve(name + ".bin"), out.resolve(name + "-netlist.v"), top);
    }

    private static String describe(String resource) {
        return switch (resource) {
            case "ICESTORM_LC" -> "logic cells (ICESTORM_LC)";
            case "ICESTORM_RAM" -> "block RAMs (ICESTORM_RAM)";
            case "ICESTORM_DSP" -> "DSP blocks (ICESTORM_DSP)";
            case "SB_IO" -> "I/O pins (SB_IO)";
            default -> resource;
        };
    }

    /** A tool run of the flow: place and route may take minutes on a large configuration. */
    private static Tools.Output exec(Path dir, List<String> cmd) throws IOException, InterruptedException {
        return Tools.exec(dir, cmd, 900);
    }

    private static void run(Path dir, List<String> cmd, String what) throws IOException, InterruptedException {
        Tools.Output o = exec(dir, cmd);
        if (o.code() != 0) {
            throw new IOException(what + " failed:\n" + tail(o.text()));
        }
    }

    private static String tail(String s) {
        String[] lines = s.split("\n");
        return String.join("\n", java.util.Arrays.asList(lines).subList(Math.max(0, lines.length - 20), lines.length));
    }
}
