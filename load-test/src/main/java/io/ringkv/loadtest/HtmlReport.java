package io.ringkv.loadtest;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The report as one self-contained HTML page (well-formed XHTML: no external URL, no script
 * to run): summary tables, and inline SVG charts of throughput, availability and latency over
 * time with the fault events marked. The JSON report itself is embedded in
 * {@code <script type="application/json" id="report-data">}, and every chart series carries its
 * values in a {@code data-values} attribute, so the page is its own data.
 */
final class HtmlReport {
    private static final int WIDTH = 900;
    private static final int HEIGHT = 260;
    private static final int LEFT = 70;
    private static final int RIGHT = 20;
    private static final int TOP = 30;
    private static final int BOTTOM = 40;
    private static final String[] COLORS = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b",
        "#e377c2", "#17becf", "#7f7f7f", "#bcbd22"};

    private HtmlReport() {
    }

    /** One line of a chart: values per timeline point, NaN where there is none. */
    record Series(String name, String color, double[] values, boolean dashed) {
    }

    static String render(JsonNode report) {
        StringBuilder h = new StringBuilder(64 * 1024);
        JsonNode config = report.get("config");
        String title = "ringkv bench: workload " + config.get("workload").asText() + ", " + config.get("mode").asText()
                + " loop, " + config.get("threads").asInt() + " threads";
        h.append("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n")
                .append("<meta charset=\"utf-8\"/>\n<title>").append(esc(title)).append("</title>\n")
                .append("<style>body{font-family:sans-serif;margin:20px;color:#222}table{border-collapse:collapse;margin:8px 0}"
                        + "td,th{border:1px solid #ccc;padding:3px 8px;text-align:right}th{background:#f3f3f3}"
                        + "td.l,th.l{text-align:left}.bad{color:#b00;font-weight:bold}svg{display:block;margin:8px 0 18px}"
                        + "svg text{font-size:11px;font-family:sans-serif}</style>\n</head>\n<body>\n");
        h.append("<h1>").append(esc(title)).append("</h1>\n");
        h.append("<p>Started ").append(esc(report.get("started_at").asText())).append("; ")
                .append(fmt(report.get("duration_seconds").asDouble())).append(" s measured; ")
                .append(fmt(report.get("throughput_ops_per_sec").asDouble())).append(" ops/s; availability ")
                .append(fmt(report.get("availability").asDouble() * 100)).append("%; ");
        long validationErrors = report.get("validation_errors").asLong();
        h.append(config.get("validate").asBoolean()
                ? "<span class=\"" + (validationErrors > 0 ? "bad" : "ok") + "\">" + validationErrors
                        + " validation errors in " + report.get("validated_reads").asLong() + " checked reads</span>"
                : "validation off").append(".</p>\n");

        operationsTable(h, report);
        charts(h, report);
        eventsTable(h, report);
        errorsTable(h, report);
        configTable(h, config, report.get("cluster"));

        h.append("<script type=\"application/json\" id=\"report-data\">");
        try {
            // Escaped so the embedded JSON can never close the script element or break the XML.
            h.append(Report.JSON.writeValueAsString(report).replace("&", "\\u0026").replace("<", "\\u003c")
                    .replace(">", "\\u003e"));
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        h.append("</script>\n</body>\n</html>\n");
        return h.toString();
    }

    private static void operationsTable(StringBuilder h, JsonNode report) {
        h.append("<h2>Operations</h2>\n<table id=\"operations\">\n<tr><th class=\"l\">operation</th><th>count</th><th>ops/s</th>"
                + "<th>p50 ms</th><th>p90 ms</th><th>p99 ms</th><th>p99.9 ms</th><th>max ms</th><th>errors</th></tr>\n");
        JsonNode proportions = report.get("config").get("proportions");
        for (Iterator<Map.Entry<String, JsonNode>> it = report.get("operations").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            if (proportions.path(e.getKey()).asDouble() == 0) {
                continue;
            }
            JsonNode o = e.getValue();
            opRow(h, e.getKey(), o, o.get("throughput_ops_per_sec").asDouble(), o.get("errors").asText());
            JsonNode bySize = o.get("by_value_size");
            if (bySize.size() > 1) {
                for (JsonNode c : bySize) {
                    opRow(h, e.getKey() + " " + c.get("class").asText(), c, Double.NaN, "");
                }
            }
        }
        h.append("</table>\n");
    }

    private static void opRow(StringBuilder h, String name, JsonNode o, double opsPerSec, String errors) {
        h.append("<tr><td class=\"l\">").append(esc(name)).append("</td><td>").append(o.get("count").asLong())
                .append("</td><td>").append(Double.isNaN(opsPerSec) ? "" : fmt(opsPerSec)).append("</td>");
        for (String f : new String[] {"p50_us", "p90_us", "p99_us", "p999_us", "max_us"}) {
            h.append("<td>").append(fmt(o.get(f).asLong() / 1000.0)).append("</td>");
        }
        h.append("<td>").append(esc(errors)).append("</td></tr>\n");
    }

    private static void charts(StringBuilder h, JsonNode report) {
        JsonNode timeline = report.get("timeline");
        JsonNode points = timeline.get("points");
        int n = points.size();
        double interval = timeline.get("interval_seconds").asDouble();
        double[] t = new double[n];
        double[] ok = new double[n];
        double[] failed = new double[n];
        double[] availability = new double[n];
        for (int i = 0; i < n; i++) {
            JsonNode p = points.get(i);
            t[i] = p.get("t_seconds").asDouble();
            ok[i] = p.get("succeeded").asLong() / interval;
            failed[i] = p.get("failed").asLong() / interval;
            availability[i] = p.get("availability").isNull() ? Double.NaN : p.get("availability").asDouble() * 100;
        }
        List<double[]> marks = new ArrayList<>();
        List<String> markLabels = new ArrayList<>();
        for (JsonNode e : report.get("events")) {
            marks.add(new double[] {e.get("t_seconds").asDouble()});
            markLabels.add(e.get("action").asText() + " " + e.get("node").asText() + (e.get("ok").asBoolean() ? "" : " (failed)"));
        }
        double warmup = timeline.get("measure_start_seconds").asDouble();
        double end = n == 0 ? 1 : t[n - 1] + interval;

        h.append("<h2>Throughput</h2>\n");
        chart(h, "chart-throughput", "operations per second (by the interval each was started or due in)", t, end, warmup,
                List.of(new Series("succeeded ops/s", COLORS[0], ok, false), new Series("failed ops/s", COLORS[1], failed, false)),
                false, 0, marks, markLabels, "ops/s");
        h.append("<h2>Availability</h2>\n");
        chart(h, "chart-availability", "successful / attempted operations per interval, %", t, end, warmup,
                List.of(new Series("availability %", COLORS[2], availability, false)), false, 100, marks, markLabels, "%");

        List<Series> latency = new ArrayList<>();
        JsonNode proportions = report.get("config").get("proportions");
        int color = 0;
        for (Iterator<String> it = proportions.fieldNames(); it.hasNext(); ) {
            String op = it.next();
            if (proportions.get(op).asDouble() == 0) {
                continue;
            }
            double[] p50 = new double[n];
            double[] p99 = new double[n];
            for (int i = 0; i < n; i++) {
                JsonNode o = points.get(i).get("operations").get(op);
                boolean none = o == null || o.get("count").asLong() == 0;
                p50[i] = none ? Double.NaN : o.get("p50_us").asLong() / 1000.0;
                p99[i] = none ? Double.NaN : o.get("p99_us").asLong() / 1000.0;
            }
            String c = COLORS[color++ % COLORS.length];
            latency.add(new Series(op + " p50 ms", c, p50, false));
            latency.add(new Series(op + " p99 ms", c, p99, true));
        }
        h.append("<h2>Latency</h2>\n");
        chart(h, "chart-latency", "latency per interval, ms (log scale; p50 solid, p99 dashed)", t, end, warmup, latency, true, 0,
                marks, markLabels, "ms");
    }

    /** One SVG line chart; {@code fixedMax} > 0 pins the y axis (else it fits the data). */
    private static void chart(StringBuilder h, String id, String caption, double[] t, double end, double warmup,
                              List<Series> series, boolean log, double fixedMax, List<double[]> marks,
                              List<String> markLabels, String unit) {
        double max = fixedMax;
        double min = Double.MAX_VALUE;
        for (Series s : series) {
            for (double v : s.values()) {
                if (!Double.isNaN(v)) {
                    max = fixedMax > 0 ? max : Math.max(max, v);
                    if (v > 0) {
                        min = Math.min(min, v);
                    }
                }
            }
        }
        if (max <= 0) {
            max = 1;
        }
        double lo = log ? Math.pow(10, Math.floor(Math.log10(min == Double.MAX_VALUE ? 0.1 : min))) : 0;
        double hi = log ? Math.pow(10, Math.ceil(Math.log10(max))) : niceCeiling(max);
        if (log && hi <= lo) {
            hi = lo * 10;
        }
        int plotW = WIDTH - LEFT - RIGHT;
        int plotH = HEIGHT - TOP - BOTTOM;
        double spanX = Math.max(end, 1e-9);
        final double fLo = lo;
        final double fHi = hi;
        java.util.function.DoubleUnaryOperator x = v -> LEFT + v / spanX * plotW;
        java.util.function.DoubleUnaryOperator y = v -> {
            double f = log ? (Math.log10(Math.max(v, fLo)) - Math.log10(fLo)) / (Math.log10(fHi) - Math.log10(fLo))
                    : v / fHi;
            return TOP + plotH - Math.max(0, Math.min(1, f)) * plotH;
        };
        h.append("<svg id=\"").append(id).append("\" xmlns=\"http://www.w3.org/2000/svg\" width=\"").append(WIDTH)
                .append("\" height=\"").append(HEIGHT).append("\" viewBox=\"0 0 ").append(WIDTH).append(' ').append(HEIGHT)
                .append("\" role=\"img\">\n<title>").append(esc(caption)).append("</title>\n");
        if (warmup > 0) {
            h.append("<rect class=\"warmup\" x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"")
                    .append(fmt(x.applyAsDouble(Math.min(warmup, spanX)) - LEFT)).append("\" height=\"").append(plotH)
                    .append("\" fill=\"#eee\"/>\n<text x=\"").append(LEFT + 4).append("\" y=\"").append(TOP + 12)
                    .append("\">warmup</text>\n");
        }
        h.append("<rect x=\"").append(LEFT).append("\" y=\"").append(TOP).append("\" width=\"").append(plotW)
                .append("\" height=\"").append(plotH).append("\" fill=\"none\" stroke=\"#999\"/>\n");
        // y axis ticks
        List<Double> ticks = new ArrayList<>();
        if (log) {
            for (double v = lo; v <= hi * 1.0001; v *= 10) {
                ticks.add(v);
            }
        } else {
            for (int i = 0; i <= 4; i++) {
                ticks.add(hi * i / 4);
            }
        }
        for (double v : ticks) {
            double yy = y.applyAsDouble(v);
            h.append("<line x1=\"").append(LEFT).append("\" x2=\"").append(LEFT + plotW).append("\" y1=\"").append(fmt(yy))
                    .append("\" y2=\"").append(fmt(yy)).append("\" stroke=\"#ddd\"/>\n<text x=\"").append(LEFT - 6)
                    .append("\" y=\"").append(fmt(yy + 4)).append("\" text-anchor=\"end\">").append(esc(fmtAxis(v)))
                    .append("</text>\n");
        }
        // x axis ticks: about ten, on whole seconds
        double step = Math.max(1, niceCeiling(spanX / 10));
        for (double v = 0; v <= spanX + 1e-9; v += step) {
            double xx = x.applyAsDouble(v);
            h.append("<text x=\"").append(fmt(xx)).append("\" y=\"").append(TOP + plotH + 16)
                    .append("\" text-anchor=\"middle\">").append(fmtAxis(v)).append("</text>\n");
        }
        h.append("<text x=\"").append(LEFT + plotW / 2).append("\" y=\"").append(HEIGHT - 6)
                .append("\" text-anchor=\"middle\">seconds since the start of the run</text>\n");
        h.append("<text x=\"12\" y=\"").append(TOP + plotH / 2).append("\" transform=\"rotate(-90 12 ")
                .append(TOP + plotH / 2).append(")\" text-anchor=\"middle\">").append(esc(unit)).append("</text>\n");
        // fault events
        for (int i = 0; i < marks.size(); i++) {
            double xx = x.applyAsDouble(marks.get(i)[0]);
            h.append("<g class=\"event\"><line x1=\"").append(fmt(xx)).append("\" x2=\"").append(fmt(xx)).append("\" y1=\"")
                    .append(TOP).append("\" y2=\"").append(TOP + plotH)
                    .append("\" stroke=\"#b00\" stroke-dasharray=\"4 3\"/><text x=\"").append(fmt(xx + 3)).append("\" y=\"")
                    .append(TOP + 12 + 12 * (i % 4)).append("\" fill=\"#b00\">").append(esc(markLabels.get(i)))
                    .append("</text></g>\n");
        }
        // series: each point sits in the middle of its interval
        double half = t.length > 1 ? (t[1] - t[0]) / 2 : 0.5;
        int legendX = LEFT;
        for (Series s : series) {
            StringBuilder values = new StringBuilder();
            for (int i = 0; i < s.values().length; i++) {
                values.append(i == 0 ? "" : " ").append(Double.isNaN(s.values()[i]) ? "null" : fmtData(s.values()[i]));
            }
            h.append("<g class=\"series\" data-name=\"").append(esc(s.name())).append("\" data-values=\"").append(values)
                    .append("\" stroke=\"").append(s.color()).append("\" fill=\"none\" stroke-width=\"1.5\"")
                    .append(s.dashed() ? " stroke-dasharray=\"5 3\"" : "").append(">\n");
            StringBuilder segment = new StringBuilder();
            int inSegment = 0;
            for (int i = 0; i <= s.values().length; i++) {
                boolean gap = i == s.values().length || Double.isNaN(s.values()[i]);
                if (gap) {
                    if (inSegment == 1) {
                        String[] xy = segment.toString().trim().split(",");
                        h.append("<circle cx=\"").append(xy[0]).append("\" cy=\"").append(xy[1]).append("\" r=\"2\"/>\n");
                    } else if (inSegment > 1) {
                        h.append("<polyline points=\"").append(segment.toString().trim()).append("\"/>\n");
                    }
                    segment.setLength(0);
                    inSegment = 0;
                } else {
                    segment.append(fmt(x.applyAsDouble(t[i] + half))).append(',')
                            .append(fmt(y.applyAsDouble(s.values()[i]))).append(' ');
                    inSegment++;
                }
            }
            h.append("</g>\n");
            h.append("<text x=\"").append(legendX).append("\" y=\"").append(TOP - 10).append("\" fill=\"").append(s.color())
                    .append("\">").append(s.dashed() ? "- - " : "&#8212; ").append(esc(s.name())).append("</text>\n");
            legendX += 12 + 7 * (s.name().length() + 4);
        }
        h.append("</svg>\n");
    }

    private static void eventsTable(StringBuilder h, JsonNode report) {
        JsonNode events = report.get("events");
        if (events.isEmpty()) {
            return;
        }
        h.append("<h2>Fault scenario</h2>\n<p>").append(esc(report.get("scenario").asText())).append("</p>\n")
                .append("<table id=\"events\">\n<tr><th>t (s)</th><th>planned (s)</th><th class=\"l\">action</th>"
                        + "<th class=\"l\">node</th><th class=\"l\">result</th></tr>\n");
        for (JsonNode e : events) {
            h.append("<tr><td>").append(fmt(e.get("t_seconds").asDouble())).append("</td><td>")
                    .append(fmt(e.get("planned_seconds").asDouble())).append("</td><td class=\"l\">")
                    .append(esc(e.get("action").asText())).append("</td><td class=\"l\">").append(esc(e.get("node").asText()))
                    .append("</td><td class=\"l\">").append(e.get("ok").asBoolean() ? "ok" : "<span class=\"bad\">failed</span>")
                    .append(' ').append(esc(e.get("detail").asText())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void errorsTable(StringBuilder h, JsonNode report) {
        h.append("<h2>Errors</h2>\n<table id=\"errors\">\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = report.get("errors_by_type").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            long n = e.getValue().asLong();
            h.append("<tr><td class=\"l\">").append(esc(e.getKey())).append("</td><td")
                    .append(n > 0 && e.getKey().startsWith("validation") ? " class=\"bad\"" : "").append('>').append(n)
                    .append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static void configTable(StringBuilder h, JsonNode config, JsonNode cluster) {
        h.append("<h2>Configuration</h2>\n<table id=\"config\">\n");
        for (Iterator<Map.Entry<String, JsonNode>> it = config.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> e = it.next();
            h.append("<tr><td class=\"l\">").append(esc(e.getKey())).append("</td><td class=\"l\">")
                    .append(esc(e.getValue().isTextual() ? e.getValue().asText() : e.getValue().toString()))
                    .append("</td></tr>\n");
        }
        if (cluster != null && !cluster.isNull()) {
            h.append("<tr><td class=\"l\">cluster</td><td class=\"l\">").append(esc(cluster.toString())).append("</td></tr>\n");
        }
        h.append("</table>\n");
    }

    private static double niceCeiling(double v) {
        if (v <= 0) {
            return 1;
        }
        double magnitude = Math.pow(10, Math.floor(Math.log10(v)));
        for (double m : new double[] {1, 2, 2.5, 5, 10}) {
            if (m * magnitude >= v) {
                return m * magnitude;
            }
        }
        return 10 * magnitude;
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%.1f", v);
    }

    private static String fmtData(double v) {
        return String.format(Locale.ROOT, "%.3f", v);
    }

    private static String fmtAxis(double v) {
        return v == Math.rint(v) ? Long.toString((long) v) : String.format(Locale.ROOT, "%.3g", v);
    }

    /** Escapes text for XML content and attributes. */
    static String esc(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> b.append("&amp;");
                case '<' -> b.append("&lt;");
                case '>' -> b.append("&gt;");
                case '"' -> b.append("&quot;");
                case '\'' -> b.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\n' && c != '\t') {
                        b.append(' '); // not allowed in XML 1.0
                    } else {
                        b.append(c);
                    }
                }
            }
        }
        return b.toString();
    }
}
