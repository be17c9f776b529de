#!/usr/bin/env python3
"""The cluster path of docs/sweeps.md, run for real on a Slurm cluster of one node.

Usage: slurm_test.py CONCLAB

Starts munged, slurmctld and slurmd from Debian's packages (slurm-wlm,
munge; `./setup.sh test` installs them) in a temporary directory, as
children of this test, on free ports, and tears them down whatever happens.
Then, as a cluster user would:

1. `conclab sweep ... --slurm job.sh --submit` writes the job array for a
   small sweep and submits it: the script the test runs is the one conclab
   writes, from src/runner/slurm/array-job.sh (no second copy);
2. task 1 is requeued by `scontrol requeue` while a case runs (Slurm's
   SIGTERM, then SIGKILL), task 2's conclab is killed with SIGKILL while a
   case runs and the failed task is requeued: both resume their parts;
3. the parts are merged with the command conclab printed, and the merged
   file holds exactly the cases of the same sweep run unsharded, each once;
4. the script refuses a second task of the same sweep on a node while one
   holds it, and leaves the part alone.

Where the cluster cannot start (not root, the packages missing) the test
is skipped (exit 77, which meson counts as skipped) with the reason.
"""
import fcntl
import json
import os
import pathlib
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

SKIP = 77
SWEEP = ["sweep", "worker-pool", "--workers", "1,2,4,8", "--jobs", "300000", "--models", "fibers,coroutines,tbb,threads",
         "--repeat", "2"]


def skip(reason):
    print(f"SKIP: {reason}")
    sys.exit(SKIP)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Cluster:
    """munged, slurmctld and slurmd as children of this process, in `root`."""

    def __init__(self, root):
        self.root = root
        self.children = []
        self.env = dict(os.environ, SLURM_CONF=str(root / "slurm.conf"))

    def start(self):
        munge = self.root / "munge"
        munge.mkdir(mode=0o711)
        key = munge / "munge.key"
        key.write_bytes(os.urandom(1024))
        key.chmod(0o400)
        self.socket = munge / "munge.socket"
        self.spawn("munged", ["munged", "--foreground", "--force", f"--key-file={key}", f"--socket={self.socket}",
                              f"--pid-file={munge / 'munged.pid'}", f"--log-file={munge / 'munged.log'}",
                              f"--seed-file={munge / 'munged.seed'}"])
        self.wait_for(lambda: self.socket.exists(), 10, "munged's socket")
        # the node as slurmd sees it (CPUs, sockets, cores, memory): a node configured otherwise is drained
        node = subprocess.run(["slurmd", "-C"], capture_output=True, text=True, check=True).stdout.splitlines()[0]
        self.node = re.match(r"NodeName=(\S+)", node).group(1)
        for sub in ("state", "spool", "log"):
            (self.root / sub).mkdir()
        (self.root / "slurm.conf").write_text("\n".join([
            "ClusterName=conclabtest",
            f"SlurmctldHost={self.node}(127.0.0.1)",
            "SlurmUser=root",
            f"SlurmctldPort={free_port()}",
            f"SlurmdPort={free_port()}",
            "AuthType=auth/munge",
            "CredType=cred/munge",
            f"AuthInfo=socket={self.socket}",
            f"StateSaveLocation={self.root / 'state'}",
            f"SlurmdSpoolDir={self.root / 'spool'}",
            f"SlurmctldPidFile={self.root / 'slurmctld.pid'}",
            f"SlurmdPidFile={self.root / 'slurmd.pid'}",
            f"SlurmctldLogFile={self.root / 'log' / 'slurmctld.log'}",
            f"SlurmdLogFile={self.root / 'log' / 'slurmd.log'}",
            "ProctrackType=proctrack/pgid",  # no cgroups needed: a container or VM without systemd
            "TaskPlugin=task/none",
            "SelectType=select/cons_tres",
            "SelectTypeParameters=CR_Core",
            "JobCompType=jobcomp/none",
            "AccountingStorageType=accounting_storage/none",
            "JobAcctGatherType=jobacct_gather/none",
            "MpiDefault=none",
            "ReturnToService=2",
            "KillWait=5",
            "MinJobAge=600",
            "SchedulerParameters=sched_interval=1",
            f"{node} NodeAddr=127.0.0.1 State=UNKNOWN",
            f"PartitionName=conclab Nodes={self.node} Default=YES MaxTime=INFINITE State=UP",
        ]) + "\n")
        conf = str(self.root / "slurm.conf")
        self.spawn("slurmctld", ["slurmctld", "-D", "-f", conf])
        self.spawn("slurmd", ["slurmd", "-D", "-f", conf, "-N", self.node])
        self.wait_for(lambda: self.run(["sinfo", "-h", "-o", "%T"], check=False).strip() == "idle", 30,
                      "the node to be idle in sinfo")

    def spawn(self, name, argv):
        log = open(self.root / f"{name}.out", "w")
        self.children.append((name, subprocess.Popen(argv, env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                                     start_new_session=True)))

    def run(self, argv, check=True):
        done = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=30)
        if check and done.returncode != 0:
            raise AssertionError(f"{' '.join(argv)}: exit {done.returncode}: {done.stderr.strip()}")
        return done.stdout

    def wait_for(self, condition, seconds, what):
        deadline = time.monotonic() + seconds
        while not condition():
            for name, child in self.children:
                if child.poll() is not None:
                    raise AssertionError(f"{name} ended (exit {child.returncode}) while waiting for {what}:\n{self.logs()}")
            if time.monotonic() > deadline:
                raise AssertionError(f"no {what} after {seconds} s:\n{self.logs()}")
            time.sleep(0.2)

    def logs(self):
        text = ""
        for path in sorted(self.root.glob("*.out")) + sorted((self.root / "log").glob("*.log")):
            lines = path.read_text(errors="replace").splitlines()[-15:]
            text += f"--- {path.name}\n" + "\n".join(lines) + "\n"
        return text

    def stop(self):
        # jobs first: a job step (slurmstepd) outlives slurmd, so it is cancelled, then anything of this
        # cluster's still running (its environment names this slurm.conf) is killed
        if any(name == "slurmctld" and child.poll() is None for name, child in self.children):
            subprocess.run(["scancel", "--full", "--user=root"], env=self.env, capture_output=True, timeout=30)
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and self.run(["squeue", "-h"], check=False).strip():
                time.sleep(0.3)
        for name, child in reversed(self.children):
            if child.poll() is None:
                os.killpg(child.pid, signal.SIGTERM)
                try:
                    child.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    os.killpg(child.pid, signal.SIGKILL)
                    child.wait()
        marker = f"SLURM_CONF={self.env['SLURM_CONF']}".encode()
        for pid in pids():
            try:
                if marker in pathlib.Path(f"/proc/{pid}/environ").read_bytes().split(b"\0"):
                    os.kill(pid, signal.SIGKILL)
            except OSError:
                pass


def pids():
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()]


def cmdline(pid):
    try:
        return pathlib.Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return []


def case_running(shard):
    """The pid of the sweep process of part `shard` while a case of it runs, else None."""
    for pid in pids():
        args = cmdline(pid)
        if b"sweep" in args and b"--shard" in args and args[args.index(b"--shard") + 1] == shard.encode():
            children = pathlib.Path(f"/proc/{pid}/task/{pid}/children")
            try:
                if any(b"__case" in cmdline(int(c)) for c in children.read_text().split()):
                    return pid
            except OSError:
                pass
    return None


def cases(path):
    lines = pathlib.Path(path).read_text().splitlines()
    header = json.loads(lines[0])
    keys = []
    for line in lines[1:]:
        c = json.loads(line)
        assert c["status"] == "ok", f"{path}: a case failed: {line[:300]}"
        keys.append((c["case"]["scenario"], json.dumps(c["case"]["params"], sort_keys=True), c["case"]["model"],
                     c["case"]["repetition"]))
    return header, keys


def main():
    conclab = os.path.abspath(sys.argv[1])
    if os.geteuid() != 0:
        skip("a Slurm cluster (slurmd, munged) starts only as root here; run as root to test the cluster path")
    missing = [p for p in ("munged", "slurmctld", "slurmd", "sbatch", "scontrol", "squeue", "flock") if shutil.which(p) is None]
    if missing:
        skip(f"{', '.join(missing)} not installed: ./setup.sh test installs Debian's slurmctld, slurmd, slurm-client and munge")
    work = pathlib.Path(tempfile.mkdtemp(prefix="conclab-slurm-"))
    cluster = Cluster(work / "cluster")
    (work / "cluster").mkdir()
    ok = False
    try:
        cluster.start()
        print(f"cluster up: node {cluster.node}, in {work}")
        run_recipe(conclab, work, cluster)
        ok = True
    finally:
        cluster.stop()
        script = work / "job.sh"  # the node lock the job script takes, in /tmp
        if script.exists() and (lock := re.search(r"^lock=(\S+)$", script.read_text(), re.M)):
            pathlib.Path(lock.group(1)).unlink(missing_ok=True)
        if ok:
            shutil.rmtree(work, ignore_errors=True)
        else:
            print(cluster.logs())
            print(f"kept for a look: {work}")


def run_recipe(conclab, work, cluster):
    results = work / "results"
    results.mkdir()
    # 1. the job array, written and submitted by conclab
    written = subprocess.run([conclab, *SWEEP, "--slurm", "job.sh", "--slurm-tasks", "2", "-o", "results/all.jsonl", "--submit"],
                             cwd=work, env=cluster.env, capture_output=True, text=True, timeout=60)
    assert written.returncode == 0, written.stderr
    print(written.stdout, end="")
    job = re.search(r"submitted job (\d+) \(2 tasks\)", written.stdout).group(1)
    merge = re.search(r"when every task has ended .*?: (.*)$", written.stdout, re.M).group(1)
    script = (work / "job.sh").read_text()
    assert "#SBATCH --array=1-2" in script and "#SBATCH --exclusive" in script and "#SBATCH --requeue" in script, script
    parts = [results / f"all.part-{k}-of-2.jsonl" for k in (1, 2)]

    def lines(path):
        return len(path.read_text().splitlines()) if path.exists() else 0

    # 2a. task 1 requeued while a case runs: Slurm stops it (SIGTERM, later SIGKILL) and queues it again
    cluster.wait_for(lambda: lines(parts[0]) >= 3 and case_running("1/2"), 60, "task 1 in the middle of a case")
    cluster.run(["scontrol", "requeue", f"{job}_1"])
    print(f"requeued task 1 in a case, with {lines(parts[0]) - 1} cases in its part")
    # 2b. task 2's conclab killed outright in a case (a crash, the OOM killer): the task fails; requeued by hand
    cluster.wait_for(lambda: lines(parts[1]) >= 3 and case_running("2/2"), 60, "task 2 in the middle of a case")
    killed = case_running("2/2")
    os.kill(killed, signal.SIGKILL)
    print(f"killed task 2's sweep (pid {killed}) in a case, with {lines(parts[1]) - 1} cases in its part")
    cluster.wait_for(lambda: "FAILED" in cluster.run(["scontrol", "show", "job", f"{job}_2"], check=False)
                     or "PENDING" in cluster.run(["scontrol", "show", "job", f"{job}_2"], check=False), 30, "task 2 to end")
    cluster.run(["scontrol", "requeue", f"{job}_2"])
    # a requeued job waits (BeginTime) before it may start again; here it may start now
    def released():
        queue = cluster.run(["squeue", "-h", "-j", job, "-o", "%i %r"], check=False)
        for line in queue.splitlines():
            if "BeginTime" in line:
                cluster.run(["scontrol", "update", f"jobid={line.split()[0]}", "StartTime=now"], check=False)
        return queue.strip() == ""
    cluster.wait_for(released, 180, "every task to end")

    logs = {k: (results / f"all.slurm-{job}_{k}.log").read_text() for k in (1, 2)}
    for k, log in logs.items():
        assert "attempt 1:" in log and "attempt 2:" in log and "(resumed)" in log, f"task {k}'s log:\n{log}"
        assert re.search(r"sweep: 16 cases in", log), f"task {k} did not end with its 16 cases:\n{log}"

    # 3. the parts merged with the command conclab printed; the same sweep unsharded, here, for the case set
    merged = subprocess.run(["bash", "-c", merge], cwd=work, capture_output=True, text=True, timeout=60)
    assert merged.returncode == 0, merged.stderr
    whole = subprocess.run([conclab, *SWEEP, "--quiet", "-o", "whole.jsonl"], cwd=work, capture_output=True, text=True, timeout=300)
    assert whole.returncode == 0, whole.stderr
    header, merged_keys = cases(results / "all.jsonl")
    _, whole_keys = cases(work / "whole.jsonl")
    assert len(merged_keys) == len(set(merged_keys)), "a case is in the merged file twice"
    for part in parts:
        _, keys = cases(part)
        assert len(keys) == len(set(keys)), f"{part.name} holds a case twice after its resume"
    assert sorted(merged_keys) == sorted(whole_keys), (
        f"merged and unsharded differ: only merged {set(merged_keys) - set(whole_keys)}, "
        f"only unsharded {set(whole_keys) - set(merged_keys)}")
    assert header["shard"] == "merged" and len(header["merged_from"]) == 2, header
    print(f"merged: {len(merged_keys)} cases, the unsharded sweep's {len(whole_keys)}, none twice")

    # 4. a second task of this sweep on a node that one holds: refused before it runs anything
    lock = re.search(r"^lock=(\S+)$", script, re.M).group(1)
    before = parts[0].read_bytes()
    with open(lock, "a") as held:
        fcntl.flock(held, fcntl.LOCK_EX)
        second = subprocess.run(["bash", str(work / "job.sh")], cwd=work, capture_output=True, text=True, timeout=30,
                                env=dict(cluster.env, SLURM_ARRAY_TASK_ID="1", SLURM_ARRAY_JOB_ID="99"))
    assert second.returncode == 2, (second.returncode, second.stdout, second.stderr)
    assert "refused" in second.stderr and "another task of this sweep is measuring here" in second.stderr, second.stderr
    assert parts[0].read_bytes() == before, "a refused task changed its part"
    print("a second task on the node: refused, part untouched")


if __name__ == "__main__":
    main()
