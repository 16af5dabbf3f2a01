"""The tests' share of a Redis server: their own database number and their own key prefix.

A Redis at 127.0.0.1:6379 is shared (other test runs, a development server, a queue), so the
tests never flush a database (`cache.clear()` is FLUSHDB on Redis): they delete the keys under
their own prefix, and only those.
"""

import os
import re

from django_redis.cache import RedisCache

# The Redis database the Redis-backed tests use: REDIS_URL when the run is configured with one
# (the PostgreSQL pass), otherwise TEST_REDIS_URL, by default database 15, which nothing but the
# tests uses (.ci/run gives the PostgreSQL pass the same one).
TEST_REDIS_URL = os.environ.get("REDIS_URL") or os.environ.get(
    "TEST_REDIS_URL", "redis://127.0.0.1:6379/15"
)


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[\]\\])", r"\\\1", text)


def delete_own_keys(cache) -> int:
    """Empty `cache` of what the tests put there; return how many Redis keys were deleted.

    An in-process cache belongs to this process and is simply cleared. On Redis, only the keys
    under the cache's KEY_PREFIX are deleted (Django writes "<prefix>:<version>:<key>"); a cache
    without a prefix would share its keys with everyone else, so it is refused.
    """
    if not isinstance(cache, RedisCache):
        cache.clear()
        return 0
    if not cache.key_prefix:
        raise RuntimeError(
            "The tests delete only the Redis keys under their own prefix: "
            "set DJANGO_CACHE_KEY_PREFIX (see the README's test section)."
        )
    client = cache.client.get_client(write=True)
    pattern = f"{_glob_escape(cache.key_prefix)}:*"
    deleted = 0
    batch = []
    for key in client.scan_iter(match=pattern, count=500):
        batch.append(key)
        if len(batch) == 500:
            deleted += client.unlink(*batch)
            batch = []
    if batch:
        deleted += client.unlink(*batch)
    return deleted
