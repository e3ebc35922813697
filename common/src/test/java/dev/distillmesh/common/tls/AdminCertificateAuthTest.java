package dev.distillmesh.common.tls;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.AccessPolicy;
import dev.distillmesh.common.BearerToken;
import dev.distillmesh.common.ManagedServer;
import io.grpc.CallOptions;
import io.grpc.ManagedChannel;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A verified client certificate as an admin credential, over real mTLS connections. A caller with
 * no credential or a wrong token is UNAUTHENTICATED; a caller whose certificate is verified but
 * not allow-listed, and who sends no token, is PERMISSION_DENIED.
 */
class AdminCertificateAuthTest {
  private static final String TOKEN = "s3cret-admin-token";

  private ManagedServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void anAllowListedCertificateIsAnAdminCredentialAndOthersAreDenied() throws Exception {
    start(new AccessPolicy(TOKEN, Set.of("trainer"), false));

    assertEquals("server", call("trainer", WhoService.ADMIN, null));
    assertStatus(Status.Code.PERMISSION_DENIED, "intruder", WhoService.ADMIN, null, "CN=intruder");
    assertEquals("server", call("intruder", WhoService.ADMIN, TOKEN), "the token works whatever the certificate");
    assertStatus(Status.Code.UNAUTHENTICATED, "intruder", WhoService.ADMIN, "wrong", "invalid admin credential");
    assertEquals("server", call("trainer", WhoService.ADMIN, "wrong"), "an allowed certificate is enough");
    assertEquals("server", call("intruder", WhoService.QUERY, null), "queries stay open");
  }

  @Test
  void dnsAndUriSubjectAlternativeNamesMatchToo() throws Exception {
    start(new AccessPolicy(null, Set.of("TRAINER.distillmesh.test"), false));
    assertEquals("server", call("trainer", WhoService.ADMIN, null), "DNS names ignore case");
    server.close();

    start(new AccessPolicy(null, Set.of("spiffe://distillmesh.test/trainer"), false));
    assertEquals("server", call("trainer", WhoService.ADMIN, null));
    assertStatus(Status.Code.PERMISSION_DENIED, "intruder", WhoService.ADMIN, null, "admin client list");
  }

  @Test
  void queriesNeedTheCredentialWhenConfigured() throws Exception {
    start(new AccessPolicy(TOKEN, Set.of("trainer"), true));

    assertEquals("server", call("trainer", WhoService.QUERY, null));
    assertEquals("server", call("intruder", WhoService.QUERY, TOKEN));
    assertStatus(Status.Code.PERMISSION_DENIED, "intruder", WhoService.QUERY, null, "Query");
  }

  @Test
  void withoutAnyCredentialAdminCallsAreUnauthenticated() throws Exception {
    // TLS without client certificates: nothing identifies the caller.
    server = WhoService.start("server", TestCerts.serverTls(), AccessPolicy.token(TOKEN));
    ManagedChannel channel = Channels.forTarget("localhost:" + server.port(), TestCerts.trustingCa()).build();
    try {
      StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
          () -> WhoService.call(channel, WhoService.ADMIN));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
      assertTrue(e.getStatus().getDescription().contains("Bearer"), e.getStatus().toString());
      assertEquals("server", WhoService.call(channel, WhoService.QUERY));
    } finally {
      WhoService.close(channel);
    }
  }

  private void start(AccessPolicy policy) throws Exception {
    server = WhoService.start("server", TestCerts.mutualTls(), policy);
  }

  private String call(String client, MethodDescriptor<String, String> method, String token) throws Exception {
    ManagedChannel channel = Channels.forTarget("localhost:" + server.port(), TestCerts.client(client)).build();
    try {
      CallOptions options = CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS);
      if (token != null) {
        options = options.withCallCredentials(new BearerToken(token));
      }
      return ClientCalls.blockingUnaryCall(channel, method, options, "who");
    } finally {
      WhoService.close(channel);
    }
  }

  private void assertStatus(Status.Code code, String client, MethodDescriptor<String, String> method, String token,
      String inDescription) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(client, method, token));
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains(inDescription), e.getStatus().toString());
    if (token != null) {
      assertTrue(!e.getStatus().getDescription().contains(token), "the token is never echoed");
    }
  }
}
