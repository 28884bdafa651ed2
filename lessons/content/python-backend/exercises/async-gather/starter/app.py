import asyncio
import time


async def fetch_user(user_id: int) -> dict:
    """Ask the user service for a profile. The sleep stands in for the network."""
    await asyncio.sleep(0.2)
    return {"id": user_id, "name": f"user-{user_id}"}


async def fetch_orders(user_id: int) -> list[dict]:
    """Ask the order service for a user's orders. Just as slow as fetch_user."""
    await asyncio.sleep(0.2)
    return [
        {"id": user_id * 100 + 1, "total": 1999},
        {"id": user_id * 100 + 2, "total": 4550},
    ]


async def load_dashboard(user_id: int) -> dict:
    # The two calls do not depend on each other, yet the second one only
    # starts once the first has finished: the waits add up.
    user = await fetch_user(user_id)
    orders = await fetch_orders(user_id)
    return {"user": user, "orders": orders, "order_count": len(orders)}


if __name__ == "__main__":
    started = time.perf_counter()
    print(asyncio.run(load_dashboard(1)))
    print(f"took {time.perf_counter() - started:.2f}s")
