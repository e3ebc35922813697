package dev.distillmesh.student.query;

import java.util.List;

/**
 * The answer to one Answer or Respond call.
 *
 * @param candidates best first
 * @param input what the model saw of the query
 * @param contextAdapterVersion adapter version that encoded the query (0 = identity)
 * @param indexGeneration index generation searched
 */
public record QueryResult(List<Candidate> candidates, InputReport input, long contextAdapterVersion,
    long indexGeneration) {}
