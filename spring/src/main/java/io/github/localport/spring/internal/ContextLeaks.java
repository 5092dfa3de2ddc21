package io.github.localport.spring.internal;

import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.nio.charset.Charset;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.logging.Logger;

import io.github.localport.core.PortStillInUseError;

/**
 * Leaks found when a context closed, until a test reports them. Spring only logs what a destroy
 * method throws, so a leak waits here for {@link ContextLeakListener} to throw it in the thread
 * that closed the context. Where no test can fail any more (the JVM is shutting down, which is
 * when Spring closes the contexts it still caches at the end of a run), it is logged at
 * {@code SEVERE} and written to standard error; so is any leak still unreported when the JVM
 * exits.
 */
final class ContextLeaks {

    private static final Logger LOGGER = Logger.getLogger("io.github.localport");
    private static final Queue<Leak> UNREPORTED = new ConcurrentLinkedQueue<>();

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(ContextLeaks::logUnreported, "localport-spring-leaks"));
        }
        catch (IllegalStateException shuttingDown) {
            // first used while the JVM shuts down: every leak found from now on is logged at once
        }
    }

    private record Leak(Thread thread, PortStillInUseError error) {
    }

    private ContextLeaks() {
    }

    static void found(PortStillInUseError leak) {
        if (jvmShuttingDown()) {
            logLoudly(leak);
        }
        else {
            UNREPORTED.add(new Leak(Thread.currentThread(), leak));
        }
    }

    /** Throws the leaks found by this thread since it last asked, the first with the others suppressed. */
    static void throwFoundByThisThread() {
        List<PortStillInUseError> found = new ArrayList<>();
        for (Iterator<Leak> leaks = UNREPORTED.iterator(); leaks.hasNext();) {
            Leak leak = leaks.next();
            if (leak.thread() == Thread.currentThread() && UNREPORTED.remove(leak)) {
                found.add(leak.error());
            }
        }
        if (!found.isEmpty()) {
            PortStillInUseError first = found.get(0);
            found.subList(1, found.size()).forEach(first::addSuppressed);
            throw first;
        }
    }

    private static void logUnreported() {
        for (Leak leak; (leak = UNREPORTED.poll()) != null;) {
            logLoudly(leak.error());
        }
    }

    /**
     * Logs at {@code SEVERE}, and writes it to the process's own standard error: at shutdown the
     * JDK may already have reset {@code java.util.logging} (its own shutdown hook runs beside
     * this one), and a build tool's test runner has stopped reading the {@code System.err} it
     * installed for the tests, but it shows what the process writes to its standard error.
     */
    private static void logLoudly(PortStillInUseError leak) {
        String message = leak.getMessage() + System.lineSeparator() + "No test failed for it: the context was closed"
                + " at the end of the run.";
        if (hasHandler(LOGGER)) {
            LOGGER.severe(message);
        }
        PrintStream stderr = new PrintStream(new FileOutputStream(FileDescriptor.err), true, Charset.defaultCharset());
        stderr.println("SEVERE [localport] " + message);
    }

    private static boolean hasHandler(Logger logger) {
        for (Logger at = logger; at != null; at = at.getUseParentHandlers() ? at.getParent() : null) {
            if (at.getHandlers().length > 0) {
                return true;
            }
        }
        return false;
    }

    /** A shutdown hook can no longer be added once the JVM shuts down. */
    private static boolean jvmShuttingDown() {
        Thread probe = new Thread(() -> {
        });
        try {
            Runtime.getRuntime().addShutdownHook(probe);
            Runtime.getRuntime().removeShutdownHook(probe);
            return false;
        }
        catch (IllegalStateException e) {
            return true;
        }
    }
}
