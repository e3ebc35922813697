package dev.distillmesh.trainer;

import dev.distillmesh.testsupport.ServiceProcess;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The trainer as a real process ({@code trainer.jar}, through {@link ServiceProcess}), so a test
 * can {@code kill -9} it and start another on the same runs directory.
 */
final class TrainerProcess implements AutoCloseable {
  private final ServiceProcess process;

  private TrainerProcess(ServiceProcess process) {
    this.process = process;
  }

  static TrainerProcess start(Path runsDir, LiveMesh mesh, Path log) throws Exception {
    return start(runsDir, mesh, mesh.teacherTarget(), log);
  }

  /** A trainer against the mesh's index and student and the teacher at {@code teacher}. */
  static TrainerProcess start(Path runsDir, LiveMesh mesh, String teacher, Path log) throws Exception {
    return start(runsDir, mesh.studentTarget(), teacher, mesh.indexTarget(), log);
  }

  /** A trainer against the student, teacher and index at these targets, with {@code more} settings. */
  static TrainerProcess start(Path runsDir, String student, String teacher, String index, Path log, String... more)
      throws Exception {
    Path jar = Path.of(System.getProperty("trainer.jar", "target/trainer.jar"));
    List<String> args = new ArrayList<>(List.of("--port", "0", "--runs-dir", runsDir.toString(), "--student", student,
        "--teacher", teacher, "--index", index, "--data-dirs", dataDirs(runsDir)));
    args.addAll(List.of(more));
    return new TrainerProcess(ServiceProcess.start("trainer", jar, List.of("-Xmx1g"), args, log));
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
    return process.target();
  }

  /** SIGKILL: no shutdown hook, no last checkpoint. */
  void kill9() throws InterruptedException {
    process.kill9();
  }

  /** Where the process logs. */
  Path logFile() {
    return process.log();
  }

  /** The whole log so far, for failure messages. */
  String log() throws IOException {
    return Files.readString(process.log(), StandardCharsets.UTF_8);
  }

  @Override
  public void close() throws InterruptedException {
    process.close();
  }
}
