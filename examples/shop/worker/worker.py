"""The confirmation worker: polls the orders and "sends" a confirmation for each new one.
It is deliberately fragile: now and then it crashes, and its restart policy brings it back."""
import json
import os
import random
import sys
import time
import urllib.request

seen = set()
crash_after = random.randint(20, 60)
started = time.time()
print(f"worker up, watching {os.environ['ORDERS_URL']}", flush=True)
while True:
    try:
        with urllib.request.urlopen(os.environ["ORDERS_URL"] + "/orders", timeout=5) as response:
            for order in json.load(response):
                if order["id"] not in seen:
                    seen.add(order["id"])
                    print(f"confirmation sent for order {order['id']} ({order['product']})", flush=True)
    except OSError as e:
        print(f"orders not reachable: {e}", flush=True)
    if time.time() - started > crash_after:
        print("worker lost its connection to the mail server, crashing", file=sys.stderr, flush=True)
        sys.exit(1)
    time.sleep(1)
