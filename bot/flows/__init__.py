"""What the bot does, as plain functions of ``Deps`` and explicit arguments.

Listeners (bot/listeners/) unpack a Slack payload and call one of these; tests and the CLI can
call them directly. They decide what to say and call pipeline services to do the work; anything
slow goes to the task queue (bot/flows/tasks.py).
"""
