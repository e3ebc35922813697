package dev.distillmesh.index;

import dev.distillmesh.common.AdminAuthInterceptor;
import dev.distillmesh.common.ManagedServer;
import dev.distillmesh.index.faiss.FaissNative;
import dev.distillmesh.index.grpc.IndexGrpcService;
import dev.distillmesh.index.store.CollectionStore;
import dev.distillmesh.index.store.StoreOptions;
import io.grpc.BindableService;
import io.grpc.ServerBuilder;
import io.grpc.ServerInterceptor;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The index-service process: wires the store to a gRPC server. {@link #start} takes the transport
 * so tests can run it in-process; {@link #main} binds a socket.
 */
public final class IndexServer implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(IndexServer.class);

  private final CollectionStore store;
  private final ManagedServer server;

  private IndexServer(CollectionStore store, ManagedServer server) {
    this.store = store;
    this.server = server;
  }

  /** Recovers the store from {@code config.dataDir()} and starts serving on {@code builder}. */
  public static IndexServer start(IndexServerConfig config, ServerBuilder<?> builder) throws IOException {
    FaissNative.load();
    StoreOptions options = StoreOptions.defaults().withThreads(config.searchThreads(), config.buildThreads());
    CollectionStore store = new CollectionStore(config.dataDir(), options);
    List<ServerInterceptor> interceptors = List.of();
    if (config.adminToken() != null) {
      interceptors = List.of(new AdminAuthInterceptor(config.adminToken(), IndexGrpcService.ADMIN_METHODS));
    } else {
      log.warn("no admin token ({} unset): admin RPCs (create/drop/upsert/delete/rebuild) are open"
          + " to anyone who can reach {}", IndexServerConfig.ENV_ADMIN_TOKEN, config.bind());
    }
    builder.maxInboundMessageSize(config.maxMessageBytes());
    List<BindableService> services = List.of(new IndexGrpcService(store));
    ManagedServer server;
    try {
      server = new ManagedServer(builder, services, interceptors, IndexGrpcService.INLINE_METHODS, 30).start();
    } catch (IOException | RuntimeException e) {
      store.close();
      throw e;
    }
    server.setServing(store.isReady());
    return new IndexServer(store, server);
  }

  public int port() {
    return server.port();
  }

  public CollectionStore store() {
    return store;
  }

  /** Stops accepting calls, drains in-flight ones, then checkpoints and closes the store. */
  @Override
  public void close() {
    server.close();
    store.close();
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
        NettyServerBuilder.forAddress(new InetSocketAddress(config.bind(), config.port())));
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "index-service-shutdown"));
    // Scripts and tests read this line to learn the port.
    System.out.println("index-service listening on " + config.bind() + ":" + server.port()
        + " (" + FaissNative.buildInfo() + ")");
    System.out.flush();
    server.server.awaitTermination();
  }
}
