package dev.distillmesh.teacher;

/**
 * How to sample candidates; defaults already applied and ranges checked by {@link TeacherLimits}.
 *
 * @param n candidates per context, 1..64
 * @param topK 0 (off) or the number of most likely tokens to sample from
 * @param topP nucleus mass in (0, 1]
 * @param temperature in (0, 10]
 * @param minLength new tokens before end-of-sequence is allowed
 * @param maxTokens most new tokens per candidate
 * @param seed 0 for a random seed
 */
public record Sampling(int n, int topK, float topP, float temperature, int minLength, int maxTokens, long seed) {}
