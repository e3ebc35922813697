package dev.distillmesh.trainer.run;

import dev.distillmesh.common.DomainException;
import dev.distillmesh.common.resilience.Backoff;
import dev.distillmesh.trainer.clients.IndexLink;
import dev.distillmesh.trainer.clients.ListingPage;
import dev.distillmesh.trainer.clients.Passage;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Consumer;

/**
 * {@link Retrieval} over the served collection: searches and fetches go to the index-service; the
 * negatives are drawn from a reservoir of at most {@value #RESERVOIR} passages, filled by one
 * pass over the collection the first time they are asked for (reservoir sampling, seeded), so
 * what the run holds does not grow with the collection. Owned by the run's thread.
 */
final class CollectionRetrieval implements Retrieval {
  /** Passages kept to draw negatives from: about 13 MiB at dimension 384 with base vectors. */
  static final int RESERVOIR = 4096;
  private static final int PAGE = 1024;
  /** A listing cut short by a generation swap (ABORTED) starts again, up to five times in all. */
  private static final Backoff LISTINGS = Backoff.immediate(5);

  private final IndexLink index;
  private final String collection;
  private final int efSearch;
  private final long seed;
  private final Consumer<String> message;
  private List<Passage> reservoir;

  /**
   * @param efSearch 0 for the collection's default
   * @param message the run's status message while the reservoir is read
   */
  CollectionRetrieval(IndexLink index, String collection, int efSearch, long seed, Consumer<String> message) {
    this.index = index;
    this.collection = collection;
    this.efSearch = efSearch;
    this.seed = seed;
    this.message = message;
  }

  @Override
  public List<List<Passage>> search(List<float[]> queries, int k) {
    return index.search(collection, queries, k, efSearch);
  }

  @Override
  public Map<String, Passage> fetch(List<String> ids) {
    return index.fetch(collection, ids);
  }

  @Override
  public List<Passage> sample(int n, long drawSeed) throws Exception {
    if (reservoir == null) {
      reservoir = LISTINGS.run(attempt -> fill(),
          e -> e instanceof DomainException d && d.kind() == DomainException.Kind.ABORTED, (attempt, e, pause) -> {});
    }
    Random rnd = new Random(drawSeed);
    LinkedHashSet<Integer> chosen = new LinkedHashSet<>();
    int wanted = Math.min(n, reservoir.size());
    while (chosen.size() < wanted) {
      chosen.add(rnd.nextInt(reservoir.size()));
    }
    List<Passage> out = new ArrayList<>(wanted);
    for (int i : chosen) {
      out.add(reservoir.get(i));
    }
    return out;
  }

  /** One pass over the collection, keeping a uniform sample of {@value #RESERVOIR} (Algorithm R). */
  private List<Passage> fill() {
    message.accept("sampling negatives from collection " + collection);
    List<Passage> kept = new ArrayList<>(RESERVOIR);
    Random rnd = new Random(seed * 0x9E3779B97F4A7C15L + 17);
    long seen = 0;
    String token = "";
    do {
      ListingPage page = index.list(collection, token, PAGE);
      for (Passage p : page.records()) {
        seen++;
        if (kept.size() < RESERVOIR) {
          kept.add(p);
        } else {
          long j = (long) (rnd.nextDouble() * seen);
          if (j < RESERVOIR) {
            kept.set((int) j, p);
          }
        }
      }
      token = page.nextPageToken();
    } while (!token.isEmpty());
    message.accept("");
    return kept;
  }
}
