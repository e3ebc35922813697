package dev.distillmesh.teacher.triton;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.tls.ServerTls;
import dev.distillmesh.teacher.TeacherServer;
import dev.distillmesh.teacher.TeacherServerConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The teacher reaching a Triton that requires mutual TLS, configured by flags as a user would. */
class TritonOverTlsTest {
  /** The test-only certificates of the common module (see the README there); tests run in the module directory. */
  private static final Path CERTS = Path.of("..", "common", "src", "test", "resources", "tls").toAbsolutePath().normalize();

  private FakeTritonServer fake;
  private final List<TeacherServer.Backend> backends = new ArrayList<>();

  @BeforeEach
  void start() throws Exception {
    fake = new FakeTritonServer(new ServerTls(CERTS.resolve("server.pem"), CERTS.resolve("server.key"),
        CERTS.resolve("ca.pem")));
  }

  @AfterEach
  void stop() throws Exception {
    backends.forEach(TeacherServer.Backend::close);
    fake.close();
  }

  @Test
  void withTheMeshCaAndAClientCertificateTritonIsReady() throws Exception {
    TritonTeacher t = connect("--tls-ca", cert("ca.pem"), "--tls-client-cert", cert("client-trainer.pem"),
        "--tls-client-key", cert("client-trainer.key"));
    t.refreshReadiness();
    assertTrue(t.ready());
  }

  @Test
  void withoutAClientCertificateOrOverPlaintextItIsNot() throws Exception {
    TritonTeacher noCertificate = connect("--tls-ca", cert("ca.pem"));
    noCertificate.refreshReadiness();
    assertFalse(noCertificate.ready());
    TritonTeacher plaintext = connect();
    plaintext.refreshReadiness();
    assertFalse(plaintext.ready());
  }

  private TritonTeacher connect(String... tlsFlags) throws Exception {
    List<String> args = new ArrayList<>(List.of("--backend", "triton", "--triton-target", fake.target(),
        "--request-timeout-ms", "5000"));
    args.addAll(List.of(tlsFlags));
    TeacherServerConfig config = TeacherServerConfig.parse(args.toArray(String[]::new), Map.of());
    TeacherServer.Backend backend = TeacherServer.openTeacher(config);
    backends.add(backend);
    return (TritonTeacher) backend.teacher();
  }

  private static String cert(String name) {
    return CERTS.resolve(name).toString();
  }
}
