package dev.distillmesh.student;

import static java.util.concurrent.TimeUnit.SECONDS;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A packaged service ({@code java -jar}, jar path from a system property failsafe sets) running as
 * a child process; its port is read from the "listening on HOST:PORT" line it prints. The test
 * that starts one closes it; {@link #close()} kills the process.
 */
final class ServiceProcess implements AutoCloseable {
  static final long START_SECONDS = 120;
  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");

  private final String name;
  private final Process process;
  private final Path stderr;
  private final int port;

  private ServiceProcess(String name, Process process, Path stderr, int port) {
    this.name = name;
    this.process = process;
    this.stderr = stderr;
    this.port = port;
  }

  /** Starts {@code java -jar <jar from jarProperty> args...} and waits for its port line. */
  static ServiceProcess start(String name, String jarProperty, Path stderr, String... args)
      throws IOException, InterruptedException {
    String jar = System.getProperty(jarProperty);
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("-D" + jarProperty + " must name the packaged jar (got " + jar
          + "); run the ITs with `mvn verify` from the repository root");
    }
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx1g", "-jar", jar));
    command.addAll(List.of(args));
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().keySet().removeIf(k -> k.startsWith("DISTILLMESH_"));
    builder.redirectError(stderr.toFile());
    Process process = builder.start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    Thread reader = new Thread(() -> readStdout(process, port), name + "-stdout-" + process.pid());
    reader.setDaemon(true);
    reader.start();
    try {
      return new ServiceProcess(name, process, stderr, port.get(START_SECONDS, SECONDS));
    } catch (ExecutionException | TimeoutException e) {
      process.destroyForcibly().waitFor(START_SECONDS, SECONDS);
      throw new AssertionError(name + " did not print its port within " + START_SECONDS + " s; stderr:\n" + tail(stderr), e);
    }
  }

  private static void readStdout(Process process, CompletableFuture<Integer> port) {
    try (BufferedReader in = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
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

  int port() {
    return port;
  }

  String target() {
    return "127.0.0.1:" + port;
  }

  /** SIGKILL: no shutdown hook runs; waits until the process is gone. */
  void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(START_SECONDS, SECONDS)) {
      throw new AssertionError(name + " pid " + process.pid() + " survived kill -9");
    }
  }

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
    if (process.isAlive()) {
      process.destroyForcibly().waitFor(START_SECONDS, SECONDS);
    }
  }
}
