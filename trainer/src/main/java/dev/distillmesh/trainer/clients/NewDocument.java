package dev.distillmesh.trainer.clients;

/** A document the run adds to a served collection through the student (it encodes and upserts it). */
public record NewDocument(String id, String text, String metadataJson) {}
