/**
 * Text to vectors: the ONNX Runtime encoder ({@link dev.distillmesh.encoder.OnnxEncoder}),
 * the description of where a model comes from ({@link dev.distillmesh.encoder.EncoderSpec}),
 * tokenization and pooling. Nothing here knows about gRPC, adapters or batching.
 */
package dev.distillmesh.encoder;
