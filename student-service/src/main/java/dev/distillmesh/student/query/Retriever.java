package dev.distillmesh.student.query;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.telemetry.RequestIds;
import dev.distillmesh.student.adapter.Adapter;
import dev.distillmesh.student.adapter.AdapterStore;
import dev.distillmesh.student.adapter.Tower;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;

/**
 * The query path: validate, encode with the context tower (batched), apply the searched
 * collection's context adapter, search the index service, return the best candidates. Asynchronous
 * end to end, so no thread waits on the model or the network. Failures complete the future with a
 * {@link DomainException}.
 *
 * <p>Thread-safe; holds no per-request state. The adapter is read once per request, so a request
 * is encoded wholly with the adapter that served when it arrived, whatever is installed meanwhile.
 */
public final class Retriever {
  private final TowerEncoder towers;
  private final AdapterStore adapters;
  private final VectorIndex index;

  public Retriever(TowerEncoder towers, AdapterStore adapters, VectorIndex index) {
    this.towers = towers;
    this.adapters = adapters;
    this.index = index;
  }

  /** Top k passages of {@code collection} for a question. */
  public CompletableFuture<QueryResult> answer(String question, int k, String collection, int efSearch,
      CallDeadline deadline) {
    TextLimits.requireText("question", question);
    return search(towers.prepare(question, Tower.CONTEXT), TextLimits.k(k), TextLimits.collection(collection),
        TextLimits.efSearch(efSearch), deadline);
  }

  /** Top k responses of {@code collection} for a dialogue context (turns, oldest first). */
  public CompletableFuture<QueryResult> respond(List<String> turns, int k, String collection, int efSearch,
      CallDeadline deadline) {
    if (turns.isEmpty()) {
      throw DomainException.invalid("turns is empty; give the dialogue so far, oldest turn first");
    }
    if (turns.size() > TextLimits.MAX_TURNS) {
      throw DomainException.tooLarge(turns.size() + " turns; the limit is " + TextLimits.MAX_TURNS
          + " (only the newest that fit the model are used anyway)");
    }
    TextLimits.requireText("turns[" + (turns.size() - 1) + "] (the last turn)", turns.get(turns.size() - 1));
    for (int i = 0; i < turns.size() - 1; i++) {
      TextLimits.requireSize("turns[" + i + "]", turns.get(i)); // earlier empty turns are skipped
    }
    return search(towers.prepareDialogue(turns), TextLimits.k(k), TextLimits.collection(collection),
        TextLimits.efSearch(efSearch), deadline);
  }

  private CompletableFuture<QueryResult> search(TowerEncoder.Prepared query, int k, String collection, int ef,
      CallDeadline deadline) {
    Adapter adapter = adapters.current(collection);
    CompletableFuture<float[]> embedding = towers.embedBase(query, deadline.nanoTime());
    // The encoder's worker completes the embedding outside this request's gRPC context; the index
    // call made there must still carry the request id.
    CompletableFuture<QueryResult> result = embedding
        .thenComposeAsync(base -> {
          if (deadline.isExpired()) {
            throw new DomainException(DomainException.Kind.DEADLINE_EXCEEDED,
                "the deadline passed while the question waited for the encoder");
          }
          return index.search(collection, adapter.apply(base), k, ef, deadline);
        }, RequestIds.sameThreadKeepingId())
        .thenApply(hits -> new QueryResult(hits.candidates(), query.report(), adapter.version(), hits.generation()));
    // A caller that gives up (cancels the result) takes its text out of the encoder queue.
    result.whenComplete((r, t) -> {
      if (t instanceof CancellationException) {
        embedding.cancel(false);
      }
    });
    return result;
  }

  /**
   * Embeddings of {@code texts} with one tower. The context tower applies {@code collection}'s
   * context adapter ("" or a collection without one: the identity); the response tower, and
   * {@code base}, give the backbone's embedding (a collection's response adapter is applied by the
   * index). All texts use the same adapter version, returned with them. Texts still queued for the
   * encoder when {@code deadline} passes are not encoded: the result fails with DEADLINE_EXCEEDED.
   */
  public CompletableFuture<Encoded> encode(List<String> texts, Tower tower, boolean base, String collection,
      CallDeadline deadline) {
    if (!collection.isEmpty()) {
      TextLimits.collection(collection);
    }
    if (texts.isEmpty()) {
      throw DomainException.invalid("texts is empty; give 1.." + TextLimits.MAX_ENCODE_TEXTS + " texts");
    }
    if (texts.size() > TextLimits.MAX_ENCODE_TEXTS) {
      throw DomainException.tooLarge(texts.size() + " texts; the limit is " + TextLimits.MAX_ENCODE_TEXTS + " per call");
    }
    List<TowerEncoder.Prepared> prepared = new ArrayList<>(texts.size());
    for (int i = 0; i < texts.size(); i++) {
      TextLimits.requireText("texts[" + i + "]", texts.get(i));
      if (deadline.isExpired()) { // tokenizing 256 long texts alone can take longer than the deadline
        throw new DomainException(DomainException.Kind.DEADLINE_EXCEEDED, "the deadline passed while the texts"
            + " were tokenized (at texts[" + i + "] of " + texts.size() + "); nothing was encoded");
      }
      prepared.add(towers.prepare(texts.get(i), tower));
    }
    Adapter adapter = base || tower != Tower.CONTEXT || collection.isEmpty()
        ? Adapter.identity(tower, towers.dimension()) : adapters.current(collection);
    List<CompletableFuture<float[]>> pending = towers.embedBase(prepared, deadline.nanoTime());
    CompletableFuture<Encoded> result = CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).thenApply(done -> {
      List<float[]> vectors = new ArrayList<>(pending.size());
      List<InputReport> reports = new ArrayList<>(pending.size());
      for (int i = 0; i < pending.size(); i++) {
        vectors.add(adapter.apply(pending.get(i).join()));
        reports.add(prepared.get(i).report());
      }
      return new Encoded(vectors, reports, adapter.version());
    });
    // The first text that fails (e.g. dropped at its deadline) fails the call at once, and a call
    // that failed or was given up takes its other texts out of the encoder queue.
    for (CompletableFuture<float[]> p : pending) {
      p.whenComplete((v, t) -> {
        if (t != null) {
          result.completeExceptionally(t);
        }
      });
    }
    result.whenComplete((r, t) -> {
      if (t != null) {
        pending.forEach(p -> p.cancel(false));
      }
    });
    return result;
  }

  /** Embeddings in request order, what the model saw of each text, and the adapter version used. */
  public record Encoded(List<float[]> vectors, List<InputReport> inputs, long adapterVersion) {}
}
