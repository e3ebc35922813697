/**
 * TLS for every distillmesh server and client: {@link dev.distillmesh.common.tls.ServerTls} and
 * {@link dev.distillmesh.common.tls.ClientTls} say what to use (PEM file paths, read at start),
 * {@link dev.distillmesh.common.tls.Servers} and {@link dev.distillmesh.common.tls.Channels} are
 * the one place that builds server sockets and client channels from them, and
 * {@link dev.distillmesh.common.tls.PeerIdentity} names a verified client certificate for the
 * admin allow-list. The settings' names are in {@link dev.distillmesh.common.MeshOptions}.
 */
package dev.distillmesh.common.tls;
