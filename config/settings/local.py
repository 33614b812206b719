"""`make run` on a developer's machine: debug on, console e-mail, embedded defaults."""

from config.settings.base import *  # noqa: F403
from config.settings.base import env

DEBUG = env.bool("DEBUG", default=True)
