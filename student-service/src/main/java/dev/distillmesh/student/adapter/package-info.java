/**
 * The trainable part of each tower: {@link dev.distillmesh.student.adapter.Adapter} (a matrix on
 * top of the frozen backbone) and {@link dev.distillmesh.student.adapter.AdapterStore}, which
 * persists versions and swaps them atomically. No model execution and no gRPC here.
 */
package dev.distillmesh.student.adapter;
