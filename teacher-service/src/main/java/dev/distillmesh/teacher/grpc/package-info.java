/**
 * {@code TeacherService} on the wire: Score and Generate answered asynchronously, StreamScores with
 * manual flow control in both directions ({@link dev.distillmesh.teacher.grpc.ScoreStream}).
 */
package dev.distillmesh.teacher.grpc;
