package dev.distillmesh.common.tls;

import static dev.distillmesh.common.tls.TestCerts.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.distillmesh.common.AccessPolicy;
import dev.distillmesh.common.ManagedServer;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * TLS and mutual TLS over real loopback sockets, built the way the services build them
 * ({@link Servers}, {@link Channels}). A refused handshake reaches the client as UNAVAILABLE: the
 * connection never carries the call.
 */
class TlsHandshakeTest {
  private ManagedServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.close();
    }
  }

  @Test
  void tlsRoundTripByNameAndByAddress() throws Exception {
    server = WhoService.start("tls", TestCerts.serverTls(), AccessPolicy.OPEN);

    assertEquals("tls", call("localhost:" + server.port(), TestCerts.trustingCa()));
    assertEquals("tls", call("127.0.0.1:" + server.port(), TestCerts.trustingCa()), "the IP SAN matches too");
    assertEquals("tls", call("dns:///localhost:" + server.port(), TestCerts.trustingCa()));
  }

  @Test
  void aTlsServerRefusesPlaintextAndUntrustedOrMisnamedConnections() throws Exception {
    server = WhoService.start("tls", TestCerts.serverTls(), AccessPolicy.OPEN);
    String target = "127.0.0.1:" + server.port();

    assertUnavailable(target, ClientTls.PLAINTEXT);
    assertUnavailable(target, ClientTls.trusting(file("other-ca.pem")));
    assertUnavailable(target, TestCerts.trustingCa().withAuthority("index.example.com"));
  }

  @Test
  void mutualTlsNeedsAClientCertificateFromTheClientCa() throws Exception {
    server = WhoService.start("mtls", TestCerts.mutualTls(), AccessPolicy.OPEN);
    String target = "localhost:" + server.port();

    assertEquals("mtls", call(target, TestCerts.client("trainer")));
    assertEquals("mtls", call(target, TestCerts.client("intruder")),
        "any certificate from the client CA connects; the admin allow-list is a separate check");
    assertUnavailable(target, TestCerts.trustingCa());
    assertUnavailable(target, TestCerts.client("rogue"));
    assertUnavailable(target, ClientTls.PLAINTEXT);
  }

  private static String call(String target, ClientTls tls) throws InterruptedException {
    ManagedChannel channel = Channels.forTarget(target, tls).build();
    try {
      return WhoService.call(channel, WhoService.QUERY);
    } finally {
      WhoService.close(channel);
    }
  }

  private static void assertUnavailable(String target, ClientTls tls) throws InterruptedException {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> call(target, tls), tls.toString());
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode(), tls + ": " + e.getStatus());
  }
}
