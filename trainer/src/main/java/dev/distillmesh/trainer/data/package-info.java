/**
 * The data files of a run: where they may be read from ({@link dev.distillmesh.trainer.data.DataRoots}),
 * how they are read (bounded JSONL: file size, line length and line count are capped, so no file
 * can exhaust the trainer's memory) and what a QA or dialogue dataset is once read. Nothing here
 * talks to another service; error messages name the file and line, never the file's contents.
 */
package dev.distillmesh.trainer.data;
