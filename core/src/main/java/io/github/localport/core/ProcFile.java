package io.github.localport.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.StringTokenizer;

/**
 * Reads Linux /proc files, which report a size of 0: {@code Files.readString} trusts that size
 * and returns a single byte, so they are read as a stream to the end.
 */
final class ProcFile {

    private ProcFile() {
    }

    static String read(Path file) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The whitespace-separated fields of a line, without a regular expression (cheaper in a fresh JVM). */
    static String[] fields(String line) {
        StringTokenizer tokens = new StringTokenizer(line);
        String[] fields = new String[tokens.countTokens()];
        for (int i = 0; i < fields.length; i++) {
            fields[i] = tokens.nextToken();
        }
        return fields;
    }
}
