/**
 * The trainer's command line client ({@code scripts/trainer-cli.sh}): starts, watches, stops and
 * rolls back runs over the TrainerService contract.
 *
 * <p>Belongs here: argument parsing and printing for people. Does not belong here: anything the
 * server does; the CLI knows the trainer only through its gRPC contract.
 */
package dev.distillmesh.trainer.cli;
