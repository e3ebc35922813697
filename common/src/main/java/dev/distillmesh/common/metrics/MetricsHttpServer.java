package dev.distillmesh.common.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Serves a {@link MetricsRegistry} at {@code GET /metrics} (HEAD too) with the JDK's built-in HTTP
 * server, so no HTTP library is needed. Anything else gets 404, other methods 405. Scrapes are
 * rare, so one daemon thread answers them.
 */
public final class MetricsHttpServer implements AutoCloseable {
  public static final String PATH = "/metrics";
  private static final Logger log = LoggerFactory.getLogger(MetricsHttpServer.class);

  private final HttpServer server;
  private final ExecutorService executor;

  private MetricsHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Binds {@code bind:port} (0: any free port) and starts serving.
   *
   * @throws IOException when the address cannot be bound (e.g. the port is taken)
   */
  public static MetricsHttpServer start(String bind, int port, MetricsRegistry registry) throws IOException {
    HttpServer server;
    try {
      server = HttpServer.create(new InetSocketAddress(bind, port), 16);
    } catch (IOException e) {
      throw new IOException("cannot serve metrics on " + bind + ":" + port + ": " + e.getMessage(), e);
    }
    ExecutorService executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "metrics-http");
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.createContext("/", exchange -> handle(exchange, registry));
    server.start();
    return new MetricsHttpServer(server, executor);
  }

  /**
   * {@link #start}, or null when {@code port} is -1 (the service serves no metrics); logs the
   * address, which tells the port when it was 0.
   */
  public static MetricsHttpServer startIfEnabled(String service, String bind, int port, MetricsRegistry registry)
      throws IOException {
    if (port == -1) {
      return null;
    }
    MetricsHttpServer server = start(bind, port, registry);
    log.info("{} metrics at http://{}:{}{}", service, bind, server.port(), PATH);
    return server;
  }

  private static void handle(HttpExchange exchange, MetricsRegistry registry) throws IOException {
    try (exchange) {
      if (!exchange.getRequestURI().getPath().equals(PATH)) {
        exchange.sendResponseHeaders(404, -1);
        return;
      }
      String method = exchange.getRequestMethod();
      boolean head = method.equals("HEAD");
      if (!head && !method.equals("GET")) {
        exchange.getResponseHeaders().set("Allow", "GET, HEAD");
        exchange.sendResponseHeaders(405, -1);
        return;
      }
      byte[] body = registry.render().getBytes(StandardCharsets.UTF_8);
      exchange.getResponseHeaders().set("Content-Type", TextFormat.CONTENT_TYPE);
      exchange.sendResponseHeaders(200, head ? -1 : body.length);
      if (!head) {
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(body);
        }
      }
    }
  }

  /** The port it listens on (the chosen one when started with 0). */
  public int port() {
    return server.getAddress().getPort();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
