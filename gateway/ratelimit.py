"""Rate limits on login, registration, anonymous POSTs (per address and per device) and
tracking-code lookups (`limits`: memory, or Redis when set)."""

from __future__ import annotations

import math
import time

from limits import RateLimitItem, parse
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import MovingWindowRateLimiter

from shared.errors import TooManyRequests


class RateLimits:
    def __init__(
        self,
        *,
        redis_url: str,
        login: str,
        register: str,
        anonymous_post: str,
        tracking: str = "30/minute",
        device: str = "10/minute",
    ) -> None:
        self.storage: Storage = (
            RedisStorage(
                redis_url.replace("redis://", "async+redis://", 1)
                if redis_url.startswith("redis://")
                else redis_url,
                implementation="redispy",
            )
            if redis_url
            else MemoryStorage()
        )
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.items: dict[str, RateLimitItem] = {
            "login": parse(login),
            "register": parse(register),
            "anonymous_post": parse(anonymous_post),
            "tracking": parse(tracking),
            "device": parse(device),
        }

    async def hit(self, bucket: str, *identifiers: str) -> None:
        """Counts one call; raises 429 with Retry-After when the bucket is full."""
        item = self.items[bucket]
        if await self.limiter.hit(item, bucket, *identifiers):
            return
        stats = await self.limiter.get_window_stats(item, bucket, *identifiers)
        raise TooManyRequests(max(1, math.ceil(stats.reset_time - time.time())))

    async def ping(self) -> bool:
        return await self.storage.check()
