"""URLs from users: only the user's own uploads in our storage are accepted; nothing is ever fetched.

Every field that takes an image URL (`backgroundImageUrl` of a background change, `logoUrl` of an export)
resolves to a stored name through `user_asset_resolve`. The product offers no external fetching, so the
rule is the strict one: a URL that is not exactly what our storage serves for one of this user's own
assets of that kind is a 400 with nothing charged, created or requested. A real loopback server that
would happily serve an image at exactly the right path proves that no request ever leaves the app.
"""

from __future__ import annotations

import contextlib
import errno
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.conf import settings

from lumiku.core.storage import storage_url
from lumiku.credits.models import LedgerEntry
from lumiku.credits.selectors import credits_balance
from posegen.models.generation import BackgroundJob
from tests.images import image_bytes, upload
from tests.posegen.api.test_background_api import completed_pose
from tests.posegen.pipeline_helpers import fund

pytestmark = pytest.mark.django_db
BASE = "/api/apps/pose-generator"
PORTS = range(8120, 8130)  # the ports this suite may listen on


class _Loopback(ThreadingHTTPServer):
    daemon_threads = True
    hits: list[str]


class _Handler(BaseHTTPRequestHandler):
    """Serves a real PNG at any path and redirects `/r/<n>/<path>` n times before serving it."""

    def do_GET(self):
        self.server.hits.append(self.path)
        if self.path.startswith("/r/"):
            _, _, count, rest = self.path.split("/", 3)
            target = f"/r/{int(count) - 1}/{rest}" if int(count) > 1 else f"/{rest}"
            self.send_response(302)
            self.send_header("Location", f"http://127.0.0.1:{self.server.server_address[1]}{target}")
            self.end_headers()
            return
        body = image_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "image/png")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):  # keep the test output clean
        pass


@pytest.fixture
def loopback():
    for port in PORTS:
        try:
            server = _Loopback(("127.0.0.1", port), _Handler)
            break
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                raise
    else:
        pytest.fail("no free port in 8120-8129")
    server.hits = []
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def _upload(client, kind: str) -> str:
    response = client.post(f"{BASE}/uploads", {"kind": kind, "image": upload("a.png", image_bytes())},
                           format="multipart")
    assert response.status_code == 201, response.content
    return response.json()["url"]


def _hostile_urls(*, mine: str, theirs: str, port: int) -> list[str]:
    """`mine`/`theirs`: the URLs our storage serves for an upload of this user / another user."""
    # Local storage signs user-file URLs (`?s=...`); the storage key is the path's part from users/ on.
    key = urlsplit(mine).path[urlsplit(mine).path.index("users/"):]
    their_key = urlsplit(theirs).path[urlsplit(theirs).path.index("users/"):]
    path = mine  # e.g. /media/users/<id>/backgrounds/<uuid>.png: the loopback server serves it too
    on_disk = settings.MEDIA_ROOT / key
    assert on_disk.is_file()  # so a file:// URL below names a file that really exists
    return [
        f"http://127.0.0.1:{port}{path}",
        f"https://127.0.0.1:{port}{path}",
        f"http://localhost:{port}{path}",
        f"http://[::1]:{port}{path}",
        f"http://[::ffff:127.0.0.1]:{port}{path}",
        f"http://0.0.0.0:{port}{path}",
        f"http://2130706433:{port}{path}",  # 127.0.0.1 as one decimal number
        f"http://169.254.169.254{path}",  # cloud metadata
        f"http://[fd00:ec2::254]{path}",
        f"http://10.0.0.1{path}",
        f"https://images.example.com{path}",  # a public host is still not our storage
        f"http://127.0.0.1:{port}/r/3{path}",  # a redirect chain that ends at an image on loopback
        f"//127.0.0.1:{port}{path}",  # scheme-relative
        f"file://{on_disk}",
        f"file://{path}",
        f"file:{path}",
        "file:///etc/passwd",
        f"gopher://127.0.0.1:{port}/_GET%20{path}",
        f"gopher:{path}",
        f"http://{path}",
        f"http:{path}",
        f"ftp://127.0.0.1:{port}{path}",
        f"data:image/png;base64,{'iVBORw0KGgo='}",
        theirs,  # another user's upload, exactly as our storage serves it
        their_key,
        path.replace(key, f"{key.split('/')[0]}/{key.split('/')[1]}/../../{their_key}"),
        path.replace("/users/", "/users/%2e%2e/"),
        f"{path}\\..\\x.png",
        key.replace(".png", ".svg"),
        "",
    ]


def test_background_url_is_refused_unless_it_is_our_own_upload(auth_client, other_client, loopback, settings):
    # This test sends many refused requests on purpose.
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "background_change": "1000/minute"}
    user = auth_client.user
    fund(user, 100)
    pose = completed_pose(user)
    mine = _upload(auth_client, "backgrounds")
    theirs = _upload(other_client, "backgrounds")
    logo = _upload(auth_client, "logos")
    url = f"{BASE}/poses/{pose.pk}/background"

    hostile = [*_hostile_urls(mine=mine, theirs=theirs, port=loopback.server_address[1]), logo]
    for candidate in hostile:
        response = auth_client.post(url, {"backgroundMode": "upload", "backgroundImageUrl": candidate}, format="json")
        assert response.status_code == 400, (candidate, response.content)
        error = response.json()["error"]
        if candidate:  # an empty URL in upload mode is "missing", not "not yours"
            assert error["code"] == "INVALID_BACKGROUND_URL", candidate
            assert list(error["fields"]) == ["backgroundImageUrl"]

    assert loopback.hits == []
    assert BackgroundJob.objects.count() == 0
    assert credits_balance(user_id=user.pk) == 100
    assert LedgerEntry.objects.filter(wallet_id=user.pk, kind="charge").count() == 0

    # The control: the very same request with our own upload is accepted and charged once.
    accepted = auth_client.post(url, {"backgroundMode": "upload", "backgroundImageUrl": mine}, format="json")
    assert accepted.status_code == 202, accepted.content
    assert BackgroundJob.objects.get().background_image.name == urlsplit(mine).path.removeprefix("/media/")
    assert credits_balance(user_id=user.pk) == 90
    assert loopback.hits == []


def test_logo_url_is_refused_unless_it_is_our_own_upload(auth_client, other_client, loopback):
    user = auth_client.user
    pose = completed_pose(user)
    mine = _upload(auth_client, "logos")
    theirs = _upload(other_client, "logos")
    url = f"{BASE}/poses/{pose.pk}/regenerate-export"
    before = dict(pose.export_formats)

    for candidate in _hostile_urls(mine=mine, theirs=theirs, port=loopback.server_address[1]):
        if not candidate:
            continue  # no logo is a plain export, not a URL
        response = auth_client.post(url, {"format": "tiktok", "logoUrl": candidate}, format="json")
        assert response.status_code == 400, (candidate, response.content)
        assert response.json()["error"]["fields"] == {"logoUrl": ["Not an image you uploaded here."]}

    assert loopback.hits == []
    pose.refresh_from_db()
    assert pose.export_formats == before

    accepted = auth_client.post(url, {"format": "tiktok", "logoUrl": mine}, format="json")
    assert accepted.status_code == 200, accepted.content
    pose.refresh_from_db()
    assert set(pose.export_formats) == {*before, "tiktok"}


def test_another_users_pose_with_their_own_url_is_404_and_charges_nothing(auth_client, other_client, loopback):
    fund(other_client.user, 100)
    pose = completed_pose(auth_client.user)
    theirs = _upload(other_client, "backgrounds")
    response = other_client.post(f"{BASE}/poses/{pose.pk}/background",
                                 {"backgroundMode": "upload", "backgroundImageUrl": theirs}, format="json")
    assert response.status_code == 404
    assert credits_balance(user_id=other_client.user.pk) == 100
    assert BackgroundJob.objects.count() == 0
    assert loopback.hits == []


def test_the_loopback_target_really_serves_an_image(loopback):
    """Guards the tests above: the refused URLs point at a live server that would have answered."""
    import httpx

    port = loopback.server_address[1]
    with contextlib.closing(httpx.Client(follow_redirects=True)) as client:
        response = client.get(f"http://127.0.0.1:{port}/r/3{storage_url('users/1/backgrounds/x.png')}")
    assert response.status_code == 200 and response.content[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(loopback.hits) == 4
