package io.github.localport;

import java.io.IOException;
import java.lang.reflect.Field;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;

import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;
import org.junit.platform.commons.support.HierarchyTraversalMode;
import org.junit.platform.commons.support.ModifierSupport;

/**
 * An extension wired the way people wire WireMock or a broker: it starts a server (a listening
 * socket), on the port
 * a {@code @LocalPort} field carries when its callback runs, in {@code beforeAll} (for a static
 * field) or {@code beforeEach} (for an instance field), and stops it after. A field that still
 * reads 0 then gets a server on a random port, with no error: {@link #answersOn(int)} tells.
 *
 * <p>Registered with {@code @RegisterExtension}, it reads the port from the supplier it was
 * given; registered with {@code @ExtendWith}, from the test class's {@code @LocalPort} field.
 */
public final class ServerOnPort implements BeforeAllCallback, BeforeEachCallback, AfterEachCallback, AfterAllCallback {

    private final IntSupplier port;
    private final boolean perTest;
    /** The ports servers of this kind listen on now. */
    private static final Set<Integer> LISTENING = ConcurrentHashMap.newKeySet();

    private volatile ServerSocket server;

    /** For {@code @ExtendWith}: reads the test class's one {@code @LocalPort} field, static or not. */
    public ServerOnPort() {
        this(null, false);
    }

    private ServerOnPort(IntSupplier port, boolean perTest) {
        this.port = port;
        this.perTest = perTest;
    }

    /** Starts a server for the class, on the port {@code port} gives in {@code beforeAll}. */
    static ServerOnPort perClass(IntSupplier port) {
        return new ServerOnPort(port, false);
    }

    /** Starts a server for each test, on the port {@code port} gives in {@code beforeEach}. */
    static ServerOnPort perTest(IntSupplier port) {
        return new ServerOnPort(port, true);
    }

    /** Whether a server of this kind listens on the port and accepts a connection there. */
    static boolean answersOn(int port) throws IOException {
        if (!LISTENING.contains(port)) {
            return false;
        }
        try (Socket client = new Socket(InetAddress.getLoopbackAddress(), port)) {
            return true;
        }
    }

    @Override
    public void beforeAll(ExtensionContext context) throws Exception {
        if (port != null ? !perTest : field(context.getRequiredTestClass(), true) != null) {
            start(port != null ? port.getAsInt() : field(context.getRequiredTestClass(), true).getInt(null));
        }
    }

    @Override
    public void beforeEach(ExtensionContext context) throws Exception {
        if (port != null ? perTest : field(context.getRequiredTestClass(), false) != null) {
            start(port != null ? port.getAsInt()
                    : field(context.getRequiredTestClass(), false).getInt(context.getRequiredTestInstance()));
        }
    }

    @Override
    public void afterEach(ExtensionContext context) {
        if (port != null ? perTest : field(context.getRequiredTestClass(), false) != null) {
            stop();
        }
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (port != null ? !perTest : field(context.getRequiredTestClass(), true) != null) {
            stop();
        }
    }

    private void start(int port) throws IOException {
        server = new ServerSocket();
        server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        LISTENING.add(server.getLocalPort());
    }

    private void stop() {
        try {
            LISTENING.remove(server.getLocalPort());
            server.close();
        }
        catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static Field field(Class<?> testClass, boolean isStatic) {
        List<Field> fields = AnnotationSupport.findAnnotatedFields(testClass, LocalPort.class,
                field -> ModifierSupport.isStatic(field) == isStatic, HierarchyTraversalMode.TOP_DOWN);
        if (fields.isEmpty()) {
            return null;
        }
        fields.get(0).setAccessible(true);
        return fields.get(0);
    }
}
