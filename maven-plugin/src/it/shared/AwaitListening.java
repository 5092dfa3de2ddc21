import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;

/** {@code java AwaitListening.java PORT}: waits up to 30 s until something accepts connections on the port. */
public class AwaitListening {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        long deadline = System.nanoTime() + 30_000_000_000L;
        while (true) {
            try (Socket socket = new Socket()) {
                socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return;
            }
            catch (IOException e) {
                if (System.nanoTime() > deadline) {
                    throw e;
                }
                Thread.sleep(50);
            }
        }
    }
}
