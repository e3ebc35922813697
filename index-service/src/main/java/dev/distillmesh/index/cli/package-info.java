/**
 * {@code index-cli}: a command-line client of a running index service (create, upsert JSONL,
 * search, get, delete, stats, list, drop), which talks gRPC only, and {@code repair}, which works
 * offline on a stopped service's files through the store's public {@code Repair} (an admin RPC
 * could not help: a damaged collection is exactly one the running service refuses to open, and
 * rewriting files under a running service would race it; the data directory's lock keeps the two
 * apart).
 */
package dev.distillmesh.index.cli;
