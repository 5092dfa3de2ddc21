package io.github.localport.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

import io.github.localport.LocalService;
import org.h2.tools.Server;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A real database server, H2 over TCP, on a reserved port for the whole class, reached over JDBC. */
class DatabaseSampleTest {

    @RegisterExtension
    static final LocalService<Server> database = LocalService.of("h2",
            port -> Server.createTcpServer("-tcpPort", String.valueOf(port.number()), "-ifNotExists").start(),
            Server::stop);

    @Test
    void storesAndReadsARow() throws SQLException {
        try (Connection connection = connect("orders"); Statement statement = connection.createStatement()) {
            statement.execute("CREATE TABLE orders (id INT PRIMARY KEY, item VARCHAR(40))");
            statement.execute("INSERT INTO orders VALUES (1, 'coffee')");
            try (ResultSet rows = statement.executeQuery("SELECT item FROM orders WHERE id = 1")) {
                assertThat(rows.next()).isTrue();
                assertThat(rows.getString("item")).isEqualTo("coffee");
            }
        }
    }

    @Test
    void servesSeveralDatabasesOnOnePort() throws SQLException {
        try (Connection connection = connect("inventory"); Statement statement = connection.createStatement();
                ResultSet rows = statement.executeQuery("SELECT 40 + 2")) {
            assertThat(rows.next()).isTrue();
            assertThat(rows.getInt(1)).isEqualTo(42);
        }
    }

    private static Connection connect(String name) throws SQLException {
        return DriverManager.getConnection("jdbc:h2:tcp://127.0.0.1:" + database.port() + "/mem:" + name, "sa", "");
    }
}
