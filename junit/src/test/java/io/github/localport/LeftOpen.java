package io.github.localport;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * What fixtures leave open on purpose (a leaked server is the point of many of them), closed
 * after each test of the class that registers it with {@code @RegisterExtension}, or earlier
 * with {@link #closeAll()}.
 */
final class LeftOpen implements AfterEachCallback {

    private final List<AutoCloseable> open = new CopyOnWriteArrayList<>();

    <T extends AutoCloseable> T add(T closeable) {
        open.add(closeable);
        return closeable;
    }

    void closeAll() throws Exception {
        for (AutoCloseable closeable : open) {
            closeable.close();
        }
        open.clear();
    }

    @Override
    public void afterEach(ExtensionContext context) throws Exception {
        closeAll();
    }
}
