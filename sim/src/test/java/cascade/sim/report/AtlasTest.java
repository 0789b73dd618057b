package cascade.sim.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import cascade.einsum.CascadeLibrary;
import cascade.sim.Main;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code atlas}: the page renders in headless Chromium with every plot drawn, and its CSV has a row per cascade. */
class AtlasTest {
    @Test
    void atlasRendersEveryPlotAndTabulatesEveryCascade(@TempDir Path dir) throws Exception {
        Path page = dir.resolve("atlas.html");
        StringWriter err = new StringWriter();
        int code = Main.run(new String[] {"atlas", "--out", page.toString(), "--designs", "fusemax,fusemax-topk", "--seq", "1K"},
            new PrintWriter(new StringWriter()), new PrintWriter(err));
        assertEquals(0, code, err.toString());
        String html = Files.readString(page);
        int figures = ReportTest.count(html, "<figure class=\"plot\">");
        assertEquals(6, figures, "a work-against-length plot per family (5) and the passes x footprint map");
        String dom = ReportTest.chromium(dir, "--dump-dom", page.toUri().toString());
        Matcher svg = Pattern.compile("<svg.*?</svg>", Pattern.DOTALL).matcher(dom);
        int rendered = 0;
        while (svg.find()) {
            assertTrue(ReportTest.count(svg.group(), "<path") >= 5, "a plot without data");
            rendered++;
        }
        assertEquals(figures, rendered, "every plot is in the rendered page");

        List<CSVRecord> rows;
        try (var parser = CSVFormat.DEFAULT.builder().setHeader().setSkipHeaderRecord(true).get()
                .parse(new StringReader(Files.readString(dir.resolve("atlas.csv"))))) {
            rows = parser.getRecords();
        }
        assertEquals(CascadeLibrary.names(), rows.stream().map(r -> r.get("cascade")).toList(), "a row per cascade, in order");
        for (CSVRecord r : rows) {
            assertTrue(Long.parseLong(r.get("effectualFlops")) <= Long.parseLong(r.get("denseFlops")), r.get("cascade"));
            assertTrue(html.contains(">" + r.get("cascade") + "<"), "the page's table lists " + r.get("cascade"));
            boolean costed = !r.get("fusemaxCycles").isEmpty();
            assertTrue(costed != !r.get("fusemaxRefusal").isEmpty(), "a cost or the reason there is none: " + r.get("cascade"));
        }
        CSVRecord causal = rows.stream().filter(r -> r.get("cascade").equals("attention-causal")).findFirst().orElseThrow();
        assertTrue(Long.parseLong(causal.get("effectualFlops")) < Long.parseLong(causal.get("denseFlops")),
            "a causal mask halves the effectual work");
        CSVRecord quest = rows.stream().filter(r -> r.get("cascade").equals("quest")).findFirst().orElseThrow();
        assertFalse(quest.get("fusemax-topkCycles").isEmpty(), "quest maps onto the design with a top-k engine");
        assertTrue(quest.get("fusemaxRefusal").contains("compare"), "and not onto one without: " + quest.get("fusemaxRefusal"));
    }

    @Test
    void badOptionsAreLocatedErrors(@TempDir Path dir) {
        StringWriter err = new StringWriter();
        assertEquals(2, Main.run(new String[] {"atlas", "--out", dir.resolve("a.html").toString(), "--designs", "tpu"},
            new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().startsWith("--designs:1:1: no design preset 'tpu'"), err.toString());
        err = new StringWriter();
        assertEquals(2, Main.run(new String[] {"atlas", "--out", dir.resolve("a.html").toString(), "--seq", "1000"},
            new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().startsWith("--seq:1:1: a power of two"), err.toString());
        err = new StringWriter();
        assertEquals(2, Main.run(new String[] {"atlas", "--out", dir.resolve("a.csv").toString()},
            new PrintWriter(new StringWriter()), new PrintWriter(err)));
        assertTrue(err.toString().startsWith("--out:1:1: the html file's name ends in .html"), err.toString());
        assertFalse(Files.exists(dir.resolve("a.html")));
    }
}
