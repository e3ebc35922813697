package dev.distillmesh.index.store;

import java.util.List;

/** Hits per query, in query order, and the generation that answered. */
public record SearchResult(List<List<SearchHit>> hits, long generation) {}
