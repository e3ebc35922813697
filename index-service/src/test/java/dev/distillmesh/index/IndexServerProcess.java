package dev.distillmesh.index;

import static java.util.concurrent.TimeUnit.SECONDS;

import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The packaged index-service ({@code java -jar}, path from the {@code index.server.jar} system
 * property that failsafe sets) running as a child process on a free loopback port, with a
 * plaintext channel to it. The test that starts one closes it; {@link #close()} kills the process.
 */
final class IndexServerProcess implements AutoCloseable {
  static final String JAR_PROPERTY = "index.server.jar";
  static final long START_SECONDS = 60;
  private static final Pattern LISTENING = Pattern.compile("index-service listening on (\\S+):(\\d+) \\(");

  private final Process process;
  private final Path stderr;
  private final ManagedChannel channel;

  private IndexServerProcess(Process process, Path stderr, ManagedChannel channel) {
    this.process = process;
    this.stderr = stderr;
    this.channel = channel;
  }

  /** Starts the server on {@code dataDir}, logging to {@code stderr}, and waits for its port line. */
  static IndexServerProcess start(Path dataDir, Path stderr) throws IOException, InterruptedException {
    String jar = System.getProperty(JAR_PROPERTY);
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("-D" + JAR_PROPERTY + " must name the packaged server jar (got "
          + jar + "); run the ITs with `mvn -pl index-service -am verify`");
    }
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx1g", "-jar", jar,
        "--port", "0", "--data-dir", dataDir.toString());
    builder.environment().keySet().removeIf(k -> k.startsWith("DISTILLMESH_"));
    builder.redirectError(stderr.toFile());
    Process process = builder.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> readStdout(process, port), "index-server-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    try {
      int p = port.get(START_SECONDS, SECONDS);
      ManagedChannel channel = ManagedChannelBuilder.forAddress("127.0.0.1", p).usePlaintext().build();
      return new IndexServerProcess(process, stderr, channel);
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly().waitFor(START_SECONDS, SECONDS);
      throw new AssertionError("index-service did not print its port within " + START_SECONDS
          + " s (exit " + (process.isAlive() ? "none, still alive" : process.exitValue()) + "); stderr:\n"
          + tail(stderr), e);
    }
  }

  /** Drains stdout; completes {@code port} from the listening line (or fails it at EOF). */
  private static void readStdout(Process process, CompletableFuture<Integer> port) {
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          port.complete(Integer.parseInt(m.group(2)));
        }
      }
    } catch (IOException e) {
      port.completeExceptionally(e);
    }
    port.completeExceptionally(new IllegalStateException("stdout closed without a listening line"));
  }

  IndexServiceGrpc.IndexServiceBlockingStub blocking() {
    return IndexServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, SECONDS);
  }

  IndexServiceGrpc.IndexServiceStub async() {
    return IndexServiceGrpc.newStub(channel).withDeadlineAfter(30, SECONDS);
  }

  long pid() {
    return process.pid();
  }

  /** SIGKILL: no shutdown hook, no checkpoint; waits until the process is gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    awaitExit();
  }

  /** SIGTERM: the shutdown hook drains calls and checkpoints; waits until the process is gone. */
  int terminate() throws InterruptedException {
    process.destroy();
    return awaitExit();
  }

  private int awaitExit() throws InterruptedException {
    if (!process.waitFor(START_SECONDS, SECONDS)) {
      throw new AssertionError("index-service pid " + process.pid() + " did not exit; stderr:\n" + tail(stderr));
    }
    channel.shutdownNow();
    return process.exitValue();
  }

  /** The last lines of the server's log, for failure messages. */
  String stderrTail() {
    return tail(stderr);
  }

  private static String tail(Path file) {
    try {
      List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no stderr: " + e + ")";
    }
  }

  @Override
  public void close() throws InterruptedException {
    channel.shutdownNow();
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(START_SECONDS, SECONDS);
    }
  }
}
