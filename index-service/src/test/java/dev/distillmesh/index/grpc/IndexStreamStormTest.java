package dev.distillmesh.index.grpc;

import static dev.distillmesh.index.grpc.IndexGrpcFixture.batch;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.record;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.index.IndexServer;
import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.PayloadEntry;
import dev.distillmesh.proto.index.v1.UpsertRequest;
import dev.distillmesh.proto.index.v1.UpsertResponse;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 10,000 Upsert streams open at once on one connection over a real socket, a quarter of them
 * well-formed and the rest malformed in three ways (a NaN component, the wrong dimension, a second
 * collection named in the same stream). Every stream ends with exactly the status its input calls
 * for, the server stays SERVING, and every write it acknowledged is there afterwards.
 */
class IndexStreamStormTest {
  private static final int STREAMS = 10_000;

  private enum Kind { VALID, NAN, WRONG_DIMENSION, TWO_COLLECTIONS }

  @Test
  void tenThousandConcurrentStreamsEachGetTheirStatusAndTheServerStaysUp(@TempDir Path dir) throws Exception {
    IndexServer server = IndexServer.start(IndexServerConfig.parse(new String[] {"--port", "0", "--data-dir",
        dir.toString()}, Map.of()), NettyServerBuilder.forPort(0));
    ManagedChannel channel = NettyChannelBuilder.forTarget("127.0.0.1:" + server.port()).usePlaintext().build();
    try {
      var blocking = IndexServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, SECONDS);
      blocking.createCollection(CreateCollectionRequest.newBuilder().setName("storm").setDimension(2)
          .setIndexSpec("Flat").build());
      blocking.createCollection(CreateCollectionRequest.newBuilder().setName("other").setDimension(2)
          .setIndexSpec("Flat").build());

      // Open every stream and send its first batch before any is completed: all 10,000 are open at once.
      List<StreamObserver<UpsertRequest>> streams = new ArrayList<>(STREAMS);
      List<IndexGrpcFixture.Response<UpsertResponse>> responses = new ArrayList<>(STREAMS);
      var async = IndexServiceGrpc.newStub(channel).withDeadlineAfter(300, SECONDS);
      for (int i = 0; i < STREAMS; i++) {
        IndexGrpcFixture.Response<UpsertResponse> response = new IndexGrpcFixture.Response<>();
        StreamObserver<UpsertRequest> requests = async.upsert(response);
        Kind kind = Kind.values()[i % 4];
        requests.onNext(switch (kind) {
          case VALID, TWO_COLLECTIONS -> batch("storm", List.of(record("r" + i, 1, i)));
          case NAN -> batch("storm", List.of(record("r" + i, 1, Float.NaN)));
          case WRONG_DIMENSION -> batch("storm", List.of(record("r" + i, 1, 2, 3)));
        });
        if (kind == Kind.TWO_COLLECTIONS) {
          requests.onNext(batch("other", List.of(record("o" + i, 1, 0))));
        }
        streams.add(requests);
        responses.add(response);
      }
      for (StreamObserver<UpsertRequest> s : streams) {
        s.onCompleted();
      }

      Map<Kind, Map<Status.Code, Integer>> seen = new EnumMap<>(Kind.class);
      List<String> acknowledged = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) {
        Kind kind = Kind.values()[i % 4];
        Status.Code code;
        try {
          responses.get(i).await();
          code = Status.Code.OK;
          acknowledged.add("r" + i);
        } catch (StatusRuntimeException e) {
          code = e.getStatus().getCode();
        }
        seen.computeIfAbsent(kind, k -> new EnumMap<>(Status.Code.class)).merge(code, 1, Integer::sum);
      }
      assertEquals(Map.of(Status.Code.OK, STREAMS / 4), seen.get(Kind.VALID), seen.toString());
      assertEquals(Map.of(Status.Code.INVALID_ARGUMENT, STREAMS / 4), seen.get(Kind.NAN), seen.toString());
      assertEquals(Map.of(Status.Code.INVALID_ARGUMENT, STREAMS / 4), seen.get(Kind.WRONG_DIMENSION), seen.toString());
      // The first batch of such a stream is applied; the second names another collection.
      assertEquals(Map.of(Status.Code.INVALID_ARGUMENT, STREAMS / 4), seen.get(Kind.TWO_COLLECTIONS), seen.toString());

      assertEquals(HealthCheckResponse.ServingStatus.SERVING, HealthGrpc.newBlockingStub(channel)
          .withDeadlineAfter(10, SECONDS).check(HealthCheckRequest.getDefaultInstance()).getStatus());
      int found = 0;
      for (int from = 0; from < acknowledged.size(); from += 1000) {
        for (PayloadEntry e : IndexServiceGrpc.newBlockingStub(channel).withDeadlineAfter(60, SECONDS)
            .getPayloads(GetPayloadsRequest.newBuilder().setCollection("storm")
                .addAllIds(acknowledged.subList(from, Math.min(acknowledged.size(), from + 1000))).build())
            .getEntriesList()) {
          found += e.getFound() ? 1 : 0;
        }
      }
      assertEquals(acknowledged.size(), found, "every acknowledged write is there");
      assertTrue(acknowledged.size() == STREAMS / 4);
    } finally {
      channel.shutdownNow();
      server.close();
    }
  }
}
