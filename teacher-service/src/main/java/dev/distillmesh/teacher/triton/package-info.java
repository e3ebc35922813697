/**
 * The Triton teacher backend: {@link dev.distillmesh.teacher.triton.TritonTeacher} scores and
 * generates with language models served by NVIDIA Triton Inference Server, over the KServe v2 /
 * Open Inference Protocol gRPC API ({@code inference.GRPCInferenceService}, compiled from
 * {@code proto/src/main/proto/inference/grpc_service.proto}). The model repository it expects is in
 * {@code deploy/triton/}.
 */
package dev.distillmesh.teacher.triton;
