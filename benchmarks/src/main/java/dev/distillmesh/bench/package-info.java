/**
 * The index benchmark program: {@link dev.distillmesh.bench.IndexBenchmark} wires datasets and
 * systems together, {@link dev.distillmesh.bench.SearchBench} tunes each system to a recall target
 * and measures latency and throughput, {@link dev.distillmesh.bench.ResultTable} prints the table
 * and the ratios.
 *
 * <p>This is a program you run (scripts/bench-index.sh), not a test: nothing here asserts a time.
 * Dataset loading lives in {@code data}, one adapter per search system in {@code systems}.
 */
package dev.distillmesh.bench;
