#!/bin/bash
# @WRITTEN@
# A conclab sweep as a Slurm job array: task K of N runs part K/N of the
# sweep (`conclab sweep ... --shard K/N`) on a whole node of its own, into
# its own part file; `conclab merge` joins the parts when all have ended.
#
# `conclab sweep ... --slurm FILE` writes it for one sweep, from the
# template src/runner/slurm/array-job.sh (compiled into conclab), whose
# fields between @ signs it fills in: the array's size, the files, the
# command line. docs/sweeps.md, "On a cluster".
#SBATCH --job-name=@JOB_NAME@
#SBATCH --array=1-@TASKS@
#SBATCH --nodes=1
#SBATCH --ntasks=1
#SBATCH --exclusive
#SBATCH --requeue
#SBATCH --open-mode=append
#SBATCH --output=@LOG@
@SBATCH_EXTRA@
# --exclusive: the whole node, because a measurement needs quiet cores;
# --requeue: a task whose node fails (or that `scontrol requeue` stops) is
# run again, and continues its part (--resume below) instead of starting it
# over; --open-mode=append: the second attempt's log follows the first's.
set -euo pipefail

conclab=@CONCLAB@
sweep=(@SWEEP@)
parts=@PARTS@
tasks=@TASKS@
task=${SLURM_ARRAY_TASK_ID:?"this script is a Slurm job array: submit it with sbatch"}
out="${parts}${task}-of-${tasks}.jsonl"
cd @WORKDIR@

# Two tasks of one sweep never measure on one node at once: whatever the
# cluster makes of --exclusive (a partition with OverSubscribe=FORCE, a
# script edited by hand), a task that finds another task of this sweep on
# its node stops here, before it runs anything, and says so.
lock=/tmp/conclab-sweep-@SWEEP_ID@.lock
exec 9>>"$lock"
if ! flock --nonblock 9; then
  echo "conclab: task $task of $tasks refused on $(hostname): another task of this sweep is measuring here" \
       "($(cat "$lock" 2>/dev/null || true)); two at once would disturb each other's numbers." \
       "Once it has ended: sbatch --array=$task @SCRIPT@" >&2
  exit 2
fi
echo "task $task of $tasks, job ${SLURM_ARRAY_JOB_ID:-?}_$task, pid $$, since $(date -u +%FT%TZ)" >"$lock"

# A requeued task finds its part file and continues it: --resume checks the
# file holds this sweep's part, drops a line cut off by the kill and runs
# only the cases that are missing. conclab's own lock on the file refuses a
# second process writing it (an old attempt still running), with its pid.
resume=()
if [ -e "$out" ]; then resume=(--resume); fi
echo "conclab: task $task of $tasks on $(hostname), attempt $((${SLURM_RESTART_COUNT:-0} + 1)): $out${resume:+ (resumed)}"
"$conclab" "${sweep[@]}" --shard "$task/$tasks" -o "$out" "${resume[@]}"
