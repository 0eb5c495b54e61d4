package dev.canaryoperator.testsupport;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

/**
 * A loopback port free at the time of asking, for child processes that need a port on the command
 * line.
 */
public record LoopbackPort(int number) {

  public static LoopbackPort free() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new LoopbackPort(socket.getLocalPort());
    }
  }
}
