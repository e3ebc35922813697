/**
 * The Triton teacher backend: {@link dev.distillmesh.teacher.triton.TritonTeacher} scores and
 * generates with language models served by NVIDIA Triton Inference Server, over the KServe v2 /
 * Open Inference Protocol gRPC API ({@code inference.GRPCInferenceService}, compiled from
 * {@code proto/src/main/proto/inference/grpc_service.proto}). The model repository it expects is in
 * {@code deploy/triton/}.
 *
 * <p>The parts, one job each: {@code TritonTeacher} is the facade implementing {@code Teacher};
 * {@code TritonReadiness} polls the server's and the models' readiness and checks their metadata
 * against each role's {@code ModelContract}; {@code PairScorer} batches (context, response) pairs
 * to the scorer and the selector; {@code MutualInformation} adds the dummy-context baseline and its
 * cache; {@code KServeCodec} builds the ModelInfer requests and reads the outputs, with {@code
 * TensorCodec} for raw tensor contents; {@code TritonClient} makes the rpcs and maps Triton's
 * statuses to domain failures. The package is a client of Triton and may use gRPC; it does not
 * build or close the channel, which the server's wiring ({@code TeacherServer}) owns. Does not
 * belong here: anything about the teacher's own rpcs (package {@code grpc}).
 */
package dev.distillmesh.teacher.triton;
