package dev.distillmesh.common.telemetry;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.AdminAuthInterceptor;
import dev.distillmesh.common.ManagedServer;
import dev.distillmesh.common.metrics.MetricsRegistry;
import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCalls;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Request ids across two real servers: client → front (ManagedServer) → back (ManagedServer), the
 * front calling the back through a channel with {@link ClientTelemetry}.
 */
class RequestIdTest {
  private static final Pattern UUID = Pattern.compile("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");

  private final MetricsRegistry frontMetrics = new MetricsRegistry();
  private ManagedServer back;
  private ManagedChannel toBack;
  private ManagedServer front;
  private ManagedChannel toFront;

  @BeforeEach
  void start() throws Exception {
    back = TestServices.start(null, new MetricsRegistry());
    toBack = TestServices.channel(back);
    front = TestServices.start(ClientInterceptors.intercept(toBack, new ClientTelemetry(frontMetrics)), frontMetrics);
    toFront = TestServices.channel(front);
  }

  @AfterEach
  void stop() throws Exception {
    toFront.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    front.close();
    toBack.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    back.close();
  }

  @Test
  void theCallersIdReachesTheServerAndTheServiceItCalls() throws Exception {
    AtomicReference<String> answer = new AtomicReference<>();
    AtomicReference<Metadata> headers = new AtomicReference<>();
    Channel client = ClientInterceptors.intercept(toFront, MetadataUtils.newCaptureMetadataInterceptor(headers,
        new AtomicReference<>()), new ClientTelemetry(null));
    RequestIds.attach("req-42", () -> answer.set(call(client, TestServices.RELAY))).run();
    assertEquals("req-42|req-42", answer.get());
    assertEquals("req-42", headers.get().get(RequestIds.HEADER));
    assertTrue(frontMetrics.render().contains("grpc_client_handled_total{grpc_service=\"distillmesh.test.Telemetry\","
        + "grpc_method=\"WhoAmI\",grpc_code=\"OK\"} 1\n"), frontMetrics::render);
  }

  @Test
  void aCallWithoutAnIdGetsANewOneThatTheServiceItCallsSeesToo() {
    AtomicReference<Metadata> headers = new AtomicReference<>();
    Channel client = ClientInterceptors.intercept(toFront, MetadataUtils.newCaptureMetadataInterceptor(headers,
        new AtomicReference<>()));
    String[] ids = call(client, TestServices.RELAY).split("\\|");
    assertTrue(UUID.matcher(ids[0]).matches(), ids[0]);
    assertEquals(ids[0], ids[1]);
    assertEquals(ids[0], headers.get().get(RequestIds.HEADER));
    assertNotEquals(ids[0], call(client, TestServices.RELAY).split("\\|")[0]);
  }

  @Test
  void anUnusableIdIsReplaced() {
    Metadata sent = new Metadata();
    sent.put(RequestIds.HEADER, "two words\"");
    String seen = call(ClientInterceptors.intercept(toFront, MetadataUtils.newAttachHeadersInterceptor(sent)),
        TestServices.WHO_AM_I);
    assertTrue(UUID.matcher(seen).matches(), seen);
  }

  @Test
  void aFailedCallLeavesOneAccessLineWithItsIdAndNoToken() throws Exception {
    Metadata sent = new Metadata();
    sent.put(RequestIds.HEADER, "req-7");
    sent.put(AdminAuthInterceptor.AUTHORIZATION, "Bearer not-" + TestServices.TOKEN);
    Channel client = ClientInterceptors.intercept(toFront, MetadataUtils.newAttachHeadersInterceptor(sent));
    String log = captureStderr(() -> assertThrows(StatusRuntimeException.class,
        () -> call(client, TestServices.ADMIN)));
    String line = log.lines().filter(l -> l.contains("rpc=")).findFirst().orElse("");
    assertTrue(Pattern.compile("rpc=distillmesh\\.test\\.Telemetry/Admin status=UNAUTHENTICATED ms=\\d+\\.\\d{3}"
        + " request_id=req-7 error=\"invalid admin credential for distillmesh.test.Telemetry/Admin\"")
        .matcher(line).find(), log);
    assertEquals(1, log.lines().filter(l -> l.contains("rpc=")).count(), log);
    assertFalse(log.contains(TestServices.TOKEN), log);
  }

  @Test
  void successfulCallsAreNotLoggedAtInfo() throws Exception {
    String log = captureStderr(() -> call(toFront, TestServices.WHO_AM_I));
    assertFalse(log.contains("rpc="), log);
  }

  private static String call(Channel channel, MethodDescriptor<String, String> method) {
    return ClientCalls.blockingUnaryCall(channel, method, CallOptions.DEFAULT.withDeadlineAfter(10, TimeUnit.SECONDS),
        "hello");
  }

  /** What slf4j-simple (which writes to the current System.err) printed while {@code action} ran. */
  private static String captureStderr(Runnable action) {
    PrintStream original = System.err;
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    System.setErr(new PrintStream(bytes, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return bytes.toString(StandardCharsets.UTF_8);
  }
}
