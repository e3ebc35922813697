/**
 * The student's gRPC edge: one thin {@code *GrpcService} per proto service. They validate through
 * the domain classes of {@code query}, answer asynchronously, and map every failure to a status in
 * one place ({@link dev.distillmesh.common.GrpcErrors}). No model or index logic here.
 */
package dev.distillmesh.student.grpc;
