#!/usr/bin/env bash
# The workflows executed, not only linted: tools/node/simulate-workflow.mjs runs their
# run: steps (and those of action.yml) as a GitHub runner would, with GITHUB_OUTPUT,
# GITHUB_ENV and GITHUB_STEP_SUMMARY files parsed as the runner parses them and ${{ }}
# expressions evaluated from a fixture event.
#
#   (a) the simulator itself, on small workflows written here: each behaviour the real
#       workflows rely on, and each way a step can be broken on GitHub while looking fine;
#   (b) the real workflows, in a clean copy of the repository (a clone at HEAD with the
#       working tree's changes laid over it; WORKFLOW_SIM_CHECKOUT=head: HEAD alone;
#       WORKFLOW_SIM_CHECKOUT=<commit>: that commit),
#       so the nightly's plan step runs `./check.sh --matrix` exactly as on a fresh runner,
#       building the tool from cold. Steps that need the network or take minutes are stubbed
#       (their expressions are still evaluated); everything else runs for real.
#
# Ends with "N passed, M failed"; exit 1 when anything failed, 2 on bad usage.
set -euo pipefail

usage() { echo "USAGE: workflow_sim_test.sh <memsafe-source-dir> <work-dir>" >&2; exit 2; }
(($# == 2)) || usage
[[ -f $1/tools/node/simulate-workflow.mjs && -d $1/.github/workflows ]] || usage
src="$(cd "$1" && pwd)"
mkdir -p -- "$2"
work="$(cd "$2" && pwd)"
checkout_mode="${WORKFLOW_SIM_CHECKOUT:-worktree}"
[[ $checkout_mode =~ ^(worktree|head|[0-9a-f]{7,40})$ ]] || {
  echo "workflow_sim_test.sh: WORKFLOW_SIM_CHECKOUT is 'worktree' (default), 'head' or a commit" >&2
  exit 2
}

# The simulator's packages (yaml), pinned by tools/node/package-lock.json, as check.sh
# installs them.
node_dir="$src/tools/node"
if [[ ! -d $node_dir/node_modules/yaml || $node_dir/package-lock.json -nt $node_dir/node_modules/.package-lock.json ]]; then
  (cd "$node_dir" && npm ci --no-audit --no-fund --loglevel=error) || {
    echo "workflow_sim_test.sh: npm ci in tools/node failed: is the npm registry reachable?" >&2
    exit 1
  }
fi

passed=0
failed=0
mkdir -p -- "$work/logs" "$work/reports"

pass() {
  echo "ok: $1"
  passed=$((passed + 1))
}

# fail <description> [log]: the failure, with the log's error lines and its end.
fail() {
  echo "FAIL: $1"
  if [[ -n ${2:-} && -f $2 ]]; then
    echo "    log: $2"
    { grep -E 'error|warning|Invalid|not JSON' -- "$2" | head -n 20 || true; } | sed 's/^/    | /'
    echo "    last lines:"
    tail -n 6 -- "$2" | sed 's/^/    | /'
  fi
  failed=$((failed + 1))
}

# check <description> <log> -- <command...>: passes when the command succeeds.
check() {
  local what="$1" log="$2"
  shift 3
  if "$@"; then pass "$what"; else fail "$what" "$log"; fi
}

# jsq <json-file> <JavaScript expression over r>: prints its value (strings as they are).
jsq() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    const v = new Function("r", "return (" + process.argv[2] + ");")(r);
    process.stdout.write(typeof v === "string" ? v : String(JSON.stringify(v)));' "$1" "$2"
}

# simulate <name> <args...>: runs the simulator; log $work/logs/<name>.log, report
# $work/reports/<name>.json, exit status in $status.
status=0
simulate() {
  local name="$1"
  shift
  rm -f -- "$work/reports/$name.json"
  set +e
  node "$src/tools/node/simulate-workflow.mjs" --report "$work/reports/$name.json" "$@" >"$work/logs/$name.log" 2>&1
  status=$?
  set -e
}
log_of() { echo "$work/logs/$1.log"; }
report_of() { echo "$work/reports/$1.json"; }
# is <name> <expression> <want>: the report's value of the expression is <want>.
is() { [[ -f $(report_of "$1") && "$(jsq "$(report_of "$1")" "$2")" == "$3" ]]; }
# logged <name> <text>: the simulation's log holds the text.
logged() { grep -Fq -- "$2" "$(log_of "$1")"; }
exited() { ((status == $1)); }
outcomes() { jsq "$(report_of "$1")" "r.jobs.$2.steps.map((s) => s.outcome).join(' ')"; }

# ---------------------------------------------------------------------------------------
# (a) The simulator on small workflows

unit="$work/unit"
rm -rf -- "$unit"
mkdir -p -- "$unit/ws"

cat >"$unit/stray-line.yml" <<'EOF'
on: push
jobs:
  build:
    steps:
      - id: plan
        run: |
          echo "note: preparing"
          echo "matrix={}" >>"$GITHUB_OUTPUT"
          echo "a line with no equals sign" >>"$GITHUB_OUTPUT"
EOF
simulate stray-line --workspace "$unit/ws" "$unit/stray-line.yml"
stray_line_fails() {
  exited 1 && logged stray-line "Invalid format 'a line with no equals sign'" &&
    is stray-line "r.jobs.build.steps[0].outcome" failure
}
check "a GITHUB_OUTPUT line that is neither name=value nor name<<DELIMITER fails the step" "$(log_of stray-line)" -- \
  stray_line_fails

cat >"$unit/heredoc.yml" <<'EOF'
on: push
jobs:
  build:
    outputs:
      text: ${{ steps.write.outputs.text }}
    steps:
      - id: write
        run: |
          {
            echo "text<<END_OF_TEXT"
            echo "first line"
            echo "second=line <<with markers"
            echo "END_OF_TEXT"
            echo "empty<<X"
            echo "X"
            echo "plain=a=b"
          } >>"$GITHUB_OUTPUT"
      - env:
          TEXT: ${{ steps.write.outputs.text }}
        run: |
          [[ $TEXT == $'first line\nsecond=line <<with markers' ]]
          [[ "${{ steps.write.outputs.empty }}" == "" && "${{ steps.write.outputs.plain }}" == "a=b" ]]
      - run: printf 'x<<EOF\nno end\n' >>"$GITHUB_OUTPUT"
        continue-on-error: true
EOF
simulate heredoc --workspace "$unit/ws" "$unit/heredoc.yml"
heredoc_parses() {
  exited 0 && is heredoc "r.jobs.build.outputs.text" $'first line\nsecond=line <<with markers' &&
    is heredoc "r.jobs.build.steps[1].outcome" success
}
check "heredoc outputs parse (multi-line, empty, '=' inside) and reach env: and run:" "$(log_of heredoc)" -- \
  heredoc_parses
heredoc_unterminated_fails() {
  logged heredoc "Matching delimiter not found 'EOF'" && is heredoc "r.jobs.build.steps[2].outcome" failure
}
check "a heredoc without its delimiter fails its step" "$(log_of heredoc)" -- heredoc_unterminated_fails

cat >"$unit/matrix.yml" <<'EOF'
on:
  workflow_dispatch:
    inputs:
      flavour: { type: string, default: "plain" }
jobs:
  plan:
    outputs:
      matrix: ${{ steps.m.outputs.matrix }}
    steps:
      - id: m
        run: echo 'matrix={"include":[{"name":"one","shard":"1/2"},{"name":"two","shard":"2/2"}]}' >>"$GITHUB_OUTPUT"
  use:
    needs: plan
    name: ${{ matrix.name }} ${{ matrix.shard }}
    strategy:
      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}
    steps:
      - run: echo "${{ matrix.name }} ${{ matrix.shard }} ${{ inputs.flavour }} ${{ format('{0}-{1}', matrix.name, strategy.job-total) }}" >"$RECORD"
        env:
          RECORD: ${{ github.workspace }}/matrix-record.txt
EOF
rm -f -- "$unit/ws/matrix-record.txt"
simulate matrix --workspace "$unit/ws" --matrix-index 1 "$unit/matrix.yml"
matrix_reaches_run() {
  exited 0 && [[ "$(cat -- "$unit/ws/matrix-record.txt" 2>/dev/null)" == "two 2/2 plain two-2" ]] &&
    is matrix "r.jobs.use.name" "two 2/2"
}
check "matrix values from a job output reach run: (entry 2 of 2, input default, format())" "$(log_of matrix)" -- \
  matrix_reaches_run

cat >"$unit/not-json.yml" <<'EOF'
on: push
jobs:
  plan:
    outputs:
      matrix: ${{ steps.m.outputs.matrix }}
    steps:
      - id: m
        run: echo 'matrix=installing packages... {"include":[]}' >>"$GITHUB_OUTPUT"
  use:
    needs: plan
    strategy:
      matrix: ${{ fromJSON(needs.plan.outputs.matrix) }}
    steps:
      - run: "true"
EOF
simulate not-json --workspace "$unit/ws" "$unit/not-json.yml"
not_json_fails() { exited 1 && logged not-json "fromJSON: not JSON" && is not-json "r.jobs.use.result" failure; }
check "a job output used with fromJSON that is not JSON fails the job that uses it" "$(log_of not-json)" -- \
  not_json_fails

# <expression>|<text of the error>
unknown_cases=(
  'matrix.flavour|matrix.flavour'
  'github.nosuch|github.nosuch'
  'steps.nosuch.outputs.x|steps.nosuch'
  'secrets.TOKEN|unknown context'
  'nosuchfunction(1)|unknown function'
  "format('{1}', 'a')|format"
  'inputs.undeclared|inputs.undeclared'
  "fromJSON('{')|not JSON"
)
message=""
unknown_fails() { exited 1 && logged unknown "$message" && ! grep -q '^evaluated to:' "$(log_of unknown)"; }
for case in "${unknown_cases[@]}"; do
  expression="${case%%|*}" message="${case#*|}"
  cat >"$unit/unknown.yml" <<EOF
on: push
jobs:
  build:
    steps:
      - run: |
          echo "evaluated to: \${{ $expression }}"
EOF
  simulate unknown --workspace "$unit/ws" "$unit/unknown.yml"
  check "an expression the simulator cannot evaluate fails, never empty: \${{ $expression }}" "$(log_of unknown)" -- \
    unknown_fails
done

cat >"$unit/status.yml" <<'EOF'
on: push
jobs:
  build:
    steps:
      - run: echo "a tolerated failure"; exit 4
        continue-on-error: true
      - run: echo "ran after the tolerated failure" >>"$GITHUB_STEP_SUMMARY"
      - run: exit 3
      - run: echo "this must not run"
      - if: always()
        run: echo "always ran" >>"$GITHUB_STEP_SUMMARY"
      - if: failure()
        run: echo "failure ran" >>"$GITHUB_STEP_SUMMARY"
      - if: success()
        run: echo "success must not run"
EOF
simulate status --workspace "$unit/ws" "$unit/status.yml"
status_functions_hold() {
  exited 1 && [[ "$(outcomes status build)" == "failure success failure skipped success success skipped" ]] &&
    is status "r.jobs.build.steps[0].conclusion" success &&
    is status "JSON.stringify(r.jobs.build.summary)" '"ran after the tolerated failure\nalways ran\nfailure ran\n"'
}
check "if: always() and failure() run after a failure; plain and success() steps do not; continue-on-error holds" \
  "$(log_of status)" -- status_functions_hold

cat >"$unit/env.yml" <<'EOF'
on: push
env:
  FROM_WORKFLOW: workflow
jobs:
  build:
    env:
      FROM_JOB: job-${{ github.event_name }}
    steps:
      - run: |
          echo "ADDED=from GITHUB_ENV" >>"$GITHUB_ENV"
          printf 'MULTI<<EOT\nline 1\nline 2\nEOT\n' >>"$GITHUB_ENV"
          mkdir -p "$RUNNER_TEMP/bin" && printf '#!/bin/sh\necho tool on PATH\n' >"$RUNNER_TEMP/bin/simtool"
          chmod +x "$RUNNER_TEMP/bin/simtool" && echo "$RUNNER_TEMP/bin" >>"$GITHUB_PATH"
      - env:
          FROM_STEP: ${{ env.ADDED }}
        run: |
          [[ $ADDED == "from GITHUB_ENV" && $FROM_STEP == "from GITHUB_ENV" && $MULTI == $'line 1\nline 2' ]]
          [[ $FROM_WORKFLOW == workflow && $FROM_JOB == job-push && "${{ env.FROM_JOB }}" == job-push ]]
          [[ $GITHUB_ACTIONS == true && $CI == true && $GITHUB_EVENT_NAME == push && -f $GITHUB_EVENT_PATH ]]
          [[ $(simtool) == "tool on PATH" && $PWD == "$GITHUB_WORKSPACE" ]]
EOF
simulate env --workspace "$unit/ws" "$unit/env.yml"
check "GITHUB_ENV (plain and heredoc) and GITHUB_PATH reach later steps; workflow, job and step env apply" \
  "$(log_of env)" -- exited 0

cat >"$unit/shell.yml" <<'EOF'
on: push
jobs:
  build:
    steps:
      - name: unspecified shell is bash -e, without pipefail
        run: false | true
      - name: "shell: bash adds pipefail"
        shell: bash
        run: false | true
        continue-on-error: true
EOF
simulate shell --workspace "$unit/ws" "$unit/shell.yml"
default_shells() { exited 0 && [[ "$(outcomes shell build)" == "success failure" ]]; }
check "the runner's default shells: unspecified 'bash -e {0}', 'shell: bash' with -o pipefail" "$(log_of shell)" -- \
  default_shells

mkdir -p -- "$unit/ws/act"
cat >"$unit/ws/act/action.yml" <<'EOF'
name: fixture action
description: "A composite action: inputs with defaults, outputs, GITHUB_ACTION_PATH"
inputs:
  who: { description: "who", required: true }
  greeting: { description: "greeting", default: "hello" }
outputs:
  said:
    description: "what it said"
    value: ${{ steps.say.outputs.said }}
runs:
  using: composite
  steps:
    - id: say
      shell: bash
      run: |
        [[ -f $GITHUB_ACTION_PATH/action.yml ]]
        echo "said=${{ inputs.greeting }} ${{ inputs.who }}" >>"$GITHUB_OUTPUT"
EOF
cat >"$unit/composite.yml" <<'EOF'
on: push
jobs:
  build:
    steps:
      - id: act
        uses: ./act
        with:
          who: world
      - run: '[[ "${{ steps.act.outputs.said }}" == "hello world" ]]'
      - uses: actions/checkout@v4
EOF
simulate composite --workspace "$unit/ws" "$unit/composite.yml"
composite_runs() { exited 0 && logged composite "not run, needs the network: actions/checkout@v4"; }
check "uses: ./ runs a composite action (inputs, defaults, outputs); other actions are skipped with a note" \
  "$(log_of composite)" -- composite_runs
simulate composite-strict --workspace "$unit/ws" --fail-on-uses "$unit/composite.yml"
uses_fails() { exited 1 && is composite-strict "r.jobs.build.steps.at(-1).outcome" failure; }
check "--fail-on-uses fails a step that uses another action" "$(log_of composite-strict)" -- uses_fails
sed -i 's/^      shell: bash$//' "$unit/ws/act/action.yml"
simulate composite-noshell --workspace "$unit/ws" "$unit/composite.yml"
no_shell_fails() { exited 1 && logged composite-noshell "needs 'shell:'"; }
check "a run step of a composite action without shell: fails, as on GitHub" "$(log_of composite-noshell)" -- \
  no_shell_fails
printf 'name: broken\ndescription: a plain scalar with a colon: inside\nruns: { using: composite, steps: [] }\n' \
  >"$unit/ws/act/action.yml"
simulate composite-yaml --workspace "$unit/ws" "$unit/composite.yml"
bad_yaml_fails() { exited 1 && logged composite-yaml "not valid YAML"; }
check "an action.yml that is not valid YAML fails the step that uses it" "$(log_of composite-yaml)" -- bad_yaml_fails

cat >"$unit/stub.yml" <<'EOF'
on: push
jobs:
  build:
    steps:
      - name: long
        run: sleep 600 && echo "${{ matrix.missing }}"
EOF
simulate stub --workspace "$unit/ws" --stub "long=true" "$unit/stub.yml"
stub_substituted() { exited 1 && logged stub "matrix.missing"; }
check "a stubbed step's run: is still substituted (its broken expression fails it)" "$(log_of stub)" -- stub_substituted
simulate stub-typo --workspace "$unit/ws" --stub "lnog=true" "$unit/heredoc.yml"
stub_typo_fails() { exited 1 && logged stub-typo "matched no step"; }
check "a stub that matches no step is an error" "$(log_of stub-typo)" -- stub_typo_fails

# What the nightly's history job needs of the simulator: another action played by a stub
# (its with: as INPUT_ variables, the runner's names; its outputs), a run id, and a job
# given as failed that an if: without success() still runs after.
cat >"$unit/actions.yml" <<'EOF'
on: push
jobs:
  checks:
    steps:
      - run: "false"
  plan:
    steps:
      - run: "false"
  after:
    needs: [checks, plan]
    if: ${{ !cancelled() && needs.plan.result == 'success' }}
    steps:
      - name: Restore something
        id: restore
        uses: actions/cache/restore@v4
        with:
          path: some/file
          key: key-${{ github.run_id }}
          restore-keys: prefix-
      - run: |
          [[ "${{ steps.restore.outputs.got }}" == "key-42 some/file prefix-" ]]
          [[ "${{ needs.checks.result }}" == failure && $GITHUB_RUN_ID == 42 ]]
      - uses: actions/upload-artifact@v4
  plain:
    needs: checks
    steps:
      - run: "true"
EOF
# shellcheck disable=SC2016  # expanded by the stub's shell
stub_action='echo "got=$INPUT_KEY $INPUT_PATH $(printenv INPUT_RESTORE-KEYS)" >>"$GITHUB_OUTPUT"'
simulate actions --workspace "$unit/ws" --run-id 42 --needs-result checks=failure --needs-result plan=success \
  --job after --job plain --stub "Restore something=$stub_action" "$unit/actions.yml"
stubbed_action_runs() {
  exited 0 && is actions "r.jobs.after.steps.map((s) => s.outcome).join(' ')" "success success success" &&
    logged actions "not run, needs the network: actions/upload-artifact@v4"
}
check "a stubbed action gets its with: as INPUT_<NAME> and sets its outputs; --run-id reaches github.run_id" \
  "$(log_of actions)" -- stubbed_action_runs
given_results_hold() { is actions "r.jobs.after.result" success && is actions "r.jobs.plain.result" skipped; }
check "--needs-result: a job needing a failed one runs only when its if: has no success()" "$(log_of actions)" -- \
  given_results_hold

set +e
node "$src/tools/node/simulate-workflow.mjs" >"$work/logs/usage.log" 2>&1
status=$?
set -e
usage_exit() { exited 2 && grep -q USAGE "$work/logs/usage.log"; }
check "the simulator without a workflow: USAGE, exit 2" "$work/logs/usage.log" -- usage_exit

# ---------------------------------------------------------------------------------------
# (b) The real workflows, in a clean copy of the repository

checkout="$work/checkout"
rm -rf -- "$checkout"
if ! git -C "$src" rev-parse --git-dir >/dev/null 2>&1; then
  fail "the source directory is a git checkout (the clean copy is a clone of it)"
  echo "$passed passed, $failed failed"
  exit 1
fi
git clone --quiet --shared "$src" "$checkout"
if [[ $checkout_mode != worktree && $checkout_mode != head ]]; then
  git -C "$checkout" checkout --quiet --detach "$checkout_mode"
elif [[ $checkout_mode == worktree ]]; then
  # The working tree's changes over HEAD: tracked and untracked files that are not ignored
  # (so no build tree and no node_modules), and deleted files deleted.
  mapfile -d '' listed < <(git -C "$src" ls-files -z --cached --others --exclude-standard)
  present=()
  for file in "${listed[@]}"; do
    if [[ -e $src/$file || -L $src/$file ]]; then present+=("$file"); fi
  done
  if ((${#present[@]})); then
    printf '%s\0' "${present[@]}" | tar -C "$src" --null -T - -cf - | tar -C "$checkout" -xf -
  fi
  mapfile -d '' deleted < <(git -C "$src" ls-files -z --deleted)
  for file in "${deleted[@]}"; do rm -f -- "${checkout:?}/$file"; done
fi
echo "clean copy: $checkout ($checkout_mode: $(git -C "$checkout" log -1 --format='%h %s' | cut -c1-80))"

workflows="$checkout/.github/workflows"
known=(ci.yml memory-safety.yml suppression-review.yml)
for path in "$workflows"/*.yml "$workflows"/*.yaml; do
  [[ -e $path ]] || continue
  name="$(basename -- "$path")"
  if [[ " ${known[*]} " != *" $name "* ]]; then
    fail "workflow $name is covered here (add its jobs to workflow_sim_test.sh)"
  fi
done

event_dir="$work/events"
mkdir -p -- "$event_dir"
common='"ref": "refs/heads/main", "repository": {"full_name": "example/memsafe"}, "sender": {"login": "simulator"}'
echo "{$common, \"schedule\": \"23 2 * * *\"}" >"$event_dir/schedule.json"
echo "{$common}" >"$event_dir/push.json"
echo "{$common, \"pull_request\": {\"number\": 1}}" >"$event_dir/pull_request.json"
dispatch() { echo "{$common, \"inputs\": {\"presets\": \"$1\"}}" >"$event_dir/dispatch-$2.json"; }
dispatch "" all
dispatch asan asan
dispatch no-such-preset unknown

# The memsafe that action.yml and the history job would build and install (a Release
# build: a minute more) is the tool the plan job built, with two stand-ins. Its check
# records its arguments and checks them (--dry-run): the arguments the composite action
# builds from the matrix are real; it leaves a SARIF report where memsafe check writes
# it, for the upload step's condition. Its bisect (which would build and test commits)
# records its arguments and whether git trusts the checkout (the container's root does not
# own it), and names the bad commit it was given as the first bad one.
args_file="$work/memsafe-args.txt"
bisect_args_file="$work/bisect-args.txt"
cat >"$work/fake-memsafe.sh" <<EOF
#!/usr/bin/env bash
set -euo pipefail
case \$1 in
  check)
    printf '%s\n' "\$@" >'$args_file'
    mkdir -p build/memsafe-report && echo '{}' >build/memsafe-report/findings.sarif
    exec "\$GITHUB_WORKSPACE/build/dev/tools/memsafe/memsafe" "\$@" --dry-run ;;
  bisect)
    { printf '%s\n' "\$@"; echo "safe.directory \$(git config --get safe.directory)"; } >'$bisect_args_file'
    while ((\$#)); do if [[ \$1 == --bad ]]; then bad="\$2"; fi; shift; done
    echo "first bad commit: \$(git log -1 --format='%H %s' "\$bad")"
    echo "author: \$(git log -1 --format='%an <%ae> %ad' "\$bad")" ;;
  *) exec "\$GITHUB_WORKSPACE/build/dev/tools/memsafe/memsafe" "\$@" ;;
esac
EOF
# shellcheck disable=SC2016  # $RUNNER_TEMP is expanded by the step's shell
install_fake="install -D -m 755 $(printf %q "$work/fake-memsafe.sh")"' "$RUNNER_TEMP/memsafe/bin/memsafe"'
# Stubs: apt-get needs the network and root in a container; ccache is not needed here;
# ./check.sh and the memory baseline take minutes (the fast check is what runs this test).
nightly_stubs=(
  --stub "Install git=true"
  --stub "Install ccache=tools/install-deps.sh"
  --stub "Build and install the memsafe toolkit=$install_fake"
  --stub "./check.sh --memory-baseline=true"
  # An hour of Debian projects: here only its arguments, as check.sh parses them.
  --stub "./check.sh --real-projects=MEMSAFE_CHECK_PARSE_ONLY=1 ./check.sh --real-projects"
)

# The history job's actions, played on this machine: the Actions cache as a directory
# shared by the simulated runs (an entry per key, never overwritten, restore-keys matching
# the newest entry), and each run's artifacts as directories (the memory-checks ones made
# here, as upload-artifact lays them out: build/ from its least common ancestor down).
history="$work/history"
rm -rf -- "$history"
mkdir -p -- "$history/cache"
cat >"$history/fake-action.sh" <<'EOF'
#!/usr/bin/env bash
# fake-action.sh cache-restore|cache-save|download|upload <store>, with the step's with:
# in INPUT_<NAME> as the runner gives it.
set -euo pipefail
action="$1" store="$2"
input() { printenv "INPUT_$1" || true; }
key="$(input KEY)" path="$(input PATH)"
case $action in
  cache-restore)
    matched=""
    if grep -qxF -- "$key" "$store/keys" 2>/dev/null; then
      matched="$key"
    else
      while IFS= read -r prefix; do
        [[ -n $prefix && -z $matched ]] || continue
        matched="$(awk -v p="$prefix" 'index($0, p) == 1 { m = $0 } END { print m }' "$store/keys" 2>/dev/null || true)"
      done <<<"$(input RESTORE-KEYS)"
    fi
    if [[ -z $matched ]]; then echo "Cache not found for input keys: $key"; exit 0; fi
    mkdir -p -- "$(dirname -- "$path")" && cp -a -- "$store/$matched/$path" "$path"
    printf 'cache-hit=%s\ncache-matched-key=%s\n' "$([[ $matched == "$key" ]] && echo true || echo false)" \
      "$matched" >>"$GITHUB_OUTPUT"
    echo "Cache restored from key: $matched" ;;
  cache-save)
    if grep -qxF -- "$key" "$store/keys" 2>/dev/null; then
      echo "Failed to save: Unable to reserve cache with key $key, another job may be creating this cache."
    elif [[ ! -e $path ]]; then
      echo "Warning: Path Validation Error: Path(s) specified in the action for caching do(es) not exist"
    else
      mkdir -p -- "$store/$key/$(dirname -- "$path")" && cp -a -- "$path" "$store/$key/$path"
      echo "$key" >>"$store/keys"
    fi ;;
  download)
    pattern="$(input PATTERN)"
    for artifact in "$store"/*/; do
      name="$(basename -- "$artifact")"
      # shellcheck disable=SC2053  # the pattern is a glob
      if [[ $name == $pattern ]]; then mkdir -p -- "$path" && cp -a -- "$artifact" "$path/$name"; fi
    done ;;
  upload)
    mkdir -p -- "$store/$(input NAME)"
    while IFS= read -r file; do
      [[ -n $file ]] || continue
      [[ -e $file ]] || { echo "Error: no files were found with the provided path: $file"; exit 1; }
      cp -a -- "$file" "$store/$(input NAME)/"
    done <<<"$path" ;;
esac
EOF
chmod +x "$history/fake-action.sh"

# artifact <run> <slug> <preset> [<finding signature>...]: what a memory-checks job of
# that run uploads, its report with those findings (from the table below); without a
# preset, a job that stopped before its report.
declare -A finding_json=(
  [1a2b3c4d5e6f7081]='"kind": "memory-leak", "location": {"file": "src/secure/secure_buffer.cc", "line": 40, "function": "Grow"}'
  [90a1b2c3d4e5f607]='"kind": "heap-buffer-overflow", "location": {"file": "src/resource/resource_registry.cc", "line": 88, "function": "Find"}'
)
artifact() {
  local dir="$history/run$1/artifacts/memory-checks-$2" slug="$2" preset="$3" signature rows=()
  shift 3
  mkdir -p -- "$dir/${preset:-valgrind}/memcheck"
  [[ -n $preset ]] || return 0
  for signature in "$@"; do
    rows+=("{\"signature\": \"$signature\", ${finding_json[$signature]}, \"tools\": [\"$preset\"], \"presets\": [\"$preset\"], \"tests\": [\"unit\"], \"occurrences\": 1}")
  done
  mkdir -p -- "$dir/memsafe-report/this-run"
  printf '{"findings": [%s]}\n' "$(IFS=,; echo "${rows[*]}")" >"$dir/memsafe-report/this-run/findings.json"
  # A job of one shard of N > 1 names its shard, as memsafe check's summary does.
  local row="\"preset\": \"$preset\""
  if [[ $slug =~ -([0-9]+)-of-([0-9]+)$ ]] && ((BASH_REMATCH[2] > 1)); then
    local which="${BASH_REMATCH[1]}/${BASH_REMATCH[2]}"
    row="\"preset\": \"$preset shard $which\", \"shard\": \"$which\", \"shard_of\": \"$preset\""
  fi
  printf '{"presets": [{%s, "tools": "%s", "result": "%s", "tests": 12, "failures": %d, "skipped": 0, "cached": 0, "canaries": 2, "canaries_caught": 2, "build_seconds": 30, "test_seconds": 20, "wall_seconds": 50}]}\n' \
    "$row" "$preset" "$( (($# == 0)) && echo ok || echo FAILED)" "$#" >"$dir/memsafe-report/this-run/summary.json"
}
# run <n> <asan findings...>: that night's artifacts: asan with those findings, tsan and
# the two valgrind shards clean, the baseline job's measured peaks.
run_artifacts() {
  local n="$1"
  shift
  artifact "$n" asan-1-of-1 asan "$@"
  artifact "$n" tsan-1-of-1 tsan
  artifact "$n" valgrind-1-of-2 valgrind
  artifact "$n" valgrind-2-of-2 valgrind
  mkdir -p -- "$history/run$n/artifacts/memory-baseline-measured"
  cp -- "$src/sanitizers/memory-baseline.json" "$history/run$n/artifacts/memory-baseline-measured/memory-baseline-measured.json"
}
run_artifacts 1 1a2b3c4d5e6f7081
run_artifacts 2 1a2b3c4d5e6f7081 90a1b2c3d4e5f607
run_artifacts 3 1a2b3c4d5e6f7081 90a1b2c3d4e5f607
rm -rf -- "$history/run3/artifacts/memory-checks-valgrind-1-of-2"
artifact 3 valgrind-1-of-2 ""
# history_stubs <n>: the stubs of run n's history job.
history_stubs() {
  local fake="$history/fake-action.sh"
  stubs=(
    --stub "Restore the memory history=$fake cache-restore $history/cache"
    --stub "Save the memory history=$fake cache-save $history/cache"
    --stub "Download the memory-check reports=$fake download $history/run$1/artifacts"
    --stub "Download the measured peaks=$fake download $history/run$1/artifacts"
    --stub "Upload the dashboard=$fake upload $history/run$1/uploaded"
  )
}

ms="$workflows/memory-safety.yml"
# entry_args <matrix-json> <index>: the arguments action.yml gives memsafe for that entry.
entry_args() {
  node -e '
    const e = JSON.parse(process.argv[1]).include.at(Number(process.argv[2]));
    console.log(["check", "--memory-checks", "--source", ".", "--preset", e.preset, "--shard", e.shard, "--slow"].join("\n"));' \
    "$1" "$2"
}
# valid_matrix <text>: JSON with a non-empty include array of preset/compiler/shard/slug.
valid_matrix() {
  node -e '
    try {
      const m = JSON.parse(process.argv[1]);
      if (!Array.isArray(m.include) || m.include.length === 0) throw new Error("no include array");
      for (const e of m.include) {
        for (const key of ["preset", "compiler", "shard", "slug"]) {
          if (typeof e[key] !== "string" || e[key] === "") throw new Error("an entry without " + key + ": " + JSON.stringify(e));
        }
        if (!/^[1-9][0-9]*\/[1-9][0-9]*$/.test(e.shard)) throw new Error("shard " + e.shard);
      }
    } catch (error) {
      console.log("    not a matrix: " + error.message + ": " + JSON.stringify(process.argv[1]).slice(0, 200));
      process.exit(1);
    }' "$1"
}
same_json() {
  node -e 'const { isDeepStrictEqual } = require("util");
    process.exit(isDeepStrictEqual(JSON.parse(process.argv[1]), JSON.parse(process.argv[2])) ? 0 : 1);' "$1" "$2" 2>/dev/null
}
recorded_args() { cat -- "$args_file" 2>/dev/null || true; }

# The nightly as scheduled: the plan job (./check.sh --matrix for real, building the tool
# from cold), its matrix's first entry fed to memory-checks, the baseline job, and the
# history job, its first night (run 1's artifacts, an empty cache).
rm -f -- "$args_file"
history_stubs 1
simulate nightly --workspace "$checkout" --event "$event_dir/schedule.json" --event-name schedule --run-id 101 \
  "${nightly_stubs[@]}" "${stubs[@]}" "$ms"
plan_succeeds() { is nightly "r.jobs.plan.result" success; }
check "memory-safety.yml, plan: './check.sh --matrix' (cold build) writes a valid GITHUB_OUTPUT" "$(log_of nightly)" -- \
  plan_succeeds
plan_matrix=""
if [[ -f $(report_of nightly) ]]; then plan_matrix="$(jsq "$(report_of nightly)" 'r.jobs.plan?.outputs?.matrix ?? ""')"; fi
tool_matrix="$("$checkout/build/dev/tools/memsafe/memsafe" check --source "$checkout" --matrix 2>/dev/null || true)"
check "memory-safety.yml, plan: its matrix output is JSON with an include array of preset/compiler/shard/slug" \
  "$(log_of nightly)" -- valid_matrix "$plan_matrix"
plan_is_tools_matrix() { [[ -n $tool_matrix ]] && same_json "$plan_matrix" "$tool_matrix"; }
check "memory-safety.yml, plan: the matrix is memsafe check --matrix's, every memory preset" "$(log_of nightly)" -- \
  plan_is_tools_matrix
first_entry_reaches_memsafe() {
  is nightly 'r.jobs["memory-checks"].result' success && [[ -n $tool_matrix ]] &&
    [[ "$(recorded_args)" == "$(entry_args "$tool_matrix" 0)" ]]
}
check "memory-safety.yml, memory-checks: the plan's first matrix entry reaches memsafe check through action.yml" \
  "$(log_of nightly)" -- first_entry_reaches_memsafe
baseline_runs() { is nightly 'r.jobs["memory-baseline"].result' success; }
check "memory-safety.yml, memory-baseline: its steps run (install-deps for real, the baseline stubbed)" \
  "$(log_of nightly)" -- baseline_runs
real_projects_runs() {
  is nightly 'r.jobs["real-projects"].result' success && logged nightly "arguments valid (mode real-projects)"
}
check "memory-safety.yml, real-projects: its steps run (check.sh parses --real-projects; the matrix itself stubbed)" \
  "$(log_of nightly)" -- real_projects_runs

# The history job over three nights sharing the cache: the first (above, after the real
# jobs), then a night at a new commit with a new finding, then a night whose memory checks
# failed and one of whose shards left no report. Each night starts from a clean work tree,
# as on a fresh runner: only the cache carries the database.
history_step() { jsq "$(report_of "$1")" "r.jobs.history.steps.find((s) => s.name === '$2')?.$3 ?? ''"; }
summary_of() { jsq "$(report_of "$1")" "r.jobs.history.summary"; }
saved_db() { echo "$history/cache/memsafe-history-$1-1/build/history/memsafe-history.db"; }
# saved_runs_are <run-id> "<last run> <run before>": what the database saved by that run holds.
saved_runs_are() {
  local diff="$history/diff-$1.json"
  "$checkout/build/dev/tools/memsafe/memsafe" history diff --db "$(saved_db "$1")" --json >"$diff" 2>&1 || true
  [[ "$(jsq "$diff" "r.run.id + ' ' + r.base.id" 2>/dev/null)" == "$2" ]]
}
first_night() {
  is nightly "r.jobs.history.result" failure && [[ -f $(saved_db 101) ]] &&
    [[ "$(history_step nightly "memsafe history record" outcome)" == success ]] &&
    [[ "$(history_step nightly "Save the memory history" outcome)" == success ]] &&
    [[ "$(history_step nightly "Fail on a new finding or a preset that did not check" outcome)" == failure ]] &&
    logged nightly "recording 4 report(s) of $(git -C "$checkout" rev-parse HEAD), with the measured peaks" &&
    summary_of nightly | grep -q "^NEW: 1" &&
    summary_of nightly | grep -qF "No earlier run to compare with: nothing to bisect."
}
check "memory-safety.yml, history, first night: every report and the peaks recorded, the database saved, NEW in the summary, no bisection, red last" \
  "$(log_of nightly)" -- first_night

base_commit="$(git -C "$checkout" rev-parse HEAD)"
git -C "$checkout" -c user.name=Simulator -c user.email=simulator@example.org commit --quiet --allow-empty \
  -m "The commit a bisection names"
bad_commit="$(git -C "$checkout" rev-parse HEAD)"
history_night() {
  local n="$1"
  shift
  rm -rf -- "$checkout/build/history" "$bisect_args_file"
  history_stubs "$n"
  simulate "history-$n" --workspace "$checkout" --event "$event_dir/schedule.json" --event-name schedule \
    --run-id "10$n" --job history --needs-result plan=success --needs-result memory-baseline=success "$@" \
    --stub "Install git=true" --stub "Install dependencies=true" --stub "Build and install the memsafe toolkit=$install_fake" \
    "${stubs[@]}" "$ms"
}
history_night 2 --needs-result memory-checks=success
expected_bisect="$(printf '%s\n' bisect --good "$base_commit" --bad "$bad_commit" --signature 90a1b2c3d4e5f607 \
  --preset asan --db build/history/memsafe-history.db "safe.directory *")"
second_night() {
  exited 1 && [[ "$(history_step history-2 "Restore the memory history" "outputs['cache-matched-key']")" == memsafe-history-101-1 ]] &&
    summary_of history-2 | grep -q "^NEW: 1" && summary_of history-2 | grep -qF "[90a1b2c3d4e5f607]" &&
    summary_of history-2 | grep -q "^KNOWN: 1" &&
    summary_of history-2 | grep -qF -- "- \`90a1b2c3d4e5f607\` heap-buffer-overflow at src/resource/resource_registry.cc:88 (asan): first bad commit: $bad_commit The commit a bisection names; author: Simulator <simulator@example.org>" &&
    [[ "$(cat -- "$bisect_args_file" 2>/dev/null)" == "$expected_bisect" ]] && [[ -f $(saved_db 102) ]]
}
check "memory-safety.yml, history, a new finding: restored from the last night, NEW and KNOWN in the summary, bisected from the last night's commit to this one, git trusting the checkout" \
  "$(log_of history-2)" -- second_night
dashboard_uploaded() {
  grep -q "<html" "$history/run2/uploaded/memory-history/dashboard/index.html" 2>/dev/null &&
    [[ -f $history/run2/uploaded/memory-history/memsafe-history.db ]]
}
check "memory-safety.yml, history: the dashboard (index.html) and the database uploaded as an artifact" \
  "$(log_of history-2)" -- dashboard_uploaded

history_night 3 --needs-result memory-checks=failure
failed_checks_recorded() {
  [[ "$(history_step history-3 "Save the memory history" outcome)" == success ]] &&
    is history-3 "r.jobs.history.steps.filter((s) => s.name.startsWith('memsafe history')).map((s) => s.outcome).join()" \
      success,success,success &&
    summary_of history-3 | grep -qF "No report in memory-checks-valgrind-1-of-2" && saved_runs_are 103 "3 2"
}
check "memory-safety.yml, history, a night whose memory checks failed: recorded (a shard without its report named) and saved" \
  "$(log_of history-3)" -- failed_checks_recorded

# Nights not recorded: a dispatch of some presets, and a night whose plan failed.
simulate history-partial --workspace "$checkout" --event "$event_dir/dispatch-asan.json" --event-name workflow_dispatch \
  --job history --needs-result plan=success --needs-result memory-checks=success --needs-result memory-baseline=success "$ms"
simulate history-no-plan --workspace "$checkout" --event "$event_dir/schedule.json" --event-name schedule \
  --job history --needs-result plan=failure --needs-result memory-checks=skipped --needs-result memory-baseline=success "$ms"
not_recorded() { is history-partial "r.jobs.history.result" skipped && is history-no-plan "r.jobs.history.result" skipped; }
check "memory-safety.yml, history: skipped for a dispatch of some presets, and when the plan failed" \
  "$(log_of history-partial)" -- not_recorded

# memory-checks on its own, fed the tool's own matrix: what action.yml does with a matrix
# entry, whatever the plan job did (the last entry: a sharded preset of the other compiler).
if [[ -n $tool_matrix ]]; then
  last="$(node -e 'console.log(JSON.parse(process.argv[1]).include.length - 1)' "$tool_matrix")"
  slug="$(node -e 'console.log(JSON.parse(process.argv[1]).include.at(-1).slug)' "$tool_matrix")"
  rm -f -- "$args_file"
  simulate memory-checks --workspace "$checkout" --event "$event_dir/schedule.json" --event-name schedule \
    --job memory-checks --needs-output "plan.matrix=$tool_matrix" --matrix-index "$last" \
    --stub "Install git=true" --stub "Install ccache=tools/install-deps.sh" \
    --stub "Build and install the memsafe toolkit=$install_fake" "$ms"
  last_entry_runs() { exited 0 && [[ "$(recorded_args)" == "$(entry_args "$tool_matrix" "$last")" ]]; }
  check "memory-safety.yml, memory-checks (matrix entry $((last + 1))): action.yml loads and its steps run" \
    "$(log_of memory-checks)" -- last_entry_runs
  uploads_substituted() {
    logged memory-checks "\"name\":\"memory-checks-$slug\"" &&
      logged memory-checks "\"sarif_file\":\"./build/memsafe-report/findings.sarif\",\"category\":\"memsafe-$slug\"" &&
      is memory-checks 'r.jobs["memory-checks"].steps.find((s) => s.name === "Upload findings to code scanning")?.outcome' \
        success
  }
  check "memory-safety.yml, memory-checks: the upload steps' expressions evaluate (artifact name; SARIF condition, file, category)" \
    "$(log_of memory-checks)" -- uploads_substituted
else
  fail "memsafe check --matrix in the clean copy gives a matrix (the tool the plan job built)" "$(log_of nightly)"
fi

# workflow_dispatch: the presets input narrows the matrix; an unknown preset fails the plan
# job itself (not the memory-checks job, later, on a matrix that is not JSON).
simulate dispatch-asan --workspace "$checkout" --event "$event_dir/dispatch-asan.json" --event-name workflow_dispatch \
  --job plan --stub "Install git=true" "$ms"
asan_only() {
  is dispatch-asan "r.jobs.plan.result" success &&
    is dispatch-asan '[...new Set(JSON.parse(r.jobs.plan.outputs.matrix).include.map((e) => e.preset))].join()' asan
}
check "memory-safety.yml on workflow_dispatch with presets 'asan': a matrix of asan only" "$(log_of dispatch-asan)" -- \
  asan_only
simulate dispatch-unknown --workspace "$checkout" --event "$event_dir/dispatch-unknown.json" --event-name workflow_dispatch \
  --job plan --stub "Install git=true" "$ms"
unknown_preset_fails_plan() { is dispatch-unknown 'r.jobs.plan.steps.find((s) => s.id === "matrix")?.outcome' failure; }
check "memory-safety.yml on workflow_dispatch with an unknown preset: the plan step fails" "$(log_of dispatch-unknown)" -- \
  unknown_preset_fails_plan

# ci.yml on push and on pull_request: every step, ./check.sh itself stubbed by
# ./check.sh --list (the fast check is what runs this test).
for event in push pull_request; do
  simulate "ci-$event" --workspace "$checkout" --event "$event_dir/$event.json" --event-name "$event" \
    --stub "Install git=true" --stub "Install dependencies=tools/install-deps.sh" --stub "./check.sh=./check.sh --list" \
    "$workflows/ci.yml"
  check "ci.yml on $event: every job's steps substituted and run" "$(log_of "ci-$event")" -- exited 0
done

# suppression-review.yml as scheduled, for real: the review itself may fail only with its
# own verdict (an entry overdue), never on the workflow.
simulate review --workspace "$checkout" --event "$event_dir/schedule.json" --event-name schedule \
  --stub "Install git=true" "$workflows/suppression-review.yml"
review_runs() {
  exited 0 || is review 'r.jobs.review.steps.filter((s) => s.outcome !== "success").map((s) => s.name + ": " + s.errors.join()).join()' \
    "./check.sh --review-suppressions: Process completed with exit code 1."
}
check "suppression-review.yml: its steps run, ./check.sh --review-suppressions for real" "$(log_of review)" -- review_runs

echo "$passed passed, $failed failed"
((failed == 0)) || exit 1
