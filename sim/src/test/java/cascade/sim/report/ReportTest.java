package cascade.sim.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.sim.Main;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Acceptance 1 of issue #8: reports open in headless Chromium (Debian's chromium, which ./test
 * installs), every plot rendered with data, and a screenshot is saved (to target/report-shots).
 */
class ReportTest {
    static int run(String... args) {
        return Main.run(args, new PrintWriter(new StringWriter()), new PrintWriter(new StringWriter()));
    }

    @Test
    void reportsRenderInHeadlessChromium(@TempDir Path dir) throws Exception {
        Path demo = dir.resolve("demo");
        assertEquals(0, run("demo", "--quick", "--out", demo.toString()));
        Path sweepPage = dir.resolve("demo.html");
        assertEquals(0, run("report", demo.resolve("results.csv").toString(), "--out", sweepPage.toString()));
        Path simJson = dir.resolve("sim.json");
        StringWriter out = new StringWriter();
        assertEquals(0, Main.run(new String[] {"sim", "--design", "fusemax", "--workload", "bert", "--seq", "2048", "--batch",
            "1", "--format", "json"}, new PrintWriter(out), new PrintWriter(new StringWriter())));
        Files.writeString(simJson, out.toString());
        Path timeline = dir.resolve("t.csv");
        assertEquals(0, run("sim", "--design", "fusemax", "--workload", "bert", "--seq", "1024", "--batch", "1", "--trace",
            timeline.toString()));
        Path simPage = dir.resolve("sim.html");
        assertEquals(0, run("report", simJson.toString(), "--timeline", timeline.toString(), "--out", simPage.toString()));
        Path shots = Files.createDirectories(Path.of("target", "report-shots"));
        for (Path page : List.of(sweepPage, simPage)) {
            String html = Files.readString(page);
            int figures = count(html, "<figure class=\"plot\">");
            assertTrue(figures >= 3, page + " has " + figures + " plots");
            String dom = chromium(dir, "--dump-dom", page.toUri().toString());
            Matcher svg = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(dom);
            int rendered = 0;
            while (svg.find()) {
                String one = svg.group();
                assertTrue(count(one, "<path") >= 5, "a plot without data in " + page);
                rendered++;
            }
            assertEquals(figures, rendered, "every plot is in the rendered page");
            Path shot = shots.resolve(page.getFileName().toString().replace(".html", ".png"));
            chromium(dir, "--screenshot=" + shot.toAbsolutePath(), page.toUri().toString());
            assertTrue(Files.size(shot) > 20_000, "a screenshot of " + page);
            for (Matcher png = Pattern.compile("href=\"([^\"]+\\.png)\"").matcher(html); png.find(); ) {
                Path p = page.resolveSibling(png.group(1));
                assertTrue(Files.size(p) > 5_000, "PNG export " + p);
            }
        }
    }

    static int count(String s, String what) {
        int n = 0;
        for (int i = s.indexOf(what); i >= 0; i = s.indexOf(what, i + 1)) {
            n++;
        }
        return n;
    }

    static String chromium(Path dir, String... args) throws Exception {
        List<String> cmd = new java.util.ArrayList<>(List.of("chromium", "--headless", "--no-sandbox", "--disable-gpu",
            "--window-size=1400,2600", "--user-data-dir=" + dir.resolve("chromium-profile")));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertTrue(p.waitFor(120, TimeUnit.SECONDS), "chromium did not finish");
        assertEquals(0, p.exitValue(), "chromium " + String.join(" ", args));
        return new String(out, StandardCharsets.UTF_8);
    }
}
