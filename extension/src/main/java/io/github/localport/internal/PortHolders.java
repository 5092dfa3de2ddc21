package io.github.localport.internal;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Collectors;

import io.github.localport.Protocol;

/**
 * Names who holds a port, where the OS lets us see it: on Linux, the sockets bound to the port
 * ({@code /proc/net/tcp}, {@code tcp6}, {@code udp}, {@code udp6}), the processes whose open
 * files include those sockets ({@code /proc/PID/fd}), and the process that holds a lock file
 * ({@code /proc/locks}). Elsewhere, or for another user's processes, it says the holder is not
 * visible. Only failure messages use it, and each look is bounded in time.
 */
final class PortHolders {

    private static final Path PROC = Path.of("/proc");
    private static final String TCP_LISTEN = "0A";
    private static final Duration SCAN_BUDGET = Duration.ofSeconds(2);
    private static final int MAX_COMMAND_LINE = 200;
    private static final Set<String> CLASS_PATH_OPTIONS = Set.of("-cp", "-classpath", "--class-path");
    private static final long OWN_PID = ProcessHandle.current().pid();

    private PortHolders() {
    }

    /**
     * Who listens on the port (for UDP: has it bound), for a message: for example
     * {@code pid 4242 (redis-server --port 61234)}, or {@code this JVM (pid 17); threads in
     * accept: "server-1"}, or why it is not visible.
     */
    static String ofSocket(int port, Protocol protocol) {
        if (!Files.isDirectory(PROC.resolve("net"))) {
            return "holder not visible on " + System.getProperty("os.name");
        }
        Map<String, String> inodeToUid = socketInodes(port, protocol);
        if (inodeToUid.isEmpty()) {
            return "holder not visible (no socket on the port in /proc/net)";
        }
        Map<String, Long> owners = processesOwning(inodeToUid.keySet());
        List<String> holders = new ArrayList<>();
        for (Map.Entry<String, String> socket : inodeToUid.entrySet()) {
            Long pid = owners.get(socket.getKey());
            holders.add(pid == null ? "a process this user cannot see (socket owned by uid " + socket.getValue() + ")"
                    : describeProcess(pid));
        }
        return holders.stream().distinct().collect(Collectors.joining("; "));
    }

    /** Which process holds the lock on a lock file, from /proc/locks, or an empty Optional. */
    static Optional<String> ofLockFile(Path lockFile) {
        try {
            Object inode = Files.getAttribute(lockFile, "unix:ino", LinkOption.NOFOLLOW_LINKS);
            for (String line : readLines(PROC.resolve("locks"))) {
                String[] fields = line.strip().split("\\s+");
                // "1: POSIX  ADVISORY  WRITE 4242 fe:00:2155603 0 EOF"
                if (fields.length >= 6 && fields[5].endsWith(":" + inode)) {
                    return Optional.of(describeProcess(Long.parseLong(fields[4])));
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // Not Linux, or not visible: say nothing.
        }
        return Optional.empty();
    }

    /** Socket inodes bound to the port, with the uid that owns each. */
    private static Map<String, String> socketInodes(int port, Protocol protocol) {
        Map<String, String> inodes = new LinkedHashMap<>();
        String hexPort = String.format(":%04X", port);
        List<String> tables = new ArrayList<>();
        if (protocol != Protocol.UDP) {
            tables.addAll(List.of("tcp", "tcp6"));
        }
        if (protocol != Protocol.TCP) {
            tables.addAll(List.of("udp", "udp6"));
        }
        for (String table : tables) {
            boolean tcp = table.startsWith("tcp");
            for (String line : readLines(PROC.resolve("net").resolve(table))) {
                String[] fields = line.strip().split("\\s+");
                // sl local_address rem_address st tx:rx tr:when retrnsmt uid timeout inode
                if (fields.length > 9 && fields[1].toUpperCase(Locale.ROOT).endsWith(hexPort)
                        && (!tcp || fields[3].equals(TCP_LISTEN)) && !fields[9].equals("0")) {
                    inodes.put(fields[9], fields[7]);
                }
            }
        }
        return inodes;
    }

    /** Finds the processes whose open files include these sockets; bounded by a time budget. */
    private static Map<String, Long> processesOwning(Set<String> inodes) {
        Map<String, Long> owners = new LinkedHashMap<>();
        long deadline = System.nanoTime() + SCAN_BUDGET.toNanos();
        List<Long> pids = new ArrayList<>();
        pids.add(OWN_PID); // the usual holder: a server the test forgot to stop
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(PROC, "[0-9]*")) {
            processes.forEach(process -> pids.add(Long.parseLong(process.getFileName().toString())));
        }
        catch (IOException | RuntimeException e) {
            return owners;
        }
        for (long pid : pids) {
            if (owners.size() == inodes.size() || System.nanoTime() > deadline) {
                break;
            }
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(PROC.resolve(Long.toString(pid)).resolve("fd"))) {
                for (Path fd : fds) {
                    String target = readLink(fd);
                    if (target.startsWith("socket:[")) {
                        String inode = target.substring(8, target.length() - 1);
                        if (inodes.contains(inode)) {
                            owners.putIfAbsent(inode, pid);
                        }
                    }
                }
            }
            catch (IOException | RuntimeException e) {
                // Another user's process, or one that just exited.
            }
        }
        return owners;
    }

    private static String describeProcess(long pid) {
        String commandLine = commandLine(pid);
        if (pid != OWN_PID) {
            return "pid " + pid + " (" + commandLine + ")";
        }
        String acceptors = Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> inAccept(thread.getValue()))
                .map(thread -> "'" + thread.getKey().getName() + "'")
                .collect(Collectors.joining(", "));
        return "this JVM (pid " + pid + ", the test's own process)"
                + (acceptors.isEmpty() ? "" : "; threads blocked in accept: " + acceptors);
    }

    private static boolean inAccept(StackTraceElement[] stack) {
        for (StackTraceElement frame : stack) {
            if (frame.getMethodName().startsWith("accept") && (frame.getClassName().startsWith("java.net.")
                    || frame.getClassName().startsWith("sun.nio.ch."))) {
                return true;
            }
        }
        return false;
    }

    /** The command line, with a Java class path elided: the main class is what identifies a JVM. */
    private static String commandLine(long pid) {
        try (InputStream in = Files.newInputStream(PROC.resolve(Long.toString(pid)).resolve("cmdline"))) {
            String[] args = new String(in.readNBytes(65536), StandardCharsets.UTF_8).split("\0");
            for (int i = 1; i < args.length; i++) {
                if (CLASS_PATH_OPTIONS.contains(args[i - 1]) && args[i].length() > 40) {
                    args[i] = "...";
                }
            }
            String line = String.join(" ", args).strip();
            if (!line.isEmpty()) {
                return line.length() <= MAX_COMMAND_LINE ? line : line.substring(0, MAX_COMMAND_LINE) + "...";
            }
        }
        catch (IOException | RuntimeException e) {
            // fall through
        }
        return ProcessHandle.of(pid).flatMap(handle -> handle.info().command()).orElse("command line not visible");
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        }
        catch (IOException | RuntimeException e) {
            return "";
        }
    }

    private static List<String> readLines(Path file) {
        try {
            return ProcFile.read(file).lines().toList();
        }
        catch (IOException | RuntimeException e) {
            return List.of();
        }
    }
}
