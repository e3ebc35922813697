/**
 * The teacher-service: the expensive judge the student learns from. {@link
 * dev.distillmesh.teacher.Teacher} is the backend contract, implemented by the embedded encoder
 * ensemble ({@code embedded}) and the Triton client ({@code triton}); {@code grpc} puts it on the
 * wire; {@link dev.distillmesh.teacher.TeacherLimits} is what a client may ask;
 * {@link dev.distillmesh.teacher.TeacherServer} is the process and its wiring (it builds, and
 * closes, the channel to Triton). The backend contract takes the project's {@code CallDeadline}:
 * gRPC types stay in {@code grpc}, {@code triton} (a client of Triton) and the wiring.
 */
package dev.distillmesh.teacher;
