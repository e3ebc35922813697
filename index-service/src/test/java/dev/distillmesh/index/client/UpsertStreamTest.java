package dev.distillmesh.index.client;

import dev.distillmesh.common.ClientStream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.GetCollectionRequest;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UpsertStreamTest {
  @TempDir Path dir;
  private IndexServer server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = IndexServer.start(IndexServerConfig.parse(new String[] {"--data-dir", dir.toString()}, Map.of()),
        InProcessServerBuilder.forName(name));
    channel = InProcessChannelBuilder.forName(name).build();
    IndexServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS).createCollection(
        CreateCollectionRequest.newBuilder().setName("docs").setDimension(4).build());
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.close();
  }

  private static UpsertRequest batch(int first, int n, int dimension) {
    UpsertRequest.Builder b = UpsertRequest.newBuilder().setCollection("docs");
    for (int i = first; i < first + n; i++) {
      Record.Builder r = Record.newBuilder().setId("r" + i);
      for (int j = 0; j < dimension; j++) {
        r.addVector(i + j);
      }
      b.addRecords(r);
    }
    return b.build();
  }

  private ClientStream<UpsertRequest, UpsertResponse> open() {
    return ClientStream.open(IndexServiceGrpc.newStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS)::upsert);
  }

  @Test
  void manyBatchesArriveAndTheAnswerCountsThemAll() throws Exception {
    ClientStream<UpsertRequest, UpsertResponse> stream = open();
    for (int b = 0; b < 200; b++) {
      stream.send(batch(b * 50, 50, 4));
    }
    UpsertResponse response = stream.finish();
    assertEquals(10_000, response.getUpserted());
    assertEquals(10_000, IndexServiceGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS)
        .getCollection(GetCollectionRequest.newBuilder().setName("docs").build()).getLiveCount());
  }

  @Test
  void aRejectedBatchFailsTheNextSendOrTheFinishWithTheServersStatus() throws Exception {
    ClientStream<UpsertRequest, UpsertResponse> stream = open();
    stream.send(batch(0, 10, 4));
    stream.send(batch(10, 10, 3)); // wrong dimension
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> {
      for (int b = 2; b < 1000; b++) {
        stream.send(batch(b * 10, 10, 4));
      }
      stream.finish();
    });
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("dimension"), e.getStatus().getDescription());
  }
}
