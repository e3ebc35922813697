package dev.distillmesh.index;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.ClientStream;
import dev.distillmesh.proto.index.v1.CollectionInfo;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.DeleteRequest;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.Payload;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.ManagedChannel;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The index service's /metrics over real sockets: per-collection sizes and per-RPC counts. */
class IndexMetricsTest {
  @TempDir
  Path dataDir;

  @Test
  void collectionGaugesAndRpcCountsAreScraped() throws Exception {
    IndexServerConfig config = IndexServerConfig.parse(
        new String[] {"--data-dir", dataDir.toString(), "--metrics-port", "0"}, Map.of());
    try (IndexServer server = IndexServer.start(config,
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))) {
      ManagedChannel channel = NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
      try {
        IndexServiceGrpc.IndexServiceBlockingStub index =
            IndexServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
        index.createCollection(CreateCollectionRequest.newBuilder().setName("faq").setDimension(2).setIndexSpec("Flat")
            .build());
        upsert(channel, record("a", 1, 0), record("b", 0, 1), record("c", 1, 1));
        index.delete(DeleteRequest.newBuilder().setCollection("faq").addIds("c").build());
        try {
          index.getCollection(GetCollectionRequest.newBuilder().setName("missing").build());
        } catch (StatusRuntimeException expected) {
          // counted as NOT_FOUND below
        }
        CollectionInfo info = index.getCollection(GetCollectionRequest.newBuilder().setName("faq").build());

        String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + server.metricsPort() + "/metrics")).build(),
            HttpResponse.BodyHandlers.ofString()).body();
        assertContains(body, "distillmesh_index_live_records{collection=\"faq\"} 2\n");
        assertContains(body, "distillmesh_index_tombstones{collection=\"faq\"} " + info.getTombstoneCount() + "\n");
        assertContains(body, "distillmesh_index_generation{collection=\"faq\"} " + info.getGeneration() + "\n");
        assertContains(body, "distillmesh_index_rebuilding{collection=\"faq\"} 0\n");
        String service = "grpc_service=\"distillmesh.index.v1.IndexService\"";
        assertContains(body, "grpc_server_handled_total{" + service + ",grpc_method=\"Upsert\",grpc_code=\"OK\"} 1\n");
        assertContains(body, "grpc_server_handled_total{" + service
            + ",grpc_method=\"GetCollection\",grpc_code=\"NOT_FOUND\"} 1\n");
        assertContains(body, "grpc_server_handling_seconds_count{" + service + ",grpc_method=\"GetCollection\"} 2\n");
      } finally {
        channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  @Test
  void metricsAreOffUnlessAPortIsGiven() throws Exception {
    IndexServerConfig config = IndexServerConfig.parse(new String[] {"--data-dir", dataDir.toString()}, Map.of());
    assertEquals(-1, config.metricsPort());
    try (IndexServer server = IndexServer.start(config,
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0)))) {
      assertEquals(-1, server.metricsPort());
    }
  }

  private static Record record(String id, float... vector) {
    Record.Builder r = Record.newBuilder().setId(id).setPayload(Payload.newBuilder().setText(id));
    for (float v : vector) {
      r.addVector(v);
    }
    return r.build();
  }

  private static void upsert(ManagedChannel channel, Record... records) throws InterruptedException {
    ClientStream<UpsertRequest, UpsertResponse> call =
        ClientStream.open(IndexServiceGrpc.newStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)::upsert);
    call.send(UpsertRequest.newBuilder().setCollection("faq").addAllRecords(List.of(records)).build());
    call.finish();
  }

  private static void assertContains(String text, String expected) {
    assertTrue(text.contains(expected), () -> "expected\n" + expected + "\nin\n" + text);
  }
}
