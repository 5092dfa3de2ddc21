package io.github.localport.maven;

import java.io.File;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;

import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoExecution;
import org.apache.maven.plugin.MojoExecutionException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

import io.github.localport.core.PortRegistry;
import io.github.localport.core.PortRequest;
import io.github.localport.core.Reservation;
import io.github.localport.core.Settings;
import io.github.localport.core.Transport;

/**
 * {@code localport:reserve} reserves one port on 127.0.0.1 per name and sets each as a project
 * property, for the servers the build starts ({@code ${name}} in plugin configuration,
 * Failsafe's {@code systemPropertyVariables}, filtered resources). Each port is held until
 * {@code localport:release} or the end of the build: no other module, forked JVM,
 * {@code @LocalPort} test or build on the machine that uses localport gets it meanwhile.
 *
 * <p>It takes ports from the same lock directory and range as {@code @LocalPort}: the
 * {@code localport.*} properties, read from {@code -D} options, the POM's properties and the
 * system properties. Bad names, a bad setting or a range with too few free ports fail the build,
 * and leave nothing reserved.
 *
 * @since 0.1.0
 */
@Mojo(name = "reserve", defaultPhase = LifecyclePhase.PROCESS_TEST_CLASSES, threadSafe = true)
public class ReserveMojo extends AbstractMojo {

    /**
     * The names of the properties to set, one port each; the name build-helper-maven-plugin's
     * {@code reserve-network-port} uses.
     *
     * @since 0.1.0
     */
    @Parameter(required = true)
    private List<String> portNames;

    /**
     * A file to write the ports to as {@code name=port} lines (a properties file), for tools
     * outside Maven.
     *
     * @since 0.1.0
     */
    @Parameter
    private File outputFile;

    /**
     * The ports to take from, {@code FIRST-LAST}; by default localport's, as for {@code @LocalPort}.
     *
     * @since 0.1.0
     */
    @Parameter(property = Settings.RANGE)
    private String range;

    /**
     * The lock directory shared by every JVM on the machine; by default {@code /tmp/localport},
     * as for {@code @LocalPort}.
     *
     * @since 0.1.0
     */
    @Parameter(property = Settings.LOCK_DIRECTORY)
    private String lockDirectory;

    /**
     * What {@code localport:release} does when a port is still in use: {@code fail} the build
     * (the default), {@code warn}, or {@code off}.
     *
     * @since 0.1.0
     */
    @Parameter(property = Settings.LEAK_POLICY)
    private String leakPolicy;

    /**
     * How long {@code localport:release} waits for a port to come back, such as {@code 2s}
     * (the default) or {@code 500ms}.
     *
     * @since 0.1.0
     */
    @Parameter(property = Settings.LEAK_GRACE)
    private String leakGrace;

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    private MavenSession session;

    @Parameter(defaultValue = "${mojoExecution}", readonly = true, required = true)
    private MojoExecution execution;

    /** Maven creates the goal and injects its parameters. */
    public ReserveMojo() {
    }

    @Override
    public void execute() throws MojoExecutionException {
        BuildPorts ports = BuildPorts.of(session, getLog());
        List<String> names = checkedNames(ports);
        Map<String, Reservation> reserved = new LinkedHashMap<>();
        try {
            Settings settings = settings();
            for (String name : names) {
                reserved.put(name, PortRegistry.reserve(new PortRequest(name, Transport.TCP, declaration(name)),
                        "the build of " + project.getId(), settings));
            }
            writeOutputFile(reserved);
        }
        catch (RuntimeException | MojoExecutionException e) {
            reserved.values().forEach(Reservation::close);
            throw e instanceof MojoExecutionException mojo ? mojo
                    : new MojoExecutionException("localport:reserve could not reserve " + names + ": " + e.getMessage(),
                            e);
        }
        reserved.forEach((name, port) -> {
            ports.hold(project, name, port);
            project.getProperties().setProperty(name, String.valueOf(port.number()));
            getLog().info("localport: reserved port " + port.number() + " for '" + name + "', held until"
                    + " localport:release or the end of the build");
        });
    }

    /** Non-empty, distinct names that this module does not hold yet. */
    private List<String> checkedNames(BuildPorts ports) throws MojoExecutionException {
        if (portNames == null || portNames.isEmpty()) {
            throw misconfigured("<portNames> is empty: name at least one property, for example"
                    + " <portNames><portName>server.port</portName></portNames>");
        }
        List<String> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        for (int i = 0; i < portNames.size(); i++) {
            String name = portNames.get(i) == null ? "" : portNames.get(i).strip();
            if (name.isEmpty()) {
                throw misconfigured("name " + (i + 1) + " of " + portNames.size() + " in <portNames> is empty: give"
                        + " every port the name of the property that carries it");
            }
            if (!seen.add(name)) {
                throw misconfigured("'" + name + "' appears more than once in <portNames> " + portNames + ": each"
                        + " name gets one port, so list it once");
            }
            Reservation held = ports.get(project, name);
            if (held != null) {
                throw misconfigured("'" + name + "' already holds port " + held.number() + " in this module ("
                        + held.request().declaration() + "): give this port another name, or use that one");
            }
            names.add(name);
        }
        return names;
    }

    private MojoExecutionException misconfigured(String problem) {
        return new MojoExecutionException("localport:reserve (execution '" + execution.getExecutionId() + "' in "
                + project.getId() + "): " + problem + ". Nothing was reserved.");
    }

    private Settings settings() {
        Map<String, String> values = new HashMap<>();
        values.put(Settings.RANGE, range);
        values.put(Settings.LOCK_DIRECTORY, lockDirectory);
        values.put(Settings.LEAK_POLICY, leakPolicy);
        values.put(Settings.LEAK_GRACE, leakGrace);
        return Settings.from(key -> Optional.ofNullable(values.get(key)));
    }

    private String declaration(String name) {
        return "'" + name + "' of localport:reserve (execution '" + execution.getExecutionId() + "') in "
                + project.getId();
    }

    private void writeOutputFile(Map<String, Reservation> reserved) throws MojoExecutionException {
        if (outputFile == null) {
            return;
        }
        Properties properties = new Properties();
        reserved.forEach((name, port) -> properties.setProperty(name, String.valueOf(port.number())));
        try {
            Files.createDirectories(outputFile.getAbsoluteFile().getParentFile().toPath());
            try (OutputStream out = Files.newOutputStream(outputFile.toPath())) {
                properties.store(out, "Ports reserved by localport:reserve, held until localport:release or the end"
                        + " of the build");
            }
        }
        catch (IOException e) {
            throw new MojoExecutionException("localport:reserve could not write <outputFile> " + outputFile + ": " + e
                    + ". Nothing was reserved.", e);
        }
    }
}
