package io.ringkv.coordinator.repair;

import java.util.SortedSet;
import java.util.TreeSet;

/** A set of vnodes as the catalog keeps it: ascending comma-separated ranges, {@code "0-17,40,52-63"}. */
public final class VnodeRanges {
    private VnodeRanges() {
    }

    public static String encode(SortedSet<Integer> vnodes) {
        StringBuilder out = new StringBuilder();
        Integer start = null;
        Integer prev = null;
        for (int v : vnodes) {
            if (prev != null && v == prev + 1) {
                prev = v;
                continue;
            }
            append(out, start, prev);
            start = v;
            prev = v;
        }
        append(out, start, prev);
        return out.toString();
    }

    private static void append(StringBuilder out, Integer start, Integer end) {
        if (start == null) {
            return;
        }
        if (!out.isEmpty()) {
            out.append(',');
        }
        out.append(start);
        if (!start.equals(end)) {
            out.append('-').append(end);
        }
    }

    public static TreeSet<Integer> decode(String text) {
        TreeSet<Integer> out = new TreeSet<>();
        if (text == null || text.isBlank()) {
            return out;
        }
        for (String part : text.split(",")) {
            int dash = part.indexOf('-');
            try {
                int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).trim());
                int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
                if (from < 0 || to < from) {
                    throw new IllegalArgumentException("bad vnode range '" + part + "'");
                }
                for (int v = from; v <= to; v++) {
                    out.add(v);
                }
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("bad vnode range '" + part + "'");
            }
        }
        return out;
    }
}
