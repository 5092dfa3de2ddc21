package io.github.localport.internal;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * Ports for the constructor of a test instance that lives for one test.
 *
 * <p>JUnit resolves constructor parameters with the class's context, before the test's context
 * exists. These ports wait here, in the root store under the current thread (construction and
 * the test run on one thread), until {@code beforeEach} moves them into the test's store. If the
 * test never starts, the root store closes them at the end of the run.
 */
final class ConstructorPorts implements PortScope, ScopedResource {

    private record Pending(Thread thread) {
    }

    private final ExtensionContext classContext;
    private final Map<Object, ScopedResource> kept = new LinkedHashMap<>();

    private ConstructorPorts(ExtensionContext classContext) {
        this.classContext = classContext;
    }

    static ConstructorPorts pendingFor(ExtensionContext classContext) {
        ExtensionContext.Store root = rootStore(classContext);
        Pending key = new Pending(Thread.currentThread());
        ConstructorPorts pending = root.get(key, ConstructorPorts.class);
        if (pending == null) {
            pending = new ConstructorPorts(classContext);
            root.put(key, pending);
        }
        return pending;
    }

    static void adoptInto(ExtensionContext testContext) {
        ConstructorPorts pending = rootStore(testContext).remove(new Pending(Thread.currentThread()),
                ConstructorPorts.class);
        if (pending != null) {
            ExtensionContext.Store store = testContext.getStore(LocalPortExtension.NAMESPACE);
            pending.kept.forEach(store::put);
        }
    }

    private static ExtensionContext.Store rootStore(ExtensionContext context) {
        return context.getRoot().getStore(LocalPortExtension.NAMESPACE);
    }

    @Override
    public Reservation find(PortRequest request) {
        Reservation own = PortScope.compatible((Reservation) kept.get(new Name(request.name())), request);
        return own != null ? own : PortScope.of(classContext).find(request);
    }

    @Override
    public void keep(Object key, ScopedResource value) {
        kept.put(key, value);
    }

    @Override
    public String label() {
        return "the test of an instance of " + classContext.getRequiredTestClass().getName();
    }

    @Override
    public Settings settings() {
        return PortScope.of(classContext).settings();
    }

    /** Only reached when no test adopted the ports: closes them all, last kept first. */
    @Override
    public void close() {
        List<ScopedResource> values = new ArrayList<>(kept.values());
        Throwable failure = null;
        for (int i = values.size() - 1; i >= 0; i--) {
            try {
                values.get(i).close();
            }
            catch (RuntimeException | Error e) {
                if (failure == null) {
                    failure = e;
                }
                else {
                    failure.addSuppressed(e);
                }
            }
        }
        if (failure instanceof RuntimeException e) {
            throw e;
        }
        if (failure instanceof Error e) {
            throw e;
        }
    }
}
