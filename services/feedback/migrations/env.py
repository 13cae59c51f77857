from services.feedback import models
from shared import audit, events, idempotency
from shared.migration_env import run

run(models, events, audit, idempotency)
