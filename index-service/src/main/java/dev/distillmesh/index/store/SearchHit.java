package dev.distillmesh.index.store;

/** One search result; payload is null unless requested. */
public record SearchHit(String id, float score, Payload payload) {}
