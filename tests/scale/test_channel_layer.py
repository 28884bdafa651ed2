"""The Redis channel layer as the web processes use it: a WebSocket that hears
nothing for a while must still hear the next event."""

import asyncio

from channels.layers import get_channel_layer
from channels_redis.core import RedisChannelLayer


def redis_layer() -> RedisChannelLayer:
    layer = get_channel_layer()
    assert isinstance(layer, RedisChannelLayer)
    return layer


def test_a_read_waits_longer_than_a_blocking_pop() -> None:
    """redis-py 8 stops reading after 5 s unless told otherwise, as long as the
    layer's blocking pop waits: the read must never give up first."""
    layer = redis_layer()
    for host in layer.hosts:
        assert host["socket_timeout"] > layer.brpop_timeout, host


async def test_an_idle_receiver_gets_the_next_message() -> None:
    layer = redis_layer()
    channel = await layer.new_channel()
    receiving = asyncio.ensure_future(layer.receive(channel))
    # Idle through several of the layer's blocking pops, each of which ends
    # with nothing: a client-side read timeout would end the receive with it.
    await asyncio.sleep(layer.brpop_timeout * 3)
    await layer.send(channel, {"type": "submission.event", "seq": 1})

    message = await asyncio.wait_for(receiving, timeout=60)
    assert message == {"type": "submission.event", "seq": 1}
