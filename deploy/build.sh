#!/usr/bin/env bash
# Build the container image from the repository root: deploy/build.sh [tag]
# (not run by .ci/run: CI stays fast and works offline).
set -euo pipefail
cd "$(dirname "$0")/.."
tag="${1:-objectry:$(git describe --tags --always --dirty 2>/dev/null || echo dev)}"
docker build --file deploy/Dockerfile --tag "$tag" .
echo "built $tag"
