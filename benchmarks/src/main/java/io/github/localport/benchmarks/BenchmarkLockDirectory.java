package io.github.localport.benchmarks;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

/**
 * The lock directory the JMH benchmarks use, unless {@code -Dlocalport.lock.dir} is given: a
 * directory of their own, so that what other builds on the machine hold does not change the
 * numbers, with a lock file for every port of the default range already there, as in the
 * shared directory of a machine that has run localport before (README: one {@code PORT.lock}
 * per port, never deleted).
 */
final class BenchmarkLockDirectory {

    private BenchmarkLockDirectory() {
    }

    /** Sets {@code localport.lock.dir} for {@code ReservedPort.reserve()} in this JVM; returns the directory. */
    static Path useForThisJvm() {
        String configured = System.getProperty("localport.lock.dir");
        if (configured != null) {
            return Path.of(configured);
        }
        Path directory = Path.of(System.getProperty("java.io.tmpdir"), "localport-benchmarks");
        try {
            Files.createDirectories(directory);
            int[] range = Machine.localportDefaultRange();
            for (int port = range[0]; port <= range[1]; port++) {
                Path file = directory.resolve(port + ".lock");
                if (!Files.exists(file)) {
                    try {
                        Files.createFile(file);
                        Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-rw-rw-"));
                    }
                    catch (FileAlreadyExistsException e) {
                        // another fork was first
                    }
                }
            }
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        System.setProperty("localport.lock.dir", directory.toString());
        return directory;
    }
}
