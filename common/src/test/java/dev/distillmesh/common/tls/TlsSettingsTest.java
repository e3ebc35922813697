package dev.distillmesh.common.tls;

import static dev.distillmesh.common.tls.TestCerts.file;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.AccessPolicy;
import dev.distillmesh.common.MeshOptions;
import dev.distillmesh.common.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;

import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading the shared settings: a bad file or combination fails at start, naming the setting and the file. */
class TlsSettingsTest {
  @TempDir
  Path dir;

  @Test
  void plaintextIsTheDefault() {
    Settings s = settings();
    ServerTls server = MeshOptions.serverTls(s);
    ClientTls client = MeshOptions.clientTls(s);
    AccessPolicy access = MeshOptions.access(s, server);
    s.rejectUnknown();
    assertFalse(server.enabled());
    assertFalse(client.enabled());
    assertTrue(access.adminOpen());
    assertEquals(0, MeshOptions.maxConnectionAgeSeconds(settings()));
  }

  @Test
  void flagsAndEnvironmentSetTlsMutualTlsAndTheAllowList() {
    Settings s = Settings.parse(new String[] {"--tls-cert", file("server.pem").toString(),
        "--tls-key", file("server.key").toString(), "--admin-clients", " trainer, student ,",
        "--tls-client-cert", file("client-trainer.pem").toString()},
        Map.of("DISTILLMESH_TLS_CLIENT_CA", file("ca.pem").toString(), "DISTILLMESH_TLS_CA", file("ca.pem").toString(),
            "DISTILLMESH_TLS_CLIENT_KEY", file("client-trainer.key").toString(), "DISTILLMESH_ADMIN_TOKEN", "t0ken"),
        "usage");
    ServerTls server = MeshOptions.serverTls(s);
    ClientTls client = MeshOptions.clientTls(s);
    AccessPolicy access = MeshOptions.access(s, server);
    s.rejectUnknown();

    assertTrue(server.mutual());
    assertEquals(file("client-trainer.pem"), client.clientCert());
    assertEquals(Set.of("trainer", "student"), access.adminClients());
    assertEquals("t0ken", access.adminToken());
    assertFalse(access.toString().contains("t0ken"), access.toString());
  }

  @Test
  void cliOptionsWinOverTheEnvironment() {
    ClientTls tls = MeshOptions.clientTls(Map.of("tls-ca", file("ca.pem").toString()),
        Map.of("DISTILLMESH_TLS_CA", dir.resolve("absent.pem").toString(), "DISTILLMESH_TLS_AUTHORITY", "index.local"));
    assertEquals(file("ca.pem"), tls.ca());
    assertEquals("index.local", tls.authority());
  }

  @Test
  void aMissingOrUnreadableFileNamesTheSettingAndTheFile() {
    Path absent = dir.resolve("absent.pem");
    assertFails("--tls-cert (DISTILLMESH_TLS_CERT): " + absent + ": no such file",
        "--tls-cert", absent.toString(), "--tls-key", file("server.key").toString());
    assertFails("--tls-key (DISTILLMESH_TLS_KEY): " + dir + ": cannot be read",
        "--tls-cert", file("server.pem").toString(), "--tls-key", dir.toString());
    assertFails("--tls-client-ca (DISTILLMESH_TLS_CLIENT_CA): " + absent + ": no such file",
        "--tls-cert", file("server.pem").toString(), "--tls-key", file("server.key").toString(),
        "--tls-client-ca", absent.toString());
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> MeshOptions.clientTls(Map.of("tls-ca", absent.toString()), Map.of()));
    assertEquals("--tls-ca (DISTILLMESH_TLS_CA): " + absent + ": no such file", e.getMessage());
  }

  @Test
  void aFileOfTheWrongKindSaysWhatItHolds() throws Exception {
    Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a certificate\n");
    assertFails("no PEM certificate", "--tls-cert", garbage.toString(), "--tls-key", file("server.key").toString());
    assertFails("holds a private key, not a certificate",
        "--tls-cert", file("server.key").toString(), "--tls-key", file("server.key").toString());
    assertFails("--tls-key (DISTILLMESH_TLS_KEY): " + file("server.pem") + ": holds a certificate, not a private key",
        "--tls-cert", file("server.pem").toString(), "--tls-key", file("server.pem").toString());
    Path broken = Files.writeString(dir.resolve("broken.pem"),
        "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n");
    assertFails("certificate 1 is not a valid X.509 certificate",
        "--tls-cert", broken.toString(), "--tls-key", file("server.key").toString());
  }

  @Test
  void aKeyInTheWrongFormOrForAnotherCertificateIsRefusedWithoutPrintingIt() throws Exception {
    String body = "MHcCAQEEIBkVbXq0H8kq3sRz4m0zG3dM0Zp7m4b8Z9wqC7vR1g6FoAoGCCqGSM49";
    Path pkcs1 = Files.writeString(dir.resolve("ec.key"),
        "-----BEGIN EC PRIVATE KEY-----\n" + body + "\n-----END EC PRIVATE KEY-----\n");
    String message = assertFails("not PKCS#8; convert it with: openssl pkcs8 -topk8 -nocrypt",
        "--tls-cert", file("server.pem").toString(), "--tls-key", pkcs1.toString());
    assertFalse(message.contains(body));

    Path encrypted = Files.writeString(dir.resolve("encrypted.key"), "-----BEGIN EC PRIVATE KEY-----\n"
        + "Proc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00112233445566778899AABBCCDDEEFF\n\n" + body
        + "\n-----END EC PRIVATE KEY-----\n");
    assertFails("its private key block cannot be read (encrypted?); convert it with",
        "--tls-cert", file("server.pem").toString(), "--tls-key", encrypted.toString());

    String mismatch = assertFails("does not belong to the certificate",
        "--tls-cert", file("server.pem").toString(), "--tls-key", file("client-trainer.key").toString());
    assertTrue(mismatch.startsWith("--tls-key (DISTILLMESH_TLS_KEY): " + file("client-trainer.key")), mismatch);
    assertFalse(mismatch.contains(Files.readString(file("client-trainer.key")).lines().skip(1).findFirst().get()));
  }

  @Test
  void incompleteOrContradictorySettingsAreRefused() {
    assertFails("--tls-cert (DISTILLMESH_TLS_CERT) and --tls-key (DISTILLMESH_TLS_KEY) go together",
        "--tls-cert", file("server.pem").toString());
    assertFails("--tls-client-ca (DISTILLMESH_TLS_CLIENT_CA) turns on mutual TLS, which needs TLS",
        "--tls-client-ca", file("ca.pem").toString());
    assertFails("--tls-client-cert (DISTILLMESH_TLS_CLIENT_CERT) is presented over TLS, which needs --tls-ca",
        "--tls-client-cert", file("client-trainer.pem").toString(), "--tls-client-key", file("client-trainer.key").toString());
    assertFails("--admin-clients (DISTILLMESH_ADMIN_CLIENTS) names client certificates, which only mutual TLS verifies",
        "--tls-cert", file("server.pem").toString(), "--tls-key", file("server.key").toString(),
        "--admin-clients", "trainer");
    assertFails("--require-auth-for-queries (DISTILLMESH_REQUIRE_AUTH_FOR_QUERIES) needs a credential",
        "--require-auth-for-queries", "true");
  }

  @Test
  void descriptionsNameFilesNeverContents() {
    ServerTls server = TestCerts.mutualTls();
    ClientTls client = TestCerts.client("trainer");
    assertEquals("mTLS[cert=" + file("server.pem") + ", key=" + file("server.key") + ", clientCa=" + file("ca.pem") + "]",
        server.toString());
    assertTrue(client.toString().contains("clientKey=" + file("client-trainer.key")), client.toString());
    assertFalse(client.toString().contains("BEGIN"));
  }

  /** Parses {@code args} as a service would; returns the error's message after checking it contains {@code expected}. */
  private String assertFails(String expected, String... args) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> {
      Settings s = Settings.parse(args, Map.of(), "usage");
      ServerTls server = MeshOptions.serverTls(s);
      MeshOptions.clientTls(s);
      MeshOptions.access(s, server);
    });
    assertTrue(e.getMessage().contains(expected), e.getMessage());
    return e.getMessage();
  }

  private static Settings settings() {
    return Settings.parse(new String[0], new HashMap<>(), "usage");
  }

}
