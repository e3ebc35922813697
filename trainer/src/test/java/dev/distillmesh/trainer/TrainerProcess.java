package dev.distillmesh.trainer;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The trainer as a real process ({@code trainer.jar}), so a test can {@code kill -9} it and start
 * another on the same runs directory. Its output goes to a log; {@link #start} waits for the
 * "trainer listening on" line.
 */
final class TrainerProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("trainer listening on [^:]+:(\\d+)");

  private final Process process;
  private final int port;
  private final Path log;

  private TrainerProcess(Process process, int port, Path log) {
    this.process = process;
    this.port = port;
    this.log = log;
  }

  static TrainerProcess start(Path runsDir, LiveMesh mesh, Path log) throws Exception {
    return start(runsDir, mesh, mesh.teacherTarget(), log);
  }

  /** A trainer against the mesh's index and student and the teacher at {@code teacher}. */
  static TrainerProcess start(Path runsDir, LiveMesh mesh, String teacher, Path log) throws Exception {
    Path jar = Path.of(System.getProperty("trainer.jar", "target/trainer.jar"));
    if (!Files.isRegularFile(jar)) {
      throw new IOException("trainer jar " + jar + " not found; the integration tests run after `package`");
    }
    List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx1g", "-jar", jar.toString(), "--port", "0", "--runs-dir", runsDir.toString(), "--student", mesh.studentTarget(),
        "--teacher", teacher, "--index", mesh.indexTarget(), "--data-dirs", dataDirs(runsDir)));
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().remove("DISTILLMESH_ADMIN_TOKEN");
    Process p = builder.start();
    for (int i = 0; i < 1200; i++) {
      Matcher m = LISTENING.matcher(Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "");
      if (m.find()) {
        return new TrainerProcess(p, Integer.parseInt(m.group(1)), log);
      }
      if (!p.isAlive()) {
        throw new IOException("trainer exited with " + p.exitValue() + ":\n" + Files.readString(log));
      }
      Thread.sleep(100);
    }
    p.destroyForcibly();
    throw new IOException("trainer did not start in 2 minutes:\n" + Files.readString(log));
  }

  /**
   * What the tests' runs read: files the test wrote beside the runs directory, the bundled examples
   * and the shared datasets.
   */
  private static String dataDirs(Path runsDir) {
    return String.join(",", runsDir.toAbsolutePath().getParent().toString(),
        Path.of("..", "examples").toAbsolutePath().normalize().toString(),
        Path.of(System.getProperty("shared.data.dir", "../../shared/data")).toAbsolutePath().normalize().toString());
  }

  String target() {
    return "127.0.0.1:" + port;
  }

  /** SIGKILL: no shutdown hook, no last checkpoint. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor();
  }

  String log() throws IOException {
    return Files.readString(log, StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    process.destroy();
    process.waitFor();
  }
}
