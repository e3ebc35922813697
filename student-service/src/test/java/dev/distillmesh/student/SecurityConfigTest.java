package dev.distillmesh.student;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TLS towards clients and towards the index, and the admin allow-list, as the student reads them. */
class SecurityConfigTest {
  /** The test-only certificates of the common module (see the README there); tests run in the module directory. */
  private static final Path CERTS = Path.of("..", "common", "src", "test", "resources", "tls").toAbsolutePath().normalize();

  @Test
  void plaintextAndOpenByDefault() {
    StudentServerConfig c = StudentServerConfig.parse(new String[0], Map.of());
    assertFalse(c.tls().enabled());
    assertFalse(c.indexTls().enabled());
    assertTrue(c.access().adminOpen());
  }

  @Test
  void mutualTlsBothWaysWithADnsTarget() {
    StudentServerConfig c = StudentServerConfig.parse(new String[] {
        "--index", "dns:///index.distillmesh.svc:7401",
        "--tls-cert", cert("server.pem"), "--tls-key", cert("server.key"), "--tls-client-ca", cert("ca.pem"),
        "--tls-ca", cert("ca.pem"), "--tls-client-cert", cert("server.pem"), "--tls-client-key", cert("server.key"),
        "--admin-clients", "trainer"}, Map.of(StudentServerConfig.ENV_ADMIN_TOKEN, "s3cret"));
    assertEquals("dns:///index.distillmesh.svc:7401", c.indexTarget());
    assertTrue(c.tls().mutual());
    assertEquals(CERTS.resolve("server.pem"), c.indexTls().clientCert());
    assertEquals("s3cret", c.adminToken());
    assertTrue(c.toString().contains("indexTls=TLS[ca=" + cert("ca.pem")), c.toString());
    assertFalse(c.toString().contains("s3cret"), c.toString());
  }

  @Test
  void aBadIndexCaFailsAtStartNamingTheSetting() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> StudentServerConfig.parse(
        new String[] {"--tls-ca", cert("server.key")}, Map.of()));
    assertEquals("--tls-ca (DISTILLMESH_TLS_CA): " + cert("server.key")
        + ": holds a private key, not a certificate (-----BEGIN CERTIFICATE-----)", e.getMessage());
  }

  private static String cert(String name) {
    return CERTS.resolve(name).toString();
  }
}
