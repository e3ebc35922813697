package dev.distillmesh.testsupport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of our packaged services ({@code index-service.jar}, {@code student-service.jar}, {@code
 * teacher-service.jar}, {@code trainer.jar}) started as a separate JVM, for the integration tests
 * and the benchmarks. Its stdout and stderr go to one log file, and {@link #start} waits for the
 * "NAME listening on HOST:PORT" line each server prints once it serves, so with {@code --port 0}
 * the port is the one the server really bound (no free-port race).
 *
 * <p>The child gets no {@code DISTILLMESH_*} environment variable: the servers read those as
 * defaults for their flags (and the admin token, which would make admin calls need credentials),
 * so the arguments given are the whole configuration, whatever the shell running the build has
 * exported.
 *
 * <p>Whoever starts one closes it: {@link #close} sends SIGTERM (the servers drain and checkpoint
 * in a shutdown hook), then SIGKILL after 30 s. The caller owns the log and any directory it
 * passed in the arguments. Not thread-safe.
 */
public final class ServiceProcess implements AutoCloseable {
  /** How long a server may take to print its listening line (a cold JVM loading a model). */
  public static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final long STOP_SECONDS = 30;

  private final String name;
  private final Process process;
  private final Path log;
  private final int port;

  private ServiceProcess(String name, Process process, Path log, int port) {
    this.name = name;
    this.process = process;
    this.log = log;
    this.port = port;
  }

  /**
   * The jar a build property names: failsafe passes each IT the packaged jars it needs (e.g.
   * {@code -Dindex.server.jar=...}).
   *
   * @throws IllegalStateException naming the property when it is unset or not a file
   */
  public static Path jarFromProperty(String property) {
    String jar = System.getProperty(property);
    if (jar == null || !Files.isRegularFile(Path.of(jar))) {
      throw new IllegalStateException("-D" + property + " must name the packaged jar (got " + jar
          + "); run the integration tests with `mvn verify` from the repository root");
    }
    return Path.of(jar);
  }

  /**
   * Starts {@code java [jvmOptions] -jar jar [args]} with this JVM's java and waits until it
   * listens.
   *
   * @param name the server's name as its listening line starts, e.g. "student-service" or "trainer"
   * @param args must include {@code --port} (0 for any free port) so the server prints its address
   * @throws IOException when the jar is missing, or the process exits or stays silent for {@link
   *     #START_TIMEOUT} (the message holds the end of its log)
   */
  public static ServiceProcess start(String name, Path jar, List<String> jvmOptions, List<String> args, Path log)
      throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(name + " jar " + jar + " not found; package it first (`mvn package -DskipTests`)");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile());
    builder.environment().keySet().removeIf(key -> key.startsWith("DISTILLMESH_"));
    Process process = builder.start();
    try {
      return new ServiceProcess(name, process, log, awaitListening(name, process, log));
    } catch (IOException | InterruptedException | RuntimeException e) {
      stop(process);
      throw e;
    }
  }

  /** Polls the log for the listening line; the servers print it only once they serve. */
  private static int awaitListening(String name, Process process, Path log) throws IOException, InterruptedException {
    Pattern listening = Pattern.compile(Pattern.quote(name) + " listening on (\\S+):(\\d+)");
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = listening.matcher(Files.readString(log, StandardCharsets.UTF_8));
      if (m.find()) {
        return Integer.parseInt(m.group(2));
      }
      if (!process.isAlive()) {
        throw new IOException(name + " exited with " + process.exitValue() + " before listening; log " + log
            + ":\n" + tail(log, 40));
      }
      Thread.sleep(50);
    }
    throw new IOException(name + " printed no \"listening on\" line within " + START_TIMEOUT + "; log " + log
        + ":\n" + tail(log, 40));
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
  }

  /** {@code 127.0.0.1:PORT}: the servers the tests and benchmarks start bind loopback. */
  public String target() {
    return "127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process.isAlive();
  }

  /** CPU time the process has used so far (user + system, all threads), or zero if unknown. */
  public Duration cpuTime() {
    return process.toHandle().info().totalCpuDuration().orElse(Duration.ZERO);
  }

  /** The last {@code lines} lines of the log, for failure messages. */
  public String logTail(int lines) {
    return tail(log, lines);
  }

  private static String tail(Path log, int lines) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }

  /**
   * SIGKILL: no shutdown hook, no draining, no last write; what a crash or an OOM kill does.
   * Returns once the process is gone.
   *
   * @throws IllegalStateException if it is still there after 30 s
   */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " pid " + process.pid() + " survived kill -9");
    }
  }

  /**
   * SIGTERM, and waits for the exit: the shutdown hook drains calls and checkpoints.
   *
   * @return the exit code
   * @throws IllegalStateException if it has not exited after 30 s (the message holds its log)
   */
  public int terminate() throws InterruptedException {
    process.destroy();
    if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException(name + " pid " + process.pid() + " did not exit after SIGTERM; log:\n"
          + tail(log, 40));
    }
    return process.exitValue();
  }

  /**
   * For a shutdown hook: SIGTERM to every process this JVM started, waiting up to 30 s for each
   * (the services drain in-flight calls first), so a benchmark stopped with Ctrl-C or SIGTERM
   * leaves no server running.
   */
  public static void stopAllStartedByThisJvm() {
    ProcessHandle.current().children().forEach(child -> {
      child.destroy();
      child.onExit().completeOnTimeout(child, STOP_SECONDS, TimeUnit.SECONDS).join();
    });
  }

  /** SIGTERM, then SIGKILL if it has not exited after 30 s; nothing if it is already gone. */
  @Override
  public void close() throws InterruptedException {
    stop(process);
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
