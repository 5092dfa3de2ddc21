package io.github.localport.spring;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Supplier;
import java.util.stream.Collectors;

/**
 * Runs an action with a {@code junit-platform.properties} of its own on the thread's context
 * class path, where JUnit and localport look for it, as a build's test resources would put it.
 */
final class JunitPlatformProperties {

    private JunitPlatformProperties() {
    }

    static <T> T with(Path directory, Map<String, String> properties, Supplier<T> action) {
        Thread thread = Thread.currentThread();
        ClassLoader previous = thread.getContextClassLoader();
        try (URLClassLoader loader = new URLClassLoader(new URL[] { write(directory, properties) }, previous)) {
            thread.setContextClassLoader(loader);
            return action.get();
        }
        catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        finally {
            thread.setContextClassLoader(previous);
        }
    }

    private static URL write(Path directory, Map<String, String> properties) throws IOException {
        Files.writeString(directory.resolve("junit-platform.properties"), properties.entrySet().stream()
                .map(entry -> entry.getKey() + "=" + entry.getValue()).collect(Collectors.joining("\n")));
        try {
            return directory.toUri().toURL();
        }
        catch (MalformedURLException e) {
            throw new IllegalStateException(e);
        }
    }
}
