package dev.distillmesh.bench.systems;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The index-service started as a separate JVM ({@code java -jar index-service.jar --port P
 * --data-dir D}) on a free loopback port with a fresh temporary data directory, its output going to
 * a log file in that directory. {@link #close} stops it (SIGTERM, then SIGKILL after 30 s) and
 * deletes the data directory.
 */
public final class IndexServerProcess implements AutoCloseable {
  private final Process process;
  private final int port;
  private final Path dataDir;
  private final Path log;

  private IndexServerProcess(Process process, int port, Path dataDir, Path log) {
    this.process = process;
    this.port = port;
    this.dataDir = dataDir;
    this.log = log;
  }

  /**
   * @param jar the index-service jar (its lib/ directory next to it)
   * @param jvmOptions options for the server JVM, e.g. {@code -Xmx4g}
   */
  public static IndexServerProcess start(Path jar, List<String> jvmOptions) throws IOException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException("index-service jar " + jar + " not found; build it with"
          + " `mvn -pl index-service -am package -DskipTests`");
    }
    int port = freePort();
    Path dataDir = Files.createTempDirectory("distillmesh-bench-index-");
    Path log = Files.createTempFile("distillmesh-bench-index-server-", ".log");
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.addAll(List.of("-jar", jar.toAbsolutePath().toString(),
        "--port", Integer.toString(port), "--data-dir", dataDir.resolve("data").toString()));
    Process process = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile())
        .start();
    return new IndexServerProcess(process, port, dataDir, log);
  }

  public int port() {
    return port;
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
    return log;
  }

  /** The last {@code lines} lines of the server's output, for error messages. */
  public String logTail(int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() throws IOException, InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
    MemoryProbe.deleteRecursively(dataDir);
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
