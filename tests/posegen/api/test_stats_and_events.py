import pytest
from asgiref.sync import async_to_sync
from channels.testing import WebsocketCommunicator

from lumiku.asgi import application
from lumiku.core.ws_auth import ws_ticket_issue
from posegen.models import GeneratedPose, PoseGeneration
from tests.factories import ProjectFactory, library_pose
from tests.posegen.pipeline_helpers import GENERATE_URL, fund, gallery_body, wait_for_terminal

pytestmark = pytest.mark.django_db(transaction=True)


def test_stats_aggregate_your_generations(auth_client, other_client):
    fund(auth_client.user, 1000)
    project = ProjectFactory(user=auth_client.user)
    ProjectFactory(user=auth_client.user, status="archived")
    favourite, other = library_pose(name="Hands on hips"), library_pose(name="Arms crossed")
    auth_client.post(GENERATE_URL, gallery_body(project, [favourite], batchSize=3), format="json")
    second = auth_client.post(GENERATE_URL, gallery_body(project, [other]), format="json").json()["generationId"]
    first = PoseGeneration.objects.exclude(pk=second).get()
    GeneratedPose.objects.filter(generation=first).update(status="completed", output_image="x.png")
    PoseGeneration.objects.filter(pk=first.pk).update(poses_completed=3, status="completed")
    auth_client.post(f"/api/apps/pose-generator/generations/{second}/cancel")

    stats = auth_client.get("/api/apps/pose-generator/stats").json()
    assert stats == {
        "totalPosesGenerated": 3,
        "totalGenerations": 2,
        "activeProjects": 1,
        "recentGenerations": 2,
        "credits": {"totalSpent": 90, "last30Days": 90, "averagePerGeneration": 45.0},
        "topPoses": [{"poseId": str(favourite.pk), "name": "Hands on hips", "count": 3}],
    }
    assert other_client.get("/api/apps/pose-generator/stats").json()["totalGenerations"] == 0


def test_websocket_streams_generation_events_in_order(auth_client, celery_worker, engine):
    engine("slow")
    fund(auth_client.user, 200)
    project = ProjectFactory(user=auth_client.user)
    poses = [library_pose(), library_pose()]
    ticket = ws_ticket_issue(user_id=auth_client.user.pk)

    async def run():
        comm = WebsocketCommunicator(application, f"/ws/pose-generator/?ticket={ticket}",
                                     headers=[(b"origin", b"http://testserver")])
        connected, _ = await comm.connect(timeout=5)
        assert connected
        events = [await comm.receive_json_from(timeout=5)]
        from asgiref.sync import sync_to_async

        response = await sync_to_async(auth_client.post)(GENERATE_URL, gallery_body(project, poses), format="json")
        while events[-1]["type"] not in ("generation.completed", "generation.failed"):
            events.append(await comm.receive_json_from(timeout=20))
        await comm.disconnect()
        return response.json()["generationId"], events

    generation_id, events = async_to_sync(run)()
    wait_for_terminal(generation_id)
    types = [e["type"] for e in events]
    assert types[0] == "connection.ready"
    assert types[1] == "generation.progress"
    assert types[2:] == ["pose.completed", "pose.completed", "generation.completed"]
    completed = [e for e in events if e["type"] == "pose.completed"]
    assert [e["posesCompleted"] for e in completed] == [1, 2]
    assert [e["percentage"] for e in completed] == [50, 100]
    assert all(e["generationId"] == generation_id and e["outputImageUrl"] for e in completed)
    assert events[-1]["status"] == "completed" and events[-1]["creditRefunded"] == 0
