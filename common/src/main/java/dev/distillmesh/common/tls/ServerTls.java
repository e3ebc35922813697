package dev.distillmesh.common.tls;

import static dev.distillmesh.common.MeshOptions.TLS_CERT;
import static dev.distillmesh.common.MeshOptions.TLS_CLIENT_CA;
import static dev.distillmesh.common.MeshOptions.TLS_KEY;

import io.grpc.InsecureServerCredentials;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import java.nio.file.Path;

/**
 * How a server accepts connections: plaintext, TLS, or mutual TLS. Holds file paths only; the
 * files are read by {@link #credentials()}, so nothing secret is ever in a config's toString.
 *
 * @param certChain PEM certificate chain the server presents, leaf first; null = plaintext
 * @param privateKey PEM (PKCS#8) private key of the leaf certificate; null = plaintext
 * @param clientCa PEM bundle of CAs that sign client certificates; set = mTLS: every client must
 *     present a certificate signed by one of them (client auth REQUIRE); null = no client certificates
 */
public record ServerTls(Path certChain, Path privateKey, Path clientCa) {
  public static final ServerTls PLAINTEXT = new ServerTls(null, null, null);

  public ServerTls {
    if ((certChain == null) != (privateKey == null)) {
      throw new IllegalArgumentException(TLS_CERT.label() + " and " + TLS_KEY.label() + " go together: set both or neither");
    }
    if (clientCa != null && certChain == null) {
      throw new IllegalArgumentException(TLS_CLIENT_CA.label() + " turns on mutual TLS, which needs TLS: set "
          + TLS_CERT.label() + " and " + TLS_KEY.label() + " too");
    }
  }

  public boolean enabled() {
    return certChain != null;
  }

  /** Whether clients must present a certificate signed by {@link #clientCa}. */
  public boolean mutual() {
    return clientCa != null;
  }

  /**
   * Reads the files and builds the credentials ({@code InsecureServerCredentials} when disabled).
   *
   * @throws IllegalArgumentException naming the setting and the file when one is missing,
   *     unreadable or not what it should be
   */
  public ServerCredentials credentials() {
    if (!enabled()) {
      return InsecureServerCredentials.create();
    }
    TlsServerCredentials.Builder b = TlsServerCredentials.newBuilder()
        .keyManager(Pem.keyManagers(certChain, TLS_CERT.label(), privateKey, TLS_KEY.label()));
    if (clientCa != null) {
      b.trustManager(Pem.trustManagers(clientCa, TLS_CLIENT_CA.label()))
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return b.build();
  }

  @Override
  public String toString() {
    if (!enabled()) {
      return "plaintext";
    }
    return (mutual() ? "mTLS" : "TLS") + "[cert=" + certChain + ", key=" + privateKey
        + (mutual() ? ", clientCa=" + clientCa : "") + "]";
  }
}
