/**
 * Benchmark datasets: MiniLM embeddings of the shared evaluation texts (encoded once, cached as
 * little-endian float32 files under ~/.cache/distillmesh/bench), clustered synthetic unit vectors,
 * and exact ground truth. Nothing here knows about the systems being measured.
 */
package dev.distillmesh.bench.data;
