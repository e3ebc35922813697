package dev.distillmesh.index.grpc;

import static dev.distillmesh.index.grpc.IndexGrpcFixture.assertStatus;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.batch;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.header;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.query;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.rebuildBatch;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.records;
import static java.util.concurrent.TimeUnit.SECONDS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.common.BearerToken;
import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.DeleteRequest;
import dev.distillmesh.proto.index.v1.DropCollectionRequest;
import dev.distillmesh.proto.index.v1.GetPayloadsRequest;
import dev.distillmesh.proto.index.v1.IndexServiceGrpc;
import dev.distillmesh.proto.index.v1.ListCollectionsRequest;
import dev.distillmesh.proto.index.v1.ListRecordsRequest;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.ReprojectRequest;
import dev.distillmesh.proto.index.v1.SearchRequest;
import io.grpc.Status;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Admin bearer auth, health and reflection of an in-process index server configured with a token. */
class IndexGrpcAuthAndHealthTest {
  private static final String TOKEN = "test-admin-token";
  private static final int DIM = 4;

  @TempDir Path dataDir;
  private IndexGrpcFixture index;
  private IndexServiceGrpc.IndexServiceBlockingStub admin;

  @BeforeEach
  void startServer() throws Exception {
    index = IndexGrpcFixture.start(dataDir, Map.of(IndexServerConfig.ENV_ADMIN_TOKEN, TOKEN));
    admin = index.blocking().withCallCredentials(new BearerToken(TOKEN));
    admin.createCollection(CreateCollectionRequest.newBuilder().setName("docs").setDimension(DIM).build());
    IndexGrpcFixture.upsert(index.async().withCallCredentials(new BearerToken(TOKEN)),
        batch("docs", records("doc-", 10, DIM, 1)));
  }

  @AfterEach
  void stopServer() throws Exception {
    index.close();
  }

  @Test
  void adminCallsWithoutCredentialsAreUnauthenticatedAndChangeNothing() {
    long lastSequence = index.info("docs").getLastSequence();
    assertStatus(Status.Code.UNAUTHENTICATED, () -> index.create("other", DIM, "Flat"),
        "CreateCollection", "Bearer");
    assertStatus(Status.Code.UNAUTHENTICATED, () -> index.blocking()
        .dropCollection(DropCollectionRequest.newBuilder().setName("docs").build()), "DropCollection");
    assertStatus(Status.Code.UNAUTHENTICATED, () -> index.blocking()
        .delete(DeleteRequest.newBuilder().setCollection("docs").addIds("doc-1").build()), "Delete");
    assertStatus(Status.Code.UNAUTHENTICATED,
        () -> index.upsert("docs", records("evil-", 2, DIM, 2)), "Upsert");
    assertStatus(Status.Code.UNAUTHENTICATED, () -> IndexGrpcFixture.rebuild(index.async(),
        header("docs", ""), rebuildBatch(records("evil-", 2, DIM, 3))), "Rebuild");
    assertStatus(Status.Code.UNAUTHENTICATED, () -> index.listPage("docs", 0, "", false), "ListRecords");
    assertStatus(Status.Code.UNAUTHENTICATED, () -> index.blocking().reproject(ReprojectRequest.newBuilder()
        .setCollection("docs").setRows(DIM).setCols(DIM).setVersion(1).build()), "Reproject");

    var info = index.info("docs");
    assertEquals(10, info.getLiveCount());
    assertEquals(1, info.getGeneration());
    assertEquals(lastSequence, info.getLastSequence(), "no write got through");
    assertEquals(List.of("docs"), index.blocking().listCollections(ListCollectionsRequest.getDefaultInstance())
        .getCollectionsList().stream().map(c -> c.getName()).toList());
  }

  @Test
  void aWrongTokenIsUnauthenticated() {
    assertStatus(Status.Code.UNAUTHENTICATED, () -> index.blocking()
        .withCallCredentials(new BearerToken("not-" + TOKEN))
        .createCollection(CreateCollectionRequest.newBuilder().setName("other").setDimension(DIM).build()),
        "invalid admin credential");
  }

  @Test
  void adminCallsWithTheTokenSucceed() {
    admin.createCollection(CreateCollectionRequest.newBuilder().setName("other").setDimension(DIM).build());
    List<Record> rs = records("new-", 3, DIM, 4);
    var stub = index.async().withCallCredentials(new BearerToken(TOKEN));
    assertEquals(3, IndexGrpcFixture.upsert(stub, batch("other", rs)).getUpserted());
    assertEquals(1, admin.delete(DeleteRequest.newBuilder().setCollection("other").addIds("new-0").build())
        .getDeleted());
    assertEquals(2, IndexGrpcFixture.rebuild(stub, header("other", ""), rebuildBatch(rs.subList(1, 3)))
        .getGeneration());
    assertEquals(List.of("new-1", "new-2"), admin.listRecords(ListRecordsRequest.newBuilder()
        .setCollection("other").build()).getRecordsList().stream().map(Record::getId).toList());
    admin.dropCollection(DropCollectionRequest.newBuilder().setName("other").build());
  }

  @Test
  void queriesNeedNoToken() {
    var hits = index.blocking().search(SearchRequest.newBuilder().setCollection("docs").setK(3)
        .addQueries(query(records("doc-", 1, DIM, 1).get(0))).build()).getResults(0);
    assertEquals("doc-0", hits.getHits(0).getId());
    assertTrue(index.blocking().getPayloads(GetPayloadsRequest.newBuilder().setCollection("docs")
        .addIds("doc-1").build()).getEntries(0).getFound());
    assertEquals(10, index.info("docs").getLiveCount());
  }

  @Test
  void healthIsServingWithoutAToken() {
    var health = HealthGrpc.newBlockingStub(index.channel()).withDeadlineAfter(10, SECONDS);
    assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.getDefaultInstance()).getStatus());
    assertEquals(ServingStatus.SERVING, health.check(HealthCheckRequest.newBuilder()
        .setService(IndexServiceGrpc.SERVICE_NAME).build()).getStatus());
  }

  @Test
  void reflectionListsTheIndexServiceAndServesItsFile() throws Exception {
    List<ServerReflectionResponse> replies = new CopyOnWriteArrayList<>();
    CompletableFuture<Void> done = new CompletableFuture<>();
    var requests = ServerReflectionGrpc.newStub(index.channel()).withDeadlineAfter(10, SECONDS)
        .serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse r) {
            replies.add(r);
          }

          @Override
          public void onError(Throwable t) {
            done.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            done.complete(null);
          }
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("*").build());
    requests.onNext(ServerReflectionRequest.newBuilder()
        .setFileContainingSymbol(IndexServiceGrpc.SERVICE_NAME).build());
    requests.onCompleted();
    done.get(20, SECONDS);
    assertEquals(2, replies.size(), "one reply per request");

    ServerReflectionResponse listed = replies.get(0);
    List<String> services = listed.getListServicesResponse().getServiceList().stream()
        .map(ServiceResponse::getName).toList();
    assertTrue(services.containsAll(List.of("distillmesh.index.v1.IndexService", "grpc.health.v1.Health")),
        "reflection lists " + services);
    ServerReflectionResponse file = replies.get(1);
    var descriptor = com.google.protobuf.DescriptorProtos.FileDescriptorProto.parseFrom(
        file.getFileDescriptorResponse().getFileDescriptorProto(0));
    assertEquals("distillmesh/index/v1/index.proto", descriptor.getName());
    assertEquals("IndexService", descriptor.getService(0).getName());
  }
}
