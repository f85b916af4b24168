#!/bin/sh
# check.runtime_symbols: the runtime preloaded into python3.11 (child/rt.c)
# exports __libc_start_main alone (and LeakSanitizer's switch in the
# sanitizer build), and needs nothing but glibc and the C API that the
# interpreter itself exports: no library of ours or of the supervisor's
# (jansson, libseccomp) is loaded into the program's process.
#   check-runtime-symbols.sh RUNTIME PYTHON3.11
set -eu
rt=$1 py=$2
fail=0
exported=$(nm -D --defined-only "$rt" | awk '{print $3}' | grep -v '^__lsan_is_turned_off$' | sort -u)
if [ "$exported" != "__libc_start_main" ]; then
	echo "$rt exports more than __libc_start_main:" >&2
	echo "$exported" >&2
	fail=1
fi
pyexports=$(mktemp)
trap 'rm -f "$pyexports"' EXIT
nm -D --defined-only "$py" | awk '{print $3}' | sort -u >"$pyexports"
for sym in $(nm -D --undefined-only "$rt" | awk '{print $2}'); do
	case $sym in
	*@GLIBC_*|*@GCC_*|__gmon_start__|_ITM_*|__cxa_finalize*) continue ;;
	*@*) echo "$rt needs $sym from a library the interpreter does not load" >&2; fail=1 ;;
	*) grep -qx "$sym" "$pyexports" || { echo "$rt needs $sym, which $py does not export" >&2; fail=1; } ;;
	esac
done
needed=$(readelf -d "$rt" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' | tr '\n' ' ')
for lib in $needed; do
	case $lib in
	libc.so.6|ld-linux-x86-64.so.2|libasan.so.*|libubsan.so.*|libm.so.6|libstdc++.so.*|libgcc_s.so.1) ;;
	*) echo "$rt links $lib" >&2; fail=1 ;;
	esac
done
[ $fail -eq 0 ] && echo "runtime: exports __libc_start_main, needs glibc and $(nm -D --undefined-only "$rt" | grep -c ' Py\| _Py') interpreter symbols"
exit $fail
