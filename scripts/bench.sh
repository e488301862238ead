#!/usr/bin/env bash
# The benchmark suite: prints one table per area, with the machine noted.
set -euo pipefail
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo), $(go version | cut -d' ' -f3-4)"
echo "No benchmarks exist yet."
