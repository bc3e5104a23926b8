"""The original product's Locust test, against ask2live's REST contract.

Each virtual user signs up once, then loops: list sessions, read one, add a
pre-question, open a session of their own and end it. (Joining the live
room needs a WebSocket client; `ask2live-bench flow` covers that step.)

    locust -f bench/locustfile.py --host http://127.0.0.1:8080 \\
        --headless -u 100 -r 10 -t 60s

Run the server with raised per-user limits (see docs/PERFORMANCE.md):
Locust sends from one address and each user asks a question per loop.
"""

import uuid

from locust import HttpUser, between, task

PASSWORD = "locust-password"


class Guest(HttpUser):
    wait_time = between(0.5, 1.5)

    def on_start(self):
        self.shared = None
        self.username = "l" + uuid.uuid4().hex[:20]
        with self.client.post(
            "/api/v1/auth/register",
            json={"username": self.username, "password": PASSWORD, "display_name": "로커스트"},
            name="register",
            catch_response=True,
        ) as resp:
            if resp.status_code != 201:
                resp.failure(f"register: {resp.status_code} {resp.text[:200]}")
                return
        with self.client.post(
            "/api/v1/auth/login",
            json={"username": self.username, "password": PASSWORD},
            name="login",
            catch_response=True,
        ) as resp:
            if resp.status_code != 200:
                resp.failure(f"login: {resp.status_code}")
                return
            self.client.headers["Authorization"] = "Bearer " + resp.json()["token"]
        # The cookie credential from log-in would make writes need a CSRF
        # token; this user speaks as an API client with the bearer token.
        self.client.cookies.clear()
        resp = self.client.post(
            "/api/v1/sessions",
            json={"title": "로커스트 세션", "starts_at": "2099-01-01T00:00:00Z", "target_guests": 1000},
            name="create session",
        )
        self.shared = resp.json()["id"] if resp.status_code == 201 else None

    @task
    def flow(self):
        self.client.get("/api/v1/sessions?limit=20", name="list sessions")
        if not self.shared:
            return
        self.client.get(f"/api/v1/sessions/{self.shared}", name="read session")
        self.client.post(
            f"/api/v1/sessions/{self.shared}/questions",
            json={"text": "사전 질문입니다"},
            name="ask pre-question",
        )
        resp = self.client.post(
            "/api/v1/sessions", json={"title": "바로 시작", "open_now": True}, name="open session"
        )
        if resp.status_code == 201:
            self.client.post(f"/api/v1/sessions/{resp.json()['id']}/end", name="end session")
