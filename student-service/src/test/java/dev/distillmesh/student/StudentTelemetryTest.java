package dev.distillmesh.student;

import static dev.distillmesh.student.Mesh.doc;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.telemetry.RequestIds;
import dev.distillmesh.proto.student.v1.AnswerRequest;
import dev.distillmesh.proto.student.v1.LoadAdapterRequest;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.proto.student.v1.StudentServiceGrpc;
import io.grpc.Metadata;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The student's metrics endpoint and request ids, with a real model and a real index behind it. */
class StudentTelemetryTest {
  @TempDir
  static Path dir;
  private static Mesh mesh;

  @BeforeAll
  static void start() throws Exception {
    mesh = new Mesh(dir, Map.of(), "--metrics-port", "0");
    mesh.ingest("faq", "Flat", List.of(
        doc("a", "Every acknowledged write is fsynced to the write-ahead log."),
        doc("b", "Raising efSearch makes searches more accurate but slower.")));
  }

  @AfterAll
  static void stop() throws Exception {
    mesh.close();
  }

  @Test
  void answersMoveTheEncoderAndRpcMetrics() throws Exception {
    String before = scrape();
    ask("faq", "trace-metrics");
    ask("faq", "trace-metrics");
    String after = scrape();
    String batches = "distillmesh_batcher_batch_size_count{batcher=\"encoder\"} ";
    assertTrue(value(after, batches) >= value(before, batches) + 1, after);
    assertContains(after, "distillmesh_batcher_queue_depth{batcher=\"encoder\"} 0\n");
    assertContains(after, "distillmesh_student_queries_in_flight 0\n");
    assertContains(after, "distillmesh_student_queries_refused_total 0\n");
    assertContains(after, "distillmesh_batcher_expired_total{batcher=\"encoder\"} 0\n");
    String search = "grpc_client_handled_total{grpc_service=\"distillmesh.index.v1.IndexService\",grpc_method=\"Search\","
        + "grpc_code=\"OK\"} ";
    assertEquals(value(before, search) + 2, value(after, search), after);
    String answer = "grpc_server_handled_total{grpc_service=\"distillmesh.student.v1.StudentService\","
        + "grpc_method=\"Answer\",grpc_code=\"OK\"} ";
    assertEquals(value(before, answer) + 2, value(after, answer), after);
  }

  @Test
  void theAdapterVersionIsReportedPerCollection() throws Exception {
    assertTrue(!scrape().contains("distillmesh_student_adapter_version{"), "no collection has an adapter yet");
    LoadAdapterRequest.Builder load = LoadAdapterRequest.newBuilder().setTower(Tower.TOWER_CONTEXT)
        .setCollection("faq").setVersion(4).setRows(384).setCols(384);
    for (int i = 0; i < 384 * 384; i++) {
      load.addValues(i % 385 == 0 ? 1 : 0);
    }
    mesh.admin().loadAdapter(load.build());
    String after = scrape();
    assertContains(after, "distillmesh_student_adapter_version{collection=\"faq\"} 4\n");
    assertEquals(1, Pattern.compile("^distillmesh_student_adapter_version\\{", Pattern.MULTILINE).matcher(after)
        .results().count(), after);
  }

  @Test
  void theIndexSeesTheIdTheStudentWasCalledWith() {
    // The search is sent from the encoder's worker thread, outside the Answer call's context.
    String log = captureStderr(() -> assertThrows(StatusRuntimeException.class, () -> ask("no-such", "trace-77")));
    assertTrue(Pattern.compile("rpc=distillmesh\\.index\\.v1\\.IndexService/Search status=NOT_FOUND ms=\\S+"
        + " request_id=trace-77 ").matcher(log).find(), log);
    assertTrue(Pattern.compile("rpc=distillmesh\\.student\\.v1\\.StudentService/Answer status=NOT_FOUND ms=\\S+"
        + " request_id=trace-77 ").matcher(log).find(), log);
  }

  private static void ask(String collection, String requestId) {
    Metadata headers = new Metadata();
    headers.put(RequestIds.HEADER, requestId);
    StudentServiceGrpc.StudentServiceBlockingStub stub =
        mesh.query().withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
    stub.answer(AnswerRequest.newBuilder().setCollection(collection).setQuestion("is my write durable?").setK(1).build());
  }

  private static String scrape() throws Exception {
    int port = mesh.student().metricsPort();
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
        .build(), HttpResponse.BodyHandlers.ofString()).body();
  }

  /** The value of the series that starts with {@code prefix}, 0 when it is not there yet. */
  private static long value(String metrics, String prefix) {
    Matcher m = Pattern.compile("^" + Pattern.quote(prefix) + "(\\d+)$", Pattern.MULTILINE).matcher(metrics);
    return m.find() ? Long.parseLong(m.group(1)) : 0;
  }

  private static void assertContains(String text, String expected) {
    assertTrue(text.contains(expected), () -> "expected\n" + expected + "\nin\n" + text);
  }

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
