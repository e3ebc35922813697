/**
 * The CPU teacher: an ensemble of ONNX sentence encoders giving RELEVANCE, with a bounded cache of
 * candidate embeddings so candidates seen before cost a dot product.
 */
package dev.distillmesh.teacher.embedded;
