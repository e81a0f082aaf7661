#!/bin/sh
# The R test suite under valgrind memcheck (`make valgrind`).
#
# Installs the package into a private library (never the default one), then runs each
# tests/testthat/test-<name>.R whose <name> matches VALGRIND_FILTER (an extended regular
# expression; default: every file) in its own `R -d valgrind` process, one log per file
# in VALGRIND_LOGDIR. The private library is VALGRIND_RLIB (not VALGRIND_LIB: valgrind
# itself reads that variable to find its tools). Fails if any file has memcheck errors or "definitely lost" leaks
# (tools/valgrind.supp documents what is suppressed and why), or failing tests.
#
#   make valgrind                                   # the whole suite (slow: ~1 h)
#   make valgrind VALGRIND_FILTER='^(metapool|nnt)$'
#   VALGRIND_SKIP_INSTALL=1 sh tools/valgrind.sh    # reuse the installed library
#   VALGRIND_OPTS=--track-origins=yes               # extra memcheck options
#
# Only metapool's frames matter: each log is also searched for error records whose
# stack passes through metapool's code (metapool.so or its sources), reported separately.
set -eu
cd "$(dirname "$0")/.."
sh tools/system_deps.sh /usr/bin/valgrind:valgrind

LIB=${VALGRIND_RLIB:-/tmp/metapool-valgrind-lib}
LOGDIR=${VALGRIND_LOGDIR:-/tmp/metapool-valgrind}
FILTER=${VALGRIND_FILTER:-.}
mkdir -p "$LIB" "$LOGDIR"
if [ "${VALGRIND_SKIP_INSTALL:-0}" != 1 ]; then
  R CMD INSTALL --preclean --no-multiarch -l "$LIB" . >"$LOGDIR/install.log" 2>&1 ||
    { cat "$LOGDIR/install.log"; exit 1; }
fi

export R_LIBS="$LIB${R_LIBS:+:$R_LIBS}"
export OMP_NUM_THREADS=1          # batch engines single-threaded: no OpenMP pool noise
export R_DEFAULT_INTERNET_TIMEOUT=1
VG="valgrind --tool=memcheck --leak-check=full --show-leak-kinds=definite \
--errors-for-leak-kinds=definite --error-exitcode=42 \
--suppressions=$(pwd)/tools/valgrind.supp ${VALGRIND_OPTS:-}"

status=0
summary="$LOGDIR/summary.txt"
: >"$summary"
for f in tests/testthat/test-*.R; do
  name=$(basename "$f" .R)
  name=${name#test-}
  echo "$name" | grep -Eq -- "$FILTER" || continue
  log="$LOGDIR/$name.log"
  start=$(date +%s)
  rc=0
  R -d "$VG --log-file=$log" --vanilla --no-echo -f tools/valgrind_tests.R \
    --args "^$name\$" >"$LOGDIR/$name.out" 2>&1 || rc=$?
  secs=$(( $(date +%s) - start ))
  errors=$(sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' "$log" | tail -n 1)
  definite=$(sed -n 's/.*definitely lost: \([0-9,]*\) bytes.*/\1/p' "$log" | tail -n 1)
  # Error and leak records (separated by "==pid== " lines) with a frame in metapool's
  # code: the shared object, or with debug info, the core's and glue's source files.
  ours=$(awk '/^==[0-9]+== *$/ { if (hit) n++; hit = 0; next }
              /metapool\.so|metapool::|core_[a-z_]+\.cpp|rcpp_[a-z_]+\.cpp|RcppExports\.cpp/ { hit = 1 }
              END { if (hit) n++; print n + 0 }' "$log")
  tests=$(grep -h '^valgrind-tests:' "$LOGDIR/$name.out" | sed 's/^valgrind-tests: [^:]*: //')
  line="$name: ${errors:-?} errors, ${definite:-0} bytes definitely lost, $ours records in metapool code; tests: ${tests:-none reported}; ${secs}s"
  echo "$line" | tee -a "$summary"
  if [ "$rc" -ne 0 ] || [ "${errors:-1}" != 0 ] || [ "$ours" != 0 ]; then status=1; fi
done
echo "logs in $LOGDIR; summary in $summary"
exit $status
