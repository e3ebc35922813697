package dev.distillmesh.teacher;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.teacher.v1.ScoreItem;
import dev.distillmesh.proto.teacher.v1.ScoreKind;
import dev.distillmesh.proto.teacher.v1.ScoreRequest;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The teacher's /metrics over real sockets, with the embedded backend. */
class TeacherMetricsTest {

  @Test
  void scoringMovesTheBatcherCacheAndRpcMetrics() throws Exception {
    try (RunningTeacher teacher = RunningTeacher.embedded("--ensemble", "all-minilm-l6-v2", "--metrics-port", "0")) {
      String before = scrape(teacher);
      String batches = "distillmesh_batcher_batch_size_count{batcher=\"all-minilm-l6-v2\"} ";
      assertEquals(0, value(before, batches), before);
      assertTrue(before.contains("distillmesh_teacher_cache_entries 0\n"), before);

      ScoreRequest request = ScoreRequest.newBuilder().setKind(ScoreKind.RELEVANCE).addItems(ScoreItem.newBuilder()
          .setContext("how do I reset my password?").addCandidates("Open Settings, then Security.")
          .addCandidates("We close at 5.")).build();
      teacher.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).score(request);
      teacher.blocking().withDeadlineAfter(60, TimeUnit.SECONDS).score(request); // candidates now cached

      String after = scrape(teacher);
      assertTrue(value(after, batches) >= 2, after);
      assertTrue(after.contains("distillmesh_teacher_cache_entries 2\n"), after);
      assertTrue(after.contains("distillmesh_teacher_cache_hit_ratio 0.5\n"), after); // 2 misses, then 2 hits
      assertTrue(after.contains("distillmesh_batcher_queue_depth{batcher=\"all-minilm-l6-v2\"} 0\n"), after);
      assertTrue(after.contains("grpc_server_handled_total{grpc_service=\"distillmesh.teacher.v1.TeacherService\","
          + "grpc_method=\"Score\",grpc_code=\"OK\"} 2\n"), after);
    }
  }

  private static String scrape(RunningTeacher teacher) throws Exception {
    return HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + teacher.server.metricsPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
  }

  private static long value(String metrics, String prefix) {
    Matcher m = Pattern.compile("^" + Pattern.quote(prefix) + "(\\d+)$", Pattern.MULTILINE).matcher(metrics);
    return m.find() ? Long.parseLong(m.group(1)) : -1;
  }
}
