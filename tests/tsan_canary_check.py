"""Runs tsan_canary for one model and passes only if ThreadSanitizer
reported the canary's race (exit 66, the write and the read both named).
Anything else -- no report, a crash, a different report -- fails."""
import subprocess
import sys

canary, model = sys.argv[1], sys.argv[2]
run = subprocess.run([canary, model], capture_output=True, text=True, timeout=120)
report = run.stderr
checks = {
    "exit status 66 (TSan's exitcode in setup.sh)": run.returncode == 66,
    "a data race report": "WARNING: ThreadSanitizer: data race" in report,
    "the task's write named": "canary_write" in report,
    "the observer's read named": "canary_read" in report,
}
failed = [name for name, ok in checks.items() if not ok]
if failed:
    print(f"tsan_canary {model}: missing {', '.join(failed)}; exit {run.returncode}")
    print(report[-4000:])
    sys.exit(1)
print(f"tsan_canary {model}: TSan reported the canary race")
