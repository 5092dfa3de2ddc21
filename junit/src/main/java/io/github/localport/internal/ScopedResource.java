package io.github.localport.internal;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A value kept in an {@link ExtensionContext.Store} until the end of its scope. JUnit 5.13 and
 * later close stored {@link AutoCloseable}s, older versions close {@code CloseableResource}s;
 * being both, it is closed once by either.
 */
@SuppressWarnings("deprecation") // CloseableResource, for JUnit before 5.13
interface ScopedResource extends AutoCloseable, ExtensionContext.Store.CloseableResource {

    @Override
    void close();

    /** Keeps a core object for a scope: closing it closes the object, its failures in JUnit's terms. */
    record Kept<T extends AutoCloseable>(T value) implements ScopedResource {

        @Override
        public void close() {
            JUnitFailures.translate(() -> {
                try {
                    value.close();
                }
                catch (RuntimeException | Error e) {
                    throw e;
                }
                catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
        }
    }
}
