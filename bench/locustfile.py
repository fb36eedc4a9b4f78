"""The mixed, authenticated journey for bench/bench_load.py (locust, headless):

    locust -f bench/locustfile.py --headless -u 40 -r 20 -t 60s --host http://127.0.0.1:8130 --csv OUT

Each simulated user is one of the bench accounts in $LOAD_USERS_FILE (JWT, a project with an avatar,
credits), written by bench_load.py. It browses and searches the library signed in (Django, with its
favourites) and anonymously (the cached fast path), opens its project pages, submits small
generations (2 images, the `instant` engine in a real Celery worker) and polls their status. Every
response must have the expected status: anything else counts as a failure.
"""

from __future__ import annotations

import json
import os
import random

from locust import HttpUser, between, task

LIBRARY = "/api/apps/pose-generator/library"
API = "/api/apps/pose-generator"
SEARCHES = ("hands on hips", "sitting", "product", "yoga", "walking", "arms crossed", "kneeling", "selfie")
with open(os.environ["LOAD_USERS_FILE"]) as _file:  # written by bench_load.py
    _DATA = json.load(_file)
_ACCOUNTS = list(_DATA["accounts"])


class Customer(HttpUser):
    wait_time = between(0.1, 0.5)

    def on_start(self):
        account = _ACCOUNTS.pop() if _ACCOUNTS else random.choice(_DATA["accounts"])
        self.auth = {"Authorization": f"Bearer {account['token']}"}
        self.project_id = account["projectId"]
        self.generations: list[str] = []

    def _get(self, url: str, name: str, *, signed_in: bool = True):
        with self.client.get(url, headers=self.auth if signed_in else None, name=name,
                             catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(6)
    def library_signed_in(self):
        self._get(f"{LIBRARY}?page={random.randint(1, 20)}", "library (signed in)")

    @task(6)
    def library_anonymous(self):
        self._get(f"{LIBRARY}?page={random.randint(1, 20)}", "library (anonymous)", signed_in=False)

    @task(3)
    def library_search(self):
        query = random.choice(SEARCHES).replace(" ", "+")
        self._get(f"{LIBRARY}?search={query}&page={random.randint(1, 2)}", "library?search (signed in)")

    @task(2)
    def projects(self):
        self._get(f"{API}/projects", "projects")

    @task(2)
    def project(self):
        self._get(f"{API}/projects/{self.project_id}", "projects/<id>")

    @task(1)
    def project_generations(self):
        self._get(f"{API}/projects/{self.project_id}/generations", "projects/<id>/generations")

    @task(4)
    def status(self):
        if self.generations:
            self._get(f"{API}/generations/{random.choice(self.generations[-3:])}", "generations/<id>")

    @task(1)
    def submit(self):
        body = {"projectId": self.project_id, "generationType": "GALLERY_REFERENCE",
                "selectedPoseIds": random.sample(_DATA["poseIds"], 2), "batchSize": 1}
        with self.client.post(f"{API}/generate", json=body, headers=self.auth, name="generate",
                              catch_response=True) as response:
            if response.status_code != 202:
                response.failure(f"{response.status_code}: {response.text[:200]}")
            else:
                self.generations.append(response.json()["generationId"])
