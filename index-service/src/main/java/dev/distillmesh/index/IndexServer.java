package dev.distillmesh.index;

import dev.distillmesh.common.ManagedServer;
import dev.distillmesh.common.tls.Servers;
import dev.distillmesh.common.metrics.MetricsHttpServer;
import dev.distillmesh.common.metrics.MetricsRegistry;
import dev.distillmesh.index.faiss.FaissNative;
import dev.distillmesh.index.grpc.IndexGrpcService;
import dev.distillmesh.index.store.CollectionStore;
import dev.distillmesh.index.store.DataDirLock;
import dev.distillmesh.index.store.StoreOptions;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import java.io.IOException;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index-service process: wires the store to a gRPC server. {@link #start} takes the transport
 * so tests can run it in-process; {@link #main} binds a socket.
 */
public final class IndexServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IndexServer.class);

  private final DataDirLock lock;
  private final CollectionStore store;
  private final ManagedServer server;
  private final ExecutorService batchSearches;
  private final MetricsHttpServer metricsHttp; // null when metrics are off

  private IndexServer(DataDirLock lock, CollectionStore store, ManagedServer server, ExecutorService batchSearches,
      MetricsHttpServer metricsHttp) {
    this.lock = lock;
    this.store = store;
    this.server = server;
    this.batchSearches = batchSearches;
    this.metricsHttp = metricsHttp;
  }

  /** Recovers the store from {@code config.dataDir()} and starts serving on {@code builder}. */
  public static IndexServer start(IndexServerConfig config, ServerBuilder<?> builder) throws IOException {
    FaissNative.load();
    StoreOptions options = StoreOptions.defaults().withThreads(config.searchThreads(), config.buildThreads());
    DataDirLock lock = DataDirLock.acquire(config.dataDir());
    CollectionStore store;
    try {
      store = new CollectionStore(config.dataDir(), options);
    } catch (IOException | RuntimeException e) {
      lock.close();
      throw e;
    }
    store.damaged().forEach((name, problem) -> log.error("collection {} is DAMAGED and not served"
        + " (FAILED_PRECONDITION; listed under ListCollections.damaged): {}", name, problem));
    List<ServerInterceptor> interceptors = config.access().interceptors(IndexGrpcService.ADMIN_METHODS);
    if (config.access().adminOpen()) {
      log.warn("no admin credential ({} unset, no --admin-clients): admin RPCs (create/drop/upsert/delete/rebuild/"
          + "list-records) are open to anyone who can reach {}", IndexServerConfig.ENV_ADMIN_TOKEN, config.bind());
    }
    builder.maxInboundMessageSize(config.maxMessageBytes());
    // With inline reads, single-query searches run on the transport thread; batches go here.
    ExecutorService batchSearches = config.inlineReads()
        ? Executors.newFixedThreadPool(Runtime.getRuntime().availableProcessors(), daemon("index-batch-search"))
        : null;
    List<BindableService> services = List.of(new IndexGrpcService(store, batchSearches));
    MetricsRegistry metrics = new MetricsRegistry();
    IndexMetrics.register(metrics, store);
    ManagedServer server;
    MetricsHttpServer metricsHttp = null;
    try {
      metricsHttp = MetricsHttpServer.startIfEnabled("index-service", config.bind(), config.metricsPort(), metrics);
      server = new ManagedServer(builder, services, interceptors,
          config.inlineReads() ? IndexGrpcService.INLINE_METHODS : Set.of(), 30, metrics).start();
    } catch (IOException | RuntimeException e) {
      if (metricsHttp != null) {
        metricsHttp.close();
      }
      if (batchSearches != null) {
        batchSearches.shutdownNow();
      }
      store.close();
      lock.close();
      throw e;
    }
    // SERVING even with damaged collections: the others serve; the damaged ones answer
    // FAILED_PRECONDITION, and ListCollections, the log and distillmesh_index_damaged say which.
    server.setServing(store.isReady());
    return new IndexServer(lock, store, server, batchSearches, metricsHttp);
  }

  private static ThreadFactory daemon(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }

  public int port() {
    return server.port();
  }

  /** Port of the metrics endpoint, -1 when metrics are off. */
  public int metricsPort() {
    return metricsHttp == null ? -1 : metricsHttp.port();
  }

  public CollectionStore store() {
    return store;
  }

  /**
   * Stops accepting calls, drains in-flight ones, then checkpoints and closes the store. Each step
   * runs even when one before it failed (a full disk fails the final checkpoints; the store still
   * closes every collection, and the data directory's lock is let go).
   */
  @Override
  public void close() {
    step("stopping the gRPC server", server::close); // drains in-flight calls, batches included
    if (batchSearches != null) {
      batchSearches.shutdown();
    }
    step("closing the store", store::close);
    if (metricsHttp != null) {
      step("stopping the metrics endpoint", metricsHttp::close);
    }
    step("releasing the data directory lock", () -> {
      try {
        lock.close();
      } catch (IOException e) {
        throw new java.io.UncheckedIOException(e);
      }
    });
  }

  private static void step(String what, Runnable action) {
    try {
      action.run();
    } catch (RuntimeException | Error e) {
      log.error("shutdown: {} failed; going on with the rest", what, e);
    }
  }

  public static void main(String[] args) throws Exception {
    IndexServerConfig config;
    try {
      config = IndexServerConfig.parse(args, System.getenv());
    } catch (IllegalArgumentException e) {
      System.err.println(e.getMessage());
      System.exit(2);
      return;
    }
    log.info("starting index-service with {}", config);
    IndexServer server = start(config,
        Servers.forAddress(config.bind(), config.port(), config.tls(), config.maxConnectionAgeSeconds()));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "index-service-shutdown"));
    // Scripts and tests read this line to learn the port.
    System.out.println("index-service listening on " + config.bind() + ":" + server.port()
        + " (" + FaissNative.buildInfo() + ")");
    System.out.flush();
    server.server.awaitTermination();
  }
}
