"""One model per process: created once under concurrent first use; a start failure is ModelUnavailable."""

import threading
import time

import pytest

from posegen.posekit.extract import ModelUnavailable
from posegen.posekit.process_model import ProcessModel


def test_concurrent_first_use_creates_the_model_once():
    made = []

    def create():
        time.sleep(0.05)  # long enough for every thread to arrive while the first one creates it
        made.append(object())
        return made[-1]

    model = ProcessModel(create, what="test model")
    got = []
    threads = [threading.Thread(target=lambda: got.append(model.get())) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(made) == 1
    assert got == [made[0]] * 8


def test_a_runtime_error_at_start_becomes_model_unavailable_with_its_words():
    def create():
        raise RuntimeError("flatbuffer is truncated")

    with pytest.raises(ModelUnavailable, match="Could not start the pose model: flatbuffer is truncated"):
        ProcessModel(create, what="pose model").get()


def test_model_unavailable_passes_through_unchanged_and_a_later_call_tries_again():
    calls = []

    def create():
        calls.append(1)
        if len(calls) == 1:
            raise ModelUnavailable("Run python -m posegen.posekit.model_files fetch")
        return "model"

    model = ProcessModel(create, what="pose model")
    with pytest.raises(ModelUnavailable) as raised:
        model.get()
    assert str(raised.value) == "Run python -m posegen.posekit.model_files fetch"
    assert model.get() == "model"
    assert len(calls) == 2
