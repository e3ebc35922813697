/**
 * The trainer's side of the services it calls: the student ({@link
 * dev.distillmesh.trainer.clients.StudentLink}), the teacher ({@link
 * dev.distillmesh.trainer.clients.TeacherLink}) and the index ({@link
 * dev.distillmesh.trainer.clients.IndexLink}). Each takes a {@link io.grpc.Channel} its caller
 * owns, gives every call a deadline, maps requests and answers between the contracts' messages and
 * the small domain types here ({@link dev.distillmesh.trainer.clients.Tower}, {@link
 * dev.distillmesh.trainer.clients.TeacherInfo}, …), and turns a failed call into a {@link
 * dev.distillmesh.common.DomainException} through the one mapping, {@link
 * dev.distillmesh.common.RemoteErrors}.
 *
 * <p>Belongs here: everything that knows another service's proto or gRPC. Does not belong here:
 * retry policy for domain work (the run decides, with {@code common.resilience.Backoff}) or what
 * the answers mean for training.
 */
package dev.distillmesh.trainer.clients;
