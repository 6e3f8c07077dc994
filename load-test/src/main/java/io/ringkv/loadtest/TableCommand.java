package io.ringkv.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code ringkv bench table REPORT.json...}: one Markdown table of several JSON reports, a row
 * per operation of each (and per value-size class of a mixed-size run), for docs/benchmarks.md.
 */
@Command(name = "table", mixinStandardHelpOptions = true,
        description = "Print a Markdown table of JSON reports: throughput and p50/p99/p99.9 per operation "
                + "(and per value-size class).")
final class TableCommand implements Callable<Integer> {
    @Parameters(paramLabel = "REPORT.json", arity = "1..*", description = "Reports written with --json.")
    List<Path> reports;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        List<JsonNode> nodes = new ArrayList<>();
        for (Path p : reports) {
            try {
                JsonNode r = new ObjectMapper().readTree(p.toFile());
                if (r == null || r.path("schema_version").asInt() != Report.SCHEMA_VERSION) {
                    throw new CommandLine.ParameterException(spec.commandLine(), p + ": not a ringkv bench report of schema "
                            + Report.SCHEMA_VERSION);
                }
                nodes.add(r);
            } catch (IOException e) {
                throw new CommandLine.ParameterException(spec.commandLine(), p + ": " + ErrorLog.oneLine(e));
            }
        }
        spec.commandLine().getOut().print(markdown(reports, nodes));
        spec.commandLine().getOut().flush();
        return 0;
    }

    static String markdown(List<Path> files, List<JsonNode> reports) {
        StringBuilder s = new StringBuilder();
        s.append("| run | workload | loop | threads | target ops/s | throughput ops/s | op | values | p50 ms | p99 ms "
                + "| p99.9 ms | errors | validation errors |\n");
        s.append("|---|---|---|---:|---:|---:|---|---|---:|---:|---:|---:|---:|\n");
        for (int i = 0; i < reports.size(); i++) {
            JsonNode r = reports.get(i);
            JsonNode c = r.get("config");
            String name = files.get(i).getFileName().toString().replaceFirst("\\.json$", "");
            String head = String.format(Locale.ROOT, "| %s | %s | %s | %d | %s | %s ", name,
                    c.get("workload").asText().toUpperCase(Locale.ROOT), c.get("mode").asText(), c.get("threads").asInt(),
                    c.get("target_ops_per_sec").asDouble() > 0 ? fmt(c.get("target_ops_per_sec").asDouble()) : "-",
                    fmt(r.get("throughput_ops_per_sec").asDouble()));
            for (Iterator<String> it = c.get("proportions").fieldNames(); it.hasNext(); ) {
                String op = it.next();
                if (c.get("proportions").get(op).asDouble() == 0) {
                    continue;
                }
                JsonNode o = r.get("operations").get(op);
                s.append(head).append(row(op, "all", o, o.get("errors").asText(), r.get("validation_errors").asText()));
                JsonNode classes = o.get("by_value_size");
                if (classes.size() > 1) {
                    for (JsonNode k : classes) {
                        s.append(head).append(row(op, k.get("class").asText(), k, "", ""));
                    }
                }
            }
        }
        return s.toString();
    }

    private static String row(String op, String values, JsonNode o, String errors, String validation) {
        return String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | %s | %s |%n", op, values,
                ms(o.get("p50_us").asLong()), ms(o.get("p99_us").asLong()), ms(o.get("p999_us").asLong()), errors, validation);
    }

    private static String ms(long micros) {
        return String.format(Locale.ROOT, "%.2f", micros / 1000.0);
    }

    private static String fmt(double v) {
        return String.format(Locale.ROOT, "%,.0f", v);
    }
}
