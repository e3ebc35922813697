/**
 * Training runs, in plain domain types (no gRPC, no proto). {@link
 * dev.distillmesh.trainer.run.RunManager} is the facade: it starts, lists, stops and rolls back
 * runs, one training at a time, and resumes interrupted ones. Each run is a loop over named parts:
 *
 * <ul>
 *   <li>{@code Run}: the state machine and the step loop; {@code RunRecord}: what is known of the
 *       run ({@link dev.distillmesh.trainer.run.model.RunStatus} is its snapshot); {@code RunEvents}: its
 *       history and watchers; {@code RunDirectory}, {@code Checkpoint}: its files.
 *   <li>{@code QaWorkspace}, {@code DialogueWorkspace}: the task's data after encoding.
 *   <li>{@code LabelledSource}, {@code TrafficSource} (with {@code TrafficJournal}, over a
 *       {@code TrafficFeed}: {@code StudentTrafficFeed} here, the traffic topic's in
 *       {@code trainer.kafka}): batches.
 *   <li>{@code TopKObjective}, {@code G2rObjective}, {@code RdrObjective}, {@code
 *       RelationalObjective}, {@code DialogueG2rObjective}: what each objective makes of a batch;
 *       {@code Adapters}: the step over it.
 *   <li>{@code TeacherOracle}: the teacher's scores, cached and waited out; {@code
 *       ResponseGenerator}: teacher-generated responses.
 *   <li>{@code QaEvaluator}, {@code DialogueEvaluator} over {@code ExactScorer}: held-out metrics.
 *   <li>{@code Publisher} with {@code AdapterArchive} and {@code Reindexer}: versions, pending
 *       publishes, rollbacks, re-encoding the collection.
 * </ul>
 *
 * <p>Belongs here: everything about a run's behaviour. Does not belong here: wire formats (the
 * {@code grpc} package maps them, {@link dev.distillmesh.trainer.run.model.RunStatusCodec} is how a
 * record reaches disk) and remote calls (the {@code clients} package).
 */
package dev.distillmesh.trainer.run;
