#!/usr/bin/python3
"""merge-results.py: join the result files of many machines or tasks into
one, keep one result per job id (the last one seen, so a retried shard
replaces its first attempt), and list the jobs of JOBS.jsonl that have no
result, as a jobs file to run again.

    merge-results.py JOBS.jsonl RESULTS.jsonl... > merged.jsonl
    exit 0: every job has a result; 1: missing.jsonl lists those that do not
"""
import json
import sys


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    jobs_path, result_paths = sys.argv[1], sys.argv[2:]
    results = {}
    for path in result_paths:
        with open(path, encoding="utf-8") as f:
            for line in f:
                if line.strip():
                    r = json.loads(line)
                    results[r.get("id")] = line if line.endswith("\n") else line + "\n"
    missing = []
    with open(jobs_path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            try:
                job_id = json.loads(line).get("id")
            except (ValueError, AttributeError):
                continue        # a malformed line: sandboxpy reports it itself
            if job_id not in results:
                missing.append(line if line.endswith("\n") else line + "\n")
    sys.stdout.writelines(results.values())
    with open("missing.jsonl", "w", encoding="utf-8") as f:
        f.writelines(missing)
    failed = sum(1 for l in results.values()
                 if (json.loads(l).get("report") or {}).get("status") != "ok")
    print(f"{len(results)} results ({failed} not ok), {len(missing)} jobs without a result"
          + (" (in missing.jsonl)" if missing else ""), file=sys.stderr)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main())
