/**
 * The vector store behind the index service: collections of records (id, vector, payload), each
 * served by one FAISS index <em>generation</em>, persisted as snapshot + append-only log.
 *
 * <p>Belongs here: validation of records and queries, durability (log, snapshots, recovery),
 * tombstones, compaction and generation swaps. Does not belong here: gRPC types (see {@code
 * dev.distillmesh.index.grpc}) and native code (see {@code dev.distillmesh.index.faiss}).
 *
 * <p>Who does what: a {@link dev.distillmesh.index.store.Collection} holds the write rules and
 * the calls the service makes; its {@code CollectionLog} the sequence numbers, the log and the
 * checkpoints; its {@code GenerationSwap} the serving generation and its replacement (rebuild,
 * compaction). A {@link dev.distillmesh.index.store.Generation} keeps a FAISS index and its {@code
 * SlotTable} (ids, payloads, tombstones) in step; {@code GenerationSearch} searches it past its
 * tombstones and {@code SlotPages} lists its records.
 *
 * <p>Base vectors, in one place: a collection created to keep them stores each record's base vector
 * (in the log, as an entry type of its own; in snapshots; on the heap in its {@code SlotTable},
 * the one in-memory copy) and serves {@code P·base} with its generation's {@link
 * dev.distillmesh.index.store.Projection} (the identity until a Reproject), kept beside the
 * generation's config by {@code ConfigFiles}. {@code Reprojection} fills a new generation from the
 * stored base vectors with a new matrix; {@code GenerationSwap} installs it as it does a rebuild.
 * {@code RecordVectors} reads a record's vectors back for include_vectors without copying them.
 *
 * <p>Concurrency model, in one place: each {@link dev.distillmesh.index.store.Collection} has a
 * single writer at a time (its {@code writeLock}, which also guards its log and swap); searches
 * never take it. A search pins the current {@link dev.distillmesh.index.store.Generation} with a
 * reference count, so a swap never frees an index under a running search. Listing records takes the write lock only for the moment
 * it pins the generation and reads the last sequence, so that the two agree.
 *
 * <p>Damage, in one place: recovery cuts only a torn log tail (an append that never completed) and
 * deletes only a create carrying its {@code CREATING} marker; anything else that does not verify (a
 * log entry followed by valid ones, a damaged {@code CURRENT}, snapshot or config) leaves the files
 * untouched and the collection <em>damaged</em> (refused, listed, logged) while the others serve. A
 * damaged FAISS file is rebuilt from the snapshot's vectors. {@link
 * dev.distillmesh.index.store.Repair} is the explicit, offline way back, under {@link
 * dev.distillmesh.index.store.DataDirLock}.
 */
package dev.distillmesh.index.store;
