/**
 * The benchmark programs. Index benchmark: {@link dev.distillmesh.bench.IndexBenchmark} wires
 * datasets and systems together, {@link dev.distillmesh.bench.SearchBench} tunes each system to a
 * recall target and measures latency and throughput, {@link dev.distillmesh.bench.ResultTable}
 * prints the table and the target ratios. Student benchmark: {@link
 * dev.distillmesh.bench.StudentBenchmark} measures the student's Answer over the mesh against the
 * same encoder and FAISS in-process, with {@link dev.distillmesh.bench.ClosedLoop} driving the
 * calls and {@link dev.distillmesh.bench.StudentReport} printing the table and ratios.
 *
 * <p>These are programs you run (scripts/bench-index.sh, scripts/bench-student.sh), not tests:
 * nothing here asserts a time. Dataset loading lives in {@code data}, one adapter per measured
 * system in {@code systems}.
 */
package dev.distillmesh.bench;
