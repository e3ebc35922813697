package dev.distillmesh.bench.systems;

import dev.distillmesh.testsupport.ServiceProcess;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The index-service started as a separate JVM ({@link ServiceProcess}) on a free loopback port
 * with a fresh temporary data directory (its output goes to a log file outside it, so the
 * directory's size is the index's own). {@link #close} stops it (SIGTERM, then SIGKILL after 30 s)
 * and deletes the data directory.
 */
public final class IndexServerProcess implements AutoCloseable {
  private final ServiceProcess process;
  private final Path dataDir;

  private IndexServerProcess(ServiceProcess process, Path dataDir) {
    this.process = process;
    this.dataDir = dataDir;
  }

  /**
   * @param jar the index-service jar (its lib/ directory next to it)
   * @param jvmOptions options for the server JVM, e.g. {@code -Xmx4g}
   */
  public static IndexServerProcess start(Path jar, List<String> jvmOptions)
      throws IOException, InterruptedException {
    Path dataDir = Files.createTempDirectory("distillmesh-bench-index-");
    Path log = Files.createTempFile("distillmesh-bench-index-server-", ".log");
    try {
      return new IndexServerProcess(ServiceProcess.start("index-service", jar, jvmOptions,
          List.of("--port", "0", "--data-dir", dataDir.resolve("data").toString()), log), dataDir);
    } catch (IOException | InterruptedException | RuntimeException e) {
      MemoryProbe.deleteRecursively(dataDir);
      throw e;
    }
  }

  public int port() {
    return process.port();
  }

  public long pid() {
    return process.pid();
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  public long rssBytes() {
    return MemoryProbe.rssBytes(process.pid());
  }

  public Path dataDir() {
    return dataDir;
  }

  public Path log() {
    return process.log();
  }

  /** The last {@code lines} lines of the server's output, for error messages. */
  public String logTail(int lines) {
    return process.logTail(lines);
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.close();
    MemoryProbe.deleteRecursively(dataDir);
  }
}
