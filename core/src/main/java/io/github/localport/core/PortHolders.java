package io.github.localport.core;

import java.io.IOException;
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



/**
 * Names who holds a port, where the OS lets us see it: on Linux, the sockets bound to the port
 * ({@code /proc/net/tcp}, {@code tcp6}, {@code udp}, {@code udp6}), the processes whose open
 * files include those sockets ({@code /proc/PID/fd}), and the process that holds a port's lock
 * ({@code /proc/locks}). Only failure messages use it, and each look is bounded in time.
 */
final class PortHolders {

    private static final Path PROC = Path.of("/proc");
    private static final Duration SCAN_BUDGET = Duration.ofSeconds(2);
    private static final int MAX_COMMAND_LINE = 200;
    private static final Set<String> CLASS_PATH_OPTIONS = Set.of("-cp", "-classpath", "--class-path");

    private final Path proc;
    private final long ownPid;

    PortHolders(Path proc, long ownPid) {
        this.proc = proc;
        this.ownPid = ownPid;
    }

    /**
     * Who has the port bound (TCP sockets in TIME_WAIT aside), for a message: for example
     * {@code pid 4242 (redis-server --port 61234)}, or {@code this JVM (pid 17, the test's own
     * process)}; empty where the OS shows no socket on the port or does not tell.
     */
    static Optional<String> ofSocket(int port, Transport protocol) {
        return new PortHolders(PROC, ProcessHandle.current().pid()).socketHolders(port, protocol);
    }

    /** Which process holds a lock at this position of a lock file, from /proc/locks, or an empty Optional. */
    static Optional<String> ofLock(long position) {
        PortHolders holders = new PortHolders(PROC, ProcessHandle.current().pid());
        return ProcLocks.at(position).stream().filter(lock -> lock.pid() > 0).findFirst()
                .map(lock -> holders.describeProcess(lock.pid()));
    }

    Optional<String> socketHolders(int port, Transport protocol) {
        Map<String, String> inodeToUid = socketInodes(port, protocol);
        if (inodeToUid.isEmpty()) {
            return Optional.empty();
        }
        long deadline = System.nanoTime() + SCAN_BUDGET.toNanos();
        Map<String, Long> owners = processesOwning(inodeToUid.keySet(), deadline);
        boolean outOfTime = System.nanoTime() > deadline;
        List<String> holders = new ArrayList<>();
        inodeToUid.forEach((inode, uid) -> {
            Long pid = owners.get(inode);
            holders.add(pid != null ? describeProcess(pid)
                    : outOfTime ? "a process not found within " + Durations.format(SCAN_BUDGET) + " (socket owned by uid"
                            + " " + uid + ")"
                            : "a process this user cannot see (socket owned by uid " + uid + ")");
        });
        return Optional.of(holders.stream().distinct().collect(Collectors.joining("; ")));
    }

    /** Socket inodes bound to the port, with the uid that owns each. */
    private Map<String, String> socketInodes(int port, Transport protocol) {
        Map<String, String> inodes = new LinkedHashMap<>();
        for (SocketTable.Socket socket : SocketTable.on(proc, port, protocol, false)) {
            if (!socket.isTimeWait() && !socket.inode().equals("0")) {
                inodes.put(socket.inode(), socket.uid());
            }
        }
        return inodes;
    }

    /** Finds the processes whose open files include these sockets, own process first, until the deadline. */
    private Map<String, Long> processesOwning(Set<String> inodes, long deadline) {
        Map<String, Long> owners = new LinkedHashMap<>();
        List<Long> pids = new ArrayList<>();
        pids.add(ownPid); // the usual holder: a server the test forgot to stop
        try (DirectoryStream<Path> processes = Files.newDirectoryStream(proc, "[0-9]*")) {
            for (Path process : processes) {
                long pid = Long.parseLong(process.getFileName().toString());
                if (pid != ownPid) {
                    pids.add(pid);
                }
            }
        }
        catch (IOException | RuntimeException e) {
            return owners;
        }
        for (long pid : pids) {
            if (owners.size() == inodes.size() || System.nanoTime() > deadline) {
                break;
            }
            try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve(Long.toString(pid)).resolve("fd"))) {
                for (Path fd : fds) {
                    String target = readLink(fd);
                    if (target.startsWith("socket:[") && inodes.contains(target.substring(8, target.length() - 1))) {
                        owners.putIfAbsent(target.substring(8, target.length() - 1), pid);
                    }
                }
            }
            catch (IOException | RuntimeException e) {
                // Another user's process, or one that just exited.
            }
        }
        return owners;
    }

    String describeProcess(long pid) {
        if (pid != ownPid) {
            return "pid " + pid + " (" + commandLine(pid) + ")";
        }
        String acceptors = Thread.getAllStackTraces().entrySet().stream()
                .filter(thread -> inAccept(thread.getValue()))
                .map(thread -> "'" + thread.getKey().getName() + "'")
                .collect(Collectors.joining(", "));
        return "this JVM (pid " + pid + ", the test's own process)"
                + (acceptors.isEmpty() ? "" : "; its threads blocked in accept, on this or another port: " + acceptors);
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
    private String commandLine(long pid) {
        try {
            String[] args = ProcFile.read(proc.resolve(Long.toString(pid)).resolve("cmdline")).split("\0");
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
        return "command line not visible";
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
