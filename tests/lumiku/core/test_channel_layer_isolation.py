"""A test that leaves a consumer receiving on the channel layer (a browser test failing with its page's
WebSocket open: the live server's loop keeps waiting) does not break the next test's receive.

The two tests run in this order (file order); the first leaves a receive pending in its own event loop,
on a thread that the module's fixture stops at the end.
"""

import asyncio
import threading
import time

import pytest
from channels.layers import get_channel_layer

pytestmark = pytest.mark.django_db

_left = {}


@pytest.fixture(scope="module", autouse=True)
def _stop_the_left_loop():
    yield
    loop = _left.get("loop")
    if loop is not None:
        loop.call_soon_threadsafe(loop.stop)
        _left["thread"].join(timeout=5)


def test_a_receive_left_pending_in_another_loop():
    layer = get_channel_layer()
    loop = asyncio.new_event_loop()

    async def wait_forever():
        await layer.receive(await layer.new_channel())

    def run():
        _left["task"] = loop.create_task(wait_forever())
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    _left.update(loop=loop, thread=thread)
    deadline = time.monotonic() + 5
    while layer.receive_count == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    assert layer.receive_count == 1  # still receiving when this test ends


def test_the_next_test_receives_in_its_own_loop():
    async def round_trip():
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "probe", "n": 7})
        return await asyncio.wait_for(layer.receive(channel), timeout=5)

    assert asyncio.run(round_trip()) == {"type": "probe", "n": 7}
