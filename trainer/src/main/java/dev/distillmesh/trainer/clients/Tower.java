package dev.distillmesh.trainer.clients;

/** The student's two towers: the one that encodes contexts (queries) and the one that encodes responses. */
public enum Tower {
  CONTEXT,
  RESPONSE;

  dev.distillmesh.proto.student.v1.Tower toProto() {
    return this == CONTEXT ? dev.distillmesh.proto.student.v1.Tower.TOWER_CONTEXT
        : dev.distillmesh.proto.student.v1.Tower.TOWER_RESPONSE;
  }
}
