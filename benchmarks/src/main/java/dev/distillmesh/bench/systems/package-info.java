/**
 * One adapter per search system behind {@link dev.distillmesh.bench.systems.AnnSystem}: the
 * index-service over gRPC (a separate JVM), FAISS in-process through our JNI binding, Lucene HNSW
 * and JVector. Adapters build with the same HNSW parameters ({@link
 * dev.distillmesh.bench.systems.HnswParams}) and expose one "search effort" knob each.
 */
package dev.distillmesh.bench.systems;
