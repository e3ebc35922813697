package dev.distillmesh.trainer.clients;

/**
 * What a run needs to know of a served collection (the index's CollectionInfo).
 *
 * @param projectionVersion the version of the projection its vectors are served with (0: the identity)
 */
public record CollectionState(String name, int dimension, long liveCount, boolean keepsBaseVectors,
    long projectionVersion, long lastSequence) {}
