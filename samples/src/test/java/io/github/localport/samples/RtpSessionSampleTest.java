package io.github.localport.samples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.charset.StandardCharsets;

import io.github.localport.LocalPort;
import io.github.localport.Protocol;
import io.github.localport.ReservedPortBlock;
import org.junit.jupiter.api.Test;

/** An RTP session needs two UDP ports in a fixed relation: RTP on an even port, RTCP on the next one. */
class RtpSessionSampleTest {

    @Test
    void carriesMediaAndControlOnAPairOfPorts(
            @LocalPort(consecutive = 2, alignedTo = 2, protocol = Protocol.UDP) ReservedPortBlock rtp) throws Exception {
        try (RtpEndpoint endpoint = new RtpEndpoint(rtp.first()); DatagramSocket peer = new DatagramSocket(0,
                InetAddress.getLoopbackAddress())) {
            send(peer, "frame 1", rtp.port(0).address());
            send(peer, "BYE", rtp.port(1).address());
            assertThat(endpoint.receiveMedia()).isEqualTo("frame 1");
            assertThat(endpoint.receiveControl()).isEqualTo("BYE");
        }
    }

    private static void send(DatagramSocket socket, String text, SocketAddress to) throws IOException {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        socket.send(new DatagramPacket(bytes, bytes.length, to));
    }

    /** A stand-in for a media endpoint, which insists on the port relation of RFC 3550. */
    static final class RtpEndpoint implements AutoCloseable {
        private final DatagramSocket media;
        private final DatagramSocket control;

        RtpEndpoint(int rtpPort) throws IOException {
            if (rtpPort % 2 != 0) {
                throw new IllegalArgumentException("RTP needs an even port, and RTCP the next one: " + rtpPort);
            }
            media = bind(rtpPort);
            control = bind(rtpPort + 1);
        }

        String receiveMedia() throws IOException {
            return receive(media);
        }

        String receiveControl() throws IOException {
            return receive(control);
        }

        private static DatagramSocket bind(int port) throws IOException {
            DatagramSocket socket = new DatagramSocket(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
            socket.setSoTimeout(5_000);
            return socket;
        }

        private static String receive(DatagramSocket socket) throws IOException {
            DatagramPacket packet = new DatagramPacket(new byte[1500], 1500);
            socket.receive(packet);
            return new String(packet.getData(), 0, packet.getLength(), StandardCharsets.UTF_8);
        }

        @Override
        public void close() {
            media.close();
            control.close();
        }
    }
}
