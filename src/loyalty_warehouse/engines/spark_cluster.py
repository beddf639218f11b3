"""A local Spark standalone cluster for the warehouse: one master, worker processes and the Spark
Thrift server, all on 127.0.0.1 and all from the Spark distribution that pyspark ships.

dbt (dbt-spark, `method: thrift`), the raw loader and BI tools connect to the Thrift server; it runs
the statements on the cluster's executors and keeps the catalog in its Derby metastore, so any
number of clients can connect while a build runs. Everything the cluster writes (tables, metastore,
logs, scratch space) goes under one folder.

Each process is started in its own process group and recorded in ``cluster.json``; `stop` ends
each group (a worker's executors are in the worker's group), so no JVM outlives the cluster.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

Progress = Callable[[str], None]

THRIFT_SERVER_CLASS = "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"
STATE_FILE = "cluster.json"
# Spark's own logs go to this file at WARN; the console keeps dbt's progress.
LOG_FILE = "logs/spark.log"
ROLES = ("thrift", "worker", "master")  # stop order: clients of the master first


def _quiet(_line: str) -> None:
    pass


def spark_home() -> Path:
    """The Spark distribution inside the pyspark package (bin/, jars/)."""
    import pyspark

    return Path(pyspark.__file__).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


@dataclass(frozen=True)
class ClusterSize:
    """How big the local cluster is; small by default (a shared two-core machine)."""

    workers: int = 2
    worker_cores: int = 1
    worker_memory: str = "1g"  # what one worker offers its executor
    executor_memory: str = "768m"
    # the Thrift server plans every statement; the quarantine models' plans need more than 1 GB
    driver_memory: str = "3g"
    daemon_memory: str = "256m"  # the master and worker processes themselves
    shuffle_partitions: int = 2

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None) -> ClusterSize:
        env = dict(os.environ if env is None else env)
        default = cls()
        return cls(
            workers=int(env.get("LOYALTY_SPARK_WORKERS", default.workers)),
            worker_memory=env.get("LOYALTY_SPARK_WORKER_MEMORY", default.worker_memory),
            executor_memory=env.get("LOYALTY_SPARK_EXECUTOR_MEMORY", default.executor_memory),
            driver_memory=env.get("LOYALTY_SPARK_DRIVER_MEMORY", default.driver_memory),
            shuffle_partitions=int(env.get("LOYALTY_SPARK_SHUFFLE_PARTITIONS", default.shuffle_partitions)),
        )


def log4j2_properties(log_file: Path) -> str:
    """Spark's logging: WARN and above to ``log_file``, nothing on the console."""
    return "\n".join(
        [
            "# Written by loyalty-warehouse (engines/spark_cluster.py): Spark logs to a file at WARN.",
            "rootLogger.level = warn",
            "rootLogger.appenderRef.file.ref = file",
            "appender.file.type = File",
            "appender.file.name = file",
            f"appender.file.fileName = {log_file}",
            "appender.file.append = true",
            "appender.file.layout.type = PatternLayout",
            "appender.file.layout.pattern = %d{yyyy-MM-dd HH:mm:ss} %p %c{1}: %m%n",
            # the Thrift server's 'started' line is how `start` knows it is ready
            "logger.thrift.name = org.apache.spark.sql.hive.thriftserver",
            "logger.thrift.level = info",
            "",
        ]
    )


class LocalSparkCluster:
    """The master, workers and Thrift server under ``cluster_dir``."""

    def __init__(self, cluster_dir: Path) -> None:
        self.dir = cluster_dir.resolve()
        self.conf_dir = self.dir / "conf"
        self.log_file = self.dir / LOG_FILE

    # ------------------------------------------------------------------ state

    @property
    def state_path(self) -> Path:
        return self.dir / STATE_FILE

    def state(self) -> dict:
        if not self.state_path.exists():
            return {}
        return json.loads(self.state_path.read_text())

    def _save(self, state: dict) -> None:
        self.state_path.write_text(json.dumps(state, indent=2))

    def processes(self) -> dict[str, list[int]]:
        """{role: [pid, ...]} of the recorded processes still alive."""
        alive: dict[str, list[int]] = {}
        for role, pids in self.state().get("pids", {}).items():
            alive[role] = [pid for pid in pids if psutil.pid_exists(pid) and _is_ours(pid)]
        return alive

    def is_running(self) -> bool:
        return any(self.processes().values())

    def thrift_port(self) -> int:
        return int(self.state()["thrift_port"])

    def exports(self) -> str:
        state = self.state()
        if not state:
            raise RuntimeError(f"no Spark cluster in {self.dir}; start it with `loyalty spark start`")
        lines = {
            "LOYALTY_TARGET": "spark",
            "LOYALTY_SPARK_HOST": "127.0.0.1",
            "LOYALTY_SPARK_PORT": str(state["thrift_port"]),
            "LOYALTY_SPARK_STAGING_DIR": str(self.dir / "raw-staging"),
        }
        return "\n".join(f"export {key}={value}" for key, value in lines.items())

    # ------------------------------------------------------------------ start

    def _write_conf(self, size: ClusterSize) -> None:
        self.conf_dir.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        (self.conf_dir / "log4j2.properties").write_text(log4j2_properties(self.log_file))
        defaults = {
            "spark.ui.enabled": "false",
            "spark.sql.session.timeZone": "UTC",
            "spark.sql.ansi.enabled": "false",  # as dbt-spark's session method and the other lanes
            "spark.sql.cteRecursionLevelLimit": "-1",  # the referral-loop check walks chains recursively (D61)
            "spark.sql.cteRecursionRowLimit": "-1",
            "spark.sql.shuffle.partitions": str(size.shuffle_partitions),
            "spark.default.parallelism": str(size.workers * size.worker_cores),
            "spark.sql.warehouse.dir": str(self.dir / "spark-warehouse"),
            "spark.local.dir": str(self.dir / "tmp"),
            "spark.hadoop.javax.jdo.option.ConnectionURL": (
                f"jdbc:derby:;databaseName={self.dir}/metastore_db;create=true"
            ),
            "spark.driver.extraJavaOptions": f"-Dderby.system.home={self.dir}",
            "spark.executor.memory": size.executor_memory,
            "spark.executor.cores": str(size.worker_cores),
            "spark.cores.max": str(size.workers * size.worker_cores),
            # every executor is on this host: waiting for a "more local" slot only delays small tasks
            "spark.locality.wait": "0s",
            # the Thrift server runs for days: keep few finished statements' plans in its heap
            "spark.sql.ui.retainedExecutions": "20",
            "spark.ui.retainedJobs": "50",
            "spark.ui.retainedStages": "50",
            "spark.sql.thriftserver.ui.retainedStatements": "20",
            "spark.sql.thriftserver.ui.retainedSessions": "20",
        }
        (self.conf_dir / "spark-defaults.conf").write_text(
            "# Written by loyalty-warehouse for the local cluster.\n"
            + "".join(f"{key} {value}\n" for key, value in defaults.items())
        )

    def _env(self, size: ClusterSize) -> dict[str, str]:
        return os.environ | {
            "SPARK_HOME": str(spark_home()),
            "SPARK_CONF_DIR": str(self.conf_dir),
            "SPARK_LOCAL_IP": "127.0.0.1",
            "SPARK_DAEMON_MEMORY": size.daemon_memory,
            "SPARK_LOG_DIR": str(self.log_file.parent),
            "SPARK_PID_DIR": str(self.dir),
        }

    def _spawn(self, role: str, index: int, args: list[str], env: dict[str, str]) -> subprocess.Popen:
        out = self.log_file.parent / f"{role}-{index}.out"
        with out.open("ab") as sink:
            proc = subprocess.Popen(
                ["nice", "-n", "10", *args],
                cwd=self.dir,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=sink,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        return proc

    def start(
        self,
        size: ClusterSize | None = None,
        master_port: int = 7077,
        thrift_port: int = 10000,
        progress: Progress = _quiet,
        timeout: float = 180,
    ) -> None:
        """Start the master, the workers and the Thrift server; return when the Thrift server accepts clients."""
        size = size or ClusterSize.from_env()
        if self.is_running():
            progress(
                f"the Spark cluster in {self.dir} is already running (Thrift server on 127.0.0.1:{self.thrift_port()})"
            )
            return
        for port, what in ((master_port, "master"), (thrift_port, "Thrift server")):
            if port_open(port):
                raise RuntimeError(
                    f"port {port} on 127.0.0.1 is taken; choose another for the Spark {what} "
                    f"(--{'master' if what == 'master' else 'thrift'}-port)"
                )
        self.dir.mkdir(parents=True, exist_ok=True)
        self._write_conf(size)
        env = self._env(size)
        bin_dir = spark_home() / "bin"
        master_url = f"spark://127.0.0.1:{master_port}"
        state = {"master_url": master_url, "thrift_port": thrift_port, "size": size.__dict__, "pids": {}}
        self._save(state)
        try:
            progress(f"starting the Spark master on {master_url}")
            master = self._spawn(
                "master",
                0,
                [
                    str(bin_dir / "spark-class"),
                    "org.apache.spark.deploy.master.Master",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(master_port),
                    "--webui-port",
                    str(free_port()),
                ],
                env,
            )
            state["pids"]["master"] = [master.pid]
            self._save(state)
            _wait_for(
                lambda: port_open(master_port) or master.poll() is not None, 90, "the Spark master", self.log_file
            )
            if master.poll() is not None:
                raise RuntimeError(f"the Spark master exited at start; see {self.log_file.parent}/master-0.out")
            state["pids"]["worker"] = []
            for index in range(size.workers):
                progress(
                    f"starting Spark worker {index + 1} of {size.workers} "
                    f"({size.worker_cores} core, {size.worker_memory} for its executor)"
                )
                work_dir = self.dir / "work" / f"worker-{index}"
                work_dir.mkdir(parents=True, exist_ok=True)
                state["pids"]["worker"].append(
                    self._spawn(
                        "worker",
                        index,
                        [
                            str(bin_dir / "spark-class"),
                            "org.apache.spark.deploy.worker.Worker",
                            "--host",
                            "127.0.0.1",
                            "--cores",
                            str(size.worker_cores),
                            "--memory",
                            size.worker_memory,
                            "--work-dir",
                            str(work_dir),
                            "--webui-port",
                            str(free_port()),
                            master_url,
                        ],
                        env,
                    ).pid
                )
                self._save(state)
            progress(f"starting the Spark Thrift server on 127.0.0.1:{thrift_port} (about 30 s)")
            thrift = self._spawn(
                "thrift",
                0,
                [
                    str(bin_dir / "spark-submit"),
                    "--master",
                    master_url,
                    "--driver-memory",
                    size.driver_memory,
                    "--class",
                    THRIFT_SERVER_CLASS,
                    "--name",
                    "loyalty-warehouse thrift server",
                    "--hiveconf",
                    f"hive.server2.thrift.port={thrift_port}",
                    "--hiveconf",
                    "hive.server2.thrift.bind.host=127.0.0.1",
                    # dbt-spark opens a new cursor per statement without closing the last one: each
                    # finished statement keeps its plan in the heap until the client disconnects. Close
                    # finished statements idle for 5 s (checked every 3 s, the shortest Hive allows).
                    "--hiveconf",
                    "hive.server2.session.check.interval=3s",
                    "--hiveconf",
                    "hive.server2.idle.operation.timeout=5s",
                    "spark-internal",
                    # Spark's launcher sizes the Thrift server's heap from SPARK_DAEMON_MEMORY, not --driver-memory
                ],
                env | {"SPARK_DAEMON_MEMORY": size.driver_memory},
            )
            state["pids"]["thrift"] = [thrift.pid]
            self._save(state)
            _wait_for(
                lambda: port_open(thrift_port) or thrift.poll() is not None,
                timeout,
                "the Spark Thrift server",
                self.log_file,
            )
            if thrift.poll() is not None:
                raise RuntimeError(f"the Spark Thrift server exited at start; see {self.log_file.parent}/thrift-0.out")
        except BaseException:
            self.stop()
            raise
        progress(
            f"Spark cluster up: master {master_url}, {size.workers} workers, "
            f"Thrift server 127.0.0.1:{thrift_port}; Spark logs in {self.log_file}"
        )

    # ------------------------------------------------------------------ stop

    def stop(self, progress: Progress = _quiet, timeout: float = 30) -> None:
        """End every process of the cluster (each process group), Thrift server first; waits for them."""
        running = self.processes()
        if not any(running.values()):
            progress(f"no Spark cluster running in {self.dir}")
            return
        for role in ROLES:
            for pid in running.get(role, []):
                progress(f"stopping Spark {role} (pid {pid})")
                _end_group(pid, timeout)
        state = self.state()
        state["pids"] = {}
        self._save(state)
        progress("Spark cluster stopped")

    # ------------------------------------------------------------------ measuring

    def resident_memory(self) -> dict[str, int]:
        """Resident bytes per role now, each process with its children (a worker's executors count as its own)."""
        totals: dict[str, int] = {}
        for role, pids in self.processes().items():
            total = 0
            for pid in pids:
                try:
                    proc = psutil.Process(pid)
                    for member in [proc, *proc.children(recursive=True)]:
                        total += member.memory_info().rss
                except psutil.Error:
                    continue
            totals[role] = total
        return totals


def _is_ours(pid: int) -> bool:
    """A recorded pid is still one of our JVMs (and not a reused pid of another program)."""
    try:
        cmdline = " ".join(psutil.Process(pid).cmdline())
    except psutil.Error:
        return False
    # empty while the start script execs the JVM
    return not cmdline or "java" in cmdline or "spark" in cmdline


def _end_group(pid: int, timeout: float) -> None:
    try:
        group = os.getpgid(pid)
    except ProcessLookupError:
        return
    members = [p for p in psutil.process_iter() if _group_of(p) == group]
    os.killpg(group, signal.SIGTERM)
    _, alive = psutil.wait_procs(members, timeout=timeout)
    for proc in alive:
        with contextlib.suppress(psutil.Error):
            proc.kill()
    psutil.wait_procs(alive, timeout=10)


def _group_of(proc: psutil.Process) -> int | None:
    try:
        return os.getpgid(proc.pid)
    except (ProcessLookupError, PermissionError):
        return None


def _wait_for(ready: Callable[[], bool], seconds: float, what: str, log_file: Path) -> None:
    deadline = time.monotonic() + seconds
    while not ready():
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {seconds:.0f} s; see the logs in {log_file.parent}")
        time.sleep(0.5)
