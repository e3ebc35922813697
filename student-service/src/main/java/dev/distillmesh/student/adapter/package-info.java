/**
 * The trainable part of the query side: {@link dev.distillmesh.student.adapter.Adapter} (a matrix
 * on top of the frozen backbone) and {@link dev.distillmesh.student.adapter.AdapterStore}, which
 * holds one context adapter per collection, persists its versions and swaps them atomically. A
 * collection's response adapter is not here: the index projects the collection's base vectors with
 * it. No model execution and no gRPC here.
 */
package dev.distillmesh.student.adapter;
