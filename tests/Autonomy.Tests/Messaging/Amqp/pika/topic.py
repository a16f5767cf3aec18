"""A topic exchange routes by pattern: '*' is one word, '#' is zero or more."""
import json, sys
import pika

connection = pika.BlockingConnection(pika.URLParameters(sys.argv[1]))
channel = connection.channel()
channel.confirm_delivery()
channel.exchange_declare("events", "topic", durable=True)
for queue, pattern in [("created", "order.created"), ("orders", "order.#"), ("shipped", "*.shipped")]:
    channel.queue_declare(queue)
    channel.queue_bind(queue, "events", pattern)
for key in ["order.created", "order.shipped", "order.line.added", "invoice.shipped", "order"]:
    channel.basic_publish("events", key, key.encode())
out = {}
for queue in ["created", "orders", "shipped"]:
    got = []
    while True:
        method, properties, body = channel.basic_get(queue, auto_ack=True)
        if method is None:
            break
        got.append(method.routing_key)
    out[queue] = got
connection.close()
print(json.dumps(out))
