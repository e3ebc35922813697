package dev.distillmesh.index.store;

/**
 * What an acknowledged write did. When a write method returns this, the write is durable.
 *
 * @param written records upserted or deleted
 * @param replaced upserts that replaced an existing id
 * @param notFound deletes of ids that did not exist
 * @param lastSequence log sequence number of the write's last entry
 */
public record WriteResult(long written, long replaced, long notFound, long lastSequence) {}
