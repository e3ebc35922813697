/**
 * The mathematics of distillation, with no I/O: the tower adapters ({@link
 * dev.distillmesh.trainer.learn.QueryAdapter}), the listwise loss every objective reduces to and
 * its hand-written gradients ({@link dev.distillmesh.trainer.learn.ListwiseLoss}, checked against
 * finite differences in the tests), softmax and top-k ({@link
 * dev.distillmesh.trainer.learn.Distributions}) and the optimizer ({@link
 * dev.distillmesh.trainer.learn.Adam}).
 *
 * <p>Belongs here: pure functions and the state they update. Does not belong here: choosing
 * candidates or asking the teacher (that is an objective in {@code run}).
 */
package dev.distillmesh.trainer.learn;
