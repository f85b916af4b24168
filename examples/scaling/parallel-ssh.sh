#!/bin/sh
# parallel-ssh.sh: spread a jobs file over machines with GNU parallel and
# ssh. Chunks of LINES jobs go, on standard input, to `sandboxpy --batch -`
# on one machine at a time; its result lines come back on standard output
# and parallel writes each chunk's lines whole, so RESULTS is valid JSON lines.
#
#   usage: parallel-ssh.sh HOSTS JOBS.jsonl RESULTS.jsonl [LINES]
#
# HOSTS is a GNU parallel sshlogin file, one machine a line, e.g.
#   1/grader@node1.example.org
#   1/grader@node2.example.org
#   1/:                       # ":" is this machine, without ssh
# "1/" runs one batch at a time there; sandboxpy itself runs as many
# sandboxes as the machine has CPUs (--jobs). Every path named in the jobs
# must exist on every machine (a shared filesystem, or the same tree
# copied); sandboxpy must be installed on each (SANDBOXPY overrides the
# command). Afterwards, merge-results.py lists jobs without a result (a
# machine that failed) as missing.jsonl, to run again.
set -eu
[ $# -ge 3 ] || { echo "usage: $0 HOSTS JOBS.jsonl RESULTS.jsonl [LINES]" >&2; exit 2; }
hosts=$1 jobs=$2 results=$3 lines=${4:-200}
sbx=${SANDBOXPY:-sandboxpy}

# --retries: a chunk whose machine failed runs again (elsewhere if it can);
# a result written twice is harmless, merge-results.py keeps one per id.
parallel --pipe -N "$lines" --sshloginfile "$hosts" --retries 2 --sshdelay 0.1 \
	"$sbx" --batch - < "$jobs" > "$results"
