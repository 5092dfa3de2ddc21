package io.github.localport.core;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

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
}
