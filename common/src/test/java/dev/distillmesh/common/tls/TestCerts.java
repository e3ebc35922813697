package dev.distillmesh.common.tls;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;

/** The test-only certificates under {@code src/test/resources/tls} (see the README there). */
final class TestCerts {
  private TestCerts() {}

  static Path file(String name) {
    URL url = TestCerts.class.getResource("/tls/" + name);
    if (url == null) {
      throw new IllegalStateException("missing test resource tls/" + name);
    }
    try {
      return Path.of(url.toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The server's certificate (SAN localhost, 127.0.0.1), TLS only. */
  static ServerTls serverTls() {
    return new ServerTls(file("server.pem"), file("server.key"), null);
  }

  /** The server's certificate, clients must present one signed by the test CA. */
  static ServerTls mutualTls() {
    return new ServerTls(file("server.pem"), file("server.key"), file("ca.pem"));
  }

  /** Trusts the test CA, presents no certificate. */
  static ClientTls trustingCa() {
    return ClientTls.trusting(file("ca.pem"));
  }

  /** Trusts the test CA and presents {@code client-<name>.pem}. */
  static ClientTls client(String name) {
    return trustingCa().withClientCertificate(file("client-" + name + ".pem"), file("client-" + name + ".key"));
  }
}
