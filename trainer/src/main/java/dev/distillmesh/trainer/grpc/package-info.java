/**
 * The TrainerService contract at the edge: {@link dev.distillmesh.trainer.grpc.TrainerGrpcService}
 * maps each request to the run's domain types ({@link
 * dev.distillmesh.trainer.grpc.RunMessages}), calls the {@link
 * dev.distillmesh.trainer.run.RunManager}, maps the answer back and reports every failure through
 * {@code GrpcErrors.toStatus}. The same mapping is the run record's on-disk format ({@link
 * dev.distillmesh.trainer.grpc.ProtoRunStatusCodec}).
 *
 * <p>Belongs here: the trainer's proto and gRPC server types, and the one check the domain types
 * cannot express (an enum value the contract does not name). Does not belong here: rules about
 * runs (those are in {@code run}, where the messages they raise are written).
 */
package dev.distillmesh.trainer.grpc;
