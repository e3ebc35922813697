package dev.distillmesh.trainer.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.tls.Servers;
import dev.distillmesh.trainer.TrainerServer;
import dev.distillmesh.trainer.TrainerServerConfig;
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
 * The trainer configured for mutual TLS with an admin allow-list, as its main method would start
 * it, and trainer-cli calling it over a real socket. The student, teacher and index it would call
 * are not running: nothing here needs them.
 */
class TrainerTlsTest {
  /** The test-only certificates of the common module (see the README there); tests run in the module directory. */
  private static final Path CERTS = Path.of("..", "common", "src", "test", "resources", "tls").toAbsolutePath().normalize();

  @TempDir Path dir;
  private TrainerServer server;
  private String target;

  @BeforeEach
  void start() throws Exception {
    TrainerServerConfig config = TrainerServerConfig.parse(new String[] {"--port", "0",
        "--runs-dir", dir.resolve("runs").toString(),
        "--student", "dns:///localhost:1", "--teacher", "localhost:1", "--index", "dns:///localhost:1",
        "--tls-cert", cert("server.pem"), "--tls-key", cert("server.key"), "--tls-client-ca", cert("ca.pem"),
        "--tls-ca", cert("ca.pem"), "--tls-client-cert", cert("server.pem"), "--tls-client-key", cert("server.key"),
        "--admin-clients", "trainer,localhost"}, Map.of());
    server = TrainerServer.start(config, Servers.forAddress(config.bind(), config.port(), config.tls(), 0));
    target = "localhost:" + server.port();
  }

  @AfterEach
  void stop() {
    server.close();
  }

  @Test
  void anAllowListedCertificateReachesAdminRpcsAndOthersAreDenied() {
    Result allowed = cli("trainer", "stop", "no-such-run");
    assertEquals(1, allowed.code, allowed.err);
    assertTrue(allowed.err.contains("NOT_FOUND"), "past the admin check: " + allowed.err);

    Result denied = cli("intruder", "stop", "no-such-run");
    assertEquals(1, denied.code, denied.err);
    assertTrue(denied.err.contains("PERMISSION_DENIED"), denied.err);

    Result listed = cli("intruder", "list");
    assertEquals(0, listed.code, listed.err);
  }

  @Test
  void theConfigDescribesEverySideWithoutTheToken() {
    TrainerServerConfig c = TrainerServerConfig.parse(new String[] {"--tls-ca", cert("ca.pem")},
        Map.of(TrainerServerConfig.ENV_ADMIN_TOKEN, "s3cret"));
    assertTrue(c.toString().contains("clientTls=TLS[ca=" + cert("ca.pem") + "]"), c.toString());
    assertFalse(c.toString().contains("s3cret"), c.toString());
    assertEquals("s3cret", c.adminToken());
  }

  @Test
  void aKeyThatIsNotTheCertificatesFailsAtStart() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> TrainerServerConfig.parse(
        new String[] {"--tls-ca", cert("ca.pem"), "--tls-client-cert", cert("client-trainer.pem"),
            "--tls-client-key", cert("client-intruder.key")}, Map.of()));
    assertTrue(e.getMessage().startsWith("--tls-client-key (DISTILLMESH_TLS_CLIENT_KEY): " + cert("client-intruder.key")
        + ": this key does not belong to the certificate"), e.getMessage());
  }

  private record Result(int code, String out, String err) {}

  private Result cli(String client, String... command) {
    List<String> args = new ArrayList<>(List.of("--target", target, "--tls-ca", cert("ca.pem"),
        "--tls-client-cert", cert("client-" + client + ".pem"), "--tls-client-key", cert("client-" + client + ".key")));
    args.addAll(List.of(command));
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = TrainerCli.run(args.toArray(String[]::new), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static String cert(String name) {
    return CERTS.resolve(name).toString();
  }
}
