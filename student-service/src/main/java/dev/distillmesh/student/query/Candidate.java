package dev.distillmesh.student.query;

/** One retrieved passage or response: its id, stored text and metadata, and the student score. */
public record Candidate(String id, String text, float score, String metadataJson) {}
