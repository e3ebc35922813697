/**
 * The student-service process: configuration ({@link dev.distillmesh.student.StudentServerConfig})
 * and wiring ({@link dev.distillmesh.student.StudentServer}). Sub-packages: {@code adapter}
 * (trainable matrices), {@code query} (the domain: answer, respond, encode, ingest), {@code client}
 * (index-service, behind the domain's interface), {@code grpc} (the wire), {@code cli} (ask,
 * ingest). The ONNX encoder and its batching are the {@code encoder} module's.
 */
package dev.distillmesh.student;
