/**
 * The collection-scale distillation benchmark ({@link
 * dev.distillmesh.bench.scale.CollectionScaleBenchmark}, run with
 * scripts/bench-collection-scale.sh): the mesh's processes ({@link dev.distillmesh.bench.scale.ScaleMesh}),
 * one TRAFFIC run with the trainer's memory sampled ({@link dev.distillmesh.bench.scale.TrafficRun},
 * {@link dev.distillmesh.bench.scale.RssSampler}), the index's Reproject under query load ({@link
 * dev.distillmesh.bench.scale.ReprojectProbe}) and the tables with their targets ({@link
 * dev.distillmesh.bench.scale.ScaleReport}). The corpus itself is {@link
 * dev.distillmesh.bench.data.ScaleCorpus}. A program, not a test: nothing here asserts a time.
 */
package dev.distillmesh.bench.scale;
