package dev.distillmesh.common.tls;

import io.grpc.Attributes;
import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

/**
 * Targets that list their addresses: {@code list:///127.0.0.1:7402,127.0.0.1:7412}. Round-robin
 * then spreads calls over every listed replica, which DNS cannot do for replicas on one host and
 * different ports (e.g. {@code scripts/start.sh --scale-out}). The list is fixed: a replica added
 * later needs a new target (behind a DNS name, use {@code dns:///} instead).
 */
final class AddressListResolverProvider extends NameResolverProvider {
  static final String SCHEME = "list";

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
    return List.of(InetSocketAddress.class);
  }

  @Override
  public NameResolver newNameResolver(URI target, NameResolver.Args args) {
    if (!SCHEME.equals(target.getScheme())) {
      return null;
    }
    String path = target.getPath() == null ? "" : target.getPath().replaceFirst("^/", "");
    List<EquivalentAddressGroup> groups = new ArrayList<>();
    for (String address : path.split(",")) {
      int colon = address.lastIndexOf(':');
      if (colon <= 0 || colon == address.length() - 1) {
        throw new IllegalArgumentException("target " + target + ": \"" + address + "\" is not HOST:PORT");
      }
      int port;
      try {
        port = Integer.parseInt(address.substring(colon + 1));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("target " + target + ": \"" + address + "\" has no numeric port", e);
      }
      groups.add(new EquivalentAddressGroup(
          InetSocketAddress.createUnresolved(address.substring(0, colon), port)));
    }
    String authority = path.split(",")[0];
    return new NameResolver() {
      @Override
      public String getServiceAuthority() {
        return authority;
      }

      @Override
      public void start(Listener2 listener) {
        List<EquivalentAddressGroup> resolved = new ArrayList<>();
        for (EquivalentAddressGroup g : groups) {
          InetSocketAddress a = (InetSocketAddress) g.getAddresses().get(0);
          InetSocketAddress r = new InetSocketAddress(a.getHostString(), a.getPort());
          if (r.isUnresolved()) {
            listener.onError(Status.UNAVAILABLE.withDescription("cannot resolve " + a.getHostString()));
            return;
          }
          resolved.add(new EquivalentAddressGroup(r));
        }
        listener.onResult(ResolutionResult.newBuilder().setAddresses(resolved).setAttributes(Attributes.EMPTY)
            .build());
      }

      @Override
      public void shutdown() {}
    };
  }
}
