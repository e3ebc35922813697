package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.proto.index.v1.ListRecordsResponse;
import dev.distillmesh.proto.index.v1.Record;
import dev.distillmesh.proto.student.v1.Tower;
import dev.distillmesh.trainer.clients.IndexLink;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.learn.QueryAdapter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Re-encodes a served collection under a new response adapter {@code B}: every record's vector
 * becomes {@code B·e} of its text's base embedding, a matrix product over cached embeddings (the
 * student encodes only texts the run has not seen), and the result is swapped in as a new index
 * generation.
 *
 * <p>Nothing written meanwhile is lost: the rebuild names the collection's write sequence at the
 * time it was listed, the index refuses it (ABORTED) if anything was written since, and this lists
 * and tries again. While the rebuild streams, the index refuses writes itself.
 */
final class Reindexer {
  private static final Logger log = LoggerFactory.getLogger(Reindexer.class);
  private static final int ATTEMPTS = 5;

  private final IndexLink index;
  private final StudentLink student;

  Reindexer(IndexLink index, StudentLink student) {
    this.index = index;
    this.student = student;
  }

  /**
   * @param baseEmbeddings base (un-adapted) response embeddings by text; texts missing from it are
   *     encoded by the student and added
   * @return the new generation of the collection
   */
  long reindex(String collection, QueryAdapter responseAdapter, Map<String, float[]> baseEmbeddings)
      throws InterruptedException {
    for (int attempt = 1; ; attempt++) {
      List<Record> listed = new ArrayList<>();
      long sequence;
      try {
        sequence = list(collection, listed);
      } catch (IndexLink.CollectionChanged e) {
        if (attempt == ATTEMPTS) {
          throw new DomainException(DomainException.Kind.UNAVAILABLE, "collection " + collection
              + " kept changing generation while it was listed: " + e.getMessage());
        }
        continue;
      }
      if (listed.isEmpty()) {
        throw DomainException.precondition("collection " + collection + " holds no records to re-encode");
      }
      List<String> unseen = new ArrayList<>();
      for (Record r : listed) {
        if (!baseEmbeddings.containsKey(r.getPayload().getText())) {
          unseen.add(r.getPayload().getText());
        }
      }
      if (!unseen.isEmpty()) {
        float[][] encoded = student.encode(unseen, Tower.TOWER_RESPONSE, true);
        for (int i = 0; i < encoded.length; i++) {
          baseEmbeddings.put(unseen.get(i), encoded[i]);
        }
      }
      List<Record> records = new ArrayList<>(listed.size());
      for (Record r : listed) {
        float[] v = responseAdapter.applyFloat(baseEmbeddings.get(r.getPayload().getText()));
        Record.Builder b = r.toBuilder().clearVector();
        for (float f : v) {
          b.addVector(f);
        }
        records.add(b.build());
      }
      try {
        long generation = index.rebuild(collection, sequence, records);
        log.info("re-encoded {} records of {} ({} not seen before) into generation {}", records.size(), collection,
            unseen.size(), generation);
        return generation;
      } catch (IndexLink.CollectionChanged e) {
        if (attempt == ATTEMPTS) {
          throw new DomainException(DomainException.Kind.UNAVAILABLE, "collection " + collection
              + " was written during each of " + ATTEMPTS + " re-encodings: " + e.getMessage());
        }
        log.info("collection {} was written while it was re-encoded; listing it again", collection);
      }
    }
  }

  /**
   * Fails early, before any training, when the collection a run would re-encode cannot be listed
   * or holds nothing: a run should not find out at its first publish.
   */
  void checkCollection(String collection) {
    try {
      if (index.listRecords(collection, "").getRecordsCount() == 0) {
        throw DomainException.precondition("collection " + collection + " holds no records to re-encode; ingest"
            + " the response set first (scripts/student-cli.sh ingest " + collection + " FILE)");
      }
    } catch (IndexLink.CollectionChanged e) {
      // it changed generation between pages: it exists and has records
    }
  }

  /** Every live record of the collection; returns its write sequence when the first page was read. */
  private long list(String collection, List<Record> out) {
    String token = "";
    long sequence = -1;
    do {
      ListRecordsResponse page = index.listRecords(collection, token);
      if (sequence < 0) {
        sequence = page.getLastSequence();
      }
      out.addAll(page.getRecordsList());
      token = page.getNextPageToken();
    } while (!token.isEmpty());
    return sequence;
  }
}
