from gateway import models
from shared import events
from shared.migration_env import run

run(models, events)
