package dev.distillmesh.student.query;

import dev.distillmesh.common.CallDeadline;
import dev.distillmesh.common.CollectionNames;
import dev.distillmesh.common.DomainException;
import dev.distillmesh.student.adapter.Adapter;
import dev.distillmesh.student.adapter.AdapterStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;

/**
 * The adapters each collection is served with, as GetModelInfo reports them: the context adapter
 * from this student's {@link AdapterStore}, and the response adapter, which is the projection the
 * index serves the collection with ({@link IndexCatalog}). The two halves come from two places, so
 * a listing still says what the student holds when the index cannot be asked.
 *
 * <p>Thread-safe; holds no state of its own.
 */
public final class CollectionModels {
  /**
   * One collection: its context adapter (the identity when it has none), and the index's state of
   * it, empty when the index could not be asked or does not hold the collection.
   */
  public record Served(String collection, Adapter context, Optional<IndexCatalog.CollectionState> index) {}

  /** The collections asked for, in name order, and why the index's side is missing ("" when it is not). */
  public record Listing(List<Served> collections, String indexError) {}

  private final AdapterStore adapters;
  private final IndexCatalog index;

  public CollectionModels(AdapterStore adapters, IndexCatalog index) {
    this.adapters = adapters;
    this.index = index;
  }

  /**
   * Every collection of the index and every collection with a context adapter here, or only
   * {@code only} when it is not empty (listed even when neither side holds it: its context adapter
   * is then the identity, and it has no response adapter).
   *
   * @throws DomainException INVALID_ARGUMENT when {@code only} breaks the collection-name rule
   */
  public Listing list(String only, CallDeadline deadline) {
    if (!only.isEmpty()) {
      CollectionNames.check(only, "collection");
    }
    Map<String, IndexCatalog.CollectionState> fromIndex = new HashMap<>();
    String indexError = "";
    try {
      for (IndexCatalog.CollectionState c : index.collections(deadline)) {
        fromIndex.put(c.name(), c);
      }
    } catch (DomainException e) {
      indexError = e.getMessage();
    }
    TreeSet<String> names = new TreeSet<>();
    if (only.isEmpty()) {
      names.addAll(fromIndex.keySet());
      names.addAll(adapters.collections());
    } else {
      names.add(only);
    }
    List<Served> out = new ArrayList<>(names.size());
    for (String name : names) {
      out.add(new Served(name, adapters.current(name), Optional.ofNullable(fromIndex.get(name))));
    }
    return new Listing(out, indexError);
  }
}
