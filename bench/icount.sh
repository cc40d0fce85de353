#!/usr/bin/env bash
# icount.sh: instructions per operation of benchmark cases, counted by
# valgrind's callgrind. Counts do not depend on what else the machine is
# doing, which wall-clock times on a shared box do: they are how RESULTS.md
# compares cases when the box is loaded. Each case runs at N and 2N
# operations; the difference over N cancels the setup that does not grow
# with N.
#
#   bash icount.sh 'Request/(floor|memory|memory-store|cookie)' [N]
#   bash icount.sh --callback 'gindance|zitadel' [N]
#
# --callback subtracts BenchmarkCallbackSetup's count from
# BenchmarkCallback's: BenchmarkCallback starts and authorizes each op's
# login before its timer, which a count cannot leave out otherwise.
set -euo pipefail
cd "$(dirname "$0")"
command -v valgrind >/dev/null || { echo "icount.sh: needs valgrind (Debian package valgrind)" >&2; exit 1; }
bin=${TMPDIR:-/tmp}/gindance-bench-icount.test
go test -c -o "$bin" .

# count BENCH_REGEX N [callgrind options...]: total instructions of one run.
count() {
	local re=$1 n=$2; shift 2
	# async preemption signals trip callgrind; one P keeps runs alike.
	GODEBUG=asyncpreemptoff=1 GOMAXPROCS=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" \
		"$bin" -test.run '^$' -test.bench "$re" -test.benchtime "${n}x" 2>&1 | sed -n 's/.*Collected : //p'
}
# perop BENCH_REGEX N [options...]: instructions per op, (I(2N) - I(N)) / N.
perop() {
	local re=$1 n=$2; shift 2
	local a b
	a=$(count "$re" "$n" "$@")
	b=$(count "$re" $((2 * n)) "$@")
	echo $(((b - a) / n))
}

if [ "${1:-}" = --callback ]; then
	cases=$2 n=${3:-1000}
	for c in ${cases//|/ }; do
		all=$(perop "^BenchmarkCallback/$c\$" "$n")
		setup=$(perop "^BenchmarkCallbackSetup/$c\$" "$n")
		printf 'Callback/%s\t%d instructions/op (with its setup %d, setup %d)\n' "$c" $((all - setup)) "$all" "$setup"
	done
	exit 0
fi

re=$1 n=${2:-5000}
group=${re%%/*} alts=${re#*/}
alts=${alts#(} alts=${alts%)}
for c in ${alts//|/ }; do
	printf '%s/%s\t%d instructions/op\n' "$group" "$c" "$(perop "^Benchmark$group/$c\$" "$n")"
done
