#!/bin/sh
# Builds the C++ core's own tests (tests/cpp) with -fsanitize=address,undefined
# and runs them with CTest (the core's unit tests and the randomised robustness driver). Needs cmake and GoogleTest (Debian: cmake,
# libgtest-dev); installs them with apt-get when missing and running as root.
set -eu
cd "$(dirname "$0")/.."
sh tools/system_deps.sh /usr/bin/cmake:cmake \
  /usr/lib/x86_64-linux-gnu/cmake/GTest/GTestConfig.cmake:libgtest-dev
EIGEN=$(Rscript -e 'cat(system.file("include", package = "RcppEigen"))')
BOOST=$(Rscript -e 'cat(system.file("include", package = "BH"))')
rm -rf tests/cpp/build
cmake -S tests/cpp -B tests/cpp/build -DEIGEN_INCLUDE="$EIGEN" -DBOOST_INCLUDE="$BOOST" \
  -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_COMPILER="${CXX:-g++}" >/dev/null
cmake --build tests/cpp/build -j 2
ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --test-dir tests/cpp/build --output-on-failure
# Case counts of the randomised robustness driver (tests/cpp/test_robustness.cpp), from
# the output CTest keeps of every test (quoted in tests/RELIABILITY.md).
grep -h '^\[robustness\]' tests/cpp/build/Testing/Temporary/LastTest.log || true
