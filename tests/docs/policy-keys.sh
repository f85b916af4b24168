#!/bin/sh
# Every key of the rule registry (docs/rules.md, generated from it) has its
# own entry ("- `key` ...") in docs/policy.md. Usage: policy-keys.sh GEN-RULES-MD POLICY-MD
gen=$1 doc=$2 missing=0
for k in $("$gen" | sed -n 's/^| `[a-z_.]*` | `\([a-z_]*\.[a-z_]*\)`.*/\1/p'); do
	if ! grep -q "^- \`${k#*.}\`" "$doc"; then
		echo "docs/policy.md does not describe $k (no line starting with - \`${k#*.}\`)" >&2
		missing=1
	fi
done
exit $missing
