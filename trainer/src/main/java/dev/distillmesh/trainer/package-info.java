/**
 * The trainer process: its configuration ({@link dev.distillmesh.trainer.TrainerServerConfig},
 * parsed once), its wiring ({@link dev.distillmesh.trainer.TrainerServer}: the channels to the
 * student, the teacher and the index, the run manager, the gRPC server with health and
 * reflection) and its Prometheus metrics.
 *
 * <p>Belongs here: building and closing what the process owns. Does not belong here: training
 * (that is {@code run}), wire mapping ({@code grpc}), calls to other services ({@code clients}).
 */
package dev.distillmesh.trainer;
