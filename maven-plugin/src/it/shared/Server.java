import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;

/**
 * A small server, run with Java's source launcher: {@code java Server.java PORT [READY_FILE]}
 * serves /hello and, on /stop, stops, and once it listens creates READY_FILE (for
 * {@code AwaitFile.java}); {@code java Server.java PORT stop} asks it to stop.
 */
public class Server {

    public static void main(String[] args) throws Exception {
        int port = Integer.parseInt(args[0]);
        if (args.length > 1 && args[1].equals("stop")) {
            HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/stop"))
                    .build(), HttpResponse.BodyHandlers.discarding());
            return;
        }
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 0);
        server.createContext("/hello", exchange -> {
            byte[] body = ("hello from " + port).getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        server.createContext("/stop", exchange -> {
            exchange.sendResponseHeaders(204, -1);
            exchange.close();
            new Thread(() -> {
                server.stop(0);
                System.exit(0);
            }).start();
        });
        server.start();
        System.out.println("Server listening on 127.0.0.1:" + port);
        if (args.length > 1) {
            java.nio.file.Files.createFile(java.nio.file.Path.of(args[1]));
        }
    }
}
