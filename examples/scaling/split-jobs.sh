#!/bin/sh
# split-jobs.sh: cut a jobs file into N shards of whole lines, for engines
# that hand one file to each task (a Slurm array, a Kubernetes indexed Job).
#   usage: split-jobs.sh JOBS.jsonl N OUTDIR
# writes OUTDIR/jobs.000.jsonl ... jobs.(N-1).jsonl (GNU split: no line is
# cut, shards differ by at most one line's worth of bytes).
set -eu
[ $# -eq 3 ] || { echo "usage: $0 JOBS.jsonl N OUTDIR" >&2; exit 2; }
jobs=$1 n=$2 out=$3
mkdir -p "$out"
split -n "l/$n" -d -a 3 --additional-suffix=.jsonl "$jobs" "$out/jobs."
ls "$out"/jobs.*.jsonl | wc -l | sed 's/$/ shards/' >&2
