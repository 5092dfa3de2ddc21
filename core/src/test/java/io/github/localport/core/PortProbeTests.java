package io.github.localport.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

class PortProbeTests {

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "0.0.0.0", "::1", "::" })
    void seesATcpListenerOnAnyLocalAddress(String host) throws IOException {
        assumeTrue(!host.contains(":") || Held.ipv6(), "IPv6 loopback on this machine");
        int port = Held.freePort();
        try (ServerSocket server = new ServerSocket(port, 50, InetAddress.getByName(host))) {
            assertThat(PortProbe.isFree(port, Transport.TCP)).isFalse();
            assertThat(PortProbe.isReleased(port, Transport.TCP)).isFalse();
            assertThat(PortProbe.isFree(port, Transport.UDP)).as("UDP is another table").isTrue();
        }
        assertThat(PortProbe.isFree(port, Transport.TCP)).isTrue();
    }

    @ParameterizedTest
    @ValueSource(strings = { "127.0.0.1", "0.0.0.0", "::1", "::" })
    void seesAUdpSocketOnAnyLocalAddress(String host) throws IOException {
        assumeTrue(!host.contains(":") || Held.ipv6(), "IPv6 loopback on this machine");
        int port = Held.freePort();
        try (DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getByName(host), port))) {
            assertThat(PortProbe.isFree(port, Transport.UDP)).isFalse();
            assertThat(PortProbe.isFree(port, Transport.TCP_AND_UDP)).isFalse();
            assertThat(PortProbe.isReleased(port, Transport.UDP)).isFalse();
        }
        assertThat(PortProbe.isFree(port, Transport.TCP_AND_UDP)).isTrue();
    }

    @Test
    void countsTimeWaitAsNotFreeButReleased() throws IOException {
        int port = Held.freePort();
        InetAddress loopback = InetAddress.getLoopbackAddress();
        try (ServerSocket server = new ServerSocket(port, 50, loopback); Socket client = new Socket(loopback, port)) {
            server.accept().close(); // the server closes first: TIME_WAIT is on its side
            assertThat(client.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(PortProbe.isReleased(port, Transport.TCP)).isTrue();
        assertThat(PortProbe.isFree(port, Transport.TCP)).as("a server without SO_REUSEADDR cannot bind yet").isFalse();
    }

    @Test
    void probingDoesNotListen() throws IOException {
        int port = Held.freePort();
        assertThat(PortProbe.isFree(port, Transport.TCP)).isTrue();
        assertThat(PortProbe.isListening(port, Transport.TCP)).isFalse();
    }
}
