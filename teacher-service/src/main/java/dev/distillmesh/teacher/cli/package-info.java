/**
 * {@code teacher-cli}: a command-line client of a running teacher-service (score, generate, info),
 * for operators and scripts. It speaks only the public {@code TeacherService} rpcs, so it belongs
 * with no backend and knows nothing of how the teacher scores; exit codes are 0 ok, 1 the call
 * failed, 2 usage error.
 */
package dev.distillmesh.teacher.cli;
