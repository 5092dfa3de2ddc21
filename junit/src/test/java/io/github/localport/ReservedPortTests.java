package io.github.localport;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;


import org.junit.jupiter.api.Test;
import org.opentest4j.AssertionFailedError;

class ReservedPortTests {

    @Test
    void reservesInCodeAndReleasesOnClose() {
        int number;
        try (ReservedPort port = ReservedPort.reserve()) {
            number = port.number();
            assertThat(Held.byLocalport(number)).isTrue();
            assertThat(port.address()).isEqualTo(new InetSocketAddress(InetAddress.getLoopbackAddress(), number));
            assertThat(port.uri("redis")).isEqualTo(URI.create("redis://127.0.0.1:" + number));
            assertThat(port).hasToString("127.0.0.1:" + number + " (TCP)");
        }
        assertThat(Held.byLocalport(number)).isFalse();
    }

    @Test
    void closingTwiceReleasesOnce() {
        ReservedPort port = ReservedPort.reserve(Protocol.UDP);
        port.close();
        port.close();
        assertThat(Held.byLocalport(port.number())).isFalse();
    }

    @Test
    void releasesOnAnInterruptedThreadAndKeepsItInterrupted() {
        ReservedPort port = ReservedPort.reserve();
        Thread.currentThread().interrupt();
        try {
            port.close();
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        }
        finally {
            Thread.interrupted();
        }
        assertThat(Held.byLocalport(port.number())).isFalse();
    }

    @Test
    void seesATcpServerListenOnIpv4OrIpv6Loopback() throws IOException {
        try (ReservedPort port = ReservedPort.reserve()) {
            assertThat(port.isListening()).isFalse();
            for (String host : Held.ipv6() ? List.of("127.0.0.1", "::1") : List.of("127.0.0.1")) {
                try (ServerSocket server = new ServerSocket(port.number(), 50, InetAddress.getByName(host))) {
                    assertThat(port.isListening()).as(host).isTrue();
                }
            }
        }
    }

    @Test
    void seesAUdpSocketBound() throws IOException {
        try (ReservedPort port = ReservedPort.reserve(Protocol.UDP);
                DatagramSocket socket = new DatagramSocket(port.address())) {
            assertThat(port.isListening()).isTrue();
            socket.close();
            assertThat(port.isListening()).isFalse();
        }
    }

    @Test
    void awaitsAServerThatStartsLater() throws Exception {
        try (ReservedPort port = ReservedPort.reserve()) {
            CountDownLatch stop = new CountDownLatch(1);
            CompletableFuture<Void> server = CompletableFuture.runAsync(() -> {
                try (ServerSocket socket = new ServerSocket(port.number(), 50, InetAddress.getLoopbackAddress())) {
                    stop.await(10, TimeUnit.SECONDS);
                }
                catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            port.awaitListening(Duration.ofSeconds(10));
            stop.countDown();
            port.awaitReleased(Duration.ofSeconds(10));
            server.get(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void failsAwaitingAServerThatNeverStarts() {
        try (ReservedPort port = ReservedPort.reserve()) {
            assertThatThrownBy(() -> port.awaitListening(Duration.ofMillis(50)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessage("Nothing listened on port " + port.number() + " (TCP) within 50ms.");
        }
    }

    @Test
    void failsAwaitingTheReleaseOfAServerThatKeepsRunning() throws IOException {
        try (ReservedPort port = ReservedPort.reserve();
                ServerSocket server = new ServerSocket(port.number(), 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> port.awaitReleased(Duration.ofMillis(50)))
                    .isInstanceOf(AssertionFailedError.class)
                    .hasMessage("Port " + port.number() + " (TCP) was still in use after 50ms.");
            server.close();
        }
    }
}
