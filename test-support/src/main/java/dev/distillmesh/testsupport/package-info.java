/**
 * What the tests and the benchmarks share to exercise the real thing: {@link
 * dev.distillmesh.testsupport.ServiceProcess} starts a packaged service as a child JVM and stops or
 * kills it; {@link dev.distillmesh.testsupport.RawCalls} calls a gRPC method with request bytes of
 * the test's choosing, as a broken client would. Belongs here: launching and observing processes,
 * talking to any service the way no generated stub can. Does not belong here: anything a service
 * needs at run time (this module is never on a service's runtime class path), gRPC stubs of one
 * service (a test wraps the process with the channel it needs), or anything from our other modules
 * (common uses this module in its tests, so it depends on none of them).
 */
package dev.distillmesh.testsupport;
