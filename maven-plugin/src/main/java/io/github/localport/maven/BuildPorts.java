package io.github.localport.maven;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.apache.maven.execution.MavenExecutionRequest;
import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.logging.Log;
import org.apache.maven.project.MavenProject;

import io.github.localport.core.PortStillInUseError;
import io.github.localport.core.Reservation;

/**
 * The ports one build holds, by module and name, from {@code localport:reserve} until
 * {@code localport:release} or the end of the build.
 *
 * <p>The end of the build is the session's end, not the JVM's: the Maven daemon (mvnd) runs
 * many builds in one JVM, and a port held until the JVM exits would stay held after its build.
 * Maven fires the session's end on whatever execution listener the build's request has when
 * the build ends ({@code LifecycleStarter}, in a {@code finally} block, so also after a failed
 * build), so the first reservation of a build wraps that listener with one that releases the
 * build's ports, and users need not declare the plugin as an extension. Where the JVM dies
 * first (a plain {@code mvn} killed, say), the OS drops the ports' locks with it.
 */
final class BuildPorts {

    /** One entry per running build; a build's request is the one object all its modules share, under -T too. */
    private static final Map<MavenExecutionRequest, BuildPorts> BUILDS = new IdentityHashMap<>();

    private final Map<String, Map<String, Reservation>> byModule = new LinkedHashMap<>();
    private final Log log;

    private BuildPorts(Log log) {
        this.log = log;
    }

    /** The ports of the session's build, which release themselves when it ends. */
    static BuildPorts of(MavenSession session, Log log) {
        MavenExecutionRequest request = session.getRequest();
        synchronized (BUILDS) {
            BuildPorts ports = BUILDS.get(request);
            if (ports == null) {
                ports = new BuildPorts(log);
                BUILDS.put(request, ports);
                BuildPorts ended = ports;
                request.setExecutionListener(new SessionEndListener(request.getExecutionListener(), () -> {
                    synchronized (BUILDS) {
                        BUILDS.remove(request);
                    }
                    ended.releaseAtEndOfBuild();
                }));
            }
            return ports;
        }
    }

    /** The module's port of that name, if it holds one. */
    synchronized Reservation get(MavenProject module, String name) {
        return byModule.getOrDefault(module.getId(), Map.of()).get(name);
    }

    synchronized void hold(MavenProject module, String name, Reservation port) {
        byModule.computeIfAbsent(module.getId(), id -> new LinkedHashMap<>()).put(name, port);
    }

    /** Takes the module's ports out of the build's hands: the caller releases them. */
    synchronized Map<String, Reservation> takeAll(MavenProject module) {
        Map<String, Reservation> taken = byModule.remove(module.getId());
        return taken == null ? Map.of() : taken;
    }

    /**
     * Releases what no {@code localport:release} did. A port still in use is released all the
     * same, with a warning: the build has ended, and so has the check's purpose of failing it.
     */
    private void releaseAtEndOfBuild() {
        List<Map.Entry<String, Reservation>> left = new ArrayList<>();
        synchronized (this) {
            byModule.values().forEach(ports -> left.addAll(ports.entrySet()));
            byModule.clear();
        }
        for (Map.Entry<String, Reservation> port : left) {
            try {
                port.getValue().close("the end of the build", "Stop what the build started on the port before the"
                        + " build ends, and bind localport:release after the goal that stops it");
                log.info("localport: released port " + port.getValue().number() + " ('" + port.getKey()
                        + "') at the end of the build");
            }
            catch (PortStillInUseError e) {
                log.warn("localport: released port " + port.getValue().number() + " ('" + port.getKey()
                        + "') at the end of the build, though it was still in use. " + e.getMessage());
            }
            catch (RuntimeException e) {
                log.warn("localport: port " + port.getValue().number() + " ('" + port.getKey()
                        + "') could not be released cleanly at the end of the build: " + e);
            }
        }
    }
}
