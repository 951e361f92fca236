# Thin wrapper over CMake. `make run` and `make test` are the two commands
# a fresh Debian 12 machine needs (see README.md).
BUILD ?= build
JOBS ?= 2
CMAKE_FLAGS ?= -DCMAKE_BUILD_TYPE=RelWithDebInfo
FUZZ_SECONDS ?= 20
PREFIX ?= /usr/local

.PHONY: all bootstrap build run test test-fast test-asan fuzz bench clean format install

all: build

bootstrap:
	@scripts/bootstrap

build:
	@cmake -S . -B $(BUILD) $(CMAKE_FLAGS) >/dev/null
	@cmake --build $(BUILD) -j$(JOBS)

# The demo's pictures are kept in $(BUILD)/demo (the run says where).
run: bootstrap build
	./$(BUILD)/atelier demo -o $(BUILD)/demo --force

# Every test: the suite, the suite's unit tests again under ASan+UBSan,
# and a short libFuzzer run of each parser.
test: bootstrap build
	@scripts/check-format
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) --timeout 1200
	$(MAKE) --no-print-directory test-asan
	$(MAKE) --no-print-directory fuzz

test-fast: build
	cd $(BUILD) && ctest --output-on-failure -j$(JOBS) -L unit

test-asan:
	@CC=gcc cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DATELIER_SANITIZE=ON >/dev/null
	@cmake --build build-asan -j$(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
		ctest --output-on-failure -j$(JOBS) -L unit

fuzz:
	@CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DATELIER_FUZZ=ON -DATELIER_WERROR=OFF >/dev/null
	@cmake --build build-fuzz -j$(JOBS)
	@scripts/fuzz-run build-fuzz $(FUZZ_SECONDS)

# PREFIX/bin/{atelier,atelier-engine} and PREFIX/share/atelier/ (the data
# the programs find relative to themselves), staged under DESTDIR if set.
install: build
	DESTDIR="$(DESTDIR)" cmake --install $(BUILD) --prefix "$(PREFIX)"

bench: build
	@for b in bench/*/run; do echo "== $$b"; $$b || exit 1; done

# The house style (.clang-format) over every C file but the generated
# tables; `make test` checks it first.
format:
	@scripts/check-format --fix

clean:
	rm -rf $(BUILD) build-asan build-fuzz
