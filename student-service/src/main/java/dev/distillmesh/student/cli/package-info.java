/**
 * The student's command line ({@link dev.distillmesh.student.cli.StudentCli}): ask, respond,
 * ingest JSONL with a progress bar, show the model. A gRPC client only; no model code here.
 */
package dev.distillmesh.student.cli;
