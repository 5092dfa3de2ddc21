package io.github.localport.core;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Collectors;



/**
 * Names who holds a port, where the OS lets us see it: on Linux, the sockets bound to the port
 * ({@code /proc/net/tcp}, {@code tcp6}, {@code udp}, {@code udp6}), the processes whose open
 * files include those sockets ({@code /proc/PID/fd}), this JVM's threads blocked in accept on
 * them ({@code /proc/PID/task}), and the process that holds a port's lock ({@code /proc/locks}). Only failure messages use it, and each look is bounded in time.
 */
final class PortHolders {

    private static final Path PROC = Path.of("/proc");
    private static final Duration SCAN_BUDGET = Duration.ofSeconds(2);
    private static final int MAX_COMMAND_LINE = 200;
    private static final Set<String> CLASS_PATH_OPTIONS = Set.of("-cp", "-classpath", "--class-path");
    private static final int MAX_THREADS = 5;
    /** Numbers of the accept and accept4 system calls, by os.arch. */
    private static final Map<String, Set<Long>> ACCEPT_SYSTEM_CALLS = Map.of("amd64", Set.of(43L, 288L),
            "x86_64", Set.of(43L, 288L), "aarch64", Set.of(202L, 242L));
    /** Package prefixes of server frameworks, by the name a message gives them; Spring first, as it runs the others. */
    private static final Map<String, String> FRAMEWORKS = frameworks();

    private final Path proc;
    private final long ownPid;

    private static Map<String, String> frameworks() {
        Map<String, String> frameworks = new LinkedHashMap<>();
        frameworks.put("org.springframework.", "Spring");
        frameworks.put("org.apache.catalina.", "Tomcat");
        frameworks.put("org.apache.tomcat.", "Tomcat");
        frameworks.put("org.apache.coyote.", "Tomcat");
        frameworks.put("org.eclipse.jetty.", "Jetty");
        frameworks.put("io.undertow.", "Undertow");
        frameworks.put("org.xnio.", "Undertow");
        frameworks.put("reactor.netty.", "Netty");
        frameworks.put("io.netty.", "Netty");
        return frameworks;
    }

    PortHolders(Path proc, long ownPid) {
        this.proc = proc;
        this.ownPid = ownPid;
    }

    /**
     * Who has the port bound (TCP sockets in TIME_WAIT aside), for a message: for example
     * {@code pid 4242 (redis-server --port 61234)}, or {@code this JVM (pid 17, the test's own
     * process), whose thread 'acceptor' is blocked in accept on the port}; empty where the OS shows
     * no socket on the port or does not tell.
     */
    static Optional<String> ofSocket(int port, Transport protocol) {
        return holding(port, protocol).map(Holding::holders);
    }

    /** {@link #ofSocket}, with the server framework whose threads in this JVM hold the port. */
    static Optional<Holding> holding(int port, Transport protocol) {
        return new PortHolders(PROC, ProcessHandle.current().pid()).socketHolding(port, protocol);
    }

    /**
     * Who holds a port, and the server framework (such as {@code Tomcat}) whose code the threads
     * of this JVM that hold it run, where one is recognised.
     */
    record Holding(String holders, Optional<String> framework) {
    }

    /** Which process holds a lock of this range of a lock file, from /proc/locks, or an empty Optional. */
    static Optional<String> ofLock(ProcLocks.Range range) {
        PortHolders holders = new PortHolders(PROC, ProcessHandle.current().pid());
        return ProcLocks.of(range).stream().filter(lock -> lock.pid() > 0).findFirst()
                .map(lock -> holders.describeProcess(lock.pid()));
    }

    Optional<String> socketHolders(int port, Transport protocol) {
        return socketHolding(port, protocol).map(Holding::holders);
    }

    Optional<Holding> socketHolding(int port, Transport protocol) {
        Map<String, String> inodeToUid = socketInodes(port, protocol);
        if (inodeToUid.isEmpty()) {
            return Optional.empty();
        }
        long deadline = System.nanoTime() + SCAN_BUDGET.toNanos();
        Map<String, Long> owners = processesOwning(inodeToUid.keySet(), deadline);
        boolean outOfTime = System.nanoTime() > deadline;
        Set<String> ownSockets = owners.entrySet().stream().filter(owner -> owner.getValue() == ownPid)
                .map(Map.Entry::getKey).collect(Collectors.toSet());
        ThreadsHolding threads = ownSockets.isEmpty() ? null : threadsHolding(port, ownSockets);
        List<String> holders = new ArrayList<>();
        inodeToUid.forEach((inode, uid) -> {
            Long pid = owners.get(inode);
            if (pid != null) {
                holders.add(describeProcess(pid) + (pid == ownPid ? threads.description() : ""));
            }
            else {
                holders.add((outOfTime ? "a process not found within " + Durations.format(SCAN_BUDGET)
                        : "a process this user cannot see") + " (socket owned by uid " + uid + ")");
            }
        });
        return Optional.of(new Holding(holders.stream().distinct().collect(Collectors.joining("; ")),
                threads == null ? Optional.empty() : threads.framework()));
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
        return pid == ownPid ? "this JVM (pid " + pid + ", the test's own process)"
                : "pid " + pid + " (" + commandLine(pid) + ")";
    }

    /**
     * Which of this JVM's threads hold the port, where that can be told: on Linux, a thread
     * blocked in {@code accept} on one of the port's sockets (its system call and file descriptor,
     * from {@code /proc/self/task}, matched to a Java thread by the name the JVM gives the OS);
     * otherwise the threads named after the port, as servers name their acceptors (Tomcat's
     * {@code http-nio-8080-Acceptor}). A stack trace shows that a thread accepts, not on which port.
     */
    private ThreadsHolding threadsHolding(int port, Set<String> sockets) {
        Map<Thread, StackTraceElement[]> threads = Thread.getAllStackTraces();
        List<List<Thread>> acceptors = new ArrayList<>();
        List<String> unmatched = new ArrayList<>();
        for (String osName : threadsAccepting(socketDescriptors(sockets))) {
            List<Thread> named = threads.keySet().stream()
                    .filter(thread -> osName(thread.getName()).equals(osName) && inAccept(threads.get(thread)))
                    .sorted(Comparator.comparing(Thread::getName)).toList();
            if (named.isEmpty()) {
                unmatched.add("'" + osName + "' (its name to the OS)");
            }
            else {
                acceptors.add(named);
            }
        }
        if (!acceptors.isEmpty() || !unmatched.isEmpty()) {
            List<String> names = new ArrayList<>(unmatched);
            acceptors.forEach(group -> names.add(group.size() == 1 ? quoted(group) : "one of " + quoted(group)));
            return new ThreadsHolding(", whose thread" + (names.size() == 1 ? " " + names.get(0) + " is"
                    : "s " + String.join(", ", names) + " are") + " blocked in accept on the port",
                    framework(acceptors.stream().flatMap(List::stream).toList(), threads));
        }
        Pattern portInName = Pattern.compile("(?<![0-9])" + port + "(?![0-9])");
        List<Thread> named = threads.keySet().stream().filter(thread -> portInName.matcher(thread.getName()).find())
                .sorted(Comparator.comparing(Thread::getName)).toList();
        if (!named.isEmpty()) {
            return new ThreadsHolding(", whose threads named after the port are " + quoted(named.size() <= MAX_THREADS
                    ? named : named.subList(0, MAX_THREADS)) + (named.size() <= MAX_THREADS ? ""
                            : " and " + (named.size() - MAX_THREADS) + " more"), framework(named, threads));
        }
        return new ThreadsHolding("; no thread of it is blocked in accept on the port or named after it, so which"
                + " code holds the port cannot be told", Optional.empty());
    }

    /** What {@link #threadsHolding} found: words for the message, and the framework the threads run. */
    private record ThreadsHolding(String description, Optional<String> framework) {
    }

    /** This process's file descriptors that are these sockets. */
    private Set<Long> socketDescriptors(Set<String> sockets) {
        Set<Long> descriptors = new HashSet<>();
        try (DirectoryStream<Path> fds = Files.newDirectoryStream(proc.resolve(Long.toString(ownPid)).resolve("fd"))) {
            for (Path fd : fds) {
                String target = readLink(fd);
                if (target.startsWith("socket:[") && sockets.contains(target.substring(8, target.length() - 1))) {
                    descriptors.add(Long.parseLong(fd.getFileName().toString()));
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // not Linux, or the process's files are not visible: no descriptor to match
        }
        return descriptors;
    }

    /**
     * The OS names of this process's threads that are blocked in the {@code accept} system call on
     * one of these descriptors: {@code /proc/PID/task/TID/syscall} holds the call's number and
     * arguments, the first being the descriptor.
     */
    private List<String> threadsAccepting(Set<Long> descriptors) {
        List<String> names = new ArrayList<>();
        Set<Long> acceptCalls = ACCEPT_SYSTEM_CALLS.getOrDefault(System.getProperty("os.arch"), Set.of());
        if (descriptors.isEmpty() || acceptCalls.isEmpty()) {
            return names;
        }
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(proc.resolve(Long.toString(ownPid)).resolve("task"))) {
            for (Path task : tasks) {
                String[] call = readFirstLine(task.resolve("syscall")).split(" ");
                if (call.length > 1 && call[0].matches("[0-9]+") && acceptCalls.contains(Long.parseLong(call[0]))
                        && descriptors.contains(Long.decode(call[1]))) {
                    names.add(readFirstLine(task.resolve("comm")));
                }
            }
        }
        catch (IOException | RuntimeException e) {
            // not Linux, or threads not visible
        }
        return names;
    }

    /** The name the JVM gives the OS for a thread: the first 15 bytes of its name (Linux's limit). */
    private static String osName(String name) {
        byte[] bytes = name.getBytes(StandardCharsets.UTF_8);
        return new String(bytes, 0, Math.min(bytes.length, 15), StandardCharsets.UTF_8);
    }

    /** The server framework whose code these threads run, by the packages in their stacks. */
    private static Optional<String> framework(List<Thread> holding, Map<Thread, StackTraceElement[]> stacks) {
        for (Map.Entry<String, String> framework : FRAMEWORKS.entrySet()) {
            for (Thread thread : holding) {
                for (StackTraceElement frame : stacks.getOrDefault(thread, new StackTraceElement[0])) {
                    if (frame.getClassName().startsWith(framework.getKey())) {
                        return Optional.of(framework.getValue());
                    }
                }
            }
        }
        return Optional.empty();
    }

    private static String quoted(List<Thread> threads) {
        return threads.stream().map(thread -> "'" + thread.getName() + "'").collect(Collectors.joining(", "));
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

    private static String readFirstLine(Path file) {
        List<String> lines = readLines(file);
        return lines.isEmpty() ? "" : lines.get(0);
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
            String line = String.join(" ", args).replaceAll("\\s+", " ").strip(); // one line, whatever the arguments hold
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
