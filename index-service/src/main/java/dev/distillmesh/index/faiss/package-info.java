/**
 * The project's own JNI binding to FAISS: one Java class per native object ({@link
 * dev.distillmesh.index.faiss.FaissIndex}), one loader ({@link
 * dev.distillmesh.index.faiss.FaissNative}) and one exception type for native failures.
 *
 * <p>Belongs here: anything that crosses into native code, and argument checks that keep native
 * code from reading outside a Java array. Does not belong here: ids, payloads, tombstones,
 * persistence of records, gRPC — those live in {@code dev.distillmesh.index.store}.
 */
package dev.distillmesh.index.faiss;
