package io.ringkv.loadtest;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

/**
 * How big the values written are: one size ({@code 1KiB}), a uniform range ({@code 100-1KiB}), or
 * a weighted mix of those ({@code 95%:100-1KiB,5%:1MiB-5MiB}). Each part of a mix is a size class:
 * reports give the latencies of each class separately, so a few huge values cannot hide in (or
 * inflate) the small ones' percentiles. Sizes count the {@value ValueCodec#HEADER_BYTES}-byte checksum.
 *
 * @param spec    the text it was parsed from, normalised (for reports)
 * @param classes the parts, in order, with cumulative weights ending at 1
 */
public record ValueSizes(String spec, List<SizeClass> classes) {
    /** One part of a mix: sizes uniform in {@code [min, max]}. */
    public record SizeClass(String label, int min, int max, double weight, double cumulative) {
        boolean contains(int size) {
            return size >= min && size <= max;
        }
    }

    public ValueSizes {
        classes = List.copyOf(classes);
    }

    /** Parses a size spec; IllegalArgumentException with a one-line reason when it is bad. */
    public static ValueSizes parse(String text) {
        String spec = text.trim();
        if (spec.isEmpty()) {
            throw new IllegalArgumentException("--value-size is empty");
        }
        String[] parts = spec.split(",");
        List<SizeClass> classes = new ArrayList<>();
        boolean weighted = parts.length > 1 || spec.contains(":");
        double total = 0;
        List<double[]> ranges = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (String part : parts) {
            String p = part.trim();
            double weight = 1;
            if (weighted) {
                int colon = p.indexOf(':');
                if (colon < 0 || !p.substring(0, colon).trim().endsWith("%")) {
                    throw new IllegalArgumentException("--value-size: each part of a mix is PERCENT%:SIZE or "
                            + "PERCENT%:MIN-MAX, was '" + p + "'");
                }
                String pct = p.substring(0, colon).trim();
                try {
                    weight = Double.parseDouble(pct.substring(0, pct.length() - 1)) / 100;
                } catch (NumberFormatException e) {
                    throw new IllegalArgumentException("--value-size: not a percentage: '" + pct + "'");
                }
                if (!(weight > 0 && weight <= 1)) {
                    throw new IllegalArgumentException("--value-size: a weight must be in (0%, 100%], was '" + pct + "'");
                }
                p = p.substring(colon + 1).trim();
            }
            int dash = p.indexOf('-');
            int min = bytes(dash < 0 ? p : p.substring(0, dash));
            int max = dash < 0 ? min : bytes(p.substring(dash + 1));
            if (max < min) {
                throw new IllegalArgumentException("--value-size: range '" + p + "' ends below its start");
            }
            ranges.add(new double[] {min, max, weight});
            labels.add(min == max ? format(min) : format(min) + "-" + format(max));
            total += weight;
        }
        if (weighted && Math.abs(total - 1) > 1e-6) {
            throw new IllegalArgumentException(String.format(Locale.ROOT,
                    "--value-size: the weights of a mix must add up to 100%%, they add up to %.4g%%", total * 100));
        }
        double cumulative = 0;
        StringBuilder normal = new StringBuilder();
        for (int i = 0; i < ranges.size(); i++) {
            double[] r = ranges.get(i);
            cumulative = i == ranges.size() - 1 ? 1 : cumulative + r[2] / total;
            classes.add(new SizeClass(labels.get(i), (int) r[0], (int) r[1], r[2] / total, cumulative));
            if (weighted) {
                normal.append(i == 0 ? "" : ",").append(fmtPercent(r[2] / total * 100)).append("%:");
            }
            normal.append(labels.get(i));
        }
        return new ValueSizes(normal.toString(), classes);
    }

    /** A single fixed size. */
    public static ValueSizes fixed(int size) {
        return parse(Integer.toString(size));
    }

    /** The size of the next value. */
    public int next(SplittableRandom random) {
        SizeClass c = classes.getFirst();
        if (classes.size() > 1) {
            double u = random.nextDouble();
            for (SizeClass candidate : classes) {
                c = candidate;
                if (u < candidate.cumulative()) {
                    break;
                }
            }
        }
        return c.min() == c.max() ? c.min() : c.min() + random.nextInt(c.max() - c.min() + 1);
    }

    /** The class a value of this size belongs to: the first whose range holds it, else the nearest. */
    public int classOf(int size) {
        if (classes.size() == 1) {
            return 0;
        }
        int best = 0;
        long bestDistance = Long.MAX_VALUE;
        for (int i = 0; i < classes.size(); i++) {
            SizeClass c = classes.get(i);
            if (c.contains(size)) {
                return i;
            }
            long distance = size < c.min() ? (long) c.min() - size : (long) size - c.max();
            if (distance < bestDistance) {
                bestDistance = distance;
                best = i;
            }
        }
        return best;
    }

    public int min() {
        return classes.stream().mapToInt(SizeClass::min).min().orElseThrow();
    }

    public int max() {
        return classes.stream().mapToInt(SizeClass::max).max().orElseThrow();
    }

    public boolean isFixed() {
        return min() == max();
    }

    /** Bytes from {@code 1024}, {@code 100B}, {@code 4KiB}/{@code 4K}/{@code 4KB} or {@code 5MiB}/{@code 5M}/{@code 5MB} (binary units). */
    static int bytes(String text) {
        String t = text.trim().toUpperCase(Locale.ROOT);
        long unit = 1;
        for (String[] suffix : new String[][] {{"KIB", "1024"}, {"MIB", "1048576"}, {"KB", "1024"}, {"MB", "1048576"},
            {"K", "1024"}, {"M", "1048576"}, {"B", "1"}}) {
            if (t.endsWith(suffix[0])) {
                unit = Long.parseLong(suffix[1]);
                t = t.substring(0, t.length() - suffix[0].length()).trim();
                break;
            }
        }
        if (!t.matches("[0-9]+(\\.[0-9]+)?")) {
            throw new IllegalArgumentException("--value-size: not a size: '" + text.trim() + "' (e.g. 100, 1KiB, 5MiB)");
        }
        double n = Double.parseDouble(t);
        double value = n * unit;
        if (value != Math.rint(value) || value < 0 || value > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("--value-size: not a whole number of bytes: '" + text.trim() + "'");
        }
        return (int) value;
    }

    static String format(int bytes) {
        if (bytes >= 1 << 20 && bytes % (1 << 20) == 0) {
            return bytes / (1 << 20) + "MiB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return bytes / 1024 + "KiB";
        }
        return bytes + "B";
    }

    private static String fmtPercent(double p) {
        return p == Math.rint(p) ? Long.toString((long) p) : String.format(Locale.ROOT, "%.4g", p);
    }
}
