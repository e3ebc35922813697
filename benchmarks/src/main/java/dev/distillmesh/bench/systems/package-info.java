/**
 * The systems being measured. Index benchmark: one adapter per search system behind {@link
 * dev.distillmesh.bench.systems.AnnSystem}: the index-service over gRPC (a separate JVM), FAISS
 * in-process through our JNI binding, Lucene HNSW and JVector; adapters build with the same HNSW
 * parameters ({@link dev.distillmesh.bench.systems.HnswParams}) and expose one "search effort"
 * knob each. Student benchmark: our services as separate JVMs ({@link
 * dev.distillmesh.testsupport.ServiceProcess}, shared with the integration tests), a client of the student ({@link
 * dev.distillmesh.bench.systems.StudentMeshClient}) and the same encoder and FAISS in this JVM
 * ({@link dev.distillmesh.bench.systems.EncoderFaissInProcess}).
 */
package dev.distillmesh.bench.systems;
