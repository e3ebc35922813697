package dev.distillmesh.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.AccessPolicy;
import dev.distillmesh.common.ManagedServer;
import io.grpc.EquivalentAddressGroup;
import io.grpc.ManagedChannel;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.NameResolverRegistry;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two real servers behind one target, the way a headless Service's DNS name resolves to every
 * pod. A loopback DNS name cannot resolve to two ports, so a test resolver ({@code twohosts:///})
 * stands in for DNS: it hands the channel both addresses, which is all the load balancer sees of
 * any resolver. Over TLS, so the channel is exactly what {@link Channels} builds for a service.
 */
class RoundRobinTest {
  private static final String SCHEME = "twohosts";

  private final List<ManagedServer> servers = new ArrayList<>();

  @BeforeAll
  static void registerResolver() {
    NameResolverRegistry.getDefaultRegistry().register(new StaticResolverProvider());
  }

  @AfterEach
  void stop() {
    servers.forEach(ManagedServer::close);
  }

  @Test
  void callsAlternateOverEveryResolvedAddress() throws Exception {
    String target = startTwo();
    ManagedChannel channel = Channels.forTarget(target, TestCerts.trustingCa()).build();
    try {
      Map<String, Integer> seen = new HashMap<>();
      // round_robin only picks READY connections: the first calls may go to whichever came up first.
      long until = System.nanoTime() + 10_000_000_000L;
      while (seen.size() < 2 && System.nanoTime() < until) {
        seen.merge(WhoService.call(channel, WhoService.QUERY), 1, Integer::sum);
      }
      assertEquals(2, seen.size(), "both servers answered: " + seen);
      seen.clear();
      for (int i = 0; i < 20; i++) {
        seen.merge(WhoService.call(channel, WhoService.QUERY), 1, Integer::sum);
      }
      assertEquals(Map.of("a", 10, "b", 10), seen, "with both connected, calls alternate");
    } finally {
      WhoService.close(channel);
    }
  }

  @Test
  void grpcsDefaultPolicyWouldStickToOneServer() throws Exception {
    // The contrast that makes the test above meaningful: pick_first, grpc's default.
    String target = startTwo();
    ManagedChannel channel = NettyChannelBuilder.forTarget(target, TestCerts.trustingCa().credentials()).build();
    try {
      Map<String, Integer> seen = new HashMap<>();
      for (int i = 0; i < 20; i++) {
        seen.merge(WhoService.call(channel, WhoService.QUERY), 1, Integer::sum);
      }
      assertEquals(1, seen.size(), seen.toString());
    } finally {
      WhoService.close(channel);
    }
  }

  private String startTwo() throws Exception {
    servers.add(WhoService.start("a", TestCerts.serverTls(), AccessPolicy.OPEN));
    servers.add(WhoService.start("b", TestCerts.serverTls(), AccessPolicy.OPEN));
    assertTrue(servers.get(0).port() != servers.get(1).port());
    return SCHEME + ":///127.0.0.1:" + servers.get(0).port() + ",127.0.0.1:" + servers.get(1).port();
  }

  /** {@code twohosts:///HOST:PORT,HOST:PORT,...}: those addresses, as a fixed resolution; authority localhost. */
  private static final class StaticResolverProvider extends NameResolverProvider {
    @Override
    public NameResolver newNameResolver(URI target, NameResolver.Args args) {
      if (!SCHEME.equals(target.getScheme())) {
        return null;
      }
      List<EquivalentAddressGroup> addresses = new ArrayList<>();
      for (String hostPort : target.getPath().substring(1).split(",")) {
        int colon = hostPort.lastIndexOf(':');
        addresses.add(new EquivalentAddressGroup(new InetSocketAddress(hostPort.substring(0, colon),
            Integer.parseInt(hostPort.substring(colon + 1)))));
      }
      return new NameResolver() {
        @Override
        public String getServiceAuthority() {
          return "localhost"; // what the server certificate names
        }

        @Override
        public void start(Listener2 listener) {
          listener.onResult(ResolutionResult.newBuilder().setAddresses(addresses).build());
        }

        @Override
        public void shutdown() {}
      };
    }

    @Override
    public String getDefaultScheme() {
      return SCHEME;
    }

    @Override
    protected boolean isAvailable() {
      return true;
    }

    @Override
    protected int priority() {
      return 5;
    }

    @Override
    public Collection<Class<? extends SocketAddress>> getProducedSocketAddressTypes() {
      return List.of(InetSocketAddress.class);
    }
  }
}
