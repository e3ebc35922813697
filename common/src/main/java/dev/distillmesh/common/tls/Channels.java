package dev.distillmesh.common.tls;

import io.grpc.NameResolverRegistry;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;

/**
 * The one way distillmesh opens a client channel, so every service-to-service call and every CLI
 * gets the same TLS handling and load balancing.
 */
public final class Channels {
  /**
   * Spreads calls over every address the target resolves to. grpc's default, pick_first, sends
   * everything to the first address, so a service scaled out behind a headless Service (whose DNS
   * name resolves to every pod) would still see one busy replica per client.
   */
  public static final String LOAD_BALANCING_POLICY = "round_robin";

  static {
    // list:///HOST:PORT,HOST:PORT targets (replicas on one host, different ports).
    NameResolverRegistry.getDefaultRegistry().register(new AddressListResolverProvider());
  }

  private Channels() {}

  /**
   * A channel builder for {@code target} with {@code tls} and round-robin load balancing; the caller
   * adds what is specific to it (message size, executor) and builds.
   *
   * @param target {@code host:port} or any grpc target URI, e.g. {@code dns:///index.ns.svc:7401},
   *     or {@code list:///HOST:PORT,HOST:PORT} for a fixed list of replicas
   * @throws IllegalArgumentException when a TLS file is missing or invalid (the message names the
   *     setting and the file)
   */
  public static NettyChannelBuilder forTarget(String target, ClientTls tls) {
    NettyChannelBuilder b = NettyChannelBuilder.forTarget(target, tls.credentials())
        .defaultLoadBalancingPolicy(LOAD_BALANCING_POLICY);
    if (tls.authority() != null) {
      b.overrideAuthority(tls.authority());
    }
    return b;
  }
}
