"""Executors of an experiment's chunks: this process, local worker processes, a Dask cluster. Each has the same
small interface: ``submit(chunk) -> Future``, ``wait(futures, timeout) -> finished futures``, ``restart()`` (after
a worker process died) and ``close()``; ``workers`` and ``name`` say what runs the chunks."""

from __future__ import annotations

from concurrent.futures import Future

from ..params import ConfigError
from .worker import RunContext, _init_local, _run_local, run_chunk


class SerialExecutor:
    """Runs chunks in this process (``--workers 1``)."""

    def __init__(self, ctx: RunContext):
        self.ctx, self.workers, self.name = ctx, 1, "this process"

    def submit(self, chunk) -> Future:
        f: Future = Future()
        f.set_result(run_chunk(self.ctx, chunk))
        return f

    def wait(self, futures, timeout):
        return list(futures)

    def restart(self):
        pass

    def close(self):
        pass


class LocalExecutor:
    """Local worker processes, forked where the platform can (they start at once, with the model imported),
    else spawned. All workers are started before the progress bar's thread."""

    def __init__(self, ctx: RunContext, workers: int):
        self.ctx, self.workers, self.name = ctx, workers, f"{workers} local processes"
        self._start()

    def _start(self):
        import multiprocessing as mp
        import warnings
        from concurrent.futures import ProcessPoolExecutor

        mpc = mp.get_context("fork" if "fork" in mp.get_all_start_methods() else "spawn")
        if mpc.get_start_method() == "fork":
            from ..runner import warm_up
            warm_up()  # the compiled schedule, loaded once here and shared by the forked workers
        self.pool = ProcessPoolExecutor(self.workers, mp_context=mpc, initializer=_init_local,
                                        initargs=(self.ctx,))
        with warnings.catch_warnings():
            # numpy's and pyarrow's native helper threads make Python warn about fork; they are fork-safe
            # (they register at-fork handlers), and forking is what multiprocessing did by default until 3.14
            warnings.filterwarnings("ignore", "This process .* is multi-threaded", DeprecationWarning)
            self.pool.submit(int).result()  # start every worker now

    def submit(self, chunk) -> Future:
        return self.pool.submit(_run_local, chunk)

    def wait(self, futures, timeout):
        from concurrent.futures import FIRST_COMPLETED
        from concurrent.futures import wait as cf_wait

        return list(cf_wait(futures, timeout=timeout, return_when=FIRST_COMPLETED).done)

    def restart(self):
        self.pool.shutdown(wait=False, cancel_futures=True)
        self._start()

    def close(self):
        self.pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor:
    """A Dask distributed cluster (``--scheduler tcp://host:port``); the context is broadcast to every worker."""

    def __init__(self, ctx: RunContext, address: str):
        try:
            from distributed import Client
        except ImportError:
            raise ConfigError("--scheduler needs the Dask extra: pip install 'orgsim[distributed]'") from None
        try:
            self.client = Client(address, timeout="10s", set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ConfigError(f"--scheduler {address}: cannot connect ({type(exc).__name__}: {exc})") from None
        self.workers = sum(self.client.nthreads().values())
        if not self.workers:
            self.client.close()
            raise ConfigError(f"--scheduler {address}: no workers connected; start some with 'dask worker "
                              f"{address}'")
        self.name = f"Dask cluster {address} ({self.workers} worker threads)"
        self.ctx = self.client.scatter(ctx, broadcast=True, hash=False)
        from distributed import as_completed

        self.finished = as_completed(loop=self.client.loop)

    def submit(self, chunk):
        f = self.client.submit(run_chunk, self.ctx, chunk, pure=False)
        self.finished.add(f)
        return f

    def wait(self, futures, timeout):
        """Block until a chunk is finished (a chunk's results are what gets flushed, so no timeout is needed)."""
        return [next(self.finished), *self.finished.next_batch(block=False)]

    def restart(self):
        pass

    def close(self):
        self.client.close()

