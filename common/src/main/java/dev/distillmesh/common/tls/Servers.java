package dev.distillmesh.common.tls;

import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one way distillmesh binds a server socket, so every service gets the same TLS handling. */
public final class Servers {
  private static final Logger log = LoggerFactory.getLogger(Servers.class);

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
    if (!tls.enabled() && !isLoopback(bind)) {
      log.warn("serving plaintext on {}: anyone on the network can read the traffic, admin tokens included;"
          + " set --tls-cert and --tls-key", bind);
    }
    if (maxConnectionAgeSeconds > 0) {
      b.maxConnectionAge(maxConnectionAgeSeconds, TimeUnit.SECONDS);
    }
    return b;
  }

  private static boolean isLoopback(String bind) {
    try {
      return InetAddress.getByName(bind).isLoopbackAddress();
    } catch (UnknownHostException e) {
      return false; // the bind itself will fail with a clearer message
    }
  }
}
