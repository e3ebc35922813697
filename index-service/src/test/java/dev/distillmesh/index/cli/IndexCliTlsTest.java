package dev.distillmesh.index.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.tls.Servers;
import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The index service configured for mutual TLS with an admin allow-list, as its main method would
 * start it, and the CLI calling it over a real socket with different client certificates.
 */
class IndexCliTlsTest {
  /** The test-only certificates of the common module (see the README there); tests run in the module directory. */
  private static final Path CERTS = Path.of("..", "common", "src", "test", "resources", "tls").toAbsolutePath();

  @TempDir Path dir;
  private IndexServer server;
  private String target;

  @BeforeEach
  void start() throws Exception {
    IndexServerConfig config = IndexServerConfig.parse(new String[] {"--port", "0", "--data-dir",
        dir.resolve("data").toString(), "--tls-cert", cert("server.pem"), "--tls-key", cert("server.key"),
        "--tls-client-ca", cert("ca.pem"), "--admin-clients", "trainer"}, Map.of());
    server = IndexServer.start(config, Servers.forAddress(config.bind(), config.port(), config.tls(), 0));
    target = "localhost:" + server.port();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anAllowListedClientCertificateCanAdministerAndOthersCanOnlyQuery() {
    Result created = cli("trainer", "create", "docs", "--dim", "3");
    assertEquals(0, created.code, created.err);

    Result denied = cli("intruder", "drop", "docs");
    assertEquals(1, denied.code, denied.err);
    assertTrue(denied.err.contains("PERMISSION_DENIED") && denied.err.contains("CN=intruder"), denied.err);
    Result listed = cli("intruder", "list");
    assertEquals(0, listed.code, listed.err);
    assertTrue(listed.out.contains("docs"), listed.out);
  }

  @Test
  void withoutAClientCertificateTheHandshakeFails() {
    Result r = run("--target", target, "--tls-ca", cert("ca.pem"), "list");
    assertEquals(1, r.code);
    assertTrue(r.err.contains("UNAVAILABLE"), r.err);
  }

  @Test
  void aBadCertificatePathIsAUsageErrorNamingTheOption() {
    Path absent = dir.resolve("absent.pem");
    Result r = run("--target", target, "--tls-ca", absent.toString(), "list");
    assertEquals(2, r.code);
    assertTrue(r.err.contains("--tls-ca (DISTILLMESH_TLS_CA): " + absent + ": no such file"), r.err);

    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> IndexServerConfig.parse(
        new String[] {"--tls-cert", absent.toString(), "--tls-key", cert("server.key")}, Map.of()));
    assertEquals("--tls-cert (DISTILLMESH_TLS_CERT): " + absent + ": no such file", e.getMessage());
  }

  @Test
  void theConfigDescribesTlsWithoutSecrets() {
    IndexServerConfig c = IndexServerConfig.parse(new String[] {"--tls-cert", cert("server.pem"), "--tls-key",
        cert("server.key")}, Map.of(IndexServerConfig.ENV_ADMIN_TOKEN, "s3cret"));
    assertTrue(c.toString().contains("tls=TLS[cert=" + cert("server.pem")), c.toString());
    assertFalse(c.toString().contains("s3cret"), c.toString());
  }

  private record Result(int code, String out, String err) {}

  private Result cli(String client, String... command) {
    List<String> args = new ArrayList<>(List.of("--target", target, "--tls-ca", cert("ca.pem"),
        "--tls-client-cert", cert("client-" + client + ".pem"), "--tls-client-key", cert("client-" + client + ".key")));
    args.addAll(List.of(command));
    return run(args.toArray(String[]::new));
  }

  private static Result run(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = IndexCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String cert(String name) {
    return CERTS.resolve(name).normalize().toString();
  }
}
