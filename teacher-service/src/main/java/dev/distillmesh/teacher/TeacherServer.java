package dev.distillmesh.teacher;

import dev.distillmesh.common.ManagedServer;
import dev.distillmesh.common.metrics.MetricsHttpServer;
import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.common.resilience.ResilienceInterceptor;
import dev.distillmesh.common.resilience.ResilienceSettings;
import dev.distillmesh.common.tls.Channels;
import dev.distillmesh.common.tls.ClientTls;
import dev.distillmesh.common.tls.Servers;
import dev.distillmesh.teacher.embedded.EmbeddedTeacher;
import dev.distillmesh.teacher.embedded.EnsembleSpec;
import dev.distillmesh.teacher.grpc.TeacherGrpcService;
import dev.distillmesh.teacher.triton.TritonSettings;
import dev.distillmesh.teacher.triton.TritonTeacher;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The teacher-service process: opens the configured backend ({@link #openTeacher}) and serves
 * {@code TeacherService} on it. Health ({@code grpc.health.v1}) follows {@link Teacher#ready}:
 * always serving for the embedded backend, Triton's readiness for the other. {@link #start} takes
 * the server transport and the backend, so tests can run it in-process or over any teacher.
 *
 * <p>This class is the wiring: it builds the transports, the channel to Triton included (the
 * backend only uses it), and closes what it built.
 */
public final class TeacherServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TeacherServer.class);
  private static final long HEALTH_PERIOD_MS = 1000;

  private static final long CHANNEL_CLOSE_SECONDS = 5;

  /**
   * A backend and the client channel the wiring built for it ({@code null} when it needs none, as
   * the embedded backend). {@link #close} closes the backend, then the channel: shutdown, up to 5
   * seconds for calls in flight, then shutdownNow.
   */
  public record Backend(Teacher teacher, ManagedChannel channel) implements AutoCloseable {
    @Override
    public void close() {
      teacher.close();
      if (channel != null) {
        channel.shutdown();
        try {
          if (!channel.awaitTermination(CHANNEL_CLOSE_SECONDS, TimeUnit.SECONDS)) {
            channel.shutdownNow();
          }
        } catch (InterruptedException e) {
          channel.shutdownNow();
          Thread.currentThread().interrupt();
        }
      }
    }
  }

  private final ManagedServer server;
  private final Backend backend;
  private final TeacherGrpcService service;
  private final ScheduledExecutorService health;
  private final MetricsHttpServer metricsHttp; // null when metrics are off

  private TeacherServer(ManagedServer server, Backend backend, TeacherGrpcService service,
      ScheduledExecutorService health, MetricsHttpServer metricsHttp) {
    this.server = server;
    this.backend = backend;
    this.service = service;
    this.health = health;
    this.metricsHttp = metricsHttp;
  }

  /**
   * The backend the configuration asks for; the caller closes it (or hands it to {@link #start}).
   *
   * @throws IllegalArgumentException when a setting or a TLS file is missing or invalid
   */
  public static Backend openTeacher(TeacherServerConfig config) throws Exception {
    if (config.backend().equals(TeacherServerConfig.EMBEDDED)) {
      EnsembleSpec ensemble = EnsembleSpec.parse(config.ensemble());
      return new Backend(EmbeddedTeacher.open(ensemble, new EmbeddedTeacher.Settings(config.onnxThreads(),
          config.maxBatch(), config.maxWaitMicros(), config.queueCapacity(), config.cacheBytes())), null);
    }
    TritonSettings triton = new TritonSettings(config.tritonTarget(), config.tritonScorer(), config.tritonSelector(),
        config.tritonGenerator(), TritonSettings.DEFAULT_MAX_MESSAGE_BYTES, config.maxBatch(), config.queueCapacity(),
        TritonSettings.DEFAULT_POLL_INTERVAL, config.maxRequestTime());
    return openTriton(triton, config.tritonTls());
  }

  /**
   * The Triton backend with the channel built for it: by {@link Channels} (so with {@code tls} and
   * round-robin over the target's addresses), accepting messages up to {@code
   * settings.maxMessageBytes()}, wrapped in a {@link ResilienceInterceptor} with {@code
   * ResilienceSettings.defaults("triton")}.
   *
   * @throws IllegalArgumentException when a TLS file is missing or invalid
   */
  public static Backend openTriton(TritonSettings settings, ClientTls tls) {
    ManagedChannel channel = Channels.forTarget(settings.target(), tls)
        .maxInboundMessageSize(settings.maxMessageBytes())
        .build();
    try {
      Channel guarded = ClientInterceptors.intercept(channel,
          new ResilienceInterceptor(ResilienceSettings.defaults("triton")));
      return new Backend(new TritonTeacher(guarded, settings), channel);
    } catch (RuntimeException | Error e) {
      channel.shutdownNow();
      throw e;
    }
  }

  /**
   * Starts serving {@code teacher}, which needs no transport of the server's, on {@code builder}.
   * The server owns the teacher from here on: {@link #close} closes it.
   */
  public static TeacherServer start(TeacherServerConfig config, ServerBuilder<?> builder, Teacher teacher)
      throws Exception {
    return start(config, builder, new Backend(teacher, null));
  }

  /**
   * Starts serving {@code backend} on {@code builder}. The server owns the backend from here on:
   * {@link #close} closes it, its channel included.
   */
  public static TeacherServer start(TeacherServerConfig config, ServerBuilder<?> builder, Backend backend)
      throws Exception {
    Teacher teacher = backend.teacher();
    MetricsHttpServer metricsHttp = null;
    try {
      builder.maxInboundMessageSize(config.maxMessageBytes());
      TeacherGrpcService service = new TeacherGrpcService(teacher, config.maxRequestTime(), config.streamWindow());
      MetricsRegistry metrics = new MetricsRegistry();
      TeacherMetrics.register(metrics, teacher);
      metricsHttp = MetricsHttpServer.startIfEnabled("teacher-service", config.bind(), config.metricsPort(), metrics);
      ManagedServer server = new ManagedServer(builder, List.of(service), List.of(), Set.of(), 30, metrics).start();
      ScheduledExecutorService health = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "teacher-health");
        t.setDaemon(true);
        return t;
      });
      server.setServing(teacher.ready());
      health.scheduleWithFixedDelay(() -> server.setServing(teacher.ready()), HEALTH_PERIOD_MS, HEALTH_PERIOD_MS,
          TimeUnit.MILLISECONDS);
      return new TeacherServer(server, backend, service, health, metricsHttp);
    } catch (Exception | Error e) {
      if (metricsHttp != null) {
        metricsHttp.close();
      }
      backend.close();
      throw e;
    }
  }

  public int port() {
    return server.port();
  }

  /** Port of the metrics endpoint, -1 when metrics are off. */
  public int metricsPort() {
    return metricsHttp == null ? -1 : metricsHttp.port();
  }

  public Teacher teacher() {
    return backend.teacher();
  }

  public TeacherGrpcService service() {
    return service;
  }

  /** Stops accepting calls, drains in-flight ones, then closes the backend and its channel. */
  @Override
  public void close() {
    health.shutdownNow();
    server.close();
    backend.close();
    if (metricsHttp != null) {
      metricsHttp.close();
    }
  }

  public static void main(String[] args) throws Exception {
    TeacherServerConfig config;
    try {
      config = TeacherServerConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    log.info("starting teacher-service with {}", config);
    Backend backend;
    try {
      backend = openTeacher(config);
    } catch (IllegalArgumentException e) {
      System.err.println("teacher-service: " + e.getMessage());
      System.exit(2);
      return;
    }
    TeacherServer server = start(config,
        Servers.forAddress(config.bind(), config.port(), config.tls(), config.maxConnectionAgeSeconds()), backend);
    Teacher teacher = backend.teacher();
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "teacher-service-shutdown"));
    // Scripts and tests read this line to learn the port.
    System.out.println("teacher-service listening on " + config.bind() + ":" + server.port()
        + " (backend " + teacher.backend() + ", models "
        + String.join(", ", teacher.models().stream().map(TeacherModel::name).toList()) + ")");
    System.out.flush();
    server.server.awaitTermination();
  }
}
