package dev.distillmesh.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.AccessPolicy;
import dev.distillmesh.common.ManagedServer;
import io.grpc.ManagedChannel;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two real servers behind one target, the way a headless Service's DNS name resolves to every
 * pod. A loopback DNS name cannot resolve to two ports, so the product's {@code list:///} target
 * (replicas on one host) stands in for DNS: it hands the channel both addresses, which is all the
 * load balancer sees of any resolver. Over TLS, so the channel is exactly what {@link Channels} builds for a service.
 */
class RoundRobinTest {
  private static final String SCHEME = AddressListResolverProvider.SCHEME;

  private final List<ManagedServer> servers = new ArrayList<>();

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
    ManagedChannel channel = Channels.forTarget(target, TestCerts.trustingCa()).defaultLoadBalancingPolicy("pick_first")
        .build();
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
    return SCHEME + ":///localhost:" + servers.get(0).port() + ",localhost:" + servers.get(1).port();
  }
}
