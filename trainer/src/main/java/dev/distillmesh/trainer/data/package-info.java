/**
 * Reading a run's data files: where they may be read from ({@link dev.distillmesh.trainer.data.DataRoots}),
 * how they are read (bounded JSONL: file size, line length and line count are capped, so no file can
 * exhaust the trainer's memory), QA questions ({@link dev.distillmesh.trainer.data.QaData}),
 * dialogue pairs and held-out examples ({@link dev.distillmesh.trainer.data.DialogueData}), and the
 * held-out split. Errors name the file and the line, never the file's contents.
 *
 * <p>Belongs here: resolving, parsing and splitting files into plain records. Does not belong here:
 * encoding, batching or anything that calls another service (that is {@code run}).
 */
package dev.distillmesh.trainer.data;
