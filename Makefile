# Thin wrappers so a newcomer needs two commands: `make run` and `make test`.
# The real build is CMake (CMakeLists.txt); see docs/build.md.
BUILD      ?= build
ASAN_BUILD ?= build-asan
FUZZ_BUILD ?= build-fuzz
JOBS       ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=
# The warm pool (docs/batch.md): each build's whole suite runs with every
# CLI run's interpreter forked from a pool (SANDBOXPY_POOL=on) or started
# fresh (off). make test runs the normal build with it off and the
# sanitizer build with it on, so each way is run whole once and the pool
# under the sanitizers; make test-both-ways runs all four.
POOL_NORMAL ?= off
POOL_ASAN   ?= on

.PHONY: all deps build build-asan run test test-normal test-asan test-both-ways fuzz fuzz-build events-doc report-man bench memcheck deb compat clean

all: build

deps:
	@scripts/install-deps

build: deps
	cmake -S . -B $(BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null
	cmake --build $(BUILD) -j $(JOBS)

build-asan: deps
	cmake -S . -B $(ASAN_BUILD) -DCMAKE_BUILD_TYPE=Debug -DSANDBOXPY_SANITIZE=ON $(CMAKE_FLAGS) >/dev/null
	cmake --build $(ASAN_BUILD) -j $(JOBS)

# Runs the demo under the default policy and says where the report is.
run: build
	@cd examples && ../$(BUILD)/sandboxpy --report ../$(BUILD)/hello-report.json hello.py; \
	 st=$$?; echo; echo "make run: sandboxpy exited $$st; report: $(BUILD)/hello-report.json"

test-normal: build
	cd $(BUILD) && SANDBOXPY_POOL=$(POOL_NORMAL) ctest --output-on-failure -j $(JOBS)

test-asan: build-asan
	cd $(ASAN_BUILD) && SANDBOXPY_POOL=$(POOL_ASAN) ctest --output-on-failure -j $(JOBS)

# Both builds, each with the pool off and on (about twice make test's time).
test-both-ways:
	$(MAKE) test-normal test-asan POOL_NORMAL=off POOL_ASAN=off
	$(MAKE) test-normal test-asan POOL_NORMAL=on POOL_ASAN=on

fuzz-build: deps
	CC=clang cmake -S . -B $(FUZZ_BUILD) -DCMAKE_BUILD_TYPE=RelWithDebInfo -DSANDBOXPY_FUZZ=ON -DSANDBOXPY_TESTS=OFF >/dev/null
	cmake --build $(FUZZ_BUILD) -j $(JOBS)

# Each fuzz target for FUZZ_SECONDS, seeded from the test policies; any
# crash fails the target and leaves its input in $(FUZZ_BUILD)/crashes.
fuzz: fuzz-build
	tests/fuzz/run-fuzzers $(FUZZ_BUILD) $(FUZZ_SECONDS)

test: test-normal test-asan fuzz
	@echo "make test: all configurations passed"

# valgrind memcheck over what valgrind can run (tests/memcheck/run says
# what, and why the sandbox itself cannot run under Debian's valgrind).
memcheck: build
	@scripts/install-deps valgrind
	tests/memcheck/run $(BUILD)

# Benchmarks: ratios measured in one run, printed as a table and written
# to bench/results.json (docs/performance.md). Never part of make test.
bench: build
	@scripts/install-deps hyperfine bubblewrap firejail
	/usr/bin/python3 bench/bench.py $(BUILD)

# CPython's own regression tests bare and inside sandboxpy, test by test
# (docs/compat.md); ctest runs a quick subset as compat.quick.
compat: build
	SANDBOXPY=$(BUILD)/sandboxpy /usr/bin/python3 tests/compat/run.py --jobs 2

# Regenerates docs/events.md from the event table and docs/rules.md from the
# rule registry (tests check they agree).
events-doc: build
	$(BUILD)/tests/gen-events-md > docs/events.md
	$(BUILD)/tests/gen-rules-md > docs/rules.md

# Regenerates the REPORT section of docs/man/sandboxpy.1.scd from the
# descriptions in docs/report.schema.json (a test checks they agree).
report-man:
	/usr/bin/python3 tools/gen-report-man.py

# The Debian package (docs/build.md "Installing and linking"):
# $(BUILD)/sandboxpy_VERSION_ARCH.deb. Check it with dpkg-deb -I / -c.
deb: build
	cd $(BUILD) && cpack -G DEB

clean:
	rm -rf $(BUILD) $(ASAN_BUILD) $(FUZZ_BUILD)
