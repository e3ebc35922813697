/**
 * Dynamic batching: {@link dev.distillmesh.common.batch.DynamicBatcher} turns concurrent single
 * requests into batched model runs, with a bounded wait and a bounded queue. Generic; knows
 * nothing of models or gRPC.
 */
package dev.distillmesh.common.batch;
