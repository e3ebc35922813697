package dev.distillmesh.broker;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * One real Apache Kafka broker (KRaft: broker and controller in one process, node id 1) running as
 * a child JVM from the Maven Central artefacts this module depends on. {@link #start} formats the
 * storage of a new data directory (kept as it is when already formatted, so a broker restarted on
 * the same directory keeps its topics and offsets), starts {@code kafka.Kafka} and waits for its
 * "Kafka Server started" line.
 *
 * <p>The broker is configured to lose nothing it acknowledged when it is killed: it fsyncs the log
 * after every message ({@code log.flush.interval.messages=1}) before answering a produce request,
 * which a replicated production cluster does not need (there {@code replication.factor=3} and
 * {@code min.insync.replicas=2} with {@code acks=all} give durability; see the README's scale-out
 * section). Topics are never created implicitly: the mesh creates its own with their settings.
 *
 * <p>Listens on loopback only, plaintext, on two free ports picked at the first start and kept for
 * restarts. Not thread-safe.
 */
public final class KafkaBroker implements AutoCloseable {
  /** How long a broker may take to start (a cold JVM on a busy machine). */
  public static final Duration START_TIMEOUT = Duration.ofMinutes(2);
  private static final long STOP_SECONDS = 30;
  private static final String STARTED = "Kafka Server started";
  private static final String CLASSPATH_RESOURCE = "broker.classpath";

  private final Path dir;
  private final Path log;
  private final String heap;
  private final int port;
  private final int controllerPort;
  private Process process;

  private KafkaBroker(Path dir, Path log, String heap, int port, int controllerPort) {
    this.dir = dir;
    this.log = log;
    this.heap = heap;
    this.port = port;
    this.controllerPort = controllerPort;
  }

  /**
   * Starts a broker keeping its data in {@code dir} (created; formatted if new), logging to {@code
   * log}, with a 512 MB heap.
   *
   * @throws IOException when it cannot be formatted or started within {@link #START_TIMEOUT} (the
   *     message holds the end of its log)
   */
  public static KafkaBroker start(Path dir, Path log) throws IOException, InterruptedException {
    return start(dir, log, "512m", freePort(), freePort());
  }

  /** As {@link #start(Path, Path)} with the heap ({@code -Xmx} value) and ports given (0: any free one). */
  public static KafkaBroker start(Path dir, Path log, String heap, int port, int controllerPort)
      throws IOException, InterruptedException {
    Files.createDirectories(dir);
    KafkaBroker broker = new KafkaBroker(dir.toAbsolutePath(), log.toAbsolutePath(), heap,
        port == 0 ? freePort() : port, controllerPort == 0 ? freePort() : controllerPort);
    broker.writeConfig();
    broker.formatIfNew();
    broker.launch();
    return broker;
  }

  /** {@code 127.0.0.1:PORT}, the clients' {@code bootstrap.servers}. */
  public String bootstrapServers() {
    return "127.0.0.1:" + port;
  }

  public long pid() {
    return process.pid();
  }

  public Path log() {
    return log;
  }

  public boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** SIGKILL, as a crash would: no flush, no controlled shutdown. Returns once the process is gone. */
  public void kill9() throws InterruptedException {
    process.destroyForcibly();
    if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
      throw new IllegalStateException("kafka broker pid " + process.pid() + " survived kill -9");
    }
  }

  /** Starts the broker again on the same directory and ports (after {@link #kill9} or {@link #close}). */
  public void restart() throws IOException, InterruptedException {
    if (isAlive()) {
      throw new IllegalStateException("kafka broker pid " + process.pid() + " is still running");
    }
    launch();
  }

  /** SIGTERM (a controlled shutdown), then SIGKILL after 30 s; nothing if it is already gone. */
  @Override
  public void close() throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(STOP_SECONDS, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(STOP_SECONDS, TimeUnit.SECONDS);
    }
  }

  /** Waits for the broker to exit (for a launcher that runs it in the foreground). */
  public int waitFor() throws InterruptedException {
    return process.waitFor();
  }

  private Path config() {
    return dir.resolve("server.properties");
  }

  private void writeConfig() throws IOException {
    String text = String.join("\n",
        "# written by distillmesh's KafkaBroker: one node, loopback, plaintext",
        "process.roles=broker,controller",
        "node.id=1",
        "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
        "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
        "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
        "controller.listener.names=CONTROLLER",
        "inter.broker.listener.name=PLAINTEXT",
        "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
        "log.dirs=" + dir.resolve("data"),
        "auto.create.topics.enable=false",
        "num.partitions=1",
        "offsets.topic.replication.factor=1",
        "offsets.topic.num.partitions=4",
        "transaction.state.log.replication.factor=1",
        "transaction.state.log.min.isr=1",
        "share.coordinator.state.topic.replication.factor=1",
        "share.coordinator.state.topic.min.isr=1",
        "group.initial.rebalance.delay.ms=0",
        // One broker: fsync every message before acknowledging it, so kill -9 loses nothing acked.
        "log.flush.interval.messages=1",
        "");
    Files.writeString(config(), text, StandardCharsets.UTF_8);
  }

  private void formatIfNew() throws IOException, InterruptedException {
    if (Files.exists(dir.resolve("data").resolve("meta.properties"))) {
      return;
    }
    Path formatLog = dir.resolve("format.log");
    List<String> command = java("kafka.tools.StorageTool");
    command.addAll(List.of("format", "--cluster-id", clusterId(), "--config", config().toString()));
    Process format = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(formatLog.toFile()).start();
    if (!format.waitFor(START_TIMEOUT.toSeconds(), TimeUnit.SECONDS)) {
      format.destroyForcibly();
      throw new IOException("formatting kafka storage in " + dir + " did not finish within " + START_TIMEOUT);
    }
    if (format.exitValue() != 0) {
      throw new IOException("formatting kafka storage in " + dir + " failed (exit " + format.exitValue() + "):\n"
          + tail(formatLog, 20));
    }
  }

  private void launch() throws IOException, InterruptedException {
    Files.deleteIfExists(log);
    List<String> command = java("kafka.Kafka");
    command.add(config().toString());
    process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
    long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (Files.exists(log) && Files.readString(log, StandardCharsets.UTF_8).contains(STARTED)) {
        return;
      }
      if (!process.isAlive()) {
        throw new IOException("kafka broker exited with " + process.exitValue() + " before it started; log " + log
            + ":\n" + tail(log, 40));
      }
      Thread.sleep(100);
    }
    process.destroyForcibly();
    throw new IOException("kafka broker did not start within " + START_TIMEOUT + "; log " + log + ":\n"
        + tail(log, 40));
  }

  private List<String> java(String mainClass) {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    command.add("-Xmx" + heap);
    command.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=info");
    command.add("-cp");
    command.add(classpath());
    command.add(mainClass);
    return command;
  }

  /** The broker's jars, as the build listed them (this module's runtime dependencies). */
  static String classpath() {
    try (InputStream in = KafkaBroker.class.getResourceAsStream(CLASSPATH_RESOURCE)) {
      if (in == null) {
        throw new IllegalStateException(CLASSPATH_RESOURCE + " is missing from the kafka-broker module's classes;"
            + " build it with `mvn -pl kafka-broker package`");
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A KRaft cluster id: 16 random bytes, URL-safe base64 without padding (what StorageTool random-uuid prints). */
  private static String clusterId() {
    UUID uuid = UUID.randomUUID();
    ByteBuffer bytes = ByteBuffer.allocate(16);
    bytes.putLong(uuid.getMostSignificantBits()).putLong(uuid.getLeastSignificantBits());
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes.array());
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  private static String tail(Path file, int lines) {
    try {
      List<String> all = Files.readAllLines(file, StandardCharsets.UTF_8);
      return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
    } catch (IOException e) {
      return "(log unreadable: " + e.getMessage() + ")";
    }
  }
}
