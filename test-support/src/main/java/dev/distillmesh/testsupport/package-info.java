/**
 * What the integration tests and the benchmarks share to run the real thing: {@link
 * dev.distillmesh.testsupport.ServiceProcess} starts a packaged service as a child JVM and stops or
 * kills it. Belongs here: launching and observing processes. Does not belong here: anything a
 * service needs at run time (this module is never on a service's runtime class path), or gRPC
 * stubs of one service (a test wraps the process with the channel it needs).
 */
package dev.distillmesh.testsupport;
