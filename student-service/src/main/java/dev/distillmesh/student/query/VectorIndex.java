package dev.distillmesh.student.query;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * The index the student searches and ingests into, as its domain sees it: collections of vectors
 * with a stored text and metadata each. The index-service client ({@code
 * dev.distillmesh.student.client.IndexGateway}) implements it; the proto types stay there.
 *
 * <p>Every call is bounded by the caller's deadline. Failures are {@link DomainException}s whose
 * message names the index, so a client of the student can tell whose fault a failure was.
 * Implementations are thread-safe; an {@link UpsertStream} is fed by one thread.
 */
public interface VectorIndex {
  /** Hits of one search, best first, with the generation of the index that served them. */
  record Hits(List<Candidate> candidates, long generation) {}

  /**
   * One record to upsert: the document's base (backbone) embedding and what is stored beside it.
   * Where the collection keeps base vectors the index stores it and serves its projection; in any
   * other collection it is the served vector itself.
   */
  record Entry(String id, float[] baseVector, String text, String metadataJson) {}

  /** An open collection: whether this call created it, and whether it keeps base vectors. */
  record Opened(boolean created, boolean keepsBaseVectors) {}

  /** What the index reports for a finished upsert stream. */
  record Written(long upserted, long replaced, long lastSequence) {}

  /**
   * The {@code k} nearest records of {@code collection} to {@code vector}, with payloads; completes
   * with a {@link DomainException} on failure. {@code efSearch} 0 means the collection's default.
   */
  CompletableFuture<Hits> search(String collection, float[] vector, int k, int efSearch, CallDeadline deadline);

  /**
   * Makes sure {@code collection} exists with vectors of {@code dimension}, creating it with the
   * index spec {@code spec}, keeping base vectors, when it does not.
   *
   * @return whether this call created it, and whether the collection keeps base vectors (as the
   *     index reports it: a collection created without them, by hand, does not)
   * @throws DomainException FAILED_PRECONDITION when it exists with another dimension
   */
  Opened getOrCreate(String collection, int dimension, String spec, CallDeadline deadline);

  /**
   * Opens a flow-controlled upsert into {@code collection}, bounded by {@code deadline}. With
   * {@code keepsBaseVectors} each entry is sent as the record's base vector (the index projects it
   * with the collection's projection), otherwise as its vector: pass what {@link #getOrCreate}
   * reported.
   */
  UpsertStream openUpsert(String collection, boolean keepsBaseVectors, CallDeadline deadline);

  /** One upsert in progress. Not thread-safe: one thread sends; whoever opens it finishes or cancels it. */
  interface UpsertStream {
    /** Sends one batch once the index can take it; fails at once if the index has rejected the stream. */
    void send(List<Entry> batch) throws InterruptedException;

    /** Ends the stream; when it returns every record sent is durable in the index. */
    Written finish() throws InterruptedException;

    /** Abandons the stream; batches the index has already applied stay. */
    void cancel(String why, Throwable cause);
  }
}
