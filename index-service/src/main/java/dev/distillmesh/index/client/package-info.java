/**
 * Client-side helpers for the index service's streaming calls, shared by the CLI and by other
 * services and programs that talk to it. Only gRPC stubs and messages; nothing of the store.
 */
package dev.distillmesh.index.client;
