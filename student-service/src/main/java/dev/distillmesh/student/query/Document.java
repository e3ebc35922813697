package dev.distillmesh.student.query;

/** A passage or response to ingest: its id, its text, and optional metadata (a JSON object or ""). */
public record Document(String id, String text, String metadataJson) {}
