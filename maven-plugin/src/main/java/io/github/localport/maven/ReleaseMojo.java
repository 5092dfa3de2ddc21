package io.github.localport.maven;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.apache.maven.execution.MavenSession;
import org.apache.maven.plugin.AbstractMojo;
import org.apache.maven.plugin.MojoFailureException;
import org.apache.maven.plugins.annotations.LifecyclePhase;
import org.apache.maven.plugins.annotations.Mojo;
import org.apache.maven.plugins.annotations.Parameter;
import org.apache.maven.project.MavenProject;

import io.github.localport.core.PortStillInUseError;
import io.github.localport.core.Reservation;

/**
 * {@code localport:release} checks that whatever the build started on this module's reserved
 * ports has stopped, then releases them. A port something still listens on (a forgotten
 * {@code jetty:stop}) fails the build with the port, its name and who holds it; the port is
 * released all the same.
 *
 * <p>Executions of one phase run in the order the POM declares them: declare this one after the
 * goal that stops the server, or bind it to a later phase.
 *
 * @since 0.1.0
 */
@Mojo(name = "release", defaultPhase = LifecyclePhase.POST_INTEGRATION_TEST, threadSafe = true)
public class ReleaseMojo extends AbstractMojo {

    @Parameter(defaultValue = "${project}", readonly = true, required = true)
    private MavenProject project;

    @Parameter(defaultValue = "${session}", readonly = true, required = true)
    private MavenSession session;

    /** Maven creates the goal and injects its parameters. */
    public ReleaseMojo() {
    }

    @Override
    public void execute() throws MojoFailureException {
        Map<String, Reservation> ports = BuildPorts.of(session, getLog()).takeAll(project);
        if (ports.isEmpty()) {
            getLog().info("localport: this module holds no ports to release");
            return;
        }
        List<String> leaks = new ArrayList<>();
        ports.forEach((name, port) -> {
            try {
                port.close("localport:release in " + project.getId(), "Stop what the build started on port "
                        + port.number() + " ('" + name + "') before localport:release runs: bind the goal that stops"
                        + " it (jetty:stop, spring-boot:stop, docker:stop) to an earlier phase, or to the same phase"
                        + " and declared before localport in the POM");
                getLog().info("localport: released port " + port.number() + " ('" + name + "')");
            }
            catch (PortStillInUseError e) {
                leaks.add(e.getMessage());
            }
        });
        if (!leaks.isEmpty()) {
            throw new MojoFailureException(String.join(System.lineSeparator(), leaks));
        }
    }
}
