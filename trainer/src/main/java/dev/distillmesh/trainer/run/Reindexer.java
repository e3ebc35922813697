package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.resilience.Backoff;
import dev.distillmesh.trainer.clients.IndexLink;
import dev.distillmesh.trainer.clients.ListedRecord;
import dev.distillmesh.trainer.clients.RecordPage;
import dev.distillmesh.trainer.clients.StudentLink;
import dev.distillmesh.trainer.clients.Tower;
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
  /**
   * A collection written meanwhile is listed and re-encoded again at once, up to five times in all
   * (the common {@link Backoff}, as the run's wait for the teacher; a pause would only let more
   * writes in).
   */
  private static final Backoff ATTEMPTS = Backoff.immediate(5);

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
      throws Exception {
    try {
      return ATTEMPTS.run(attempt -> reencode(collection, responseAdapter, baseEmbeddings),
          e -> e instanceof IndexLink.CollectionChanged,
          (attempt, e, pause) -> log.info("collection {} changed while it was re-encoded ({}); listing it again",
              collection, e.getMessage()));
    } catch (IndexLink.CollectionChanged e) {
      throw new DomainException(DomainException.Kind.UNAVAILABLE, "collection " + collection + " was written or"
          + " changed generation during each of " + ATTEMPTS.maxAttempts() + " re-encodings: " + e.getMessage());
    }
  }

  /** One attempt: list, encode what is new, rebuild; CollectionChanged when the collection moved meanwhile. */
  private long reencode(String collection, QueryAdapter responseAdapter, Map<String, float[]> baseEmbeddings)
      throws InterruptedException {
    List<ListedRecord> listed = new ArrayList<>();
    long sequence = list(collection, listed);
    if (listed.isEmpty()) {
      throw DomainException.precondition("collection " + collection + " holds no records to re-encode");
    }
    List<String> unseen = new ArrayList<>();
    for (ListedRecord r : listed) {
      if (!baseEmbeddings.containsKey(r.text())) {
        unseen.add(r.text());
      }
    }
    if (!unseen.isEmpty()) {
      float[][] encoded = student.encode(unseen, Tower.RESPONSE, true);
      for (int i = 0; i < encoded.length; i++) {
        baseEmbeddings.put(unseen.get(i), encoded[i]);
      }
    }
    List<float[]> vectors = new ArrayList<>(listed.size());
    for (ListedRecord r : listed) {
      vectors.add(responseAdapter.applyFloat(baseEmbeddings.get(r.text())));
    }
    long generation = index.rebuild(collection, sequence, listed, vectors);
    log.info("re-encoded {} records of {} ({} not seen before) into generation {}", listed.size(), collection,
        unseen.size(), generation);
    return generation;
  }

  /**
   * Fails early, before any training, when the collection a run would re-encode cannot be listed
   * or holds nothing: a run should not find out at its first publish.
   */
  void checkCollection(String collection) {
    try {
      if (index.listRecords(collection, "").records().isEmpty()) {
        throw DomainException.precondition("collection " + collection + " holds no records to re-encode; ingest"
            + " the response set first (scripts/student-cli.sh ingest " + collection + " FILE)");
      }
    } catch (IndexLink.CollectionChanged e) {
      // it changed generation between pages: it exists and has records
    }
  }

  /** Every live record of the collection; returns its write sequence when the first page was read. */
  private long list(String collection, List<ListedRecord> out) {
    String token = "";
    long sequence = -1;
    do {
      RecordPage page = index.listRecords(collection, token);
      if (sequence < 0) {
        sequence = page.lastSequence();
      }
      out.addAll(page.records());
      token = page.nextPageToken();
    } while (!token.isEmpty());
    return sequence;
  }
}
