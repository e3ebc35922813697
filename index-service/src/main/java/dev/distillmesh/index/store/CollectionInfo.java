package dev.distillmesh.index.store;

/** Stats of a collection at one moment. */
public record CollectionInfo(
    CollectionConfig config,
    long liveCount,
    long tombstoneCount,
    long generation,
    boolean rebuilding,
    long lastSequence) {}
