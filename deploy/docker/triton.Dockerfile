# syntax=docker/dockerfile:1
#
# NVIDIA Triton with the teacher's model repository (deploy/triton/model_repository) and what its
# Python-backend models import. From the repository root:
#
#   docker build -f deploy/docker/triton.Dockerfile -t distillmesh/triton:0.1.0 .
#
# The stock image lacks PyTorch and transformers; installing them here rather than when the
# container starts means a pod needs no package index and starts the same way every time. The
# model repository is Python code and configuration that follows the teacher's tensor contracts,
# so it ships in the image with the release it belongs to. The weights are not in the image: the
# models download them from the Hugging Face Hub on first load into HF_HOME (put a volume there).
ARG TRITON_VERSION=24.12
FROM nvcr.io/nvidia/tritonserver:${TRITON_VERSION}-py3

# Recent pip refuses to install into a distribution's Python without this; older pip ignores it.
ENV PIP_BREAK_SYSTEM_PACKAGES=1
RUN pip install --no-cache-dir torch transformers

COPY deploy/triton/model_repository /models
ENV HF_HOME=/var/cache/huggingface
RUN mkdir -p /var/cache/huggingface && chown 1000:1000 /var/cache/huggingface

# The image's own unprivileged user ("triton-server"), numeric for runAsNonRoot.
USER 1000
# 8000 HTTP (health: /v2/health/ready), 8001 gRPC (what the teacher calls), 8002 metrics.
EXPOSE 8000 8001 8002
CMD ["tritonserver", "--model-repository=/models"]
