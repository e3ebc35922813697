package dev.distillmesh.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.jar.Attributes;
import java.util.jar.JarEntry;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The launcher against a real child JVM: a small server compiled here into a jar. With "serve" it
 * prints a listening line like our services do (after a line naming another server, which must
 * not be taken for it) and waits, with a shutdown hook that prints "drained"; with "fail" it
 * prints an error and exits 2 before listening.
 */
class ServiceProcessTest {
  private static final String SERVER = """
      public class FakeServer {
        public static void main(String[] args) throws Exception {
          if (args[0].equals("fail")) {
            System.err.println("error: --data-dir is required");
            System.exit(2);
          }
          Runtime.getRuntime().addShutdownHook(new Thread(() -> System.out.println("drained")));
          System.out.println("metrics listening on 127.0.0.1:9999");
          System.out.println("fake-service listening on 127.0.0.1:4321 (plaintext)");
          Thread.sleep(Long.MAX_VALUE);
        }
      }
      """;

  @TempDir
  static Path build;
  private static Path jar;

  @BeforeAll
  static void buildJar() throws IOException {
    Path source = build.resolve("FakeServer.java");
    Files.writeString(source, SERVER);
    int rc = ToolProvider.getSystemJavaCompiler().run(null, null, null, "-d", build.toString(), source.toString());
    assertEquals(0, rc, "javac");
    Manifest manifest = new Manifest();
    manifest.getMainAttributes().put(Attributes.Name.MANIFEST_VERSION, "1.0");
    manifest.getMainAttributes().put(Attributes.Name.MAIN_CLASS, "FakeServer");
    jar = build.resolve("fake-service.jar");
    try (JarOutputStream out = new JarOutputStream(Files.newOutputStream(jar), manifest)) {
      out.putNextEntry(new JarEntry("FakeServer.class"));
      out.write(Files.readAllBytes(build.resolve("FakeServer.class")));
      out.closeEntry();
    }
  }

  private static ServiceProcess start(String mode, Path log) throws Exception {
    return ServiceProcess.start("fake-service", jar, List.of("-Xmx64m"), List.of(mode), log);
  }

  @Test
  void readsThePortFromItsOwnListeningLineAndTerminatesThroughTheShutdownHook(@TempDir Path dir) throws Exception {
    ServiceProcess server = start("serve", dir.resolve("serve.log"));
    try {
      assertEquals(4321, server.port());
      assertEquals("127.0.0.1:4321", server.target());
      assertTrue(server.isAlive());
      assertEquals(143, server.terminate(), "128 + SIGTERM");
      assertFalse(server.isAlive());
      assertTrue(Files.readString(server.log(), StandardCharsets.UTF_8).contains("drained"), server.logTail(10));
    } finally {
      server.close();
    }
  }

  @Test
  void kill9RunsNoShutdownHook(@TempDir Path dir) throws Exception {
    try (ServiceProcess server = start("serve", dir.resolve("kill.log"))) {
      server.kill9();
      assertFalse(server.isAlive());
      assertFalse(Files.readString(server.log(), StandardCharsets.UTF_8).contains("drained"), server.logTail(10));
    }
  }

  @Test
  void aServerThatExitsBeforeListeningFailsTheStartWithItsLog(@TempDir Path dir) {
    IOException e = assertThrows(IOException.class, () -> start("fail", dir.resolve("fail.log")));
    assertTrue(e.getMessage().startsWith("fake-service exited with 2 before listening"), e.getMessage());
    assertTrue(e.getMessage().contains("error: --data-dir is required"), e.getMessage());
  }

  @Test
  void aMissingJarOrPropertyIsNamed(@TempDir Path dir) {
    IOException missing = assertThrows(IOException.class, () -> ServiceProcess.start("fake-service",
        dir.resolve("absent.jar"), List.of(), List.of(), dir.resolve("x.log")));
    assertTrue(missing.getMessage().contains("absent.jar not found"), missing.getMessage());
    IllegalStateException unset = assertThrows(IllegalStateException.class,
        () -> ServiceProcess.jarFromProperty("distillmesh.test.no.such.jar"));
    assertTrue(unset.getMessage().startsWith("-Ddistillmesh.test.no.such.jar must name the packaged jar"),
        unset.getMessage());
  }
}
