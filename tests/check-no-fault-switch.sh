#!/bin/sh
# check-no-fault-switch.sh FAULTS_BINARY FILE...: the test-only fault
# points (include/sbx_fault.h) are in the sandboxpy-faults binary and in
# none of FILE (sandboxpy, libsandboxpy.so and .a, the internal archives):
# no sbx_fault symbol, local or global, no SANDBOXPY_FAULT variable, no
# layer name only a fault point uses.
set -u
marks='SANDBOXPY_FAULT|supervisor-crash|notify-stall|chan-gap|chan-repeat|listener-twice|no-listener|landlock-abi3|no-view'
has_switch() {
	nm -a "$1" 2>/dev/null | grep -Eq ' sbx_fault(_injected)?$' && return 0
	strings -a "$1" | grep -Eq "$marks"
}
faults=$1
shift
# The control: the check finds the switch where it is.
if ! has_switch "$faults"; then
	echo "check-no-fault-switch: no fault switch found in $faults: the check is blind" >&2
	exit 1
fi
rc=0
for f in "$@"; do
	if [ ! -e "$f" ]; then
		echo "check-no-fault-switch: $f not built" >&2
		rc=1
	elif has_switch "$f"; then
		echo "check-no-fault-switch: $f contains the test-only fault switch:" >&2
		nm -a "$f" 2>/dev/null | grep -E ' sbx_fault(_injected)?$' >&2
		strings -a "$f" | grep -E "$marks" >&2
		rc=1
	fi
done
exit $rc
