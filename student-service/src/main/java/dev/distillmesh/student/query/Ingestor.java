package dev.distillmesh.student.query;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.MetadataJson;
import dev.distillmesh.student.adapter.Tower;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Bulk ingestion: documents are encoded with the response tower's backbone (on the caller's thread,
 * not through the interactive query queue) and upserted into a collection of the {@link
 * VectorIndex} over one flow-controlled stream. A collection it creates keeps base vectors. The
 * student applies no response adapter: into a collection that keeps base vectors it writes each
 * base embedding and the index serves its projection with the collection's response adapter (so
 * every document of a generation has the same one, whenever it was ingested); into one without,
 * the base embedding is the served vector. One {@link Session} per ingest.
 */
public final class Ingestor {
  public static final String DEFAULT_SPEC = "HNSW32,Flat";
  public static final int MAX_DOCUMENTS_PER_MESSAGE = 256;
  private static final int ENCODE_CHUNK = 32;

  private final TowerEncoder towers;
  private final VectorIndex index;

  public Ingestor(TowerEncoder towers, VectorIndex index) {
    this.towers = towers;
    this.index = index;
  }

  /** Creates the collection if needed and opens the upsert stream; {@code deadline} bounds it all. */
  public Session open(String collection, String spec, CallDeadline deadline) {
    TextLimits.collection(collection);
    VectorIndex.Opened opened = index.getOrCreate(collection, towers.dimension(), spec.isEmpty() ? DEFAULT_SPEC : spec,
        deadline);
    return new Session(collection, opened, index.openUpsert(collection, opened.keepsBaseVectors(), deadline));
  }

  /**
   * Totals of a finished ingest: documents written (new or replaced), of those the replaced ones
   * and the truncated ones, whether the collection was created, whether it keeps base vectors.
   */
  public record Summary(long ingested, long replaced, long truncated, boolean created, boolean keepsBaseVectors,
      long lastSequence) {}

  /** One ingest in progress. Not thread-safe: one thread feeds it. */
  public final class Session {
    private final String collection;
    private final VectorIndex.Opened opened;
    private final VectorIndex.UpsertStream stream;
    private long sent;
    private long truncated;

    private Session(String collection, VectorIndex.Opened opened, VectorIndex.UpsertStream stream) {
      this.collection = collection;
      this.opened = opened;
      this.stream = stream;
    }

    public String collection() {
      return collection;
    }

    /**
     * Validates, encodes and sends one message's documents; blocks while the index is busy. Texts
     * are encoded in order of length, so each model run pads little (a batch is as long as its
     * longest text).
     */
    public void add(List<Document> documents) throws Exception {
      validate(documents);
      List<TowerEncoder.Prepared> prepared = new ArrayList<>(documents.size());
      for (Document d : documents) {
        TowerEncoder.Prepared p = towers.prepare(d.text(), Tower.RESPONSE);
        truncated += p.report().truncated() ? 1 : 0;
        prepared.add(p);
      }
      Integer[] order = new Integer[documents.size()];
      for (int i = 0; i < order.length; i++) {
        order[i] = i;
      }
      Arrays.sort(order, Comparator.comparingInt(i -> prepared.get(i).tokens().tokens()));
      for (int from = 0; from < order.length; from += ENCODE_CHUNK) {
        int to = Math.min(order.length, from + ENCODE_CHUNK);
        List<TowerEncoder.Prepared> chunk = new ArrayList<>(to - from);
        for (int j = from; j < to; j++) {
          chunk.add(prepared.get(order[j]));
        }
        float[][] base = towers.embedBaseNow(chunk);
        List<VectorIndex.Entry> batch = new ArrayList<>(to - from);
        for (int j = from; j < to; j++) {
          Document d = documents.get(order[j]);
          batch.add(new VectorIndex.Entry(d.id(), base[j - from], d.text(), d.metadataJson()));
        }
        stream.send(batch);
        sent += to - from;
      }
    }

    /** Ends the stream; when it returns every document is durable in the index. */
    public Summary finish() throws InterruptedException {
      VectorIndex.Written w = stream.finish();
      return new Summary(w.upserted(), w.replaced(), truncated, opened.created(), opened.keepsBaseVectors(),
          w.lastSequence());
    }

    /** Abandons the ingest; batches already acknowledged by the index stay. */
    public void abort(String why, Throwable cause) {
      stream.cancel(why, cause);
    }

    /** Documents encoded and handed to the index so far. */
    public long sent() {
      return sent;
    }
  }

  private static void validate(List<Document> documents) {
    if (documents.size() > MAX_DOCUMENTS_PER_MESSAGE) {
      throw DomainException.tooLarge(documents.size() + " documents in one message; the limit is "
          + MAX_DOCUMENTS_PER_MESSAGE);
    }
    Set<String> ids = new HashSet<>();
    for (int i = 0; i < documents.size(); i++) {
      Document d = documents.get(i);
      String where = "documents[" + i + "]";
      if (d.id().isEmpty()) {
        throw DomainException.invalid(where + ".id is empty");
      }
      if (!ids.add(d.id())) {
        throw DomainException.invalid(where + ".id \"" + d.id() + "\" appears twice in one message");
      }
      TextLimits.requireText(where + ".text (id " + d.id() + ")", d.text());
      MetadataJson.check(d.metadataJson(), where + ".metadata_json (id " + d.id() + ")");
    }
  }
}
