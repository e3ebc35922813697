package dev.distillmesh.teacher;

/**
 * What a backend's cache holds and how well it serves, as reported in Info and in metrics.
 *
 * @param entries items held now (for the embedded backend: candidate embeddings over all members)
 * @param hitRate fraction of lookups answered from the cache since start, in [0, 1]; 0 before any
 */
public record CacheStats(long entries, double hitRate) {}
