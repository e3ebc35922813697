package dev.distillmesh.index.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.distillmesh.index.IndexServerConfig;
import dev.distillmesh.proto.index.v1.CreateCollectionRequest;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.index.v1.SearchRequest;
import dev.distillmesh.proto.index.v1.SearchResponse;
import io.grpc.Status;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/**
 * Searches answer the same whether reads run inline on the transport thread (batches then go to a
 * pool) or on the server's executor, including errors raised on the batch pool.
 */
class IndexGrpcExecutorModesTest {
  @TempDir Path dir;

  @ParameterizedTest(name = "inline reads = {0}")
  @ValueSource(strings = {"true", "false"})
  void singleAndBatchedSearchesAnswerInBothModes(String inline) throws Exception {
    try (IndexGrpcFixture f = IndexGrpcFixture.start(dir, Map.of(IndexServerConfig.ENV_INLINE_READS, inline))) {
      f.blocking().createCollection(CreateCollectionRequest.newBuilder().setName("docs").setDimension(8)
          .setIndexSpec("HNSW16,Flat").build());
      List<Record> records = IndexGrpcFixture.records("r-", 200, 8, 7);
      f.upsert("docs", records);

      SearchResponse one = f.blocking().search(SearchRequest.newBuilder().setCollection("docs").setK(1)
          .addQueries(IndexGrpcFixture.query(records.get(5))).build());
      assertEquals("r-5", one.getResults(0).getHits(0).getId());

      SearchRequest.Builder batch = SearchRequest.newBuilder().setCollection("docs").setK(1);
      for (int i = 0; i < 40; i++) {
        batch.addQueries(IndexGrpcFixture.query(records.get(i)));
      }
      SearchResponse many = f.blocking().search(batch.build());
      assertEquals(40, many.getResultsCount());
      for (int i = 0; i < 40; i++) {
        assertEquals("r-" + i, many.getResults(i).getHits(0).getId());
      }

      // A bad batch fails with its precise status, wherever it ran.
      IndexGrpcFixture.assertStatus(Status.Code.INVALID_ARGUMENT,
          () -> f.blocking().search(batch.setK(0).build()), "k 0 out of range");
    }
  }
}
