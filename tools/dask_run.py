#!/usr/bin/python3
"""Runs `polc run --shard K/N` for K = 0..N-1 as Dask tasks, then `polc merge` (docs/scale.md).

    tools/dask_run.py POLICY --persons P --claims C --out R [--persons-out S] --shards N
                      [--scheduler tcp://HOST:8786 | --workers W] [--polc PATH] [--work DIR]
                      [--threads T] [--check]

Without --scheduler a LocalCluster of W worker processes (one thread each) runs on this
machine; with it, the tasks go to that Dask cluster, whose workers must see the same polc
binary, policy, inputs and work directory (a shared filesystem) at the same paths. Each task
runs one shard into the work directory; the merge runs here once every shard is done. With
--check the single run is made too and the merged files must equal it byte for byte (exit 1
otherwise). Uses the system python3 and Debian's python3-dask / python3-distributed.
"""
import argparse
import filecmp
import os
import shutil
import subprocess
import sys
import tempfile
import time


def run_shard(polc, policy, persons, claims, work, k, n, threads, with_persons):
    """One Dask task: shard k of n into work/shard-k.*.csv; returns (k, seconds, stderr)."""
    start = time.monotonic()
    cmd = [polc, "run", policy, "--persons", persons, "--claims", claims, "--shard", f"{k}/{n}",
           "--threads", str(threads), "--out", os.path.join(work, f"shard-{k}.r.csv")]
    if with_persons:
        cmd += ["--persons-out", os.path.join(work, f"shard-{k}.p.csv")]
    done = subprocess.run(cmd, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"shard {k}/{n}: polc exited {done.returncode}: {done.stderr.strip()}")
    return k, time.monotonic() - start


def main():
    here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description="polc shards on Dask, then polc merge")
    ap.add_argument("policy")
    ap.add_argument("--persons", required=True)
    ap.add_argument("--claims", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--persons-out")
    ap.add_argument("--shards", type=int, default=4)
    ap.add_argument("--workers", type=int, default=4, help="LocalCluster worker processes")
    ap.add_argument("--scheduler", help="address of a running Dask scheduler instead of a LocalCluster")
    ap.add_argument("--polc", default=os.path.join(os.environ.get("POLC_BUILD_DIR", os.path.join(here, "build")), "polc"))
    ap.add_argument("--work", help="directory for the shard outputs (default: a temporary one, removed)")
    ap.add_argument("--threads", type=int, default=1, help="--threads of each shard's polc run")
    ap.add_argument("--check", action="store_true", help="also make the single run and compare")
    args = ap.parse_args()
    if not 1 <= args.shards <= 65536:
        ap.error("--shards: 1 to 65536")
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        print("dask_run: SKIPPED: no Dask (Debian python3-dask, python3-distributed)", file=sys.stderr)
        return 77
    paths = {name: os.path.abspath(getattr(args, name)) for name in ("policy", "persons", "claims", "out")}
    polc = os.path.abspath(args.polc)
    persons_out = os.path.abspath(args.persons_out) if args.persons_out else None
    work = os.path.abspath(args.work) if args.work else tempfile.mkdtemp(prefix="polc-dask.")
    os.makedirs(work, exist_ok=True)
    cluster = None
    try:
        if args.scheduler:
            client = Client(args.scheduler)
        else:
            cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None, local_directory=work)
            client = Client(cluster)
        start = time.monotonic()
        futures = [client.submit(run_shard, polc, paths["policy"], paths["persons"], paths["claims"], work, k,
                                 args.shards, args.threads, persons_out is not None, pure=False, key=f"polc-shard-{k}")
                   for k in range(args.shards)]
        try:
            for k, seconds in client.gather(futures):
                print(f"dask_run: shard {k}/{args.shards} settled in {seconds:.2f} s")
        except RuntimeError as e:
            print(f"dask_run: {e}", file=sys.stderr)
            return 1
        finally:
            client.close()
        merge = [polc, "merge", paths["policy"]] + [os.path.join(work, f"shard-{k}.r.csv") for k in range(args.shards)]
        merge += ["--persons", paths["persons"], "--claims", paths["claims"], "--out", paths["out"]]
        if persons_out:
            merge += ["--persons-out", persons_out, "--persons-parts"]
            merge += [os.path.join(work, f"shard-{k}.p.csv") for k in range(args.shards)]
        subprocess.run(merge, check=True)
        print(f"dask_run: {args.shards} shards settled and merged in {time.monotonic() - start:.2f} s")
        if args.check:
            single = [polc, "run", paths["policy"], "--persons", paths["persons"], "--claims", paths["claims"],
                      "--out", os.path.join(work, "single.r.csv")]
            if persons_out:
                single += ["--persons-out", os.path.join(work, "single.p.csv")]
            subprocess.run(single, check=True)
            same = filecmp.cmp(paths["out"], os.path.join(work, "single.r.csv"), shallow=False)
            if persons_out:
                same = same and filecmp.cmp(persons_out, os.path.join(work, "single.p.csv"), shallow=False)
            if not same:
                print("dask_run: FAIL: the merged output differs from the single run", file=sys.stderr)
                return 1
            print("dask_run: the merged output equals the single run byte for byte")
    finally:
        if cluster is not None:
            cluster.close()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
