package dev.distillmesh.student;

import dev.distillmesh.common.BearerToken;
import dev.distillmesh.common.ManagedServer;
import dev.distillmesh.common.metrics.MetricsHttpServer;
import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.common.resilience.Deadlines;
import dev.distillmesh.common.resilience.InFlightLimit;
import dev.distillmesh.common.resilience.ResilienceInterceptor;
import dev.distillmesh.common.resilience.ResilienceSettings;
import dev.distillmesh.common.tls.Channels;
import dev.distillmesh.common.tls.Servers;
import dev.distillmesh.common.telemetry.ClientTelemetry;
import dev.distillmesh.student.adapter.AdapterStore;
import dev.distillmesh.encoder.EncoderSpec;
import dev.distillmesh.encoder.OnnxEncoder;
import dev.distillmesh.student.grpc.StudentAdminGrpcService;
import dev.distillmesh.student.grpc.StudentGrpcService;
import dev.distillmesh.student.kafka.AdapterFeed;
import dev.distillmesh.student.kafka.TrafficPublisher;
import dev.distillmesh.student.client.IndexGateway;
import dev.distillmesh.student.query.CollectionModels;
import dev.distillmesh.student.query.Ingestor;
import dev.distillmesh.student.query.Retriever;
import dev.distillmesh.student.query.TowerEncoder;
import dev.distillmesh.student.query.TrafficRecorder;
import dev.distillmesh.student.query.TrafficSink;
import io.grpc.BindableService;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The student-service process: loads the encoder and the adapters, connects to the index service,
 * serves the query and admin rpcs. {@link #start} takes the server transport and the index
 * channel, so tests can run it in-process; {@link #main} binds a socket and dials the index.
 */
public final class StudentServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(StudentServer.class);
  private static final int INGEST_WINDOW_BYTES = 64 * 1024;
  /** Index calls allowed beyond the admitted queries' own: ingest streams and their lookups. */
  private static final int INDEX_CALLS_BEYOND_QUERIES = 16;

  private final ManagedServer server;
  private final OnnxEncoder encoder;
  private final TowerEncoder towers;
  private final IndexHealthWatcher indexHealth;
  private final ResilienceInterceptor indexResilience;
  private final MetricsHttpServer metricsHttp; // null when metrics are off
  private final AdapterFeed rollout; // null in the single-machine default
  private final TrafficPublisher traffic; // null in the single-machine default

  private StudentServer(ManagedServer server, OnnxEncoder encoder, TowerEncoder towers,
      IndexHealthWatcher indexHealth, ResilienceInterceptor indexResilience, MetricsHttpServer metricsHttp,
      AdapterFeed rollout, TrafficPublisher traffic) {
    this.server = server;
    this.rollout = rollout;
    this.traffic = traffic;
    this.encoder = encoder;
    this.towers = towers;
    this.indexHealth = indexHealth;
    this.indexResilience = indexResilience;
    this.metricsHttp = metricsHttp;
  }

  /**
   * Loads the model and adapters and starts serving on {@code builder}.
   *
   * @param indexChannel to the index service; the caller owns (and closes) it
   */
  public static StudentServer start(StudentServerConfig config, ServerBuilder<?> builder, Channel indexChannel)
      throws Exception {
    EncoderSpec spec = config.modelDir() == null ? EncoderSpec.bundled() : EncoderSpec.fromDirectory(config.modelDir());
    if (config.maxTokens() > 0) {
      spec = spec.withMaxTokens(config.maxTokens());
    }
    OnnxEncoder encoder = OnnxEncoder.open(spec, config.onnxThreads());
    log.info("encoder {} from {}: dimension {}, {} pooling, max {} tokens, {} ONNX Runtime threads",
        spec.name(), spec.source(), encoder.dimension(), spec.pooling().label(), spec.maxTokens(), config.onnxThreads());
    TowerEncoder towers = null;
    IndexHealthWatcher watcher = null;
    MetricsHttpServer metricsHttp = null;
    AdapterFeed rollout = null;
    TrafficPublisher published = null;
    try {
      AdapterStore adapters = AdapterStore.open(config.adapterDir(), encoder.dimension());
      towers = new TowerEncoder(encoder, config.maxBatch(), config.maxWaitMicros(), config.queueCapacity());
      // The bulkhead has room for every admitted query, so one that was encoded is never refused by
      // it after the work: overload is refused at admission, before any work.
      ResilienceInterceptor resilience = new ResilienceInterceptor(ResilienceSettings.defaults("index-service")
          .withMaxConcurrentCalls(config.maxInFlightQueries() + INDEX_CALLS_BEYOND_QUERIES));
      MetricsRegistry metrics = new MetricsRegistry();
      // The default deadline runs first (interceptors apply last-to-first), so retries see it; every
      // call the student makes already carries its request's deadline, this only backs that up.
      // Telemetry runs before both: one call is timed with its retries, and each retry carries its id.
      Channel index = ClientInterceptors.intercept(indexChannel, resilience, Deadlines.withDefault(config.maxRequestTime()),
          new ClientTelemetry(metrics));
      IndexGateway gateway = new IndexGateway(index, config.indexTarget(),
          config.adminToken() == null ? null : new BearerToken(config.adminToken()));
      List<ServerInterceptor> interceptors = config.access().interceptors(StudentAdminGrpcService.ADMIN_METHODS);
      if (config.access().adminOpen()) {
        log.warn("no admin credential ({} unset, no --admin-clients): LoadAdapter, GetModelInfo, Ingest and TakeTraffic"
            + " are open to anyone who can reach {}", StudentServerConfig.ENV_ADMIN_TOKEN, config.bind());
      }
      builder.maxInboundMessageSize(config.maxMessageBytes());
      // The default keeps answered queries for TakeTraffic; scale-out mode sends them to the log.
      TrafficRecorder recorder = null;
      TrafficSink traffic;
      if (config.meshLog() == null) {
        traffic = recorder = new TrafficRecorder(config.trafficBuffer(), config.trafficSampleRate());
      } else {
        traffic = published = new TrafficPublisher(config.meshLog(), Math.max(1, config.trafficBuffer()),
            config.trafficBuffer() == 0 ? 0 : config.trafficSampleRate());
      }
      InFlightLimit admission = new InFlightLimit("query calls", config.maxInFlightQueries());
      List<BindableService> services = List.of(
          new StudentGrpcService(new Retriever(towers, adapters, gateway), config.maxRequestTime(), traffic, admission),
          new StudentAdminGrpcService(adapters, new CollectionModels(adapters, gateway), towers, spec,
              config.onnxThreads(), new Ingestor(towers, gateway), config.maxRequestTime(), config.maxIngestTime(),
              recorder));
      StudentMetrics.register(metrics, towers, adapters, admission);
      ManagedServer server = new ManagedServer(builder, services, interceptors,
          config.inlineQueries() ? StudentGrpcService.INLINE_METHODS : Set.of(), 30, metrics).start();
      // Health follows the index (without it the student cannot answer anything) and, in scale-out
      // mode, the rollout: a replica behind its peers' adapters must not be routed to.
      Readiness readiness = new Readiness(server::setServing, config.meshLog() == null);
      if (config.meshLog() != null) {
        String replicaId = config.replicaId().isEmpty() ? hostName() + ":" + server.port() : config.replicaId();
        rollout = new AdapterFeed(config.meshLog(), replicaId, adapters, readiness::rollout).start();
        RolloutMetrics.register(metrics, rollout);
        published.start(replicaId);
        TrafficMetrics.register(metrics, published);
        log.info("scale-out mode: replica {} follows the rollout on {}", replicaId, config.meshLog());
      }
      metricsHttp = MetricsHttpServer.startIfEnabled("student-service", config.bind(), config.metricsPort(), metrics);
      watcher = new IndexHealthWatcher(indexChannel, readiness::index).start(2000);
      return new StudentServer(server, encoder, towers, watcher, resilience, metricsHttp, rollout, published);
    } catch (Exception | Error e) {
      if (rollout != null) {
        rollout.close();
      }
      if (published != null) {
        published.close();
      }
      if (watcher != null) {
        watcher.close();
      }
      if (metricsHttp != null) {
        metricsHttp.close();
      }
      if (towers != null) {
        towers.close();
      }
      encoder.close();
      throw e;
    }
  }

  public int port() {
    return server.port();
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (UnknownHostException e) {
      return "localhost";
    }
  }

  public TowerEncoder towers() {
    return towers;
  }

  public ResilienceInterceptor indexResilience() {
    return indexResilience;
  }

  /** Port of the metrics endpoint, -1 when metrics are off. */
  public int metricsPort() {
    return metricsHttp == null ? -1 : metricsHttp.port();
  }

  /** Stops accepting calls, drains in-flight ones, then stops the encoder. */
  @Override
  public void close() {
    if (rollout != null) {
      rollout.close();
    }
    indexHealth.close();
    server.close();
    if (traffic != null) {
      traffic.close(); // after the server stopped: its last answers are sent
    }
    towers.close();
    try {
      encoder.close();
    } catch (Exception e) {
      log.warn("closing the encoder: {}", e.toString());
    }
    if (metricsHttp != null) {
      metricsHttp.close();
    }
  }

  public static void main(String[] args) throws Exception {
    StudentServerConfig config;
    try {
      config = StudentServerConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    log.info("starting student-service with {}", config);
    // Index replies are handled on the transport thread: the callbacks only map hits and hand the
    // reply to the student's own call, which saves a thread hand-off per query.
    ManagedChannel indexChannel = Channels.forTarget(config.indexTarget(), config.indexTls()).directExecutor().build();
    StudentServer server;
    try {
      // A 64 KiB receive window (instead of 1 MiB, auto-tuned) keeps an Ingest client at most a
      // batch or two ahead of the encoder, so its progress bar shows what is encoded, not what is
      // buffered. Query requests are far smaller than that.
      server = start(config, Servers.forAddress(config.bind(), config.port(), config.tls(),
          config.maxConnectionAgeSeconds()).flowControlWindow(INGEST_WINDOW_BYTES), indexChannel);
    } catch (Exception e) {
      indexChannel.shutdownNow();
      throw e;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      server.close();
      indexChannel.shutdown();
      try {
        indexChannel.awaitTermination(5, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        indexChannel.shutdownNow();
      }
    }, "student-service-shutdown"));
    // Scripts and tests read this line to learn the port.
    System.out.println("student-service listening on " + config.bind() + ":" + server.port()
        + " (index " + config.indexTarget() + ", model " + server.encoder.spec().name() + ")");
    System.out.flush();
    server.server.awaitTermination();
  }
}
