/**
 * {@code index-cli}: a command-line client of a running index service (create, upsert JSONL,
 * search, get, delete, stats, list, drop). Talks gRPC only; knows nothing of the store.
 */
package dev.distillmesh.index.cli;
