package io.github.localport.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;

/**
 * Drains a service process's standard output and error, which the process would otherwise
 * block on once the pipe fills, and keeps the last lines for failure messages. Streams the
 * {@code ProcessBuilder} redirected elsewhere read as empty.
 */
final class ProcessOutput implements AutoCloseable {

    private static final int KEPT_LINES = 20;

    private final Process process;
    private final String name;
    private final boolean echo;
    private final Deque<String> lastLines = new ArrayDeque<>();
    private final List<Thread> readers;

    private ProcessOutput(Process process, String name, boolean echo) {
        this.process = process;
        this.name = name;
        this.echo = echo;
        this.readers = List.of(reader(process.getInputStream(), "stdout"), reader(process.getErrorStream(), "stderr"));
        readers.forEach(Thread::start);
    }

    /** Watches the service if it is a process, or returns {@code null}. */
    static ProcessOutput of(Object service, String name, boolean echo) {
        if (service instanceof Process process) {
            ServiceRun.register(process);
            return new ProcessOutput(process, name, echo);
        }
        return null;
    }

    Process process() {
        return process;
    }

    /** The last lines the process printed, as a message suffix; all of them once it has exited. */
    String describeLastLines() {
        if (!process.isAlive()) {
            close();
        }
        synchronized (this) {
            if (lastLines.isEmpty()) {
                return " It printed nothing.";
            }
            return " Its last output:%n  ".formatted() + String.join("%n  ".formatted(), lastLines);
        }
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

    /** Waits briefly for the readers, which end when the stopped process's pipes close. */
    @Override
    public void close() {
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
}
