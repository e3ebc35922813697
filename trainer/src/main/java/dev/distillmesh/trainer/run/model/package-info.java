/**
 * What the trainer knows of a run, as plain immutable domain types: the spec it was started with
 * ({@link dev.distillmesh.trainer.run.model.RunSpec}, {@link
 * dev.distillmesh.trainer.run.model.HyperSettings}), a snapshot of its record ({@link
 * dev.distillmesh.trainer.run.model.RunStatus}), and its events ({@link
 * dev.distillmesh.trainer.run.model.RunEvent}: progress, evaluations, publishes, state changes)
 * with the {@link dev.distillmesh.trainer.run.model.RunWatcher} that follows them. They mirror the
 * TrainerService contract's messages; the {@code grpc} package maps between the two, and {@link
 * dev.distillmesh.trainer.run.model.RunStatusCodec} is how a record reaches disk.
 *
 * <p>Belongs here: values and the interfaces through which they leave the run. Does not belong
 * here: behaviour (that is {@code run}) or proto types.
 */
package dev.distillmesh.trainer.run.model;
