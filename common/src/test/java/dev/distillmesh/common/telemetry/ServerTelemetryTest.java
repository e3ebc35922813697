package dev.distillmesh.common.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.ManagedServer;
import dev.distillmesh.common.metrics.MetricsHttpServer;
import dev.distillmesh.common.metrics.MetricsRegistry;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthGrpc;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A real ManagedServer and a real metrics endpoint, both on loopback sockets. */
class ServerTelemetryTest {
  private static final String CHECK = "grpc_service=\"grpc.health.v1.Health\",grpc_method=\"Check\"";

  private final MetricsRegistry metrics = new MetricsRegistry();
  private ManagedServer server;
  private MetricsHttpServer http;
  private ManagedChannel channel;
  private final HttpClient client = HttpClient.newHttpClient();

  @BeforeEach
  void start() throws Exception {
    server = TestServices.start(null, metrics);
    http = MetricsHttpServer.start("127.0.0.1", 0, metrics);
    channel = TestServices.channel(server);
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    http.close();
    server.close();
  }

  @Test
  void callsAreCountedByStatusAndTimedPerMethod() throws Exception {
    HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.SECONDS);
    health.check(HealthCheckRequest.getDefaultInstance());
    health.check(HealthCheckRequest.getDefaultInstance());
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class,
        () -> health.check(HealthCheckRequest.newBuilder().setService("no.such.Service").build()));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());

    HttpResponse<String> scrape = get("/metrics");
    assertEquals(200, scrape.statusCode());
    assertEquals("text/plain; version=0.0.4; charset=utf-8", scrape.headers().firstValue("Content-Type").orElse(""));
    String body = scrape.body();
    assertContains(body, "# TYPE grpc_server_handled_total counter\n");
    assertContains(body, "grpc_server_handled_total{" + CHECK + ",grpc_code=\"OK\"} 2\n");
    assertContains(body, "grpc_server_handled_total{" + CHECK + ",grpc_code=\"NOT_FOUND\"} 1\n");
    assertContains(body, "# TYPE grpc_server_handling_seconds histogram\n");
    assertContains(body, "grpc_server_handling_seconds_bucket{" + CHECK + ",le=\"+Inf\"} 3\n");
    assertContains(body, "grpc_server_handling_seconds_count{" + CHECK + "} 3\n");
    // Three local health checks take far less than 10 s each.
    assertContains(body, "grpc_server_handling_seconds_bucket{" + CHECK + ",le=\"10\"} 3\n");
  }

  @Test
  void callsRefusedByAServiceInterceptorAreCountedToo() throws Exception {
    assertThrows(StatusRuntimeException.class, () -> io.grpc.stub.ClientCalls.blockingUnaryCall(channel,
        TestServices.ADMIN, io.grpc.CallOptions.DEFAULT.withDeadlineAfter(5, TimeUnit.SECONDS), "x"));
    assertContains(get("/metrics").body(), "grpc_server_handled_total{grpc_service=\"distillmesh.test.Telemetry\","
        + "grpc_method=\"Admin\",grpc_code=\"UNAUTHENTICATED\"} 1\n");
  }

  @Test
  void onlyGetAndHeadOfMetricsAreServed() throws Exception {
    assertEquals(404, get("/").statusCode());
    assertEquals(404, get("/metrics/x").statusCode());
    HttpResponse<String> post = client.send(HttpRequest.newBuilder(uri("/metrics"))
        .POST(HttpRequest.BodyPublishers.ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(405, post.statusCode());
    HttpResponse<String> head = client.send(HttpRequest.newBuilder(uri("/metrics"))
        .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
    assertEquals(200, head.statusCode());
    assertEquals("", head.body());
  }

  private HttpResponse<String> get(String path) throws Exception {
    return client.send(HttpRequest.newBuilder(uri(path)).GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + http.port() + path);
  }

  static void assertContains(String text, String expected) {
    assertTrue(text.contains(expected), () -> "expected\n" + expected + "\nin\n" + text);
  }
}
