package io.github.localport.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A service that is an operating-system process: drains its standard output and error (the
 * process would block once a pipe fills) and keeps the last lines for messages, remembers every
 * descendant it has seen, and stops the whole tree.
 *
 * <p>Descendants are collected on every start-up poll and before stopping, because a process
 * whose parent has exited (a server that puts itself in the background) can no longer be found
 * from that parent. Processes still running when the JVM exits are killed by a shutdown hook.
 */
final class ServiceProcess {

    private static final int KEPT_LINES = 20;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    private static final Map<Process, ServiceProcess> LIVE = new ConcurrentHashMap<>();

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> LIVE.values().forEach(live -> live.tree().forEach(ProcessHandle::destroyForcibly)),
                "localport-process-reaper"));
    }

    private final Process process;
    private final String name;
    private final boolean echo;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final Set<ProcessHandle> descendants = ConcurrentHashMap.newKeySet();
    private final List<Thread> readers;

    private ServiceProcess(Process process, String name, boolean echo) {
        this.process = process;
        this.name = name;
        this.echo = echo;
        this.readers = List.of(reader(process.getInputStream(), "stdout"), reader(process.getErrorStream(), "stderr"));
        readers.forEach(Thread::start);
        LIVE.put(process, this);
        refreshDescendants();
    }

    /** Watches the service if it is a process, or returns {@code null}. */
    static ServiceProcess of(Object service, String name, boolean echo) {
        return service instanceof Process process ? new ServiceProcess(process, name, echo) : null;
    }

    Process process() {
        return process;
    }

    void refreshDescendants() {
        process.descendants().forEach(descendants::add);
    }

    /**
     * Stops the process and every descendant seen: SIGTERM to all, then, after 10 s, SIGKILL to
     * what is left. Waits briefly for the output readers, which end when the pipes close.
     *
     * @throws IllegalStateException if some process is still alive after SIGKILL
     */
    void stop() {
        refreshDescendants();
        try {
            List<ProcessHandle> tree = tree().toList();
            tree.forEach(ProcessHandle::destroy);
            if (!Poll.until(() -> tree.stream().noneMatch(ProcessHandle::isAlive), STOP_TIMEOUT)) {
                List<ProcessHandle> stubborn = tree.stream().filter(ProcessHandle::isAlive).toList();
                PortRegistry.LOGGER.warning(() -> "Service '" + name + "': processes still alive "
                        + Durations.format(STOP_TIMEOUT) + " after SIGTERM were killed: " + describe(stubborn));
                stubborn.forEach(ProcessHandle::destroyForcibly);
                if (!Poll.until(() -> stubborn.stream().noneMatch(ProcessHandle::isAlive), KILL_TIMEOUT)) {
                    throw new IllegalStateException("Service '" + name + "': processes survived SIGKILL: "
                            + describe(stubborn));
                }
            }
        }
        finally {
            LIVE.remove(process);
            joinReaders();
        }
    }

    /** The last lines the process printed, as a message suffix; all of them once it has exited. */
    String describeLastLines() {
        if (!process.isAlive()) {
            joinReaders();
        }
        synchronized (this) {
            if (lastLines.isEmpty()) {
                return " It printed nothing.";
            }
            return " Its last output:%n  ".formatted() + String.join("%n  ".formatted(), lastLines);
        }
    }

    private Stream<ProcessHandle> tree() {
        return Stream.concat(Stream.of(process.toHandle()), descendants.stream()).filter(ProcessHandle::isAlive);
    }

    private Thread reader(InputStream stream, String which) {
        Thread thread = new Thread(() -> drain(stream), "localport-" + name + "-" + which);
        thread.setDaemon(true);
        return thread;
    }

    private void drain(InputStream stream) {
        try (BufferedReader reader = new BufferedReader(new InputStreamReader(stream, Charset.defaultCharset()))) {
            for (String line = reader.readLine(); line != null; line = reader.readLine()) {
                keep(line);
            }
        }
        catch (IOException e) {
            // The stream closed with the process: nothing more to keep.
        }
    }

    private synchronized void keep(String line) {
        if (lastLines.size() == KEPT_LINES) {
            lastLines.removeFirst();
        }
        lastLines.addLast(line);
        if (echo) {
            System.out.println("[" + name + "] " + line);
        }
    }

    /** Outside the lock that {@link #keep} takes, so that a reader can finish. */
    private void joinReaders() {
        for (Thread reader : readers) {
            try {
                reader.join(1000);
            }
            catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }

    private static String describe(List<ProcessHandle> handles) {
        return handles.stream().map(handle -> "pid " + handle.pid() + " ("
                + handle.info().commandLine().orElse("command line not visible") + ")")
                .collect(Collectors.joining(", "));
    }
}
