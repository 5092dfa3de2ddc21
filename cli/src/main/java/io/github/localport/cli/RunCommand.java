package io.github.localport.cli;

import java.io.IOException;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

import io.github.localport.cli.LocalPortCommand.UsageException;
import io.github.localport.core.PortRegistry;
import io.github.localport.core.PortRequest;
import io.github.localport.core.PortStillInUseError;
import io.github.localport.core.Reservation;
import io.github.localport.core.ServiceProcess;
import io.github.localport.core.Settings;
import io.github.localport.core.Transport;

/**
 * {@code run --port NAME... -- COMMAND ARGS}: the ports are held while the command runs, and
 * every process it starts carries a marker ({@link ServiceProcess#MARKER}), so that when the
 * command exits or this JVM is told to stop (SIGTERM, SIGINT), everything it started is stopped:
 * SIGTERM, then SIGKILL after 10 s.
 */
final class RunCommand {

    private static final Pattern NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_.-]*");

    /** Port name to environment variable, in the order given. */
    private final Map<String, String> variables;
    private final List<String> command;

    private RunCommand(Map<String, String> variables, List<String> command) {
        this.variables = variables;
        this.command = command;
    }

    static RunCommand parse(List<String> args) {
        Map<String, String> variables = new LinkedHashMap<>();
        int i = 0;
        for (; i < args.size() && !args.get(i).equals("--"); i += 2) {
            if (!args.get(i).equals("--port")) {
                throw new UsageException("run: unexpected '" + args.get(i) + "': give --port NAME for each port,"
                        + " then -- and the command");
            }
            if (i + 1 >= args.size() || args.get(i + 1).equals("--")) {
                throw new UsageException("run: --port needs a name");
            }
            addName(args.get(i + 1), variables);
        }
        if (variables.isEmpty()) {
            throw new UsageException("run: give at least one --port NAME");
        }
        if (i >= args.size() || i + 1 == args.size()) {
            throw new UsageException("run: give the command after --");
        }
        return new RunCommand(variables, List.copyOf(args.subList(i + 1, args.size())));
    }

    private static void addName(String name, Map<String, String> variables) {
        if (!NAME.matcher(name).matches()) {
            throw new UsageException("run: '" + name + "' is not a port name: use letters, digits, '_', '-' and '.',"
                    + " starting with a letter or '_'");
        }
        String variable = name.toUpperCase(Locale.ROOT).replace('-', '_').replace('.', '_');
        variables.forEach((other, taken) -> {
            if (taken.equals(variable)) {
                throw new UsageException("run: --port " + other + " and --port " + name + " would both be "
                        + variable + ": give each port its own name");
            }
        });
        variables.put(name, variable);
    }

    int run(Settings settings, PrintStream err) {
        Map<String, Reservation> ports = new LinkedHashMap<>();
        try {
            for (String name : variables.keySet()) {
                ports.put(name, PortRegistry.reserve(new PortRequest(name, Transport.TCP, "--port " + name + " of"
                        + " localport run"), "localport run " + String.join(" ", command), settings));
            }
        }
        catch (IllegalStateException e) {
            ports.values().forEach(Reservation::close);
            err.println("localport: " + e.getMessage());
            return LocalPortCommand.NO_PORT;
        }
        catch (RuntimeException e) {
            ports.values().forEach(Reservation::close);
            throw e;
        }
        ports.forEach((name, port) -> err.println("localport: " + variables.get(name) + "=" + port.number()));
        return runHolding(ports, err);
    }

    private int runHolding(Map<String, Reservation> ports, PrintStream err) {
        ProcessBuilder builder = new ProcessBuilder(command).inheritIO();
        ports.forEach((name, port) -> builder.environment().put(variables.get(name), String.valueOf(port.number())));
        Command running = new Command(builder);
        Thread onSignal = new Thread(running::stop, "localport-run-stop");
        Runtime.getRuntime().addShutdownHook(onSignal);
        Process process;
        try {
            process = running.start();
        }
        catch (IOException e) {
            ports.values().forEach(Reservation::close);
            err.println("localport: cannot run " + command.get(0) + ": " + e.getMessage());
            return e.getMessage() != null && e.getMessage().contains("error=13") ? LocalPortCommand.CANNOT_EXECUTE
                    : LocalPortCommand.NOT_FOUND;
        }
        int exitCode = waitFor(process);
        boolean leaked = checkReleased(ports, err);
        running.stop();
        Runtime.getRuntime().removeShutdownHook(onSignal);
        return leaked && exitCode == 0 ? LocalPortCommand.PORT_STILL_IN_USE : exitCode;
    }

    /**
     * The command's process, started at most once and stopped at most once, by whichever comes
     * first: its exit, or this JVM's shutdown on a signal. The shutdown hook is in place before
     * the process starts, and a process is never started once the hook has run, so a signal at
     * any moment leaves nothing behind.
     */
    private static final class Command {
        private final ProcessBuilder builder;
        private final String marker;
        private Process process;
        private boolean stopped;

        Command(ProcessBuilder builder) {
            this.builder = builder;
            this.marker = ServiceProcess.mark(builder);
        }

        synchronized Process start() throws IOException {
            if (stopped) {
                throw new IOException("this JVM is shutting down");
            }
            process = builder.start();
            return process;
        }

        /** The command and every process carrying its marker: SIGTERM, then SIGKILL after 10 s. */
        void stop() {
            Process toStop;
            synchronized (this) {
                if (stopped) {
                    return;
                }
                stopped = true;
                toStop = process;
            }
            if (toStop != null) {
                ServiceProcess.of(toStop, marker, "command", false).stop();
            }
        }
    }

    private static int waitFor(Process process) {
        while (true) {
            try {
                return process.waitFor();
            }
            catch (InterruptedException e) {
                // Only a signal ends this JVM early, and its shutdown hook stops the command.
            }
        }
    }

    /** Checks and releases every port; says which were still in use, and by whom. */
    private static boolean checkReleased(Map<String, Reservation> ports, PrintStream err) {
        boolean leaked = false;
        for (Reservation port : ports.values()) {
            try {
                port.close("the command exited", "Stop what the command started on the port before it exits (localport"
                        + " stops it now)");
            }
            catch (PortStillInUseError e) {
                err.println("localport: " + e.getMessage());
                leaked = true;
            }
        }
        return leaked;
    }
}
