package io.github.localport;

import static io.github.localport.LocalPortTestKit.localPortTestKit;
import static org.junit.platform.testkit.engine.EventConditions.finishedWithFailure;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.cause;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.instanceOf;
import static org.junit.platform.testkit.engine.TestExecutionResultConditions.message;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigurationTests {

    private static final String RANGE_FORM = "expected FIRST-LAST with 1024 <= FIRST <= LAST <= 65535";
    private static final String POLICY_FORM = "expected fail, warn or off";
    private static final String GRACE_FORM = "expected a duration from 0 to 10 minutes such as 500ms, 2s or PT2S";

    @ParameterizedTest(name = "{0}=''{1}''")
    @CsvSource(delimiter = '|', quoteCharacter = '"', value = {
            "localport.range       | 40000           | " + RANGE_FORM,
            "localport.range       | 40000-          | " + RANGE_FORM,
            "localport.range       | 50000-40000     | " + RANGE_FORM,
            "localport.range       | 40000-70000     | " + RANGE_FORM,
            "localport.range       | 80-1023         | " + RANGE_FORM,
            "localport.range       | 1000-2000       | " + RANGE_FORM,
            "localport.range       | a-b             | " + RANGE_FORM,
            "localport.range       | \"\"            | " + RANGE_FORM,
            "localport.leak.policy | fatal           | " + POLICY_FORM,
            "localport.leak.policy | \"\"            | " + POLICY_FORM,
            "localport.leak.grace  | 2               | " + GRACE_FORM,
            "localport.leak.grace  | -1s             | " + GRACE_FORM,
            "localport.leak.grace  | 11m             | " + GRACE_FORM,
            "localport.leak.grace  | PT11M           | " + GRACE_FORM,
            "localport.leak.grace  | soon            | " + GRACE_FORM,
            "localport.lock.dir    | \"\"            | expected the path of a directory",
            "localport.service.startup.timeout | 30     | " + GRACE_FORM,
            "localport.service.startup.timeout | 1h     | " + GRACE_FORM,
            "localport.process.echo            | yes    | expected true or false",
            "localport.process.echo            | \"\"   | expected true or false",
    })
    void rejectsABadValueNamingTheKeyTheValueAndTheForm(String key, String value, String expected) {
        localPortTestKit().with(key, value).tests(OnePortTestCase.class).assertThatEvents().haveExactly(1,
                finishedWithFailure(cause(instanceOf(ExtensionConfigurationException.class),
                        message(m -> m.startsWith(String.format("Invalid value '%s' for configuration parameter '%s': %s",
                                value, key, expected))))));
    }

    @Test
    void rejectsALockDirectoryThatIsAFile(@TempDir Path temp) throws IOException {
        Path file = Files.createFile(temp.resolve("not-a-directory"));

        assertLockDirectoryRejected(file, "it is not a directory");
    }

    @Test
    void rejectsALockDirectoryThatIsASymbolicLink(@TempDir Path temp) throws IOException {
        Path link = Files.createSymbolicLink(temp.resolve("link"), Files.createDirectory(temp.resolve("target")));

        assertLockDirectoryRejected(link, "it is a symbolic link, and localport does not follow links");
    }

    @Test
    void rejectsALockDirectoryThatCannotBeCreated(@TempDir Path temp) throws IOException {
        Path underAFile = Files.createFile(temp.resolve("file")).resolve("locks");

        assertLockDirectoryRejected(underAFile, "it could not be created");
    }

    private static void assertLockDirectoryRejected(Path directory, String why) {
        localPortTestKit().with(LocalPort.LOCK_DIRECTORY_PROPERTY_NAME, directory.toString())
                .tests(OnePortTestCase.class).assertThatEvents().haveExactly(1, finishedWithFailure(cause(
                        instanceOf(ExtensionConfigurationException.class),
                        message(m -> m.startsWith("localport cannot use the lock directory " + directory + ": " + why)
                                && m.endsWith("set configuration parameter 'localport.lock.dir' to a directory that"
                                        + " every build on this machine can write to.")))));
    }

    static class OnePortTestCase {
        @Test
        void test(@LocalPort int port) {
        }
    }
}
