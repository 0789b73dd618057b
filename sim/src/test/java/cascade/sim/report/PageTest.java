package cascade.sim.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The reproduction page's charts: round ticks, series with equal values told apart, the paper's mark drawn. */
class PageTest {
    @Test
    void ticksAreOneTwoOrFiveTimesAPowerOfTen() {
        assertEquals(2, Page.niceStep(1.7), 1e-12);
        assertEquals(5, Page.niceStep(3.2), 1e-12);
        assertEquals(0.2, Page.niceStep(0.19), 1e-12);
        assertEquals(10, Page.niceStep(6), 1e-12);
    }

    @Test
    void equalSeriesAreSideBySideBarsAndTheMarkIsDashed() {
        List<Long> xs = List.of(1024L, 65536L);
        String svg = Page.bars("speedup", "x", List.of(Page.series("bert", xs, n -> 7.3), Page.series("t5", xs, n -> 7.3)),
            List.of(new Page.Mark("paper 6.7x", 6.7)));
        Matcher m = Pattern.compile("<rect x=\"([0-9.]+)\" y=\"[0-9.]+\" width=\"[0-9.]+\" height=\"[0-9.]+\" "
            + "fill=\"[^\"]+\"><title>").matcher(svg);
        java.util.Set<String> xsDrawn = new java.util.HashSet<>();
        while (m.find()) {
            xsDrawn.add(m.group(1));
        }
        assertEquals(4, xsDrawn.size(), "two lengths x two series, each bar at its own x");
        assertTrue(svg.contains("stroke-dasharray") && svg.contains("paper 6.7x"));
        Matcher ticks = Pattern.compile("text-anchor=\"end\">([^<]*)<").matcher(svg);
        List<String> labels = new java.util.ArrayList<>();
        while (ticks.find()) {
            labels.add(ticks.group(1));
        }
        assertEquals(List.of("0", "2", "4", "6", "8"), labels);
    }
}
