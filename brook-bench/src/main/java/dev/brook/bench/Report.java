package dev.brook.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import java.util.Map;
import org.HdrHistogram.Histogram;

/**
 * Writes the comparison: a Markdown table of medians and Brook/Kafka ratios against the targets, the command and
 * the machine, and an SVG chart of latency percentiles. Only the part between the results markers of
 * {@code docs/benchmarks.md} is replaced, so the hand-written analysis around it survives a re-run.
 */
final class Report {
    static final String START = "<!-- results:start -->";
    static final String END = "<!-- results:end -->";

    private Report() {
    }

    static String table(Compare c) {
        StringBuilder sb = new StringBuilder();
        sb.append("| metric | Brook | Kafka | Brook/Kafka | target | met |\n|---|---:|---:|---:|---|---|\n");
        for (Map.Entry<Compare.Metric, Map<BrokerProcess.Kind, List<Double>>> e : c.results.entrySet()) {
            Compare.Metric m = e.getKey();
            double brook = Compare.median(e.getValue().getOrDefault(BrokerProcess.Kind.BROOK, List.of()));
            double kafka = Compare.median(e.getValue().getOrDefault(BrokerProcess.Kind.KAFKA, List.of()));
            double ratio = brook / kafka;
            String target = Double.isNaN(m.target()) ? "" : (m.higherIsBetter() ? "≥ " : "≤ ") + m.target() + "×";
            String met = Double.isNaN(m.target()) ? "" : (m.higherIsBetter() ? ratio >= m.target() : ratio <= m.target()) ? "yes" : "no";
            sb.append(String.format("| %s (%s) | %,.0f | %,.0f | %.2f | %s | %s |%n", m.name(), m.unit(), brook, kafka, ratio, target, met));
        }
        return sb.toString();
    }

    static String machine() {
        StringBuilder sb = new StringBuilder();
        sb.append(Runtime.getRuntime().availableProcessors()).append(" cores");
        try {
            for (String line : Files.readAllLines(Path.of("/proc/cpuinfo"))) {
                if (line.startsWith("model name")) {
                    sb.append(" (").append(line.substring(line.indexOf(':') + 1).trim()).append(")");
                    break;
                }
            }
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal")) {
                    sb.append(", ").append(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024 / 1024).append(" GiB RAM");
                    break;
                }
            }
        } catch (IOException | RuntimeException ignored) {
            // not Linux
        }
        sb.append(", ").append(System.getProperty("os.name")).append(' ').append(System.getProperty("os.version"));
        sb.append(", Java ").append(System.getProperty("java.version"));
        return sb.toString();
    }

    static void write(Compare c, Path doc, String command, int rounds) throws IOException {
        String block = START + "\n"
                + "Measured " + ZonedDateTime.now().format(DateTimeFormatter.ISO_OFFSET_DATE_TIME) + " with `" + command + "`: "
                + rounds + " rounds, Brook and Kafka alternating which goes first; each figure is the median of the rounds.\n\n"
                + "Machine: " + machine() + ". Apache Kafka 4.4.0 (single-node KRaft, `-Xmx1G -Xms1G`, G1 as in "
                + "`kafka-server-start.sh`, its default configs); Brook started by `bin/brook server` with its defaults (`-Xms64m -Xmx1g`, G1, the class-data-sharing archive) and `acks=all` fsynced (group commit). "
                + "Clients: kafka-clients 4.4.0 in the harness JVM, same settings for both.\n\n"
                + table(c) + "\n![latency percentiles](benchmarks-latency.svg)\n" + END + "\n";
        String text = Files.exists(doc) ? Files.readString(doc, StandardCharsets.UTF_8) : "# Benchmarks\n\n" + START + "\n" + END + "\n";
        int s = text.indexOf(START);
        int e = text.indexOf(END);
        String out = s >= 0 && e > s ? text.substring(0, s) + block + text.substring(e + END.length() + 1) : text + "\n" + block;
        Files.writeString(doc, out, StandardCharsets.UTF_8);
        Files.writeString(doc.resolveSibling("benchmarks-latency.svg"), svg(c), StandardCharsets.UTF_8);
    }

    /** Latency by percentile (x: 50 … 99.99, spaced by nines; y: log scale), one line per broker and rate. */
    static String svg(Compare c) {
        double[] pct = {50, 90, 99, 99.9, 99.99};
        int w = 640;
        int h = 360;
        int left = 70;
        int bottom = 40;
        double minY = 100;
        double maxY = 1_000_000;
        StringBuilder sb = new StringBuilder();
        sb.append("<svg xmlns='http://www.w3.org/2000/svg' width='").append(w).append("' height='").append(h)
                .append("' font-family='sans-serif' font-size='12'>\n<rect width='100%' height='100%' fill='white'/>\n");
        sb.append("<text x='").append(w / 2).append("' y='16' text-anchor='middle'>End-to-end latency by percentile (µs, log scale), last round</text>\n");
        for (double v = minY; v <= maxY; v *= 10) {
            double y = yOf(v, minY, maxY, h, bottom);
            sb.append(String.format("<line x1='%d' x2='%d' y1='%.1f' y2='%.1f' stroke='#ddd'/><text x='%d' y='%.1f' text-anchor='end'>%,.0f</text>%n",
                    left, w - 20, y, y, left - 5, y + 4, v));
        }
        for (int i = 0; i < pct.length; i++) {
            double x = xOf(i, pct.length, left, w);
            sb.append(String.format("<text x='%.1f' y='%d' text-anchor='middle'>p%s</text>%n", x, h - bottom + 18,
                    pct[i] == Math.rint(pct[i]) ? String.valueOf((int) pct[i]) : String.valueOf(pct[i])));
        }
        String[] colors = {"#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"};
        int series = 0;
        for (Map.Entry<BrokerProcess.Kind, Map<Integer, Histogram>> broker : c.lastLatency.entrySet()) {
            for (Map.Entry<Integer, Histogram> rate : broker.getValue().entrySet()) {
                String color = colors[series % colors.length];
                StringBuilder points = new StringBuilder();
                for (int i = 0; i < pct.length; i++) {
                    double v = Math.max(minY, Math.min(maxY, rate.getValue().getValueAtPercentile(pct[i])));
                    points.append(String.format("%.1f,%.1f ", xOf(i, pct.length, left, w), yOf(v, minY, maxY, h, bottom)));
                }
                String dash = broker.getKey() == BrokerProcess.Kind.KAFKA ? " stroke-dasharray='6,4'" : "";
                sb.append("<polyline fill='none' stroke='").append(color).append("' stroke-width='2'").append(dash)
                        .append(" points='").append(points).append("'/>\n");
                sb.append(String.format("<text x='%d' y='%d' fill='%s'>%s at %d/s%s</text>%n", left + 10, 36 + 16 * series, color,
                        broker.getKey() == BrokerProcess.Kind.BROOK ? "Brook" : "Kafka", rate.getKey(),
                        broker.getKey() == BrokerProcess.Kind.KAFKA ? " (dashed)" : ""));
                series++;
            }
        }
        return sb.append("</svg>\n").toString();
    }

    private static double xOf(int i, int n, int left, int w) {
        return left + 20 + i * (double) (w - left - 60) / (n - 1);
    }

    private static double yOf(double v, double min, double max, int h, int bottom) {
        double top = 30;
        double frac = (Math.log10(v) - Math.log10(min)) / (Math.log10(max) - Math.log10(min));
        return (h - bottom) - frac * (h - bottom - top);
    }
}
