/**
 * Reading a run's data files: QA passages and questions ({@link dev.distillmesh.trainer.data.QaData}),
 * dialogue pairs and held-out examples ({@link dev.distillmesh.trainer.data.DialogueData}), and the
 * held-out split. Errors name the file and the line.
 *
 * <p>Belongs here: parsing and splitting files into plain records. Does not belong here: encoding,
 * batching or anything that calls another service (that is {@code run}).
 */
package dev.distillmesh.trainer.data;
