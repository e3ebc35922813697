package dev.distillmesh.common.tls;

import static dev.distillmesh.common.MeshOptions.TLS_CA;
import static dev.distillmesh.common.MeshOptions.TLS_CLIENT_CERT;
import static dev.distillmesh.common.MeshOptions.TLS_CLIENT_KEY;

import io.grpc.ChannelCredentials;
import io.grpc.InsecureChannelCredentials;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;

/**
 * How a client connects: plaintext, TLS, or TLS with a client certificate (for servers that
 * require mTLS). Holds file paths only; {@link #credentials()} reads them.
 *
 * @param ca PEM bundle of CAs trusted to sign the servers' certificates; set = TLS, null = plaintext.
 *     The server's certificate must also name the host of the target (or {@code authority})
 * @param clientCert PEM certificate chain presented to the server; null = none
 * @param clientKey PEM (PKCS#8) private key of {@code clientCert}
 * @param authority the name checked against the server's certificate (and sent as :authority)
 *     instead of the target's host, e.g. when dialling an IP address; null = the target's host
 */
public record ClientTls(Path ca, Path clientCert, Path clientKey, String authority) {
  public static final ClientTls PLAINTEXT = new ClientTls(null, null, null, null);

  public ClientTls {
    if ((clientCert == null) != (clientKey == null)) {
      throw new IllegalArgumentException(TLS_CLIENT_CERT.label() + " and " + TLS_CLIENT_KEY.label()
          + " go together: set both or neither");
    }
    if (clientCert != null && ca == null) {
      throw new IllegalArgumentException(TLS_CLIENT_CERT.label() + " is presented over TLS, which needs "
          + TLS_CA.label() + " (the CA that signs the servers' certificates)");
    }
    if (authority != null && authority.isBlank()) {
      authority = null;
    }
  }

  /** Plain TLS: trusts {@code ca}, presents no certificate. */
  public static ClientTls trusting(Path ca) {
    return new ClientTls(ca, null, null, null);
  }

  public boolean enabled() {
    return ca != null;
  }

  /** This configuration with {@code cert}/{@code key} as the client certificate. */
  public ClientTls withClientCertificate(Path cert, Path key) {
    return new ClientTls(ca, cert, key, authority);
  }

  /** This configuration checking {@code name} in the server's certificate. */
  public ClientTls withAuthority(String name) {
    return new ClientTls(ca, clientCert, clientKey, name);
  }

  /**
   * Reads the files and builds the credentials ({@code InsecureChannelCredentials} when disabled).
   *
   * @throws IllegalArgumentException naming the setting and the file when one is missing,
   *     unreadable or not what it should be
   */
  public ChannelCredentials credentials() {
    if (!enabled()) {
      return InsecureChannelCredentials.create();
    }
    TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder()
        .trustManager(Pem.trustManagers(ca, TLS_CA.label()));
    if (clientCert != null) {
      b.keyManager(Pem.keyManagers(clientCert, TLS_CLIENT_CERT.label(), clientKey, TLS_CLIENT_KEY.label()));
    }
    return b.build();
  }

  @Override
  public String toString() {
    if (!enabled()) {
      return "plaintext" + (authority == null ? "" : "[authority=" + authority + "]");
    }
    return "TLS[ca=" + ca + (clientCert == null ? "" : ", clientCert=" + clientCert + ", clientKey=" + clientKey)
        + (authority == null ? "" : ", authority=" + authority) + "]";
  }
}
