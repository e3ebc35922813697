/**
 * Benchmark datasets: MiniLM embeddings of the shared evaluation texts (encoded once, cached as
 * little-endian float32 files under ~/.cache/distillmesh/bench), clustered synthetic unit vectors,
 * exact ground truth, and the SQuAD-dev texts themselves ({@link dev.distillmesh.bench.data.Squad})
 * for benchmarks that encode through a service. Nothing here knows about the systems being
 * measured.
 */
package dev.distillmesh.bench.data;
