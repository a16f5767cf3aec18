"""The confirmation worker: takes each "order placed" message from the orders service's queue and "sends" a
confirmation, then acknowledges it. It is deliberately fragile: now and then it crashes after sending a
confirmation but before acknowledging it; its restart policy brings it back, and the message it held comes back
(redelivered) once its lease ends, so that no order goes unconfirmed (and one may be confirmed twice)."""
import base64
import json
import os
import random
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

url = urllib.parse.urlsplit(os.environ["MESSAGE_QUEUE_HTTP_URL"])
# The URL is this service's own vhost; the orders are in the orders service's vhost beside it, which compose.yaml
# lets this service consume from (x-autonomy.grants).
queue = f"{url.scheme}://{url.hostname}:{url.port}{url.path.rsplit('/', 1)[0]}/orders/queues/order-confirmations"
credentials = f"{urllib.parse.unquote(url.username)}:{urllib.parse.unquote(url.password)}"
headers = {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode(), "Content-Type": "application/json"}


def call(method, path, body=None, timeout=10):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(queue + path, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=timeout) as response:
        return json.load(response)


crash_after = random.randint(20, 60)
started = time.time()
print(f"worker up, taking orders from {queue}", flush=True)
while True:
    try:
        # A long poll: answers as soon as there is an order; each is held for us for 10 s.
        messages = call("GET", "/messages?max=10&wait=20&lease=10", timeout=40)
    except urllib.error.HTTPError as e:
        print(f"the queue is not there yet ({e.code}), waiting for the orders service", flush=True)
        time.sleep(1)
        continue
    except OSError as e:
        print(f"broker not reachable: {e}", flush=True)
        time.sleep(1)
        continue
    for message in messages:
        order = json.loads(message["payload"])
        again = f" (again: delivery {message['delivery_count'] + 1})" if message["redelivered"] else ""
        print(f"confirmation sent for order {order['id']} ({order['product']}){again}", flush=True)
        if time.time() - started > crash_after:
            print("worker lost its connection to the mail server before recording it, crashing", file=sys.stderr, flush=True)
            sys.exit(1)
        call("POST", "/ack", {"receipts": [message["receipt"]]})
    if time.time() - started > crash_after:
        print("worker lost its connection to the mail server, crashing", file=sys.stderr, flush=True)
        sys.exit(1)
