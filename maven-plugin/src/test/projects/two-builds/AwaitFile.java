import java.nio.file.Files;
import java.nio.file.Path;

/** {@code java AwaitFile.java FILE}: waits up to 120 s until the file exists. */
public class AwaitFile {

    public static void main(String[] args) throws Exception {
        Path file = Path.of(args[0]);
        long deadline = System.nanoTime() + 120_000_000_000L;
        while (!Files.exists(file)) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException(file + " did not appear within 120 s");
            }
            Thread.sleep(50);
        }
    }
}
