package dev.distillmesh.bench.systems;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One of our services ({@code index-service.jar}, {@code student-service.jar}) started as a
 * separate JVM with {@code --port 0}: its output goes to a log file, and {@link #start} waits for
 * the "listening on HOST:PORT" line each server prints once it serves, so the port is the one the
 * server really bound (no free-port race). {@link #close} stops it: SIGTERM (the servers drain and
 * checkpoint in a shutdown hook), then SIGKILL after 30 s. The caller owns the log and any
 * directories it passed as arguments.
 */
public final class ServiceProcess implements AutoCloseable {
  private static final Pattern LISTENING = Pattern.compile("listening on (\\S+):(\\d+)");
  private static final Duration START_TIMEOUT = Duration.ofMinutes(2);

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
   * Starts {@code java [jvmOptions] -jar jar [args]} with this JVM's java and waits until it
   * listens.
   *
   * @param name for messages, e.g. "student-service"
   * @param args must include {@code --port 0} (or a port) so the server prints its address
   * @throws IOException when the jar is missing, or the process exits or stays silent for two
   *     minutes (the message holds the end of its log)
   */
  public static ServiceProcess start(String name, Path jar, List<String> jvmOptions,
      List<String> args, Path log) throws IOException, InterruptedException {
    if (!Files.isRegularFile(jar)) {
      throw new IOException(name + " jar " + jar + " not found; build with"
          + " `mvn -pl benchmarks -am package -DskipTests`");
    }
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.addAll(jvmOptions);
    command.add("-jar");
    command.add(jar.toAbsolutePath().toString());
    command.addAll(args);
    ProcessBuilder builder = new ProcessBuilder(command)
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
    // The servers read DISTILLMESH_* variables as defaults for every flag (and the admin token,
    // which would make Ingest need credentials): drop them so the flags above are the whole
    // configuration, whatever the shell running the benchmark has exported.
    Map<String, String> env = builder.environment();
    env.keySet().removeIf(key -> key.startsWith("DISTILLMESH_"));
    Process process = builder.start();
    try {
      int port = awaitListening(name, process, log);
      return new ServiceProcess(name, process, log, port);
    } catch (IOException | InterruptedException | RuntimeException e) {
      stop(process);
      throw e;
    }
  }

  /** Polls the log for the "listening on" line; the servers print it only once they serve. */
  private static int awaitListening(String name, Process process, Path log)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      Matcher m = LISTENING.matcher(Files.readString(log, StandardCharsets.UTF_8));
      if (m.find()) {
        return Integer.parseInt(m.group(2));
      }
      if (!process.isAlive()) {
        throw new IOException(name + " exited with " + process.exitValue()
            + " before listening; log " + log + ":\n" + tail(log, 30));
      }
      Thread.sleep(50);
    }
    throw new IOException(name + " printed no \"listening on\" line within " + START_TIMEOUT
        + "; log " + log + ":\n" + tail(log, 30));
  }

  public String name() {
    return name;
  }

  public int port() {
    return port;
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

  /** The last {@code lines} lines of the log, for error messages. */
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
   * For a shutdown hook: SIGTERM to every process this JVM started, waiting up to 30 s for each
   * (the services drain in-flight calls first), so a benchmark stopped with Ctrl-C or SIGTERM
   * leaves no server running.
   */
  public static void stopAllStartedByThisJvm() {
    ProcessHandle.current().children().forEach(child -> {
      child.destroy();
      child.onExit().completeOnTimeout(child, 30, TimeUnit.SECONDS).join();
    });
  }

  /** SIGKILL: no shutdown hook, no draining, no last write; what a crash or an OOM kill does. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  @Override
  public void close() throws InterruptedException {
    stop(process);
  }

  private static void stop(Process process) throws InterruptedException {
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }
}
