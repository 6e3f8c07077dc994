package io.ringkv.coordinator.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One schema change: version {@code n} is the script {@code Vn__description.sql}. Its checksum is
 * recorded when it is applied, so an edited script that was already applied somewhere is caught.
 */
record Migration(int version, String script, String sql) {
    private static final Pattern NAME = Pattern.compile("V([1-9][0-9]{0,8})__[A-Za-z0-9_]+\\.sql");

    Migration {
        Objects.requireNonNull(script, "script");
        Objects.requireNonNull(sql, "sql");
        Matcher m = NAME.matcher(script);
        if (!m.matches() || Integer.parseInt(m.group(1)) != version) {
            throw new IllegalArgumentException("migration script '" + script + "' must be named V" + version
                    + "__description.sql");
        }
    }

    /** Reads {@code <directory>/<script>} from the class path; the version comes from the name. */
    static Migration load(String directory, String script) {
        Matcher m = NAME.matcher(script);
        if (!m.matches()) {
            throw new IllegalArgumentException("migration script '" + script + "' must be named Vn__description.sql");
        }
        String resource = directory + "/" + script;
        try (InputStream in = Migration.class.getClassLoader().getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("migration script " + resource + " is not on the class path");
            }
            return new Migration(Integer.parseInt(m.group(1)), script, new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read migration script " + resource, e);
        }
    }

    /**
     * SHA-256 of the script in hex. Line endings are normalised first so that a checkout with
     * CRLF line endings does not look like an edited script.
     */
    String checksum() {
        try {
            byte[] text = sql.replace("\r\n", "\n").getBytes(StandardCharsets.UTF_8);
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text));
        } catch (NoSuchAlgorithmException e) {
            throw new AssertionError("every JDK has SHA-256", e);
        }
    }
}
