package io.github.localport.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

import io.github.localport.core.HeldPorts;
import io.github.localport.core.Settings;
import io.github.localport.core.Transport;

/**
 * {@code java -jar localport-cli.jar}: localport's registry for scripts, other languages and
 * containers. {@code run} reserves ports for a command, {@code list} shows every port held
 * through localport on the machine, {@code who} tells who holds one port.
 *
 * @since 0.1.0
 */
public final class LocalPortCommand {

    /** Bad arguments (sysexits' EX_USAGE). */
    static final int USAGE = 64;
    /** No port could be reserved: the range is exhausted (EX_UNAVAILABLE). */
    static final int NO_PORT = 69;
    /** A port was still in use after the command exited, which itself exited 0 (EX_TEMPFAIL). */
    static final int PORT_STILL_IN_USE = 75;
    /** A bad {@code localport.*} setting or an unusable lock directory (EX_CONFIG). */
    static final int BAD_SETTING = 78;
    /** The command could not be run: not executable. */
    static final int CANNOT_EXECUTE = 126;
    /** The command could not be run: not found. */
    static final int NOT_FOUND = 127;

    static final String USAGE_TEXT = """
            Usage: java -jar localport-cli.jar COMMAND

              run --port NAME [--port NAME]... -- COMMAND [ARGS]...
                  Reserves a port per NAME, runs COMMAND with each in the environment variable
                  NAME in upper case ('-' and '.' become '_'), checks the ports came back when it
                  exits, and exits with its exit code.
              list
                  Every port held through localport on this machine, with its holder.
              who PORT
                  Who holds PORT: through localport, and what has it bound. Exits 0 if someone
                  does, 1 if nobody.
              help, --help
                  This text.

            Configuration: the localport.* system properties (java -Dlocalport.range=40000-40999
            -jar ...) or environment variables (LOCALPORT_RANGE, LOCALPORT_LOCK_DIR,
            LOCALPORT_LEAK_GRACE, LOCALPORT_LEAK_POLICY).

            Exit codes: the command's own for run; 64 bad arguments; 69 no free port in the
            range; 75 a port still in use after the command exited 0; 78 a bad setting or lock
            directory; 126 the command is not executable; 127 the command was not found.
            """;

    private LocalPortCommand() {
    }

    /**
     * Runs the command line and exits with its exit code.
     *
     * @param args {@code run}, {@code list}, {@code who} or {@code help}, and their arguments
     */
    public static void main(String[] args) {
        System.exit(execute(Arrays.asList(args), System.out, System.err, System.getenv()));
    }

    static int execute(List<String> args, PrintStream out, PrintStream err, Map<String, String> environment) {
        if (args.isEmpty()) {
            return usage(err, "no command given");
        }
        List<String> rest = args.subList(1, args.size());
        try {
            return switch (args.get(0)) {
                case "run" -> RunCommand.parse(rest).run(settings(environment), err);
                case "list" -> rest.isEmpty() ? list(out, settings(environment)) : usage(err, "list takes no arguments");
                case "who" -> rest.size() == 1 ? who(rest.get(0), out, err, settings(environment))
                        : usage(err, "who takes one port number");
                case "help", "--help", "-h" -> {
                    out.print(USAGE_TEXT);
                    yield 0;
                }
                default -> usage(err, "unknown command '" + args.get(0) + "'");
            };
        }
        catch (UsageException e) {
            return usage(err, e.getMessage());
        }
        catch (IllegalArgumentException e) { // ConfigurationException: a bad setting or lock directory
            err.println("localport: " + e.getMessage());
            return BAD_SETTING;
        }
    }

    static int usage(PrintStream err, String problem) {
        err.println("localport: " + problem + ".");
        err.print(USAGE_TEXT);
        return USAGE;
    }

    /** Each {@code localport.*} key from its system property, else from its environment variable. */
    static Settings settings(Map<String, String> environment) {
        return Settings.from(key -> Optional.ofNullable(System.getProperty(key,
                environment.get(key.toUpperCase(Locale.ROOT).replace('.', '_')))));
    }

    private static int list(PrintStream out, Settings settings) {
        for (HeldPorts.Held held : HeldPorts.in(settings.lockDirectory())) {
            out.println(held.port() + "\t" + held.holder());
        }
        return 0;
    }

    private static int who(String argument, PrintStream out, PrintStream err, Settings settings) {
        int port;
        try {
            port = Integer.parseInt(argument);
        }
        catch (NumberFormatException e) {
            port = -1;
        }
        if (port < 1 || port > 65535) {
            return usage(err, "'" + argument + "' is not a port number (1-65535)");
        }
        Optional<HeldPorts.Held> held = HeldPorts.of(port, settings.lockDirectory());
        Optional<String> bound = HeldPorts.bound(port, Transport.TCP_AND_UDP);
        held.ifPresent(h -> out.println("Port " + h.port() + " is held through localport (lock directory "
                + settings.lockDirectory() + ") by " + h.holder() + "."));
        bound.ifPresent(holder -> out.println("Port " + argument + " is bound by " + holder + "."));
        if (held.isEmpty() && bound.isEmpty()) {
            out.println("Port " + port + " is free: nobody holds it through localport (lock directory "
                    + settings.lockDirectory() + ") and nothing has it bound, as far as this user can see.");
            return 1;
        }
        return 0;
    }

    /** Arguments that do not make a command: exit 64 with the usage text. */
    static final class UsageException extends RuntimeException {

        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
