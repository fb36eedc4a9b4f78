"""Fixtures of the fault-injection suite: committed data (the worker processes read it through their own
connections), a funded user with a 20-image gallery request, and workers that are always stopped."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.chaos.harness import (
    IMAGES,
    RedisServer,
    Workers,
    audit_credits,
    free_chaos_port,
    purge_queues,
    subprocess_env,
)

START_BALANCE = 1000


@dataclass
class Scene:
    client: object
    user: object
    project: object
    poses: list
    call_log: Path
    tmp: Path

    def submit(self, *, seed: int):
        from tests.posegen.pipeline_helpers import GENERATE_URL, gallery_body

        body = gallery_body(self.project, self.poses, batchSize=IMAGES // len(self.poses), seed=seed)
        return self.client.post(GENERATE_URL, body, format="json")

    def audit(self, *, redis_url: str | None = None):
        return audit_credits(subprocess_env(redis_url=redis_url or os.environ["REDIS_URL"], engine="counting",
                                            call_log=self.call_log))

    def assert_audit_holds(self) -> None:
        """`manage.py audit_credits`, run as an operator would, finds every invariant intact."""
        audit = self.audit()
        assert audit.returncode == 0, audit.stdout + audit.stderr
        assert "all invariants hold" in audit.stdout

    def assert_charged_once(self, *, amount: int) -> None:
        """The user's books: the starting grant and exactly one charge of `amount`, nothing else."""
        from lumiku.credits.models import LedgerEntry
        from lumiku.credits.selectors import credits_balance, credits_ledger_sum

        assert credits_balance(user_id=self.user.pk) == START_BALANCE - amount
        assert credits_ledger_sum(user_id=self.user.pk) == START_BALANCE - amount
        entries = LedgerEntry.objects.filter(wallet_id=self.user.pk).order_by("created_at", "id")
        assert [(e.kind, e.amount) for e in entries] == [("grant", START_BALANCE), ("charge", -amount)]


@pytest.fixture
def scene(transactional_db, tmp_path) -> Scene:
    from tests.clients import api_client_for
    from tests.factories import ProjectFactory, UserFactory, library_pose
    from tests.posegen.pipeline_helpers import fund

    user = UserFactory()
    fund(user, START_BALANCE)
    project = ProjectFactory(user=user)
    poses = [library_pose(name=f"Chaos pose {i}") for i in range(IMAGES // 2)]
    return Scene(client=api_client_for(user), user=user, project=project, poses=poses,
                 call_log=tmp_path / "engine-calls.log", tmp=tmp_path)


@pytest.fixture
def workers(transactional_db, tmp_path, request):
    """Worker subprocesses of one test; stopped (before the test database is flushed) whatever happens."""
    shared = os.environ["REDIS_URL"]
    purge_queues(shared)
    manager = Workers(tmp=tmp_path)
    yield manager
    manager.stop_all()
    purge_queues(shared)
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        for worker in manager.started:
            print(f"--- {worker.name} ---\n{worker.log_tail()}")


@pytest.fixture
def private_redis(tmp_path):
    """A redis-server of this test's own (not started yet) on a port of 6391-6399: free to kill and restart.
    Request it before `workers`, so the workers stop first."""
    server = RedisServer(port=free_chaos_port(), log_path=tmp_path / "redis.log")
    yield server
    server.kill()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
