package io.github.localport.maven;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;

/**
 * A child JVM's main that runs Maven builds one after another in this one JVM, as the Maven
 * daemon (mvnd) does: each line of its input is one build's arguments, separated by tabs; after
 * each build it prints {@code EXIT code} and waits for the next line. Maven's own jars are on its
 * class path (not this module's): MavenCli is found by name.
 */
public final class EmbeddedMaven {

    private EmbeddedMaven() {
    }

    public static void main(String[] args) throws Exception {
        String projectDirectory = args[0];
        System.setProperty("maven.multiModuleProjectDirectory", projectDirectory);
        Class<?> cli = Class.forName("org.apache.maven.cli.MavenCli");
        Method doMain = cli.getMethod("doMain", String[].class, String.class, PrintStream.class, PrintStream.class);
        PrintStream out = System.out;
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null; line = in.readLine()) {
            Object code = doMain.invoke(cli.getConstructor().newInstance(), line.split("\t"), projectDirectory, out,
                    out);
            out.println("EXIT " + code);
            out.flush();
        }
    }
}
