package dev.distillmesh.common.tls;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** The one way distillmesh binds a server socket, so every service gets the same TLS handling. */
public final class Servers {
  private Servers() {}

  /**
   * A server builder listening on {@code bind:port} with {@code tls}; the caller adds its services.
   *
   * @param maxConnectionAgeSeconds when above 0, each connection is asked to go away (GOAWAY) after
   *     this long; calls in flight finish undisturbed, and the client reconnects and re-resolves
   *     its target, which is how round-robin clients discover replicas added since they connected
   * @throws IllegalArgumentException when a TLS file is missing or invalid (the message names the
   *     setting and the file)
   */
  public static NettyServerBuilder forAddress(String bind, int port, ServerTls tls, int maxConnectionAgeSeconds) {
    NettyServerBuilder b = NettyServerBuilder.forAddress(new InetSocketAddress(bind, port), tls.credentials());
    if (maxConnectionAgeSeconds > 0) {
      b.maxConnectionAge(maxConnectionAgeSeconds, TimeUnit.SECONDS);
    }
    return b;
  }
}
