"""Django's Redis cache backend, with one redis-py client per connection pool.

Django's own client builds a new `redis.Redis` object (and its few hundred response callbacks)
for every cache operation, which costs about as much as the round trip to Redis itself on a
cached page. A `redis.Redis` object is safe to share: each command takes a connection from the
pool. Everything else is Django's backend unchanged.
"""

from django.core.cache.backends import redis as django_redis


class RedisCacheClient(django_redis.RedisCacheClient):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(pool)
        if client is None:
            client = self._clients[pool] = self._client(connection_pool=pool)
        return client


class RedisCache(django_redis.RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = RedisCacheClient
