package io.github.localport.core;

import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;
import java.util.stream.Stream;

/**
 * A service that is an operating-system process: drains its standard output and error (the
 * process would block once a pipe fills) and keeps the last lines for messages, in bounded
 * memory whatever it prints; finds every process it started; and stops them all.
 *
 * <p>Descendants are collected on every start-up poll and before stopping. A process whose
 * parent has exited (a server that puts itself in the background, {@code (sleep 300 &)}) is
 * reparented and can no longer be found from that parent, so a process started from a
 * {@link ProcessBuilder} that localport was given carries a marker in its environment
 * ({@value #MARKER}), which every descendant inherits; on Linux, stopping also stops every
 * process of this user whose environment carries the marker. Processes still running when the
 * JVM exits are killed by a shutdown hook.
 */
public final class ServiceProcess {

    /** The environment variable that marks the processes of one service run. */
    public static final String MARKER = "LOCALPORT_SERVICE_RUN";
    /** Longer lines are cut to this many characters for messages; the rest is drained unseen. */
    static final int MAX_LINE = 2000;

    private static final int KEPT_LINES = 20;
    private static final Duration STOP_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration KILL_TIMEOUT = Duration.ofSeconds(5);
    private static final Map<Process, ServiceProcess> LIVE = new ConcurrentHashMap<>();
    private static final Path ENVIRON_ROOT = Path.of("/proc");

    static {
        Runtime.getRuntime().addShutdownHook(new Thread(
                () -> LIVE.values().forEach(live -> {
                    live.collectMarked();
                    live.tree().forEach(ProcessHandle::destroyForcibly);
                }),
                "localport-process-reaper"));
    }

    private final Process process;
    private final String marker;
    private final String name;
    private final boolean echo;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final Set<ProcessHandle> descendants = ConcurrentHashMap.newKeySet();
    private final List<Thread> readers;

    private ServiceProcess(Process process, String marker, String name, boolean echo) {
        this.process = process;
        this.marker = marker;
        this.name = name;
        this.echo = echo;
        this.readers = List.of(reader(process.getInputStream(), "stdout"), reader(process.getErrorStream(), "stderr"));
        readers.forEach(Thread::start);
        LIVE.put(process, this);
        refreshDescendants();
    }

    /**
     * Marks every process the builder starts, and their descendants, as this run's.
     *
     * @return the marker to give {@link #of}
     */
    public static String mark(ProcessBuilder builder) {
        String marker = UUID.randomUUID().toString();
        builder.environment().put(MARKER, marker);
        return marker;
    }

    /**
     * Watches the service if it is a process, or returns {@code null}.
     *
     * @param marker what {@link #mark} put in its environment, or {@code null} if it was started elsewhere
     */
    public static ServiceProcess of(Object service, String marker, String name, boolean echo) {
        return service instanceof Process process ? new ServiceProcess(process, marker, name, echo) : null;
    }

    public Process process() {
        return process;
    }

    void refreshDescendants() {
        process.descendants().forEach(descendants::add);
    }

    /** Every live process of this user whose environment carries the marker (Linux), however it was reparented. */
    private void collectMarked() {
        if (marker == null) {
            return;
        }
        byte[] entry = (MARKER + "=" + marker).getBytes(StandardCharsets.UTF_8);
        ProcessHandle.allProcesses().filter(handle -> carries(handle.pid(), entry)).forEach(descendants::add);
    }

    private static boolean carries(long pid, byte[] entry) {
        try {
            byte[] environment = Files.readAllBytes(ENVIRON_ROOT.resolve(Long.toString(pid)).resolve("environ"));
            for (int start = 0; start < environment.length; start++) {
                int end = start;
                while (end < environment.length && environment[end] != 0) {
                    end++;
                }
                if (Arrays.equals(environment, start, end, entry, 0, entry.length)) {
                    return true;
                }
                start = end;
            }
        }
        catch (IOException | RuntimeException e) {
            // Another user's process, one that has exited, or no /proc.
        }
        return false;
    }

    /**
     * Stops the process and every descendant seen: SIGTERM to all, then, after 10 s, SIGKILL to
     * what is left. Waits briefly for the output readers, which end when the pipes close.
     *
     * @throws IllegalStateException if some process is still alive after SIGKILL
     */
    public void stop() {
        refreshDescendants();
        collectMarked();
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
    public String describeLastLines() {
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

    /** Reads lines of at most {@link #MAX_LINE} characters: memory stays bounded whatever the process prints. */
    private void drain(InputStream stream) {
        try (Reader reader = new InputStreamReader(stream, Charset.defaultCharset())) {
            StringBuilder line = new StringBuilder();
            boolean cut = false;
            char[] buffer = new char[8192];
            for (int read = reader.read(buffer); read >= 0; read = reader.read(buffer)) {
                for (int i = 0; i < read; i++) {
                    char c = buffer[i];
                    if (c == '\n') {
                        keep(line, cut);
                        line.setLength(0);
                        cut = false;
                    }
                    else if (line.length() < MAX_LINE) {
                        line.append(c);
                    }
                    else {
                        cut = true;
                    }
                }
            }
            if (line.length() > 0) {
                keep(line, cut);
            }
        }
        catch (IOException e) {
            // The stream closed with the process: nothing more to keep.
        }
    }

    private void keep(StringBuilder line, boolean cut) {
        int end = line.length() > 0 && line.charAt(line.length() - 1) == '\r' ? line.length() - 1 : line.length();
        keep(line.substring(0, end) + (cut ? " [line cut at " + MAX_LINE + " characters]" : ""));
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
