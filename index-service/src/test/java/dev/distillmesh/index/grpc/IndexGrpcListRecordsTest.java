package dev.distillmesh.index.grpc;

import static dev.distillmesh.index.grpc.IndexGrpcFixture.assertStatus;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.header;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.payloadOf;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.rebuildBatch;
import static dev.distillmesh.index.grpc.IndexGrpcFixture.records;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.distillmesh.proto.index.v1.DeleteRequest;
import dev.distillmesh.proto.index.v1.ListRecordsResponse;
import dev.distillmesh.proto.index.v1.Payload;
import dev.distillmesh.proto.index.v1.Record;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** ListRecords: paging through the live records of one generation, vectors on request, and every refusal. */
class IndexGrpcListRecordsTest {
  private static final int DIM = 8;

  @TempDir Path dataDir;
  private IndexGrpcFixture index;
  private final List<Record> docs = records("doc-", 25, DIM, 1);

  @BeforeEach
  void startServer() throws Exception {
    index = IndexGrpcFixture.start(dataDir);
    index.create("docs", DIM, "Flat");
    index.upsert("docs", docs);
  }

  @AfterEach
  void stopServer() throws Exception {
    index.close();
  }

  @Test
  void pagesReturnEveryLiveRecordOnceWithItsPayloadAndNoVectors() {
    index.blocking().delete(DeleteRequest.newBuilder().setCollection("docs")
        .addIds("doc-0").addIds("doc-7").addIds("doc-8").addIds("doc-24").build());
    long lastSequence = index.info("docs").getLastSequence();

    List<ListRecordsResponse> pages = index.listAll("docs", 4, false);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < pages.size(); i++) {
      ListRecordsResponse page = pages.get(i);
      boolean last = i == pages.size() - 1;
      assertTrue(last || page.getRecordsCount() == 4, "every page but the last is full: " + page.getRecordsCount());
      assertEquals(1, page.getGeneration());
      assertEquals(lastSequence, page.getLastSequence());
      for (Record r : page.getRecordsList()) {
        ids.add(r.getId());
        assertEquals(payloadOf(r.getId()), r.getPayload());
        assertEquals(0, r.getVectorCount(), "no vectors unless asked for");
      }
    }
    List<String> live = new ArrayList<>();
    docs.forEach(r -> live.add(r.getId()));
    live.removeAll(List.of("doc-0", "doc-7", "doc-8", "doc-24"));
    assertEquals(live, ids, "each live id once, in write order, deleted ones absent");
    assertEquals(6, pages.size(), "21 records in pages of 4; no empty page after trailing deletes");
  }

  @Test
  void includeVectorsReturnsTheStoredVectorsExactlyForEveryIndexFamily() {
    for (String spec : List.of("Flat", "HNSW16,Flat", "IVF2,Flat")) {
      String name = "v-" + spec.replaceAll("[^A-Za-z0-9]", "");
      index.create(name, DIM, spec);
      List<Record> written = records("r-", 300, DIM, 7);
      index.upsert(name, written);
      DeleteRequest.Builder deletes = DeleteRequest.newBuilder().setCollection(name);
      Map<String, Record> expected = new LinkedHashMap<>();
      for (int i = 0; i < written.size(); i++) {
        // single gaps, then one long run of tombstones: vectors are read around both
        if (i % 3 == 1 || (i >= 100 && i < 220)) {
          deletes.addIds(written.get(i).getId());
        } else {
          expected.put(written.get(i).getId(), written.get(i));
        }
      }
      index.blocking().delete(deletes.build());

      Map<String, Record> listed = new LinkedHashMap<>();
      for (ListRecordsResponse page : index.listAll(name, 17, true)) {
        page.getRecordsList().forEach(r -> assertEquals(null, listed.put(r.getId(), r), "listed twice: " + r.getId()));
      }
      assertEquals(List.copyOf(expected.keySet()), List.copyOf(listed.keySet()), spec);
      expected.forEach((id, r) -> assertEquals(r, listed.get(id), spec + ": " + id + " comes back as written"));
    }
  }

  @Test
  void anUpsertWhilePagingShowsUpInALaterPageWithAHigherLastSequence() {
    ListRecordsResponse first = index.listPage("docs", 10, "", false);
    long newer = index.upsert("docs", records("late-", 1, DIM, 5)).getLastSequence();
    assertTrue(newer > first.getLastSequence());
    List<String> rest = new ArrayList<>();
    String token = first.getNextPageToken();
    long seen = 0;
    while (!token.isEmpty()) {
      ListRecordsResponse page = index.listPage("docs", 10, token, false);
      page.getRecordsList().forEach(r -> rest.add(r.getId()));
      seen = page.getLastSequence();
      token = page.getNextPageToken();
    }
    assertEquals("late-0", rest.get(rest.size() - 1), "an upsert appends");
    assertEquals(newer, seen, "a later page reports the write");
  }

  @Test
  void aGenerationChangeBetweenPagesIsAbortedAndAFreshListingSeesTheNewGeneration() {
    ListRecordsResponse first = index.listPage("docs", 10, "", false);
    assertFalse(first.getNextPageToken().isEmpty());
    List<Record> fresh = records("new-", 12, DIM, 2);
    IndexGrpcFixture.rebuild(index.async(), header("docs", ""), rebuildBatch(fresh));

    assertStatus(Status.Code.ABORTED, () -> index.listPage("docs", 10, first.getNextPageToken(), false),
        "changed generation", "generation 1, now 2", "first page");
    List<String> ids = new ArrayList<>();
    for (ListRecordsResponse page : index.listAll("docs", 10, false)) {
      assertEquals(2, page.getGeneration());
      page.getRecordsList().forEach(r -> ids.add(r.getId()));
    }
    assertEquals(fresh.stream().map(Record::getId).toList(), ids);
  }

  @Test
  void aTokenThisRpcDidNotIssueForTheCollectionIsInvalid() {
    index.create("other", DIM, "Flat");
    index.upsert("other", records("o-", 5, DIM, 3));
    String otherToken = index.listPage("other", 2, "", false).getNextPageToken();
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.listPage("docs", 2, otherToken, false),
        "page_token", "collection other", "not docs");

    for (String bad : List.of("not a token!", b64("1:2"), b64("x:2:docs"), b64("0:2:docs"), b64("1:-3:docs"))) {
      assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.listPage("docs", 2, bad, false),
          "page_token", "next_page_token");
    }
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.listPage("docs", 2, b64("1:999:docs"), false),
        "page_token points to slot 999");
  }

  @Test
  void pageSizeZeroMeansTheDefaultAndOutOfRangeSizesAreRefused() {
    ListRecordsResponse all = index.listPage("docs", 0, "", false);
    assertEquals(25, all.getRecordsCount(), "the default page (1000) holds them all");
    assertEquals("", all.getNextPageToken());
    assertEquals(25, index.listPage("docs", 4096, "", false).getRecordsCount());
    assertStatus(Status.Code.INVALID_ARGUMENT, () -> index.listPage("docs", -1, "", false),
        "page_size -1", "0 (default 1000) or 1..4096");
    assertStatus(Status.Code.RESOURCE_EXHAUSTED, () -> index.listPage("docs", 4097, "", false),
        "page_size 4097", "at most 4096");
  }

  @Test
  void anUnknownCollectionIsNotFound() {
    assertStatus(Status.Code.NOT_FOUND, () -> index.listPage("nope", 0, "", false), "nope");
  }

  @Test
  void aPageStopsEarlyToStayUnderADefaultClientMessageLimit() {
    index.create("big", DIM, "Flat");
    String text = "x".repeat(60 * 1024);
    List<Record> big = new ArrayList<>();
    for (Record r : records("b-", 120, DIM, 4)) {
      big.add(r.toBuilder().setPayload(Payload.newBuilder().setText(text)).build());
    }
    for (int i = 0; i < big.size(); i += 30) {
      index.upsert("big", big.subList(i, i + 30));
    }
    List<ListRecordsResponse> pages = index.listAll("big", 4096, true);
    assertTrue(pages.size() >= 3, "7 MiB of records in pages of at most 3 MiB: " + pages.size());
    Set<String> ids = new HashSet<>();
    for (ListRecordsResponse page : pages) {
      assertTrue(page.getSerializedSize() < 4 << 20, "page of " + page.getSerializedSize() + " bytes");
      page.getRecordsList().forEach(r -> assertTrue(ids.add(r.getId())));
    }
    assertEquals(120, ids.size());
  }

  private static String b64(String plain) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(plain.getBytes(StandardCharsets.UTF_8));
  }
}
