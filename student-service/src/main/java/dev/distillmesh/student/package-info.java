/**
 * The student-service process: configuration ({@link dev.distillmesh.student.StudentServerConfig})
 * and wiring ({@link dev.distillmesh.student.StudentServer}). Sub-packages: {@code encoder} (ONNX
 * Runtime), {@code adapter} (trainable matrices), {@code batch} (dynamic batching), {@code query}
 * (the domain: answer, respond, encode, ingest), {@code grpc} (the wire), {@code cli} (ask, ingest).
 */
package dev.distillmesh.student;
