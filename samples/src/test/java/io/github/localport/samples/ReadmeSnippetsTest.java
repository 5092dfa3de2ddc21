package io.github.localport.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import org.junit.jupiter.api.Test;

/**
 * Keeps the README honest: every Java block marked {@code <!-- snippet: File.java -->} must be
 * lines of that sample (here or in samples-spring), in order, so the README only shows code this
 * build runs.
 */
class ReadmeSnippetsTest {

    private static final Pattern SNIPPET = Pattern.compile("<!-- snippet: (\\S+) -->\\s*```java\\n(.*?)```",
            Pattern.DOTALL);
    /** Where the samples are: this module's, and the Spring samples beside it. */
    private static final List<Path> SAMPLES = List.of(Path.of("src/test/java/io/github/localport/samples"),
            Path.of("../samples-spring/src/test/java/io/github/localport/samples/spring"));

    @Test
    void everyMarkedSnippetIsCodeFromASample() throws IOException {
        Matcher snippets = SNIPPET.matcher(Files.readString(Path.of("..", "README.md")));
        int checked = 0;
        while (snippets.find()) {
            List<String> source = significant(Files.readAllLines(sample(snippets.group(1))));
            List<String> snippet = significant(snippets.group(2).lines().toList());
            assertThat(Collections.indexOfSubList(source, snippet))
                    .as("README snippet from %s:%n%s", snippets.group(1), snippets.group(2)).isNotNegative();
            checked++;
        }
        assertThat(checked).as("marked snippets in README.md").isPositive();
    }

    private static Path sample(String file) {
        return SAMPLES.stream().map(directory -> directory.resolve(file)).filter(Files::exists).findFirst()
                .orElseThrow(() -> new AssertionError("README names sample " + file + ", which is in none of " + SAMPLES));
    }

    /** Indentation and blank lines differ between a README and a source file; nothing else may. */
    private static List<String> significant(List<String> lines) {
        return lines.stream().map(String::strip).filter(line -> !line.isEmpty()).toList();
    }
}
