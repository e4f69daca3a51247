#!/usr/bin/env bash
# The test launcher (cmake/memsafe-run.sh) and `memsafe report` must agree on what a
# finding is: for every captured sanitizer log (the canaries of every tool and compiler,
# and tests/unit/tools/testdata/classifier/), a log the launcher fails a test for is a
# log the report lists a finding from, and the other way round. A disagreement is a
# green run with a finding in it, or a red test with an empty report.
set -euo pipefail

usage() { echo "USAGE: classifier_agreement_test.sh <memsafe> <source-dir> <work-dir>" >&2; exit 2; }
(($# == 3)) || usage
memsafe="$1" source_dir="$2" work="$3"
rm -rf -- "$work"
mkdir -p -- "$work"
launcher="$source_dir/cmake/memsafe-run.sh"

# A stand-in test that writes a captured log where log_path says, as a runtime does.
replay="$work/replay.sh"
cat >"$replay" <<'SCRIPT'
#!/usr/bin/env bash
path="${ASAN_OPTIONS##*log_path=}"
cat -- "$1" >"$path.$$"
exit 0
SCRIPT
chmod +x "$replay"

checked=0 disagreements=0
while IFS= read -r -d '' log; do
  set +e
  bash "$launcher" --memsafe "$memsafe" --tool asan --log-dir "$work/logs" --timeout 20 --name replay "$replay" "$log" >/dev/null 2>&1
  launcher_status=$?
  "$memsafe" report --root / "$log" >/dev/null 2>&1
  report_status=$?
  set -e
  launcher_says=clean report_says=clean
  ((launcher_status == 1)) && launcher_says=finding
  # 2: an input error (a report cut short); what could be read of it still counts.
  ((report_status == 1 || report_status == 2)) && report_says=finding
  checked=$((checked + 1))
  if [[ $launcher_says != "$report_says" ]]; then
    echo "FAIL: ${log#"$source_dir"/}: the launcher says $launcher_says, memsafe report says $report_says"
    disagreements=$((disagreements + 1))
  fi
done < <(find "$source_dir/tests/unit/tools/testdata/reports" "$source_dir/tests/unit/tools/testdata/classifier" \
  -type f ! -name '*.expected' ! -name '*.xml' ! -name '*.c' ! -name '*.md' -print0 | sort -z)

if ((checked < 20)); then
  echo "FAIL: only $checked captured logs found"
  exit 1
fi
if ((disagreements)); then
  echo "classifier agreement: $disagreements of $checked logs judged differently"
  exit 1
fi
echo "classifier agreement: launcher and memsafe report agree on all $checked captured logs"
