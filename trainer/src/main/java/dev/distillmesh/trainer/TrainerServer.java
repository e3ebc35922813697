package dev.distillmesh.trainer;

import dev.distillmesh.common.BearerToken;
import dev.distillmesh.common.ManagedServer;
import dev.distillmesh.common.kafka.MeshLog;
import dev.distillmesh.common.kafka.MeshTopics;
import dev.distillmesh.common.metrics.Counter;
import dev.distillmesh.common.metrics.MetricsHttpServer;
import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.common.resilience.Deadlines;
import dev.distillmesh.common.resilience.ResilienceInterceptor;
import dev.distillmesh.common.resilience.ResilienceSettings;
import dev.distillmesh.common.tls.Channels;
import dev.distillmesh.common.tls.Servers;
import dev.distillmesh.common.telemetry.ClientTelemetry;
import dev.distillmesh.trainer.clients.IndexLink;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.StudentPush;
import dev.distillmesh.trainer.kafka.KafkaRollout;
import dev.distillmesh.trainer.kafka.KafkaTrafficFeed;
import dev.distillmesh.trainer.run.ContextRollout;
import dev.distillmesh.trainer.clients.TeacherLink;
import dev.distillmesh.trainer.grpc.ProtoRunStatusCodec;
import dev.distillmesh.trainer.grpc.TrainerGrpcService;
import dev.distillmesh.trainer.data.DataRoots;
import dev.distillmesh.trainer.run.RunManager;
import dev.distillmesh.trainer.run.StudentTrafficFeed;
import dev.distillmesh.trainer.run.TrafficFeed;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The trainer process: opens its runs directory (resuming interrupted runs), connects to the
 * student, the teacher and the index, and serves {@code TrainerService}. Calls to the student and
 * the index (re-encoding a collection) go through the Resilience4j interceptor; the teacher stream
 * is long-lived and re-opened by the runs when it fails (they wait for a teacher that is down).
 */
public final class TrainerServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(TrainerServer.class);
  static final String TRAFFIC_SKIPPED = "distillmesh_trainer_traffic_skipped_total";

  private final ManagedServer server;
  private final RunManager runs;
  private final List<ManagedChannel> channels;
  private final MetricsHttpServer metricsHttp; // null when metrics are off
  private final KafkaRollout kafkaRollout; // null in the single-machine default

  private TrainerServer(KafkaRollout kafkaRollout, ManagedServer server, RunManager runs, List<ManagedChannel> channels,
      MetricsHttpServer metricsHttp) {
    this.kafkaRollout = kafkaRollout;
    this.server = server;
    this.runs = runs;
    this.channels = channels;
    this.metricsHttp = metricsHttp;
  }

  public static TrainerServer start(TrainerServerConfig config, ServerBuilder<?> builder) throws Exception {
    List<ManagedChannel> channels = new ArrayList<>();
    MetricsHttpServer metricsHttp = null;
    KafkaRollout kafkaRollout = null;
    try {
      ManagedChannel studentChannel = channel(config.studentTarget(), config, channels);
      ManagedChannel teacherChannel = channel(config.teacherTarget(), config, channels);
      ManagedChannel indexChannel = channel(config.indexTarget(), config, channels);
      MetricsRegistry metrics = new MetricsRegistry();
      // Outermost on each channel (interceptors run last-to-first): a call is timed once with its
      // retries, and it carries the request id (a run's calls carry the run's id).
      ClientTelemetry telemetry = new ClientTelemetry(metrics);
      Channel guardedStudent = ClientInterceptors.intercept(studentChannel,
          new ResilienceInterceptor(ResilienceSettings.defaults("student-service")),
          Deadlines.withDefault(Duration.ofMinutes(5)), telemetry);
      BearerToken token = config.adminToken() == null ? null : new BearerToken(config.adminToken());
      StudentLink student = new StudentLink(guardedStudent, config.studentTarget(), token);
      ContextRollout rollout;
      TrafficFeed.Factory traffic;
      if (config.meshLog() == null) {
        rollout = new StudentPush(student);
        traffic = (runId, collection) -> new StudentTrafficFeed(student, collection);
      } else {
        kafkaRollout = new KafkaRollout(config.meshLog(), config.rolloutTimeout());
        rollout = kafkaRollout;
        MeshLog meshLog = config.meshLog();
        Counter skipped = metrics.counter(TRAFFIC_SKIPPED, "Traffic records TRAFFIC runs skipped, by reason: foreign,"
            + " truncated (unreadable), blank.", "reason");
        traffic = (runId, collection) -> new KafkaTrafficFeed(meshLog, runId, collection, skipped);
        log.info("scale-out mode: publishes go to every student replica, and TRAFFIC runs read {}, through {}",
            MeshTopics.TRAFFIC, meshLog);
      }
      RunManager runs = RunManager.open(config.runsDir(), new ProtoRunStatusCodec(), student, rollout, traffic,
          new TeacherLink(ClientInterceptors.intercept(teacherChannel, telemetry), config.teacherTarget()),
          new IndexLink(ClientInterceptors.intercept(indexChannel,
              new ResilienceInterceptor(ResilienceSettings.defaults("index-service")),
              Deadlines.withDefault(Duration.ofMinutes(5)), telemetry), config.indexTarget(), token));
      List<ServerInterceptor> interceptors = config.access().interceptors(TrainerGrpcService.ADMIN_METHODS);
      if (config.access().adminOpen()) {
        log.warn("no admin credential ({} unset, no --admin-clients): StartRun, StopRun and Rollback are open to anyone"
            + " who can reach {}", TrainerServerConfig.ENV_ADMIN_TOKEN, config.bind());
      }
      TrainerMetrics.register(metrics, runs);
      metricsHttp = MetricsHttpServer.startIfEnabled("trainer", config.bind(), config.metricsPort(), metrics);
      DataRoots dataRoots = new DataRoots(config.dataDirs());
      ManagedServer server = new ManagedServer(builder, List.of(new TrainerGrpcService(runs, dataRoots)), interceptors,
          Set.of(), 30, metrics).start();
      // The trainer's calls need only its runs directory, so it serves once started; an unreachable
      // student or teacher shows in the runs' state instead. Health probes read this status.
      server.setServing(true);
      return new TrainerServer(kafkaRollout, server, runs, List.copyOf(channels), metricsHttp);
    } catch (Exception | Error e) {
      if (metricsHttp != null) {
        metricsHttp.close();
      }
      if (kafkaRollout != null) {
        kafkaRollout.close();
      }
      channels.forEach(ManagedChannel::shutdownNow);
      throw e;
    }
  }

  /**
   * A channel to {@code target} with the trainer's client TLS, added to {@code opened} so a failed
   * start closes it. Keepalive pings, while calls are open, find a peer that went silent without
   * closing the connection (a partition, a frozen host): the long-lived teacher stream would
   * otherwise wait on it indefinitely. Five minutes is what a grpc server permits by default.
   */
  private static ManagedChannel channel(String target, TrainerServerConfig config, List<ManagedChannel> opened) {
    ManagedChannel channel = Channels.forTarget(target, config.clientTls()).maxInboundMessageSize(64 << 20)
        .keepAliveTime(5, java.util.concurrent.TimeUnit.MINUTES)
        .keepAliveTimeout(20, java.util.concurrent.TimeUnit.SECONDS).build();
    opened.add(channel);
    return channel;
  }

  public int port() {
    return server.port();
  }

  /** Port of the metrics endpoint, -1 when metrics are off. */
  public int metricsPort() {
    return metricsHttp == null ? -1 : metricsHttp.port();
  }

  public RunManager runs() {
    return runs;
  }

  /** Stops serving, suspends the training run at a checkpoint (it resumes next start), closes channels. */
  @Override
  public void close() {
    server.close();
    runs.close();
    if (kafkaRollout != null) {
      kafkaRollout.close();
    }
    channels.forEach(ManagedChannel::shutdownNow);
    if (metricsHttp != null) {
      metricsHttp.close();
    }
  }

  public static void main(String[] args) throws Exception {
    TrainerServerConfig config;
    try {
      config = TrainerServerConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    log.info("starting trainer with {}", config);
    TrainerServer server = start(config,
        Servers.forAddress(config.bind(), config.port(), config.tls(), config.maxConnectionAgeSeconds()));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "trainer-shutdown"));
    System.out.println("trainer listening on " + config.bind() + ":" + server.port() + " (student "
        + config.studentTarget() + ", teacher " + config.teacherTarget() + ", runs in " + config.runsDir() + ")");
    System.out.flush();
    server.server.awaitTermination();
  }
}
