"""A generation's life, one module per step; import the step you need from its module.

- ``start``: validate, pay, create the generation and one row per image, enqueue after commit
  (``generation_enqueue`` is also the sweep's way to publish it again: the row is the outbox).
- ``run``: the worker side: dispatch (one engine task per image), generate one claimed image, complete or
  fail it (lumiku.core.jobs: claim with a token, Outcome, store PNG + thumbnail).
- ``cancel``: close what has not started and refund it.
- ``sweep``: re-enqueue stalled generations, then fail and refund what is left of them.
- ``lifecycle``: what they share: lock, publish progress, refund, count, finish.
- ``prompts``: the engine prompt from the avatar's attributes, the pose and the user's words (run's).
"""
